# Runs `TOOL --table TABLE --format FORMAT [--self-loops]` and checks that it succeeds, that
# the output has the shape of its format and names all 11 states of RFC 9293 §3.3.2, and,
# when DOT names Graphviz's dot, that dot renders it to SVG without a warning.
# cmake -DTOOL=... -DTABLE=... -DFORMAT=dot|mermaid [-DSELF_LOOPS=self_loops] [-DDOT=<dot>]
#       -P check_render.cmake
cmake_minimum_required(VERSION 3.16)
set(args --table ${TABLE} --format ${FORMAT})
if(SELF_LOOPS)
    list(APPEND args --self-loops)
endif()
execute_process(COMMAND ${TOOL} ${args}
    OUTPUT_VARIABLE out ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
    message(FATAL_ERROR "tcpfsm_diagram ${args} failed (${status}): ${errors}")
endif()
if(NOT errors STREQUAL "")
    message(FATAL_ERROR "tcpfsm_diagram ${args} wrote to stderr: ${errors}")
endif()

function(expect text)
    string(FIND "${out}" "${text}" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "tcpfsm_diagram ${args}: output lacks `${text}`:\n${out}")
    endif()
endfunction()

# The 11 states, spelled as in RFC 9293 §3.3.2, each as a node label.
set(states CLOSED LISTEN SYN-SENT SYN-RECEIVED ESTABLISHED FIN-WAIT-1 FIN-WAIT-2
    CLOSE-WAIT CLOSING LAST-ACK TIME-WAIT)
if(FORMAT STREQUAL "dot")
    expect("digraph tcpfsm {")
    foreach(s ${states})
        expect("[label=\"${s}\"]")
    endforeach()
    expect("style=bold")
else()
    expect("flowchart TB")
    foreach(s ${states})
        expect("[\"${s}\"]")
    endforeach()
    expect("==>|")
endif()

if(FORMAT STREQUAL "dot" AND DOT)
    set(dot_file ${CMAKE_CURRENT_BINARY_DIR}/diagram_${TABLE}_${FORMAT}${SELF_LOOPS}.dot)
    file(WRITE ${dot_file} "${out}")
    execute_process(COMMAND ${DOT} -Tsvg ${dot_file}
        OUTPUT_VARIABLE svg ERROR_VARIABLE dot_errors RESULT_VARIABLE dot_status)
    file(REMOVE ${dot_file})
    if(NOT dot_status EQUAL 0 OR NOT dot_errors STREQUAL "")
        message(FATAL_ERROR "dot -Tsvg rejects the output of tcpfsm_diagram ${args} (${dot_status}):\n${dot_errors}")
    endif()
    string(FIND "${svg}" "<svg" at)
    if(at EQUAL -1)
        message(FATAL_ERROR "dot -Tsvg produced no <svg> element for tcpfsm_diagram ${args}")
    endif()
endif()
