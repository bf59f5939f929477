// An observer derived from null_observer whose on_signal takes the wrong parameter type: it
// hides null_observer's on_signal, and the engine's check names that hook (not "every hook").
// With TCPFSM_CF_CONTROL the hook takes tcpfsm::user_signal.
#include <tcpfsm/connection.hpp>

#include <chrono>

struct good_io {
    void send(const tcpfsm::outgoing_segment&) noexcept {}
};
struct good_clock {
    std::chrono::steady_clock::time_point now() const noexcept { return {}; }
};
struct good_iss {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return 1; }
};

struct observer : tcpfsm::null_observer {
#if defined(TCPFSM_CF_CONTROL)
    void on_signal(tcpfsm::user_signal) noexcept {}
#else
    void on_signal(int) noexcept {}  // a wrong guess at the signal type
#endif
};

int main() {
    tcpfsm::connection<good_io, good_clock, observer, good_iss> c{tcpfsm::default_connection_config, good_io{},
                                                                 good_clock{}, observer{}, good_iss{}};
    return c.current_state() == tcpfsm::state::closed ? 0 : 1;
}
