# Checks that the first ```cpp block of README is the file EXAMPLE, exactly.
#   cmake -DREADME=... -DEXAMPLE=... -DOUT=<scratch file> -P readme_snippet.cmake
file(READ ${README} readme)
set(fence "```cpp\n")
string(FIND "${readme}" "${fence}" start)
if(start EQUAL -1)
  message(FATAL_ERROR "${README}: no ```cpp block")
endif()
string(LENGTH "${fence}" fence_length)
math(EXPR start "${start} + ${fence_length}")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "\n```" end)
if(end EQUAL -1)
  message(FATAL_ERROR "${README}: the ```cpp block is not closed")
endif()
math(EXPR end "${end} + 1")  # keep the last line's newline
string(SUBSTRING "${rest}" 0 ${end} snippet)
file(WRITE ${OUT} "${snippet}")
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT} ${EXAMPLE} RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "The ```cpp block of ${README} differs from ${EXAMPLE}; "
    "copy the example into the README (compare with: diff ${OUT} ${EXAMPLE})")
endif()
