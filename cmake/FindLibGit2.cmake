# FindLibGit2.cmake - locate libgit2 through pkg-config and provide the
# imported target Helios::libgit2 to link against.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PC_LibGit2 QUIET IMPORTED_TARGET libgit2)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibGit2
	REQUIRED_VARS PC_LibGit2_FOUND
	VERSION_VAR PC_LibGit2_VERSION)
if(LibGit2_FOUND AND NOT TARGET Helios::libgit2)
	add_library(Helios::libgit2 INTERFACE IMPORTED)
	target_link_libraries(Helios::libgit2 INTERFACE PkgConfig::PC_LibGit2)
endif()
