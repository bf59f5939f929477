// tcpfsm: the initial window (RFC 6928, RFC 5681 §3.1) and the restart window after an idle
// period (RFC 5681 §4.1; Linux's tcp_cwnd_restart as the alternative), shared by the
// congestion-control policies. Windows are in octets.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_INITIAL_WINDOW_HPP
#define TCPFSM_CONGESTION_INITIAL_WINDOW_HPP

#include <cstdint>

namespace tcpfsm {
namespace congestion {

// RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)); Linux's TCP_INIT_CWND 10. The library default.
constexpr std::uint32_t rfc6928_initial_window(std::uint32_t smss) noexcept {
    const std::uint64_t ten = std::uint64_t{10} * smss;
    const std::uint64_t two = std::uint64_t{2} * smss;
    const std::uint64_t floor = two > 14600 ? two : 14600;
    return static_cast<std::uint32_t>(ten < floor ? ten : floor);
}

// RFC 5681 §3.1 equation (1): 2 segments above an SMSS of 2190 octets, 3 above 1095, else 4
// (the same as RFC 3390's min(4*MSS, max(2*MSS, 4380))). For users who choose it.
constexpr std::uint32_t rfc5681_initial_window(std::uint32_t smss) noexcept {
    const std::uint32_t segments = smss > 2190 ? 2 : smss > 1095 ? 3 : 4;
    return static_cast<std::uint32_t>(std::uint64_t{segments} * smss > 0xFFFFFFFFu ? 0xFFFFFFFFu
                                                                                  : segments * smss);
}

// What a policy does when the sender starts sending again after an idle period longer than
// the RTO (the engine reports every idle period; see on_restart_after_idle).
enum class idle_restart : std::uint8_t {
    // RFC 5681 §4.1: "cwnd SHOULD be set to no more than RW before beginning transmission",
    // RW = min(IW, cwnd). ssthresh is left alone. The library default (a SHOULD of RFC 5681).
    rfc5681,
    // Linux (tcp_cwnd_restart, net.ipv4.tcp_slow_start_after_idle = 1): ssthresh is raised to
    // at least 3/4 cwnd (RFC 2861 §3), cwnd is halved once per RTO of idle time, not below RW.
    linux_decay,
    // Keep cwnd (Linux with tcp_slow_start_after_idle = 0).
    off,
};

// Applies `mode` to (cwnd, ssthresh) after `idle_us` without transmission; nothing happens
// unless idle_us > rto_us. `initial_window` is the IW the policy started with.
constexpr void restart_after_idle(idle_restart mode, std::uint32_t& cwnd, std::uint32_t& ssthresh,
                                  std::uint32_t initial_window, std::uint64_t idle_us, std::uint64_t rto_us) noexcept {
    if (mode == idle_restart::off || idle_us <= rto_us) return;
    const std::uint32_t rw = initial_window < cwnd ? initial_window : cwnd;
    if (mode == idle_restart::rfc5681) {
        cwnd = rw;
        return;
    }
    const std::uint32_t three_quarters = (cwnd >> 1) + (cwnd >> 2);
    if (ssthresh < three_quarters) ssthresh = three_quarters;
    std::uint32_t w = cwnd;
    // Linux: while ((delta -= rto) > 0 && cwnd > restart_cwnd) cwnd >>= 1;
    std::uint64_t left = idle_us;
    while (rto_us != 0 && left > rto_us && w > rw) {
        left -= rto_us;
        w >>= 1;
    }
    if (rto_us == 0) w = rw;
    cwnd = w > rw ? w : rw;
}

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_INITIAL_WINDOW_HPP
