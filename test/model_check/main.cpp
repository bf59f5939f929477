// Catch2 v2 main for the model check.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
