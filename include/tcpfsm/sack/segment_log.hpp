// tcpfsm: the per-segment records RACK-TLP needs (RFC 8985 §5.2: Segment.xmit_ts,
// Segment.end_seq, Segment.lost, Segment.retransmitted), kept in a fixed-capacity ring: one
// record per data segment sent and not yet cumulatively acknowledged, in sequence order.
// No allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_SEGMENT_LOG_HPP
#define TCPFSM_SACK_SEGMENT_LOG_HPP

#include <cstddef>
#include <cstdint>

#include "../reassembly.hpp"
#include "../seq.hpp"

namespace tcpfsm {
namespace sack {

// One segment in flight: [seq, end), when it was last (re)transmitted, and its marks.
struct segment_record {
    std::uint32_t seq = 0;
    std::uint32_t end = 0;      // Segment.end_seq
    std::uint64_t xmit_us = 0;  // Segment.xmit_ts: the last (re)transmission, µs of the engine's clock
    std::uint8_t flags = 0;     // segment_record::sacked | lost | retransmitted

    static constexpr std::uint8_t sacked = 1u << 0;         // wholly SACKed (RFC 2018)
    static constexpr std::uint8_t lost = 1u << 1;           // deemed lost (RACK, RFC 8985 §6.2 step 5)
    static constexpr std::uint8_t retransmitted = 1u << 2;  // a retransmission is in flight

    constexpr bool has(std::uint8_t f) const noexcept { return (flags & f) != 0; }
    constexpr std::uint32_t length() const noexcept { return end - seq; }
    // Lost and not retransmitted since: to be sent again.
    constexpr bool needs_retransmission() const noexcept { return has(lost) && !has(retransmitted) && !has(sacked); }
};

// The records of one connection's sender, at most Capacity (default 64, at most 65535;
// 24 bytes a record). Past the bound: a segment sent while all records are in use is not
// recorded ("untracked"). RACK then neither takes an RTT sample from it nor marks it lost;
// the scoreboard and RFC 6675's IsLost() and the retransmission timer still cover it, and
// pipe() counts it as in flight. Records free up as SND.UNA advances, and later segments are
// recorded again. So the bound can make RACK slower to detect a loss, never wrong.
template <std::size_t Capacity = 64>
class segment_log {
    static_assert(Capacity >= 1 && Capacity <= 65535, "tcpfsm::sack::segment_log holds 1 to 65535 records");

public:
    static constexpr std::size_t capacity = Capacity;

    constexpr void reset() noexcept {
        head_ = 0;
        count_ = 0;
        untracked_ = 0;
    }

    // New data [seq, seq + length) went out at `now_us` (seq is SND.NXT before it, so records
    // stay in sequence order). False when the log was full and the segment is untracked.
    constexpr bool on_sent(std::uint32_t seq, std::uint32_t length, std::uint64_t now_us) noexcept {
        if (length == 0) return true;
        if (count_ == Capacity) {
            ++untracked_;
            return false;
        }
        segment_record& r = buf_[(head_ + count_) % Capacity];
        r = segment_record{seq, seq + length, now_us, 0};
        ++count_;
        return true;
    }

    // [seq, seq + length) was sent again at `now_us`: every record it overlaps gets the new
    // xmit_ts and the retransmitted mark (a lost mark stays: the original is still gone).
    constexpr void on_retransmitted(std::uint32_t seq, std::uint32_t length, std::uint64_t now_us) noexcept {
        const std::uint32_t end = seq + length;
        for (std::size_t i = 0; i < count_; ++i) {
            segment_record& r = at(i);
            if (seq_lt(r.seq, end) && seq_lt(seq, r.end)) {
                r.xmit_us = now_us;
                r.flags = static_cast<std::uint8_t>(r.flags | segment_record::retransmitted);
            }
        }
    }

    // Reneging (RFC 2018 §8): forget every SACKed mark, with scoreboard::clear().
    constexpr void clear_sacked() noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            at(i).flags = static_cast<std::uint8_t>(at(i).flags & ~segment_record::sacked);
    }

    constexpr std::size_t size() const noexcept { return count_; }
    constexpr bool empty() const noexcept { return count_ == 0; }
    // Segments sent while the log was full (not recorded), since reset().
    constexpr std::uint32_t untracked() const noexcept { return untracked_; }
    // Record i, oldest (lowest sequence) first; i < size().
    constexpr segment_record& at(std::size_t i) noexcept { return buf_[(head_ + i) % Capacity]; }
    constexpr const segment_record& at(std::size_t i) const noexcept { return buf_[(head_ + i) % Capacity]; }
    // Drops the oldest record.
    constexpr void pop_front() noexcept {
        if (count_ == 0) return;
        head_ = (head_ + 1) % Capacity;
        --count_;
    }

    // The lowest record to send again (lost, not retransmitted since, not SACKed), as a
    // block; empty when there is none.
    constexpr seq_block first_lost() const noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (at(i).needs_retransmission()) return {at(i).seq, at(i).end};
        return {};
    }
    // RACK.segs_sacked: the records SACKed.
    constexpr std::uint32_t sacked_segments() const noexcept {
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < count_; ++i)
            if (at(i).has(segment_record::sacked)) ++n;
        return n;
    }
    // Octets in the network as RACK sees them (Linux's packets_out - sacked - lost +
    // retrans in octets): SND.NXT - SND.UNA, less the SACKed records and the lost ones not
    // resent, plus the retransmissions of records not deemed lost (both copies in flight, as
    // RFC 6675's pipe counts them). Untracked segments count as in flight.
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        std::int64_t p = static_cast<std::int64_t>(snd_nxt - snd_una);
        for (std::size_t i = 0; i < count_; ++i) {
            const segment_record& r = at(i);
            const std::int64_t len = r.length();
            if (r.has(segment_record::sacked)) {
                p -= len;
            } else if (r.has(segment_record::lost)) {
                if (!r.has(segment_record::retransmitted)) p -= len;
            } else if (r.has(segment_record::retransmitted)) {
                p += len;
            }
        }
        return p < 0 ? 0u : static_cast<std::uint32_t>(p);
    }

private:
    segment_record buf_[Capacity] = {};
    std::size_t head_ = 0;
    std::size_t count_ = 0;
    std::uint32_t untracked_ = 0;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_SEGMENT_LOG_HPP
