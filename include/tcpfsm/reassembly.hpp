// tcpfsm: the receiver's out-of-order reassembly queue (RFC 9293 §3.10.7.4 SHLD-31, RFC 5681
// §4.2, RFC 2018 §4, RFC 2883). It keeps which sequence ranges above RCV.NXT have arrived and
// tells the consumer, per segment, where each never-seen octet belongs in its receive buffer
// and how many octets became readable. It holds no text: the consumer's buffer does.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_REASSEMBLY_HPP
#define TCPFSM_REASSEMBLY_HPP

#include <cstddef>
#include <cstdint>

#include "seq.hpp"

namespace tcpfsm {

// A block of sequence numbers [left, right) (modulo 2^32), the shape of a SACK block
// (RFC 2018 §3: "Left Edge of Block", "Right Edge of Block" = the number after the last).
struct seq_block {
    std::uint32_t left = 0;
    std::uint32_t right = 0;

    constexpr std::uint32_t length() const noexcept { return right - left; }
    constexpr bool empty() const noexcept { return left == right; }
};

// Octets of one segment that were never received before: the consumer copies `length` octets
// from the segment's text at `text_offset` to its receive buffer at `offset` octets past
// RCV.NXT (RCV.NXT as passed to the call that returned it).
struct reassembly_piece {
    std::uint32_t offset = 0;       // SEQ of the first octet - RCV.NXT
    std::uint32_t text_offset = 0;  // SEQ of the first octet - SEG.SEQ
    std::uint32_t length = 0;
};

// What one segment did. Pieces are in increasing offset order; a segment spanning several
// holes gives one piece per hole, so at most Capacity + 1.
template <std::size_t Capacity>
struct reassembly_result {
    reassembly_piece pieces[Capacity + 1] = {};
    std::size_t piece_count = 0;
    // Octets that became contiguous with RCV.NXT (this segment's and held ones): RCV.NXT
    // advances by this many, and so does the consumer's readable count.
    std::uint32_t readable = 0;
    // RFC 2883: the first (lowest) run of this segment's octets that had been received before
    // (below RCV.NXT or held); empty when there is none. The ACK this segment triggers reports
    // it as a D-SACK block. It is not kept: the next segment's result has its own.
    seq_block dsack{};
    bool duplicate = false;             // text, and none of it new (RFC 2883 §4: D-SACK)
    bool out_of_order = false;          // its text or FIN starts above RCV.NXT (RFC 5681 §4.2: immediate dup ACK)
    bool filled_gap = false;            // new octets below held text or a held FIN (RFC 5681 §4.2: immediate ACK)
    bool dropped_for_capacity = false;  // its text would have been a new range and all were in use
    bool beyond_window = false;         // text (or its FIN) past RCV.NXT + RCV.WND was not taken
    bool beyond_fin = false;            // text (or a FIN) past a held FIN was not taken
    bool fin_reached = false;           // the FIN is at RCV.NXT + readable: it takes effect now

    // RFC 5681 §4.2: an out-of-order segment or one that fills (part of) a gap is ACKed at
    // once, and so is a duplicate (its D-SACK block goes in that ACK, RFC 2883 §4).
    constexpr bool immediate_ack() const noexcept { return out_of_order || filled_gap || !dsack.empty(); }

    constexpr std::uint32_t new_octets() const noexcept {
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < piece_count; ++i) n += pieces[i].length;
        return n;
    }
};

namespace detail {
// What a queue stores: the held blocks, most recently updated first, and the FIN above
// RCV.NXT. Capacity 0 holds nothing at all, so it stores nothing.
template <std::size_t Capacity>
struct reassembly_storage {
    seq_block blocks[Capacity] = {};
    std::uint32_t fin_seq = 0;  // meaningful when fin_held
    std::uint8_t count = 0;
    bool fin_held = false;
};
template <>
struct reassembly_storage<0> {};
}  // namespace detail

// The out-of-order queue of one connection's receiver.
//
// Contract: RCV.NXT passed to a call is the one the previous calls left, i.e. the engine
// advances RCV.NXT by `readable` (and by one more when `fin_reached`) after each call and by
// nothing else while text is held; reset() at a new connection. RCV.WND is at most 2^30
// (RFC 7323 §2.3) and SEG.LEN below 2^31.
//
// Policy (RFC 9293 leaves these to the implementation):
//   - first-received octets win: only never-seen octets are reported as pieces;
//   - the window: text past RCV.NXT + RCV.WND is never held; a FIN counts if all the text
//     before it was taken (at RCV.NXT + RCV.WND exactly, as Linux and the engine);
//   - capacity: a segment whose text touches nothing held (and does not start at RCV.NXT)
//     needs a new block; when all Capacity blocks are in use it is dropped, text and FIN
//     (the newest range is the one dropped, so it is never SACKed; the peer retransmits it);
//     Capacity 0 holds nothing, SYN text included;
//   - FINs: a FIN above RCV.NXT is remembered. No text follows a FIN (RFC 9293 §3.10.7.4
//     eighth step), so text past a held FIN is not taken, and a FIN below held text or below
//     a held FIN replaces it and the held text past it is forgotten: the lowest FIN wins, as
//     in Linux, where tcp_fin() purges the out-of-order queue when the first FIN in sequence
//     is reached. A FIN on text that was cut (window, capacity) is not taken.
template <std::size_t Capacity = 8>
class reassembly_queue {
    static_assert(Capacity <= 255, "tcpfsm: reassembly_queue holds at most 255 blocks");

public:
    static constexpr std::size_t capacity = Capacity;
    using result = reassembly_result<Capacity>;

    // The largest RCV.WND the queue works with (RFC 7323 §2.3: 2^30 with window scaling).
    static constexpr std::uint32_t max_window = 0x40000000u;

    // A new connection: nothing held.
    constexpr void reset() noexcept { s_ = {}; }

    // The text of one arriving segment, after the acceptability test (RFC 9293 §3.10.7.4
    // Table 6): `length` octets at SEG.SEQ = `seq`, and whether it carries FIN. Text below
    // RCV.NXT or past the window is allowed (not taken); the engine need not trim it.
    constexpr result on_segment(std::uint32_t rcv_nxt, std::uint32_t rcv_wnd, std::uint32_t seq,
                                std::uint32_t length, bool fin) noexcept {
        return add(rcv_nxt, rcv_wnd, seq, length, fin, true);
    }

    // The text of a SYN received in LISTEN (RFC 9293 §3.10.7.2: "Any other control or text
    // should be queued for processing later") or in SYN-SENT without an ACK (§3.10.7.3: "queue
    // them for processing after the ESTABLISHED state has been reached"). With RCV.NXT =
    // IRS + 1 it lies at offset 0: the pieces are placed now, but nothing is readable (RCV.NXT
    // stays IRS + 1, so the SYN,ACK does not acknowledge it) until release() at ESTABLISHED.
    // Capacity 0 drops it (dropped_for_capacity).
    constexpr result hold_syn_text(std::uint32_t rcv_nxt, std::uint32_t rcv_wnd, std::uint32_t length,
                                   bool fin) noexcept {
        return add(rcv_nxt, rcv_wnd, rcv_nxt, length, fin, false);
    }

    // ESTABLISHED is reached: text held from RCV.NXT on (SYN text) becomes readable, and a
    // FIN held right after it takes effect. Harmless when nothing is held there.
    constexpr result release(std::uint32_t rcv_nxt) noexcept {
        result r{};
        collect(rcv_nxt, r);
        return r;
    }

    // The held blocks, most recently updated first (RFC 2018 §4: the first SACK block holds
    // the segment that triggered the ACK; then the most recently reported ones).
    constexpr std::size_t held_count() const noexcept {
        if constexpr (Capacity == 0) {
            return 0;
        } else {
            return count();
        }
    }
    constexpr seq_block held(std::size_t i) const noexcept {
        if constexpr (Capacity == 0) {
            (void)i;
            return {};
        } else {
            return i < count() ? s_.blocks[i] : seq_block{};
        }
    }
    // Octets held above RCV.NXT (received, not yet readable).
    constexpr std::uint32_t held_octets() const noexcept {
        std::uint32_t n = 0;
        for (std::size_t i = 0; i < held_count(); ++i) n += held(i).length();
        return n;
    }
    constexpr bool fin_held() const noexcept {
        if constexpr (Capacity == 0) {
            return false;
        } else {
            return s_.fin_held;
        }
    }
    constexpr std::uint32_t fin_seq() const noexcept {
        if constexpr (Capacity == 0) {
            return 0;
        } else {
            return s_.fin_seq;
        }
    }
    // Nothing held: no text above RCV.NXT and no FIN.
    constexpr bool empty() const noexcept { return held_count() == 0 && !fin_held(); }

    // The queue's invariants for RCV.NXT = rcv_nxt (for assertions, the simulator and
    // fuzzing): at most Capacity blocks, none empty, each within 2^31 above RCV.NXT, none
    // starting at RCV.NXT unless it is SYN text awaiting release(), no two overlapping or
    // adjacent, and none past a held FIN, itself not below RCV.NXT.
    constexpr bool consistent_with(std::uint32_t rcv_nxt) const noexcept {
        if constexpr (Capacity == 0) {
            (void)rcv_nxt;
            return true;
        } else {
            if (s_.count > Capacity) return false;
            if (s_.fin_held && (s_.fin_seq - rcv_nxt) >= 0x80000000u) return false;
            for (std::size_t i = 0; i < count(); ++i) {
                const std::uint32_t l = s_.blocks[i].left - rcv_nxt, r = s_.blocks[i].right - rcv_nxt;
                if (!(l < r && r < 0x80000000u)) return false;
                if (s_.fin_held && r > s_.fin_seq - rcv_nxt) return false;
                for (std::size_t j = i + 1; j < count(); ++j) {
                    const std::uint32_t l2 = s_.blocks[j].left - rcv_nxt, r2 = s_.blocks[j].right - rcv_nxt;
                    if (l2 <= r && l <= r2) return false;  // overlapping or adjacent
                }
            }
            return true;
        }
    }

private:
    static constexpr std::uint32_t max_length = 0x7fffffffu;

    // The common path of on_segment (collect: deliver what became contiguous) and
    // hold_syn_text (no collect). Offsets from RCV.NXT throughout: every held block and every
    // octet taken lies within 2^31 above it, so offsets compare as plain numbers.
    constexpr result add(std::uint32_t nxt, std::uint32_t wnd, std::uint32_t seq, std::uint32_t length, bool fin,
                         bool deliver) noexcept {
        result r{};
        if (wnd > max_window) wnd = max_window;
        if (length > max_length) {
            length = max_length;
            fin = false;
            r.beyond_window = true;
        }
        const std::uint32_t end_seq = seq + length;  // the FIN's number when `fin`
        r.out_of_order = (length > 0 || fin) && seq_gt(seq, nxt);

        // Octets below RCV.NXT were received and delivered before (RFC 2883 §4.1.1).
        std::uint32_t first = seq;
        if (length > 0 && seq_lt(seq, nxt)) {
            first = seq_lt(end_seq, nxt) ? end_seq : nxt;
            r.dsack = seq_block{seq, first};
        }
        std::uint32_t b = 0, e = 0;  // the text in the window: offsets [b, e)
        bool cut = false;            // some text was not taken: its FIN is not either
        if (length > 0 && seq_lt(first, end_seq)) {
            b = first - nxt;
            e = b + (end_seq - first);
            if (e > wnd) {
                r.beyond_window = cut = true;
                e = b < wnd ? wnd : b;
            }
            if (fin_held()) {
                const std::uint32_t f = fin_seq() - nxt;
                if (e > f) {
                    r.beyond_fin = cut = true;
                    e = b < f ? f : b;
                }
            }
        }
        // The FIN counts when all its text was taken and it lies in the window (at its edge
        // at most), not below RCV.NXT, and not past a held FIN.
        bool fin_ok = false;
        if (fin && !cut && seq_ge(end_seq, nxt)) {
            if (end_seq - nxt > wnd) {
                r.beyond_window = true;
            } else if (fin_held() && seq_gt(end_seq, fin_seq())) {
                r.beyond_fin = true;
            } else {
                fin_ok = true;
            }
        }

        if constexpr (Capacity == 0) {
            // Nothing is held: text starting at RCV.NXT is taken, anything else dropped.
            if (e > b) {
                if (b == 0 && deliver) {
                    r.pieces[0] = reassembly_piece{0, first - seq, e};
                    r.piece_count = 1;
                    r.readable = e;
                } else {
                    r.dropped_for_capacity = true;
                    fin_ok = false;
                }
            }
            if (fin_ok && deliver && end_seq == nxt + r.readable) r.fin_reached = true;
            if (r.dsack.length() > 0 && r.piece_count == 0 && !r.dropped_for_capacity) r.duplicate = true;
            return r;
        } else {
            if (e > b) place(nxt, seq, first, b, e, deliver, r);
            if (r.dropped_for_capacity) fin_ok = false;
            if (fin_ok) hold_fin(nxt, end_seq);
            if (deliver) collect(nxt, r);
            if (r.dsack.length() > 0 && r.piece_count == 0 && !r.dropped_for_capacity) r.duplicate = true;
            return r;
        }
    }

    // Text [b, e) (offsets from nxt; the segment's text begins at `seq`, its first octet in
    // the window at `first`): reports the octets no held block has, and merges the text with
    // the blocks it overlaps or touches into one block, which becomes the most recent.
    constexpr void place(std::uint32_t nxt, std::uint32_t seq, std::uint32_t first, std::uint32_t b,
                         std::uint32_t e, bool deliver, result& r) noexcept {
        // The blocks the text overlaps or touches, by offset (insertion sort: at most Capacity).
        std::uint32_t lo[Capacity] = {}, hi[Capacity] = {};
        std::size_t touched = 0;
        std::uint32_t upper = fin_held() ? s_.fin_seq - nxt : 0;  // the highest held number + 1
        for (std::size_t i = 0; i < count(); ++i) {
            const std::uint32_t l = s_.blocks[i].left - nxt, h = s_.blocks[i].right - nxt;
            if (h > upper) upper = h;
            if (l > e || h < b) continue;
            std::size_t k = touched++;
            for (; k > 0 && lo[k - 1] > l; --k) {
                lo[k] = lo[k - 1];
                hi[k] = hi[k - 1];
            }
            lo[k] = l;
            hi[k] = h;
        }
        if (touched == 0 && (b > 0 || !deliver) && count() == Capacity) {
            r.dropped_for_capacity = true;  // the newest range: never held, never SACKed
            return;
        }
        // The holes of [b, e) between the touched blocks are the new octets; the overlaps
        // are duplicates (the lowest one is the D-SACK block when nothing below RCV.NXT was).
        const std::uint32_t skip = first - seq;  // text octets below RCV.NXT
        std::uint32_t at = b;
        for (std::size_t k = 0; k < touched; ++k) {
            if (lo[k] > at) add_piece(r, at, lo[k], skip + (at - b));
            const std::uint32_t dl = lo[k] > b ? lo[k] : b, dh = hi[k] < e ? hi[k] : e;
            if (dl < dh && r.dsack.empty()) r.dsack = seq_block{nxt + dl, nxt + dh};
            if (hi[k] > at) at = hi[k];
        }
        if (at < e) add_piece(r, at, e, skip + (at - b));
        r.filled_gap = r.piece_count > 0 && r.pieces[0].offset < upper;

        const std::uint32_t left = touched > 0 && lo[0] < b ? lo[0] : b;
        const std::uint32_t right = touched > 0 && hi[touched - 1] > e ? hi[touched - 1] : e;
        if (touched == 0 && left == 0 && deliver) {
            r.readable = right;  // in order, nothing held touches it: no block needed
            return;
        }
        // The merged block first, then the untouched ones in their order (there is room: the
        // merged block replaces at least one, or a block was free).
        seq_block out[Capacity] = {};
        out[0] = seq_block{nxt + left, nxt + right};
        std::size_t n = 1;
        for (std::size_t i = 0; i < count() && n < Capacity; ++i) {
            const std::uint32_t l = s_.blocks[i].left - nxt, h = s_.blocks[i].right - nxt;
            if (l > e || h < b) out[n++] = s_.blocks[i];
        }
        for (std::size_t i = 0; i < n; ++i) s_.blocks[i] = out[i];
        s_.count = static_cast<std::uint8_t>(n);
    }

    static constexpr void add_piece(result& r, std::uint32_t from, std::uint32_t to, std::uint32_t text_offset) noexcept {
        r.pieces[r.piece_count++] = reassembly_piece{from, text_offset, to - from};
    }

    // A FIN at `fin` (not below nxt, not past a held FIN): the lowest FIN wins, and held text
    // past it is forgotten.
    constexpr void hold_fin(std::uint32_t nxt, std::uint32_t fin) noexcept {
        s_.fin_held = true;
        s_.fin_seq = fin;
        const std::uint32_t f = fin - nxt;
        std::size_t kept = 0;
        for (std::size_t i = 0; i < count(); ++i) {
            seq_block blk = s_.blocks[i];
            if (blk.left - nxt >= f) continue;
            if (blk.right - nxt > f) blk.right = fin;
            s_.blocks[kept++] = blk;
        }
        s_.count = static_cast<std::uint8_t>(kept);
    }

    // The block at RCV.NXT (if any) becomes readable, and a FIN right after the readable
    // text takes effect.
    constexpr void collect(std::uint32_t nxt, result& r) noexcept {
        if constexpr (Capacity > 0) {
            const std::uint32_t at = nxt + r.readable;
            const std::size_t n = count();
            for (std::size_t i = 0; i < n; ++i) {
                if (s_.blocks[i].left != at) continue;
                r.readable += s_.blocks[i].length();
                for (std::size_t j = i + 1; j < n; ++j) s_.blocks[j - 1] = s_.blocks[j];
                s_.count = static_cast<std::uint8_t>(n - 1);
                break;
            }
            if (s_.fin_held && s_.fin_seq == nxt + r.readable) {
                r.fin_reached = true;
                s_.fin_held = false;
            }
        } else {
            (void)nxt;
            (void)r;
        }
    }

    // The number of blocks, evidently at most Capacity (for the compiler's bounds analysis).
    constexpr std::size_t count() const noexcept { return s_.count < Capacity ? s_.count : Capacity; }

    detail::reassembly_storage<Capacity> s_{};
};

}  // namespace tcpfsm

#endif  // TCPFSM_REASSEMBLY_HPP
