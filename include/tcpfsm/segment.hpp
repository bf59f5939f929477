// tcpfsm: a TCP segment as the state machine sees it (header fields, text length), and the
// segments the engine sends in reply (RFC 9293 §3.1, §3.4, §3.5.2).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SEGMENT_HPP
#define TCPFSM_SEGMENT_HPP

#include <cstdint>

namespace tcpfsm {

// Control bits, with the values they have in the TCP header (RFC 9293 §3.1).
namespace ctl {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
}  // namespace ctl

// segment::window_scale when the segment carries no Window Scale option (RFC 7323 §2.2).
inline constexpr std::uint8_t no_window_scale = 0xFF;

// The fields of a segment that connection management reads or writes. The text itself
// stays in the consumer's buffers: `text_length` octets of it follow the header.
struct segment {
    std::uint32_t seq = 0;          // SEG.SEQ
    std::uint32_t ack = 0;          // SEG.ACK (meaningful when ctl::ack is set)
    std::uint32_t text_length = 0;  // octets of text
    std::uint16_t window = 0;       // SEG.WND
    std::uint16_t mss = 0;          // MSS option (RFC 9293 §3.7.1), 0 when absent
    std::uint8_t flags = 0;         // ctl:: bits
    // Window Scale option (RFC 7323 §2.2): its shift.cnt, no_window_scale when absent. Read
    // only on a SYN the engine takes; set by the engine on its SYN and SYN,ACK when it offers
    // window scaling (docs/options.md). A shift of 255 received on the wire reads as absent:
    // pass it as 254 (any value above 14 is taken as 14).
    std::uint8_t window_scale = no_window_scale;

    constexpr bool has(std::uint8_t bits) const noexcept { return (flags & bits) == bits; }
    constexpr bool syn() const noexcept { return has(ctl::syn); }
    constexpr bool fin() const noexcept { return has(ctl::fin); }
    constexpr bool rst() const noexcept { return has(ctl::rst); }
    constexpr bool ack_flag() const noexcept { return has(ctl::ack); }
    constexpr bool has_window_scale() const noexcept { return window_scale != no_window_scale; }

    // SEG.LEN: the sequence numbers the segment occupies, text plus SYN and FIN (§3.4).
    constexpr std::uint32_t seq_length() const noexcept {
        return text_length + (syn() ? 1u : 0u) + (fin() ? 1u : 0u);
    }
};

// §3.5.2 reset generation: the RST that answers `seg` (which must not be an RST itself: an
// RST is never answered): <SEQ=SEG.ACK><CTL=RST> if it had an ACK, else
// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
constexpr segment reset_answering(const segment& seg) noexcept {
    segment s;
    if (seg.ack_flag()) {
        s.seq = seg.ack;
        s.flags = ctl::rst;
    } else {
        s.seq = 0;
        s.ack = seg.seq + seg.seq_length();
        s.flags = static_cast<std::uint8_t>(ctl::rst | ctl::ack);
    }
    return s;
}

}  // namespace tcpfsm

#endif  // TCPFSM_SEGMENT_HPP
