// CUBIC (include/tcpfsm/congestion/cubic.hpp) against RFC 9438's equations, evaluated here in
// double precision. Tolerances: the policy keeps K in whole milliseconds (rounded down) and
// windows in whole octets with the fractions carried; each check says what it allows.
#include <tcpfsm/congestion/cubic.hpp>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <tuple>

#include "support.hpp"

namespace cc = tcpfsm::congestion;
using cc_test::ack;
using cc_test::iw10;
using cc_test::smss;

namespace {
constexpr double C = 0.4;      // RFC 9438 §5.1
constexpr double beta = 0.7;   // §4.6
constexpr double alpha = 3.0 * (1.0 - beta) / (1.0 + beta);  // §4.3 eq. 5
constexpr double mss = smss;

// Eq. 2, in seconds, for windows in segments.
double k_seconds(double w_max_seg, double cwnd_epoch_seg) { return std::cbrt((w_max_seg - cwnd_epoch_seg) / C); }
// Eq. 1, in segments.
double w_cubic_seg(double t, double k, double w_max_seg) { return C * std::pow(t - k, 3) + w_max_seg; }
// A window the policy computes exactly (integer octets): the nearest integer of the double.
std::uint32_t octets(double x) { return static_cast<std::uint32_t>(std::lround(x)); }

struct no_fast_convergence : cc::cubic_options {
    static constexpr bool fast_convergence = false;
};

struct from_flight : cc::cubic_options {
    static constexpr cc::cubic_reduction_base reduction_base = cc::cubic_reduction_base::flight_size;
};

struct minimum_rtt : cc::cubic_options {
    static constexpr cc::cubic_rtt rtt = cc::cubic_rtt::minimum;
};
struct keep_window : cc::cubic_options {
    static constexpr cc::idle_restart restart = cc::idle_restart::off;
};

// A CUBIC sender that lost at cwnd = w_max_seg segments and left fast recovery with
// cwnd = ssthresh at `exit_us`, with standard slow start (HyStart++ is tested elsewhere).
template <class Options = cc::cubic_options>
cc::cubic<cc::abc_slow_start<>, Options> after_loss(std::uint32_t w_max_seg, std::uint64_t exit_us) {
    cc::cubic<cc::abc_slow_start<>, Options> c;
    c.init(smss, iw10, 0);
    c.on_recovery_exit(w_max_seg * smss, 0);  // a window of w_max_seg segments, still in slow start
    c.on_loss(w_max_seg * smss, 0);
    c.on_recovery_exit(c.ssthresh(), exit_us);
    return c;
}

// RFC 9438 §4.2-4.3 for one ACK of `acked` octets at time t (s) after the epoch began with
// cwnd = c0 octets, W_est = c0: the window it leads to, in octets (double).
double expected_cwnd(double t, double rtt, double k, double w_max_oct, double c0, double cwnd_prior, double acked) {
    const double w_est = c0 + (c0 >= cwnd_prior ? 1.0 : alpha) * (acked / mss) / (c0 / mss) * mss;
    const double w_t = w_cubic_seg(t, k, w_max_oct / mss) * mss;
    if (w_t < w_est) return std::max(c0, w_est);  // Reno-friendly region
    const double target = std::min(std::max(w_cubic_seg(t + rtt, k, w_max_oct / mss) * mss, c0), 1.5 * c0);
    return c0 + (target - c0) / (c0 / mss) * (acked / mss);  // (target - cwnd)/cwnd per segment
}
}  // namespace

TEST_CASE("congestion: CUBIC K after a loss at W_max is cbrt(W_max*(1-beta)/C) (RFC 9438 eq. 2)", "[congestion][cubic]") {
    for (const std::uint32_t w_max_seg : {10u, 20u, 100u, 1000u, 10000u, 100000u}) {
        const auto c = after_loss(w_max_seg, 0);
        const double k = k_seconds(w_max_seg, w_max_seg * beta);  // = cbrt(W_max * (1 - beta) / C)
        CHECK(c.w_max() == w_max_seg * smss);
        CHECK(c.ssthresh() == static_cast<std::uint32_t>(w_max_seg * smss * 7 / 10));
        CHECK(c.cwnd() == c.ssthresh());
        // K in whole ms, rounded down: within 1 ms of the RFC's.
        CHECK(std::abs(static_cast<double>(c.k_ms()) - 1000.0 * k) <= 1.0);
    }
    // K for 100 segments: cbrt(75) s = 4.217 s.
    CHECK(after_loss(100, 0).k_ms() == static_cast<std::uint32_t>(std::floor(1000.0 * std::cbrt(75.0))));
}

TEST_CASE("congestion: CUBIC W_cubic(t) = C*(t-K)^3 + W_max at chosen times (RFC 9438 eq. 1)", "[congestion][cubic]") {
    const std::uint32_t w_max = 100 * smss;
    for (const std::uint32_t k_ms : {0u, 1957u, 4217u, 9086u}) {
        for (const std::uint32_t t_ms : {0u, 1u, 500u, 1000u, 1957u, 2000u, 4217u, 5000u, 10000u, 60000u}) {
            const double expected = w_cubic_seg(t_ms / 1000.0, k_ms / 1000.0, 100.0) * mss;
            const auto got = static_cast<double>(cc::cubic_constants::w_cubic(t_ms, k_ms, w_max, smss));
            // Rounded down twice (to 2^-16 segment, then to the octet): within 2 octets.
            CHECK(std::abs(got - expected) <= 2.0);
        }
    }
}

TEST_CASE("congestion: CUBIC growth per ACK follows the target W_cubic(t+RTT) (RFC 9438 §4.2, §4.4, §4.5)", "[congestion][cubic]") {
    const std::uint32_t w_max_seg = 100;
    const double w_max_oct = w_max_seg * mss;
    const std::uint64_t exit_us = 5000000;
    const std::uint32_t rtt_us = 100000;
    for (const std::uint32_t t_ms : {0u, 100u, 500u, 1000u, 2000u, 3000u, 4217u, 5000u, 6000u}) {
        auto c = after_loss(w_max_seg, exit_us);
        const double c0 = c.cwnd();
        const std::uint32_t acked = 10 * smss;
        c.on_ack(ack(acked, exit_us + std::uint64_t{t_ms} * 1000, rtt_us));
        // The RFC's K and K rounded down to the ms bound the expected window; floors cost at
        // most 2 octets more.
        const double k = k_seconds(w_max_seg, c0 / mss);
        const double a = expected_cwnd(t_ms / 1000.0, rtt_us / 1e6, k, w_max_oct, c0, w_max_oct, acked);
        const double b = expected_cwnd(t_ms / 1000.0, rtt_us / 1e6, std::floor(k * 1000.0) / 1000.0, w_max_oct, c0,
                                       w_max_oct, acked);
        INFO("t = " << t_ms << " ms, expected " << a << " .. " << b << ", cwnd " << c.cwnd());
        CHECK(static_cast<double>(c.cwnd()) >= std::min(a, b) - 2.0);
        CHECK(static_cast<double>(c.cwnd()) <= std::max(a, b) + 2.0);
        CHECK(c.cwnd() > c0);  // grows at every one of these times
    }
}

TEST_CASE("congestion: CUBIC target is clamped to 1.5*cwnd (RFC 9438 §4.2)", "[congestion][cubic]") {
    const std::uint64_t exit_us = 1000000;
    auto c = after_loss(100, exit_us);
    const std::uint32_t c0 = c.cwnd();
    // At t = 10 s W_cubic is 181 segments, above 1.5 * 70: target = 1.5 * cwnd. A whole
    // window acknowledged: cwnd += (1.5*cwnd - cwnd) / cwnd per segment = cwnd / 2.
    REQUIRE(w_cubic_seg(10.1, k_seconds(100, 70), 100) > 1.5 * 70);
    c.on_ack(ack(c0, exit_us + 10000000, 100000));
    CHECK(c.cwnd() == c0 + c0 / 2);
}

TEST_CASE("congestion: CUBIC Reno-friendly region: cwnd = W_est when W_cubic(t) < W_est (RFC 9438 §4.3)", "[congestion][cubic]") {
    // W_max = 10 segments: K = cbrt(7.5) = 1.96 s; 10 ms into the epoch W_cubic is 7.05
    // segments while each acknowledged window adds alpha_cubic segments to W_est.
    const std::uint64_t exit_us = 2000000;
    auto c = after_loss(10, exit_us);
    const double cwnd_prior = 10 * mss;
    double w_est = c.cwnd();
    const double w_t = w_cubic_seg(0.010, k_seconds(10, 7), 10) * mss;
    bool reached_prior = false;
    for (int i = 0; i < 10; ++i) {
        const std::uint32_t window = c.cwnd();
        // Eq. 4: W_est += alpha * segments_acked / cwnd; alpha = 1 once W_est >= cwnd_prior.
        const double a = w_est >= cwnd_prior ? 1.0 : alpha;
        reached_prior = reached_prior || w_est >= cwnd_prior;
        w_est += a * (window / mss) / (window / mss) * mss;
        REQUIRE(w_t < w_est);  // the Reno-friendly region, the whole time
        c.on_ack(ack(window, exit_us + 10000, 0));
        INFO("ACK " << i << ": W_est " << w_est << ", cwnd " << c.cwnd());
        // Fractions of an octet are carried: within 1 octet.
        CHECK(std::abs(static_cast<double>(c.cwnd()) - w_est) <= 1.0);
        CHECK(c.cwnd() == c.w_est());
    }
    CHECK(reached_prior);  // the last ACKs grew W_est by a whole SMSS (alpha = 1)
}

TEST_CASE("congestion: CUBIC fast convergence lowers W_max to cwnd*(1+beta)/2 (RFC 9438 §4.7)", "[congestion][cubic]") {
    auto c = after_loss(100, 0);
    REQUIRE(c.w_max() == 100 * smss);
    c.on_recovery_exit(80 * smss, 0);
    const std::uint32_t ssthresh = c.on_loss(80 * smss, 0);
    CHECK(c.w_max() == octets(80 * mss * (1.0 + beta) / 2.0));
    CHECK(ssthresh == octets(80 * mss * beta));
    c.on_recovery_exit(ssthresh, 0);
    CHECK(std::abs(c.k_ms() - 1000.0 * k_seconds(80 * (1.0 + beta) / 2.0, 80 * beta)) <= 1.0);

    auto n = after_loss<no_fast_convergence>(100, 0);
    n.on_recovery_exit(80 * smss, 0);
    n.on_loss(80 * smss, 0);
    CHECK(n.w_max() == 80 * smss);
    // A loss above W_max: W_max = cwnd either way.
    auto up = after_loss(100, 0);
    up.on_recovery_exit(120 * smss, 0);
    up.on_loss(120 * smss, 0);
    CHECK(up.w_max() == 120 * smss);
}

TEST_CASE("congestion: CUBIC reduces from FlightSize when asked (RFC 9438 §4.6) and keeps 2*SMSS", "[congestion][cubic]") {
    cc::cubic<cc::abc_slow_start<>, from_flight> f;
    f.init(smss, iw10, 0);
    f.on_recovery_exit(100 * smss, 0);
    CHECK(f.on_loss(60 * smss, 0) == octets(60 * mss * beta));
    CHECK(f.w_max() == 100 * smss);
    // "ssthresh is at least 2 MSS".
    cc::cubic<> tiny;
    tiny.init(smss, 2 * smss, 0);
    CHECK(tiny.on_loss(2 * smss, 0) == 2 * smss);
}

TEST_CASE("congestion: CUBIC timeout: cwnd = 1 SMSS, then K = 0 and W_max = cwnd when CA begins (RFC 9438 §4.8)", "[congestion][cubic]") {
    auto c = after_loss(100, 0);
    c.on_recovery_exit(120 * smss, 0);
    c.on_timeout(120 * smss, false, 0);
    const std::uint32_t ssthresh = octets(120 * mss * beta);
    CHECK(c.cwnd() == smss);
    CHECK(c.ssthresh() == ssthresh);
    c.on_timeout(smss, true, 0);  // the same segment again: ssthresh held
    CHECK(c.ssthresh() == ssthresh);
    // Slow start up to ssthresh, then the first ACK in congestion avoidance starts the epoch.
    const std::uint64_t start_us = 30000000;
    while (c.current_phase() != cc::phase::congestion_avoidance) c.on_ack(ack(2 * smss, start_us, 100000));
    // The ACK that reached ssthresh began the epoch with cwnd = ssthresh (its rest of octets
    // then counted in the Reno-friendly region).
    CHECK(c.cwnd() >= ssthresh);
    CHECK(c.cwnd() < ssthresh + smss);
    CHECK(c.epoch_started());
    CHECK(c.k_ms() == 0);
    CHECK(c.w_max() == ssthresh);
    // W_cubic(t) = C*t^3 + W_max from there: the growth 2 s later (W_est = cwnd now).
    const double c0 = c.cwnd();
    c.on_ack(ack(10 * smss, start_us + 2000000, 100000));
    const double expected = expected_cwnd(2.0, 0.1, 0.0, ssthresh, c0, 120 * mss, 10 * mss);
    CHECK(std::abs(static_cast<double>(c.cwnd()) - expected) <= 3.0);
}

TEST_CASE("congestion: CUBIC does not count idle time in its epoch (Linux CA_EVENT_TX_START)", "[congestion][cubic]") {
    const std::uint64_t exit_us = 1000000;
    auto idle = after_loss<keep_window>(100, exit_us);
    auto busy = after_loss<keep_window>(100, exit_us);
    // 5 s idle from t = 1 s: an ACK at t = 6 s grows as one at t = 1 s would.
    idle.on_restart_after_idle(5000000, 1000000, exit_us + 6000000);
    idle.on_ack(ack(10 * smss, exit_us + 6000000, 100000));
    busy.on_ack(ack(10 * smss, exit_us + 1000000, 100000));
    CHECK(idle.cwnd() == busy.cwnd());
    auto never_idle = after_loss<keep_window>(100, exit_us);
    never_idle.on_ack(ack(10 * smss, exit_us + 6000000, 100000));
    CHECK(never_idle.cwnd() > busy.cwnd());

    // With the default restart (RFC 5681 §4.1): RW = min(IW, cwnd) after idle > RTO.
    auto restart = after_loss(100, exit_us);
    restart.on_restart_after_idle(5000000, 1000000, exit_us + 6000000);
    CHECK(restart.cwnd() == std::min(iw10, static_cast<std::uint32_t>(100 * smss * 7 / 10)));
}

TEST_CASE("congestion: CUBIC does not grow on ACKs that were not cwnd-limited (RFC 9438 §5.8)", "[congestion][cubic]") {
    auto c = after_loss(100, 0);
    const std::uint32_t c0 = c.cwnd();
    c.on_ack(ack(c0, 3000000, 100000, false));
    CHECK(c.cwnd() == c0);
    cc::cubic<> fresh;
    fresh.init(smss, iw10, 0);
    fresh.on_ack(ack(smss, 0, 100000, false));
    CHECK(fresh.cwnd() == iw10);
}

TEST_CASE("congestion: CUBIC spurious undo restores cwnd, ssthresh and W_max (RFC 9438 §4.9)", "[congestion][cubic]") {
    auto c = after_loss(100, 0);
    c.on_recovery_exit(90 * smss, 0);
    const std::uint32_t w_max = c.w_max();
    const std::uint32_t ssthresh = c.ssthresh();
    c.on_loss(90 * smss, 0);
    REQUIRE(c.cwnd() < 90 * smss);
    c.on_spurious_undo(0);
    CHECK(c.cwnd() == 90 * smss);
    CHECK(c.ssthresh() == ssthresh);
    CHECK(c.w_max() == w_max);
    // A timeout undone the same way.
    c.on_timeout(90 * smss, false, 0);
    c.on_spurious_undo(0);
    CHECK(c.cwnd() == 90 * smss);
    CHECK(c.w_max() == w_max);
}

TEST_CASE("congestion: CUBIC epoch begins with congestion avoidance, not at a recovery exit below ssthresh", "[congestion][cubic]") {
    // RFC 6582 §3.2 step 3 lets recovery hand back min(ssthresh, FlightSize + SMSS): cwnd
    // below ssthresh slow-starts, and t counts from the first ACK in congestion avoidance.
    cc::cubic<cc::abc_slow_start<>> c;
    c.init(smss, iw10, 0);
    c.on_recovery_exit(100 * smss, 0);
    const std::uint32_t ssthresh = c.on_loss(100 * smss, 0);
    c.on_recovery_exit(ssthresh - 2 * smss, 1000000);
    CHECK_FALSE(c.epoch_started());
    c.on_ack(ack(2 * smss, 8000000, 100000));  // slow start up to ssthresh, nothing left over
    CHECK(c.cwnd() == ssthresh);
    CHECK_FALSE(c.epoch_started());
    // The first ACK in congestion avoidance, at 9 s, begins the epoch: it then grows as a
    // sender whose recovery ended at 9 s with cwnd = ssthresh.
    auto twin = after_loss(100, 9000000);
    REQUIRE(twin.cwnd() == c.cwnd());
    c.on_ack(ack(10 * smss, 9000000, 100000));
    twin.on_ack(ack(10 * smss, 9000000, 100000));
    CHECK(c.epoch_started());
    CHECK(c.k_ms() == static_cast<std::uint32_t>(std::floor(1000.0 * k_seconds(100, ssthresh / mss))));
    CHECK(c.cwnd() == twin.cwnd());
    // One second into that epoch (not nine).
    c.on_ack(ack(10 * smss, 10000000, 100000));
    twin.on_ack(ack(10 * smss, 10000000, 100000));
    CHECK(c.cwnd() == twin.cwnd());
}

TEST_CASE("congestion: CUBIC's target uses the smoothed RTT (RFC 9438 §4.1.2), or Linux's minimum RTT", "[congestion][cubic]") {
    const std::uint64_t exit_us = 1000000;
    const std::uint32_t t_ms = 2000;
    const double w_max_oct = 100 * mss;
    // One sample of 100 ms, SRTT 300 ms (the engine's, after earlier samples).
    cc::ack_sample a = ack(10 * smss, exit_us + t_ms * 1000, 100000);
    a.srtt_us = 300000;
    auto smoothed = after_loss(100, exit_us);
    const double c0 = smoothed.cwnd();
    smoothed.on_ack(a);
    auto minimum = after_loss<minimum_rtt>(100, exit_us);
    minimum.on_ack(ack(10 * smss, exit_us, 200000));  // an earlier, larger sample: not the minimum
    // (that ACK grew cwnd at t = 0 in the Reno-friendly region; compare from its window)
    const double c1 = minimum.cwnd();
    minimum.on_ack(a);
    CHECK(smoothed.rtt_us() == 300000);
    CHECK(minimum.rtt_us() == 100000);
    const double k = k_seconds(100, c0 / mss);
    for (const auto& [policy_cwnd, start, rtt] : {std::tuple<double, double, double>{static_cast<double>(smoothed.cwnd()), c0, 0.3},
                                                  std::tuple<double, double, double>{static_cast<double>(minimum.cwnd()), c1, 0.1}}) {
        const double e1 = expected_cwnd(t_ms / 1000.0, rtt, k, w_max_oct, start, w_max_oct, 10 * mss);
        const double e2 = expected_cwnd(t_ms / 1000.0, rtt, std::floor(k * 1000.0) / 1000.0, w_max_oct, start, w_max_oct, 10 * mss);
        INFO("RTT " << rtt << ": expected " << e1 << " .. " << e2 << ", cwnd " << policy_cwnd);
        CHECK(policy_cwnd >= std::min(e1, e2) - 2.0);
        CHECK(policy_cwnd <= std::max(e1, e2) + 2.0);
    }
}

TEST_CASE("congestion: CUBIC leaves application-limited periods out of t (RFC 9438 §4.2, §5.8)", "[congestion][cubic]") {
    const std::uint64_t exit_us = 1000000;
    const std::uint64_t s = 1000000;
    auto limited = after_loss(100, exit_us);
    auto busy = after_loss(100, exit_us);
    limited.on_ack(ack(10 * smss, exit_us + 1 * s, 100000));
    busy.on_ack(ack(10 * smss, exit_us + 1 * s, 100000));
    REQUIRE(limited.cwnd() == busy.cwnd());
    // From 1 s to 5 s the application sent less than cwnd allowed: ACKs that were not
    // cwnd-limited. cwnd stays, and those 4 s are not part of t.
    const std::uint32_t before = limited.cwnd();
    for (std::uint64_t i = 2; i <= 5; ++i) limited.on_ack(ack(smss, exit_us + i * s, 100000, false));
    CHECK(limited.cwnd() == before);
    // Cwnd-limited again at 6 s: t = 2 s, as the busy sender's ACK at 2 s.
    limited.on_ack(ack(10 * smss, exit_us + 6 * s, 100000));
    busy.on_ack(ack(10 * smss, exit_us + 2 * s, 100000));
    CHECK(limited.cwnd() == busy.cwnd());
}

TEST_CASE("congestion: CUBIC keeps its current values when the undo comes after cwnd regrew past cwnd_prior (RFC 9438 §4.9.2)", "[congestion][cubic]") {
    auto c = after_loss(100, 0);
    const std::uint32_t ssthresh = c.ssthresh();
    c.on_recovery_exit(120 * smss, 0);  // cwnd above cwnd_prior (100 segments) again
    const std::uint32_t w_max = c.w_max();
    c.on_spurious_undo(0);
    CHECK(c.cwnd() == 120 * smss);
    CHECK(c.ssthresh() == ssthresh);
    CHECK(c.w_max() == w_max);
    CHECK(c.epoch_started());  // the epoch goes on
}

TEST_CASE("congestion: CUBIC counts an idle period out of t once, also when the next ACK is application-limited", "[congestion][cubic]") {
    const std::uint64_t exit_us = 1000000;
    const std::uint64_t ms = 1000;
    auto idle = after_loss<keep_window>(100, exit_us);
    auto busy = after_loss<keep_window>(100, exit_us);
    idle.on_ack(ack(10 * smss, exit_us + 1000 * ms, 100000));
    busy.on_ack(ack(10 * smss, exit_us + 1000 * ms, 100000));
    // Idle from 1 s to 6 s; then an ACK 100 ms later that was not cwnd-limited; then one at 7 s.
    idle.on_restart_after_idle(5000 * ms, 1000 * ms, exit_us + 6000 * ms);
    idle.on_ack(ack(smss, exit_us + 6100 * ms, 100000, false));
    idle.on_ack(ack(10 * smss, exit_us + 7000 * ms, 100000));
    // The same without the idle period: 1.0 s, 1.1 s (not limited), 2.0 s.
    busy.on_ack(ack(smss, exit_us + 1100 * ms, 100000, false));
    busy.on_ack(ack(10 * smss, exit_us + 2000 * ms, 100000));
    CHECK(idle.cwnd() == busy.cwnd());
}
