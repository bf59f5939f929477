// tcpfsm: the option area of a segment with SACK blocks (RFC 2018 §3): writing the options
// in Linux's order (tcp_options_write) within the 40 octets of RFC 9293 §3.1, and reading the
// SACK blocks that wire.hpp's parser skips. The other options are wire.hpp's tcp_options.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_OPTION_CODEC_HPP
#define TCPFSM_OPTIONS_OPTION_CODEC_HPP

#include <cstddef>
#include <cstdint>

#include "../segment.hpp"
#include "../wire.hpp"
#include "sack_blocks.hpp"
#include "segment_options.hpp"

namespace tcpfsm {
namespace options {

// RFC 2018 §3: the SACK option, kind 5, length 2 + 8n.
inline constexpr std::uint8_t sack_option_kind = 5;

// Octets write_options writes: wire.hpp's layout for `o` (MSS 4; SACK-permitted with
// timestamps 12, timestamps alone 12, SACK-permitted alone 4; window scale 4), then NOP, NOP
// and the SACK option, 4 + 8n, when `sack` has blocks. Always a multiple of 4.
constexpr std::size_t options_length(const tcp_options& o, const sack_block_list& sack) noexcept {
    const std::size_t n = sack.count < max_sack_blocks ? sack.count : max_sack_blocks;
    return tcp_options_length(o) + (n > 0 ? 2 + sack_option_header_octets + sack_block_octets * n : 0);
}

// The options of a SYN as Linux sends them: MSS, SACK-permitted, timestamps, NOP, window
// scale ("mss 1460,sackOK,TS val .. ecr 0,nop,wscale 7" in tcpdump), 20 octets with all four.
// A field is included when its flag is set; TSecr is 0 on a SYN without ACK (RFC 7323 §3.2).
constexpr tcp_options syn_options(std::uint16_t mss, bool sack_permitted, bool timestamps, std::uint32_t ts_val,
                                  std::uint32_t ts_ecr, bool window_scale, std::uint8_t shift) noexcept {
    tcp_options o{};
    o.has_mss = true;
    o.mss = mss;
    o.sack_permitted = sack_permitted;
    o.has_timestamps = timestamps;
    o.ts_val = timestamps ? ts_val : 0u;
    o.ts_ecr = timestamps ? ts_ecr : 0u;
    o.has_window_scale = window_scale;
    o.window_scale = window_scale ? shift : std::uint8_t{0};
    return o;
}

// Writes the option area for `o` and `sack` to out[0..cap): the order of Linux's
// tcp_options_write (MSS; SACK-permitted and timestamps as <4,2,8,10,...> or <1,1,8,10,...>;
// <1,1,4,2>; <1,3,3,shift>; <1,1,5,2+8n, blocks>). `written` receives the length
// (options_length). bad_option_length when it would pass 40 octets (give sack_blocks_to_send
// the limit sack_blocks_that_fit), buffer_too_small when `cap` is short, bad_argument for a
// null `out`; nothing is written then.
constexpr wire_error write_options(const tcp_options& o, const sack_block_list& sack, std::uint8_t* out,
                                   std::size_t cap, std::size_t& written) noexcept {
    written = 0;
    const std::size_t len = options_length(o, sack);
    if (len > option_space) return wire_error::bad_option_length;
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < len) return wire_error::buffer_too_small;
    std::uint8_t* p = wire_detail::write_option_area(o, out);
    const std::size_t n = sack.count < max_sack_blocks ? sack.count : max_sack_blocks;
    if (n > 0) {
        p[0] = tcp_option_kind::nop;
        p[1] = tcp_option_kind::nop;
        p[2] = sack_option_kind;
        p[3] = static_cast<std::uint8_t>(sack_option_header_octets + sack_block_octets * n);
        // Offsets from `out`, each checked against `cap` (always true here: len <= cap), so
        // that g++ 12 at -O3 sees the bound (it reports a false -Wstringop-overflow otherwise).
        std::size_t at = static_cast<std::size_t>(p - out) + 4;
        for (std::size_t i = 0; i < n && at + sack_block_octets <= cap; ++i) {
            wire_detail::store32(out + at, sack.blocks[i].left);
            wire_detail::store32(out + at + 4, sack.blocks[i].right);
            at += sack_block_octets;
        }
    }
    written = len;
    return wire_error::ok;
}

// Reads the SACK option from an option area p[0..n) (the octets between the fixed header and
// Data Offset, as parse_tcp_options takes them) into `out`, in the order sent; `out.dsack` is
// left false (telling a D-SACK block, RFC 2883 §4, needs SEG.ACK: the sender's concern). A
// SACK option whose length is not 2 + 8k with k >= 1 is ignored, as Linux does
// (tcp_parse_options); of several, the first counts. The area is walked as
// parse_tcp_options walks it: bad_option_length for an option overrunning it.
constexpr wire_error parse_sack_blocks(const std::uint8_t* p, std::size_t n, sack_block_list& out) noexcept {
    out = sack_block_list{};
    if (p == nullptr) return n == 0 ? wire_error::ok : wire_error::bad_argument;
    bool found = false;
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t kind = p[i];
        if (kind == tcp_option_kind::eol) break;
        if (kind == tcp_option_kind::nop) {
            ++i;
            continue;
        }
        if (n - i < 2) return wire_error::bad_option_length;
        const std::uint8_t olen = p[i + 1];
        if (olen < 2 || olen > n - i) return wire_error::bad_option_length;
        if (kind == sack_option_kind && !found && olen >= sack_option_header_octets + sack_block_octets &&
            (olen - sack_option_header_octets) % sack_block_octets == 0) {
            found = true;
            const std::size_t k = (olen - sack_option_header_octets) / sack_block_octets;
            for (std::size_t b = 0; b < k && b < max_sack_blocks; ++b) {
                const std::uint8_t* v = p + i + 2 + b * sack_block_octets;
                out.blocks[out.count++] = seq_block{wire_detail::load32(v), wire_detail::load32(v + 4)};
            }
        }
        i += olen;
    }
    return wire_error::ok;
}

}  // namespace options

// ---------------------------------------------------------------------------------------
// segment_options on the wire: what a parsed header carried beside `segment`, and an
// outgoing segment written with its options.

// The options of a parsed header beside to_segment(h): SACK-permitted and timestamps from
// h.options; SACK blocks read from the option area at `tcp_start` (the header's first octet,
// h.header_length() readable), which parse_tcp skips and counts in h.options.unknown, so
// the area is walked again only when it held an option parse_tcp did not know. A malformed
// area gives no blocks (parse_tcp has already refused it).
constexpr segment_options to_segment_options(const tcp_header& h, const std::uint8_t* tcp_start) noexcept {
    segment_options o{};
    o.sack_permitted = h.options.sack_permitted;
    o.has_timestamps = h.options.has_timestamps;
    o.ts_val = h.options.has_timestamps ? h.options.ts_val : 0u;
    o.ts_ecr = h.options.has_timestamps ? h.options.ts_ecr : 0u;
    const std::size_t hl = h.header_length();
    if (h.options.unknown != 0 && tcp_start != nullptr && hl > 20) {
        if (options::parse_sack_blocks(tcp_start + 20, hl - 20, o.sack) != wire_error::ok) o.sack = {};
    }
    return o;
}
// The same for a packet parse_tcp_packet filled in from `packet`.
constexpr segment_options to_segment_options(const tcp_packet& p, const std::uint8_t* packet) noexcept {
    const std::size_t hl = p.tcp.header_length();
    const bool header_inside = packet != nullptr && p.tcp.payload_offset >= hl;
    return to_segment_options(p.tcp, header_inside ? packet + (p.tcp.payload_offset - hl) : nullptr);
}

// The header for a segment the engine sends with the options beside it: from_segment's MSS
// and Window Scale, plus SACK-permitted and timestamps from `o` (the SACK blocks go to the
// serializers below, which take `o.sack`).
constexpr tcp_header from_segment(const segment& s, const segment_options& o, std::uint16_t src_port,
                                  std::uint16_t dst_port) noexcept {
    tcp_header h = from_segment(s, src_port, dst_port);
    h.options.sack_permitted = o.sack_permitted;
    h.options.has_timestamps = o.has_timestamps;
    h.options.ts_val = o.has_timestamps ? o.ts_val : 0u;
    h.options.ts_ecr = o.has_timestamps ? o.ts_ecr : 0u;
    h.data_offset = static_cast<std::uint8_t>(tcp_header_length(h) / 4u);
    h.payload_offset = tcp_header_length(h);
    return h;
}

// The header length with SACK blocks: 20 + options::options_length.
constexpr std::size_t tcp_header_length(const tcp_header& h, const options::sack_block_list& sack) noexcept {
    return 20 + options::options_length(h.options, sack);
}

namespace wire_detail {
// serialize_tcp_ipv4 / _ipv6 with SACK blocks: without blocks, the serializers above; with
// them, the fixed header, options::write_options and the text, then the checksum summed from
// the octets written (a segment with SACK blocks is an ACK, rarely with much text).
constexpr wire_error serialize_tcp_with_sack(const tcp_header& h, const options::sack_block_list& sack,
                                             const std::uint8_t* text, std::size_t text_len, std::uint8_t* out,
                                             std::size_t cap, std::size_t& written,
                                             std::uint64_t pseudo_le) noexcept {
    written = 0;
    if (text == nullptr && text_len != 0) return wire_error::bad_argument;
    if (options::options_length(h.options, sack) > options::option_space) return wire_error::bad_option_length;
    const std::size_t hl = tcp_header_length(h, sack);
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < hl || cap - hl < text_len) return wire_error::buffer_too_small;
    store16(out, h.src_port);
    store16(out + 2, h.dst_port);
    store32(out + 4, h.seq);
    store32(out + 8, h.ack);
    out[12] = static_cast<std::uint8_t>(((hl / 4u) << 4) | (h.reserved & 0x0fu));
    out[13] = h.flags;
    store16(out + 14, h.window);
    out[16] = 0;
    out[17] = 0;
    store16(out + 18, h.urgent);
    std::size_t n = 0;
    const wire_error e = options::write_options(h.options, sack, out + 20, cap - 20, n);
    if (e != wire_error::ok) return e;
    if (text_len != 0 && text != out + hl) copy(out + hl, text, text_len);
    store16(out + 16, checksum_finish(fold_le(pseudo_le + sum_le(out, hl + text_len), 0)));
    written = hl + text_len;
    return wire_error::ok;
}
}  // namespace wire_detail

// serialize_tcp_ipv4 / serialize_tcp_ipv6 with SACK blocks (RFC 2018 §3) after the options of
// `h`, in Linux's order (options::write_options): bad_option_length when they pass the 40
// octets (at most 4 blocks alone, 3 beside timestamps: options::sack_blocks_that_fit). With
// no blocks, the same octets as the overload without them. `text` may sit at
// out + tcp_header_length(h, sack) (then it is not copied); otherwise it must not overlap `out`.
constexpr wire_error serialize_tcp_ipv4(const tcp_header& h, const options::sack_block_list& sack,
                                        const ipv4_address& src, const ipv4_address& dst, const std::uint8_t* text,
                                        std::size_t text_len, std::uint8_t* out, std::size_t cap,
                                        std::size_t& written) noexcept {
    if (sack.empty()) return serialize_tcp_ipv4(h, src, dst, text, text_len, out, cap, written);
    if (text_len > 0xffffu - 60u) {
        written = 0;
        return wire_error::bad_total_length;
    }
    return wire_detail::serialize_tcp_with_sack(
        h, sack, text, text_len, out, cap, written,
        wire_detail::pseudo_header_le(src.bytes, dst.bytes, 4, tcp_header_length(h, sack) + text_len));
}
constexpr wire_error serialize_tcp_ipv6(const tcp_header& h, const options::sack_block_list& sack,
                                        const ipv6_address& src, const ipv6_address& dst, const std::uint8_t* text,
                                        std::size_t text_len, std::uint8_t* out, std::size_t cap,
                                        std::size_t& written) noexcept {
    if (sack.empty()) return serialize_tcp_ipv6(h, src, dst, text, text_len, out, cap, written);
    if (text_len > 0xffffffffu - 60u) {
        written = 0;
        return wire_error::bad_total_length;
    }
    return wire_detail::serialize_tcp_with_sack(
        h, sack, text, text_len, out, cap, written,
        wire_detail::pseudo_header_le(src.bytes, dst.bytes, 16, tcp_header_length(h, sack) + text_len));
}

}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_OPTION_CODEC_HPP
