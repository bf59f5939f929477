// SYN cookies (syn_cookie.hpp) against RFC 4987 §3.6's layout. The expected hash bits are
// computed here from SipHash-2-4 over a message this test builds byte by byte from the layout
// the header documents (SipHash itself is checked against its paper in siphash.hpp).
#include <tcpfsm/syn_cookie.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "harness.hpp"

using namespace tcpfsm;

namespace {

constexpr siphash_key cookie_secret{0x1716151413121110u, 0x1f1e1d1c1b1a1918u};

// 192.0.2.1:80 <- 198.51.100.7:40000: family tag 4, address, tag 4, address, ports (network order).
four_tuple example_tuple() {
    four_tuple t;
    t.local = endpoint_address::ipv4(192, 0, 2, 1);
    t.remote = endpoint_address::ipv4(198, 51, 100, 7);
    t.local_port = 80;
    t.remote_port = 40000;
    return t;
}

std::uint32_t expected_hash24(std::uint32_t peer_isn, std::uint32_t t) {
    std::vector<std::uint8_t> m = {4, 192, 0, 2, 1, 4, 198, 51, 100, 7, 0, 80, 0x9C, 0x40};  // 40000 = 0x9C40
    for (int shift = 24; shift >= 0; shift -= 8) m.push_back(static_cast<std::uint8_t>(peer_isn >> shift));
    for (int shift = 24; shift >= 0; shift -= 8) m.push_back(static_cast<std::uint8_t>(t >> shift));
    return static_cast<std::uint32_t>(siphash_2_4(cookie_secret, m.data(), m.size())) & 0x00FFFFFFu;
}

}  // namespace

TEST_CASE("syn_cookie: RFC 4987 §3.6 layout: t mod 32, MSS index, 24 hash bits", "[syn_cookie]") {
    const syn_cookie_codec codec(cookie_secret);
    const std::uint32_t t = 37;  // 37 mod 32 = 5
    const std::uint32_t cookie = codec.encode(example_tuple(), 0x11223344u, 1460, t);
    CHECK((cookie >> 27) == 5u);
    CHECK(((cookie >> 24) & 7u) == 7u);  // 1460 is the 8th table value
    CHECK((cookie & 0x00FFFFFFu) == expected_hash24(0x11223344u, 37));
}

TEST_CASE("syn_cookie: the counter advances every 64 seconds", "[syn_cookie]") {
    CHECK(syn_cookie_counter(0) == 0);
    CHECK(syn_cookie_counter(63999999u) == 0);
    CHECK(syn_cookie_counter(64000000u) == 1);
    CHECK(syn_cookie_counter(std::uint64_t{640} * 1000000u) == 10);
}

TEST_CASE("syn_cookie: MSS index is the largest table value not above the peer's MSS", "[syn_cookie]") {
    CHECK(syn_cookie_mss_index(0) == 0);  // no option: 536 (RFC 9293 MUST-15)
    CHECK(syn_cookie_mss_index(500) == 0);
    CHECK(syn_cookie_mss_index(536) == 0);
    CHECK(syn_cookie_mss_index(1023) == 0);
    CHECK(syn_cookie_mss_index(1024) == 1);
    CHECK(syn_cookie_mss_index(1300) == 3);
    CHECK(syn_cookie_mss_index(1400) == 5);
    CHECK(syn_cookie_mss_index(1459) == 6);
    CHECK(syn_cookie_mss_index(8960) == 7);  // jumbo frames: 1460 at most
}

TEST_CASE("syn_cookie: valid in its counter period and the next, bound to the tuple and the peer's ISN", "[syn_cookie]") {
    const syn_cookie_codec codec(cookie_secret);
    const four_tuple tuple = example_tuple();
    const std::uint32_t cookie = codec.encode(tuple, 1000, 1400, 31);  // t = 31: across the mod-32 wrap
    for (std::uint32_t now = 31; now <= 32; ++now) {  // ages 0 and 1 (Linux: age < MAX_SYNCOOKIE_AGE = 2)
        const syn_cookie_check c = codec.check(tuple, 1000, cookie, now);
        CHECK(c.valid);
        CHECK(c.mss == 1400);
    }
    CHECK_FALSE(codec.check(tuple, 1000, cookie, 33).valid);  // 2 periods old
    CHECK_FALSE(codec.check(tuple, 1000, cookie, 34).valid);  // 3 periods old
    CHECK_FALSE(codec.check(tuple, 1000, cookie, 30).valid);  // from the future: age 31
    // Each of these would be valid at t = 31 but for the one thing that differs.
    CHECK_FALSE(codec.check(tuple, 1001, cookie, 31).valid);  // another SYN
    four_tuple other = tuple;
    other.remote_port = 40001;
    CHECK_FALSE(codec.check(other, 1000, cookie, 31).valid);
    CHECK_FALSE(codec.check(tuple, 1000, cookie ^ 1u, 31).valid);  // one hash bit wrong
    const syn_cookie_codec other_secret(siphash_key{1, 2});
    CHECK_FALSE(other_secret.check(tuple, 1000, cookie, 31).valid);
}

// Issue 14 item 5: the SYN's options in the low 6 bits of the cookie SYN,ACK's TSval, as
// Linux's cookie_init_timestamp lays them out: bits 3..0 the peer's shift (15: none), bit 4
// SACK-permitted, bit 5 ECN (never set by tcpfsm).
TEST_CASE("syn_cookie: options in the timestamp's low bits", "[syn_cookie][timestamps]") {
    syn_cookie_options o{};
    o.window_scale = true;
    o.peer_shift = 7;
    o.sack_permitted = true;
    CHECK(syn_cookie_option_bits(o) == (7u | 16u));
    // 0x12345678 = ...0111 1000: the low 6 bits are 0x38 = 56 > 23, so 0x12345640 | 23 is
    // not above it: 0x12345657.
    CHECK(syn_cookie_timestamp(0x12345678u, o) == 0x12345657u);
    // 0x12345643: low bits 3 < 23, so 0x12345657 would be above: one step of 64 back,
    // 0x12345600 | 23 = 0x12345617.
    CHECK(syn_cookie_timestamp(0x12345643u, o) == 0x12345617u);
    // Equal low bits: the TSval itself.
    CHECK(syn_cookie_timestamp(0x12345657u, o) == 0x12345657u);
    // Below 64: wraps 64 back, modulo 2^32: 0x17 - 64 = 0xffffffd7.
    CHECK(syn_cookie_timestamp(5u, o) == 0xffffffd7u);

    syn_cookie_options none{};
    CHECK(syn_cookie_option_bits(none) == 15u);
    CHECK(syn_cookie_timestamp(0x1000u, none) == 0x0fcfu);  // 0x1000 | 15 > 0x1000: 0x0fc0 | 15

    syn_cookie_options big{};
    big.window_scale = true;
    big.peer_shift = 200;  // RFC 7323 §2.3: used as 14
    CHECK(syn_cookie_option_bits(big) == 14u);
}

TEST_CASE("syn_cookie: options read back from the echoed TSecr", "[syn_cookie][timestamps]") {
    for (unsigned shift = 0; shift <= 15; ++shift) {
        for (unsigned sack = 0; sack <= 1; ++sack) {
            INFO("shift " << shift << " sack " << sack);
            syn_cookie_options o{};
            o.window_scale = shift != 15;
            o.peer_shift = static_cast<std::uint8_t>(shift != 15 ? shift : 0);
            o.sack_permitted = sack == 1;
            const std::uint32_t ts = syn_cookie_timestamp(0xabcdef00u + shift * 977u, o);
            CHECK((ts & 63u) == ((shift == 15 ? 15u : shift) | (sack << 4)));
            const syn_cookie_timestamp_check c = syn_cookie_options_from_timestamp(ts);
            REQUIRE(c.valid);
            CHECK(c.options.window_scale == (shift != 15));
            // 4 bits hold 0..15; 15 means none, so 15 cannot be a shift and 14 is the largest.
            CHECK(c.options.peer_shift == (shift != 15 ? (shift < 14 ? shift : 14u) : 0u));
            CHECK(c.options.sack_permitted == (sack == 1));
        }
    }
    // The ECN bit (32): never sent by tcpfsm, so not one of our cookies.
    CHECK_FALSE(syn_cookie_options_from_timestamp(0x1000u | 32u | 7u).valid);
}
