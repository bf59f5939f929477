// The RFC 6528 / RFC 9293 §3.4.1 ISN generator (iss.hpp): ISN = M + F. The canonical bytes
// are written out by hand here from the layout documented in iss.hpp; F is checked against
// SipHash-2-4 of those hand-built bytes (SipHash itself is checked against its published
// vectors in siphash_test.cpp); M is checked against hand-computed quotients.
#include <tcpfsm/iss.hpp>
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

using tcpfsm::endpoint_address;
using tcpfsm::four_tuple;
using tcpfsm::iss_timer;
using tcpfsm::rfc6528_iss;
using tcpfsm::siphash_2_4;
using tcpfsm::siphash_key;

namespace {

// Test keys only: a real secret comes from a cryptographic random source.
constexpr siphash_key key_a{0x0706050403020100u, 0x0f0e0d0c0b0a0908u};
constexpr siphash_key key_b{0x0706050403020100u, 0x0f0e0d0c0b0a0909u};  // key_a with one bit flipped

// 192.0.2.1:49152 -> 198.51.100.7:80 (RFC 5737 documentation addresses).
constexpr four_tuple v4_tuple{endpoint_address::ipv4(192, 0, 2, 1), endpoint_address::ipv4(198, 51, 100, 7), 49152,
                              80};
// family 4, local address, family 4, remote address, local port 49152 = 0xc000, remote port 80 = 0x0050.
constexpr std::uint8_t v4_bytes[] = {0x04, 192,  0,    2,    1,   //
                                     0x04, 198,  51,   100,  7,   //
                                     0xc0, 0x00, 0x00, 0x50};

// [2001:db8::1]:443 -> [2001:db8:0:1::2a]:51000 (RFC 3849 documentation prefix).
constexpr std::uint8_t v6_local[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
constexpr std::uint8_t v6_remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x2a};
constexpr four_tuple v6_tuple{endpoint_address::ipv6(v6_local), endpoint_address::ipv6(v6_remote), 443, 51000};
// family 6, local address, family 6, remote address, local port 443 = 0x01bb, remote port 51000 = 0xc738.
// clang-format off
constexpr std::uint8_t v6_bytes[] = {
    0x06,                                                                    // local family
    0x20, 0x01, 0x0d, 0xb8,  0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x01,  // 2001:db8::1
    0x06,                                                                    // remote family
    0x20, 0x01, 0x0d, 0xb8,  0x00, 0x00, 0x00, 0x01,  0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x2a,  // 2001:db8:0:1::2a
    0x01, 0xbb,                                                              // local port 443
    0xc7, 0x38,                                                              // remote port 51000
};
// clang-format on
static_assert(sizeof v4_bytes == 14 && sizeof v6_bytes == 38);

// ::ffff:192.0.2.1 and ::ffff:198.51.100.7, the IPv4-mapped forms of v4_tuple's addresses.
constexpr std::uint8_t mapped_local[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
constexpr std::uint8_t mapped_remote[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7};
constexpr four_tuple mapped_tuple{endpoint_address::ipv6(mapped_local), endpoint_address::ipv6(mapped_remote), 49152,
                                  80};

// F as iss.hpp documents it: the low 32 bits of SipHash-2-4 over the given bytes.
template <std::size_t N>
std::uint32_t expected_f(const siphash_key& key, const std::uint8_t (&bytes)[N]) {
    return static_cast<std::uint32_t>(siphash_2_4(key, bytes, N) & 0xffffffffu);
}

template <std::size_t N>
void check_bytes(const four_tuple& t, const std::uint8_t (&expected)[N]) {
    const tcpfsm::four_tuple_bytes actual = tcpfsm::canonical_bytes(t);
    REQUIRE(actual.size == N);
    for (std::size_t i = 0; i < N; ++i) {
        INFO("byte " << i);
        CHECK(actual.bytes[i] == expected[i]);
    }
}

constexpr std::uint64_t two_to_32 = std::uint64_t{1} << 32;

}  // namespace

TEST_CASE("endpoint_address: factories and equality", "[iss]") {
    static_assert(endpoint_address::ipv4(0xC0000201u) == endpoint_address::ipv4(192, 0, 2, 1));
    static_assert(endpoint_address::ipv4(192, 0, 2, 1).size() == 4);
    static_assert(endpoint_address::ipv6(v6_local).size() == 16);
    static_assert(endpoint_address::ipv4(192, 0, 2, 1) != endpoint_address::ipv4(192, 0, 2, 2));
    // IPv4 and IPv4-mapped IPv6 are different addresses here.
    static_assert(endpoint_address::ipv4(192, 0, 2, 1) != endpoint_address::ipv6(mapped_local));
    // Default: 0.0.0.0.
    static_assert(endpoint_address{} == endpoint_address::ipv4(0, 0, 0, 0));

    // Bytes past an IPv4 address are not part of it: not compared, not hashed.
    endpoint_address stray = endpoint_address::ipv4(192, 0, 2, 1);
    stray.bytes[9] = 0x5a;
    CHECK(stray == endpoint_address::ipv4(192, 0, 2, 1));
    four_tuple with_stray = v4_tuple;
    with_stray.local = stray;
    check_bytes(with_stray, v4_bytes);
}

TEST_CASE("canonical_bytes: the documented serialization", "[iss]") {
    check_bytes(v4_tuple, v4_bytes);
    check_bytes(v6_tuple, v6_bytes);
    static_assert(tcpfsm::canonical_bytes(v4_tuple).size == 14);
    static_assert(tcpfsm::canonical_bytes(v6_tuple).size == 38);
    static_assert(tcpfsm::max_four_tuple_bytes == 38);

    // Mixed families: local 192.0.2.1:49152, remote [::ffff:198.51.100.7]:80.
    const four_tuple mixed{endpoint_address::ipv4(192, 0, 2, 1), endpoint_address::ipv6(mapped_remote), 49152, 80};
    // clang-format off
    constexpr std::uint8_t mixed_bytes[] = {
        0x04,  192, 0, 2, 1,                                            // local: family 4, 192.0.2.1
        0x06,  0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0xff, 0xff,  198, 51, 100, 7,  // remote: family 6, ::ffff:198.51.100.7
        0xc0, 0x00,  0x00, 0x50,                                        // ports 49152, 80
    };
    // clang-format on
    static_assert(sizeof mixed_bytes == 1 + 4 + 1 + 16 + 2 + 2);
    check_bytes(mixed, mixed_bytes);
}

TEST_CASE("rfc6528_iss: F is SipHash-2-4 of the hand-built bytes, low 32 bits", "[iss]") {
    const rfc6528_iss iss{key_a};
    CHECK(iss.keyed_offset(v4_tuple) == expected_f(key_a, v4_bytes));
    CHECK(iss.keyed_offset(v6_tuple) == expected_f(key_a, v6_bytes));
    // At time 0, M = 0 and the ISN is F.
    CHECK(iss(v4_tuple, 0) == expected_f(key_a, v4_bytes));
    CHECK(iss(v6_tuple, 3) == expected_f(key_a, v6_bytes));
}

TEST_CASE("iss_timer: M advances every 4 microseconds and wraps modulo 2^32", "[iss]") {
    static_assert(iss_timer(0) == 0);
    static_assert(iss_timer(3) == 0);
    static_assert(iss_timer(4) == 1);
    static_assert(iss_timer(7) == 1);
    static_assert(iss_timer(8) == 2);
    static_assert(iss_timer(4'000'000) == 1'000'000);  // one second
    // 4 * 2^32 + 8 µs: the timer has wrapped once and stands at 2.
    static_assert(iss_timer(4 * two_to_32 + 8) == 2);
    // The last tick before the wrap, and the wrap, at 2^34 µs.
    static_assert(iss_timer(4 * two_to_32 - 1) == 0xffffffffu);
    static_assert(iss_timer(4 * two_to_32) == 0);

    const rfc6528_iss iss{key_a};
    const std::uint32_t f = expected_f(key_a, v4_bytes);
    CHECK(iss(v4_tuple, 4 * two_to_32 + 8) == static_cast<std::uint32_t>(f + 2u));
    CHECK(iss(v4_tuple, 4 * two_to_32 - 4) == static_cast<std::uint32_t>(f - 1u));
    CHECK(iss(v4_tuple, 4 * two_to_32) == f);
}

TEST_CASE("rfc6528_iss: 4 microseconds later the ISN is exactly 1 more, modulo 2^32", "[iss]") {
    const rfc6528_iss iss{key_a};
    const std::uint64_t times[] = {0, 1, 4, 1'000'000, 4 * two_to_32 - 4, 4 * two_to_32 - 1, 4 * two_to_32,
                                   std::uint64_t{0xfffffffffffffff0u}};
    for (const four_tuple& t : {v4_tuple, v6_tuple, mapped_tuple}) {
        for (const std::uint64_t now : times) {
            INFO("now " << now);
            CHECK(static_cast<std::uint32_t>(iss(t, now + 4) - iss(t, now)) == 1u);
        }
    }
    CHECK(static_cast<std::uint32_t>(iss(v4_tuple, 4) - iss(v4_tuple, 0)) == 1u);
    // Within one 4 µs tick, nothing moves.
    CHECK(iss(v4_tuple, 0) == iss(v4_tuple, 3));
    CHECK(iss(v4_tuple, 4) == iss(v4_tuple, 7));
}

TEST_CASE("rfc6528_iss: deterministic, and usable at compile time", "[iss]") {
    constexpr rfc6528_iss first{key_a};
    constexpr rfc6528_iss second{key_a};
    static_assert(first(v4_tuple, 12345) == second(v4_tuple, 12345));
    static_assert(static_cast<std::uint32_t>(first(v6_tuple, 4) - first(v6_tuple, 0)) == 1u);

    const four_tuple copy = v4_tuple;
    const std::uint64_t now = 987'654'321;
    CHECK(first(v4_tuple, now) == second(copy, now));
    CHECK(first(v4_tuple, now) == first(v4_tuple, now));
    CHECK(first(v6_tuple, now) == second(v6_tuple, now));
}

TEST_CASE("rfc6528_iss: one port more or less gives a different F", "[iss]") {
    const rfc6528_iss iss{key_a};
    for (const four_tuple& t : {v4_tuple, v6_tuple, mapped_tuple}) {
        four_tuple next_local = t;
        next_local.local_port = static_cast<std::uint16_t>(t.local_port + 1);
        four_tuple next_remote = t;
        next_remote.remote_port = static_cast<std::uint16_t>(t.remote_port + 1);
        four_tuple swapped = t;  // the other direction of the same connection
        swapped.local = t.remote;
        swapped.remote = t.local;
        swapped.local_port = t.remote_port;
        swapped.remote_port = t.local_port;

        CHECK(iss.keyed_offset(next_local) != iss.keyed_offset(t));
        CHECK(iss.keyed_offset(next_remote) != iss.keyed_offset(t));
        CHECK(iss.keyed_offset(next_local) != iss.keyed_offset(next_remote));
        CHECK(iss.keyed_offset(swapped) != iss.keyed_offset(t));
    }

    // The hand-built bytes of v4_tuple with the local port 49153 = 0xc001.
    constexpr std::uint8_t next_port_bytes[] = {0x04, 192,  0,    2,    1,   //
                                                0x04, 198,  51,   100,  7,   //
                                                0xc0, 0x01, 0x00, 0x50};
    four_tuple next_local = v4_tuple;
    next_local.local_port = 49153;
    CHECK(iss.keyed_offset(next_local) == expected_f(key_a, next_port_bytes));
}

TEST_CASE("rfc6528_iss: IPv4 and IPv4-mapped IPv6 hash apart", "[iss]") {
    const rfc6528_iss iss{key_a};
    CHECK(v4_tuple != mapped_tuple);
    CHECK(iss.keyed_offset(v4_tuple) != iss.keyed_offset(mapped_tuple));
}

TEST_CASE("rfc6528_iss: another key gives another F", "[iss]") {
    const rfc6528_iss a{key_a};
    const rfc6528_iss b{key_b};
    CHECK(b.keyed_offset(v4_tuple) == expected_f(key_b, v4_bytes));
    CHECK(a.keyed_offset(v4_tuple) != b.keyed_offset(v4_tuple));
    CHECK(a.keyed_offset(v6_tuple) != b.keyed_offset(v6_tuple));
    CHECK(a(v4_tuple, 4000) != b(v4_tuple, 4000));
}

TEST_CASE("fixed_iss: the same number whatever the tuple and the time", "[iss]") {
    constexpr tcpfsm::fixed_iss iss{0xdeadbeefu};
    static_assert(iss(v4_tuple, 0) == 0xdeadbeefu);
    CHECK(iss(v6_tuple, 4 * two_to_32 + 8) == 0xdeadbeefu);
    CHECK(iss(mapped_tuple, 0xffffffffffffffffu) == 0xdeadbeefu);
}

TEST_CASE("fixed_iss: set() changes the ISS an engine that holds it picks next", "[iss][connection]") {
    constexpr tcpfsm::fixed_iss constant = [] {
        tcpfsm::fixed_iss g{1};
        g.set(0x80000000u);
        return g;
    }();
    static_assert(constant.value() == 0x80000000u && constant(v4_tuple, 0) == 0x80000000u);

    // An engine's SYN carries <SEQ=ISS> (RFC 9293 §3.10.1): the generator's value at OPEN.
    struct syn_io {
        std::uint32_t* last_seq;
        void send(const tcpfsm::outgoing_segment& out) noexcept { *last_seq = out.header.seq; }
    };
    std::uint32_t last_seq = 0;
    tcpfsm::connection<syn_io, std::chrono::steady_clock, tcpfsm::null_observer, tcpfsm::fixed_iss> c(
        tcpfsm::default_connection_config, syn_io{&last_seq}, {}, {}, tcpfsm::fixed_iss(100));
    REQUIRE(c.open_active(v4_tuple) == tcpfsm::user_error::none);
    CHECK(last_seq == 100u);
    c.iss_policy().set(5000);
    CHECK(c.iss_policy().value() == 5000u);
    CHECK(last_seq == 100u);  // the connection's ISS, once chosen, stays
    REQUIRE(c.abort() == tcpfsm::user_error::none);
    REQUIRE(c.open_active(v4_tuple) == tcpfsm::user_error::none);
    CHECK(last_seq == 5000u);
}

// keyed_offset assembles two IPv4 addresses' 14 octets into SipHash's words directly; the
// documented path is SipHash-2-4 over canonical_bytes: both agree for every tuple, family
// octets that are neither 4 nor 6 (hashed as 4-octet addresses) and mixed families included.
TEST_CASE("rfc6528_iss: F of random tuples equals SipHash-2-4 over canonical_bytes", "[iss]") {
    std::uint64_t x = 0x9e3779b97f4a7c15ull;  // xorshift64, seeded
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    const rfc6528_iss iss{key_a};
    for (int round = 0; round < 3000; ++round) {
        four_tuple t;
        const auto family = [&](std::uint64_t r) {
            return r % 8 == 0 ? tcpfsm::address_family::ipv6 : r % 8 == 1 ? static_cast<tcpfsm::address_family>(r >> 8) : tcpfsm::address_family::ipv4;
        };
        t.local.family = family(next());
        t.remote.family = family(next());
        for (auto& b : t.local.bytes) b = static_cast<std::uint8_t>(next());
        for (auto& b : t.remote.bytes) b = static_cast<std::uint8_t>(next());
        t.local_port = static_cast<std::uint16_t>(next());
        t.remote_port = static_cast<std::uint16_t>(next());
        const tcpfsm::four_tuple_bytes m = tcpfsm::canonical_bytes(t);
        INFO("round " << round);
        CHECK(iss.keyed_offset(t) == static_cast<std::uint32_t>(siphash_2_4(key_a, m.bytes, m.size) & 0xffffffffu));
    }
}
