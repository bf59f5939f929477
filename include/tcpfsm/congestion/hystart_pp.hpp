// tcpfsm: HyStart++ (RFC 9406), slow start that leaves early on a rise of the round-trip
// time, through conservative slow start (CSS), as a slow-start component of the
// congestion-control policies (interface in slow_start.hpp). CUBIC's default (RFC 9438 §4.10).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_HYSTART_PP_HPP
#define TCPFSM_CONGESTION_HYSTART_PP_HPP

#include <cstdint>

#include "contract.hpp"

namespace tcpfsm {
namespace congestion {

// L: RFC 9406 §4.3 "L = infinity if paced, L = 8 if non-paced". tcpfsm's engine does not pace,
// so the default is 8; L = 0 stands for infinity (a paced sender). FallbackL: the ABC limit
// (RFC 3465 §2.2) of the standard slow start used after the first congestion event: RFC 9406
// §4.3, HyStart++ SHOULD be used only for the initial slow start.
template <std::uint32_t L = 8, std::uint32_t FallbackL = 2>
class hystart_pp {
public:
    // RFC 9406 §4.3's recommended constants (RTTs in µs).
    static constexpr std::uint32_t min_rtt_thresh_us = 4000;
    static constexpr std::uint32_t max_rtt_thresh_us = 16000;
    static constexpr std::uint32_t min_rtt_divisor = 8;
    static constexpr std::uint32_t n_rtt_sample = 8;
    static constexpr std::uint32_t css_growth_divisor = 4;
    static constexpr std::uint32_t css_rounds = 5;
    static constexpr std::uint32_t no_rtt = 0xFFFFFFFFu;  // "infinity"
    // The engine times this many segments at once (congestion::rtt_probes_v), so that a
    // round of N_RTT_SAMPLE ACKs or more brings N_RTT_SAMPLE samples (§4.2).
    static constexpr std::uint32_t rtt_probes = n_rtt_sample;

    // RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH)) (§4.2).
    static constexpr std::uint32_t rtt_thresh_us(std::uint32_t last_round_min_rtt_us) noexcept {
        const std::uint32_t eighth = last_round_min_rtt_us / min_rtt_divisor;
        const std::uint32_t capped = eighth < max_rtt_thresh_us ? eighth : max_rtt_thresh_us;
        return capped > min_rtt_thresh_us ? capped : min_rtt_thresh_us;
    }

    std::uint32_t on_ack(const ack_sample& a, std::uint32_t cwnd, std::uint32_t& ssthresh) noexcept {
        if (mode_ == mode::done) return limited(a, FallbackL);
        // "When windowEnd is ACKed, the current round ends and windowEnd is set to SND.NXT"
        // (§4.2): the octet at windowEnd, the first one sent in the next round, is ACKed when
        // SND.UNA passes it (Linux's after(snd_una, end_seq)); the ACK that reaches it exactly
        // still belongs to the round it completes. Then fresh RTT minima.
        if (!round_started_ || sequence_after(a.snd_una, window_end_)) {
            if (round_started_ && mode_ == mode::css && ++css_round_count_ >= css_rounds) {
                // "If CSS_ROUNDS rounds are complete, enter congestion avoidance by setting
                // the ssthresh to the current cwnd."
                ssthresh = cwnd;
                mode_ = mode::done;
                return 0;
            }
            round_started_ = true;
            window_end_ = a.snd_nxt;
            last_round_min_rtt_ = current_round_min_rtt_;
            current_round_min_rtt_ = no_rtt;
            rtt_sample_count_ = 0;
        }
        // Growth first, then the RTT sample, then the checks (the order of §4.2).
        const std::uint32_t n = limited(a, L);
        const std::uint32_t growth = mode_ == mode::css ? n / css_growth_divisor : n;
        if (a.rtt_us != 0) {
            if (a.rtt_us < current_round_min_rtt_) current_round_min_rtt_ = a.rtt_us;
            if (rtt_sample_count_ < 0xFF) ++rtt_sample_count_;
        }
        if (rtt_sample_count_ >= n_rtt_sample && current_round_min_rtt_ != no_rtt) {
            if (mode_ == mode::slow_start && last_round_min_rtt_ != no_rtt) {
                const std::uint64_t exit_at =
                    std::uint64_t{last_round_min_rtt_} + rtt_thresh_us(last_round_min_rtt_);
                if (current_round_min_rtt_ >= exit_at) {
                    css_baseline_min_rtt_ = current_round_min_rtt_;
                    css_round_count_ = 0;
                    mode_ = mode::css;
                }
            } else if (mode_ == mode::css && current_round_min_rtt_ < css_baseline_min_rtt_) {
                // The exit was spurious: back to slow start.
                css_baseline_min_rtt_ = no_rtt;
                mode_ = mode::slow_start;
            }
        }
        return growth;
    }

    // "If loss or ECN-marking is observed anytime during standard slow start or CSS, enter
    // congestion avoidance" (§4.2; the policy sets ssthresh); standard slow start from now on.
    void on_congestion() noexcept { mode_ = mode::done; }

    bool conservative() const noexcept { return mode_ == mode::css; }
    bool done() const noexcept { return mode_ == mode::done; }
    std::uint32_t css_baseline_min_rtt_us() const noexcept { return css_baseline_min_rtt_; }
    std::uint32_t current_round_min_rtt_us() const noexcept { return current_round_min_rtt_; }
    std::uint32_t last_round_min_rtt_us() const noexcept { return last_round_min_rtt_; }

private:
    enum class mode : std::uint8_t { slow_start, css, done };

    // a > b in sequence space (RFC 9293 §3.4, modulo 2^32; seq.hpp's seq_gt, kept here so
    // that congestion/ includes only its own headers).
    static constexpr bool sequence_after(std::uint32_t a, std::uint32_t b) noexcept {
        return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000u;
    }

    static std::uint32_t limited(const ack_sample& a, std::uint32_t segments) noexcept {
        if (segments == 0) return a.acked_octets;
        const std::uint64_t limit = std::uint64_t{segments} * a.smss;
        return a.acked_octets < limit ? a.acked_octets : static_cast<std::uint32_t>(limit);
    }

    std::uint32_t window_end_ = 0;
    std::uint32_t last_round_min_rtt_ = no_rtt;
    std::uint32_t current_round_min_rtt_ = no_rtt;
    std::uint32_t css_baseline_min_rtt_ = no_rtt;
    std::uint8_t rtt_sample_count_ = 0;
    std::uint8_t css_round_count_ = 0;
    mode mode_ = mode::slow_start;
    bool round_started_ = false;
};

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_HYSTART_PP_HPP
