// tcpfsm: events of RFC 9293 §3.10: user calls, classified segment arrivals, timeouts.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_EVENT_HPP
#define TCPFSM_EVENT_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {

// One event drives one row of the table. Arriving segments are classified by the
// engine, per state, in the step order of RFC 9293 §3.10.7, finely enough that the
// table alone decides the next state and the reply. One segment may yield several
// events in step order (SYN-RECEIVED: rcv_ack_of_syn, then rcv_data, then rcv_fin).
//
// Events named *_passive are produced only in SYN-RECEIVED entered from LISTEN: the
// origin of SYN-RECEIVED lives in the connection record and the classifier turns it
// into a distinct event, so the table keeps the 11 states (MUST-11, §3.10.7.4).
enum class event : std::uint8_t {
    // --- user calls (§3.10.1 - §3.10.6) ---
    open_passive,  // OPEN with passive flag (listen)
    open_active,   // OPEN with active flag (connect)
    send,          // SEND
    receive,       // RECEIVE
    close,         // CLOSE (graceful: FIN after queued data)
    abort,         // ABORT
    status,        // STATUS

    // --- segment arrivals (§3.10.7), in step order ---
    rcv_unacceptable,      // step 1: fails the acceptability test of Table 6, not RST -> ACK; also,
                           // after the ACK step, text or a FIN that cannot be taken (zero window,
                           // FIN beyond RCV.NXT): ACK showing RCV.NXT and the window
    rcv_rst_unacceptable,  // RST that is not acceptable: out of window; SYN-SENT: no acceptable ACK
    rcv_rst,               // acceptable RST: SEQ = RCV.NXT (RFC 5961 §3); SYN-SENT: with acceptable ACK;
                           // LISTEN and CLOSED: any RST
    rcv_rst_passive,       // rcv_rst in SYN-RECEIVED entered from LISTEN (MUST-11)
    rcv_rst_in_window,     // RFC 5961 §3.2: in window but not RCV.NXT -> challenge ACK
    rcv_syn,               // SYN without an ACK of our SYN; in synchronized states any SYN (RFC 5961 §4)
    rcv_syn_passive,       // SYN in SYN-RECEIVED entered from LISTEN (§3.10.7.4 step 4)
    rcv_syn_ack,           // SYN whose ACK acknowledges our SYN: SYN-SENT, and SYN-RECEIVED after a
                           // simultaneous open (Figure 7; SEG.SEQ + 1 = RCV.NXT and SEG.ACK = SND.NXT:
                           // the classifier checks this before step 1, as Linux's
                           // tcp_validate_incoming does, since step 1 would find it a duplicate)
    rcv_syn_reopen,        // TIME-WAIT: SYN with SEG.SEQ > RCV.NXT or a newer TSval (RFC 1122 4.2.2.13,
                           // RFC 6191 §2), and a listener on the port to take it (otherwise: rcv_syn)
    rcv_cookie_ack,        // LISTEN: ACK whose SEG.ACK - 1 is a valid SYN cookie (RFC 4987 §3.6)
    rcv_no_ack,            // step 5: ACK bit off (or in LISTEN/SYN-SENT: no SYN, RST or ACK)
    rcv_ack_unacceptable,  // step 5: ACK outside what is acceptable here (LISTEN: any ACK;
                           // SYN-SENT/SYN-RECEIVED -> RST; synchronized: RFC 5961 §5 -> challenge ACK)
    rcv_ack,               // acceptable ACK that acknowledges neither our SYN nor our FIN
    rcv_ack_of_syn,        // SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT
    rcv_ack_of_syn_passive,  // rcv_ack_of_syn in SYN-RECEIVED entered from LISTEN
    rcv_ack_of_fin,          // acceptable ACK that covers our FIN
    rcv_data,                // step 7: in-window segment text
    rcv_fin,                 // step 8: the peer's FIN (TIME-WAIT: also its retransmission)
    rcv_fin_ack_of_fin,      // step 5 + 8 in FIN-WAIT-1: FIN whose ACK also covers our FIN

    // --- timeouts (§3.10.8 and the timers of §3.8) ---
    timeout_retransmit,                   // RTO expiry, retries left: resend SYN, SYN-ACK, data or FIN
    timeout_retransmit_exhausted,         // R2 / SYN give-up reached (§3.8.3)
    timeout_retransmit_exhausted_passive,  // the same in SYN-RECEIVED entered from LISTEN
    timeout_time_wait,                    // 2*MSL elapsed (§3.10.8)
    timeout_fin_wait_2,                   // FIN-WAIT-2 timeout (Linux tcp_fin_timeout)
    timeout_keepalive,                    // keepalive idle/interval elapsed, probes left (§3.8.4)
    timeout_keepalive_exhausted,          // keepalive probes unanswered
    timeout_persist,                      // zero-window probe due (§3.8.6.1)
    timeout_delayed_ack,                  // delayed ACK due (§3.8.6.3)
    timeout_user,                         // USER TIMEOUT (§3.10.8, RFC 5482)
};

inline constexpr std::size_t event_count = 36;

constexpr std::size_t index_of(event e) noexcept { return static_cast<std::size_t>(e); }

constexpr bool is_valid(event e) noexcept { return index_of(e) < event_count; }

constexpr bool is_user_call(event e) noexcept { return e <= event::status; }
constexpr bool is_segment(event e) noexcept {
    return e >= event::rcv_unacceptable && e <= event::rcv_fin_ack_of_fin;
}
constexpr bool is_timeout(event e) noexcept {
    return e >= event::timeout_retransmit && is_valid(e);
}

// Wildcards for the "any other event" rows of a state. They are not events: a
// classifier never produces them, and a table row that uses one covers every event of
// its kind that has no row of its own in that state.
inline constexpr event any_user_call = static_cast<event>(0xF0);
inline constexpr event any_segment = static_cast<event>(0xF1);
inline constexpr event any_timeout = static_cast<event>(0xF2);
inline constexpr event any_event = static_cast<event>(0xF3);

constexpr bool is_wildcard(event e) noexcept { return e >= any_user_call && e <= any_event; }

// Does a row triggered by `trigger` (an event or a wildcard) cover event `e`?
constexpr bool covers(event trigger, event e) noexcept {
    if (trigger == any_event) return is_valid(e);
    if (trigger == any_user_call) return is_user_call(e);
    if (trigger == any_segment) return is_segment(e);
    if (trigger == any_timeout) return is_timeout(e);
    return trigger == e;
}

// The events a trigger covers, as a half-open range of event indices (the kinds of event
// are contiguous in the enumeration).
struct event_range {
    std::size_t first = 0;
    std::size_t last = 0;
};
constexpr event_range events_covered_by(event trigger) noexcept {
    if (is_valid(trigger)) return {index_of(trigger), index_of(trigger) + 1};
    if (trigger == any_user_call) return {index_of(event::open_passive), index_of(event::status) + 1};
    if (trigger == any_segment) return {index_of(event::rcv_unacceptable), index_of(event::rcv_fin_ack_of_fin) + 1};
    if (trigger == any_timeout) return {index_of(event::timeout_retransmit), event_count};
    if (trigger == any_event) return {0, event_count};
    return {0, 0};
}

// Identifier spelling: "rcv_syn_ack". Wildcards print as "any_segment" and so on.
constexpr const char* name(event e) noexcept {
    constexpr const char* names[event_count] = {
        "open_passive",
        "open_active",
        "send",
        "receive",
        "close",
        "abort",
        "status",
        "rcv_unacceptable",
        "rcv_rst_unacceptable",
        "rcv_rst",
        "rcv_rst_passive",
        "rcv_rst_in_window",
        "rcv_syn",
        "rcv_syn_passive",
        "rcv_syn_ack",
        "rcv_syn_reopen",
        "rcv_cookie_ack",
        "rcv_no_ack",
        "rcv_ack_unacceptable",
        "rcv_ack",
        "rcv_ack_of_syn",
        "rcv_ack_of_syn_passive",
        "rcv_ack_of_fin",
        "rcv_data",
        "rcv_fin",
        "rcv_fin_ack_of_fin",
        "timeout_retransmit",
        "timeout_retransmit_exhausted",
        "timeout_retransmit_exhausted_passive",
        "timeout_time_wait",
        "timeout_fin_wait_2",
        "timeout_keepalive",
        "timeout_keepalive_exhausted",
        "timeout_persist",
        "timeout_delayed_ack",
        "timeout_user",
    };
    if (is_valid(e)) return names[index_of(e)];
    if (e == any_user_call) return "any_user_call";
    if (e == any_segment) return "any_segment";
    if (e == any_timeout) return "any_timeout";
    if (e == any_event) return "any_event";
    return "invalid";
}

// Label in the style of RFC 9293 Figure 5: "rcv SYN,ACK", "CLOSE", "Timeout=2MSL".
constexpr const char* diagram_label(event e) noexcept {
    constexpr const char* labels[event_count] = {
        "passive OPEN",
        "active OPEN",
        "SEND",
        "RECEIVE",
        "CLOSE",
        "ABORT",
        "STATUS",
        "rcv unacceptable",
        "rcv RST (unacceptable)",
        "rcv RST",
        "rcv RST (passive)",
        "rcv RST (in window)",
        "rcv SYN",
        "rcv SYN (passive)",
        "rcv SYN,ACK",
        "rcv SYN (new incarnation)",
        "rcv ACK (SYN cookie)",
        "rcv no ACK",
        "rcv bad ACK",
        "rcv ACK",
        "rcv ACK of SYN",
        "rcv ACK of SYN (passive)",
        "rcv ACK of FIN",
        "rcv data",
        "rcv FIN",
        "rcv FIN,ACK of FIN",
        "Timeout=RTO",
        "retransmissions exhausted",
        "SYN,ACK retransmissions exhausted (passive)",
        "Timeout=2MSL",
        "FIN-WAIT-2 timeout",
        "keepalive",
        "keepalive probes exhausted",
        "persist",
        "delayed ACK",
        "USER TIMEOUT",
    };
    if (is_valid(e)) return labels[index_of(e)];
    return name(e);
}

}  // namespace tcpfsm

#endif  // TCPFSM_EVENT_HPP
