// Invariants of every policy over long pseudo-random event sequences (a fixed-seed
// xorshift, so each run is the same): cwnd within [1 SMSS, 2^30]; an ACK never lowers cwnd
// and an ACK that was not cwnd-limited never raises it; slow start grows by at most
// min(N, L*SMSS) per ACK; ssthresh from on_loss within [2*SMSS, 2^30] and equal to
// ssthresh(); a timeout leaves cwnd = 1 SMSS. Under the sanitizers this also runs the
// arithmetic at the edges (huge ACKs, long idle periods, time jumps).
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
#include <tcpfsm/congestion/newreno.hpp>

#include <catch2/catch.hpp>
#include <cstdint>

#include "support.hpp"

namespace cc = tcpfsm::congestion;

namespace {
struct xorshift64 {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
};

template <class Policy>
void run_invariants(std::uint64_t seed, std::uint32_t l_segments) {
    xorshift64 rng{seed};
    const std::uint32_t smss = 536 + rng.below(8464);  // 536 .. 8999
    Policy p;
    p.init(smss, cc::rfc6928_initial_window(smss), 0);
    std::uint64_t now = 1000000;
    std::uint32_t una = rng.below(0xFFFFFFFFu), nxt = una;
    bool in_recovery = false;
    for (int step = 0; step < 20000; ++step) {
        INFO("seed " << seed << ", step " << step << ", smss " << smss);
        now += rng.below(4) == 0 ? rng.below(5000000) : rng.below(20000);
        const std::uint32_t event = rng.below(100);
        const std::uint32_t cwnd = p.cwnd();
        REQUIRE(cwnd >= smss);
        REQUIRE(cwnd <= cc::cwnd_cap);
        if (in_recovery) {
            p.on_recovery_exit(rng.below(3) == 0 ? rng.below(4 * cwnd + 1) : p.ssthresh(), now);
            in_recovery = false;
        } else if (event < 85) {
            cc::ack_sample a{};
            const std::uint32_t kind = rng.below(20);
            a.acked_octets = kind == 0 ? rng.below(0xFFFFFFFFu) : kind < 4 ? rng.below(smss) + 1 : smss * (1 + rng.below(3));
            a.smss = smss;
            una += a.acked_octets;
            nxt = una + cwnd;
            a.snd_una = una;
            a.snd_nxt = nxt;
            a.in_flight = cwnd;
            a.rtt_us = rng.below(3) == 0 ? 0 : 10000 + rng.below(200000);
            a.srtt_us = a.rtt_us;
            a.cwnd_limited = rng.below(5) != 0;
            a.now_us = now;
            const bool slow_start = cwnd < p.ssthresh();
            p.on_ack(a);
            REQUIRE(p.cwnd() >= cwnd);
            if (!a.cwnd_limited) REQUIRE(p.cwnd() == cwnd);
            if (slow_start && l_segments != 0 && p.cwnd() <= p.ssthresh()) {
                REQUIRE(p.cwnd() - cwnd <= l_segments * smss);
            }
        } else if (event < 92) {
            const std::uint32_t flight = rng.below(2) == 0 ? cwnd : rng.below(0xFFFFFFFFu);
            const std::uint32_t ssthresh = p.on_loss(flight, now);
            REQUIRE(ssthresh == p.ssthresh());
            REQUIRE(ssthresh >= 2 * smss);
            REQUIRE(ssthresh <= cc::cwnd_cap);
            in_recovery = true;
        } else if (event < 96) {
            p.on_timeout(rng.below(2) == 0 ? cwnd : rng.below(0xFFFFFFFFu), rng.below(3) == 0, now);
            REQUIRE(p.cwnd() == smss);
            REQUIRE(p.ssthresh() >= 2 * smss);
        } else if (event < 98) {
            const std::uint64_t idle = rng.below(2) == 0 ? rng.below(100000000) : rng.below(2000000);
            now += idle;
            p.on_restart_after_idle(idle, 200000 + rng.below(2000000), now);
            REQUIRE(p.cwnd() <= cwnd);
        } else {
            p.on_spurious_undo(now);
        }
    }
}
}  // namespace

TEST_CASE("congestion: invariants of NewReno over pseudo-random events", "[congestion][properties]") {
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        run_invariants<cc::newreno<>>(seed * 0x9E3779B97F4A7C15ull, 2);
        run_invariants<cc::newreno<cc::hystart_pp<>>>(seed * 0xD1B54A32D192ED03ull, 8);
    }
}

TEST_CASE("congestion: invariants of CUBIC over pseudo-random events", "[congestion][properties]") {
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        run_invariants<cc::cubic<>>(seed * 0x9E3779B97F4A7C15ull, 8);
        run_invariants<cc::cubic<cc::abc_slow_start<>>>(seed * 0xD1B54A32D192ED03ull, 2);
    }
}
