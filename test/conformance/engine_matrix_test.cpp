// The engine-level state-by-segment matrix, in the style of the FreeBSD tcp-testsuite's
// state-event-engine: a real tcpfsm::connection is brought into each of the 11 states (12
// rows: SYN-RECEIVED after a passive and after an active OPEN) only through its public API
// and real segments from a scripted peer; then one segment of each kind, at each sequence
// position and each acknowledgment position (matrix.hpp's kinds, positions and numbering,
// so 12 x 9 x 6 x 4 = 2592 cells, and the same again with every window straddling 2^32)
// is fed to it, and the state it goes to and the exact segments it sends are compared with
//  - the reply kind, RST form, "text accepted" and next state of the RFC oracle
//    (oracle.hpp, written from RFC 9293 §3.10.7 and RFC 5961 without the engine), and
//  - the numbers of each reply, computed here from the RFC, never from the engine:
//      RST answering a segment (§3.5.2, §3.10.7): <SEQ=SEG.ACK><CTL=RST> if its ACK bit was
//        on, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
//      ACK and challenge ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, RCV.NXT after the
//        segment's in-order text and FIN are taken (seventh and eighth step), advertising
//        RCV.WND = RCV.BUFF - RCV.USER (§3.8.6.2.2; the test never calls receive(), so
//        RCV.USER is the text taken);
//      SYN,ACK: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with RCV.NXT = SEG.SEQ + 1 (§3.10.7.2
//        third, §3.10.7.3 fourth; other controls and text are not taken with the SYN);
//    and RCV.NXT, SND.UNA and SND.NXT after the segment (STATUS), by the same arithmetic.
//
// The engine's documented behaviours the expectations account for:
//  - it merges an owed ACK into a data segment it sends: the states are reached with no
//    queued unsent data (the 100 octets in flight are all sent), so every ACK is a pure ACK;
//  - challenge ACKs are limited to one per 500 ms per connection: a fresh engine per cell
//    sends at most one, which is never suppressed;
//  - the first pass runs the RFC 9293 §3.10 reference (tcpfsm::rfc_reference_config and
//    tcpfsm::rfc_reference_profile: every ACK at once, no congestion cap), so every reply goes
//    within on_segment(); the second pass runs the defaults (delayed ACK, one segment per turn)
//    and takes the time of each reply from RFC 1122 4.2.3.2 / RFC 5681 §4.2 (run_cell);
//  - text in the window but beyond RCV.NXT is not held (drop_reason::text_out_of_order):
//    the oracle's CHOICE 8 says it is accepted and held. The reply is the same duplicate ACK
//    with RCV.NXT unchanged either way; such cells are counted, not failed.
//  - TIME-WAIT with time_wait_reopen off: no listener takes a new SYN (the oracle has none).
//
// The named cases at the end (engine.<state>_<segment>) check TCB numbers after one segment:
// SND.UNA, the SND.WND / SND.WL1 / SND.WL2 update rule of §3.10.7.4 fifth step, RCV.NXT
// after text and FIN, MAX.SND.WND, and the challenge-ACK limit.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>

#include "sent_log.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "matrix.hpp"
#include "tcpfsm_test_support.hpp"

using namespace conformance;

namespace {

namespace ctl = tcpfsm::ctl;

// ------------------------------------------------------------------ the harness
// What one engine did: the segments it sent, the text it delivered, what it dropped.
struct record {
    std::int64_t now_ms = 1000000;  // the manual clock (never 0, so no tick is special)
    std::vector<tcpfsm::segment> sent;
    std::uint32_t delivered = 0;     // octets handed to on_data
    std::uint32_t acked = 0;         // octets on_acked said to drop from the send buffer
    std::uint32_t out_of_order = 0;  // drop_reason::text_out_of_order
    std::uint32_t rate_limited = 0;  // drop_reason::challenge_ack_rate_limited

    void forget_output() {
        sent.clear();
        delivered = acked = out_of_order = rate_limited = 0;
    }
};

using manual_clock = tcpfsm_test::log_clock<record>;
using capture_io = tcpfsm_test::log_io<record>;

struct capture_observer : tcpfsm::null_observer {
    record* r;
    explicit capture_observer(record* rec) noexcept : r(rec) {}
    void on_data(const std::uint8_t*, std::uint32_t length) noexcept { r->delivered += length; }
    void on_acked(std::uint32_t octets) noexcept { r->acked += octets; }
    void on_drop(tcpfsm::drop_reason why) noexcept {
        if (why == tcpfsm::drop_reason::text_out_of_order) ++r->out_of_order;
        if (why == tcpfsm::drop_reason::challenge_ack_rate_limited) ++r->rate_limited;
    }
};

// No congestion cap, so that every reply is exactly §3.10's (congestion::unlimited).
using engine = tcpfsm::connection<capture_io, manual_clock, capture_observer, tcpfsm::fixed_iss,
                                  tcpfsm::rfc_reference_profile>;

// The §3.10 reference, or the defaults; RCV.BUFF = RCV.WND of matrix.hpp (1000); no listener
// in TIME-WAIT (as the oracle).
tcpfsm::connection_config make_config(bool defaults) {
    tcpfsm::connection_config c = defaults ? tcpfsm::default_connection_config : tcpfsm::rfc_reference_config;
    c.receive_buffer = conformance::rcv_wnd;
    c.time_wait_reopen = false;
    return c;
}
const tcpfsm::connection_config engine_config = make_config(false);
const tcpfsm::connection_config defaults_config = make_config(true);

// The peer's window: MAX.SND.WND of matrix.hpp (2000).
constexpr std::uint16_t peer_window = static_cast<std::uint16_t>(conformance::max_snd_wnd);

// Text for the segments that carry some (contents do not matter; ASan sees the reads).
const std::array<std::uint8_t, 2048> text_bytes{};

struct harness {
    record rec;
    tcpfsm::connection_config config = engine_config;  // the engine reads it through a pointer
    engine conn;
    explicit harness(std::uint32_t iss)
        : conn(config, capture_io{&rec}, manual_clock{&rec}, capture_observer{&rec}, tcpfsm::fixed_iss(iss)) {}
    harness(const harness&) = delete;
    harness& operator=(const harness&) = delete;

    void feed(const tcpfsm::segment& s) { conn.on_segment(s, s.text_length > 0 ? text_bytes.data() : nullptr); }
};

tcpfsm::segment peer_segment(std::uint8_t flags, std::uint32_t seq, std::uint32_t ackno, std::uint32_t text = 0,
                             std::uint16_t window = peer_window) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ackno;
    s.flags = flags;
    s.text_length = text;
    s.window = window;
    return s;
}

const std::uint8_t syn_ack_flags = ctl::syn | ctl::ack;
const std::uint8_t fin_ack_flags = ctl::fin | ctl::ack;
const std::uint8_t rst_ack_flags = ctl::rst | ctl::ack;

std::string seg_text(const tcpfsm::segment& s) {
    std::string out = "<SEQ=" + hex(s.seq) + ">";
    if (s.ack_flag()) out += "<ACK=" + hex(s.ack) + ">";
    std::string c;
    const auto put = [&](bool on, const char* n) {
        if (!on) return;
        if (!c.empty()) c += ",";
        c += n;
    };
    put(s.syn(), "SYN");
    put(s.rst(), "RST");
    put(s.fin(), "FIN");
    put(s.has(ctl::psh), "PSH");
    put(s.ack_flag(), "ACK");
    out += "<CTL=" + c + ">";
    if (s.text_length > 0) out += "<DATA " + std::to_string(s.text_length) + ">";
    out += " WND=" + std::to_string(s.window);
    return out;
}

// Takes the one segment the engine sent; it must read `want` (SEQ, ACK when the ACK bit is
// on, CTL without PSH, text length). Returns an empty string, or what went wrong.
std::string take_one(record& rec, std::uint8_t flags, std::uint32_t seq, std::uint32_t ackno, std::uint32_t text = 0) {
    if (rec.sent.size() != 1) return "expected one segment, got " + std::to_string(rec.sent.size());
    const tcpfsm::segment g = rec.sent.front();
    rec.sent.clear();
    const bool ok = static_cast<std::uint8_t>(g.flags & ~ctl::psh) == flags && g.seq == seq &&
                    ((flags & ctl::ack) == 0 || g.ack == ackno) && g.text_length == text;
    if (ok) return {};
    tcpfsm::segment w = peer_segment(flags, seq, ackno, text, g.window);
    return "expected " + seg_text(w) + ", got " + seg_text(g);
}

// ------------------------------------------------------------------ reaching a state
// Only public calls and the peer's segments; each step's reply is checked on the way, and
// the TCB reached must be matrix.hpp's record for the state:
//   SYN-SENT       open_active: <SEQ=ISS><CTL=SYN>
//   SYN-RECEIVED   passive: open_passive, SYN(IRS) -> <SEQ=ISS><ACK=IRS+1><CTL=SYN,ACK>
//                  active: open_active, SYN(IRS) (simultaneous open) -> the same SYN,ACK
//   ESTABLISHED    open_active, SYN,ACK(IRS, ISS+1, window 2000) -> ACK; send(100): one
//                  data segment <SEQ=ISS+1>, all of it (window 2000, nothing in flight)
//   FIN-WAIT-1     ESTABLISHED, close(): <SEQ=ISS+101><ACK=IRS+1><CTL=FIN,ACK>
//   FIN-WAIT-2     FIN-WAIT-1, the peer's ACK of everything (ISS+102)
//   CLOSE-WAIT     ESTABLISHED, the peer's FIN (IRS+1, ACK=ISS+1): ACK <ISS+101><IRS+2>
//   CLOSING        FIN-WAIT-1, the peer's FIN (ACK=ISS+1): ACK <ISS+102><IRS+2>
//   LAST-ACK       CLOSE-WAIT, close(): <SEQ=ISS+101><ACK=IRS+2><CTL=FIN,ACK>
//   TIME-WAIT      FIN-WAIT-2, the peer's FIN (ACK=ISS+102): ACK <ISS+102><IRS+2>
std::string bring_to(harness& h, const state_row& r, const numbering& n) {
    const std::uint32_t iss = n.iss, irs = n.irs;
    std::string e;
    const auto step = [&](const std::string& what, const std::string& err) {
        if (e.empty() && !err.empty()) e = what + ": " + err;
    };
    const auto expect_state = [&](const char* what, state st) {
        if (e.empty() && h.conn.current_state() != st)
            e = std::string(what) + ": state " + tcpfsm::rfc_name(h.conn.current_state()) + ", wanted " +
                tcpfsm::rfc_name(st);
    };
    const auto establish = [&] {
        h.conn.open_active();
        step("open_active", take_one(h.rec, ctl::syn, iss, 0));
        h.feed(peer_segment(syn_ack_flags, irs, add(iss, 1)));
        step("SYN,ACK", take_one(h.rec, ctl::ack, add(iss, 1), add(irs, 1)));
        expect_state("SYN,ACK", state::established);
        h.conn.send(in_flight);
        step("send(100)", take_one(h.rec, ctl::ack, add(iss, 1), add(irs, 1), in_flight));
    };
    const auto fin_wait_1 = [&] {
        establish();
        h.conn.close();
        step("close", take_one(h.rec, fin_ack_flags, add(iss, 1 + in_flight), add(irs, 1)));
        expect_state("close", state::fin_wait_1);
    };
    const auto close_wait = [&] {
        establish();
        h.feed(peer_segment(fin_ack_flags, add(irs, 1), add(iss, 1)));
        step("peer FIN", take_one(h.rec, ctl::ack, add(iss, 1 + in_flight), add(irs, 2)));
        expect_state("peer FIN", state::close_wait);
    };
    const auto fin_wait_2 = [&] {
        fin_wait_1();
        h.feed(peer_segment(ctl::ack, add(irs, 1), add(iss, 2 + in_flight)));
        step("ACK of FIN", h.rec.sent.empty() ? std::string{} : "unexpected reply " + seg_text(h.rec.sent.front()));
        expect_state("ACK of FIN", state::fin_wait_2);
    };

    switch (r.st) {
        case state::closed:
            break;
        case state::listen:
            h.conn.open_passive();
            break;
        case state::syn_sent:
            h.conn.open_active();
            step("open_active", take_one(h.rec, ctl::syn, iss, 0));
            break;
        case state::syn_received:
            if (r.passive) h.conn.open_passive();
            else {
                h.conn.open_active();
                step("open_active", take_one(h.rec, ctl::syn, iss, 0));
            }
            h.feed(peer_segment(ctl::syn, irs, 0));
            step("SYN", take_one(h.rec, syn_ack_flags, iss, add(irs, 1)));
            break;
        case state::established:
            establish();
            break;
        case state::fin_wait_1:
            fin_wait_1();
            break;
        case state::fin_wait_2:
            fin_wait_2();
            break;
        case state::close_wait:
            close_wait();
            break;
        case state::closing:
            fin_wait_1();
            h.feed(peer_segment(fin_ack_flags, add(irs, 1), add(iss, 1)));
            step("peer FIN", take_one(h.rec, ctl::ack, add(iss, 2 + in_flight), add(irs, 2)));
            break;
        case state::last_ack:
            close_wait();
            h.conn.close();
            step("close", take_one(h.rec, fin_ack_flags, add(iss, 1 + in_flight), add(irs, 2)));
            break;
        case state::time_wait:
            fin_wait_2();
            h.feed(peer_segment(fin_ack_flags, add(irs, 1), add(iss, 2 + in_flight)));
            step("peer FIN", take_one(h.rec, ctl::ack, add(iss, 2 + in_flight), add(irs, 2)));
            break;
    }
    expect_state("reached", r.st);
    if (!e.empty()) return e;
    if (!h.rec.sent.empty()) return "unexpected segment on the way: " + seg_text(h.rec.sent.front());

    // The TCB must be matrix.hpp's record for the state (what the oracle reads).
    const tcb want = connection_for(r, n).oracle_view;
    const tcpfsm::connection_status got = h.conn.snapshot();
    const auto same = [&](const char* what, std::uint32_t g, std::uint32_t w) {
        if (e.empty() && g != w) e = std::string(what) + " is " + hex(g) + ", matrix.hpp says " + hex(w);
    };
    if (r.st != state::closed && r.st != state::listen) {
        same("ISS", got.iss, want.iss);
        same("SND.UNA", got.snd_una, want.snd_una);
        same("SND.NXT", got.snd_nxt, want.snd_nxt);
        same("RCV.NXT", got.rcv_nxt, want.rcv_nxt);
        same("RCV.WND", got.rcv_wnd, want.rcv_wnd);
        same("unsent", got.unsent, 0);
        if (e.empty() && got.fin_sent != want.fin_sent) e = "fin_sent differs from matrix.hpp";
        // MAX.SND.WND is read by the oracle in the synchronized states only.
        if (oracle_synchronized(r.st)) same("MAX.SND.WND", got.max_snd_wnd, want.max_snd_wnd);
    }
    return e;
}

// ------------------------------------------------------------------ the expected numbers
// Per the RFC, from the TCB of matrix.hpp, the segment, and the oracle's outcome (which says
// whether text is accepted and whether the segment is answered with an ACK).
bool peer_fin_received(state st) {
    return st == state::close_wait || st == state::closing || st == state::last_ack || st == state::time_wait;
}

struct after {
    std::uint32_t rcv_nxt, snd_una, snd_nxt;
    std::uint32_t text_taken;  // in-order octets taken (RCV.USER afterwards)
};

after expected_after(const tcb& t, const numbering& n, const seg& s, const outcome& o) {
    after a{t.rcv_nxt, t.snd_una, t.snd_nxt, 0};
    switch (t.st) {
        case state::closed:
            return a;
        case state::listen:
            // §3.10.7.2 third: RCV.NXT <- SEG.SEQ+1, SND.UNA <- ISS, SND.NXT <- ISS+1.
            if (o.next == state::syn_received) a = after{add(s.seq, 1), n.iss, add(n.iss, 1), 0};
            return a;
        case state::syn_sent:
            // §3.10.7.3 fourth: RCV.NXT <- SEG.SEQ+1; SND.UNA <- SEG.ACK when it is acceptable.
            if (o.next == state::syn_received || o.next == state::established) a.rcv_nxt = add(s.seq, 1);
            if (o.next == state::established) a.snd_una = s.ackno;
            return a;
        default:
            break;
    }
    // CHOICE 5 (Appendix A.2): the simultaneous open's SYN,ACK acknowledges our SYN.
    if (t.st == state::syn_received && s.syn && o.next == state::established) {
        a.snd_una = s.ackno;
        return a;
    }
    // §3.10.7.4 fifth: an acceptable segment with the ACK bit and no SYN or RST; SYN-RECEIVED
    // needs SND.UNA < SEG.ACK =< SND.NXT, the others RFC 5961 §5.2's range; then
    // "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK."
    if (s.ack && !s.syn && !s.rst && acceptable(t, s)) {
        const bool in_range = t.st == state::syn_received
                                  ? sq::lt(t.snd_una, s.ackno) && sq::le(s.ackno, t.snd_nxt)
                                  : sq::le(sub(t.snd_una, t.max_snd_wnd), s.ackno) && sq::le(s.ackno, t.snd_nxt);
        if (in_range && sq::lt(t.snd_una, s.ackno) && sq::le(s.ackno, t.snd_nxt)) a.snd_una = s.ackno;
    }
    // Seventh: accepted text starting at or before RCV.NXT advances RCV.NXT over its new
    // octets, as far as the window goes (the first step trims the rest).
    if (o.delivers && sq::le(s.seq, t.rcv_nxt)) {
        std::uint32_t end = add(s.seq, s.text);
        const std::uint32_t right = add(t.rcv_nxt, t.rcv_wnd);
        if (sq::lt(right, end)) end = right;
        if (sq::lt(t.rcv_nxt, end)) {
            a.text_taken = sub(end, t.rcv_nxt);
            a.rcv_nxt = end;
        }
    }
    // Eighth: a FIN in order (it is RCV.NXT once the text before it is taken, in the window)
    // of a segment the oracle acknowledges advances RCV.NXT over it, unless the peer's FIN was
    // already received (the peer has no sequence space after its FIN: RCV.NXT stays).
    if (s.fin && !s.syn && !s.rst && (o.reply & reply_ack) != 0 && !peer_fin_received(t.st)) {
        const std::uint32_t fin_seq = add(s.seq, s.text);
        if (fin_seq == a.rcv_nxt && sq::le(s.seq, t.rcv_nxt) && sq::in_window(fin_seq, t.rcv_nxt, t.rcv_wnd))
            a.rcv_nxt = add(a.rcv_nxt, 1);
    }
    return a;
}

struct wanted_segment {
    std::uint8_t flags;  // exactly (PSH is not compared)
    std::uint32_t seq;
    std::uint32_t ack;   // compared when the ACK bit is on
    bool check_window;
    std::uint16_t window;
};

std::vector<wanted_segment> expected_replies(const tcb& t, const numbering& n, const seg& s, const outcome& o,
                                             const after& a) {
    std::vector<wanted_segment> out;
    if (o.reply & reply_rst) {
        if (o.form == rst_form::seq_is_seg_ack) out.push_back({ctl::rst, s.ackno, 0, false, 0});
        else out.push_back({rst_ack_flags, 0, add(s.seq, s.len()), false, 0});
    }
    if (o.reply & reply_syn_ack) {
        const std::uint32_t iss = t.st == state::listen ? n.iss : t.iss;
        out.push_back({syn_ack_flags, iss, add(s.seq, 1), true, static_cast<std::uint16_t>(rcv_wnd)});
    }
    if (o.reply & (reply_ack | reply_challenge_ack)) {
        out.push_back({ctl::ack, a.snd_nxt, a.rcv_nxt, true,
                       static_cast<std::uint16_t>(t.rcv_wnd - a.text_taken)});
    }
    return out;
}

bool matches(const tcpfsm::segment& g, const wanted_segment& w) {
    return static_cast<std::uint8_t>(g.flags & ~ctl::psh) == w.flags && g.seq == w.seq &&
           ((w.flags & ctl::ack) == 0 || g.ack == w.ack) && g.text_length == 0 &&
           (!w.check_window || g.window == w.window);
}

std::string wanted_text(const wanted_segment& w) {
    tcpfsm::segment s = peer_segment(w.flags, w.seq, w.ack, 0, w.window);
    std::string out = seg_text(s);
    if (!w.check_window) out = out.substr(0, out.find(" WND="));
    return out;
}

// ------------------------------------------------------------------ one cell
struct cell_result {
    bool agree = true;
    std::uint8_t reply = reply_none;       // the oracle's reply kind (for the summary)
    bool out_of_order_difference = false;  // CHOICE 8 vs the engine: text not held
    std::string detail;
};

// The states whose owed ACK the defaults defer to the end of the consumer's turn: those after
// the handshake where the consumer may still send (so that its data or FIN carries the ACK;
// the delayed-ACK timer of RFC 9293 §3.8.6.3, whose slot the deferral uses, runs there), and
// CLOSING and LAST-ACK; not TIME-WAIT, where nothing can carry it.
bool ack_waits_for_turn(state st) {
    return st == state::established || st == state::fin_wait_1 || st == state::fin_wait_2 ||
           st == state::close_wait || st == state::closing || st == state::last_ack;
}

// `defaults`: the state is reached under the reference, then the segment goes to the engine
// under the defaults (delayed ACK, one segment per turn), and the consumer's turn ends
// (on_timer at the same time), then the delayed-ACK time passes (on_timer 40 ms later). The
// replies must be the reference's, each at the time RFC 1122 4.2.3.2 / RFC 5681 §4.2 allow:
//   RST, SYN,ACK and challenge ACK within on_segment (no ACK is owed: they are answers);
//   an ACK, where the state after the segment is one of ack_waits_for_turn, not within
//   on_segment but at the end of the turn; where it acknowledges in-order text alone (nothing out of order, no
//   FIN, no unacceptable segment), at the latest when the delayed-ACK timer ends (MUST-40);
//   before the handshake ends and in TIME-WAIT, within on_segment.
cell_result run_cell(const cell& x, const numbering& n, bool defaults = false) {
    cell_result res;
    const connection c = connection_for(*x.row, n);
    const seg s = oracle_segment(c, x);
    const outcome o = expected(c.oracle_view, s);
    const after a = expected_after(c.oracle_view, n, s, o);
    const std::vector<wanted_segment> want = expected_replies(c.oracle_view, n, s, o, a);
    res.reply = o.reply;

    harness h(n.iss);
    const std::string setup = bring_to(h, *x.row, n);
    if (!setup.empty()) {
        res.agree = false;
        res.detail = "setting up " + std::string(x.row->name) + " failed: " + setup;
        return res;
    }
    h.rec.forget_output();
    if (defaults) h.config = defaults_config;
    h.feed(wire_segment(s));

    std::string why;
    const auto add_why = [&](const std::string& w) { why += (why.empty() ? "" : "; ") + w; };

    if (defaults) {
        const std::vector<tcpfsm::segment> within = h.rec.sent;
        h.rec.sent.clear();
        const auto run_due = [&h] {
            const tcpfsm::timer_deadline d = h.conn.next_deadline();
            if (d && d.remaining_ms(static_cast<std::uint32_t>(h.rec.now_ms)) == 0) h.conn.on_timer();
        };
        run_due();  // the end of the turn
        const std::vector<tcpfsm::segment> at_turn_end = h.rec.sent;
        h.rec.sent.clear();
        h.rec.now_ms += defaults_config.timers.delayed_ack_ms;
        run_due();
        const std::vector<tcpfsm::segment> at_delay = h.rec.sent;
        // Where each reply must be, by the rules above.
        const bool in_order_text_alone = a.text_taken > 0 && a.rcv_nxt == add(c.oracle_view.rcv_nxt, a.text_taken);
        std::size_t within_acks = 0, turn_acks = 0, delay_acks = 0, others_late = 0;
        const auto is_pure_ack = [](const tcpfsm::segment& g) { return g.flags == ctl::ack && g.text_length == 0; };
        for (const auto& g : within) within_acks += is_pure_ack(g) ? 1u : 0u;
        for (const auto& g : at_turn_end) (is_pure_ack(g) ? turn_acks : others_late) += 1;
        for (const auto& g : at_delay) (is_pure_ack(g) ? delay_acks : others_late) += 1;
        const bool ack_reply = (o.reply & reply_ack) != 0;
        if (others_late != 0) add_why("an RST, SYN,ACK or challenge ACK after on_segment()");
        if (ack_reply && ack_waits_for_turn(o.next)) {
            if (within_acks != 0) add_why("the ACK went within on_segment(), not at the end of the turn");
            if (!in_order_text_alone && turn_acks != 1) add_why("the ACK owed at once did not go at the end of the turn");
            if (in_order_text_alone && turn_acks + delay_acks != 1) add_why("the ACK of text did not go within the delay");
        } else if (turn_acks + delay_acks != 0) {
            add_why("an ACK after on_segment() where none waits");
        }
        h.rec.sent = within;
        h.rec.sent.insert(h.rec.sent.end(), at_turn_end.begin(), at_turn_end.end());
        h.rec.sent.insert(h.rec.sent.end(), at_delay.begin(), at_delay.end());
    }

    // (a) the next state.
    const state got_state = h.conn.current_state();
    if (got_state != o.next)
        add_why(std::string("next state ") + tcpfsm::rfc_name(o.next) + " vs " + tcpfsm::rfc_name(got_state));

    // (b) the replies, exactly.
    std::vector<tcpfsm::segment> got = h.rec.sent;
    bool replies_ok = got.size() == want.size();
    if (replies_ok) {
        std::vector<bool> used(got.size(), false);
        for (const wanted_segment& w : want) {
            bool found = false;
            for (std::size_t i = 0; i < got.size() && !found; ++i)
                if (!used[i] && matches(got[i], w)) used[i] = found = true;
            replies_ok = replies_ok && found;
        }
    }
    if (!replies_ok) {
        std::string w = want.empty() ? "none" : "", g = got.empty() ? "none" : "";
        for (const wanted_segment& ws : want) w += (w.empty() ? "" : " + ") + wanted_text(ws);
        for (const tcpfsm::segment& gs : got) g += (g.empty() ? "" : " + ") + seg_text(gs);
        add_why("replies " + w + " (" + reply_text(o.reply) + ") vs " + g);
    }
    if (h.rec.rate_limited != 0) add_why("a challenge ACK was rate-limited");

    // Text accepted: the oracle's "delivers", the octets the RFC arithmetic takes in order.
    const bool oracle_ooo = o.delivers && sq::lt(c.oracle_view.rcv_nxt, s.seq);
    if (oracle_ooo && h.rec.delivered == 0 && h.rec.out_of_order > 0) {
        res.out_of_order_difference = true;  // documented: the engine does not hold it
    } else if (o.delivers != (h.rec.delivered > 0) || h.rec.delivered != a.text_taken) {
        add_why("text accepted " + std::string(o.delivers ? "yes" : "no") + " (" + std::to_string(a.text_taken) +
                " octets in order) vs " + std::to_string(h.rec.delivered) + " octets delivered");
    }

    // The numbers after the segment, while a TCB exists.
    const bool tcb_after = o.next != state::closed && o.next != state::listen && got_state == o.next;
    if (tcb_after) {
        const tcpfsm::connection_status st = h.conn.snapshot();
        if (st.rcv_nxt != a.rcv_nxt) add_why("RCV.NXT " + hex(a.rcv_nxt) + " vs " + hex(st.rcv_nxt));
        if (st.snd_una != a.snd_una) add_why("SND.UNA " + hex(a.snd_una) + " vs " + hex(st.snd_una));
        if (st.snd_nxt != a.snd_nxt) add_why("SND.NXT " + hex(a.snd_nxt) + " vs " + hex(st.snd_nxt));
    }

    if (!why.empty()) {
        res.agree = false;
        res.detail = describe(x, n, s) + "\n    oracle " + to_text(o) + "\n    " + why;
    }
    return res;
}

struct matrix_totals {
    std::size_t cells = 0, agree = 0, out_of_order = 0;
    std::size_t none = 0, ack = 0, challenge = 0, syn_ack = 0, rst = 0;  // the oracle's replies
    std::vector<std::string> disagreements;
};

matrix_totals run_matrix(const numbering& n, bool defaults = false) {
    matrix_totals t;
    for (const state_row& r : state_rows)
        for (const segment_kind& k : segment_kinds)
            for (seq_pos sp : seq_positions)
                for (ack_pos ap : ack_positions) {
                    const cell x{&r, &k, sp, ap};
                    const cell_result res = run_cell(x, n, defaults);
                    ++t.cells;
                    if (res.out_of_order_difference) ++t.out_of_order;
                    if (res.reply == reply_none) ++t.none;
                    if (res.reply & reply_ack) ++t.ack;
                    if (res.reply & reply_challenge_ack) ++t.challenge;
                    if (res.reply & reply_syn_ack) ++t.syn_ack;
                    if (res.reply & reply_rst) ++t.rst;
                    if (res.agree) ++t.agree;
                    else t.disagreements.push_back(res.detail);
                }
    return t;
}

void run_engine_matrix(bool defaults) {
    const auto started = std::chrono::steady_clock::now();
    std::size_t cells = 0, agree = 0, out_of_order = 0;
    std::vector<std::string> disagreements;
    for (const numbering* n : {&base_numbers, &wrapped_numbers}) {
        matrix_totals t = run_matrix(*n, defaults);
        std::printf("engine matrix (%s), %s: %zu cells, %zu agree, %zu disagree, %zu text-not-held (CHOICE 8); "
                    "expected replies: %zu none, %zu ACK, %zu challenge ACK, %zu SYN,ACK, %zu RST\n",
                    defaults ? "defaults" : "RFC 9293 reference", n->name, t.cells, t.agree, t.disagreements.size(),
                    t.out_of_order, t.none, t.ack, t.challenge, t.syn_ack, t.rst);
        cells += t.cells;
        agree += t.agree;
        out_of_order += t.out_of_order;
        disagreements.insert(disagreements.end(), t.disagreements.begin(), t.disagreements.end());
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    std::printf("engine matrix: %zu cells, %zu agree, %zu disagreements; %zu cells where only text acceptance "
                "differs (out-of-order text not held, oracle CHOICE 8); %lld ms\n",
                cells, agree, disagreements.size(), out_of_order, static_cast<long long>(ms));
    for (const std::string& d : disagreements) std::printf("  DISAGREE %s\n", d.c_str());
    std::fflush(stdout);
    CHECK(cells == 2 * state_rows.size() * segment_kinds.size() * seq_positions.size() * ack_positions.size());
    CHECK(disagreements.empty());
    CHECK(agree + disagreements.size() == cells);
}

}  // namespace

TEST_CASE("engine_matrix", "[engine]") { run_engine_matrix(false); }

// The second pass: the same cells under the defaults, each reply at the time the RFC allows.
TEST_CASE("engine_matrix_defaults", "[engine]") { run_engine_matrix(true); }

// ------------------------------------------------------------------ named cases
// Each runs with both numberings. ISS and IRS below are n.iss and n.irs; the TCB numbers
// after the segment are written out from the RFC step cited.
namespace {

struct reached {
    harness h;
    std::uint32_t iss, irs;
    reached(const char* row_name, const numbering& n) : h(n.iss), iss(n.iss), irs(n.irs) {
        const state_row* row = nullptr;
        for (const state_row& r : state_rows)
            if (std::string(r.name) == row_name) row = &r;
        REQUIRE(row != nullptr);
        const std::string e = bring_to(h, *row, n);
        INFO(e);
        REQUIRE(e.empty());
        h.rec.forget_output();
    }
    std::uint32_t i(std::uint32_t k) const { return add(iss, k); }  // ISS + k
    std::uint32_t r(std::uint32_t k) const { return add(irs, k); }  // IRS + k
    tcpfsm::connection_status tcb() const { return h.conn.snapshot(); }
    state st() const { return h.conn.current_state(); }
    void feed(const tcpfsm::segment& s) { h.feed(s); }
    void expect_reply(std::uint8_t flags, std::uint32_t seq, std::uint32_t ackno) {
        const std::string e = take_one(h.rec, flags, seq, ackno);
        INFO(e);
        CHECK(e.empty());
    }
    void expect_silence() {
        INFO((h.rec.sent.empty() ? std::string{} : seg_text(h.rec.sent.front())));
        CHECK(h.rec.sent.empty());
        h.rec.sent.clear();
    }
};

template <class F>
void with_both_numberings(F f) {
    for (const numbering* n : {&base_numbers, &wrapped_numbers}) {
        INFO("numbering " << n->name);
        f(*n);
    }
}

}  // namespace

// §3.10.7.3 fourth: "RCV.NXT is set to SEG.SEQ+1, IRS is set to SEG.SEQ. SND.UNA should be
// advanced to equal SEG.ACK ... Set the variables: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ,
// SND.WL2 <- SEG.ACK", ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
TEST_CASE("engine.syn_sent_syn_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_sent", n);
        c.feed(peer_segment(syn_ack_flags, c.irs, c.i(1), 0, 3000));
        CHECK(c.st() == state::established);
        c.expect_reply(ctl::ack, c.i(1), c.r(1));
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(1));
        CHECK(t.snd_una == c.i(1));
        CHECK(t.snd_nxt == c.i(1));
        CHECK(t.snd_wnd == 3000u);
        CHECK(t.snd_wl1 == c.irs);
        CHECK(t.snd_wl2 == c.i(1));
        CHECK(t.max_snd_wnd == 3000u);
    });
}

// §3.10.7.3 fourth, "Otherwise, enter SYN-RECEIVED ... Set the variables: SND.WND <- SEG.WND,
// SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK", <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
TEST_CASE("engine.syn_sent_syn", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_sent", n);
        c.feed(peer_segment(ctl::syn, c.irs, 0, 0, 1234));
        CHECK(c.st() == state::syn_received);
        c.expect_reply(syn_ack_flags, c.iss, c.r(1));
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(1));
        CHECK(t.snd_una == c.iss);
        CHECK(t.snd_nxt == c.i(1));
        CHECK(t.snd_wnd == 1234u);
        CHECK(t.snd_wl1 == c.irs);
        CHECK(t.max_snd_wnd == 1234u);
    });
}

// §3.10.7.3 fifth: an ACK without SYN or RST, even one acknowledging our SYN: "If neither of
// the SYN or RST bits is set, then drop the segment and return." SND.UNA stays ISS (it moves
// only with the SYN, fourth step), so the SYN is still retransmitted when the RTO expires.
// (Found by the matrix: the engine took the ACK, SND.UNA = SND.NXT stopped the
// retransmission timer, and the connection stayed in SYN-SENT with no timer.)
TEST_CASE("engine.syn_sent_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_sent", n);
        c.feed(peer_segment(ctl::ack, c.irs, c.i(1)));
        CHECK(c.st() == state::syn_sent);
        c.expect_silence();
        const auto t = c.tcb();
        CHECK(t.snd_una == c.iss);
        CHECK(t.snd_nxt == c.i(1));
        CHECK(t.snd_wnd == 0u);
        const std::chrono::milliseconds rto = c.h.conn.time_to_next_deadline();
        REQUIRE(rto == std::chrono::milliseconds(t.rto_ms));
        c.h.rec.now_ms += rto.count();
        c.h.conn.on_timer();
        c.expect_reply(ctl::syn, c.iss, 0);
        CHECK(c.st() == state::syn_sent);
    });
}

// §3.10.7.4 fifth, SYN-RECEIVED: "If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED
// state and continue processing with the variables below set to: SND.WND <- SEG.WND,
// SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK". No reply (nothing to acknowledge).
TEST_CASE("engine.syn_received_passive_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_received_passive", n);
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(1), 0, 1500));
        CHECK(c.st() == state::established);
        c.expect_silence();
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(1));
        CHECK(t.snd_wnd == 1500u);
        CHECK(t.snd_wl1 == c.r(1));
        CHECK(t.snd_wl2 == c.i(1));
        CHECK(t.max_snd_wnd == 1500u);
        CHECK(t.rcv_nxt == c.r(1));
    });
}

// The same with 10 octets and a FIN: seventh step takes the text (RCV.NXT + 10), eighth the
// FIN (RCV.NXT + 1, CLOSE-WAIT), one ACK <SEQ=ISS+1><ACK=IRS+12>, RCV.WND = 1000 - 10.
TEST_CASE("engine.syn_received_passive_data_fin_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_received_passive", n);
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(1), 10));
        CHECK(c.st() == state::close_wait);
        c.expect_reply(ctl::ack, c.i(1), c.r(12));
        CHECK(c.h.rec.delivered == 10u);
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(12));
        CHECK(t.rcv_wnd == rcv_wnd - 10);
        CHECK(t.snd_una == c.i(1));
    });
}

// §3.10.7.4 fifth, SYN-RECEIVED: an ACK of something not sent: <SEQ=SEG.ACK><CTL=RST>, and
// nothing of the TCB moves.
TEST_CASE("engine.syn_received_active_ack_beyond_snd_nxt", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("syn_received_active", n);
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(2)));
        CHECK(c.st() == state::syn_received);
        c.expect_reply(ctl::rst, c.i(2), 0);
        const auto t = c.tcb();
        CHECK(t.snd_una == c.iss);
        CHECK(t.snd_nxt == c.i(1));
        CHECK(t.rcv_nxt == c.r(1));
    });
}

// §3.10.7.4 fifth, ESTABLISHED: "If SND.UNA < SEG.ACK =< SND.NXT, then set SND.UNA <- SEG.ACK"
// (50 of the 100 octets: on_acked(50)); the window rule (SND.WL1 = IRS < SEG.SEQ) updates
// SND.WND, SND.WL1, SND.WL2; MAX.SND.WND follows the largest window.
TEST_CASE("engine.established_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        CHECK(c.tcb().snd_wl1 == c.irs);  // from the SYN,ACK
        CHECK(c.tcb().snd_wl2 == c.i(1));
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(51), 0, 3000));
        CHECK(c.st() == state::established);
        c.expect_silence();
        CHECK(c.h.rec.acked == 50u);
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(51));
        CHECK(t.snd_nxt == c.i(101));
        CHECK(t.snd_wnd == 3000u);
        CHECK(t.snd_wl1 == c.r(1));
        CHECK(t.snd_wl2 == c.i(51));
        CHECK(t.max_snd_wnd == 3000u);
    });
}

// The window update rule, segment by segment: "If SND.UNA =< SEG.ACK =< SND.NXT, the send
// window should be updated. If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =<
// SEG.ACK)), set SND.WND <- SEG.WND, set SND.WL1 <- SEG.SEQ, and set SND.WL2 <- SEG.ACK."
// "If the ACK is a duplicate (SEG.ACK < SND.UNA), it can be ignored."
TEST_CASE("engine.established_ack_window_update_rules", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        // 1. SND.WL1 < SEG.SEQ: update.
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(51), 0, 3000));
        c.expect_silence();
        CHECK(c.tcb().snd_wnd == 3000u);
        // 2. SND.WL1 = SEG.SEQ, SND.WL2 = SEG.ACK (a duplicate ACK with a smaller window):
        //    update; MAX.SND.WND keeps the largest.
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(51), 0, 500));
        c.expect_silence();
        auto t = c.tcb();
        CHECK(t.snd_wnd == 500u);
        CHECK(t.snd_wl1 == c.r(1));
        CHECK(t.snd_wl2 == c.i(51));
        CHECK(t.max_snd_wnd == 3000u);
        // 3. SEG.ACK < SND.UNA (inside RFC 5961's SND.UNA - MAX.SND.WND): ignored, no
        //    challenge ACK, the window stays.
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(41), 0, 4000));
        c.expect_silence();
        t = c.tcb();
        CHECK(t.snd_una == c.i(51));
        CHECK(t.snd_wnd == 500u);
        CHECK(t.snd_wl2 == c.i(51));
        CHECK(t.max_snd_wnd == 3000u);
        // 4. Text at RCV.NXT, SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK: update; RCV.NXT + 10,
        //    ACK <SEQ=SND.NXT><ACK=IRS+11>, RCV.WND 990.
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(51), 10, 600));
        c.expect_reply(ctl::ack, c.i(101), c.r(11));
        t = c.tcb();
        CHECK(t.rcv_nxt == c.r(11));
        CHECK(t.rcv_wnd == rcv_wnd - 10);
        CHECK(t.snd_wnd == 600u);
        CHECK(t.snd_wl1 == c.r(1));
        // 5. An ACK at the new RCV.NXT: SND.WL1 < SEG.SEQ: update.
        c.feed(peer_segment(ctl::ack, c.r(11), c.i(51), 0, 800));
        c.expect_silence();
        t = c.tcb();
        CHECK(t.snd_wnd == 800u);
        CHECK(t.snd_wl1 == c.r(11));
        // 6. 20 octets from IRS+1 (10 old, 10 new), SEG.ACK = ISS+60: SND.UNA moves, but
        //    SEG.SEQ < SND.WL1, so the window does not (an old segment's window).
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(60), 20, 100));
        c.expect_reply(ctl::ack, c.i(101), c.r(21));
        t = c.tcb();
        CHECK(c.h.rec.delivered == 20u);  // 10 in step 4, 10 new here
        CHECK(t.snd_una == c.i(60));
        CHECK(t.snd_wnd == 800u);
        CHECK(t.snd_wl1 == c.r(11));
        CHECK(t.snd_wl2 == c.i(51));
        CHECK(t.rcv_nxt == c.r(21));
        CHECK(t.rcv_wnd == rcv_wnd - 20);
    });
}

// Seventh step: in-order text delivered, RCV.NXT advances over it, acknowledged at once
// (delayed ACKs off); the window shrinks by what the user holds (RCV.BUFF - RCV.USER).
TEST_CASE("engine.established_data", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(101), 10));
        CHECK(c.st() == state::established);
        c.expect_reply(ctl::ack, c.i(101), c.r(11));
        CHECK(c.h.rec.delivered == 10u);
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(11));
        CHECK(t.rcv_wnd == rcv_wnd - 10);
        CHECK(t.snd_una == c.i(101));
        CHECK(c.h.rec.acked == 100u);
    });
}

// Text in the window beyond RCV.NXT: not held by the engine (documented; the oracle's
// CHOICE 8 would hold it); the duplicate ACK is the same either way: <ACK=RCV.NXT>.
TEST_CASE("engine.established_data_out_of_order", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        c.feed(peer_segment(ctl::ack, c.r(501), c.i(1), 10));
        c.expect_reply(ctl::ack, c.i(101), c.r(1));
        CHECK(c.h.rec.delivered == 0u);
        CHECK(c.h.rec.out_of_order == 1u);
        CHECK(c.tcb().rcv_nxt == c.r(1));
        CHECK(c.tcb().rcv_wnd == rcv_wnd);
    });
}

// Eighth step, ESTABLISHED: text then FIN: RCV.NXT = IRS+1+10+1, CLOSE-WAIT, one ACK.
TEST_CASE("engine.established_data_fin_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(1), 10));
        CHECK(c.st() == state::close_wait);
        c.expect_reply(ctl::ack, c.i(101), c.r(12));
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(12));
        CHECK(t.snd_una == c.i(1));
    });
}

// RFC 5961 §5.2: SEG.ACK = SND.UNA - MAX.SND.WND is still acceptable (ignored as an old
// duplicate); one below earns a challenge ACK and changes nothing; §7: a second challenge
// within 500 ms is not sent, one after it is.
TEST_CASE("engine.established_ack_rfc5961_range_and_rate_limit", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("established", n);
        const std::uint32_t oldest = sub(c.i(1), max_snd_wnd);
        c.feed(peer_segment(ctl::ack, c.r(1), oldest, 0, 3000));
        c.expect_silence();
        CHECK(c.tcb().snd_wnd == max_snd_wnd);  // SEG.ACK < SND.UNA: no window update
        c.feed(peer_segment(ctl::ack, c.r(1), sub(oldest, 1), 0, 3000));
        c.expect_reply(ctl::ack, c.i(101), c.r(1));
        c.h.rec.now_ms += 499;
        c.feed(peer_segment(ctl::ack, c.r(1), sub(oldest, 1)));
        c.expect_silence();
        CHECK(c.h.rec.rate_limited == 1u);
        c.h.rec.now_ms += 1;
        c.feed(peer_segment(ctl::ack, c.r(1), sub(oldest, 1)));
        c.expect_reply(ctl::ack, c.i(101), c.r(1));
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(1));
        CHECK(t.snd_wnd == max_snd_wnd);
        CHECK(t.max_snd_wnd == max_snd_wnd);
        CHECK(c.st() == state::established);
    });
}

// §3.10.7.4 fifth, FIN-WAIT-1: the ACK of everything (data and FIN): SND.UNA = SND.NXT,
// FIN-WAIT-2; the 100 data octets (not the FIN) are reported acknowledged.
TEST_CASE("engine.fin_wait_1_ack_of_fin", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("fin_wait_1", n);
        c.feed(peer_segment(ctl::ack, c.r(1), c.i(102)));
        CHECK(c.st() == state::fin_wait_2);
        c.expect_silence();
        CHECK(c.h.rec.acked == 100u);
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(102));
        CHECK(t.snd_nxt == c.i(102));
    });
}

// FIN-WAIT-1: a FIN whose ACK covers our FIN: TIME-WAIT, RCV.NXT over the FIN, ACK.
TEST_CASE("engine.fin_wait_1_fin_ack_of_fin", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("fin_wait_1", n);
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(102)));
        CHECK(c.st() == state::time_wait);
        c.expect_reply(ctl::ack, c.i(102), c.r(2));
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(102));
        CHECK(t.rcv_nxt == c.r(2));
    });
}

// FIN-WAIT-1: a FIN that does not acknowledge ours (only part of the data): CLOSING;
// SND.UNA moves to SEG.ACK.
TEST_CASE("engine.fin_wait_1_fin_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("fin_wait_1", n);
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(31)));
        CHECK(c.st() == state::closing);
        c.expect_reply(ctl::ack, c.i(102), c.r(2));
        const auto t = c.tcb();
        CHECK(t.snd_una == c.i(31));
        CHECK(t.rcv_nxt == c.r(2));
    });
}

// FIN-WAIT-2: text is still taken (seventh step), then the FIN: TIME-WAIT.
TEST_CASE("engine.fin_wait_2_data_fin_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("fin_wait_2", n);
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(102), 10));
        CHECK(c.st() == state::time_wait);
        c.expect_reply(ctl::ack, c.i(102), c.r(12));
        CHECK(c.h.rec.delivered == 10u);
        CHECK(c.tcb().rcv_nxt == c.r(12));
    });
}

// CLOSE-WAIT: text "should not occur since a FIN has been received ... Ignore the segment
// text"; its ACK is still processed (fifth step comes first).
TEST_CASE("engine.close_wait_data", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("close_wait", n);
        c.feed(peer_segment(ctl::ack, c.r(2), c.i(41), 10));
        CHECK(c.st() == state::close_wait);
        c.expect_silence();
        CHECK(c.h.rec.delivered == 0u);
        const auto t = c.tcb();
        CHECK(t.rcv_nxt == c.r(2));
        CHECK(t.snd_una == c.i(41));
    });
}

// CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state".
TEST_CASE("engine.closing_ack_of_fin", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("closing", n);
        c.feed(peer_segment(ctl::ack, c.r(2), c.i(102)));
        CHECK(c.st() == state::time_wait);
        c.expect_silence();
        CHECK(c.tcb().snd_una == c.i(102));
        CHECK(c.tcb().rcv_nxt == c.r(2));
    });
}

// LAST-ACK: an ACK short of our FIN moves SND.UNA and stays; the ACK of the FIN closes.
TEST_CASE("engine.last_ack_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("last_ack", n);
        c.feed(peer_segment(ctl::ack, c.r(2), c.i(101)));
        CHECK(c.st() == state::last_ack);
        c.expect_silence();
        CHECK(c.tcb().snd_una == c.i(101));
        c.feed(peer_segment(ctl::ack, c.r(2), c.i(102)));
        CHECK(c.st() == state::closed);
        c.expect_silence();
    });
}

// TIME-WAIT: the peer's FIN again (SEG.SEQ = RCV.NXT - 1): "Acknowledge it, and restart the
// 2 MSL timeout"; RCV.NXT does not move.
TEST_CASE("engine.time_wait_fin_ack", "[engine][engine_named]") {
    with_both_numberings([](const numbering& n) {
        reached c("time_wait", n);
        const std::chrono::milliseconds two_msl(engine_config.timers.time_wait_ms());
        CHECK(c.h.conn.time_to_next_deadline() == two_msl);
        c.h.rec.now_ms += 10000;
        CHECK(c.h.conn.time_to_next_deadline() == two_msl - std::chrono::milliseconds(10000));
        c.feed(peer_segment(fin_ack_flags, c.r(1), c.i(102)));
        CHECK(c.st() == state::time_wait);
        c.expect_reply(ctl::ack, c.i(102), c.r(2));
        CHECK(c.tcb().rcv_nxt == c.r(2));
        CHECK(c.h.conn.time_to_next_deadline() == two_msl);
    });
}
