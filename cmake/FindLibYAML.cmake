# FindLibYAML.cmake - locate yaml-0.1 through pkg-config and provide the
# imported target Helios::libyaml to link against.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PC_LibYAML QUIET IMPORTED_TARGET yaml-0.1)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibYAML
	REQUIRED_VARS PC_LibYAML_FOUND
	VERSION_VAR PC_LibYAML_VERSION)
if(LibYAML_FOUND AND NOT TARGET Helios::libyaml)
	add_library(Helios::libyaml INTERFACE IMPORTED)
	target_link_libraries(Helios::libyaml INTERFACE PkgConfig::PC_LibYAML)
endif()
