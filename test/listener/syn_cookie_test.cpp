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
