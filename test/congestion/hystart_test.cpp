// HyStart++ (include/tcpfsm/congestion/hystart_pp.hpp) against RFC 9406 §4.2-4.3, driven
// through NewReno (and CUBIC for the hand-over to congestion avoidance). Rounds are built as
// the RFC defines them: a round ends with the ACK covering windowEnd = SND.NXT at its start.
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
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
using hystart = cc::hystart_pp<>;

// RFC 9406 §4.3's constants, spelled out here.
constexpr std::uint32_t min_rtt_thresh = 4000, max_rtt_thresh = 16000, min_rtt_divisor = 8;
constexpr std::uint32_t n_rtt_sample = 8, css_growth_divisor = 4, css_rounds = 5, l_non_paced = 8;

// RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)).
std::uint32_t rtt_thresh(std::uint32_t last) {
    return std::max(min_rtt_thresh, std::min(last / min_rtt_divisor, max_rtt_thresh));
}

template <class Policy>
struct sender {
    Policy p;
    std::uint32_t una = 0;
    std::uint32_t window_end = 0;
    sender() { p.init(smss, iw10, 0); }
    // The next ACK covers the last round's windowEnd; this round's data reaches further.
    void begin_round() {
        una = window_end;
        window_end = una + 1000 * smss;
    }
    void ack_with_rtt(std::uint32_t rtt_us, std::uint32_t acked = smss, bool cwnd_limited = true) {
        una += acked;
        p.on_ack(ack(acked, 0, rtt_us, cwnd_limited, una, window_end));
    }
};

// Round 1 at `base` µs, then round 2 at `rising` until CSS (or not).
template <class Policy>
void two_rounds(sender<Policy>& s, std::uint32_t base, std::uint32_t rising) {
    s.begin_round();
    for (std::uint32_t i = 0; i < n_rtt_sample; ++i) s.ack_with_rtt(base);
    s.begin_round();
    for (std::uint32_t i = 0; i < n_rtt_sample; ++i) s.ack_with_rtt(rising);
}
}  // namespace

TEST_CASE("congestion: HyStart++ RttThresh is lastRoundMinRTT/8 within [4 ms, 16 ms]", "[congestion][hystart]") {
    for (const std::uint32_t last : {1000u, 20000u, 32000u, 64000u, 100000u, 128000u, 200000u, 1000000u}) {
        CHECK(hystart::rtt_thresh_us(last) == rtt_thresh(last));
    }
    CHECK(hystart::rtt_thresh_us(20000) == 4000);
    CHECK(hystart::rtt_thresh_us(64000) == 8000);
    CHECK(hystart::rtt_thresh_us(200000) == 16000);
}

TEST_CASE("congestion: HyStart++ leaves slow start for CSS when a round's min RTT rises by RttThresh", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    const std::uint32_t exit_at = base + rtt_thresh(base);  // 112.5 ms

    sender<cc::newreno<hystart>> s;
    s.begin_round();
    std::uint32_t cwnd = iw10;
    for (std::uint32_t i = 0; i < n_rtt_sample; ++i) {
        s.ack_with_rtt(base);
        cwnd += std::min(smss, l_non_paced * smss);
        REQUIRE(s.p.cwnd() == cwnd);
    }
    s.begin_round();
    // Fewer than N_RTT_SAMPLE samples: no decision yet.
    for (std::uint32_t i = 0; i + 1 < n_rtt_sample; ++i) {
        s.ack_with_rtt(exit_at);
        cwnd += smss;
        REQUIRE(s.p.current_phase() == cc::phase::slow_start);
    }
    // The 8th sample: currentRoundMinRTT >= lastRoundMinRTT + RttThresh. The ACK still grows
    // cwnd as slow start (growth precedes the check in §4.2).
    s.ack_with_rtt(exit_at);
    cwnd += smss;
    CHECK(s.p.cwnd() == cwnd);
    CHECK(s.p.current_phase() == cc::phase::conservative_slow_start);
    CHECK(s.p.slow_start().css_baseline_min_rtt_us() == exit_at);
    CHECK(s.p.ssthresh() == 0xFFFFFFFFu);

    // CSS: cwnd += min(N, L*SMSS) / CSS_GROWTH_DIVISOR.
    s.ack_with_rtt(exit_at);
    cwnd += smss / css_growth_divisor;
    CHECK(s.p.cwnd() == cwnd);
    s.ack_with_rtt(exit_at, 20 * smss);  // a stretch ACK: L = 8 segments, then divided
    cwnd += std::min(20 * smss, l_non_paced * smss) / css_growth_divisor;
    CHECK(s.p.cwnd() == cwnd);
    // Not cwnd-limited: sampled, not grown.
    s.ack_with_rtt(exit_at, smss, false);
    CHECK(s.p.cwnd() == cwnd);
}

TEST_CASE("congestion: HyStart++ stays in slow start below the threshold", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    sender<cc::newreno<hystart>> s;
    two_rounds(s, base, base + rtt_thresh(base) - 1);
    CHECK(s.p.current_phase() == cc::phase::slow_start);
    // A small RTT: the 4 ms floor of RttThresh.
    sender<cc::newreno<hystart>> small;
    two_rounds(small, 20000, 20000 + 3999);
    CHECK(small.p.current_phase() == cc::phase::slow_start);
    sender<cc::newreno<hystart>> small_exit;
    two_rounds(small_exit, 20000, 20000 + min_rtt_thresh);
    CHECK(small_exit.p.current_phase() == cc::phase::conservative_slow_start);
    // ACKs without an RTT sample do not count towards N_RTT_SAMPLE.
    sender<cc::newreno<hystart>> unsampled;
    unsampled.begin_round();
    for (std::uint32_t i = 0; i < n_rtt_sample; ++i) unsampled.ack_with_rtt(base);
    unsampled.begin_round();
    for (std::uint32_t i = 0; i < 20; ++i) unsampled.ack_with_rtt(0);
    for (std::uint32_t i = 0; i + 1 < n_rtt_sample; ++i) unsampled.ack_with_rtt(base + 20000);
    CHECK(unsampled.p.current_phase() == cc::phase::slow_start);
}

TEST_CASE("congestion: HyStart++ enters congestion avoidance after CSS_ROUNDS rounds of CSS", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    const std::uint32_t high = base + rtt_thresh(base);
    sender<cc::newreno<hystart>> s;
    two_rounds(s, base, high);  // CSS from round 2; that round counts as the first
    REQUIRE(s.p.current_phase() == cc::phase::conservative_slow_start);
    for (std::uint32_t round = 2; round <= css_rounds; ++round) {
        s.begin_round();
        for (std::uint32_t i = 0; i < n_rtt_sample; ++i) s.ack_with_rtt(high);
        REQUIRE(s.p.current_phase() == cc::phase::conservative_slow_start);
    }
    // The ACK that completes the 5th CSS round: ssthresh = cwnd.
    const std::uint32_t cwnd = s.p.cwnd();
    s.begin_round();
    s.ack_with_rtt(high);
    CHECK(s.p.ssthresh() == cwnd);
    CHECK(s.p.cwnd() == cwnd);
    CHECK(s.p.current_phase() == cc::phase::congestion_avoidance);
    CHECK(s.p.slow_start().done());
}

TEST_CASE("congestion: HyStart++ goes back to slow start when the RTT falls below the CSS baseline", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    const std::uint32_t high = base + rtt_thresh(base);
    sender<cc::newreno<hystart>> s;
    two_rounds(s, base, high);
    REQUIRE(s.p.current_phase() == cc::phase::conservative_slow_start);
    s.begin_round();
    for (std::uint32_t i = 0; i + 1 < n_rtt_sample; ++i) s.ack_with_rtt(high - 1);
    CHECK(s.p.current_phase() == cc::phase::conservative_slow_start);
    s.ack_with_rtt(high - 1);  // the 8th sample of the round: below cssBaselineMinRtt
    CHECK(s.p.current_phase() == cc::phase::slow_start);
    CHECK(s.p.slow_start().css_baseline_min_rtt_us() == hystart::no_rtt);
    const std::uint32_t cwnd = s.p.cwnd();
    s.ack_with_rtt(high - 1);
    CHECK(s.p.cwnd() == cwnd + smss);  // full slow-start growth again
}

TEST_CASE("congestion: HyStart++ only in the initial slow start; standard slow start after a loss", "[congestion][hystart]") {
    sender<cc::newreno<hystart>> s;
    s.begin_round();
    s.ack_with_rtt(100000);
    s.p.on_timeout(40000, false, 0);
    CHECK(s.p.slow_start().done());
    const std::uint32_t cwnd = s.p.cwnd();
    s.ack_with_rtt(100000, 4 * smss);
    CHECK(s.p.cwnd() == cwnd + 2 * smss);  // RFC 3465 L = 2
    // HyStart++ in slow start takes L = 8: a stretch ACK of 10 segments counts 8.
    sender<cc::newreno<hystart>> fresh;
    fresh.begin_round();
    fresh.ack_with_rtt(100000, 10 * smss);
    CHECK(fresh.p.cwnd() == iw10 + l_non_paced * smss);
}

TEST_CASE("congestion: CUBIC after HyStart++: K = 0, W_max = cwnd at the start of congestion avoidance", "[congestion][hystart][cubic]") {
    const std::uint32_t base = 100000;
    const std::uint32_t high = base + rtt_thresh(base);
    sender<cc::cubic<>> s;
    two_rounds(s, base, high);
    for (std::uint32_t round = 2; round <= css_rounds; ++round) {
        s.begin_round();
        for (std::uint32_t i = 0; i < n_rtt_sample; ++i) s.ack_with_rtt(high);
    }
    const std::uint32_t cwnd = s.p.cwnd();
    s.begin_round();
    s.ack_with_rtt(high);
    CHECK(s.p.ssthresh() == cwnd);
    CHECK(s.p.current_phase() == cc::phase::congestion_avoidance);
    CHECK(s.p.cwnd_prior() == cwnd);  // RFC 9438 §4.10
    CHECK(s.p.epoch_started());
    CHECK(s.p.k_ms() == 0);
    CHECK(s.p.w_max() == cwnd);
}

TEST_CASE("congestion: HyStart++'s round ends when SND.UNA passes windowEnd; the ACK reaching it belongs to the old round", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    const std::uint32_t high = base + rtt_thresh(base);
    sender<cc::newreno<hystart>> s;
    s.begin_round();
    for (std::uint32_t i = 0; i < n_rtt_sample; ++i) s.ack_with_rtt(base);
    s.begin_round();
    for (std::uint32_t i = 0; i + 1 < n_rtt_sample; ++i) s.ack_with_rtt(high);
    REQUIRE(s.p.current_phase() == cc::phase::slow_start);
    // The 8th sample of round 2 comes with the ACK of everything up to windowEnd: still round 2.
    s.ack_with_rtt(high, s.window_end - s.una);
    CHECK(s.una == s.window_end);
    CHECK(s.p.current_phase() == cc::phase::conservative_slow_start);
    CHECK(s.p.slow_start().last_round_min_rtt_us() == base);
    // The next ACK (beyond windowEnd) starts round 3.
    s.window_end = s.una + 1000 * smss;
    s.ack_with_rtt(high);
    CHECK(s.p.slow_start().last_round_min_rtt_us() == high);
    CHECK(s.p.slow_start().current_round_min_rtt_us() == high);
}

TEST_CASE("congestion: HyStart++ rounds across the wrap of sequence numbers", "[congestion][hystart]") {
    const std::uint32_t base = 100000;
    sender<cc::newreno<hystart>> s;
    s.window_end = 0xFFFFFFFFu - 3 * smss;  // round 2 wraps past 2^32
    two_rounds(s, base, base + rtt_thresh(base));
    CHECK(s.una < 0x80000000u);  // wrapped
    CHECK(s.p.current_phase() == cc::phase::conservative_slow_start);
    CHECK(s.p.slow_start().last_round_min_rtt_us() == base);
}
