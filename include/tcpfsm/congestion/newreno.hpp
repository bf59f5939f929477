// tcpfsm: the NewReno congestion-control policy: RFC 5681 slow start and congestion
// avoidance with appropriate byte counting (RFC 3465), the initial window of RFC 6928, the
// restart after idle of RFC 5681 §4.1, ssthresh on loss and timeout by RFC 5681 eq. (4).
// The NewReno partial-ACK logic of fast recovery (RFC 6582) is the loss-recovery component's,
// which owns cwnd during recovery (docs/congestion.md).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_NEWRENO_HPP
#define TCPFSM_CONGESTION_NEWRENO_HPP

#include <cstdint>
#include <type_traits>

#include "contract.hpp"
#include "initial_window.hpp"
#include "slow_start.hpp"

namespace tcpfsm {
namespace congestion {

struct newreno_options {
    static constexpr idle_restart restart = idle_restart::rfc5681;
    // Keep cwnd and ssthresh before each reduction for on_spurious_undo (8 octets).
    static constexpr bool spurious_undo = true;
};

// The smallest NewReno: what RFC 5681 and RFC 3465 need (cwnd, ssthresh, SMSS, IW,
// bytes_acked), no undo (on_spurious_undo is then absent, has_spurious_undo_v false).
struct newreno_compact_options {
    static constexpr idle_restart restart = idle_restart::rfc5681;
    static constexpr bool spurious_undo = false;
};

// The compact NewReno without its own copies of SMSS and the initial window: the engine
// passes them to the hooks that need them (on_loss and on_timeout with SMSS,
// on_restart_after_idle with the initial window; contract.hpp). cwnd, ssthresh,
// bytes_acked: 12 octets. The compact profile's policy (docs/engine.md, "TCB size").
struct newreno_smallest_options {
    static constexpr idle_restart restart = idle_restart::rfc5681;
    static constexpr bool spurious_undo = false;
    static constexpr bool keep_smss_and_initial_window = false;
};

namespace detail {
constexpr std::uint32_t add_capped(std::uint32_t cwnd, std::uint64_t increase) noexcept {
    const std::uint64_t sum = std::uint64_t{cwnd} + increase;
    return sum > cwnd_cap ? cwnd_cap : static_cast<std::uint32_t>(sum);
}
// Options::spurious_undo, true when an options struct does not say.
template <class Options, class = void>
struct undo_enabled : std::true_type {};
template <class Options>
struct undo_enabled<Options, void_t<decltype(Options::spurious_undo)>>
    : std::integral_constant<bool, Options::spurious_undo> {};

// Options::keep_smss_and_initial_window, true when an options struct does not say.
template <class Options, class = void>
struct windows_kept : std::true_type {};
template <class Options>
struct windows_kept<Options, void_t<decltype(Options::keep_smss_and_initial_window)>>
    : std::integral_constant<bool, Options::keep_smss_and_initial_window> {};
struct kept_windows {
    std::uint32_t smss_ = 536;  // RFC 9293 §3.7.1's default until init
    std::uint32_t initial_window_ = 0;
};
struct no_kept_windows {};

struct undo_state {
    std::uint32_t prior_cwnd = 0;  // 0: nothing to undo
    std::uint32_t prior_ssthresh = 0;
};
struct no_undo_state {};

constexpr std::uint32_t max_u32(std::uint32_t a, std::uint32_t b) noexcept { return a < b ? b : a; }
constexpr std::uint32_t min_u32(std::uint32_t a, std::uint32_t b) noexcept { return a < b ? a : b; }
// A window handed in from outside (init, the end of recovery): at most cwnd_cap, at least
// one segment (the loss window, RFC 5681 §3.1), so that no division by cwnd meets 0.
constexpr std::uint32_t window_in_range(std::uint32_t w, std::uint32_t smss) noexcept {
    const std::uint32_t floor = smss != 0 ? min_u32(smss, cwnd_cap) : 1;
    return w < floor ? floor : min_u32(w, cwnd_cap);
}
// RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2*SMSS), at most cwnd_cap (so that the
// loss-recovery component's ssthresh + 3*SMSS stays inside 32 bits).
constexpr std::uint32_t rfc5681_ssthresh(std::uint32_t flight_size, std::uint32_t smss) noexcept {
    const std::uint64_t floor = std::uint64_t{2} * smss;
    const std::uint64_t half = flight_size / 2;
    const std::uint64_t s = half > floor ? half : floor;
    return s > cwnd_cap ? cwnd_cap : static_cast<std::uint32_t>(s);
}
}  // namespace detail

// SlowStart: abc_slow_start<L> (RFC 3465, the default L = 2) or hystart_pp<> (RFC 9406).
// The slow-start component is a private base, so an empty one costs nothing.
template <class SlowStart = abc_slow_start<>, class Options = newreno_options>
class newreno : private SlowStart,
                private std::conditional_t<detail::undo_enabled<Options>::value, detail::undo_state,
                                           detail::no_undo_state>,
                private std::conditional_t<detail::windows_kept<Options>::value, detail::kept_windows,
                                           detail::no_kept_windows> {
    static constexpr bool undo_enabled = detail::undo_enabled<Options>::value;
    static constexpr bool keeps_windows = detail::windows_kept<Options>::value;
    using undo_base = std::conditional_t<undo_enabled, detail::undo_state, detail::no_undo_state>;

public:
    using slow_start_type = SlowStart;

    // The connection is established: SMSS is known (RFC 5681 §3.1: IW from it). ssthresh
    // starts "arbitrarily high".
    void init(std::uint32_t smss, std::uint32_t initial_window, std::uint64_t /*now_us*/) noexcept {
        cwnd_ = detail::window_in_range(initial_window, smss);
        if constexpr (keeps_windows) {
            kept().smss_ = detail::min_u32(smss, cwnd_cap);
            kept().initial_window_ = cwnd_;
        }
        ssthresh_ = ssthresh_initial;
        bytes_acked_ = 0;
        static_cast<undo_base&>(*this) = undo_base{};
        mutable_slow_start() = SlowStart{};
    }

    std::uint32_t cwnd() const noexcept { return cwnd_; }
    std::uint32_t ssthresh() const noexcept { return ssthresh_; }
    congestion::phase current_phase() const noexcept {
        if (cwnd_ >= ssthresh_) return phase::congestion_avoidance;
        return slow_start().conservative() ? phase::conservative_slow_start : phase::slow_start;
    }

    // An ACK that advanced SND.UNA outside loss recovery.
    void on_ack(const ack_sample& a) noexcept {
        std::uint32_t smss = detail::min_u32(a.smss, cwnd_cap);
        if constexpr (keeps_windows) {
            if (a.smss != 0) kept().smss_ = smss;
            smss = kept().smss_;
        }
        std::uint32_t acked = a.acked_octets;
        if (cwnd_ < ssthresh_) {
            // Slow start (RFC 5681 §3.1, RFC 3465 §2.2). The component sees every ACK (HyStart++
            // samples RTTs); cwnd grows only on cwnd-limited ones (RFC 7661 §4.3).
            const std::uint32_t increase = mutable_slow_start().on_ack(a, cwnd_, ssthresh_);
            if (!a.cwnd_limited) return;
            if (cwnd_ < ssthresh_) {
                const std::uint32_t used = detail::min_u32(increase, ssthresh_ - cwnd_);
                cwnd_ = detail::add_capped(cwnd_, used);
                if (cwnd_ < ssthresh_) return;
                // ssthresh reached: what this ACK did not spend on slow start counts for
                // congestion avoidance (Linux's tcp_slow_start returns it to tcp_cong_avoid_ai).
                acked = used < acked ? acked - used : 0;
            }
        } else if (!a.cwnd_limited) {
            return;
        }
        if (acked == 0) return;
        // Congestion avoidance: RFC 5681 eq. (3) by byte counting (RFC 3465 §2.1): one SMSS
        // per cwnd of acknowledged octets.
        std::uint64_t counted = std::uint64_t{bytes_acked_} + acked;
        if (counted >= cwnd_) {
            const std::uint64_t windows = counted / cwnd_;
            counted -= windows * cwnd_;
            cwnd_ = detail::add_capped(cwnd_, windows * smss);
        }
        bytes_acked_ = static_cast<std::uint32_t>(counted < cwnd_cap ? counted : cwnd_cap);
    }

    // Fast retransmit (RFC 5681 §3.2 step 2): ssthresh = max(FlightSize/2, 2*SMSS), returned
    // for the loss-recovery component, which sets cwnd = ssthresh + 3*SMSS and owns it until
    // on_recovery_exit. cwnd here becomes ssthresh.
    template <bool Kept = keeps_windows, std::enable_if_t<Kept, int> = 0>
    std::uint32_t on_loss(std::uint32_t flight_size, std::uint64_t /*now_us*/) noexcept {
        return enter_loss(flight_size, kept().smss_);
    }
    // The same with SMSS from the engine (newreno_smallest_options).
    template <bool Kept = keeps_windows, std::enable_if_t<!Kept, int> = 0>
    std::uint32_t on_loss(std::uint32_t flight_size, std::uint32_t smss, std::uint64_t /*now_us*/) noexcept {
        return enter_loss(flight_size, detail::min_u32(smss, cwnd_cap));
    }

    // The end of fast recovery: the loss-recovery component hands cwnd back (RFC 6582 §3.2
    // step 3, "deflate the window").
    void on_recovery_exit(std::uint32_t cwnd_at_exit, std::uint64_t /*now_us*/) noexcept {
        // The floor of one segment: cwnd_at_exit is at least SMSS from the loss-recovery
        // component, so without a kept SMSS the floor of 1 octet changes nothing.
        cwnd_ = detail::window_in_range(cwnd_at_exit, kept_smss());
        bytes_acked_ = 0;
    }

    // The retransmission timer expired (RFC 5681 §3.1): ssthresh by eq. (4), except when the
    // segment had already been retransmitted by the timer (`repeated`: "the value of ssthresh
    // is held constant"); cwnd = the loss window, 1 SMSS. bytes_acked restarts (RFC 3465 §2.1).
    template <bool Kept = keeps_windows, std::enable_if_t<Kept, int> = 0>
    void on_timeout(std::uint32_t flight_size, bool repeated, std::uint64_t /*now_us*/) noexcept {
        timeout(flight_size, repeated, kept().smss_);
    }
    // The same with SMSS from the engine (newreno_smallest_options).
    template <bool Kept = keeps_windows, std::enable_if_t<!Kept, int> = 0>
    void on_timeout(std::uint32_t flight_size, bool repeated, std::uint32_t smss, std::uint64_t /*now_us*/) noexcept {
        timeout(flight_size, repeated, detail::min_u32(smss, cwnd_cap));
    }

    // The engine sends new data with nothing in flight after `idle_us` without sending.
    template <bool Kept = keeps_windows, std::enable_if_t<Kept, int> = 0>
    void on_restart_after_idle(std::uint64_t idle_us, std::uint64_t rto_us, std::uint64_t /*now_us*/) noexcept {
        restart_after_idle(Options::restart, cwnd_, ssthresh_, kept().initial_window_, idle_us, rto_us);
    }
    // The same with the initial window from the engine (newreno_smallest_options): the one
    // init was given.
    template <bool Kept = keeps_windows, std::enable_if_t<!Kept, int> = 0>
    void on_restart_after_idle(std::uint64_t idle_us, std::uint64_t rto_us, std::uint32_t initial_window,
                               std::uint64_t /*now_us*/) noexcept {
        restart_after_idle(Options::restart, cwnd_, ssthresh_, initial_window, idle_us, rto_us);
    }

    // The last reduction was spurious (F-RTO, Eifel): Linux's undo (tcp_undo_cwnd_reduction):
    // cwnd = max(cwnd, cwnd before), ssthresh = max(ssthresh, ssthresh before). Only with
    // Options::spurious_undo.
    template <bool Enabled = undo_enabled, std::enable_if_t<Enabled, int> = 0>
    void on_spurious_undo(std::uint64_t /*now_us*/) noexcept {
        detail::undo_state& u = *this;
        if (u.prior_cwnd == 0) return;
        cwnd_ = detail::max_u32(cwnd_, u.prior_cwnd);
        ssthresh_ = detail::max_u32(ssthresh_, u.prior_ssthresh);
        u = detail::undo_state{};
    }

    template <bool Kept = keeps_windows, std::enable_if_t<Kept, int> = 0>
    std::uint32_t smss() const noexcept {
        return kept_smss();
    }
    template <bool Kept = keeps_windows, std::enable_if_t<Kept, int> = 0>
    std::uint32_t initial_window() const noexcept {
        return static_cast<const detail::kept_windows&>(*this).initial_window_;
    }
    std::uint32_t bytes_acked() const noexcept { return bytes_acked_; }
    const SlowStart& slow_start() const noexcept { return *this; }

private:
    SlowStart& mutable_slow_start() noexcept { return *this; }
    detail::kept_windows& kept() noexcept { return *this; }
    std::uint32_t kept_smss() const noexcept {
        if constexpr (keeps_windows) {
            return static_cast<const detail::kept_windows&>(*this).smss_;
        } else {
            return 0;
        }
    }

    // RFC 5681 §3.2 step 2 and §3.1 (on_loss, on_timeout) with this SMSS.
    std::uint32_t enter_loss(std::uint32_t flight_size, std::uint32_t smss) noexcept {
        save_prior();
        ssthresh_ = detail::rfc5681_ssthresh(flight_size, smss);
        cwnd_ = detail::window_in_range(ssthresh_, smss);
        bytes_acked_ = 0;
        mutable_slow_start().on_congestion();
        return ssthresh_;
    }
    void timeout(std::uint32_t flight_size, bool repeated, std::uint32_t smss) noexcept {
        if (!repeated) {
            save_prior();
            ssthresh_ = detail::rfc5681_ssthresh(flight_size, smss);
        }
        cwnd_ = detail::window_in_range(smss, smss);
        bytes_acked_ = 0;
        mutable_slow_start().on_congestion();
    }

    void save_prior() noexcept {
        if constexpr (undo_enabled) {
            detail::undo_state& u = *this;
            u.prior_cwnd = cwnd_;
            u.prior_ssthresh = ssthresh_;
        }
    }

    std::uint32_t cwnd_ = 0;
    std::uint32_t ssthresh_ = ssthresh_initial;
    std::uint32_t bytes_acked_ = 0;  // RFC 3465 §2.1
    // SMSS and the initial window are detail::kept_windows's (a private base), unless the
    // Options say the engine passes them.
};

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_NEWRENO_HPP
