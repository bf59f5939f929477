// The conformance oracle: what RFC 9293 §3.10.7 (with RFC 5961 §3-§5) says a TCP endpoint
// does with one arriving segment, written from the RFC text, step by step, independently of
// classify.hpp and table.hpp (it uses neither, nor seq.hpp: its sequence arithmetic is its
// own). Each branch cites the step it comes from.
//
// The oracle answers three things: the reply (none, ACK, challenge ACK, SYN,ACK or RST, and
// for RST its form per §3.5.2), whether segment text is accepted for the user, and the next
// state.
//
// Where RFC 9293 leaves a choice, the oracle takes the one the project takes (docs/design.md
// "Choices", which follow Linux); each is marked CHOICE below:
//
//  CHOICE 1  RST answering our SYN (SYN-SENT, acceptable ACK; SYN-RECEIVED after an active
//            OPEN): CLOSED. (The user signal, "refused" or "reset", is not part of the oracle.)
//  CHOICE 2  RFC 5961 is implemented (RFC 9293 MAY-12 and the "SHOULD first check that the
//            sequence number exactly matches RCV.NXT" of the second step): RST at RCV.NXT
//            resets, elsewhere in the window earns a challenge ACK, outside it is dropped; an
//            ACK outside SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT earns a challenge ACK.
//  CHOICE 3  A SYN in a synchronized state (and in SYN-RECEIVED after an active OPEN, which
//            the fourth step "handles per the directions for synchronized states") earns a
//            challenge ACK "irrespective of the sequence number" (RFC 5961 §4.2, RFC 9293
//            fourth step), so even outside the window, where the first step alone would send
//            the same <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> as a plain ACK (Linux:
//            tcp_validate_incoming's syn_challenge). The difference is only the rate limit.
//            After a passive OPEN the order of the steps is kept: the first step answers an
//            out-of-window SYN (for example the peer's retransmitted SYN at RCV.NXT - 1) with
//            an ACK, and only an acceptable SYN returns the connection to LISTEN.
//  CHOICE 4  RFC 5961 §5's ACK range applies to the synchronized states. In SYN-RECEIVED the
//            per-state rule of the fifth step decides alone: anything but
//            SND.UNA < SEG.ACK =< SND.NXT gets <SEQ=SEG.ACK><CTL=RST> (Linux: tcp_check_req
//            and FLAG_NO_CHALLENGE_ACK in SYN_RECV).
//  CHOICE 5  Simultaneous open (Figure 7, Appendix A.2): in SYN-RECEIVED after an active OPEN
//            the peer's SYN,ACK (SEG.SEQ + 1 = RCV.NXT, SEG.ACK = SND.NXT) completes the
//            open: ESTABLISHED, no reply (Figure 7 line 7 sends nothing), although the first
//            step alone would find it a duplicate.
//  CHOICE 6  TIME-WAIT: the peer's retransmitted FIN (it ends at RCV.NXT) is acknowledged and
//            2MSL restarted (fifth step, TIME-WAIT); the reply, an ACK, is the one the first
//            step would send anyway, so the matrix sees no difference (a named case checks the
//            restart). A SYN with no listener on the port earns a challenge ACK (CHOICE 3).
//  CHOICE 7  SYN+FIN in LISTEN: the third step processes the SYN (SYN-RECEIVED, SYN,ACK); the
//            rest "will be processed in the SYN-RECEIVED state" and the fifth step there drops
//            a segment whose ACK bit is off, so the FIN is not taken (the peer retransmits
//            it). (Linux drops SYN+FIN in LISTEN altogether; the RFC does not.)
//  CHOICE 8  Text in the window but not at RCV.NXT is accepted (held, "segments with higher
//            beginning sequence numbers may be held for later processing") and acknowledged;
//            a FIN beyond RCV.NXT is held, not processed, and the segment is answered with a
//            duplicate ACK in the states that still receive (RFC 5681 §4.2: "A TCP receiver
//            SHOULD send an immediate duplicate ACK when an out-of-order segment arrives";
//            Linux does). Where the peer's FIN has already been received there is no sequence
//            space left beyond RCV.NXT: such a segment is ignored (seventh step).
//
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONFORMANCE_ORACLE_HPP
#define TCPFSM_CONFORMANCE_ORACLE_HPP

#include <tcpfsm/state.hpp>

#include <cstdint>

namespace conformance {

using tcpfsm::state;

// Replies as a small bit set, so that an implementation that sends two kinds shows up.
enum reply_bits : std::uint8_t {
    reply_none = 0,
    reply_ack = 1u << 0,            // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    reply_challenge_ack = 1u << 1,  // the same segment, as RFC 5961's rate-limited challenge ACK
    reply_syn_ack = 1u << 2,        // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    reply_rst = 1u << 3,            // a reset, of the form below
    reply_other = 1u << 4,          // any other segment (SYN, FIN, retransmission, probe)
};

// §3.5.2: "If the incoming segment has an ACK field, the reset takes its sequence number from
// the ACK field of the segment, otherwise the reset has sequence number zero and the ACK
// field is set to the sum of the sequence number and segment length of the incoming segment."
enum class rst_form : std::uint8_t {
    none,
    seq_is_seg_ack,   // <SEQ=SEG.ACK><CTL=RST>
    ack_is_seg_end,   // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
};

struct outcome {
    std::uint8_t reply = reply_none;
    rst_form form = rst_form::none;
    bool delivers = false;  // text accepted for the user (now, or held for reassembly)
    state next = state::closed;

    friend bool operator==(const outcome& a, const outcome& b) {
        return a.reply == b.reply && a.form == b.form && a.delivers == b.delivers && a.next == b.next;
    }
    friend bool operator!=(const outcome& a, const outcome& b) { return !(a == b); }
};

// What the oracle knows of the connection (RFC 9293 §3.3.1 names).
struct tcb {
    state st = state::closed;
    bool passive = false;   // SYN-RECEIVED entered from LISTEN (MUST-11)
    bool fin_sent = false;  // our FIN has been sent: it occupies SND.NXT - 1
    std::uint32_t iss = 0;
    std::uint32_t snd_una = 0;
    std::uint32_t snd_nxt = 0;
    std::uint32_t max_snd_wnd = 0;
    std::uint32_t rcv_nxt = 0;
    std::uint32_t rcv_wnd = 0;
};

// The arriving segment.
struct seg {
    bool syn = false, ack = false, fin = false, rst = false;
    std::uint32_t seq = 0;   // SEG.SEQ
    std::uint32_t ackno = 0; // SEG.ACK
    std::uint32_t text = 0;  // octets of text
    std::uint32_t len() const { return text + (syn ? 1u : 0u) + (fin ? 1u : 0u); }  // SEG.LEN (§3.4)
};

// ---------------------------------------------------------------- sequence arithmetic (§3.4)
// "All arithmetic dealing with sequence numbers must be performed modulo 2**32."
namespace sq {
inline bool lt(std::uint32_t a, std::uint32_t b) {
    const std::uint32_t d = static_cast<std::uint32_t>(b - a);
    return d != 0 && d < 0x80000000u;
}
inline bool le(std::uint32_t a, std::uint32_t b) { return a == b || lt(a, b); }
// left =< x < left + size
inline bool in_window(std::uint32_t x, std::uint32_t left, std::uint32_t size) {
    return static_cast<std::uint32_t>(x - left) < size;
}
}  // namespace sq

// §3.10.7.4 first, Table 6 ("Segment Acceptability Tests").
inline bool acceptable(const tcb& t, const seg& s) {
    const std::uint32_t len = s.len();
    if (len == 0) {
        if (t.rcv_wnd == 0) return s.seq == t.rcv_nxt;            // 0, 0: SEG.SEQ = RCV.NXT
        return sq::in_window(s.seq, t.rcv_nxt, t.rcv_wnd);         // 0, >0
    }
    if (t.rcv_wnd == 0) return false;                              // >0, 0: not acceptable
    return sq::in_window(s.seq, t.rcv_nxt, t.rcv_wnd) ||           // >0, >0: first or last
           sq::in_window(static_cast<std::uint32_t>(s.seq + len - 1), t.rcv_nxt, t.rcv_wnd);
}

inline outcome reply_only(std::uint8_t r, state next) {
    outcome o;
    o.reply = r;
    o.next = next;
    return o;
}

// §3.5.2 (1)/(2): a reset answering `s`, in the form its ACK bit decides.
inline outcome reset_for(const seg& s, state next) {
    outcome o;
    o.reply = reply_rst;
    o.form = s.ack ? rst_form::seq_is_seg_ack : rst_form::ack_is_seg_end;
    o.next = next;
    return o;
}

inline bool oracle_synchronized(state st) {
    return st == state::established || st == state::fin_wait_1 || st == state::fin_wait_2 ||
           st == state::close_wait || st == state::closing || st == state::last_ack ||
           st == state::time_wait;
}

// States whose peer has not sent its FIN yet, where text is taken (seventh step:
// "ESTABLISHED STATE, FIN-WAIT-1 STATE, FIN-WAIT-2 STATE").
inline bool oracle_still_receives(state st) {
    return st == state::established || st == state::fin_wait_1 || st == state::fin_wait_2;
}

// ---------------------------------------------------------------- §3.10.7.1 CLOSED
inline outcome in_closed(const seg& s) {
    // "An incoming segment containing a RST is discarded."
    if (s.rst) return reply_only(reply_none, state::closed);
    // "An incoming segment not containing a RST causes a RST to be sent in response."
    // ACK off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; ACK on: <SEQ=SEG.ACK><CTL=RST>.
    return reset_for(s, state::closed);
}

// ---------------------------------------------------------------- §3.10.7.2 LISTEN
inline outcome in_listen(const seg& s) {
    // First, check for a RST: "An incoming RST segment could not be valid ... should be
    // ignored. Return."
    if (s.rst) return reply_only(reply_none, state::listen);
    // Second, check for an ACK: "Any acknowledgment is bad if it arrives on a connection
    // still in the LISTEN state. An acceptable reset segment should be formed for any
    // arriving ACK-bearing segment. The RST should be formatted as <SEQ=SEG.ACK><CTL=RST>."
    if (s.ack) return reset_for(s, state::listen);
    // Third, check for a SYN: "... send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> ... The
    // connection state should be changed to SYN-RECEIVED." (CHOICE 7 for a FIN with it.)
    if (s.syn) return reply_only(reply_syn_ack, state::syn_received);
    // Fourth, other data or control: "drop the segment and return."
    return reply_only(reply_none, state::listen);
}

// ---------------------------------------------------------------- §3.10.7.3 SYN-SENT
inline outcome in_syn_sent(const tcb& t, const seg& s) {
    bool ack_acceptable = false;
    // First, check the ACK bit: "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset (unless
    // the RST bit is set, if so drop the segment and return) <SEQ=SEG.ACK><CTL=RST> and
    // discard the segment. Return." "If SND.UNA < SEG.ACK =< SND.NXT, then the ACK is
    // acceptable."
    if (s.ack) {
        if (sq::le(s.ackno, t.iss) || sq::lt(t.snd_nxt, s.ackno)) {
            if (s.rst) return reply_only(reply_none, state::syn_sent);
            return reset_for(s, state::syn_sent);
        }
        ack_acceptable = sq::lt(t.snd_una, s.ackno) && sq::le(s.ackno, t.snd_nxt);
    }
    // Second, check the RST bit: "If the ACK was acceptable, then signal to the user 'error:
    // connection reset', drop the segment, enter CLOSED state, delete TCB, and return.
    // Otherwise (no ACK), drop the segment and return." (CHOICE 1: CLOSED, Linux's
    // ECONNREFUSED; RFC 5961 does not apply before RCV.NXT is known.)
    if (s.rst) return reply_only(reply_none, ack_acceptable ? state::closed : state::syn_sent);
    // Fourth, check the SYN bit.
    if (s.syn) {
        // "If SND.UNA > ISS (our SYN has been ACKed), change the connection state to
        // ESTABLISHED, form an ACK segment <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and send it."
        if (ack_acceptable) return reply_only(reply_ack, state::established);
        // "Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment
        // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> and send it. ... If there are other controls
        // or text in the segment, queue them for processing after the ESTABLISHED state has
        // been reached, return."
        return reply_only(reply_syn_ack, state::syn_received);
    }
    // Fifth, "if neither of the SYN or RST bits is set, then drop the segment and return."
    return reply_only(reply_none, state::syn_sent);
}

// ---------------------------------------------------------------- §3.10.7.4 the others
inline outcome in_other_states(const tcb& t, const seg& s) {
    state st = t.st;
    const bool syn_rcvd = st == state::syn_received;

    // CHOICE 5, Figure 7 / Appendix A.2: the simultaneous open's SYN,ACK.
    if (syn_rcvd && !t.passive && s.syn && s.ack && !s.rst && !s.fin && s.text == 0 &&
        static_cast<std::uint32_t>(s.seq + 1) == t.rcv_nxt && s.ackno == t.snd_nxt)
        return reply_only(reply_none, state::established);

    // CHOICE 3, fourth step for the synchronized states and SYN-RECEIVED after an active
    // OPEN: "If the SYN bit is set, irrespective of the sequence number, TCP endpoints MUST
    // send a 'challenge ACK' ... After sending the acknowledgment, TCP implementations MUST
    // drop the unacceptable segment and stop processing further."
    if (s.syn && !s.rst && (oracle_synchronized(st) || (syn_rcvd && !t.passive)))
        return reply_only(reply_challenge_ack, st);

    // First, check the sequence number (Table 6). "If the RCV.WND is zero, no segments will
    // be acceptable, but special allowance should be made to accept valid ACKs, URGs, and
    // RSTs": a segment at RCV.NXT goes on with its control bits; its text and FIN are not
    // taken (seventh and eighth step below).
    const bool zero_window_allowance = t.rcv_wnd == 0 && s.seq == t.rcv_nxt;
    if (!acceptable(t, s) && !zero_window_allowance) {
        // "If an incoming segment is not acceptable, an acknowledgment should be sent in reply
        // (unless the RST bit is set, if so drop the segment and return):
        // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>". (TIME-WAIT, CHOICE 6: a retransmitted FIN
        // gets this ACK, and 2MSL restarts.)
        if (s.rst) return reply_only(reply_none, st);
        return reply_only(reply_ack, st);
    }

    // Second, check the RST bit (RFC 5961 §3.2, CHOICE 2).
    if (s.rst) {
        // "2) If the RST bit is set and the sequence number exactly matches the next expected
        // sequence number (RCV.NXT), then TCP endpoints MUST reset the connection":
        if (s.seq == t.rcv_nxt) {
            // SYN-RECEIVED: "If this connection was initiated with a passive OPEN ... return
            // this connection to LISTEN state and return." "If ... with an active OPEN ...
            // the connection was refused ... enter the CLOSED state". ESTABLISHED, FIN-WAIT-1,
            // FIN-WAIT-2, CLOSE-WAIT: "Enter the CLOSED state". CLOSING, LAST-ACK, TIME-WAIT:
            // "enter the CLOSED state" (RFC 1337's alternative for TIME-WAIT is a variant).
            return reply_only(reply_none, syn_rcvd && t.passive ? state::listen : state::closed);
        }
        // "3) ... does not exactly match ... yet is within the current receive window, TCP
        // endpoints MUST send an acknowledgment (challenge ACK) ... drop".
        return reply_only(reply_challenge_ack, st);
    }

    // Fourth, check the SYN bit; what is left is SYN-RECEIVED after a passive OPEN: "If the
    // connection was initiated with a passive OPEN, then return this connection to the
    // LISTEN state and return."
    if (s.syn) return reply_only(reply_none, state::listen);

    // Fifth, check the ACK field: "if the ACK bit is off, drop the segment and return".
    if (!s.ack) return reply_only(reply_none, st);
    if (syn_rcvd) {
        // "SYN-RECEIVED STATE: If SND.UNA < SEG.ACK =< SND.NXT, then enter ESTABLISHED state
        // and continue processing ... If the segment acknowledgment is not acceptable, form a
        // reset segment <SEQ=SEG.ACK><CTL=RST> and send it." (CHOICE 4)
        if (sq::lt(t.snd_una, s.ackno) && sq::le(s.ackno, t.snd_nxt))
            st = state::established;
        else
            return reset_for(s, state::syn_received);
    } else {
        // RFC 5961 §5.2 (CHOICE 2): "acceptable only if it is in the range of
        // ((SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT). All incoming segments whose ACK
        // value doesn't satisfy the above condition MUST be discarded and an ACK sent back."
        const std::uint32_t oldest = static_cast<std::uint32_t>(t.snd_una - t.max_snd_wnd);
        if (!(sq::le(oldest, s.ackno) && sq::le(s.ackno, t.snd_nxt)))
            return reply_only(reply_challenge_ack, st);
        // Our FIN is SND.NXT - 1; it is acknowledged when SEG.ACK = SND.NXT.
        const bool fin_acked = t.fin_sent && s.ackno == t.snd_nxt;
        switch (st) {
            case state::fin_wait_1:
                // "if the FIN segment is now acknowledged, then enter FIN-WAIT-2 and continue
                // processing in that state."
                if (fin_acked) st = state::fin_wait_2;
                break;
            case state::closing:
                // "if the ACK acknowledges our FIN, then enter the TIME-WAIT state; otherwise,
                // ignore the segment."
                if (!fin_acked) return reply_only(reply_none, state::closing);
                st = state::time_wait;
                break;
            case state::last_ack:
                // "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and
                // return."
                if (fin_acked) return reply_only(reply_none, state::closed);
                break;
            default:
                // ESTABLISHED, CLOSE-WAIT, FIN-WAIT-2: update SND.UNA and the window; a
                // duplicate ACK (SEG.ACK = SND.UNA) "can be ignored". TIME-WAIT: see CHOICE 6.
                break;
        }
    }

    outcome o;
    o.next = st;

    // Seventh, process the segment text.
    if (s.text > 0) {
        if (oracle_still_receives(st)) {
            if (t.rcv_wnd == 0) {
                // Zero window: the text is not acceptable (Table 6); the segment was let in
                // for its ACK only, and is answered like any unacceptable one (§3.8.6: the
                // receiver "must still send an acknowledgment showing its next expected
                // sequence number and current window (zero)").
                o.reply |= reply_ack;
            } else {
                // "Once in the ESTABLISHED state, it is possible to deliver segment data to
                // user RECEIVE buffers ... it must also acknowledge the receipt of the data:
                // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>" (CHOICE 8 for text beyond RCV.NXT).
                o.delivers = true;
                o.reply |= reply_ack;
            }
        }
        // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "This should not occur since a FIN has
        // been received from the remote side. Ignore the segment text."
    }

    // Eighth, check the FIN bit. The FIN is in order when the text before it starts at or
    // before RCV.NXT and it is itself RCV.NXT once that text is taken, and in the window.
    if (s.fin) {
        const std::uint32_t fin_seq = static_cast<std::uint32_t>(s.seq + s.text);
        const bool in_order = sq::le(s.seq, t.rcv_nxt) && sq::le(t.rcv_nxt, fin_seq) &&
                              t.rcv_wnd > 0 &&
                              sq::in_window(fin_seq, t.rcv_nxt, t.rcv_wnd);
        if (in_order) {
            // "signal the user 'connection closing' ..., advance RCV.NXT over the FIN, and
            // send an acknowledgment for the FIN."
            o.reply |= reply_ack;
            switch (st) {
                case state::established:  // "Enter the CLOSE-WAIT state."
                    o.next = state::close_wait;
                    break;
                case state::fin_wait_1:  // our FIN not acknowledged: "enter the CLOSING state"
                    o.next = state::closing;
                    break;
                case state::fin_wait_2:  // "Enter the TIME-WAIT state." (also FIN-WAIT-1 whose
                    o.next = state::time_wait;  //   FIN "has been ACKed (perhaps in this segment)")
                    break;
                default:
                    // CLOSE-WAIT, CLOSING, LAST-ACK: "Remain in the ... state."
                    // TIME-WAIT: "Remain in the TIME-WAIT state. Restart the 2 MSL time-wait
                    // timeout."
                    break;
            }
        } else if (oracle_still_receives(st)) {
            // CHOICE 8: an out-of-order FIN is held; a duplicate ACK answers the segment.
            o.reply |= reply_ack;
        }
    }
    return o;
}

// The oracle.
inline outcome expected(const tcb& t, const seg& s) {
    switch (t.st) {
        case state::closed:
            return in_closed(s);
        case state::listen:
            return in_listen(s);
        case state::syn_sent:
            return in_syn_sent(t, s);
        default:
            return in_other_states(t, s);
    }
}

}  // namespace conformance

#endif  // TCPFSM_CONFORMANCE_ORACLE_HPP
