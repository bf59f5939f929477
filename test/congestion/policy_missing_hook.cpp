// A congestion-control policy without on_timeout: check_policy rejects it with a message
// naming the hook. With TCPFSM_CF_CONTROL the policy is complete and this compiles.
#include <tcpfsm/congestion/contract.hpp>

#include <cstdint>

struct my_policy {
    void init(std::uint32_t, std::uint32_t, std::uint64_t) noexcept {}
    std::uint32_t cwnd() const noexcept { return 1; }
    std::uint32_t ssthresh() const noexcept { return 1; }
    void on_ack(const tcpfsm::congestion::ack_sample&) noexcept {}
    std::uint32_t on_loss(std::uint32_t, std::uint64_t) noexcept { return 1; }
    void on_recovery_exit(std::uint32_t, std::uint64_t) noexcept {}
#if defined(TCPFSM_CF_CONTROL)
    void on_timeout(std::uint32_t, bool, std::uint64_t) noexcept {}
#endif
    void on_restart_after_idle(std::uint64_t, std::uint64_t, std::uint64_t) noexcept {}
};

static_assert(tcpfsm::congestion::check_policy<my_policy>());

int main() { return 0; }
