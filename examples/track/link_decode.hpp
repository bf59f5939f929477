// tcpfsm-track's link-layer decoding: a captured frame (pcap's link type, the captured
// octets, the length on the wire) to the TCP segment it carries, from the headers alone.
//
//   link types  Ethernet (LINKTYPE_ETHERNET 1), Linux cooked SLL (113) and SLL2 (276), raw IP
//               (LINKTYPE_RAW 101 and the DLT_RAW values 12 and 14, LINKTYPE_IPV4 228,
//               LINKTYPE_IPV6 229), BSD loopback (LINKTYPE_NULL 0, LINKTYPE_LOOP 108);
//               802.1Q and 802.1ad (QinQ) VLAN tags, any number, are skipped.
//   IP          IPv4 (RFC 791; options skipped, fragments refused) and IPv6 (RFC 8200; the
//               extension headers of §4 skipped: Hop-by-Hop, Routing, Destination Options,
//               Fragment (a first fragment only), AH (RFC 4302), Mobility, HIP, Shim6, the
//               experimental 253/254; ESP and No Next Header end the walk).
//   truncation  a capture with a snap length holds less than the packet: the TCP header must
//               be complete, the text length comes from the IP length fields (never from the
//               captured length), and the TCP checksum cannot be verified (`unverifiable`).
//   GRO/TSO     a segment larger than the MSS is accepted as it is. An IPv4 Total Length of 0
//               (a TSO super-packet, as Wireshark notes) and an IPv6 Payload Length of 0 (a
//               jumbogram, RFC 2675, or Linux's BIG TCP) take the length from the frame's
//               length on the wire.
//   checksums   verified only on request (captures on the sending host hold offloaded,
//               not yet filled-in checksums): the IPv4 header checksum and the TCP checksum
//               with tcpfsm's wire.hpp.
//
// No allocation; the decoder never reads past the captured octets.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACK_LINK_DECODE_HPP
#define TCPFSM_TRACK_LINK_DECODE_HPP

#include <cstddef>
#include <cstdint>

#include <tcpfsm/iss.hpp>
#include <tcpfsm/segment.hpp>
#include <tcpfsm/wire.hpp>

namespace track {

// pcap link types (https://www.tcpdump.org/linktypes.html) the decoder knows.
namespace linktype {
inline constexpr int null = 0;          // BSD loopback: a 4-octet address family, host order
inline constexpr int ethernet = 1;
inline constexpr int dlt_raw_12 = 12;   // DLT_RAW on most systems
inline constexpr int dlt_raw_14 = 14;   // DLT_RAW on OpenBSD
inline constexpr int raw = 101;         // LINKTYPE_RAW
inline constexpr int loop = 108;        // OpenBSD loopback: the family in network order
inline constexpr int linux_sll = 113;
inline constexpr int ipv4 = 228;
inline constexpr int ipv6 = 229;
inline constexpr int linux_sll2 = 276;
}  // namespace linktype

enum class decode_error : std::uint8_t {
    ok,
    unknown_link_type,
    truncated,           // the captured octets end before the headers do (the TCP header included)
    not_ip,              // the link layer carries something else (ARP, LLDP, ...)
    bad_ip_header,       // version, header length or a length field that cannot be
    fragment,            // an IPv4 fragment or a non-first IPv6 fragment
    not_tcp,             // IP carries another protocol (or ESP hides it)
    bad_tcp_header,      // Data Offset < 5, or options that do not parse
    bad_checksum,        // verification was asked for and failed (the segment is still decoded)
};

inline constexpr std::size_t decode_error_count = 9;

constexpr const char* name(decode_error e) noexcept {
    constexpr const char* names[decode_error_count] = {
        "ok", "unknown_link_type", "truncated", "not_ip", "bad_ip_header", "fragment", "not_tcp", "bad_tcp_header",
        "bad_checksum",
    };
    return static_cast<std::size_t>(e) < decode_error_count ? names[static_cast<std::size_t>(e)] : "invalid";
}

enum class checksum_status : std::uint8_t {
    not_checked,   // verification off
    good,
    bad,
    unverifiable,  // the capture is truncated: the TCP checksum covers octets not captured
};

struct decode_options {
    bool verify_checksums = false;
};

struct decoded_segment {
    decode_error error = decode_error::ok;
    std::uint8_t ip_version = 0;  // 4 or 6
    std::uint8_t vlan_tags = 0;   // 802.1Q / 802.1ad tags skipped
    tcpfsm::four_tuple tuple;     // local = the sender, remote = the receiver
    tcpfsm::tcp_header tcp;       // payload_length = the text length from the IP length fields
    tcpfsm::segment seg;          // what the state machine sees (tcpfsm::to_segment)
    std::uint32_t text_length = 0;
    std::size_t ip_offset = 0;    // where the IP header starts in the frame
    bool truncated = false;       // fewer octets captured than the packet has
    checksum_status checksum = checksum_status::not_checked;
};

namespace detail {

constexpr std::uint16_t be16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}

inline constexpr std::uint16_t ethertype_ipv4 = 0x0800;
inline constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
inline constexpr std::uint16_t ethertype_vlan = 0x8100;   // IEEE 802.1Q
inline constexpr std::uint16_t ethertype_qinq = 0x88A8;   // IEEE 802.1ad
inline constexpr std::uint16_t ethertype_qinq_old = 0x9100;

constexpr bool is_vlan(std::uint16_t type) noexcept {
    return type == ethertype_vlan || type == ethertype_qinq || type == ethertype_qinq_old;
}

// After an EtherType at frame[type_at], skip VLAN tags; the IP header's offset, or an error.
inline decode_error skip_vlans(const std::uint8_t* frame, std::size_t caplen, std::size_t type_at, std::size_t& ip_at,
                               std::uint8_t& tags) {
    if (caplen < type_at + 2) return decode_error::truncated;
    std::uint16_t type = be16(frame + type_at);
    std::size_t at = type_at + 2;
    while (is_vlan(type)) {
        // A tag: TCI (2 octets), then the next EtherType (2).
        if (caplen < at + 4) return decode_error::truncated;
        type = be16(frame + at + 2);
        at += 4;
        if (tags != 0xff) ++tags;
    }
    if (type != ethertype_ipv4 && type != ethertype_ipv6) return decode_error::not_ip;
    ip_at = at;
    return decode_error::ok;
}

// IPv6 extension headers with the generic layout (next header, length in 8-octet units
// after the first 8): RFC 8200 §4.3-4.6 and the later ones that follow §4.8.
constexpr bool generic_extension(std::uint8_t nh) noexcept {
    return nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 139 || nh == 140 || nh == 253 || nh == 254;
}

}  // namespace detail

// Where the IP header starts in a frame of `link` type; not_ip for a frame that carries
// something else.
inline decode_error find_ip(int link, const std::uint8_t* frame, std::size_t caplen, std::size_t& ip_at,
                            std::uint8_t& vlan_tags) {
    vlan_tags = 0;
    ip_at = 0;
    switch (link) {
        case linktype::ethernet:  // destination (6), source (6), EtherType (2)
            return detail::skip_vlans(frame, caplen, 12, ip_at, vlan_tags);
        case linktype::linux_sll:  // packet type, ARPHRD, address length, address (8), protocol
            return detail::skip_vlans(frame, caplen, 14, ip_at, vlan_tags);
        case linktype::linux_sll2: {  // protocol (2), reserved (2), ifindex (4), ARPHRD, type, length, address (8)
            if (caplen < 20) return decode_error::truncated;
            const std::uint16_t type = detail::be16(frame);
            if (detail::is_vlan(type)) {
                // The tags follow the 20-octet header as on Ethernet.
                std::size_t at = 20;
                std::uint16_t inner = type;
                while (detail::is_vlan(inner)) {
                    if (caplen < at + 4) return decode_error::truncated;
                    inner = detail::be16(frame + at + 2);
                    at += 4;
                    if (vlan_tags != 0xff) ++vlan_tags;
                }
                if (inner != detail::ethertype_ipv4 && inner != detail::ethertype_ipv6) return decode_error::not_ip;
                ip_at = at;
                return decode_error::ok;
            }
            if (type != detail::ethertype_ipv4 && type != detail::ethertype_ipv6) return decode_error::not_ip;
            ip_at = 20;
            return decode_error::ok;
        }
        case linktype::raw:
        case linktype::dlt_raw_12:
        case linktype::dlt_raw_14:
        case linktype::ipv4:
        case linktype::ipv6:
            ip_at = 0;
            return decode_error::ok;
        case linktype::null:
        case linktype::loop: {
            // The address family, 4 octets: host order (null) or network order (loop). AF_INET
            // is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the system.
            if (caplen < 4) return decode_error::truncated;
            std::uint32_t family = 0;
            if (link == linktype::loop || (frame[0] == 0 && frame[1] == 0)) {
                family = (std::uint32_t{frame[0]} << 24) | (std::uint32_t{frame[1]} << 16) |
                         (std::uint32_t{frame[2]} << 8) | frame[3];
            } else {
                family = (std::uint32_t{frame[3]} << 24) | (std::uint32_t{frame[2]} << 16) |
                         (std::uint32_t{frame[1]} << 8) | frame[0];
            }
            if (family != 2 && family != 10 && family != 24 && family != 28 && family != 30) return decode_error::not_ip;
            ip_at = 4;
            return decode_error::ok;
        }
        default:
            return decode_error::unknown_link_type;
    }
}

// Sets every field of `out` to its default, one by one: a loop over many frames reuses one
// decoded_segment this way instead of building a fresh one per frame, which compilers clear
// with `rep stos` (a slow start for 144 octets; docs/tracker.md, "Throughput").
inline void reset_decoded(decoded_segment& out) noexcept {
    out.error = decode_error::ok;
    out.ip_version = 0;
    out.vlan_tags = 0;
    out.tuple = tcpfsm::four_tuple{};
    out.tcp = tcpfsm::tcp_header{};
    out.seg = tcpfsm::segment{};
    out.text_length = 0;
    out.ip_offset = 0;
    out.truncated = false;
    out.checksum = checksum_status::not_checked;
}

// Decodes the TCP segment in one captured frame into `out` (reset first): `caplen` octets
// captured of the `wirelen` the frame had. See the top of this file for what is handled.
inline void decode_frame_into(int link, const std::uint8_t* frame, std::size_t caplen, std::size_t wirelen,
                              const decode_options& options, decoded_segment& out) {
    reset_decoded(out);
    if (frame == nullptr) caplen = 0;
    if (wirelen < caplen) wirelen = caplen;
    std::size_t ip_at = 0;
    out.error = find_ip(link, frame, caplen, ip_at, out.vlan_tags);
    if (out.error != decode_error::ok) return;
    out.ip_offset = ip_at;
    if (caplen < ip_at + 1) {
        out.error = decode_error::truncated;
        return;
    }
    const std::uint8_t* ip = frame + ip_at;
    const std::size_t ip_cap = caplen - ip_at;   // captured from the IP header on
    const std::size_t ip_wire = wirelen - ip_at;  // on the wire from the IP header on
    const std::uint8_t version = static_cast<std::uint8_t>(ip[0] >> 4);
    std::size_t tcp_at = 0;       // from ip
    std::size_t segment_len = 0;  // TCP header + text, from the IP length fields
    if (version == 4) {
        if (ip_cap < 20) {
            out.error = decode_error::truncated;
            return;
        }
        const std::size_t ihl = std::size_t{ip[0] & 0x0fu} * 4u;
        std::size_t total = detail::be16(ip + 2);
        if (total == 0) total = ip_wire;  // TSO: the length field left for the NIC
        if (ihl < 20 || total < ihl) {
            out.error = decode_error::bad_ip_header;
            return;
        }
        if (ip_cap < ihl) {
            out.error = decode_error::truncated;
            return;
        }
        out.ip_version = 4;
        out.tuple.local.family = tcpfsm::address_family::ipv4;
        out.tuple.remote.family = tcpfsm::address_family::ipv4;
        for (std::size_t i = 0; i < 4; ++i) {
            out.tuple.local.bytes[i] = ip[12 + i];
            out.tuple.remote.bytes[i] = ip[16 + i];
        }
        const std::uint16_t fragment = detail::be16(ip + 6);
        if ((fragment & 0x3fffu) != 0) {  // MF set or a nonzero offset
            out.error = decode_error::fragment;
            return;
        }
        if (ip[9] != tcpfsm::ip_protocol_tcp) {
            out.error = decode_error::not_tcp;
            return;
        }
        if (options.verify_checksums && !tcpfsm::internet_checksum_ok(ip, ihl)) out.checksum = checksum_status::bad;
        tcp_at = ihl;
        segment_len = total - ihl;
        out.truncated = ip_cap < total;
    } else if (version == 6) {
        if (ip_cap < 40) {
            out.error = decode_error::truncated;
            return;
        }
        out.ip_version = 6;
        out.tuple.local.family = tcpfsm::address_family::ipv6;
        out.tuple.remote.family = tcpfsm::address_family::ipv6;
        for (std::size_t i = 0; i < 16; ++i) {
            out.tuple.local.bytes[i] = ip[8 + i];
            out.tuple.remote.bytes[i] = ip[24 + i];
        }
        std::size_t payload = detail::be16(ip + 4);
        if (payload == 0) payload = ip_wire >= 40 ? ip_wire - 40 : 0;  // jumbogram / BIG TCP
        std::uint8_t nh = ip[6];
        std::size_t at = 40;
        for (;;) {
            if (nh == tcpfsm::ip_protocol_tcp) break;
            std::size_t length = 0;
            if (detail::generic_extension(nh)) {
                if (ip_cap < at + 2) {
                    out.error = decode_error::truncated;
                    return;
                }
                length = (std::size_t{ip[at + 1]} + 1u) * 8u;
            } else if (nh == 44) {  // Fragment (§4.5): 8 octets; only a first fragment holds TCP's header
                if (ip_cap < at + 8) {
                    out.error = decode_error::truncated;
                    return;
                }
                const std::uint16_t offset_flags = detail::be16(ip + at + 2);
                if ((offset_flags & 0xfff9u) != 0) {  // offset != 0 or M set
                    out.error = decode_error::fragment;
                    return;
                }
                length = 8;
            } else if (nh == 51) {  // AH (RFC 4302 §2.2): Payload Len in 4-octet units, minus 2
                if (ip_cap < at + 2) {
                    out.error = decode_error::truncated;
                    return;
                }
                length = (std::size_t{ip[at + 1]} + 2u) * 4u;
            } else {  // ESP, No Next Header (59), another upper layer
                out.error = decode_error::not_tcp;
                return;
            }
            nh = ip[at];
            at += length;
            if (at - 40 > payload) {
                out.error = decode_error::bad_ip_header;
                return;
            }
        }
        tcp_at = at;
        segment_len = payload - (at - 40);
        out.truncated = ip_cap < 40 + payload;
    } else {
        out.error = decode_error::bad_ip_header;
        return;
    }
    // The TCP header must be captured whole: its fixed part, then Data Offset's worth.
    if (segment_len < 20) {
        out.error = decode_error::bad_ip_header;
        return;
    }
    if (ip_cap < tcp_at + 20) {
        out.error = decode_error::truncated;
        return;
    }
    const std::size_t header_len = static_cast<std::size_t>(ip[tcp_at + 12] >> 4) * 4u;
    if (header_len < 20 || header_len > segment_len) {
        out.error = decode_error::bad_tcp_header;
        return;
    }
    if (ip_cap < tcp_at + header_len) {
        out.error = decode_error::truncated;
        return;
    }
    if (tcpfsm::parse_tcp(ip + tcp_at, header_len, out.tcp) != tcpfsm::wire_error::ok) {
        out.error = decode_error::bad_tcp_header;
        return;
    }
    out.tcp.payload_length = segment_len - header_len;
    out.tcp.payload_offset = ip_at + tcp_at + header_len;
    out.text_length = out.tcp.payload_length > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(out.tcp.payload_length);
    out.tuple.local_port = out.tcp.src_port;
    out.tuple.remote_port = out.tcp.dst_port;
    out.seg = tcpfsm::to_segment(out.tcp);
    if (options.verify_checksums) {
        if (out.truncated) {
            if (out.checksum != checksum_status::bad) out.checksum = checksum_status::unverifiable;
        } else if (out.checksum != checksum_status::bad) {
            bool good = false;
            if (version == 4) {
                tcpfsm::ipv4_address s;
                tcpfsm::ipv4_address d;
                for (std::size_t i = 0; i < 4; ++i) {
                    s.bytes[i] = ip[12 + i];
                    d.bytes[i] = ip[16 + i];
                }
                good = tcpfsm::verify_tcp_checksum_ipv4(s, d, ip + tcp_at, segment_len);
            } else {
                tcpfsm::ipv6_address s;
                tcpfsm::ipv6_address d;
                for (std::size_t i = 0; i < 16; ++i) {
                    s.bytes[i] = ip[8 + i];
                    d.bytes[i] = ip[24 + i];
                }
                good = tcpfsm::verify_tcp_checksum_ipv6(s, d, ip + tcp_at, segment_len);
            }
            out.checksum = good ? checksum_status::good : checksum_status::bad;
        }
        if (out.checksum == checksum_status::bad) out.error = decode_error::bad_checksum;
    }
}

// The same, into a new decoded_segment.
inline decoded_segment decode_frame(int link, const std::uint8_t* frame, std::size_t caplen, std::size_t wirelen,
                                    const decode_options& options = decode_options{}) {
    decoded_segment out;
    decode_frame_into(link, frame, caplen, wirelen, options, out);
    return out;
}

}  // namespace track

#endif  // TCPFSM_TRACK_LINK_DECODE_HPP
