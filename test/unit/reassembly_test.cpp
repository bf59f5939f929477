// reassembly.hpp: the receiver's out-of-order queue. The worked examples' expected values come
// from RFC 9293 §3.10.7.4 (text above RCV.NXT held, RCV.NXT advancing over what becomes
// contiguous), RFC 2018 §4 (the first SACK block holds the latest segment), RFC 2883 §4 (the
// D-SACK block) and RFC 5681 §4.2 (immediate ACKs), worked by hand; the long runs compare every
// call with an independent per-octet model (test/support/reassembly_model.hpp) and read the
// text back from a ring buffer, each octet once, in order, with its first-received value.
#include <tcpfsm/reassembly.hpp>

#include "reassembly_model.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

using tcpfsm::reassembly_queue;
using tcpfsm::seq_block;
using tcpfsm_test::reassembly_harness;

namespace {

bool same(const seq_block& b, std::uint32_t left, std::uint32_t right) { return b.left == left && b.right == right; }

template <class Result>
bool piece_is(const Result& r, std::size_t i, std::uint32_t offset, std::uint32_t text_offset, std::uint32_t length) {
    return i < r.piece_count && r.pieces[i].offset == offset && r.pieces[i].text_offset == text_offset &&
           r.pieces[i].length == length;
}

}  // namespace

TEST_CASE("reassembly: the queue is small", "[reassembly]") {
    // Blocks of two 32-bit sequence numbers, the FIN's number, a count and a flag; nothing at
    // all for capacity 0. 4-byte alignment: 8 * capacity + 8.
    STATIC_REQUIRE(sizeof(reassembly_queue<0>) == 1);
    STATIC_REQUIRE(sizeof(reassembly_queue<1>) == 16);
    STATIC_REQUIRE(sizeof(reassembly_queue<4>) == 40);
    STATIC_REQUIRE(sizeof(reassembly_queue<8>) == 72);
    STATIC_REQUIRE(std::is_same<decltype(reassembly_queue<>{}), reassembly_queue<8>>::value);
}

TEST_CASE("reassembly: usable at compile time", "[reassembly]") {
    // 20..30 held, then 10..25 (10 new octets below the block), then 0..10: 30 readable.
    constexpr std::uint32_t readable = [] {
        reassembly_queue<2> q;
        q.on_segment(0, 100, 20, 10, false);
        q.on_segment(0, 100, 10, 15, false);
        return q.on_segment(0, 100, 0, 10, false).readable;
    }();
    STATIC_REQUIRE(readable == 30);
}

TEST_CASE("reassembly: in-order text is readable at once", "[reassembly]") {
    reassembly_queue<> q;
    const auto r = q.on_segment(1000, 100, 1000, 10, false);
    CHECK(r.piece_count == 1);
    CHECK(piece_is(r, 0, 0, 0, 10));
    CHECK(r.readable == 10);
    CHECK(!r.out_of_order);
    CHECK(!r.filled_gap);
    CHECK(!r.duplicate);
    CHECK(r.dsack.empty());
    CHECK(!r.immediate_ack());  // in order, nothing held: the ACK may be delayed
    CHECK(q.empty());
    // A bare ACK does nothing.
    const auto bare = q.on_segment(1010, 90, 1010, 0, false);
    CHECK(bare.piece_count == 0);
    CHECK(bare.readable == 0);
    CHECK(!bare.out_of_order);
}

TEST_CASE("reassembly: a gap filled makes the held text readable", "[reassembly]") {
    reassembly_queue<> q;
    // 1010..1020 arrives first: held at offset 10, RFC 5681 §4.2 asks for a duplicate ACK.
    auto r = q.on_segment(1000, 100, 1010, 10, false);
    CHECK(piece_is(r, 0, 10, 0, 10));
    CHECK(r.piece_count == 1);
    CHECK(r.readable == 0);
    CHECK(r.out_of_order);
    CHECK(!r.filled_gap);
    CHECK(r.immediate_ack());
    REQUIRE(q.held_count() == 1);
    CHECK(same(q.held(0), 1010, 1020));
    CHECK(q.held_octets() == 10);
    // 1000..1010 fills the gap: 20 octets readable, RCV.NXT = 1020; an immediate ACK.
    r = q.on_segment(1000, 100, 1000, 10, false);
    CHECK(piece_is(r, 0, 0, 0, 10));
    CHECK(r.readable == 20);
    CHECK(r.filled_gap);
    CHECK(!r.out_of_order);
    CHECK(r.immediate_ack());
    CHECK(q.empty());
}

TEST_CASE("reassembly: overlaps report only never-seen octets", "[reassembly]") {
    reassembly_queue<> q;
    q.on_segment(1000, 1000, 1010, 5, false);  // [1010, 1015)
    q.on_segment(1000, 1000, 1020, 5, false);  // [1020, 1025)
    q.on_segment(1000, 1000, 1030, 5, false);  // [1030, 1035)
    REQUIRE(q.held_count() == 3);
    // 1005..1040 spans three held blocks: four holes, the lowest overlap is the D-SACK block.
    auto r = q.on_segment(1000, 1000, 1005, 35, false);
    REQUIRE(r.piece_count == 4);
    CHECK(piece_is(r, 0, 5, 0, 5));
    CHECK(piece_is(r, 1, 15, 10, 5));
    CHECK(piece_is(r, 2, 25, 20, 5));
    CHECK(piece_is(r, 3, 35, 30, 5));
    CHECK(r.new_octets() == 20);
    CHECK(same(r.dsack, 1010, 1015));
    CHECK(!r.duplicate);
    CHECK(r.filled_gap);
    CHECK(r.readable == 0);
    REQUIRE(q.held_count() == 1);
    CHECK(same(q.held(0), 1005, 1040));
    // Entirely inside the held block: a duplicate, nothing new (RFC 2883 §4.1.2).
    r = q.on_segment(1000, 1000, 1012, 8, false);
    CHECK(r.piece_count == 0);
    CHECK(r.duplicate);
    CHECK(r.out_of_order);
    CHECK(same(r.dsack, 1012, 1020));
    // Straddling RCV.NXT from below: 995..1000 delivered before (RFC 2883 §4.1.1), 1000..1005 new,
    // and the held block joins: 40 readable.
    r = q.on_segment(1000, 1000, 995, 10, false);
    REQUIRE(r.piece_count == 1);
    CHECK(piece_is(r, 0, 0, 5, 5));
    CHECK(same(r.dsack, 995, 1000));
    CHECK(!r.duplicate);
    CHECK(r.readable == 40);
    CHECK(q.empty());
    // Entirely below RCV.NXT: a duplicate, ACKed at once with its D-SACK block.
    r = q.on_segment(1040, 1000, 1000, 20, false);
    CHECK(r.duplicate);
    CHECK(r.immediate_ack());
    CHECK(same(r.dsack, 1000, 1020));
    CHECK(r.readable == 0);
    CHECK(r.piece_count == 0);
}

TEST_CASE("reassembly: blocks come most recently updated first (RFC 2018 §4)", "[reassembly]") {
    reassembly_queue<> q;
    q.on_segment(0, 1000, 100, 10, false);  // A [100, 110)
    q.on_segment(0, 1000, 200, 10, false);  // B [200, 210)
    q.on_segment(0, 1000, 300, 10, false);  // C [300, 310)
    REQUIRE(q.held_count() == 3);
    CHECK(same(q.held(0), 300, 310));
    CHECK(same(q.held(1), 200, 210));
    CHECK(same(q.held(2), 100, 110));
    q.on_segment(0, 1000, 110, 5, false);  // A grows: first
    CHECK(same(q.held(0), 100, 115));
    CHECK(same(q.held(1), 300, 310));
    CHECK(same(q.held(2), 200, 210));
    q.on_segment(0, 1000, 202, 3, false);  // a duplicate inside B: B holds the latest segment
    CHECK(same(q.held(0), 200, 210));
    CHECK(same(q.held(1), 100, 115));
    CHECK(same(q.held(2), 300, 310));
    q.on_segment(0, 1000, 115, 85, false);  // A and B join
    REQUIRE(q.held_count() == 2);
    CHECK(same(q.held(0), 100, 210));
    CHECK(same(q.held(1), 300, 310));
}

TEST_CASE("reassembly: reset() and the invariant check", "[reassembly]") {
    reassembly_queue<> q;
    q.on_segment(0, 100, 10, 10, false);
    q.on_segment(0, 100, 30, 0, true);
    REQUIRE(q.held_count() == 1);
    CHECK(q.consistent_with(0));
    CHECK(q.consistent_with(9));
    CHECK(!q.consistent_with(15));           // RCV.NXT inside the block: the contract was broken
    CHECK(!q.consistent_with(0x80000010u));  // the block 2^31 or more away
    q.reset();
    CHECK(q.empty());
    CHECK(q.held_count() == 0);
    CHECK(!q.fin_held());
    CHECK(q.consistent_with(15));
}

TEST_CASE("reassembly: sequence numbers across 2^32", "[reassembly]") {
    reassembly_queue<> q;
    const std::uint32_t nxt = 0xFFFFFFF0u;
    // 0xFFFFFFFA..0x00000004 straddles 2^32: offset 10, 10 octets.
    auto r = q.on_segment(nxt, 1000, 0xFFFFFFFAu, 10, false);
    CHECK(piece_is(r, 0, 10, 0, 10));
    REQUIRE(q.held_count() == 1);
    CHECK(same(q.held(0), 0xFFFFFFFAu, 4u));
    CHECK(q.consistent_with(nxt));
    r = q.on_segment(nxt, 1000, 8, 4, false);  // [8, 12)
    CHECK(piece_is(r, 0, 24, 0, 4));
    r = q.on_segment(nxt, 1000, nxt, 30, false);  // the rest: 0xFFFFFFF0 .. 14
    REQUIRE(r.piece_count == 3);
    CHECK(piece_is(r, 0, 0, 0, 10));
    CHECK(piece_is(r, 1, 20, 20, 4));
    CHECK(piece_is(r, 2, 28, 28, 2));
    CHECK(r.readable == 30);
    CHECK(same(r.dsack, 0xFFFFFFFAu, 4u));
    CHECK(q.empty());
}

TEST_CASE("reassembly: a FIN before the text before it", "[reassembly]") {
    reassembly_queue<> q;
    // 10..20 with FIN: the FIN is number 20, remembered.
    auto r = q.on_segment(0, 100, 10, 10, true);
    CHECK(!r.fin_reached);
    CHECK(q.fin_held());
    CHECK(q.fin_seq() == 20);
    // Text past the FIN is not taken (no text follows a FIN).
    r = q.on_segment(0, 100, 18, 10, false);
    CHECK(r.beyond_fin);
    CHECK(r.piece_count == 0);
    CHECK(same(r.dsack, 18, 20));
    r = q.on_segment(0, 100, 15, 6, false);  // one octet past the FIN
    CHECK(r.beyond_fin);
    CHECK(r.piece_count == 0);
    CHECK(same(r.dsack, 15, 20));
    // 0..10 arrives: 20 readable and the FIN takes effect (RCV.NXT = 20, then 21 for the FIN).
    r = q.on_segment(0, 100, 0, 10, false);
    CHECK(r.readable == 20);
    CHECK(r.fin_reached);
    CHECK(r.filled_gap);
    CHECK(q.empty());
}

TEST_CASE("reassembly: a bare FIN above RCV.NXT, and conflicting FINs", "[reassembly]") {
    reassembly_queue<> q;
    auto r = q.on_segment(0, 100, 50, 0, true);  // FIN at 50, no text
    CHECK(q.fin_held());
    CHECK(q.fin_seq() == 50);
    CHECK(r.out_of_order);  // a FIN above RCV.NXT is an out-of-order segment too (RFC 5681 §4.2)
    q.on_segment(0, 100, 30, 10, false);  // [30, 40) held
    q.on_segment(0, 100, 44, 4, false);   // [44, 48) held
    REQUIRE(q.held_count() == 2);
    // A FIN at 60, above the held one: ignored.
    r = q.on_segment(0, 100, 60, 0, true);
    CHECK(r.beyond_fin);
    CHECK(q.fin_seq() == 50);
    // A FIN at 42, below held text: the lowest FIN wins and [44, 48) is forgotten.
    r = q.on_segment(0, 100, 40, 2, true);
    CHECK(q.fin_seq() == 42);
    REQUIRE(q.held_count() == 1);
    CHECK(same(q.held(0), 30, 42));
    // A FIN at 35, inside held text: the block is cut at 35.
    q.on_segment(0, 100, 35, 0, true);
    CHECK(q.fin_seq() == 35);
    REQUIRE(q.held_count() == 1);
    CHECK(same(q.held(0), 30, 35));
    r = q.on_segment(0, 100, 0, 30, false);
    CHECK(r.readable == 35);
    CHECK(r.fin_reached);
    CHECK(q.empty());
    // A FIN below RCV.NXT is old: ignored.
    reassembly_queue<> q2;
    q2.on_segment(0, 100, 0, 10, false);
    r = q2.on_segment(10, 90, 0, 5, true);
    CHECK(r.duplicate);
    CHECK(!r.fin_reached);
    CHECK(q2.empty());
    // Old text with a FIN right at RCV.NXT: the FIN takes effect.
    r = q2.on_segment(10, 90, 0, 10, true);
    CHECK(r.duplicate);
    CHECK(r.fin_reached);
}

TEST_CASE("reassembly: SYN text is placed at offset 0 and readable at ESTABLISHED", "[reassembly]") {
    const std::uint32_t irs = 0xFFFFFFFDu, nxt = irs + 1;  // the text straddles 2^32
    SECTION("released with a bare ACK") {
        reassembly_queue<> q;
        auto r = q.hold_syn_text(nxt, 1000, 6, false);
        CHECK(piece_is(r, 0, 0, 0, 6));
        CHECK(r.readable == 0);
        CHECK(!r.out_of_order);
        REQUIRE(q.held_count() == 1);
        CHECK(same(q.held(0), nxt, nxt + 6));
        CHECK(q.consistent_with(nxt));
        r = q.release(nxt);
        CHECK(r.readable == 6);
        CHECK(!r.fin_reached);
        CHECK(q.empty());
        r = q.release(nxt + 6);  // harmless
        CHECK(r.readable == 0);
    }
    SECTION("released by the third segment's own text") {
        reassembly_queue<> q;
        q.hold_syn_text(nxt, 1000, 6, false);
        auto r = q.on_segment(nxt, 1000, nxt + 6, 4, false);
        CHECK(piece_is(r, 0, 6, 0, 4));
        CHECK(r.readable == 10);
        CHECK(q.empty());
    }
    SECTION("text above it arrives before ESTABLISHED... and after") {
        reassembly_queue<> q;
        q.hold_syn_text(nxt, 1000, 6, false);
        auto r = q.on_segment(nxt, 1000, nxt + 10, 4, false);  // isolated: held, and the SYN text
        CHECK(r.readable == 6);                                // becomes readable with it
        REQUIRE(q.held_count() == 1);
        CHECK(same(q.held(0), nxt + 10, nxt + 14));
    }
    SECTION("SYN and FIN") {
        reassembly_queue<> q;
        auto r = q.hold_syn_text(nxt, 1000, 6, true);
        CHECK(!r.fin_reached);
        CHECK(q.fin_seq() == nxt + 6);
        r = q.release(nxt);
        CHECK(r.readable == 6);
        CHECK(r.fin_reached);
        reassembly_queue<> bare;
        bare.hold_syn_text(nxt, 1000, 0, true);
        CHECK(bare.fin_held());
        CHECK(bare.release(nxt).fin_reached);
    }
    SECTION("past the window") {
        reassembly_queue<> q;
        auto r = q.hold_syn_text(nxt, 4, 6, true);
        CHECK(piece_is(r, 0, 0, 0, 4));
        CHECK(r.beyond_window);
        CHECK(!q.fin_held());
        CHECK(q.release(nxt).readable == 4);
    }
    SECTION("capacity 0 holds none") {
        reassembly_queue<0> q;
        auto r = q.hold_syn_text(nxt, 1000, 6, false);
        CHECK(r.dropped_for_capacity);
        CHECK(r.piece_count == 0);
        CHECK(q.release(nxt).readable == 0);
    }
}

TEST_CASE("reassembly: the capacity reached", "[reassembly]") {
    reassembly_queue<2> q;
    q.on_segment(0, 1000, 10, 5, false);  // [10, 15)
    q.on_segment(0, 1000, 20, 5, false);  // [20, 25)
    // A third range is the newest: dropped with its FIN, never held, never SACKed.
    auto r = q.on_segment(0, 1000, 30, 5, true);
    CHECK(r.dropped_for_capacity);
    CHECK(r.piece_count == 0);
    CHECK(r.out_of_order);
    CHECK(!r.duplicate);
    CHECK(!q.fin_held());
    CHECK(q.held_count() == 2);
    // Text touching a held block needs no new one.
    r = q.on_segment(0, 1000, 25, 3, false);
    CHECK(!r.dropped_for_capacity);
    CHECK(piece_is(r, 0, 25, 0, 3));
    CHECK(same(q.held(0), 20, 28));
    // In-order text is taken when all blocks are in use.
    r = q.on_segment(0, 1000, 0, 5, false);
    CHECK(r.readable == 5);
    CHECK(!r.dropped_for_capacity);
    // Once text arrives before [10, 15), a block is free again for the retransmission.
    r = q.on_segment(5, 995, 5, 5, false);
    CHECK(r.readable == 10);
    r = q.on_segment(15, 985, 30, 5, true);
    CHECK(!r.dropped_for_capacity);
    CHECK(q.fin_seq() == 35);
    r = q.on_segment(15, 985, 15, 15, false);
    CHECK(r.readable == 20);
    CHECK(r.fin_reached);
}

TEST_CASE("reassembly: capacity 0 holds nothing", "[reassembly]") {
    reassembly_queue<0> q;
    auto r = q.on_segment(0, 100, 10, 5, true);
    CHECK(r.dropped_for_capacity);
    CHECK(r.out_of_order);
    CHECK(!q.fin_held());
    r = q.on_segment(0, 100, 0, 10, true);
    CHECK(piece_is(r, 0, 0, 0, 10));
    CHECK(r.readable == 10);
    CHECK(r.fin_reached);
    r = q.on_segment(10, 90, 5, 10, false);  // straddling RCV.NXT: the new part is in order
    CHECK(piece_is(r, 0, 0, 5, 5));
    CHECK(same(r.dsack, 5, 10));
}

TEST_CASE("reassembly: the window's right edge", "[reassembly]") {
    reassembly_queue<> q;
    // RCV.NXT 0, RCV.WND 20: [15, 25) is cut to [15, 20), and its FIN is not taken.
    auto r = q.on_segment(0, 20, 15, 10, true);
    CHECK(piece_is(r, 0, 15, 0, 5));
    CHECK(r.beyond_window);
    CHECK(!q.fin_held());
    // Entirely past the edge: nothing (not a new block either).
    r = q.on_segment(0, 20, 20, 5, false);
    CHECK(r.beyond_window);
    CHECK(r.piece_count == 0);
    CHECK(!r.dropped_for_capacity);
    CHECK(q.held_count() == 1);
    // A FIN right at the edge counts, one past it does not.
    r = q.on_segment(0, 20, 20, 0, true);
    CHECK(!r.beyond_window);
    CHECK(q.fin_seq() == 20);
    reassembly_queue<> q2;
    r = q2.on_segment(0, 20, 21, 0, true);
    CHECK(r.beyond_window);
    CHECK(!q2.fin_held());
    // A zero window takes no text, but a FIN at RCV.NXT.
    r = q2.on_segment(0, 0, 0, 3, false);
    CHECK(r.piece_count == 0);
    CHECK(r.beyond_window);
    r = q2.on_segment(0, 0, 0, 0, true);
    CHECK(r.fin_reached);
}

namespace {

struct seg {
    std::uint64_t pos;
    std::uint32_t len;
    bool fin;
};

// Runs `order` over the harness, reading everything delivered after each step, then sends
// the segments again (retransmissions, a new transmission each round) until the FIN takes
// effect. Returns the rounds it took.
template <std::size_t Capacity>
int run_rounds(reassembly_harness<Capacity>& h, const std::vector<seg>& order, int max_rounds) {
    for (int round = 0; round < max_rounds; ++round) {
        for (const seg& s : order) {
            const char* err = h.segment(s.pos, s.len, s.fin, static_cast<std::uint32_t>(round));
            if (err == nullptr) err = h.read(~std::uint64_t{0});
            if (err != nullptr)
                FAIL(err << " (round " << round << ", segment at " << s.pos << " length " << s.len
                         << (s.fin ? " FIN" : "") << ")");
            if (h.fin_done()) return round + 1;
        }
    }
    return max_rounds + 1;
}

std::vector<seg> six_segments() {
    const std::array<std::uint32_t, 6> lengths{3, 1, 4, 1, 5, 9};  // 23 octets, the FIN on the last
    std::vector<seg> out;
    std::uint64_t at = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        out.push_back(seg{at, lengths[i], i + 1 == lengths.size()});
        at += lengths[i];
    }
    return out;
}

}  // namespace

TEST_CASE("reassembly: every permutation of 6 segments", "[reassembly]") {
    const std::vector<seg> segments = six_segments();
    for (const std::uint32_t base : {0u, 0xFFFFFFF5u /* the stream straddles 2^32 */}) {
        std::array<std::size_t, 6> order{0, 1, 2, 3, 4, 5};
        int permutations = 0;
        do {
            std::vector<seg> sequence;
            for (const std::size_t i : order) sequence.push_back(segments[i]);
            INFO("base " << base << " order " << order[0] << order[1] << order[2] << order[3] << order[4] << order[5]);
            // Default capacity: three blocks at most are ever needed, so one pass delivers all;
            // the ring buffer is exactly 23 octets, so the FIN is at the window's edge.
            reassembly_harness<8> roomy(base, 23, 23);
            CHECK(run_rounds(roomy, sequence, 1) == 1);
            CHECK(roomy.read_so_far() == 23);
            CHECK(roomy.fins_reached() == 1);
            // One block: what is dropped comes again in the next round.
            reassembly_harness<1> tight(base, 23, 23);
            CHECK(run_rounds(tight, sequence, 6) <= 6);
            CHECK(tight.read_so_far() == 23);
            CHECK(tight.fins_reached() == 1);
            // Nothing held: only in-order segments are taken, at least one each round.
            reassembly_harness<0> none(base, 23, 23);
            CHECK(run_rounds(none, sequence, 6) <= 6);
            CHECK(none.read_so_far() == 23);
            CHECK(none.fins_reached() == 1);
            ++permutations;
        } while (std::next_permutation(order.begin(), order.end()));
        CHECK(permutations == 720);
    }
}

namespace {

// 1,000 segments of 1 to 48 octets, then a duplicate of every fifth one and an overlap (a
// random span across segment boundaries) of every fourth, shuffled. The FIN is on the last
// segment and on every copy or overlap that ends there.
std::vector<seg> thousand_segments(std::mt19937& rng, std::uint64_t& stream_length) {
    std::vector<seg> base;
    std::uint64_t at = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto len = static_cast<std::uint32_t>(1 + rng() % 48);
        base.push_back(seg{at, len, false});
        at += len;
    }
    base.back().fin = true;
    stream_length = at;
    std::vector<seg> all = base;
    for (std::size_t i = 0; i < base.size(); i += 5) all.push_back(base[i]);
    for (std::size_t i = 0; i < base.size(); i += 4) {
        const std::uint64_t from = rng() % at;
        const std::uint64_t to = std::min<std::uint64_t>(at, from + 1 + rng() % 120);
        all.push_back(seg{from, static_cast<std::uint32_t>(to - from), to == at});
    }
    std::shuffle(all.begin(), all.end(), rng);
    return all;
}

// The first round sends every segment in its shuffled order; later rounds are a sender's
// retransmissions: the segments not yet wholly delivered that start in the window, shuffled.
// The user reads a random amount after each segment, so the window moves.
template <std::size_t Capacity>
void random_run(std::uint32_t seed, std::uint32_t base, std::uint32_t buffer) {
    std::mt19937 rng(seed);
    std::uint64_t length = 0;
    const std::vector<seg> all = thousand_segments(rng, length);
    reassembly_harness<Capacity> h(base, buffer, length);
    std::size_t steps = 0, dropped = 0, beyond = 0, duplicates = 0, pieces_max = 0;
    int round = 0;
    for (; round < 5000 && !h.fin_done(); ++round) {
        std::vector<seg> sending;
        for (const seg& s : all)
            if (round == 0 || (s.pos + s.len > h.delivered() && s.pos < h.delivered() + h.window())) sending.push_back(s);
        if (round > 0) std::shuffle(sending.begin(), sending.end(), rng);
        for (const seg& s : sending) {
            const char* err = h.segment(s.pos, s.len, s.fin, static_cast<std::uint32_t>(round));
            if (err != nullptr)
                FAIL(err << " (seed " << seed << ", round " << round << ", segment at " << s.pos << " length "
                         << s.len << (s.fin ? " FIN" : "") << ")");
            ++steps;
            dropped += h.last().dropped_for_capacity;
            beyond += h.last().beyond_window;
            duplicates += h.last().duplicate;
            pieces_max = std::max(pieces_max, h.last().piece_count);
            err = h.read(rng() % 64);
            if (err != nullptr) FAIL(err << " (seed " << seed << ", round " << round << ")");
            if (h.fin_done()) break;
        }
    }
    const char* err = h.read(~std::uint64_t{0});
    if (err != nullptr) FAIL(err);
    INFO("seed " << seed << ": " << round << " rounds, " << steps << " segments");
    CHECK(h.fin_done());
    CHECK(h.fins_reached() == 1);
    CHECK(h.read_so_far() == length);
    // The run exercised what it is meant to.
    CHECK(dropped > 0);
    CHECK(beyond > 0);
    CHECK(duplicates > 0);
    CHECK(pieces_max >= 2);
}

}  // namespace

TEST_CASE("reassembly: random permutations of 1,000 segments with duplicates and overlaps", "[reassembly]") {
    SECTION("capacity 8, a 4 KiB ring") { random_run<8>(13, 0xFFFF0000u, 4096); }
    SECTION("capacity 8, the stream across 2^32") { random_run<8>(14, 0xFFFFFF00u, 2048); }
    SECTION("capacity 3") { random_run<3>(15, 12345u, 1024); }
}
