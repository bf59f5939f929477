// NewReno (include/tcpfsm/congestion/newreno.hpp) against RFC 5681, RFC 3465 and RFC 6928:
// every expected window is computed here from the RFC's rules.
#include <tcpfsm/congestion/newreno.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>

#include "support.hpp"

namespace cc = tcpfsm::congestion;
using cc_test::ack;
using cc_test::iw10;
using cc_test::smss;

namespace {
// RFC 5681 eq. (4).
std::uint32_t eq4(std::uint32_t flight_size) { return std::max(flight_size / 2, 2 * smss); }

struct linux_options {
    static constexpr cc::idle_restart restart = cc::idle_restart::linux_decay;
};

cc::newreno<> started() {
    cc::newreno<> r;
    r.init(smss, cc::rfc6928_initial_window(smss), 0);
    return r;
}
}  // namespace

TEST_CASE("congestion: initial windows of RFC 6928 and RFC 5681", "[congestion][newreno]") {
    // RFC 6928 §2: min(10*MSS, max(2*MSS, 14600)).
    CHECK(cc::rfc6928_initial_window(1460) == 14600);
    CHECK(cc::rfc6928_initial_window(536) == 5360);     // 10*MSS is the smaller
    CHECK(cc::rfc6928_initial_window(1000) == 10000);
    CHECK(cc::rfc6928_initial_window(1500) == 14600);   // 14600 caps 15000
    CHECK(cc::rfc6928_initial_window(9000) == 18000);   // 2*MSS above 14600
    // RFC 5681 §3.1 eq. (1): SMSS > 2190: 2 segments; > 1095: 3; else 4.
    CHECK(cc::rfc5681_initial_window(2191) == 2 * 2191);
    CHECK(cc::rfc5681_initial_window(2190) == 3 * 2190);
    CHECK(cc::rfc5681_initial_window(1096) == 3 * 1096);
    CHECK(cc::rfc5681_initial_window(1095) == 4 * 1095);
    CHECK(cc::rfc5681_initial_window(536) == 4 * 536);

    const cc::newreno<> r = started();
    CHECK(r.cwnd() == iw10);
    CHECK(r.ssthresh() == 0xFFFFFFFFu);  // "arbitrarily high" (RFC 5681 §3.1)
    CHECK(r.current_phase() == cc::phase::slow_start);
}

TEST_CASE("congestion: NewReno slow start grows by min(N, 2*SMSS) per ACK (RFC 3465 L = 2)", "[congestion][newreno]") {
    cc::newreno<> r = started();
    std::uint32_t expected = iw10;
    // One segment, two, a stretch ACK of four (counted as two), a small one, a huge one.
    for (const std::uint32_t acked : {smss, 2 * smss, 4 * smss, 100u, 20 * smss, smss, 3 * smss}) {
        r.on_ack(ack(acked));
        expected += std::min(acked, 2 * smss);
        CHECK(r.cwnd() == expected);
    }
    CHECK(r.bytes_acked() == 0);

    // L = 0: Linux's count of every acknowledged octet.
    cc::newreno<cc::abc_slow_start<0>> linux_like;
    linux_like.init(smss, iw10, 0);
    linux_like.on_ack(ack(4 * smss));
    CHECK(linux_like.cwnd() == iw10 + 4 * smss);
}

TEST_CASE("congestion: NewReno switches from slow start to congestion avoidance at ssthresh", "[congestion][newreno]") {
    cc::newreno<> r = started();
    const std::uint32_t flight = 30000;
    r.on_timeout(flight, false, 0);
    const std::uint32_t ssthresh = eq4(flight);  // 15000
    REQUIRE(r.ssthresh() == ssthresh);
    REQUIRE(r.cwnd() == smss);

    // Slow start: one SMSS per ACK of one segment, up to ssthresh.
    std::uint32_t cwnd = smss;
    while (cwnd + smss < ssthresh) {
        r.on_ack(ack(smss));
        cwnd += smss;
        REQUIRE(r.cwnd() == cwnd);
        REQUIRE(r.current_phase() == cc::phase::slow_start);
    }
    // The ACK that crosses ssthresh: slow start up to ssthresh, the rest counted for
    // congestion avoidance.
    const std::uint32_t spent = ssthresh - cwnd;
    r.on_ack(ack(smss));
    CHECK(r.cwnd() == ssthresh);
    CHECK(r.bytes_acked() == smss - spent);
    CHECK(r.current_phase() == cc::phase::congestion_avoidance);
}

TEST_CASE("congestion: NewReno congestion avoidance adds one SMSS per cwnd of acknowledged octets", "[congestion][newreno]") {
    cc::newreno<> r = started();
    r.on_loss(2 * 40000, 0);  // ssthresh = 40000
    r.on_recovery_exit(40000, 0);
    REQUIRE(r.cwnd() == 40000);
    REQUIRE(r.current_phase() == cc::phase::congestion_avoidance);

    // RFC 3465 §2.1: bytes_acked += N; when bytes_acked >= cwnd: bytes_acked -= cwnd, cwnd += SMSS.
    std::uint64_t bytes_acked = 0;
    std::uint32_t cwnd = 40000;
    int increments = 0;
    for (int i = 0; i < 200; ++i) {
        const std::uint32_t acked = (i % 3 == 0) ? 2 * smss : smss;
        r.on_ack(ack(acked));
        bytes_acked += acked;
        if (bytes_acked >= cwnd) {
            bytes_acked -= cwnd;
            cwnd += smss;
            ++increments;
        }
        REQUIRE(r.cwnd() == cwnd);
        REQUIRE(r.bytes_acked() == bytes_acked);
    }
    CHECK(increments >= 5);

    // A stretch ACK of two windows: two SMSS (Linux's tcp_cong_avoid_ai).
    const std::uint32_t before = r.cwnd();
    const std::uint32_t left = r.bytes_acked();
    r.on_ack(ack(2 * before));
    CHECK(r.cwnd() == before + 2 * smss);
    CHECK(r.bytes_acked() == left);
}

TEST_CASE("congestion: NewReno ssthresh on loss is max(FlightSize/2, 2*SMSS) (RFC 5681 eq. 4)", "[congestion][newreno]") {
    for (const std::uint32_t flight : {0u, 1u, smss, 2 * smss, 4 * smss, 4 * smss + 2, 5841u, 100000u, 3000000u}) {
        cc::newreno<> r = started();
        const std::uint32_t returned = r.on_loss(flight, 0);
        CHECK(returned == eq4(flight));
        CHECK(r.ssthresh() == eq4(flight));
        CHECK(r.cwnd() == eq4(flight));
    }
    // The floor: a flight of 3 segments gives 2*SMSS, not 1.5.
    cc::newreno<> r = started();
    CHECK(r.on_loss(3 * smss, 0) == 2 * smss);
    // The loss-recovery component hands cwnd back.
    r.on_recovery_exit(7 * smss, 0);
    CHECK(r.cwnd() == 7 * smss);
}

TEST_CASE("congestion: NewReno timeout sets cwnd to the loss window (RFC 5681 §3.1)", "[congestion][newreno]") {
    cc::newreno<> r = started();
    for (int i = 0; i < 20; ++i) r.on_ack(ack(2 * smss));  // cwnd 14600 + 20 * 2920
    const std::uint32_t flight = 50000;
    r.on_timeout(flight, false, 0);
    CHECK(r.cwnd() == smss);  // LW = 1 SMSS
    CHECK(r.ssthresh() == eq4(flight));
    // The same segment timing out again: "the value of ssthresh is held constant".
    r.on_timeout(4000, true, 0);
    CHECK(r.ssthresh() == eq4(flight));
    CHECK(r.cwnd() == smss);
    // A new timeout (another segment) sets it again, with the floor.
    r.on_timeout(4000, false, 0);
    CHECK(r.ssthresh() == 2 * smss);
}

TEST_CASE("congestion: NewReno restart after idle: RW = min(IW, cwnd) (RFC 5681 §4.1)", "[congestion][newreno]") {
    const std::uint64_t rto = 1000000;
    cc::newreno<> r = started();
    for (int i = 0; i < 10; ++i) r.on_ack(ack(2 * smss));
    const std::uint32_t grown = iw10 + 10 * 2 * smss;
    REQUIRE(r.cwnd() == grown);
    r.on_restart_after_idle(rto, rto, 0);  // idle not longer than the RTO: nothing
    CHECK(r.cwnd() == grown);
    r.on_restart_after_idle(rto + 1, rto, 0);
    CHECK(r.cwnd() == std::min(iw10, grown));
    CHECK(r.ssthresh() == 0xFFFFFFFFu);

    // cwnd below IW stays: RW = min(IW, cwnd).
    r.on_timeout(100000, false, 0);
    r.on_restart_after_idle(10 * rto, rto, 0);
    CHECK(r.cwnd() == std::min(iw10, smss));

    // Linux's decay: cwnd halved per RTO of idle time, not below RW; ssthresh >= 3/4 cwnd.
    cc::newreno<cc::abc_slow_start<>, linux_options> l;
    l.init(smss, iw10, 0);
    l.on_loss(100000, 0);  // ssthresh 50000
    l.on_recovery_exit(100000, 0);
    l.on_restart_after_idle(5 * rto / 2, rto, 0);  // 2.5 RTO: halved twice
    CHECK(l.cwnd() == 100000 / 4);
    CHECK(l.ssthresh() == std::max(50000u, 100000u / 2 + 100000u / 4));
    l.on_restart_after_idle(100 * rto, rto, 0);  // halved down to RW, no further
    CHECK(l.cwnd() == iw10);
}

TEST_CASE("congestion: NewReno does not grow cwnd on ACKs that were not cwnd-limited (RFC 7661)", "[congestion][newreno]") {
    cc::newreno<> r = started();
    r.on_ack(ack(2 * smss, 0, 0, false));
    CHECK(r.cwnd() == iw10);
    r.on_loss(60000, 0);
    r.on_recovery_exit(30000, 0);
    for (int i = 0; i < 50; ++i) r.on_ack(ack(smss, 0, 0, false));
    CHECK(r.cwnd() == 30000);
    CHECK(r.bytes_acked() == 0);
}

TEST_CASE("congestion: NewReno spurious undo restores cwnd and ssthresh", "[congestion][newreno]") {
    cc::newreno<> r = started();
    r.on_ack(ack(2 * smss));
    const std::uint32_t before = r.cwnd();
    r.on_loss(before, 0);
    r.on_spurious_undo(0);
    CHECK(r.cwnd() == before);
    CHECK(r.ssthresh() == 0xFFFFFFFFu);
    // Nothing left to undo.
    r.on_timeout(before, false, 0);
    r.on_spurious_undo(0);
    r.on_spurious_undo(0);
    CHECK(r.cwnd() == before);
}

TEST_CASE("congestion: NewReno with SMSS and IW from the engine moves its windows as compact NewReno does",
          "[congestion][newreno]") {
    using smallest_type = cc::newreno<cc::abc_slow_start<>, cc::newreno_smallest_options>;
    // cwnd, ssthresh and bytes_acked: 3 * 4 octets; the hooks that need SMSS or IW take them.
    STATIC_REQUIRE(sizeof(smallest_type) == 3 * sizeof(std::uint32_t));
    STATIC_REQUIRE(cc::is_congestion_control_v<smallest_type>);
    STATIC_REQUIRE(cc::has_on_loss_smss_v<smallest_type> && cc::has_on_timeout_smss_v<smallest_type> &&
                   cc::has_on_restart_after_idle_iw_v<smallest_type>);
    STATIC_REQUIRE(!cc::has_on_loss_smss_v<cc::newreno<>> && !cc::has_on_restart_after_idle_iw_v<cc::newreno<>>);
    cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options> compact;
    smallest_type smallest;
    const std::uint32_t iw = cc::rfc6928_initial_window(smss);
    compact.init(smss, iw, 0);
    smallest.init(smss, iw, 0);
    const auto same = [&] { return compact.cwnd() == smallest.cwnd() && compact.ssthresh() == smallest.ssthresh(); };
    REQUIRE(same());
    for (int i = 0; i < 30; ++i) {
        compact.on_ack(ack(smss + static_cast<std::uint32_t>(i) * 100));
        smallest.on_ack(ack(smss + static_cast<std::uint32_t>(i) * 100));
        REQUIRE(same());
    }
    // RFC 5681 (4): max(50000 / 2, 2 * SMSS).
    CHECK(smallest.on_loss(50000, smss, 0) == eq4(50000));
    CHECK(compact.on_loss(50000, 0) == eq4(50000));
    compact.on_recovery_exit(26000, 0);
    smallest.on_recovery_exit(26000, 0);
    for (int i = 0; i < 100; ++i) {
        compact.on_ack(ack(smss));
        smallest.on_ack(ack(smss));
        REQUIRE(same());
    }
    compact.on_timeout(40000, false, 0);
    smallest.on_timeout(40000, false, smss, 0);
    CHECK(same());
    CHECK(smallest.cwnd() == smss);  // the loss window
    // Grow past IW, then idle for more than an RTO: RW = min(IW, cwnd) (RFC 5681 §4.1).
    for (int i = 0; i < 40; ++i) {
        compact.on_ack(ack(smss));
        smallest.on_ack(ack(smss));
    }
    REQUIRE(same());
    REQUIRE(smallest.cwnd() > iw);
    compact.on_restart_after_idle(3000000, 1000000, 0);
    smallest.on_restart_after_idle(3000000, 1000000, iw, 0);
    CHECK(same());
    CHECK(smallest.cwnd() == iw);
}

TEST_CASE("congestion: compact NewReno (no undo state) moves its windows as NewReno does", "[congestion][newreno]") {
    cc::newreno<> full = started();
    cc::newreno<cc::abc_slow_start<>, cc::newreno_compact_options> compact;
    compact.init(smss, cc::rfc6928_initial_window(smss), 0);
    const auto same = [&] { return full.cwnd() == compact.cwnd() && full.ssthresh() == compact.ssthresh(); };
    for (int i = 0; i < 30; ++i) {
        full.on_ack(ack(smss + static_cast<std::uint32_t>(i) * 100));
        compact.on_ack(ack(smss + static_cast<std::uint32_t>(i) * 100));
        REQUIRE(same());
    }
    CHECK(full.on_loss(50000, 0) == compact.on_loss(50000, 0));
    full.on_recovery_exit(26000, 0);
    compact.on_recovery_exit(26000, 0);
    for (int i = 0; i < 100; ++i) {
        full.on_ack(ack(smss));
        compact.on_ack(ack(smss));
        REQUIRE(same());
    }
    full.on_timeout(40000, false, 0);
    compact.on_timeout(40000, false, 0);
    full.on_restart_after_idle(3000000, 1000000, 0);
    compact.on_restart_after_idle(3000000, 1000000, 0);
    CHECK(same());
    CHECK(compact.cwnd() == smss);
    CHECK(compact.ssthresh() == eq4(40000));
}

TEST_CASE("congestion: NewReno with RFC 5681 eq. (2): cwnd += min(N, SMSS)", "[congestion][newreno]") {
    cc::newreno<cc::abc_slow_start<1>> r;
    r.init(smss, iw10, 0);
    std::uint32_t expected = iw10;
    for (const std::uint32_t acked : {smss, 2 * smss, 100u, 5 * smss}) {
        r.on_ack(ack(acked));
        expected += std::min(acked, smss);
        CHECK(r.cwnd() == expected);
    }
}
