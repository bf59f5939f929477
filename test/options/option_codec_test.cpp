// The option area with SACK blocks (RFC 2018 §3) in Linux's order, and reading SACK blocks
// back. Expected octets are written out from the RFCs' formats and tcpdump's reading of a
// Linux SYN ("mss 1460,sackOK,TS val .. ecr 0,nop,wscale 7").
#include <tcpfsm/options/option_codec.hpp>
#include <tcpfsm/wire.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>

namespace opts = tcpfsm::options;
using tcpfsm::seq_block;
using tcpfsm::wire_error;

namespace {

opts::sack_block_list oc_test_blocks(std::size_t n) {
    opts::sack_block_list l{};
    const seq_block all[4] = {{0x11111111u, 0x22222222u}, {0x33333333u, 0x44444444u},
                              {0x55555555u, 0x66666666u}, {0x77777777u, 0x88888888u}};
    for (std::size_t i = 0; i < n; ++i) l.blocks[l.count++] = all[i];
    return l;
}

}  // namespace

TEST_CASE("option codec: a SYN's options in Linux's order", "[options][codec]") {
    const tcpfsm::tcp_options o = opts::syn_options(1460, true, true, 0x01020304u, 0, true, 7);
    std::uint8_t out[40] = {};
    std::size_t n = 0;
    REQUIRE(opts::write_options(o, opts::sack_block_list{}, out, sizeof out, n) == wire_error::ok);
    const std::uint8_t expected[20] = {
        2, 4, 0x05, 0xb4,  // MSS 1460
        4, 2,              // SACK-permitted
        8, 10, 1, 2, 3, 4, 0, 0, 0, 0,  // timestamps: TSval 0x01020304, TSecr 0
        1,                 // NOP
        3, 3, 7,           // window scale 7
    };
    REQUIRE(n == 20);
    for (std::size_t i = 0; i < 20; ++i) {
        INFO("octet " << i);
        CHECK(out[i] == expected[i]);
    }
    CHECK(opts::options_length(o, opts::sack_block_list{}) == 20u);

    // The same octets as wire.hpp's serializer writes after the fixed header.
    tcpfsm::tcp_header h{};
    h.options = o;
    std::uint8_t seg[60] = {};
    std::size_t hl = 0;
    REQUIRE(tcpfsm::serialize_tcp(h, seg, sizeof seg, hl) == wire_error::ok);
    REQUIRE(hl == 40);
    for (std::size_t i = 0; i < 20; ++i) CHECK(seg[20 + i] == expected[i]);

    // And wire.hpp's parser reads them back.
    tcpfsm::tcp_options back{};
    REQUIRE(tcpfsm::parse_tcp_options(out, n, back) == wire_error::ok);
    CHECK(back.has_mss);
    CHECK(back.mss == 1460);
    CHECK(back.sack_permitted);
    CHECK(back.has_timestamps);
    CHECK(back.ts_val == 0x01020304u);
    CHECK(back.has_window_scale);
    CHECK(back.window_scale == 7);
}

TEST_CASE("option codec: SYNs with fewer options", "[options][codec]") {
    std::uint8_t out[40] = {};
    std::size_t n = 0;
    const auto mss_only = opts::syn_options(536, false, false, 5, 6, false, 9);
    CHECK_FALSE(mss_only.has_timestamps);
    CHECK(mss_only.ts_val == 0u);
    CHECK(mss_only.window_scale == 0);
    REQUIRE(opts::write_options(mss_only, opts::sack_block_list{}, out, sizeof out, n) == wire_error::ok);
    CHECK(n == 4u);
    // Timestamps without SACK-permitted: NOP, NOP, timestamps.
    const auto ts = opts::syn_options(1460, false, true, 7, 0, false, 0);
    REQUIRE(opts::write_options(ts, opts::sack_block_list{}, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 16u);
    CHECK(out[4] == 1);
    CHECK(out[5] == 1);
    CHECK(out[6] == 8);
    // SACK-permitted without timestamps: NOP, NOP, SACK-permitted, then NOP, window scale.
    const auto sp = opts::syn_options(1460, true, false, 0, 0, true, 14);
    REQUIRE(opts::write_options(sp, opts::sack_block_list{}, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 12u);
    const std::uint8_t expected[12] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 14};
    for (std::size_t i = 0; i < 12; ++i) CHECK(out[i] == expected[i]);
}

TEST_CASE("option codec: timestamps and three SACK blocks fill 40 octets", "[options][codec]") {
    tcpfsm::tcp_options o{};
    o.has_timestamps = true;
    o.ts_val = 0xa0a1a2a3u;
    o.ts_ecr = 0xb0b1b2b3u;
    const auto blocks = oc_test_blocks(3);
    CHECK(opts::options_length(o, blocks) == 12u + 4u + 3u * 8u);
    std::uint8_t out[40] = {};
    std::size_t n = 0;
    REQUIRE(opts::write_options(o, blocks, out, sizeof out, n) == wire_error::ok);
    REQUIRE(n == 40u);
    const std::uint8_t head[16] = {1, 1, 8, 10, 0xa0, 0xa1, 0xa2, 0xa3, 0xb0, 0xb1, 0xb2, 0xb3, 1, 1, 5, 26};
    for (std::size_t i = 0; i < 16; ++i) CHECK(out[i] == head[i]);
    CHECK(out[16] == 0x11);
    CHECK(out[20] == 0x22);
    CHECK(out[39] == 0x66);

    opts::sack_block_list back{};
    REQUIRE(opts::parse_sack_blocks(out, n, back) == wire_error::ok);
    REQUIRE(back.count == 3);
    CHECK_FALSE(back.dsack);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(back.blocks[i].left == blocks.blocks[i].left);
        CHECK(back.blocks[i].right == blocks.blocks[i].right);
    }
    // wire.hpp's parser reads the timestamps and counts the SACK option as one it skipped.
    tcpfsm::tcp_options parsed{};
    REQUIRE(tcpfsm::parse_tcp_options(out, n, parsed) == wire_error::ok);
    CHECK(parsed.has_timestamps);
    CHECK(parsed.ts_ecr == 0xb0b1b2b3u);
    CHECK(parsed.unknown == 1);
}

TEST_CASE("option codec: four SACK blocks alone, and what does not fit", "[options][codec]") {
    std::uint8_t out[40] = {};
    std::size_t n = 0;
    REQUIRE(opts::write_options(tcpfsm::tcp_options{}, oc_test_blocks(4), out, sizeof out, n) == wire_error::ok);
    CHECK(n == 4u + 4u * 8u);
    CHECK(out[3] == 2 + 4 * 8);

    tcpfsm::tcp_options ts{};
    ts.has_timestamps = true;
    CHECK(opts::options_length(ts, oc_test_blocks(4)) == 48u);
    n = 99;
    CHECK(opts::write_options(ts, oc_test_blocks(4), out, sizeof out, n) == wire_error::bad_option_length);
    CHECK(n == 0u);
    CHECK(opts::write_options(ts, oc_test_blocks(3), out, 39, n) == wire_error::buffer_too_small);
    CHECK(opts::write_options(ts, oc_test_blocks(3), nullptr, 40, n) == wire_error::bad_argument);
}

TEST_CASE("option codec: reading SACK blocks as Linux does", "[options][codec]") {
    opts::sack_block_list l{};
    SECTION("a length that is not 2 + 8k is ignored") {
        const std::uint8_t bad[12] = {5, 9, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1};  // 9 octets, then NOPs
        CHECK(opts::parse_sack_blocks(bad, 12, l) == wire_error::ok);
        CHECK(l.empty());
        const std::uint8_t empty_option[4] = {1, 1, 5, 2};
        CHECK(opts::parse_sack_blocks(empty_option, 4, l) == wire_error::ok);
        CHECK(l.empty());
    }
    SECTION("of two SACK options the first counts") {
        const std::uint8_t two[20] = {5, 10, 0, 0, 0, 1, 0, 0, 0, 2, 5, 10, 0, 0, 0, 3, 0, 0, 0, 4};
        CHECK(opts::parse_sack_blocks(two, 20, l) == wire_error::ok);
        REQUIRE(l.count == 1);
        CHECK(l.blocks[0].left == 1u);
        CHECK(l.blocks[0].right == 2u);
    }
    SECTION("an option overrunning the area is an error, as for parse_tcp_options") {
        const std::uint8_t overrun[6] = {1, 1, 5, 10, 0, 0};
        CHECK(opts::parse_sack_blocks(overrun, 6, l) == wire_error::bad_option_length);
        const std::uint8_t no_length[1] = {5};
        CHECK(opts::parse_sack_blocks(no_length, 1, l) == wire_error::bad_option_length);
    }
    SECTION("EOL ends the area") {
        const std::uint8_t eol[12] = {0, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2};
        CHECK(opts::parse_sack_blocks(eol, 12, l) == wire_error::ok);
        CHECK(l.empty());
    }
    SECTION("no options") {
        CHECK(opts::parse_sack_blocks(nullptr, 0, l) == wire_error::ok);
        CHECK(opts::parse_sack_blocks(nullptr, 4, l) == wire_error::bad_argument);
    }
}
