// Sequence number arithmetic (RFC 9293 §3.4) and the acceptability test (§3.10.7.4 Table 6).
#include <tcpfsm/tcpfsm.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

using namespace tcpfsm;

namespace {
// An independent definition: b is ahead of a by d = (b - a) mod 2^32, computed in 64 bits;
// a < b when 0 < d < 2^31.
bool reference_lt(std::uint32_t a, std::uint32_t b) {
    const std::int64_t d = (static_cast<std::int64_t>(b) - static_cast<std::int64_t>(a) + (std::int64_t{1} << 32)) %
                           (std::int64_t{1} << 32);
    return d > 0 && d < (std::int64_t{1} << 31);
}
}  // namespace

TEST_CASE("seq_lt and friends order numbers modulo 2^32", "[seq]") {
    static_assert(seq_lt(1, 2));
    static_assert(!seq_lt(2, 1));
    static_assert(!seq_lt(7, 7));
    static_assert(seq_le(7, 7));
    // Across the wrap: 0xFFFFFFF0 is 32 numbers before 0x10.
    static_assert(seq_lt(0xFFFFFFF0u, 0x10u));
    static_assert(!seq_lt(0x10u, 0xFFFFFFF0u));
    static_assert(seq_gt(0x10u, 0xFFFFFFF0u));
    static_assert(seq_ge(0u, 0xFFFFFFFFu));
    // 2^31 - 1 ahead is still ahead; exactly 2^31 apart neither is before the other.
    static_assert(seq_lt(0u, 0x7FFFFFFFu));
    static_assert(!seq_lt(0u, 0x80000000u) && !seq_lt(0x80000000u, 0u));
    static_assert(seq_max(0xFFFFFFFFu, 3u) == 3u);
    static_assert(seq_min(0xFFFFFFFFu, 3u) == 0xFFFFFFFFu);

    std::mt19937 rng(9293);
    for (int i = 0; i < 100000; ++i) {
        const auto a = static_cast<std::uint32_t>(rng());
        const auto near = static_cast<std::uint32_t>(a + (rng() % 4096) - 2048);
        const std::uint32_t b = (i % 2) ? static_cast<std::uint32_t>(rng()) : near;  // far and near pairs
        INFO("a=" << a << " b=" << b);
        REQUIRE(seq_lt(a, b) == reference_lt(a, b));
        REQUIRE(seq_gt(a, b) == reference_lt(b, a));
        REQUIRE(seq_le(a, b) == (a == b || reference_lt(a, b)));
    }
}

TEST_CASE("seq ranges hold across the wrap", "[seq]") {
    // SND.UNA < SEG.ACK =< SND.NXT with SND.UNA = 2^32 - 2, SND.NXT = 3 (5 numbers in flight).
    constexpr std::uint32_t una = 0xFFFFFFFEu, nxt = 3u;
    static_assert(!seq_in_open_closed(una, una, nxt));
    static_assert(seq_in_open_closed(una, 0xFFFFFFFFu, nxt));
    static_assert(seq_in_open_closed(una, 0u, nxt));
    static_assert(seq_in_open_closed(una, nxt, nxt));
    static_assert(!seq_in_open_closed(una, 4u, nxt));
    static_assert(!seq_in_open_closed(una, 0xFFFFFFFDu, nxt));
    static_assert(seq_in_closed(una, una, nxt));
    static_assert(!seq_in_closed(una, una - 1, nxt));
    static_assert(seq_in_window(0u, 0xFFFFFFFEu, 3u));
    static_assert(!seq_in_window(1u, 0xFFFFFFFEu, 3u));
}

TEST_CASE("segment acceptability follows the four cases of Table 6", "[seq]") {
    // RCV.NXT = 100, RCV.WND = 10: window is 100..109.
    // Length 0, window 0: SEG.SEQ = RCV.NXT only.
    CHECK(segment_acceptable(100, 0, 100, 0));
    CHECK_FALSE(segment_acceptable(101, 0, 100, 0));
    CHECK_FALSE(segment_acceptable(99, 0, 100, 0));
    // Length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND.
    CHECK(segment_acceptable(100, 0, 100, 10));
    CHECK(segment_acceptable(109, 0, 100, 10));
    CHECK_FALSE(segment_acceptable(110, 0, 100, 10));
    CHECK_FALSE(segment_acceptable(99, 0, 100, 10));
    // Length > 0, window 0: not acceptable.
    CHECK_FALSE(segment_acceptable(100, 1, 100, 0));
    // Length > 0, window > 0: first or last sequence number in the window.
    CHECK(segment_acceptable(96, 5, 100, 10));   // 96..100: last one is RCV.NXT
    CHECK_FALSE(segment_acceptable(95, 5, 100, 10));  // 95..99: entirely old (a retransmission)
    CHECK(segment_acceptable(109, 5, 100, 10));  // starts at the right edge
    CHECK_FALSE(segment_acceptable(110, 1, 100, 10));
    // A retransmitted FIN (one number, RCV.NXT - 1) is not acceptable (§3.10.7.4 first step).
    CHECK_FALSE(segment_acceptable(99, 1, 100, 10));
    // Across the wrap: RCV.NXT = 2^32 - 2, window 4: 2^32-2 .. 1.
    CHECK(segment_acceptable(1u, 0, 0xFFFFFFFEu, 4));
    CHECK_FALSE(segment_acceptable(2u, 0, 0xFFFFFFFEu, 4));
    CHECK(segment_acceptable(0xFFFFFFFCu, 3, 0xFFFFFFFEu, 4));  // ...FC..FE: last one in
    CHECK_FALSE(segment_acceptable(0xFFFFFFFBu, 3, 0xFFFFFFFEu, 4));
}
