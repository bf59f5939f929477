// The engine keeps a pointer to its connection_config: a temporary would dangle, so the
// constructor taking one is deleted. With TCPFSM_CF_CONTROL the configuration is a named
// object that outlives the connection.
#include <tcpfsm/connection.hpp>

#include <chrono>

struct io {
    void send(const tcpfsm::outgoing_segment&) noexcept {}
};
struct clock_policy {
    std::chrono::steady_clock::time_point now() const noexcept { return {}; }
};
using iss = tcpfsm::fixed_iss;

int main() {
#if defined(TCPFSM_CF_CONTROL)
    static const tcpfsm::connection_config config{};
    tcpfsm::connection<io, clock_policy, tcpfsm::null_observer, iss> c(config, io{}, clock_policy{},
                                                                       tcpfsm::null_observer{}, iss{7});
#else
    tcpfsm::connection<io, clock_policy, tcpfsm::null_observer, iss> c(tcpfsm::connection_config{}, io{}, clock_policy{},
                                                                       tcpfsm::null_observer{}, iss{7});
#endif
    return c.current_state() == tcpfsm::state::closed ? 0 : 1;
}
