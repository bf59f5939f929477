// sack::rack_detector (sack/rack_detector.hpp): the loss-detection timer in the RTO's slot
// (RFC 8985 §6.3, §7.2: which deadline wins, the RTO's deadline kept and restored) and RACK's
// pipe, each against arithmetic done here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/rack_detector.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

namespace {
using detector = tcpfsm::sack::rack_detector<8>;
constexpr std::uint64_t rd_ms = 1000;  // µs in a ms
}  // namespace

TEST_CASE("rack_detector: the PTO takes the RTO's slot when earlier, and the RTO's deadline comes back",
          "[sack][rack][tlp]") {
    detector d;
    // Two segments sent at 1000 ms; the RTO (1 s) is due at 2000 ms.
    d.on_sent(0, 1000, false, 1000 * rd_ms);
    d.on_sent(1000, 1000, false, 1000 * rd_ms);
    const std::uint32_t now = 1000, rto_at = 2000;
    // §7.2: SRTT 100 ms, two segments in flight: PTO = 2 * 100 = 200 ms -> 1200 ms.
    tcpfsm::sack::loss_timer_plan p = d.plan(true, rto_at, now, now * rd_ms, true, 100 * rd_ms, false, 200 * rd_ms);
    CHECK(p.arm);
    CHECK(p.at == now + 200u);
    CHECK(d.pending() == tcpfsm::sack::loss_timer::probe);
    CHECK(d.rto_deadline() == rto_at);
    // The next input, nothing changed: the slot keeps the PTO (no re-arm).
    p = d.plan(true, now + 200u, now + 10u, (now + 10u) * rd_ms, true, 100 * rd_ms, false, 200 * rd_ms);
    CHECK(!p.arm);
    CHECK(d.pending() == tcpfsm::sack::loss_timer::probe);
    // The conditions no longer hold (say, a SACK arrived): the RTO's deadline is restored.
    p = d.plan(true, now + 200u, now + 20u, (now + 20u) * rd_ms, false, 100 * rd_ms, false, 200 * rd_ms);
    CHECK(p.arm);
    CHECK(p.at == rto_at);
    CHECK(d.pending() == tcpfsm::sack::loss_timer::none);
    CHECK(d.take_expiry() == tcpfsm::sack::loss_timer::none);
}

TEST_CASE("rack_detector: an RTO re-armed to the pending PTO's very tick is the RTO's deadline from then on",
          "[sack][rack][tlp]") {
    detector d;
    d.on_sent(0, 1000, false, 1000 * rd_ms);
    d.on_sent(1000, 1000, false, 1000 * rd_ms);
    // As above: the PTO at 1200 ms displaces the RTO due at 2000 ms.
    const std::uint32_t now = 1000;
    tcpfsm::sack::loss_timer_plan p = d.plan(true, 2000, now, now * rd_ms, true, 100 * rd_ms, false, 200 * rd_ms);
    REQUIRE(p.at == now + 200u);
    // At 1000 ms an ACK restarts the RTO (RFC 6298 §5.3) with RTO = 200 ms: due at 1200 ms, the
    // PTO's tick. The slot now holds the RTO, whose deadline is 1200, not the displaced 2000.
    d.on_rto_armed();
    // No new data and §7.2's conditions gone (say, a SACK): nothing of RACK's to move, and the
    // deadline to restore after any later loss-detection timer is 1200.
    p = d.plan(true, now + 200u, now, now * rd_ms, false, 100 * rd_ms, false, 200 * rd_ms);
    CHECK(!p.arm);
    CHECK(d.rto_deadline() == now + 200u);
    CHECK(d.pending() == tcpfsm::sack::loss_timer::none);
}

TEST_CASE("rack_detector: a PTO not before the RTO leaves the slot to the RTO (§7.2's cap)", "[sack][tlp]") {
    detector d;
    d.on_sent(0, 1000, false, 0);
    // One segment in flight, SRTT 400 ms: 2 * 400 + 200 = 1000 ms, the RTO is due in 300 ms:
    // the PTO is capped at the RTO's expiry, so the RTO keeps the slot.
    const tcpfsm::sack::loss_timer_plan p = d.plan(true, 300, 0, 0, true, 400 * rd_ms, true, 200 * rd_ms);
    CHECK(!p.arm);
    CHECK(d.pending() == tcpfsm::sack::loss_timer::none);
}

TEST_CASE("rack_detector: pipe is the flight less SACKed octets and lost records, plus spurious copies",
          "[sack][rack]") {
    detector d;
    tcpfsm::sack::scoreboard<8> sb;
    // Five segments of 100 at 0 µs; segment 4 ([400, 500)) SACKed 50 ms later.
    for (std::uint32_t i = 0; i < 5; ++i) d.on_sent(i * 100u, 100, false, 0);
    const tcpfsm::seq_block blocks[1] = {{400, 500}};
    const tcpfsm::sack::update_result u = sb.on_ack(0, 0, 500, blocks, 1);
    tcpfsm::sack::tlp_ack_result probe{};
    tcpfsm::sack::rack_input in{};
    in.now_us = 50 * rd_ms;
    const tcpfsm::sack::rack_step s = d.on_ack(sb, u, 0, 500, in, true, false, false, probe);
    // RACK.rtt = 50 ms, reo_wnd = min_RTT / 4 = 12.5 ms: segments 0..3 (sent at 0, before
    // segment 4) are lost at 62.5 ms, not yet; the reordering timer runs 12.5 ms.
    CHECK(s.newly_lost == 0u);
    CHECK(s.timeout_us == 12500u);
    // pipe: 500 in flight - 100 SACKed = 400.
    CHECK(d.pipe(sb, 0, 500) == 400u);
    const tcpfsm::sack::rack_step t = d.on_reordering_timeout(63 * rd_ms);
    CHECK(t.newly_lost == 4u);
    // All four lost and not resent: 500 - 100 - 4 * 100 = 0.
    CHECK(d.pipe(sb, 0, 500) == 0u);
    CHECK(d.first_lost().left == 0u);
    CHECK(d.first_lost().right == 100u);
    // One resent: it is in flight again, 100.
    d.on_sent(0, 100, true, 63 * rd_ms);
    CHECK(d.pipe(sb, 0, 500) == 100u);
    CHECK(d.first_lost().left == 100u);
}
