// tcpfsm: the retransmission timer of RFC 6298 (RTT estimator, clamping, backoff, Karn's rule).
// Time is integer milliseconds in std::uint32_t (the engine's 32-bit ticks wrap after 49.7 days).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_RTO_HPP
#define TCPFSM_RTO_HPP

#include <cstdint>

#include "seq.hpp"

namespace tcpfsm {

// The constants of RFC 6298 that an implementation may choose, all in milliseconds. A
// default-constructed one holds RFC 6298's values (rto_config_rfc6298 below).
struct rto_config {
    std::uint32_t initial_ms = 1000;     // RTO before any RTT sample (§2.1)
    std::uint32_t min_ms = 1000;         // computed RTOs below this are raised to it (§2.4)
    std::uint32_t max_ms = 60000;        // computed and backed-off RTOs are capped here (§2.5, §5.5)
    std::uint32_t granularity_ms = 1;    // G, the clock granularity (§2, §4)
};

// The library default: RFC 6298's values; where the RFC says SHOULD, this obeys it.
inline constexpr rto_config rto_config_rfc6298{
    1000,   // §2.1: "the sender SHOULD set RTO <- 1 second" (RFC 6298 lowered 3 s to 1 s)
    1000,   // §2.4: "if it is less than 1 second, then the RTO SHOULD be rounded up to 1 second"
    60000,  // §2.5: "A maximum value MAY be placed on RTO provided it is at least 60 seconds"
    1,      // G: a 1 ms clock
};

// Linux's values (include/net/tcp.h): TCP_TIMEOUT_INIT 1 s, TCP_RTO_MIN 200 ms (below the
// RFC's SHOULD), TCP_RTO_MAX 120 s.
inline constexpr rto_config rto_config_linux{1000, 200, 120000, 1};

// §5.7: the RTO to use once data transmission begins if the SYN timed out.
inline constexpr std::uint32_t rto_after_syn_timeout_ms = 3000;

// A configuration this header can work with: min =< initial =< max, and a nonzero max.
constexpr bool is_valid(const rto_config& config) noexcept {
    return config.max_ms != 0 && config.min_ms <= config.initial_ms && config.initial_ms <= config.max_ms;
}
static_assert(is_valid(rto_config_rfc6298) && is_valid(rto_config_linux));

namespace detail {
// x / d rounded to nearest, halves up.
constexpr std::uint64_t rto_round_div(std::uint64_t x, std::uint64_t d) noexcept { return (x + d / 2) / d; }
constexpr std::uint64_t rto_max_u64(std::uint64_t a, std::uint64_t b) noexcept { return a < b ? b : a; }
constexpr std::uint64_t rto_absdiff(std::uint64_t a, std::uint64_t b) noexcept { return a < b ? b - a : a - b; }
// Raise below-min values to min (§2.4), then cap at max (§2.5); max wins if min > max.
constexpr std::uint32_t rto_clamp(std::uint64_t v, std::uint32_t min_ms, std::uint32_t max_ms) noexcept {
    if (v < min_ms) v = min_ms;
    return static_cast<std::uint32_t>(v > max_ms ? max_ms : v);
}
}  // namespace detail

// The time from the original transmission to the `timer_expiries`-th expiry of the
// retransmission timer, when the first wait is `first_rto_ms` and each expiry doubles the
// next wait (§5.5) up to `max_ms`: the sum of min(first_rto_ms * 2^i, max_ms), i = 0 .. n-1.
// The k-th retransmission is sent at the k-th expiry, so with R retransmissions allowed the
// last one goes out at total_backoff_ms(first, R, max) and the sender gives up when the wait
// after it ends, at total_backoff_ms(first, R + 1, max). Linux's SYN-ACK with 5 retries and
// a 1 s first RTO: retransmissions at 1, 3, 7, 15, 31 s, given up at 1+2+4+8+16+32 = 63 s.
// Saturates at 2^32 - 1.
constexpr std::uint32_t total_backoff_ms(std::uint32_t first_rto_ms, unsigned timer_expiries,
                                         std::uint32_t max_ms) noexcept {
    constexpr std::uint64_t saturated = 0xFFFFFFFFu;
    std::uint64_t total = 0;
    std::uint64_t wait = first_rto_ms < max_ms ? first_rto_ms : max_ms;
    unsigned expiry = 0;
    // Doubling phase: at most 33 rounds before the wait reaches max_ms (or is 0).
    for (; expiry < timer_expiries && wait < max_ms && wait != 0; ++expiry) {
        total += wait;
        wait = wait * 2 < max_ms ? wait * 2 : max_ms;
    }
    // The remaining waits are all equal to `wait`: no loop over a huge count.
    total += static_cast<std::uint64_t>(timer_expiries - expiry) * wait;
    return static_cast<std::uint32_t>(total < saturated ? total : saturated);
}

// The RTT estimator and retransmission timeout of RFC 6298 §2 and §5, with `Config` fixed
// per type. Config is a reference, so a program can also tune a non-const rto_config object
// of static storage duration at run time.
//
// SRTT and RTTVAR are kept in fixed point with `fraction_bits` fractional bits (1/256 ms).
// The first sample is exact; each later update rounds 7*SRTT/8 + R/8 and 3*RTTVAR/4 +
// |SRTT - R|/4 to the nearest 1/256 (halves up). An error of at most 1/2 unit per step
// decays by 7/8 (SRTT) and 3/4 (RTTVAR), so SRTT stays within 4/256 ms and RTTVAR within
// 6/256 ms of the exact rational values, and the RTO, rounded to the nearest millisecond,
// within 1/2 + 28/256 ms. Samples above max_sample_ms (about 4.66 hours) are taken as
// max_sample_ms so that the fixed-point values fit 32 bits.
template <const rto_config& Config>
class basic_rto_estimator {
public:
    static constexpr unsigned fraction_bits = 8;
    static constexpr std::uint32_t max_sample_ms = 0xFFFFFFFFu >> fraction_bits;
    static constexpr std::uint32_t k = 4;  // K of §2; alpha = 1/8 and beta = 1/4 are in the code

    static constexpr const rto_config& config() noexcept { return Config; }

    // §2.1: until a sample is taken, RTO = the initial value.
    constexpr basic_rto_estimator() noexcept = default;

    // A new measurement R of the round-trip time (§2.2, §2.3); it also ends any backoff
    // (§5 note: a new RTT measurement may "collapse" a backed-off RTO).
    constexpr void on_rtt_sample(std::uint32_t r_ms) noexcept { on_rtt_sample(r_ms, 1); }

    // The same with RFC 7323 §4.2's gains for `expected_samples` samples per round trip
    // (timestamps: a sample per ACK): alpha' = alpha / n, beta' = beta / n, i.e.
    //   RTTVAR <- ((4n - 1) * RTTVAR + |SRTT - R'|) / 4n,  SRTT <- ((8n - 1) * SRTT + R') / 8n,
    // each rounded to the nearest 2^-fraction_bits, halves up (n = 1: §2.3 as above; n is
    // taken as 1 when 0 and as 2^24 above it).
    constexpr void on_rtt_sample(std::uint32_t r_ms, std::uint32_t expected_samples) noexcept {
        const std::uint64_t r = static_cast<std::uint64_t>(r_ms < max_sample_ms ? r_ms : max_sample_ms)
                                << fraction_bits;
        const std::uint64_t n = expected_samples == 0           ? 1u
                                : expected_samples > (1u << 24) ? (1u << 24)
                                                                : expected_samples;
        if (!has_sample()) {
            // §2.2: SRTT <- R, RTTVAR <- R/2 (exact: R/2 has 7 spare fraction bits).
            srtt_ = static_cast<std::uint32_t>(r);
            rttvar_ = static_cast<std::uint32_t>(r / 2);
            base_ = rto_base::computed;
        } else {
            // §2.3, in this order: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|,
            // then SRTT <- (1 - alpha) * SRTT + alpha * R'. Both results lie between their
            // inputs, so they fit 32 bits.
            rttvar_ = static_cast<std::uint32_t>(
                detail::rto_round_div((4 * n - 1) * std::uint64_t{rttvar_} + detail::rto_absdiff(srtt_, r), 4 * n));
            srtt_ = static_cast<std::uint32_t>(detail::rto_round_div((8 * n - 1) * std::uint64_t{srtt_} + r, 8 * n));
        }
        backoffs_ = 0;
    }

    // §5.5: the retransmission timer expired: RTO <- RTO * 2, capped at the maximum of §2.5
    // (rto_ms() doubles its base once per backoff).
    constexpr void on_timeout() noexcept {
        if (backoffs_ != 0xFFFFu) ++backoffs_;
    }

    // §5.7: call when data transmission begins (the three-way handshake completed). If the
    // timer expired awaiting the ACK of our SYN while the RTO was below 3 s, and no RTT
    // sample has been taken since (Karn's rule forbids one from a retransmitted SYN), the
    // RTO "MUST be re-initialized to 3 seconds".
    constexpr void on_handshake_complete() noexcept {
        if (!has_sample() && backoffs_ != 0 && Config.initial_ms < rto_after_syn_timeout_ms) {
            backoffs_ = 0;
            base_ = rto_base::after_syn_timeout;
        }
    }

    // §5: "a TCP implementation MAY clear SRTT and RTTVAR after backing off the timer
    // multiple times"; the next sample then starts over with §2.2. The RTO is left as it is
    // (computed from the cleared values, which no accessor shows any more).
    constexpr void clear_samples() noexcept {
        if (base_ == rto_base::computed) base_ = rto_base::computed_cleared;
    }

    // The timeout to arm the retransmission timer with (§5.1, §5.6): the base (§2.1; §2.2 to
    // §2.5; §5.7's 3 s) doubled once per timer expiry since (§5.5), at most Config.max_ms.
    // Computed when asked, not kept (4 octets less; docs/engine.md, "TCB size").
    constexpr std::uint32_t rto_ms() const noexcept {
        const std::uint32_t base = base_rto_ms();
        if (backoffs_ == 0 || base == 0) return base;
        if (backoffs_ >= 32) return Config.max_ms;
        const std::uint64_t doubled = std::uint64_t{base} << backoffs_;
        return doubled < Config.max_ms ? static_cast<std::uint32_t>(doubled) : Config.max_ms;
    }
    // SRTT and RTTVAR rounded to the nearest millisecond; 0 before the first sample.
    constexpr std::uint32_t srtt_ms() const noexcept { return to_ms(srtt_fixed()); }
    constexpr std::uint32_t rttvar_ms() const noexcept { return to_ms(rttvar_fixed()); }
    // SRTT and RTTVAR in units of 2^-fraction_bits ms.
    constexpr std::uint32_t srtt_fixed() const noexcept { return has_sample() ? srtt_ : 0u; }
    constexpr std::uint32_t rttvar_fixed() const noexcept { return has_sample() ? rttvar_ : 0u; }
    constexpr bool has_sample() const noexcept { return base_ == rto_base::computed; }
    // Timer expiries since the last RTT sample (saturates at 65535).
    constexpr std::uint16_t backoffs() const noexcept { return backoffs_; }

private:
    // What the RTO is before the backoffs: Config.initial_ms (§2.1), §5.7's 3 s, or from SRTT
    // and RTTVAR (§2.2 to §2.5; also after clear_samples, which only hides them).
    enum class rto_base : std::uint8_t { initial, after_syn_timeout, computed, computed_cleared };

    constexpr std::uint32_t base_rto_ms() const noexcept {
        switch (base_) {
            case rto_base::after_syn_timeout:
                return detail::rto_clamp(rto_after_syn_timeout_ms, Config.min_ms, Config.max_ms);
            case rto_base::computed:
            case rto_base::computed_cleared:
                return computed_rto_ms();
            default:
                return Config.initial_ms;
        }
    }

    static constexpr std::uint32_t to_ms(std::uint32_t fixed) noexcept {
        return static_cast<std::uint32_t>(detail::rto_round_div(fixed, std::uint64_t{1} << fraction_bits));
    }

    // §2.2/§2.3: RTO <- SRTT + max(G, K * RTTVAR), then §2.4 and §2.5.
    constexpr std::uint32_t computed_rto_ms() const noexcept {
        const std::uint64_t g = std::uint64_t{Config.granularity_ms} << fraction_bits;
        const std::uint64_t rto = srtt_ + detail::rto_max_u64(g, k * std::uint64_t{rttvar_});
        return detail::rto_clamp(detail::rto_round_div(rto, std::uint64_t{1} << fraction_bits), Config.min_ms,
                                 Config.max_ms);
    }

    std::uint32_t srtt_ = 0;    // SRTT * 2^fraction_bits
    std::uint32_t rttvar_ = 0;  // RTTVAR * 2^fraction_bits
    std::uint16_t backoffs_ = 0;
    rto_base base_ = rto_base::initial;
};

// The default estimator, with RFC 6298's values.
using rto_estimator = basic_rto_estimator<rto_config_rfc6298>;
// The same with Linux's values (200 ms minimum, 120 s maximum).
using linux_rto_estimator = basic_rto_estimator<rto_config_linux>;

// One RTT measurement, or none.
struct rtt_sample {
    bool valid = false;
    std::uint32_t rtt_ms = 0;
    constexpr explicit operator bool() const noexcept { return valid; }
};

// The bookkeeping for Karn's rule (RFC 6298 §3): time one segment at a time, take the
// sample when an ACK covers it, never take one from a segment that was retransmitted.
//
// The timed sequence number S is "covered" by SEG.ACK when S < SEG.ACK (modulo 2^32,
// §3.4): the ACK acknowledges the octet S. Pass the segment's first sequence number to
// sample when its start is acknowledged (BSD's t_rtseq), or SEG.SEQ + SEG.LEN - 1 (its
// last octet, SYN and FIN counted) to wait for all of it. Elapsed time is computed modulo
// 2^31 ms, so a tick counter wrap in between is harmless.
class rtt_sampler {
public:
    constexpr void start(std::uint32_t seq, std::uint32_t now_ms) noexcept {
        timed_seq_ = seq;
        sent_at_ = (now_ms << 1) | timing_bit;
    }
    constexpr void on_retransmit() noexcept { sent_at_ &= ~timing_bit; }
    constexpr void on_retransmit(std::uint32_t seg_seq, std::uint32_t seg_len) noexcept {
        if (timing() && seq_in_window(timed_seq_, seg_seq, seg_len)) sent_at_ &= ~timing_bit;
    }
    constexpr rtt_sample on_ack(std::uint32_t seg_ack, std::uint32_t now_ms) noexcept {
        if (!timing() || !seq_lt(timed_seq_, seg_ack)) return {false, 0};
        sent_at_ &= ~timing_bit;
        return {true, ((now_ms << 1) - sent_at_) >> 1};
    }
    constexpr bool timing() const noexcept { return (sent_at_ & timing_bit) != 0; }
    constexpr std::uint32_t timed_seq() const noexcept { return timed_seq_; }
    // The send time modulo 2^31 ms.
    constexpr std::uint32_t sent_at_ms() const noexcept { return sent_at_ >> 1; }

private:
    static constexpr std::uint32_t timing_bit = 1;
    std::uint32_t timed_seq_ = 0;
    // The send time in ms modulo 2^31 above the timing bit (8 octets for the sampler, not
    // 12): a sample is (now - sent) modulo 2^31 ms, exact for any RTT under 24 days; the
    // estimator clamps samples at 2^24 ms (max_sample_ms) anyway.
    std::uint32_t sent_at_ = 0;
};
static_assert(sizeof(rtt_sampler) == 8, "Karn's sampler: a sequence number and a 31-bit send time");

}  // namespace tcpfsm

#endif  // TCPFSM_RTO_HPP
