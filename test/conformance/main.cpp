// Catch2 v2 main for the conformance matrix.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
