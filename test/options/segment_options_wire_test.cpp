// segment_options on the wire (option_codec.hpp): a segment and its options written as a
// whole TCP segment with checksum, IPv4 and IPv6, and read back. Expected octets are written
// out by hand from RFC 9293 §3.1 (the fixed header), RFC 2018 §3 (SACK: kind 5, length
// 2 + 8n), RFC 7323 §3.2 (timestamps: kind 8, length 10) and the order of Linux's
// tcp_options_write (MSS; SACK-permitted + timestamps or NOP,NOP + timestamps; NOP,NOP +
// SACK-permitted; NOP + window scale; NOP,NOP + SACK blocks). Checksums are checked by
// summing a pseudo-header built in the test with the segment (RFC 1071).
#include <tcpfsm/options/option_codec.hpp>
#include <tcpfsm/wire.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>

namespace opts = tcpfsm::options;
using tcpfsm::wire_error;

namespace {

const tcpfsm::ipv4_address sow_a4{{10, 0, 0, 1}};
const tcpfsm::ipv4_address sow_b4{{10, 0, 0, 2}};
const tcpfsm::ipv6_address sow_a6{{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const tcpfsm::ipv6_address sow_b6{{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

// The IPv4 pseudo-header (RFC 9293 §3.1) followed by the segment, and its one's complement
// sum: all ones when the segment's checksum is right (RFC 1071 §1 (3)).
bool sow_checksum_ok_ipv4(const std::uint8_t* seg, std::size_t len) {
    std::uint8_t buf[12 + 128] = {};
    for (int i = 0; i < 4; ++i) buf[i] = sow_a4.bytes[i];
    for (int i = 0; i < 4; ++i) buf[4 + i] = sow_b4.bytes[i];
    buf[9] = 6;
    buf[10] = static_cast<std::uint8_t>(len >> 8);
    buf[11] = static_cast<std::uint8_t>(len & 0xffu);
    for (std::size_t i = 0; i < len; ++i) buf[12 + i] = seg[i];
    return tcpfsm::internet_checksum_ok(buf, 12 + len);
}
// RFC 8200 §8.1: source, destination, 32-bit length, three zeros, next header 6.
bool sow_checksum_ok_ipv6(const std::uint8_t* seg, std::size_t len) {
    std::uint8_t buf[40 + 128] = {};
    for (int i = 0; i < 16; ++i) buf[i] = sow_a6.bytes[i];
    for (int i = 0; i < 16; ++i) buf[16 + i] = sow_b6.bytes[i];
    buf[34] = static_cast<std::uint8_t>(len >> 8);
    buf[35] = static_cast<std::uint8_t>(len & 0xffu);
    buf[39] = 6;
    for (std::size_t i = 0; i < len; ++i) buf[40 + i] = seg[i];
    return tcpfsm::internet_checksum_ok(buf, 40 + len);
}

opts::sack_block_list sow_blocks(std::size_t n) {
    opts::sack_block_list l{};
    const tcpfsm::seq_block all[4] = {{0x00001000u, 0x00002000u}, {0x00003000u, 0x00004000u},
                                      {0x00005000u, 0x00006000u}, {0x00007000u, 0x00008000u}};
    for (std::size_t i = 0; i < n; ++i) l.blocks[l.count++] = all[i];
    return l;
}

tcpfsm::segment sow_ack(std::uint32_t seq, std::uint32_t ack, std::uint16_t window, std::uint32_t text) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ack;
    s.window = window;
    s.flags = tcpfsm::ctl::ack;
    s.text_length = text;
    return s;
}

void sow_check_octets(const std::uint8_t* got, const std::uint8_t* expected, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        INFO("octet " << i);
        CHECK(got[i] == expected[i]);
    }
}

}  // namespace

TEST_CASE("segment options on the wire: an ACK with timestamps and three SACK blocks is 60 octets",
          "[options][codec][wire]") {
    const tcpfsm::segment s = sow_ack(0x01020304u, 0x0a0b0c0du, 0x1234, 0);
    tcpfsm::segment_options o{};
    o.has_timestamps = true;
    o.ts_val = 0x11223344u;
    o.ts_ecr = 0x55667788u;
    o.sack = sow_blocks(3);
    const tcpfsm::tcp_header h = tcpfsm::from_segment(s, o, 5000, 80);
    CHECK(tcpfsm::tcp_header_length(h, o.sack) == 60u);
    std::uint8_t out[60] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, nullptr, 0, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 60u);
    const std::uint8_t expected[60] = {
        0x13, 0x88, 0x00, 0x50,                          // ports 5000, 80
        0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,  // SEQ, ACK
        0xf0, 0x10, 0x12, 0x34,                          // Data Offset 15, ACK; window
        0, 0, 0, 0,                                      // checksum (checked below), urgent
        1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,  // NOP NOP timestamps
        1, 1, 5, 26,                                                   // NOP NOP SACK, 2 + 3 * 8
        0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0x30, 0, 0, 0, 0x40, 0, 0, 0, 0x50, 0, 0, 0, 0x60, 0,
    };
    sow_check_octets(out, expected, 16);
    CHECK(out[18] == 0);
    CHECK(out[19] == 0);
    sow_check_octets(out + 20, expected + 20, 40);
    CHECK(sow_checksum_ok_ipv4(out, n));
    CHECK(tcpfsm::verify_tcp_checksum_ipv4(sow_a4, sow_b4, out, n));
}

TEST_CASE("segment options on the wire: four SACK blocks alone, not four beside timestamps", "[options][codec][wire]") {
    const tcpfsm::segment s = sow_ack(1, 2, 3, 0);
    tcpfsm::segment_options o{};
    o.sack = sow_blocks(4);
    tcpfsm::tcp_header h = tcpfsm::from_segment(s, o, 1, 2);
    std::uint8_t out[64] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, nullptr, 0, out, sizeof out, n) == wire_error::ok);
    // 20 + NOP NOP + 2 + 4 * 8 = 56, Data Offset 14.
    REQUIRE(n == 56u);
    CHECK(out[12] == 0xe0);
    const std::uint8_t head[4] = {1, 1, 5, 34};
    sow_check_octets(out + 20, head, 4);
    CHECK(out[24 + 3 * 8 + 6] == 0x80);  // the fourth block's right edge 0x00008000
    CHECK(sow_checksum_ok_ipv4(out, n));

    o.has_timestamps = true;
    h = tcpfsm::from_segment(s, o, 1, 2);
    n = 99;
    CHECK(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, nullptr, 0, out, sizeof out, n) ==
          wire_error::bad_option_length);
    CHECK(n == 0u);
    CHECK(tcpfsm::serialize_tcp_ipv6(h, o.sack, sow_a6, sow_b6, nullptr, 0, out, sizeof out, n) ==
          wire_error::bad_option_length);
    // options::sack_blocks_that_fit says three: 12 + 4 + 24 = 40.
    o.sack.count = opts::sack_blocks_that_fit(true);
    REQUIRE(o.sack.count == 3u);
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, nullptr, 0, out, sizeof out, n) == wire_error::ok);
    CHECK(n == 60u);
    CHECK(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, nullptr, 0, out, 59, n) == wire_error::buffer_too_small);
}

TEST_CASE("segment options on the wire: a SYN with every option, as Linux writes it", "[options][codec][wire]") {
    tcpfsm::segment s;
    s.seq = 0xfffffff0u;
    s.flags = tcpfsm::ctl::syn;
    s.window = 65535;
    s.mss = 1460;
    s.window_scale = 7;
    tcpfsm::segment_options o{};
    o.sack_permitted = true;
    o.has_timestamps = true;
    o.ts_val = 0x01020304u;
    const tcpfsm::tcp_header h = tcpfsm::from_segment(s, o, 40000, 443);
    std::uint8_t out[64] = {};
    std::size_t n = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv6(h, o.sack, sow_a6, sow_b6, nullptr, 0, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 40u);
    const std::uint8_t expected[40] = {
        0x9c, 0x40, 0x01, 0xbb, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0,  // ports, SEQ, ACK 0
        0xa0, 0x02, 0xff, 0xff, 0, 0, 0, 0,                          // Data Offset 10, SYN
        2, 4, 0x05, 0xb4,                                            // MSS 1460
        4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0,                         // SACK-permitted, timestamps
        1, 3, 3, 7,                                                  // NOP, window scale 7
    };
    sow_check_octets(out, expected, 16);
    sow_check_octets(out + 18, expected + 18, 22);
    CHECK(sow_checksum_ok_ipv6(out, n));

    // A SYN,ACK answering a SYN with SACK-permitted but no timestamps:
    // MSS, NOP NOP SACK-permitted, NOP window scale.
    s.flags = tcpfsm::ctl::syn | tcpfsm::ctl::ack;
    o.has_timestamps = false;
    const tcpfsm::tcp_header h2 = tcpfsm::from_segment(s, o, 443, 40000);
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h2, o.sack, sow_a4, sow_b4, nullptr, 0, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 32u);
    const std::uint8_t opt2[12] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7};
    CHECK(out[12] == 0x80);
    sow_check_octets(out + 20, opt2, 12);
    CHECK(sow_checksum_ok_ipv4(out, n));
}

TEST_CASE("segment options on the wire: without SACK blocks the octets of the serializer without them",
          "[options][codec][wire]") {
    const tcpfsm::segment s = sow_ack(100, 200, 300, 5);
    const std::uint8_t text[5] = {'h', 'e', 'l', 'l', 'o'};
    tcpfsm::segment_options o{};
    o.has_timestamps = true;
    o.ts_val = 7;
    o.ts_ecr = 9;
    const tcpfsm::tcp_header h = tcpfsm::from_segment(s, o, 1, 2);
    CHECK(h.options.has_timestamps);
    CHECK_FALSE(h.options.has_mss);
    std::uint8_t a[64] = {}, b[64] = {};
    std::size_t na = 0, nb = 0;
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, text, 5, a, sizeof a, na) == wire_error::ok);
    REQUIRE(tcpfsm::serialize_tcp_ipv4(h, sow_a4, sow_b4, text, 5, b, sizeof b, nb) == wire_error::ok);
    REQUIRE(na == 20u + 12u + 5u);
    REQUIRE(nb == na);
    sow_check_octets(a, b, na);
    // The old from_segment leaves the timestamps out.
    CHECK_FALSE(tcpfsm::from_segment(s, 1, 2).options.has_timestamps);
}

TEST_CASE("segment options on the wire: round trips through parse_tcp_packet, IPv4 and IPv6", "[options][codec][wire]") {
    const std::uint8_t text[3] = {1, 2, 3};
    for (int version : {4, 6}) {
        for (std::size_t blocks = 0; blocks <= 3; ++blocks) {
            INFO("IPv" << version << ", " << blocks << " blocks");
            const tcpfsm::segment s = sow_ack(0x80000000u, 0x7fffffffu, 512, 3);
            tcpfsm::segment_options o{};
            o.has_timestamps = true;
            o.ts_val = 0xdeadbeefu;
            o.ts_ecr = 0x01234567u;
            o.sack = sow_blocks(blocks);
            const tcpfsm::tcp_header h = tcpfsm::from_segment(s, o, 7, 8);
            std::uint8_t pkt[128] = {};
            const std::size_t ip_len = version == 4 ? 20u : 40u;
            std::size_t n = 0, ipn = 0;
            // Text in place at out + header length: not copied.
            const std::size_t hl = tcpfsm::tcp_header_length(h, o.sack);
            for (std::size_t i = 0; i < 3; ++i) pkt[ip_len + hl + i] = text[i];
            if (version == 4) {
                REQUIRE(tcpfsm::serialize_tcp_ipv4(h, o.sack, sow_a4, sow_b4, pkt + ip_len + hl, 3, pkt + ip_len,
                                                   sizeof pkt - ip_len, n) == wire_error::ok);
                tcpfsm::ipv4_header ip{};
                ip.src = sow_a4;
                ip.dst = sow_b4;
                ip.total_length = static_cast<std::uint16_t>(20 + n);
                REQUIRE(tcpfsm::serialize_ipv4(ip, pkt, sizeof pkt, ipn) == wire_error::ok);
            } else {
                REQUIRE(tcpfsm::serialize_tcp_ipv6(h, o.sack, sow_a6, sow_b6, pkt + ip_len + hl, 3, pkt + ip_len,
                                                   sizeof pkt - ip_len, n) == wire_error::ok);
                tcpfsm::ipv6_header ip{};
                ip.src = sow_a6;
                ip.dst = sow_b6;
                ip.payload_length = static_cast<std::uint16_t>(n);
                REQUIRE(tcpfsm::serialize_ipv6(ip, pkt, sizeof pkt, ipn) == wire_error::ok);
            }
            REQUIRE(n == 20u + 12u + (blocks > 0 ? 4u + 8u * blocks : 0u) + 3u);
            tcpfsm::tcp_packet p{};
            REQUIRE(tcpfsm::parse_tcp_packet(pkt, ip_len + n, p) == wire_error::ok);
            const tcpfsm::segment back = tcpfsm::to_segment(p.tcp);
            CHECK(back.seq == s.seq);
            CHECK(back.ack == s.ack);
            CHECK(back.window == s.window);
            CHECK(back.text_length == 3u);
            CHECK(pkt[p.tcp.payload_offset + 2] == 3);
            const tcpfsm::segment_options ob = tcpfsm::to_segment_options(p, pkt);
            CHECK_FALSE(ob.sack_permitted);
            CHECK(ob.has_timestamps);
            CHECK(ob.ts_val == 0xdeadbeefu);
            CHECK(ob.ts_ecr == 0x01234567u);
            REQUIRE(ob.sack.count == blocks);
            for (std::size_t i = 0; i < blocks; ++i) {
                CHECK(ob.sack.blocks[i].left == o.sack.blocks[i].left);
                CHECK(ob.sack.blocks[i].right == o.sack.blocks[i].right);
            }
        }
    }
}

TEST_CASE("segment options on the wire: reading a hand-written header", "[options][codec][wire]") {
    // A Linux SYN: mss 1460, sackOK, TS val 0x0a0b0c0d ecr 0, nop, wscale 7.
    const std::uint8_t syn[40] = {
        0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
        2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 0, 1, 3, 3, 7,
    };
    tcpfsm::tcp_header h{};
    REQUIRE(tcpfsm::parse_tcp(syn, sizeof syn, h) == wire_error::ok);
    tcpfsm::segment_options o = tcpfsm::to_segment_options(h, syn);
    CHECK(o.sack_permitted);
    CHECK(o.has_timestamps);
    CHECK(o.ts_val == 0x0a0b0c0du);
    CHECK(o.ts_ecr == 0u);
    CHECK(o.sack.empty());

    // An ACK with NOP NOP SACK(one block 0x10..0x20) and no timestamps; nothing else.
    const std::uint8_t ack[32] = {
        0, 80, 0x9c, 0x40, 0, 0, 0, 2, 0, 0, 0, 1, 0x80, 0x10, 0x01, 0x00, 0, 0, 0, 0,
        1, 1, 5, 10, 0, 0, 0, 0x10, 0, 0, 0, 0x20,
    };
    REQUIRE(tcpfsm::parse_tcp(ack, sizeof ack, h) == wire_error::ok);
    o = tcpfsm::to_segment_options(h, ack);
    CHECK_FALSE(o.sack_permitted);
    CHECK_FALSE(o.has_timestamps);
    REQUIRE(o.sack.count == 1u);
    CHECK(o.sack.blocks[0].left == 0x10u);
    CHECK(o.sack.blocks[0].right == 0x20u);
    CHECK(o.empty() == false);
    // Without the octets, no blocks.
    CHECK(tcpfsm::to_segment_options(h, nullptr).sack.empty());
}
