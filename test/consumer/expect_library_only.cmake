# expect_library_only(<tcpfsm source dir>): tcpfsm added to another project (add_subdirectory,
# FetchContent) is not the top-level project, so it adds its library and nothing else: no
# tests, examples, tools or install rules of its own.
function(expect_library_only tcpfsm_source_dir)
    if(NOT TARGET tcpfsm::tcpfsm OR NOT TARGET tcpfsm)
        message(FATAL_ERROR "tcpfsm did not define tcpfsm and tcpfsm::tcpfsm")
    endif()
    foreach(target tcpfsm_unit_tests tcpfsm_demo tcpfsm_strict tcpfsm_under_test)
        if(TARGET ${target})
            message(FATAL_ERROR "tcpfsm added its own target '${target}' to a consumer build")
        endif()
    endforeach()
    foreach(option TCPFSM_BUILD_TESTS TCPFSM_BUILD_EXAMPLES TCPFSM_BUILD_TOOLS TCPFSM_BUILD_BENCHMARKS
                   TCPFSM_INSTALL)
        if(${option})
            message(FATAL_ERROR "${option} defaults to ON when tcpfsm is not the top-level project")
        endif()
    endforeach()
    get_property(subdirs DIRECTORY "${tcpfsm_source_dir}" PROPERTY SUBDIRECTORIES)
    get_property(targets DIRECTORY "${tcpfsm_source_dir}" PROPERTY BUILDSYSTEM_TARGETS)
    if(subdirs OR NOT targets STREQUAL "tcpfsm")
        message(FATAL_ERROR "tcpfsm added subdirectories '${subdirs}' and targets '${targets}'; "
                            "expected no subdirectory and only 'tcpfsm'")
    endif()
endfunction()
