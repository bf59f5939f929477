// rto.hpp: the retransmission timer of RFC 6298. Expected values are worked by hand from the
// RFC's formulas (§2.2, §2.3: alpha = 1/8, beta = 1/4, K = 4) or computed in the test in
// exact rational arithmetic, never by running the estimator.
#include <tcpfsm/rto.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>

using tcpfsm::basic_rto_estimator;
using tcpfsm::linux_rto_estimator;
using tcpfsm::rto_config;
using tcpfsm::rto_estimator;
using tcpfsm::rtt_sampler;
using tcpfsm::total_backoff_ms;

namespace {

// The RFC's formulas on long double. Every value in the short sequences below is a multiple
// of 2^-15 below 2^10, which long double (64-bit significand) holds exactly, so there this
// is exact rational arithmetic; on the long random runs its error stays below 1e-12 ms.
struct exact_rfc6298 {
    long double srtt = 0, rttvar = 0;
    bool has_sample = false;
    long double granularity;

    explicit exact_rfc6298(long double g) : granularity(g) {}

    void sample(long double r) {
        if (!has_sample) {  // §2.2
            srtt = r;
            rttvar = r / 2;
            has_sample = true;
        } else {  // §2.3, RTTVAR first, with the old SRTT
            rttvar = 0.75L * rttvar + 0.25L * std::fabs(srtt - r);
            srtt = 0.875L * srtt + 0.125L * r;
        }
    }
    // RTO before the clamps of §2.4 and §2.5.
    long double rto() const { return srtt + std::fmax(granularity, 4 * rttvar); }
};

long double clamp(long double v, long double lo, long double hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Configurations for the tests, of static storage duration so that they can be template
// arguments. `unclamped` lets the computed RTO through unchanged.
constexpr rto_config unclamped{1000, 0, 0xFFFFFFFFu, 1};
constexpr rto_config coarse_clock{1000, 0, 0xFFFFFFFFu, 10};  // G = 10 ms
// Not const: tuned at run time, as an engine reading a sysctl would.
rto_config tunable{1000, 1000, 60000, 1};

}  // namespace

TEST_CASE("rto presets carry RFC 6298's and Linux's values", "[rto]") {
    // RFC 6298 §2.1 (1 s), §2.4 (1 s minimum, SHOULD), §2.5 (maximum at least 60 s).
    static_assert(tcpfsm::rto_config_rfc6298.initial_ms == 1000);
    static_assert(tcpfsm::rto_config_rfc6298.min_ms == 1000);
    static_assert(tcpfsm::rto_config_rfc6298.max_ms == 60000);
    static_assert(tcpfsm::rto_config_rfc6298.granularity_ms == 1);
    // Linux include/net/tcp.h: TCP_TIMEOUT_INIT 1 s, TCP_RTO_MIN HZ/5, TCP_RTO_MAX 120 s.
    static_assert(tcpfsm::rto_config_linux.initial_ms == 1000);
    static_assert(tcpfsm::rto_config_linux.min_ms == 200);
    static_assert(tcpfsm::rto_config_linux.max_ms == 120000);
    // The default estimator is RFC 6298's.
    static_assert(&rto_estimator::config() == &tcpfsm::rto_config_rfc6298);
    static_assert(!tcpfsm::is_valid(rto_config{1000, 2000, 60000, 1}));  // min above initial
    static_assert(!tcpfsm::is_valid(rto_config{90000, 1000, 60000, 1}));  // initial above max
    // SRTT and RTTVAR (4 each), the backoff count (2), what the RTO starts from (1); the RTO
    // itself is computed (docs/engine.md, "TCB size"): 11, aligned to 12.
    CHECK(sizeof(rto_estimator) == 12);
    CHECK(sizeof(rtt_sampler) <= 12);
}

TEST_CASE("the backed-off RTO is min(RTO * 2^n, max) for any number n of expiries (§5.5)", "[rto]") {
    rto_estimator e;  // 1 s initial, 60 s max
    const std::uint32_t expected[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (std::uint32_t n = 0; n < 8; ++n) {
        CHECK(e.rto_ms() == expected[n]);
        e.on_timeout();
    }
    for (int n = 8; n < 70; ++n) e.on_timeout();  // past any shift of 32 bits
    CHECK(e.backoffs() == 70);
    CHECK(e.rto_ms() == 60000);
    // A sample collapses it (§5 note): SRTT 100, RTTVAR 50, RTO max(100 + 200, 1000) = 1 s.
    e.on_rtt_sample(100);
    CHECK(e.backoffs() == 0);
    CHECK(e.rto_ms() == 1000);
}

TEST_CASE("rto is the initial 1 s before any sample (§2.1)", "[rto]") {
    static_assert(rto_estimator{}.rto_ms() == 1000);
    static_assert(!rto_estimator{}.has_sample());
    const rto_estimator e;
    CHECK(e.rto_ms() == 1000);
    CHECK(e.srtt_ms() == 0);
    CHECK(e.rttvar_ms() == 0);
    CHECK(e.backoffs() == 0);
    CHECK(linux_rto_estimator{}.rto_ms() == 1000);
}

namespace {
constexpr rto_estimator after_first_sample(std::uint32_t r_ms) {
    rto_estimator e;
    e.on_rtt_sample(r_ms);
    return e;
}
constexpr linux_rto_estimator linux_after_first_sample(std::uint32_t r_ms) {
    linux_rto_estimator e;
    e.on_rtt_sample(r_ms);
    return e;
}
}  // namespace

TEST_CASE("the first sample sets SRTT = R, RTTVAR = R/2 (§2.2), then the minimum applies (§2.4)", "[rto]") {
    // R = 100: SRTT 100, RTTVAR 50, RTO = 100 + max(G = 1, 4 * 50) = 300.
    static_assert(after_first_sample(100).srtt_ms() == 100);
    static_assert(after_first_sample(100).rttvar_ms() == 50);
    // RFC preset: 300 < 1000, raised to 1 s. Linux preset: 300 >= 200, kept.
    static_assert(after_first_sample(100).rto_ms() == 1000);
    static_assert(linux_after_first_sample(100).rto_ms() == 300);
    // R = 500: 500 + 4 * 250 = 1500, above the RFC minimum.
    static_assert(after_first_sample(500).rto_ms() == 1500);
    // R = 40000: 40000 + 80000 = 120000: capped at 60 s (RFC) and exactly Linux's 120 s.
    static_assert(after_first_sample(40000).rto_ms() == 60000);
    static_assert(linux_after_first_sample(40000).rto_ms() == 120000);

    const auto e = after_first_sample(100);
    CHECK(e.has_sample());
    CHECK(e.srtt_fixed() == 100u * 256);
    CHECK(e.rttvar_fixed() == 50u * 256);
}

TEST_CASE("later samples follow §2.3 within 1 ms of the exact values", "[rto]") {
    // Worked by hand (RTTVAR first, with the old SRTT; RTO = SRTT + 4 * RTTVAR):
    //  R    RTTVAR                                   SRTT                                   RTO
    //  100  50                                       100                                    300
    //  120  3/4*50 + 1/4*20        = 42.5            7/8*100 + 120/8      = 102.5           272.5
    //  80   3/4*42.5 + 1/4*22.5    = 37.5            7/8*102.5 + 80/8     = 99.6875         249.6875
    //  300  3/4*37.5 + 1/4*200.3125 = 78.203125      7/8*99.6875 + 300/8  = 124.7265625     437.5390625
    //  90   3/4*78.203125 + 1/4*34.7265625           7/8*124.7265625 + 90/8                 389.7216796875
    //         = 67.333984375                           = 120.3857421875
    struct step {
        std::uint32_t r;
        long double rttvar, srtt, rto;
    };
    constexpr step steps[] = {
        {100, 50.0L, 100.0L, 300.0L},
        {120, 42.5L, 102.5L, 272.5L},
        {80, 37.5L, 99.6875L, 249.6875L},
        {300, 78.203125L, 124.7265625L, 437.5390625L},
        {90, 67.333984375L, 120.3857421875L, 389.7216796875L},
    };

    exact_rfc6298 exact(1);
    basic_rto_estimator<unclamped> e;
    linux_rto_estimator linux_e;  // min 200: none of these RTOs is clamped
    rto_estimator rfc_e;          // min 1000: all of them are
    for (const auto& s : steps) {
        exact.sample(s.r);
        // The reference agrees with the hand computation, exactly.
        REQUIRE(exact.rttvar == s.rttvar);
        REQUIRE(exact.srtt == s.srtt);
        REQUIRE(exact.rto() == s.rto);

        e.on_rtt_sample(s.r);
        linux_e.on_rtt_sample(s.r);
        rfc_e.on_rtt_sample(s.r);
        INFO("R = " << s.r);
        CHECK(std::fabs(e.srtt_ms() - s.srtt) <= 1);
        CHECK(std::fabs(e.rttvar_ms() - s.rttvar) <= 1);
        CHECK(std::fabs(e.rto_ms() - s.rto) <= 1);
        CHECK(std::fabs(linux_e.rto_ms() - s.rto) <= 1);
        CHECK(rfc_e.rto_ms() == 1000);
    }
    // Here the fixed point is exact through R = 80 (multiples of 1/256 ms), so the RTO is
    // the exact value rounded to the nearest ms, halves up: 300, 273, 250.
    basic_rto_estimator<unclamped> f;
    f.on_rtt_sample(100);
    f.on_rtt_sample(120);
    CHECK(f.rto_ms() == 273);
    f.on_rtt_sample(80);
    CHECK(f.srtt_fixed() == 25520);  // 99.6875 * 256
    CHECK(f.rttvar_fixed() == 9600);  // 37.5 * 256
    CHECK(f.rto_ms() == 250);
}

TEST_CASE("long random runs stay within the documented error of the exact formulas", "[rto]") {
    std::mt19937 rng(6298);
    for (int run = 0; run < 20; ++run) {
        exact_rfc6298 exact(1);
        basic_rto_estimator<unclamped> e;
        long double worst_srtt = 0, worst_rttvar = 0, worst_rto = 0;
        for (int i = 0; i < 5000; ++i) {
            // Mostly jitter around a base, sometimes a spike, sometimes near zero.
            const auto pick = static_cast<std::uint32_t>(rng() % 100);
            const std::uint32_t base = 1 + static_cast<std::uint32_t>(run) * 37;
            const std::uint32_t r = pick < 5    ? static_cast<std::uint32_t>(rng() % 2000000)
                                    : pick < 10 ? static_cast<std::uint32_t>(rng() % 3)
                                                : base + static_cast<std::uint32_t>(rng() % (base + 1));
            exact.sample(r);
            e.on_rtt_sample(r);
            // Fixed-point state against the exact values: within 4/256 and 6/256 ms.
            worst_srtt = std::fmax(worst_srtt, std::fabs(e.srtt_fixed() / 256.0L - exact.srtt));
            worst_rttvar = std::fmax(worst_rttvar, std::fabs(e.rttvar_fixed() / 256.0L - exact.rttvar));
            worst_rto = std::fmax(worst_rto, std::fabs(e.rto_ms() - exact.rto()));
            REQUIRE(std::fabs(e.srtt_ms() - exact.srtt) <= 1);
            REQUIRE(std::fabs(e.rttvar_ms() - exact.rttvar) <= 1);
            REQUIRE(std::fabs(e.rto_ms() - exact.rto()) <= 1);
        }
        CHECK(worst_srtt <= 4.0L / 256 + 1e-9L);
        CHECK(worst_rttvar <= 6.0L / 256 + 1e-9L);
        CHECK(worst_rto <= 0.5L + 28.0L / 256 + 1e-9L);
    }

    // And through both clamps with the RFC preset.
    exact_rfc6298 exact(1);
    rto_estimator e;
    for (int i = 0; i < 20000; ++i) {
        const auto r = static_cast<std::uint32_t>(rng() % (i % 2 ? 40000 : 600));
        exact.sample(r);
        e.on_rtt_sample(r);
        REQUIRE(std::fabs(e.rto_ms() - clamp(exact.rto(), 1000, 60000)) <= 1);
    }
}

TEST_CASE("a clock granularity G above K*RTTVAR sets the margin (§2.3)", "[rto]") {
    // 60 samples of 100 ms: RTTVAR = 50 * (3/4)^59 < 1e-6 ms, so K*RTTVAR is far below G.
    // With G = 10: RTO = 100 + 10 = 110. With G = 1: RTO = 100 + 1 = 101.
    basic_rto_estimator<coarse_clock> coarse;
    basic_rto_estimator<unclamped> fine;
    for (int i = 0; i < 60; ++i) {
        coarse.on_rtt_sample(100);
        fine.on_rtt_sample(100);
    }
    CHECK(coarse.srtt_ms() == 100);
    CHECK(coarse.rttvar_ms() == 0);
    CHECK(coarse.rto_ms() == 110);
    CHECK(fine.rto_ms() == 101);
    // The first sample: 4 * RTTVAR = 2 * R. R = 4 gives 8 < G = 10: RTO = 4 + 10 = 14.
    basic_rto_estimator<coarse_clock> first;
    first.on_rtt_sample(4);
    CHECK(first.rto_ms() == 14);
    // A zero sample (loopback with a 1 ms clock): RTO = 0 + max(G, 0) = G.
    basic_rto_estimator<unclamped> zero;
    zero.on_rtt_sample(0);
    CHECK(zero.rto_ms() == 1);
}

TEST_CASE("a timeout doubles the RTO up to the maximum (§5.5)", "[rto]") {
    // RFC preset from the initial 1 s: 1, 2, 4, 8, 16, 32, then 64 capped at 60 s.
    {
        rto_estimator e;
        const std::uint32_t expected[] = {2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
        std::uint16_t n = 0;
        for (const auto want : expected) {
            e.on_timeout();
            ++n;
            CHECK(e.rto_ms() == want);
            CHECK(e.backoffs() == n);
        }
    }
    // Linux preset: 1, 2, ..., 64, then 128 capped at 120 s.
    {
        linux_rto_estimator e;
        const std::uint32_t expected[] = {2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000};
        for (const auto want : expected) {
            e.on_timeout();
            CHECK(e.rto_ms() == want);
        }
    }
    // Doubling starts from the computed RTO: R = 500 gives 1500, then 3000, 6000.
    rto_estimator e;
    e.on_rtt_sample(500);
    e.on_timeout();
    CHECK(e.rto_ms() == 3000);
    e.on_timeout();
    CHECK(e.rto_ms() == 6000);
    // The count saturates instead of wrapping.
    for (int i = 0; i < 70000; ++i) e.on_timeout();
    CHECK(e.backoffs() == 65535);
    CHECK(e.rto_ms() == 60000);
}

TEST_CASE("a new sample after backoff recomputes the RTO from SRTT and RTTVAR", "[rto]") {
    linux_rto_estimator e;
    e.on_rtt_sample(100);  // RTO 300
    e.on_timeout();
    e.on_timeout();
    e.on_timeout();
    CHECK(e.rto_ms() == 2400);
    CHECK(e.backoffs() == 3);
    // R' = 100: RTTVAR = 3/4 * 50 + 0 = 37.5, SRTT = 100, RTO = 100 + 150 = 250.
    e.on_rtt_sample(100);
    CHECK(e.backoffs() == 0);
    CHECK(e.rto_ms() == 250);
}

TEST_CASE("§5.7: after a SYN timeout the RTO is 3 s once data transmission begins", "[rto]") {
    rto_estimator e;
    e.on_timeout();  // our SYN timed out: 2 s
    e.on_handshake_complete();
    CHECK(e.rto_ms() == 3000);
    CHECK(e.backoffs() == 0);
    // No SYN timeout: nothing changes.
    rto_estimator quiet;
    quiet.on_handshake_complete();
    CHECK(quiet.rto_ms() == 1000);
    // With a sample the estimator already has a measured RTO: nothing changes.
    linux_rto_estimator sampled;
    sampled.on_rtt_sample(100);
    sampled.on_handshake_complete();
    CHECK(sampled.rto_ms() == 300);
}

TEST_CASE("clear_samples makes the next sample a first sample again (§5)", "[rto]") {
    linux_rto_estimator e;
    e.on_rtt_sample(100);
    e.on_rtt_sample(900);
    e.on_timeout();
    const auto backed_off = e.rto_ms();
    e.clear_samples();
    CHECK(!e.has_sample());
    CHECK(e.rto_ms() == backed_off);
    // §2.2 again: SRTT = 400, RTTVAR = 200, RTO = 400 + 800 = 1200.
    e.on_rtt_sample(400);
    CHECK(e.srtt_ms() == 400);
    CHECK(e.rttvar_ms() == 200);
    CHECK(e.rto_ms() == 1200);
}

TEST_CASE("a configuration object can be tuned at run time", "[rto]") {
    basic_rto_estimator<tunable> e;
    e.on_rtt_sample(100);
    CHECK(e.rto_ms() == 1000);
    tunable.min_ms = 200;
    e.on_rtt_sample(100);  // RTTVAR 37.5, SRTT 100: 100 + 150 = 250
    CHECK(e.rto_ms() == 250);
    tunable.min_ms = 1000;
}

TEST_CASE("total_backoff_ms sums the doubling waits up to the cap", "[rto]") {
    // Linux's SYN-ACK: 5 retries, first RTO 1 s. The 5th retransmission goes at
    // 1+2+4+8+16 = 31 s, the sender gives up when the 6th wait ends: 1+2+4+8+16+32 = 63 s.
    static_assert(total_backoff_ms(1000, 5, 120000) == 31000);
    static_assert(total_backoff_ms(1000, 6, 120000) == 63000);
    // Linux's tcp_retries2 = 15 from 200 ms: 0.2+0.4+...+102.4 (10 waits) = 204.6 s, then
    // 6 waits of 120 s: 924.6 s.
    static_assert(total_backoff_ms(200, 16, 120000) == 204600 + 6 * 120000);
    // The RFC cap: 1+2+4+8+16+32 = 63, then 60 s waits.
    static_assert(total_backoff_ms(1000, 7, 60000) == 63000 + 60000);
    static_assert(total_backoff_ms(1000, 8, 60000) == 1000 + 2000 + 4000 + 8000 + 16000 + 32000 + 60000 + 60000);
    static_assert(total_backoff_ms(1000, 0, 60000) == 0);
    static_assert(total_backoff_ms(1000, 1, 60000) == 1000);
    // A first RTO above the cap starts at the cap.
    static_assert(total_backoff_ms(90000, 2, 60000) == 120000);
    // Saturation instead of wrapping: 4 billion waits of 60 s.
    static_assert(total_backoff_ms(1000, 4000000000u, 60000) == 0xFFFFFFFFu);
    static_assert(total_backoff_ms(0, 10, 60000) == 0);
    CHECK(total_backoff_ms(1000, 6, 120000) == 63000);
}

TEST_CASE("rtt_sampler: an ACK covering the timed sequence number yields a sample", "[rto][karn]") {
    rtt_sampler s;
    CHECK(!s.timing());
    CHECK(!s.on_ack(5000, 10));
    s.start(1000, 20);
    CHECK(s.timing());
    // SEG.ACK = 1000 does not acknowledge octet 1000; an older ACK neither.
    CHECK(!s.on_ack(1000, 30));
    CHECK(!s.on_ack(900, 30));
    CHECK(s.timing());
    const auto sample = s.on_ack(1001, 145);
    REQUIRE(sample);
    CHECK(sample.rtt_ms == 125);
    CHECK(!s.timing());
    // Only once.
    CHECK(!s.on_ack(2000, 200));
}

TEST_CASE("rtt_sampler: Karn's rule, no sample from a retransmitted segment (§3)", "[rto][karn]") {
    rtt_sampler s;
    s.start(1000, 0);
    s.on_retransmit();
    CHECK(!s.timing());
    CHECK(!s.on_ack(1500, 3000));

    // The precise form: retransmitting [2000, 2100) leaves a timing of 1000 alone,
    // retransmitting [900, 1100) stops it.
    s.start(1000, 0);
    s.on_retransmit(2000, 100);
    CHECK(s.timing());
    s.on_retransmit(900, 100);  // [900, 1000): 1000 is not in it
    CHECK(s.timing());
    s.on_retransmit(900, 101);  // [900, 1001)
    CHECK(!s.timing());
    CHECK(!s.on_ack(1500, 3000));

    // A retransmitted SYN (one sequence number) stops the timing of the SYN.
    s.start(0xFFFFFFFFu, 0);
    s.on_retransmit(0xFFFFFFFFu, 1);
    CHECK(!s.timing());
    CHECK(!s.on_ack(0, 1000));

    // Feeding the estimator: the retransmitted segment gives nothing, the next timed one does.
    linux_rto_estimator e;
    s.start(1, 0);
    e.on_timeout();
    s.on_retransmit();
    if (const auto x = s.on_ack(2, 2100)) e.on_rtt_sample(x.rtt_ms);
    CHECK(!e.has_sample());
    CHECK(e.rto_ms() == 2000);
    s.start(2, 2100);
    if (const auto x = s.on_ack(3, 2200)) e.on_rtt_sample(x.rtt_ms);
    CHECK(e.has_sample());
    CHECK(e.srtt_ms() == 100);
    CHECK(e.rto_ms() == 300);
}

TEST_CASE("rtt_sampler: sequence numbers and ticks wrap modulo 2^32", "[rto][karn]") {
    rtt_sampler s;
    // S = 0xFFFFFFF0 sent at tick 0xFFFFFF00; ACK 0x10 at tick 0x64 covers it.
    s.start(0xFFFFFFF0u, 0xFFFFFF00u);
    CHECK(!s.on_ack(0xFFFFFFF0u, 0x10));  // acknowledges up to, not including, S
    CHECK(!s.on_ack(0xFFFFFF00u, 0x20));  // older
    const auto sample = s.on_ack(0x10u, 0x64u);
    REQUIRE(sample);
    CHECK(sample.rtt_ms == 0x100u + 0x64u);  // 256 ms to the wrap, then 100 ms: 356
    // Precise Karn across the wrap: [0xFFFFFFE0, 0xFFFFFFE0 + 0x20 = 0) holds 0xFFFFFFF0.
    s.start(0xFFFFFFF0u, 0);
    s.on_retransmit(0xFFFFFFE0u, 0x20);
    CHECK(!s.timing());
}

namespace {
// The whole dance in a constant expression.
constexpr std::uint32_t constexpr_walk() {
    rtt_sampler s;
    linux_rto_estimator e;
    s.start(0xFFFFFFF0u, 1000);
    const auto x = s.on_ack(0x10u, 1100);
    if (x) e.on_rtt_sample(x.rtt_ms);
    return e.rto_ms();
}
}  // namespace

TEST_CASE("rto and rtt_sampler work in constant expressions", "[rto]") {
    static_assert(constexpr_walk() == 300);  // R = 100: 100 + 4 * 50
    CHECK(constexpr_walk() == 300);
}

// RFC 7323 §4.2: with n samples per round trip (timestamps), alpha' = 1/(8n), beta' = 1/(4n).
// n = 1 is §2.3 exactly; n = 4 against the rationals computed here.
TEST_CASE("rto: RFC 7323 §4.2's gains for n expected samples", "[rto][timestamps]") {
    basic_rto_estimator<unclamped> one, plain, four;
    for (basic_rto_estimator<unclamped>* e : {&one, &plain, &four}) e->on_rtt_sample(100);  // SRTT 100, RTTVAR 50
    one.on_rtt_sample(200, 1);
    plain.on_rtt_sample(200);
    CHECK(one.srtt_fixed() == plain.srtt_fixed());
    CHECK(one.rttvar_fixed() == plain.rttvar_fixed());
    // n = 4: RTTVAR = (15 * 50 + |100 - 200|) / 16 = 53.125, SRTT = (31 * 100 + 200) / 32 = 103.125;
    // both exact in 1/256 ms: 13600 and 26400.
    four.on_rtt_sample(200, 4);
    CHECK(four.rttvar_fixed() == 13600u);
    CHECK(four.srtt_fixed() == 26400u);
    // RTO = 103.125 + 4 * 53.125 = 315.625, to the nearest ms: 316.
    CHECK(four.rto_ms() == 316u);
    // n = 0 is taken as 1.
    basic_rto_estimator<unclamped> zero;
    zero.on_rtt_sample(100);
    zero.on_rtt_sample(200, 0);
    CHECK(zero.srtt_fixed() == plain.srtt_fixed());
}
