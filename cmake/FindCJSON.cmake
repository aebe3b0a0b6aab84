# FindCJSON.cmake - locate libcjson through pkg-config and provide the
# imported target Helios::cjson to link against.
find_package(PkgConfig REQUIRED)
pkg_check_modules(PC_CJSON QUIET IMPORTED_TARGET libcjson)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CJSON
	REQUIRED_VARS PC_CJSON_FOUND
	VERSION_VAR PC_CJSON_VERSION)
if(CJSON_FOUND AND NOT TARGET Helios::cjson)
	add_library(Helios::cjson INTERFACE IMPORTED)
	target_link_libraries(Helios::cjson INTERFACE PkgConfig::PC_CJSON)
endif()
