# cmake -DCXX=... -DINCLUDE_DIR=... -DWORK_DIR=... [-DFORM=core|whole] [-DEXTRA_HEADER=functional]
#       [-DEXPECT=light|heavy] -P check_core_is_light.cmake
#
# Preprocesses a TU holding `#include <tcpfsm/tcpfsm.hpp>` (then <EXTRA_HEADER>, if given)
# with `-std=c++17 -E -H`, which lists every header the compiler opens, nested by depth, and
# looks for the heavy parts of the standard library the library promises not to pull in.
#   FORM=core (the default): with -DTCPFSM_CORE_ONLY; bans ostream, istream, iostream,
#     sstream, string, chrono, functional.
#   FORM=whole: the default form (engine, listener, wire codec); bans ostream, istream,
#     iostream, sstream, string, map, memory (the listener's storage comes from
#     allocator.hpp's default_allocator, on <new>). <chrono> is allowed: the engine's Clock policy returns
#     std::chrono time points. (C++17 only: libstdc++ 12's <chrono> itself includes
#     <sstream> in C++20, for the chrono I/O of that standard.)
#
# Criterion: a header counts as heavy when its path ends in
#  - the name of a banned standard header (standard headers have no extension, so a
#    final path component equal to one of these names cannot be anything else), or
#  - an implementation file that carries the weight of one of them when reached by a
#    detour (libstdc++ bits/..., libc++ __functional/..., __chrono/...): a standard
#    library is free to move the declarations between its internal files, but then one of
#    the public names above or these files still appears.
# This works for g++ and clang++ (both print -H the same way) with libstdc++ or libc++.
#
# EXPECT=light (the default): fail if any heavy header appears, naming the include chain.
# EXPECT=heavy: fail unless one does (shows that the check can fail).

cmake_policy(SET CMP0057 NEW)  # if(IN_LIST)

foreach(var CXX INCLUDE_DIR WORK_DIR)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "check_core_is_light.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT DEFINED EXPECT)
    set(EXPECT light)
endif()
if(NOT DEFINED FORM)
    set(FORM core)
endif()

if(FORM STREQUAL "core")
    set(defines -DTCPFSM_CORE_ONLY)
    set(banned_names ostream istream iostream sstream string chrono functional)
    set(banned_suffixes
        # libstdc++
        bits/basic_string.h bits/basic_string.tcc bits/std_function.h bits/chrono.h
        bits/ostream.tcc bits/basic_ios.h bits/locale_facets.h
        # libc++
        __functional/function.h __chrono/duration.h __chrono/time_point.h __ostream/basic_ostream.h)
elseif(FORM STREQUAL "whole")
    set(defines "")
    set(banned_names ostream istream iostream sstream string map memory)
    set(banned_suffixes
        # libstdc++
        bits/basic_string.h bits/basic_string.tcc bits/stl_map.h bits/stl_tree.h
        bits/shared_ptr.h bits/unique_ptr.h
        bits/ostream.tcc bits/basic_ios.h bits/locale_facets.h
        # libc++
        __tree __ostream/basic_ostream.h __memory/shared_ptr.h __memory/unique_ptr.h)
else()
    message(FATAL_ERROR "check_core_is_light.cmake: FORM must be core or whole, not '${FORM}'")
endif()

file(MAKE_DIRECTORY ${WORK_DIR})
set(tu ${WORK_DIR}/core_is_light.cpp)
set(content "#include <tcpfsm/tcpfsm.hpp>\n")
if(EXTRA_HEADER)
    string(APPEND content "#include <${EXTRA_HEADER}>\n")
endif()
string(APPEND content "int main() {}\n")
file(WRITE ${tu} "${content}")

execute_process(
    COMMAND ${CXX} -std=c++17 ${defines} -E -H -I ${INCLUDE_DIR} ${tu} -o ${WORK_DIR}/core_is_light.ii
    RESULT_VARIABLE rc
    ERROR_VARIABLE tree)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "check_core_is_light: preprocessing failed (${rc}):\n${tree}")
endif()

# -H lines: one dot per nesting level, a space, the path. Keep a stack for the chain.
string(REPLACE "\n" ";" lines "${tree}")
set(stack)
set(found "")
set(headers_seen 0)
foreach(line IN LISTS lines)
    if(NOT line MATCHES "^(\\.+) (.+)$")
        continue()
    endif()
    string(LENGTH "${CMAKE_MATCH_1}" depth)
    set(path "${CMAKE_MATCH_2}")
    math(EXPR headers_seen "${headers_seen} + 1")
    list(LENGTH stack size)
    while(size GREATER_EQUAL depth AND size GREATER 0)
        list(REMOVE_AT stack -1)
        list(LENGTH stack size)
    endwhile()
    list(APPEND stack "${path}")

    set(heavy FALSE)
    get_filename_component(last "${path}" NAME)
    if(last IN_LIST banned_names)
        set(heavy TRUE)
    endif()
    foreach(suffix IN LISTS banned_suffixes)
        string(LENGTH "/${suffix}" n)
        string(LENGTH "${path}" m)
        if(m GREATER_EQUAL n)
            math(EXPR start "${m} - ${n}")
            string(SUBSTRING "${path}" ${start} ${n} tail)
            if(tail STREQUAL "/${suffix}")
                set(heavy TRUE)
            endif()
        endif()
    endforeach()
    if(heavy)
        string(REPLACE ";" "\n    -> " chain "${stack}")
        string(APPEND found "  ${chain}\n")
    endif()
endforeach()

if(headers_seen EQUAL 0)
    message(FATAL_ERROR "check_core_is_light: ${CXX} -H listed no headers; cannot check:\n${tree}")
endif()

if(EXPECT STREQUAL "light")
    if(found)
        message(FATAL_ERROR
            "tcpfsm.hpp (${FORM} form, from ${INCLUDE_DIR}) must not pull in any of <${banned_names}>;"
            " these includes do:\n${found}")
    endif()
    message(STATUS "tcpfsm.hpp (${FORM} form) is light: ${headers_seen} headers opened, none of them heavy")
else()
    if(NOT found)
        message(FATAL_ERROR "check_core_is_light: <${EXTRA_HEADER}> was included but not detected")
    endif()
    message(STATUS "detected, as expected:\n${found}")
endif()
