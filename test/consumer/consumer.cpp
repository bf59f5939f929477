// A program as a user of tcpfsm writes it: one include, compile-time and run-time checks.
// Built by every consumer test (installed package, pkg-config, add_subdirectory,
// FetchContent, single header); exits non-zero if the library it found answers wrongly.
// Expected values are edges of RFC 9293 Figure 5 and the user-call replies of §3.10.
#include <tcpfsm/tcpfsm.hpp>

#include <cstdio>
#include <cstring>

static_assert(__cplusplus >= 201703L, "tcpfsm needs C++17: the build must ask for it");
static_assert(tcpfsm::next(tcpfsm::state::listen, tcpfsm::event::rcv_syn) == tcpfsm::state::syn_received,
              "RFC 9293 §3.10.7.2: LISTEN + SYN -> SYN-RECEIVED");
static_assert(tcpfsm::verified<tcpfsm::standard_table>, "the standard table passes every rule");

namespace {

struct edge {
    tcpfsm::state from;
    tcpfsm::event on;
    tcpfsm::state to;
};

using tcpfsm::event;
using tcpfsm::state;

// RFC 9293 Figure 5: an active open, a passive open, both ways of closing.
const edge figure5[] = {
    {state::closed, event::open_passive, state::listen},                // §3.10.1
    {state::closed, event::open_active, state::syn_sent},               // §3.10.1
    {state::listen, event::rcv_syn, state::syn_received},               // §3.10.7.2
    {state::syn_sent, event::rcv_syn_ack, state::established},          // §3.10.7.3
    {state::established, event::close, state::fin_wait_1},             // §3.10.4
    {state::established, event::rcv_fin, state::close_wait},           // §3.10.7.4 eighth
    {state::fin_wait_1, event::rcv_ack_of_fin, state::fin_wait_2},      // §3.10.7.4 fifth
    {state::fin_wait_2, event::rcv_fin, state::time_wait},              // §3.10.7.4 eighth
    {state::time_wait, event::timeout_time_wait, state::closed},        // §3.10.8
    {state::close_wait, event::close, state::last_ack},                 // §3.10.4
    {state::last_ack, event::rcv_ack_of_fin, state::closed},            // §3.10.7.4 fifth
};

int failures = 0;

void expect(bool ok, const char* what) {
    if (!ok) {
        std::printf("tcpfsm consumer: FAILED: %s\n", what);
        ++failures;
    }
}

}  // namespace

int main() {
    for (const edge& e : figure5) {
        const bool by_table = tcpfsm::next<tcpfsm::dispatch::table_lookup>(e.from, e.on) == e.to;
        const bool by_branch = tcpfsm::next<tcpfsm::dispatch::branch>(e.from, e.on) == e.to;
        if (!by_table || !by_branch)
            std::printf("tcpfsm consumer: FAILED: %s -> %s\n", tcpfsm::rfc_name(e.from), tcpfsm::rfc_name(e.to));
        failures += !by_table + !by_branch;
    }
    // §3.10.2: SEND in CLOSED returns "error: connection does not exist".
    expect(tcpfsm::step(state::closed, event::send).error == tcpfsm::user_error::connection_does_not_exist,
           "CLOSED + SEND reports 'connection does not exist'");
    // §3.10.7.2 third: a SYN in LISTEN is answered with <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    expect(tcpfsm::step(state::listen, event::rcv_syn).actions.contains(tcpfsm::action::send_syn_ack),
           "LISTEN + SYN sends a SYN,ACK");
    expect(std::strcmp(tcpfsm::rfc_name(state::syn_received), "SYN-RECEIVED") == 0, "RFC name of SYN-RECEIVED");
#ifdef TCPFSM_CONSUMER_EXPECTED_VERSION
    // The headers found are the ones of the project version being tested.
    expect(std::strcmp(tcpfsm::version.string, TCPFSM_CONSUMER_EXPECTED_VERSION) == 0,
           "tcpfsm::version matches the project version");
#endif
    if (failures != 0) return 1;
    std::printf("tcpfsm consumer: OK (tcpfsm %s, C++ %ld)\n", tcpfsm::version.string, static_cast<long>(__cplusplus));
    return 0;
}
