// RFC 6675 loss recovery (include/tcpfsm/sack/rfc6675.hpp): IsLost(), SetPipe(), NextSeg()
// rules (1)-(4), the duplicate acknowledgment of §2, entering and leaving recovery (§5) and
// the RTO rule (§5.1). Expected values are worked out in the test from the RFC's text, and
// SetPipe() is checked against a per-octet transcription of §4 written here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/rfc6675.hpp>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace {

using tcpfsm::seq_block;
namespace sk = tcpfsm::sack;
using board = sk::scoreboard<16>;

constexpr std::uint32_t mss_1000 = 1000;

sk::update_result give(board& sb, std::uint32_t ack, std::uint32_t una, std::uint32_t nxt,
                       std::initializer_list<seq_block> blocks) {
    const std::vector<seq_block> v(blocks);
    return sb.on_ack(ack, una, nxt, v.data(), v.size());
}

// §4 IsLost() and SetPipe() octet by octet, straight from the RFC's words.
bool octet_sacked(const board& sb, std::uint32_t s) {
    for (std::size_t i = 0; i < sb.count(); ++i)
        if (s - sb.range(i).left < sb.range(i).length()) return true;
    return false;
}
bool rfc_is_lost(const board& sb, std::uint32_t seq, std::uint32_t nxt, std::uint32_t smss) {
    // "DupThresh discontiguous SACKed sequences have arrived above 'SeqNum'" (runs of SACKed
    // octets above it) "or more than (DupThresh - 1) * SMSS bytes with sequence numbers
    // greater than 'SeqNum' have been SACKed".
    std::uint32_t octets = 0, runs = 0;
    bool in_run = false;
    for (std::uint32_t s = seq + 1; s != nxt; ++s) {
        const bool sacked = octet_sacked(sb, s);
        if (sacked) ++octets;
        if (sacked && !in_run) ++runs;
        in_run = sacked;
    }
    return runs >= 3 || octets > 2 * smss;
}
std::uint32_t rfc_set_pipe(const board& sb, std::uint32_t una, std::uint32_t nxt, std::uint32_t high_rxt_plus_1,
                           std::uint32_t smss) {
    std::uint32_t pipe = 0;
    for (std::uint32_t s1 = una; s1 != nxt; ++s1) {
        if (octet_sacked(sb, s1)) continue;
        if (!rfc_is_lost(sb, s1, nxt, smss)) ++pipe;        // (a)
        if (tcpfsm::seq_lt(s1, high_rxt_plus_1)) ++pipe;    // (b) S1 <= HighRxt
    }
    return pipe;
}

}  // namespace

TEST_CASE("rfc6675: IsLost at DupThresh 3", "[sack][rfc6675]") {
    board sb;
    // Two ranges of one SMSS above 0: 2000 octets is not more than (3 - 1) * 1000.
    give(sb, 0, 0, 10000, {{1000, 2000}, {3000, 4000}});
    CHECK_FALSE(sk::is_lost(sb, 0, mss_1000));
    // One more octet SACKed (contiguous, so still two ranges): 2001 > 2000.
    give(sb, 0, 0, 10000, {{4000, 4001}});
    CHECK(sk::is_lost(sb, 0, mss_1000));
    // Three discontiguous ranges of 10 octets: DupThresh ranges.
    board small;
    give(small, 0, 0, 10000, {{100, 110}, {200, 210}, {300, 310}});
    CHECK(sk::is_lost(small, 0, mss_1000));
    CHECK(sk::is_lost(small, 99, mss_1000));
    CHECK_FALSE(sk::is_lost(small, 110, mss_1000));  // only two ranges above 110
    // DupThresh as a parameter: 2 ranges suffice with DupThresh 2; octets > 1 * SMSS.
    CHECK(sk::is_lost(small, 110, mss_1000, 2));
}

TEST_CASE("rfc6675: SetPipe against the per-octet definition", "[sack][rfc6675]") {
    constexpr std::uint32_t smss = 10;
    struct pipe_case {
        std::uint32_t una, nxt, high_rxt;
        std::vector<seq_block> blocks;
    };
    const std::vector<pipe_case> cases = {
        {0, 200, 0, {}},
        {0, 200, 0, {{10, 20}}},
        {0, 200, 10, {{10, 20}, {30, 40}, {50, 60}}},
        {0, 200, 45, {{10, 20}, {30, 40}, {50, 60}, {70, 75}}},
        {100, 300, 100, {{150, 175}, {180, 181}, {250, 300}}},
        {0xFFFFFF80u, 0x80u, 0xFFFFFFA0u, {{0xFFFFFF90u, 0xFFFFFFA0u}, {0xFFFFFFF0u, 0x10u}, {0x40u, 0x41u}}},
        {0, 120, 120, {{5, 6}, {7, 8}, {9, 10}, {100, 120}}},
    };
    for (const pipe_case& c : cases) {
        board sb;
        sb.on_ack(c.una, c.una, c.nxt, c.blocks.data(), c.blocks.size());
        CAPTURE(c.una, c.nxt, c.high_rxt, sb.count());
        CHECK(sk::set_pipe(sb, c.una, c.nxt, c.high_rxt, smss) == rfc_set_pipe(sb, c.una, c.nxt, c.high_rxt, smss));
    }
}

TEST_CASE("rfc6675: entering on the third duplicate ACK, the first retransmission, pipe", "[sack][rfc6675]") {
    // SND.UNA = 0, SND.NXT = 10000: ten segments of 1000. Segments at 0, 2000 and 4000 are
    // lost; three ACKs SACK [1000,2000), [3000,4000), [5000,6000) one after the other.
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{1000, 2000}});
    auto s = rec.on_ack(sb, u, 10000, mss_1000);
    CHECK(s.duplicate);
    CHECK(rec.duplicate_acks() == 1);
    CHECK_FALSE(s.entered);  // 1 range, 1000 octets above 0: not lost
    u = give(sb, 0, 0, 10000, {{3000, 4000}, {1000, 2000}});
    s = rec.on_ack(sb, u, 10000, mss_1000);
    CHECK(rec.duplicate_acks() == 2);
    CHECK_FALSE(s.entered);  // 2 ranges, 2000 octets: not more than 2 * SMSS
    // An ACK that repeats what is known is no duplicate (RFC 6675 §2).
    u = give(sb, 0, 0, 10000, {{3000, 4000}, {1000, 2000}});
    s = rec.on_ack(sb, u, 10000, mss_1000);
    CHECK_FALSE(s.duplicate);
    CHECK(rec.duplicate_acks() == 2);
    u = give(sb, 0, 0, 10000, {{5000, 6000}, {3000, 4000}, {1000, 2000}});
    s = rec.on_ack(sb, u, 10000, mss_1000);
    CHECK(s.entered);
    CHECK(rec.in_recovery());
    CHECK(rec.recovery_point() == 10000);  // (4.1) RecoveryPoint = HighData
    // (4.3): retransmit the segment at HighACK + 1.
    CHECK(s.first.seq == 0);
    CHECK(s.first.length == 1000);
    CHECK(s.first.rule == sk::nextseg_rule::first);
    // Before it is sent: [0,1000) is lost (3 ranges above), [2000,3000) and [4000,5000) are
    // not (2 ranges / 2000 octets, 1 range above), [6000,10000) is in flight: 6000.
    CHECK(rec.pipe(sb, 0, 10000, mss_1000) == 1000 + 1000 + 4000);
    rec.on_sent(s.first);
    CHECK(rec.high_rxt() == 1000);  // HighRxt = 999, the segment's highest octet
    // (b): the retransmitted [0,1000) counts once more.
    CHECK(rec.pipe(sb, 0, 10000, mss_1000) == 7000);
}

TEST_CASE("rfc6675: NextSeg rules (1) to (4) in order", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{5000, 6000}, {3000, 4000}, {1000, 2000}});
    // One ACK with three ranges: DupAcks is 1 but IsLost(HighACK + 1) (§5 step (2)).
    auto s = rec.on_ack(sb, u, 10000, mss_1000);
    REQUIRE(s.entered);
    CHECK(rec.duplicate_acks() == 1);
    rec.on_sent(s.first);
    // S2 = 2000 (first unSACKed above HighRxt), below the highest SACK (6000), but IsLost(2000)
    // is false (2 ranges, 2000 octets above). Rule (2): new data when the window allows.
    auto c = rec.next_seg(sb, 0, 10000, mss_1000, 5000);
    CHECK(c.rule == sk::nextseg_rule::new_data);
    CHECK(c.seq == 10000);
    CHECK(c.length == 1000);
    c = rec.next_seg(sb, 0, 10000, mss_1000, 300);  // less than SMSS of unsent data
    CHECK(c.length == 300);
    // Rule (3) without new data: S3 = 2000.
    c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::unsacked);
    CHECK(c.seq == 2000);
    CHECK(c.length == 1000);
    // A fourth range above makes IsLost(2000) true (3 ranges): rule (1) comes before (2).
    u = give(sb, 0, 0, 10000, {{7000, 8000}});
    rec.on_ack(sb, u, 10000, mss_1000);
    c = rec.next_seg(sb, 0, 10000, mss_1000, 5000);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 2000);
    rec.on_sent(c);
    CHECK(rec.high_rxt() == 3000);
    // Next: S2 = 4000: above it [5000,6000) and [7000,8000), 2 ranges and 2000 octets, not
    // lost; no new data: rule (3).
    c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::unsacked);
    CHECK(c.seq == 4000);
    rec.on_sent(c);
    // S2 = 6000, below 8000, one range above: rule (3).
    c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::unsacked);
    CHECK(c.seq == 6000);
    rec.on_sent(c);
    CHECK(rec.high_rxt() == 7000);
    // S2 = 8000 is not below the highest SACKed octet: no (1) or (3). Rule (4): one segment
    // ending at the highest unSACKed octet, 9999: [9000, 10000). HighRxt does not move.
    c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::rescue);
    CHECK(c.seq == 9000);
    CHECK(c.length == 1000);
    rec.on_sent(c);
    CHECK(rec.high_rxt() == 7000);
    CHECK(rec.rescue_used());
    // Only one rescue per recovery: (5) nothing.
    c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::none);
    CHECK(c.length == 0);
}

TEST_CASE("rfc6675: the rescue segment when the last hole is shorter than SMSS", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    // SND.NXT = 5500; SACKed up to SND.NXT except [4800, 5000): the highest unSACKed octet is
    // 4999, its hole [4800, 5000) is 200 long.
    auto u = give(sb, 0, 0, 5500, {{5000, 5500}, {3000, 4800}, {1000, 2000}});
    auto s = rec.on_ack(sb, u, 5500, mss_1000);
    REQUIRE(s.entered);
    rec.on_sent(s.first);                                         // [0, 1000)
    rec.on_sent({2000, 1000, sk::nextseg_rule::lost});            // [2000, 3000)
    auto c = rec.next_seg(sb, 0, 5500, mss_1000, 0);
    // S2 = 4800 < 5500 (highest SACK), IsLost(4800): 1 range, 500 octets: no. Rule (3).
    CHECK(c.rule == sk::nextseg_rule::unsacked);
    CHECK(c.seq == 4800);
    CHECK(c.length == 200);
    rec.on_sent(c);
    // Nothing unSACKed above HighRxt (5000) below SND.NXT: the rescue ends at the highest
    // unSACKed octet, 4999, and the hole is 200 long: [4800, 5000).
    c = rec.next_seg(sb, 0, 5500, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::rescue);
    CHECK(c.seq == 4800);
    CHECK(c.length == 200);
}

TEST_CASE("rfc6675: recovery ends when SND.UNA reaches RecoveryPoint, not before", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{5000, 6000}, {3000, 4000}, {1000, 2000}});
    REQUIRE(rec.on_ack(sb, u, 10000, mss_1000).entered);
    // New data is sent during recovery: SND.NXT 12000. A partial ACK to 3000.
    u = give(sb, 3000, 0, 12000, {{5000, 6000}});
    auto s = rec.on_ack(sb, u, 12000, mss_1000);
    CHECK_FALSE(s.ended);
    CHECK(rec.in_recovery());
    CHECK(rec.high_rxt() == 3000);  // never below HighACK + 1
    // The ACK of 10000 = RecoveryPoint + 1: (A).
    u = give(sb, 10000, 3000, 12000, {});
    s = rec.on_ack(sb, u, 12000, mss_1000);
    CHECK(s.ended);
    CHECK_FALSE(rec.in_recovery());
}

TEST_CASE("rfc6675: a cumulative ACK resets DupAcks, and may itself be a duplicate (§2, §5)", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{2000, 3000}});
    rec.on_ack(sb, u, 10000, mss_1000);
    u = give(sb, 0, 0, 10000, {{4000, 5000}});
    rec.on_ack(sb, u, 10000, mss_1000);
    REQUIRE(rec.duplicate_acks() == 2);
    // Moves SND.UNA to 1000 and SACKs [6000, 6500): reset, then counted: 1.
    u = give(sb, 1000, 0, 10000, {{6000, 6500}});
    auto s = rec.on_ack(sb, u, 10000, mss_1000);
    CHECK(s.duplicate);
    CHECK(rec.duplicate_acks() == 1);
    // Three ranges above HighACK + 1 = 1000 ([2000,3000), [4000,5000), [6000,6500)): §5 step
    // (2), IsLost(HighACK + 1), enters with DupAcks 1.
    CHECK(s.entered);
    CHECK(s.first.seq == 1000);
}

TEST_CASE("rfc6675: the third duplicate ACK enters even when IsLost does not hold (§5 step (1))", "[sack][rfc6675]") {
    // Small segments: three 10-octet SACKs in one range, 30 octets above SND.UNA.
    board sb;
    sk::recovery rec;
    sk::recovery_step s{};
    for (std::uint32_t k = 1; k <= 3; ++k) {
        const seq_block b{100, 100 + 10 * k};
        const auto u = sb.on_ack(0, 0, 1000, &b, 1);
        CHECK_FALSE(sk::is_lost(sb, 0, mss_1000));
        s = rec.on_ack(sb, u, 1000, mss_1000);
        CHECK(s.entered == (k == 3));
    }
    CHECK(s.first.seq == 0);
    CHECK(s.first.length == 100);  // the hole [0, 100) is shorter than SMSS
}

TEST_CASE("rfc6675: after a timeout no recovery begins until SND.UNA reaches RecoveryPoint (§5.1)", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{5000, 6000}, {3000, 4000}, {1000, 2000}});
    REQUIRE(rec.on_ack(sb, u, 10000, mss_1000).entered);
    rec.on_retransmission_timeout(0, 12000);
    CHECK_FALSE(rec.in_recovery());
    CHECK(rec.recovery_point() == 12000);
    CHECK(rec.high_rxt() == 0);
    // Plenty of SACK information below 12000: no new recovery.
    u = give(sb, 2000, 0, 12000, {{7000, 8000}, {9000, 9500}});
    auto s = rec.on_ack(sb, u, 12000, mss_1000);
    CHECK(s.duplicate);
    CHECK_FALSE(s.entered);
    u = give(sb, 2000, 2000, 12000, {{10000, 11000}});
    s = rec.on_ack(sb, u, 12000, mss_1000);
    CHECK_FALSE(s.entered);
    // SND.UNA reaches 12000; later losses start a recovery again.
    u = give(sb, 12000, 2000, 16000, {});
    rec.on_ack(sb, u, 16000, mss_1000);
    u = give(sb, 12000, 12000, 16000, {{15000, 16000}, {13000, 14000}, {14100, 14200}});
    s = rec.on_ack(sb, u, 16000, mss_1000);
    CHECK(s.entered);  // IsLost(12000): 3 ranges above
}

TEST_CASE("rfc6675: outside recovery NextSeg offers new data only (limited transmit, §5 (3))", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    auto u = give(sb, 0, 0, 10000, {{2000, 3000}});
    rec.on_ack(sb, u, 10000, mss_1000);
    REQUIRE_FALSE(rec.in_recovery());
    auto c = rec.next_seg(sb, 0, 10000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::none);
    c = rec.next_seg(sb, 0, 10000, mss_1000, 4000);
    CHECK(c.rule == sk::nextseg_rule::new_data);
    CHECK(c.seq == 10000);
    // (3.1) HighRxt = HighACK: pipe counts no retransmission; [0,2000) and [3000,10000) are
    // not lost (one range of 1000 above): 9000.
    CHECK(rec.pipe(sb, 0, 10000, mss_1000) == 9000);
}

TEST_CASE("rfc6675: names of the NextSeg rules", "[sack][rfc6675]") {
    CHECK(std::string(sk::name(sk::nextseg_rule::lost)) == "lost");
    CHECK(std::string(sk::name(sk::nextseg_rule::rescue)) == "rescue");
    CHECK(std::string(sk::name(static_cast<sk::nextseg_rule>(sk::nextseg_rule_count))) == "invalid");
}

TEST_CASE("rfc6675: pipe before the first ACK counts no retransmission, wherever SND.UNA is", "[sack][rfc6675]") {
    // Found by fuzz_sack: a fresh component's HighRxt (0) is 2^31 away from SND.UNA = 2^31 and
    // must not make the flight look retransmitted. Outside recovery HighRxt = HighACK.
    board sb;
    sk::recovery rec;
    const std::uint32_t una = 0x80000000u;
    CHECK(rec.pipe(sb, una, una + 194, 1) == 194);
    CHECK(rec.pipe(sb, 0xFFFFFF00u, 0x00000100u, 100) == 0x200u);
}

// The loss markings beyond IsLost() (docs/sack.md "Loss marking beyond IsLost()").
// Ten segments of 1000 at 0; [0,1000) and [3000,4000) lost; the receiver SACKs [1000,3000)
// and [4000,6000) and drops [6000,10000) (its reassembly capacity): three duplicate ACKs
// start recovery (§5 (1)) and [0,1000) is resent.
namespace {
void enter_with_two_holes(board& sb, sk::recovery& rec) {
    rec.on_ack(sb, give(sb, 0, 0, 10000, {{1000, 2000}}), 10000, mss_1000);
    rec.on_ack(sb, give(sb, 0, 0, 10000, {{1000, 3000}}), 10000, mss_1000);
    const auto s = rec.on_ack(sb, give(sb, 0, 0, 10000, {{4000, 5000}, {1000, 3000}}), 10000, mss_1000);
    REQUIRE(s.entered);
    REQUIRE(s.first.seq == 0);
    rec.on_sent(s.first);
    REQUIRE(rec.high_rxt() == 1000);
}
}  // namespace

TEST_CASE("rfc6675: a partial ACK to a hole with SACKed octets above marks the head lost", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    enter_with_two_holes(sb, rec);
    auto s = rec.on_ack(sb, give(sb, 0, 0, 10000, {{4000, 6000}, {1000, 3000}}), 10000, mss_1000);
    CHECK_FALSE(s.head_lost);  // SND.UNA did not move
    // The resent [0,1000) arrives: SEG.ACK = 3000. Above 3000: [4000,6000), 2000 octets, one
    // range: IsLost(3000) is false (not more than 2 * 1000, fewer than 3 ranges).
    s = rec.on_ack(sb, give(sb, 3000, 0, 10000, {{4000, 6000}}), 10000, mss_1000);
    CHECK_FALSE(sk::is_lost(sb, 3000, mss_1000));
    CHECK(s.head_lost);
    CHECK(rec.lost_end() == 4000);  // up to SMSS of the hole at SND.UNA
    // pipe: [3000,4000) marked lost and not resent 0, [6000,10000) not lost 4000.
    CHECK(rec.pipe(sb, 3000, 10000, mss_1000) == 4000);
    // Rule (1) before new data (rule (2)).
    auto c = rec.next_seg(sb, 3000, 10000, mss_1000, 5000);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 3000);
    CHECK(c.length == 1000);
    rec.on_sent(c);
    // Resent: counted once (RFC 6675 SetPipe's "S1 =< HighRxt"): 1000 + 4000.
    CHECK(rec.pipe(sb, 3000, 10000, mss_1000) == 5000);
    // Another ACK to 3000 (a duplicate) marks nothing new; a partial ACK to a head already
    // resent marks nothing either: SND.UNA 3500 (a part of the first transmission arrived)
    // is below HighRxt 4000.
    s = rec.on_ack(sb, give(sb, 3000, 3000, 10000, {{4000, 6000}}), 10000, mss_1000);
    CHECK_FALSE(s.head_lost);
    s = rec.on_ack(sb, give(sb, 3500, 3000, 10000, {{4000, 6000}}), 10000, mss_1000);
    CHECK_FALSE(s.head_lost);
    CHECK(rec.lost_end() == 4000);
}

TEST_CASE("rfc6675: a retransmission is lost again once a segment sent after it is SACKed", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    enter_with_two_holes(sb, rec);  // [0,1000) resent when SND.NXT was 10000
    rec.on_sent({10000, 1000, sk::nextseg_rule::new_data});  // SND.NXT 11000
    rec.on_sent({11000, 1000, sk::nextseg_rule::new_data});  // SND.NXT 12000
    // [5000,6000) was sent before the retransmission: its SACK says nothing about it.
    rec.on_ack(sb, give(sb, 0, 0, 12000, {{4000, 6000}, {1000, 3000}}), 12000, mss_1000);
    CHECK(rec.high_rxt() == 1000);
    CHECK(rec.lost_end() == 0);
    // [10000,11000) was sent after it: the retransmission of [0,1000) is lost again.
    rec.on_ack(sb, give(sb, 0, 0, 12000, {{10000, 11000}, {4000, 6000}, {1000, 3000}}), 12000, mss_1000);
    CHECK(rec.high_rxt() == 0);      // back to SND.UNA: NextSeg() resends it
    CHECK(rec.lost_end() == 1000);   // the old HighRxt
    // pipe: [0,1000) lost, not resent since: 0; [3000,4000): 3000 octets SACKed above, lost:
    // 0; [6000,10000): 1000 above, one range: 4000; [11000,12000): 1000. Before: 1000 more.
    CHECK(rec.pipe(sb, 0, 12000, mss_1000) == 5000);
    auto c = rec.next_seg(sb, 0, 12000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 0);
    CHECK(c.length == 1000);
    rec.on_sent(c);
    CHECK(rec.high_rxt() == 1000);
    c = rec.next_seg(sb, 0, 12000, mss_1000, 0);  // then the next lost hole
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 3000);
}

TEST_CASE("rfc6675: a lost retransmission is found with sequence numbers past 2^31", "[sack][rfc6675]") {
    // The scenario above from an ISS of 0x90000000 (RFC 9293 §3.4: any ISS, modulo 2^32).
    constexpr std::uint32_t base = 0x90000000u;
    board sb;
    sk::recovery rec;
    rec.on_ack(sb, give(sb, base, base, base + 10000, {{base + 1000, base + 2000}}), base + 10000, mss_1000);
    rec.on_ack(sb, give(sb, base, base, base + 10000, {{base + 1000, base + 3000}}), base + 10000, mss_1000);
    const auto s = rec.on_ack(sb, give(sb, base, base, base + 10000, {{base + 4000, base + 5000}, {base + 1000, base + 3000}}),
                              base + 10000, mss_1000);
    REQUIRE(s.entered);
    rec.on_sent(s.first);  // [base, base + 1000) resent when SND.NXT was base + 10000
    rec.on_sent({base + 10000, 1000, sk::nextseg_rule::new_data});
    rec.on_ack(sb, give(sb, base, base, base + 11000, {{base + 4000, base + 6000}, {base + 1000, base + 3000}}),
               base + 11000, mss_1000);
    CHECK(rec.lost_end() == base);
    // [base + 10000, base + 11000) was sent after the retransmission: it was lost again.
    rec.on_ack(sb,
               give(sb, base, base, base + 11000,
                    {{base + 10000, base + 11000}, {base + 4000, base + 6000}, {base + 1000, base + 3000}}),
               base + 11000, mss_1000);
    CHECK(rec.high_rxt() == base);
    CHECK(rec.lost_end() == base + 1000);
    const auto c = rec.next_seg(sb, base, base + 11000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == base);
}

TEST_CASE("rfc6675: the oldest retransmission is lost again while later ones are still out", "[sack][rfc6675]") {
    board sb;
    sk::recovery rec;
    enter_with_two_holes(sb, rec);  // [0,1000) resent when SND.NXT was 10000
    rec.on_sent({10000, 1000, sk::nextseg_rule::new_data});  // SND.NXT 11000
    // [4000,7000) SACKed: 3000 octets above 3000, more than 2 * SMSS: IsLost(3000).
    rec.on_ack(sb, give(sb, 0, 0, 11000, {{4000, 7000}, {1000, 3000}}), 11000, mss_1000);
    auto c = rec.next_seg(sb, 0, 11000, mss_1000, 0);
    REQUIRE(c.seq == 3000);
    REQUIRE(c.rule == sk::nextseg_rule::lost);
    rec.on_sent(c);  // [3000,4000) resent when SND.NXT was 11000
    rec.on_sent({11000, 1000, sk::nextseg_rule::new_data});  // SND.NXT 12000
    // [10000,11000) was sent after the retransmission of [0,1000), before that of [3000,4000):
    // the first was lost again, the second may still be on its way.
    rec.on_ack(sb, give(sb, 0, 0, 12000, {{10000, 11000}, {4000, 7000}, {1000, 3000}}), 12000, mss_1000);
    CHECK(rec.lost_end() == 1000);
    CHECK(rec.high_rxt() == 4000);
    c = rec.next_seg(sb, 0, 12000, mss_1000, 1000);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 0);
    CHECK(c.length == 1000);
    rec.on_sent(c);  // [0,1000) resent a second time, when SND.NXT was 12000
    // Then new data, not [3000,4000) again; [7000,10000) is not lost (1000 octets above, one range).
    c = rec.next_seg(sb, 0, 12000, mss_1000, 1000);
    CHECK(c.rule == sk::nextseg_rule::new_data);
    CHECK(c.seq == 12000);
    rec.on_sent(c);  // SND.NXT 13000
    // [11000,12000) was sent after the retransmission of [3000,4000), before the second of
    // [0,1000): [3000,4000) was lost again, [0,1000) may be on its way.
    rec.on_ack(sb, give(sb, 0, 0, 13000, {{10000, 12000}, {4000, 7000}, {1000, 3000}}), 13000, mss_1000);
    CHECK(rec.lost_end() == 4000);
    c = rec.next_seg(sb, 0, 13000, mss_1000, 0);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 3000);
    CHECK(c.length == 1000);
}
