# cmake/app_revision.cmake on a scratch git repository: a clean tree records
# its commit (reproducible); a dirty tree fails without a name, naming the
# change and the fix; a dirty tree with a name (cache or environment) records
# that name (not reproducible); a name that is not one is refused.
#   cmake -DSCRIPT=<cmake/app_revision.cmake> -DWORK_DIR=<scratch> -P app_revision_test.cmake
cmake_minimum_required(VERSION 3.25)
set(repo ${WORK_DIR}/repo)
set(out ${WORK_DIR}/revision.cpp)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${repo})
find_program(GIT git REQUIRED)

function(git)
  execute_process(COMMAND ${GIT} -C ${repo} -c user.name=t -c user.email=t@example.com ${ARGN}
    RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
  if(rc)
    message(FATAL_ERROR "git ${ARGN} failed")
  endif()
endfunction()

# record(<result var> <output var> [-DNAME=...]): runs the script on the repo.
function(record result_var output_var)
  file(REMOVE ${out})
  execute_process(COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${repo} -DOUTPUT=${out} -DTARGET=app
      ${ARGN} -P ${SCRIPT}
    RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE text)
  set(${result_var} ${rc} PARENT_SCOPE)
  set(${output_var} "${text}" PARENT_SCOPE)
endfunction()

function(expect_recorded revision reproducible)
  file(READ ${out} generated)
  string(FIND "${generated}" "set_app_revision(\"${revision}\", ${reproducible})" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected set_app_revision(\"${revision}\", ${reproducible}) in:\n${generated}")
  endif()
endfunction()

git(init -q)
file(WRITE ${repo}/main.cpp "int main() {}\n")
git(add main.cpp)
git(commit -q -m first)
execute_process(COMMAND ${GIT} -C ${repo} rev-parse HEAD OUTPUT_VARIABLE commit
  OUTPUT_STRIP_TRAILING_WHITESPACE)

unset(ENV{ACCRETE_APP_REVISION})
record(rc text -DNAME=ignored-when-clean)
if(rc)
  message(FATAL_ERROR "a clean tree failed:\n${text}")
endif()
expect_recorded(${commit} true)

file(APPEND ${repo}/main.cpp "// edited\n")
record(rc text)
if(NOT rc OR NOT text MATCHES "main.cpp" OR NOT text MATCHES "ACCRETE_APP_REVISION=<name>")
  message(FATAL_ERROR "a dirty tree without a name must fail naming the change and the fix:\n${text}")
endif()
if(EXISTS ${out})
  message(FATAL_ERROR "a failed step must write nothing")
endif()

record(rc text -DNAME=dev-ada-3)
if(rc)
  message(FATAL_ERROR "a dirty tree with a name failed:\n${text}")
endif()
expect_recorded(dev-ada-3 false)

set(ENV{ACCRETE_APP_REVISION} dev-from-env)
record(rc text -DNAME=dev-ada-3)
expect_recorded(dev-from-env false)
unset(ENV{ACCRETE_APP_REVISION})

record(rc text "-DNAME=has space")
if(NOT rc OR NOT text MATCHES "is not a name")
  message(FATAL_ERROR "a malformed name must be refused:\n${text}")
endif()

# An untracked file is a change too: it may be built.
git(checkout -q -- main.cpp)
file(WRITE ${repo}/extra.cpp "\n")
record(rc text)
if(NOT rc OR NOT text MATCHES "extra.cpp")
  message(FATAL_ERROR "an untracked file must make the tree dirty:\n${text}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
