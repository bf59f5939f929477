// tcpfsm: the connection engine's timers, member functions of tcpfsm::connection
// (connection.hpp, which includes this header after the class): which event an expired timer
// is (RFC 9293 §3.8.3 R1/R2, RFC 6298 §5, the persist and keepalive probes), and the timer
// the main slot runs when no row has set one.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_TIMERS_HPP
#define TCPFSM_DETAIL_CONNECTION_TIMERS_HPP

#include <cstdint>

#include "../connection.hpp"

namespace tcpfsm {

// The event an expired timer is, from the main slot's counter and timer_config;
// event::status when the expiry is no event.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
event connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::timer_event(const call_input& in, timer_kind kind) noexcept {
    const timer_config& t = config().timers;
    switch (kind) {
        case timer_kind::retransmission: {
            if (loss_detection_expired(in)) return event::status;  // RFC 8985's timer, output only
            const std::uint16_t n = timers_.count_retry();
            const bool syn_outstanding = !has(syn_acked_bit) && snd_una_ == iss_;
            if (n > retransmission_limit(t, state_ == state::syn_sent, syn_outstanding, has(passive_bit))) {
                return state_ == state::syn_received && has(passive_bit) ? event::timeout_retransmit_exhausted_passive
                                                                        : event::timeout_retransmit_exhausted;
            }
            if (n == t.retries1 && !syn_outstanding) observer().on_signal(user_signal::retries_exceeded_r1);
            rto_.on_timeout();  // RFC 6298 §5.5
            // Data or FIN outstanding: ssthresh and the loss window (RFC 5681 §3.1), then
            // go-back-N from SND.UNA (the row's retransmit action sends its first segment).
            if (has(syn_acked_bit) && snd_una_ != snd_nxt_) {
                send_.on_timeout(snd_una_, snd_nxt_, effective_mss(), in.now_us);
                sack_.on_retransmission_timeout(snd_una_, snd_nxt_);
            }
            return event::timeout_retransmit;
        }
        case timer_kind::persist:
            // The backoff exponent grows with every probe (SHLD-30); the count of probes
            // not answered (reset by any acceptable segment) ends the connection at R2
            // (§3.8.3, MUST-20), as Linux's tcp_probe_timer does. Answered probes never
            // do (MUST-37).
            if (persist_backoff_ != 0xFFFFu) ++persist_backoff_;
            if (timers_.count_retry() > t.retries2) return event::timeout_retransmit_exhausted;
            return event::timeout_persist;
        case timer_kind::keepalive:
            // Linux's tcp_keepalive_timer: idle measured from the last segment received
            // (receive_segment restarts the timer), so an expiry is always a probe.
            if (timers_.retries() >= t.keepalive_probes) return event::timeout_keepalive_exhausted;
            timers_.count_retry();
            return event::timeout_keepalive;
        case timer_kind::fin_wait_2:
            return event::timeout_fin_wait_2;
        case timer_kind::time_wait:
            return event::timeout_time_wait;
        case timer_kind::delayed_ack:
            return event::timeout_delayed_ack;
        case timer_kind::user:
            return event::timeout_user;
        default:
            return event::status;
    }
}

// The main timer slot when no row has set it: retransmission while something is in
// flight; persist while data waits for a window (the sender-SWS override timer too);
// keepalive when idle (MUST-26: only while nothing is outstanding); the user timeout
// while data is unacknowledged.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::arm_idle_timers(const call_input& in) noexcept {
    if (!is_synchronized_or_syn_received(state_) && state_ != state::syn_sent) return;
    const timer_kind owner = timers_.main_kind();
    if (owner == timer_kind::time_wait || owner == timer_kind::fin_wait_2) return;
    const bool outstanding = snd_una_ != snd_nxt_;
    const bool waiting = unsent() > 0 && may_send_data();
    const bool persisting = (waiting && !outstanding) || (owner == timer_kind::persist && outstanding);
    if (!persisting) persist_backoff_ = 0;  // the window is open again
    const timer_config& t = config().timers;
    if (outstanding && owner != timer_kind::persist) {
        if (owner != timer_kind::retransmission) arm_rto(in, rto_.rto_ms());
    } else if (persisting) {
        if (owner != timer_kind::persist || !timers_.armed(timer_kind::persist)) {
            timers_.arm(timer_kind::persist, in.now, persist_timeout_ms(rto_.rto_ms(), persist_backoff_,
                                                                        rto_type::config()));
        }
    } else if (!outstanding) {
        if (owner == timer_kind::retransmission || owner == timer_kind::persist) timers_.disarm(owner);
        const bool keepalive_state = state_ == state::established || state_ == state::close_wait ||
                                     state_ == state::fin_wait_2;
        if (t.keepalive && keepalive_state && !timers_.armed(timer_kind::keepalive)) {
            timers_.arm(timer_kind::keepalive, in.now, t.keepalive_idle_ms);
        }
    }
    if (t.user_timeout_ms != 0) {
        if (outstanding && !timers_.armed(timer_kind::user)) timers_.arm(timer_kind::user, in.now, t.user_timeout_ms);
        if (!outstanding) timers_.disarm(timer_kind::user);
    }
    arm_loss_detection(in);  // RFC 8985: the reordering timer or the PTO (detail/connection_rack.hpp)
}

// §3.8.4: keepalive counts "data or acknowledgment packets"; an unacceptable segment is
// neither. Such a segment answers a keepalive or zero-window probe (Linux: icsk_probes_out = 0
// on an ACK). Keepalive's idle time is measured from the last such segment (Linux's
// tcp_keepalive_timer): its timer starts over.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::probe_answered(const call_input& in) noexcept {
    const timer_kind owner = timers_.main_kind();
    if (owner == timer_kind::keepalive || owner == timer_kind::persist) timers_.reset_retries();
    if (owner == timer_kind::keepalive && timers_.armed(timer_kind::keepalive)) {
        timers_.arm(timer_kind::keepalive, in.now, config().timers.keepalive_idle_ms);
    }
}

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_TIMERS_HPP
