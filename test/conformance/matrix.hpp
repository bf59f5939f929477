// The conformance matrix: the connection records (TCB numbers) of each state, the segment
// kinds and positions, the implementation under test (classify(), then the standard table's
// rows in order) and the printing of a cell.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONFORMANCE_MATRIX_HPP
#define TCPFSM_CONFORMANCE_MATRIX_HPP

#include <tcpfsm/classify.hpp>
#include <tcpfsm/tcpfsm.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>

#include "oracle.hpp"

namespace conformance {

// ---------------------------------------------------------------- the rows: 11 states, 12 rows
// SYN-RECEIVED appears twice: entered from LISTEN (passive) and from SYN-SENT (active).
struct state_row {
    const char* name;
    state st;
    bool passive;
};

inline constexpr std::array<state_row, 12> state_rows{{
    {"closed", state::closed, false},
    {"listen", state::listen, false},
    {"syn_sent", state::syn_sent, false},
    {"syn_received_passive", state::syn_received, true},
    {"syn_received_active", state::syn_received, false},
    {"established", state::established, false},
    {"fin_wait_1", state::fin_wait_1, false},
    {"fin_wait_2", state::fin_wait_2, false},
    {"close_wait", state::close_wait, false},
    {"closing", state::closing, false},
    {"last_ack", state::last_ack, false},
    {"time_wait", state::time_wait, false},
}};

// ---------------------------------------------------------------- the numbers
// A numbering: ISS and IRS. Everything else is an offset from them, so that the whole
// matrix can run again with the windows straddling 2^32.
struct numbering {
    const char* name;
    std::uint32_t iss;
    std::uint32_t irs;
};

inline constexpr numbering base_numbers{"ISS=1000,IRS=5000", 1000u, 5000u};
// RCV.NXT = 0xFFFFFFF9 with RCV.WND = 1000 and SND.UNA..SND.NXT = 0xFFFFFFF1..0x55: both
// windows, and MAX.SND.WND below SND.UNA, straddle 2^32.
inline constexpr numbering wrapped_numbers{"ISS=0xFFFFFFF0,IRS=0xFFFFFFF8", 0xFFFFFFF0u, 0xFFFFFFF8u};

inline constexpr std::uint32_t rcv_wnd = 1000;      // RCV.WND
inline constexpr std::uint32_t max_snd_wnd = 2000;  // MAX.SND.WND
inline constexpr std::uint32_t in_flight = 100;     // octets we have sent and not had acknowledged
inline constexpr std::uint32_t text_octets = 10;    // text of a data segment

inline std::uint32_t add(std::uint32_t a, std::uint32_t b) { return static_cast<std::uint32_t>(a + b); }
inline std::uint32_t sub(std::uint32_t a, std::uint32_t b) { return static_cast<std::uint32_t>(a - b); }

// The connection record of a state, consistent with how it was reached:
//   SYN-SENT       SND.UNA = ISS, SND.NXT = ISS+1 (our SYN), nothing known of the peer.
//   SYN-RECEIVED   SND.UNA = ISS, SND.NXT = ISS+1, RCV.NXT = IRS+1 (the peer's SYN).
//   ESTABLISHED    SND.UNA = ISS+1, SND.NXT = ISS+101 (100 octets in flight), RCV.NXT = IRS+1.
//   FIN-WAIT-1     as ESTABLISHED, then our FIN: SND.NXT = ISS+102, fin_sent.
//   FIN-WAIT-2     our FIN acknowledged: SND.UNA = SND.NXT = ISS+102, fin_sent.
//   CLOSE-WAIT     as ESTABLISHED, and the peer's FIN (IRS+1): RCV.NXT = IRS+2.
//   CLOSING        FIN-WAIT-1's numbers, and the peer's FIN: RCV.NXT = IRS+2.
//   LAST-ACK       CLOSE-WAIT's, then our FIN: SND.NXT = ISS+102, fin_sent.
//   TIME-WAIT      both FINs acknowledged: SND.UNA = SND.NXT = ISS+102, RCV.NXT = IRS+2.
//   CLOSED, LISTEN no TCB numbers.
struct connection {
    tcb oracle_view;                   // what the oracle reads
    tcpfsm::receive_context context;   // what classify() reads (the same numbers)
    // The reference numbers the segment positions are built from. For CLOSED, LISTEN and
    // SYN-SENT, which have no (or no receive) numbers, they are ESTABLISHED's nominal ones.
    std::uint32_t ref_snd_una, ref_snd_nxt, ref_rcv_nxt;
};

inline connection connection_for(const state_row& r, const numbering& n) {
    tcb t;
    t.st = r.st;
    t.passive = r.passive;
    t.iss = n.iss;
    t.rcv_wnd = rcv_wnd;
    t.max_snd_wnd = max_snd_wnd;
    const std::uint32_t snd_after_data = add(n.iss, 1 + in_flight);  // ISS+101
    switch (r.st) {
        case state::closed:
        case state::listen:
            t = tcb{};
            t.st = r.st;
            break;
        case state::syn_sent:
            t.snd_una = n.iss;
            t.snd_nxt = add(n.iss, 1);
            t.max_snd_wnd = 0;  // nothing received from the peer yet
            t.rcv_nxt = 0;      // IRS unknown
            break;
        case state::syn_received:
            t.snd_una = n.iss;
            t.snd_nxt = add(n.iss, 1);
            t.rcv_nxt = add(n.irs, 1);
            break;
        case state::established:
            t.snd_una = add(n.iss, 1);
            t.snd_nxt = snd_after_data;
            t.rcv_nxt = add(n.irs, 1);
            break;
        case state::fin_wait_1:
            t.fin_sent = true;
            t.snd_una = add(n.iss, 1);
            t.snd_nxt = add(snd_after_data, 1);
            t.rcv_nxt = add(n.irs, 1);
            break;
        case state::fin_wait_2:
            t.fin_sent = true;
            t.snd_una = add(snd_after_data, 1);
            t.snd_nxt = add(snd_after_data, 1);
            t.rcv_nxt = add(n.irs, 1);
            break;
        case state::close_wait:
            t.snd_una = add(n.iss, 1);
            t.snd_nxt = snd_after_data;
            t.rcv_nxt = add(n.irs, 2);
            break;
        case state::closing:
        case state::last_ack:
            t.fin_sent = true;
            t.snd_una = add(n.iss, 1);
            t.snd_nxt = add(snd_after_data, 1);
            t.rcv_nxt = add(n.irs, 2);
            break;
        case state::time_wait:
            t.fin_sent = true;
            t.snd_una = add(snd_after_data, 1);
            t.snd_nxt = add(snd_after_data, 1);
            t.rcv_nxt = add(n.irs, 2);
            break;
    }

    connection c;
    c.oracle_view = t;
    c.context.st = t.st;
    c.context.passive_origin = t.passive;
    c.context.fin_sent = t.fin_sent;
    c.context.listener_takes_syn = false;  // no listener: TIME-WAIT is not reopened
    c.context.cookie_valid = false;
    c.context.iss = t.iss;
    c.context.snd_una = t.snd_una;
    c.context.snd_nxt = t.snd_nxt;
    c.context.max_snd_wnd = t.max_snd_wnd;
    c.context.rcv_nxt = t.rcv_nxt;
    c.context.rcv_wnd = t.rcv_wnd;

    const bool nominal = r.st == state::closed || r.st == state::listen;
    c.ref_snd_una = nominal ? add(n.iss, 1) : t.snd_una;
    c.ref_snd_nxt = nominal ? snd_after_data : t.snd_nxt;
    c.ref_rcv_nxt = (nominal || r.st == state::syn_sent) ? add(n.irs, 1) : t.rcv_nxt;
    return c;
}

// ---------------------------------------------------------------- the segments
struct segment_kind {
    const char* name;
    bool syn, ack, fin, rst;
    std::uint32_t text;
};

inline constexpr std::array<segment_kind, 9> segment_kinds{{
    {"ACK", false, true, false, false, 0},
    {"FIN+ACK", false, true, true, false, 0},
    {"FIN", false, false, true, false, 0},
    {"RST", false, false, false, true, 0},
    {"RST+ACK", false, true, false, true, 0},
    {"SYN", true, false, false, false, 0},
    {"SYN+ACK", true, true, false, false, 0},
    {"SYN+FIN", true, false, true, false, 0},
    {"data+ACK", false, true, false, false, text_octets},
}};

enum class seq_pos { below_window, rcv_nxt_minus_1, rcv_nxt, inside, right_edge, beyond };
inline constexpr std::array<seq_pos, 6> seq_positions{
    seq_pos::below_window, seq_pos::rcv_nxt_minus_1, seq_pos::rcv_nxt,
    seq_pos::inside,       seq_pos::right_edge,      seq_pos::beyond,
};

enum class ack_pos { below_max_wnd, snd_una, snd_nxt, beyond_snd_nxt };
inline constexpr std::array<ack_pos, 4> ack_positions{
    ack_pos::below_max_wnd, ack_pos::snd_una, ack_pos::snd_nxt, ack_pos::beyond_snd_nxt,
};

inline const char* name(seq_pos p) {
    switch (p) {
        case seq_pos::below_window: return "RCV.NXT-100";
        case seq_pos::rcv_nxt_minus_1: return "RCV.NXT-1";
        case seq_pos::rcv_nxt: return "RCV.NXT";
        case seq_pos::inside: return "RCV.NXT+WND/2";
        case seq_pos::right_edge: return "RCV.NXT+WND-1";
        case seq_pos::beyond: return "RCV.NXT+WND";
    }
    return "?";
}

inline const char* name(ack_pos p) {
    switch (p) {
        case ack_pos::below_max_wnd: return "SND.UNA-MAX.SND.WND-1";
        case ack_pos::snd_una: return "SND.UNA";
        case ack_pos::snd_nxt: return "SND.NXT";
        case ack_pos::beyond_snd_nxt: return "SND.NXT+1";
    }
    return "?";
}

inline std::uint32_t seq_value(const connection& c, seq_pos p) {
    switch (p) {
        case seq_pos::below_window: return sub(c.ref_rcv_nxt, 100);
        case seq_pos::rcv_nxt_minus_1: return sub(c.ref_rcv_nxt, 1);
        case seq_pos::rcv_nxt: return c.ref_rcv_nxt;
        case seq_pos::inside: return add(c.ref_rcv_nxt, rcv_wnd / 2);
        case seq_pos::right_edge: return add(c.ref_rcv_nxt, rcv_wnd - 1);
        case seq_pos::beyond: return add(c.ref_rcv_nxt, rcv_wnd);
    }
    return 0;
}

inline std::uint32_t ack_value(const connection& c, ack_pos p) {
    switch (p) {
        case ack_pos::below_max_wnd: return sub(c.ref_snd_una, max_snd_wnd + 1);
        case ack_pos::snd_una: return c.ref_snd_una;
        case ack_pos::snd_nxt: return c.ref_snd_nxt;
        case ack_pos::beyond_snd_nxt: return add(c.ref_snd_nxt, 1);
    }
    return 0;
}

struct cell {
    const state_row* row;
    const segment_kind* kind;
    seq_pos sp;
    ack_pos ap;
};

inline seg oracle_segment(const connection& c, const cell& x) {
    seg s;
    s.syn = x.kind->syn;
    s.ack = x.kind->ack;
    s.fin = x.kind->fin;
    s.rst = x.kind->rst;
    s.text = x.kind->text;
    s.seq = seq_value(c, x.sp);
    s.ackno = ack_value(c, x.ap);  // carried even when the ACK bit is off
    return s;
}

inline tcpfsm::segment wire_segment(const seg& s) {
    tcpfsm::segment w;
    w.seq = s.seq;
    w.ack = s.ackno;
    w.text_length = s.text;
    w.window = 1000;
    std::uint8_t f = 0;
    if (s.syn) f = static_cast<std::uint8_t>(f | tcpfsm::ctl::syn);
    if (s.ack) f = static_cast<std::uint8_t>(f | tcpfsm::ctl::ack);
    if (s.fin) f = static_cast<std::uint8_t>(f | tcpfsm::ctl::fin);
    if (s.rst) f = static_cast<std::uint8_t>(f | tcpfsm::ctl::rst);
    w.flags = f;
    return w;
}

// ---------------------------------------------------------------- the implementation under test
struct implementation_result {
    outcome out;
    tcpfsm::action_set actions;  // every action of every row taken
    tcpfsm::event events[3] = {};
    std::size_t event_count = 0;
};

inline implementation_result run_implementation(const tcpfsm::receive_context& ctx, const seg& s) {
    namespace action = tcpfsm::action;
    implementation_result r;
    const tcpfsm::segment w = wire_segment(s);
    const tcpfsm::classification k = tcpfsm::classify(ctx, w);
    state st = ctx.st;
    for (std::size_t i = 0; i < k.count && i < 3; ++i) {
        r.events[i] = k[i];
        const tcpfsm::transition& row = tcpfsm::step(st, k[i]);
        r.actions = r.actions | row.actions;
        st = row.to;
    }
    r.event_count = k.count;
    const tcpfsm::action_set a = r.actions;
    std::uint8_t reply = reply_none;
    if (a.intersects(action::send_rst)) reply |= reply_rst;
    if (a.intersects(action::send_challenge_ack)) reply |= reply_challenge_ack;
    if (a.intersects(action::send_syn_ack)) reply |= reply_syn_ack;
    if (a.intersects(action::send_ack)) reply |= reply_ack;
    if (a.intersects(action::send_syn | action::send_fin | action::retransmit |
                     action::send_keepalive_probe | action::send_window_probe))
        reply |= reply_other;
    r.out.reply = reply;
    // send_rst is "RST per §3.5.2 from the offending segment": its form follows the ACK bit.
    if (reply & reply_rst) r.out.form = s.ack ? rst_form::seq_is_seg_ack : rst_form::ack_is_seg_end;
    r.out.delivers = a.intersects(action::deliver_data);
    r.out.next = st;
    return r;
}

// ---------------------------------------------------------------- printing
inline std::string reply_text(std::uint8_t r) {
    if (r == reply_none) return "none";
    std::string out;
    auto put = [&](std::uint8_t bit, const char* n) {
        if ((r & bit) == 0) return;
        if (!out.empty()) out += "+";
        out += n;
    };
    put(reply_ack, "ACK");
    put(reply_challenge_ack, "challenge-ACK");
    put(reply_syn_ack, "SYN,ACK");
    put(reply_rst, "RST");
    put(reply_other, "other-segment");
    return out;
}

inline std::string to_text(const outcome& o) {
    std::string s = "{reply=" + reply_text(o.reply);
    if (o.form == rst_form::seq_is_seg_ack) s += " <SEQ=SEG.ACK><CTL=RST>";
    if (o.form == rst_form::ack_is_seg_end) s += " <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>";
    s += std::string(" delivers=") + (o.delivers ? "yes" : "no");
    s += std::string(" next=") + tcpfsm::rfc_name(o.next) + "}";
    return s;
}

inline std::string hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(v));
    return buf;
}

inline std::string describe(const cell& x, const numbering& n, const seg& s) {
    return std::string(x.row->name) + " / " + x.kind->name + " / SEQ=" + name(x.sp) + " (" +
           hex(s.seq) + ") / ACK=" + name(x.ap) + " (" + hex(s.ackno) + ") / " + n.name;
}

inline std::string events_text(const implementation_result& r) {
    std::string s = "[";
    for (std::size_t i = 0; i < r.event_count && i < 3; ++i) {
        if (i) s += ", ";
        s += tcpfsm::name(r.events[i]);
    }
    return s + "]";
}

}  // namespace conformance

#endif  // TCPFSM_CONFORMANCE_MATRIX_HPP
