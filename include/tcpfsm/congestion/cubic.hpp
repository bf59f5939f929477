// tcpfsm: the CUBIC congestion-control policy (RFC 9438), with HyStart++ (RFC 9406) as its
// slow start by default, as in Linux (tcp_cubic.c). Integer arithmetic only: windows in
// octets, the cubic function's time in milliseconds, an integer cube root; the same result
// with every compiler and no <cmath>.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_CUBIC_HPP
#define TCPFSM_CONGESTION_CUBIC_HPP

#include <cstdint>

#include "contract.hpp"
#include "hystart_pp.hpp"
#include "initial_window.hpp"
#include "newreno.hpp"

namespace tcpfsm {
namespace congestion {

// What ssthresh is reduced from on a congestion event (RFC 9438 §4.6): the RFC's
// "flight_size * beta_cubic", or cwnd * beta_cubic, which the RFC notes some implementations
// use and Linux does (bictcp_recalc_ssthresh). Linux's choice is the default.
enum class cubic_reduction_base : std::uint8_t { cwnd, flight_size };

// The RTT of the target W_cubic(t + RTT) (§4.2): RFC 9438 §4.1.2 defines it as the smoothed
// RTT of RFC 6298 (ack_sample::srtt_us, the default); Linux's tcp_cubic.c uses the minimum RTT
// seen (delay_min).
enum class cubic_rtt : std::uint8_t { smoothed, minimum };

struct cubic_options {
    static constexpr bool fast_convergence = true;  // RFC 9438 §4.7 (SHOULD), Linux's default
    // RFC 9438 §4.6 allows cwnd in place of flight_size when cwnd cannot grow while the flight
    // is smaller (ack_sample::cwnd_limited sees to that).
    static constexpr cubic_reduction_base reduction_base = cubic_reduction_base::cwnd;
    static constexpr cubic_rtt rtt = cubic_rtt::smoothed;
    static constexpr idle_restart restart = idle_restart::rfc5681;
};

namespace detail {
// floor(cbrt(x)), bit by bit (Hacker's Delight's icbrt widened to 64 bits): 22 steps.
constexpr std::uint64_t icbrt(std::uint64_t x) noexcept {
    std::uint64_t y = 0;
    for (int s = 63; s >= 0; s -= 3) {
        y <<= 1;
        const std::uint64_t b = 3 * y * (y + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            ++y;
        }
    }
    return y;
}
static_assert(icbrt(0) == 0 && icbrt(1) == 1 && icbrt(7) == 1 && icbrt(8) == 2 && icbrt(26) == 2 && icbrt(27) == 3);
static_assert(icbrt(999999999999ull) == 9999 && icbrt(1000000000000ull) == 10000);
static_assert(icbrt(0xFFFFFFFFFFFFFFFFull) == 2642245);  // 2642245^3 < 2^64 <= 2642246^3
}  // namespace detail

// RFC 9438's constants: C = 0.4 (§5.1, SHOULD), beta_cubic = 0.7 (§4.6, SHOULD), and
// alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic) = 9/17 (§4.3, eq. 5), as ratios.
struct cubic_constants {
    static constexpr std::uint32_t beta_num = 7, beta_den = 10;
    static constexpr std::uint32_t alpha_num = 9, alpha_den = 17;
    // (1 + beta_cubic) / 2 for fast convergence (§4.7): 17/20.
    static constexpr std::uint32_t convergence_num = 17, convergence_den = 20;
    // The largest |t - K| the cubic function is evaluated at, in ms (about 17 minutes): d^3
    // stays below 2^60. Beyond it the window is far outside [cwnd, 1.5*cwnd] anyway, except
    // for an SMSS below about 10 octets with W_max near 2^30.
    static constexpr std::uint64_t max_offset_ms = std::uint64_t{1} << 20;

    // K = cubic_root((W_max - cwnd_epoch) / C) (§4.2, eq. 2), in ms, for a difference in
    // octets: (diff / SMSS) / 0.4 s^3 = diff * 2.5e9 / SMSS ms^3 (diff <= 2^30: no overflow).
    static constexpr std::uint32_t k_ms(std::uint32_t w_max_minus_cwnd_epoch, std::uint32_t smss) noexcept {
        if (smss == 0) return 0;
        const std::uint64_t diff = w_max_minus_cwnd_epoch < cwnd_cap ? w_max_minus_cwnd_epoch : cwnd_cap;
        return static_cast<std::uint32_t>(detail::icbrt(diff * 2500000000ull / smss));
    }

    // W_cubic(t) = C * (t - K)^3 + W_max (§4.2, eq. 1), in octets, for t and K in ms:
    // C * d^3 segments = 0.4 * d^3 / 1e9 = d^3 * 2^8 / 9765625 segments * 2^-16 (exact floor
    // in 64 bits), times SMSS. May be negative (t far below K); the caller clamps.
    static constexpr std::int64_t w_cubic(std::uint64_t t_ms, std::uint32_t k, std::uint32_t w_max,
                                          std::uint32_t smss) noexcept {
        std::uint64_t d = t_ms >= k ? t_ms - k : k - t_ms;
        if (d > max_offset_ms) d = max_offset_ms;
        const std::uint64_t d3 = d * d * d;
        constexpr std::uint64_t m = 9765625;  // 1e10 / 2^10
        const std::uint64_t offset_q16 = (d3 / m) * 256 + ((d3 % m) * 256) / m;
        const auto offset = static_cast<std::int64_t>((offset_q16 * smss) >> 16);
        return t_ms >= k ? std::int64_t{w_max} + offset : std::int64_t{w_max} - offset;
    }
};

// SlowStart: hystart_pp<> (RFC 9406, the default; RFC 9438 §4.10 SHOULD) or abc_slow_start<>.
template <class SlowStart = hystart_pp<>, class Options = cubic_options>
class cubic : private SlowStart {
public:
    using slow_start_type = SlowStart;
    using constants = cubic_constants;
    static constexpr std::uint32_t no_rtt = 0xFFFFFFFFu;

    void init(std::uint32_t smss, std::uint32_t initial_window, std::uint64_t /*now_us*/) noexcept {
        *this = cubic{};
        smss_ = clamp_smss(smss);
        initial_window_ = detail::window_in_range(initial_window, smss);
        cwnd_ = initial_window_;
    }

    std::uint32_t cwnd() const noexcept { return cwnd_; }
    std::uint32_t ssthresh() const noexcept { return ssthresh_; }
    congestion::phase current_phase() const noexcept {
        if (cwnd_ >= ssthresh_) return phase::congestion_avoidance;
        return slow_start().conservative() ? phase::conservative_slow_start : phase::slow_start;
    }

    void on_ack(const ack_sample& a) noexcept {
        if (a.smss != 0) smss_ = clamp_smss(a.smss);
        if (Options::rtt == cubic_rtt::smoothed) {
            if (a.srtt_us != 0) rtt_us_ = a.srtt_us;
        } else if (a.rtt_us != 0 && a.rtt_us < rtt_us_) {
            rtt_us_ = a.rtt_us;
        }
        std::uint32_t acked = a.acked_octets;
        if (cwnd_ < ssthresh_) {
            const std::uint32_t ssthresh_before = ssthresh_;
            const std::uint32_t increase = mutable_slow_start().on_ack(a, cwnd_, ssthresh_);
            if (ssthresh_ != ssthresh_before) {
                // HyStart++ left slow start without a loss (§4.10): cwnd_prior = cwnd; the
                // congestion-avoidance epoch then starts with K = 0, W_max = cwnd.
                cwnd_prior_ = cwnd_;
                epoch_started_ = false;
            }
            if (!a.cwnd_limited) return;
            if (cwnd_ < ssthresh_) {
                const std::uint32_t used = detail::min_u32(increase, ssthresh_ - cwnd_);
                cwnd_ = detail::add_capped(cwnd_, used);
                if (cwnd_ < ssthresh_) return;
                acked = used < acked ? acked - used : 0;  // the rest counts for CA (Linux)
            }
        } else if (!a.cwnd_limited) {
            // RFC 9438 §5.8: no growth while application limited; and t "MUST NOT include
            // periods during which cwnd has not been updated due to application-limited
            // behavior" (§4.2): the time since the last ACK moves the epoch forward.
            if (epoch_started_) {
                const auto now_ms = static_cast<std::uint32_t>(a.now_us / 1000);
                const std::uint32_t since_ack = now_ms - last_ack_ms_;
                const std::uint32_t elapsed = now_ms - epoch_ms_;
                epoch_ms_ += since_ack < elapsed ? since_ack : elapsed;
                last_ack_ms_ = now_ms;
            }
            return;
        }
        if (acked != 0) congestion_avoidance(acked, a.now_us);
    }

    // A congestion event detected by duplicate ACKs (§4.6 multiplicative decrease, §4.7 fast
    // convergence): W_max, cwnd_prior, ssthresh = max(base * beta_cubic, 2*SMSS); cwnd =
    // ssthresh. The loss-recovery component owns cwnd until on_recovery_exit.
    std::uint32_t on_loss(std::uint32_t flight_size, std::uint64_t /*now_us*/) noexcept {
        save_prior();
        if (Options::fast_convergence && cwnd_ < w_max_) {
            w_max_ = static_cast<std::uint32_t>(std::uint64_t{cwnd_} * constants::convergence_num /
                                                constants::convergence_den);
        } else {
            w_max_ = cwnd_;
        }
        cwnd_prior_ = cwnd_;
        ssthresh_ = reduced(flight_size);
        cwnd_ = detail::window_in_range(ssthresh_, smss_);
        epoch_started_ = false;
        mutable_slow_start().on_congestion();
        return ssthresh_;
    }

    // Fast recovery ended: cwnd handed back. The congestion-avoidance stage, and with it the
    // epoch of the cubic function, starts now (§4.2 t); if cwnd is still below ssthresh,
    // with the first ACK in congestion avoidance (Linux: epoch_start = 0 until then).
    void on_recovery_exit(std::uint32_t cwnd_at_exit, std::uint64_t now_us) noexcept {
        cwnd_ = detail::window_in_range(cwnd_at_exit, smss_);
        epoch_started_ = false;
        if (cwnd_ >= ssthresh_) start_epoch(now_us);
    }

    // Retransmission timeout (§4.8): ssthresh as in §4.6 (held on a repeated timeout, RFC 5681
    // §3.1), cwnd = 1 SMSS; the first congestion-avoidance stage after it uses K = 0 and
    // W_max = cwnd at its beginning (W_max = 0 until then).
    void on_timeout(std::uint32_t flight_size, bool repeated, std::uint64_t /*now_us*/) noexcept {
        if (!repeated) {
            save_prior();
            cwnd_prior_ = cwnd_;
            ssthresh_ = reduced(flight_size);
            w_max_ = 0;
        }
        cwnd_ = detail::window_in_range(smss_, smss_);
        epoch_started_ = false;
        mutable_slow_start().on_congestion();
    }

    // New data after `idle_us` without sending: the restart window (RFC 5681 §4.1) if idle
    // longer than the RTO, and the idle time does not count in the epoch (Linux's
    // CA_EVENT_TX_START: epoch_start += idle, not beyond now).
    void on_restart_after_idle(std::uint64_t idle_us, std::uint64_t rto_us, std::uint64_t now_us) noexcept {
        restart_after_idle(Options::restart, cwnd_, ssthresh_, initial_window_, idle_us, rto_us);
        if (!epoch_started_) return;
        const auto now_ms = static_cast<std::uint32_t>(now_us / 1000);
        const std::uint32_t elapsed = now_ms - epoch_ms_;
        const std::uint64_t idle_ms = idle_us / 1000;
        epoch_ms_ += static_cast<std::uint32_t>(idle_ms < elapsed ? idle_ms : elapsed);
        last_ack_ms_ = now_ms;  // the idle time is out of t already
    }

    // The last congestion event was spurious (§4.9.2): if cwnd is below cwnd_prior, cwnd,
    // ssthresh and W_max as before it; otherwise ("detection long after") the current values
    // stay. K, t_epoch, W_est and the earlier cwnd_prior are not saved (16 octets): the epoch
    // begins again with the next ACK in congestion avoidance, from the restored cwnd.
    void on_spurious_undo(std::uint64_t /*now_us*/) noexcept {
        if (!undo_valid_) return;
        undo_valid_ = false;
        if (cwnd_ >= cwnd_prior_) return;
        cwnd_ = cwnd_prior_;
        ssthresh_ = ssthresh_prior_;
        w_max_ = w_max_prior_;
        epoch_started_ = false;
    }

    // For STATUS and tests.
    std::uint32_t smss() const noexcept { return smss_; }
    std::uint32_t initial_window() const noexcept { return initial_window_; }
    std::uint32_t w_max() const noexcept { return w_max_; }
    std::uint32_t k_ms() const noexcept { return k_ms_; }
    std::uint32_t w_est() const noexcept { return w_est_; }
    std::uint32_t cwnd_prior() const noexcept { return cwnd_prior_; }
    std::uint32_t rtt_us() const noexcept { return rtt_us_; }  // the RTT of the target (cubic_rtt)
    bool epoch_started() const noexcept { return epoch_started_; }
    const SlowStart& slow_start() const noexcept { return *this; }

private:
    SlowStart& mutable_slow_start() noexcept { return *this; }

    // SMSS comes from a 16-bit MSS option: 16 bits hold it.
    static std::uint16_t clamp_smss(std::uint32_t smss) noexcept {
        return static_cast<std::uint16_t>(smss < 0xFFFFu ? smss : 0xFFFFu);
    }

    std::uint32_t reduced(std::uint32_t flight_size) const noexcept {
        const std::uint32_t base =
            Options::reduction_base == cubic_reduction_base::flight_size ? flight_size : cwnd_;
        const std::uint64_t s = std::uint64_t{base} * constants::beta_num / constants::beta_den;
        const std::uint64_t floor = std::uint64_t{2} * smss_;  // "ssthresh is at least 2 MSS"
        const std::uint64_t r = s >= floor ? s : floor;
        return r < cwnd_cap ? static_cast<std::uint32_t>(r) : cwnd_cap;  // as rfc5681_ssthresh
    }

    void save_prior() noexcept {
        ssthresh_prior_ = ssthresh_;
        w_max_prior_ = w_max_;
        undo_valid_ = true;
    }

    // The beginning of a congestion-avoidance stage (§4.2): cwnd_epoch = cwnd, W_est = cwnd
    // (§4.3), K by eq. 2; when cwnd >= W_max (after a timeout, §4.8, or HyStart++, §4.10,
    // W_max is 0) K = 0 and W_max = cwnd.
    void start_epoch(std::uint64_t now_us) noexcept {
        epoch_started_ = true;
        epoch_ms_ = static_cast<std::uint32_t>(now_us / 1000);
        last_ack_ms_ = epoch_ms_;
        w_est_ = cwnd_;
        w_est_fraction_ = 0;
        cubic_fraction_ = 0;
        if (cwnd_ >= w_max_) {
            w_max_ = cwnd_;
            k_ms_ = 0;
        } else {
            k_ms_ = constants::k_ms(w_max_ - cwnd_, smss_);
        }
    }

    void congestion_avoidance(std::uint32_t acked, std::uint64_t now_us) noexcept {
        if (!epoch_started_) start_epoch(now_us);
        last_ack_ms_ = static_cast<std::uint32_t>(now_us / 1000);
        const std::uint32_t t_ms = last_ack_ms_ - epoch_ms_;
        // §4.3 Reno-friendly region: W_est += alpha_cubic * segments_acked / cwnd (eq. 4), in
        // octets alpha * acked * SMSS / cwnd; alpha_cubic = 1 once W_est >= cwnd_prior.
        const bool reno_alpha = w_est_ >= cwnd_prior_;
        const std::uint64_t scaled = reno_alpha ? std::uint64_t{acked} * smss_
                                                : std::uint64_t{acked} * smss_ * constants::alpha_num / constants::alpha_den;
        const std::uint64_t est = std::uint64_t{w_est_fraction_} + scaled;
        w_est_ = detail::add_capped(w_est_, est / cwnd_);
        w_est_fraction_ = static_cast<std::uint32_t>(est % cwnd_);
        if (constants::w_cubic(t_ms, k_ms_, w_max_, smss_) < std::int64_t{w_est_}) {
            // "cwnd SHOULD be set to W_est" (never lowered on an ACK).
            if (w_est_ > cwnd_) cwnd_ = w_est_;
            return;
        }
        // §4.2: target = W_cubic(t + RTT) within [cwnd, 1.5*cwnd]; cwnd grows by
        // (target - cwnd) / cwnd per segment acknowledged: (target - cwnd) * acked / cwnd
        // octets. The concave (§4.4) and convex (§4.5) regions both follow it. RTT: SRTT or
        // the minimum (Options::rtt).
        const std::uint32_t rtt_ms = rtt_us_ == no_rtt ? 0 : rtt_us_ / 1000;
        const std::int64_t w = constants::w_cubic(std::uint64_t{t_ms} + rtt_ms, k_ms_, w_max_, smss_);
        const std::int64_t upper = std::int64_t{cwnd_} + cwnd_ / 2;
        const std::int64_t target = w < cwnd_ ? std::int64_t{cwnd_} : w > upper ? upper : w;
        const std::uint64_t grow =
            std::uint64_t{cubic_fraction_} + static_cast<std::uint64_t>(target - cwnd_) * acked;
        const std::uint32_t old = cwnd_;
        cwnd_ = detail::add_capped(cwnd_, grow / old);
        cubic_fraction_ = static_cast<std::uint32_t>(grow % old);
    }

    std::uint32_t cwnd_ = 0;
    std::uint32_t ssthresh_ = ssthresh_initial;
    std::uint32_t initial_window_ = 0;
    std::uint32_t w_max_ = 0;           // W_max (§4.1); 0: none yet, or after a timeout
    std::uint32_t k_ms_ = 0;            // K of the current epoch, ms
    std::uint32_t epoch_ms_ = 0;        // the epoch's start, ms (32-bit ticks, wrap-safe differences)
    std::uint32_t w_est_ = 0;           // W_est (§4.3)
    std::uint32_t w_est_fraction_ = 0;  // the parts of an octet of W_est, in 1/cwnd
    std::uint32_t cubic_fraction_ = 0;  // the same for the cubic growth
    std::uint32_t cwnd_prior_ = 0;      // cwnd before the last reduction (§4.6)
    std::uint32_t ssthresh_prior_ = 0;  // for on_spurious_undo (§4.9)
    std::uint32_t w_max_prior_ = 0;
    std::uint32_t last_ack_ms_ = 0;     // the last ACK in congestion avoidance, ms (§4.2 t)
    std::uint32_t rtt_us_ = no_rtt;     // the RTT of the target (cubic_rtt)
    std::uint16_t smss_ = 536;
    bool epoch_started_ = false;
    bool undo_valid_ = false;
};

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_CUBIC_HPP
