// The engine's send path (send_path.hpp through connection.hpp): congestion control (RFC 5681
// §3.1 slow start and congestion avoidance with RFC 3465 byte counting, RFC 6928's initial
// window, a timeout's loss window, the restart after idle of §4.1) and loss recovery (fast
// retransmit and recovery, RFC 5681 §3.2, NewReno's partial ACKs, RFC 6582, limited transmit,
// RFC 3042, go-back-N after a timeout, Karn's rule and the RTO's collapse, RFC 6298 §5).
//
// One engine, A, sends; the test is the network and the receiver: a receiver that holds
// out-of-order segments and answers every segment with a cumulative ACK (RFC 5681 §4.2),
// segments lost by rule, one round trip of 100 ms per round. Every expected value is the
// RFCs' arithmetic written next to the check, on the numbers the test chose (SMSS 1000) or
// on FlightSize as the engine reported it before the ACK.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/hystart_pp.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

#include "empty_policies.hpp"
#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using tcpfsm::recovery_state;
using tcpfsm::user_error;
namespace ctl = tcpfsm::ctl;

namespace {

constexpr std::uint32_t smss = 1000;
constexpr std::uint32_t first = 1000;  // A's first data octet (SND.NXT after the handshake)

// NewReno (RFC 5681 with RFC 3465 L = 2, the default) and the totals.
using newreno_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
                                               tcpfsm::congestion::newreno<>, tcpfsm::counting_statistics>;
using sender = basic_peer<newreno_profile>;

tcpfsm::connection_config smss_config() {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
    c.mss = static_cast<std::uint16_t>(smss);
    c.nagle = false;
    return c;
}

// What A looked like before and after one ACK.
struct ack_record {
    std::uint32_t ack;
    tcpfsm::connection_status before, after;
    std::size_t sent;  // segments A sent in answer
};

// The network and the receiver: segment i is [first + i*SMSS, first + (i+1)*SMSS).
struct path {
    explicit path(sender& s) : a(s) {}
    sender& a;
    const std::uint32_t receiver_seq = 5000;
    std::uint32_t rcv_nxt = first;
    std::map<std::uint32_t, std::uint32_t> held;  // out-of-order segments: seq -> length
    std::map<std::uint32_t, int> transmissions;   // seq -> how often it was sent
    std::function<bool(std::uint32_t seq, int transmission)> lose = [](std::uint32_t, int) { return false; };
    std::function<bool(std::size_t ack_index)> lose_ack = [](std::size_t) { return false; };
    std::vector<ack_record> acks;
    std::size_t ack_index = 0;
    int timeouts = 0;

    static std::uint32_t index(std::uint32_t seq) { return (seq - first) / smss; }

    // The receiver takes one segment; returns the cumulative ACK it sends.
    std::uint32_t arrive(const tcpfsm::segment& s) {
        if (s.text_length > 0 && tcpfsm::seq_ge(s.seq, rcv_nxt)) held[s.seq] = s.text_length;
        for (auto it = held.find(rcv_nxt); it != held.end(); it = held.find(rcv_nxt)) {
            rcv_nxt += it->second;
            held.erase(it);
        }
        return rcv_nxt;
    }

    void feed(std::uint32_t ack) {
        ack_record r{ack, a.conn->snapshot(), {}, 0};
        const std::size_t before = a.sent.size();
        a.receive(make(receiver_seq, ack, ctl::ack, 0, 65535));
        r.after = a.conn->snapshot();
        r.sent = a.sent.size() - before;
        acks.push_back(r);
    }

    // One round trip: what A sent arrives (or is lost) after 50 ms, the ACKs come back after
    // 100 ms, in order, one at a time. With nothing in flight, A's timers run instead.
    void round() {
        std::vector<std::uint32_t> replies;
        while (!a.sent.empty()) {
            const tcpfsm::segment s = a.sent.front().header;
            a.sent.pop_front();
            const int n = ++transmissions[s.seq];
            if (s.text_length == 0 || lose(s.seq, n)) continue;
            replies.push_back(arrive(s));
        }
        if (replies.empty()) {
            const tcpfsm::timer_deadline d = a.conn->next_deadline();
            REQUIRE(d);
            now_ms += static_cast<std::int64_t>(d.remaining_ms(static_cast<std::uint32_t>(now_ms)));
            a.conn->on_timer();
            ++timeouts;
            return;
        }
        now_ms += 100;
        for (std::uint32_t ack : replies) {
            if (lose_ack(ack_index++)) continue;
            feed(ack);
        }
    }

    bool done(std::uint32_t end) const { return a.conn->snapshot().snd_una == end && a.sent.empty(); }
    void run_until_acked(std::uint32_t octets, int max_rounds = 200) {
        for (int i = 0; i < max_rounds && !done(first + octets); ++i) round();
        REQUIRE(done(first + octets));
    }

    // The first ACK after which A was in `s`.
    const ack_record* entering(recovery_state s) const {
        for (const auto& r : acks)
            if (r.before.recovery != s && r.after.recovery == s) return &r;
        return nullptr;
    }
    const ack_record* leaving(recovery_state s) const {
        for (const auto& r : acks)
            if (r.before.recovery == s && r.after.recovery != s) return &r;
        return nullptr;
    }
};

// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS).
std::uint32_t rfc5681_ssthresh(std::uint32_t flight) { return std::max(flight / 2, 2 * smss); }
// RFC 6582 §3.2 step 3 option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS).
std::uint32_t rfc6582_exit(std::uint32_t ssthresh, std::uint32_t flight) {
    return std::min(ssthresh, std::max(flight, smss) + smss);
}

struct established {
    reset_time t;
    tcpfsm::connection_config config = smss_config();
    sender a{{}, config};
    unlimited_peer b{{}, config};
    established() { establish(a, b, first, 5000); }
};

}  // namespace

TEST_CASE("send path: the initial window is 10 segments (RFC 6928), then slow start by RFC 3465",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(100 * smss) == user_error::none);
    // RFC 6928: IW = min(10*SMSS, max(2*SMSS, 14600)) = 10,000 octets for SMSS 1000.
    CHECK(e.a.sent.size() == 10u);
    CHECK(e.a.conn->snapshot().cwnd == 10 * smss);
    CHECK(e.a.conn->snapshot().ssthresh == 0xFFFFFFFFu);  // "arbitrarily high" (RFC 5681 §3.1)
    path p(e.a);
    p.round();
    // Ten ACKs of one SMSS each, cwnd-limited: cwnd += min(N, L*SMSS) = 1000 each (L = 2), and
    // each ACK releases two segments (the one acknowledged, and the growth).
    REQUIRE(p.acks.size() == 10u);
    for (std::size_t i = 0; i < p.acks.size(); ++i) {
        INFO("ACK " << i);
        CHECK(p.acks[i].after.cwnd == 10 * smss + (i + 1) * smss);
        CHECK(p.acks[i].sent == 2u);
        CHECK(p.acks[i].after.unacked == p.acks[i].after.cwnd);
    }
}

TEST_CASE("send path: a cumulative ACK of a whole window grows cwnd by at most 2*SMSS (RFC 3465 L = 2)",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(100 * smss) == user_error::none);
    path p(e.a);
    // ACK loss: only the last of the ten ACKs arrives. Nothing is resent (a cumulative ACK
    // covers the lost ones); slow start grows by min(10*SMSS, 2*SMSS).
    p.lose_ack = [](std::size_t i) { return i < 9; };
    p.round();
    REQUIRE(p.acks.size() == 1u);
    CHECK(p.acks[0].after.cwnd == 12 * smss);
    CHECK(e.a.conn->statistics().retransmitted_segments == 0u);
}

TEST_CASE("send path: one loss in a window: one fast retransmission, no timeout (RFC 5681 §3.2)",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(60 * smss) == user_error::none);
    path p(e.a);
    p.lose = [](std::uint32_t seq, int n) { return seq == first + 2 * smss && n == 1; };
    p.run_until_acked(60 * smss);
    CHECK(p.timeouts == 0);
    CHECK(e.a.conn->statistics().retransmitted_segments == 1u);
    CHECK(p.transmissions[first + 2 * smss] == 2);
    // Limited transmit (RFC 3042): the first and second duplicate ACKs each sent one new
    // segment, with cwnd unchanged.
    std::size_t dups = 0;
    for (const auto& r : p.acks) {
        if (r.ack != r.before.snd_una || r.before.recovery == recovery_state::recovery) continue;
        ++dups;
        if (dups <= 2) {
            INFO("duplicate " << dups << " ACK " << r.ack << " una " << r.before.snd_una << " nxt " << r.before.snd_nxt
                              << " cwnd " << r.before.cwnd << " recovery " << tcpfsm::name(r.before.recovery));
            CHECK(r.sent == 1u);
            CHECK(r.after.cwnd == r.before.cwnd);
        }
    }
    // The third duplicate: ssthresh by (4) on FlightSize, cwnd = ssthresh + 3*SMSS.
    const ack_record* entry = p.entering(recovery_state::recovery);
    REQUIRE(entry != nullptr);
    CHECK(entry->after.ssthresh == rfc5681_ssthresh(entry->before.unacked));
    CHECK(entry->after.cwnd == entry->after.ssthresh + 3 * smss);
    // Each further duplicate inflates by SMSS (§3.2 step 4).
    const auto at = static_cast<std::size_t>(entry - p.acks.data());
    REQUIRE(at + 1 < p.acks.size());
    if (p.acks[at + 1].after.recovery == recovery_state::recovery) {
        CHECK(p.acks[at + 1].after.cwnd == entry->after.cwnd + smss);
    }
    // The full ACK: RFC 6582's exit window.
    const ack_record* exit = p.leaving(recovery_state::recovery);
    REQUIRE(exit != nullptr);
    CHECK(exit->after.recovery == recovery_state::open);
    CHECK(exit->after.cwnd == rfc6582_exit(entry->after.ssthresh, exit->before.snd_nxt - exit->ack));
    CHECK(e.a.conn->snapshot().backoff == 0u);
}

TEST_CASE("send path: two and three losses in a window: NewReno partial ACKs, one reduction (RFC 6582)",
          "[send_path]") {
    for (int losses : {2, 3}) {
        INFO(losses << " losses");
        established e;
        REQUIRE(e.a.conn->send(60 * smss) == user_error::none);
        path p(e.a);
        // Segments 1, 4 (and 7) of the first window, once each.
        p.lose = [losses](std::uint32_t seq, int n) {
            const std::uint32_t i = path::index(seq);
            return n == 1 && (i == 1 || i == 4 || (losses == 3 && i == 7));
        };
        p.run_until_acked(60 * smss);
        CHECK(p.timeouts == 0);
        CHECK(e.a.conn->statistics().retransmitted_segments == static_cast<std::uint64_t>(losses));
        const ack_record* entry = p.entering(recovery_state::recovery);
        REQUIRE(entry != nullptr);
        const std::uint32_t ssthresh = rfc5681_ssthresh(entry->before.unacked);
        // Partial ACKs: the next hole goes at once, and ssthresh stays the one reduction's.
        std::size_t partial = 0;
        for (const auto& r : p.acks) {
            if (r.before.recovery == recovery_state::recovery && r.after.recovery == recovery_state::recovery &&
                tcpfsm::seq_gt(r.ack, r.before.snd_una)) {
                ++partial;
                CHECK(r.after.ssthresh == ssthresh);
                // Deflate by the octets acknowledged, add back SMSS (>= SMSS acknowledged).
                CHECK(r.after.cwnd == r.before.cwnd - (r.ack - r.before.snd_una) + smss);
            }
        }
        CHECK(partial == static_cast<std::size_t>(losses - 1));
        const ack_record* exit = p.leaving(recovery_state::recovery);
        REQUIRE(exit != nullptr);
        CHECK(exit->after.cwnd == rfc6582_exit(ssthresh, exit->before.snd_nxt - exit->ack));
    }
}

TEST_CASE("send path: reordering by one or two segments retransmits nothing (DupThresh 3)", "[send_path]") {
    for (std::uint32_t by : {1u, 2u}) {
        INFO("reordered by " << by);
        established e;
        REQUIRE(e.a.conn->send(30 * smss) == user_error::none);
        path p(e.a);
        // Segment 0 arrives after segments 1 .. by: hold it back, deliver it after them.
        REQUIRE(e.a.sent.size() == 10u);
        std::deque<tcpfsm::outgoing_segment> reordered = e.a.sent;
        const tcpfsm::outgoing_segment late = reordered.front();
        reordered.pop_front();
        reordered.insert(reordered.begin() + by, late);
        e.a.sent = reordered;
        p.run_until_acked(30 * smss);
        CHECK(e.a.conn->statistics().retransmitted_segments == 0u);
        CHECK(p.entering(recovery_state::recovery) == nullptr);
        CHECK(p.timeouts == 0);
    }
}

TEST_CASE("send path: a lost retransmission ends in a timeout, then go-back-N paced by slow start",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(30 * smss) == user_error::none);
    path p(e.a);
    // Segment 2 is lost, and so is its fast retransmission.
    p.lose = [](std::uint32_t seq, int n) { return seq == first + 2 * smss && n <= 2; };
    p.run_until_acked(30 * smss);
    CHECK(p.timeouts == 1);
    CHECK(p.transmissions[first + 2 * smss] == 3);
    // The timeout (RFC 5681 §3.1): cwnd = LW = 1 SMSS; ssthresh by (4) on FlightSize, the
    // timeout ended fast recovery, so it is not a repeated timeout.
    const ack_record* after_timeout = p.leaving(recovery_state::loss);
    REQUIRE(after_timeout != nullptr);
    // The first ACK after the timeout is of the retransmission: slow start from LW, cwnd
    // = 1 SMSS + min(N, 2*SMSS).
    bool seen_first = false;
    for (const auto& r : p.acks) {
        if (r.before.recovery == recovery_state::loss && !seen_first) {
            seen_first = true;
            CHECK(r.before.cwnd == smss);
            CHECK(r.after.cwnd == smss + std::min(r.ack - r.before.snd_una, 2 * smss));
        }
    }
    CHECK(seen_first);
}

TEST_CASE("send path: a lost window: one timeout, go-back-N 2 per ACK, and the RTO comes back down",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(10 * smss) == user_error::none);
    path p(e.a);
    // The whole first window is lost, once.
    p.lose = [](std::uint32_t seq, int n) { return n == 1 && path::index(seq) < 10; };
    p.round();  // nothing arrives: A's retransmission timer fires (RTO 1 s)
    CHECK(p.timeouts == 1);
    auto s = e.a.conn->snapshot();
    CHECK(s.recovery == recovery_state::loss);
    CHECK(s.cwnd == smss);                                 // LW (RFC 5681 §3.1)
    CHECK(s.ssthresh == rfc5681_ssthresh(10 * smss));      // 5000
    CHECK(s.backoff == 1u);                                // RFC 6298 (5.5)
    CHECK(e.a.sent.size() == 1u);                          // one segment at SND.UNA
    CHECK(e.a.sent.front().header.seq == first);
    p.round();
    // Go-back-N under slow start: each ACK of one segment lets two go (RFC 5681 §3.1, not one
    // per round trip), until cwnd reaches ssthresh = 5000.
    REQUIRE(p.acks.size() == 1u);
    CHECK(p.acks[0].after.cwnd == 2 * smss);
    CHECK(p.acks[0].sent == 2u);
    p.round();
    REQUIRE(p.acks.size() == 3u);
    CHECK(p.acks[1].after.cwnd == 3 * smss);
    CHECK(p.acks[1].sent == 2u);
    CHECK(p.acks[2].after.cwnd == 4 * smss);
    CHECK(p.acks[2].sent == 2u);
    // Karn (RFC 6298 §3): ACKs of retransmitted data give no sample; the backoff stays.
    CHECK(e.a.conn->snapshot().backoff == 1u);
    p.run_until_acked(10 * smss);
    CHECK(e.a.conn->snapshot().recovery == recovery_state::open);
    CHECK(e.a.conn->statistics().retransmitted_segments == 10u);  // each segment once more
    CHECK(e.a.conn->snapshot().backoff == 1u);
    // New data, never retransmitted: its ACK is a valid sample and collapses the RTO (RFC
    // 6298 §5, the note after (5.7)): backoff 0, RTO from SRTT and RTTVAR (1 s minimum).
    REQUIRE(e.a.conn->send(smss) == user_error::none);
    p.round();
    CHECK(e.a.conn->snapshot().backoff == 0u);
    CHECK(e.a.conn->snapshot().rto_ms == 1000u);
}

TEST_CASE("send path: after an idle period longer than the RTO, cwnd restarts at min(IW, cwnd) (RFC 5681 §4.1)",
          "[send_path]") {
    established e;
    REQUIRE(e.a.conn->send(40 * smss) == user_error::none);
    path p(e.a);
    p.run_until_acked(40 * smss);
    const std::uint32_t grown = e.a.conn->snapshot().cwnd;
    REQUIRE(grown > 10 * smss);
    // Idle for 2 s > RTO (1 s): RW = min(IW, cwnd) = 10 segments go, not `grown` worth.
    now_ms += 2000;
    e.a.conn->on_timer();
    REQUIRE(e.a.conn->send(40 * smss) == user_error::none);
    CHECK(e.a.conn->snapshot().cwnd == 10 * smss);
    CHECK(e.a.sent.size() == 10u);
}

TEST_CASE("send path: a retransmitted SYN makes the initial window one segment (RFC 5681 §3.1)",
          "[send_path]") {
    reset_time t;
    const tcpfsm::connection_config config = smss_config();
    sender a({first - 1}, config);
    unlimited_peer b({4999}, config);
    b.conn->open_passive();
    a.conn->open_active();
    a.sent.clear();  // the SYN is lost
    a.run_to(1000);  // retransmitted after 1 s
    b.receive(a.take("<SEQ=999><CTL=SYN>"));
    a.receive(b.take("<SEQ=4999><ACK=1000><CTL=SYN,ACK>"));
    b.receive(a.take("<SEQ=1000><ACK=5000><CTL=ACK>"));
    REQUIRE(a.conn->send(10 * smss) == user_error::none);
    CHECK(a.conn->snapshot().cwnd == smss);
    CHECK(a.sent.size() == 1u);
}

TEST_CASE("send path: congestion::unlimited caps nothing", "[send_path]") {
    reset_time t;
    const tcpfsm::connection_config config = smss_config();
    unlimited_peer a({}, config), b({}, config);
    establish(a, b, first, 5000);
    REQUIRE(a.conn->send(60 * smss) == user_error::none);
    CHECK(a.sent.size() == 60u);  // the peer's window (65535) alone
}

// RFC 6582 §3.2 step 3 option (2) with a burst limit of 4 segments per ACK.
constexpr tcpfsm::loss_recovery_config send_path_exit_burst_4{
    3, tcpfsm::recovery_exit_window::ssthresh, tcpfsm::partial_ack_timer::every_partial_ack, true, true, 4};

TEST_CASE("send path: option (2)'s exit window is released 4 segments per ACK (RFC 6582 §3.2 step 3)", "[send_path]") {
    tcpfsm::send_path<tcpfsm::congestion::newreno<>, send_path_exit_burst_4> p;
    constexpr std::uint32_t segments = 44, una = 1000, nxt = una + segments * smss;
    p.start(smss, segments * smss, false, 0, 0);
    CHECK(p.room(una, nxt, smss) == 0);  // the whole window is out
    // Three duplicates (the peer's window full: no new data), fast retransmit.
    tcpfsm::recovery_response r{};
    for (int i = 0; i < 3; ++i) {
        r = p.before_ack(tcpfsm::send_path_ack{una, una, nxt, smss, true, false}, 0);
        p.after_ack(r, tcpfsm::congestion::ack_sample{0, una, nxt, nxt - una, 0, 0, smss, true, 0});
    }
    REQUIRE(r.fast_retransmit);
    // The full ACK: cwnd = ssthresh = FlightSize / 2 (RFC 5681 (4)) = 22 segments; nothing in
    // flight, but one ACK releases 4 of them.
    r = p.before_ack(tcpfsm::send_path_ack{nxt, una, nxt, smss, false, true}, 1000);
    REQUIRE(r.recovery_ended);
    p.after_ack(r, tcpfsm::congestion::ack_sample{nxt - una, nxt, nxt, nxt - una, 0, 0, smss, true, 1000});
    CHECK(p.cwnd() == segments * smss / 2);
    CHECK(p.room(nxt, nxt, smss) == 4 * smss);
    CHECK(p.room(nxt, nxt + 4 * smss, smss) == 0);
    // The next ACK (two segments) releases 4 more: FlightSize 2 + 4 = 6 of 22.
    r = p.before_ack(tcpfsm::send_path_ack{nxt + 2 * smss, nxt, nxt + 4 * smss, smss, false, true}, 2000);
    p.after_ack(r, tcpfsm::congestion::ack_sample{2 * smss, nxt + 2 * smss, nxt + 4 * smss, 4 * smss, 0, 0, smss,
                                                  true, 2000});
    CHECK(p.room(nxt + 2 * smss, nxt + 4 * smss, smss) == 4 * smss);
}

TEST_CASE("send path: the TCB with each congestion policy", "[send_path][connection]") {
    namespace cc = tcpfsm::congestion;
    using compact_with_pointer = tcpfsm_test::empty_tcb_with<tcpfsm_test::compact_congestion>;
    WARN("sizeof(connection<empty policies>): compact (newreno<abc_slow_start<>, newreno_smallest_options>, "
         "with_static_config) "
         << sizeof(tcpfsm_test::empty_tcb) << ", the same with a configuration pointer " << sizeof(compact_with_pointer)
         << ", newreno<> " << sizeof(tcpfsm_test::empty_tcb_with<cc::newreno<>>) << ", newreno<hystart_pp<>> "
         << sizeof(tcpfsm_test::empty_tcb_with<cc::newreno<cc::hystart_pp<>>>) << ", cubic<abc_slow_start<>> "
         << sizeof(tcpfsm_test::empty_tcb_with<cc::cubic<cc::abc_slow_start<>>>) << ", cubic<> (the default) "
         << sizeof(tcpfsm_test::empty_tcb_with<cc::cubic<>>) << ", unlimited "
         << sizeof(tcpfsm_test::empty_tcb_with<cc::unlimited>));
    // HyStart++'s RTT probes (send_path.hpp): N_RTT_SAMPLE = 8 timed segments, the oldest in 8
    // octets, the 7 others in 4: 36.
    STATIC_REQUIRE(cc::rtt_probes_v<cc::cubic<>> == 8);
    STATIC_REQUIRE(cc::rtt_probes_v<cc::newreno<cc::hystart_pp<>>> == 8);
    STATIC_REQUIRE(cc::rtt_probes_v<cc::newreno<>> == 0);
    CHECK(sizeof(tcpfsm::detail::rtt_probes<8>) == 8u + 7u * 4u);
    // The policy and its probes are the whole difference from congestion::unlimited (the
    // layout adds no padding of its own beyond the configuration pointer's alignment of 8).
    const auto bound = [](std::size_t policy_and_probes) {
        return (sizeof(tcpfsm_test::empty_tcb_with<cc::unlimited>) + policy_and_probes + 7) / 8 * 8;
    };
    // A policy that can undo (on_spurious_undo) brings the detector of spurious
    // retransmissions (spurious_retransmission.hpp, 20 octets) where timestamps or SACK are in.
    STATIC_REQUIRE(sizeof(tcpfsm::spurious_retransmission_detector) == 20u);
    constexpr std::size_t undo = sizeof(tcpfsm::spurious_retransmission_detector);
    CHECK(sizeof(tcpfsm_test::empty_tcb_with<cc::cubic<>>) <=
          bound(sizeof(cc::cubic<>) + sizeof(tcpfsm::detail::rtt_probes<8>) + undo));
    CHECK(sizeof(tcpfsm_test::empty_tcb_with<cc::newreno<>>) <= bound(sizeof(cc::newreno<>) + undo));
    CHECK(sizeof(compact_with_pointer) <= bound(sizeof(tcpfsm_test::compact_congestion)));
    // with_static_config: the pointer (8) is the whole difference, up to the alignment it
    // brings (4 without it).
    STATIC_REQUIRE(alignof(tcpfsm_test::empty_tcb) == 4);
    CHECK(sizeof(tcpfsm_test::empty_tcb) + 8 <= sizeof(compact_with_pointer) + 4);
}

// Issue 13 item 9: the default profile (CUBIC with HyStart++, empty policies) at most 256
// octets, a compact profile (reassembly capacity 0, the smallest congestion state: NewReno
// without undo or copies of SMSS and IW; the configuration fixed at compile time) at most 128.
// Issue 14 item 4: the budgets hold without its options (timestamps: with_timestamps<...,
// false>; SACK: with_sack<..., false>); the default profile with them is reported
// (docs/engine.md, "TCB size").
TEST_CASE("send path: issue 13's TCB budgets", "[send_path][connection]") {
    using default_without_options = tcpfsm::with_sack<tcpfsm::with_timestamps<tcpfsm::default_profile, false>, false>;
    using default_without_sack = tcpfsm::with_sack<tcpfsm::default_profile, false>;
    using default_tcb = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, tcpfsm::null_observer,
                                           tcpfsm_test::empty_iss>;
    using without_sack_tcb = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, tcpfsm::null_observer,
                                                tcpfsm_test::empty_iss, default_without_sack>;
    REQUIRE(sizeof(tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, tcpfsm::null_observer,
                                      tcpfsm_test::empty_iss, default_without_options>) <= 256);
    REQUIRE(sizeof(tcpfsm_test::empty_tcb) <= 128);
    // Timestamps cost at most their 24 octets (5 x 4 + 2 + 1, padded to 4), the undo
    // detector's 20 they bring (spurious_retransmission.hpp: nothing to detect with neither
    // timestamps nor SACK) and the alignment to 8 they may need.
    REQUIRE(sizeof(tcpfsm::timestamping) == 24u);
    REQUIRE(sizeof(without_sack_tcb) <=
            sizeof(tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, tcpfsm::null_observer,
                                      tcpfsm_test::empty_iss, default_without_options>) +
                ((24u + sizeof(tcpfsm::spurious_retransmission_detector) + 7u) & ~std::size_t{7}));
    // SACK (selective_acknowledgment.hpp, 128 octets, no padding to share): exactly its size more.
    CHECK(sizeof(default_tcb) == sizeof(without_sack_tcb) + sizeof(tcpfsm::selective_acknowledgment<>));
    WARN("sizeof(connection<empty policies>), default profile with timestamps and SACK: "
         << sizeof(default_tcb) << " (without SACK: " << sizeof(without_sack_tcb) << ")");
}

// The budget the engine does not meet yet (docs/engine.md, "TCB size", says what the octets
// are and what would free them): the default profile with an Observer that places text
// (reassembly capacity 8) at most 256. Reported, not asserted.
TEST_CASE("send path: issue 13's TCB budget with a placing Observer (reported)", "[send_path][connection]") {
    using placing_default = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock,
                                               tcpfsm_test::empty_placing_observer, tcpfsm_test::empty_iss>;
    if (sizeof(placing_default) > 256) {
        WARN("issue 13 TCB budget not met: the default profile with a placing Observer " << sizeof(placing_default)
                                                                                         << " (budget 256)");
    }
    SUCCEED();
}

namespace {

// NewReno that asks the engine for per-ACK RTT samples (congestion::rtt_probes_v, as
// hystart_pp does) and records the ack_sample::rtt_us of every ACK it sees.
std::vector<std::uint32_t> policy_rtt_samples_us;
template <std::uint32_t Probes>
struct sample_recording_newreno : tcpfsm::congestion::newreno<> {
    static constexpr std::uint32_t rtt_probes = Probes;
    void on_ack(const tcpfsm::congestion::ack_sample& a) noexcept {
        policy_rtt_samples_us.push_back(a.rtt_us);
        tcpfsm::congestion::newreno<>::on_ack(a);
    }
};
template <std::uint32_t Probes>
using sampling_sender = basic_peer<tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
                                                          sample_recording_newreno<Probes>>>;

// A sends 100 segments; every segment is acknowledged on its own, one ms after the one
// before, 100 ms after the first of its flight was sent. Returns, per round, the ACKs'
// samples (µs) and for each ACK the send times (ms) of the segments it newly covers.
struct sampled_ack {
    std::uint32_t rtt_us;
    std::vector<std::int64_t> covered_sent_ms;
    std::int64_t at_ms;
};
template <std::uint32_t Probes>
std::vector<std::vector<sampled_ack>> run_sampled_rounds(int rounds) {
    reset_time t;
    const tcpfsm::connection_config config = smss_config();
    sampling_sender<Probes> a({}, config);
    unlimited_peer b({}, config);
    establish(a, b, first, 5000);
    policy_rtt_samples_us.clear();
    std::map<std::uint32_t, std::int64_t> sent_at;  // segment start -> send time
    REQUIRE(a.conn->send(400 * smss) == user_error::none);
    for (const auto& o : a.sent) sent_at[o.header.seq] = now_ms;  // the initial window
    std::vector<std::vector<sampled_ack>> out;
    std::uint32_t acked = first;
    for (int r = 0; r < rounds; ++r) {
        std::vector<tcpfsm::segment> flight;
        for (; !a.sent.empty(); a.sent.pop_front()) {
            const tcpfsm::segment s = a.sent.front().header;
            if (s.text_length == 0) continue;
            flight.push_back(s);
        }
        const std::int64_t start = now_ms;
        std::vector<sampled_ack> round;
        for (std::size_t i = 0; i < flight.size(); ++i) {
            now_ms = start + 100 + static_cast<std::int64_t>(i);
            const std::uint32_t ack = flight[i].seq + flight[i].text_length;
            sampled_ack s{0, {}, now_ms};
            for (auto it = sent_at.lower_bound(acked); it != sent_at.end() && tcpfsm::seq_lt(it->first, ack); ++it)
                s.covered_sent_ms.push_back(it->second);
            const std::size_t before = policy_rtt_samples_us.size();
            a.receive(make(5000, ack, ctl::ack, 0, 65535));
            REQUIRE(policy_rtt_samples_us.size() == before + 1);
            s.rtt_us = policy_rtt_samples_us.back();
            acked = ack;
            round.push_back(s);
            // What the ACK released left now.
            for (const auto& o : a.sent)
                if (o.header.text_length > 0 && sent_at.count(o.header.seq) == 0) sent_at[o.header.seq] = now_ms;
        }
        out.push_back(round);
    }
    return out;
}

}  // namespace

TEST_CASE("send path: a policy that asks for RTT probes gets an RTT sample on most ACKs (RFC 9406 §4.2)",
          "[send_path][hystart]") {
    const auto rounds = run_sampled_rounds<8>(3);
    REQUIRE(rounds.size() == 3u);
    // Round 0: the initial window (10 segments at time 0); segments 0, 2, 4, 6, 8 are timed
    // (a segment right after a timed one is not), ACK i arrives at 100 + i ms: the even ACKs
    // carry 100 + i ms, the odd ones none (Karn's sampler timed segment 0 too, and restarted
    // on the segment sent at 100 ms, acknowledged a round later).
    REQUIRE(rounds[0].size() == 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        INFO("ACK " << i);
        CHECK(rounds[0][i].rtt_us == (i % 2 == 0 ? (100u + i) * 1000u : 0u));
    }
    // Later rounds: every sample is the RTT of a segment that ACK newly acknowledges, and a
    // round of 20 or more ACKs carries at least N_RTT_SAMPLE = 8 samples.
    for (std::size_t r = 1; r < rounds.size(); ++r) {
        std::size_t samples = 0;
        for (const auto& s : rounds[r]) {
            if (s.rtt_us == 0) continue;
            ++samples;
            bool matches = false;
            for (std::int64_t sent : s.covered_sent_ms)
                matches = matches || static_cast<std::uint32_t>(s.at_ms - sent) * 1000u == s.rtt_us;
            INFO("round " << r << " ACK at " << s.at_ms << " sample " << s.rtt_us);
            CHECK(matches);
        }
        INFO("round " << r << ": " << rounds[r].size() << " ACKs");
        CHECK(rounds[r].size() >= 20u);
        CHECK(samples >= 8u);
    }
}

TEST_CASE("send path: without RTT probes the policy gets Karn's one sample per round trip", "[send_path]") {
    const auto rounds = run_sampled_rounds<0>(3);
    for (std::size_t r = 0; r < rounds.size(); ++r) {
        std::size_t samples = 0;
        for (const auto& s : rounds[r]) samples += s.rtt_us != 0 ? 1u : 0u;
        INFO("round " << r);
        CHECK(samples == 1u);
    }
    // Round 0's one sample: segment 0, sent at 0, acknowledged at 100 ms.
    CHECK(rounds[0][0].rtt_us == 100000u);
}

TEST_CASE("send path: the RTT probes: the newest covered probe gives the sample, a retransmission forgets them",
          "[send_path][hystart]") {
    tcpfsm::detail::rtt_probes<3> p;
    p.on_sent(0, 1000, 10);     // timed
    p.on_sent(1000, 2000, 11);  // follows a timed segment: not timed
    p.on_sent(2000, 3000, 12);  // timed
    p.on_sent(3000, 4000, 13);  // not timed
    p.on_sent(4000, 5000, 14);  // timed (three: the ring is full)
    p.on_sent(6000, 7000, 15);  // full: not timed
    CHECK(p.count() == 3u);
    CHECK(p.on_ack(999, 50) == tcpfsm::detail::rtt_probes<3>::none);  // covers no whole probe
    CHECK(p.on_ack(3000, 60) == 60u - 12u);                           // the newest of two: [2000, 3000)
    CHECK(p.count() == 1u);
    p.on_sent(7000, 8000, 61);  // timed again
    p.clear();  // send_path::on_resent
    CHECK(p.count() == 0u);
    CHECK(p.on_ack(8000, 70) == tcpfsm::detail::rtt_probes<3>::none);
    // Sequence numbers wrap (RFC 9293 §3.4).
    p.on_sent(0xFFFFFF00u, 0x100u, 80);
    CHECK(p.on_ack(0x100u, 95) == 15u);
    // The later probes are 16-bit offsets from the oldest: a segment ending 65,536 octets or
    // more past the oldest's end, or sent 65,536 ms or more after it, is not timed.
    p.on_sent(0, 1000, 100);
    p.on_sent(1000 + 65536 - 1000, 1000 + 65536, 101);  // ends 65,536 past 1000
    p.on_sent(2000, 3000, 100 + 65536);                 // 65,536 ms later
    CHECK(p.count() == 1u);
    p.on_sent(2000, 1000 + 65535, 100 + 65535);  // the largest offsets that fit
    CHECK(p.count() == 2u);
    CHECK(p.on_ack(1000, 100 + 65540) == 65540u);  // the oldest
    CHECK(p.on_ack(1000 + 65535, 100 + 65540) == 5u);
    CHECK(p.count() == 0u);
}

namespace {

// NewReno with HyStart++ (its rtt_probes: 8), or with Probes = 0 Karn's one sample per RTT;
// remembers whether HyStart++ ever entered CSS.
bool css_entered = false;
template <std::uint32_t Probes>
struct css_watching_newreno : tcpfsm::congestion::newreno<tcpfsm::congestion::hystart_pp<>> {
    static constexpr std::uint32_t rtt_probes = Probes;
    void on_ack(const tcpfsm::congestion::ack_sample& a) noexcept {
        tcpfsm::congestion::newreno<tcpfsm::congestion::hystart_pp<>>::on_ack(a);
        css_entered = css_entered || slow_start().conservative();
    }
};

// Every segment of flight r is acknowledged on its own, D(r) ms after it was sent: every RTT
// sample of flight r is D(r). Returns the flight during which CSS began (-1: never).
template <std::uint32_t Probes>
int css_flight(const std::vector<std::int64_t>& rtt_ms_per_flight) {
    reset_time t;
    const tcpfsm::connection_config config = smss_config();
    basic_peer<tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, css_watching_newreno<Probes>>> a(
        {}, config);
    unlimited_peer b({}, config);
    establish(a, b, first, 5000);
    css_entered = false;
    REQUIRE(a.conn->send(400 * smss) == user_error::none);
    std::map<std::uint32_t, std::int64_t> sent_at;
    for (const auto& o : a.sent) sent_at.emplace(o.header.seq, now_ms);
    for (std::size_t r = 0; r < rtt_ms_per_flight.size(); ++r) {
        std::vector<tcpfsm::segment> flight;
        for (; !a.sent.empty(); a.sent.pop_front())
            if (a.sent.front().header.text_length > 0) flight.push_back(a.sent.front().header);
        REQUIRE(flight.size() >= 10u);
        for (const tcpfsm::segment& s : flight) {
            now_ms = sent_at.at(s.seq) + rtt_ms_per_flight[r];
            a.receive(make(5000, s.seq + s.text_length, ctl::ack, 0, 65535));
            for (const auto& o : a.sent) sent_at.emplace(o.header.seq, now_ms);
        }
        if (css_entered) return static_cast<int>(r);
    }
    return -1;
}

}  // namespace

TEST_CASE("send path: HyStart++ leaves slow start for CSS on an RTT rise, with samples on every ACK (RFC 9406 §4.2)",
          "[send_path][hystart]") {
    // RTT 100 ms for three flights, then 120 ms: RttThresh = max(4, min(100 / 8, 16)) = 12.5
    // ms, and 120 >= 100 + 12.5. Flight 3 (the first at 120 ms) has at least 16 segments, so
    // with the probes it brings N_RTT_SAMPLE = 8 samples and CSS begins in it.
    const std::vector<std::int64_t> rtts{100, 100, 100, 120, 120, 120};
    CHECK(css_flight<8>(rtts) == 3);
    // Karn's one sample per RTT never makes a round of 8 samples: never CSS.
    CHECK(css_flight<0>(rtts) == -1);
    // No rise, no CSS.
    CHECK(css_flight<8>({100, 100, 100, 100, 100, 100}) == -1);
}
