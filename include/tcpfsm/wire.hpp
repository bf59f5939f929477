// tcpfsm: the TCP header on the wire (RFC 9293 §3.1), the Internet checksum (RFC 1071) with
// the IPv4 and IPv6 pseudo-headers, and minimal IPv4 (RFC 791) and IPv6 (RFC 8200) headers
// for TUN devices. Parsers never read past `len`; serializers never write past `cap`.
// No allocation, no exceptions.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_WIRE_HPP
#define TCPFSM_WIRE_HPP

#include <cstddef>
#include <cstdint>

#include "segment.hpp"

namespace tcpfsm {

enum class wire_error : std::uint8_t {
    ok,
    truncated,           // fewer octets than the header (or a length field) needs
    bad_data_offset,     // TCP Data Offset < 5, or the header it gives runs past the buffer
    bad_option_length,   // option length 0 or 1, or an option overrunning the header
    bad_checksum,        // IPv4 header checksum or TCP checksum does not verify
    buffer_too_small,    // serializer: `cap` is too small for what it must write
    bad_version,         // IP version nibble is not 4 (parse_ipv4) or 6 (parse_ipv6)
    bad_header_length,   // IPv4 IHL < 5
    bad_total_length,    // IPv4 Total Length < IHL * 4, or a length too large for its field
    not_tcp,             // protocol / next header is not TCP (6); `out` is still filled in
    extension_header,    // IPv6 next header is an extension header (RFC 8200 §4): unsupported
    fragment,            // IPv4 packet is a fragment (MF set or offset != 0): unsupported
    bad_argument,        // null pointer with a nonzero length
};

inline constexpr std::size_t wire_error_count = 13;

// Identifier spelling: "bad_checksum".
constexpr const char* name(wire_error e) noexcept {
    constexpr const char* names[wire_error_count] = {
        "ok",
        "truncated",
        "bad_data_offset",
        "bad_option_length",
        "bad_checksum",
        "buffer_too_small",
        "bad_version",
        "bad_header_length",
        "bad_total_length",
        "not_tcp",
        "extension_header",
        "fragment",
        "bad_argument",
    };
    return static_cast<std::size_t>(e) < wire_error_count ? names[static_cast<std::size_t>(e)] : "invalid";
}

// What went wrong, in words for a log line: "bad checksum", "IPv6 extension header".
constexpr const char* description(wire_error e) noexcept {
    constexpr const char* texts[wire_error_count] = {
        "ok",
        "truncated",
        "bad data offset",
        "bad option length",
        "bad checksum",
        "buffer too small",
        "bad IP version",
        "bad IP header length",
        "bad IP length",
        "not TCP",
        "IPv6 extension header",
        "IPv4 fragment",
        "bad argument",
    };
    return static_cast<std::size_t>(e) < wire_error_count ? texts[static_cast<std::size_t>(e)] : "invalid";
}

// The old spelling, for one release.
[[deprecated("use tcpfsm::description(wire_error), or name() for the identifier")]] constexpr const char* to_string(
    wire_error e) noexcept {
    return description(e);
}

// The two control bits of the flag octet that tcpfsm::ctl leaves out (RFC 3168 §6.1,
// RFC 9293 §3.1). The whole octet is kept in tcp_header::flags.
namespace ctl_ecn {
inline constexpr std::uint8_t ece = 0x40;
inline constexpr std::uint8_t cwr = 0x80;
}  // namespace ctl_ecn

// How the packet parsers treat checksums. Verification is on by default. A capture taken on
// the sending host of a NIC with checksum offload holds TCP segments whose checksum the NIC
// fills in later (tcpdump prints "incorrect"): parse those with verify_checksums = false.
struct parse_options {
    bool verify_checksums = true;  // the IPv4 header checksum (RFC 791) and the TCP checksum (RFC 9293 §3.1)
};

struct ipv4_address {
    std::uint8_t bytes[4] = {};
};
struct ipv6_address {
    std::uint8_t bytes[16] = {};
};

namespace wire_detail {

constexpr std::uint16_t load16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}
constexpr std::uint32_t load32(const std::uint8_t* p) noexcept {
    return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
           (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}
// Four octets as a little-endian word, for the checksum's sum in machine order.
constexpr std::uint64_t load32_le(const std::uint8_t* p) noexcept {
    return std::uint64_t{p[0]} | (std::uint64_t{p[1]} << 8) | (std::uint64_t{p[2]} << 16) | (std::uint64_t{p[3]} << 24);
}
constexpr void store16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v & 0xffu);
}
constexpr void store32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>((v >> 16) & 0xffu);
    p[2] = static_cast<std::uint8_t>((v >> 8) & 0xffu);
    p[3] = static_cast<std::uint8_t>(v & 0xffu);
}
// memcpy at run time (g++ -O2 does not vectorize the byte loop, which then costs 20 times
// as much for a full segment's text), the byte loop in a constant expression.
constexpr void copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) noexcept {
#if defined(__has_builtin)
#if __has_builtin(__builtin_is_constant_evaluated) && __has_builtin(__builtin_memcpy)
    if (!__builtin_is_constant_evaluated()) {
        if (n != 0) __builtin_memcpy(dst, src, n);
        return;
    }
#endif
#endif
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}
constexpr void fill(std::uint8_t* dst, std::uint8_t v, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) dst[i] = v;
}

// End-around carry (RFC 1071 §2 (B)) of a 64-bit sum of little-endian words down to 16 bits
// in a fixed number of steps (each keeps the value modulo 0xffff, which divides 2^32 - 1, and
// never makes a nonzero sum zero): below 2^33, then at most 2^32, 0x1ffff, 0x10000, 0xffff.
// Then its two octets are swapped to network order and `initial` (a sum in network order,
// any 32-bit value) is added and folded the same way: below 2^33, 0x2fffe, 0x10001, 0xffff.
constexpr std::uint16_t fold_le(std::uint64_t sum, std::uint32_t initial) noexcept {
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = ((sum & 0xffu) << 8) | (sum >> 8);  // back to network order
    sum += initial;
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// The little-endian words of a short area whose length is a multiple of 4 (addresses, an
// IPv4 header), small enough to inline: its sum goes to fold_le.
constexpr std::uint64_t sum_words_le(const std::uint8_t* p, std::size_t len) noexcept {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i + 4 <= len; i += 4) sum += load32_le(p + i);
    return sum;
}

// The octets `data[0..len)` as little-endian words, unfolded (checksum_partial's sum before
// fold_le): four independent accumulators of 32-bit words, which cannot overflow below 2^34
// octets; an odd final octet is the low octet of its word, padded with zero (RFC 1071 §4.1).
constexpr std::uint64_t sum_le(const std::uint8_t* data, std::size_t len) noexcept {
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        s0 += load32_le(data + i);
        s1 += load32_le(data + i + 4);
        s2 += load32_le(data + i + 8);
        s3 += load32_le(data + i + 12);
    }
    for (; i + 4 <= len; i += 4) s0 += load32_le(data + i);
    for (; i + 1 < len; i += 2) s1 += std::uint64_t{data[i]} | (std::uint64_t{data[i + 1]} << 8);
    if (i < len) s2 += data[i];
    return s0 + s1 + s2 + s3;
}

// A sum of 16-bit words in network order (field values), moved to the little-endian words'
// sum: the octets of a word swap, and swapping is multiplying by 2^8 modulo 0xffff (2^16 = 1),
// which is all the one's complement sum keeps. So header fields, summed from their values,
// and text, summed from memory, add up to one sum, folded once.
constexpr std::uint64_t network_to_le(std::uint64_t network_sum) noexcept { return network_sum << 8; }

}  // namespace wire_detail

// ---------------------------------------------------------------------------------------
// Internet checksum (RFC 1071)

// The one's complement sum of `len` octets as big-endian 16-bit words, added to the folded
// sum `initial`; an odd final octet is padded with a zero octet (RFC 1071 §4.1). Chain calls
// only at even offsets. Returns the folded sum (not complemented), 0..0xffff.
// The carries are deferred (RFC 1071 §2 (C)) and the words are summed in the machine's
// order (§2 (B), byte order independence): 32-bit words, assembled little-endian (one load
// on little-endian targets), go into four independent 64-bit accumulators, which cannot
// overflow below 2^34 octets; the total is folded to 16 bits once (2^16 = 1 mod 0xffff, so a
// 32-bit word adds as its two halves) and its two octets swapped back to network order.
// End-around carry makes the result the same as folding after every big-endian 16-bit word:
// the sum mod 0xffff, written as 0xffff rather than 0 unless every word is 0.
constexpr std::uint16_t checksum_partial(const std::uint8_t* data, std::size_t len,
                                         std::uint32_t initial = 0) noexcept {
    return wire_detail::fold_le(data != nullptr ? wire_detail::sum_le(data, len) : 0u, initial);
}

// The checksum field value: the one's complement of the one's complement sum (RFC 1071 §1).
constexpr std::uint16_t checksum_finish(std::uint32_t folded_sum) noexcept {
    return static_cast<std::uint16_t>(~folded_sum & 0xffffu);
}

constexpr std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len) noexcept {
    return checksum_finish(checksum_partial(data, len));
}

// Data carrying its own checksum verifies when its sum is all ones (RFC 1071 §1 (3)).
constexpr bool internet_checksum_ok(const std::uint8_t* data, std::size_t len) noexcept {
    return checksum_partial(data, len) == 0xffffu;
}

namespace wire_detail {
// Source, destination, the protocol number 6 and the TCP length: the fields both
// pseudo-headers sum, whatever their layout (one's complement addition is order-free), as an
// unfolded sum of little-endian words (network_to_le). Inline: a call per address was most of
// the cost of a short segment's checksum.
constexpr std::uint64_t pseudo_header_le(const std::uint8_t* src, const std::uint8_t* dst, std::size_t address_len,
                                         std::size_t tcp_length) noexcept {
    const std::uint64_t length_words = std::uint64_t{tcp_length & 0xffffu} + ((tcp_length >> 16) & 0xffffu) +
                                       ((std::uint64_t{tcp_length} >> 32) & 0xffffu) + (std::uint64_t{tcp_length} >> 48);
    return sum_words_le(src, address_len) + sum_words_le(dst, address_len) + network_to_le(6u + length_words);
}
constexpr std::uint16_t pseudo_header_sum(const std::uint8_t* src, const std::uint8_t* dst, std::size_t address_len,
                                          std::size_t tcp_length) noexcept {
    return fold_le(pseudo_header_le(src, dst, address_len, tcp_length), 0);
}
}  // namespace wire_detail

// Sum of the IPv4 pseudo-header: source, destination, zero, PTCL = 6, TCP length
// (RFC 9293 §3.1). The TCP length field has 16 bits; longer segments do not exist on IPv4.
constexpr std::uint16_t pseudo_header_sum_ipv4(const ipv4_address& src, const ipv4_address& dst,
                                               std::size_t tcp_length) noexcept {
    return wire_detail::pseudo_header_sum(src.bytes, dst.bytes, 4, tcp_length);
}

// Sum of the IPv6 pseudo-header: source, destination, 32-bit upper-layer packet length,
// three zero octets, next header = 6 (RFC 8200 §8.1).
constexpr std::uint16_t pseudo_header_sum_ipv6(const ipv6_address& src, const ipv6_address& dst,
                                               std::size_t tcp_length) noexcept {
    return wire_detail::pseudo_header_sum(src.bytes, dst.bytes, 16, tcp_length);
}

// The TCP checksum of a segment (header and text) whose checksum field holds zero; with the
// received field in place, use the verify_ functions instead.
// (One fold for the pseudo-header and the octets together.)
constexpr std::uint16_t tcp_checksum_ipv4(const ipv4_address& src, const ipv4_address& dst,
                                          const std::uint8_t* seg, std::size_t len) noexcept {
    const std::uint64_t octets = seg != nullptr ? wire_detail::sum_le(seg, len) : 0u;
    return checksum_finish(wire_detail::fold_le(wire_detail::pseudo_header_le(src.bytes, dst.bytes, 4, len) + octets, 0));
}
constexpr std::uint16_t tcp_checksum_ipv6(const ipv6_address& src, const ipv6_address& dst,
                                          const std::uint8_t* seg, std::size_t len) noexcept {
    const std::uint64_t octets = seg != nullptr ? wire_detail::sum_le(seg, len) : 0u;
    return checksum_finish(wire_detail::fold_le(wire_detail::pseudo_header_le(src.bytes, dst.bytes, 16, len) + octets, 0));
}

// Does a received segment (checksum field included) verify? Segments shorter than a TCP
// header never do.
constexpr bool verify_tcp_checksum_ipv4(const ipv4_address& src, const ipv4_address& dst,
                                        const std::uint8_t* seg, std::size_t len) noexcept {
    if (seg == nullptr || len < 20 || len > 0xffffu) return false;
    return wire_detail::fold_le(wire_detail::pseudo_header_le(src.bytes, dst.bytes, 4, len) + wire_detail::sum_le(seg, len),
                                0) == 0xffffu;
}
constexpr bool verify_tcp_checksum_ipv6(const ipv6_address& src, const ipv6_address& dst,
                                        const std::uint8_t* seg, std::size_t len) noexcept {
    if (seg == nullptr || len < 20 || len > 0xffffffffu) return false;
    return wire_detail::fold_le(wire_detail::pseudo_header_le(src.bytes, dst.bytes, 16, len) + wire_detail::sum_le(seg, len),
                                0) == 0xffffu;
}

// Computes and stores the checksum of a complete segment in place (octets 16-17).
constexpr wire_error fill_tcp_checksum_ipv4(const ipv4_address& src, const ipv4_address& dst,
                                            std::uint8_t* seg, std::size_t len) noexcept {
    if (seg == nullptr) return wire_error::bad_argument;
    if (len < 20) return wire_error::truncated;
    if (len > 0xffffu) return wire_error::bad_total_length;
    seg[16] = 0;
    seg[17] = 0;
    wire_detail::store16(seg + 16, tcp_checksum_ipv4(src, dst, seg, len));
    return wire_error::ok;
}
constexpr wire_error fill_tcp_checksum_ipv6(const ipv6_address& src, const ipv6_address& dst,
                                            std::uint8_t* seg, std::size_t len) noexcept {
    if (seg == nullptr) return wire_error::bad_argument;
    if (len < 20) return wire_error::truncated;
    if (len > 0xffffffffu) return wire_error::bad_total_length;
    seg[16] = 0;
    seg[17] = 0;
    wire_detail::store16(seg + 16, tcp_checksum_ipv6(src, dst, seg, len));
    return wire_error::ok;
}

// ---------------------------------------------------------------------------------------
// TCP header (RFC 9293 §3.1) and options (§3.2)

namespace tcp_option_kind {
inline constexpr std::uint8_t eol = 0;             // End of Option List (RFC 9293 §3.2)
inline constexpr std::uint8_t nop = 1;             // No-Operation
inline constexpr std::uint8_t mss = 2;             // Maximum Segment Size, length 4
inline constexpr std::uint8_t window_scale = 3;    // RFC 7323 §2.2, length 3
inline constexpr std::uint8_t sack_permitted = 4;  // RFC 2018 §2, length 2
inline constexpr std::uint8_t timestamps = 8;      // RFC 7323 §3.2, length 10
}  // namespace tcp_option_kind

// The options tcpfsm understands. A known kind with the wrong length is ignored, as Linux
// does (tcp_parse_options); unknown kinds (SACK blocks, MD5, TCP-AO, ...) are skipped by
// their length and counted.
struct tcp_options {
    bool has_mss = false;
    bool has_window_scale = false;
    bool sack_permitted = false;
    bool has_timestamps = false;
    std::uint16_t mss = 0;
    std::uint8_t window_scale = 0;  // shift count as sent (RFC 7323 §2.3 caps its use at 14)
    std::uint8_t unknown = 0;       // options skipped (saturates at 255)
    std::uint32_t ts_val = 0;
    std::uint32_t ts_ecr = 0;
};

struct tcp_header {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t data_offset = 5;  // in 32-bit words; serialize_tcp recomputes it
    std::uint8_t reserved = 0;     // the 4 reserved bits (RFC 9293 §3.1 "Rsrvd")
    std::uint8_t flags = 0;        // ctl:: bits plus ctl_ecn::ece / cwr
    std::uint16_t window = 0;
    std::uint16_t checksum = 0;
    std::uint16_t urgent = 0;
    tcp_options options;
    std::size_t payload_offset = 0;  // in the parsed buffer: data_offset * 4
    std::size_t payload_length = 0;  // len - payload_offset

    constexpr std::size_t header_length() const noexcept { return std::size_t{data_offset} * 4u; }
};

// Parses the options area `p[0..n)` (the octets between the fixed header and Data Offset).
constexpr wire_error parse_tcp_options(const std::uint8_t* p, std::size_t n, tcp_options& out) noexcept {
    out = tcp_options{};
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t kind = p[i];
        if (kind == tcp_option_kind::eol) break;  // the rest is padding
        if (kind == tcp_option_kind::nop) {
            ++i;
            continue;
        }
        if (n - i < 2) return wire_error::bad_option_length;  // no room for the length octet
        const std::uint8_t olen = p[i + 1];
        if (olen < 2 || olen > n - i) return wire_error::bad_option_length;
        const std::uint8_t* v = p + i + 2;
        if (kind == tcp_option_kind::mss && olen == 4) {
            out.has_mss = true;
            out.mss = wire_detail::load16(v);
        } else if (kind == tcp_option_kind::window_scale && olen == 3) {
            out.has_window_scale = true;
            out.window_scale = v[0];
        } else if (kind == tcp_option_kind::sack_permitted && olen == 2) {
            out.sack_permitted = true;
        } else if (kind == tcp_option_kind::timestamps && olen == 10) {
            out.has_timestamps = true;
            out.ts_val = wire_detail::load32(v);
            out.ts_ecr = wire_detail::load32(v + 4);
        } else if (out.unknown != 0xffu) {
            ++out.unknown;
        }
        i += olen;
    }
    return wire_error::ok;
}

// Parses a TCP segment (header, options, text) of `len` octets. The checksum is not
// verified here (it needs the pseudo-header): see verify_tcp_checksum_ipv4 / _ipv6.
constexpr wire_error parse_tcp(const std::uint8_t* data, std::size_t len, tcp_header& out) noexcept {
    out = tcp_header{};
    if (data == nullptr) return len == 0 ? wire_error::truncated : wire_error::bad_argument;
    if (len < 20) return wire_error::truncated;
    out.src_port = wire_detail::load16(data);
    out.dst_port = wire_detail::load16(data + 2);
    out.seq = wire_detail::load32(data + 4);
    out.ack = wire_detail::load32(data + 8);
    out.data_offset = static_cast<std::uint8_t>(data[12] >> 4);
    out.reserved = static_cast<std::uint8_t>(data[12] & 0x0fu);
    out.flags = data[13];
    out.window = wire_detail::load16(data + 14);
    out.checksum = wire_detail::load16(data + 16);
    out.urgent = wire_detail::load16(data + 18);
    const std::size_t hl = out.header_length();
    if (out.data_offset < 5 || hl > len) return wire_error::bad_data_offset;
    const wire_error e = parse_tcp_options(data + 20, hl - 20, out.options);
    if (e != wire_error::ok) return e;
    out.payload_offset = hl;
    out.payload_length = len - hl;
    return wire_error::ok;
}

// Octets serialize_tcp writes for these options: MSS (4); SACK-permitted and timestamps as
// <4,2,8,10,...> or NOP,NOP,<8,10,...> (12); NOP,NOP,SACK-permitted alone (4); NOP,window
// scale (4). This is the layout Linux sends (tcp_options_write) and RFC 7323 Appendix A
// suggests; it is always a multiple of 4, so no EOL padding is needed.
constexpr std::size_t tcp_options_length(const tcp_options& o) noexcept {
    std::size_t n = 0;
    if (o.has_mss) n += 4;
    if (o.has_timestamps) n += 12;
    else if (o.sack_permitted) n += 4;
    if (o.has_window_scale) n += 4;
    return n;
}

namespace wire_detail {
// Writes the option area for `o` from `p` (tcp_options_length(o) octets, which the caller
// has checked fit) in the order of Linux's tcp_options_write: MSS; SACK-permitted and
// timestamps as <4,2,8,10,...> or <1,1,8,10,...>, or <1,1,4,2> alone; <1,3,3,shift>.
// Returns the end of what it wrote. serialize_tcp and options::write_options both use it.
constexpr std::uint8_t* write_option_area(const tcp_options& o, std::uint8_t* p) noexcept {
    if (o.has_mss) {
        p[0] = tcp_option_kind::mss;
        p[1] = 4;
        store16(p + 2, o.mss);
        p += 4;
    }
    if (o.has_timestamps) {
        if (o.sack_permitted) {
            p[0] = tcp_option_kind::sack_permitted;
            p[1] = 2;
        } else {
            p[0] = tcp_option_kind::nop;
            p[1] = tcp_option_kind::nop;
        }
        p[2] = tcp_option_kind::timestamps;
        p[3] = 10;
        store32(p + 4, o.ts_val);
        store32(p + 8, o.ts_ecr);
        p += 12;
    } else if (o.sack_permitted) {
        p[0] = tcp_option_kind::nop;
        p[1] = tcp_option_kind::nop;
        p[2] = tcp_option_kind::sack_permitted;
        p[3] = 2;
        p += 4;
    }
    if (o.has_window_scale) {
        p[0] = tcp_option_kind::nop;
        p[1] = tcp_option_kind::window_scale;
        p[2] = 3;
        p[3] = o.window_scale;
        p += 4;
    }
    return p;
}
}  // namespace wire_detail

constexpr std::size_t tcp_header_length(const tcp_header& h) noexcept {
    return 20 + tcp_options_length(h.options);
}

// Writes the header and options (not the text) to `out`; `written` receives the header
// length. Data Offset is computed from the options (h.data_offset is not read); the
// checksum field is h.checksum as is: use serialize_tcp_ipv4 / _ipv6 to compute it.
constexpr wire_error serialize_tcp(const tcp_header& h, std::uint8_t* out, std::size_t cap,
                                   std::size_t& written) noexcept {
    written = 0;
    const std::size_t hl = tcp_header_length(h);
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < hl) return wire_error::buffer_too_small;
    wire_detail::store16(out, h.src_port);
    wire_detail::store16(out + 2, h.dst_port);
    wire_detail::store32(out + 4, h.seq);
    wire_detail::store32(out + 8, h.ack);
    out[12] = static_cast<std::uint8_t>(((hl / 4u) << 4) | (h.reserved & 0x0fu));
    out[13] = h.flags;
    wire_detail::store16(out + 14, h.window);
    wire_detail::store16(out + 16, h.checksum);
    wire_detail::store16(out + 18, h.urgent);
    wire_detail::write_option_area(h.options, out + 20);
    written = hl;
    return wire_error::ok;
}

namespace wire_detail {
// The one's complement sum (unfolded) of the header serialize_tcp writes for `h`, options
// included and the checksum field taken as zero, computed from the field values. The
// serializers sum these values instead of reading back the octets they have just stored: a
// wide load over several narrow stores still in flight stalls (no store-to-load forwarding).
// serialize_tcp and this function must describe the same octets; the known-answer tests
// (wire_test.cpp) compare the result with the Linux kernel's checksums, options included.
constexpr std::uint64_t tcp_header_words(const tcp_header& h) noexcept {
    const std::size_t hl = tcp_header_length(h);
    std::uint64_t sum = std::uint64_t{h.src_port} + h.dst_port + (h.seq >> 16) + (h.seq & 0xffffu) + (h.ack >> 16) +
                        (h.ack & 0xffffu) + ((((hl / 4u) << 4) | (h.reserved & 0x0fu)) << 8) + h.flags + h.window +
                        h.urgent;
    const tcp_options& o = h.options;
    if (o.has_mss) sum += (std::uint64_t{tcp_option_kind::mss} << 8 | 4u) + o.mss;
    if (o.has_timestamps) {
        sum += o.sack_permitted ? (std::uint64_t{tcp_option_kind::sack_permitted} << 8 | 2u)
                                : (std::uint64_t{tcp_option_kind::nop} << 8 | tcp_option_kind::nop);
        sum += (std::uint64_t{tcp_option_kind::timestamps} << 8 | 10u) + (o.ts_val >> 16) + (o.ts_val & 0xffffu) +
               (o.ts_ecr >> 16) + (o.ts_ecr & 0xffffu);
    } else if (o.sack_permitted) {
        sum += (std::uint64_t{tcp_option_kind::nop} << 8 | tcp_option_kind::nop) +
               (std::uint64_t{tcp_option_kind::sack_permitted} << 8 | 2u);
    }
    if (o.has_window_scale) {
        sum += (std::uint64_t{tcp_option_kind::nop} << 8 | tcp_option_kind::window_scale) + (3u << 8 | o.window_scale);
    }
    return sum;
}

// Header and text, with the checksum over the pseudo-header (`pseudo_le`, pseudo_header_le)
// + header + text filled in, folded once. The text is summed where it comes from (it starts
// at an even offset: the header length is a multiple of 4) and copied unless it already
// sits right after the header in `out`.
constexpr wire_error serialize_tcp_with_text(const tcp_header& h, const std::uint8_t* text,
                                             std::size_t text_len, std::uint8_t* out,
                                             std::size_t cap, std::size_t& written,
                                             std::uint64_t pseudo_le) noexcept {
    written = 0;
    if (text == nullptr && text_len != 0) return wire_error::bad_argument;
    const std::size_t hl = tcp_header_length(h);
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < hl || cap - hl < text_len) return wire_error::buffer_too_small;
    std::size_t n = 0;
    const wire_error e = serialize_tcp(h, out, cap, n);
    if (e != wire_error::ok) return e;
    const std::uint64_t octets = text != nullptr ? sum_le(text, text_len) : 0u;
    store16(out + 16, checksum_finish(fold_le(pseudo_le + network_to_le(tcp_header_words(h)) + octets, 0)));
    if (text_len != 0 && text != out + hl) copy(out + hl, text, text_len);
    written = hl + text_len;
    return wire_error::ok;
}
}  // namespace wire_detail

// Writes one TCP segment, not an IP packet: the TCP header with its options and
// `text_len` octets of text, with the TCP checksum computed over the IPv4 (or, for
// serialize_tcp_ipv6, IPv6) pseudo-header of `src` and `dst`, the header and the text
// (RFC 9293 §3.1). No IP header is written: put one before it with serialize_ipv4 /
// serialize_ipv6. `written` receives the segment's length. `text` may be null when text_len
// is 0, or may already sit at out + header length (then it is not copied); otherwise it must
// not overlap `out`.
constexpr wire_error serialize_tcp_ipv4(const tcp_header& h, const ipv4_address& src,
                                        const ipv4_address& dst, const std::uint8_t* text,
                                        std::size_t text_len, std::uint8_t* out, std::size_t cap,
                                        std::size_t& written) noexcept {
    if (text_len > 0xffffu - 60u) {
        written = 0;
        return wire_error::bad_total_length;
    }
    return wire_detail::serialize_tcp_with_text(h, text, text_len, out, cap, written,
                                                wire_detail::pseudo_header_le(src.bytes, dst.bytes, 4,
                                                                              tcp_header_length(h) + text_len));
}
constexpr wire_error serialize_tcp_ipv6(const tcp_header& h, const ipv6_address& src,
                                        const ipv6_address& dst, const std::uint8_t* text,
                                        std::size_t text_len, std::uint8_t* out, std::size_t cap,
                                        std::size_t& written) noexcept {
    if (text_len > 0xffffffffu - 60u) {
        written = 0;
        return wire_error::bad_total_length;
    }
    return wire_detail::serialize_tcp_with_text(h, text, text_len, out, cap, written,
                                                wire_detail::pseudo_header_le(src.bytes, dst.bytes, 16,
                                                                              tcp_header_length(h) + text_len));
}

// What the state machine sees of a parsed header (RFC 9293 §3.10.7). ECE/CWR are left out
// of segment::flags; text_length saturates at 2^32 - 1.
constexpr segment to_segment(const tcp_header& h) noexcept {
    segment s;
    s.seq = h.seq;
    s.ack = h.ack;
    s.text_length = h.payload_length > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(h.payload_length);
    s.window = h.window;
    s.mss = h.options.has_mss ? h.options.mss : std::uint16_t{0};
    s.flags = static_cast<std::uint8_t>(h.flags & 0x3fu);
    // RFC 7323 §2.3: a shift above 14 is used as 14, so 255 (no_window_scale) reads as 254.
    if (h.options.has_window_scale) {
        s.window_scale = h.options.window_scale != no_window_scale ? h.options.window_scale : std::uint8_t{254};
    }
    return s;
}

// A header for a segment the engine sends; ports come from the connection. The MSS option
// is included when s.mss != 0, Window Scale when s.has_window_scale(); other options are left
// for the caller to set.
constexpr tcp_header from_segment(const segment& s, std::uint16_t src_port,
                                  std::uint16_t dst_port) noexcept {
    tcp_header h;
    h.src_port = src_port;
    h.dst_port = dst_port;
    h.seq = s.seq;
    h.ack = s.ack;
    h.flags = static_cast<std::uint8_t>(s.flags & 0x3fu);
    h.window = s.window;
    h.options.has_mss = s.mss != 0;
    h.options.mss = s.mss;
    h.options.has_window_scale = s.has_window_scale();
    h.options.window_scale = s.has_window_scale() ? s.window_scale : std::uint8_t{0};
    h.data_offset = static_cast<std::uint8_t>(tcp_header_length(h) / 4u);
    h.payload_offset = tcp_header_length(h);
    h.payload_length = s.text_length;
    return h;
}

// ---------------------------------------------------------------------------------------
// IPv4 (RFC 791 §3.1)

inline constexpr std::uint8_t ip_protocol_tcp = 6;

struct ipv4_header {
    std::uint8_t ihl = 5;  // header length in 32-bit words
    std::uint8_t tos = 0;  // DSCP and ECN (RFC 2474, RFC 3168)
    std::uint16_t total_length = 0;
    std::uint16_t identification = 0;
    std::uint8_t flags = 0;  // 3 bits: 0x2 = DF, 0x1 = MF
    std::uint16_t fragment_offset = 0;  // 13 bits, in units of 8 octets
    std::uint8_t ttl = 64;
    std::uint8_t protocol = ip_protocol_tcp;
    std::uint16_t checksum = 0;
    ipv4_address src;
    ipv4_address dst;
    std::size_t payload_offset = 0;  // ihl * 4
    std::size_t payload_length = 0;  // total_length - ihl * 4

    constexpr bool dont_fragment() const noexcept { return (flags & 0x2u) != 0; }
    constexpr bool more_fragments() const noexcept { return (flags & 0x1u) != 0; }
};

// Parses an IPv4 header, skipping its options, and verifies the header checksum (unless
// `options` says not to). Octets past Total Length (link padding) are ignored. Returns
// bad_checksum, not_tcp (the protocol is not TCP) or fragment (checked in this order) with
// `out` filled in, payload_offset and payload_length included.
constexpr wire_error parse_ipv4(const std::uint8_t* data, std::size_t len, ipv4_header& out,
                                parse_options options = parse_options{}) noexcept {
    out = ipv4_header{};
    if (data == nullptr) return len == 0 ? wire_error::truncated : wire_error::bad_argument;
    if (len < 20) return wire_error::truncated;
    if ((data[0] >> 4) != 4) return wire_error::bad_version;
    out.ihl = static_cast<std::uint8_t>(data[0] & 0x0fu);
    out.tos = data[1];
    out.total_length = wire_detail::load16(data + 2);
    out.identification = wire_detail::load16(data + 4);
    out.flags = static_cast<std::uint8_t>(data[6] >> 5);
    out.fragment_offset = static_cast<std::uint16_t>(wire_detail::load16(data + 6) & 0x1fffu);
    out.ttl = data[8];
    out.protocol = data[9];
    out.checksum = wire_detail::load16(data + 10);
    wire_detail::copy(out.src.bytes, data + 12, 4);
    wire_detail::copy(out.dst.bytes, data + 16, 4);
    const std::size_t hl = std::size_t{out.ihl} * 4u;
    if (out.ihl < 5) return wire_error::bad_header_length;
    if (hl > len) return wire_error::truncated;
    if (out.total_length < hl) return wire_error::bad_total_length;
    if (out.total_length > len) return wire_error::truncated;
    out.payload_offset = hl;
    out.payload_length = out.total_length - hl;
    if (options.verify_checksums && wire_detail::fold_le(wire_detail::sum_words_le(data, hl), 0) != 0xffffu)
        return wire_error::bad_checksum;  // the header's sum, inline (hl is a multiple of 4)
    if (out.more_fragments() || out.fragment_offset != 0) return wire_error::fragment;
    if (out.protocol != ip_protocol_tcp) return wire_error::not_tcp;
    return wire_error::ok;
}

// Writes a 20-octet header (no options; h.ihl is not read) and computes its checksum
// (h.checksum is not read). Total Length is h.total_length as given.
constexpr wire_error serialize_ipv4(const ipv4_header& h, std::uint8_t* out, std::size_t cap,
                                    std::size_t& written) noexcept {
    written = 0;
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < 20) return wire_error::buffer_too_small;
    if (h.total_length < 20) return wire_error::bad_total_length;
    out[0] = 0x45;
    out[1] = h.tos;
    wire_detail::store16(out + 2, h.total_length);
    wire_detail::store16(out + 4, h.identification);
    wire_detail::store16(out + 6, static_cast<std::uint16_t>(((h.flags & 0x7u) << 13) | (h.fragment_offset & 0x1fffu)));
    out[8] = h.ttl;
    out[9] = h.protocol;
    wire_detail::copy(out + 12, h.src.bytes, 4);
    wire_detail::copy(out + 16, h.dst.bytes, 4);
    // The checksum of the words just written, summed from their values (see
    // wire_detail::tcp_header_words for why not from the octets).
    const std::uint32_t sum = 0x4500u + h.tos + h.total_length + h.identification +
                              (((h.flags & 0x7u) << 13) | (h.fragment_offset & 0x1fffu)) +
                              (static_cast<std::uint32_t>(h.ttl) << 8) + h.protocol + wire_detail::load16(h.src.bytes) +
                              wire_detail::load16(h.src.bytes + 2) + wire_detail::load16(h.dst.bytes) +
                              wire_detail::load16(h.dst.bytes + 2);
    wire_detail::store16(out + 10, checksum_finish(checksum_partial(nullptr, 0, sum)));
    written = 20;
    return wire_error::ok;
}

// ---------------------------------------------------------------------------------------
// IPv6 (RFC 8200 §3)

struct ipv6_header {
    std::uint8_t traffic_class = 0;
    std::uint32_t flow_label = 0;  // 20 bits
    std::uint16_t payload_length = 0;
    std::uint8_t next_header = ip_protocol_tcp;
    std::uint8_t hop_limit = 64;
    ipv6_address src;
    ipv6_address dst;
    std::size_t payload_offset = 0;  // 40

    static constexpr std::size_t header_length = 40;
};

// Is `nh` an IPv6 extension header (RFC 8200 §4, IANA "IPv6 Extension Header Types")?
constexpr bool ipv6_is_extension_header(std::uint8_t nh) noexcept {
    return nh == 0 || nh == 43 || nh == 44 || nh == 50 || nh == 51 || nh == 60 || nh == 135 ||
           nh == 139 || nh == 140 || nh == 253 || nh == 254;
}

// Parses the fixed 40-octet header. TCP must follow directly: an extension header gives
// extension_header, another upper layer not_tcp (both with `out` filled in). Octets past
// Payload Length are ignored.
constexpr wire_error parse_ipv6(const std::uint8_t* data, std::size_t len, ipv6_header& out) noexcept {
    out = ipv6_header{};
    if (data == nullptr) return len == 0 ? wire_error::truncated : wire_error::bad_argument;
    if (len < 40) return wire_error::truncated;
    if ((data[0] >> 4) != 6) return wire_error::bad_version;
    const std::uint32_t w0 = wire_detail::load32(data);
    out.traffic_class = static_cast<std::uint8_t>((w0 >> 20) & 0xffu);
    out.flow_label = w0 & 0xfffffu;
    out.payload_length = wire_detail::load16(data + 4);
    out.next_header = data[6];
    out.hop_limit = data[7];
    wire_detail::copy(out.src.bytes, data + 8, 16);
    wire_detail::copy(out.dst.bytes, data + 24, 16);
    out.payload_offset = 40;
    if (len - 40 < out.payload_length) return wire_error::truncated;
    if (ipv6_is_extension_header(out.next_header)) return wire_error::extension_header;
    if (out.next_header != ip_protocol_tcp) return wire_error::not_tcp;
    return wire_error::ok;
}

// Writes the fixed 40-octet header.
constexpr wire_error serialize_ipv6(const ipv6_header& h, std::uint8_t* out, std::size_t cap,
                                    std::size_t& written) noexcept {
    written = 0;
    if (out == nullptr) return wire_error::bad_argument;
    if (cap < 40) return wire_error::buffer_too_small;
    wire_detail::store32(out, (6u << 28) | (std::uint32_t{h.traffic_class} << 20) | (h.flow_label & 0xfffffu));
    wire_detail::store16(out + 4, h.payload_length);
    out[6] = h.next_header;
    out[7] = h.hop_limit;
    wire_detail::copy(out + 8, h.src.bytes, 16);
    wire_detail::copy(out + 24, h.dst.bytes, 16);
    written = 40;
    return wire_error::ok;
}

// ---------------------------------------------------------------------------------------
// A whole IPv4 or IPv6 packet carrying TCP, as read from a TUN device.

struct tcp_packet {
    std::uint8_t ip_version = 0;  // 4 or 6
    ipv4_header ip4;              // when ip_version == 4
    ipv6_header ip6;              // when ip_version == 6
    tcp_header tcp;               // payload_offset / payload_length relative to the packet
};

// Parses the IP header and the TCP header and verifies the IPv4 header checksum and the TCP
// checksum (neither with options.verify_checksums = false). tcp.payload_offset is the text's
// offset from the start of `data`. A checksum that does not verify gives bad_checksum with
// every header parsed and filled in as for ok (payload_offset and payload_length included), so
// a caller may still show what arrived; any other error leaves the headers it did not reach
// empty.
constexpr wire_error parse_tcp_packet(const std::uint8_t* data, std::size_t len, tcp_packet& out,
                                      parse_options options = parse_options{}) noexcept {
    // Each header is emptied once: here the ones this packet has not, in parse_ipv4,
    // parse_ipv6 and parse_tcp their own (one assignment of the whole packet, then of each
    // header again, was a tenth of a short segment's parse).
    if (data == nullptr || len < 1 || ((data[0] >> 4) != 4 && (data[0] >> 4) != 6)) {
        out = tcp_packet{};
        if (data == nullptr) return len == 0 ? wire_error::truncated : wire_error::bad_argument;
        return len < 1 ? wire_error::truncated : wire_error::bad_version;
    }
    std::size_t off = 0;
    std::size_t seg_len = 0;
    bool csum_ok = true;
    const std::uint8_t ip_version = static_cast<std::uint8_t>(data[0] >> 4);
    if (ip_version == 4) {
        out.ip_version = 4;
        out.ip6 = ipv6_header{};
        const wire_error e = parse_ipv4(data, len, out.ip4, options);
        if (e == wire_error::bad_checksum) {
            // Reported once the TCP header is parsed, if TCP, unfragmented, follows.
            if (out.ip4.more_fragments() || out.ip4.fragment_offset != 0 || out.ip4.protocol != ip_protocol_tcp) {
                out.tcp = tcp_header{};
                return e;
            }
            csum_ok = false;
        } else if (e != wire_error::ok) {
            out.tcp = tcp_header{};
            return e;
        }
        off = out.ip4.payload_offset;
        seg_len = out.ip4.payload_length;
        if (options.verify_checksums && !verify_tcp_checksum_ipv4(out.ip4.src, out.ip4.dst, data + off, seg_len))
            csum_ok = false;
    } else {
        out.ip_version = 6;
        out.ip4 = ipv4_header{};
        const wire_error e = parse_ipv6(data, len, out.ip6);
        if (e != wire_error::ok) {
            out.tcp = tcp_header{};
            return e;
        }
        off = out.ip6.payload_offset;
        seg_len = out.ip6.payload_length;
        if (options.verify_checksums && !verify_tcp_checksum_ipv6(out.ip6.src, out.ip6.dst, data + off, seg_len))
            csum_ok = false;
    }
    const wire_error e = parse_tcp(data + off, seg_len, out.tcp);
    if (e != wire_error::ok) return e;
    out.tcp.payload_offset += off;
    return csum_ok ? wire_error::ok : wire_error::bad_checksum;
}

}  // namespace tcpfsm

#endif  // TCPFSM_WIRE_HPP
