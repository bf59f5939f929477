// Catch2 v2 main for the TCP options tests (include/tcpfsm/options/).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
