// tcpfsm: the standard transition table of RFC 9293 (Figure 5 and §3.10).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TABLE_HPP
#define TCPFSM_TABLE_HPP

#include "transition.hpp"

namespace tcpfsm {
// The rows are written with short names (s, e, err, the actions unqualified), kept out of
// the public namespace.
namespace detail::table_rows {

using namespace action;
using s = state;
using e = event;
using err = user_error;

// One row per edge, grouped by state in the order of §3.10; inside a state: user calls (§3.10.1-6),
// then segment arrivals in the step order of §3.10.7, then timeouts (§3.10.8). Every state
// ends with explicit "any other" rows, so nothing is left to an implicit default.
// Where the RFC leaves a choice, the row does what Linux does and says so.
inline constexpr fixed_array standard{
    // ---------------------------------------------------------------- CLOSED (no TCB)
    row(s::closed, e::open_passive, s::listen),                                        // §3.10.1: create TCB, LISTEN
    row(s::closed, e::open_active, s::syn_sent, send_syn | start_retransmission_timer), // §3.10.1: <SEQ=ISS><CTL=SYN>
    row(s::closed, e::send, s::closed, none, err::connection_does_not_exist),          // §3.10.2
    row(s::closed, e::receive, s::closed, none, err::connection_does_not_exist),       // §3.10.3
    row(s::closed, e::close, s::closed, none, err::connection_does_not_exist),         // §3.10.4
    row(s::closed, e::abort, s::closed, none, err::connection_does_not_exist),         // §3.10.5
    row(s::closed, e::status, s::closed, none, err::connection_does_not_exist),        // §3.10.6
    row(s::closed, e::rcv_rst, s::closed),                                             // §3.10.7.1: RST is discarded
    row(s::closed, e::rcv_rst_unacceptable, s::closed),                                // §3.5.2 (1): never RST an RST
    row(s::closed, e::rcv_rst_passive, s::closed),                                     //   (whatever the classifier
    row(s::closed, e::rcv_rst_in_window, s::closed),                                   //   called it)
    row(s::closed, any_segment, s::closed, send_rst),                                  // §3.10.7.1, §3.5.2 (1): RST for the rest
    row(s::closed, any_timeout, s::closed),                                            // no TCB, no timer: stale expiry

    // ---------------------------------------------------------------- LISTEN
    row(s::listen, e::open_passive, s::listen, none, err::connection_exists),           // §3.10.1
    row(s::listen, e::open_active, s::syn_sent, send_syn | start_retransmission_timer), // §3.10.1: passive -> active
    row(s::listen, e::send, s::syn_sent, send_syn | queue_data | start_retransmission_timer),  // §3.10.2, Fig. 5
    row(s::listen, e::receive, s::listen),                                              // §3.10.3: queued until ESTABLISHED
    row(s::listen, e::close, s::closed, stop_timers | delete_tcb),                      // §3.10.4: delete TCB, Fig. 5
    row(s::listen, e::abort, s::closed, stop_timers | delete_tcb),                      // §3.10.5
    row(s::listen, e::status, s::listen),                                               // §3.10.6
    row(s::listen, e::rcv_rst, s::listen),                                              // §3.10.7.2 first: ignore RST
    row(s::listen, e::rcv_cookie_ack, s::established, signal_accepted | start_keepalive_timer),  // RFC 4987 §3.6
    row(s::listen, e::rcv_ack_unacceptable, s::listen, send_rst),                       // second: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>
    row(s::listen, e::rcv_syn, s::syn_received, send_syn_ack | start_retransmission_timer),  // third: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    row(s::listen, any_segment, s::listen),                                             // fourth: other text or control: drop
    row(s::listen, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),  // §3.10.8: any state
    row(s::listen, any_timeout, s::listen),                                             // no other timer runs in LISTEN

    // ---------------------------------------------------------------- SYN-SENT
    row(s::syn_sent, e::open_passive, s::syn_sent, none, err::connection_exists),        // §3.10.1
    row(s::syn_sent, e::open_active, s::syn_sent, none, err::connection_exists),         // §3.10.1
    row(s::syn_sent, e::send, s::syn_sent, queue_data),                                  // §3.10.2: sent once ESTABLISHED
    row(s::syn_sent, e::receive, s::syn_sent),                                           // §3.10.3: queued
    row(s::syn_sent, e::close, s::closed, stop_timers | delete_tcb),                     // §3.10.4: delete TCB, Fig. 5
    row(s::syn_sent, e::abort, s::closed, stop_timers | delete_tcb),                     // §3.10.5: no RST
    row(s::syn_sent, e::status, s::syn_sent),                                            // §3.10.6
    row(s::syn_sent, e::rcv_ack_unacceptable, s::syn_sent, send_rst),                    // §3.10.7.3 first: <SEQ=SEG.ACK><CTL=RST>
    row(s::syn_sent, e::rcv_rst_unacceptable, s::syn_sent),                              // first/second: RST without acceptable ACK: drop
    row(s::syn_sent, e::rcv_rst, s::closed, signal_refused | stop_timers | delete_tcb),  // second: reset; Linux reports ECONNREFUSED
    row(s::syn_sent, e::rcv_syn_ack, s::established,                                     // fourth: our SYN acked: <ACK=RCV.NXT>
        send_ack | stop_retransmission_timer | start_keepalive_timer | signal_connected),
    row(s::syn_sent, e::rcv_syn, s::syn_received, send_syn_ack | start_retransmission_timer),  // fourth: simultaneous open
    row(s::syn_sent, any_segment, s::syn_sent),                                          // fifth: neither SYN nor RST: drop
    row(s::syn_sent, e::timeout_retransmit, s::syn_sent, send_syn | start_retransmission_timer),  // RFC 6298 §5.4-5.6
    row(s::syn_sent, e::timeout_retransmit_exhausted, s::closed,                         // §3.8.3: SYN R2 (MUST-23: >= 3 min)
        stop_timers | signal_timed_out | delete_tcb),
    row(s::syn_sent, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),  // §3.10.8
    row(s::syn_sent, any_timeout, s::syn_sent),                                          // no other timer runs here

    // ---------------------------------------------------------------- SYN-RECEIVED
    row(s::syn_received, e::open_passive, s::syn_received, none, err::connection_exists),  // §3.10.1
    row(s::syn_received, e::open_active, s::syn_received, none, err::connection_exists),   // §3.10.1
    row(s::syn_received, e::send, s::syn_received, queue_data),                            // §3.10.2
    row(s::syn_received, e::receive, s::syn_received),                                     // §3.10.3
    row(s::syn_received, e::close, s::fin_wait_1,                                          // §3.10.4, Fig. 5: the FIN goes
        send_fin | start_retransmission_timer),                                            //   after queued data (once ESTABLISHED)
    row(s::syn_received, e::abort, s::closed, send_rst | stop_timers | delete_tcb),        // §3.10.5: <SEQ=SND.NXT><CTL=RST>
    row(s::syn_received, e::status, s::syn_received),                                      // §3.10.6
    row(s::syn_received, e::rcv_unacceptable, s::syn_received, send_ack),                  // §3.10.7.4 first: <ACK=RCV.NXT>
    row(s::syn_received, e::rcv_rst_unacceptable, s::syn_received),                        // first: drop
    row(s::syn_received, e::rcv_rst_passive, s::listen, stop_timers),                      // second (MUST-11): back to LISTEN
    row(s::syn_received, e::rcv_rst, s::closed, signal_refused | stop_timers | delete_tcb),  // second: active OPEN: refused
    row(s::syn_received, e::rcv_rst_in_window, s::syn_received, send_challenge_ack),       // second, RFC 5961 §3.2
    row(s::syn_received, e::rcv_syn_passive, s::listen, stop_timers),                      // fourth: passive OPEN: LISTEN
    row(s::syn_received, e::rcv_syn, s::syn_received, send_challenge_ack),                 // fourth, RFC 5961 §4.2
    row(s::syn_received, e::rcv_syn_ack, s::established,                                   // Appendix A.2: simultaneous open
        stop_retransmission_timer | start_keepalive_timer | signal_connected),
    row(s::syn_received, e::rcv_no_ack, s::syn_received),                                  // fifth: ACK bit off: drop
    row(s::syn_received, e::rcv_ack_unacceptable, s::syn_received, send_rst),              // fifth: <SEQ=SEG.ACK><CTL=RST>
    row(s::syn_received, e::rcv_ack_of_syn, s::established,                                // fifth: SND.UNA < SEG.ACK =< SND.NXT
        stop_retransmission_timer | start_keepalive_timer | signal_connected),
    row(s::syn_received, e::rcv_ack_of_syn_passive, s::established,                        // fifth, from LISTEN: Fig. 5
        stop_retransmission_timer | start_keepalive_timer | signal_accepted),
    row(s::syn_received, any_segment, s::syn_received),                                    // nothing else reaches this state
    row(s::syn_received, e::timeout_retransmit, s::syn_received, send_syn_ack | start_retransmission_timer),
    row(s::syn_received, e::timeout_retransmit_exhausted, s::closed,                       // §3.8.3 R2
        stop_timers | signal_timed_out | delete_tcb),
    row(s::syn_received, e::timeout_retransmit_exhausted_passive, s::listen, stop_timers),  // Linux: drop the request
    row(s::syn_received, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),  // §3.10.8
    row(s::syn_received, any_timeout, s::syn_received),

    // ---------------------------------------------------------------- ESTABLISHED
    row(s::established, e::open_passive, s::established, none, err::connection_exists),  // §3.10.1
    row(s::established, e::open_active, s::established, none, err::connection_exists),   // §3.10.1
    row(s::established, e::send, s::established, queue_data),                            // §3.10.2
    row(s::established, e::receive, s::established, deliver_data),                      // §3.10.3
    row(s::established, e::close, s::fin_wait_1, send_fin | start_retransmission_timer), // §3.10.4: Fig. 5
    row(s::established, e::abort, s::closed, send_rst | stop_timers | delete_tcb),       // §3.10.5: <SEQ=SND.NXT><CTL=RST>
    row(s::established, e::status, s::established),                                     // §3.10.6
    row(s::established, e::rcv_unacceptable, s::established, send_ack),                 // §3.10.7.4 first
    row(s::established, e::rcv_rst_unacceptable, s::established),                       // first: drop
    row(s::established, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),  // second: "connection reset"
    row(s::established, e::rcv_rst_in_window, s::established, send_challenge_ack),      // second, RFC 5961 §3.2
    row(s::established, e::rcv_syn, s::established, send_challenge_ack),                // fourth, RFC 5961 §4.2
    row(s::established, e::rcv_no_ack, s::established),                                 // fifth: ACK bit off: drop
    row(s::established, e::rcv_ack_unacceptable, s::established, send_challenge_ack),   // fifth, RFC 5961 §5.2
    row(s::established, e::rcv_ack, s::established),                                    // fifth: SND.UNA, window update
    row(s::established, e::rcv_data, s::established, deliver_data | send_ack),          // seventh
    row(s::established, e::rcv_fin, s::close_wait, send_ack | signal_closing),          // eighth: Fig. 5
    row(s::established, any_segment, s::established),                                   // nothing else reaches this state
    row(s::established, e::timeout_retransmit, s::established, retransmit | start_retransmission_timer),
    row(s::established, e::timeout_retransmit_exhausted, s::closed,                     // §3.8.3 R2
        stop_timers | signal_timed_out | delete_tcb),
    row(s::established, e::timeout_keepalive, s::established, send_keepalive_probe | start_keepalive_timer),  // §3.8.4
    row(s::established, e::timeout_keepalive_exhausted, s::closed,                      // Linux: RST, ETIMEDOUT
        send_rst | stop_timers | signal_timed_out | delete_tcb),
    row(s::established, e::timeout_persist, s::established, send_window_probe),         // §3.8.6.1
    row(s::established, e::timeout_delayed_ack, s::established, send_ack),              // §3.8.6.3
    row(s::established, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),  // §3.10.8
    row(s::established, any_timeout, s::established),

    // ---------------------------------------------------------------- FIN-WAIT-1
    row(s::fin_wait_1, e::open_passive, s::fin_wait_1, none, err::connection_exists),   // §3.10.1
    row(s::fin_wait_1, e::open_active, s::fin_wait_1, none, err::connection_exists),    // §3.10.1
    row(s::fin_wait_1, e::send, s::fin_wait_1, none, err::connection_closing),          // §3.10.2
    row(s::fin_wait_1, e::receive, s::fin_wait_1, deliver_data),                        // §3.10.3
    row(s::fin_wait_1, e::close, s::fin_wait_1, none, err::connection_closing),         // §3.10.4: no second FIN
    row(s::fin_wait_1, e::abort, s::closed, send_rst | stop_timers | delete_tcb),       // §3.10.5
    row(s::fin_wait_1, e::status, s::fin_wait_1),                                       // §3.10.6
    row(s::fin_wait_1, e::rcv_unacceptable, s::fin_wait_1, send_ack),                   // §3.10.7.4 first
    row(s::fin_wait_1, e::rcv_rst_unacceptable, s::fin_wait_1),                         // first: drop
    row(s::fin_wait_1, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),  // second
    row(s::fin_wait_1, e::rcv_rst_in_window, s::fin_wait_1, send_challenge_ack),        // second, RFC 5961 §3.2
    row(s::fin_wait_1, e::rcv_syn, s::fin_wait_1, send_challenge_ack),                  // fourth, RFC 5961 §4.2
    row(s::fin_wait_1, e::rcv_no_ack, s::fin_wait_1),                                   // fifth: drop
    row(s::fin_wait_1, e::rcv_ack_unacceptable, s::fin_wait_1, send_challenge_ack),     // fifth, RFC 5961 §5.2
    row(s::fin_wait_1, e::rcv_ack, s::fin_wait_1),                                      // fifth: FIN not yet acked
    row(s::fin_wait_1, e::rcv_ack_of_fin, s::fin_wait_2,                                // fifth: Fig. 5. Linux arms
        stop_retransmission_timer | start_fin_wait_2_timer),                            //   tcp_fin_timeout only for a socket
                                                                                         //   closed with close(), not after
                                                                                         //   shutdown(SHUT_WR): an engine
                                                                                         //   option; strict_table never does
    row(s::fin_wait_1, e::rcv_data, s::fin_wait_1, deliver_data | send_ack),            // seventh
    row(s::fin_wait_1, e::rcv_fin, s::closing, send_ack | signal_closing),              // eighth: simultaneous close
    row(s::fin_wait_1, e::rcv_fin_ack_of_fin, s::time_wait,                             // fifth + eighth: FIN+ACK
        send_ack | stop_timers | start_time_wait_timer | signal_closing),
    row(s::fin_wait_1, any_segment, s::fin_wait_1),
    row(s::fin_wait_1, e::timeout_retransmit, s::fin_wait_1, retransmit | start_retransmission_timer),
    row(s::fin_wait_1, e::timeout_retransmit_exhausted, s::closed,                      // §3.8.3 R2 for the FIN
        stop_timers | signal_timed_out | delete_tcb),
    row(s::fin_wait_1, e::timeout_persist, s::fin_wait_1, send_window_probe),
    row(s::fin_wait_1, e::timeout_delayed_ack, s::fin_wait_1, send_ack),
    row(s::fin_wait_1, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::fin_wait_1, any_timeout, s::fin_wait_1),

    // ---------------------------------------------------------------- FIN-WAIT-2
    row(s::fin_wait_2, e::open_passive, s::fin_wait_2, none, err::connection_exists),   // §3.10.1
    row(s::fin_wait_2, e::open_active, s::fin_wait_2, none, err::connection_exists),    // §3.10.1
    row(s::fin_wait_2, e::send, s::fin_wait_2, none, err::connection_closing),          // §3.10.2
    row(s::fin_wait_2, e::receive, s::fin_wait_2, deliver_data),                        // §3.10.3
    row(s::fin_wait_2, e::close, s::fin_wait_2, none, err::connection_closing),         // §3.10.4
    row(s::fin_wait_2, e::abort, s::closed, send_rst | stop_timers | delete_tcb),       // §3.10.5
    row(s::fin_wait_2, e::status, s::fin_wait_2),                                       // §3.10.6
    row(s::fin_wait_2, e::rcv_unacceptable, s::fin_wait_2, send_ack),                   // §3.10.7.4 first
    row(s::fin_wait_2, e::rcv_rst_unacceptable, s::fin_wait_2),                         // first: drop
    row(s::fin_wait_2, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),  // second
    row(s::fin_wait_2, e::rcv_rst_in_window, s::fin_wait_2, send_challenge_ack),        // second, RFC 5961 §3.2
    row(s::fin_wait_2, e::rcv_syn, s::fin_wait_2, send_challenge_ack),                  // fourth, RFC 5961 §4.2
    row(s::fin_wait_2, e::rcv_no_ack, s::fin_wait_2),                                   // fifth: drop
    row(s::fin_wait_2, e::rcv_ack_unacceptable, s::fin_wait_2, send_challenge_ack),     // fifth, RFC 5961 §5.2
    row(s::fin_wait_2, e::rcv_ack, s::fin_wait_2),                                      // fifth
    row(s::fin_wait_2, e::rcv_data, s::fin_wait_2, deliver_data | send_ack),            // seventh
    row(s::fin_wait_2, e::rcv_fin, s::time_wait,                                        // eighth: Fig. 5
        send_ack | stop_timers | start_time_wait_timer | signal_closing),
    row(s::fin_wait_2, any_segment, s::fin_wait_2),
    row(s::fin_wait_2, e::timeout_fin_wait_2, s::closed,                                // Linux tcp_fin_timeout (60 s),
        stop_timers | signal_timed_out | delete_tcb),                                   //   armed after close(), see below
    row(s::fin_wait_2, e::timeout_keepalive, s::fin_wait_2, send_keepalive_probe | start_keepalive_timer),  // Linux
    row(s::fin_wait_2, e::timeout_keepalive_exhausted, s::closed,                       //   probes a half-closed
        send_rst | stop_timers | signal_timed_out | delete_tcb),                        //   FIN-WAIT-2 too
    row(s::fin_wait_2, e::timeout_delayed_ack, s::fin_wait_2, send_ack),
    row(s::fin_wait_2, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::fin_wait_2, any_timeout, s::fin_wait_2),

    // ---------------------------------------------------------------- CLOSE-WAIT
    row(s::close_wait, e::open_passive, s::close_wait, none, err::connection_exists),   // §3.10.1
    row(s::close_wait, e::open_active, s::close_wait, none, err::connection_exists),    // §3.10.1
    row(s::close_wait, e::send, s::close_wait, queue_data),                             // §3.10.2
    row(s::close_wait, e::receive, s::close_wait, deliver_data),                        // §3.10.3: data on hand; when none,
                                                                                         //   the engine says "closing" (EOF)
    row(s::close_wait, e::close, s::last_ack, send_fin | start_retransmission_timer),   // §3.10.4: Fig. 5
    row(s::close_wait, e::abort, s::closed, send_rst | stop_timers | delete_tcb),       // §3.10.5
    row(s::close_wait, e::status, s::close_wait),                                       // §3.10.6
    row(s::close_wait, e::rcv_unacceptable, s::close_wait, send_ack),                   // §3.10.7.4 first
    row(s::close_wait, e::rcv_rst_unacceptable, s::close_wait),                         // first: drop
    row(s::close_wait, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),  // second
    row(s::close_wait, e::rcv_rst_in_window, s::close_wait, send_challenge_ack),        // second, RFC 5961 §3.2
    row(s::close_wait, e::rcv_syn, s::close_wait, send_challenge_ack),                  // fourth, RFC 5961 §4.2
    row(s::close_wait, e::rcv_no_ack, s::close_wait),                                   // fifth: drop
    row(s::close_wait, e::rcv_ack_unacceptable, s::close_wait, send_challenge_ack),     // fifth, RFC 5961 §5.2
    row(s::close_wait, e::rcv_ack, s::close_wait),                                      // fifth: as ESTABLISHED
    row(s::close_wait, e::rcv_data, s::close_wait),                                     // seventh: after FIN: ignore
    row(s::close_wait, e::rcv_fin, s::close_wait, send_ack),                    // eighth: ACK it, remain
    row(s::close_wait, any_segment, s::close_wait),
    row(s::close_wait, e::timeout_retransmit, s::close_wait, retransmit | start_retransmission_timer),
    row(s::close_wait, e::timeout_retransmit_exhausted, s::closed,
        stop_timers | signal_timed_out | delete_tcb),
    row(s::close_wait, e::timeout_keepalive, s::close_wait, send_keepalive_probe | start_keepalive_timer),
    row(s::close_wait, e::timeout_keepalive_exhausted, s::closed,
        send_rst | stop_timers | signal_timed_out | delete_tcb),
    row(s::close_wait, e::timeout_persist, s::close_wait, send_window_probe),
    row(s::close_wait, e::timeout_delayed_ack, s::close_wait, send_ack),  // §3.8.6.3: the ACK owed after the FIN, per turn
    row(s::close_wait, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::close_wait, any_timeout, s::close_wait),

    // ---------------------------------------------------------------- CLOSING
    row(s::closing, e::open_passive, s::closing, none, err::connection_exists),         // §3.10.1
    row(s::closing, e::open_active, s::closing, none, err::connection_exists),          // §3.10.1
    row(s::closing, e::send, s::closing, none, err::connection_closing),                // §3.10.2
    row(s::closing, e::receive, s::closing, none, err::connection_closing),             // §3.10.3
    row(s::closing, e::close, s::closing, none, err::connection_closing),               // §3.10.4
    row(s::closing, e::abort, s::closed, stop_timers | delete_tcb),                     // §3.10.5: "ok", no RST
    row(s::closing, e::status, s::closing),                                             // §3.10.6
    row(s::closing, e::rcv_unacceptable, s::closing, send_ack),                         // §3.10.7.4 first
    row(s::closing, e::rcv_rst_unacceptable, s::closing),                               // first: drop
    row(s::closing, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),    // second: CLOSED
    row(s::closing, e::rcv_rst_in_window, s::closing, send_challenge_ack),              // second, RFC 5961 §3.2
    row(s::closing, e::rcv_syn, s::closing, send_challenge_ack),                        // fourth, RFC 5961 §4.2
    row(s::closing, e::rcv_no_ack, s::closing),                                         // fifth: drop
    row(s::closing, e::rcv_ack_unacceptable, s::closing, send_challenge_ack),           // fifth, RFC 5961 §5.2
    row(s::closing, e::rcv_ack, s::closing),                                            // fifth: else ignore
    row(s::closing, e::rcv_ack_of_fin, s::time_wait, stop_timers | start_time_wait_timer),  // fifth: Fig. 5
    row(s::closing, e::rcv_data, s::closing),                                           // seventh: ignore
    row(s::closing, e::rcv_fin, s::closing, send_ack),                          // eighth: ACK it, remain
    row(s::closing, any_segment, s::closing),
    row(s::closing, e::timeout_retransmit, s::closing, retransmit | start_retransmission_timer),
    row(s::closing, e::timeout_retransmit_exhausted, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::closing, e::timeout_persist, s::closing, send_window_probe),
    row(s::closing, e::timeout_delayed_ack, s::closing, send_ack),  // §3.8.6.3: the ACK owed after the FIN, per turn
    row(s::closing, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::closing, any_timeout, s::closing),

    // ---------------------------------------------------------------- LAST-ACK
    row(s::last_ack, e::open_passive, s::last_ack, none, err::connection_exists),       // §3.10.1
    row(s::last_ack, e::open_active, s::last_ack, none, err::connection_exists),        // §3.10.1
    row(s::last_ack, e::send, s::last_ack, none, err::connection_closing),              // §3.10.2
    row(s::last_ack, e::receive, s::last_ack, none, err::connection_closing),           // §3.10.3
    row(s::last_ack, e::close, s::last_ack, none, err::connection_closing),             // §3.10.4
    row(s::last_ack, e::abort, s::closed, stop_timers | delete_tcb),                    // §3.10.5: "ok", no RST
    row(s::last_ack, e::status, s::last_ack),                                           // §3.10.6
    row(s::last_ack, e::rcv_unacceptable, s::last_ack, send_ack),                       // §3.10.7.4 first
    row(s::last_ack, e::rcv_rst_unacceptable, s::last_ack),                             // first: drop
    row(s::last_ack, e::rcv_rst, s::closed, signal_reset | stop_timers | delete_tcb),   // second: CLOSED
    row(s::last_ack, e::rcv_rst_in_window, s::last_ack, send_challenge_ack),            // second, RFC 5961 §3.2
    row(s::last_ack, e::rcv_syn, s::last_ack, send_challenge_ack),                      // fourth, RFC 5961 §4.2
    row(s::last_ack, e::rcv_no_ack, s::last_ack),                                       // fifth: drop
    row(s::last_ack, e::rcv_ack_unacceptable, s::last_ack, send_challenge_ack),         // fifth, RFC 5961 §5.2
    row(s::last_ack, e::rcv_ack, s::last_ack),                                          // fifth: FIN not yet acked
    row(s::last_ack, e::rcv_ack_of_fin, s::closed, stop_timers | signal_closed | delete_tcb),  // fifth: Fig. 5
    row(s::last_ack, e::rcv_data, s::last_ack),                                         // seventh: ignore
    row(s::last_ack, e::rcv_fin, s::last_ack, send_ack),                        // eighth: ACK it, remain
    row(s::last_ack, any_segment, s::last_ack),
    row(s::last_ack, e::timeout_retransmit, s::last_ack, retransmit | start_retransmission_timer),
    row(s::last_ack, e::timeout_retransmit_exhausted, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::last_ack, e::timeout_persist, s::last_ack, send_window_probe),
    row(s::last_ack, e::timeout_delayed_ack, s::last_ack, send_ack),  // §3.8.6.3: the ACK owed after the FIN, per turn
    row(s::last_ack, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),
    row(s::last_ack, any_timeout, s::last_ack),

    // ---------------------------------------------------------------- TIME-WAIT
    row(s::time_wait, e::open_passive, s::time_wait, none, err::connection_exists),     // §3.10.1
    row(s::time_wait, e::open_active, s::time_wait, none, err::connection_exists),      // §3.10.1
    row(s::time_wait, e::send, s::time_wait, none, err::connection_closing),            // §3.10.2
    row(s::time_wait, e::receive, s::time_wait, none, err::connection_closing),         // §3.10.3
    row(s::time_wait, e::close, s::time_wait, none, err::connection_closing),           // §3.10.4
    row(s::time_wait, e::abort, s::closed, stop_timers | delete_tcb),                   // §3.10.5: "ok", no RST
    row(s::time_wait, e::status, s::time_wait),                                         // §3.10.6
    row(s::time_wait, e::rcv_unacceptable, s::time_wait, send_ack),                     // §3.10.7.4 first
    row(s::time_wait, e::rcv_rst_unacceptable, s::time_wait),                           // first: drop
    row(s::time_wait, e::rcv_rst, s::closed, stop_timers | signal_closed | delete_tcb),  // second (RFC 1337 variant: ignore)
    row(s::time_wait, e::rcv_rst_in_window, s::time_wait, send_challenge_ack),          // second, RFC 5961 §3.2
    row(s::time_wait, e::rcv_syn, s::time_wait, send_challenge_ack),                    // fourth, RFC 5961 §4.2
    row(s::time_wait, e::rcv_syn_reopen, s::closed,                                     // RFC 6191, RFC 1122 4.2.2.13: a
        stop_timers | delete_tcb | redirect_to_listener),                               //   listener takes it (Linux TCP_TW_SYN)
    row(s::time_wait, e::rcv_no_ack, s::time_wait),                                     // fifth: drop
    row(s::time_wait, e::rcv_ack_unacceptable, s::time_wait, send_challenge_ack),       // fifth, RFC 5961 §5.2
    row(s::time_wait, e::rcv_ack, s::time_wait),                                        // fifth
    row(s::time_wait, e::rcv_data, s::time_wait),                                       // seventh: ignore
    row(s::time_wait, e::rcv_fin, s::time_wait, send_ack | restart_time_wait_timer),    // eighth: re-ACK, restart 2MSL
    row(s::time_wait, any_segment, s::time_wait),
    row(s::time_wait, e::timeout_time_wait, s::closed, stop_timers | signal_closed | delete_tcb),  // §3.10.8, Fig. 5
    row(s::time_wait, e::timeout_user, s::closed, stop_timers | signal_timed_out | delete_tcb),    // §3.10.8: any state
    row(s::time_wait, any_timeout, s::time_wait),  // no timeout_delayed_ack row: nothing the consumer
                                                   //   does can carry the ACK of the FIN, so it goes at
                                                   //   once (and a listener keeps TIME-WAIT as a record)
};

}  // namespace detail::table_rows

// The standard table: RFC 9293 with RFC 5961, and Linux's choices where the RFC leaves one
// (FIN-WAIT-2 timeout on; a higher SYN may reopen TIME-WAIT; RST ends TIME-WAIT).
inline constexpr auto standard_table = detail::table_rows::standard;

inline constexpr std::size_t standard_row_count = standard_table.size();

}  // namespace tcpfsm

#endif  // TCPFSM_TABLE_HPP
