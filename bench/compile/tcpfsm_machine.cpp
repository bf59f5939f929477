// Compile time: the single header and a use of the standard machine under both dispatch
// policies, so that its dense index and the branch policy's switch are built. Core form, as
// tcpfsm_include.cpp.
#define TCPFSM_CORE_ONLY
#include <tcpfsm/tcpfsm.hpp>
int main(int argc, char**) {
    const auto s = static_cast<tcpfsm::state>(static_cast<unsigned>(argc) % tcpfsm::state_count);
    const auto e = static_cast<tcpfsm::event>(static_cast<unsigned>(argc) % tcpfsm::event_count);
    return static_cast<int>(tcpfsm::next<tcpfsm::dispatch::table_lookup>(s, e)) +
           static_cast<int>(tcpfsm::next<tcpfsm::dispatch::branch>(s, e));
}
