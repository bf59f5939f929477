// tcpfsm: the SACK sender's scoreboard (RFC 2018, RFC 6675 §2-§4): which octets above SND.UNA
// the receiver reported holding, as at most MaxRanges sorted, disjoint ranges, with every
// received block checked (RFC 2018 §8; the CVE-2019-11477/11478 class), D-SACK blocks
// (RFC 2883) told apart from SACK blocks, and reneging (RFC 2018 §8) detected as Linux does.
//
// It holds no data: the sender's buffer frees octets only when SND.UNA passes them (RFC 2018
// §8: "the data sender MUST NOT discard data before it is acknowledged by the cumulative
// ACK"). A SACKed range only tells the sender what not to retransmit yet.
// All sequence numbers are modulo 2^32 (RFC 9293 §3.4); no allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_SCOREBOARD_HPP
#define TCPFSM_SACK_SCOREBOARD_HPP

#include <cstddef>
#include <cstdint>

#include "../reassembly.hpp"
#include "../seq.hpp"

namespace tcpfsm {
namespace sack {

// What one ACK's SACK blocks and cumulative acknowledgment did to the scoreboard.
struct update_result {
    // SND.UNA after this ACK (SEG.ACK when SND.UNA < SEG.ACK =< SND.NXT, else as before).
    std::uint32_t snd_una = 0;
    // Octets SND.UNA advanced by (0: not a cumulative acknowledgment of new data).
    std::uint32_t acked = 0;
    // Octets of this ACK's valid SACK blocks that were not SACKed before, above SND.UNA
    // (kept or not): an ACK with newly_sacked > 0 is a "duplicate acknowledgment" of RFC 6675 §2.
    std::uint32_t newly_sacked = 0;
    // RFC 6937's DeliveredData: the advance of SND.UNA plus the change of the SACKed octets
    // (a cumulative ACK over SACKed octets counts them once); 0 when a capacity drop made the
    // change negative enough (never below 0).
    std::uint32_t delivered = 0;
    // RFC 2883: the D-SACK block of this ACK (its first block when it lies below SEG.ACK or
    // inside the second block), empty when there is none. Not added to the scoreboard.
    seq_block dsack{};
    std::uint32_t accepted = 0;  // SACK blocks taken
    std::uint32_t stale = 0;     // SACK blocks at or below SND.UNA (an old ACK): ignored
    std::uint32_t invalid = 0;   // blocks rejected: reversed, empty, outside SND.UNA..SND.NXT
    // A range (new or held) was forgotten because all MaxRanges were in use: the highest.
    bool dropped_for_capacity = false;
    // After this ACK a SACKed range starts at SND.UNA: the receiver acknowledged up to octets
    // it had reported holding, so it discarded them (RFC 2018 §8 reneging; Linux's
    // FLAG_SACK_RENEGING). The engine decides what to do (docs/sack.md).
    bool reneging = false;
};

// SACKed octets with sequence numbers greater than a given one (RFC 6675 IsLost()).
struct sacked_above {
    std::uint32_t octets = 0;
    std::uint32_t ranges = 0;  // discontiguous SACKed ranges holding such octets
};

// The scoreboard of one connection's sender: at most MaxRanges ranges [left, right), sorted,
// pairwise disjoint and not adjacent (touching ranges merge), each inside [SND.UNA, SND.NXT).
//
// Bound: MaxRanges (default 16, at most 255) is the number of holes-with-SACKed-data above it
// the sender can remember; 8 octets a range. When a block needs a new range and all are in
// use, the highest range is forgotten (the new block itself when it is the highest). So the
// scoreboard only ever forgets SACK information, never invents it: octets it reports as
// SACKed were reported by the receiver and not yet cumulatively acknowledged. Forgetting
// makes the sender more conservative (pipe higher, fewer octets deemed lost, perhaps a
// retransmission of SACKed data), never unsafe; the receiver repeats its blocks (RFC 2018
// §4), so the lower holes fill and the information comes back.
//
// Validation of each block (RFC 2018 §8, CVE-2019-11477/11478): a block [left, right) is
// taken only if left < right (modulo 2^32, so right - left < 2^31) and SND.UNA =< left and
// right =< SND.NXT; it is then at most SND.NXT - SND.UNA octets long. Each block costs
// O(MaxRanges) whatever its contents: nothing is split per segment.
template <std::size_t MaxRanges = 16>
class scoreboard {
    static_assert(MaxRanges >= 1 && MaxRanges <= 255, "tcpfsm::sack::scoreboard holds 1 to 255 ranges");

public:
    static constexpr std::size_t max_ranges = MaxRanges;

    // A new connection, or forget every SACKed range (RFC 2018 §8: SHOULD after a
    // retransmission timeout that might be reneging; docs/sack.md says when).
    constexpr void clear() noexcept {
        count_ = 0;
        sacked_ = 0;
    }

    // One acceptable ACK: SEG.ACK = `ack`, SND.UNA before it `snd_una`, SND.NXT `snd_nxt`,
    // and the `count` SACK blocks of its option in the order received (RFC 2018 §3: at most
    // 4 fit; any number works). SEG.ACK outside (SND.UNA, SND.NXT] leaves SND.UNA as it is
    // (an old ACK's blocks are still read). Ranges below the new SND.UNA are dropped first.
    constexpr update_result on_ack(std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                   const seq_block* blocks, std::size_t count) noexcept {
        update_result r{};
        on_ack(r, ack, snd_una, snd_nxt, blocks, count);
        return r;
    }
    // The same, written into `r` in place (the SACK sender's result: no copy of a result built
    // on the stack, whose narrow stores a wide reload would wait for).
    constexpr void on_ack(update_result& r, std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_nxt,
                          const seq_block* blocks, std::size_t count) noexcept {
        r = update_result{};
        const std::uint32_t before = sacked_;
        const std::uint32_t una = seq_in_open_closed(snd_una, ack, snd_nxt) ? ack : snd_una;
        r.snd_una = una;
        r.acked = una - snd_una;
        trim(una);
        for (std::size_t i = 0; i < count; ++i) {
            const seq_block b = blocks[i];
            // RFC 2883 §4: only the first block can be a D-SACK: below SEG.ACK (compared with
            // this ACK's SEG.ACK, not SND.UNA), or inside the second block.
            if (i == 0 && is_dsack(b, ack, snd_nxt, count > 1 ? &blocks[1] : nullptr)) {
                r.dsack = b;
                continue;
            }
            if (!seq_lt(b.left, b.right) || seq_gt(b.right, snd_nxt) || !seq_lt(b.left, snd_nxt)) {
                ++r.invalid;
            } else if (seq_le(b.right, una)) {
                ++r.stale;
            } else if (seq_lt(b.left, una)) {
                ++r.invalid;  // straddles SND.UNA: not a block of this window (as Linux)
            } else {
                ++r.accepted;
                r.newly_sacked += insert(b, r.dropped_for_capacity);
            }
        }
        // DeliveredData = delta(SND.UNA) + delta(SACKed), clamped at 0.
        const std::uint64_t gained = std::uint64_t{r.acked} + sacked_;
        r.delivered = gained > before ? static_cast<std::uint32_t>(gained - before) : 0u;
        r.reneging = count_ != 0 && ranges_[0].left == una;
    }

    constexpr std::size_t count() const noexcept { return count_; }
    constexpr bool empty() const noexcept { return count_ == 0; }
    // Range i in increasing sequence order; an empty block for i >= count().
    constexpr seq_block range(std::size_t i) const noexcept { return i < held() ? ranges_[i] : seq_block{}; }
    // Octets SACKed (the sum of the ranges' lengths).
    constexpr std::uint32_t sacked_octets() const noexcept { return sacked_; }
    // The right edge of the highest range (the octet after the highest SACKed one);
    // `snd_una` when nothing is SACKed.
    constexpr std::uint32_t highest_sacked(std::uint32_t snd_una) const noexcept {
        return count_ == 0 ? snd_una : ranges_[held() - 1].right;
    }
    constexpr bool is_sacked(std::uint32_t seq) const noexcept {
        for (std::size_t i = 0; i < held(); ++i)
            if (seq_in_window(seq, ranges_[i].left, ranges_[i].length())) return true;
        return false;
    }
    // The first octet of [left, right) that is not SACKed; `right` when all of it is.
    constexpr std::uint32_t first_unsacked(std::uint32_t left, std::uint32_t right) const noexcept {
        std::uint32_t x = left;
        for (std::size_t i = 0; i < held() && seq_lt(x, right); ++i)
            if (seq_le(ranges_[i].left, x) && seq_lt(x, ranges_[i].right)) x = ranges_[i].right;
        return seq_lt(x, right) ? x : right;
    }
    // SACKed octets inside [left, right).
    constexpr std::uint32_t sacked_within(std::uint32_t left, std::uint32_t right) const noexcept {
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < held(); ++i) {
            const std::uint32_t l = seq_max(ranges_[i].left, left), r = seq_min(ranges_[i].right, right);
            if (seq_lt(l, r)) n += r - l;
        }
        return n;
    }
    // SACKed octets with sequence numbers greater than `seq`, and how many ranges hold them.
    constexpr sacked_above above(std::uint32_t seq) const noexcept {
        sacked_above a{};
        const std::uint32_t from = seq + 1;
        for (std::size_t i = 0; i < held(); ++i) {
            const std::uint32_t start = seq_max(ranges_[i].left, from);
            if (seq_lt(start, ranges_[i].right)) {
                a.octets += ranges_[i].right - start;
                ++a.ranges;
            }
        }
        return a;
    }

    // The invariants for SND.UNA = `snd_una`, SND.NXT = `snd_nxt` (assertions, fuzzing): at
    // most MaxRanges ranges, none empty, each inside [snd_una, snd_nxt), sorted, no two
    // overlapping or adjacent, sacked_octets() their sum.
    constexpr bool consistent_with(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        if (count_ > MaxRanges) return false;
        std::uint64_t sum = 0;
        const std::uint32_t window = snd_nxt - snd_una;
        for (std::size_t i = 0; i < held(); ++i) {
            const seq_block b = ranges_[i];
            const std::uint32_t l = b.left - snd_una, r = b.right - snd_una;
            if (!(l < r) || r > window) return false;
            if (i > 0 && !(ranges_[i - 1].right - snd_una < l)) return false;
            sum += b.length();
        }
        return sum == sacked_;
    }

private:
    // count_, which never exceeds MaxRanges, in a form the optimiser sees bounded (g++ 12 at
    // -O3 otherwise reports array bounds it cannot prove).
    constexpr std::size_t held() const noexcept { return count_ < MaxRanges ? count_ : MaxRanges; }

    static constexpr bool is_dsack(const seq_block& b, std::uint32_t ack, std::uint32_t snd_nxt,
                                   const seq_block* second) noexcept {
        if (!seq_lt(b.left, b.right) || seq_gt(b.right, snd_nxt)) return false;
        if (seq_lt(b.left, ack)) return true;
        return second != nullptr && seq_lt(second->left, second->right) && seq_ge(b.left, second->left) &&
               seq_le(b.right, second->right);
    }

    // Drops what SND.UNA = `una` covers: whole ranges below it, the part of one it cuts.
    constexpr void trim(std::uint32_t una) noexcept {
        const std::size_t n = held();
        std::size_t drop = 0;
        while (drop < n && seq_le(ranges_[drop].right, una)) {
            sacked_ -= ranges_[drop].length();
            ++drop;
        }
        if (drop != 0) {
            for (std::size_t i = drop; i < n; ++i) ranges_[i - drop] = ranges_[i];
            count_ = static_cast<std::uint8_t>(n - drop);
        }
        if (count_ != 0 && seq_lt(ranges_[0].left, una)) {
            sacked_ -= una - ranges_[0].left;
            ranges_[0].left = una;
        }
    }

    // Adds a valid block (SND.UNA =< left < right =< SND.NXT); returns the octets of it that
    // were not SACKed before.
    constexpr std::uint32_t insert(const seq_block& b, bool& dropped) noexcept {
        // The ranges that overlap or touch b: [first, last).
        const std::size_t n = held();
        std::size_t first = 0;
        while (first < n && seq_lt(ranges_[first].right, b.left)) ++first;
        std::size_t last = first;
        std::uint32_t overlap = 0;
        seq_block merged = b;
        while (last < n && seq_le(ranges_[last].left, b.right)) {
            const seq_block& r = ranges_[last];
            const std::uint32_t lo = seq_max(r.left, b.left), hi = seq_min(r.right, b.right);
            if (seq_lt(lo, hi)) overlap += hi - lo;
            merged.left = seq_min(merged.left, r.left);
            merged.right = seq_max(merged.right, r.right);
            ++last;
        }
        const std::uint32_t fresh = b.length() - overlap;
        if (first == last) {
            // A new range at position `first`.
            std::size_t c = n;
            if (c == MaxRanges) {
                dropped = true;
                if (first == c) return fresh;  // it is the highest: forget it
                sacked_ -= ranges_[c - 1].length();
                --c;
            }
            for (std::size_t i = c; i > first; --i) ranges_[i] = ranges_[i - 1];
            ranges_[first] = b;
            count_ = static_cast<std::uint8_t>(c + 1);
            sacked_ += b.length();
            return fresh;
        }
        // Merge ranges [first, last) and b into one at `first`.
        for (std::size_t i = first; i < last; ++i) sacked_ -= ranges_[i].length();
        ranges_[first] = merged;
        sacked_ += merged.length();
        // With one range there is nothing to close up (and g++ 12 at -O3 would see bounds in
        // the loop it cannot prove).
        if constexpr (MaxRanges > 1) {
            const std::size_t gone = last - first - 1;
            if (gone != 0) {
                for (std::size_t i = last; i < n; ++i) ranges_[i - gone] = ranges_[i];
                count_ = static_cast<std::uint8_t>(n - gone);
            }
        }
        return fresh;
    }

    seq_block ranges_[MaxRanges] = {};
    std::uint32_t sacked_ = 0;
    std::uint8_t count_ = 0;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_SCOREBOARD_HPP
