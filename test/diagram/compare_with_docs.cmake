# Fails unless `TOOL --format FORMAT [--scenario SCENARIO]` prints exactly the contents of
# COMMITTED.
# cmake -DTOOL=... -DFORMAT=dot|mermaid|svg -DCOMMITTED=<file> -DBUILD_DIR=<dir>
#       [-DSCENARIO=<name>] [-DTARGET=<regenerating target>] -P compare_with_docs.cmake
cmake_minimum_required(VERSION 3.16)
foreach(var TOOL FORMAT COMMITTED BUILD_DIR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "compare_with_docs.cmake: -D${var}=... is required")
    endif()
endforeach()

set(extra)
if(DEFINED SCENARIO)
    set(extra --scenario ${SCENARIO})
endif()
if(NOT DEFINED TARGET)
    set(TARGET diagram_docs)
endif()
get_filename_component(committed_dir ${COMMITTED} DIRECTORY)
get_filename_component(committed_dir ${committed_dir} NAME)
execute_process(COMMAND ${TOOL} --format ${FORMAT} ${extra}
    OUTPUT_VARIABLE produced ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "${TOOL} --format ${FORMAT} ${extra} failed (${status}): ${errors}")
endif()
if(NOT EXISTS ${COMMITTED})
    message(FATAL_ERROR "${COMMITTED} is missing.\n"
        "Run `cmake --build ${BUILD_DIR} --target ${TARGET}` and commit docs/${committed_dir}/.")
endif()
file(READ ${COMMITTED} committed)

if(NOT produced STREQUAL committed)
    # Point at the first line that differs (plain string operations: the text holds ';' and
    # '[', which CMake lists would mangle).
    set(p_rest "${produced}")
    set(c_rest "${committed}")
    set(line 1)
    while(TRUE)
        string(FIND "${p_rest}" "\n" p_end)
        string(FIND "${c_rest}" "\n" c_end)
        string(SUBSTRING "${p_rest}" 0 ${p_end} p_line)
        string(SUBSTRING "${c_rest}" 0 ${c_end} c_line)
        if(NOT p_line STREQUAL c_line OR p_end EQUAL -1 OR c_end EQUAL -1)
            break()
        endif()
        math(EXPR p_end "${p_end} + 1")
        math(EXPR c_end "${c_end} + 1")
        string(SUBSTRING "${p_rest}" ${p_end} -1 p_rest)
        string(SUBSTRING "${c_rest}" ${c_end} -1 c_rest)
        math(EXPR line "${line} + 1")
    endwhile()
    message(FATAL_ERROR "${COMMITTED} is out of date with the code (${FORMAT} output); "
        "first difference at line ${line}:\n  committed: ${c_line}\n  produced:  ${p_line}\n"
        "Run `cmake --build ${BUILD_DIR} --target ${TARGET}` and commit docs/${committed_dir}/.")
endif()
