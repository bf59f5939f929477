// The receiver's SACK blocks (RFC 2018 §3-4) and D-SACK (RFC 2883 §4), from the ranges a
// reassembly queue holds. Expected orders and counts come from the RFCs' rules.
#include <tcpfsm/options/sack_blocks.hpp>
#include <tcpfsm/reassembly.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>

namespace opts = tcpfsm::options;
using tcpfsm::seq_block;

namespace {

bool sb_test_same(const seq_block& a, std::uint32_t left, std::uint32_t right) {
    return a.left == left && a.right == right;
}

}  // namespace

TEST_CASE("sack blocks: how many fit the 40 octets of options (RFC 2018 §3)", "[options][sack]") {
    STATIC_REQUIRE(opts::max_sack_blocks == 4);
    STATIC_REQUIRE(opts::sack_blocks_that_fit(std::size_t{0}) == (40 - 2) / 8);   // 4
    STATIC_REQUIRE(opts::sack_blocks_that_fit(std::size_t{12}) == (40 - 12 - 2) / 8);  // 3
    CHECK(opts::sack_blocks_that_fit(false) == 4u);
    CHECK(opts::sack_blocks_that_fit(true) == 3u);
    CHECK(opts::sack_blocks_that_fit(std::size_t{30}) == 1u);  // 30 + 2 + 8 = 40
    CHECK(opts::sack_blocks_that_fit(std::size_t{31}) == 0u);  // 31 + 2 + 8 = 41
    CHECK(opts::sack_blocks_that_fit(std::size_t{40}) == 0u);
    CHECK(opts::sack_blocks_that_fit(std::size_t{1000}) == 0u);
    // n blocks take 2 + 8n octets: 4 blocks 34, 3 blocks beside timestamps 12 + 26 = 38.
    CHECK(2u + 8u * opts::sack_blocks_that_fit(false) <= 40u);
    CHECK(12u + 2u + 8u * opts::sack_blocks_that_fit(true) <= 40u);
    CHECK(12u + 2u + 8u * (opts::sack_blocks_that_fit(true) + 1) > 40u);
}

TEST_CASE("sack blocks: the most recent first, at most the limit (RFC 2018 §4)", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    const std::uint32_t nxt = 1000;
    // Five segments of 100 octets above a hole at 1000, sent in this order.
    for (std::uint32_t s : {1100u, 1300u, 1500u, 1700u, 1900u}) q.on_segment(nxt, 65535, s, 100, false);
    REQUIRE(q.held_count() == 5);

    const auto four = opts::sack_blocks_to_send(q, seq_block{}, opts::sack_blocks_that_fit(false));
    REQUIRE(four.count == 4);
    CHECK_FALSE(four.dsack);
    CHECK(sb_test_same(four.blocks[0], 1900, 2000));  // holds the segment that triggered the ACK
    CHECK(sb_test_same(four.blocks[1], 1700, 1800));
    CHECK(sb_test_same(four.blocks[2], 1500, 1600));
    CHECK(sb_test_same(four.blocks[3], 1300, 1400));

    const auto three = opts::sack_blocks_to_send(q, seq_block{}, opts::sack_blocks_that_fit(true));
    REQUIRE(three.count == 3);
    CHECK(sb_test_same(three.blocks[2], 1500, 1600));

    // A segment joins 1300..1400 and 1500..1600: the merged block comes first, then the
    // others as they were.
    q.on_segment(nxt, 65535, 1400, 100, false);
    const auto after = opts::sack_blocks_to_send(q, seq_block{}, 4);
    REQUIRE(after.count == 4);
    CHECK(sb_test_same(after.blocks[0], 1300, 1600));
    CHECK(sb_test_same(after.blocks[1], 1900, 2000));
    CHECK(sb_test_same(after.blocks[2], 1700, 1800));
    CHECK(sb_test_same(after.blocks[3], 1100, 1200));

    // A limit above 4 is 4; a limit of 0 sends nothing.
    CHECK(opts::sack_blocks_to_send(q, seq_block{}, 10).count == 4);
    CHECK(opts::sack_blocks_to_send(q, seq_block{}, 0).count == 0);
}

TEST_CASE("sack blocks: an in-order segment keeps the earlier order", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    q.on_segment(1000, 65535, 1200, 100, false);
    q.on_segment(1000, 65535, 1400, 100, false);
    const auto r = q.on_segment(1000, 65535, 1000, 100, false);  // advances RCV.NXT to 1100
    CHECK(r.readable == 100);
    const auto l = opts::sack_blocks_to_send(q, r.dsack, 4);
    REQUIRE(l.count == 2);
    CHECK(sb_test_same(l.blocks[0], 1400, 1500));
    CHECK(sb_test_same(l.blocks[1], 1200, 1300));
}

TEST_CASE("sack blocks: D-SACK of a duplicate below RCV.NXT (RFC 2883 §4.1.1)", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    q.on_segment(1000, 65535, 1200, 100, false);
    q.on_segment(1000, 65535, 1400, 100, false);
    const auto r = q.on_segment(1000, 65535, 900, 100, false);  // 900..1000 was delivered before
    REQUIRE(sb_test_same(r.dsack, 900, 1000));
    const auto l = opts::sack_blocks_to_send(q, r.dsack, 4);
    REQUIRE(l.count == 3);
    CHECK(l.dsack);
    CHECK(sb_test_same(l.blocks[0], 900, 1000));  // first: the duplicate
    CHECK(sb_test_same(l.blocks[1], 1400, 1500)); // then the SACK blocks as usual
    CHECK(sb_test_same(l.blocks[2], 1200, 1300));
    // Reported once: the next ACK, without a duplicate, has none.
    const auto next = opts::sack_blocks_to_send(q, seq_block{}, 4);
    CHECK_FALSE(next.dsack);
    CHECK(next.count == 2);
}

TEST_CASE("sack blocks: D-SACK of a duplicate above RCV.NXT, then its block (RFC 2883 §4.1.2)", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    const std::uint32_t nxt = 1000;
    for (std::uint32_t s : {1100u, 1300u, 1500u, 1700u, 1900u}) q.on_segment(nxt, 65535, s, 100, false);

    SECTION("the whole segment was held") {
        const auto r = q.on_segment(nxt, 65535, 1300, 100, false);
        REQUIRE(r.duplicate);
        REQUIRE(sb_test_same(r.dsack, 1300, 1400));
        const auto l = opts::sack_blocks_to_send(q, r.dsack, 4);
        REQUIRE(l.count == 4);
        CHECK(l.dsack);
        CHECK(sb_test_same(l.blocks[0], 1300, 1400));  // the D-SACK block
        CHECK(sb_test_same(l.blocks[1], 1300, 1400));  // the block that contains it
        CHECK(sb_test_same(l.blocks[2], 1900, 2000));  // then the most recent others
        CHECK(sb_test_same(l.blocks[3], 1700, 1800));
        // Beside timestamps: three.
        const auto t = opts::sack_blocks_to_send(q, r.dsack, opts::sack_blocks_that_fit(true));
        REQUIRE(t.count == 3);
        CHECK(sb_test_same(t.blocks[2], 1900, 2000));
    }
    SECTION("part of it was held: the duplicate part, then the larger block it joined") {
        const auto r = q.on_segment(nxt, 65535, 1750, 100, false);  // 1750..1800 held, 1800..1850 new
        REQUIRE(sb_test_same(r.dsack, 1750, 1800));
        const auto l = opts::sack_blocks_to_send(q, r.dsack, 4);
        REQUIRE(l.count == 4);
        CHECK(sb_test_same(l.blocks[0], 1750, 1800));
        CHECK(sb_test_same(l.blocks[1], 1700, 1850));
        CHECK(sb_test_same(l.blocks[2], 1900, 2000));
        CHECK(sb_test_same(l.blocks[3], 1500, 1600));
    }
    SECTION("a limit of one: the D-SACK block alone; of two: and its block") {
        const auto r = q.on_segment(nxt, 65535, 1100, 100, false);
        CHECK(opts::sack_blocks_to_send(q, r.dsack, 1).count == 1);
        const auto two = opts::sack_blocks_to_send(q, r.dsack, 2);
        REQUIRE(two.count == 2);
        CHECK(sb_test_same(two.blocks[1], 1100, 1200));
    }
}

TEST_CASE("sack blocks: from a list, the D-SACK container wherever it is", "[options][sack]") {
    const seq_block held[5] = {{100, 200}, {300, 400}, {500, 600}, {700, 800}, {900, 1000}};
    const auto l = opts::sack_blocks_to_send(held, 5, seq_block{720, 780}, 4);
    REQUIRE(l.count == 4);
    CHECK(sb_test_same(l.blocks[0], 720, 780));
    CHECK(sb_test_same(l.blocks[1], 700, 800));
    CHECK(sb_test_same(l.blocks[2], 100, 200));
    CHECK(sb_test_same(l.blocks[3], 300, 400));
    // A duplicate that lies in no held block (below RCV.NXT): the held ones follow it.
    const auto m = opts::sack_blocks_to_send(held, 5, seq_block{10, 20}, 3);
    REQUIRE(m.count == 3);
    CHECK(sb_test_same(m.blocks[1], 100, 200));
    CHECK(sb_test_same(m.blocks[2], 300, 400));
    // Edges count as inside: a duplicate of the whole block.
    const auto w = opts::sack_blocks_to_send(held, 5, seq_block{900, 1000}, 4);
    CHECK(sb_test_same(w.blocks[1], 900, 1000));
    // Empty held blocks are skipped; null with a count is nothing.
    const seq_block with_empty[3] = {{100, 200}, {300, 300}, {500, 600}};
    const auto e = opts::sack_blocks_to_send(with_empty, 3, seq_block{}, 4);
    REQUIRE(e.count == 2);
    CHECK(sb_test_same(e.blocks[1], 500, 600));
    CHECK(opts::sack_blocks_to_send(nullptr, 3, seq_block{}, 4).empty());
}

TEST_CASE("sack blocks: the D-SACK container deep in a queue of more than four", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    const std::uint32_t nxt = 1000;
    for (std::uint32_t s : {1100u, 1300u, 1500u, 1700u, 1900u, 2100u}) q.on_segment(nxt, 65535, s, 100, false);
    // The oldest block, sixth in recency, is the container: it is sent second.
    const auto l = opts::sack_blocks_to_send(q, seq_block{1120, 1140}, 4);
    REQUIRE(l.count == 4);
    CHECK(sb_test_same(l.blocks[0], 1120, 1140));
    CHECK(sb_test_same(l.blocks[1], 1100, 1200));
    CHECK(sb_test_same(l.blocks[2], 2100, 2200));
    CHECK(sb_test_same(l.blocks[3], 1900, 2000));
}

TEST_CASE("sack blocks: across the 2^32 wrap", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    const std::uint32_t nxt = 0xffffff00u;
    q.on_segment(nxt, 65535, 0xffffff80u, 0x100, false);  // 0xffffff80 .. 0x80
    q.on_segment(nxt, 65535, 0x100u, 0x80, false);        // 0x100 .. 0x180
    const auto r = q.on_segment(nxt, 65535, 0x10u, 0x20, false);  // inside the first
    REQUIRE(sb_test_same(r.dsack, 0x10, 0x30));
    const auto l = opts::sack_blocks_to_send(q, r.dsack, 3);
    REQUIRE(l.count == 3);
    CHECK(sb_test_same(l.blocks[0], 0x10, 0x30));
    CHECK(sb_test_same(l.blocks[1], 0xffffff80u, 0x80));
    CHECK(sb_test_same(l.blocks[2], 0x100, 0x180));
}

TEST_CASE("sack blocks: nothing held, nothing duplicated", "[options][sack]") {
    tcpfsm::reassembly_queue<8> q;
    CHECK(opts::sack_blocks_to_send(q, seq_block{}, 4).empty());
    tcpfsm::reassembly_queue<0> none;
    CHECK(opts::sack_blocks_to_send(none, seq_block{}, 4).empty());
    const auto d = opts::sack_blocks_to_send(none, seq_block{5, 10}, 4);
    CHECK(d.count == 1);
    CHECK(d.dsack);
}

TEST_CASE("sack blocks: SACK-permitted is negotiated on SYNs only (RFC 2018 §2)", "[options][sack]") {
    opts::sack_permitted_negotiation active;
    CHECK(active.offer(opts::open_side::active, true));
    active.on_peer_segment(true, true);
    CHECK(active.enabled());

    opts::sack_permitted_negotiation peer_without;
    peer_without.offer(opts::open_side::active, true);
    peer_without.on_peer_segment(true, false);
    CHECK_FALSE(peer_without.enabled());
    CHECK_FALSE(peer_without.on_peer_segment(false, true));  // on a non-SYN: ignored
    CHECK_FALSE(peer_without.enabled());

    opts::sack_permitted_negotiation passive;
    CHECK_FALSE(passive.offer(opts::open_side::passive, true));  // the SYN has not been seen
    passive.on_peer_segment(true, true);
    CHECK(passive.offer(opts::open_side::passive, true));
    CHECK(passive.enabled());
    passive.reset();
    CHECK_FALSE(passive.enabled());
}

TEST_CASE("sack blocks: on random arrivals the first block holds the triggering segment", "[options][sack]") {
    // RFC 2018 §4 with RFC 2883 §4, checked after every segment of a random sequence: the
    // first block (after a D-SACK block and its container) contains the segment that
    // triggered the ACK, every other block is a distinct held block, and the count is
    // min(limit, held blocks + the D-SACK block).
    std::uint32_t state = 12345u;
    auto next = [&state](std::uint32_t bound) {
        state = state * 1664525u + 1013904223u;  // Numerical Recipes' LCG
        return (state >> 8) % bound;
    };
    for (int run = 0; run < 20; ++run) {
        tcpfsm::reassembly_queue<8> q;
        for (int step = 0; step < 200; ++step) {
            const std::uint32_t seq = 1 + next(6000), len = 1 + next(300);  // never at RCV.NXT = 0
            const auto r = q.on_segment(0, 65535, seq, len, false);
            if (r.dropped_for_capacity) continue;
            const std::size_t limit = 1 + next(4);
            const auto l = opts::sack_blocks_to_send(q, r.dsack, limit);
            INFO("run " << run << " step " << step << " segment " << seq << "+" << len);
            const std::size_t expected = q.held_count() + (r.dsack.empty() ? 0u : 1u);
            CHECK(l.count == (expected < limit ? expected : limit));
            CHECK(l.dsack == !r.dsack.empty());
            std::size_t first = 0;
            if (l.dsack) {
                CHECK(sb_test_same(l.blocks[0], r.dsack.left, r.dsack.right));
                first = 1;
            }
            if (l.count > first) {
                const seq_block b = l.blocks[first];
                CHECK((b.left <= seq && seq + len <= b.right));
            }
            for (std::size_t i = first; i < l.count; ++i) {
                bool held = false;
                for (std::size_t j = 0; j < q.held_count(); ++j)
                    held = held || sb_test_same(q.held(j), l.blocks[i].left, l.blocks[i].right);
                CHECK(held);
                for (std::size_t k = first; k < i; ++k)
                    CHECK_FALSE(sb_test_same(l.blocks[k], l.blocks[i].left, l.blocks[i].right));
            }
        }
    }
}
