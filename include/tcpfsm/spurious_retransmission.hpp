// tcpfsm: detection of spurious retransmissions beyond F-RTO (RFC 5682, loss_recovery.hpp):
// the Eifel detection algorithm with timestamps (RFC 3522) and detection with D-SACK
// (RFC 3708), for the episodes of loss recovery: a fast retransmit (RFC 5681 §3.2, RFC 6582),
// RFC 6675 recovery, a retransmission timeout. Linux's undo (tcp_input.c): undo_marker,
// retrans_stamp and undo_retrans, tested by tcp_packet_delayed and tcp_try_undo_*.
//
// An episode begins with its first retransmission's decision (start): SND.UNA then is its
// marker. Every retransmission of the episode is counted (its octets), and the TSval of the
// first one is kept. Then:
// - RFC 3522 §3: an acceptable ACK that acknowledges the retransmitted octets and carries a
//   TSecr older than that TSval answers a segment sent before the retransmission: the
//   original arrived, the retransmission was spurious (Linux checks this on every ACK that
//   advances SND.UNA in recovery, tcp_try_undo_partial and tcp_try_undo_recovery, and after
//   a timeout, tcp_try_undo_loss).
// - RFC 3708 §2: each D-SACK block reports octets the receiver got twice; when D-SACK blocks
//   above the marker have accounted for every retransmitted octet of the episode, all of its
//   retransmissions were needless (Linux: undo_retrans reaching 0, tcp_try_undo_dsack). Only
//   octets between the marker and the end of the highest retransmission count (Linux counts
//   D-SACKed segments it marked retransmitted): a duplicate the network made of a segment
//   above them is no evidence. This
//   holds after the episode's recovery ended: the D-SACK of the last retransmission comes
//   after the ACK that ended it. Octets, not segments: a D-SACK block is the duplicate
//   segment's range (RFC 2883 §4), so partial duplicates count for what they duplicate.
// The engine's response (detail/connection_undo.hpp): the congestion policy's
// on_spurious_undo (cwnd and ssthresh as before the episode; CUBIC's W_max, RFC 9438 §4.9),
// and the end of the recovery still in progress (RFC 4015 §3.1 for a timeout: no go-back-N
// of what is left). No allocation, clock or exception; sequence numbers modulo 2^32.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SPURIOUS_RETRANSMISSION_HPP
#define TCPFSM_SPURIOUS_RETRANSMISSION_HPP

#include <cstddef>
#include <cstdint>

#include "options/timestamps.hpp"
#include "reassembly.hpp"
#include "seq.hpp"

namespace tcpfsm {

// What showed an episode's retransmissions spurious.
enum class spurious_evidence : std::uint8_t {
    none,
    timestamps,  // RFC 3522: the ACK's TSecr is older than the first retransmission's TSval
    dsack,       // RFC 3708: D-SACK blocks accounted for every retransmitted octet
};

inline constexpr std::size_t spurious_evidence_count = 3;

constexpr const char* name(spurious_evidence e) noexcept {
    switch (e) {
        case spurious_evidence::none: return "none";
        case spurious_evidence::timestamps: return "timestamps";
        case spurious_evidence::dsack: return "dsack";
    }
    return "invalid";
}

// One connection's detector, 20 octets: the episode's marker, the end of its highest
// retransmission, the first retransmission's TSval, the retransmitted octets not yet
// D-SACKed, and its flags.
class spurious_retransmission_detector {
public:
    static constexpr bool compiled_in = true;

    // A new episode: its first retransmission follows (Linux's tcp_init_undo). `snd_una`:
    // SND.UNA now, the marker below which D-SACK blocks report older duplicates.
    constexpr void start(std::uint32_t snd_una) noexcept {
        marker_ = snd_una;
        high_ = snd_una;
        stamp_ = 0;
        unreported_ = 0;
        flags_ = active_bit;
    }
    // The episode is over: undone (or F-RTO's undo), or forgotten.
    constexpr void finish() noexcept { flags_ = 0; }
    // An episode that may still be found spurious (it stays so after its recovery ended,
    // for late D-SACK blocks, until the next episode or an undo).
    constexpr bool active() const noexcept { return has(active_bit); }

    // [seq, seq + length) was sent again at TSval `tsval` (any value without timestamps).
    constexpr void on_retransmitted(std::uint32_t seq, std::uint32_t length, std::uint32_t tsval) noexcept {
        if (!active() || length == 0) return;
        if (seq_gt(seq + length, high_)) high_ = seq + length;
        if (!has(stamp_bit)) {
            stamp_ = tsval;
            set(stamp_bit);
        }
        unreported_ = 0xFFFFFFFFu - unreported_ < length ? 0xFFFFFFFFu : unreported_ + length;
    }

    // RFC 3522 §3 (Linux's tcp_packet_delayed): an ACK that acknowledges the retransmitted
    // octets (the engine calls this only for one that advances SND.UNA while the episode's
    // recovery lasts) with `present` TSopt and TSecr `tsecr` older than the first
    // retransmission's TSval. A TSecr of 0 echoes nothing (as rtt_from_echo).
    constexpr bool retransmission_delayed(bool present, std::uint32_t tsecr) const noexcept {
        return active() && has(stamp_bit) && present && tsecr != 0 && options::timestamp_before(tsecr, stamp_);
    }

    // RFC 3708 §2 with RFC 2883's D-SACK block `dsack` (the scoreboard's update_result::dsack):
    // its octets between the marker and the end of the highest retransmission account for as
    // many retransmitted ones. Returns whether all of the episode's retransmissions are now
    // accounted for (at least one was sent).
    constexpr bool on_dsack(const seq_block& dsack) noexcept {
        if (!active() || !has(stamp_bit) || dsack.empty()) return false;
        const std::uint32_t from = seq_max(dsack.left, marker_), to = seq_min(dsack.right, high_);
        if (!seq_lt(from, to)) return false;
        const std::uint32_t octets = to - from;
        unreported_ = octets < unreported_ ? unreported_ - octets : 0u;
        return unreported_ == 0;
    }

    constexpr std::uint32_t marker() const noexcept { return marker_; }
    // The octet after the episode's highest retransmitted one (the marker before any).
    constexpr std::uint32_t retransmitted_end() const noexcept { return high_; }
    // TSval of the episode's first retransmission; retransmitted() tells whether there was one.
    constexpr std::uint32_t first_retransmission_tsval() const noexcept { return stamp_; }
    constexpr bool retransmitted() const noexcept { return has(stamp_bit); }
    // Retransmitted octets of the episode no D-SACK block has reported yet.
    constexpr std::uint32_t unreported_octets() const noexcept { return unreported_; }

    constexpr void reset() noexcept { *this = spurious_retransmission_detector{}; }

private:
    static constexpr std::uint8_t active_bit = 1u << 0;
    static constexpr std::uint8_t stamp_bit = 1u << 1;  // a retransmission was sent: stamp_ holds its TSval
    constexpr bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    constexpr void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }

    std::uint32_t marker_ = 0;      // SND.UNA when the episode began (Linux's undo_marker)
    std::uint32_t high_ = 0;        // the end of its highest retransmission
    std::uint32_t stamp_ = 0;       // TSval of its first retransmission (Linux's retrans_stamp)
    std::uint32_t unreported_ = 0;  // retransmitted octets not yet D-SACKed (Linux's undo_retrans)
    std::uint8_t flags_ = 0;
};

// The same interface compiled out: never active, never finds anything.
class no_spurious_retransmission_detector {
public:
    static constexpr bool compiled_in = false;
    constexpr void start(std::uint32_t) noexcept {}
    constexpr void finish() noexcept {}
    constexpr bool active() const noexcept { return false; }
    constexpr void on_retransmitted(std::uint32_t, std::uint32_t, std::uint32_t) noexcept {}
    constexpr bool retransmission_delayed(bool, std::uint32_t) const noexcept { return false; }
    constexpr bool on_dsack(const seq_block&) noexcept { return false; }
    constexpr bool retransmitted() const noexcept { return false; }
    constexpr std::uint32_t unreported_octets() const noexcept { return 0; }
    constexpr void reset() noexcept {}
};

namespace detail {
// The detector a connection carries: none when its congestion policy cannot undo (no
// on_spurious_undo: newreno_smallest_options, unlimited) or when neither timestamps nor SACK
// is compiled in (nothing to detect with): the compact profile stays at 128 octets.
template <bool PolicyUndoes, bool Timestamps, bool Sack>
struct spurious_detector_for {
    using type = spurious_retransmission_detector;
};
template <bool Timestamps, bool Sack>
struct spurious_detector_for<false, Timestamps, Sack> {
    using type = no_spurious_retransmission_detector;
};
template <>
struct spurious_detector_for<true, false, false> {
    using type = no_spurious_retransmission_detector;
};
}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_SPURIOUS_RETRANSMISSION_HPP
