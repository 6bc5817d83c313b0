# Installs accrete as a CMake package:
#   include/accrete/*.hpp                         the public headers
#   lib/libaccrete.a                              the library
#   lib/cmake/accrete/accreteConfig.cmake         find_package(accrete) entry point
#   lib/cmake/accrete/accreteConfigVersion.cmake  version check
#   lib/cmake/accrete/accreteTargets*.cmake       the exported accrete::accrete
#   lib/cmake/accrete/FindLMDB.cmake              LMDB ships no CMake config
#   lib/libaccrete_http.a                         HTTP Direct (accrete::http)
#   bin/accrete, lib/libaccrete_tools.a           the command-line tool and its
#                                                 entry point (accrete::tools,
#                                                 which serves with accrete::http),
#                                                 unless ACCRETE_BUILD_TOOLS=OFF
# Only `accrete`, `accrete_http` and `accrete_tools` are exported: accrete is
# made from the layers' object files, so the object libraries never appear in
# its link interface.
include(CMakePackageConfigHelpers)

set(ACCRETE_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/accrete
  CACHE STRING "Where accreteConfig.cmake is installed, relative to the prefix")
mark_as_advanced(ACCRETE_INSTALL_CMAKEDIR)

# The export name doubles as the name consumers see: accrete::accrete.
set_target_properties(accrete PROPERTIES EXPORT_NAME accrete)

install(TARGETS accrete EXPORT accreteTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
set_target_properties(accrete_http PROPERTIES EXPORT_NAME http)
install(TARGETS accrete_http EXPORT accreteTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET accrete_tools)
  set_target_properties(accrete_tools PROPERTIES EXPORT_NAME tools)
  install(TARGETS accrete_tools EXPORT accreteTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(TARGETS accrete_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/accrete
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT accreteTargets
  NAMESPACE accrete::
  DESTINATION ${ACCRETE_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/accreteConfig.cmake.in
  ${PROJECT_BINARY_DIR}/accreteConfig.cmake
  INSTALL_DESTINATION ${ACCRETE_INSTALL_CMAKEDIR})
# Before 1.0 a minor version may break the API.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/accreteConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/accreteConfig.cmake
  ${PROJECT_BINARY_DIR}/accreteConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/FindLMDB.cmake
  DESTINATION ${ACCRETE_INSTALL_CMAKEDIR})
