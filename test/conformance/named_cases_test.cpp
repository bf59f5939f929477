// Hand-written named cases (<state>_<segment>, in the style of smoltcp's tests): concrete
// numbers, the expected outcome written out by hand from the RFC step cited, checked against
// the oracle (so the oracle itself is checked) and against the implementation, with the
// actions that matter (timers, user signals) where the matrix does not look.
#include <catch2/catch.hpp>

#include "matrix.hpp"
#include "tcpfsm_test_support.hpp"

using namespace conformance;
namespace action = tcpfsm::action;
using tcpfsm::event;

namespace {

// ISS = 1000, IRS = 5000, RCV.WND = 1000, MAX.SND.WND = 2000.
tcb tcb_of(state st, std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t rcv_nxt,
           bool fin_sent = false, bool passive = false) {
    tcb t;
    t.st = st;
    t.passive = passive;
    t.fin_sent = fin_sent;
    t.iss = 1000;
    t.snd_una = snd_una;
    t.snd_nxt = snd_nxt;
    t.max_snd_wnd = 2000;
    t.rcv_nxt = rcv_nxt;
    t.rcv_wnd = 1000;
    return t;
}

tcpfsm::receive_context context_of(const tcb& t, bool listener = false) {
    tcpfsm::receive_context c;
    c.st = t.st;
    c.passive_origin = t.passive;
    c.fin_sent = t.fin_sent;
    c.listener_takes_syn = listener;
    c.iss = t.iss;
    c.snd_una = t.snd_una;
    c.snd_nxt = t.snd_nxt;
    c.max_snd_wnd = t.max_snd_wnd;
    c.rcv_nxt = t.rcv_nxt;
    c.rcv_wnd = t.rcv_wnd;
    return c;
}

seg make(const char* flags, std::uint32_t seq, std::uint32_t ackno, std::uint32_t text = 0) {
    seg s;
    const std::string f = flags;
    s.syn = f.find('S') != std::string::npos;
    s.ack = f.find('A') != std::string::npos;
    s.fin = f.find('F') != std::string::npos;
    s.rst = f.find('R') != std::string::npos;
    s.seq = seq;
    s.ackno = ackno;
    s.text = text;
    return s;
}

outcome want(std::uint8_t reply, bool delivers, state next, rst_form form = rst_form::none) {
    outcome o;
    o.reply = reply;
    o.form = form;
    o.delivers = delivers;
    o.next = next;
    return o;
}

// The hand-written outcome must be the oracle's and the implementation's; `required`
// actions must be among the implementation's, `forbidden` ones not.
implementation_result check(const tcb& t, const seg& s, const outcome& hand,
                            tcpfsm::action_set required = action::none,
                            tcpfsm::action_set forbidden = action::none, bool listener = false) {
    const outcome o = expected(t, s);
    const implementation_result got = run_implementation(context_of(t, listener), s);
    INFO("hand:           " << to_text(hand));
    INFO("oracle:         " << to_text(o));
    INFO("implementation: " << to_text(got.out) << " " << events_text(got) << " "
                            << Catch::StringMaker<tcpfsm::action_set>::convert(got.actions));
    if (!listener) CHECK(o == hand);  // the oracle knows no listener (CHOICE 6: none)
    CHECK(got.out == hand);
    CHECK((got.actions & required) == required);
    CHECK((got.actions & forbidden) == action::none);
    return got;
}


const tcb established = tcb_of(state::established, 1001, 1101, 5001);

}  // namespace

// §3.10.7.1: no ACK bit: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
TEST_CASE("closed_syn", "[named]") {
    check(tcb{}, make("S", 5000, 0), want(reply_rst, false, state::closed, rst_form::ack_is_seg_end));
}

// §3.10.7.1: ACK bit on: <SEQ=SEG.ACK><CTL=RST>; an RST is discarded.
TEST_CASE("closed_ack_and_rst", "[named]") {
    check(tcb{}, make("A", 5001, 1001), want(reply_rst, false, state::closed, rst_form::seq_is_seg_ack));
    check(tcb{}, make("R", 5001, 0), want(reply_none, false, state::closed));
}

// §3.10.7.2 third: SYN -> SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
TEST_CASE("listen_syn", "[named]") {
    tcb t;
    t.st = state::listen;
    check(t, make("S", 5000, 0), want(reply_syn_ack, false, state::syn_received),
          action::start_retransmission_timer);
}

// §3.10.7.2 second: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>; first: RST ignored.
TEST_CASE("listen_ack_and_rst", "[named]") {
    tcb t;
    t.st = state::listen;
    check(t, make("A", 5001, 1001), want(reply_rst, false, state::listen, rst_form::seq_is_seg_ack));
    check(t, make("RA", 5001, 1001), want(reply_none, false, state::listen));
}

// §3.10.7.3 fourth: SYN,ACK acknowledging our SYN -> ESTABLISHED, <ACK=RCV.NXT>.
TEST_CASE("syn_sent_syn_ack", "[named]") {
    const tcb t = tcb_of(state::syn_sent, 1000, 1001, 0);
    check(t, make("SA", 5000, 1001), want(reply_ack, false, state::established),
          action::signal_connected | action::stop_retransmission_timer);
}

// §3.10.7.3 first: SEG.ACK =< ISS: <SEQ=SEG.ACK><CTL=RST>, stay.
TEST_CASE("syn_sent_syn_ack_bad_ack", "[named]") {
    const tcb t = tcb_of(state::syn_sent, 1000, 1001, 0);
    check(t, make("SA", 5000, 1000), want(reply_rst, false, state::syn_sent, rst_form::seq_is_seg_ack));
}

// §3.10.7.3 second: RST with an acceptable ACK -> CLOSED (CHOICE 1: "refused", as Linux);
// without an ACK: drop.
TEST_CASE("syn_sent_rst", "[named]") {
    const tcb t = tcb_of(state::syn_sent, 1000, 1001, 0);
    check(t, make("RA", 0, 1001), want(reply_none, false, state::closed), action::signal_refused);
    check(t, make("R", 0, 0), want(reply_none, false, state::syn_sent));
}

// §3.10.7.3 fourth: SYN without ACK: simultaneous open -> SYN-RECEIVED, SYN,ACK.
TEST_CASE("syn_sent_syn", "[named]") {
    const tcb t = tcb_of(state::syn_sent, 1000, 1001, 0);
    check(t, make("S", 5000, 0), want(reply_syn_ack, false, state::syn_received));
}

// §3.10.7.4 second, SYN-RECEIVED from a passive OPEN: RST at RCV.NXT -> LISTEN, user not told.
TEST_CASE("syn_received_passive_rst", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001, false, true);
    check(t, make("R", 5001, 0), want(reply_none, false, state::listen), action::none,
          action::signal_reset | action::signal_refused | action::delete_tcb);
}

// Same, from an active OPEN: "connection refused", CLOSED.
TEST_CASE("syn_received_active_rst", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001);
    check(t, make("R", 5001, 0), want(reply_none, false, state::closed),
          action::signal_refused | action::delete_tcb);
}

// §3.10.7.4 fifth, SYN-RECEIVED: SND.UNA < SEG.ACK =< SND.NXT -> ESTABLISHED (accepted).
TEST_CASE("syn_received_passive_ack_of_syn", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001, false, true);
    check(t, make("A", 5001, 1001), want(reply_none, false, state::established),
          action::signal_accepted, action::signal_connected);
}

// Same with text and FIN: ESTABLISHED, text delivered, FIN -> CLOSE-WAIT, ACK.
TEST_CASE("syn_received_passive_data_fin_ack", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001, false, true);
    check(t, make("FA", 5001, 1001, 10), want(reply_ack, true, state::close_wait),
          action::signal_accepted | action::signal_closing);
}

// §3.10.7.4 fifth, SYN-RECEIVED: unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> (CHOICE 4).
TEST_CASE("syn_received_passive_bad_ack", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001, false, true);
    check(t, make("A", 5001, 1005), want(reply_rst, false, state::syn_received, rst_form::seq_is_seg_ack));
}

// Figure 7, Appendix A.2 (CHOICE 5): simultaneous open, the peer's SYN,ACK -> ESTABLISHED.
TEST_CASE("syn_received_active_syn_ack", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001);
    check(t, make("SA", 5000, 1001), want(reply_none, false, state::established),
          action::signal_connected);
}

// §3.10.7.4 fourth, passive OPEN: an acceptable SYN returns the connection to LISTEN.
TEST_CASE("syn_received_passive_syn_in_window", "[named]") {
    const tcb t = tcb_of(state::syn_received, 1000, 1001, 5001, false, true);
    check(t, make("S", 5010, 0), want(reply_none, false, state::listen));
}

// RFC 5961 §3.2: RST in the window but not at RCV.NXT: challenge ACK, stay.
TEST_CASE("established_rst_in_window", "[named]") {
    check(established, make("R", 5101, 0), want(reply_challenge_ack, false, state::established),
          action::none, action::signal_reset | action::delete_tcb);
}

// RFC 5961 §3.2: RST at RCV.NXT resets; §3.10.7.4 second: "connection reset", CLOSED.
TEST_CASE("established_rst_at_rcv_nxt", "[named]") {
    check(established, make("RA", 5001, 1001), want(reply_none, false, state::closed),
          action::signal_reset | action::delete_tcb);
}

// RFC 5961 §3.2 1): RST outside the window: silently dropped.
TEST_CASE("established_rst_out_of_window", "[named]") {
    check(established, make("R", 6001, 0), want(reply_none, false, state::established));
}

// RFC 5961 §4.2: in-window SYN: challenge ACK, stay.
TEST_CASE("established_syn", "[named]") {
    check(established, make("S", 5001, 0), want(reply_challenge_ack, false, state::established));
}

// RFC 5961 §5.2: SEG.ACK > SND.NXT: challenge ACK, text not taken.
TEST_CASE("established_data_ack_beyond_snd_nxt", "[named]") {
    check(established, make("A", 5001, 1102, 10), want(reply_challenge_ack, false, state::established));
}

// §3.10.7.4 seventh: in-order text delivered and acknowledged.
TEST_CASE("established_data", "[named]") {
    check(established, make("A", 5001, 1050, 10), want(reply_ack, true, state::established));
}

// §3.10.7.4 first, Table 6 with RCV.WND = 0: text is not acceptable, but "special allowance
// should be made to accept valid ACKs"; §3.8.6: the receiver "must still send an
// acknowledgment". Text not delivered, state unchanged; a bare ACK at RCV.NXT passes.
TEST_CASE("established_data_zero_window", "[named]") {
    tcb t = established;
    t.rcv_wnd = 0;
    // A zero-window probe: the text is not taken, but answered with an ACK showing RCV.NXT and
    // the zero window (§3.8.6.1). (Once a known disagreement, "F".)
    check(t, make("A", 5001, 1101, 10), want(reply_ack, false, state::established));
    check(t, make("A", 5001, 1101), want(reply_none, false, state::established));
    check(t, make("A", 5002, 1101, 10), want(reply_ack, false, state::established));  // first step
}

// §3.10.7.4 eighth, ESTABLISHED: FIN -> CLOSE-WAIT, ACK, "connection closing".
TEST_CASE("established_fin_ack", "[named]") {
    check(established, make("FA", 5001, 1101), want(reply_ack, false, state::close_wait),
          action::signal_closing);
}

// §3.10.7.4 fifth + eighth, FIN-WAIT-1: a FIN whose ACK covers our FIN -> TIME-WAIT.
TEST_CASE("fin_wait_1_fin_ack_of_fin", "[named]") {
    const tcb t = tcb_of(state::fin_wait_1, 1001, 1102, 5001, true);
    check(t, make("FA", 5001, 1102), want(reply_ack, false, state::time_wait),
          action::start_time_wait_timer);
}

// FIN-WAIT-1: a FIN whose ACK does not cover our FIN -> CLOSING (simultaneous close).
TEST_CASE("fin_wait_1_fin", "[named]") {
    const tcb t = tcb_of(state::fin_wait_1, 1001, 1102, 5001, true);
    check(t, make("FA", 5001, 1101), want(reply_ack, false, state::closing));
}

// FIN-WAIT-1: the ACK of our FIN -> FIN-WAIT-2.
TEST_CASE("fin_wait_1_ack_of_fin", "[named]") {
    const tcb t = tcb_of(state::fin_wait_1, 1001, 1102, 5001, true);
    check(t, make("A", 5001, 1102), want(reply_none, false, state::fin_wait_2));
}

// FIN-WAIT-2: text is still taken; the FIN -> TIME-WAIT.
TEST_CASE("fin_wait_2_data_and_fin", "[named]") {
    const tcb t = tcb_of(state::fin_wait_2, 1102, 1102, 5001, true);
    check(t, make("A", 5001, 1102, 10), want(reply_ack, true, state::fin_wait_2));
    check(t, make("FA", 5001, 1102), want(reply_ack, false, state::time_wait),
          action::start_time_wait_timer);
}

// §3.10.7.4 seventh, CLOSE-WAIT: "Ignore the segment text."
TEST_CASE("close_wait_data", "[named]") {
    const tcb t = tcb_of(state::close_wait, 1001, 1101, 5002);
    check(t, make("A", 5002, 1101, 10), want(reply_none, false, state::close_wait), action::none,
          action::deliver_data);
}

// §3.10.7.4 fifth, CLOSING: the ACK of our FIN -> TIME-WAIT; otherwise "ignore".
TEST_CASE("closing_ack_of_fin", "[named]") {
    const tcb t = tcb_of(state::closing, 1001, 1102, 5002, true);
    check(t, make("A", 5002, 1102), want(reply_none, false, state::time_wait),
          action::start_time_wait_timer);
    check(t, make("A", 5002, 1101), want(reply_none, false, state::closing));
}

// §3.10.7.4 fifth, LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the
// CLOSED state, and return."
TEST_CASE("last_ack_ack_of_fin", "[named]") {
    const tcb t = tcb_of(state::last_ack, 1001, 1102, 5002, true);
    check(t, make("A", 5002, 1102), want(reply_none, false, state::closed),
          action::delete_tcb, action::send_rst);
}

// TIME-WAIT (CHOICE 6): the peer's retransmitted FIN (SEG.SEQ = RCV.NXT - 1) is acknowledged
// and the 2MSL timer restarted.
TEST_CASE("time_wait_retransmitted_fin", "[named]") {
    const tcb t = tcb_of(state::time_wait, 1102, 1102, 5002, true);
    const implementation_result got =
        check(t, make("FA", 5001, 1102), want(reply_ack, false, state::time_wait),
              action::restart_time_wait_timer);
    CHECK(got.event_count == 1);
    CHECK(got.events[0] == event::rcv_fin);
}

// TIME-WAIT: RST at RCV.NXT -> CLOSED (the RFC 1337 alternative is a variant).
TEST_CASE("time_wait_rst", "[named]") {
    const tcb t = tcb_of(state::time_wait, 1102, 1102, 5002, true);
    check(t, make("R", 5002, 0), want(reply_none, false, state::closed), action::delete_tcb);
}

// TIME-WAIT, no listener on the port: a SYN earns a challenge ACK (RFC 5961 §4.2).
TEST_CASE("time_wait_syn_no_listener", "[named]") {
    const tcb t = tcb_of(state::time_wait, 1102, 1102, 5002, true);
    check(t, make("S", 5100, 0), want(reply_challenge_ack, false, state::time_wait));
}

// TIME-WAIT with a listener (design.md "Choices", RFC 6191, Linux TCP_TW_SYN): a SYN above
// RCV.NXT ends TIME-WAIT and goes to the listener. (Not an oracle case: the oracle has no
// listener.)
TEST_CASE("time_wait_syn_listener_reopens", "[named]") {
    const tcb t = tcb_of(state::time_wait, 1102, 1102, 5002, true);
    check(t, make("S", 9000, 0), want(reply_none, false, state::closed),
          action::redirect_to_listener | action::delete_tcb, action::none, true);
}
