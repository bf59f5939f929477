// An independent model of the receiver's reassembly (reassembly.hpp) and a consumer with a ring
// buffer, shared by the unit tests (test/unit/reassembly_test.cpp) and the libFuzzer target
// (test/fuzz/fuzz_reassembly.cpp).
//
// The model keeps one flag per octet of the stream (received or not), in 64-bit stream
// positions (position p is sequence number base + p modulo 2^32), and derives everything from
// those flags: the new octets of a segment are the positions it covers that were never
// received, the held blocks are the runs of received positions at and above RCV.NXT, a new
// block is needed when the segment's text touches no received position. It shares no code
// with the queue. The policy it follows is the one reassembly.hpp documents (window, capacity,
// FIN); the values of the stream's octets come from octet_value(), which differs between
// transmissions of the same position, so "first received wins" shows in the delivered text.
//
// The harness feeds one segment to the queue and to the model, compares every field of the
// result with the model's expectation, places the pieces the queue reports into a ring buffer
// (refusing to place an octet twice), and reads delivered text back, checking each octet's
// value and that the stream is read in order. Checks return a message (nullptr: all good) so
// that Catch2 and the fuzzer can each report it their way.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_REASSEMBLY_MODEL_HPP
#define TCPFSM_TEST_REASSEMBLY_MODEL_HPP

#include <tcpfsm/reassembly.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tcpfsm_test {

// The octet at stream position p in transmission `tx` of it.
inline std::uint8_t octet_value(std::uint64_t p, std::uint32_t tx) {
    const std::uint64_t h = (p + 1) * 0x9E3779B97F4A7C15ull ^ (std::uint64_t{tx} * 0xC2B2AE3D27D4EB4Full);
    return static_cast<std::uint8_t>(h >> 56);
}

// Positions [left, right).
struct run {
    std::uint64_t left = 0, right = 0;
    bool operator==(const run& o) const { return left == o.left && right == o.right; }
};

// What the model expects of one call.
struct expectation {
    std::vector<run> pieces;  // new octets, increasing
    std::uint64_t readable = 0;
    run dsack{};  // empty: none
    bool duplicate = false, out_of_order = false, filled_gap = false, dropped_for_capacity = false,
         beyond_window = false, beyond_fin = false, fin_reached = false;
    run taken{};  // the segment's text taken into the window (for the SACK order check)
};

class reassembly_model {
public:
    reassembly_model(std::size_t capacity, std::uint64_t stream_limit)
        : capacity_(capacity), have_(stream_limit + 1, 0), first_value_(stream_limit + 1, 0) {}

    std::uint64_t nxt() const { return nxt_; }
    bool fin_held() const { return fin_held_; }
    std::uint64_t fin_pos() const { return fin_pos_; }
    std::uint64_t limit() const { return have_.size() - 1; }
    std::uint8_t first_value(std::uint64_t p) const { return first_value_[p]; }

    // Received octets at and above RCV.NXT, as runs in increasing order.
    std::vector<run> held_runs() const {
        std::vector<run> out;
        for (std::uint64_t q = nxt_; q < top_; ++q) {
            if (!have_[q]) continue;
            if (!out.empty() && out.back().right == q)
                ++out.back().right;
            else
                out.push_back(run{q, q + 1});
        }
        return out;
    }

    // A segment of `len` octets at position p (p + len <= limit), transmission tx.
    // `deliver` false: SYN text held until release().
    expectation step(std::uint64_t p, std::uint32_t len, bool fin, std::uint32_t wnd, std::uint32_t tx, bool deliver) {
        expectation x;
        const std::uint64_t end = p + len;
        x.out_of_order = (len > 0 || fin) && p > nxt_;
        if (len > 0 && p < nxt_) x.dsack = run{p, std::min(end, nxt_)};
        std::uint64_t b = std::max(p, nxt_), e = end;
        bool cut = false;
        if (len > 0 && b < end) {
            if (e > nxt_ + wnd) {
                x.beyond_window = cut = true;
                e = std::max(b, nxt_ + wnd);
            }
            if (fin_held_ && e > fin_pos_) {
                x.beyond_fin = cut = true;
                e = std::max(b, fin_pos_);
            }
        } else {
            b = e = 0;
        }
        bool fin_ok = false;
        if (fin && !cut && end >= nxt_) {
            if (end - nxt_ > wnd)
                x.beyond_window = true;
            else if (fin_held_ && end > fin_pos_)
                x.beyond_fin = true;
            else
                fin_ok = true;
        }
        if (e > b) {
            // Does the text touch a received octet at or above RCV.NXT (or RCV.NXT itself)?
            bool touches = deliver && b == nxt_;
            for (std::uint64_t q = (b > nxt_ ? b - 1 : nxt_); q <= e && q < have_.size() && !touches; ++q)
                touches = have_[q] != 0;
            const std::vector<run> runs = held_runs();
            if (!touches && (b > nxt_ || !deliver) && runs.size() >= capacity_) {
                x.dropped_for_capacity = true;
                fin_ok = false;
            } else {
                std::uint64_t upper = fin_held_ ? fin_pos_ : 0;
                if (!runs.empty()) upper = std::max(upper, runs.back().right);
                for (std::uint64_t q = b; q < e; ++q) {
                    if (have_[q]) {
                        if (x.dsack.left == x.dsack.right) x.dsack = run{q, q + 1};
                        else if (x.dsack.right == q && x.dsack.left >= b) ++x.dsack.right;
                        continue;
                    }
                    have_[q] = 1;
                    top_ = std::max(top_, q + 1);
                    first_value_[q] = octet_value(q, tx);
                    if (!x.pieces.empty() && x.pieces.back().right == q)
                        ++x.pieces.back().right;
                    else
                        x.pieces.push_back(run{q, q + 1});
                }
                x.filled_gap = !x.pieces.empty() && x.pieces.front().left < upper;
                x.taken = run{b, e};
            }
        }
        if (fin_ok) {
            // The lowest FIN wins; received octets past it are forgotten.
            if (!fin_held_ || end < fin_pos_) {
                fin_held_ = true;
                fin_pos_ = end;
            }
            for (std::uint64_t q = fin_pos_; q < top_; ++q) have_[q] = 0;
        }
        x.duplicate = x.dsack.right > x.dsack.left && x.pieces.empty() && !x.dropped_for_capacity;
        if (deliver) deliver_contiguous(x);
        if (capacity_ == 0) fin_held_ = false;  // holds nothing: a FIN counts only in order
        return x;
    }

    expectation release() {
        expectation x;
        deliver_contiguous(x);
        return x;
    }

private:
    void deliver_contiguous(expectation& x) {
        while (nxt_ < have_.size() && have_[nxt_]) {
            ++nxt_;
            ++x.readable;
        }
        if (fin_held_ && fin_pos_ == nxt_) {
            x.fin_reached = true;
            fin_held_ = false;
        }
    }

    std::size_t capacity_;
    std::uint64_t nxt_ = 0;
    std::uint64_t top_ = 0;  // no position at or above this was ever received
    std::vector<std::uint8_t> have_;
    std::vector<std::uint8_t> first_value_;
    bool fin_held_ = false;
    std::uint64_t fin_pos_ = 0;
};

// The queue, the model and a consumer with a ring buffer of `buffer` octets: RCV.WND is the
// free space past RCV.NXT (RCV.BUFF minus the octets delivered and not yet read), so the
// window's right edge never moves left.
template <std::size_t Capacity>
class reassembly_harness {
public:
    reassembly_harness(std::uint32_t base, std::uint32_t buffer, std::uint64_t stream_limit)
        : base_(base), ring_(buffer, 0), placed_(buffer, 0), model_(Capacity, stream_limit) {}

    tcpfsm::reassembly_queue<Capacity>& queue() { return queue_; }
    const reassembly_model& model() const { return model_; }
    std::uint32_t rcv_nxt() const { return static_cast<std::uint32_t>(base_ + model_.nxt()); }
    std::uint32_t window() const {
        return static_cast<std::uint32_t>(ring_.size() - (model_.nxt() - read_));
    }
    std::uint64_t delivered() const { return model_.nxt(); }
    std::uint64_t read_so_far() const { return read_; }
    bool fin_done() const { return fin_done_; }
    std::size_t fins_reached() const { return fins_reached_; }
    const tcpfsm::reassembly_result<Capacity>& last() const { return last_; }

    // One segment (or SYN text when `syn`). After the FIN took effect nothing more is fed:
    // the engine is in CLOSE-WAIT or beyond and processes no text (RFC 9293 §3.10.7.4).
    const char* segment(std::uint64_t p, std::uint32_t len, bool fin, std::uint32_t tx, bool syn = false) {
        if (fin_done_) return nullptr;
        if (p + len > model_.limit()) return "test bug: segment past the stream limit";
        const std::uint32_t wnd = window();
        const std::uint32_t seq = static_cast<std::uint32_t>(base_ + p);
        const std::uint64_t nxt_before = model_.nxt();
        last_ = syn ? queue_.hold_syn_text(rcv_nxt(), wnd, len, fin) : queue_.on_segment(rcv_nxt(), wnd, seq, len, fin);
        const expectation x = model_.step(p, len, fin, wnd, tx, !syn);
        if (const char* err = compare(x, nxt_before, p)) return err;
        // Place the pieces, as a consumer with a ring buffer does: slot of RCV.NXT + offset.
        for (std::size_t i = 0; i < last_.piece_count; ++i) {
            const tcpfsm::reassembly_piece& piece = last_.pieces[i];
            for (std::uint32_t k = 0; k < piece.length; ++k) {
                const std::size_t slot = static_cast<std::size_t>((nxt_before + piece.offset + k) % ring_.size());
                if (placed_[slot]) return "an octet was placed where an unread one still is";
                placed_[slot] = 1;
                ring_[slot] = octet_value(p + piece.text_offset + k, tx);
            }
        }
        return after_step(x, p, nxt_before);
    }

    const char* release() {
        if (fin_done_) return nullptr;
        const std::uint64_t nxt_before = model_.nxt();
        last_ = queue_.release(rcv_nxt());
        const expectation x = model_.release();
        if (const char* err = compare(x, nxt_before, nxt_before)) return err;
        return after_step(x, nxt_before, nxt_before);
    }

    // The user reads up to n delivered octets: each must be the first-received octet of its
    // position, read in stream order, and placed exactly once.
    const char* read(std::uint64_t n) {
        while (n > 0 && read_ < model_.nxt()) {
            const std::size_t slot = static_cast<std::size_t>(read_ % ring_.size());
            if (!placed_[slot]) return "a delivered octet was never placed";
            if (ring_[slot] != model_.first_value(read_)) return "a delivered octet has the wrong value";
            placed_[slot] = 0;
            ++read_;
            --n;
        }
        return nullptr;
    }

private:
    const char* compare(const expectation& x, std::uint64_t nxt_before, std::uint64_t p) {
        const auto& r = last_;
        if (r.piece_count != x.pieces.size()) return "number of new pieces differs from the model";
        for (std::size_t i = 0; i < r.piece_count; ++i) {
            const run& m = x.pieces[i];
            if (r.pieces[i].offset != m.left - nxt_before) return "a piece's offset differs from the model";
            if (r.pieces[i].length != m.right - m.left) return "a piece's length differs from the model";
            if (r.pieces[i].text_offset != m.left - p) return "a piece's text offset differs from the model";
        }
        if (r.readable != x.readable) return "readable differs from the model";
        const bool model_dsack = x.dsack.right > x.dsack.left;
        if (r.dsack.empty() == model_dsack) return "D-SACK presence differs from the model";
        if (model_dsack && (r.dsack.left != static_cast<std::uint32_t>(base_ + x.dsack.left) ||
                            r.dsack.right != static_cast<std::uint32_t>(base_ + x.dsack.right)))
            return "the D-SACK block differs from the model";
        if (r.duplicate != x.duplicate) return "duplicate differs from the model";
        if (r.out_of_order != x.out_of_order) return "out_of_order differs from the model";
        if (r.filled_gap != x.filled_gap) return "filled_gap differs from the model";
        if (r.dropped_for_capacity != x.dropped_for_capacity) return "dropped_for_capacity differs from the model";
        if (r.beyond_window != x.beyond_window) return "beyond_window differs from the model";
        if (r.beyond_fin != x.beyond_fin) return "beyond_fin differs from the model";
        if (r.fin_reached != x.fin_reached) return "fin_reached differs from the model";
        return nullptr;
    }

    const char* after_step(const expectation& x, std::uint64_t, std::uint64_t) {
        if (last_.fin_reached) {
            fin_done_ = true;
            ++fins_reached_;
            if (!queue_.empty()) return "something is still held after the FIN took effect";
        }
        // The invariants, checked from the outside: the queue's own check, and its blocks are
        // the model's runs; at most Capacity of them; the FIN as the model has it.
        if (!queue_.consistent_with(rcv_nxt())) return "the queue's invariants do not hold";
        if (queue_.held_count() > Capacity) return "more blocks than the capacity";
        std::vector<run> blocks;
        for (std::size_t i = 0; i < queue_.held_count(); ++i) {
            const tcpfsm::seq_block blk = queue_.held(i);
            const std::uint64_t l = model_.nxt() + (blk.left - rcv_nxt()), h = l + blk.length();
            blocks.push_back(run{l, h});
        }
        std::sort(blocks.begin(), blocks.end(), [](const run& a, const run& c) { return a.left < c.left; });
        const std::vector<run> runs = model_.held_runs();
        if (blocks != runs) return "the held blocks differ from the model's runs";
        if (queue_.fin_held() != (model_.fin_held() && !fin_done_)) return "fin_held differs from the model";
        if (queue_.fin_held() && queue_.fin_seq() != static_cast<std::uint32_t>(base_ + model_.fin_pos()))
            return "the held FIN differs from the model";
        // RFC 2018 §4: the first block holds the text this segment brought, when it is held.
        if (x.taken.right > x.taken.left && x.taken.left >= model_.nxt()) {
            if (queue_.held_count() == 0) return "held text but no block";
            const tcpfsm::seq_block first = queue_.held(0);
            const std::uint64_t l = model_.nxt() + (first.left - rcv_nxt()), h = l + first.length();
            const std::uint64_t want_right = model_.fin_held() ? std::min(x.taken.right, model_.fin_pos()) : x.taken.right;
            if (l > x.taken.left || h < want_right) return "the most recent segment is not in the first block";
        }
        std::uint64_t held = 0;
        for (const run& r : runs) held += r.right - r.left;
        if (queue_.held_octets() != held) return "held_octets differs from the model";
        return nullptr;
    }

    std::uint32_t base_;
    std::vector<std::uint8_t> ring_;
    std::vector<std::uint8_t> placed_;
    reassembly_model model_;
    tcpfsm::reassembly_queue<Capacity> queue_{};
    tcpfsm::reassembly_result<Capacity> last_{};
    std::uint64_t read_ = 0;
    bool fin_done_ = false;
    std::size_t fins_reached_ = 0;
};

}  // namespace tcpfsm_test

#endif  // TCPFSM_TEST_REASSEMBLY_MODEL_HPP
