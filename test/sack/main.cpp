// Catch2 v2 main for the SACK sender's tests (include/tcpfsm/sack/).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
