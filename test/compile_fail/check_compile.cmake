# Driver for one compile_fail test, run as `cmake -P check_compile.cmake` with:
#   COMPILER     the C++ compiler
#   FLAGS        its flags, one string separated by spaces (standard, warnings, include dir)
#   SOURCE       the test source
#   MODE         "fail": must not compile, and must fail with rule RULE and no other rule;
#                "control": must compile with -DTCPFSM_CF_CONTROL
#   RULE         the verify.hpp rule the source breaks (fail mode)
#   WHERE_REGEX  regex the compiler output must also match (fail mode): the instantiation
#                of tcpfsm::rule_violated::<rule> that names the row, state and event
#   MESSAGE      instead of RULE: a regex the compiler output must match (policy checks)
cmake_minimum_required(VERSION 3.16)

foreach(var COMPILER FLAGS SOURCE MODE)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check_compile.cmake: ${var} is not set")
    endif()
endforeach()

separate_arguments(flag_list UNIX_COMMAND "${FLAGS}")
if(MODE STREQUAL "control")
    list(APPEND flag_list -DTCPFSM_CF_CONTROL)
elseif(NOT MODE STREQUAL "fail")
    message(FATAL_ERROR "check_compile.cmake: MODE must be 'fail' or 'control', not '${MODE}'")
endif()

execute_process(
    COMMAND ${COMPILER} ${flag_list} -fsyntax-only ${SOURCE}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)

string(REPLACE ";" " " command_line "${COMPILER} ${flag_list} -fsyntax-only ${SOURCE}")

if(MODE STREQUAL "control")
    if(NOT result EQUAL 0)
        message(FATAL_ERROR "control does not compile (exit ${result}):\n${command_line}\n${output}")
    endif()
    message(STATUS "compiles, as it should: ${SOURCE}")
    return()
endif()

if(result EQUAL 0)
    message(FATAL_ERROR "compiled, but must fail with rule '${RULE}':\n${command_line}\n${output}")
endif()

# A policy check (connection.hpp) names the policy and what it lacks: MESSAGE is its regex.
if(DEFINED MESSAGE)
    if(NOT output MATCHES "${MESSAGE}")
        message(FATAL_ERROR "failed, but not with '${MESSAGE}' (exit ${result}):\n${command_line}\n${output}")
    endif()
    message(STATUS "fails with '${MESSAGE}', as it should: ${SOURCE}")
    return()
endif()

# Every rule message in the output must be this rule's: a broken table reports its own rule.
string(REGEX MATCHALL "tcpfsm rule '[a-z_]+' violated" reported "${output}")
if(NOT reported)
    message(FATAL_ERROR "failed without any tcpfsm rule message (exit ${result}):\n${command_line}\n${output}")
endif()
list(REMOVE_DUPLICATES reported)
if(NOT reported STREQUAL "tcpfsm rule '${RULE}' violated")
    message(FATAL_ERROR "expected only rule '${RULE}', got: ${reported}\n${command_line}\n${output}")
endif()

if(DEFINED WHERE_REGEX AND NOT output MATCHES "${WHERE_REGEX}")
    message(FATAL_ERROR "rule '${RULE}' reported, but the output does not match '${WHERE_REGEX}':\n${command_line}\n${output}")
endif()

message(STATUS "fails with rule '${RULE}', as it should: ${SOURCE}")
