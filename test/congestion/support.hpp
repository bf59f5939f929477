// Shared helpers of the congestion-control tests: ACK samples and the RFC's constants.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_CONGESTION_SUPPORT_HPP
#define TCPFSM_TEST_CONGESTION_SUPPORT_HPP

#include <tcpfsm/congestion/contract.hpp>

#include <cstdint>

namespace cc_test {

inline constexpr std::uint32_t smss = 1460;
inline constexpr std::uint32_t iw10 = 10 * smss;  // RFC 6928 for SMSS 1460: min(14600, max(2920, 14600))

// An ACK of `acked` octets at `now_us`; cwnd-limited unless said otherwise.
inline tcpfsm::congestion::ack_sample ack(std::uint32_t acked, std::uint64_t now_us = 0, std::uint32_t rtt_us = 0,
                                          bool cwnd_limited = true, std::uint32_t snd_una = 0,
                                          std::uint32_t snd_nxt = 0) {
    tcpfsm::congestion::ack_sample a{};
    a.acked_octets = acked;
    a.snd_una = snd_una;
    a.snd_nxt = snd_nxt;
    a.in_flight = 0;
    a.rtt_us = rtt_us;
    a.srtt_us = rtt_us;  // a steady path: SRTT = the sample
    a.smss = smss;
    a.cwnd_limited = cwnd_limited;
    a.now_us = now_us;
    return a;
}

}  // namespace cc_test

#endif  // TCPFSM_TEST_CONGESTION_SUPPORT_HPP
