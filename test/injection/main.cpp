// Catch2 v2 main for the blind-injection test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
