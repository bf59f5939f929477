// The SACK sender's scoreboard (include/tcpfsm/sack/scoreboard.hpp) against RFC 2018 §3/§8,
// RFC 2883 §4 and RFC 6937's DeliveredData: every expected range and count is worked out in
// the test from the blocks it sends.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/scoreboard.hpp>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace {

using tcpfsm::seq_block;
using board16 = tcpfsm::sack::scoreboard<16>;

template <std::size_t N>
tcpfsm::sack::update_result sb_ack(tcpfsm::sack::scoreboard<N>& sb, std::uint32_t ack, std::uint32_t una,
                                   std::uint32_t nxt, std::initializer_list<seq_block> blocks) {
    const std::vector<seq_block> v(blocks);
    return sb.on_ack(ack, una, nxt, v.data(), v.size());
}

template <std::size_t N>
std::vector<seq_block> sb_ranges(const tcpfsm::sack::scoreboard<N>& sb) {
    std::vector<seq_block> out;
    for (std::size_t i = 0; i < sb.count(); ++i) out.push_back(sb.range(i));
    return out;
}

bool same(const std::vector<seq_block>& a, std::initializer_list<seq_block> b) {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    for (const seq_block& x : b) {
        if (a[i].left != x.left || a[i].right != x.right) return false;
        ++i;
    }
    return true;
}

}  // namespace

TEST_CASE("sack scoreboard: blocks are kept sorted, merged when they overlap or touch", "[sack][scoreboard]") {
    board16 sb;
    // SND.UNA = 1000, SND.NXT = 11000 (10 segments of 1000). RFC 2018 §4: the receiver
    // reports the most recent block first; the scoreboard sorts.
    auto u = sb_ack(sb, 1000, 1000, 11000, {{5000, 6000}, {3000, 4000}});
    CHECK(u.accepted == 2);
    CHECK(u.newly_sacked == 2000);
    CHECK(u.delivered == 2000);  // SND.UNA did not move: DeliveredData = the new SACKed octets
    CHECK(u.acked == 0);
    CHECK(same(sb_ranges(sb), {{3000, 4000}, {5000, 6000}}));
    CHECK(sb.sacked_octets() == 2000);
    CHECK(sb.highest_sacked(1000) == 6000);

    // [4000, 5000) touches both: one range [3000, 6000); 1000 new octets.
    u = sb_ack(sb, 1000, 1000, 11000, {{4000, 5000}, {5000, 6000}, {3000, 4000}});
    CHECK(u.newly_sacked == 1000);
    CHECK(same(sb_ranges(sb), {{3000, 6000}}));
    CHECK(sb.sacked_octets() == 3000);

    // An overlapping repeat adds only what is new: [5500, 7000) brings 1000.
    u = sb_ack(sb, 1000, 1000, 11000, {{5500, 7000}});
    CHECK(u.newly_sacked == 1000);
    CHECK(same(sb_ranges(sb), {{3000, 7000}}));

    // The same block again: nothing new (not a duplicate ACK in RFC 6675's sense).
    u = sb_ack(sb, 1000, 1000, 11000, {{3000, 7000}});
    CHECK(u.accepted == 1);
    CHECK(u.newly_sacked == 0);
    CHECK(u.delivered == 0);

    CHECK(sb.is_sacked(3000));
    CHECK(sb.is_sacked(6999));
    CHECK_FALSE(sb.is_sacked(7000));
    CHECK_FALSE(sb.is_sacked(2999));
    CHECK(sb.consistent_with(1000, 11000));
}

TEST_CASE("sack scoreboard: every block is validated (RFC 2018 §8, CVE-2019-11477/11478 class)", "[sack][scoreboard]") {
    board16 sb;
    const std::uint32_t una = 1000, nxt = 11000;
    // A second block that is not inside the first keeps the first one from being a D-SACK;
    // each case sends a valid first block [9000, 9100) above SEG.ACK.
    auto u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {5000, 4000}});  // reversed
    CHECK(u.invalid == 1);
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {5000, 5000}});  // empty
    CHECK(u.invalid == 1);
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {10000, 11001}});  // past SND.NXT
    CHECK(u.invalid == 1);
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {11000, 12000}});  // starts at SND.NXT
    CHECK(u.invalid == 1);
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {500, 1500}});  // straddles SND.UNA
    CHECK(u.invalid == 1);
    // Longer than 2^31 (left "after" right modulo 2^32): reversed.
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {2000, 2000 + 0x80000001u}});
    CHECK(u.invalid == 1);
    // The whole sequence space but one octet: reversed too.
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {2000, 1999}});
    CHECK(u.invalid == 1);
    // Entirely below SND.UNA (an old ACK's block): stale, not an error.
    u = sb_ack(sb, una, una, nxt, {{9000, 9100}, {200, 900}});
    CHECK(u.stale == 1);
    CHECK(u.invalid == 0);
    // Only the valid block was ever taken.
    CHECK(same(sb_ranges(sb), {{9000, 9100}}));
    CHECK(sb.consistent_with(una, nxt));
}

TEST_CASE("sack scoreboard: blocks across 2^32", "[sack][scoreboard]") {
    board16 sb;
    const std::uint32_t una = 0xFFFFF000u, nxt = 0x00001000u;  // 8192 octets straddling 2^32
    auto u = sb_ack(sb, una, una, nxt, {{0x00000800u, 0x00000C00u}, {0xFFFFF800u, 0x00000100u}});
    CHECK(u.accepted == 2);
    CHECK(u.newly_sacked == 0x400u + 0x900u);
    CHECK(same(sb_ranges(sb), {{0xFFFFF800u, 0x00000100u}, {0x00000800u, 0x00000C00u}}));
    // A cumulative ACK to 0x00000000 cuts the first range to [0, 0x100).
    u = sb_ack(sb, 0, una, nxt, {});
    CHECK(u.acked == 0x1000u);
    CHECK(u.snd_una == 0);
    CHECK(same(sb_ranges(sb), {{0x00000000u, 0x00000100u}, {0x00000800u, 0x00000C00u}}));
    CHECK(sb.consistent_with(0, nxt));
}

TEST_CASE("sack scoreboard: D-SACK blocks are recognised and not counted (RFC 2883 §4)", "[sack][scoreboard]") {
    board16 sb;
    // First block below SEG.ACK: a D-SACK of data already cumulatively acknowledged.
    auto u = sb_ack(sb, 3000, 1000, 11000, {{1500, 2000}, {5000, 6000}});
    CHECK(u.dsack.left == 1500);
    CHECK(u.dsack.right == 2000);
    CHECK(u.accepted == 1);
    CHECK(u.newly_sacked == 1000);
    // DeliveredData = 2000 (SND.UNA 1000 -> 3000) + 1000 SACKed; the D-SACK counts nothing.
    CHECK(u.delivered == 3000);
    CHECK(same(sb_ranges(sb), {{5000, 6000}}));

    // First block inside the second, above SEG.ACK: a D-SACK of data above SND.UNA.
    u = sb_ack(sb, 3000, 3000, 11000, {{7000, 7500}, {7000, 8000}});
    CHECK(u.dsack.left == 7000);
    CHECK(u.dsack.right == 7500);
    CHECK(u.newly_sacked == 1000);  // the second block's [7000, 8000)
    CHECK(same(sb_ranges(sb), {{5000, 6000}, {7000, 8000}}));

    // RFC 2883 compares with this ACK's SEG.ACK, not SND.UNA: an old ACK (SEG.ACK 2000 <
    // SND.UNA 3000) whose first block [2500, 2800) lies above it is not a D-SACK; it is a
    // stale SACK block.
    u = sb_ack(sb, 2000, 3000, 11000, {{2500, 2800}});
    CHECK(u.dsack.empty());
    CHECK(u.stale == 1);

    // A first block that starts below SEG.ACK and ends above it is a D-SACK too (Linux's
    // tcp_check_dsack: its start is before SEG.ACK); nothing of it is SACKed.
    u = sb_ack(sb, 3000, 3000, 11000, {{2500, 3500}});
    CHECK(u.dsack.left == 2500);
    CHECK(u.dsack.right == 3500);
    CHECK(u.accepted == 0);
    CHECK_FALSE(sb.is_sacked(3200));

    // Only the first block can be a D-SACK: a later block below SEG.ACK is stale.
    u = sb_ack(sb, 3000, 3000, 11000, {{9000, 9500}, {1000, 2000}});
    CHECK(u.dsack.empty());
    CHECK(u.stale == 1);
    CHECK(u.accepted == 1);

    // A first block that is not a valid block (past SND.NXT) is no D-SACK: rejected.
    u = sb_ack(sb, 3000, 3000, 11000, {{2000, 12000}});
    CHECK(u.dsack.empty());
    CHECK(u.invalid == 1);
    CHECK(sb.consistent_with(3000, 11000));
}

TEST_CASE("sack scoreboard: the cumulative ACK trims, and DeliveredData counts SACKed octets once", "[sack][scoreboard]") {
    board16 sb;
    sb_ack(sb, 1000, 1000, 11000, {{2000, 3000}, {4000, 5000}, {6000, 7000}});
    REQUIRE(sb.sacked_octets() == 3000);
    // SEG.ACK = 5000: [2000,3000) and [4000,5000) are acknowledged. SND.UNA advances 4000, of
    // which 2000 were already SACKed (delivered before): DeliveredData = 4000 + (1000 - 3000).
    auto u = sb_ack(sb, 5000, 1000, 11000, {{6000, 7000}});
    CHECK(u.acked == 4000);
    CHECK(u.delivered == 2000);
    CHECK(same(sb_ranges(sb), {{6000, 7000}}));
    CHECK_FALSE(u.reneging);
    // SEG.ACK outside (SND.UNA, SND.NXT]: SND.UNA stays (here: beyond SND.NXT).
    u = sb_ack(sb, 12000, 5000, 11000, {});
    CHECK(u.snd_una == 5000);
    CHECK(u.acked == 0);
    CHECK(same(sb_ranges(sb), {{6000, 7000}}));
    // The ACK at a range's right edge removes it: no reneging.
    u = sb_ack(sb, 7000, 5000, 11000, {});
    CHECK(u.acked == 2000);
    CHECK(u.delivered == 1000);  // 2000 - 1000 SACKed before
    CHECK(sb.empty());
    CHECK_FALSE(u.reneging);
}

TEST_CASE("sack scoreboard: reneging, a cumulative ACK at or inside a SACKed range (RFC 2018 §8)", "[sack][scoreboard]") {
    board16 sb;
    sb_ack(sb, 1000, 1000, 11000, {{4000, 6000}});
    // The receiver acknowledges up to 4000 and nothing of [4000, 6000) it had SACKed: it had
    // that range and would acknowledge 6000 unless it discarded it.
    auto u = sb_ack(sb, 4000, 1000, 11000, {});
    CHECK(u.reneging);
    // The range is kept (the data is not freed: only SND.UNA frees it); the engine decides.
    CHECK(same(sb_ranges(sb), {{4000, 6000}}));
    // An ACK inside a SACKed range: the range is cut at SND.UNA, reneging again.
    u = sb_ack(sb, 5000, 4000, 11000, {});
    CHECK(u.reneging);
    CHECK(same(sb_ranges(sb), {{5000, 6000}}));
    CHECK(sb.consistent_with(5000, 11000));
    // clear() forgets the SACKed ranges (RFC 2018 §8: after a timeout, SHOULD).
    sb.clear();
    CHECK(sb.empty());
    CHECK(sb.sacked_octets() == 0);
    // An ACK below a SACKed range is not reneging.
    sb_ack(sb, 5000, 5000, 11000, {{7000, 8000}});
    u = sb_ack(sb, 6000, 5000, 11000, {});
    CHECK_FALSE(u.reneging);
}

TEST_CASE("sack scoreboard: the bound, when full the highest range is forgotten", "[sack][scoreboard]") {
    tcpfsm::sack::scoreboard<3> sb;
    STATIC_REQUIRE(tcpfsm::sack::scoreboard<3>::max_ranges == 3);
    sb_ack(sb, 0, 0, 20000, {{2000, 3000}, {4000, 5000}, {6000, 7000}});
    REQUIRE(sb.count() == 3);
    // A fourth range above all: it is the one forgotten. It carried new octets, so the ACK
    // still counts as a duplicate ACK (RFC 6675 §2), but nothing is recorded.
    auto u = sb_ack(sb, 0, 0, 20000, {{8000, 9000}});
    CHECK(u.dropped_for_capacity);
    CHECK(u.newly_sacked == 1000);
    CHECK(u.delivered == 0);
    CHECK(same(sb_ranges(sb), {{2000, 3000}, {4000, 5000}, {6000, 7000}}));
    // A new range below the highest: the highest one goes, the new one stays.
    u = sb_ack(sb, 0, 0, 20000, {{500, 1000}});
    CHECK(u.dropped_for_capacity);
    CHECK(same(sb_ranges(sb), {{500, 1000}, {2000, 3000}, {4000, 5000}}));
    CHECK(sb.sacked_octets() == 2500);
    // DeliveredData: +500 new, -1000 forgotten: clamped at 0.
    CHECK(u.delivered == 0);
    // Merging needs no new range: nothing is dropped when full.
    u = sb_ack(sb, 0, 0, 20000, {{1000, 2000}});
    CHECK_FALSE(u.dropped_for_capacity);
    CHECK(same(sb_ranges(sb), {{500, 3000}, {4000, 5000}}));
    CHECK(sb.consistent_with(0, 20000));
    // A block covering every range merges them all into one.
    u = sb_ack(sb, 0, 0, 20000, {{100, 19000}});
    CHECK(same(sb_ranges(sb), {{100, 19000}}));
    CHECK(u.newly_sacked == 18900 - 2500 - 1000);
}

TEST_CASE("sack scoreboard: many small blocks cost nothing but their ranges", "[sack][scoreboard]") {
    // The CVE-2019-11477 pattern: thousands of tiny blocks spread over the window. The
    // scoreboard never holds more than its bound, and every range it holds was reported.
    tcpfsm::sack::scoreboard<8> sb;
    const std::uint32_t una = 100000, nxt = una + 1000000;
    std::vector<seq_block> reported;
    for (std::uint32_t i = 0; i < 5000; ++i) {
        const std::uint32_t left = una + 1 + (i * 7919u) % 999000u;
        const seq_block b{left, left + 1 + i % 3};
        reported.push_back(b);
        sb.on_ack(una, una, nxt, &b, 1);
        REQUIRE(sb.count() <= 8);
        REQUIRE(sb.consistent_with(una, nxt));
    }
    // Soundness: every SACKed octet of the scoreboard is inside some reported block.
    for (std::size_t i = 0; i < sb.count(); ++i) {
        const seq_block r = sb.range(i);
        for (std::uint32_t s = r.left; s != r.right; ++s) {
            bool found = false;
            for (const seq_block& b : reported)
                if (s - b.left < b.right - b.left) found = true;
            REQUIRE(found);
        }
    }
}

TEST_CASE("sack scoreboard: the octets above a sequence number (for RFC 6675 IsLost)", "[sack][scoreboard]") {
    board16 sb;
    sb_ack(sb, 0, 0, 10000, {{1000, 2000}, {3000, 4000}, {5000, 5500}});
    auto a = sb.above(0);
    CHECK(a.octets == 2500);
    CHECK(a.ranges == 3);
    a = sb.above(1500);  // octets 1501..1999 of the first range, then the two others
    CHECK(a.octets == 499 + 1000 + 500);
    CHECK(a.ranges == 3);
    a = sb.above(1999);  // none of the first range is above 1999
    CHECK(a.octets == 1500);
    CHECK(a.ranges == 2);
    a = sb.above(5499);
    CHECK(a.octets == 0);
    CHECK(a.ranges == 0);
}

TEST_CASE("sack scoreboard: constexpr", "[sack][scoreboard]") {
    constexpr auto built = [] {
        tcpfsm::sack::scoreboard<2> sb;
        const seq_block b[2] = {{300, 400}, {100, 200}};
        const auto u = sb.on_ack(0, 0, 1000, b, 2);
        return u.newly_sacked == 200 && sb.count() == 2 && sb.range(0).left == 100 && sb.consistent_with(0, 1000);
    }();
    STATIC_REQUIRE(built);
}
