// tcpfsm: the connection engine's TCP options steps, member functions of tcpfsm::connection
// (connection.hpp, which includes this header after the class): RFC 7323 §3-5's timestamps
// (timestamping.hpp) on arrival and on every segment sent, the options a SYN cookie's TSecr
// kept (issue 14 item 5, syn_cookie.hpp), and how many SACK blocks fit beside a segment's text.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_OPTIONS_HPP
#define TCPFSM_DETAIL_CONNECTION_OPTIONS_HPP

#include <cstddef>
#include <cstdint>

#include "../connection.hpp"

namespace tcpfsm {

// RFC 6691: text and options together within the peer's MSS. A pure ACK has room for 4
// blocks (3 beside timestamps); a data segment carries the blocks its text leaves room
// for, 4 + 8n octets with the two NOPs, none on a full one (Linux shrinks the text
// instead, tcp_current_mss; here the next pure ACK carries them).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
std::size_t connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::sack_blocks_beside(const segment& s,
                                                                                       bool timestamps) const noexcept {
    const std::size_t fit = options::sack_blocks_that_fit(timestamps);
    if (s.text_length == 0) return fit;
    const std::size_t used = std::size_t{s.text_length} + (timestamps ? options::timestamps_option_octets : 0u);
    const std::size_t mss = detail::tcb::effective_mss();
    const std::size_t room = used < mss ? mss - used : 0u;
    // NOP, NOP, kind and length (option_codec.hpp's layout), then 8 octets a block.
    const std::size_t header = 2u + options::sack_option_header_octets;
    const std::size_t n = room > header ? (room - header) / options::sack_block_octets : 0u;
    return n < fit ? n : fit;
}

// The peer's SYN or SYN,ACK taken in LISTEN or SYN-SENT: TSopt or not, TS.Recent (§3.2).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::take_peer_timestamps(const call_input& in) noexcept {
    ts_.on_peer_syn(in.options->has_timestamps, in.options->ts_val, in.now_ms);
}

// §5.3 R1 with §5.5, and §3.2's segment without TSopt: in SYN-RECEIVED and the
// synchronized states, before the acceptability test (Appendix D). RSTs are exempt.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
options::paws_verdict connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::check_timestamps(
    const call_input& in) noexcept {
    if (!ts_.enabled() || !is_synchronized_or_syn_received(state_)) return options::paws_verdict::accept;
    const segment_options& o = *in.options;
    // RFC 6191 §2: in TIME-WAIT a SYN without TSopt is a new incarnation from a host without
    // timestamps, for which the sequence number decides (as in the listener's records): §3.2's
    // drop (missing_timestamp_policy::drop) is for this connection's own segments.
    if (!o.has_timestamps && state_ == state::time_wait && in.seg->syn() && !in.seg->ack_flag()) {
        return options::paws_verdict::accept;
    }
    return ts_.check(o.has_timestamps, o.ts_val, in.seg->rst(), in.now_ms, config().missing_timestamp);
}

// missing_timestamp_policy::drop: "a TCP SHOULD silently drop the segment" (§3.2). No
// row runs: the table has nothing to do with it.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::drop_without_timestamp(const call_input& in) noexcept {
    statistics().on_received(*in.seg);
    statistics().on_event(statistic::timestamp_missing_dropped);
    observer().on_drop(drop_reason::timestamp_missing);
    finish(in);
}

// §4.3 (2): a segment that passed the acceptability test (and is no SYN the fourth step
// answers) may set TS.Recent, if it starts at or before Last.ACK.sent.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::update_ts_recent(
    const call_input& in, const classification& k) noexcept {
    if (!ts_.enabled() || !is_synchronized_or_syn_received(state_) || k.count == 0) return;
    const event first = k.events[0];
    if (!answers_probes(first) || first == event::rcv_syn || first == event::rcv_syn_passive ||
        first == event::rcv_syn_reopen) {
        return;
    }
    ts_.update_recent(in.options->has_timestamps, in.options->ts_val, in.seg->seq, in.now_ms);
}

// §4.1: the RTT sample of the arriving ACK's TSecr (acknowledge() calls this only when
// SND.UNA advances).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
rtt_sample connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::timestamp_rtt_sample(
    const call_input& in) noexcept {
    // A cookie ACK's TSecr is our SYN,ACK's TSval with options in its low 6 bits: no time.
    if (!ts_.enabled() || in.seg == nullptr || in.cookie != nullptr) return {false, 0};
    return ts_.rtt_from_echo(in.options->has_timestamps, in.options->ts_ecr, in.seg->ack_flag(), in.now_ms);
}

// Every segment we send on a timestamp connection (a SYN: if it offers TSopt) carries
// TSval (the call's clock plus the offset, §5.4; read_clock) and TSecr (TS.Recent with the ACK bit, else 0);
// one with the ACK bit sets Last.ACK.sent (§4.3). RSTs carry it too (§3.2's SHOULD).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::fill_timestamps(outgoing_segment& out) noexcept {
    const segment& s = out.header;
    if (!(s.syn() ? ts_.sent() : ts_.enabled())) return;
    out.options.has_timestamps = true;
    out.options.ts_val = ts_.call_tsval();
    out.options.ts_ecr = ts_.tsecr(s.ack_flag());
    if (s.ack_flag() && !s.rst()) ts_.on_ack_sent(s.ack);
}

// Issue 14 item 5: the options a cookie ACK's TSecr kept, negotiated as if both SYNs had
// carried them (RFC 7323 §2.2, §3.2; RFC 2018 §2); without timestamps, none.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::take_cookie_options(const call_input& in) noexcept {
    const syn_cookie_check& cookie = *in.cookie;
    if (!cookie.timestamps) return;
    const four_tuple none{};
    ts_.on_peer_syn(true, in.options->ts_val, in.now_ms);  // TS.Recent = SEG.TSval
    ts_.offer(true, config().timestamps);
    ts_.on_ack_sent(rcv_nxt_);  // Last.ACK.sent: the SYN,ACK's ACK (§4.3)
    // RFC 7323 §5.4: the offset our SYN,ACK's TSval had, keyed by the four-tuple (choose_iss).
    ts_.set_offset(
        detail::iss_timestamp_offset<IssPolicy>::get(policies_.iss(), in.tuple != nullptr ? *in.tuple : none));
    segment peer_syn{};
    peer_syn.window_scale = cookie.options.window_scale ? cookie.options.peer_shift : no_window_scale;
    take_peer_window_scale(peer_syn);
    offer_window_scale();
    sack_.on_peer_syn(cookie.options.sack_permitted);
    sack_.offer(true, config().sack);
}

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_OPTIONS_HPP
