// tcpfsm: the connection engine's optional statistics policy: totals in the spirit of Linux's
// struct tcp_info and RFC 4898's TCP extended statistics (segments and octets each way,
// retransmissions, duplicate ACKs, zero windows, challenge ACKs, out-of-window segments,
// RSTs). The engine tells the policy what it sends and receives and what it decides; the
// default policy, no_statistics, is empty and costs nothing (no octet of the TCB, no code).
// Select counting_statistics in the engine profile to count:
//
//   using counted = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
//                                          tcpfsm::congestion::cubic<>, tcpfsm::counting_statistics>;
//   tcpfsm::connection<IO, Clock, Observer, Iss, counted> c;  ...  c.statistics().segments_sent
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_STATISTICS_HPP
#define TCPFSM_STATISTICS_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "classify.hpp"
#include "event.hpp"
#include "segment.hpp"
#include "seq.hpp"

namespace tcpfsm {

// What the engine decides that no segment's header shows.
enum class statistic : std::uint8_t {
    duplicate_ack_received,  // RFC 5681 §2: ACK of SND.UNA, no text, no SYN or FIN, data
                             // outstanding, the window unchanged
    zero_window_seen,        // the peer's window (SND.WND) became 0
    challenge_ack_sent,      // RFC 5961 §3-§5 (those the §7 limit held back are not counted)
    out_of_window_segment,   // failed the §3.10.7.4 first step's test (Table 6), answered or not
    window_scale_clamped,    // the peer's SYN offered a window shift above 14, used as 14
                             // (RFC 7323 §2.3: "SHOULD log the error")
    paws_rejected,           // RFC 7323 §5.3: an old duplicate (TSval older than TS.Recent), ACKed
                             // and dropped (Linux's PAWSEstabRejected)
    timestamp_missing_dropped,  // RFC 7323 §3.2: no TSopt on a timestamp connection, dropped
                                // under missing_timestamp_policy::drop
    spurious_undo_timestamps,   // RFC 3522: an episode of loss recovery undone by its ACK's TSecr
    spurious_undo_dsack,        // RFC 3708: undone when D-SACK blocks covered its retransmissions
    tail_loss_probe,            // RFC 8985 §7.3: a TLP probe went out (Linux's TCPLossProbes)
};

inline constexpr std::size_t statistic_count = 10;

constexpr const char* name(statistic s) noexcept {
    switch (s) {
        case statistic::duplicate_ack_received: return "duplicate_ack_received";
        case statistic::zero_window_seen: return "zero_window_seen";
        case statistic::challenge_ack_sent: return "challenge_ack_sent";
        case statistic::out_of_window_segment: return "out_of_window_segment";
        case statistic::window_scale_clamped: return "window_scale_clamped";
        case statistic::paws_rejected: return "paws_rejected";
        case statistic::timestamp_missing_dropped: return "timestamp_missing_dropped";
        case statistic::spurious_undo_timestamps: return "spurious_undo_timestamps";
        case statistic::spurious_undo_dsack: return "spurious_undo_dsack";
        case statistic::tail_loss_probe: return "tail_loss_probe";
    }
    return "invalid";
}

// The policy that counts nothing (the default).
struct no_statistics {
    // Every segment the engine sends; `retransmission`: it sends again sequence space sent
    // before (a SYN, SYN,ACK, text or FIN after a retransmission timeout, or the zero-window
    // probe octet again).
    void on_sent(const segment& /*s*/, bool /*retransmission*/) noexcept {}
    // Every segment handed to the engine (on_segment, on_valid_cookie_ack), before it is read.
    void on_received(const segment& /*s*/) noexcept {}
    void on_event(statistic /*what*/) noexcept {}
};

// Totals since the connection object was made (they survive CLOSED and a new OPEN on the same
// object, as a socket's do not: reset them with `counting_statistics{}`). Octets are text
// octets (RFC 4898's DataOctets: headers are the consumer's business).
struct counting_statistics {
    std::uint64_t segments_sent = 0;           // tcpEStatsPerfSegsOut
    std::uint64_t segments_received = 0;       // tcpEStatsPerfSegsIn
    std::uint64_t data_segments_sent = 0;      // with text (tcpEStatsPerfDataSegsOut; tcpi_data_segs_out)
    std::uint64_t data_segments_received = 0;  // with text (tcpEStatsPerfDataSegsIn; tcpi_data_segs_in)
    std::uint64_t data_octets_sent = 0;        // text sent, retransmissions included (tcpi_bytes_sent)
    std::uint64_t data_octets_received = 0;    // text received, duplicates and out of window included
    std::uint64_t retransmitted_segments = 0;  // tcpi_total_retrans
    std::uint64_t retransmitted_octets = 0;    // text in them (tcpi_bytes_retrans)
    std::uint64_t duplicate_acks_received = 0;  // RFC 5681 §2 (tcpEStatsStackDupAcksIn)
    std::uint64_t zero_windows_advertised = 0;  // we sent a window of 0 after a nonzero one
    std::uint64_t zero_windows_seen = 0;        // the peer's window became 0
    std::uint64_t challenge_acks_sent = 0;      // RFC 5961 (Linux's TCPChallengeACK)
    std::uint64_t out_of_window_segments = 0;   // failed §3.10.7.4's first step
    std::uint64_t window_scales_clamped = 0;    // RFC 7323 §2.3: a shift above 14 taken as 14
    std::uint64_t paws_rejected = 0;            // RFC 7323 §5.3 (Linux's PAWSEstabRejected)
    std::uint64_t timestamp_missing_dropped = 0;  // RFC 7323 §3.2, under missing_timestamp_policy::drop
    std::uint64_t spurious_undos_timestamps = 0;  // RFC 3522 (Linux's TCPFullUndo, TCPPartialUndo, TCPLossUndo)
    std::uint64_t spurious_undos_dsack = 0;       // RFC 3708 (Linux's TCPDSACKUndo)
    std::uint64_t tail_loss_probes = 0;           // RFC 8985 §7.3 (Linux's TCPLossProbes)
    std::uint64_t rsts_sent = 0;
    std::uint64_t rsts_received = 0;

    void on_sent(const segment& s, bool retransmission) noexcept {
        ++segments_sent;
        if (s.text_length > 0) {
            ++data_segments_sent;
            data_octets_sent += s.text_length;
        }
        if (retransmission) {
            ++retransmitted_segments;
            retransmitted_octets += s.text_length;
        }
        if (s.rst()) ++rsts_sent;
        if (s.ack_flag() && !s.rst()) {  // the window we advertise
            if (s.window == 0 && !advertised_zero_) ++zero_windows_advertised;
            advertised_zero_ = s.window == 0;
        }
    }
    void on_received(const segment& s) noexcept {
        ++segments_received;
        if (s.text_length > 0) {
            ++data_segments_received;
            data_octets_received += s.text_length;
        }
        if (s.rst()) ++rsts_received;
    }
    void on_event(statistic what) noexcept {
        switch (what) {
            case statistic::duplicate_ack_received: ++duplicate_acks_received; break;
            case statistic::zero_window_seen: ++zero_windows_seen; break;
            case statistic::challenge_ack_sent: ++challenge_acks_sent; break;
            case statistic::out_of_window_segment: ++out_of_window_segments; break;
            case statistic::window_scale_clamped: ++window_scales_clamped; break;
            case statistic::paws_rejected: ++paws_rejected; break;
            case statistic::timestamp_missing_dropped: ++timestamp_missing_dropped; break;
            case statistic::spurious_undo_timestamps: ++spurious_undos_timestamps; break;
            case statistic::spurious_undo_dsack: ++spurious_undos_dsack; break;
            case statistic::tail_loss_probe: ++tail_loss_probes; break;
        }
    }

private:
    bool advertised_zero_ = false;  // the last window we advertised was 0
};

namespace detail {
template <class...>
using statistics_void_t = void;

template <class T, class = void>
struct has_statistics_hooks : std::false_type {};
template <class T>
struct has_statistics_hooks<
    T, statistics_void_t<decltype(std::declval<T&>().on_sent(std::declval<const segment&>(), true)),
                         decltype(std::declval<T&>().on_received(std::declval<const segment&>())),
                         decltype(std::declval<T&>().on_event(statistic::zero_window_seen))>> : std::true_type {};

// The events an arriving segment gives a statistics policy, from the receive context the
// classifier read (SYN-RECEIVED and the synchronized states), its classification and the
// send numbers before any row ran.
template <class Statistics>
constexpr void count_arrival_events(Statistics& stats, const receive_context& c, const segment& seg,
                                    const classification& k, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                    std::uint32_t snd_wnd) noexcept {
    if (k.count == 0) return;
    const event first = k.events[0];
    const bool in_window = segment_acceptable(seg.seq, seg.seq_length(), c.rcv_nxt, c.rcv_wnd) ||
                           (c.rcv_wnd == 0 && seg.seq == c.rcv_nxt);
    // §3.10.7.4 first step: the classifier's unacceptable events, and a SYN out of the window
    // (RFC 5961 §4.2 names it rcv_syn whatever its sequence number).
    // RFC 7323 §5.3: a segment PAWS rejected is counted as such, not as out of the window.
    if (c.paws_rejected) {
        stats.on_event(statistic::paws_rejected);
    } else if (first == event::rcv_unacceptable || first == event::rcv_rst_unacceptable ||
               (first == event::rcv_syn && !in_window)) {
        stats.on_event(statistic::out_of_window_segment);
    }
    // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT": (a) data outstanding, (b) no text, (c) no SYN nor
    // FIN, (d) SEG.ACK = SND.UNA, (e) the window unchanged; and acceptable (rcv_ack).
    if (first == event::rcv_ack && snd_una != snd_nxt && seg.text_length == 0 && !seg.syn() && !seg.fin() &&
        seg.ack == snd_una && seg.window == snd_wnd) {
        stats.on_event(statistic::duplicate_ack_received);
    }
}

// A profile's statistics policy: Profile::statistics, or no_statistics when it has none.
template <class Profile, class = void>
struct profile_statistics {
    using type = no_statistics;
};
template <class Profile>
struct profile_statistics<Profile, statistics_void_t<typename Profile::statistics>> {
    using type = typename Profile::statistics;
};
}  // namespace detail

// Statistics policy: on_sent(segment, bool), on_received(segment), on_event(statistic).
template <class T>
inline constexpr bool is_statistics_policy_v = detail::has_statistics_hooks<T>::value;

}  // namespace tcpfsm

#endif  // TCPFSM_STATISTICS_HPP
