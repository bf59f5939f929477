// tcpfsm: SYN cookies (RFC 4987 §3.6): when the SYN queue is full, the listener keeps nothing
// for a SYN and encodes what it needs in the ISS of its SYN,ACK; the peer's ACK returns it as
// SEG.ACK - 1. The layout is RFC 4987 §3.6's:
//
//     bits 31..27  t mod 32, t a counter that advances every 64 seconds
//     bits 26..24  m, the index of the peer's MSS in syn_cookie_mss_table
//     bits 23..0   the low 24 bits of SipHash-2-4(secret, message)
//
// where message is the four-tuple's canonical bytes (iss.hpp: 14 octets for IPv4, 38 for
// IPv6) followed by the peer's ISN (its SYN's SEG.SEQ; on the ACK, SEG.SEQ - 1) and t, each
// as 4 octets, most significant first. RFC 4987 hashes the addresses, ports and t; the peer's
// ISN is added as Linux's cookie_hash() does, so a cookie is bound to one SYN. A cookie is
// accepted while t_now - t < syn_cookie_max_age: in the counter period it was sent in and the
// next one (between 64 and 128 s after it was sent), as Linux's check_tcp_syn_cookie rejects
// an age >= MAX_SYNCOOKIE_AGE = 2 of its 60 s periods.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SYN_COOKIE_HPP
#define TCPFSM_SYN_COOKIE_HPP

#include <cstddef>
#include <cstdint>

#include "iss.hpp"
#include "siphash.hpp"

namespace tcpfsm {

// RFC 4987 §3.6: "t is a slowly incrementing timer (typically ... 64 seconds)".
inline constexpr std::uint64_t syn_cookie_period_us = 64000000u;
// A cookie this many counter periods old or older is rejected (Linux's MAX_SYNCOOKIE_AGE).
inline constexpr std::uint32_t syn_cookie_max_age = 2;

// The 8 MSS values 3 bits can name (RFC 4987 §3.6), ascending: 536 (RFC 9293's default,
// MUST-15), 1220 (an IPv6 minimum MTU of 1280 minus 60), Linux's IPv4 msstab values 1300,
// 1440 and 1460 (an Ethernet MTU minus 40), and values between.
inline constexpr std::uint16_t syn_cookie_mss_table[8] = {536, 1024, 1220, 1300, 1360, 1400, 1440, 1460};

// The counter t for a time in microseconds (any monotonic origin).
constexpr std::uint32_t syn_cookie_counter(std::uint64_t now_microseconds) noexcept {
    return static_cast<std::uint32_t>(now_microseconds / syn_cookie_period_us);
}

// The index of the largest table value not above the peer's MSS (0 when the SYN had no MSS
// option, which means 536, or named less than 536).
constexpr std::uint32_t syn_cookie_mss_index(std::uint16_t peer_mss) noexcept {
    std::uint32_t index = 0;
    for (std::uint32_t i = 0; i < 8; ++i) {
        if (syn_cookie_mss_table[i] <= peer_mss) index = i;
    }
    return index;
}

// ---- the SYN's options in the timestamp (issue 14 item 5, Linux's cookie_init_timestamp) ----
// A cookie has no room for Window Scale and SACK-permitted. When the peer's SYN carried
// timestamps (RFC 7323 §3.2), our SYN,ACK's TSval carries them in its low 6 bits and the
// peer's ACK echoes them as TSecr:
//
//     bits 31..6  the TSval the SYN,ACK would have carried, rounded down
//     bit  5      ECN (RFC 3168): always 0, tcpfsm does not negotiate ECN
//     bit  4      SACK-permitted (RFC 2018 §2): both SYNs carried it
//     bits 3..0   the peer's window shift (RFC 7323 §2.3, 0..14), 15 when window scaling is
//                 not in effect (one of the SYNs lacked the option)
inline constexpr std::uint32_t syn_cookie_ts_bits = 6;
inline constexpr std::uint32_t syn_cookie_ts_mask = (1u << syn_cookie_ts_bits) - 1u;
inline constexpr std::uint32_t syn_cookie_ts_no_window_scale = 0xFu;
inline constexpr std::uint32_t syn_cookie_ts_sack = 1u << 4;
inline constexpr std::uint32_t syn_cookie_ts_ecn = 1u << 5;

// The options a cookie keeps in the timestamp.
struct syn_cookie_options {
    bool window_scale = false;     // both SYNs carried Window Scale
    std::uint8_t peer_shift = 0;   // the peer's shift.cnt, at most 14 (RFC 7323 §2.3)
    bool sack_permitted = false;   // both SYNs carried SACK-permitted
};

// The low 6 bits for `o`.
constexpr std::uint32_t syn_cookie_option_bits(const syn_cookie_options& o) noexcept {
    const std::uint32_t shift = o.peer_shift < 14 ? o.peer_shift : 14u;
    return (o.window_scale ? shift : syn_cookie_ts_no_window_scale) | (o.sack_permitted ? syn_cookie_ts_sack : 0u);
}

// The TSval of a cookie SYN,ACK: the largest value not above `ts_val` (the TSval the SYN,ACK
// would carry) whose low 6 bits are syn_cookie_option_bits(o), as Linux's
// cookie_init_timestamp does, so that the connection's later TSvals (from the same clock and
// offset) are never below it (RFC 7323 §5.3, the peer's PAWS check). Below 64 it wraps
// modulo 2^32, 64 back.
constexpr std::uint32_t syn_cookie_timestamp(std::uint32_t ts_val, const syn_cookie_options& o) noexcept {
    const std::uint32_t bits = syn_cookie_option_bits(o);
    std::uint32_t ts = (ts_val & ~syn_cookie_ts_mask) | bits;
    if (ts > ts_val) ts -= (1u << syn_cookie_ts_bits);
    return ts;
}

// What the TSecr of a cookie ACK says.
struct syn_cookie_timestamp_check {
    bool valid = false;  // false: the ECN bit is set, which tcpfsm never sends
    syn_cookie_options options{};
};

// Reads the options back from the echoed TSecr (Linux's cookie_timestamp_decode).
constexpr syn_cookie_timestamp_check syn_cookie_options_from_timestamp(std::uint32_t ts_ecr) noexcept {
    syn_cookie_timestamp_check out{};
    if ((ts_ecr & syn_cookie_ts_ecn) != 0) return out;
    out.valid = true;
    out.options.sack_permitted = (ts_ecr & syn_cookie_ts_sack) != 0;
    const std::uint32_t shift = ts_ecr & syn_cookie_ts_no_window_scale;
    if (shift != syn_cookie_ts_no_window_scale) {
        out.options.window_scale = true;
        out.options.peer_shift = static_cast<std::uint8_t>(shift < 14 ? shift : 14u);
    }
    return out;
}

// What the returning ACK's cookie says.
struct syn_cookie_check {
    bool valid = false;
    std::uint16_t mss = 0;  // the peer's MSS, as encoded
    // When the SYN,ACK carried timestamps and the ACK echoes them: the options the TSecr
    // keeps (syn_cookie_options_from_timestamp); the connection then uses timestamps.
    // Otherwise none: no window scaling, no SACK, no timestamps (as without options).
    bool timestamps = false;
    syn_cookie_options options{};
};

class syn_cookie_codec {
public:
    // `secret`: 128 unpredictable bits, as for the ISS (iss.hpp), and not the same ones.
    explicit constexpr syn_cookie_codec(const siphash_key& secret) noexcept : secret_(secret) {}

    // The ISS of the SYN,ACK answering a SYN with SEG.SEQ = peer_isn and MSS option
    // peer_mss (0: none) from `tuple` (seen from us), at counter t.
    constexpr std::uint32_t encode(const four_tuple& tuple, std::uint32_t peer_isn, std::uint16_t peer_mss,
                                   std::uint32_t t) const noexcept {
        return ((t & 31u) << 27) | (syn_cookie_mss_index(peer_mss) << 24) | hash24(tuple, peer_isn, t);
    }

    // Checks `cookie` (SEG.ACK - 1 of an ACK without SYN) for the peer's ISN (SEG.SEQ - 1)
    // at counter t_now.
    constexpr syn_cookie_check check(const four_tuple& tuple, std::uint32_t peer_isn, std::uint32_t cookie,
                                     std::uint32_t t_now) const noexcept {
        const std::uint32_t age = ((t_now & 31u) - (cookie >> 27)) & 31u;
        syn_cookie_check out{};
        if (age >= syn_cookie_max_age) return out;
        const std::uint32_t t = t_now - age;
        if ((cookie & 0x00FFFFFFu) != hash24(tuple, peer_isn, t)) return out;
        out.valid = true;
        out.mss = syn_cookie_mss_table[(cookie >> 24) & 7u];
        return out;
    }

    // The low 24 bits of SipHash-2-4(secret, canonical bytes || peer_isn || t).
    constexpr std::uint32_t hash24(const four_tuple& tuple, std::uint32_t peer_isn, std::uint32_t t) const noexcept {
        const four_tuple_bytes b = canonical_bytes(tuple);
        std::uint8_t message[max_four_tuple_bytes + 8] = {};
        std::size_t n = 0;
        for (; n < b.size; ++n) message[n] = b.bytes[n];
        for (int shift = 24; shift >= 0; shift -= 8) message[n++] = static_cast<std::uint8_t>(peer_isn >> shift);
        for (int shift = 24; shift >= 0; shift -= 8) message[n++] = static_cast<std::uint8_t>(t >> shift);
        return static_cast<std::uint32_t>(siphash_2_4(secret_, message, n)) & 0x00FFFFFFu;
    }

private:
    siphash_key secret_;
};

}  // namespace tcpfsm

#endif  // TCPFSM_SYN_COOKIE_HPP
