# Installs a built accrete into a scratch prefix, then configures, builds and
# runs the consumer project in this folder against it, as a user would:
#   cmake -DACCRETE_BUILD_DIR=... -DWORK_DIR=... -DCONFIG=...
#         -DGENERATOR=... -DCXX_COMPILER=... [-DPREFIX_PATH=a|b] -P run.cmake
# PREFIX_PATH is the parent build's CMAKE_PREFIX_PATH, '|'-separated, so the
# consumer finds accrete's dependencies where the parent found them.
foreach(var ACCRETE_BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${prefix} ${build})
# Through an initial-cache file: a ';'-list does not survive execute_process.
string(REPLACE "|" ";" search_path "${prefix}|${PREFIX_PATH}")
file(WRITE ${WORK_DIR}/init.cmake "set(CMAKE_PREFIX_PATH \"${search_path}\" CACHE PATH \"\")\n")

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "failed (${rc}): ${cmd}")
  endif()
endfunction()

step(${CMAKE_COMMAND} --install ${ACCRETE_BUILD_DIR} --prefix ${prefix} --config ${CONFIG})
step(${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${build} -G ${GENERATOR}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=${CONFIG}
  -C ${WORK_DIR}/init.cmake)
step(${CMAKE_COMMAND} --build ${build} --config ${CONFIG})
if(EXISTS ${build}/${CONFIG}/app)
  step(${build}/${CONFIG}/app)
else()
  step(${build}/app)
endif()
