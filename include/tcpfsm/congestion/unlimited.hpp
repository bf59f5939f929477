// tcpfsm: the congestion-control policy that controls nothing: cwnd is always the largest
// window (2^30), for tests that pin "no congestion cap" (the conformance tests) and for links
// where congestion is someone else's business. Not for the Internet (RFC 9293 MUST-19).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_UNLIMITED_HPP
#define TCPFSM_CONGESTION_UNLIMITED_HPP

#include <cstdint>

#include "contract.hpp"

namespace tcpfsm {
namespace congestion {

struct unlimited {
    constexpr void init(std::uint32_t, std::uint32_t, std::uint64_t) noexcept {}
    constexpr std::uint32_t cwnd() const noexcept { return cwnd_cap; }
    constexpr std::uint32_t ssthresh() const noexcept { return ssthresh_initial; }
    constexpr void on_ack(const ack_sample&) noexcept {}
    // ssthresh for the loss-recovery component: the largest window (its ssthresh + 3*SMSS
    // stays inside 32 bits); ssthresh() itself stays "arbitrarily high".
    constexpr std::uint32_t on_loss(std::uint32_t, std::uint64_t) noexcept { return cwnd_cap; }
    constexpr void on_recovery_exit(std::uint32_t, std::uint64_t) noexcept {}
    constexpr void on_timeout(std::uint32_t, bool, std::uint64_t) noexcept {}
    constexpr void on_restart_after_idle(std::uint64_t, std::uint64_t, std::uint64_t) noexcept {}
};

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_UNLIMITED_HPP
