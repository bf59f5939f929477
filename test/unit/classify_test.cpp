// The segment classifier against RFC 9293 §3.10.7 and RFC 5961, case by case. Expected
// events are written from the RFC's steps (cited per case).
#include <tcpfsm/classify.hpp>
#include <tcpfsm/tcpfsm.hpp>

#include <catch2/catch.hpp>

#include <initializer_list>
#include <vector>

#include "tcpfsm_test_support.hpp"

using tcpfsm::event;
using tcpfsm::receive_context;
using tcpfsm::segment;
using tcpfsm::state;
namespace ctl = tcpfsm::ctl;
using E = event;
using S = state;

namespace {

std::vector<event> events_of(const receive_context& c, const segment& s) {
    const tcpfsm::classification k = tcpfsm::classify(c, s);
    return std::vector<event>(k.events, k.events + k.count);
}

segment seg(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t text = 0) {
    segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = text;
    s.window = 1000;
    return s;
}

// ISS = 1000, IRS = 5000. ESTABLISHED with 100 octets in flight.
receive_context established() {
    receive_context c;
    c.st = S::established;
    c.iss = 1000;
    c.snd_una = 1001;
    c.snd_nxt = 1101;
    c.max_snd_wnd = 2000;
    c.rcv_nxt = 5001;
    c.rcv_wnd = 1000;
    return c;
}

}  // namespace

TEST_CASE("classify: CLOSED discards an RST and answers anything else", "[classify]") {
    receive_context c;  // CLOSED: no TCB
    CHECK(events_of(c, seg(7, 0, ctl::rst)) == std::vector<event>{E::rcv_rst});  // §3.10.7.1
    for (const std::uint8_t f : {ctl::syn, ctl::ack, ctl::fin, std::uint8_t(ctl::syn | ctl::ack)}) {
        const auto ev = events_of(c, seg(7, 9, f));
        REQUIRE(ev.size() == 1);
        CHECK(tcpfsm::step(S::closed, ev[0]).actions.contains(tcpfsm::action::send_rst));
    }
}

TEST_CASE("classify: LISTEN ignores RST, rejects ACKs, takes SYNs", "[classify]") {
    receive_context c;
    c.st = S::listen;
    CHECK(events_of(c, seg(7, 0, ctl::rst)) == std::vector<event>{E::rcv_rst});                   // first
    CHECK(events_of(c, seg(7, 3, ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});      // second
    CHECK(events_of(c, seg(7, 3, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
    CHECK(events_of(c, seg(7, 0, ctl::syn)) == std::vector<event>{E::rcv_syn});                   // third
    CHECK(events_of(c, seg(7, 0, ctl::fin)) == std::vector<event>{E::rcv_no_ack});                // fourth
    c.cookie_valid = true;  // RFC 4987: the listener found SEG.ACK - 1 to be its cookie
    CHECK(events_of(c, seg(7, 3, ctl::ack)) == std::vector<event>{E::rcv_cookie_ack});
}

TEST_CASE("classify: SYN-SENT checks the ACK first, then RST, then SYN", "[classify]") {
    receive_context c;
    c.st = S::syn_sent;
    c.iss = c.snd_una = 1000;
    c.snd_nxt = 1001;
    // first: SEG.ACK =< ISS or > SND.NXT is unacceptable: RST unless the segment is an RST.
    CHECK(events_of(c, seg(5000, 1000, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
    CHECK(events_of(c, seg(5000, 1002, ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
    CHECK(events_of(c, seg(5000, 1002, ctl::rst | ctl::ack)) == std::vector<event>{E::rcv_rst_unacceptable});
    // second: RST counts only with an acceptable ACK.
    CHECK(events_of(c, seg(5000, 1001, ctl::rst | ctl::ack)) == std::vector<event>{E::rcv_rst});
    CHECK(events_of(c, seg(5000, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_unacceptable});
    // fourth: SYN,ACK acknowledging our SYN; a bare SYN is a simultaneous open.
    CHECK(events_of(c, seg(5000, 1001, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_syn_ack});
    CHECK(events_of(c, seg(5000, 0, ctl::syn)) == std::vector<event>{E::rcv_syn});
    // fifth: neither SYN nor RST.
    CHECK(events_of(c, seg(5000, 1001, ctl::ack)) == std::vector<event>{E::rcv_ack});
    CHECK(tcpfsm::next(S::syn_sent, E::rcv_ack) == S::syn_sent);
    // Across the wrap: ISS = 2^32 - 1, SND.NXT = 0.
    c.iss = c.snd_una = 0xFFFFFFFFu;
    c.snd_nxt = 0;
    CHECK(events_of(c, seg(5000, 0, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_syn_ack});
    CHECK(events_of(c, seg(5000, 0xFFFFFFFFu, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
}

TEST_CASE("classify: synchronized RST per RFC 5961 §3.2", "[classify]") {
    const receive_context c = established();
    CHECK(events_of(c, seg(5001, 0, ctl::rst)) == std::vector<event>{E::rcv_rst});                      // = RCV.NXT
    CHECK(events_of(c, seg(5011, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_in_window});            // in window
    CHECK(events_of(c, seg(6000, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_in_window});            // right edge
    CHECK(events_of(c, seg(6001, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_unacceptable});         // beyond
    CHECK(events_of(c, seg(5000, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_unacceptable});         // RCV.NXT - 1
}

TEST_CASE("classify: synchronized SYN, sequence and ACK checks", "[classify]") {
    const receive_context c = established();
    // fourth: a SYN in window or not earns a challenge ACK (RFC 5961 §4.2)...
    CHECK(events_of(c, seg(5001, 1001, ctl::syn)) == std::vector<event>{E::rcv_syn});
    CHECK(events_of(c, seg(5001, 1001, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_syn});
    // ...outside the window too: "irrespective of the sequence number" (RFC 5961 §4.2).
    CHECK(events_of(c, seg(9000, 1001, ctl::syn)) == std::vector<event>{E::rcv_syn});
    // first: old text (4990..4999) is not acceptable.
    CHECK(events_of(c, seg(4990, 1001, ctl::ack, 10)) == std::vector<event>{E::rcv_unacceptable});
    // fifth: no ACK bit -> drop.
    CHECK(events_of(c, seg(5001, 0, ctl::psh, 10)) == std::vector<event>{E::rcv_no_ack});
    // fifth (RFC 5961 §5.2): SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
    CHECK(events_of(c, seg(5001, 1102, ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});   // > SND.NXT
    CHECK(events_of(c, seg(5001, 1101, ctl::ack)) == std::vector<event>{E::rcv_ack});                // = SND.NXT
    CHECK(events_of(c, seg(5001, 1001u - 2000u, ctl::ack)) == std::vector<event>{E::rcv_ack});         // oldest allowed
    CHECK(events_of(c, seg(5001, 1001u - 2001u, ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
}

TEST_CASE("classify: text and FIN follow an acceptable ACK in step order", "[classify]") {
    const receive_context c = established();
    CHECK(events_of(c, seg(5001, 1101, ctl::ack, 10)) == std::vector<event>{E::rcv_ack, E::rcv_data});
    CHECK(events_of(c, seg(5001, 1101, ctl::ack | ctl::fin, 10)) ==
          std::vector<event>{E::rcv_ack, E::rcv_data, E::rcv_fin});
    // Out of order (starts above RCV.NXT): the text is in window (the engine answers with a
    // duplicate ACK) but the FIN is not processed before the text in front of it.
    CHECK(events_of(c, seg(5101, 1101, ctl::ack | ctl::fin, 10)) == std::vector<event>{E::rcv_ack, E::rcv_data});
    // A bare FIN beyond RCV.NXT gets a duplicate ACK (RFC 5681 §4.2), nothing more.
    CHECK(events_of(c, seg(5101, 1101, ctl::ack | ctl::fin)) == std::vector<event>{E::rcv_ack, E::rcv_unacceptable});
    // Through the table: ESTABLISHED, data and FIN -> CLOSE-WAIT.
    state s = S::established;
    for (event e : events_of(c, seg(5001, 1101, ctl::ack | ctl::fin, 10))) s = tcpfsm::next(s, e);
    CHECK(s == S::close_wait);
}

TEST_CASE("classify: a zero receive window still takes ACKs and RSTs at RCV.NXT", "[classify]") {
    receive_context c = established();
    c.rcv_wnd = 0;
    CHECK(events_of(c, seg(5001, 1101, ctl::ack)) == std::vector<event>{E::rcv_ack});
    // Text not taken, but answered with an ACK showing the zero window (§3.8.6.1).
    CHECK(events_of(c, seg(5001, 1101, ctl::ack, 10)) == std::vector<event>{E::rcv_ack, E::rcv_unacceptable});
    CHECK(events_of(c, seg(5001, 0, ctl::rst)) == std::vector<event>{E::rcv_rst});
    CHECK(events_of(c, seg(5002, 1101, ctl::ack)) == std::vector<event>{E::rcv_unacceptable});
}

TEST_CASE("classify: SYN-RECEIVED, by origin", "[classify]") {
    receive_context c;
    c.st = S::syn_received;
    c.iss = c.snd_una = 1000;
    c.snd_nxt = 1001;
    c.max_snd_wnd = 1000;
    c.rcv_nxt = 5001;
    c.rcv_wnd = 1000;
    c.passive_origin = true;
    CHECK(events_of(c, seg(5001, 1001, ctl::ack | ctl::fin)) ==
          std::vector<event>{E::rcv_ack_of_syn_passive, E::rcv_fin});  // fifth, then eighth
    CHECK(events_of(c, seg(5001, 1002, ctl::ack)) == std::vector<event>{E::rcv_ack_unacceptable});
    CHECK(events_of(c, seg(5001, 0, ctl::rst)) == std::vector<event>{E::rcv_rst_passive});  // MUST-11
    CHECK(events_of(c, seg(5001, 0, ctl::syn)) == std::vector<event>{E::rcv_syn_passive});
    c.passive_origin = false;
    CHECK(events_of(c, seg(5001, 0, ctl::rst)) == std::vector<event>{E::rcv_rst});
    CHECK(events_of(c, seg(5001, 1001, ctl::ack)) == std::vector<event>{E::rcv_ack_of_syn});
    // Figure 7: the peer's SYN,ACK (SEQ = IRS = RCV.NXT - 1, ACK = SND.NXT) completes the open.
    CHECK(events_of(c, seg(5000, 1001, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_syn_ack});
    // After a passive OPEN that is not a simultaneous open: step one finds it old, ACK.
    c.passive_origin = true;
    CHECK(events_of(c, seg(5000, 1001, ctl::syn | ctl::ack)) == std::vector<event>{E::rcv_unacceptable});
}

TEST_CASE("classify: our FIN acknowledged, with and without the peer's FIN", "[classify]") {
    receive_context c = established();
    c.st = S::fin_wait_1;
    c.fin_sent = true;
    c.snd_nxt = 1102;  // 100 octets and the FIN
    CHECK(events_of(c, seg(5001, 1102, ctl::ack)) == std::vector<event>{E::rcv_ack_of_fin});
    CHECK(events_of(c, seg(5001, 1101, ctl::ack)) == std::vector<event>{E::rcv_ack});
    CHECK(events_of(c, seg(5001, 1102, ctl::ack | ctl::fin)) == std::vector<event>{E::rcv_fin_ack_of_fin});
    CHECK(events_of(c, seg(5001, 1102, ctl::ack | ctl::fin, 10)) ==
          std::vector<event>{E::rcv_data, E::rcv_fin_ack_of_fin});
    CHECK(events_of(c, seg(5001, 1101, ctl::ack | ctl::fin)) == std::vector<event>{E::rcv_ack, E::rcv_fin});
    c.st = S::last_ack;
    CHECK(events_of(c, seg(5002, 1102, ctl::ack)) == std::vector<event>{E::rcv_ack_of_fin});
    // LAST-ACK: once our FIN is acknowledged, "delete the TCB, enter CLOSED, and return": the
    // rest of the segment is not looked at (CLOSED would answer it with an RST).
    CHECK(events_of(c, seg(5002, 1102, ctl::ack, 10)) == std::vector<event>{E::rcv_ack_of_fin});
    c.fin_sent = false;  // FIN still queued behind data: an ACK of SND.NXT is not an ACK of it
    CHECK(events_of(c, seg(5002, 1102, ctl::ack)) == std::vector<event>{E::rcv_ack});
}

TEST_CASE("classify: TIME-WAIT re-ACKs the FIN and hands a new SYN to a listener", "[classify]") {
    receive_context c = established();
    c.st = S::time_wait;
    c.rcv_nxt = 5002;  // after the peer's FIN at 5001
    CHECK(events_of(c, seg(5001, 1102, ctl::ack | ctl::fin)) == std::vector<event>{E::rcv_fin});
    CHECK(tcpfsm::step(S::time_wait, E::rcv_fin).actions.contains(tcpfsm::action::restart_time_wait_timer));
    CHECK(events_of(c, seg(9000, 0, ctl::syn)) == std::vector<event>{E::rcv_syn});  // no listener: challenge ACK
    c.listener_takes_syn = true;
    CHECK(events_of(c, seg(9000, 0, ctl::syn)) == std::vector<event>{E::rcv_syn_reopen});
    CHECK(events_of(c, seg(4000, 0, ctl::syn)) == std::vector<event>{E::rcv_syn});  // not above RCV.NXT
}

TEST_CASE("classify: SYN-SENT, text and FIN on a SYN,ACK follow the SYN (RCV.NXT = SEG.SEQ + 1)", "[classify]") {
    // §3.10.7.3 fourth: "If SND.UNA > ISS (our SYN has been ACKed), change the connection
    // state to ESTABLISHED ... continue processing at the sixth step below where the URG bit
    // is checked". RCV.NXT <- SEG.SEQ + 1, so one octet of text at SEG.SEQ + 1 is in order
    // and the FIN after it sits at SEG.SEQ + 2.
    receive_context c;
    c.st = S::syn_sent;
    c.iss = 100;
    c.snd_una = 100;
    c.snd_nxt = 101;
    c.rcv_wnd = 1000;  // RCV.NXT is not known yet (0)
    CHECK(events_of(c, seg(300, 101, ctl::syn | ctl::ack | ctl::fin, 1)) ==
          std::vector<event>{E::rcv_syn_ack, E::rcv_data, E::rcv_fin});
    CHECK(events_of(c, seg(300, 101, ctl::syn | ctl::ack | ctl::fin)) ==
          std::vector<event>{E::rcv_syn_ack, E::rcv_fin});
    CHECK(events_of(c, seg(300, 101, ctl::syn | ctl::ack, 1)) == std::vector<event>{E::rcv_syn_ack, E::rcv_data});
}
