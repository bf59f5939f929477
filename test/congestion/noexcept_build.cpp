// Built with -fno-exceptions -fno-rtti (test/congestion/CMakeLists.txt): every congestion
// header and every policy instantiated, a short run of each; exits 0 when the windows moved
// as RFC 5681 says at three points.
#include <tcpfsm/congestion/contract.hpp>
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
#include <tcpfsm/congestion/initial_window.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/slow_start.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <cstdint>

namespace cc = tcpfsm::congestion;

template <class Policy>
static bool run() {
    static_assert(cc::check_policy<Policy>());
    Policy p;
    p.init(1460, cc::rfc6928_initial_window(1460), 0);
    cc::ack_sample a{};
    a.acked_octets = 1460;
    a.smss = 1460;
    a.cwnd_limited = true;
    a.rtt_us = 50000;
    for (std::uint32_t i = 0; i < 100; ++i) {
        a.snd_una += 1460;
        a.snd_nxt = a.snd_una + p.cwnd();
        a.now_us += 1000;
        p.on_ack(a);
    }
    const bool grew = p.cwnd() > 14600;
    const std::uint32_t ssthresh = p.on_loss(p.cwnd(), a.now_us);
    p.on_recovery_exit(ssthresh, a.now_us);
    p.on_timeout(ssthresh, false, a.now_us);
    const bool loss_window = p.cwnd() == 1460;
    p.on_restart_after_idle(5000000, 1000000, a.now_us + 5000000);
    return grew && loss_window && p.ssthresh() >= 2 * 1460;
}

int main() {
    const bool ok = run<cc::newreno<>>() && run<cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options>>() &&
                    run<cc::newreno<cc::hystart_pp<>>>() && run<cc::cubic<>>() &&
                    run<cc::cubic<cc::abc_slow_start<0>>>();
    cc::unlimited u;
    u.init(1460, 14600, 0);
    return ok && u.cwnd() == cc::cwnd_cap ? 0 : 1;
}
