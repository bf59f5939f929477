// RACK past the segment log's bound (sack/segment_log.hpp, sack/rack_detector.hpp): a
// retransmission of an untracked segment gets a record, and the untracked octets as a whole
// are deemed lost by RFC 8985 §6.2's rule once a segment sent after the latest of them was
// delivered RACK.rtt + RACK.reo_wnd later. Expected values are the RFC's arithmetic, done here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/rack_detector.hpp>
#include <tcpfsm/sack/scoreboard.hpp>
#include <tcpfsm/sack/segment_log.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

namespace {
using tcpfsm::seq_block;
namespace sk = tcpfsm::sack;
constexpr std::uint64_t ut_ms = 1000;  // µs in a ms
constexpr std::uint8_t lost_and_resent = sk::segment_record::lost | sk::segment_record::retransmitted;
}  // namespace

TEST_CASE("segment_log: an untracked segment sent again gets a record, in sequence order", "[sack][rack]") {
    sk::segment_log<4> log;
    // Six segments of 1000 at 0, 1, ..., 5 ms: the last two are untracked.
    for (std::uint32_t k = 0; k < 6; ++k) CHECK(log.on_sent(k * 1000u, 1000, k * ut_ms) == (k < 4));
    CHECK(log.has_untracked());
    CHECK(log.untracked_end() == 6000u);
    CHECK(log.untracked_xmit() == 5 * ut_ms);
    // SND.UNA reaches 2000: two records go. [4000, 5000) is sent again at 10 ms: it comes
    // third, after [2000, 3000) and [3000, 4000), marked lost and retransmitted.
    log.pop_front();
    log.pop_front();
    CHECK_FALSE(log.on_retransmitted(4000, 1000, 10 * ut_ms));
    REQUIRE(log.size() == 3u);
    CHECK(log.at(0).seq == 2000u);
    CHECK(log.at(1).seq == 3000u);
    CHECK(log.at(2).seq == 4000u);
    CHECK(log.at(2).length() == 1000u);
    CHECK(log.at(2).flags == lost_and_resent);
    CHECK(log.at(2).xmit_us == 10 * ut_ms);
    // A record made this way is resent, not waiting: nothing to send again.
    CHECK(log.first_lost().empty());
    // A copy that overlaps a record only stamps it (no second record).
    CHECK_FALSE(log.on_retransmitted(2000, 1000, 11 * ut_ms));
    CHECK(log.size() == 3u);
    CHECK(log.at(0).xmit_us == 11 * ut_ms);
}

TEST_CASE("segment_log: a full log gives its highest record for a lower retransmission, unless it waits", "[sack][rack]") {
    sk::segment_log<2> log;
    CHECK(log.on_sent(0, 1000, 0));
    CHECK(log.on_sent(1000, 1000, 0));
    CHECK_FALSE(log.on_sent(2000, 1000, 1 * ut_ms));  // untracked
    log.pop_front();                                  // SND.UNA 1000
    CHECK(log.on_sent(3000, 1000, 2 * ut_ms));        // tracked: records 1000, 3000
    // Above every record and the log full: the copy stays untracked (the bound moves to now).
    CHECK(log.on_retransmitted(4000, 1000, 3 * ut_ms));
    CHECK(log.untracked_xmit() == 3 * ut_ms);
    CHECK(log.untracked_end() == 5000u);
    // Below the highest record: [3000, 4000) (unSACKed) goes untracked for [2000, 3000).
    CHECK(log.on_retransmitted(2000, 1000, 4 * ut_ms));
    REQUIRE(log.size() == 2u);
    CHECK(log.at(0).seq == 1000u);
    CHECK(log.at(1).seq == 2000u);
    CHECK(log.at(1).flags == lost_and_resent);
    CHECK(log.untracked_xmit() == 4 * ut_ms);
    // The highest record waits to be resent: it stays, and the copy is untracked.
    log.set_flags(1, sk::segment_record::lost);
    log.pop_front();
    CHECK(log.on_sent(5000, 1000, 5 * ut_ms));  // records 2000 (lost), 5000
    log.set_flags(1, sk::segment_record::lost);
    CHECK(log.on_retransmitted(3000, 1000, 6 * ut_ms));
    CHECK(log.size() == 2u);
    CHECK(log.at(1).seq == 5000u);
    // Forgotten when SND.UNA passes the end.
    log.forget_untracked();
    CHECK_FALSE(log.has_untracked());
}

TEST_CASE("scoreboard: the first unSACKed octet of a range and the SACKed octets inside it", "[sack]") {
    sk::scoreboard<8> sb;
    const seq_block blocks[2] = {{2000, 3000}, {4000, 4500}};
    sb.on_ack(0, 0, 6000, blocks, 2);
    CHECK(sb.first_unsacked(1000, 5000) == 1000u);
    CHECK(sb.first_unsacked(2000, 5000) == 3000u);
    CHECK(sb.first_unsacked(2500, 3000) == 3000u);  // all SACKed: the right edge
    CHECK(sb.first_unsacked(4000, 4500) == 4500u);
    CHECK(sb.sacked_within(0, 6000) == 1500u);
    CHECK(sb.sacked_within(2500, 4250) == 500u + 250u);
    CHECK(sb.sacked_within(3000, 4000) == 0u);
}

TEST_CASE("rack_detector: untracked octets are lost when a later segment is delivered RACK.rtt + reo_wnd after them",
          "[sack][rack]") {
    sk::rack_detector<2> d;
    sk::scoreboard<8> sb;
    sk::tlp_ack_result probe{};
    // [0, 1000) and [1000, 2000) at 0 ms (tracked); [2000, 3000) and [3000, 4000) at 1 ms
    // (untracked: the log holds two).
    d.on_sent(0, 1000, false, 0);
    d.on_sent(1000, 1000, false, 0);
    d.on_sent(2000, 1000, false, 1 * ut_ms);
    d.on_sent(3000, 1000, false, 1 * ut_ms);
    CHECK(d.log().has_untracked());
    // 10 ms: ACK of 1000. RACK.xmit_ts = 0 ms, before the untracked ones: nothing known.
    sk::rack_input in{};
    in.now_us = 10 * ut_ms;
    sk::update_result u = sb.on_ack(1000, 0, 4000, nullptr, 0);
    d.on_ack(sb, u, 1000, 4000, in, false, false, false, probe);
    CHECK_FALSE(d.untracked_lost());
    CHECK_FALSE(d.knows_flight(1000, 4000));
    // [4000, 5000) at 10 ms (tracked), SACKed at 20 ms: RACK.xmit_ts = 10 ms, after the
    // untracked ones (1 ms); RACK.rtt = 10 ms; min_RTT = 10 ms, reo_wnd = min_RTT / 4 =
    // 2.5 ms (fewer than DupThresh SACKed, no recovery). Deadline 1 + 10 + 2.5 = 13.5 ms < 20.
    d.on_sent(4000, 1000, false, 10 * ut_ms);
    const seq_block b{4000, 5000};
    in.now_us = 20 * ut_ms;
    u = sb.on_ack(1000, 1000, 5000, &b, 1);
    d.on_ack(sb, u, 1000, 5000, in, true, false, false, probe);
    CHECK(d.state().rtt_us() == 10 * ut_ms);
    CHECK(d.state().reo_wnd_us() == 2500u);
    CHECK(d.untracked_lost());
    CHECK(d.knows_flight(1000, 5000));
    // [1000, 2000) (sent at 0) is marked lost by its record, first; then the untracked hole.
    CHECK(d.first_lost(sb, 1000).left == 1000u);
    CHECK(d.first_lost(sb, 1000).right == 2000u);
    // pipe: 4000 in flight - 1000 SACKed - 1000 lost record - 2000 untracked = 0.
    CHECK(d.pipe(sb, 1000, 5000) == 0u);
    d.on_sent(1000, 1000, true, 20 * ut_ms);
    CHECK(d.first_lost(sb, 1000).left == 2000u);
    CHECK(d.first_lost(sb, 1000).right == 4000u);
    CHECK(d.pipe(sb, 1000, 5000) == 1000u);
    // [2000, 3000) sent again: the log is full and its highest record ([4000, 5000)) is
    // SACKed, so it gives way; [3000, 4000) is still lost and untracked.
    d.on_sent(2000, 1000, true, 21 * ut_ms);
    CHECK(d.untracked_lost());
    CHECK(d.first_lost(sb, 1000).left == 3000u);
    CHECK(d.pipe(sb, 1000, 5000) == 2000u);
    // A new segment goes out untracked: the untracked octets are no longer known lost.
    d.on_sent(5000, 1000, false, 22 * ut_ms);
    CHECK_FALSE(d.untracked_lost());
    CHECK_FALSE(d.knows_flight(1000, 6000));
}

TEST_CASE("rack_detector: the reordering timer covers the untracked octets' deadline", "[sack][rack]") {
    sk::rack_detector<1> d;
    sk::scoreboard<8> sb;
    sk::tlp_ack_result probe{};
    d.on_sent(0, 1000, false, 0);                     // tracked
    d.on_sent(1000, 1000, false, 9900);               // untracked, at 9.9 ms
    sk::rack_input in{};
    in.now_us = 10 * ut_ms;
    sk::update_result u = sb.on_ack(1000, 0, 2000, nullptr, 0);
    d.on_ack(sb, u, 1000, 2000, in, false, false, false, probe);  // min_RTT 10 ms
    d.on_sent(2000, 1000, false, 10 * ut_ms);         // tracked (the log had room again)
    // SACKed at 20 ms: RACK.xmit_ts 10 ms > 9.9 ms; RACK.rtt 10 ms, reo_wnd 10 / 4 = 2.5 ms:
    // the untracked deadline is 9.9 + 10 + 2.5 = 22.4 ms, 2.4 ms away.
    const seq_block b{2000, 3000};
    in.now_us = 20 * ut_ms;
    u = sb.on_ack(1000, 1000, 3000, &b, 1);
    const sk::rack_step s = d.on_ack(sb, u, 1000, 3000, in, true, false, false, probe);
    CHECK_FALSE(d.untracked_lost());
    CHECK(s.timeout_us == 2400u);
    CHECK(d.pipe(sb, 1000, 3000) == 1000u);
    CHECK(d.on_reordering_timeout(22399).newly_lost == 0u);
    CHECK_FALSE(d.untracked_lost());
    CHECK(d.on_reordering_timeout(22400).newly_lost == 1u);
    CHECK(d.untracked_lost());
    CHECK(d.pipe(sb, 1000, 3000) == 0u);
    CHECK(d.first_lost(sb, 1000).left == 1000u);
    CHECK(d.first_lost(sb, 1000).right == 2000u);
}
