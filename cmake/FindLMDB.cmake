# FindLMDB: finds LMDB (Debian: liblmdb-dev), which ships no CMake config.
# Installed beside accreteConfig.cmake so consumers find it the same way.
#
# Defines the imported target LMDB::LMDB and LMDB_FOUND, LMDB_VERSION,
# LMDB_INCLUDE_DIR, LMDB_LIBRARY. Hints: LMDB_ROOT, CMAKE_PREFIX_PATH, and
# pkg-config's lmdb.pc when pkg-config is available.
if(TARGET LMDB::LMDB)  # e.g. defined by a package manager's generated config
  set(LMDB_FOUND TRUE)
  return()
endif()

find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(PC_LMDB QUIET lmdb)
endif()

find_path(LMDB_INCLUDE_DIR lmdb.h HINTS ${PC_LMDB_INCLUDE_DIRS})
find_library(LMDB_LIBRARY NAMES lmdb HINTS ${PC_LMDB_LIBRARY_DIRS})

if(LMDB_INCLUDE_DIR AND EXISTS "${LMDB_INCLUDE_DIR}/lmdb.h")
  file(STRINGS "${LMDB_INCLUDE_DIR}/lmdb.h" _lmdb_version_lines
    REGEX "^#define MDB_VERSION_(MAJOR|MINOR|PATCH)[ \t]+[0-9]+")
  foreach(part MAJOR MINOR PATCH)
    string(REGEX REPLACE ".*MDB_VERSION_${part}[ \t]+([0-9]+).*" "\\1" _lmdb_${part}
      "${_lmdb_version_lines}")
  endforeach()
  set(LMDB_VERSION "${_lmdb_MAJOR}.${_lmdb_MINOR}.${_lmdb_PATCH}")
  unset(_lmdb_version_lines)
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LMDB
  REQUIRED_VARS LMDB_LIBRARY LMDB_INCLUDE_DIR
  VERSION_VAR LMDB_VERSION)

if(LMDB_FOUND AND NOT TARGET LMDB::LMDB)
  add_library(LMDB::LMDB UNKNOWN IMPORTED)
  set_target_properties(LMDB::LMDB PROPERTIES
    IMPORTED_LOCATION "${LMDB_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LMDB_INCLUDE_DIR}")
endif()
mark_as_advanced(LMDB_INCLUDE_DIR LMDB_LIBRARY)
