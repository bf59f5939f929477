// Compile time: the equivalent Boost.MSM machine (bench/transition/msm_tcp.hpp: the same 68
// state-changing rows), started and fed one run-time event, so that its dispatch tables for
// all 36 event types are built.
#include "msm_tcp.hpp"
int main(int argc, char**) {
    tcp_msm::machine m;
    m.start();
    tcp_msm::dispatch(m, static_cast<tcpfsm::event>(static_cast<unsigned>(argc) % tcpfsm::event_count));
    return m.current_state()[0];
}
