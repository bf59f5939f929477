// Proportional Rate Reduction (include/tcpfsm/sack/prr.hpp) against RFC 6937 §3's
// pseudocode, with the sending rates worked out by hand in the test.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/prr.hpp>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace {
namespace sk = tcpfsm::sack;
constexpr std::uint32_t seg = 1000;  // MSS
}  // namespace

TEST_CASE("prr: one loss in a window of 20 segments, ssthresh 10, worked by hand", "[sack][prr]") {
    // RecoverFS = 20 segments, ssthresh = 10 (half, as Reno/CUBIC-Reno would set it), one
    // segment delivered (SACKed) per ACK. At the ACK that begins recovery, three segments are
    // SACKed and one is lost: RFC 6675's pipe is 20 - 3 - 1 = 16 segments. Then every ACK
    // takes one segment out of the pipe and every segment sent puts one in.
    //
    // Worked by hand: while pipe > ssthresh, sndcnt = ceil(k * 10 / 20) - prr_out after the
    // k-th ACK, so one segment on every odd ACK (k = 1: the retransmission) and none on the
    // even ones; pipe falls by one segment every two ACKs: 16 16 15 15 14 14 13 13 12 12 11 11
    // (prr_out = 6 after 12 ACKs). At k = 13 pipe = 10 = ssthresh: the reduction bound,
    // ssthresh - pipe = 0: nothing. From k = 14 on, pipe = 9 before sending: one segment
    // (SSRB: min(10 - 9, max(prr_delivered - prr_out, 1) + 1) = 1), holding pipe at ssthresh.
    // The unit is the segment here, as in the RFC's examples and Linux (the component takes
    // any one unit; in octets a 1000-octet MSS would give 500-octet allowances).
    const std::vector<std::uint32_t> expected_segments = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1};
    const std::vector<std::uint32_t> expected_pipe = {16, 16, 15, 15, 14, 14, 13, 13, 12, 12, 11, 11, 10, 9, 9, 9, 9, 9, 9};
    sk::prr p;
    p.start(10, 20);
    std::uint32_t pipe = 16;
    for (std::size_t k = 0; k < expected_segments.size(); ++k) {
        if (k > 0) pipe -= 1;  // this ACK's delivered segment left the network
        CAPTURE(k + 1);
        REQUIRE(pipe == expected_pipe[k]);
        const std::uint32_t sndcnt = p.on_ack(1, pipe, 1);
        CHECK(sndcnt == expected_segments[k]);
        p.on_sent(sndcnt);
        pipe += sndcnt;
    }
    CHECK(p.prr_delivered() == 19u);
    CHECK(p.prr_out() == 12u);
    CHECK(pipe == 10);  // recovery ends with pipe at ssthresh
}

TEST_CASE("prr: the proportional part rounds up: ceil(prr_delivered * ssthresh / RecoverFS) - prr_out", "[sack][prr]") {
    sk::prr p;
    // ssthresh 7000 of RecoverFS 10000 (CUBIC's beta 0.7): 700 octets per 1000 delivered.
    p.start(7000, 10000);
    CHECK(p.on_ack(1000, 9000, seg) == 700);  // ceil(1000 * 7000 / 10000) = 700
    p.on_sent(700);
    CHECK(p.on_ack(1, 9000, seg) == 1);  // ceil(1001 * 0.7) = ceil(700.7) = 701, minus 700
    p.on_sent(1);
    CHECK(p.on_ack(0, 9000, seg) == 0);  // an ACK that delivers nothing sends nothing
    // A share already overspent (the fast retransmit went out regardless): 0, never negative.
    sk::prr q;
    q.start(10000, 20000);
    q.on_sent(5000);
    CHECK(q.on_ack(1000, 15000, seg) == 0);  // ceil(500) - 5000 < 0
    // RecoverFS 0 (nothing was in flight) does not divide by zero.
    sk::prr z;
    z.start(2000, 0);
    CHECK(z.on_ack(1000, 5000, seg) == 2000u * 1000u);
}

TEST_CASE("prr: heavy losses, PRR-SSRB against PRR-CRB (RFC 6937 §3)", "[sack][prr]") {
    // RecoverFS 20 segments, ssthresh 10, but so much was lost that pipe is 4 segments at
    // the first ACK. Each ACK delivers one segment.
    sk::prr ssrb;
    sk::basic_prr<sk::prr_bound::conservative> crb;
    STATIC_REQUIRE(sk::prr::bound == sk::prr_bound::slow_start);
    ssrb.start(10 * seg, 20 * seg);
    crb.start(10 * seg, 20 * seg);
    std::uint32_t pipe_s = 4 * seg, pipe_c = 4 * seg;
    // ACK 1: CRB: limit = prr_delivered - prr_out = 1, sndcnt = min(10 - 4, 1) = 1.
    //        SSRB: limit = max(1, 1) + 1 = 2, sndcnt = min(6, 2) = 2.
    // ACK 2: CRB: pipe 4 - 1 + 1 = 4, limit = 2 - 1 = 1: 1 (packet conservation).
    //        SSRB: pipe 4 - 1 + 2 = 5, limit = max(2 - 2, 1) + 1 = 2, min(5, 2) = 2 (slow start).
    // ACK 3: CRB: 1. SSRB: pipe 6, limit = max(3 - 4, 1) + 1 = 2, min(4, 2) = 2.
    // ACK 4: CRB: 1. SSRB: pipe 7, min(3, 2) = 2. ACK 5: SSRB pipe 8, min(2, 2) = 2.
    // ACK 6: SSRB pipe 9: min(1, 2) = 1. ACK 7: pipe 9: 1 (held at ssthresh).
    const std::vector<std::uint32_t> ssrb_segments = {2, 2, 2, 2, 2, 1, 1};
    for (std::size_t k = 0; k < ssrb_segments.size(); ++k) {
        CAPTURE(k + 1);
        if (k > 0) {
            pipe_s -= seg;
            pipe_c -= seg;
        }
        const std::uint32_t s = ssrb.on_ack(seg, pipe_s, seg);
        const std::uint32_t c = crb.on_ack(seg, pipe_c, seg);
        CHECK(s == ssrb_segments[k] * seg);
        CHECK(c == 1 * seg);
        ssrb.on_sent(s);
        crb.on_sent(c);
        pipe_s += s;
        pipe_c += c;
    }
    // A stretch ACK delivering 3 segments with pipe far below ssthresh: SSRB allows
    // max(prr_delivered - prr_out, DeliveredData) + MSS = max(10 - 12, 3) + 1 = 4 segments.
    CHECK(ssrb.on_ack(3 * seg, 2 * seg, seg) == 4 * seg);
    // CRB allows prr_delivered - prr_out = 10 - 7 = 3.
    CHECK(crb.on_ack(3 * seg, 2 * seg, seg) == 3 * seg);
}

TEST_CASE("prr: constexpr", "[sack][prr]") {
    constexpr std::uint32_t first = [] {
        sk::prr p;
        p.start(10, 20);
        return p.on_ack(1, 16, 1);
    }();
    STATIC_REQUIRE(first == 1);
}
