// tcpfsm: what a passive tracker flags on an observed segment (definitions, RFC references and
// Wireshark's tcp.analysis.* counterparts: docs/tracker.md).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACKER_ANOMALY_HPP
#define TCPFSM_TRACKER_ANOMALY_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {

enum class tracker_anomaly : std::uint8_t {
    retransmission = 0,        // sequence space already seen from this sender (RFC 6298, RFC 5681)
    fast_retransmission,       // a retransmission at SND.UNA after >= 2 duplicate ACKs (RFC 5681 §3.2)
    spurious_retransmission,   // a retransmission of data the receiver had already acknowledged
    out_of_order,              // fills a hole below the highest sequence seen, first time seen
    previous_segment_lost,     // starts beyond the highest sequence seen: a segment before it was not seen
    duplicate_ack,             // RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT
    out_of_window,             // fails RFC 9293 §3.10.7.4 Table 6 at the receiver
    blind_rst,                 // RST in window but not at RCV.NXT (RFC 5961 §3.2: challenge ACK)
    blind_syn,                 // SYN in a synchronized state (RFC 5961 §4.2)
    blind_data,                // ACK outside [SND.UNA - MAX.SND.WND, SND.NXT] (RFC 5961 §5.2)
    ack_unsent,                // SEG.ACK beyond anything the receiver was seen to send (RFC 9293 §3.10.7.4 fifth)
    zero_window,               // SEG.WND = 0 (RFC 9293 §3.8.6.1)
    window_probe,              // one octet at SND.NXT while the peer's window is zero (§3.8.6.1)
    keepalive,                 // SEG.SEQ = SND.NXT - 1, at most one octet (RFC 9293 §3.8.4, RFC 1122 4.2.3.6)
    half_open,                 // reaches an endpoint that has no connection any more (RFC 9293 §3.5.2)
    syn_without_answer,        // a SYN sent again: the first one got no SYN,ACK or RST (RFC 6298 §5)
    connection_refused,        // RST answering a SYN (RFC 9293 §3.5.2 (1), §3.10.7.3)
    port_reuse,                // a new SYN on a four-tuple in TIME-WAIT or CLOSED (RFC 6191)
};

inline constexpr std::size_t tracker_anomaly_count = 18;

constexpr std::size_t index_of(tracker_anomaly a) noexcept { return static_cast<std::size_t>(a); }

constexpr const char* name(tracker_anomaly a) noexcept {
    constexpr const char* names[tracker_anomaly_count] = {
        "retransmission", "fast_retransmission", "spurious_retransmission", "out_of_order",
        "previous_segment_lost", "duplicate_ack", "out_of_window", "blind_rst", "blind_syn", "blind_data",
        "ack_unsent", "zero_window", "window_probe", "keepalive", "half_open", "syn_without_answer",
        "connection_refused", "port_reuse",
    };
    return index_of(a) < tracker_anomaly_count ? names[index_of(a)] : "invalid";
}

// A set of anomalies, one bit each.
struct tracker_anomaly_set {
    std::uint32_t bits = 0;

    constexpr bool contains(tracker_anomaly a) const noexcept { return ((bits >> index_of(a)) & 1u) != 0; }
    constexpr void add(tracker_anomaly a) noexcept { bits |= 1u << index_of(a); }
    constexpr bool empty() const noexcept { return bits == 0; }
    friend constexpr bool operator==(tracker_anomaly_set x, tracker_anomaly_set y) noexcept { return x.bits == y.bits; }
    friend constexpr bool operator!=(tracker_anomaly_set x, tracker_anomaly_set y) noexcept { return x.bits != y.bits; }
};

}  // namespace tcpfsm

#endif  // TCPFSM_TRACKER_ANOMALY_HPP
