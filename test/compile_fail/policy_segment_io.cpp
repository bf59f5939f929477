// A connection whose segment_io policy lacks what the engine calls: rejected with a readable
// static_assert (see connection.hpp). With TCPFSM_CF_CONTROL the policy is complete.
#include <tcpfsm/connection.hpp>

#include <chrono>

struct good_io {
    void send(const tcpfsm::outgoing_segment&) noexcept {}
};
struct good_clock {
    std::chrono::steady_clock::time_point now() const noexcept { return {}; }
};
using good_observer = tcpfsm::null_observer;
struct good_iss {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return 1; }
};

#if defined(TCPFSM_CF_CONTROL)
using io = good_io;
using clock_policy = good_clock;
using observer = good_observer;
using iss = good_iss;
#else
struct io {
    void transmit(const tcpfsm::outgoing_segment&) noexcept {}  // not `send`
};
using clock_policy = good_clock;
using observer = good_observer;
using iss = good_iss;
#endif

int main() {
    tcpfsm::connection<io, clock_policy, observer, iss> c{tcpfsm::default_connection_config, io{}, clock_policy{},
                                                         observer{}, iss{}};
    return c.current_state() == tcpfsm::state::closed ? 0 : 1;
}
