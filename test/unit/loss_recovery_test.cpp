// loss_recovery.hpp: duplicate ACKs (RFC 5681 §2), limited transmit (RFC 3042), fast
// retransmit and fast recovery (RFC 5681 §3.2) with NewReno (RFC 6582), go-back-N after a
// timeout (RFC 5681 §3.1) and F-RTO (RFC 5682). First the component one call at a time, with
// the RFCs' arithmetic written next to each check; then a small scripted sender (segments of
// SMSS, a loss set, an in-order receiver answering every segment with a cumulative ACK) that
// drives it through whole windows. The sender model's congestion control is RFC 5681's
// (slow start, congestion avoidance, (4) and the loss window), written here from the RFC.
#include <tcpfsm/loss_recovery.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <vector>

using tcpfsm::basic_loss_recovery;
using tcpfsm::is_duplicate_ack;
using tcpfsm::loss_recovery;
using tcpfsm::loss_recovery_config;
using tcpfsm::recovery_ack;
using tcpfsm::recovery_response;
using tcpfsm::recovery_state;

namespace {

constexpr std::uint32_t smss = 1000;

// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS).
constexpr std::uint32_t rfc5681_ssthresh(std::uint32_t flight) { return std::max(flight / 2, 2 * smss); }

// Configurations other than the default, of static storage duration (template arguments).
constexpr loss_recovery_config exit_at_ssthresh{3, tcpfsm::recovery_exit_window::ssthresh,
                                                tcpfsm::partial_ack_timer::every_partial_ack, true, true, 0};
constexpr loss_recovery_config impatient{3, tcpfsm::recovery_exit_window::flight_bounded,
                                         tcpfsm::partial_ack_timer::first_partial_ack, true, true, 0};
constexpr loss_recovery_config no_frto{3, tcpfsm::recovery_exit_window::flight_bounded,
                                       tcpfsm::partial_ack_timer::every_partial_ack, true, false, 0};
constexpr loss_recovery_config dupthresh_5{5, tcpfsm::recovery_exit_window::flight_bounded,
                                           tcpfsm::partial_ack_timer::every_partial_ack, true, true, 0};
constexpr loss_recovery_config no_limited_transmit{3, tcpfsm::recovery_exit_window::flight_bounded,
                                                   tcpfsm::partial_ack_timer::every_partial_ack, false, true, 0};
// Option (2) with RFC 6582's burst limit of 4 segments per ACK (the BSDs' TCP_MAXBURST).
constexpr loss_recovery_config exit_at_ssthresh_burst_4{3, tcpfsm::recovery_exit_window::ssthresh,
                                                        tcpfsm::partial_ack_timer::every_partial_ack, true, true, 4};

// A callback that counts its calls and answers RFC 5681 (4).
struct ssthresh_probe {
    int calls = 0;
    std::uint32_t last_flight = 0;
    std::uint32_t operator()(std::uint32_t flight) {
        ++calls;
        last_flight = flight;
        return rfc5681_ssthresh(flight);
    }
};

// ACK helpers: a duplicate of `una`, and an ACK of new data.
recovery_ack dup(std::uint32_t una, std::uint32_t nxt, std::uint32_t cwnd, bool sendable = true) {
    return recovery_ack{una, una, nxt, cwnd, smss, true, sendable};
}
recovery_ack advance(std::uint32_t una, std::uint32_t ack, std::uint32_t nxt, std::uint32_t cwnd = smss,
                     bool sendable = true) {
    return recovery_ack{ack, una, nxt, cwnd, smss, false, sendable};
}

}  // namespace

// ------------------------------------------------------------------ RFC 5681 §2

TEST_CASE("loss_recovery: is_duplicate_ack: each clause of RFC 5681 §2", "[loss_recovery]") {
    const std::uint32_t una = 5000, nxt = 9000, wnd = 20000;
    // All five clauses hold.
    CHECK(is_duplicate_ack(una, nxt, una, 0, false, false, wnd, wnd));
    // (a) no outstanding data.
    CHECK_FALSE(is_duplicate_ack(una, una, una, 0, false, false, wnd, wnd));
    // (b) the ACK carries data.
    CHECK_FALSE(is_duplicate_ack(una, nxt, una, 1, false, false, wnd, wnd));
    // (c) SYN or FIN set.
    CHECK_FALSE(is_duplicate_ack(una, nxt, una, 0, true, false, wnd, wnd));
    CHECK_FALSE(is_duplicate_ack(una, nxt, una, 0, false, true, wnd, wnd));
    // (d) SEG.ACK is not SND.UNA: new data acknowledged, or an old ACK.
    CHECK_FALSE(is_duplicate_ack(una, nxt, una + 1000, 0, false, false, wnd, wnd));
    CHECK_FALSE(is_duplicate_ack(una, nxt, una - 1, 0, false, false, wnd, wnd));
    // (e) the window changed (a window update is not a duplicate), either way.
    CHECK_FALSE(is_duplicate_ack(una, nxt, una, 0, false, false, wnd + 1, wnd));
    CHECK_FALSE(is_duplicate_ack(una, nxt, una, 0, false, false, wnd - 1, wnd));
    // Across the wrap of the sequence space.
    CHECK(is_duplicate_ack(0xFFFFFF00u, 0x00000100u, 0xFFFFFF00u, 0, false, false, wnd, wnd));
    static_assert(is_duplicate_ack(1, 2, 1, 0, false, false, 7, 7));
}

// ------------------------------------------------------------------ one call at a time

TEST_CASE("loss_recovery: fast retransmit on the third duplicate ACK; cwnd = ssthresh + 3*SMSS, +SMSS per duplicate",
          "[loss_recovery]") {
    loss_recovery lr;
    ssthresh_probe probe;
    const std::uint32_t una = 100000, nxt = una + 10 * smss, cc_cwnd = 10 * smss;
    const std::uint32_t flight = nxt - una;

    auto r1 = lr.on_ack(dup(una, nxt, cc_cwnd), probe);
    CHECK(lr.state() == recovery_state::disorder);
    CHECK(r1.limited_transmit == 1);  // RFC 3042: 10000 + 1000 =< 10000 + 2000
    CHECK_FALSE(r1.fast_retransmit);
    CHECK_FALSE(r1.grow_cwnd);
    // Limited transmit leaves cwnd as it is; the second segment is out now.
    auto r2 = lr.on_ack(dup(una, nxt + smss, cc_cwnd), probe);
    CHECK(r2.limited_transmit == 1);  // 11000 + 1000 =< 12000
    CHECK(lr.cwnd(cc_cwnd) == cc_cwnd);
    CHECK(probe.calls == 0);

    auto r3 = lr.on_ack(dup(una, nxt + 2 * smss, cc_cwnd), probe);
    CHECK(r3.fast_retransmit);
    CHECK(r3.restart_timer);
    CHECK(r3.limited_transmit == 0);
    CHECK(lr.state() == recovery_state::recovery);
    REQUIRE(probe.calls == 1);
    CHECK(probe.last_flight == flight + 2 * smss);  // FlightSize at the third duplicate
    const std::uint32_t ssthresh = rfc5681_ssthresh(flight + 2 * smss);  // 6000
    CHECK(lr.recovery_ssthresh() == ssthresh);
    CHECK(lr.cwnd(cc_cwnd) == ssthresh + 3 * smss);                      // step 3
    CHECK(lr.recover() == nxt + 2 * smss);                               // RFC 6582: SND.NXT

    // Step 4: each further duplicate inflates by SMSS; no second retransmission.
    for (std::uint32_t k = 1; k <= 4; ++k) {
        auto r = lr.on_ack(dup(una, nxt + 2 * smss, cc_cwnd), probe);
        CHECK_FALSE(r.fast_retransmit);
        CHECK_FALSE(r.retransmit_first_unacked);
        CHECK(lr.cwnd(cc_cwnd) == ssthresh + 3 * smss + k * smss);
    }
    CHECK(probe.calls == 1);

    // Full ACK (SEG.ACK >= recover): exit with RFC 6582 option (1).
    const std::uint32_t new_nxt = nxt + 2 * smss;
    auto full = lr.on_ack(advance(una, new_nxt, new_nxt, cc_cwnd), probe);
    CHECK(full.recovery_ended);
    CHECK_FALSE(full.grow_cwnd);
    CHECK(full.restart_timer);
    // FlightSize after the ACK is 0: min(ssthresh, max(0, SMSS) + SMSS) = 2000.
    CHECK(full.exit_cwnd == std::min(ssthresh, std::max(0u, smss) + smss));
    CHECK(lr.state() == recovery_state::open);
    CHECK(lr.cwnd(1234) == 1234);  // the policy's again
}

TEST_CASE("loss_recovery: full ACK: RFC 6582 option (1) bounded by FlightSize, option (2) ssthresh", "[loss_recovery]") {
    const std::uint32_t una = 7, nxt = una + 20 * smss, cc_cwnd = 20 * smss;
    const std::uint32_t ssthresh = rfc5681_ssthresh(nxt - una);  // 10000
    // New data was sent during recovery, so SND.NXT is beyond recover at the full ACK.
    const std::uint32_t later_nxt = nxt + 6 * smss;
    SECTION("option (1), FlightSize above ssthresh: ssthresh") {
        loss_recovery lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        const std::uint32_t ack = nxt;
        auto r = lr.on_ack(advance(una, ack, later_nxt + 10 * smss, cc_cwnd), probe);
        REQUIRE(r.recovery_ended);
        // FlightSize = 16000: min(10000, 16000 + 1000) = 10000.
        CHECK(r.exit_cwnd == std::min(ssthresh, (later_nxt + 10 * smss - ack) + smss));
        CHECK(r.exit_cwnd == ssthresh);
    }
    SECTION("option (1), FlightSize below ssthresh: FlightSize + SMSS") {
        loss_recovery lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        auto r = lr.on_ack(advance(una, nxt, later_nxt, cc_cwnd), probe);
        REQUIRE(r.recovery_ended);
        CHECK(r.exit_cwnd == (later_nxt - nxt) + smss);  // 7000 < 10000
    }
    SECTION("option (2): ssthresh whatever FlightSize is") {
        basic_loss_recovery<exit_at_ssthresh> lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        auto r = lr.on_ack(advance(una, nxt, nxt, cc_cwnd), probe);
        REQUIRE(r.recovery_ended);
        CHECK(r.exit_cwnd == ssthresh);
    }
}

TEST_CASE("loss_recovery: option (2) with a burst limit: N segments per ACK until FlightSize nears cwnd (RFC 6582 §3.2 "
          "step 3)",
          "[loss_recovery]") {
    // The peer's window was full: 44 segments out, one lost, no new data during recovery, so
    // the full ACK leaves nothing in flight (bench/results/goodput_notes.md).
    constexpr std::uint32_t n = 4, segments = 44;
    const std::uint32_t una = 5000, recover = una + segments * smss;
    const std::uint32_t ssthresh = rfc5681_ssthresh(segments * smss);  // 22000
    basic_loss_recovery<exit_at_ssthresh_burst_4> lr;
    ssthresh_probe probe;
    CHECK(lr.burst_room(una) == 0xFFFFFFFFu);  // no limit before any recovery
    for (int i = 0; i < 3 + 40; ++i) lr.on_ack(dup(una, recover, segments * smss, false), probe);
    REQUIRE(lr.in_fast_recovery());
    CHECK(lr.burst_room(recover) == 0xFFFFFFFFu);  // in recovery the inflated cwnd rules

    auto full = lr.on_ack(advance(una, recover, recover, segments * smss), probe);
    REQUIRE(full.recovery_ended);
    CHECK(full.exit_cwnd == ssthresh);  // option (2): cwnd = ssthresh, not 2*SMSS
    // The exit ACK releases N segments, not ssthresh - FlightSize = 22 of them.
    CHECK(lr.limiting_exit_burst());
    CHECK(lr.burst_room(recover) == n * smss);

    // The regrowth: each ACK covers two segments (RFC 5681 §4.2) and releases N; FlightSize
    // after the ACK grows by N - 2 segments an ACK, and the limit ends at the first ACK that
    // finds ssthresh =< FlightSize + N*SMSS.
    std::uint32_t nxt = recover + n * smss, acked_to = recover;
    std::uint32_t limited_acks = 0;
    for (;;) {
        REQUIRE(limited_acks < 100);
        const std::uint32_t ack = acked_to + 2 * smss;
        auto r = lr.on_ack(advance(acked_to, ack, nxt, ssthresh), probe);
        CHECK(r.grow_cwnd);
        acked_to = ack;
        if (!lr.limiting_exit_burst()) break;
        ++limited_acks;
        CHECK(lr.burst_room(nxt) == n * smss);
        CHECK(lr.burst_room(nxt + smss) == (n - 1) * smss);  // one segment of the N sent
        CHECK(lr.burst_room(nxt + n * smss) == 0);           // all N sent: nothing more now
        nxt += n * smss;
    }
    // FlightSize after ACK k (k = 1, 2, ...) is N + (k - 1)*(N - 2) - 2 segments = 2k here; the
    // limit holds while 2k + N < 22, k = 1..8, and ends on the 9th ACK.
    const std::uint32_t expected_limited = (ssthresh / smss - n - 1) / (n - 2);  // (22 - 4 - 1) / 2 = 8
    CHECK(limited_acks == expected_limited);
    CHECK(nxt - acked_to == 2 * (expected_limited + 1) * smss);  // 18 segments when it ends
    CHECK(lr.burst_room(nxt) == 0xFFFFFFFFu);
}

TEST_CASE("loss_recovery: the burst limit binds only when cwnd admits more than N segments beyond FlightSize",
          "[loss_recovery]") {
    const std::uint32_t una = 1, nxt = una + 20 * smss, cc_cwnd = 20 * smss;
    const std::uint32_t ssthresh = rfc5681_ssthresh(nxt - una);  // 10000
    SECTION("FlightSize after the exit ACK of 7 segments: 10 =< 7 + 4, no limit") {
        basic_loss_recovery<exit_at_ssthresh_burst_4> lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        auto r = lr.on_ack(advance(una, nxt, nxt + 7 * smss, cc_cwnd), probe);
        REQUIRE(r.recovery_ended);
        CHECK(r.exit_cwnd == ssthresh);
        CHECK_FALSE(lr.limiting_exit_burst());
        CHECK(lr.burst_room(nxt + 7 * smss) == 0xFFFFFFFFu);
    }
    SECTION("option (2) without a limit: none") {
        basic_loss_recovery<exit_at_ssthresh> lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        REQUIRE(lr.on_ack(advance(una, nxt, nxt, cc_cwnd), probe).recovery_ended);
        CHECK_FALSE(lr.limiting_exit_burst());
        CHECK(lr.burst_room(nxt) == 0xFFFFFFFFu);
    }
    SECTION("an undo on the exit ACK leaves the limit: the restored window goes out N segments per ACK") {
        basic_loss_recovery<exit_at_ssthresh_burst_4> lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        REQUIRE(lr.on_ack(advance(una, nxt, nxt, cc_cwnd), probe).recovery_ended);
        lr.undo();  // the state is open already: nothing to end
        CHECK(lr.limiting_exit_burst());
        CHECK(lr.burst_room(nxt) == 4 * smss);
    }
    SECTION("a timeout ends the limit") {
        basic_loss_recovery<exit_at_ssthresh_burst_4> lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
        REQUIRE(lr.on_ack(advance(una, nxt, nxt, cc_cwnd), probe).recovery_ended);
        REQUIRE(lr.limiting_exit_burst());
        lr.on_retransmission_timeout(nxt, nxt + 4 * smss);
        CHECK_FALSE(lr.limiting_exit_burst());
        // Back in open when SND.UNA reaches `recover`: go-back-N's slow start paces, no limit.
        REQUIRE(lr.on_ack(advance(nxt, nxt + 4 * smss, nxt + 4 * smss, smss), probe).loss_ended);
        CHECK(lr.state() == recovery_state::open);
        CHECK_FALSE(lr.limiting_exit_burst());
        CHECK(lr.burst_room(nxt + 4 * smss) == 0xFFFFFFFFu);
    }
}

TEST_CASE("loss_recovery: partial ACKs: retransmit the first unacknowledged segment, deflate, add back SMSS",
          "[loss_recovery]") {
    const std::uint32_t una = 0xFFFFF000u;  // across the wrap of the sequence space
    const std::uint32_t nxt = una + 12 * smss, cc_cwnd = 12 * smss;
    const std::uint32_t ssthresh = rfc5681_ssthresh(12 * smss);  // 6000

    loss_recovery lr;
    ssthresh_probe probe;
    for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);
    lr.on_ack(dup(una, nxt, cc_cwnd, false), probe);  // one more: +SMSS
    std::uint32_t expected = ssthresh + 3 * smss + smss;  // 10000
    REQUIRE(lr.cwnd(0) == expected);

    // Partial ACK of 3 segments: deflate by 3000, add back 1000.
    auto p1 = lr.on_ack(advance(una, una + 3 * smss, nxt, cc_cwnd), probe);
    CHECK(p1.retransmit_first_unacked);
    CHECK_FALSE(p1.recovery_ended);
    CHECK_FALSE(p1.grow_cwnd);
    CHECK(p1.restart_timer);  // the first partial ACK (RFC 6582 §3.2 step 3)
    expected = expected - 3 * smss + smss;
    CHECK(lr.cwnd(0) == expected);
    CHECK(lr.state() == recovery_state::recovery);

    // A duplicate after it: step 4 again.
    lr.on_ack(dup(una + 3 * smss, nxt, cc_cwnd, false), probe);
    expected += smss;
    CHECK(lr.cwnd(0) == expected);

    // Partial ACK of less than SMSS: deflate by it, nothing added back.
    auto p2 = lr.on_ack(advance(una + 3 * smss, una + 3 * smss + 500, nxt, cc_cwnd), probe);
    CHECK(p2.retransmit_first_unacked);
    CHECK(p2.restart_timer);  // slow-but-steady (the default): every partial ACK
    expected -= 500;
    CHECK(lr.cwnd(0) == expected);

    // The full ACK ends it; the probe was asked once in all.
    auto full = lr.on_ack(advance(una + 3 * smss + 500, nxt, nxt, cc_cwnd), probe);
    CHECK(full.recovery_ended);
    CHECK(full.exit_cwnd == std::min(ssthresh, smss + smss));
    CHECK(probe.calls == 1);
}

TEST_CASE("loss_recovery: impatient variant: only the first partial ACK restarts the timer", "[loss_recovery]") {
    basic_loss_recovery<impatient> lr;
    ssthresh_probe probe;
    const std::uint32_t una = 1, nxt = una + 10 * smss;
    for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, 10 * smss, false), probe);
    auto p1 = lr.on_ack(advance(una, una + smss, nxt, 10 * smss), probe);
    auto p2 = lr.on_ack(advance(una + smss, una + 2 * smss, nxt, 10 * smss), probe);
    auto p3 = lr.on_ack(advance(una + 2 * smss, una + 3 * smss, nxt, 10 * smss), probe);
    CHECK(p1.restart_timer);
    CHECK_FALSE(p2.restart_timer);
    CHECK_FALSE(p3.restart_timer);
    CHECK(p2.retransmit_first_unacked);
    CHECK(p3.retransmit_first_unacked);
    // A new recovery starts over: its first partial ACK restarts the timer again.
    lr.on_ack(advance(una + 3 * smss, nxt, nxt + 10 * smss, 10 * smss), probe);
    REQUIRE(lr.state() == recovery_state::open);
    // An ACK above recover ends the guard; then a new loss.
    lr.on_ack(advance(nxt, nxt + smss, nxt + 10 * smss, 10 * smss), probe);
    for (int i = 0; i < 3; ++i) lr.on_ack(dup(nxt + smss, nxt + 10 * smss, 10 * smss, false), probe);
    REQUIRE(lr.state() == recovery_state::recovery);
    auto q1 = lr.on_ack(advance(nxt + smss, nxt + 2 * smss, nxt + 10 * smss, 10 * smss), probe);
    CHECK(q1.restart_timer);
}

TEST_CASE("loss_recovery: limited transmit: one new segment on each of the first two duplicates, within cwnd + 2*SMSS",
          "[loss_recovery]") {
    const std::uint32_t una = 50, cwnd = 8 * smss;
    SECTION("allowed while FlightSize + SMSS =< cwnd + 2*SMSS") {
        loss_recovery lr;
        ssthresh_probe probe;
        CHECK(lr.on_ack(dup(una, una + 8 * smss, cwnd), probe).limited_transmit == 1);  // 9000 =< 10000
        CHECK(lr.on_ack(dup(una, una + 9 * smss, cwnd), probe).limited_transmit == 1);  // 10000 =< 10000
    }
    SECTION("refused beyond it") {
        loss_recovery lr;
        ssthresh_probe probe;
        CHECK(lr.on_ack(dup(una, una + 9 * smss + 1, cwnd), probe).limited_transmit == 0);  // 10001 > 10000
    }
    SECTION("refused with no new data or no window") {
        loss_recovery lr;
        ssthresh_probe probe;
        CHECK(lr.on_ack(dup(una, una + 4 * smss, cwnd, false), probe).limited_transmit == 0);
        CHECK(lr.state() == recovery_state::disorder);
    }
    SECTION("off in the configuration") {
        basic_loss_recovery<no_limited_transmit> lr;
        ssthresh_probe probe;
        CHECK(lr.on_ack(dup(una, una + 4 * smss, cwnd), probe).limited_transmit == 0);
    }
    SECTION("an ACK of new data ends the disorder: duplicates count from zero again") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_ack(dup(una, una + 4 * smss, cwnd), probe);
        lr.on_ack(dup(una, una + 5 * smss, cwnd), probe);
        REQUIRE(lr.duplicate_acks() == 2);
        auto r = lr.on_ack(advance(una, una + smss, una + 6 * smss, cwnd), probe);
        CHECK(r.grow_cwnd);
        CHECK(r.restart_timer);
        CHECK(lr.state() == recovery_state::open);
        CHECK(lr.duplicate_acks() == 0);
        lr.on_ack(dup(una + smss, una + 6 * smss, cwnd), probe);
        lr.on_ack(dup(una + smss, una + 6 * smss, cwnd), probe);
        CHECK(lr.state() == recovery_state::disorder);  // two, not four
        CHECK(probe.calls == 0);
    }
    SECTION("a window update (not a duplicate) neither counts nor resets") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_ack(dup(una, una + 4 * smss, cwnd), probe);
        recovery_ack update = dup(una, una + 4 * smss, cwnd);
        update.duplicate = false;
        auto r = lr.on_ack(update, probe);
        CHECK(r.limited_transmit == 0);
        CHECK(lr.duplicate_acks() == 1);
    }
}

TEST_CASE("loss_recovery: DupThresh 5: limited transmit on the first two duplicates only, fast retransmit on the fifth",
          "[loss_recovery]") {
    basic_loss_recovery<dupthresh_5> lr;
    ssthresh_probe probe;
    const std::uint32_t una = 9, nxt = una + 10 * smss, cwnd = 20 * smss;  // room in cwnd
    CHECK(lr.on_ack(dup(una, nxt, cwnd), probe).limited_transmit == 1);
    CHECK(lr.on_ack(dup(una, nxt, cwnd), probe).limited_transmit == 1);
    // RFC 3042 allows the first two; the third and fourth are still below DupThresh.
    auto d3 = lr.on_ack(dup(una, nxt, cwnd), probe);
    auto d4 = lr.on_ack(dup(una, nxt, cwnd), probe);
    CHECK(d3.limited_transmit == 0);
    CHECK(d4.limited_transmit == 0);
    CHECK_FALSE(d4.fast_retransmit);
    CHECK(lr.state() == recovery_state::disorder);
    auto d5 = lr.on_ack(dup(una, nxt, cwnd), probe);
    CHECK(d5.fast_retransmit);
    // Five segments have left the network: ssthresh + 5*SMSS.
    CHECK(lr.cwnd(cwnd) == rfc5681_ssthresh(10 * smss) + 5 * smss);
}

TEST_CASE("loss_recovery: RFC 6582 step 1: duplicates that do not cover more than recover start no fast retransmit",
          "[loss_recovery]") {
    const std::uint32_t una = 1000, nxt = una + 10 * smss;
    SECTION("after a timeout, below recover") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        CHECK(lr.state() == recovery_state::loss);
        CHECK(lr.recover() == nxt);
        for (int i = 0; i < 10; ++i) {
            auto r = lr.on_ack(dup(una, nxt, smss), probe);
            CHECK_FALSE(r.fast_retransmit);
            CHECK(r.limited_transmit == 0);
        }
        // ACKs of new data below recover keep the loss state; duplicates there still do nothing.
        lr.on_ack(advance(una, una + 2 * smss, nxt, smss), probe);
        for (int i = 0; i < 5; ++i) CHECK_FALSE(lr.on_ack(dup(una + 2 * smss, nxt, 2 * smss), probe).fast_retransmit);
        CHECK(lr.state() == recovery_state::loss);
        CHECK(probe.calls == 0);
    }
    SECTION("after a recovery ended exactly at recover; an ACK above it lifts the guard") {
        loss_recovery lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, 10 * smss, false), probe);
        REQUIRE(probe.calls == 1);
        // Full ACK at exactly recover (= nxt); new data went out since.
        lr.on_ack(advance(una, nxt, nxt + 5 * smss, 10 * smss), probe);
        REQUIRE(lr.state() == recovery_state::open);
        // ACK == recover does not cover more than RFC 6582's recover (nxt - 1): no new one.
        for (int i = 0; i < 4; ++i) CHECK_FALSE(lr.on_ack(dup(nxt, nxt + 5 * smss, 5 * smss), probe).fast_retransmit);
        CHECK(probe.calls == 1);
        // An ACK above recover; then three duplicates are a new loss.
        lr.on_ack(advance(nxt, nxt + smss, nxt + 5 * smss, 5 * smss), probe);
        lr.on_ack(dup(nxt + smss, nxt + 5 * smss, 5 * smss), probe);
        lr.on_ack(dup(nxt + smss, nxt + 5 * smss, 5 * smss), probe);
        CHECK(lr.on_ack(dup(nxt + smss, nxt + 5 * smss, 5 * smss), probe).fast_retransmit);
        CHECK(probe.calls == 2);
        CHECK(lr.recover() == nxt + 5 * smss);
    }
    SECTION("the guard ends with the first ACK above recover, not 2^31 octets later") {
        loss_recovery lr;
        ssthresh_probe probe;
        for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, 10 * smss, false), probe);
        lr.on_ack(advance(una, nxt, nxt + 5 * smss, 10 * smss), probe);  // full ACK at recover
        // A long transfer without loss: SND.UNA moves more than 2^31 past recover, in steps.
        std::uint32_t u = nxt;
        for (const std::uint32_t step : {smss, 0x40000000u, 0x3FFFFFFFu, 0x40000000u}) {
            lr.on_ack(advance(u, u + step, u + step + 5 * smss, 10 * smss), probe);
            u += step;
        }
        REQUIRE_FALSE(tcpfsm::seq_gt(u, nxt));  // recover now looks like the future
        lr.on_ack(dup(u, u + 5 * smss, 10 * smss), probe);
        lr.on_ack(dup(u, u + 5 * smss, 10 * smss), probe);
        CHECK(lr.on_ack(dup(u, u + 5 * smss, 10 * smss), probe).fast_retransmit);
    }
    SECTION("a fresh component: the first loss of a connection gets its fast retransmit") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_ack(dup(una, nxt, 10 * smss), probe);
        lr.on_ack(dup(una, nxt, 10 * smss), probe);
        CHECK(lr.on_ack(dup(una, nxt, 10 * smss), probe).fast_retransmit);
    }
}

TEST_CASE("loss_recovery: a timeout during fast recovery ends it: loss, recover = SND.NXT, the policy's cwnd",
          "[loss_recovery]") {
    loss_recovery lr;
    ssthresh_probe probe;
    const std::uint32_t una = 10, nxt = una + 10 * smss;
    for (int i = 0; i < 3; ++i) lr.on_ack(dup(una, nxt, 10 * smss, false), probe);
    REQUIRE(lr.in_fast_recovery());
    lr.on_retransmission_timeout(una, nxt + 3 * smss);
    CHECK(lr.state() == recovery_state::loss);
    CHECK(lr.recover() == nxt + 3 * smss);
    CHECK(lr.cwnd(smss) == smss);  // the loss window the policy set (RFC 5681 §3.1)
    CHECK(lr.pipe(una, nxt + 3 * smss) == 0);
}

TEST_CASE("loss_recovery: go-back-N after a timeout: from SND.UNA, paced by cwnd, ACKs move the pointer",
          "[loss_recovery]") {
    basic_loss_recovery<no_frto> lr;
    ssthresh_probe probe;
    const std::uint32_t una = 0xFFFFFC18u;  // 1000 below the wrap
    const std::uint32_t nxt = una + 8 * smss + 1;  // 8 segments and a FIN
    lr.on_retransmission_timeout(una, nxt);

    // Loss window: one segment (RFC 5681 §3.1, LW = 1 SMSS); with it out, cwnd is full.
    auto first = lr.next_retransmission(una, nxt, smss, smss);
    CHECK(first.seq == una);
    CHECK(first.length == smss);
    lr.on_retransmitted(first.seq, first.length);
    CHECK(lr.pipe(una, nxt) == smss);
    CHECK(lr.next_retransmission(una, nxt, smss, smss).length == 0);

    // Its ACK: slow start makes cwnd 2 SMSS and the pipe is empty: two retransmissions.
    std::uint32_t u = una + smss;
    auto r = lr.on_ack(advance(una, u, nxt, smss), probe);
    CHECK(r.grow_cwnd);
    CHECK(r.restart_timer);
    CHECK_FALSE(r.loss_ended);
    std::uint32_t cwnd = 2 * smss;
    for (std::uint32_t k = 0; k < 2; ++k) {
        auto s = lr.next_retransmission(u, nxt, cwnd, smss);
        CHECK(s.seq == u + k * smss);
        CHECK(s.length == smss);
        lr.on_retransmitted(s.seq, s.length);
    }
    CHECK(lr.pipe(u, nxt) == 2 * smss);
    CHECK(lr.next_retransmission(u, nxt, cwnd, smss).length == 0);

    // An ACK that jumps beyond the pointer (the originals of segments 3 and 4 had arrived):
    // the pointer follows it, nothing below it is resent.
    const std::uint32_t jump = una + 5 * smss;
    lr.on_ack(advance(u, jump, nxt, cwnd), probe);
    u = jump;
    CHECK(lr.retransmit_next(u) == jump);
    CHECK(lr.pipe(u, nxt) == 0);
    cwnd = 3 * smss;
    // Three segments remain before recover: 1000, 1000 and 1000 + the FIN's number.
    auto a = lr.next_retransmission(u, nxt, cwnd, smss);
    lr.on_retransmitted(a.seq, a.length);
    auto b = lr.next_retransmission(u, nxt, cwnd, smss);
    lr.on_retransmitted(b.seq, b.length);
    auto c = lr.next_retransmission(u, nxt, cwnd, smss);
    lr.on_retransmitted(c.seq, c.length);
    CHECK(a.seq == jump);
    CHECK(b.seq == jump + smss);
    CHECK(c.seq == jump + 2 * smss);
    CHECK(c.length == smss);  // [jump + 2000, jump + 3000): the FIN's number is recover - 1
    auto fin = lr.next_retransmission(u, nxt, 4 * smss, smss);
    CHECK(fin.seq == nxt - 1);
    CHECK(fin.length == 1);
    lr.on_retransmitted(fin.seq, fin.length);
    CHECK(lr.next_retransmission(u, nxt, 100 * smss, smss).length == 0);  // all resent

    // New data sent beyond recover counts in the pipe.
    CHECK(lr.pipe(u, nxt + 2 * smss) == 3 * smss + 1 + 2 * smss);

    // The ACK of recover ends the loss state; no ssthresh was asked for at any point.
    auto end = lr.on_ack(advance(u, nxt, nxt + 2 * smss, cwnd), probe);
    CHECK(end.loss_ended);
    CHECK(lr.state() == recovery_state::open);
    CHECK(lr.pipe(nxt, nxt + 2 * smss) == 2 * smss);
    CHECK(probe.calls == 0);
}

TEST_CASE("loss_recovery: F-RTO (RFC 5682): spurious when the two ACKs after the timeout acknowledge new data",
          "[loss_recovery]") {
    const std::uint32_t una = 4000, nxt = una + 10 * smss;
    SECTION("spurious: step 2b then 3b") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        CHECK(lr.frto_pending());
        auto rtx = lr.next_retransmission(una, nxt, smss, smss);
        REQUIRE(rtx.length == smss);
        lr.on_retransmitted(rtx.seq, rtx.length);
        // Step 1 sends one segment; the rest waits for the ACKs, whatever cwnd allows.
        CHECK(lr.next_retransmission(una, nxt, 10 * smss, smss).length == 0);
        // Step 2b: the first ACK acknowledges the retransmitted segment, not recover.
        auto a1 = lr.on_ack(advance(una, una + 2 * smss, nxt), probe);
        CHECK(lr.frto_pending());  // waiting for the second ACK
        CHECK(a1.grow_cwnd);       // slow start: the loss window's 1 SMSS becomes 2
        CHECK(a1.limited_transmit == 0);
        CHECK_FALSE(a1.spurious_timeout);
        // No retransmission while F-RTO waits: new data goes instead.
        CHECK(lr.next_retransmission(una + 2 * smss, nxt, 10 * smss, smss).length == 0);
        // Step 3b: the second ACK acknowledges data that was never retransmitted.
        auto a2 = lr.on_ack(advance(una + 2 * smss, una + 4 * smss, nxt + 2 * smss), probe);
        CHECK(a2.spurious_timeout);
        CHECK_FALSE(a2.grow_cwnd);  // the policy undoes instead
        CHECK(lr.state() == recovery_state::open);
        CHECK(lr.recover() == una + 4 * smss);  // recover <- SND.UNA
        CHECK_FALSE(lr.frto_pending());
        // No guard left: three duplicates are a fast retransmit.
        for (int i = 0; i < 2; ++i) lr.on_ack(dup(una + 4 * smss, nxt + 2 * smss, 4 * smss), probe);
        CHECK(lr.on_ack(dup(una + 4 * smss, nxt + 2 * smss, 4 * smss), probe).fast_retransmit);
    }
    SECTION("real loss: a duplicate as the second ACK (step 3a): go-back-N resumes") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmitted(una, smss);
        lr.on_ack(advance(una, una + smss, nxt), probe);
        REQUIRE(lr.frto_pending());
        auto a2 = lr.on_ack(dup(una + smss, nxt + 2 * smss, 2 * smss), probe);
        CHECK_FALSE(a2.spurious_timeout);
        CHECK_FALSE(lr.frto_pending());
        CHECK(lr.state() == recovery_state::loss);
        // Step 3a sets cwnd to 3 SMSS: the policy's loss window grew to 2 SMSS, which the two
        // new segments (pipe: 2 SMSS beyond `recover`) fill, so the component takes 3 SMSS:
        // 3 - 2 = 1 SMSS of room, one retransmission at SND.UNA...
        auto next = lr.next_retransmission(una + smss, nxt + 2 * smss, 2 * smss, smss);
        CHECK(next.seq == una + smss);
        CHECK(next.length == smss);
        // ...and only one: then pipe = 2 + 1 = 3 SMSS = cwnd.
        lr.on_retransmitted(next.seq, next.length);
        CHECK(lr.next_retransmission(una + smss, nxt + 2 * smss, 2 * smss, smss).length == 0);
        // A larger window is the policy's: 4 SMSS leaves room for one more.
        CHECK(lr.next_retransmission(una + smss, nxt + 2 * smss, 4 * smss, smss).seq == una + 2 * smss);
        // The next timeout starts over: with cwnd 1 SMSS and its retransmission in flight,
        // nothing more.
        lr.on_retransmission_timeout(una + smss, nxt + 2 * smss);
        lr.on_retransmitted(una + smss, smss);
        CHECK(lr.next_retransmission(una + smss, nxt + 2 * smss, smss, smss).length == 0);
    }
    SECTION("step 2a: a duplicate as the first ACK") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmitted(una, smss);
        auto a1 = lr.on_ack(dup(una, nxt, smss), probe);
        CHECK(a1.limited_transmit == 0);
        CHECK_FALSE(lr.frto_pending());
    }
    SECTION("step 2a: the first ACK does not acknowledge all that was retransmitted") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmitted(una, smss);
        auto a1 = lr.on_ack(advance(una, una + smss / 2, nxt), probe);
        CHECK(a1.limited_transmit == 0);
        CHECK_FALSE(lr.frto_pending());
    }
    SECTION("step 2a: the first ACK covers recover: the loss state ends") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmitted(una, smss);
        auto a1 = lr.on_ack(advance(una, nxt, nxt), probe);
        CHECK(a1.limited_transmit == 0);
        CHECK_FALSE(a1.spurious_timeout);
        CHECK(a1.loss_ended);
    }
    SECTION("step 2b without new data to send: conventional recovery") {
        loss_recovery lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmitted(una, smss);
        auto a1 = lr.on_ack(advance(una, una + smss, nxt, smss, false), probe);
        CHECK(a1.limited_transmit == 0);
        CHECK_FALSE(lr.frto_pending());
        CHECK(lr.next_retransmission(una + smss, nxt, 2 * smss, smss).seq == una + smss);
    }
    SECTION("a second timeout in the loss state runs no F-RTO (step 1)") {
        loss_recovery lr;
        lr.on_retransmission_timeout(una, nxt);
        lr.on_retransmission_timeout(una, nxt);
        CHECK_FALSE(lr.frto_pending());
    }
    SECTION("off in the configuration") {
        basic_loss_recovery<no_frto> lr;
        ssthresh_probe probe;
        lr.on_retransmission_timeout(una, nxt);
        CHECK_FALSE(lr.frto_pending());
        lr.on_retransmitted(una, smss);
        lr.on_ack(advance(una, una + smss, nxt), probe);
        CHECK_FALSE(lr.frto_pending());
        CHECK(lr.next_retransmission(una + smss, nxt, 2 * smss, smss).seq == una + smss);
    }
}

TEST_CASE("loss_recovery: old ACKs are ignored; reset() forgets everything", "[loss_recovery]") {
    loss_recovery lr;
    ssthresh_probe probe;
    const std::uint32_t una = 3000, nxt = una + 5 * smss;
    lr.on_ack(dup(una, nxt, 5 * smss), probe);
    recovery_ack old = advance(una, una - smss, nxt, 5 * smss);
    const recovery_response r = lr.on_ack(old, probe);
    CHECK_FALSE(r.restart_timer);
    CHECK_FALSE(r.grow_cwnd);
    CHECK(lr.duplicate_acks() == 1);
    lr.on_retransmission_timeout(una, nxt);
    lr.reset();
    CHECK(lr.state() == recovery_state::open);
    CHECK(lr.duplicate_acks() == 0);
    CHECK_FALSE(lr.frto_pending());
}

namespace {
// The component in a constant expression: three duplicates, then the full ACK.
constexpr std::uint32_t constexpr_exit_cwnd() {
    loss_recovery lr;
    auto half = [](std::uint32_t flight) { return flight / 2 > 2 * smss ? flight / 2 : 2 * smss; };
    for (int i = 0; i < 3; ++i) lr.on_ack(recovery_ack{1, 1, 1 + 8 * smss, 8 * smss, smss, true, false}, half);
    return lr.on_ack(recovery_ack{1 + 8 * smss, 1, 1 + 8 * smss, 8 * smss, smss, false, false}, half).exit_cwnd;
}
}  // namespace

TEST_CASE("loss_recovery: works in constant expressions", "[loss_recovery]") {
    // ssthresh = max(8000 / 2, 2000) = 4000; at the exit FlightSize = 0:
    // min(4000, max(0, 1000) + 1000) = 2000.
    static_assert(constexpr_exit_cwnd() == 2 * smss);
    CHECK(constexpr_exit_cwnd() == 2 * smss);
}

TEST_CASE("loss_recovery: the state is small", "[loss_recovery]") {
    // recover, ssthresh, cwnd-or-pointer (3 x 4 octets), state, duplicate count, flags.
    static_assert(sizeof(loss_recovery) <= 16, "the TCB budget (docs/loss_recovery.md)");
    static_assert(std::is_trivially_copyable_v<loss_recovery>);
    WARN("sizeof(tcpfsm::loss_recovery) = " << sizeof(loss_recovery));
    CHECK(sizeof(loss_recovery) == 16);
}

// ------------------------------------------------------------------ the sender model

namespace {

// One transmission on the wire: [seq, seq + length).
struct transmission {
    std::uint32_t seq;
    std::uint32_t length;
    int number;  // which transmission of this range: 0 the original
    enum kind_t { fresh, limited, fast, partial, go_back_n, frto_new } kind;
};

// Per ACK the sender processed: what came in, what the component said, the windows.
struct ack_record {
    std::uint32_t ack;
    bool duplicate;
    recovery_state before, after;
    std::uint32_t flight_before;  // SND.NXT - SND.UNA before the ACK
    std::uint32_t flight_after;   // after it (before anything is sent)
    std::uint32_t cwnd_before;    // the window the sender used before the ACK
    std::uint32_t cwnd_after;     // after it (component's in recovery, else the policy's)
    recovery_response response;
    int sent;                     // segments sent in response
};

// A sender of `segments` segments of SMSS with RFC 5681's congestion control, the component
// under test, and a network: a FIFO (ACK clocking: each delivered segment is answered by one
// cumulative ACK, processed at once), loss by transmission, reordering by holding a segment
// back behind k later ones, ACK loss by ACK number. The receiver holds out-of-order segments
// (as most do; tcpfsm's own engine does not). The retransmission timer fires only when the
// network has nothing left to deliver: every timeout counted here is a stall.
template <class Recovery>
struct sender_model {
    // Configuration.
    std::uint32_t base = 1;  // first sequence number of the data
    int segments = 30;
    std::uint32_t initial_cwnd = 10 * smss;
    std::uint32_t initial_ssthresh = 10 * smss;  // congestion avoidance from the start
    std::function<bool(int segment, int number)> lose = [](int, int) { return false; };
    std::function<int(int segment, int number)> reorder = [](int, int) { return 0; };
    std::function<bool(int ack_index)> lose_ack = [](int) { return false; };
    bool hold_out_of_order = true;  // false: as tcpfsm's own engine, which drops them

    // Sender.
    Recovery lr;
    std::uint32_t una = 0, nxt = 0, end = 0;
    std::uint32_t cwnd = 0, ssthresh = 0xFFFFFFFFu;
    std::uint32_t saved_cwnd = 0, saved_ssthresh = 0;  // for F-RTO's undo
    int ssthresh_calls = 0;
    int timeouts = 0;
    int extra = 0;  // new segments allowed beyond cwnd for the current ACK
    std::vector<transmission> sent;
    std::vector<ack_record> acks;
    std::vector<int> transmissions_of;  // per segment

    // Network and receiver.
    struct held_t {
        transmission t;
        int behind;
    };
    std::deque<transmission> wire;
    std::vector<held_t> held;
    std::uint32_t rcv_nxt = 0;
    std::set<std::uint32_t> out_of_order;  // starting sequence numbers held
    int ack_index = 0;

    std::uint32_t seq_of(int i) const { return base + static_cast<std::uint32_t>(i) * smss; }
    int segment_of(std::uint32_t seq) const { return static_cast<int>((seq - base) / smss); }

    void start() {
        una = nxt = rcv_nxt = base;
        end = base + static_cast<std::uint32_t>(segments) * smss;
        cwnd = initial_cwnd;
        ssthresh = initial_ssthresh;
        transmissions_of.assign(static_cast<std::size_t>(segments), 0);
        send_all();
    }

    void transmit(std::uint32_t seq, std::uint32_t length, transmission::kind_t kind) {
        const int i = segment_of(seq);
        const transmission t{seq, length, transmissions_of[static_cast<std::size_t>(i)]++, kind};
        sent.push_back(t);
        for (auto& h : held) --h.behind;
        if (!lose(i, t.number)) {
            const int k = reorder(i, t.number);
            if (k > 0) held.push_back({t, k});
            else wire.push_back(t);
        }
        for (auto it = held.begin(); it != held.end();) {
            if (it->behind <= 0) {
                wire.push_back(it->t);
                it = held.erase(it);
            } else {
                ++it;
            }
        }
    }

    std::uint32_t send_window() const { return lr.cwnd(cwnd); }

    // The engine's output(): go-back-N first in the loss state, then new data within cwnd
    // (against the pipe), then what limited transmit or F-RTO allows beyond it.
    int send_all() {
        int n = 0;
        for (;;) {
            const auto r = lr.next_retransmission(una, nxt, cwnd, smss);
            if (r.length == 0) break;
            transmit(r.seq, r.length, transmission::go_back_n);
            lr.on_retransmitted(r.seq, r.length);
            ++n;
        }
        while (tcpfsm::seq_lt(nxt, end)) {
            const std::uint32_t pipe = lr.pipe(una, nxt);
            const bool in_window = pipe <= send_window() && send_window() - pipe >= smss;
            if (!in_window && extra == 0) break;
            if (!in_window) --extra;
            transmit(nxt, smss, lr.state() == recovery_state::loss && lr.frto_pending()
                                    ? transmission::frto_new
                                    : (in_window ? transmission::fresh : transmission::limited));
            nxt += smss;
            ++n;
        }
        extra = 0;
        return n;
    }

    void on_ack(std::uint32_t ack) {
        ack_record rec{};
        rec.ack = ack;
        rec.duplicate = is_duplicate_ack(una, nxt, ack, 0, false, false, 65535, 65535);
        rec.before = lr.state();
        rec.flight_before = nxt - una;
        rec.cwnd_before = send_window();
        const recovery_ack in{ack, una, nxt, cwnd, smss, rec.duplicate, tcpfsm::seq_lt(nxt, end)};
        const recovery_response r = lr.on_ack(in, [this](std::uint32_t flight) {
            ++ssthresh_calls;
            ssthresh = rfc5681_ssthresh(flight);
            return ssthresh;
        });
        const std::uint32_t acked = tcpfsm::seq_gt(ack, una) ? ack - una : 0u;
        if (acked > 0) una = ack;
        // RFC 5681 §3.1: slow start (+min(acked, SMSS)), then congestion avoidance.
        if (r.grow_cwnd) cwnd += cwnd < ssthresh ? std::min(acked, smss) : std::max(1u, smss * smss / cwnd);
        if (r.recovery_ended) cwnd = r.exit_cwnd;
        if (r.spurious_timeout) {
            cwnd = saved_cwnd;
            ssthresh = saved_ssthresh;
        }
        rec.response = r;
        rec.after = lr.state();
        rec.flight_after = nxt - una;
        rec.cwnd_after = send_window();
        int n = 0;
        if (r.fast_retransmit || r.retransmit_first_unacked) {
            transmit(una, smss, r.fast_retransmit ? transmission::fast : transmission::partial);
            ++n;
        }
        extra = r.limited_transmit;
        n += send_all();
        rec.sent = n;
        acks.push_back(rec);
    }

    // RFC 5681 §3.1 and (4): ssthresh = max(FlightSize / 2, 2*SMSS) unless this segment was
    // already retransmitted by the timer; cwnd = LW = 1 SMSS.
    void timeout() {
        ++timeouts;
        saved_cwnd = cwnd;
        saved_ssthresh = ssthresh;
        if (lr.state() != recovery_state::loss) ssthresh = rfc5681_ssthresh(nxt - una);
        cwnd = smss;
        lr.on_retransmission_timeout(una, nxt);
        send_all();
    }

    void deliver(const transmission& t) {
        if (t.seq == rcv_nxt) {
            rcv_nxt += t.length;
            while (!out_of_order.empty() && *out_of_order.begin() == rcv_nxt) {
                out_of_order.erase(out_of_order.begin());
                rcv_nxt += smss;
            }
        } else if (tcpfsm::seq_gt(t.seq, rcv_nxt) && hold_out_of_order) {
            out_of_order.insert(t.seq);  // std::set orders plainly: the tests stay below 2^31 from base
        }
        if (!lose_ack(ack_index++)) on_ack(rcv_nxt);
    }

    // Until everything is acknowledged; a stall with data outstanding is a timeout.
    void run(int limit = 100000) {
        start();
        while (una != end && limit-- > 0) {
            if (wire.empty() && !held.empty()) {
                for (auto& h : held) wire.push_back(h.t);
                held.clear();
            }
            if (wire.empty()) {
                timeout();
                continue;
            }
            const transmission t = wire.front();
            wire.pop_front();
            deliver(t);
        }
    }

    int retransmissions() const {
        return static_cast<int>(std::count_if(sent.begin(), sent.end(), [](const transmission& t) { return t.number > 0; }));
    }
    int count(transmission::kind_t k) const {
        return static_cast<int>(std::count_if(sent.begin(), sent.end(), [k](const transmission& t) { return t.kind == k; }));
    }
    int transmissions(int segment) const { return transmissions_of[static_cast<std::size_t>(segment)]; }
};

// Checks every ACK in fast recovery against RFC 5681 §3.2 and RFC 6582 §3.2.
template <class Model>
void check_recovery_arithmetic(const Model& m) {
    for (const ack_record& a : m.acks) {
        if (a.response.fast_retransmit) {
            // Steps 2-3 with (4), FlightSize at the third duplicate.
            CHECK(a.cwnd_after == rfc5681_ssthresh(a.flight_before) + 3 * smss);
        } else if (a.before == recovery_state::recovery && a.duplicate) {
            CHECK(a.cwnd_after == a.cwnd_before + smss);  // step 4
        } else if (a.before == recovery_state::recovery && a.response.retransmit_first_unacked) {
            const std::uint32_t acked = a.flight_before - a.flight_after;
            const std::uint32_t deflated = a.cwnd_before > acked ? a.cwnd_before - acked : 0u;
            CHECK(a.cwnd_after == deflated + (acked >= smss ? smss : 0u));
        } else if (a.response.recovery_ended) {
            CHECK(a.response.exit_cwnd ==
                  std::min(m.lr.recovery_ssthresh(), std::max(a.flight_after, smss) + smss));
        }
    }
}

}  // namespace

TEST_CASE("loss_recovery: model: no loss, no ACK loss: no retransmission, never out of open", "[loss_recovery]") {
    sender_model<loss_recovery> m;
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.retransmissions() == 0);
    CHECK(m.timeouts == 0);
    for (const auto& a : m.acks) CHECK(a.after == recovery_state::open);
}

TEST_CASE("loss_recovery: model: one loss in a window: exactly one fast retransmission, no timeout", "[loss_recovery]") {
    for (const std::uint32_t base : {1u, 0xFFFF0000u}) {
        sender_model<loss_recovery> m;
        m.base = base;
        m.segments = 60;
        m.lose = [](int i, int n) { return i == 12 && n == 0; };
        m.run();
        CAPTURE(base);
        CHECK(m.una == m.end);
        CHECK(m.retransmissions() == 1);
        CHECK(m.transmissions(12) == 2);
        CHECK(m.count(transmission::fast) == 1);
        CHECK(m.count(transmission::partial) == 0);
        CHECK(m.timeouts == 0);
        CHECK(m.ssthresh_calls == 1);
        // Two new segments by limited transmit before the third duplicate (RFC 3042).
        CHECK(m.count(transmission::limited) == 2);
        check_recovery_arithmetic(m);
        // The full ACK ended it: one exit, with the arithmetic above.
        CHECK(std::count_if(m.acks.begin(), m.acks.end(),
                            [](const ack_record& a) { return a.response.recovery_ended; }) == 1);
    }
}

TEST_CASE("loss_recovery: model: two and three losses in one window: NewReno partial ACKs, no timeout", "[loss_recovery]") {
    for (const int losses : {2, 3}) {
        sender_model<loss_recovery> m;
        m.segments = 60;
        // Segments 12, 15 (and 18) of the same window.
        m.lose = [losses](int i, int n) { return n == 0 && i >= 12 && i <= 12 + 3 * (losses - 1) && (i - 12) % 3 == 0; };
        m.run();
        CAPTURE(losses);
        CHECK(m.una == m.end);
        CHECK(m.retransmissions() == losses);  // each hole once
        CHECK(m.count(transmission::fast) == 1);
        CHECK(m.count(transmission::partial) == losses - 1);
        CHECK(m.timeouts == 0);
        CHECK(m.ssthresh_calls == 1);  // one window, one reduction (RFC 6582)
        check_recovery_arithmetic(m);
        // Each partial ACK retransmitted exactly the next hole.
        for (const auto& t : m.sent) {
            if (t.kind == transmission::partial) {
                const int i = m.segment_of(t.seq);
                CHECK((i == 15 || i == 18));
            }
        }
    }
}

TEST_CASE("loss_recovery: model: the fast retransmission is lost: a timeout, then go-back-N", "[loss_recovery]") {
    sender_model<basic_loss_recovery<no_frto>> m;
    m.segments = 60;
    m.lose = [](int i, int n) { return i == 12 && n <= 1; };
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.count(transmission::fast) == 1);
    CHECK(m.timeouts == 1);
    CHECK(m.transmissions(12) == 3);  // original, fast retransmission, after the timeout
    // The receiver held everything after the hole: the ACK of the timeout's retransmission
    // covers recover, the pointer follows it and nothing else is resent.
    CHECK(m.retransmissions() == 2);
    CHECK(m.count(transmission::go_back_n) == 1);
    // Duplicates in the loss state started nothing.
    for (const auto& a : m.acks) {
        if (a.before == recovery_state::loss) CHECK_FALSE(a.response.fast_retransmit);
    }
    check_recovery_arithmetic(m);
}

TEST_CASE("loss_recovery: model: a whole window lost: go-back-N sends cwnd-worth per ACK, not one per round trip",
          "[loss_recovery]") {
    sender_model<basic_loss_recovery<no_frto>> m;
    m.segments = 10;
    m.lose = [](int, int n) { return n == 0; };  // every original
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.timeouts == 1);
    CHECK(m.retransmissions() == 10);  // each segment once more
    for (int i = 0; i < 10; ++i) CHECK(m.transmissions(i) == 2);
    REQUIRE(!m.acks.empty());
    // The timeout sent one (LW = 1 SMSS); its ACK made cwnd 2 SMSS (slow start) with an
    // empty pipe: two. Then each ACK frees one and slow start adds one: two again.
    CHECK(m.acks[0].before == recovery_state::loss);
    CHECK(m.acks[0].sent == 2);
    CHECK(m.acks[1].sent == 2);
    // Every ACK in the loss state, by RFC 5681 §3.1: cwnd from LW = 1 SMSS, slow start up
    // to ssthresh = max(FlightSize / 2, 2*SMSS) = 5 SMSS, then congestion avoidance
    // (+SMSS*SMSS/cwnd); each ACK acknowledges one resent segment; send while one more
    // segment fits in cwnd. Expected: 2, 2, 2, 2, 1, then nothing left to resend.
    std::vector<int> expected;
    {
        std::uint32_t w = smss;
        const std::uint32_t threshold = rfc5681_ssthresh(10 * smss);
        int resent = 1, acked = 0;
        for (int k = 0; k < 9; ++k) {
            ++acked;
            w += w < threshold ? smss : smss * smss / w;
            int now = 0;
            while (resent < 10 && static_cast<std::uint32_t>(resent - acked + 1) * smss <= w) {
                ++resent;
                ++now;
            }
            expected.push_back(now);
        }
    }
    REQUIRE(m.acks.size() >= expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
        CAPTURE(k);
        CHECK(m.acks[k].before == recovery_state::loss);
        CHECK(m.acks[k].sent == expected[k]);
    }
    // All ten resent by the fifth ACK: about log2 round trips, not ten.
    CHECK(expected[0] + expected[1] + expected[2] + expected[3] + expected[4] == 9);
}

TEST_CASE("loss_recovery: model: lost ACKs: the next cumulative ACK covers them, nothing is resent", "[loss_recovery]") {
    sender_model<loss_recovery> m;
    m.segments = 40;
    m.lose_ack = [](int k) { return k % 3 != 0; };  // two ACKs in three lost
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.retransmissions() == 0);
    CHECK(m.timeouts == 0);
    for (const auto& a : m.acks) CHECK_FALSE(a.duplicate);
}

TEST_CASE("loss_recovery: model: reordering by one and two segments: no retransmission, limited transmit on the duplicates",
          "[loss_recovery]") {
    for (const int k : {1, 2}) {
        sender_model<loss_recovery> m;
        m.segments = 60;
        m.reorder = [k](int i, int n) { return i == 12 && n == 0 ? k : 0; };
        m.run();
        CAPTURE(k);
        CHECK(m.una == m.end);
        CHECK(m.retransmissions() == 0);
        CHECK(m.timeouts == 0);
        CHECK(m.ssthresh_calls == 0);
        const auto dups = std::count_if(m.acks.begin(), m.acks.end(), [](const ack_record& a) { return a.duplicate; });
        CHECK(dups == k);
        CHECK(m.count(transmission::limited) == k);  // one new segment per duplicate
        for (const auto& a : m.acks) {
            if (a.duplicate) {
                CHECK(a.response.limited_transmit == 1);
                CHECK(a.cwnd_after == a.cwnd_before);  // RFC 3042: cwnd unchanged
            }
        }
    }
}

TEST_CASE("loss_recovery: model: reordering by three segments is taken for a loss (DupThresh = 3)", "[loss_recovery]") {
    sender_model<loss_recovery> m;
    m.segments = 60;
    m.reorder = [](int i, int n) { return i == 12 && n == 0 ? 3 : 0; };
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.count(transmission::fast) == 1);
    CHECK(m.timeouts == 0);
    // NewReno cannot tell: the late original makes the ACKs of the held segments partial
    // ACKs, each resending one segment the receiver has (NewReno's known cost of reordering).
    CHECK(m.count(transmission::partial) >= 1);
    // Those needless copies come back as duplicates of exactly `recover` after the exit:
    // RFC 6582 step 1 keeps them from a second fast retransmit and a second reduction.
    const auto late_dups = std::count_if(m.acks.begin(), m.acks.end(), [&m](const ack_record& a) {
        return a.duplicate && a.ack == m.lr.recover();
    });
    CHECK(late_dups >= 3);
    CHECK(m.ssthresh_calls == 1);
}

TEST_CASE("loss_recovery: model: a spurious timeout detected by F-RTO: one retransmission, the window undone",
          "[loss_recovery]") {
    // The timeout fires while the whole window is still in the network (a delay spike).
    sender_model<loss_recovery> m;
    m.segments = 30;
    m.start();
    const std::uint32_t cwnd_before = m.cwnd;
    m.timeout();
    REQUIRE(m.lr.frto_pending());
    int steps = 0;
    while (m.una != m.end && steps++ < 10000) {
        if (m.wire.empty()) {
            m.timeout();
            continue;
        }
        const transmission t = m.wire.front();
        m.wire.pop_front();
        m.deliver(t);
    }
    CHECK(m.una == m.end);
    CHECK(m.timeouts == 1);
    CHECK(m.retransmissions() == 1);  // the timeout's own, and no go-back-N
    // Step 2b's new data: cwnd 2 SMSS after the first ACK, pipe empty: two segments.
    CHECK(m.count(transmission::frto_new) == 2);
    const auto spurious = std::count_if(m.acks.begin(), m.acks.end(),
                                        [](const ack_record& a) { return a.response.spurious_timeout; });
    CHECK(spurious == 1);
    // The second ACK after the timeout declared it and the policy restored the window.
    REQUIRE(m.acks.size() >= 2);
    CHECK(m.acks[1].response.spurious_timeout);
    CHECK(m.acks[1].cwnd_after == cwnd_before);

    // Without F-RTO the same run resends the whole window.
    sender_model<basic_loss_recovery<no_frto>> c;
    c.segments = 30;
    c.start();
    c.timeout();
    steps = 0;
    while (c.una != c.end && steps++ < 10000) {
        if (c.wire.empty()) {
            c.timeout();
            continue;
        }
        const transmission t = c.wire.front();
        c.wire.pop_front();
        c.deliver(t);
    }
    CHECK(c.una == c.end);
    CHECK(c.retransmissions() > 1);
}

TEST_CASE("loss_recovery: model: a receiver that drops out-of-order segments (as tcpfsm's engine does today)",
          "[loss_recovery]") {
    sender_model<basic_loss_recovery<no_frto>> m;
    m.segments = 60;
    m.hold_out_of_order = false;
    m.lose = [](int i, int n) { return i == 12 && n == 0; };
    m.run();
    CHECK(m.una == m.end);
    CHECK(m.count(transmission::fast) == 1);
    // Every segment after the hole up to recover was dropped: each partial ACK resends the
    // next one, one per round trip (NewReno without a holding receiver).
    const auto fast_at = std::find_if(m.acks.begin(), m.acks.end(), [](const ack_record& a) { return a.response.fast_retransmit; });
    REQUIRE(fast_at != m.acks.end());
    const std::uint32_t recover_segments = (fast_at->flight_before) / smss;  // SND.NXT - SND.UNA at entry
    CHECK(m.count(transmission::partial) == static_cast<int>(recover_segments) - 1);
    // What went out during fast recovery beyond recover was dropped too; its duplicates
    // acknowledge exactly recover, which RFC 6582 §3.2 step 1 does not let start a second
    // fast retransmit (Linux holds Reno's recovery state the same way): one timeout, and
    // go-back-N resends the rest.
    CHECK(m.timeouts == 1);
    CHECK(m.count(transmission::go_back_n) >= 1);
    CHECK(m.ssthresh_calls == 1);
    check_recovery_arithmetic(m);
}
