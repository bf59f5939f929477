// The wire formats: RFC 1071's checksum example, and real packets captured from the Linux
// kernel (6.x, Debian 12 userland) parsed, verified and re-serialized byte for byte.
//
// Capture (see test/data/wire_veth_capture.txt for tcpdump's decode and .pcap for the raw
// file): two network namespaces joined by a veth pair, 10.200.0.1/30 + fd00:200::1/64 and
// 10.200.0.2/30 + fd00:200::2/64, with `ethtool -K <veth> tx off` on both ends so the kernel
// computes full TCP checksums in software (on lo, and on veth with offload on, the captured
// checksum is only the partial pseudo-header sum: tcpdump says "incorrect"). A Python client
// in the first namespace connected to a listener in the second and sent "hello\n";
// `tcpdump -i wveth0 -w` captured, and every TCP checksum decodes as "(correct)". The bytes
// below are the IP packets (Ethernet header stripped) as printed by `tcpdump -r ... -x`.
#include <tcpfsm/wire.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using tcpfsm::wire_error;
namespace ctl = tcpfsm::ctl;

namespace {

using bytes = std::vector<std::uint8_t>;

// 10.200.0.1.42366 > 10.200.0.2.9999: Flags [S], cksum 0x893c (correct), seq 3391041009,
// win 64240, options [mss 1460,sackOK,TS val 456248941 ecr 0,nop,wscale 10], length 0
// IP (tos 0x0, ttl 64, id 50227, offset 0, flags [DF], proto TCP (6), length 60)
const bytes ipv4_syn = {
    0x45, 0x00, 0x00, 0x3c, 0xc4, 0x33, 0x40, 0x00, 0x40, 0x06, 0x60, 0xf6,
    0x0a, 0xc8, 0x00, 0x01, 0x0a, 0xc8, 0x00, 0x02, 0xa5, 0x7e, 0x27, 0x0f,
    0xca, 0x1f, 0x2d, 0xf1, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
    0x89, 0x3c, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a,
    0x1b, 0x31, 0xce, 0x6d, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a,
};

// 10.200.0.1.42366 > 10.200.0.2.9999: Flags [P.], cksum 0x67a4 (correct), seq 1:7, ack 1,
// win 63, options [nop,nop,TS val 456248941 ecr 260200047], length 6   ("hello\n")
// IP (tos 0x0, ttl 64, id 50229, offset 0, flags [DF], proto TCP (6), length 58)
// (absolute seq 3391041010, ack 1000826246: the SYN-ACK's seq was 1000826245)
const bytes ipv4_data = {
    0x45, 0x00, 0x00, 0x3a, 0xc4, 0x35, 0x40, 0x00, 0x40, 0x06, 0x60, 0xf6,
    0x0a, 0xc8, 0x00, 0x01, 0x0a, 0xc8, 0x00, 0x02, 0xa5, 0x7e, 0x27, 0x0f,
    0xca, 0x1f, 0x2d, 0xf2, 0x3b, 0xa7, 0x65, 0x86, 0x80, 0x18, 0x00, 0x3f,
    0x67, 0xa4, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x1b, 0x31, 0xce, 0x6d,
    0x0f, 0x82, 0x56, 0x6f, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a,
};

// IP6 (flowlabel 0xc9d2f, hlim 64, next-header TCP (6) payload length: 40)
// fd00:200::2.9999 > fd00:200::1.42766: Flags [S.], cksum 0x8c2a (correct), seq 2846491948,
// ack 747653464, win 64260, options [mss 1440,sackOK,TS val 1347477896 ecr 3952849531,nop,
// wscale 10], length 0
const bytes ipv6_synack = {
    0x60, 0x0c, 0x9d, 0x2f, 0x00, 0x28, 0x06, 0x40, 0xfd, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0xfd, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x27, 0x0f, 0xa7, 0x0e, 0xa9, 0xaa, 0x05, 0x2c,
    0x2c, 0x90, 0x49, 0x58, 0xa0, 0x12, 0xfb, 0x04, 0x8c, 0x2a, 0x00, 0x00,
    0x02, 0x04, 0x05, 0xa0, 0x04, 0x02, 0x08, 0x0a, 0x50, 0x50, 0xe1, 0x88,
    0xeb, 0x9b, 0xb2, 0x7b, 0x01, 0x03, 0x03, 0x0a,
};

// IP6 (flowlabel 0x38176, hlim 64, next-header TCP (6) payload length: 38)
// fd00:200::1.42766 > fd00:200::2.9999: Flags [P.], cksum 0x71bf (correct), seq 1:7, ack 1,
// win 64, options [nop,nop,TS val 3952849532 ecr 1347477896], length 6   ("hello\n")
const bytes ipv6_data = {
    0x60, 0x03, 0x81, 0x76, 0x00, 0x26, 0x06, 0x40, 0xfd, 0x00, 0x02, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0xfd, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0xa7, 0x0e, 0x27, 0x0f, 0x2c, 0x90, 0x49, 0x58,
    0xa9, 0xaa, 0x05, 0x2d, 0x80, 0x18, 0x00, 0x40, 0x71, 0xbf, 0x00, 0x00,
    0x01, 0x01, 0x08, 0x0a, 0xeb, 0x9b, 0xb2, 0x7c, 0x50, 0x50, 0xe1, 0x88,
    0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a,
};

const tcpfsm::ipv4_address v4_a{{10, 200, 0, 1}};
const tcpfsm::ipv4_address v4_b{{10, 200, 0, 2}};
const tcpfsm::ipv6_address v6_a{{0xfd, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const tcpfsm::ipv6_address v6_b{{0xfd, 0x00, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

bytes slice(const bytes& b, std::size_t from, std::size_t n) {
    return bytes(b.begin() + static_cast<std::ptrdiff_t>(from),
                 b.begin() + static_cast<std::ptrdiff_t>(from + n));
}
bytes tail(const bytes& b, std::size_t from) { return slice(b, from, b.size() - from); }

bool same(const tcpfsm::ipv4_address& a, const tcpfsm::ipv4_address& b) {
    for (std::size_t i = 0; i < 4; ++i)
        if (a.bytes[i] != b.bytes[i]) return false;
    return true;
}
bool same(const tcpfsm::ipv6_address& a, const tcpfsm::ipv6_address& b) {
    for (std::size_t i = 0; i < 16; ++i)
        if (a.bytes[i] != b.bytes[i]) return false;
    return true;
}

// Parses `seg` as a TCP segment; each call gets an exactly sized heap copy, so ASan
// catches any read past the end.
wire_error parse_copy(const bytes& seg, tcpfsm::tcp_header& h) {
    const bytes copy(seg);
    return tcpfsm::parse_tcp(copy.empty() ? nullptr : copy.data(), copy.size(), h);
}

// A TCP header of 20 + options.size() octets around the given options (for malformed cases).
bytes tcp_with_options(const bytes& options) {
    static constexpr std::uint8_t header[20] = {0x12, 0x34, 0x00, 0x50, 0, 0, 0, 1, 0, 0,
                                                0,    0,    0x00, 0x02, 0xff, 0xff, 0, 0, 0, 0};
    // Sized once and filled by index: g++ 12 at -O3 reports a false -Warray-bounds inside
    // libstdc++'s vector::insert of a 20-element vector (GCC bug 107852's family).
    bytes b(sizeof header + options.size());
    for (std::size_t i = 0; i < sizeof header; ++i) b[i] = header[i];
    for (std::size_t i = 0; i < options.size(); ++i) b[sizeof header + i] = options[i];
    b[12] = static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4);
    return b;
}

// RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement.
constexpr std::uint8_t rfc1071_example[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
static_assert(tcpfsm::checksum_partial(rfc1071_example, 8) == 0xddf2, "RFC 1071 §3");
static_assert(tcpfsm::internet_checksum(rfc1071_example, 8) == 0x220d, "RFC 1071 §3");

}  // namespace

TEST_CASE("wire: RFC 1071 §3 checksum example", "[wire]") {
    CHECK(tcpfsm::checksum_partial(rfc1071_example, 8) == 0xddf2);
    CHECK(tcpfsm::internet_checksum(rfc1071_example, 8) == 0x220d);
    // §2 (B): byte order independence does not matter here; (C): parallel sums may be
    // chained at even boundaries.
    CHECK(tcpfsm::checksum_partial(rfc1071_example + 4, 4, tcpfsm::checksum_partial(rfc1071_example, 4)) == 0xddf2);
    // With the checksum appended the data sums to all ones (§1 (3)).
    const std::uint8_t with[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7, 0x22, 0x0d};
    CHECK(tcpfsm::internet_checksum_ok(with, sizeof with));
    // §4.1: an odd final octet is padded with zero on the right: {0xab} sums as 0xab00.
    const std::uint8_t odd[] = {0xab};
    CHECK(tcpfsm::checksum_partial(odd, 1) == 0xab00);
    CHECK(tcpfsm::checksum_partial(nullptr, 0) == 0);
}

// The one's complement sum by its definition (RFC 1071 §1, §2 (A)): the words' sum modulo
// 2^16 - 1, written as 0xffff when it is a non-zero multiple of 0xffff (one's complement has
// two zeros, and end-around carry never turns a non-zero sum into +0). An independent
// formulation of what checksum_partial computes with deferred carries.
static std::uint16_t sum_by_definition(const std::vector<std::uint8_t>& data, std::uint32_t initial) {
    unsigned long long total = initial;
    bool all_zero = initial == 0;
    for (std::size_t i = 0; i < data.size(); i += 2) {
        const unsigned word = (static_cast<unsigned>(data[i]) << 8) | (i + 1 < data.size() ? data[i + 1] : 0u);
        total += word;
        if (word != 0) all_zero = false;
    }
    if (all_zero) return 0;
    const unsigned long long r = total % 0xffffull;
    return static_cast<std::uint16_t>(r == 0 ? 0xffffu : r);
}

TEST_CASE("wire: checksum_partial equals the one's complement sum by definition", "[wire]") {
    std::uint64_t x = 0x0123456789abcdefull;  // xorshift64, seeded
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (int round = 0; round < 4000; ++round) {
        // Lengths 0..1600 (odd ones too), bytes biased towards 0x00 and 0xff so that carries
        // and the two zeros come up; initial sums up to 32 bits (chained partial sums).
        const std::size_t len = static_cast<std::size_t>(next() % 1601);
        std::vector<std::uint8_t> data(len);
        const unsigned mode = static_cast<unsigned>(next() % 4);
        for (auto& b : data) {
            const std::uint64_t r = next();
            b = mode == 0 ? static_cast<std::uint8_t>(r) : mode == 1 ? std::uint8_t{0xff} : mode == 2 ? std::uint8_t{0} : static_cast<std::uint8_t>((r & 1) != 0 ? 0xff : 0);
        }
        const auto initial = static_cast<std::uint32_t>(round % 3 == 0 ? 0 : next());
        INFO("length " << len << ", mode " << mode << ", initial " << initial);
        CHECK(tcpfsm::checksum_partial(data.data(), len, initial) == sum_by_definition(data, initial));
        // Chaining at an even split gives the same sum (RFC 1071 §2 (C)).
        const std::size_t split = (len / 2) & ~std::size_t{1};
        CHECK(tcpfsm::checksum_partial(data.data() + split, len - split, tcpfsm::checksum_partial(data.data(), split, initial)) ==
              sum_by_definition(data, initial));
    }
}

TEST_CASE("wire: IPv4 SYN captured from Linux: every field", "[wire]") {
    tcpfsm::ipv4_header ip;
    REQUIRE(tcpfsm::parse_ipv4(ipv4_syn.data(), ipv4_syn.size(), ip) == wire_error::ok);
    CHECK(ip.ihl == 5);
    CHECK(ip.tos == 0);
    CHECK(ip.total_length == 60);
    CHECK(ip.identification == 50227);
    CHECK(ip.dont_fragment());
    CHECK_FALSE(ip.more_fragments());
    CHECK(ip.fragment_offset == 0);
    CHECK(ip.ttl == 64);
    CHECK(ip.protocol == 6);
    CHECK(ip.checksum == 0x60f6);
    CHECK(same(ip.src, v4_a));
    CHECK(same(ip.dst, v4_b));
    CHECK(ip.payload_offset == 20);
    CHECK(ip.payload_length == 40);
    CHECK(tcpfsm::internet_checksum_ok(ipv4_syn.data(), 20));

    const bytes seg = tail(ipv4_syn, 20);
    CHECK(tcpfsm::verify_tcp_checksum_ipv4(v4_a, v4_b, seg.data(), seg.size()));
    CHECK_FALSE(tcpfsm::verify_tcp_checksum_ipv4(v4_b, v4_b, seg.data(), seg.size()));

    tcpfsm::tcp_header h;
    REQUIRE(tcpfsm::parse_tcp(seg.data(), seg.size(), h) == wire_error::ok);
    CHECK(h.src_port == 42366);
    CHECK(h.dst_port == 9999);
    CHECK(h.seq == 3391041009u);
    CHECK(h.ack == 0);
    CHECK(h.data_offset == 10);
    CHECK(h.reserved == 0);
    CHECK(h.flags == ctl::syn);
    CHECK(h.window == 64240);
    CHECK(h.checksum == 0x893c);
    CHECK(h.urgent == 0);
    CHECK(h.options.has_mss);
    CHECK(h.options.mss == 1460);
    CHECK(h.options.sack_permitted);
    CHECK(h.options.has_timestamps);
    CHECK(h.options.ts_val == 456248941u);
    CHECK(h.options.ts_ecr == 0);
    CHECK(h.options.has_window_scale);
    CHECK(h.options.window_scale == 10);
    CHECK(h.options.unknown == 0);
    CHECK(h.payload_offset == 40);
    CHECK(h.payload_length == 0);

    const tcpfsm::segment s = tcpfsm::to_segment(h);
    CHECK(s.seq == 3391041009u);
    CHECK(s.flags == ctl::syn);
    CHECK(s.window == 64240);
    CHECK(s.mss == 1460);
    CHECK(s.text_length == 0);
    CHECK(s.seq_length() == 1);

    tcpfsm::tcp_packet p;
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_syn.data(), ipv4_syn.size(), p) == wire_error::ok);
    CHECK(p.ip_version == 4);
    CHECK(p.tcp.seq == 3391041009u);
    CHECK(p.tcp.payload_offset == 60);
}

TEST_CASE("wire: IPv4 SYN captured from Linux: serialized back byte for byte", "[wire]") {
    tcpfsm::ipv4_header ip;
    REQUIRE(tcpfsm::parse_ipv4(ipv4_syn.data(), ipv4_syn.size(), ip) == wire_error::ok);
    tcpfsm::tcp_header h;
    REQUIRE(tcpfsm::parse_tcp(ipv4_syn.data() + 20, 40, h) == wire_error::ok);

    std::uint8_t out[60] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_ipv4(ip, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 20);
    std::size_t m = 0;
    REQUIRE(tcpfsm::serialize_tcp(h, out + 20, sizeof out - 20, m) == wire_error::ok);
    REQUIRE(m == 40);
    CHECK(bytes(out, out + 60) == ipv4_syn);

    // With the checksum left to the serializer, it comes out as the kernel's 0x893c.
    h.checksum = 0;
    std::uint8_t seg[40] = {};
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, v4_a, v4_b, nullptr, 0, seg, sizeof seg, m) == wire_error::ok);
    REQUIRE(m == 40);
    CHECK(bytes(seg, seg + 40) == tail(ipv4_syn, 20));

    // Too small a buffer: nothing claimed written.
    CHECK(tcpfsm::serialize_tcp(h, seg, 39, m) == wire_error::buffer_too_small);
    CHECK(m == 0);
    CHECK(tcpfsm::serialize_ipv4(ip, out, 19, n) == wire_error::buffer_too_small);
    CHECK(n == 0);
}

TEST_CASE("wire: IPv4 data segment captured from Linux", "[wire]") {
    tcpfsm::tcp_packet p;
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_data.data(), ipv4_data.size(), p) == wire_error::ok);
    CHECK(p.ip4.identification == 50229);
    CHECK(p.ip4.total_length == 58);
    const tcpfsm::tcp_header& h = p.tcp;
    CHECK(h.seq == 3391041010u);
    CHECK(h.ack == 1000826246u);
    CHECK(h.flags == (ctl::psh | ctl::ack));
    CHECK(h.window == 63);
    CHECK(h.checksum == 0x67a4);
    CHECK(h.data_offset == 8);
    CHECK_FALSE(h.options.has_mss);
    CHECK_FALSE(h.options.sack_permitted);
    CHECK_FALSE(h.options.has_window_scale);
    CHECK(h.options.has_timestamps);
    CHECK(h.options.ts_val == 456248941u);
    CHECK(h.options.ts_ecr == 260200047u);
    CHECK(h.payload_offset == 52);  // from the start of the IP packet
    CHECK(h.payload_length == 6);
    CHECK(slice(ipv4_data, h.payload_offset, h.payload_length) == bytes{'h', 'e', 'l', 'l', 'o', '\n'});

    const tcpfsm::segment s = tcpfsm::to_segment(h);
    CHECK(s.text_length == 6);
    CHECK(s.seq_length() == 6);
    CHECK(s.ack_flag());
    CHECK(s.mss == 0);

    // Header + text + checksum from the serializer reproduce the kernel's segment.
    tcpfsm::tcp_header h2 = h;
    h2.checksum = 0xdead;  // overwritten
    const std::uint8_t text[] = {'h', 'e', 'l', 'l', 'o', '\n'};
    std::uint8_t out[64] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h2, v4_a, v4_b, text, sizeof text, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 38);
    CHECK(bytes(out, out + n) == tail(ipv4_data, 20));
    CHECK(tcpfsm::serialize_tcp_ipv4(h2, v4_a, v4_b, text, sizeof text, out, 37, n) == wire_error::buffer_too_small);
    CHECK(tcpfsm::serialize_tcp_ipv4(h2, v4_a, v4_b, nullptr, 6, out, sizeof out, n) == wire_error::bad_argument);

    // Text already in place after the header is used as is.
    std::uint8_t inplace[38] = {};
    for (std::size_t i = 0; i < 6; ++i) inplace[32 + i] = text[i];
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h2, v4_a, v4_b, inplace + 32, 6, inplace, sizeof inplace, n) == wire_error::ok);
    CHECK(bytes(inplace, inplace + 38) == tail(ipv4_data, 20));
}

TEST_CASE("wire: IPv6 SYN-ACK captured from Linux", "[wire]") {
    tcpfsm::ipv6_header ip;
    REQUIRE(tcpfsm::parse_ipv6(ipv6_synack.data(), ipv6_synack.size(), ip) == wire_error::ok);
    CHECK(ip.traffic_class == 0);
    CHECK(ip.flow_label == 0xc9d2f);
    CHECK(ip.payload_length == 40);
    CHECK(ip.next_header == 6);
    CHECK(ip.hop_limit == 64);
    CHECK(same(ip.src, v6_b));
    CHECK(same(ip.dst, v6_a));
    CHECK(ip.payload_offset == 40);

    const bytes seg = tail(ipv6_synack, 40);
    CHECK(tcpfsm::verify_tcp_checksum_ipv6(v6_b, v6_a, seg.data(), seg.size()));
    CHECK_FALSE(tcpfsm::verify_tcp_checksum_ipv6(v6_a, v6_a, seg.data(), seg.size()));

    tcpfsm::tcp_header h;
    REQUIRE(tcpfsm::parse_tcp(seg.data(), seg.size(), h) == wire_error::ok);
    CHECK(h.src_port == 9999);
    CHECK(h.dst_port == 42766);
    CHECK(h.seq == 2846491948u);
    CHECK(h.ack == 747653464u);
    CHECK(h.flags == (ctl::syn | ctl::ack));
    CHECK(h.window == 64260);
    CHECK(h.checksum == 0x8c2a);
    CHECK(h.data_offset == 10);
    CHECK(h.options.mss == 1440);
    CHECK(h.options.sack_permitted);
    CHECK(h.options.ts_val == 1347477896u);
    CHECK(h.options.ts_ecr == 3952849531u);
    CHECK(h.options.window_scale == 10);
    CHECK(h.payload_length == 0);

    std::uint8_t out[80] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_ipv6(ip, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 40);
    h.checksum = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv6(h, v6_b, v6_a, nullptr, 0, out + 40, 40, n) == wire_error::ok);
    REQUIRE(n == 40);
    CHECK(bytes(out, out + 80) == ipv6_synack);
    CHECK(tcpfsm::serialize_ipv6(ip, out, 39, n) == wire_error::buffer_too_small);

    tcpfsm::tcp_packet p;
    REQUIRE(tcpfsm::parse_tcp_packet(ipv6_synack.data(), ipv6_synack.size(), p) == wire_error::ok);
    CHECK(p.ip_version == 6);
    CHECK(p.tcp.payload_offset == 80);
}

TEST_CASE("wire: IPv6 data segment captured from Linux", "[wire]") {
    tcpfsm::tcp_packet p;
    REQUIRE(tcpfsm::parse_tcp_packet(ipv6_data.data(), ipv6_data.size(), p) == wire_error::ok);
    CHECK(p.ip6.flow_label == 0x38176);
    CHECK(p.ip6.payload_length == 38);
    CHECK(p.tcp.seq == 747653464u);
    CHECK(p.tcp.ack == 2846491949u);
    CHECK(p.tcp.window == 64);
    CHECK(p.tcp.checksum == 0x71bf);
    CHECK(p.tcp.options.ts_val == 3952849532u);
    CHECK(p.tcp.options.ts_ecr == 1347477896u);
    CHECK(p.tcp.payload_offset == 72);
    CHECK(p.tcp.payload_length == 6);
    CHECK(tcpfsm::tcp_checksum_ipv6(v6_a, v6_b, nullptr, 0) != 0);  // null data: pseudo-header only

    const std::uint8_t text[] = {'h', 'e', 'l', 'l', 'o', '\n'};
    std::uint8_t out[38] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv6(p.tcp, v6_a, v6_b, text, 6, out, sizeof out, n) == wire_error::ok);
    CHECK(bytes(out, out + n) == tail(ipv6_data, 40));
}

TEST_CASE("wire: every truncation of a valid packet is an error, never a crash", "[wire]") {
    for (const bytes* pkt : {&ipv4_syn, &ipv4_data, &ipv6_synack, &ipv6_data}) {
        for (std::size_t len = 0; len < pkt->size(); ++len) {
            CAPTURE(len);
            const bytes b = slice(*pkt, 0, len);  // exact size: ASan sees any over-read
            const std::uint8_t* d = b.empty() ? nullptr : b.data();
            tcpfsm::tcp_packet p;
            CHECK(tcpfsm::parse_tcp_packet(d, len, p) != wire_error::ok);
            tcpfsm::ipv4_header h4;
            tcpfsm::ipv6_header h6;
            CHECK(tcpfsm::parse_ipv4(d, len, h4) != wire_error::ok);
            CHECK(tcpfsm::parse_ipv6(d, len, h6) != wire_error::ok);
        }
    }
    // The TCP segments alone: every prefix shorter than the header (40 octets for both SYNs).
    for (const bytes* seg_of : {&ipv4_syn, &ipv6_synack}) {
        const bytes seg = tail(*seg_of, seg_of == &ipv4_syn ? 20 : 40);
        for (std::size_t len = 0; len < seg.size(); ++len) {
            CAPTURE(len);
            tcpfsm::tcp_header h;
            const wire_error e = parse_copy(slice(seg, 0, len), h);
            CHECK(e != wire_error::ok);
            CHECK((len < 20 ? e == wire_error::truncated : e == wire_error::bad_data_offset));
        }
    }
    tcpfsm::tcp_header h;
    CHECK(tcpfsm::parse_tcp(nullptr, 5, h) == wire_error::bad_argument);
}

TEST_CASE("wire: bad data offset", "[wire]") {
    bytes seg = tail(ipv4_syn, 20);
    tcpfsm::tcp_header h;
    seg[12] = 0x40;  // 4 words: shorter than the fixed header
    CHECK(parse_copy(seg, h) == wire_error::bad_data_offset);
    seg[12] = 0x00;
    CHECK(parse_copy(seg, h) == wire_error::bad_data_offset);
    seg[12] = 0xf0;  // 15 words = 60 octets, past the 40-octet buffer
    CHECK(parse_copy(seg, h) == wire_error::bad_data_offset);
    seg.resize(60, 0);  // now it fits: 40 octets of options, the rest EOL padding
    CHECK(parse_copy(seg, h) == wire_error::ok);
    CHECK(h.payload_offset == 60);
    CHECK(h.options.mss == 1460);
}

TEST_CASE("wire: bad option lengths", "[wire]") {
    tcpfsm::tcp_header h;
    // In the captured SYN: MSS length 0 and 1.
    bytes seg = tail(ipv4_syn, 20);
    seg[21] = 0;
    CHECK(parse_copy(seg, h) == wire_error::bad_option_length);
    seg[21] = 1;
    CHECK(parse_copy(seg, h) == wire_error::bad_option_length);
    // Window scale (the last option, at 37) claiming 4 octets where 3 remain.
    seg = tail(ipv4_syn, 20);
    REQUIRE(seg[37] == 3);
    seg[38] = 4;
    CHECK(parse_copy(seg, h) == wire_error::bad_option_length);
    // Timestamps claiming 255.
    seg = tail(ipv4_syn, 20);
    seg[27] = 255;
    CHECK(parse_copy(seg, h) == wire_error::bad_option_length);
    // A kind in the last octet of the header, with no room for its length.
    CHECK(parse_copy(tcp_with_options({1, 1, 1, 2}), h) == wire_error::bad_option_length);
    CHECK(parse_copy(tcp_with_options({1, 1, 1, 99}), h) == wire_error::bad_option_length);
    // An unknown kind with length 0 (would loop forever if accepted).
    CHECK(parse_copy(tcp_with_options({99, 0, 1, 1}), h) == wire_error::bad_option_length);
    // NOPs and EOL alone are fine, as is anything after EOL.
    CHECK(parse_copy(tcp_with_options({1, 1, 1, 1}), h) == wire_error::ok);
    CHECK(parse_copy(tcp_with_options({1, 0, 99, 0}), h) == wire_error::ok);
    CHECK(h.options.unknown == 0);
}

TEST_CASE("wire: unknown options skipped by length, known kinds of wrong length ignored", "[wire]") {
    tcpfsm::tcp_header h;
    const bytes opts = {
        5, 10, 0, 0, 0, 1, 0, 0, 0, 2,  // SACK block (RFC 2018): unknown here, skipped
        30, 4, 0xaa, 0xbb,              // MPTCP-ish kind 30: skipped
        2, 3, 0x05,                     // MSS with length 3: ignored (Linux does the same)
        1,                              // NOP
        3, 3, 7,                        // window scale 7
        0,                              // EOL
        2, 4, 0x01, 0x00,               // after EOL: not an option
    };
    REQUIRE(opts.size() == 26);
    bytes o = opts;
    o.resize(28, 0);
    REQUIRE(parse_copy(tcp_with_options(o), h) == wire_error::ok);
    CHECK(h.options.unknown == 3);
    CHECK_FALSE(h.options.has_mss);
    CHECK(h.options.has_window_scale);
    CHECK(h.options.window_scale == 7);
    CHECK_FALSE(h.options.has_timestamps);
    CHECK(h.data_offset == 12);
}

TEST_CASE("wire: round trip of a header with every option kind", "[wire]") {
    tcpfsm::tcp_header h;
    h.src_port = 0xfedc;
    h.dst_port = 80;
    h.seq = 0xfffffff0u;
    h.ack = 0x80000001u;
    h.reserved = 0x1;  // RFC 9293 §3.1 Rsrvd, kept as is
    h.flags = static_cast<std::uint8_t>(ctl::syn | ctl::ack | ctl::urg | tcpfsm::ctl_ecn::ece | tcpfsm::ctl_ecn::cwr);
    h.window = 0xffff;
    h.urgent = 0x1234;
    h.options.has_mss = true;
    h.options.mss = 536;
    h.options.has_window_scale = true;
    h.options.window_scale = 14;
    h.options.sack_permitted = true;
    h.options.has_timestamps = true;
    h.options.ts_val = 0xdeadbeefu;
    h.options.ts_ecr = 1;

    for (int variant = 0; variant < 4; ++variant) {
        CAPTURE(variant);
        tcpfsm::tcp_header g = h;
        g.options.sack_permitted = (variant & 1) != 0;
        g.options.has_timestamps = (variant & 2) != 0;
        std::uint8_t buf[60] = {};
        std::size_t n = 0;
        REQUIRE(tcpfsm::serialize_tcp_ipv4(g, v4_a, v4_b, nullptr, 0, buf, sizeof buf, n) == wire_error::ok);
        CHECK(n % 4 == 0);
        CHECK(tcpfsm::verify_tcp_checksum_ipv4(v4_a, v4_b, buf, n));
        tcpfsm::tcp_header r;
        REQUIRE(parse_copy(bytes(buf, buf + n), r) == wire_error::ok);
        CHECK(r.src_port == g.src_port);
        CHECK(r.dst_port == g.dst_port);
        CHECK(r.seq == g.seq);
        CHECK(r.ack == g.ack);
        CHECK(r.reserved == g.reserved);
        CHECK(r.flags == g.flags);
        CHECK(r.window == g.window);
        CHECK(r.urgent == g.urgent);
        CHECK(std::size_t{r.data_offset} * 4 == n);
        CHECK(r.options.has_mss);
        CHECK(r.options.mss == 536);
        CHECK(r.options.has_window_scale);
        CHECK(r.options.window_scale == 14);
        CHECK(r.options.sack_permitted == g.options.sack_permitted);
        CHECK(r.options.has_timestamps == g.options.has_timestamps);
        if (g.options.has_timestamps) {
            CHECK(r.options.ts_val == 0xdeadbeefu);
            CHECK(r.options.ts_ecr == 1);
        }
        CHECK(r.options.unknown == 0);
        CHECK(r.payload_length == 0);
    }
    // No options: a bare 20-octet header.
    tcpfsm::tcp_header bare;
    std::uint8_t buf[20] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp(bare, buf, sizeof buf, n) == wire_error::ok);
    CHECK(n == 20);
    CHECK(buf[12] == 0x50);
}

TEST_CASE("wire: to_segment / from_segment", "[wire]") {
    tcpfsm::segment s;
    s.seq = 100;
    s.ack = 200;
    s.flags = static_cast<std::uint8_t>(ctl::syn | ctl::ack);
    s.window = 1000;
    s.mss = 1460;
    s.text_length = 0;
    const tcpfsm::tcp_header h = tcpfsm::from_segment(s, 1, 2);
    CHECK(h.src_port == 1);
    CHECK(h.dst_port == 2);
    CHECK(h.options.has_mss);
    CHECK(h.data_offset == 6);
    std::uint8_t buf[24] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp(h, buf, sizeof buf, n) == wire_error::ok);
    tcpfsm::tcp_header r;
    REQUIRE(parse_copy(bytes(buf, buf + n), r) == wire_error::ok);
    const tcpfsm::segment t = tcpfsm::to_segment(r);
    CHECK(t.seq == 100);
    CHECK(t.ack == 200);
    CHECK(t.flags == s.flags);
    CHECK(t.window == 1000);
    CHECK(t.mss == 1460);
    CHECK(t.text_length == 0);
    // ECE/CWR stay out of segment::flags.
    r.flags = static_cast<std::uint8_t>(r.flags | tcpfsm::ctl_ecn::ece | tcpfsm::ctl_ecn::cwr);
    CHECK(tcpfsm::to_segment(r).flags == s.flags);
    s.mss = 0;
    CHECK_FALSE(tcpfsm::from_segment(s, 1, 2).options.has_mss);
}

TEST_CASE("wire: bad checksums", "[wire]") {
    tcpfsm::tcp_packet p;
    bytes b = ipv4_data;
    b.back() ^= 0x01;  // one bit of the text
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    CHECK_FALSE(tcpfsm::verify_tcp_checksum_ipv4(v4_a, v4_b, b.data() + 20, b.size() - 20));
    b = ipv4_data;
    b[36] ^= 0x80;  // the TCP checksum field itself
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    b = ipv4_data;
    b[8] = 63;  // TTL: the IPv4 header checksum no longer verifies
    tcpfsm::ipv4_header h4;
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::bad_checksum);
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    b = ipv6_data;
    b[45] ^= 0x01;  // source port
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    b = ipv6_data;
    b[23] = 3;  // source address: the pseudo-header changes
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
}

TEST_CASE("wire: IPv4 header options are skipped", "[wire]") {
    // The captured SYN with a 4-octet option area (NOP NOP NOP EOL) inserted: IHL 6, Total
    // Length 64. Header checksum computed independently in Python:
    //   w = bytes.fromhex('4600 0040 c433 4000 4006 0000 0ac8 0001 0ac8 0002 0101 0100')
    //   s = sum(int.from_bytes(w[i:i+2], 'big') for i in range(0, 24, 2))
    //   while s > 0xffff: s = (s & 0xffff) + (s >> 16)
    //   hex(~s & 0xffff) == '0x5df1'
    // The TCP checksum is unchanged: the pseudo-header does not include IP options.
    bytes b = {0x46, 0x00, 0x00, 0x40, 0xc4, 0x33, 0x40, 0x00, 0x40, 0x06, 0x5d, 0xf1,
               0x0a, 0xc8, 0x00, 0x01, 0x0a, 0xc8, 0x00, 0x02, 0x01, 0x01, 0x01, 0x00};
    const bytes seg = tail(ipv4_syn, 20);
    b.insert(b.end(), seg.begin(), seg.end());
    tcpfsm::tcp_packet p;
    REQUIRE(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::ok);
    CHECK(p.ip4.ihl == 6);
    CHECK(p.ip4.payload_offset == 24);
    CHECK(p.ip4.payload_length == 40);
    CHECK(p.tcp.seq == 3391041009u);
    CHECK(p.tcp.payload_offset == 64);
    for (std::size_t len = 0; len < b.size(); ++len) {
        const bytes c = slice(b, 0, len);
        CHECK(tcpfsm::parse_tcp_packet(c.empty() ? nullptr : c.data(), len, p) != wire_error::ok);
    }
    // Link-layer padding after Total Length is ignored.
    bytes padded = ipv4_syn;
    padded.resize(padded.size() + 6, 0);
    REQUIRE(tcpfsm::parse_tcp_packet(padded.data(), padded.size(), p) == wire_error::ok);
    CHECK(p.tcp.payload_length == 0);
}

TEST_CASE("wire: malformed IP headers", "[wire]") {
    tcpfsm::ipv4_header h4;
    tcpfsm::ipv6_header h6;
    tcpfsm::tcp_packet p;
    bytes b = ipv4_syn;
    b[0] = 0x44;  // IHL 4
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::bad_header_length);
    b[0] = 0x4f;  // IHL 15 = 60 octets: fits in the buffer, but Total Length 60 leaves no room
    CHECK(tcpfsm::parse_ipv4(b.data(), 59, h4) == wire_error::truncated);
    b = ipv4_syn;
    b[2] = 0;
    b[3] = 19;  // Total Length < header
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::bad_total_length);
    b = ipv4_syn;
    b[0] = 0x55;
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::bad_version);
    CHECK(tcpfsm::parse_ipv6(ipv4_syn.data(), ipv4_syn.size(), h6) == wire_error::bad_version);
    CHECK(tcpfsm::parse_ipv4(ipv6_synack.data(), ipv6_synack.size(), h4) == wire_error::bad_version);
    b[0] = 0x75;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_version);

    // A UDP packet is reported as such, with the header filled in. (Protocol 17 changes the
    // checksum word 0x4006 -> 0x4011: 0x60f6 - 0x000b = 0x60eb.)
    b = ipv4_syn;
    b[9] = 17;
    b[10] = 0x60;
    b[11] = 0xeb;
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::not_tcp);
    CHECK(h4.protocol == 17);
    // A fragment (MF set: 0x4000 -> 0x6000, checksum 0x60f6 - 0x2000 = 0x40f6).
    b = ipv4_syn;
    b[6] = 0x60;
    b[10] = 0x40;
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::fragment);

    // IPv6: extension headers are refused clearly; other upper layers are not TCP.
    for (int nhi : {0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254}) {
        const auto nh = static_cast<std::uint8_t>(nhi);
        b = ipv6_synack;
        b[6] = nh;
        CHECK(tcpfsm::parse_ipv6(b.data(), b.size(), h6) == wire_error::extension_header);
        CHECK(h6.next_header == nh);
        CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::extension_header);
    }
    b = ipv6_synack;
    b[6] = 17;
    CHECK(tcpfsm::parse_ipv6(b.data(), b.size(), h6) == wire_error::not_tcp);
    b = ipv6_synack;
    b[4] = 0;
    b[5] = 41;  // Payload Length one past the buffer
    CHECK(tcpfsm::parse_ipv6(b.data(), b.size(), h6) == wire_error::truncated);
    b[5] = 0;  // zero payload: no room for TCP
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::truncated);

    CHECK(std::string(tcpfsm::description(wire_error::extension_header)) == "IPv6 extension header");
}

// The serializers sum the header from its field values (wire_detail::tcp_header_words) and
// the text from where it comes from; the verifiers sum the octets as they lie in the buffer.
// Every option combination, odd and even text lengths, text copied or in place, both pseudo-
// headers: the octets must verify.
TEST_CASE("wire: serialized checksums verify over the octets, every option combination", "[wire]") {
    std::uint64_t x = 0x9e3779b97f4a7c15ull;
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (int round = 0; round < 512; ++round) {
        const unsigned combo = static_cast<unsigned>(round) % 16u;
        tcpfsm::tcp_header h;
        h.src_port = static_cast<std::uint16_t>(next());
        h.dst_port = static_cast<std::uint16_t>(next());
        h.seq = static_cast<std::uint32_t>(next());
        h.ack = static_cast<std::uint32_t>(next());
        h.reserved = static_cast<std::uint8_t>(next() & 0x0fu);
        h.flags = static_cast<std::uint8_t>(next());
        h.window = static_cast<std::uint16_t>(next());
        h.urgent = static_cast<std::uint16_t>(next());
        h.checksum = static_cast<std::uint16_t>(next());  // not read: the serializer computes it
        h.options.has_mss = (combo & 1u) != 0;
        h.options.mss = static_cast<std::uint16_t>(next());
        h.options.sack_permitted = (combo & 2u) != 0;
        h.options.has_timestamps = (combo & 4u) != 0;
        h.options.ts_val = static_cast<std::uint32_t>(next());
        h.options.ts_ecr = static_cast<std::uint32_t>(next());
        h.options.has_window_scale = (combo & 8u) != 0;
        h.options.window_scale = static_cast<std::uint8_t>(next() % 15);
        std::uint8_t text[101];
        for (auto& b : text) b = static_cast<std::uint8_t>(next());
        const std::size_t text_len = static_cast<std::size_t>(next() % 102);
        const bool in_place = (round & 16) != 0;
        CAPTURE(combo, text_len, in_place);
        std::uint8_t buf[200] = {};
        const std::size_t hl = tcpfsm::tcp_header_length(h);
        if (in_place) std::memcpy(buf + hl, text, text_len);
        std::size_t n = 0;
        REQUIRE(tcpfsm::serialize_tcp_ipv4(h, v4_a, v4_b, in_place ? buf + hl : text, text_len, buf, sizeof buf, n) ==
                wire_error::ok);
        CHECK(n == hl + text_len);
        CHECK(tcpfsm::verify_tcp_checksum_ipv4(v4_a, v4_b, buf, n));
        CHECK(std::memcmp(buf + hl, text, text_len) == 0);
        std::uint8_t buf6[200] = {};
        if (in_place) std::memcpy(buf6 + hl, text, text_len);
        REQUIRE(tcpfsm::serialize_tcp_ipv6(h, v6_a, v6_b, in_place ? buf6 + hl : text, text_len, buf6, sizeof buf6, n) ==
                wire_error::ok);
        CHECK(tcpfsm::verify_tcp_checksum_ipv6(v6_a, v6_b, buf6, n));
        // The IPv4 header's checksum, summed from the fields, verifies over its octets.
        tcpfsm::ipv4_header ip;
        ip.tos = static_cast<std::uint8_t>(next());
        ip.total_length = static_cast<std::uint16_t>(20 + next() % 1000);
        ip.identification = static_cast<std::uint16_t>(next());
        ip.flags = static_cast<std::uint8_t>(next() & 0x7u);
        ip.fragment_offset = static_cast<std::uint16_t>(next() & 0x1fffu);
        ip.ttl = static_cast<std::uint8_t>(next());
        ip.src = v4_a;
        ip.dst = v4_b;
        std::uint8_t ip_out[20];
        REQUIRE(tcpfsm::serialize_ipv4(ip, ip_out, sizeof ip_out, n) == wire_error::ok);
        CHECK(tcpfsm::internet_checksum_ok(ip_out, 20));
    }
}

// A capture on the sending host with checksum offload: the TCP checksum field holds zero (or
// the partial pseudo-header sum). The captured data segments with their checksum zeroed or
// corrupted: verification on reports bad_checksum with the headers parsed and the payload
// offset counted from the start of the packet; verification off parses them as ok.
TEST_CASE("wire: parse_tcp_packet with checksum verification off, and the payload offset either way", "[wire]") {
    const bytes hello = {'h', 'e', 'l', 'l', 'o', '\n'};
    struct capture {
        const bytes* packet;
        std::size_t checksum_at;     // the TCP checksum field: IP header length + 16
        std::size_t payload_offset;  // IP header + TCP header with its 12 octets of options
    };
    for (const capture& c : {capture{&ipv4_data, 20 + 16, 20 + 32}, capture{&ipv6_data, 40 + 16, 40 + 32}}) {
        for (const std::uint16_t field : {std::uint16_t{0}, std::uint16_t{0xbeef}}) {
            bytes b = *c.packet;
            b[c.checksum_at] = static_cast<std::uint8_t>(field >> 8);
            b[c.checksum_at + 1] = static_cast<std::uint8_t>(field & 0xffu);
            tcpfsm::tcp_packet p;
            CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
            CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p, tcpfsm::parse_options{true}) ==
                  wire_error::bad_checksum);
            CHECK(p.tcp.checksum == field);
            CHECK(p.tcp.payload_offset == c.payload_offset);
            CHECK(p.tcp.payload_length == 6);
            CHECK(slice(b, p.tcp.payload_offset, p.tcp.payload_length) == hello);

            tcpfsm::parse_options no_verify;
            no_verify.verify_checksums = false;
            tcpfsm::tcp_packet q;
            REQUIRE(tcpfsm::parse_tcp_packet(b.data(), b.size(), q, no_verify) == wire_error::ok);
            CHECK(q.tcp.checksum == field);
            CHECK(q.tcp.seq == p.tcp.seq);
            CHECK(q.tcp.payload_offset == c.payload_offset);
            CHECK(slice(b, q.tcp.payload_offset, q.tcp.payload_length) == hello);
        }
    }

    // The IPv4 header checksum zeroed as well: reported with verification on, with the TCP
    // header still parsed; skipped with it off.
    bytes b = ipv4_data;
    b[10] = 0;
    b[11] = 0;
    b[36] = 0;
    b[37] = 0;
    tcpfsm::tcp_packet p;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    CHECK(p.ip4.payload_offset == 20);
    CHECK(p.tcp.seq == 3391041010u);
    CHECK(p.tcp.payload_offset == 52);
    tcpfsm::ipv4_header h4;
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4) == wire_error::bad_checksum);
    CHECK(h4.payload_offset == 20);
    CHECK(h4.payload_length == 38);
    CHECK(tcpfsm::parse_ipv4(b.data(), b.size(), h4, tcpfsm::parse_options{false}) == wire_error::ok);
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p, tcpfsm::parse_options{false}) == wire_error::ok);
    CHECK(p.tcp.payload_offset == 52);
    // A bad IPv4 header checksum on a packet that is not TCP: the TCP parser is not reached.
    b[9] = 17;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    CHECK(p.tcp.seq == 0u);
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p, tcpfsm::parse_options{false}) == wire_error::not_tcp);
}

// parse_tcp_packet empties each header once, the ones the packet does not reach included:
// nothing of an earlier packet parsed into the same tcp_packet survives an error or the
// other IP version.
TEST_CASE("wire: parse_tcp_packet into a reused tcp_packet keeps nothing of the last packet", "[wire]") {
    const auto tcp_empty = [](const tcpfsm::tcp_header& h) {
        return h.src_port == 0 && h.dst_port == 0 && h.seq == 0 && h.ack == 0 && h.flags == 0 && h.window == 0 &&
               h.checksum == 0 && !h.options.has_mss && !h.options.has_timestamps && h.payload_offset == 0 &&
               h.payload_length == 0;
    };
    const auto ip4_empty = [](const tcpfsm::ipv4_header& h) {
        return h.total_length == 0 && h.identification == 0 && h.checksum == 0 &&
               same(h.src, tcpfsm::ipv4_address{}) && same(h.dst, tcpfsm::ipv4_address{}) && h.payload_length == 0;
    };
    const auto ip6_empty = [](const tcpfsm::ipv6_header& h) {
        return h.flow_label == 0 && h.payload_length == 0 && same(h.src, tcpfsm::ipv6_address{}) &&
               same(h.dst, tcpfsm::ipv6_address{}) && h.payload_offset == 0;
    };
    tcpfsm::tcp_packet p;
    // IPv6, then IPv4: the IPv6 header is emptied.
    REQUIRE(tcpfsm::parse_tcp_packet(ipv6_synack.data(), ipv6_synack.size(), p) == wire_error::ok);
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_data.data(), ipv4_data.size(), p) == wire_error::ok);
    CHECK(p.ip_version == 4);
    CHECK(ip6_empty(p.ip6));
    CHECK(p.tcp.seq == 3391041010u);
    // IPv4 with IHL 4 (an error before TCP): the TCP header and the IPv6 header are empty.
    REQUIRE(tcpfsm::parse_tcp_packet(ipv6_synack.data(), ipv6_synack.size(), p) == wire_error::ok);
    bytes b = ipv4_data;
    b[0] = 0x44;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_header_length);
    CHECK(tcp_empty(p.tcp));
    CHECK(ip6_empty(p.ip6));
    // A bad IPv4 header checksum on UDP: reported at once, TCP empty.
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_data.data(), ipv4_data.size(), p) == wire_error::ok);
    b = ipv4_data;
    b[9] = 17;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_checksum);
    CHECK(tcp_empty(p.tcp));
    // IPv4, then IPv6 with an extension header: the IPv4 and TCP headers are empty.
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_data.data(), ipv4_data.size(), p) == wire_error::ok);
    b = ipv6_data;
    b[6] = 43;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::extension_header);
    CHECK(p.ip_version == 6);
    CHECK(ip4_empty(p.ip4));
    CHECK(tcp_empty(p.tcp));
    // IPv6, then an IPv6 packet parsed whole: the IPv4 header stays empty.
    REQUIRE(tcpfsm::parse_tcp_packet(ipv4_data.data(), ipv4_data.size(), p) == wire_error::ok);
    REQUIRE(tcpfsm::parse_tcp_packet(ipv6_data.data(), ipv6_data.size(), p) == wire_error::ok);
    CHECK(ip4_empty(p.ip4));
    CHECK(p.tcp.payload_length == 6);
    // A bad version after a whole packet: everything empty.
    b = ipv4_data;
    b[0] = 0x75;
    CHECK(tcpfsm::parse_tcp_packet(b.data(), b.size(), p) == wire_error::bad_version);
    CHECK(p.ip_version == 0);
    CHECK(ip4_empty(p.ip4));
    CHECK(ip6_empty(p.ip6));
    CHECK(tcp_empty(p.tcp));
}

// The pseudo-headers (RFC 9293 §3.1, RFC 8200 §8.1) summed by their definition: the 16-bit
// words of the addresses, the protocol 6 and the TCP length, as the octets a pseudo-header
// lays out, through sum_by_definition.
TEST_CASE("wire: pseudo-header sums equal the one's complement sum of the pseudo-header", "[wire]") {
    std::uint64_t x = 0x2545f4914f6cdd1dull;  // xorshift64, seeded
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    for (int round = 0; round < 2000; ++round) {
        const unsigned mode = static_cast<unsigned>(round % 4);  // random, all ones, all zeros, mixed
        const auto octet = [&] {
            const std::uint64_t r = next();
            return mode == 0 ? static_cast<std::uint8_t>(r) : mode == 1 ? std::uint8_t{0xff} : mode == 2 ? std::uint8_t{0} : static_cast<std::uint8_t>((r & 1) != 0 ? 0xff : 0);
        };
        tcpfsm::ipv4_address s4, d4;
        tcpfsm::ipv6_address s6, d6;
        for (auto& o : s4.bytes) o = octet();
        for (auto& o : d4.bytes) o = octet();
        for (auto& o : s6.bytes) o = octet();
        for (auto& o : d6.bytes) o = octet();
        const std::size_t len = static_cast<std::size_t>(next() % 65536);
        // IPv4: src, dst, zero, PTCL, TCP length (16 bits).
        std::vector<std::uint8_t> ph4(s4.bytes, s4.bytes + 4);
        ph4.insert(ph4.end(), d4.bytes, d4.bytes + 4);
        ph4.insert(ph4.end(), {0, 6, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len & 0xff)});
        INFO("round " << round << ", length " << len);
        CHECK(tcpfsm::pseudo_header_sum_ipv4(s4, d4, len) == sum_by_definition(ph4, 0));
        // IPv6: src, dst, 32-bit length, three zero octets, next header.
        std::vector<std::uint8_t> ph6(s6.bytes, s6.bytes + 16);
        ph6.insert(ph6.end(), d6.bytes, d6.bytes + 16);
        ph6.insert(ph6.end(), {0, 0, static_cast<std::uint8_t>(len >> 8), static_cast<std::uint8_t>(len & 0xff), 0, 0, 0, 6});
        CHECK(tcpfsm::pseudo_header_sum_ipv6(s6, d6, len) == sum_by_definition(ph6, 0));
    }
}
