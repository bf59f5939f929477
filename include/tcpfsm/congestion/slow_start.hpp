// tcpfsm: standard slow start with appropriate byte counting (RFC 5681 §3.1, RFC 3465 §2.2),
// as the slow-start component of the congestion-control policies. HyStart++ (hystart_pp.hpp)
// is the other component with the same interface:
//   std::uint32_t on_ack(const ack_sample&, std::uint32_t cwnd, std::uint32_t& ssthresh)
//       the octets by which cwnd may grow on this ACK; the policy applies them only when the
//       ACK is cwnd-limited and not beyond ssthresh. A component may end slow start by
//       setting ssthresh = cwnd (HyStart++ §4.2).
//   void on_congestion()      a loss or a timeout ended this slow start.
//   bool conservative() const in HyStart++'s conservative slow start (for STATUS).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_SLOW_START_HPP
#define TCPFSM_CONGESTION_SLOW_START_HPP

#include <cstdint>

#include "contract.hpp"

namespace tcpfsm {
namespace congestion {

// RFC 3465 §2.2: cwnd += min(N, L*SMSS) per ACK, N the newly acknowledged octets. L = 2 (the
// default, the largest RFC 3465 allows); L = 1 is RFC 5681 §3.1 eq. (2), cwnd += min(N, SMSS);
// L = 0 means no limit (Linux's tcp_slow_start, which counts every acknowledged segment).
// Empty: costs no state.
template <std::uint32_t L = 2>
struct abc_slow_start {
    static constexpr std::uint32_t limit_segments = L;

    constexpr std::uint32_t on_ack(const ack_sample& a, std::uint32_t /*cwnd*/, std::uint32_t& /*ssthresh*/) noexcept {
        if (L == 0) return a.acked_octets;
        const std::uint64_t limit = std::uint64_t{L} * a.smss;
        return a.acked_octets < limit ? a.acked_octets : static_cast<std::uint32_t>(limit);
    }
    constexpr void on_congestion() noexcept {}
    constexpr bool conservative() const noexcept { return false; }
};

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_SLOW_START_HPP
