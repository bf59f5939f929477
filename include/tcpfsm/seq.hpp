// tcpfsm: modular 32-bit sequence number arithmetic (RFC 9293 §3.4, RFC 1982 style).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SEQ_HPP
#define TCPFSM_SEQ_HPP

#include <cstdint>

namespace tcpfsm {

// "All arithmetic dealing with sequence numbers must be performed modulo 2**32" (§3.4).
// a < b when b is ahead of a by less than 2^31. Written without signed casts, so the
// result is defined before C++20 too.
constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) noexcept {
    return a != b && ((b - a) & 0x80000000u) == 0;
}
constexpr bool seq_le(std::uint32_t a, std::uint32_t b) noexcept { return a == b || seq_lt(a, b); }
constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) noexcept { return seq_lt(b, a); }
constexpr bool seq_ge(std::uint32_t a, std::uint32_t b) noexcept { return seq_le(b, a); }
constexpr std::uint32_t seq_max(std::uint32_t a, std::uint32_t b) noexcept { return seq_lt(a, b) ? b : a; }
constexpr std::uint32_t seq_min(std::uint32_t a, std::uint32_t b) noexcept { return seq_lt(a, b) ? a : b; }

// left =< x < left + size (a window of `size` numbers starting at `left`).
constexpr bool seq_in_window(std::uint32_t x, std::uint32_t left, std::uint32_t size) noexcept {
    return x - left < size;
}

// lo < x =< hi, as in "SND.UNA < SEG.ACK =< SND.NXT" (§3.10.7.4 fifth step).
constexpr bool seq_in_open_closed(std::uint32_t lo, std::uint32_t x, std::uint32_t hi) noexcept {
    return x != lo && x - lo <= hi - lo;
}

// lo =< x =< hi.
constexpr bool seq_in_closed(std::uint32_t lo, std::uint32_t x, std::uint32_t hi) noexcept {
    return x - lo <= hi - lo;
}

// The acceptability test of RFC 9293 §3.10.7.4, Table 6: is a segment of `len` sequence
// numbers (text plus SYN and FIN) starting at `seq` acceptable with RCV.NXT = `nxt` and
// RCV.WND = `wnd`?
constexpr bool segment_acceptable(std::uint32_t seq, std::uint32_t len, std::uint32_t nxt,
                                  std::uint32_t wnd) noexcept {
    if (len == 0) return wnd == 0 ? seq == nxt : seq_in_window(seq, nxt, wnd);
    if (wnd == 0) return false;
    return seq_in_window(seq, nxt, wnd) || seq_in_window(seq + len - 1, nxt, wnd);
}

}  // namespace tcpfsm

#endif  // TCPFSM_SEQ_HPP
