// tcpfsm: the connection engine. One TCP connection endpoint of RFC 9293 without any I/O of
// its own: arriving segments, user calls and timer expiries go in; segments go out through
// the SegmentIO policy, what happens goes to the Observer, and next_deadline() says when to
// call on_timer(). It classifies every input into the table's events (classify.hpp), runs
// exactly the table's row for each, in §3.10.7 step order, and carries out the row's actions.
// The table is the only place a state changes (run_row). Nothing here allocates or throws.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONNECTION_HPP
#define TCPFSM_CONNECTION_HPP

#include <chrono>
#include <cstdint>

#include "ack_timing.hpp"
#include "classify.hpp"
#include "contract.hpp"
#include "invalid_ack_limiter.hpp"
#include "iss.hpp"
#include "policies.hpp"
#include "receive_path.hpp"
#include "rto.hpp"
#include "segment.hpp"
#include "send_path.hpp"
#include "selective_acknowledgment.hpp"
#include "seq.hpp"
#include "core.hpp"
#include "connection_config.hpp"
#include "detail/connection_policies.hpp"
#include "detail/tcb.hpp"
#include "statistics.hpp"
#include "syn_cookie.hpp"
#include "timers.hpp"
#include "timestamping.hpp"
#include "window_scaling.hpp"

namespace tcpfsm {

// One connection. Thread safety: none inside; one connection belongs to one thread at a time
// (different connections may run on different threads; a shared connection_config is only
// read). Every member function is noexcept; a policy that throws ends the program.
template <class SegmentIO, class Clock, class Observer = null_observer, class IssPolicy = rfc6528_iss,
          class Profile = default_profile>
class connection : private detail::tcb {
    static_assert(detail::connection_policy_checks<SegmentIO, Clock, Observer, IssPolicy, Profile>::value, "");
    using statistics_policy = typename detail::profile_statistics<Profile>::type;
    using policy_pack = detail::connection_policy_pack<SegmentIO, Clock, Observer, IssPolicy, Profile>;
    using rto_type = typename Profile::rto;
    using machine_type = machine<index_for<Profile::table>>;
    using window_scaling_type = typename detail::profile_window_scaling<Profile>::type;  // window_scaling.hpp
    using timestamping_type = typename detail::profile_timestamping<Profile>::type;      // timestamping.hpp
    using sack_type = typename detail::profile_sack<Profile>::type;  // selective_acknowledgment.hpp
    using send_path_type = send_path_for<typename Profile::congestion, !std::is_empty<timestamping_type>::value,
                                         sack_type::compiled_in>;  // send_path.hpp
    using config_holder_type = detail::config_holder<Profile>;

public:
    using segment_io_type = SegmentIO;
    using clock_type = Clock;
    using observer_type = Observer;
    using iss_type = IssPolicy;
    using profile_type = Profile;
    using statistics_type = statistics_policy;
    using reassembly_type = typename policy_pack::reassembly_type;  // the out-of-order queue (receive_path.hpp)

    // The engine keeps a pointer to its configuration, which must outlive it (with a
    // with_static_config profile: the profile's, and `config_value` must be that object).
    explicit connection(const connection_config& config_value, SegmentIO io_value, Clock clock_value,
                        Observer observer_value, IssPolicy iss_value) noexcept
        : policies_(static_cast<SegmentIO&&>(io_value), static_cast<Clock&&>(clock_value),
                    static_cast<Observer&&>(observer_value), static_cast<IssPolicy&&>(iss_value)),
          config_(config_value) {
        TCPFSM_ASSERT(!config_holder_type::is_static || &config_value == &config_holder_type::default_config(),
                      "tcpfsm::connection: a with_static_config profile takes its own configuration only");
    }
    // The short forms default-construct the ISS policy, which the library's (rfc6528_iss,
    // fixed_iss) are not: they need a secret or a value.
    explicit connection(const connection_config& config_value = config_holder_type::default_config(),
                        SegmentIO io_value = SegmentIO(), Clock clock_value = Clock(),
                        Observer observer_value = Observer()) noexcept
        : connection(config_value, static_cast<SegmentIO&&>(io_value), static_cast<Clock&&>(clock_value),
                     static_cast<Observer&&>(observer_value), default_iss()) {}
    // A temporary configuration would dangle: the engine keeps a pointer to it.
    template <class... Policies>
    connection(const connection_config&& temporary_config, Policies&&...) = delete;

    // ---- the policies ----
    SegmentIO& io() noexcept { return policies_.io(); }
    Clock& clock() noexcept { return policies_.clock(); }
    Observer& observer() noexcept { return policies_.observer(); }
    IssPolicy& iss_policy() noexcept { return policies_.iss(); }
    const connection_config& config() const noexcept { return config_.get(); }
    // The profile's statistics policy (statistics.hpp): counting_statistics's totals, or the
    // empty no_statistics.
    const statistics_policy& statistics() const noexcept { return policies_.statistics(); }
    statistics_policy& statistics() noexcept { return policies_.statistics(); }

    state current_state() const noexcept { return state_; }
    // What is held above RCV.NXT (SACK blocks, most recent first; a FIN): always empty unless
    // the Observer places text (on_place, on_readable).
    const reassembly_type& reassembly() const noexcept { return policies_.reassembly(); }
    // release() was called: the user reads no more (Linux's orphaned socket).
    bool orphaned() const noexcept { return has(orphan_bit); }

    // ---- user calls (§3.10.1 - §3.10.6); each runs the table's row for its event ----

    // OPEN, passive (LISTEN). The ISS is chosen when a SYN arrives, from the four-tuple
    // handed to on_segment with it.
    user_error open_passive() noexcept { return user_call(event::open_passive); }

    // OPEN, active: sends <SEQ=ISS><CTL=SYN>, ISS from the IssPolicy and `tuple` (§3.4.1).
    user_error open_active(const four_tuple& tuple = four_tuple{}) noexcept {
        return user_call(event::open_active, 0, &tuple);
    }

    // SEND: the consumer appended `octets` to its send buffer (§3.10.2). In LISTEN this is
    // an active OPEN too (Figure 5); like open_active it takes the four-tuple.
    // Beyond config().send_buffer_limit octets queued and unacknowledged: "error: insufficient
    // resources", and nothing is queued (where the SEND row would queue; a row that refuses
    // SEND returns its own error).
    user_error send(std::uint32_t octets, const four_tuple& tuple = four_tuple{}) noexcept {
        if (machine_type::step(state_, event::send).actions.intersects(action::queue_data) &&
            std::uint64_t{queued_unacknowledged()} + octets > send_limit(config())) {
            return user_error::insufficient_resources;
        }
        return user_call(event::send, octets, &tuple);
    }

    // RECEIVE: the user took `octets` of the text on_data delivered; the window opens again
    // (§3.10.3, §3.8.6.2.2). In CLOSE-WAIT with nothing held: "error: connection closing".
    // Contract: `octets` =< what on_data delivered and receive() has not taken (receive_held),
    // where the RECEIVE row takes text; checked with TCPFSM_ASSERT (contract.hpp), and without
    // the check the engine takes what it holds.
    user_error receive(std::uint32_t octets = 0) noexcept {
        user_error e = user_call(event::receive, octets);
        if (e == user_error::none && state_ == state::close_wait && receive_held_ == 0 && octets == 0) {
            e = user_error::connection_closing;  // §3.10.3 CLOSE-WAIT: nothing on hand
        }
        return e;
    }

    // CLOSE (§3.10.4): FIN after the queued data. With abortive_close: ABORT.
    user_error close() noexcept { return user_call(config().abortive_close ? event::abort : event::close); }

    // CLOSE, and the user will read no more: the connection is orphaned, like a socket after
    // Linux's close() (CLOSE above is RFC 9293's simplex close, Linux's shutdown(SHUT_WR):
    // the user may still receive, and FIN-WAIT-2 waits for the peer's FIN). An orphaned
    // connection leaves FIN-WAIT-2 after timers.fin_wait_2_ms (tcp_fin_timeout) when the
    // peer's FIN does not come (the table's timeout_fin_wait_2 row). After a CLOSE, release()
    // only marks the connection orphaned (and starts that timer in FIN-WAIT-2).
    user_error release() noexcept {
        if (state_ == state::fin_wait_1 || state_ == state::fin_wait_2 || state_ == state::closing ||
            state_ == state::time_wait) {
            set(orphan_bit);
            if (state_ == state::fin_wait_2 && config().timers.fin_wait_2_timeout &&
                timers_.main_kind() != timer_kind::fin_wait_2) {
                timers_.arm(timer_kind::fin_wait_2, ticks(), config().timers.fin_wait_2_ms);
            }
            return user_error::none;
        }
        const user_error e = close();
        if (e == user_error::none && state_ != state::closed) set(orphan_bit);
        return e;
    }

    // ABORT (§3.10.5).
    user_error abort() noexcept { return user_call(event::abort); }

    // STATUS (§3.10.6): runs the status row (CLOSED: "connection does not exist").
    user_error status(connection_status& out) noexcept {
        const user_error e = user_call(event::status);
        if (e == user_error::none) out = snapshot();
        return e;
    }

    // The same snapshot without a user call.
    connection_status snapshot() const noexcept {
        connection_status s = tcb_status();  // RFC 9293's variables (detail/tcb.hpp)
        s.snd_wscale = wscale_.send_shift();
        s.rcv_wscale = wscale_.receive_shift();
        s.window_scaling = wscale_.enabled();
        s.timestamps = ts_.enabled();
        s.ts_recent = ts_.recent();
        if (s.snd_mss != 0) s.snd_mss = effective_mss();  // text a segment carries (RFC 6691)
        s.srtt_ms = rto_.srtt_ms();
        s.rttvar_ms = rto_.rttvar_ms();
        s.rto_ms = rto_.rto_ms();
        s.retransmits = timers_.retries();
        s.window_probes = persist_backoff_;
        s.backoff = rto_.backoffs();
        s.fin_queued = (flags_ & fin_queued_bit) != 0;
        s.fin_sent = (flags_ & fin_sent_bit) != 0;
        s.cwnd = send_.cwnd();
        s.ssthresh = send_.ssthresh();
        s.recovery = send_.recovery();
        s.sack = sack_.enabled();
        s.sacked = sack_.sacked_octets();
        if (sack_.in_recovery()) s.recovery = recovery_state::recovery;  // RFC 6675's
        return s;
    }

    // ---- segments ----

    // An arriving segment and its text. `tuple` names the connection's four-tuple; it is read
    // only when a SYN arrives in LISTEN, to choose the ISS.
    // Contract: `text` points at seg.text_length readable octets, or is null (on_data then
    // gives null). seg.text_length =< max_segment_text, checked with TCPFSM_ASSERT.
    void on_segment(const segment& seg, const std::uint8_t* text = nullptr,
                    const four_tuple& tuple = four_tuple{}) noexcept {
        receive_segment(seg, no_segment_options, text, tuple, nullptr);
    }
    // The same, with the options the segment carried beside its header (SACK-permitted, SACK
    // blocks, timestamps: options/segment_options.hpp).
    void on_segment(const segment& seg, const segment_options& options, const std::uint8_t* text = nullptr,
                    const four_tuple& tuple = four_tuple{}) noexcept {
        receive_segment(seg, options, text, tuple, nullptr);
    }

    // In LISTEN: an ACK (no SYN) whose SEG.ACK - 1 the listener has checked to be a valid SYN
    // cookie (RFC 4987 §3.6; syn_cookie.hpp). The classifier sees cookie_valid and names the
    // segment rcv_cookie_ack, whose row creates the connection in ESTABLISHED; the numbers
    // the SYN,ACK would have set come from the segment and the cookie: ISS = SEG.ACK - 1,
    // IRS = SEG.SEQ - 1, and `cookie_mss`, the peer's MSS the cookie encodes. Text and FIN in
    // the segment follow as usual. In any other state this is on_segment().
    void on_valid_cookie_ack(const segment& seg, const std::uint8_t* text, const four_tuple& tuple,
                             std::uint16_t cookie_mss) noexcept {
        syn_cookie_check cookie{};
        cookie.valid = true;
        cookie.mss = cookie_mss;
        receive_segment(seg, no_segment_options, text, tuple, &cookie);
    }
    // The same, with the ACK's options and all the cookie says (issue 14 item 5): when
    // `cookie.timestamps` (the SYN,ACK carried TSopt and the ACK echoes it), the options both
    // SYNs carried, read from the TSecr (syn_cookie_options_from_timestamp), are in use as if
    // the handshake had kept a TCB: timestamps (TS.Recent = this ACK's TSval; no RTT sample
    // from its TSecr, whose low 6 bits are no time), window scaling with the peer's shift (and
    // ours from the configuration, as the SYN,ACK announced), SACK. Otherwise none of them.
    void on_valid_cookie_ack(const segment& seg, const segment_options& options, const std::uint8_t* text,
                             const four_tuple& tuple, const syn_cookie_check& cookie) noexcept {
        receive_segment(seg, options, text, tuple, &cookie);
    }

    // What `seg` would be in the current state: the table's events classify() names for it,
    // without running any row (and without asking the observer's listener_takes: a SYN in
    // TIME-WAIT reads as if no listener took it). A listener asks before handing the third segment of a
    // handshake to a child when its accept queue is full (listener.hpp).
    classification classify_segment(const segment& seg) const noexcept { return classify(context(false), seg); }

    // ---- time ----

    // Handles every timer due now (Clock::now()), earliest first.
    void on_timer() noexcept {
        const call_input in = read_clock({0, nullptr, nullptr, nullptr, 0, nullptr, true, &no_segment_options});
        for (int guard = 0; guard < 8; ++guard) {
            const timer_kind kind = timers_.expired(in.now);
            if (kind == timer_kind::none) break;
            const event e = timer_event(in, kind);
            if (e == event::status) continue;  // not an event
            run_row(in, e);
        }
        finish(in);
    }

    // The earliest armed deadline, in the engine's ticks (milliseconds of the Clock, modulo 2^32).
    timer_deadline next_deadline() noexcept { return timers_.next_deadline(ticks()); }

    // Time from now until on_timer() has work; zero if due; max() when no timer runs.
    std::chrono::milliseconds time_to_next_deadline() noexcept {
        const std::uint32_t now = ticks();
        const timer_deadline d = timers_.next_deadline(now);
        if (!d) return std::chrono::milliseconds::max();
        return std::chrono::milliseconds(d.remaining_ms(now));
    }

private:
    // -------------------------------------------------------------------- bookkeeping helpers
    // (the TCB's own are detail::tcb's, detail/tcb.hpp)
    // detail::tcb's receive-window helpers with this connection's configuration and scaling.
    receive_context context(bool cookie_valid) const noexcept { return tcb::context(config(), wscale_, cookie_valid); }
    std::uint32_t receive_space() const noexcept { return tcb::receive_space(config(), wscale_); }
    std::uint16_t window_field(bool syn = false) const noexcept { return tcb::window_field(config(), wscale_, syn); }
    std::uint32_t acceptance_window() const noexcept { return tcb::acceptance_window(config(), wscale_); }
    segment ack_segment() const noexcept { return tcb::ack_segment(config(), wscale_); }
    void consume(std::uint32_t octets) noexcept { tcb::consume(config(), wscale_, octets); }
    void update_receive_window() noexcept { tcb::update_receive_window(config(), wscale_); }
    std::uint32_t ticks() noexcept {
        const auto since_epoch = clock().now().time_since_epoch();
        return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count());
    }
    // The Clock is read once per call (on_segment, a user call, on_timer; a user's Clock may
    // be costly): the call's ticks, ms and us are this reading, and so is the TSval of every
    // segment the call sends (timestamping::set_call_clock).
    call_input read_clock(call_input in) noexcept {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock().now().time_since_epoch()).count();
        in.now_ms = static_cast<std::uint64_t>(us / 1000);
        in.now = static_cast<std::uint32_t>(in.now_ms);
        in.now_us = static_cast<std::uint64_t>(us);
        ts_.set_call_clock(in.now_ms);
        return in;
    }

    // The TCB is deleted (CLOSED) or the connection goes back to LISTEN: every number is
    // forgotten. The RTO estimator starts over too (a new connection, RFC 6298 §2.1).
    void forget_connection() noexcept {
        iss_ = snd_una_ = snd_nxt_ = snd_wnd_ = snd_wl1_ = snd_wl2_ = max_snd_wnd_ = 0;
        rcv_nxt_ = rcv_wnd_ = snd_data_end_ = receive_held_ = 0;
        snd_mss_ = 0;
        flags_ = 0;
        wscale_.reset();
        ts_.reset();
        sack_.reset();
        limiter_.reset();
        ack_.reset();
        persist_backoff_ = 0;
        rto_ = rto_type{};
        rtt_ = rtt_sampler{};
        send_ = send_path_type{};
        timers_.disarm_all();
        queue().reset();
    }

    // -------------------------------------------------------------------- the one transition

    // Runs the table's row for (state_, e): its actions in bit order, then the state change.
    // This is the only function that assigns state_.
    user_error run_row(const call_input& in, event e) noexcept {
        const transition& row = machine_type::step(state_, e);
        const state from = state_;
        const reopen_numbers old{iss_, snd_nxt_, rcv_nxt_};  // for redirect_to_listener, after delete_tcb
        observer().on_row(from, e, row);
        carry_out(in, row.actions, e);
        if (row.to != from) {
            state_ = row.to;
            observer().on_state_change(from, row.to, e);
        }
        signal_user(row.actions);  // after the state change: the user sees the new state
        // The TCB is deleted, or SYN-RECEIVED went back to LISTEN (§3.10.7.4): forget it all.
        if (row.actions.contains(action::delete_tcb) || (row.to == state::listen && from != state::listen)) {
            forget_connection();
        }
        if (row.actions.contains(action::redirect_to_listener) && in.seg != nullptr) {
            observer().on_redirect_to_listener(*in.seg, in.text, old);
        }
        return row.error;
    }

    // on_segment and on_valid_cookie_ack: classify (§3.10.7 step order), then each event's
    // bookkeeping and row.
    void receive_segment(const segment& seg, const segment_options& options, const std::uint8_t* text,
                         const four_tuple& tuple, const syn_cookie_check* cookie) noexcept {
        TCPFSM_ASSERT(seg.text_length <= max_segment_text,
                      "tcpfsm::connection::on_segment: text_length beyond the largest segment (65535)");
        const call_input in = read_clock({0, &seg, text, &tuple, 0, state_ == state::listen ? cookie : nullptr, false, &options});
        receive_context c = context(in.cookie != nullptr);
        // RFC 7323 §5.3 and §3.2, before the acceptability test (timestamps block below).
        const options::paws_verdict paws = check_timestamps(in);
        if (paws == options::paws_verdict::drop_silently) {
            drop_without_timestamp(in);
            return;
        }
        c.paws_rejected = paws == options::paws_verdict::reject;
        // TIME-WAIT: a new SYN above RCV.NXT, or with a newer TSval (RFC 6191 §2), reopens only
        // where a listener takes it (RFC 1122 4.2.2.13); otherwise TIME-WAIT lasts its 2MSL
        // (MUST-13) and ACKs the SYN.
        if (state_ == state::time_wait && config().time_wait_reopen && seg.syn() && !seg.ack_flag() && !seg.rst() &&
            !c.paws_rejected) {
            c.newer_timestamp = ts_.newer_than_recent(in.options->has_timestamps, in.options->ts_val);
            if (seq_gt(seg.seq, rcv_nxt_) || c.newer_timestamp) c.listener_takes_syn = observer().listener_takes(seg);
        }
        const classification k = classify(c, seg);
        count_received(c, seg, k);
        update_ts_recent(in, k);  // RFC 7323 §4.3, before any row answers the segment
        if (state_ != state::closed && state_ != state::listen && k.count > 0 && answers_probes(k.events[0])) {
            probe_answered(in);  // §3.8.4: a data or acknowledgment segment (detail/connection_timers.hpp)
        }
        // Steps seven and eight go through the reassembly queue once, at the segment's first
        // text or FIN event; a FIN the queue reaches runs the FIN row (receive_path.hpp).
        event events[4] = {k.events[0], k.events[1], k.events[2], event::rcv_no_ack};
        std::uint8_t count = k.count;
        bool text_taken = false, fin_reached = false;
        for (std::uint8_t i = 0; i < count; ++i) {
            if (!text_taken && takes_text(events[i], i, seg)) {
                text_taken = true;
                fin_reached = take_segment_text(in);
                count = detail::revise_fin_events(events, count, i, fin_reached);
                if (i >= count) break;
            }
            prepare_segment_event(in, events[i], fin_reached);
            run_row(in, events[i]);
            if (state_ == state::closed || state_ == state::listen) break;  // the TCB is gone
            if (!text_taken && detail::receives_text(state_) && !queue().empty() && release_syn_text(in)) {
                text_taken = fin_reached = true;  // SYN+FIN: nothing follows the FIN
                count = detail::revise_fin_events(events, count, static_cast<std::uint8_t>(i + 1), true);
            }
        }
        finish(in);
    }

    // The statistics policy's view of an arriving segment, before any row runs.
    void count_received(const receive_context& c, const segment& seg, const classification& k) noexcept {
        statistics().on_received(seg);
        if (is_synchronized_or_syn_received(state_)) {
            detail::count_arrival_events(statistics(), c, seg, k, snd_una_, snd_nxt_, snd_wnd_ >> wscale_.send_shift());
        }
    }

    user_error user_call(event e, std::uint32_t octets = 0, const four_tuple* tuple = nullptr) noexcept {
        const call_input in = read_clock({0, nullptr, nullptr, tuple, octets, nullptr, false, &no_segment_options});
        const user_error result = run_row(in, e);
        finish(in);
        return result;
    }

    // -------------------------------------------------------------------- segment bookkeeping
    // What a row cannot say: the numbers of §3.10.7 that change with the event, done where
    // the RFC's step says, before the row (the row then sends with the new numbers).
    void prepare_segment_event(const call_input& in, event e, bool fin_reached) noexcept {
        const segment& seg = *in.seg;
        switch (e) {
            case event::rcv_syn:
                if (state_ == state::listen) {
                    // §3.10.7.2 third: RCV.NXT <- SEG.SEQ + 1, IRS <- SEG.SEQ, select ISS,
                    // SND.NXT <- ISS + 1, SND.UNA <- ISS.
                    rcv_nxt_ = seg.seq + 1u;
                    choose_iss(in);
                    snd_una_ = iss_;
                    snd_nxt_ = iss_;  // send_syn_ack advances it
                    snd_data_end_ = iss_ + 1u;
                    set(passive_bit);
                    take_peer_mss(seg);
                    take_peer_window_scale(seg);
                    take_peer_timestamps(in);
                    sack_.on_peer_syn(in.options->sack_permitted);  // RFC 2018 §2
                    offer_window_scale();  // decided now: the receive window below depends on it
                    open_receive_window();
                    hold_syn_text(in, seg);
                } else if (state_ == state::syn_sent) {
                    // §3.10.7.3 fourth, simultaneous open: RCV.NXT <- SEG.SEQ + 1, IRS <- SEG.SEQ;
                    // SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK.
                    rcv_nxt_ = seg.seq + 1u;
                    update_window(seg, true);
                    take_peer_mss(seg);
                    take_peer_window_scale(seg);
                    take_peer_timestamps(in);
                    sack_.on_peer_syn(in.options->sack_permitted);  // RFC 2018 §2
                    open_receive_window();
                    hold_syn_text(in, seg);
                }
                break;
            case event::rcv_syn_ack:
                if (state_ == state::syn_sent) {
                    // §3.10.7.3 fourth: RCV.NXT <- SEG.SEQ + 1, IRS <- SEG.SEQ, SND.UNA <- SEG.ACK.
                    rcv_nxt_ = seg.seq + 1u;
                    take_peer_mss(seg);
                    take_peer_window_scale(seg);
                    take_peer_timestamps(in);
                    sack_.on_peer_syn(in.options->sack_permitted);  // RFC 2018 §2
                    open_receive_window();
                }
                // SYN-SENT, and SYN-RECEIVED after a simultaneous open (Appendix A.2): the ACK
                // of our SYN; the window comes with it.
                acknowledge(in, seg.ack);
                update_window(seg, true);
                rto_.on_handshake_complete();
                break;
            case event::rcv_cookie_ack: {
                // RFC 4987 §3.6: the TCB the SYN,ACK would have left, rebuilt from the cookie
                // ACK: IRS = SEG.SEQ - 1 so RCV.NXT = SEG.SEQ; ISS = SEG.ACK - 1 and SND.NXT =
                // ISS + 1; the peer's MSS from the cookie. Then the fifth step's SYN-RECEIVED
                // part: SND.UNA <- SEG.ACK, SND.WND <- SEG.WND, SND.WL1, SND.WL2.
                rcv_nxt_ = seg.seq;
                iss_ = seg.ack - 1u;
                snd_una_ = iss_;
                snd_nxt_ = iss_ + 1u;
                snd_data_end_ = iss_ + 1u;
                set(passive_bit);
                segment options{};
                options.mss = in.cookie->mss;
                take_peer_mss(options);
                take_cookie_options(in);
                open_receive_window();
                acknowledge(in, seg.ack);
                update_window(seg, true);
                rto_.on_handshake_complete();
                break;
            }
            case event::rcv_ack_of_syn:
            case event::rcv_ack_of_syn_passive:
                // §3.10.7.4 fifth, SYN-RECEIVED: SND.UNA <- SEG.ACK; SND.WND <- SEG.WND,
                // SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK.
                acknowledge(in, seg.ack);
                update_window(seg, true);
                rto_.on_handshake_complete();
                break;
            case event::rcv_ack:
            case event::rcv_ack_of_fin:
            case event::rcv_fin_ack_of_fin:
                // §3.10.7.3 fifth, SYN-SENT: "If neither of the SYN or RST bits is set, then
                // drop the segment and return": SND.UNA moves only with the SYN (fourth step).
                if (state_ == state::syn_sent) break;
                // §3.10.7.4 fifth, ESTABLISHED processing: SND.UNA < SEG.ACK =< SND.NXT
                // advances SND.UNA; SND.UNA =< SEG.ACK =< SND.NXT may update the window.
                {
                    // The first ACK of our SYN can arrive here, after CLOSE in SYN-RECEIVED
                    // (FIN-WAIT-1): it sets the window as the fifth step's SYN-RECEIVED part
                    // says (SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK).
                    const bool acks_syn = !has(syn_acked_bit) && seq_in_open_closed(snd_una_, seg.ack, snd_nxt_);
                    if (has(syn_acked_bit) && seq_in_closed(snd_una_, seg.ack, snd_nxt_)) {
                        take_data_ack(in, seg);  // the data phase: congestion control, loss recovery
                    } else if (seq_in_open_closed(snd_una_, seg.ack, snd_nxt_)) {
                        acknowledge(in, seg.ack);
                    }
                    if (seq_in_closed(snd_una_, seg.ack, snd_nxt_)) update_window(seg, acks_syn);
                    if (acks_syn) rto_.on_handshake_complete();
                }
                if (e == event::rcv_fin_ack_of_fin && fin_reached) rcv_nxt_ += 1u;  // §3.10.7.4 eighth
                break;
            case event::rcv_data:
                // §3.10.7.4 seventh: the text went through take_segment_text (CLOSE-WAIT,
                // CLOSING, LAST-ACK, TIME-WAIT: "Ignore the segment text").
                break;
            case event::rcv_fin:
                // §3.10.7.4 eighth: advance RCV.NXT over the FIN the queue reached (a
                // retransmitted FIN in TIME-WAIT, or a second FIN after the first, moves nothing).
                if (fin_reached && !has_received_fin(state_)) rcv_nxt_ += 1u;
                break;
            default:
                break;
        }
    }

    void choose_iss(const call_input& in) noexcept {
        const four_tuple none{};
        iss_ = static_cast<std::uint32_t>(policies_.iss()(in.tuple != nullptr ? *in.tuple : none, in.now_us));
        // RFC 7323 §5.4: the TSval offset, keyed by the four-tuple as the ISS (timestamping.hpp).
        ts_.set_offset(
            detail::iss_timestamp_offset<IssPolicy>::get(policies_.iss(), in.tuple != nullptr ? *in.tuple : none));
    }

    // Issue 14 item 5: the options a cookie ACK's TSecr kept (detail/connection_options.hpp).
    void take_cookie_options(const call_input& in) noexcept;

    // The initial window the data phase began with (RFC 5681 §3.1: one segment after a
    // retransmitted SYN; RFC 6928's or connection_config::initial_window_segments' otherwise),
    // for the policy's restart after idle: the engine keeps no copy of its own.
    std::uint32_t initial_window_octets() const noexcept {
        if (has(syn_retransmitted_bit)) return effective_mss();
        return initial_window(config().initial_window_segments, effective_mss());
    }

    // §3.7.1: the send MSS from the peer's option (connection_config.hpp, send_mss).
    void take_peer_mss(const segment& seg) noexcept { snd_mss_ = send_mss(config(), seg.mss); }
    // RFC 7323 §2.2: the Window Scale option of the SYN (or SYN,ACK) taken in LISTEN or SYN-SENT.
    void take_peer_window_scale(const segment& seg) noexcept {
        if (wscale_.on_peer_syn(seg).clamped) statistics().on_event(statistic::window_scale_clamped);
    }
    // The option our SYN or SYN,ACK carries (window_scaling.hpp).
    std::uint8_t offer_window_scale() noexcept {
        return wscale_.offer(has(passive_bit), config().window_scaling, window_shift(config()));
    }

    // The receive window opens; quick-ACK mode for the connection's first text (ack_timing.hpp).
    void open_receive_window() noexcept {
        rcv_wnd_ = wscale_.opening_window(receive_space());
        ack_.enter_quick_ack(quick_ack_count(rcv_wnd_, effective_mss()));
    }

    // SND.UNA <- ack (the caller checked SND.UNA < ack =< SND.NXT). RFC 6298 §5.2/5.3, Karn.
    // `restart`: restart the retransmission timer for what is outstanding (5.3); false
    // leaves a running one running (RFC 6582's "Impatient" partial ACKs). Returns the RTT
    // sample the ACK gave (Karn's rule: only from a segment never retransmitted).
    rtt_sample acknowledge(const call_input& in, std::uint32_t ack, bool restart = true) noexcept {
        if (!seq_lt(snd_una_, ack)) return {false, 0};
        std::uint32_t octets = ack - snd_una_;
        const bool acks_syn = !has(syn_acked_bit) && seq_lt(iss_, ack);
        if (acks_syn) {
            set(syn_acked_bit);
            --octets;  // the SYN is not data
        }
        if (has(fin_sent_bit) && ack == snd_nxt_ && octets > 0) --octets;  // nor is the FIN
        // Was the SYN (or SYN,ACK) retransmitted? Its timeouts are the only backoffs so far.
        const bool syn_retransmitted = acks_syn && rto_.backoffs() != 0;
        rtt_sample sample = rtt_.on_ack(ack, in.now);
        // RFC 7323 §4.1: with timestamps, the sample is TSecr's (retransmissions included),
        // with §4.2's gains; Karn's sampler only for an ACK without a usable TSecr.
        const rtt_sample echo = timestamp_rtt_sample(in);
        if (echo) {
            sample = echo;
            const std::uint32_t n = options::expected_samples(snd_nxt_ - snd_una_, effective_mss());  // §4.2
            detail::rto_sample_with_gains(rto_, echo.rtt_ms, n, 0);
        } else if (sample) {
            rto_.on_rtt_sample(sample.rtt_ms);  // collapses a backed-off RTO (§5, Karn)
        }
        snd_una_ = ack;
        if (acks_syn) {
            if (syn_retransmitted) set(syn_retransmitted_bit);
            send_.start(effective_mss(), initial_window(config().initial_window_segments, effective_mss()),
                        syn_retransmitted, in.now, in.now_us);
            if (syn_retransmitted && snd_una_ != snd_nxt_) send_.go_back_n_after_syn_timeout(snd_una_, snd_nxt_);
        }
        if (octets > 0) observer().on_acked(octets);
        // Progress: the retransmission counter starts over, and the timer restarts for what
        // is still outstanding (§5.3) or stops (§5.2; finish() re-arms the idle timers).
        const timer_kind owner = timers_.main_kind();
        if (owner == timer_kind::persist || (owner == timer_kind::retransmission && (restart || snd_una_ == snd_nxt_))) {
            timers_.disarm(owner);
        } else if (owner == timer_kind::retransmission) {
            timers_.reset_retries();  // progress: R1/R2 count afresh
        }
        if (snd_una_ != snd_nxt_ && !timers_.armed(timer_kind::retransmission)) {
            arm_rto(in, rto_.rto_ms());
        }
        if (config().timers.user_timeout_ms != 0) {
            timers_.disarm(timer_kind::user);  // progress; finish() re-arms while data is out
        }
        return sample;
    }

    // §3.10.7.4 fifth step, an acceptable ACK of the data phase (SND.UNA =< SEG.ACK =<
    // SND.NXT), with congestion control and loss recovery (send_path.hpp): duplicate ACKs
    // (RFC 5681 §2), fast retransmit and recovery (§3.2, RFC 6582), limited transmit (RFC
    // 3042), F-RTO (RFC 5682), the policy's growth (RFC 5681 §3.1, RFC 3465). Called before
    // update_window: clause (e) compares SEG.WND with the window of the last ACK.
    void take_data_ack(const call_input& in, const segment& seg) noexcept {
        // A zero-window probe's ACKs are no sign of loss (docs/loss_recovery.md step 1).
        const bool probing = timers_.main_kind() == timer_kind::persist;
        const std::uint32_t seg_wnd = wscale_.received_window(seg);  // RFC 7323 §2.3
        bool dup = !probing && is_duplicate_ack(snd_una_, snd_nxt_, seg.ack, seg.text_length, seg.syn(),
                                                seg.fin(), seg_wnd, snd_wnd_);
        const std::uint32_t smss = effective_mss();
        // With SACK, RFC 6675 recovery replaces NewReno's fast recovery (after a timeout,
        // NewReno's loss state and F-RTO still see the duplicates).
        const sack::sender_ack sa = sack_.on_ack(seg.ack, snd_una_, snd_nxt_, *in.options, smss, rack_input(in, dup));
        if (sack_.enabled() && send_.recovery() != recovery_state::loss) dup = false;
        const bool sendable = unsent() > 0 && may_send_data() && seq_lt(snd_nxt_, seg.ack + seg_wnd);
        const std::uint32_t in_flight = snd_nxt_ - snd_una_;
        const bool cwnd_limited = std::uint64_t{send_.pipe(snd_una_, snd_nxt_)} + smss > send_.cwnd();
        const std::uint64_t now_us = in.now_us;
        recovery_response r = send_.before_ack({seg.ack, snd_una_, snd_nxt_, smss, dup, sendable}, now_us);
        // RFC 6675 §5 (4.2): ssthresh from the policy; RFC 6937: RecoverFS = SND.NXT - SND.UNA.
        if (sa.step.entered) sack_.start_recovery(send_.on_sack_recovery_start(in_flight, smss, now_us), in_flight);
        const bool spurious = detect_spurious_retransmission(in, sa, r);  // RFC 3522, 3708: detail/connection_undo.hpp
        if (sack_.in_recovery() || sa.step.ended) r.grow_cwnd = false;  // PRR sets the rate (RFC 6937)
        const std::uint32_t acked = seg.ack - snd_una_;
        // The policy's RTT sample: from the segments timed for it on every ACK (RFC 9406
        // §4.2, send_path.hpp) when it asks for them, else Karn's one per RTT.
        const std::uint32_t probe_ms = send_.take_rtt_probe(seg.ack, in.now);
        const rtt_sample sample = acknowledge(in, seg.ack, r.restart_timer);
        const std::uint32_t srtt_us = rto_.srtt_ms() * 1000u;
        const std::uint32_t policy_rtt_ms = probe_ms != send_path_type::no_rtt_probe ? probe_ms
                                            : sample                                  ? sample.rtt_ms
                                                                                      : send_path_type::no_rtt_probe;
        const std::uint32_t rtt_us = policy_rtt_ms == send_path_type::no_rtt_probe ? 0u
                                     : policy_rtt_ms == 0                         ? 1u
                                     : policy_rtt_ms < 4294967u                   ? policy_rtt_ms * 1000u
                                                                                  : 4294967000u;
        send_.after_ack(r, congestion::ack_sample{acked, snd_una_, snd_nxt_, in_flight, rtt_us, srtt_us, smss,
                                                  cwnd_limited, now_us});
        // RFC 5681 §3.2 step 2 (the third duplicate), RFC 6582 §3.2 step 3 (a partial ACK):
        // the first unacknowledged segment again, now. Output, like new data: no row.
        if (r.fast_retransmit || r.retransmit_first_unacked) retransmit_oldest(in);
        if (r.fast_retransmit) arm_rto(in, rto_.rto_ms());
        after_sack_ack(in, sa, now_us);
        take_probe_outcome(sa, in_flight, now_us);  // RFC 8985 §7.4 (detail/connection_rack.hpp)
        if (spurious) send_.undo_spurious(now_us);  // after any exit from recovery on this ACK
    }
    bool detect_spurious_retransmission(const call_input& in, const sack::sender_ack& sa, recovery_response& r) noexcept;

    // ---- SACK sender (RFC 6675 with PRR, RFC 6937; RFC 8985; selective_acknowledgment.hpp),
    // defined in detail/connection_sack.hpp: the steps after an ACK, the output in recovery,
    // go-back-N past SACKed octets.
    void after_sack_ack(const call_input& in, const sack::sender_ack& a, std::uint64_t now_us) noexcept;
    bool sack_output(const call_input& in) noexcept;
    void go_back_n(const call_input& in, std::uint32_t seq, std::uint32_t length) noexcept;
    // Octets of new data cwnd admits: send_path's (cwnd - FlightSize, limited transmit),
    // or with SACK cwnd - SetPipe() (RFC 6675 §5 (3.3), (C): SACKed octets have left the
    // network), except after a timeout (go-back-N's own accounting).
    std::uint32_t send_room() const noexcept {
        if (!sack_.enabled() || send_.recovery() == recovery_state::loss) {
            return send_.room(snd_una_, snd_nxt_, effective_mss());
        }
        const std::uint32_t w = send_.cwnd(), pipe = sack_.pipe(snd_una_, snd_nxt_, effective_mss());
        return w > pipe ? w - pipe : 0u;
    }
    // §3.10.7.4 fifth: "If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK),
    // set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
    void update_window(const segment& seg, bool initial) noexcept {
        if (initial || seq_lt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && seq_le(snd_wl2_, seg.ack))) {
            if (seg.window == 0 && (initial || snd_wnd_ != 0)) statistics().on_event(statistic::zero_window_seen);
            snd_wnd_ = wscale_.received_window(seg);  // SEG.WND << Snd.Wind.Shift (RFC 7323 §2.3)
            snd_wl1_ = seg.seq;
            snd_wl2_ = seg.ack;
            if (snd_wnd_ > max_snd_wnd_) max_snd_wnd_ = snd_wnd_;
        }
    }

    // §3.10.7.4 seventh and eighth steps: the text and FIN of a segment go through the
    // reassembly queue (receive_path.hpp, docs/reassembly.md "How the engine calls it").
    reassembly_type& queue() noexcept { return policies_.reassembly(); }
    // Text past SEG.SEQ (and the SYN) to the queue; the consumer places the new octets, RCV.NXT
    // moves over what became readable. Returns whether the FIN takes effect now.
    bool take_segment_text(const call_input& in) noexcept {
        const segment& seg = *in.seg;
        const std::uint32_t first = seg.seq + (seg.syn() ? 1u : 0u);
        const auto r = queue().on_segment(rcv_nxt_, acceptance_window(), first, seg.text_length, seg.fin());
        if (r.dropped_for_capacity) {
            observer().on_drop(drop_reason::text_out_of_order);
        } else if (r.beyond_window && seg.text_length > 0) {
            observer().on_drop(drop_reason::text_beyond_window);  // "trimmed to only the portion within the window"
        }
        sack_.note_duplicate(r.dsack);  // RFC 2883: reported by the next ACK
        accept_text(in, r);
        // RFC 5681 §4.2: out-of-order -> an immediate duplicate ACK; a gap filled -> an
        // immediate ACK; a duplicate too (Linux's tcp_send_dupack); then quick ACKs while the
        // sender recovers (ack_timing.hpp).
        if (r.immediate_ack()) {
            ack_.owe_now();
            ack_.enter_quick_ack(quick_ack_count(rcv_wnd_, effective_mss()));
        }
        return r.fin_reached;
    }
    template <class Result>
    void accept_text(const call_input& in, const Result& r) noexcept {
        detail::hand_over(observer(), r, in.text);
        if (r.readable == 0) return;
        rcv_nxt_ += r.readable;
        rcv_wnd_ = r.readable < rcv_wnd_ ? rcv_wnd_ - r.readable : 0u;
        receive_held_ += r.readable;
        ack_.on_text(r.readable);
    }
    // §3.10.7.2 (LISTEN: "queued for processing later"), §3.10.7.3 (SYN-SENT, simultaneous
    // open): the SYN's text is placed now, readable at ESTABLISHED (release_syn_text).
    void hold_syn_text(const call_input& in, const segment& seg) noexcept {
        if (seg.text_length == 0 && !seg.fin()) return;
        const auto r = queue().hold_syn_text(rcv_nxt_, rcv_wnd_, seg.text_length, seg.fin());
        detail::hand_over(observer(), r, in.text);
    }
    // ESTABLISHED (or FIN-WAIT-1) reached: held SYN text becomes readable and is owed an
    // ACK. Returns whether a FIN held with it takes effect now.
    bool release_syn_text(const call_input& in) noexcept {
        const auto r = queue().release(rcv_nxt_);
        if (r.readable > 0 || r.fin_reached) ack_.owe_now();
        accept_text(in, r);
        return r.fin_reached;
    }

    // -------------------------------------------------------------------- actions

    void carry_out(const call_input& in, action_set a, event e) noexcept {
        using namespace action;
        if (a.empty()) return;
        if (a.intersects(send_syn)) send_syn_segment(in, false);
        if (a.intersects(send_syn_ack)) send_syn_segment(in, true);
        if (a.intersects(send_ack)) {
            if (e == event::rcv_unacceptable) note_old_duplicate(*in.seg);
            if (e == event::rcv_unacceptable && out_of_window_ack_counts(*in.seg) &&
                !limiter_.allow(config().out_of_window_ack_limit, config().challenge_ack_interval_ms, in.now)) {
                observer().on_drop(drop_reason::out_of_window_ack_rate_limited);
            } else {
                if (e == event::rcv_data) ack_.owe_delayable();  // in-order text: may wait (§3.8.6.3)
                else ack_.owe_now();
            }
        }
        if (a.intersects(send_fin)) set(fin_queued_bit);  // output() sends it after the data (§3.10.4)
        if (a.intersects(send_rst)) send_reset(in, e);
        if (a.intersects(send_challenge_ack)) send_challenge(in);
        if (a.intersects(retransmit)) retransmit_oldest(in);
        if (a.intersects(send_keepalive_probe)) send_keepalive();
        if (a.intersects(send_window_probe)) send_probe(in);
        if (a.intersects(queue_data)) snd_data_end_ += in.octets;  // SEND: octets appended
        if (a.intersects(deliver_data) && e == event::receive) consume(in.octets);
        if (a.intersects(stop_timers)) timers_.disarm_all();
        if (a.intersects(stop_retransmission_timer)) timers_.disarm(timer_kind::retransmission);
        if (a.intersects(start_retransmission_timer)) {
            // RFC 6298 §5.1: started if not running; §5.6: restarted after an expiry.
            if (e == event::timeout_retransmit || !timers_.armed(timer_kind::retransmission)) {
                if (snd_una_ != snd_nxt_) arm_rto(in, rto_.rto_ms());
            }
        }
        if (a.intersects(start_time_wait_timer) || a.intersects(restart_time_wait_timer)) {
            timers_.arm(timer_kind::time_wait, in.now, config().timers.time_wait_ms());
        }
        if (a.intersects(start_fin_wait_2_timer) && config().timers.fin_wait_2_timeout && has(orphan_bit)) {
            timers_.arm(timer_kind::fin_wait_2, in.now, config().timers.fin_wait_2_ms);
        }
        if (a.intersects(start_keepalive_timer) && config().timers.keepalive) {
            // After a probe: the probe interval; otherwise (connection established) the idle time.
            const bool probing = e == event::timeout_keepalive;
            timers_.arm(timer_kind::keepalive, in.now,
                        probing ? config().timers.keepalive_interval_ms : config().timers.keepalive_idle_ms);
        }
        // Signals, delete_tcb and redirect_to_listener: run_row, after the state change.
    }

    void signal_user(action_set a) noexcept {
        using namespace action;
        if (a.intersects(signal_connected)) observer().on_signal(user_signal::connected);
        if (a.intersects(signal_accepted)) observer().on_signal(user_signal::accepted);
        if (a.intersects(signal_closing)) observer().on_signal(user_signal::closing);
        if (a.intersects(signal_reset)) observer().on_signal(user_signal::reset);
        if (a.intersects(signal_refused)) observer().on_signal(user_signal::refused);
        if (a.intersects(signal_timed_out)) observer().on_signal(user_signal::timed_out);
        if (a.intersects(signal_closed)) observer().on_signal(user_signal::closed);
    }

    void emit(const segment& s, std::uint32_t text_offset = 0, bool retransmission = false) noexcept {
        // RFC 7323 §2.4: RCV.WND now reaches the right edge this window advertises.
        if (wscale_.receive_shift() != 0 && !s.syn() && !s.rst()) rcv_wnd_ = wscale_.advertised_window(s.window, false);
        statistics().on_sent(s, retransmission);
        outgoing_segment out;
        out.header = s;
        out.text_offset = text_offset;
        fill_timestamps(out);  // first of out.options (RFC 7323 §3.2)
        add_sack_option(out);
        io().send(out);
    }

    // ---- SACK (RFC 2018, RFC 2883; selective_acknowledgment.hpp) ----
    // SACK-permitted on our SYN or SYN,ACK (§2); on every other ACK of a SACK connection the
    // D-SACK block and the held out-of-order ranges, most recent first (§4), as many as fit
    // beside the options already filled (timestamps: 3, else 4).
    void add_sack_option(outgoing_segment& out) noexcept {
        const segment& s = out.header;
        if (s.rst()) return;
        if (s.syn()) {
            out.options.sack_permitted = sack_.offer(s.ack_flag(), config().sack);
        } else if (s.ack_flag()) {
            sack_.blocks_for_ack(out.options.sack, queue(), sack_blocks_beside(s, out.options.has_timestamps));
        }
    }
    // RFC 6691: how many SACK blocks fit beside `s`'s text (detail/connection_options.hpp).
    std::size_t sack_blocks_beside(const segment& s, bool timestamps) const noexcept;
    // RFC 2883 §4.1.1: text wholly below RCV.NXT (an unacceptable segment, answered by an ACK).
    void note_old_duplicate(const segment& seg) noexcept {
        if (seg.text_length != 0 && seq_le(seg.seq + seg.text_length, rcv_nxt_)) {
            sack_.note_duplicate(seq_block{seg.seq, seg.seq + seg.text_length});
        }
    }

    // <SEQ=ISS><CTL=SYN> (§3.10.1) or <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> (§3.10.7.2, .3),
    // with our MSS (§3.7.1). The first one picks the ISS (active OPEN) and sets SND.NXT.
    void send_syn_segment(const call_input& in, bool with_ack) noexcept {
        if (state_ == state::closed || (state_ == state::listen && !with_ack)) {
            choose_iss(in);  // active OPEN (CLOSED or LISTEN: §3.10.1, §3.10.2)
            snd_una_ = iss_;
            snd_nxt_ = iss_;  // advanced below
            snd_data_end_ = iss_ + 1u;  // SEND's octets (queue_data) follow the SYN
            clear(passive_bit);
            if (rcv_wnd_ == 0) open_receive_window();
        }
        segment s;
        s.seq = iss_;
        s.flags = with_ack ? static_cast<std::uint8_t>(ctl::syn | ctl::ack) : ctl::syn;
        s.ack = with_ack ? rcv_nxt_ : 0u;
        s.window = window_field(true);  // never scaled on a SYN (RFC 7323 §2.2)
        s.mss = config().mss;
        s.window_scale = offer_window_scale();
        ts_.offer(has(passive_bit), config().timestamps);  // RFC 7323 §3.2: TSopt on it (emit)
        const bool first = snd_nxt_ == iss_;
        if (first) {
            snd_nxt_ = iss_ + 1u;
            rtt_.start(iss_, in.now);  // time the SYN (Karn: dropped on retransmission)
        } else {
            rtt_.on_retransmit();
        }
        emit(s, 0, !first);
    }

    // §3.5.2 / §3.10.7: the RST that answers a segment: <SEQ=SEG.ACK><CTL=RST> if it had an
    // ACK, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. For ABORT and keepalive
    // exhaustion: <SEQ=SND.NXT><CTL=RST> (§3.10.5).
    void send_reset(const call_input& in, event e) noexcept {
        segment s;
        if (is_segment(e) && in.seg != nullptr) {
            const segment& seg = *in.seg;
            if (seg.rst()) return;  // §3.5.2: never answer an RST
            s = reset_answering(seg);
        } else {
            s.seq = snd_nxt_;
            s.flags = ctl::rst;
        }
        emit(s);
    }

    void send_ack_now() noexcept {
        update_receive_window();
        emit(ack_segment());
        ack_carried();
    }
    // RFC 5961 §3.2, §4.2, §5.2, throttled per §7 (invalid_ack_limiter.hpp).
    void send_challenge(const call_input& in) noexcept {
        if (!limiter_.allow(config().challenge_ack_limit, config().challenge_ack_interval_ms, in.now)) {
            observer().on_drop(drop_reason::challenge_ack_rate_limited);
            return;
        }
        statistics().on_event(statistic::challenge_ack_sent);
        send_ack_now();
    }

    // §3.8.4: <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no text (Linux's tcp_xmit_probe_skb).
    void send_keepalive() noexcept {
        segment s = ack_segment();
        s.seq = snd_nxt_ - 1u;
        emit(s);
    }

    // The oldest unacknowledged segment again: the SYN,ACK if our SYN is not acknowledged
    // (SYN-RECEIVED closed early), else up to one MSS of data from SND.UNA, with the FIN if
    // it fits, or the FIN alone.
    void retransmit_oldest(const call_input& in) noexcept {
        if (snd_una_ == snd_nxt_) return;
        if (!has(syn_acked_bit) && snd_una_ == iss_) {
            rtt_.on_retransmit();
            if (has_received_syn(state_)) send_syn_segment(in, true);
            else send_syn_segment(in, false);
            return;
        }
        const std::uint32_t data_outstanding = (has(fin_sent_bit) ? snd_nxt_ - 1u : snd_nxt_) - snd_una_;
        const std::uint32_t length = data_outstanding < effective_mss() ? data_outstanding : effective_mss();
        resend(in, snd_una_, length + (length == data_outstanding && has(fin_sent_bit) ? 1u : 0u));
    }

    // [seq, seq + length) of sequence space (SND.UNA =< seq, seq + length =< SND.NXT) again:
    // its text from the send buffer, and the FIN when the range ends at it. Karn's rule in
    // its precise form (only the timing of this range stops, RFC 6298 §3), so that new data
    // sent meanwhile can still give the RTT sample that collapses a backed-off RTO.
    void resend(const call_input& in, std::uint32_t seq, std::uint32_t length) noexcept {
        const bool fin = has(fin_sent_bit) && length > 0 && seq + length == snd_nxt_;
        const std::uint32_t text = fin ? length - 1u : length;
        rtt_.on_retransmit(seq, length);
        send_.on_resent(seq, length, ts_.enabled() ? ts_.call_tsval() : 0u);  // counted for undo
        segment s = ack_segment();
        s.seq = seq;
        s.text_length = text;
        if (fin) s.flags = static_cast<std::uint8_t>(s.flags | ctl::fin);
        if (text > 0) s.flags = static_cast<std::uint8_t>(s.flags | ctl::psh);
        update_receive_window();
        s.window = window_field();
        emit(s, seq - snd_una_, true);
        sack_.on_transmitted(seq, length, true, in.now_us, config().rack);  // RFC 8985 §6.1
        send_.on_retransmitted(seq, length);
        ack_carried();
    }

    // §3.8.6.1 zero-window probe: one octet beyond the window (new data, or the octet already
    // probed with, again), sent even though the window is zero.
    void send_probe(const call_input& in) noexcept {
        const std::uint32_t right = snd_una_ + snd_wnd_;
        const std::uint32_t window = seq_lt(snd_nxt_, right) ? right - snd_nxt_ : 0u;
        if (window > 0 && unsent() > 0 && may_send_data()) {
            // Not a zero window but one too small for the sender's SWS rule (§3.8.6.2.1): the
            // persist timer is its override timeout; send what fits.
            std::uint32_t length = unsent() < window ? unsent() : window;
            if (length > effective_mss()) length = effective_mss();
            send_data(in, length, has(fin_queued_bit) && length == unsent());
            return;
        }
        if (snd_una_ != snd_nxt_) {  // the probe octet (or more) is outstanding: send it again
            segment s = ack_segment();
            s.seq = snd_una_;
            s.text_length = 1;
            emit(s, 0, true);
            return;
        }
        if (unsent() == 0) return;
        segment s = ack_segment();
        s.text_length = 1;
        emit(s, 0);
        snd_nxt_ += 1u;
    }

    // -------------------------------------------------------------------- output
    // After every input: send what the window allows (sender SWS avoidance and Nagle,
    // §3.8.6.2.1, §3.7.4), the FIN after the data, the ACK owed; then the idle timers.
    void finish(const call_input& in) noexcept {
        if (ack_.turn_open()) {
            // One segment per turn: the turn's output waits for its end (on_timer; the slot is
            // re-armed if a row stopped the timers), or goes now once the state defers no more.
            if (!in.turn_end && ack_waits_for_turn()) {
                if (!timers_.armed(timer_kind::delayed_ack)) timers_.arm(timer_kind::delayed_ack, in.now, 0);
                return;
            }
            ack_.end_turn();
            ack_.owe_now();
        }
        output(in);
        send_.on_output_done();
        // §3.8.6.3 (ack_timing.hpp): at once; or delayed, at least every second full-sized
        // segment (SHLD-19), within delayed_ack_ms < 0.5 s (MUST-40).
        const ack_decision d = ack_.decide(config().timers.delayed_ack, effective_mss());
        if (d == ack_decision::send) {
            send_ack_owed(in);
        } else if (d == ack_decision::arm_delayed) {
            if (!timers_.armed(timer_kind::delayed_ack)) {
                timers_.arm(timer_kind::delayed_ack, in.now, config().timers.delayed_ack_ms);
            }
            ack_.delayed();
        }
        arm_idle_timers(in);
    }

    // The ACK owed now: at once, or with ack_per_turn at the end of the consumer's turn (the
    // delayed-ACK slot armed at now), where the state's timeout_delayed_ack row sends an ACK.
    void send_ack_owed(const call_input& in) noexcept {
        if (!in.turn_end && ack_waits_for_turn()) {
            timers_.arm(timer_kind::delayed_ack, in.now, 0);
            ack_.open_turn();
            return;
        }
        send_ack_now();
    }
    bool ack_waits_for_turn() const noexcept {
        return config().ack_per_turn &&
               machine_type::step(state_, event::timeout_delayed_ack).actions.intersects(action::send_ack);
    }

    void output(const call_input& in) noexcept {
        // After a timeout, go-back-N from SND.UNA as far as cwnd allows (RFC 5681 §3.1,
        // send_path.hpp), before any new data; the FIN too, in any state.
        if (send_.recovery() == recovery_state::loss && has(syn_acked_bit) && snd_una_ != snd_nxt_) {
            for (retransmission g = send_.next_retransmission(snd_una_, snd_nxt_, effective_mss()); g.length != 0;
                 g = send_.next_retransmission(snd_una_, snd_nxt_, effective_mss())) {
                go_back_n(in, g.seq, g.length);
            }
        }
        if (sack_output(in)) return;
        if (!may_send_data()) {
            // SYN-RECEIVED closed with nothing queued: the FIN goes now (§3.10.4).
            if (state_ == state::fin_wait_1 && has(fin_queued_bit) && !has(fin_sent_bit) && unsent() == 0) {
                send_fin_segment(in);
            }
            return;
        }
        // §3.8.6.1: the window opened while the zero-window probe octet was not taken (the
        // ACK is still SND.UNA): it goes again as the first octet of the data, rather than
        // leaving a hole the receiver must wait an RTO for.
        if (timers_.main_kind() == timer_kind::persist && snd_nxt_ - snd_una_ == 1u && snd_wnd_ > 0 &&
            !has(fin_sent_bit)) {
            snd_nxt_ = snd_una_;
            rtt_.on_retransmit();
            send_.on_resent();
            timers_.disarm(timer_kind::persist);
        }
        // Idle: the policy may restart its window before new data goes (RFC 5681 §4.1).
        if (snd_una_ == snd_nxt_ && unsent() > 0 && seq_lt(snd_nxt_, snd_una_ + snd_wnd_)) {
            send_.on_idle_send(in.now, rto_.rto_ms(), initial_window_octets(), in.now_us);
        }
        // As many segments as the window, cwnd (RFC 5681; limited transmit's allowance, RFC
        // 3042), SWS avoidance and Nagle allow: each one sent advances SND.NXT, so the loop
        // ends when a window or the queue is used up.
        for (;;) {
            const std::uint32_t queued = unsent();
            const std::uint32_t in_flight = snd_nxt_ - snd_una_;
            const std::uint32_t right = snd_una_ + snd_wnd_;
            const std::uint32_t window = seq_lt(snd_nxt_, right) ? right - snd_nxt_ : 0u;
            const std::uint32_t room = send_room();
            const std::uint32_t usable = window < room ? window : room;
            std::uint32_t length = queued < usable ? queued : usable;
            if (length > effective_mss()) length = effective_mss();
            // cwnd, not the peer's window, cuts the segment short: wait for a full one (cwnd
            // counts whole segments in Linux); with nothing in flight cwnd is at least SMSS.
            if (room < window && length == room && length < queued && length < effective_mss()) return;
            const bool fin_next = has(fin_queued_bit) && !has(fin_sent_bit) && length == queued;
            if (length == 0) {
                // The FIN follows the data, but not beyond the right edge of the window while
                // the zero-window probe octet is out: the persist timer keeps the connection
                // (MUST-37), a retransmission timer would give up at R2.
                if (fin_next && queued == 0 && !seq_lt(snd_una_ + snd_wnd_, snd_nxt_)) send_fin_segment(in);
                return;
            }
            // §3.8.6.2.1 (sender SWS avoidance) and Nagle (§3.7.4): a full segment; or all
            // that is queued when nothing is in flight (or Nagle is off); or at least half the
            // largest window the peer has offered.
            const bool full = length >= effective_mss();
            const bool all = length == queued && (in_flight == 0 || !config().nagle || fin_next);
            const bool half_window =
                (in_flight == 0 || !config().nagle) && max_snd_wnd_ > 0 && length >= max_snd_wnd_ / 2;
            if (!(full || all || half_window)) return;
            send_data(in, length, fin_next);
        }
    }

    void send_data(const call_input& in, std::uint32_t length, bool with_fin) noexcept {
        update_receive_window();
        segment s = ack_segment();
        s.text_length = length;
        s.flags = static_cast<std::uint8_t>(s.flags | ctl::psh | (with_fin ? ctl::fin : 0u));
        const std::uint32_t offset = snd_nxt_ - snd_una_;
        if (!rtt_.timing()) rtt_.start(snd_nxt_, in.now);
        snd_nxt_ += length + (with_fin ? 1u : 0u);
        if (with_fin) set(fin_sent_bit);
        send_.on_data_sent(in.now, snd_una_ + offset, snd_nxt_);
        sack_.on_transmitted(snd_una_ + offset, length + (with_fin ? 1u : 0u), false, in.now_us, config().rack);
        emit(s, offset);
        ack_carried();
        if (!timers_.armed(timer_kind::retransmission)) arm_rto(in, rto_.rto_ms());
    }

    void send_fin_segment(const call_input& in) noexcept {
        segment s = ack_segment();
        s.flags = static_cast<std::uint8_t>(s.flags | ctl::fin);
        if (!rtt_.timing()) rtt_.start(snd_nxt_, in.now);
        snd_nxt_ += 1u;
        set(fin_sent_bit);
        emit(s, 0);
        ack_carried();
        if (!timers_.armed(timer_kind::retransmission)) arm_rto(in, rto_.rto_ms());
    }

    // detail/connection_timers.hpp: the main slot's timer when no row has set one; a segment
    // answers a keepalive or zero-window probe. detail/connection_rack.hpp: RFC 8985 RACK-TLP.
    void arm_idle_timers(const call_input& in) noexcept;
    void probe_answered(const call_input& in) noexcept;
    sack::rack_input rack_input(const call_input& in, bool duplicate) noexcept;
    std::uint64_t rack_srtt_us() noexcept;
    void arm_loss_detection(const call_input& in) noexcept;
    bool loss_detection_expired(const call_input& in) noexcept;
    void arm_rto(const call_input& in, std::uint32_t after_ms) noexcept;
    void take_probe_outcome(const sack::sender_ack& a, std::uint32_t in_flight, std::uint64_t now_us) noexcept;

    // -------------------------------------------------------------------- timestamps
    // RFC 7323 §3-5 (timestamping.hpp): the TSopt of the SYNs, of every segment sent, PAWS and
    // TS.Recent on arrival, RTT samples from TSecr. Times are the call's Clock reading in
    // milliseconds (read_clock). The steps below effective_mss are defined in
    // detail/connection_options.hpp.
    // RFC 6691 / RFC 9293 §3.7.1: the MSS counts text and options, so a segment on a
    // timestamp connection carries 12 octets less text (Linux's tcp_current_mss). Hides
    // tcb::effective_mss for every use here: segment sizes, SMSS, IW, the ACK rules.
    std::uint16_t effective_mss() const noexcept {
        const std::uint16_t mss = detail::tcb::effective_mss();
        return ts_.enabled() ? static_cast<std::uint16_t>(mss - options::timestamps_option_octets) : mss;
    }
    void take_peer_timestamps(const call_input& in) noexcept;
    options::paws_verdict check_timestamps(const call_input& in) noexcept;
    void drop_without_timestamp(const call_input& in) noexcept;
    void update_ts_recent(const call_input& in, const classification& k) noexcept;
    rtt_sample timestamp_rtt_sample(const call_input& in) noexcept;
    void fill_timestamps(outgoing_segment& out) noexcept;
    // -------------------------------------------------------------------- end of timestamps

    // -------------------------------------------------------------------- timers -> events
    // The event an expired timer is; event::status when the expiry is no event
    // (detail/connection_timers.hpp).
    event timer_event(const call_input& in, timer_kind kind) noexcept;

    static IssPolicy default_iss() noexcept {
        static_assert(std::is_default_constructible<IssPolicy>::value,
                      "tcpfsm::connection: this IssPolicy is not default-constructible (rfc6528_iss needs a "
                      "secret, fixed_iss a value): pass one as the constructor's fifth argument");
        return IssPolicy();
    }

    // -------------------------------------------------------------------- the TCB
    // RFC 9293's variables and the engine's own numbers are detail::tcb's (detail/tcb.hpp);
    // the Profile's components follow them (see docs/engine.md, "TCB size"): the policies
    // first, in the base's tail padding (one octet when they are empty); the configuration
    // last: a pointer, or nothing with a with_static_config profile.
    TCPFSM_NO_UNIQUE_ADDRESS policy_pack policies_;
    TCPFSM_NO_UNIQUE_ADDRESS rto_type rto_;
    // RFC 7323 §2 (window_scaling.hpp): 1 octet, in the estimator's tail padding, or none.
    TCPFSM_NO_UNIQUE_ADDRESS window_scaling_type wscale_;
    // RFC 7323 §3-5 (timestamping.hpp): 24 octets, or none.
    TCPFSM_NO_UNIQUE_ADDRESS timestamping_type ts_;
    TCPFSM_NO_UNIQUE_ADDRESS send_path_type send_;  // congestion control and loss recovery (send_path.hpp)
    // RFC 2018, RFC 6675, RFC 6937 (selective_acknowledgment.hpp), or nothing (with_sack<P, false>).
    TCPFSM_NO_UNIQUE_ADDRESS sack_type sack_;
    TCPFSM_NO_UNIQUE_ADDRESS config_holder_type config_;
};

}  // namespace tcpfsm

// The member functions defined outside the class, one concern per header.
#include "detail/connection_options.hpp"
#include "detail/connection_rack.hpp"
#include "detail/connection_sack.hpp"
#include "detail/connection_timers.hpp"
#include "detail/connection_undo.hpp"

#endif  // TCPFSM_CONNECTION_HPP
