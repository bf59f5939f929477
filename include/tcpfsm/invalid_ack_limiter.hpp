// tcpfsm: the limiter of ACKs that answer invalid segments, RFC 5961 §7 (Linux's per-socket
// last_oow_ack_time, net.ipv4.tcp_invalid_ratelimit): challenge ACKs (§3.2, §4.2, §5.2) and the
// ACKs of unacceptable segments without text (RFC 9293 §3.10.7.4 first step) count in one
// window of `interval_ms`; each kind is sent while the count is below its own limit.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_INVALID_ACK_LIMITER_HPP
#define TCPFSM_INVALID_ACK_LIMITER_HPP

#include <cstdint>

#include "segment.hpp"

namespace tcpfsm {

// RFC 9293 §3.10.7.4 first step: does the ACK of this unacceptable segment count against
// connection_config::out_of_window_ack_limit? Only without text (SEG.LEN 0, or a SYN), as
// Linux's tcp_oow_rate_limited ("data packets without SYNs are not likely part of an ACK
// loop"); with text or a FIN it always goes (a zero-window probe, say).
constexpr bool out_of_window_ack_counts(const segment& seg) noexcept {
    return seg.seq_length() == 0 || seg.syn();
}

class invalid_ack_limiter {
public:
    // May one more ACK of a kind limited to `limit` per window go at `now` (milliseconds,
    // modulo 2^32)? Counts it if so. `limit` 0 = unlimited: allowed, and not counted. The
    // window starts with the first ACK counted after the previous one ended.
    bool allow(std::uint16_t limit, std::uint32_t interval_ms, std::uint32_t now) noexcept {
        if (limit == 0) return true;
        if (count_ == 0 || now - window_start() >= interval_ms) {
            start_low_ = static_cast<std::uint16_t>(now & 0xFFFFu);
            start_high_ = static_cast<std::uint16_t>(now >> 16);
            count_ = 0;
        }
        if (count_ >= limit) return false;
        ++count_;
        return true;
    }
    // ACKs counted in the current window, and when it started.
    std::uint16_t count() const noexcept { return count_; }
    std::uint32_t window_start() const noexcept { return std::uint32_t{start_high_} << 16 | start_low_; }
    void reset() noexcept { *this = invalid_ack_limiter{}; }

private:
    // 16-bit fields (6 octets, no padding): the limiter sits among the TCB's 16-bit fields.
    std::uint16_t start_low_ = 0, start_high_ = 0;
    std::uint16_t count_ = 0;
};

}  // namespace tcpfsm

#endif  // TCPFSM_INVALID_ACK_LIMITER_HPP
