// tcpfsm: the segment classifier: what an arriving segment means in the current state, as
// the events of event.hpp, in the step order of RFC 9293 §3.10.7. It decides nothing: the
// table's rows for these events do.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CLASSIFY_HPP
#define TCPFSM_CLASSIFY_HPP

#include <cstdint>

#include "event.hpp"
#include "segment.hpp"
#include "seq.hpp"
#include "state.hpp"

namespace tcpfsm {

// What the classifier reads of a connection when a segment arrives.
struct receive_context {
    state st = state::closed;
    bool passive_origin = false;     // SYN-RECEIVED was entered from LISTEN (MUST-11)
    bool fin_sent = false;           // our FIN has been sent: it is SND.NXT - 1
    bool listener_takes_syn = false;  // TIME-WAIT: a listener on this port takes a new SYN
    bool cookie_valid = false;       // LISTEN: SEG.ACK - 1 is a valid SYN cookie (RFC 4987)
    std::uint32_t iss = 0;           // ISS
    std::uint32_t snd_una = 0;       // SND.UNA
    std::uint32_t snd_nxt = 0;       // SND.NXT
    std::uint32_t max_snd_wnd = 0;   // MAX.SND.WND (RFC 5961 §5)
    std::uint32_t rcv_nxt = 0;       // RCV.NXT
    std::uint32_t rcv_wnd = 0;       // RCV.WND
    // RFC 7323 §5.3 R1 (the engine's PAWS check, timestamping.hpp): a non-RST segment whose
    // TSval is older than TS.Recent, in SYN-RECEIVED or a synchronized state: not acceptable.
    bool paws_rejected = false;
    // TIME-WAIT, timestamps negotiated: the segment's TSval is newer than TS.Recent. A SYN with
    // it reopens at any sequence number (RFC 6191 §2, as Linux's tcp_timewait_state_process).
    bool newer_timestamp = false;
};

// The events one segment drives, to be run in order: each through the table's row for the
// state the previous one left. At most three: a control event (steps one to five, or the
// special cases of CLOSED, LISTEN and SYN-SENT), then text (step seven), then FIN (step eight).
struct classification {
    event events[3] = {event::rcv_no_ack, event::rcv_no_ack, event::rcv_no_ack};
    std::uint8_t count = 0;

    // Constant indices: a classification then stays in registers (written at a variable
    // index, it lives in memory and is read back as one word: a store-forwarding stall).
    constexpr void add(event e) noexcept {
        if (count == 0) events[0] = e;
        else if (count == 1) events[1] = e;
        else events[2] = e;
        ++count;
    }
    constexpr event operator[](std::size_t i) const noexcept { return events[i]; }
};

namespace detail {

// Step seven and eight: the text and the FIN of a segment whose control checks passed,
// added to `out` (by value, so that it stays in registers).
// Text is in window when its first or last octet is (Table 6); a FIN counts only where the
// segment starts at or before RCV.NXT, so that the FIN is in order once the text before it
// has been taken, and the FIN's own sequence number is in the window (or is RCV.NXT when
// the window is zero: like an ACK, a FIN needs no buffer space).
constexpr classification classify_text_and_fin(const receive_context& c, const segment& s, classification out,
                                               bool fin_acks_ours) noexcept {
    const bool text_taken = s.text_length > 0 && segment_acceptable(s.seq, s.text_length, c.rcv_nxt, c.rcv_wnd);
    if (text_taken) out.add(event::rcv_data);
    bool fin_taken = false;
    if (s.fin()) {
        const std::uint32_t fin_seq = s.seq + s.text_length;
        const bool in_order = seq_le(s.seq, c.rcv_nxt);
        const bool fin_in_window =
            c.rcv_wnd == 0 ? fin_seq == c.rcv_nxt : seq_in_window(fin_seq, c.rcv_nxt, c.rcv_wnd);
        fin_taken = in_order && fin_in_window;
    }
    // While the peer may still send, text or a FIN that cannot be taken gets an ACK showing
    // RCV.NXT and the window: a zero-window probe (§3.8.6.1: "the receiving TCP endpoint must
    // still send an acknowledgment"), or a FIN beyond RCV.NXT (a duplicate ACK, RFC 5681 §4.2).
    // After the peer's FIN there is nothing beyond RCV.NXT to wait for: step seven ignores it.
    const bool peer_may_send = !has_received_fin(c.st);
    if (peer_may_send && !text_taken && ((s.text_length > 0) || (s.fin() && !fin_taken)))
        out.add(event::rcv_unacceptable);
    if (fin_taken) out.add(fin_acks_ours ? event::rcv_fin_ack_of_fin : event::rcv_fin);
    return out;
}

}  // namespace detail

// Classifies `s` arriving in `c.st` (RFC 9293 §3.10.7, with RFC 5961 §3-§5).
constexpr classification classify(const receive_context& c, const segment& s) noexcept {
    classification out{};
    const bool rst = s.rst(), syn = s.syn(), ack = s.ack_flag();

    switch (c.st) {
        case state::closed:  // §3.10.7.1: an RST is discarded, anything else gets an RST
            out.add(rst ? event::rcv_rst : ack ? event::rcv_ack_unacceptable : syn ? event::rcv_syn : event::rcv_no_ack);
            return out;

        case state::listen:  // §3.10.7.2
            if (rst) out.add(event::rcv_rst);  // first: ignore
            else if (ack && !syn && c.cookie_valid) {
                out.add(event::rcv_cookie_ack);  // RFC 4987 §3.6: the connection exists now
                // Its text and FIN are read as in ESTABLISHED, where RCV.NXT = SEG.SEQ (the
                // cookie ACK is the segment after the peer's SYN).
                receive_context after = c;
                after.st = state::established;
                after.rcv_nxt = s.seq;
                out = detail::classify_text_and_fin(after, s, out, false);
            } else if (ack) out.add(event::rcv_ack_unacceptable);  // second: any ACK is bad
            else if (syn) out.add(event::rcv_syn);                 // third (text on a SYN is dropped)
            else out.add(event::rcv_no_ack);                        // fourth: drop
            return out;

        case state::syn_sent: {  // §3.10.7.3
            // first: ISS < SEG.ACK =< SND.NXT (here SND.UNA = ISS)
            const bool ack_acceptable = ack && seq_in_open_closed(c.iss, s.ack, c.snd_nxt);
            if (ack && !ack_acceptable) {
                out.add(rst ? event::rcv_rst_unacceptable : event::rcv_ack_unacceptable);
                return out;
            }
            if (rst) {  // second: only with an acceptable ACK
                out.add(ack_acceptable ? event::rcv_rst : event::rcv_rst_unacceptable);
                return out;
            }
            if (syn && ack_acceptable) {  // fourth: our SYN is acknowledged
                out.add(event::rcv_syn_ack);
                // "continue processing at the sixth step": RCV.NXT is now SEG.SEQ + 1, and
                // what follows the SYN is the segment's text and FIN.
                receive_context after = c;
                after.st = state::established;
                after.rcv_nxt = s.seq + 1;
                segment rest = s;
                rest.seq = s.seq + 1;
                rest.flags = static_cast<std::uint8_t>(s.flags & ~ctl::syn);
                out = detail::classify_text_and_fin(after, rest, out, false);
                return out;
            }
            if (syn) {  // fourth: simultaneous open (text is dropped; the peer sends it again)
                out.add(event::rcv_syn);
                return out;
            }
            out.add(ack ? event::rcv_ack : event::rcv_no_ack);  // fifth: neither SYN nor RST: drop
            return out;
        }

        case state::syn_received:
            // Simultaneous open (Figure 7, an active OPEN): the peer's SYN,ACK completes the open.
            // Step one would find it old (its SYN is RCV.NXT - 1), so it is recognised first, as
            // Linux's tcp_validate_incoming does.
            if (syn && ack && !rst && !c.paws_rejected && !c.passive_origin && s.seq + 1 == c.rcv_nxt &&
                s.ack == c.snd_nxt) {
                out.add(event::rcv_syn_ack);
                return out;
            }
            break;

        case state::time_wait:
            // A retransmission of the peer's FIN (it ends at RCV.NXT): ACK it, restart 2MSL
            // (§3.10.7.4 eighth step, TIME-WAIT; step one would only ACK it).
            // (Not one PAWS rejected: that one is the first step's, below.)
            if (s.fin() && !syn && !rst && !c.paws_rejected && s.seq + s.seq_length() == c.rcv_nxt) {
                out.add(event::rcv_fin);
                return out;
            }
            // A new SYN, with a listener to take it (RFC 1122 4.2.2.13): above RCV.NXT, or with a
            // newer TSval at any sequence number (RFC 6191 §2).
            if (syn && !ack && !rst && !c.paws_rejected && c.listener_takes_syn &&
                (seq_gt(s.seq, c.rcv_nxt) || c.newer_timestamp)) {
                out.add(event::rcv_syn_reopen);
                return out;
            }
            break;

        default:
            break;
    }

    // §3.10.7.4, SYN-RECEIVED and the synchronized states.
    // first: sequence number. RCV.WND = 0 accepts nothing, but "special allowance should be
    // made to accept valid ACKs, URGs, and RSTs": a segment at RCV.NXT goes on, its text and
    // FIN then fail their own window checks.
    // RFC 7323 §5.3 (Appendix D): PAWS comes first; a segment it rejects is unacceptable
    // ("send an acknowledgment in reply ... and drop the segment"; RSTs are never rejected).
    const bool acceptable = !c.paws_rejected &&
                            (segment_acceptable(s.seq, s.seq_length(), c.rcv_nxt, c.rcv_wnd) ||
                             (c.rcv_wnd == 0 && s.seq == c.rcv_nxt));
    const bool passive = c.st == state::syn_received && c.passive_origin;
    if (!acceptable) {
        // fourth step's SYN check applies "irrespective of the sequence number" (RFC 5961 §4.2;
        // Linux's tcp_validate_incoming: syn_challenge): a challenge ACK, not step one's ACK.
        // After a passive OPEN the step order stands (an old SYN is just ACKed).
        out.add(rst ? event::rcv_rst_unacceptable : (syn && !passive) ? event::rcv_syn : event::rcv_unacceptable);
        return out;
    }
    // second: RST (RFC 5961 §3.2): exactly RCV.NXT resets, elsewhere in the window it earns
    // a challenge ACK.
    if (rst) {
        out.add(s.seq != c.rcv_nxt ? event::rcv_rst_in_window : passive ? event::rcv_rst_passive : event::rcv_rst);
        return out;
    }
    // third: security (not implemented). fourth: SYN (RFC 5961 §4.2), in or out of window.
    if (syn) {
        out.add(passive ? event::rcv_syn_passive : event::rcv_syn);
        return out;
    }
    // fifth: ACK.
    if (!ack) {
        out.add(event::rcv_no_ack);
        return out;
    }
    if (c.st == state::syn_received) {
        if (!seq_in_open_closed(c.snd_una, s.ack, c.snd_nxt)) {  // SND.UNA < SEG.ACK =< SND.NXT
            out.add(event::rcv_ack_unacceptable);
            return out;
        }
        out.add(passive ? event::rcv_ack_of_syn_passive : event::rcv_ack_of_syn);
        out = detail::classify_text_and_fin(c, s, out, false);
        return out;
    }
    // RFC 5961 §5.2: acceptable is SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
    if (!seq_in_closed(c.snd_una - c.max_snd_wnd, s.ack, c.snd_nxt)) {
        out.add(event::rcv_ack_unacceptable);
        return out;
    }
    // Does this ACK cover our FIN (SND.NXT - 1, sent) for the first time?
    const bool fin_outstanding = c.st == state::fin_wait_1 || c.st == state::closing || c.st == state::last_ack;
    const bool acks_our_fin = fin_outstanding && c.fin_sent && s.ack == c.snd_nxt;
    if (acks_our_fin && c.st == state::fin_wait_1 && s.fin()) {
        // FIN-WAIT-1, FIN whose ACK covers our FIN: one row to TIME-WAIT (after any text).
        out = detail::classify_text_and_fin(c, s, out, true);
        if (out.count == 0 || out.events[out.count - 1] != event::rcv_fin_ack_of_fin) {
            // The FIN is not in order yet: only the ACK of our FIN counts now.
            classification ack_only{};
            ack_only.add(event::rcv_ack_of_fin);
            for (std::uint8_t i = 0; i < out.count; ++i) ack_only.add(out.events[i]);
            return ack_only;
        }
        return out;
    }
    out.add(acks_our_fin ? event::rcv_ack_of_fin : event::rcv_ack);
    // LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the CLOSED state, and
    // return." CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT state;
    // otherwise, ignore the segment." Nothing else in such a segment is looked at.
    if (acks_our_fin && c.st == state::last_ack) return out;
    if (!acks_our_fin && c.st == state::closing) return out;
    out = detail::classify_text_and_fin(c, s, out, false);
    return out;
}

}  // namespace tcpfsm

#endif  // TCPFSM_CLASSIFY_HPP
