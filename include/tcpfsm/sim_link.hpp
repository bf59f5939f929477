// tcpfsm: the simulator's model of one direction of a link, on a microsecond time axis: a
// bottleneck of a given rate (bits/s) behind a drop-tail queue limited in packets and/or
// octets, random (Bernoulli) loss, Gilbert-Elliott burst loss, propagation delay, jitter,
// duplication and reordering. Every random choice is drawn from a caller's sim::rng
// (xoshiro256**, no std:: distributions), so a seed gives the same run with every standard
// library. Part of the optional simulator (simulator.hpp); the goodput benchmark
// (bench/goodput) carries packets through the same class.
//
// A packet offered at time t goes through, in this order:
//   1. random loss (probability `loss`);
//   2. the Gilbert-Elliott chain, stepped once per packet (good -> bad with probability p,
//      bad -> good with probability r), then lost with the loss probability of its state;
//   3. the drop-tail queue: dropped if it would hold more than `queue_packets` packets or
//      `queue_octets` octets (a packet counts until its last bit has left); otherwise it
//      leaves when the packets before it have left and its own octets * 8 / rate have
//      passed (serialization);
//   4. delay + uniform 0..jitter, plus, with probability `reorder`, uniform 1..reorder_us.
// With rate 0 there is no queue: the packet "leaves" when offered.
//
//     tcpfsm::sim::rng random(7);
//     tcpfsm::sim::link_model bottleneck({/*delay_us*/ 10000, 0, 0.0, {}, /*rate_bps*/ 100000000,
//                                         0, tcpfsm::sim::bdp_octets(100000000, 20000)});
//     const auto a = bottleneck.admit(1500, now_us, random);
//     if (a.drop == tcpfsm::sim::link_drop::none) deliver_at(bottleneck.arrival(a.departs_us, random));
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIM_LINK_HPP
#define TCPFSM_SIM_LINK_HPP

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace tcpfsm {
namespace sim {

// ------------------------------------------------------------------------------------------
// Random numbers
// ------------------------------------------------------------------------------------------

// splitmix64 (Steele, Lea, Flood): expands a seed into generator state.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// xoshiro256** (Blackman, Vigna), seeded through splitmix64. Every draw below is plain
// integer arithmetic, so a seed gives the same numbers on every platform.
class rng {
public:
    explicit rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

    void reseed(std::uint64_t seed) noexcept {
        std::uint64_t s = seed;
        for (std::uint64_t& word : s_) word = splitmix64(s);
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5u, 7) * 9u;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, bound); 0 when bound is 0 (multiply-shift on the high 32 bits).
    std::uint32_t below(std::uint32_t bound) noexcept {
        return static_cast<std::uint32_t>(((next() >> 32) * std::uint64_t{bound}) >> 32);
    }

    // Uniform in [lo, hi] (lo when hi =< lo).
    std::int64_t between(std::int64_t lo, std::int64_t hi) noexcept {
        if (hi <= lo) return lo;
        const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1u;
        const std::uint64_t r = span <= 0xFFFFFFFFull ? below(static_cast<std::uint32_t>(span)) : next() % span;
        return lo + static_cast<std::int64_t>(r);
    }

    // True with probability p (no draw when p =< 0 or p >= 1).
    bool chance(double p) noexcept {
        if (p <= 0.0) return false;
        if (p >= 1.0) return true;
        return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0) < p;
    }

    // `count` random octets.
    std::vector<std::uint8_t> bytes(std::size_t count) {
        std::vector<std::uint8_t> out(count);
        for (std::size_t i = 0; i < count; ++i) out[i] = static_cast<std::uint8_t>(next() >> 56);
        return out;
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4] = {};
};

// ------------------------------------------------------------------------------------------
// The link model
// ------------------------------------------------------------------------------------------

// Time on the link: microseconds (the simulator's manual_time resolution).
using link_time = std::int64_t;

// The bandwidth-delay product in octets: rate_bps * rtt_us / 8 / 10^6 (rounded down).
constexpr std::uint64_t bdp_octets(std::uint64_t rate_bps, std::uint64_t rtt_us) noexcept {
    return rate_bps / 8u * rtt_us / 1000000u + (rate_bps % 8u) * rtt_us / 8000000u;
}

// The time `octets` take to cross a link of `rate_bps`, in nanoseconds (rounded up).
constexpr std::int64_t serialization_ns(std::size_t octets, std::uint64_t rate_bps) noexcept {
    if (rate_bps == 0) return 0;
    const std::uint64_t bits = std::uint64_t{octets} * 8u;
    return static_cast<std::int64_t>((bits * 1000000000u + rate_bps - 1u) / rate_bps);
}

// Gilbert-Elliott burst loss (Gilbert 1960, Elliott 1963): a two-state Markov chain stepped
// once per packet. Off while p and r are both 0.
struct gilbert_elliott {
    double p = 0.0;          // P(good -> bad) per packet
    double r = 0.0;          // P(bad -> good) per packet
    double loss_good = 0.0;  // loss probability in the good state
    double loss_bad = 1.0;   // loss probability in the bad state

    constexpr bool enabled() const noexcept { return p > 0.0 || r > 0.0; }
    // The chain's stationary probability of the bad state: p / (p + r).
    constexpr double stationary_bad() const noexcept { return p + r > 0.0 ? p / (p + r) : 0.0; }
    // The long-run loss rate: (r * loss_good + p * loss_bad) / (p + r).
    constexpr double mean_loss() const noexcept {
        return p + r > 0.0 ? (r * loss_good + p * loss_bad) / (p + r) : loss_good;
    }
    // Mean packets per stay in the bad state (geometric): 1 / r.
    constexpr double mean_bad_run() const noexcept { return r > 0.0 ? 1.0 / r : 0.0; }
};

// One direction. Zero means "none" everywhere.
struct link_model_config {
    link_time delay_us = 0;     // propagation delay
    link_time jitter_us = 0;    // plus uniform 0..jitter_us (reorders packets too)
    double loss = 0.0;          // independent random loss per packet
    gilbert_elliott burst{};    // burst loss
    std::uint64_t rate_bps = 0; // bottleneck rate in bits/s of whole packets; 0: no queue
    std::size_t queue_packets = 0;  // drop-tail limit in packets (0: none)
    std::size_t queue_octets = 0;   // drop-tail limit in octets (0: none)
    double duplicate = 0.0;     // probability of a second copy (after the queue: one slot)
    double reorder = 0.0;       // probability a copy is held back by an extra delay
    link_time reorder_us = 0;   //   of uniform 1..reorder_us
};

// Why a packet did not get through.
enum class link_drop : std::uint8_t {
    none,         // admitted
    random_loss,  // step 1
    burst_loss,   // step 2
    queue_full,   // step 3: drop-tail
};

inline constexpr std::size_t link_drop_count = 4;

constexpr const char* name(link_drop d) noexcept {
    constexpr const char* names[link_drop_count] = {"none", "random_loss", "burst_loss", "queue_full"};
    return static_cast<std::size_t>(d) < link_drop_count ? names[static_cast<std::size_t>(d)] : "invalid";
}

struct link_admission {
    link_drop drop = link_drop::none;
    link_time departs_us = 0;  // when its last bit leaves the bottleneck (rounded up)
};

struct link_counters {
    std::uint64_t offered = 0, admitted = 0, octets_admitted = 0;
    std::uint64_t random_losses = 0, burst_losses = 0, queue_drops = 0;
    std::uint64_t duplicated = 0, reordered = 0;
    std::size_t max_queue_packets = 0, max_queue_octets = 0;
};

class link_model {
public:
    explicit link_model(const link_model_config& config = link_model_config{}) noexcept : config_(config) {}

    const link_model_config& config() const noexcept { return config_; }
    const link_counters& counters() const noexcept { return counters_; }
    bool burst_state_bad() const noexcept { return bad_; }

    // A packet of `octets` reaches the link at `now_us` (steps 1 to 3 above).
    link_admission admit(std::size_t octets, link_time now_us, rng& random) {
        ++counters_.offered;
        if (random.chance(config_.loss)) {
            ++counters_.random_losses;
            return {link_drop::random_loss, now_us};
        }
        if (config_.burst.enabled()) {
            if (random.chance(bad_ ? config_.burst.r : config_.burst.p)) bad_ = !bad_;
            if (random.chance(bad_ ? config_.burst.loss_bad : config_.burst.loss_good)) {
                ++counters_.burst_losses;
                return {link_drop::burst_loss, now_us};
            }
        }
        link_time departs = now_us;
        if (config_.rate_bps > 0) {
            const std::int64_t now_ns = now_us * 1000;
            drain(now_ns);
            const bool full_packets = config_.queue_packets > 0 && queue_.size() + 1 > config_.queue_packets;
            const bool full_octets = config_.queue_octets > 0 && queued_octets_ + octets > config_.queue_octets;
            if (full_packets || full_octets) {
                ++counters_.queue_drops;
                return {link_drop::queue_full, now_us};
            }
            const std::int64_t start = last_departure_ns_ > now_ns ? last_departure_ns_ : now_ns;
            last_departure_ns_ = start + serialization_ns(octets, config_.rate_bps);
            queue_.emplace_back(last_departure_ns_, octets);
            queued_octets_ += octets;
            if (queue_.size() > counters_.max_queue_packets) counters_.max_queue_packets = queue_.size();
            if (queued_octets_ > counters_.max_queue_octets) counters_.max_queue_octets = queued_octets_;
            departs = (last_departure_ns_ + 999) / 1000;
        }
        ++counters_.admitted;
        counters_.octets_admitted += octets;
        return {link_drop::none, departs};
    }

    // Whether the network delivers a second copy of an admitted packet.
    bool duplicates(rng& random) {
        const bool twice = random.chance(config_.duplicate);
        if (twice) ++counters_.duplicated;
        return twice;
    }

    // When a copy that left the bottleneck at `departs_us` arrives (step 4).
    link_time arrival(link_time departs_us, rng& random) {
        link_time at = departs_us + config_.delay_us + random.between(0, config_.jitter_us);
        if (config_.reorder_us > 0 && random.chance(config_.reorder)) {
            at += random.between(1, config_.reorder_us);
            ++counters_.reordered;
        }
        return at;
    }

    // What the queue holds at `now_us` (packets and octets not yet fully sent).
    std::size_t queued_packets(link_time now_us) {
        drain(now_us * 1000);
        return queue_.size();
    }
    std::size_t queued_octets(link_time now_us) {
        drain(now_us * 1000);
        return queued_octets_;
    }

private:
    void drain(std::int64_t now_ns) {
        while (!queue_.empty() && queue_.front().first <= now_ns) {
            queued_octets_ -= queue_.front().second;
            queue_.pop_front();
        }
    }

    link_model_config config_;
    link_counters counters_{};
    bool bad_ = false;
    std::int64_t last_departure_ns_ = 0;
    std::deque<std::pair<std::int64_t, std::size_t>> queue_;  // departure (ns), octets
    std::size_t queued_octets_ = 0;
};

}  // namespace sim
}  // namespace tcpfsm

#endif  // TCPFSM_SIM_LINK_HPP
