// Catch2 v2 main for the tracker tests.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
