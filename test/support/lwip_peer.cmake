# The lwIP peer (test/support/lwip_peer.hpp, .cpp) as the static library tcpfsm_lwip_peer, for
# the interop tests (test/lwip) and any benchmark that wants lwIP as its peer:
#     include(${PROJECT_SOURCE_DIR}/test/support/lwip_peer.cmake)
#     if(TARGET tcpfsm_lwip_peer) ... target_link_libraries(x PRIVATE tcpfsm_lwip_peer) ... endif()
# lwIP comes from Debian's liblwip-dev (lwIP 2.1.3: headers in /usr/include/lwip, liblwip.so).
# Without it the target is not defined and a STATUS message says so.
if(TARGET tcpfsm_lwip_peer)
    return()
endif()

find_path(TCPFSM_LWIP_INCLUDE_DIR
    NAMES lwip/tcp.h
    PATH_SUFFIXES lwip
    DOC "Directory holding lwipopts.h, arch/cc.h and lwip/tcp.h (Debian: /usr/include/lwip)")
find_library(TCPFSM_LWIP_LIBRARY NAMES lwip DOC "lwIP's library (Debian: liblwip.so)")

if(NOT TCPFSM_LWIP_INCLUDE_DIR OR NOT TCPFSM_LWIP_LIBRARY
   OR NOT EXISTS ${TCPFSM_LWIP_INCLUDE_DIR}/lwipopts.h OR NOT EXISTS ${TCPFSM_LWIP_INCLUDE_DIR}/arch/cc.h)
    message(STATUS "tcpfsm: lwIP not found (apt-get install liblwip-dev); the lwIP peer and its interop tests are skipped")
    return()
endif()
message(STATUS "tcpfsm: lwIP peer: ${TCPFSM_LWIP_LIBRARY} (headers ${TCPFSM_LWIP_INCLUDE_DIR})")

add_library(tcpfsm_lwip_peer STATIC ${CMAKE_CURRENT_LIST_DIR}/lwip_peer.cpp)
target_include_directories(tcpfsm_lwip_peer PUBLIC ${CMAKE_CURRENT_LIST_DIR})
# lwIP's headers warn under our flags: SYSTEM, so they never fail -Werror.
target_include_directories(tcpfsm_lwip_peer SYSTEM PRIVATE ${TCPFSM_LWIP_INCLUDE_DIR})
target_link_libraries(tcpfsm_lwip_peer PUBLIC tcpfsm_under_test ${TCPFSM_LWIP_LIBRARY})
