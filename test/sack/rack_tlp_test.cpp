// RACK-TLP (include/tcpfsm/sack/segment_log.hpp, rack.hpp, tlp.hpp) against RFC 8985's
// formulas at chosen values: every deadline, window and PTO below is computed here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/rack.hpp>
#include <tcpfsm/sack/segment_log.hpp>
#include <tcpfsm/sack/tlp.hpp>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace {

using tcpfsm::seq_block;
namespace sk = tcpfsm::sack;
using log16 = sk::segment_log<16>;
using board = sk::scoreboard<16>;

constexpr std::uint32_t seg_len = 1000;

// Segment k is [1000 k, 1000 k + 1000), sent at `at_us`.
void send_segment(log16& log, std::uint32_t k, std::uint64_t at_us) { log.on_sent(k * seg_len, seg_len, at_us); }

// An ACK: the scoreboard takes SEG.ACK and blocks, then RACK runs.
sk::rack_step rack_ack_with(sk::rack& r, log16& log, board& sb, std::uint32_t& una, std::uint32_t nxt,
                            std::uint32_t ack, std::initializer_list<seq_block> blocks, std::uint64_t now_us,
                            std::uint64_t srtt_us, bool dsack = false, bool in_recovery = false, bool exiting = false) {
    const std::vector<seq_block> v(blocks);
    const auto u = sb.on_ack(ack, una, nxt, v.data(), v.size());
    una = u.snd_una;
    sk::rack_ack a{};
    a.snd_una = una;
    a.snd_nxt = nxt;
    a.now_us = now_us;
    a.srtt_us = srtt_us;
    a.dsack = dsack;
    a.in_recovery = in_recovery;
    a.exiting_recovery = exiting;
    return r.on_ack(log, sb, a);
}

}  // namespace

TEST_CASE("rack: detect_loss with RACK.rtt + RACK.reo_wnd, and the reordering timer (RFC 8985 §6.2, §6.3)", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    for (std::uint32_t k = 0; k < 4; ++k) send_segment(log, k, k * 1000u);  // sent at 0, 1, 2, 3 ms
    // At 13 ms an ACK SACKs segment 3 (sent at 3 ms): RACK.rtt = 10 ms, RACK.xmit_ts = 3 ms,
    // RACK.min_RTT = 10 ms. No reordering seen, not in recovery, 1 segment SACKed (< 3):
    // reo_wnd = min(1 * 10 ms / 4, SRTT 12 ms) = 2.5 ms.
    auto s = rack_ack_with(r, log, sb, una, 4000, 0, {{3000, 4000}}, 13000, 12000);
    CHECK(s.delivered_segments == 1);
    CHECK(r.rtt_us() == 10000);
    CHECK(r.min_rtt_us() == 10000);
    CHECK(r.xmit_us() == 3000);
    CHECK(r.end_seq() == 4000);
    CHECK(r.reo_wnd_us() == 2500);
    // Segment 0: 0 + 10 + 2.5 = 12.5 ms =< 13 ms: lost. Segment 1: 13.5 ms (0.5 ms left),
    // segment 2: 14.5 ms (1.5 ms left): the timer is the larger, 1.5 ms.
    CHECK(s.newly_lost == 1);
    CHECK(s.timeout_us == 1500);
    CHECK(log.first_lost().left == 0);
    CHECK(log.first_lost().right == 1000);
    // At 14.5 ms the timer fires: both are lost (14.5 =< 14.5 for segment 2).
    s = r.on_timer(log, 14500);
    CHECK(s.newly_lost == 2);
    CHECK(s.timeout_us == 0);
    // pipe: 4000 in flight - 1000 SACKed - 3000 lost and not resent.
    CHECK(log.pipe(0, 4000) == 0);
    log.on_retransmitted(0, 1000, 15000);
    CHECK(log.pipe(0, 4000) == 1000);
    CHECK(log.first_lost().left == 1000);
}

TEST_CASE("rack: reo_wnd = min(reo_wnd_mult * min_RTT / 4, SRTT), one step per D-SACK round, reset after 16 recoveries",
          "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    const std::uint64_t srtt = 50000;  // min_RTT 40 ms, SRTT 50 ms
    send_segment(log, 0, 0);
    send_segment(log, 1, 0);
    rack_ack_with(r, log, sb, una, 2000, 1000, {}, 40000, srtt);
    CHECK(r.min_rtt_us() == 40000);
    CHECK(r.reo_wnd_us() == 10000);  // 1 * 40 / 4
    // A D-SACK: reo_wnd_mult 2 for the round ending at SND.NXT = 2000.
    rack_ack_with(r, log, sb, una, 2000, 1000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_mult() == 2);
    CHECK(r.reo_wnd_persist() == 16);
    CHECK(r.reo_wnd_us() == 20000);
    // Another in the same round (SND.UNA 1000 < 2000): no further step.
    rack_ack_with(r, log, sb, una, 2000, 1000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_mult() == 2);
    // SND.UNA reaches 2000: the round is over; a D-SACK now is a new step.
    rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_mult() == 3);
    CHECK(r.reo_wnd_us() == 30000);
    rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_us() == 40000);
    rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_us() == 50000);  // 5 * 40 / 4 = 50 = SRTT
    rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, true);
    CHECK(r.reo_wnd_mult() == 6);
    CHECK(r.reo_wnd_us() == 50000);  // 6 * 40 / 4 = 60, capped at SRTT
    // 15 recoveries end without a D-SACK: the multiplier stays; the 16th resets it to 1.
    for (int k = 0; k < 15; ++k) rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, false, false, true);
    CHECK(r.reo_wnd_persist() == 1);
    CHECK(r.reo_wnd_mult() == 6);
    rack_ack_with(r, log, sb, una, 2000, 2000, {}, 40000, srtt, false, false, true);
    CHECK(r.reo_wnd_mult() == 1);
    CHECK(r.reo_wnd_us() == 10000);
}

TEST_CASE("rack: reo_wnd is 0 in recovery or with DupThresh SACKed segments until reordering is seen", "[sack][rack]") {
    SECTION("in recovery, no reordering: every segment sent before the delivered one is lost at once") {
        log16 log;
        board sb;
        sk::rack r;
        std::uint32_t una = 0;
        for (std::uint32_t k = 0; k < 5; ++k) send_segment(log, k, k * 1000u);
        // Segment 4 (sent at 4 ms) SACKed at 20 ms: RACK.rtt 16 ms, reo_wnd 0: segments 0-3
        // have deadlines 16, 17, 18, 19 ms =< 20 ms.
        const auto s = rack_ack_with(r, log, sb, una, 5000, 0, {{4000, 5000}}, 20000, 16000, false, true);
        CHECK(r.reo_wnd_us() == 0);
        CHECK(s.newly_lost == 4);
    }
    SECTION("three SACKed segments without reordering: 0; a segment delivered below RACK.fack: reordering") {
        log16 log;
        board sb;
        sk::rack r;
        std::uint32_t una = 0;
        for (std::uint32_t k = 0; k < 5; ++k) send_segment(log, k, k * 1000u);
        rack_ack_with(r, log, sb, una, 5000, 0, {{2000, 5000}}, 14000, 12000);  // segments 2, 3, 4
        CHECK(log.sacked_segments() == 3);
        CHECK(r.reo_wnd_us() == 0);
        CHECK_FALSE(r.reordering_seen());
        CHECK(r.fack() == 5000);
        // Segment 1, never retransmitted, delivered below RACK.fack = 5000: reordering.
        rack_ack_with(r, log, sb, una, 5000, 0, {{1000, 5000}}, 14100, 12000);
        CHECK(r.reordering_seen());
        // min_RTT: segment 4 sent at 4 ms, delivered at 14 ms: 10 ms; reo_wnd = 10 / 4 = 2.5 ms.
        CHECK(r.min_rtt_us() == 10000);
        CHECK(r.reo_wnd_us() == 2500);
    }
}

TEST_CASE("rack: an ACK of a retransmission faster than min_RTT gives no sample (RFC 8985 §6.2 step 2)", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    send_segment(log, 0, 0);
    send_segment(log, 1, 1000);
    auto s = rack_ack_with(r, log, sb, una, 2000, 0, {{1000, 2000}}, 11000, 10000);  // rtt 10 ms
    CHECK(s.timeout_us == 1500);  // segment 0: 0 + 10 + 2.5 - 11
    s = r.on_timer(log, 12500);
    CHECK(s.newly_lost == 1);
    log.on_retransmitted(0, 1000, 13000);
    // The cumulative ACK 2 ms after the retransmission: 2 ms < min_RTT 10 ms, perhaps the
    // original's: no sample. Segment 0 ends below RACK.fack (2000) but was retransmitted: no
    // reordering either.
    s = rack_ack_with(r, log, sb, una, 2000, 1000, {}, 15000, 10000);
    CHECK(s.delivered_segments == 1);
    CHECK(r.rtt_us() == 10000);
    CHECK(r.xmit_us() == 1000);
    CHECK_FALSE(r.reordering_seen());
    // A retransmission ACKed after a full RTT gives its sample.
    log.on_sent(2000, 1000, 16000);
    log.on_retransmitted(2000, 1000, 20000);
    rack_ack_with(r, log, sb, una, 3000, 3000, {}, 31000, 10000);
    CHECK(r.rtt_us() == 11000);
    CHECK(r.xmit_us() == 20000);
}

TEST_CASE("rack: a lost retransmission is lost again", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    send_segment(log, 0, 0);
    send_segment(log, 1, 1000);
    rack_ack_with(r, log, sb, una, 2000, 0, {{1000, 2000}}, 11000, 10000);
    r.on_timer(log, 12500);
    log.on_retransmitted(0, 1000, 13000);
    CHECK(log.first_lost().empty());
    // New data sent after the retransmission is SACKed at 24 ms: RACK.xmit_ts = 14 ms. The
    // retransmission (13 ms) is older: 13 + 10 + 2.5 = 25.5 ms: not yet; at 26 ms it is lost.
    log.on_sent(2000, 1000, 14000);
    auto s = rack_ack_with(r, log, sb, una, 3000, 0, {{1000, 3000}}, 24000, 10000);
    CHECK(s.newly_lost == 0);
    CHECK(s.timeout_us == 1500);
    s = r.on_timer(log, 26000);
    CHECK(s.newly_lost == 1);
    CHECK(log.first_lost().left == 0);  // to be sent again
}

TEST_CASE("segment_log: past its capacity segments are untracked, never marked lost", "[sack][rack]") {
    sk::segment_log<4> log;
    sk::scoreboard<8> sb;
    sk::rack r;
    for (std::uint32_t k = 0; k < 6; ++k) CHECK(log.on_sent(k * 1000u, 1000, k * 1000u) == (k < 4));
    CHECK(log.size() == 4);
    CHECK(log.untracked() == 2);
    // Segment 5 (untracked) SACKed at 20 ms: RACK learns nothing from it, marks nothing.
    const seq_block b{5000, 6000};
    sb.on_ack(0, 0, 6000, &b, 1);
    sk::rack_ack a{};
    a.snd_una = 0;
    a.snd_nxt = 6000;
    a.now_us = 20000;
    a.srtt_us = 15000;
    auto s = r.on_ack(log, sb, a);
    CHECK(s.delivered_segments == 0);
    CHECK(s.newly_lost == 0);
    CHECK_FALSE(r.delivered_any());
    // pipe counts untracked octets as in flight, SACKed or not: 6000.
    CHECK(log.pipe(0, 6000) == 6000);
    // A cumulative ACK of 2000 frees two records; the next segment is recorded again.
    sb.on_ack(2000, 0, 6000, nullptr, 0);
    a.snd_una = 2000;
    a.now_us = 21000;
    s = r.on_ack(log, sb, a);
    CHECK(s.delivered_segments == 2);
    CHECK(log.size() == 2);
    CHECK(log.on_sent(6000, 1000, 22000));
    CHECK(log.size() == 3);
}

TEST_CASE("tlp: the probe timeout (RFC 8985 §7.2)", "[sack][tlp]") {
    // PTO = 2 * SRTT.
    CHECK(sk::tlp::pto_us(50000, false, sk::tlp::default_max_ack_delay_us, 0, 10000000) == 100000);
    // FlightSize one segment: + TLP.max_ack_delay (200 ms by default).
    CHECK(sk::tlp::pto_us(50000, true, sk::tlp::default_max_ack_delay_us, 0, 10000000) == 300000);
    CHECK(sk::tlp::pto_us(50000, true, 40000, 0, 10000000) == 140000);
    // No SRTT: 1 second.
    CHECK(sk::tlp::pto_us(0, false, sk::tlp::default_max_ack_delay_us, 0, 10000000) == 1000000);
    // Never past the RTO: Now() + PTO > RTO expiry gives the time left to it.
    CHECK(sk::tlp::pto_us(50000, false, 0, 1000000, 1080000) == 80000);
    CHECK(sk::tlp::pto_us(50000, false, 0, 1000000, 1000000) == 0);
    CHECK(sk::tlp::pto_us(50000, false, 0, 1000000, 900000) == 0);
}

TEST_CASE("tlp: when the PTO may be armed, and which probe (RFC 8985 §7.2, §7.3)", "[sack][tlp]") {
    sk::tlp t;
    CHECK(t.may_arm(false, 0));
    CHECK_FALSE(t.may_arm(true, 0));   // in recovery
    CHECK_FALSE(t.may_arm(false, 1));  // segments SACKed
    // New data when the window admits it: the lowest unsent segment of up to SMSS.
    auto p = sk::tlp::choose(10000, 5000, 1460, {9000, 10000});
    CHECK(p.seq == 10000);
    CHECK(p.length == 1460);
    CHECK_FALSE(p.is_retrans);
    p = sk::tlp::choose(10000, 300, 1460, {9000, 10000});
    CHECK(p.length == 300);
    // Else the highest-sequence segment sent so far, as a retransmission.
    p = sk::tlp::choose(10000, 0, 1460, {9000, 10000});
    CHECK(p.seq == 9000);
    CHECK(p.length == 1000);
    CHECK(p.is_retrans);
    p = sk::tlp::choose(10000, 0, 1000, {5000, 10000});  // its last SMSS
    CHECK(p.seq == 9000);
    CHECK(p.length == 1000);
    p = sk::tlp::choose(10000, 0, 1000, {});
    CHECK(p.length == 0);
    // One probe at a time.
    t.on_probe_sent(true, 10000);
    CHECK(t.active());
    CHECK(t.end_seq() == 10000);
    CHECK_FALSE(t.may_arm(false, 0));
}

TEST_CASE("tlp: the episode's end and its loss detection (RFC 8985 §7.4.2)", "[sack][tlp]") {
    const seq_block none{};
    SECTION("a probe of new data: delivered") {
        sk::tlp t;
        t.on_probe_sent(false, 11000);
        CHECK_FALSE(t.on_ack(10500, none, false, false).episode_ended);  // below TLP.end_seq
        const auto r = t.on_ack(11000, none, false, false);
        CHECK(r.episode_ended);
        CHECK_FALSE(r.loss_repaired);
        CHECK_FALSE(t.active());
    }
    SECTION("a retransmission reported by a D-SACK ending at TLP.end_seq: redundant, no loss") {
        sk::tlp t;
        t.on_probe_sent(true, 10000);
        const auto r = t.on_ack(10000, {9000, 10000}, true, false);
        CHECK(r.episode_ended);
        CHECK_FALSE(r.loss_repaired);
    }
    SECTION("an ACK beyond TLP.end_seq: the probe repaired a loss") {
        sk::tlp t;
        t.on_probe_sent(true, 10000);
        const auto r = t.on_ack(10500, none, false, false);
        CHECK(r.episode_ended);
        CHECK(r.loss_repaired);
    }
    SECTION("a duplicate ACK at TLP.end_seq without SACK: ended, no loss") {
        sk::tlp t;
        t.on_probe_sent(true, 10000);
        const auto r = t.on_ack(10000, none, false, true);
        CHECK(r.episode_ended);
        CHECK_FALSE(r.loss_repaired);
    }
    SECTION("an ACK at TLP.end_seq with SACK blocks: undecided, the episode goes on") {
        sk::tlp t;
        t.on_probe_sent(true, 10000);
        const auto r = t.on_ack(10000, none, true, true);
        CHECK_FALSE(r.episode_ended);
        CHECK(t.active());
        t.reset();  // fast recovery begins
        CHECK_FALSE(t.active());
    }
}

TEST_CASE("segment_log: reneging clears the SACKed marks", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    for (std::uint32_t k = 0; k < 3; ++k) send_segment(log, k, k * 1000u);
    rack_ack_with(r, log, sb, una, 3000, 0, {{1000, 3000}}, 12000, 10000);
    CHECK(log.sacked_segments() == 2);
    CHECK(log.pipe(0, 3000) == 1000);
    log.clear_sacked();
    CHECK(log.sacked_segments() == 0);
    // Segment 0 (sent at 0, deadline 0 + 10 + 2.5 = 12.5 ms) is not lost at 12 ms: all in flight.
    CHECK_FALSE(log.at(0).has(sk::segment_record::lost));
    CHECK(log.pipe(0, 3000) == 3000);
}

TEST_CASE("rack: a cumulative ACK inside a record cuts it, also after older records go", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    send_segment(log, 0, 0);
    send_segment(log, 1, 1000);
    // SEG.ACK 1500: segment 0 is delivered and dropped, segment 1 becomes [1500, 2000).
    const auto s = rack_ack_with(r, log, sb, una, 2000, 1500, {}, 11000, 10000);
    CHECK(s.delivered_segments == 1);
    REQUIRE(log.size() == 1);
    CHECK(log.at(0).seq == 1500);
    CHECK(log.at(0).end() == 2000);
    CHECK(log.pipe(1500, 2000) == 500);
}

TEST_CASE("segment_record: 12 octets; a segment longer than 65535 (MSS 65535 and a FIN) takes two records",
          "[sack][rack]") {
    STATIC_REQUIRE(sizeof(sk::segment_record) == 12);
    STATIC_REQUIRE(sk::segment_record::max_octets == 65535u);
    log16 log;
    // Sequence numbers [4294967000, 4294967000 + 65536): across the 2^32 sequence wrap too.
    const std::uint32_t seq = 4294967000u;
    CHECK(log.on_sent(seq, 65536, 7));
    REQUIRE(log.size() == 2);
    CHECK(log.at(0).seq == seq);
    CHECK(log.at(0).length() == 65535u);
    CHECK(log.at(1).seq == seq + 65535u);
    CHECK(log.at(1).end() == seq + 65536u);  // 65240 after the wrap
    CHECK(log.at(1).end() == 65240u);
    CHECK(log.at(1).xmit_us == 7u);
    // A log with room for one: the rest is untracked.
    sk::segment_log<1> one;
    CHECK_FALSE(one.on_sent(0, 65536, 7));
    CHECK(one.size() == 1);
    CHECK(one.untracked() == 1u);
}

TEST_CASE("xmit_time: transmit times compare modulo 2^32 µs (the 71.6 min wrap)", "[sack][rack]") {
    const std::uint64_t wrap = std::uint64_t{1} << 32;
    CHECK(sk::to_xmit_time(wrap + 1000) == 1000u);
    // 1000 µs after the wrap is after 3000 µs before it, and 4000 µs later.
    CHECK(sk::xmit_after(sk::to_xmit_time(wrap + 1000), sk::to_xmit_time(wrap - 3000)));
    CHECK_FALSE(sk::xmit_after(sk::to_xmit_time(wrap - 3000), sk::to_xmit_time(wrap + 1000)));
    CHECK(sk::xmit_elapsed(sk::to_xmit_time(wrap - 3000), sk::to_xmit_time(wrap + 1000)) == 4000u);
    CHECK(sk::xmit_elapsed(sk::to_xmit_time(wrap + 1000), sk::to_xmit_time(wrap - 3000)) == 0u);
    // RACK_sent_after (RFC 8985 §6.2 step 2): by time first, by sequence at the same time.
    CHECK(sk::rack::sent_after(sk::to_xmit_time(wrap + 1000), 0, sk::to_xmit_time(wrap - 3000), 5000));
    CHECK(sk::rack::sent_after(5, 2000, 5, 1000));
    CHECK_FALSE(sk::rack::sent_after(5, 1000, 5, 2000));
}

TEST_CASE("rack: RACK.rtt and detect_loss across the 2^32 µs wrap of the clock", "[sack][rack]") {
    log16 log;
    board sb;
    sk::rack r;
    std::uint32_t una = 0;
    const std::uint64_t t0 = (std::uint64_t{1} << 32) - 3000;  // 71.6 min less 3 ms
    send_segment(log, 0, t0);
    send_segment(log, 1, t0 + 1000);
    send_segment(log, 2, t0 + 2000);
    send_segment(log, 3, t0 + 4000);  // 1000 µs after the wrap
    // 10 ms later segment 3 is SACKed: RACK.rtt = min_RTT = 10000 µs; reo_wnd = min(10000 / 4,
    // SRTT 12000) = 2500 µs. Deadlines: segment 0 at t0 + 12500, segment 1 at t0 + 13500,
    // segment 2 at t0 + 14500; now is t0 + 14000: 0 and 1 lost, 2 in 500 µs.
    const sk::rack_step s = rack_ack_with(r, log, sb, una, 4000, 0, {{3000, 4000}}, t0 + 14000, 12000);
    CHECK(r.rtt_us() == 10000u);
    CHECK(r.min_rtt_us() == 10000u);
    CHECK(r.xmit_us() == 1000u);  // t0 + 4000 modulo 2^32
    CHECK(s.newly_lost == 2u);
    CHECK(s.timeout_us == 500u);
    CHECK(log.first_lost().left == 0u);
    CHECK(log.first_lost().right == 1000u);
}

TEST_CASE("segment_log: octets() and pipe() follow every change of the records (running sums, no walk)",
          "[sack][rack]") {
    using rec = sk::segment_record;
    log16 log;
    for (std::uint32_t k = 0; k < 5; ++k) send_segment(log, k, k * 1000u);  // [0, 5000)
    CHECK(log.octets() == 5000u);
    CHECK(log.pipe(0, 5000) == 5000u);
    // Segment 3 SACKed, 1 lost (not resent), 2 lost and resent, 4 resent and not deemed lost.
    log.set_flags(3, rec::sacked);
    log.set_flags(1, rec::lost);
    log.set_flags(2, rec::lost | rec::retransmitted);
    CHECK_FALSE(log.on_retransmitted(4000, 1000, 9000));  // overlaps record 4: marked, no new record
    CHECK(log.at(4).flags == rec::retransmitted);
    // 5000 - 1000 (SACKed) - 1000 (lost, not resent) + 0 (lost, resent) + 1000 (two copies of 4).
    CHECK(log.pipe(0, 5000) == 4000u);
    CHECK(log.sacked_octets() == 1000u);
    CHECK(log.unsacked_adjust() == 0);
    // SND.UNA to 500: 500 octets of segment 0 go; the flight is 4500.
    log.cut_front(500);
    CHECK(log.octets() == 4500u);
    CHECK(log.pipe(500, 5000) == 3500u);
    // Segment 0 goes; an undo forgets the lost marks: 1 is in flight again, 2 counts twice.
    log.pop_front();
    log.clear_lost();
    CHECK(log.octets() == 4000u);
    // 4000 - 1000 (SACKed 3) + 1000 (2 resent) + 1000 (4 resent).
    CHECK(log.pipe(1000, 5000) == 5000u);
    // Reneging: segment 3 is in flight again.
    log.clear_sacked();
    CHECK(log.sacked_octets() == 0u);
    CHECK(log.pipe(1000, 5000) == 6000u);
    // Every record goes: the sums are back to nothing.
    while (!log.empty()) log.pop_front();
    CHECK(log.octets() == 0u);
    CHECK(log.sacked_octets() == 0u);
    CHECK(log.unsacked_adjust() == 0);
    log.on_sent(0, 700, 1);
    log.reset();
    CHECK(log.octets() == 0u);
}

TEST_CASE("segment_log: the running sums through an insertion, a displacement, a record both SACKed and lost, "
          "and a cut of a lost record",
          "[sack][rack]") {
    using rec = sk::segment_record;
    sk::segment_log<4> log;
    for (std::uint32_t k = 0; k < 5; ++k) log.on_sent(k * 1000, 1000, k * 1000u);  // [4000, 5000) untracked
    log.pop_front();                                                             // SND.UNA 1000
    CHECK(log.on_sent(5000, 1000, 5000));  // records 1000, 2000, 3000, 5000
    CHECK(log.octets() == 4000u);
    // [3000, 4000) SACKed and lost: it counts once, as SACKed, and is not to be resent.
    log.set_flags(2, rec::sacked | rec::lost);
    CHECK(log.sacked_octets() == 1000u);
    CHECK(log.sacked_segments() == 1u);
    CHECK(log.unsacked_adjust() == 0);
    CHECK(log.first_lost().empty());
    CHECK(log.pipe(1000, 6000) == 4000u);  // flight 5000, less 1000 SACKed
    // [5000, 6000) resent, not deemed lost: two copies out.
    log.set_flags(3, rec::retransmitted);
    CHECK(log.pipe(1000, 6000) == 5000u);
    // The untracked [4000, 5000) is resent: no record overlaps it, so the full log gives up its
    // highest record [5000, 6000) (unSACKed: untracked octets added) for a record of the copy,
    // lost and resent, in sequence order.
    CHECK(log.on_retransmitted(4000, 1000, 7000));
    REQUIRE(log.size() == 4u);
    CHECK(log.at(3).seq == 4000u);
    CHECK(log.at(3).flags == (rec::lost | rec::retransmitted));
    CHECK(log.octets() == 4000u);
    CHECK(log.unsacked_adjust() == 0);      // the displaced record's +1000 is gone, the copy adds 0
    CHECK(log.pipe(1000, 6000) == 4000u);  // [5000, 6000), untracked, is in the flight
    // [1000, 2000) lost: out of the flight and first to resend.
    log.set_flags(0, rec::lost);
    CHECK(log.pipe(1000, 6000) == 3000u);
    CHECK(log.first_lost().left == 1000u);
    // SND.UNA to 1500, inside the lost record: 500 of its octets leave the sums.
    log.cut_front(1500);
    CHECK(log.octets() == 3500u);
    CHECK(log.unsacked_adjust() == -500);
    CHECK(log.pipe(1500, 6000) == 3000u);  // 4500 - 1000 SACKed - 500 lost
    CHECK(log.first_lost().left == 1500u);
    CHECK(log.first_lost().right == 2000u);
    // [2000, 3000) resent: +1000.
    log.set_flags(1, rec::retransmitted);
    CHECK(log.pipe(1500, 6000) == 4000u);
    // The copy [4000, 5000) SACKed too: it counts as SACKed only.
    log.set_flags(3, rec::lost | rec::retransmitted | rec::sacked);
    CHECK(log.sacked_octets() == 2000u);
    CHECK(log.sacked_segments() == 2u);
    CHECK(log.pipe(1500, 6000) == 3000u);  // 4500 - 2000 + 500
    // The lost [1500, 2000) resent: nothing left to resend.
    log.set_flags(0, rec::lost | rec::retransmitted);
    CHECK(log.first_lost().empty());
    CHECK(log.unsacked_adjust() == 1000);
    CHECK(log.pipe(1500, 6000) == 3500u);
}
