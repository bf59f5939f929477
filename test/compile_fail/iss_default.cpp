// The short constructor forms default-construct the ISS policy; the library's default,
// rfc6528_iss, needs a secret: a readable static_assert says so. With TCPFSM_CF_CONTROL the
// ISS policy is default-constructible and the short form compiles.
#include <tcpfsm/connection.hpp>

#include <chrono>

struct io {
    void send(const tcpfsm::outgoing_segment&) noexcept {}
};
struct clock_policy {
    std::chrono::steady_clock::time_point now() const noexcept { return {}; }
};

#if defined(TCPFSM_CF_CONTROL)
struct iss {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return 1; }
};
#else
using iss = tcpfsm::rfc6528_iss;
#endif

int main() {
    tcpfsm::connection<io, clock_policy, tcpfsm::null_observer, iss> c;
    return c.current_state() == tcpfsm::state::closed ? 0 : 1;
}
