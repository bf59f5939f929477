// The standard table against RFC 9293 §3.10 (with RFC 5961), per state and event, written
// by hand from the RFC text; Linux choices documented in table.hpp are tested as the
// documented default. Then the variants (RFC 1337, strict RFC 9293), and properties that
// hold for every row.
#include "tcpfsm_test_support.hpp"

namespace {

namespace act = tcpfsm::action;
using tcpfsm::event;
using tcpfsm::state;
using tcpfsm::user_error;
using tcpfsm_test::any_error;
using tcpfsm_test::expected_row;
using S = tcpfsm::state;
using E = tcpfsm::event;
using err = tcpfsm::user_error;

constexpr tcpfsm::action_set SEG = tcpfsm_test::segment_actions;  // "sends nothing"
constexpr tcpfsm::action_set NONE = act::none;

// ------------------------------------------------------------------------ user calls
// clang-format off
constexpr expected_row user_call_rows[] = {
    // CLOSED
    {S::closed, E::open_passive, S::listen, NONE, SEG, err::none, "§3.10.1 CLOSED: if passive, enter LISTEN"},
    {S::closed, E::open_active, S::syn_sent, act::send_syn | act::start_retransmission_timer, act::send_rst, err::none,
     "§3.10.1 CLOSED: <SEQ=ISS><CTL=SYN>, enter SYN-SENT; RFC 6298 (5.1) arm the RTO"},
    {S::closed, E::send, S::closed, NONE, SEG, err::connection_does_not_exist, "§3.10.2 CLOSED"},
    {S::closed, E::receive, S::closed, NONE, SEG, err::connection_does_not_exist, "§3.10.3 CLOSED"},
    {S::closed, E::close, S::closed, NONE, SEG, err::connection_does_not_exist, "§3.10.4 CLOSED"},
    {S::closed, E::abort, S::closed, NONE, SEG, err::connection_does_not_exist, "§3.10.5 CLOSED"},
    {S::closed, E::status, S::closed, NONE, SEG, err::connection_does_not_exist, "§3.10.6 CLOSED"},
    // LISTEN
    {S::listen, E::open_passive, S::listen, NONE, SEG, any_error, "§3.10.1 LISTEN: nothing to change for a passive OPEN"},
    {S::listen, E::open_active, S::syn_sent, act::send_syn, act::send_rst, err::none,
     "§3.10.1 LISTEN: active OPEN changes passive to active, sends SYN, SYN-SENT"},
    {S::listen, E::send, S::syn_sent, act::send_syn | act::queue_data, act::send_rst, err::none,
     "§3.10.2 LISTEN: SYN sent, data queued; Figure 5 SEND/snd SYN"},
    {S::listen, E::receive, S::listen, NONE, SEG, err::none, "§3.10.3 LISTEN: queue until ESTABLISHED"},
    {S::listen, E::close, S::closed, act::delete_tcb, SEG, err::none, "§3.10.4 LISTEN: delete TCB, CLOSED"},
    {S::listen, E::abort, S::closed, act::delete_tcb, SEG, err::none, "§3.10.5 LISTEN: delete TCB, CLOSED (no RST)"},
    {S::listen, E::status, S::listen, NONE, SEG, err::none, "§3.10.6 LISTEN: state = LISTEN"},
    // SYN-SENT
    {S::syn_sent, E::open_passive, S::syn_sent, NONE, SEG, err::connection_exists, "§3.10.1 SYN-SENT"},
    {S::syn_sent, E::open_active, S::syn_sent, NONE, SEG, err::connection_exists, "§3.10.1 SYN-SENT"},
    {S::syn_sent, E::send, S::syn_sent, act::queue_data, SEG, err::none, "§3.10.2 SYN-SENT: queue for after ESTABLISHED"},
    {S::syn_sent, E::receive, S::syn_sent, NONE, SEG, err::none, "§3.10.3 SYN-SENT: queue"},
    {S::syn_sent, E::close, S::closed, act::delete_tcb, SEG, err::none, "§3.10.4 SYN-SENT: delete the TCB; Figure 5"},
    {S::syn_sent, E::abort, S::closed, act::delete_tcb, SEG, err::none, "§3.10.5 SYN-SENT: delete the TCB, no RST"},
    {S::syn_sent, E::status, S::syn_sent, NONE, SEG, err::none, "§3.10.6 SYN-SENT"},
    // SYN-RECEIVED
    {S::syn_received, E::open_passive, S::syn_received, NONE, SEG, err::connection_exists, "§3.10.1 SYN-RECEIVED"},
    {S::syn_received, E::open_active, S::syn_received, NONE, SEG, err::connection_exists, "§3.10.1 SYN-RECEIVED"},
    {S::syn_received, E::send, S::syn_received, act::queue_data, SEG, err::none, "§3.10.2 SYN-RECEIVED: queue"},
    {S::syn_received, E::receive, S::syn_received, NONE, SEG, err::none, "§3.10.3 SYN-RECEIVED: queue"},
    {S::syn_received, E::close, S::fin_wait_1, act::send_fin, act::send_rst | act::delete_tcb, err::none,
     "§3.10.4 SYN-RECEIVED: send FIN, FIN-WAIT-1; Figure 5"},
    {S::syn_received, E::abort, S::closed, act::send_rst | act::delete_tcb, act::send_fin, err::none,
     "§3.10.5 SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>, delete TCB"},
    {S::syn_received, E::status, S::syn_received, NONE, SEG, err::none, "§3.10.6 SYN-RECEIVED"},
    // ESTABLISHED
    {S::established, E::open_passive, S::established, NONE, SEG, err::connection_exists, "§3.10.1 ESTABLISHED"},
    {S::established, E::open_active, S::established, NONE, SEG, err::connection_exists, "§3.10.1 ESTABLISHED"},
    {S::established, E::send, S::established, act::queue_data, act::send_rst | act::send_fin, err::none, "§3.10.2 ESTABLISHED: segmentize and send"},
    {S::established, E::receive, S::established, act::deliver_data, SEG, err::none, "§3.10.3 ESTABLISHED: return queued data"},
    {S::established, E::close, S::fin_wait_1, act::send_fin, act::send_rst | act::delete_tcb, err::none,
     "§3.10.4 ESTABLISHED: FIN after queued SENDs, FIN-WAIT-1; Figure 5"},
    {S::established, E::abort, S::closed, act::send_rst | act::delete_tcb, act::send_fin, err::none,
     "§3.10.5 ESTABLISHED: <SEQ=SND.NXT><CTL=RST>, delete TCB"},
    {S::established, E::status, S::established, NONE, SEG, err::none, "§3.10.6 ESTABLISHED"},
    // FIN-WAIT-1
    {S::fin_wait_1, E::open_passive, S::fin_wait_1, NONE, SEG, err::connection_exists, "§3.10.1 FIN-WAIT-1"},
    {S::fin_wait_1, E::open_active, S::fin_wait_1, NONE, SEG, err::connection_exists, "§3.10.1 FIN-WAIT-1"},
    {S::fin_wait_1, E::send, S::fin_wait_1, NONE, SEG | act::queue_data, err::connection_closing,
     "§3.10.2 FIN-WAIT-1: connection closing, do not service"},
    {S::fin_wait_1, E::receive, S::fin_wait_1, act::deliver_data, SEG, err::none, "§3.10.3 FIN-WAIT-1: as ESTABLISHED"},
    {S::fin_wait_1, E::close, S::fin_wait_1, NONE, SEG, err::connection_closing,
     "§3.10.4 FIN-WAIT-1: strictly an error; never a second FIN"},
    {S::fin_wait_1, E::abort, S::closed, act::send_rst | act::delete_tcb, NONE, err::none, "§3.10.5 FIN-WAIT-1: RST, delete TCB"},
    {S::fin_wait_1, E::status, S::fin_wait_1, NONE, SEG, err::none, "§3.10.6 FIN-WAIT-1"},
    // FIN-WAIT-2
    {S::fin_wait_2, E::open_passive, S::fin_wait_2, NONE, SEG, err::connection_exists, "§3.10.1 FIN-WAIT-2"},
    {S::fin_wait_2, E::open_active, S::fin_wait_2, NONE, SEG, err::connection_exists, "§3.10.1 FIN-WAIT-2"},
    {S::fin_wait_2, E::send, S::fin_wait_2, NONE, SEG | act::queue_data, err::connection_closing, "§3.10.2 FIN-WAIT-2"},
    {S::fin_wait_2, E::receive, S::fin_wait_2, act::deliver_data, SEG, err::none, "§3.10.3 FIN-WAIT-2: as ESTABLISHED"},
    {S::fin_wait_2, E::close, S::fin_wait_2, NONE, SEG, err::connection_closing,
     "§3.10.4 FIN-WAIT-2: strictly an error; never a second FIN"},
    {S::fin_wait_2, E::abort, S::closed, act::send_rst | act::delete_tcb, NONE, err::none, "§3.10.5 FIN-WAIT-2: RST, delete TCB"},
    {S::fin_wait_2, E::status, S::fin_wait_2, NONE, SEG, err::none, "§3.10.6 FIN-WAIT-2"},
    // CLOSE-WAIT
    {S::close_wait, E::open_passive, S::close_wait, NONE, SEG, err::connection_exists, "§3.10.1 CLOSE-WAIT"},
    {S::close_wait, E::open_active, S::close_wait, NONE, SEG, err::connection_exists, "§3.10.1 CLOSE-WAIT"},
    {S::close_wait, E::send, S::close_wait, act::queue_data, act::send_rst | act::send_fin, err::none,
     "§3.10.2 CLOSE-WAIT: segmentize and send"},
    {S::close_wait, E::receive, S::close_wait, act::deliver_data, SEG, err::none,
     "§3.10.3 CLOSE-WAIT: data on hand is delivered (with none, the engine reports closing)"},
    {S::close_wait, E::close, S::last_ack, act::send_fin, act::send_rst | act::delete_tcb, err::none,
     "§3.10.4 CLOSE-WAIT: send FIN, LAST-ACK; Figure 5"},
    {S::close_wait, E::abort, S::closed, act::send_rst | act::delete_tcb, act::send_fin, err::none,
     "§3.10.5 CLOSE-WAIT: RST, delete TCB"},
    {S::close_wait, E::status, S::close_wait, NONE, SEG, err::none, "§3.10.6 CLOSE-WAIT"},
    // CLOSING
    {S::closing, E::open_passive, S::closing, NONE, SEG, err::connection_exists, "§3.10.1 CLOSING"},
    {S::closing, E::open_active, S::closing, NONE, SEG, err::connection_exists, "§3.10.1 CLOSING"},
    {S::closing, E::send, S::closing, NONE, SEG | act::queue_data, err::connection_closing, "§3.10.2 CLOSING"},
    {S::closing, E::receive, S::closing, NONE, SEG, err::connection_closing, "§3.10.3 CLOSING"},
    {S::closing, E::close, S::closing, NONE, SEG, err::connection_closing, "§3.10.4 CLOSING"},
    {S::closing, E::abort, S::closed, act::delete_tcb, SEG, err::none, "§3.10.5 CLOSING: ok, delete TCB, no RST"},
    {S::closing, E::status, S::closing, NONE, SEG, err::none, "§3.10.6 CLOSING"},
    // LAST-ACK
    {S::last_ack, E::open_passive, S::last_ack, NONE, SEG, err::connection_exists, "§3.10.1 LAST-ACK"},
    {S::last_ack, E::open_active, S::last_ack, NONE, SEG, err::connection_exists, "§3.10.1 LAST-ACK"},
    {S::last_ack, E::send, S::last_ack, NONE, SEG | act::queue_data, err::connection_closing, "§3.10.2 LAST-ACK"},
    {S::last_ack, E::receive, S::last_ack, NONE, SEG, err::connection_closing, "§3.10.3 LAST-ACK"},
    {S::last_ack, E::close, S::last_ack, NONE, SEG, err::connection_closing, "§3.10.4 LAST-ACK"},
    {S::last_ack, E::abort, S::closed, act::delete_tcb, SEG, err::none, "§3.10.5 LAST-ACK: ok, delete TCB, no RST"},
    {S::last_ack, E::status, S::last_ack, NONE, SEG, err::none, "§3.10.6 LAST-ACK"},
    // TIME-WAIT
    {S::time_wait, E::open_passive, S::time_wait, NONE, SEG, err::connection_exists, "§3.10.1 TIME-WAIT"},
    {S::time_wait, E::open_active, S::time_wait, NONE, SEG, err::connection_exists, "§3.10.1 TIME-WAIT"},
    {S::time_wait, E::send, S::time_wait, NONE, SEG | act::queue_data, err::connection_closing, "§3.10.2 TIME-WAIT"},
    {S::time_wait, E::receive, S::time_wait, NONE, SEG, err::connection_closing, "§3.10.3 TIME-WAIT"},
    {S::time_wait, E::close, S::time_wait, NONE, SEG, err::connection_closing, "§3.10.4 TIME-WAIT"},
    {S::time_wait, E::abort, S::closed, act::delete_tcb, SEG, err::none, "§3.10.5 TIME-WAIT: ok, delete TCB, no RST"},
    {S::time_wait, E::status, S::time_wait, NONE, SEG, err::none, "§3.10.6 TIME-WAIT"},
};

// ------------------------------------------------------------------------ segment arrivals
constexpr expected_row segment_rows[] = {
    // CLOSED (§3.10.7.1)
    {S::closed, E::rcv_rst, S::closed, NONE, SEG, err::none, "§3.10.7.1: a RST is discarded"},
    {S::closed, E::rcv_syn, S::closed, act::send_rst, act::delete_tcb, err::none, "§3.10.7.1, §3.5.2 (1): RST for a SYN"},
    {S::closed, E::rcv_syn_ack, S::closed, act::send_rst, NONE, err::none, "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
    {S::closed, E::rcv_ack, S::closed, act::send_rst, NONE, err::none, "§3.10.7.1: <SEQ=SEG.ACK><CTL=RST>"},
    {S::closed, E::rcv_data, S::closed, act::send_rst, act::deliver_data, err::none, "§3.10.7.1: data discarded, RST"},
    {S::closed, E::rcv_fin, S::closed, act::send_rst, NONE, err::none, "§3.10.7.1: RST"},
    {S::closed, E::rcv_no_ack, S::closed, act::send_rst, NONE, err::none, "§3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN>"},
    // LISTEN (§3.10.7.2)
    {S::listen, E::rcv_rst, S::listen, NONE, SEG, err::none, "§3.10.7.2 first: an incoming RST is ignored"},
    {S::listen, E::rcv_ack_unacceptable, S::listen, act::send_rst, act::send_syn_ack, err::none,
     "§3.10.7.2 second: any ACK is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>"},
    {S::listen, E::rcv_syn, S::syn_received, act::send_syn_ack, act::send_rst, err::none,
     "§3.10.7.2 third: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED"},
    {S::listen, E::rcv_no_ack, S::listen, NONE, SEG, err::none, "§3.10.7.2 fourth: drop"},
    {S::listen, E::rcv_data, S::listen, NONE, SEG | act::deliver_data, err::none, "§3.10.7.2 fourth: drop"},
    {S::listen, E::rcv_fin, S::listen, NONE, SEG, err::none, "§3.10.7.4 eighth: no FIN in LISTEN"},
    {S::listen, E::rcv_cookie_ack, S::established, act::signal_accepted, SEG, err::none,
     "RFC 4987 §3.6: a valid SYN cookie completes the handshake"},
    // SYN-SENT (§3.10.7.3)
    {S::syn_sent, E::rcv_ack_unacceptable, S::syn_sent, act::send_rst, act::delete_tcb, err::none,
     "§3.10.7.3 first: SEG.ACK =< ISS or > SND.NXT: <SEQ=SEG.ACK><CTL=RST>"},
    {S::syn_sent, E::rcv_rst_unacceptable, S::syn_sent, NONE, SEG | act::delete_tcb, err::none,
     "§3.10.7.3 first/second: RST without acceptable ACK: drop"},
    {S::syn_sent, E::rcv_rst, S::closed, act::delete_tcb | act::signal_refused, SEG, err::none,
     "§3.10.7.3 second: reset, CLOSED, delete TCB (Linux: ECONNREFUSED)"},
    {S::syn_sent, E::rcv_syn_ack, S::established, act::send_ack | act::signal_connected, act::send_rst | act::send_syn,
     err::none, "§3.10.7.3 fourth: our SYN ACKed: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, ESTABLISHED"},
    {S::syn_sent, E::rcv_syn, S::syn_received, act::send_syn_ack, act::send_rst, err::none,
     "§3.10.7.3 fourth: simultaneous open: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>"},
    {S::syn_sent, E::rcv_ack, S::syn_sent, NONE, SEG, err::none, "§3.10.7.3 fifth: neither SYN nor RST: drop"},
    {S::syn_sent, E::rcv_no_ack, S::syn_sent, NONE, SEG, err::none, "§3.10.7.3 fifth: drop"},
    {S::syn_sent, E::rcv_fin, S::syn_sent, NONE, SEG, err::none, "§3.10.7.4 eighth: no FIN in SYN-SENT"},
    {S::syn_sent, E::rcv_data, S::syn_sent, NONE, SEG | act::deliver_data, err::none, "§3.10.7.3 fifth: drop"},
    // SYN-RECEIVED (§3.10.7.4)
    {S::syn_received, E::rcv_unacceptable, S::syn_received, act::send_ack, act::send_rst, err::none,
     "§3.10.7.4 first: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
    {S::syn_received, E::rcv_rst_unacceptable, S::syn_received, NONE, SEG, err::none,
     "§3.10.7.4 second, RFC 5961 §3.2 (1): out of window: silently drop"},
    {S::syn_received, E::rcv_rst_passive, S::listen, NONE, SEG | act::delete_tcb, err::none,
     "§3.10.7.4 second (MUST-11): from passive OPEN, back to LISTEN"},
    {S::syn_received, E::rcv_rst, S::closed, act::signal_refused | act::delete_tcb, SEG, err::none,
     "§3.10.7.4 second: from active OPEN, connection refused, CLOSED"},
    {S::syn_received, E::rcv_rst_in_window, S::syn_received, act::send_challenge_ack, act::send_rst | act::delete_tcb,
     err::none, "§3.10.7.4 second, RFC 5961 §3.2 (3): challenge ACK"},
    {S::syn_received, E::rcv_syn_passive, S::listen, NONE, act::delete_tcb | act::send_rst, err::none,
     "§3.10.7.4 fourth: from passive OPEN, return to LISTEN"},
    {S::syn_received, E::rcv_syn, S::syn_received, act::send_challenge_ack, act::send_rst, err::none,
     "§3.10.7.4 fourth: from active OPEN, as synchronized: challenge ACK"},
    {S::syn_received, E::rcv_no_ack, S::syn_received, NONE, SEG, err::none, "§3.10.7.4 fifth: ACK bit off: drop"},
    {S::syn_received, E::rcv_ack_unacceptable, S::syn_received, act::send_rst, NONE, err::none,
     "§3.10.7.4 fifth: <SEQ=SEG.ACK><CTL=RST>"},
    {S::syn_received, E::rcv_ack_of_syn, S::established, act::signal_connected, SEG, err::none,
     "§3.10.7.4 fifth: SND.UNA < SEG.ACK =< SND.NXT: ESTABLISHED"},
    {S::syn_received, E::rcv_ack_of_syn_passive, S::established, act::signal_accepted, SEG, err::none,
     "§3.10.7.4 fifth, Figure 5: rcv ACK of SYN / x"},
    {S::syn_received, E::rcv_syn_ack, S::established, act::signal_connected, act::send_rst, err::none,
     "§3.5 Figure 7 lines 6-7: simultaneous open completes"},
    // ESTABLISHED
    {S::established, E::rcv_ack, S::established, NONE, SEG, err::none, "§3.10.7.4 fifth: update SND.UNA"},
    {S::established, E::rcv_data, S::established, act::deliver_data | act::send_ack, act::send_rst, err::none,
     "§3.10.7.4 seventh: deliver, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"},
    {S::established, E::rcv_fin, S::close_wait, act::send_ack | act::signal_closing, act::send_fin | act::send_rst, err::none,
     "§3.10.7.4 eighth: ACK the FIN, signal connection closing, CLOSE-WAIT"},
    {S::established, E::rcv_rst, S::closed, act::signal_reset | act::delete_tcb, SEG, err::none,
     "§3.10.7.4 second: connection reset, CLOSED, delete TCB"},
    // FIN-WAIT-1
    {S::fin_wait_1, E::rcv_ack, S::fin_wait_1, NONE, SEG, err::none, "§3.10.7.4 fifth: FIN not yet acknowledged"},
    {S::fin_wait_1, E::rcv_ack_of_fin, S::fin_wait_2, NONE, SEG, err::none, "§3.10.7.4 fifth: our FIN ACKed: FIN-WAIT-2"},
    {S::fin_wait_1, E::rcv_data, S::fin_wait_1, act::deliver_data | act::send_ack, act::send_rst, err::none,
     "§3.10.7.4 seventh"},
    {S::fin_wait_1, E::rcv_fin, S::closing, act::send_ack | act::signal_closing, act::send_rst, err::none,
     "§3.10.7.4 eighth: FIN not ACKed: CLOSING"},
    {S::fin_wait_1, E::rcv_fin_ack_of_fin, S::time_wait,
     act::send_ack | act::start_time_wait_timer | act::stop_timers | act::signal_closing, act::send_rst, err::none,
     "§3.10.7.4 eighth: FIN ACKed in this segment: TIME-WAIT, start 2MSL, other timers off"},
    {S::fin_wait_1, E::rcv_rst, S::closed, act::signal_reset | act::delete_tcb, SEG, err::none, "§3.10.7.4 second"},
    // FIN-WAIT-2
    {S::fin_wait_2, E::rcv_ack, S::fin_wait_2, NONE, SEG, err::none, "§3.10.7.4 fifth"},
    {S::fin_wait_2, E::rcv_data, S::fin_wait_2, act::deliver_data | act::send_ack, act::send_rst, err::none,
     "§3.10.7.4 seventh"},
    {S::fin_wait_2, E::rcv_fin, S::time_wait,
     act::send_ack | act::start_time_wait_timer | act::stop_timers | act::signal_closing, act::send_rst, err::none,
     "§3.10.7.4 eighth: TIME-WAIT, start 2MSL, other timers off"},
    {S::fin_wait_2, E::rcv_rst, S::closed, act::signal_reset | act::delete_tcb, SEG, err::none, "§3.10.7.4 second"},
    // CLOSE-WAIT
    {S::close_wait, E::rcv_ack, S::close_wait, NONE, SEG, err::none, "§3.10.7.4 fifth: as ESTABLISHED"},
    {S::close_wait, E::rcv_data, S::close_wait, NONE, act::deliver_data | act::send_rst, err::none,
     "§3.10.7.4 seventh: after a FIN: ignore the text"},
    {S::close_wait, E::rcv_fin, S::close_wait, NONE, act::send_rst | act::send_fin, err::none, "§3.10.7.4 eighth: remain"},
    {S::close_wait, E::rcv_rst, S::closed, act::signal_reset | act::delete_tcb, SEG, err::none, "§3.10.7.4 second"},
    // CLOSING
    {S::closing, E::rcv_ack, S::closing, NONE, SEG, err::none, "§3.10.7.4 fifth: otherwise ignore"},
    {S::closing, E::rcv_ack_of_fin, S::time_wait, act::start_time_wait_timer, SEG, err::none,
     "§3.10.7.4 fifth: our FIN ACKed: TIME-WAIT (2MSL, §3.6.1 MUST-13)"},
    {S::closing, E::rcv_data, S::closing, NONE, act::deliver_data | act::send_rst, err::none, "§3.10.7.4 seventh: ignore"},
    {S::closing, E::rcv_fin, S::closing, NONE, act::send_rst, err::none, "§3.10.7.4 eighth: remain"},
    {S::closing, E::rcv_rst, S::closed, act::delete_tcb, SEG, err::none, "§3.10.7.4 second: CLOSED, delete TCB"},
    // LAST-ACK
    {S::last_ack, E::rcv_ack, S::last_ack, NONE, SEG, err::none, "§3.10.7.4 fifth: FIN not yet ACKed"},
    {S::last_ack, E::rcv_ack_of_fin, S::closed, act::delete_tcb, SEG, err::none,
     "§3.10.7.4 fifth: our FIN ACKed: delete TCB, CLOSED"},
    {S::last_ack, E::rcv_data, S::last_ack, NONE, act::deliver_data | act::send_rst, err::none, "§3.10.7.4 seventh: ignore"},
    {S::last_ack, E::rcv_fin, S::last_ack, NONE, act::send_rst, err::none, "§3.10.7.4 eighth: remain"},
    {S::last_ack, E::rcv_rst, S::closed, act::delete_tcb, SEG, err::none, "§3.10.7.4 second: CLOSED, delete TCB"},
    // TIME-WAIT
    {S::time_wait, E::rcv_ack, S::time_wait, NONE, act::send_rst, err::none, "§3.10.7.4 fifth"},
    {S::time_wait, E::rcv_data, S::time_wait, NONE, act::deliver_data | act::send_rst, err::none, "§3.10.7.4 seventh: ignore"},
    {S::time_wait, E::rcv_fin, S::time_wait, act::send_ack | act::restart_time_wait_timer, act::send_rst, err::none,
     "§3.10.7.4 eighth: ACK the retransmitted FIN, restart 2MSL"},
    {S::time_wait, E::rcv_rst, S::closed, act::delete_tcb, SEG, err::none,
     "§3.10.7.4 second: CLOSED, delete TCB (standard; RFC 1337 variant ignores it)"},
    {S::time_wait, E::rcv_syn_reopen, S::closed, act::delete_tcb | act::redirect_to_listener, SEG, err::none,
     "§3.6.1 MAY-2, RFC 6191: a higher SYN ends TIME-WAIT and goes to the listener (Linux TCP_TW_SYN)"},
};

// ------------------------------------------------------------------------ timeouts
constexpr expected_row timeout_rows[] = {
    // Retransmission timeout (§3.10.8): resend the front of the queue, re-arm the timer.
    {S::syn_sent, E::timeout_retransmit, S::syn_sent, act::send_syn | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8 RETRANSMISSION TIMEOUT: resend the SYN"},
    {S::syn_received, E::timeout_retransmit, S::syn_received, act::send_syn_ack | act::start_retransmission_timer,
     act::send_rst, err::none, "§3.10.8: resend the SYN,ACK"},
    {S::established, E::timeout_retransmit, S::established, act::retransmit | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8: resend data"},
    {S::close_wait, E::timeout_retransmit, S::close_wait, act::retransmit | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8: resend data"},
    {S::fin_wait_1, E::timeout_retransmit, S::fin_wait_1, act::retransmit | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8: resend data or FIN"},
    {S::closing, E::timeout_retransmit, S::closing, act::retransmit | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8: resend the FIN"},
    {S::last_ack, E::timeout_retransmit, S::last_ack, act::retransmit | act::start_retransmission_timer, act::send_rst,
     err::none, "§3.10.8: resend the FIN"},
    // R2 reached (§3.8.3): close the connection.
    {S::syn_sent, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3: SYN R2 reached: close"},
    {S::syn_received, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3: R2 reached: close"},
    {S::syn_received, E::timeout_retransmit_exhausted_passive, S::listen, NONE, act::delete_tcb | act::send_rst, err::none,
     "§3.8.3 for a passive OPEN: drop the request, keep listening (Linux)"},
    {S::established, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3: R2 reached: close"},
    {S::close_wait, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3"},
    {S::fin_wait_1, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3"},
    {S::closing, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3"},
    {S::last_ack, E::timeout_retransmit_exhausted, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
     "§3.8.3"},
    // TIME-WAIT timeout (§3.10.8).
    {S::time_wait, E::timeout_time_wait, S::closed, act::delete_tcb, SEG, err::none,
     "§3.10.8 TIME-WAIT TIMEOUT: delete the TCB, CLOSED"},
    // FIN-WAIT-2 timeout: Linux tcp_fin_timeout (the strict table keeps FIN-WAIT-2).
    {S::fin_wait_2, E::timeout_fin_wait_2, S::closed, act::delete_tcb, act::send_fin, err::none,
     "Linux tcp_fin_timeout: FIN-WAIT-2 ends"},
    // Keep-alive (§3.8.4): a probe <SEQ=SND.NXT-1>; exhausted: Linux sends RST and reports ETIMEDOUT.
    {S::established, E::timeout_keepalive, S::established, act::send_keepalive_probe | act::start_keepalive_timer,
     act::send_rst, err::none, "§3.8.4 keep-alive probe"},
    {S::close_wait, E::timeout_keepalive, S::close_wait, act::send_keepalive_probe, act::send_rst, err::none,
     "§3.8.4 keep-alive probe"},
    {S::established, E::timeout_keepalive_exhausted, S::closed,
     act::send_rst | act::signal_timed_out | act::delete_tcb, NONE, err::none, "§3.8.4; Linux: RST, ETIMEDOUT"},
    {S::close_wait, E::timeout_keepalive_exhausted, S::closed,
     act::send_rst | act::signal_timed_out | act::delete_tcb, NONE, err::none, "§3.8.4; Linux: RST, ETIMEDOUT"},
    // Zero-window probing (§3.8.6.1) while data may be waiting to go.
    {S::established, E::timeout_persist, S::established, act::send_window_probe, act::send_rst, err::none, "§3.8.6.1"},
    {S::close_wait, E::timeout_persist, S::close_wait, act::send_window_probe, act::send_rst, err::none, "§3.8.6.1"},
    {S::fin_wait_1, E::timeout_persist, S::fin_wait_1, act::send_window_probe, act::send_rst, err::none, "§3.8.6.1"},
    // Delayed ACK (§3.8.6.3) where segment text is received, and the ACK owed after a FIN
    // (one segment per turn: the ACK waits for the end of the consumer's turn).
    {S::established, E::timeout_delayed_ack, S::established, act::send_ack, act::send_rst, err::none, "§3.8.6.3"},
    {S::fin_wait_1, E::timeout_delayed_ack, S::fin_wait_1, act::send_ack, act::send_rst, err::none, "§3.8.6.3"},
    {S::fin_wait_2, E::timeout_delayed_ack, S::fin_wait_2, act::send_ack, act::send_rst, err::none, "§3.8.6.3"},
    {S::close_wait, E::timeout_delayed_ack, S::close_wait, act::send_ack, act::send_rst, err::none, "§3.8.6.3, after the FIN"},
    {S::closing, E::timeout_delayed_ack, S::closing, act::send_ack, act::send_rst, err::none, "§3.8.6.3, after the FIN"},
    {S::last_ack, E::timeout_delayed_ack, S::last_ack, act::send_ack, act::send_rst, err::none, "§3.8.6.3, after the FIN"},
    // No TCB, no timer: a stale expiry in CLOSED or LISTEN changes nothing.
    {S::closed, E::timeout_retransmit, S::closed, NONE, SEG, err::none, "§3.10.1: CLOSED has no TCB and no timer"},
    {S::closed, E::timeout_time_wait, S::closed, NONE, SEG, err::none, "§3.10.1: CLOSED has no TCB and no timer"},
    {S::listen, E::timeout_retransmit, S::listen, NONE, SEG, err::none, "LISTEN has sent nothing to retransmit"},
    {S::listen, E::timeout_keepalive, S::listen, NONE, SEG, err::none, "LISTEN has no peer to probe"},
};
// clang-format on

// USER TIMEOUT (§3.10.8): "For any state if the user timeout expires, flush all queues,
// signal the user ..., delete the TCB, enter the CLOSED state". The states in which the user
// timeout runs: something sent is not yet acknowledged, or may be (RFC 5482 §2).
constexpr state user_timeout_states[] = {S::syn_sent,   S::syn_received, S::established, S::fin_wait_1,
                                         S::fin_wait_2, S::close_wait,   S::closing,     S::last_ack};

template <class Machine>
constexpr bool all_hold() {
    for (const auto& x : user_call_rows)
        if (!tcpfsm_test::holds<Machine>(x)) return false;
    for (const auto& x : segment_rows)
        if (!tcpfsm_test::holds<Machine>(x)) return false;
    for (const auto& x : timeout_rows)
        if (!tcpfsm_test::holds<Machine>(x)) return false;
    return true;
}
static_assert(all_hold<tcpfsm_test::standard_lookup>(), "standard table per RFC 9293 §3.10 (table lookup)");
static_assert(all_hold<tcpfsm_test::standard_branch>(), "standard table per RFC 9293 §3.10 (branch)");

// A few spot checks of the convenience functions at compile time.
static_assert(tcpfsm::next(S::listen, E::rcv_syn) == S::syn_received);
static_assert(tcpfsm::next<tcpfsm::dispatch::branch>(S::syn_sent, E::rcv_syn_ack) == S::established);
static_assert(tcpfsm::step(S::closed, E::send).error == err::connection_does_not_exist);
static_assert(tcpfsm::step(S::time_wait, E::abort).to == S::closed);

}  // namespace

TEST_CASE("table: every user call in every state per RFC 9293 §3.10.1-§3.10.6", "[table]") {
    // The list covers 11 states x 7 calls, each once.
    REQUIRE(sizeof(user_call_rows) / sizeof(user_call_rows[0]) == 77);
    for (state s : tcpfsm_test::all_states)
        for (event e : tcpfsm_test::user_calls) {
            int n = 0;
            for (const auto& x : user_call_rows) n += (x.from == s && x.on == e) ? 1 : 0;
            CHECK(n == 1);
        }
    for (const auto& x : user_call_rows) {
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(x);
        tcpfsm_test::check_expected<tcpfsm_test::standard_branch>(x);
    }
}

TEST_CASE("table: OPEN in any state but CLOSED and LISTEN returns connection already exists", "[table]") {
    for (state s : tcpfsm_test::all_states) {
        if (s == S::closed || s == S::listen) continue;
        for (event e : {E::open_active, E::open_passive}) {
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            const auto& r = tcpfsm::step(s, e);
            CHECK(r.error == err::connection_exists);  // §3.10.1
            CHECK(r.to == s);
            CHECK((r.actions & SEG) == NONE);
        }
    }
}

TEST_CASE("table: segment arrivals per RFC 9293 §3.10.7 and RFC 5961", "[table]") {
    for (const auto& x : segment_rows) {
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(x);
        tcpfsm_test::check_expected<tcpfsm_test::standard_branch>(x);
    }
}

TEST_CASE("table: synchronized states follow §3.10.7.4 steps one to five and RFC 5961", "[table]") {
    for (state s : tcpfsm_test::synchronized_states) {
        // First: unacceptable segment (not RST): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, remain.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_unacceptable, s, act::send_ack, act::send_rst | act::delete_tcb, err::none, "§3.10.7.4 first"});
        // Second, RFC 5961 §3.2: RST out of window: silently drop.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_rst_unacceptable, s, NONE, SEG | act::delete_tcb, err::none, "RFC 5961 §3.2 (1)"});
        // RST in window but not RCV.NXT: challenge ACK, remain.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_rst_in_window, s, act::send_challenge_ack, act::send_rst | act::delete_tcb, err::none,
             "RFC 5961 §3.2 (3)"});
        // Fourth, RFC 5961 §4.2: any SYN: challenge ACK, remain.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_syn, s, act::send_challenge_ack, act::send_rst | act::delete_tcb, err::none, "RFC 5961 §4.2"});
        // Fifth: ACK bit off: drop.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_no_ack, s, NONE, SEG, err::none, "§3.10.7.4 fifth: ACK bit off: drop"});
        // Fifth, RFC 5961 §5.2: ACK outside [SND.UNA - MAX.SND.WND, SND.NXT]: drop, send an ACK.
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_ack_unacceptable, s, act::send_challenge_ack, act::send_rst | act::delete_tcb, err::none,
             "RFC 5961 §5.2"});
        // Second: RST with SEQ = RCV.NXT: the connection is reset (TIME-WAIT: standard table).
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::rcv_rst, S::closed, act::delete_tcb, SEG, err::none, "§3.10.7.4 second, RFC 5961 §3.2 (2)"});
    }
}

TEST_CASE("table: RST from ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 CLOSE-WAIT signals connection reset", "[table]") {
    // §3.10.7.4 second: "Users should also receive an unsolicited general connection reset signal".
    for (state s : {S::established, S::fin_wait_1, S::fin_wait_2, S::close_wait}) {
        INFO(tcpfsm::rfc_name(s));
        CHECK(tcpfsm::step(s, E::rcv_rst).actions.contains(act::signal_reset));
    }
}

TEST_CASE("table: ABORT sends RST exactly where §3.10.5 says", "[table]") {
    for (state s : tcpfsm_test::all_states) {
        INFO(tcpfsm::rfc_name(s));
        const auto& r = tcpfsm::step(s, E::abort);
        const bool rst = s == S::syn_received || s == S::established || s == S::fin_wait_1 ||
                         s == S::fin_wait_2 || s == S::close_wait;
        CHECK(r.actions.contains(act::send_rst) == rst);
        CHECK(r.to == S::closed);
    }
}

TEST_CASE("table: SEND in FIN-WAIT-1 and later returns connection closing", "[table]") {
    // §3.10.2: FIN-WAIT-1, FIN-WAIT-2, CLOSING, LAST-ACK, TIME-WAIT.
    for (state s : {S::fin_wait_1, S::fin_wait_2, S::closing, S::last_ack, S::time_wait}) {
        INFO(tcpfsm::rfc_name(s));
        const auto& r = tcpfsm::step(s, E::send);
        CHECK(r.error == err::connection_closing);
        CHECK(r.to == s);
        CHECK_FALSE(r.actions.intersects(act::queue_data | SEG));
    }
}

TEST_CASE("table: timeouts per §3.10.8 §3.8 and the documented Linux choices", "[table]") {
    for (const auto& x : timeout_rows) {
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(x);
        tcpfsm_test::check_expected<tcpfsm_test::standard_branch>(x);
    }
}

TEST_CASE("table: USER TIMEOUT closes every connection with data outstanding", "[table]") {
    for (state s : user_timeout_states)
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::timeout_user, S::closed, act::signal_timed_out | act::delete_tcb, NONE, err::none,
             "§3.10.8 USER TIMEOUT: signal, delete the TCB, CLOSED"});
}

// §3.10.8 USER TIMEOUT: "For any state if a user timeout occurs, flush all queues, signal the
// user ..., delete the TCB, enter the CLOSED state" — LISTEN and TIME-WAIT included.
TEST_CASE("table: USER TIMEOUT in LISTEN and TIME-WAIT closes too", "[table]") {
    for (state s : {S::listen, S::time_wait})
        tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
            {s, E::timeout_user, S::closed, act::signal_timed_out | act::delete_tcb, SEG, err::none,
             "§3.10.8 USER TIMEOUT: any state"});
}

// RFC 6298 §5.1: when a segment that occupies sequence space is sent and the timer is not
// running, start it. SYN and FIN occupy one sequence number each (RFC 9293 §3.4), so every
// row that sends a SYN, a SYN,ACK or a FIN (first transmission or retransmission) must arm
// the retransmission timer, or a lost FIN would leave FIN-WAIT-1 or LAST-ACK hanging.
TEST_CASE("table: every row that sends SYN, SYN-ACK or FIN arms the retransmission timer", "[table]") {
    const tcpfsm::action_set occupies_sequence_space = act::send_syn | act::send_syn_ack | act::send_fin;
    int rows_checked = 0;
    for (const auto& r : tcpfsm::standard_table) {
        if (!r.actions.intersects(occupies_sequence_space)) continue;
        ++rows_checked;
        INFO(tcpfsm::rfc_name(r.from) << " " << tcpfsm::name(r.on));
        CHECK(r.actions.contains(act::start_retransmission_timer));
    }
    // CLOSED, LISTEN (open_active, send), SYN-SENT (retransmit, rcv_syn), SYN-RECEIVED
    // (retransmit, close), LISTEN rcv_syn, ESTABLISHED and CLOSE-WAIT close: at least 9.
    CHECK(rows_checked >= 9);
}

// Linux's TCP_TW_SYN: a SYN above RCV.NXT ends TIME-WAIT and is handed to the listener; the
// TIME-WAIT connection itself neither answers it nor becomes a connection nobody opened.
TEST_CASE("table: a reopening SYN ends TIME-WAIT and goes to the listener", "[table]") {
    const auto& r = tcpfsm::step(S::time_wait, E::rcv_syn_reopen);
    CHECK(r.to == S::closed);
    CHECK(r.actions.contains(act::delete_tcb | act::redirect_to_listener));
    CHECK_FALSE(r.actions.intersects(SEG));
    CHECK_FALSE(r.actions.intersects(act::signal_connected | act::signal_accepted | act::signal_refused));
}

// Linux keeps probing a half-closed FIN-WAIT-2 connection when keepalive is on.
TEST_CASE("table: keepalive probes a FIN-WAIT-2 connection and gives up with RST", "[table]") {
    tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
        {S::fin_wait_2, E::timeout_keepalive, S::fin_wait_2, act::send_keepalive_probe | act::start_keepalive_timer,
         act::send_rst, err::none, "RFC 1122 4.2.3.6, Linux tcp_keepalive_timer"});
    tcpfsm_test::check_expected<tcpfsm_test::standard_lookup>(
        {S::fin_wait_2, E::timeout_keepalive_exhausted, S::closed,
         act::send_rst | act::signal_timed_out | act::delete_tcb, NONE, err::none, "Linux: RST, ETIMEDOUT"});
}

TEST_CASE("table: no state answers an RST with an RST outside CLOSED", "[table]") {
    // §3.5.2, §3.10.7.2 first, §3.10.7.3 first ("unless the RST bit is set"), §3.10.7.4 first
    // ("unless the RST bit is set, if so drop the segment").
    for (state s : tcpfsm_test::all_states) {
        if (s == S::closed) continue;  // see the known-defect test below
        for (event e : tcpfsm_test::rst_events) {
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            CHECK_FALSE(tcpfsm::step(s, e).actions.contains(act::send_rst));
            CHECK_FALSE(tcpfsm::step<tcpfsm::dispatch::branch>(s, e).actions.contains(act::send_rst));
        }
    }
}

// §3.5.2 (1): "a reset is sent in response to any incoming segment except another reset";
// §3.10.7.1: "An incoming segment containing a RST is discarded." Whatever a classifier calls
// an RST, CLOSED must not answer it (this once failed: CLOSED's any_segment row covered them).
TEST_CASE("table: CLOSED never answers any RST event with an RST", "[table]") {
    for (event e : tcpfsm_test::rst_events) {
        INFO(tcpfsm::name(e));
        const auto& r = tcpfsm::step(S::closed, e);
        CHECK(r.to == S::closed);
        CHECK((r.actions & SEG) == NONE);
    }
}

TEST_CASE("table: CLOSED answers every segment event that is not an RST with an RST", "[table]") {
    // §3.5.2 (1), §3.10.7.1.
    for (event e : tcpfsm_test::segment_events) {
        if (tcpfsm_test::is_rst_event(e)) continue;
        INFO(tcpfsm::name(e));
        const auto& r = tcpfsm::step(S::closed, e);
        CHECK(r.to == S::closed);
        CHECK((r.actions & SEG) == act::send_rst);
        CHECK_FALSE(r.actions.contains(act::delete_tcb));
    }
}

TEST_CASE("table: synchronized states never answer a segment with an RST", "[table]") {
    // §3.5.2 (3): an unacceptable segment in a synchronized state gets an empty ACK and the
    // connection remains in the same state; RFC 5961 replaces the RST of RFC 793 by challenge ACKs.
    for (state s : tcpfsm_test::synchronized_states)
        for (event e : tcpfsm_test::segment_events) {
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            CHECK_FALSE(tcpfsm::step(s, e).actions.contains(act::send_rst));
        }
}

TEST_CASE("table: non-synchronized states answer an unacceptable ACK with an RST and stay", "[table]") {
    // §3.5.2 (2): LISTEN, SYN-SENT, SYN-RECEIVED; "The connection remains in the same state".
    for (state s : {S::listen, S::syn_sent, S::syn_received}) {
        INFO(tcpfsm::rfc_name(s));
        const auto& r = tcpfsm::step(s, E::rcv_ack_unacceptable);
        CHECK(r.to == s);
        CHECK(r.actions.contains(act::send_rst));
    }
}

TEST_CASE("table: the TCB is deleted exactly when CLOSED is entered from another state", "[table]") {
    // §3.3.2: CLOSED is "no connection state at all"; every path into it deletes the TCB.
    for (const auto& r : tcpfsm::standard_table) {
        INFO(Catch::StringMaker<tcpfsm::transition>::convert(r));
        const bool enters_closed = r.to == S::closed && r.from != S::closed;
        CHECK(r.actions.contains(act::delete_tcb) == enters_closed);
    }
}

TEST_CASE("table: every way into TIME-WAIT starts the 2MSL timer", "[table]") {
    // §3.6.1 MUST-13 linger 2xMSL; §3.10.7.4 fifth and eighth.
    int entries = 0;
    for (const auto& r : tcpfsm::standard_table) {
        if (r.to != S::time_wait || r.from == S::time_wait) continue;
        INFO(Catch::StringMaker<tcpfsm::transition>::convert(r));
        ++entries;
        CHECK(r.actions.contains(act::start_time_wait_timer));
    }
    CHECK(entries == 3);  // FIN-WAIT-1 on FIN+ACK, FIN-WAIT-2 on FIN, CLOSING on ACK of FIN
}

TEST_CASE("table: a user call that returns an error changes nothing", "[table]") {
    // §3.10: an error is returned "and do not service request".
    for (const auto& r : tcpfsm::standard_table) {
        if (r.error == err::none) continue;
        INFO(Catch::StringMaker<tcpfsm::transition>::convert(r));
        CHECK(tcpfsm_test::listed(tcpfsm_test::user_calls, r.on));
        CHECK(r.to == r.from);
        CHECK((r.actions & (SEG | act::queue_data | act::delete_tcb)) == NONE);
    }
}

TEST_CASE("table: segments and timeouts never return a user error", "[table]") {
    for (state s : tcpfsm_test::all_states) {
        for (event e : tcpfsm_test::segment_events) CHECK(tcpfsm::step(s, e).error == err::none);
        for (event e : tcpfsm_test::timeouts) CHECK(tcpfsm::step(s, e).error == err::none);
    }
}

TEST_CASE("table: no row sends both FIN and RST or both SYN and SYN-ACK", "[table]") {
    // An RST ends the connection at once (§3.10.5), so no FIN goes with it; a SYN is sent either
    // alone (§3.10.1) or with an ACK (§3.10.7.2), never both.
    for (const auto& r : tcpfsm::standard_table) {
        INFO(Catch::StringMaker<tcpfsm::transition>::convert(r));
        CHECK_FALSE(r.actions.contains(act::send_fin | act::send_rst));
        CHECK_FALSE(r.actions.contains(act::send_syn | act::send_syn_ack));
    }
}

// The row count the README and the release notes quote; change them together.
TEST_CASE("table: the standard table has 243 rows", "[table]") {
    CHECK(tcpfsm::standard_row_count == 243);
    CHECK(tcpfsm::standard_table.size() == 243);
}

// ------------------------------------------------------------------------ variants
TEST_CASE("table: RFC 1337 variant ignores RST in TIME-WAIT and is otherwise standard", "[table][variant]") {
    using M = tcpfsm_test::rfc1337_lookup;
    // RFC 1337 §3 fix F1: "Ignore RST segments in TIME-WAIT state."
    tcpfsm_test::check_expected<M>(
        {S::time_wait, E::rcv_rst, S::time_wait, NONE, SEG | act::delete_tcb, err::none, "RFC 1337 §3 F1"});
    tcpfsm_test::check_expected<tcpfsm_test::rfc1337_branch>(
        {S::time_wait, E::rcv_rst, S::time_wait, NONE, SEG | act::delete_tcb, err::none, "RFC 1337 §3 F1"});
    for (state s : tcpfsm_test::all_states)
        for (event e : tcpfsm_test::all_events) {
            if (s == S::time_wait && e == E::rcv_rst) continue;
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            CHECK(M::step(s, e) == tcpfsm::step(s, e));
        }
}

TEST_CASE("table: strict variant keeps FIN-WAIT-2 and answers a reopening SYN with a challenge ACK", "[table][variant]") {
    using M = tcpfsm_test::strict_lookup;
    // RFC 9293 has no FIN-WAIT-2 timer: the state lasts until the peer's FIN (§3.10.7.4 eighth).
    tcpfsm_test::check_expected<M>(
        {S::fin_wait_2, E::timeout_fin_wait_2, S::fin_wait_2, NONE, SEG | act::delete_tcb, err::none, "§3.10.8"});
    // §3.10.7.4 fourth: SYN in TIME-WAIT (without timestamps): challenge ACK.
    tcpfsm_test::check_expected<M>({S::time_wait, E::rcv_syn_reopen, S::time_wait, act::send_challenge_ack,
                                    act::send_rst | act::send_syn_ack, err::none, "§3.10.7.4 fourth, RFC 5961 §4"});
    tcpfsm_test::check_expected<tcpfsm_test::strict_branch>(
        {S::time_wait, E::rcv_syn_reopen, S::time_wait, act::send_challenge_ack, act::send_syn_ack, err::none,
         "§3.10.7.4 fourth"});
    for (state s : tcpfsm_test::all_states)
        for (event e : tcpfsm_test::all_events) {
            if ((s == S::fin_wait_2 && e == E::timeout_fin_wait_2) || (s == S::time_wait && e == E::rcv_syn_reopen))
                continue;
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            CHECK(M::step(s, e) == tcpfsm::step(s, e));
        }
}

template <std::size_t N>
void check_unchanged_by_variants(const expected_row (&list)[N]) {
    // Skip the rows a variant changes on purpose: TIME-WAIT RST (RFC 1337), the FIN-WAIT-2
    // timeout and the reopening SYN (strict).
    for (const auto& x : list) {
        const bool changed = (x.from == S::time_wait && (x.on == E::rcv_rst || x.on == E::rcv_syn_reopen)) ||
                             (x.from == S::fin_wait_2 && x.on == E::timeout_fin_wait_2);
        if (changed) continue;
        tcpfsm_test::check_expected<tcpfsm_test::rfc1337_lookup>(x);
        tcpfsm_test::check_expected<tcpfsm_test::rfc1337_branch>(x);
        tcpfsm_test::check_expected<tcpfsm_test::strict_lookup>(x);
        tcpfsm_test::check_expected<tcpfsm_test::strict_branch>(x);
    }
}

TEST_CASE("table: the variants keep every RFC outcome listed for the standard table", "[table][variant]") {
    check_unchanged_by_variants(user_call_rows);
    check_unchanged_by_variants(segment_rows);
    check_unchanged_by_variants(timeout_rows);
    for (state s : user_timeout_states) {
        CHECK(tcpfsm_test::rfc1337_lookup::next(s, E::timeout_user) == S::closed);
        CHECK(tcpfsm_test::strict_lookup::next(s, E::timeout_user) == S::closed);
    }
}

// ------------------------------------------------------------------------ rows and cells
TEST_CASE("table: every exact row is what step returns for its state and event", "[table][lookup]") {
    const auto& rows = tcpfsm::standard_table;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (tcpfsm::is_wildcard(r.on)) continue;
        INFO("row " << i << " " << Catch::StringMaker<tcpfsm::transition>::convert(r));
        CHECK(tcpfsm::step(r.from, r.on) == r);
        CHECK(tcpfsm::step<tcpfsm::dispatch::branch>(r.from, r.on) == r);
        CHECK(&tcpfsm::step(r.from, r.on) == &tcpfsm::index_for<tcpfsm::standard_table>.rows[i]);
        CHECK(&tcpfsm::step<tcpfsm::dispatch::branch>(r.from, r.on) == &tcpfsm::index_for<tcpfsm::standard_table>.rows[i]);
        CHECK(tcpfsm::next(r.from, r.on) == r.to);
        CHECK(tcpfsm::next<tcpfsm::dispatch::branch>(r.from, r.on) == r.to);
    }
}

TEST_CASE("table: every wildcard row governs exactly the events of its kind without an exact row", "[table][lookup]") {
    const auto& rows = tcpfsm::standard_table;
    int wildcard_rows = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& w = rows[i];
        if (!tcpfsm::is_wildcard(w.on)) continue;
        ++wildcard_rows;
        for (event e : tcpfsm_test::all_events) {
            bool exact = false;
            for (const auto& r : rows) exact = exact || (r.from == w.from && r.on == e);
            const bool of_kind = w.on == tcpfsm::any_event || tcpfsm_test::wildcard_of_kind(e) == w.on;
            INFO("row " << i << " " << Catch::StringMaker<tcpfsm::transition>::convert(w) << " event "
                        << tcpfsm::name(e));
            const bool governs_lookup = &tcpfsm::step(w.from, e) == &tcpfsm::index_for<tcpfsm::standard_table>.rows[i];
            const bool governs_branch =
                &tcpfsm::step<tcpfsm::dispatch::branch>(w.from, e) == &tcpfsm::index_for<tcpfsm::standard_table>.rows[i];
            CHECK(governs_lookup == (of_kind && !exact));
            CHECK(governs_branch == (of_kind && !exact));
        }
    }
    CHECK(wildcard_rows > 0);
}

TEST_CASE("table: both dispatch policies agree on all 396 cells", "[table][lookup]") {
    int cells = 0;
    for (state s : tcpfsm_test::all_states)
        for (event e : tcpfsm_test::all_events) {
            ++cells;
            INFO(tcpfsm::rfc_name(s) << " " << tcpfsm::name(e));
            CHECK(tcpfsm::next(s, e) == tcpfsm::next<tcpfsm::dispatch::branch>(s, e));
            CHECK(&tcpfsm::step(s, e) == &tcpfsm::step<tcpfsm::dispatch::branch>(s, e));
            CHECK(tcpfsm::step(s, e).to == tcpfsm::next(s, e));
            CHECK(tcpfsm::step(s, e).from == s);
        }
    CHECK(cells == 396);
}
