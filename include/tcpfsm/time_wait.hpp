// tcpfsm: the compact TIME-WAIT record (Linux's inet_timewait_sock): what a connection in
// TIME-WAIT still needs, 20 octets instead of a full TCB (12 for a profile without
// timestamps), and the answer to a segment or to
// the 2MSL expiry from the table's own TIME-WAIT rows. Nothing here decides a transition:
// classify() (classify.hpp) names the events from a receive_context built from the record,
// the profile's table gives the rows, and the caller carries out their actions.
//
// RFC 9293 §3.10.7.4 TIME-WAIT: a retransmitted FIN is acknowledged and 2MSL restarts
// (eighth step); anything else in the window gets the first step's ACK, RST and SYN are
// checked per RFC 5961 §3-4; a new SYN above RCV.NXT goes to the listener when the option
// allows (RFC 6191, RFC 1122 4.2.2.13); RST closes it (standard table) or is ignored
// (rfc1337_table, RFC 1337).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TIME_WAIT_HPP
#define TCPFSM_TIME_WAIT_HPP

#include <cstdint>

#include "classify.hpp"
#include "connection.hpp"
#include "event.hpp"
#include "options/segment_options.hpp"
#include "options/timestamps.hpp"
#include "policies.hpp"
#include "segment.hpp"
#include "seq.hpp"
#include "core.hpp"

namespace tcpfsm {

// The numbers of a connection in TIME-WAIT. Our FIN is acknowledged (every way into
// TIME-WAIT needs it), so SND.UNA = SND.NXT; the windows are at most 65535. With window
// scaling (RFC 7323 §2) rcv_wnd keeps the window field, RCV.WND >> Rcv.Wind.Shift, so that
// the ACKs advertise the same window; as RCV.WND it is then narrower than the connection's,
// which TIME-WAIT (no text taken) can afford. With timestamps (RFC 7323 §3.2: "MUST be sent
// in every non-<RST> segment" once both SYNs carried TSopt) it keeps TS.Recent; the TSval
// offset is not kept: the listener derives it from the four-tuple, as it did for the TCB
// (listener::child_timestamp_offset, RFC 7323 §5.4), as Linux's tw_ts_recent and tw_ts_offset.
// `Timestamps` false (a profile that compiles them out, with_timestamps<P, false>): no
// TS.Recent, 12 octets, never TSopt.
namespace detail {
template <bool Timestamps>
struct time_wait_timestamps {
    std::uint32_t ts_recent = 0;  // TS.Recent (RFC 7323 §4.3)
    bool timestamps = false;      // both SYNs carried TSopt (§3.2)
};
template <>
struct time_wait_timestamps<false> {
    static constexpr std::uint32_t ts_recent = 0;
    static constexpr bool timestamps = false;
};
}  // namespace detail

template <bool Timestamps = true>
struct basic_time_wait_record : detail::time_wait_timestamps<Timestamps> {
    std::uint32_t snd_nxt = 0;      // SND.NXT (= SND.UNA)
    std::uint32_t rcv_nxt = 0;      // RCV.NXT, after the peer's FIN
    std::uint16_t rcv_wnd = 0;      // RCV.WND, advertised in the ACKs
    std::uint16_t max_snd_wnd = 0;  // MAX.SND.WND (RFC 5961 §5.2)

    // From the STATUS of a connection that has just entered TIME-WAIT.
    static constexpr basic_time_wait_record from(const connection_status& s) noexcept {
        basic_time_wait_record r;
        r.snd_nxt = s.snd_nxt;
        r.rcv_nxt = s.rcv_nxt;
        const std::uint32_t field = s.rcv_wnd >> s.rcv_wscale;
        r.rcv_wnd = static_cast<std::uint16_t>(field < 65535u ? field : 65535u);
        r.max_snd_wnd = static_cast<std::uint16_t>(s.max_snd_wnd < 65535u ? s.max_snd_wnd : 65535u);
        if constexpr (Timestamps) {
            r.ts_recent = s.ts_recent;
            r.timestamps = s.timestamps;
        }
        return r;
    }

    // RFC 7323 §4.3 (2), as the engine's update_ts_recent: a segment whose first event is
    // acceptable (and no SYN) sets TS.Recent if SEG.TSval >= TS.Recent and SEG.SEQ =<
    // Last.ACK.sent, which is RCV.NXT in TIME-WAIT (every ACK since the peer's FIN says it).
    constexpr bool take_ts_recent(const segment& seg, const segment_options& o, event first) noexcept {
        if constexpr (Timestamps) {
            if (!this->timestamps || !o.has_timestamps) return false;
            if (first == event::rcv_unacceptable || first == event::rcv_rst_unacceptable ||
                first == event::rcv_ack_unacceptable || first == event::rcv_rst_in_window ||
                first == event::rcv_syn || first == event::rcv_syn_passive || first == event::rcv_syn_reopen) {
                return false;
            }
            if (options::timestamp_before(o.ts_val, this->ts_recent) || !seq_le(seg.seq, rcv_nxt)) return false;
            this->ts_recent = o.ts_val;
            return true;
        } else {
            (void)seg, (void)o, (void)first;
            return false;
        }
    }

    // A segment the record sends, `now_ms` on the listener's clock (mod 2^32): with
    // timestamps, TSval = now_ms + offset (§5.4, 1 ms ticks as the engine) and TSecr =
    // TS.Recent with the ACK bit, else 0 (§3.2); RSTs carry it too (§3.2's SHOULD).
    constexpr outgoing_segment sent(const segment& s, std::uint32_t now_ms, std::uint32_t offset) const noexcept {
        outgoing_segment out;
        out.header = s;
        if (this->timestamps) {
            out.options.has_timestamps = true;
            out.options.ts_val = now_ms + offset;
            out.options.ts_ecr = s.ack_flag() ? this->ts_recent : 0u;
        }
        return out;
    }

    // RFC 7323 §5.3 R1 in TIME-WAIT, as the engine and Linux's tcp_timewait_state_process: with
    // timestamps negotiated, a non-RST segment whose TSval is older than TS.Recent is an old
    // duplicate (its rows: an ACK, no 2MSL restart, no reopen). A segment without the option
    // passes (Linux; the engine's default missing_timestamp_policy). §5.5's 24-day rule cannot
    // apply: a record lives 2MSL.
    constexpr bool paws_rejects(const segment& seg, const segment_options& o) const noexcept {
        if constexpr (Timestamps) {
            return this->timestamps && o.has_timestamps && !seg.rst() && options::timestamp_before(o.ts_val, this->ts_recent);
        } else {
            (void)seg, (void)o;
            return false;
        }
    }

    // RFC 6191 §2: with timestamps negotiated, a segment whose TSval is newer than TS.Recent
    // (a SYN with it may reopen the four-tuple at any sequence number).
    constexpr bool newer_timestamp(const segment_options& o) const noexcept {
        if constexpr (Timestamps) {
            return options::timestamp_newer_than_recent(this->timestamps, o.has_timestamps, o.ts_val, this->ts_recent);
        } else {
            (void)o;
            return false;
        }
    }

    // What classify() reads: TIME-WAIT, our FIN sent and acknowledged; `paws_rejected` from
    // paws_rejects, `newer_timestamp` from newer_timestamp.
    constexpr receive_context context(bool listener_takes_syn, bool paws_rejected = false,
                                      bool newer_ts = false) const noexcept {
        receive_context c;
        c.st = state::time_wait;
        c.paws_rejected = paws_rejected;
        c.newer_timestamp = newer_ts;
        c.fin_sent = true;
        c.listener_takes_syn = listener_takes_syn;
        c.snd_una = snd_nxt;
        c.snd_nxt = snd_nxt;
        c.max_snd_wnd = max_snd_wnd;
        c.rcv_nxt = rcv_nxt;
        c.rcv_wnd = rcv_wnd;
        return c;
    }

    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, the ACK the rows send (send_ack, send_challenge_ack).
    constexpr segment ack() const noexcept {
        segment s;
        s.seq = snd_nxt;
        s.ack = rcv_nxt;
        s.flags = ctl::ack;
        s.window = rcv_wnd;
        return s;
    }
};

// The record of a profile with timestamps (the default).
using time_wait_record = basic_time_wait_record<true>;


// The actions a TIME-WAIT row may carry that a record can carry out. A table whose TIME-WAIT
// rows ask for anything else cannot be served by records (time_wait_rows_supported).
inline constexpr action_set time_wait_record_actions =
    action::send_ack | action::send_challenge_ack | action::send_rst | action::stop_timers |
    action::start_time_wait_timer | action::restart_time_wait_timer | action::signal_closed |
    action::signal_reset | action::signal_timed_out | action::delete_tcb | action::redirect_to_listener;

template <const auto& Table>
constexpr bool time_wait_rows_supported() noexcept {
    for (const transition& r : Table) {
        if (r.from != state::time_wait || is_user_call(r.on) || r.on == any_user_call) continue;
        if (!(r.actions - time_wait_record_actions).empty()) return false;
    }
    return true;
}

// What the rows said, for the caller to carry out in this order: the replies, then the
// timer, then (if `to` is no longer TIME-WAIT) the record is deleted, then the redirect.
struct time_wait_reply {
    state to = state::time_wait;
    std::uint8_t rows = 0;          // rows run (events classified)
    event events[3] = {event::rcv_no_ack, event::rcv_no_ack, event::rcv_no_ack};
    bool send_ack = false;          // the ACK (send_ack)
    bool send_challenge_ack = false;  // the ACK as an RFC 5961 challenge (rate-limited by the caller)
    bool send_rst = false;          // reset_answering(seg)
    bool restart_2msl = false;      // start/restart_time_wait_timer
    bool signal_closed = false;     // signal_closed / signal_reset / signal_timed_out
    bool redirect_to_listener = false;
};

namespace detail {
template <const auto& Table>
constexpr void run_time_wait_row(time_wait_reply& out, event e) noexcept {
    const transition& r = machine<index_for<Table>>::step(out.to, e);
    out.events[out.rows++] = e;
    const action_set a = r.actions;
    if (a.intersects(action::send_ack)) out.send_ack = true;
    if (a.intersects(action::send_challenge_ack)) out.send_challenge_ack = true;
    if (a.intersects(action::send_rst)) out.send_rst = true;
    if (a.intersects(action::start_time_wait_timer) || a.intersects(action::restart_time_wait_timer))
        out.restart_2msl = true;
    if (a.intersects(action::signal_closed) || a.intersects(action::signal_reset) ||
        a.intersects(action::signal_timed_out))
        out.signal_closed = true;
    if (a.intersects(action::redirect_to_listener)) out.redirect_to_listener = true;
    out.to = r.to;  // the only state change: the row's
}
}  // namespace detail

// A segment for a TIME-WAIT record: the table's rows for the events classify() names; with
// its options, PAWS first (basic_time_wait_record::paws_rejects, RFC 7323 §5.3) and a newer TSval
// (newer_timestamp: a SYN with it reopens at any sequence number, RFC 6191 §2).
template <const auto& Table, bool Timestamps>
constexpr time_wait_reply answer_in_time_wait(const basic_time_wait_record<Timestamps>& record, const segment& seg,
                                              const segment_options& options, bool listener_takes_syn) noexcept {
    static_assert(time_wait_rows_supported<Table>(),
                  "tcpfsm: a TIME-WAIT row of this table asks for an action a TIME-WAIT record cannot carry out");
    time_wait_reply out;
    const classification k = classify(
        record.context(listener_takes_syn, record.paws_rejects(seg, options), record.newer_timestamp(options)), seg);
    for (std::uint8_t i = 0; i < k.count && out.to == state::time_wait; ++i) {
        detail::run_time_wait_row<Table>(out, k.events[i]);
    }
    return out;
}
// The same without options (no PAWS).
template <const auto& Table, bool Timestamps>
constexpr time_wait_reply answer_in_time_wait(const basic_time_wait_record<Timestamps>& record, const segment& seg,
                                              bool listener_takes_syn) noexcept {
    return answer_in_time_wait<Table>(record, seg, no_segment_options, listener_takes_syn);
}

// The 2MSL timer expired (§3.10.8): the table's timeout_time_wait row.
template <const auto& Table>
constexpr time_wait_reply expire_time_wait() noexcept {
    time_wait_reply out;
    detail::run_time_wait_row<Table>(out, event::timeout_time_wait);
    return out;
}

}  // namespace tcpfsm

#endif  // TCPFSM_TIME_WAIT_HPP
