# FindFuse3.cmake - locate fuse3 through pkg-config and provide the
# imported target Helios::fuse3 to link against.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PC_Fuse3 QUIET IMPORTED_TARGET fuse3)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Fuse3
	REQUIRED_VARS PC_Fuse3_FOUND
	VERSION_VAR PC_Fuse3_VERSION)
if(Fuse3_FOUND AND NOT TARGET Helios::fuse3)
	add_library(Helios::fuse3 INTERFACE IMPORTED)
	target_link_libraries(Helios::fuse3 INTERFACE PkgConfig::PC_Fuse3)
endif()
