// libFuzzer target: the wire codec (wire.hpp) on arbitrary bytes.
// The input is tried as a whole IP packet (parse_tcp_packet), as an IPv4 header, an IPv6
// header, a bare TCP segment and a TCP options area. Properties, checked with abort():
//   - no parser reads outside the buffer (AddressSanitizer) or invokes undefined behaviour;
//   - what a parser accepts is consistent: offsets and lengths inside the buffer, Data
//     Offset >= 5, the IPv4 header length and Total Length within the buffer;
//   - a parsed TCP header serialized again (serialize_tcp) and parsed once more
//     gives the same fields and the same options tcpfsm understands;
//   - an IPv4 / IPv6 packet built from the parsed header (serialize_ipv4 / _ipv6 for the IP
//     header, serialize_tcp_ipv4 / _ipv6 for the TCP segment and its pseudo-header checksum)
//     parses again with good checksums;
//   - to_segment / from_segment keep SEQ, ACK, flags, window and MSS.
// SPDX-License-Identifier: MIT
#include <tcpfsm/wire.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

[[noreturn]] void violated(const char* what) {
    std::fprintf(stderr, "fuzz_wire: property violated: %s\n", what);
    std::abort();
}

void require(bool ok, const char* what) {
    if (!ok) violated(what);
}

bool same_options(const tcpfsm::tcp_options& a, const tcpfsm::tcp_options& b) {
    return a.has_mss == b.has_mss && (!a.has_mss || a.mss == b.mss) && a.has_window_scale == b.has_window_scale &&
           (!a.has_window_scale || a.window_scale == b.window_scale) && a.sack_permitted == b.sack_permitted &&
           a.has_timestamps == b.has_timestamps && (!a.has_timestamps || (a.ts_val == b.ts_val && a.ts_ecr == b.ts_ecr));
}

// A parsed TCP header goes out again and comes back the same.
void round_trip_tcp(const tcpfsm::tcp_header& h, const std::uint8_t* text, std::size_t text_len) {
    static std::uint8_t buf[65536 + 64];
    if (text_len > 65536) return;
    std::size_t hl = 0;
    require(tcpfsm::serialize_tcp(h, buf, sizeof buf, hl) == tcpfsm::wire_error::ok, "serialize_tcp failed on a parsed header");
    require(hl == tcpfsm::tcp_header_length(h) && hl % 4 == 0 && hl <= 60, "serialized header length");
    if (text_len != 0) std::memcpy(buf + hl, text, text_len);
    tcpfsm::tcp_header back;
    require(tcpfsm::parse_tcp(buf, hl + text_len, back) == tcpfsm::wire_error::ok, "re-parse of a serialized header");
    require(back.src_port == h.src_port && back.dst_port == h.dst_port && back.seq == h.seq && back.ack == h.ack &&
                back.flags == h.flags && back.window == h.window && back.urgent == h.urgent,
            "round trip changed a header field");
    require(same_options(back.options, h.options), "round trip changed an option tcpfsm understands");
    require(back.payload_length == text_len && (text_len == 0 || std::memcmp(buf + back.payload_offset, text, text_len) == 0),
            "round trip changed the text");

    // The engine's view: to_segment and from_segment keep what the state machine reads.
    const tcpfsm::segment s = tcpfsm::to_segment(h);
    require(s.seq == h.seq && s.ack == h.ack && s.window == h.window && s.flags == (h.flags & 0x3f),
            "to_segment changed a field");
    require(s.mss == (h.options.has_mss ? h.options.mss : 0), "to_segment MSS");
    const tcpfsm::tcp_header g = tcpfsm::from_segment(s, h.src_port, h.dst_port);
    require(g.seq == s.seq && g.ack == s.ack && g.flags == s.flags && g.window == s.window &&
                g.options.has_mss == (s.mss != 0) && g.payload_length == s.text_length,
            "from_segment changed a field");

    // Whole packets with checksums: IPv4 and IPv6 both parse back with good checksums.
    if (text_len <= 1400) {
        static std::uint8_t pkt[2048];
        std::size_t ip_len = 0, tcp_len = 0;
        tcpfsm::ipv4_header ip4;
        ip4.src = tcpfsm::ipv4_address{{192, 0, 2, 1}};
        ip4.dst = tcpfsm::ipv4_address{{198, 51, 100, 7}};
        ip4.total_length = static_cast<std::uint16_t>(20 + hl + text_len);
        require(tcpfsm::serialize_ipv4(ip4, pkt, sizeof pkt, ip_len) == tcpfsm::wire_error::ok && ip_len == 20, "serialize_ipv4");
        require(tcpfsm::serialize_tcp_ipv4(h, ip4.src, ip4.dst, text, text_len, pkt + 20, sizeof pkt - 20, tcp_len) ==
                    tcpfsm::wire_error::ok,
                "serialize_tcp_ipv4");
        tcpfsm::tcp_packet p;
        require(tcpfsm::parse_tcp_packet(pkt, 20 + tcp_len, p) == tcpfsm::wire_error::ok, "IPv4 packet does not parse back");
        require(p.ip_version == 4 && p.tcp.seq == h.seq && p.tcp.payload_length == text_len, "IPv4 packet changed the segment");

        tcpfsm::ipv6_header ip6;
        ip6.src.bytes[0] = 0x20;
        ip6.src.bytes[15] = 1;
        ip6.dst.bytes[0] = 0x20;
        ip6.dst.bytes[15] = 2;
        ip6.payload_length = static_cast<std::uint16_t>(hl + text_len);
        require(tcpfsm::serialize_ipv6(ip6, pkt, sizeof pkt, ip_len) == tcpfsm::wire_error::ok && ip_len == 40, "serialize_ipv6");
        require(tcpfsm::serialize_tcp_ipv6(h, ip6.src, ip6.dst, text, text_len, pkt + 40, sizeof pkt - 40, tcp_len) ==
                    tcpfsm::wire_error::ok,
                "serialize_tcp_ipv6");
        require(tcpfsm::parse_tcp_packet(pkt, 40 + tcp_len, p) == tcpfsm::wire_error::ok, "IPv6 packet does not parse back");
        require(p.ip_version == 6 && p.tcp.ack == h.ack && p.tcp.payload_length == text_len, "IPv6 packet changed the segment");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // A whole packet, as read from a TUN device: with the checksums verified, and without (as
    // from a capture with checksum offload; random bytes rarely carry good checksums, so this
    // is the way past them). bad_checksum comes with the headers parsed, as ok does.
    for (const bool verify : {true, false}) {
        tcpfsm::parse_options options;
        options.verify_checksums = verify;
        tcpfsm::tcp_packet p;
        const tcpfsm::wire_error e = tcpfsm::parse_tcp_packet(data, size, p, options);
        require(verify || e != tcpfsm::wire_error::bad_checksum, "bad_checksum without verification");
        if (e == tcpfsm::wire_error::ok || (e == tcpfsm::wire_error::bad_checksum && p.tcp.data_offset >= 5)) {
            require(p.ip_version == 4 || p.ip_version == 6, "ip_version");
            require(p.tcp.data_offset >= 5, "data offset < 5 accepted");
            require(p.tcp.payload_offset <= size && p.tcp.payload_length <= size - p.tcp.payload_offset,
                    "packet payload outside the buffer");
            round_trip_tcp(p.tcp, data + p.tcp.payload_offset, p.tcp.payload_length);
        }
    }
    // An IPv4 header.
    {
        tcpfsm::ipv4_header h;
        const tcpfsm::wire_error e = tcpfsm::parse_ipv4(data, size, h);
        if (e == tcpfsm::wire_error::ok || e == tcpfsm::wire_error::not_tcp || e == tcpfsm::wire_error::fragment) {
            require(h.ihl >= 5 && h.payload_offset == std::size_t{h.ihl} * 4u, "IPv4 header length");
            require(h.total_length <= size && h.payload_offset + h.payload_length == h.total_length,
                    "IPv4 lengths outside the buffer");
        }
    }
    // An IPv6 header.
    {
        tcpfsm::ipv6_header h;
        const tcpfsm::wire_error e = tcpfsm::parse_ipv6(data, size, h);
        if (e == tcpfsm::wire_error::ok || e == tcpfsm::wire_error::not_tcp || e == tcpfsm::wire_error::extension_header) {
            require(size >= 40 && size - 40 >= h.payload_length, "IPv6 payload outside the buffer");
        }
    }
    // A bare TCP segment.
    {
        tcpfsm::tcp_header h;
        if (tcpfsm::parse_tcp(data, size, h) == tcpfsm::wire_error::ok) {
            require(h.data_offset >= 5 && h.payload_offset == h.header_length() && h.payload_offset <= size &&
                        h.payload_offset + h.payload_length == size,
                    "TCP offsets outside the buffer");
            round_trip_tcp(h, data + h.payload_offset, h.payload_length);
        }
    }
    // An options area alone (at most 40 octets in a real header; any length here).
    {
        tcpfsm::tcp_options o;
        (void)tcpfsm::parse_tcp_options(data, size, o);
    }
    // Checksums over any buffer.
    (void)tcpfsm::internet_checksum(data, size);
    return 0;
}
