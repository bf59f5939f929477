// Catch2 v2's main, compiled once per build tree and linked into every test executable
// (tcpfsm_catch_main in test/CMakeLists.txt): the implementation behind CATCH_CONFIG_MAIN is
// the slowest translation unit of the suite, so it is not repeated per executable.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
