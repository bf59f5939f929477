// Compile time: the single header alone (its standard table is verified at compile time), in
// its core form: the state machine without the engine, as the Boost.MSM machine it is
// compared with (tools/measure_include_cost.sh measures the whole form too).
#define TCPFSM_CORE_ONLY
#include <tcpfsm/tcpfsm.hpp>
int main() {}
