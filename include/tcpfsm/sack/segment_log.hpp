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

// A transmit time: the low 32 bits of the engine's µs clock, compared modulo 2^32 as
// sequence numbers are (RFC 1982-style), so the clock's wrap every 2^32 µs (71.6 min) does
// not matter. Valid while the two times compared lie within 2^31 µs (35.8 min) of each other:
// RACK compares times within a few RTTs (a record lives until SND.UNA passes it, and the RTO
// backs off to at most 60 s, RFC 6298 (2.5)).
using xmit_time = std::uint32_t;
constexpr xmit_time to_xmit_time(std::uint64_t us) noexcept { return static_cast<xmit_time>(us); }
// t1 later than t2 (modulo 2^32).
constexpr bool xmit_after(xmit_time t1, xmit_time t2) noexcept { return seq_gt(t1, t2); }
// µs from `from` to `to`; 0 when `to` is not later.
constexpr std::uint32_t xmit_elapsed(xmit_time from, xmit_time to) noexcept {
    return seq_gt(to, from) ? to - from : 0u;
}

// One segment in flight: [seq, seq + octets), when it was last (re)transmitted, and its
// marks. 12 octets: a segment never exceeds 65535 octets (the MSS option is 16 bits, RFC 9293
// §3.7.1; a FIN's sequence number makes MSS + 1, which segment_log splits).
struct segment_record {
    std::uint32_t seq = 0;
    xmit_time xmit_us = 0;      // Segment.xmit_ts: the last (re)transmission (xmit_time)
    std::uint16_t octets = 0;   // sequence numbers covered (data, and a FIN's)
    std::uint8_t flags = 0;     // segment_record::sacked | lost | retransmitted

    static constexpr std::uint8_t sacked = 1u << 0;         // wholly SACKed (RFC 2018)
    static constexpr std::uint8_t lost = 1u << 1;           // deemed lost (RACK, RFC 8985 §6.2 step 5)
    static constexpr std::uint8_t retransmitted = 1u << 2;  // a retransmission is in flight
    static constexpr std::uint32_t max_octets = 0xFFFFu;

    constexpr bool has(std::uint8_t f) const noexcept { return (flags & f) != 0; }
    constexpr std::uint32_t length() const noexcept { return octets; }
    constexpr std::uint32_t end() const noexcept { return seq + octets; }  // Segment.end_seq
    // SND.UNA moved to `to`, inside the record: the part below it is gone.
    constexpr void cut_below(std::uint32_t to) noexcept {
        octets = static_cast<std::uint16_t>(octets - (to - seq));
        seq = to;
    }
    // Lost and not retransmitted since: to be sent again.
    constexpr bool needs_retransmission() const noexcept { return has(lost) && !has(retransmitted) && !has(sacked); }
};
static_assert(sizeof(segment_record) == 12, "tcpfsm::sack::segment_record is 12 octets");

// The records of one connection's sender, at most Capacity (1 to 65535; 12 octets a
// record). Past the bound: a segment sent while all records are in use is not
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
        sums_ = record_sums{};
        forget_untracked();
    }

    // New data [seq, seq + length) went out at `now_us` (seq is SND.NXT before it, so records
    // stay in sequence order), in records of at most segment_record::max_octets. False when
    // the log was full and the segment (or its rest) is untracked.
    constexpr bool on_sent(std::uint32_t seq, std::uint32_t length, std::uint64_t now_us) noexcept {
        while (length != 0) {
            if (count_ == Capacity) {
                note_untracked(seq + length, now_us);
                return false;
            }
            const std::uint32_t n = length < segment_record::max_octets ? length : segment_record::max_octets;
            segment_record& r = buf_[(head_ + count_) % Capacity];
            r = segment_record{seq, to_xmit_time(now_us), static_cast<std::uint16_t>(n), 0};
            ++count_;
            count(r);
            seq += n;
            length -= n;
        }
        return true;
    }

    // [seq, seq + length) was sent again at `now_us`: every record it overlaps gets the new
    // xmit_ts and the retransmitted mark (a lost mark stays: the original is still gone).
    // A retransmission no record overlaps (its original went out while the log was full) is
    // recorded now, in sequence order, marked lost and retransmitted (it is resent because it
    // was deemed lost; pipe() counts the one copy): RACK can then find this copy lost too
    // (RFC 8985 §6.2), the only way when no new data follows it. A full log gives up its
    // highest record for it, unless that one waits to be resent or lies below it.
    // True when untracked octets that may be in flight were added: this copy (no record
    // overlaps it and none was made), or the unSACKed record it displaced.
    constexpr bool on_retransmitted(std::uint32_t seq, std::uint32_t length, std::uint64_t now_us) noexcept {
        const std::uint32_t end = seq + length;
        bool overlapped = false;
        std::size_t pos = count_;  // the first record above the retransmission
        for (std::size_t i = 0; i < count_; ++i) {
            segment_record& r = slot(i);
            if (seq_lt(r.seq, end) && seq_lt(seq, r.end())) {
                r.xmit_us = to_xmit_time(now_us);
                set_flags(i, static_cast<std::uint8_t>(r.flags | segment_record::retransmitted));
                overlapped = true;
            } else if (pos == count_ && seq_le(end, r.seq)) {
                pos = i;
            }
        }
        if (overlapped || length == 0) return false;
        if (length > segment_record::max_octets) {
            note_untracked(end, now_us);
            return true;
        }
        bool displaced = false;
        if (count_ == Capacity) {
            if (pos == count_ || at(count_ - 1).needs_retransmission()) {
                note_untracked(end, now_us);
                return true;
            }
            // The highest record goes untracked instead (sent at or before now).
            const segment_record& last = at(count_ - 1);
            displaced = !last.has(segment_record::sacked);
            note_untracked(last.end(), now_us);
            uncount(last);
            --count_;
        }
        for (std::size_t i = count_; i > pos; --i) slot(i) = slot(i - 1);
        slot(pos) = segment_record{seq, to_xmit_time(now_us), static_cast<std::uint16_t>(length),
                                   static_cast<std::uint8_t>(segment_record::lost | segment_record::retransmitted)};
        count(slot(pos));
        ++count_;
        return displaced;
    }

    // Reneging (RFC 2018 §8): forget every SACKed mark, with scoreboard::clear().
    constexpr void clear_sacked() noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            set_flags(i, static_cast<std::uint8_t>(at(i).flags & ~segment_record::sacked));
    }

    // A spurious-retransmission undo: forget every lost mark (Linux's
    // tcp_undo_cwnd_reduction(sk, true)); a record resent stays retransmitted (both copies out).
    constexpr void clear_lost() noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            set_flags(i, static_cast<std::uint8_t>(at(i).flags & ~segment_record::lost));
    }

    constexpr std::size_t size() const noexcept { return count_; }
    constexpr bool empty() const noexcept { return count_ == 0; }
    // Segments sent while the log was full (not recorded), since reset(); stops at 65535.
    constexpr std::uint32_t untracked() const noexcept { return untracked_; }
    // Untracked octets may be in flight: every one lies below untracked_end(), and none was
    // sent (or resent) after untracked_xmit() (the bound RACK uses for them as one segment,
    // rack_detector::untracked_lost). Until forget_untracked() (SND.UNA passed the end).
    constexpr bool has_untracked() const noexcept { return untracked_in_flight_; }
    constexpr std::uint32_t untracked_end() const noexcept { return untracked_end_; }
    constexpr xmit_time untracked_xmit() const noexcept { return untracked_xmit_; }
    constexpr void forget_untracked() noexcept {
        untracked_in_flight_ = false;
        untracked_end_ = 0;
        untracked_xmit_ = 0;
    }
    // Record i, oldest (lowest sequence) first; i < size(). Read-only: its marks change
    // through set_flags() and its start through cut_front(), which keep the sums below.
    constexpr const segment_record& at(std::size_t i) const noexcept { return buf_[(head_ + i) % Capacity]; }
    // Record i's marks become `flags`.
    constexpr void set_flags(std::size_t i, std::uint8_t flags) noexcept {
        segment_record& r = slot(i);
        uncount(r);
        r.flags = flags;
        count(r);
    }
    // SND.UNA moved to `to`, inside the oldest record: the part below it is gone.
    constexpr void cut_front(std::uint32_t to) noexcept {
        if (count_ == 0) return;
        segment_record& r = slot(0);
        uncount(r);
        r.cut_below(to);
        count(r);
    }
    // Drops the oldest record.
    constexpr void pop_front() noexcept {
        if (count_ == 0) return;
        uncount(slot(0));
        head_ = static_cast<std::uint16_t>((head_ + 1) % Capacity);
        --count_;
    }
    // The octets the records cover (records are disjoint and lie in [SND.UNA, SND.NXT), so
    // below 2^31): O(1), kept as records come, go and change.
    constexpr std::uint32_t octets() const noexcept { return sums_.octets; }

    // The lowest record to send again (lost, not retransmitted since, not SACKed), as a
    // block; empty when there is none.
    constexpr seq_block first_lost() const noexcept {
        if (sums_.to_resend == 0) return {};
        for (std::size_t i = 0; i < count_; ++i)
            if (at(i).needs_retransmission()) return {at(i).seq, at(i).end()};
        return {};
    }
    // RACK.segs_sacked: the records SACKed.
    constexpr std::uint32_t sacked_segments() const noexcept { return sums_.sacked_records; }
    // Octets in the network as RACK sees them (Linux's packets_out - sacked - lost +
    // retrans in octets): SND.NXT - SND.UNA, less the SACKed records and the lost ones not
    // resent, plus the retransmissions of records not deemed lost (both copies in flight, as
    // RFC 6675's pipe counts them). Untracked segments count as in flight.
    // O(1): from the running sums.
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        const std::int64_t p = static_cast<std::int64_t>(snd_nxt - snd_una) - std::int64_t{sums_.sacked_octets} +
                               std::int64_t{sums_.unsacked_adjust};
        return p < 0 ? 0u : static_cast<std::uint32_t>(p);
    }
    // The SACKed records' octets, and what the others add to the flight beyond SND.NXT -
    // SND.UNA: minus a record lost and not resent, plus one resent and not deemed lost (both
    // copies out), nothing otherwise. rack_detector::pipe takes the SACKed octets from the
    // scoreboard and this sum from here.
    constexpr std::uint32_t sacked_octets() const noexcept { return sums_.sacked_octets; }
    constexpr std::int32_t unsacked_adjust() const noexcept { return sums_.unsacked_adjust; }

private:
    constexpr segment_record& slot(std::size_t i) noexcept { return buf_[(head_ + i) % Capacity]; }
    // What record r adds to the sums, with its marks, and taking it back out.
    static constexpr std::int32_t adjust_of(const segment_record& r) noexcept {
        if (r.has(segment_record::sacked)) return 0;
        const bool lost = r.has(segment_record::lost), resent = r.has(segment_record::retransmitted);
        const auto len = static_cast<std::int32_t>(r.length());
        return lost && !resent ? -len : (!lost && resent ? len : 0);
    }
    constexpr void count(const segment_record& r) noexcept {
        sums_.octets += r.length();
        if (r.has(segment_record::sacked)) {
            sums_.sacked_octets += r.length();
            ++sums_.sacked_records;
        }
        if (r.needs_retransmission()) ++sums_.to_resend;
        sums_.unsacked_adjust += adjust_of(r);
    }
    constexpr void uncount(const segment_record& r) noexcept {
        sums_.octets -= r.length();
        if (r.has(segment_record::sacked)) {
            sums_.sacked_octets -= r.length();
            --sums_.sacked_records;
        }
        if (r.needs_retransmission()) --sums_.to_resend;
        sums_.unsacked_adjust -= adjust_of(r);
    }

    // [.., end) went out untracked at `now_us` (the latest untracked transmission so far).
    constexpr void note_untracked(std::uint32_t end, std::uint64_t now_us) noexcept {
        if (untracked_ != 0xFFFFu) ++untracked_;
        if (!untracked_in_flight_ || seq_gt(end, untracked_end_)) untracked_end_ = end;
        untracked_xmit_ = to_xmit_time(now_us);
        untracked_in_flight_ = true;
    }

    segment_record buf_[Capacity] = {};
    std::uint16_t head_ = 0;   // Capacity =< 65535
    std::uint16_t count_ = 0;
    std::uint16_t untracked_ = 0;  // stops at 65535
    bool untracked_in_flight_ = false;
    std::uint32_t untracked_end_ = 0;
    xmit_time untracked_xmit_ = 0;
    // Running sums over the records, kept by count() and uncount() on every change of a
    // record: octets(), sacked_octets(), unsacked_adjust() (each bounded by the flight, below
    // 2^31), and two counts of records (at most Capacity =< 65535).
    struct record_sums {
        std::uint32_t octets = 0;
        std::uint32_t sacked_octets = 0;
        std::int32_t unsacked_adjust = 0;
        std::uint16_t sacked_records = 0;  // RACK.segs_sacked
        std::uint16_t to_resend = 0;       // records that needs_retransmission(): first_lost()'s
                                           // walk is skipped when there is none
    };
    record_sums sums_{};
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_SEGMENT_LOG_HPP
