// The SACK sender as the engine runs it (include/tcpfsm/sack/sender.hpp): the scoreboard fed
// by ACKs, RFC 6675's entry into recovery, PRR's allowance gating NextSeg(), the go-back-N
// part that skips SACKed octets after a timeout (RFC 6675 §5.1), and the scoreboard
// forgotten at a timeout after reneging (RFC 2018 §8, as Linux). Numbers worked here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/sender.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace {
namespace sk = tcpfsm::sack;
constexpr std::uint32_t mss = 100;
}  // namespace

TEST_CASE("sack sender: recovery on IsLost, the first hole, then PRR-gated NextSeg", "[sack][sender]") {
    sk::sender<4> s;
    // 10 segments [0, 1000) in flight; [0, 100) lost; ACKs SACK [100, 200), then to 300, 400.
    for (std::uint32_t k = 1; k <= 3; ++k) {
        const tcpfsm::seq_block b{100, 100 + 100 * k};
        const sk::sender_ack a = s.on_ack(0, 0, 1000, &b, 1, mss);
        CHECK(a.board.newly_sacked == 100u);
        CHECK(a.step.entered == (k == 3));  // 300 SACKed octets > 2 * SMSS (IsLost, §5 (2))
        if (a.step.entered) {
            CHECK(a.step.first.seq == 0u);
            CHECK(a.step.first.length == mss);
            s.start_recovery(500, 1000);  // ssthresh 500, RecoverFS 1000
            s.after_ack(a, 0, 1000, mss);
            // pipe: [400, 1000) = 600 > 500: ceil(100 * 500 / 1000) - 0 = 50.
            CHECK(s.allowance() == 50u);
            s.on_sent(a.step.first);
            CHECK(s.allowance() == 0u);
        }
    }
    CHECK(s.in_recovery());
    CHECK(s.pipe(0, 1000, mss) == 700u);  // [0,100) resent + [400, 1000)
    // Nothing more until PRR allows a whole segment.
    CHECK(s.next_segment(0, 1000, mss, 1000).length == 0u);
    // prr_delivered 200, pipe 100 + [500, 1000) = 600 > ssthresh: ceil(200 * 500 / 1000) -
    // 100 = 0. Then pipe 100 + [600, 1000) = 500 =< ssthresh: PRR-SSRB, min(ssthresh - pipe
    // = 0, ...) = 0. Then pipe 100 + [700, 1000) = 400: min(500 - 400, max(400 - 100, 100)
    // + 100) = 100.
    const std::uint32_t expected[3] = {0, 0, 100};
    for (std::uint32_t k = 0; k < 3; ++k) {
        const tcpfsm::seq_block b{100, 500 + 100 * k};
        const sk::sender_ack a = s.on_ack(0, 0, 1000, &b, 1, mss);
        s.after_ack(a, 0, 1000, mss);
        CHECK(s.allowance() == expected[k]);
    }
    const sk::segment_choice c = s.next_segment(0, 1000, mss, 1000);
    CHECK(c.rule == sk::nextseg_rule::new_data);  // no other hole below the highest SACK
    CHECK(c.seq == 1000u);
    CHECK(c.length == mss);
    s.on_sent(c);
    CHECK(s.allowance() == 0u);
    // The cumulative ACK reaches RecoveryPoint (1000): recovery ends.
    const sk::sender_ack a = s.on_ack(1000, 0, 1100, nullptr, 0, mss);
    CHECK(a.step.ended);
    CHECK(!s.in_recovery());
}

TEST_CASE("sack sender: go-back-N skips SACKed octets (RFC 6675 §5.1)", "[sack][sender]") {
    sk::sender<4> s;
    const tcpfsm::seq_block blocks[2] = {{300, 500}, {700, 800}};
    (void)s.on_ack(0, 0, 1000, blocks, 2, mss);
    // [0, 100): unSACKed, whole.
    sk::segment_choice p = s.unsacked_part(0, 100);
    CHECK((p.seq == 0u && p.length == 100u));
    // [250, 350): up to the SACKed 300.
    p = s.unsacked_part(250, 100);
    CHECK((p.seq == 250u && p.length == 50u));
    // [300, 400): all SACKed.
    CHECK(s.unsacked_part(300, 100).length == 0u);
    // [450, 550): from 500, the end of the range.
    p = s.unsacked_part(450, 100);
    CHECK((p.seq == 500u && p.length == 50u));
    // [650, 850): [650, 700) only (then the next call resumes after it).
    p = s.unsacked_part(650, 200);
    CHECK((p.seq == 650u && p.length == 50u));
    // A timeout without reneging keeps the scoreboard.
    s.on_retransmission_timeout(0, 1000);
    CHECK(s.board().sacked_octets() == 300u);
    CHECK(!s.in_recovery());
}

TEST_CASE("sack sender: reneging is remembered and forgets the scoreboard at the timeout", "[sack][sender]") {
    sk::sender<4> s;
    const tcpfsm::seq_block b{200, 400};
    (void)s.on_ack(0, 0, 1000, &b, 1, mss);
    // The cumulative ACK reaches 200 and the receiver no longer reports [200, 400): the
    // range starts at SND.UNA (RFC 2018 §8).
    const sk::sender_ack a = s.on_ack(200, 0, 1000, nullptr, 0, mss);
    CHECK(a.board.reneging);
    CHECK(s.reneging_seen());
    s.on_retransmission_timeout(200, 1000);
    CHECK(s.board().empty());
    CHECK(!s.reneging_seen());
}

TEST_CASE("sack sender: the head a partial ACK marks lost goes whatever PRR's allowance", "[sack][sender]") {
    sk::sender<4> s;
    // 10 segments [0, 1000); [0, 100) and [300, 400) lost; [600, 1000) dropped by the receiver.
    const tcpfsm::seq_block acks[3][2] = {{{100, 200}, {0, 0}}, {{100, 300}, {0, 0}}, {{400, 500}, {100, 300}}};
    const std::size_t counts[3] = {1, 1, 2};
    for (std::size_t k = 0; k < 3; ++k) {
        const sk::sender_ack a = s.on_ack(0, 0, 1000, acks[k], counts[k], mss);
        if (!a.step.entered) continue;
        s.start_recovery(450, 1000);  // ssthresh 450, RecoverFS 1000
        s.after_ack(a, 0, 1000, mss);
        // pipe [300,400) + [500,1000) = 600 > 450: ceil(100 * 450 / 1000) = 45.
        CHECK(s.allowance() == 45u);
        s.on_sent(a.step.first);
    }
    REQUIRE(s.in_recovery());
    const tcpfsm::seq_block sacked{400, 600};
    sk::sender_ack a = s.on_ack(0, 0, 1000, &sacked, 1, mss);
    s.after_ack(a, 0, 1000, mss);
    // pipe 100 (resent) + 100 + 400 = 600 > 450: ceil(200 * 450 / 1000) - 100 = -10: 0.
    CHECK(s.allowance() == 0u);
    // The partial ACK to 300: DeliveredData 300 - 200 = 100. [400,600) above 300 is 200
    // octets: not IsLost(300), but the head rule marks [300,400). pipe = [600,1000) = 400 =<
    // 450: PRR-SSRB min(450 - 400, max(300 - 100, 100) + 100) = 50 < SMSS; the head gets SMSS.
    a = s.on_ack(300, 0, 1000, &sacked, 1, mss);
    CHECK(a.step.head_lost);
    s.after_ack(a, 300, 1000, mss);
    CHECK(s.pipe(300, 1000, mss) == 400u);
    CHECK(s.allowance() == mss);
    const sk::segment_choice c = s.next_segment(300, 1000, mss, 1000);
    CHECK(c.rule == sk::nextseg_rule::lost);
    CHECK(c.seq == 300u);
    CHECK(c.length == mss);
}

TEST_CASE("sack sender: a spurious-retransmission undo unmarks RACK's losses and notes reordering (as Linux's "
          "partial undo)",
          "[sack][sender][rack]") {
    sk::sender<4, sk::prr_bound::slow_start, 8> s;
    constexpr std::uint64_t ms = 1000;  // µs
    sk::rack_input in{};
    in.use = true;
    in.srtt_us = 50 * ms;
    // Eight segments of 100: segment k [100 k, 100 k + 100) sent at k ms.
    for (std::uint32_t k = 0; k < 8; ++k) s.loss_detector().on_sent(k * mss, mss, false, k * ms);
    // At 52 ms segments 2..4 are SACKed: RACK.rtt = 52 - 4 = 48 ms = min_RTT; three SACKed
    // and no reordering seen: reo_wnd = 0 (RFC 8985 §6.2 step 4). Segments 0 and 1 (sent at
    // 0 and 1 ms, before segment 4) are lost: 52 - 0 and 52 - 1 >= 48 + 0.
    const tcpfsm::seq_block sacked{200, 500};
    in.now_us = 52 * ms;
    sk::sender_ack a = s.on_ack(0, 0, 800, &sacked, 1, mss, &in);
    CHECK(a.rack.newly_lost == 2u);
    REQUIRE(a.step.entered);
    CHECK(a.step.first.seq == 0u);
    CHECK(a.step.first.rule == sk::nextseg_rule::rack_lost);
    s.start_recovery(400, 800);
    s.after_ack(a, 0, 800, mss);
    s.on_sent(a.step.first);
    s.loss_detector().on_sent(0, mss, true, 52 * ms);
    // At 53 ms the original segment 0 arrives late: SEG.ACK 100. RACK gets no sample from the
    // retransmitted record (1 ms < min_RTT). The engine's Eifel detection (RFC 3522) calls the
    // recovery spurious: undo.
    in.now_us = 53 * ms;
    a = s.on_ack(100, 0, 800, &sacked, 1, mss, &in);
    CHECK(!a.step.ended);
    CHECK(s.loss_detector().has_lost());  // segment 1
    s.undo_recovery(100);
    CHECK(!s.in_recovery());
    // Linux's tcp_undo_cwnd_reduction(sk, true): no record stays marked lost; so RACK's pipe
    // counts segment 1 in flight again: 800 - 100 - 300 SACKed = 400.
    CHECK(!s.loss_detector().has_lost());
    CHECK(s.pipe(100, 800, mss) == 400u);
    // Linux's tcp_check_sack_reordering: the late original was reordering.
    CHECK(s.loss_detector().state().reordering_seen());
    // At 54 ms segment 5 (sent at 5 ms) is SACKed: RACK.rtt 49 ms. With reordering seen,
    // reo_wnd = min(min_RTT / 4 = 12 ms, SRTT 50 ms) = 12 ms: segment 1 (sent at 1 ms) is
    // lost at 1 + 49 + 12 = 62 ms, 8 ms from now. Recovery does not begin again.
    const tcpfsm::seq_block more{200, 600};
    in.now_us = 54 * ms;
    in.duplicate = true;
    a = s.on_ack(100, 100, 800, &more, 1, mss, &in);
    CHECK(a.rack.newly_lost == 0u);
    CHECK(a.rack.timeout_us == 8 * ms);
    CHECK(!a.step.entered);
    CHECK(!s.in_recovery());
}

TEST_CASE("sack sender: past the log's bound, a retransmission RACK finds lost again is resent (RFC 6675's rules "
          "stay above HighRxt)",
          "[sack][sender][rack]") {
    sk::sender<4, sk::prr_bound::slow_start, 4> s;
    constexpr std::uint64_t ms = 1000;  // µs
    sk::rack_input in{};
    in.use = true;
    in.srtt_us = 50 * ms;
    // Ten segments of 100, segment k at k ms: the log holds 0..3, segments 4..9 are untracked.
    for (std::uint32_t k = 0; k < 10; ++k) s.loss_detector().on_sent(k * mss, mss, false, k * ms);
    // 50 ms: segments 0 and 2 lost, the rest SACKed. RACK does not see the flight (the
    // untracked segments were sent after RACK.xmit_ts, segment 3's 3 ms): RFC 6675 enters
    // recovery (IsLost(0)) and resends [0, 100).
    const tcpfsm::seq_block first_blocks[2] = {{300, 1000}, {100, 200}};
    in.now_us = 50 * ms;
    sk::sender_ack a = s.on_ack(0, 0, 1000, first_blocks, 2, mss, &in);
    REQUIRE(a.step.entered);
    CHECK(a.step.first.seq == 0u);
    s.start_recovery(500, 1000);
    s.after_ack(a, 0, 1000, mss);
    // pipe 0 (both holes lost, the rest SACKed) =< ssthresh: PRR-SSRB's min(500 - 0, 800 + 100).
    CHECK(s.allowance() == 500u);
    s.on_sent(a.step.first);
    s.loss_detector().on_sent(0, mss, true, 50 * ms);
    // Then NextSeg() rule (1): [200, 300), at the same time.
    const sk::segment_choice hole = s.next_segment(0, 1000, mss, 0);
    CHECK(hole.seq == 200u);
    CHECK(hole.rule == sk::nextseg_rule::lost);
    s.on_sent(hole);
    s.loss_detector().on_sent(200, mss, true, 50 * ms);
    CHECK(s.recovery().high_rxt() == 300u);
    // 60 ms: one new segment [1000, 1100), untracked (the log is full).
    s.loss_detector().on_sent(1000, mss, false, 60 * ms);
    // 100 ms: the copy of [200, 300) is SACKed, the copy of [0, 100) was lost too. RACK: the
    // copy of [200, 300) gives RACK.xmit_ts 50 ms (and a later end), RACK.rtt 50 ms, reo_wnd
    // 0 in recovery: the copy of [0, 100), sent at 50 ms, is lost at 50 + 50 + 0 = 100 ms.
    const tcpfsm::seq_block later{100, 1000};
    in.now_us = 100 * ms;
    a = s.on_ack(0, 0, 1100, &later, 1, mss, &in);
    CHECK(a.rack.newly_lost == 1u);
    CHECK(!s.loss_detector().knows_flight(0, 1100));
    s.after_ack(a, 0, 1100, mss);
    // RFC 6675 alone has nothing: HighRxt is 300, [1000, 1100) is above the highest SACKed
    // octet (rule (1) and (3) fail), no new data (2), and no rescue (4). RACK's mark goes.
    const sk::segment_choice again = s.next_segment(0, 1100, mss, 0);
    CHECK(again.seq == 0u);
    CHECK(again.length == mss);
    CHECK(again.rule == sk::nextseg_rule::rack_lost);
}

TEST_CASE("sack sender: RACK's reo_wnd is 0 in RTO recovery as in fast recovery (RFC 8985 §6.2 step 4)",
          "[sack][sender][rack]") {
    constexpr std::uint64_t ms = 1000;  // µs
    for (const bool rto_recovery : {false, true}) {
        INFO("RTO recovery " << rto_recovery);
        sk::sender<4, sk::prr_bound::slow_start, 8> s;
        sk::rack_input in{};
        in.use = true;
        in.rto_recovery = rto_recovery;
        // Four segments at 0 ms; segment 3 SACKed at 40 ms: RACK.rtt = min_RTT = 40 ms, one
        // segment SACKed (fewer than DupThresh), no reordering seen, not in fast recovery.
        for (std::uint32_t k = 0; k < 4; ++k) s.loss_detector().on_sent(k * mss, mss, false, 0);
        const tcpfsm::seq_block b{300, 400};
        in.now_us = 40 * ms;
        const sk::sender_ack a = s.on_ack(0, 0, 400, &b, 1, mss, &in);
        // Outside recovery reo_wnd = min_RTT / 4 = 10 ms: segments 0..2 are lost at 50 ms, a
        // reordering timer of 10 ms. In RTO recovery reo_wnd = 0: lost now.
        CHECK(s.loss_detector().state().reo_wnd_us() == (rto_recovery ? 0u : 10 * ms));
        CHECK(a.rack.newly_lost == (rto_recovery ? 3u : 0u));
        CHECK(a.rack.timeout_us == (rto_recovery ? 0u : 10 * ms));
    }
}

TEST_CASE("sack sender: reset() leaves a sender that behaves as a new one (the arrays past their counts are "
          "not rewritten)",
          "[sack][sender][rack]") {
    using sender = sk::sender<4, sk::prr_bound::slow_start, 4>;
    constexpr std::uint64_t ms = 1000;  // µs
    // One connection's worth of SACK and RACK events at sequence base `base`; every output
    // goes into `seen`, in order.
    auto run = [](sender& s, std::uint32_t base, std::vector<std::uint64_t>& seen) {
        sk::rack_input in{};
        in.use = true;
        in.srtt_us = 50 * ms;
        for (std::uint32_t k = 0; k < 10; ++k) s.loss_detector().on_sent(base + k * mss, mss, false, k * ms);
        const tcpfsm::seq_block blocks[2] = {{base + 300, base + 1000}, {base + 100, base + 200}};
        in.now_us = 50 * ms;
        sk::sender_ack a = s.on_ack(base, base, base + 1000, blocks, 2, mss, &in);
        const auto note = [&seen](std::initializer_list<std::uint64_t> values) { seen.insert(seen.end(), values); };
        note({a.board.newly_sacked, a.step.entered, a.step.first.seq - base, a.rack.newly_lost,
              s.pipe(base, base + 1000, mss)});
        if (a.step.entered) s.start_recovery(500, 1000);
        s.after_ack(a, base, base + 1000, mss);
        for (int k = 0; k < 3; ++k) {
            const sk::segment_choice c = s.next_segment(base, base + 1000, mss, 100);
            note({c.seq - base, c.length, static_cast<std::uint64_t>(c.rule), s.allowance()});
            if (c.length == 0) break;
            s.on_sent(c);
            s.loss_detector().on_sent(c.seq, c.length, c.seq != base + 1000, 55 * ms);
        }
        in.now_us = 120 * ms;
        a = s.on_ack(base + 200, base, base + 1100, blocks, 1, mss, &in);
        note({a.board.newly_sacked, a.step.ended, a.rack.newly_lost, s.in_recovery(),
              s.pipe(base + 200, base + 1100, mss), s.board().count()});
    };
    sender used;
    std::vector<std::uint64_t> first, again, fresh_seen;
    run(used, 0, first);
    used.reset();
    run(used, 7000, again);  // the same events at other sequence numbers: stale ranges or records would show
    sender fresh;
    run(fresh, 7000, fresh_seen);
    CHECK(again == fresh_seen);
    // Sequence numbers are noted relative to the base, so the first connection saw the same.
    CHECK(first == fresh_seen);
    // The script reaches recovery, resends and SACK state (the test is not empty).
    REQUIRE(first.size() > 10);
    CHECK(first[1] == 1u);
}
