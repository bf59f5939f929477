// The tracker's states against RFC 9293's figures: the three-way handshake (Figure 6),
// simultaneous open (Figure 7), the normal and simultaneous close (Figures 12 and 13),
// resets (§3.5.2), a connection picked up mid-stream, one direction only, TIME-WAIT's 2MSL
// by capture time, capacity and idle eviction.
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace tracker_test;

TEST_CASE("tracker_key: both directions of a connection give one tuple", "[tracker]") {
    const auto ab = tcpfsm::tracker_key::of(tuple_of(1, 40000, 2, 80));
    const auto ba = tcpfsm::tracker_key::of(tuple_of(2, 80, 1, 40000));
    CHECK(ab.tuple == ba.tuple);
    CHECK(ab.sender == tcpfsm::tracker_side::a);
    CHECK(ba.sender == tcpfsm::tracker_side::b);
    // The same host, ports decide: 10.0.0.1:80 sorts before 10.0.0.1:90.
    CHECK(tcpfsm::tracker_key::of(tuple_of(1, 90, 1, 80)).sender == tcpfsm::tracker_side::b);
}

TEST_CASE("tracker_table: the standard rows plus the pickup row", "[tracker]") {
    CHECK(tcpfsm::tracker_row_count == tcpfsm::standard_row_count + 1);
    CHECK(tcpfsm::tracker_machine::next(state::closed, tcpfsm::event::rcv_ack) == state::established);
    CHECK(tcpfsm::next(state::closed, tcpfsm::event::rcv_ack) == state::closed);
    // Everything else is the standard table's: Figure 5's crossing-FIN edge among them.
    CHECK(tcpfsm::tracker_machine::next(state::fin_wait_1, tcpfsm::event::rcv_fin) == state::closing);
}

TEST_CASE("three-way handshake: Figure 6, states after each segment", "[tracker]") {
    tap t;
    auto o = t.from_a(seg_of(100, 0, ctl::syn));  // line 2: <SEQ=100><CTL=SYN>
    CHECK(o.new_connection);
    CHECK(t.a() == state::syn_sent);
    CHECK(t.b() == state::syn_received);  // B, taken to be listening, received it (deduced)
    CHECK(t.conn().endpoints[1].deduced);
    CHECK_FALSE(t.conn().endpoints[0].deduced);
    o = t.from_b(seg_of(300, 101, syn_ack));  // line 3: <SEQ=300><ACK=101><CTL=SYN,ACK>
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::syn_received);
    CHECK_FALSE(t.conn().endpoints[1].deduced);  // B's SYN,ACK acknowledges A's SYN
    o = t.from_a(seg_of(101, 301, ack_flag));  // line 4
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::established);
    CHECK(o.before[1] == state::syn_received);
    CHECK(o.after[1] == state::established);
    const auto& c = t.conn();
    CHECK(c.endpoints[0].iss_known);
    CHECK(c.endpoints[0].iss == 100u);
    CHECK(c.endpoints[1].iss == 300u);
    CHECK(c.endpoints[0].snd_nxt == 101u);
    CHECK(c.endpoints[1].snd_nxt == 301u);
    CHECK(t.trk.since_ns(c, tcpfsm::tracker_side::b) == 3 * ms);  // B ESTABLISHED since the third segment
    CHECK(o.anomalies.empty());
}

TEST_CASE("data both ways: SEQ, ACK and windows seen, no anomaly", "[tracker]") {
    tap t;
    t.handshake();
    auto o = t.from_a(seg_of(101, 301, ack_flag, 100));  // 100 octets: 101..200
    CHECK(o.anomalies.empty());
    o = t.from_b(seg_of(301, 201, ack_flag, 50, 4000));
    CHECK(o.anomalies.empty());
    o = t.from_a(seg_of(201, 351, ack_flag));
    CHECK(o.anomalies.empty());
    const auto& c = t.conn();
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::established);
    CHECK(c.endpoints[0].snd_nxt == 201u);
    CHECK(c.endpoints[0].ack == 351u);
    CHECK(c.endpoints[1].snd_nxt == 351u);
    CHECK(c.endpoints[1].ack == 201u);
    CHECK(c.endpoints[1].raw_window == 4000u);
    CHECK(c.endpoints[1].rcv_nxt == 201u);
}

TEST_CASE("window scale: known when both SYNs carry it (RFC 7323 §2.2), unknown mid-stream", "[tracker]") {
    tap t;
    t.handshake(7, 9);
    t.from_b(seg_of(301, 101, ack_flag, 0, 100));
    CHECK(t.conn().endpoints[1].scale_known());
    CHECK(t.conn().endpoints[1].window() == (100u << 9));
    tap u;
    u.handshake(7, -1);  // B's SYN,ACK without the option: neither side scales
    u.from_a(seg_of(101, 301, ack_flag, 0, 100));
    CHECK(u.conn().endpoints[0].window_scale == 0);
    CHECK(u.conn().endpoints[0].window() == 100u);
    tap v;
    v.from_a(seg_of(5000, 9000, ack_flag, 10, 100));
    CHECK_FALSE(v.conn().endpoints[0].scale_known());
    CHECK_FALSE(v.conn().endpoints[1].scale_known());
}

TEST_CASE("four-way close, A first: Figure 12", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));  // A: CLOSE -> FIN-WAIT-1; B: rcv FIN -> CLOSE-WAIT
    CHECK(t.a() == state::fin_wait_1);
    CHECK(t.b() == state::close_wait);
    t.from_b(seg_of(301, 102, ack_flag));  // B ACKs the FIN: A FIN-WAIT-2
    CHECK(t.a() == state::fin_wait_2);
    CHECK(t.b() == state::close_wait);
    t.from_b(seg_of(301, 102, fin_ack));  // B: CLOSE -> LAST-ACK; A: FIN -> TIME-WAIT
    CHECK(t.b() == state::last_ack);
    CHECK(t.a() == state::time_wait);
    t.from_a(seg_of(102, 302, ack_flag));  // B: ACK of its FIN -> CLOSED
    CHECK(t.b() == state::closed);
    CHECK(t.a() == state::time_wait);
}

TEST_CASE("the final ACK lost after the tap: the FIN again takes LAST-ACK back, the next ACK ends it",
          "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));
    t.from_b(seg_of(301, 102, ack_flag));
    t.from_b(seg_of(301, 102, fin_ack));   // B: LAST-ACK; A: TIME-WAIT
    t.from_a(seg_of(102, 302, ack_flag));  // A's ACK of B's FIN, lost after the tap
    CHECK(t.b() == state::closed);         // deduced
    CHECK(t.conn().endpoints[1].deduced);
    // B's FIN again: it had not received that ACK (RFC 9293 §3.10.7.4, LAST-ACK: only the
    // ACK of its FIN ends it; the FIN is retransmitted until then, §3.8.1).
    const tcpfsm::tracker_observation o = t.from_b(seg_of(301, 102, fin_ack));
    CHECK(o.anomalies.contains(tcpfsm::tracker_anomaly::retransmission));
    CHECK(t.b() == state::last_ack);
    CHECK_FALSE(t.conn().endpoints[1].deduced);
    REQUIRE(o.path_length[1] == 1);
    CHECK(o.path[1][0] == state::last_ack);
    CHECK(t.a() == state::time_wait);
    // A in TIME-WAIT acknowledges it again (§3.10.7.4, TIME-WAIT, the FIN bit): B CLOSED.
    const tcpfsm::tracker_observation again = t.from_a(seg_of(102, 302, ack_flag));
    CHECK_FALSE(again.anomalies.contains(tcpfsm::tracker_anomaly::half_open));
    CHECK(t.b() == state::closed);
    CHECK(t.a() == state::time_wait);
}

TEST_CASE("four-way close, B first, and FIN+ACK in one segment (FIN-WAIT-1 -> TIME-WAIT)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_b(seg_of(301, 101, fin_ack));
    CHECK(t.b() == state::fin_wait_1);
    CHECK(t.a() == state::close_wait);
    t.from_a(seg_of(101, 302, fin_ack));  // A's FIN acknowledges B's: B goes straight to TIME-WAIT
    CHECK(t.a() == state::last_ack);
    CHECK(t.b() == state::time_wait);
    t.from_b(seg_of(302, 102, ack_flag));
    CHECK(t.a() == state::closed);
    CHECK(t.b() == state::time_wait);
}

TEST_CASE("crossing FINs: Figure 13, CLOSING on both sides, then TIME-WAIT", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));  // both send FIN before receiving the other's
    CHECK(t.a() == state::fin_wait_1);
    CHECK(t.b() == state::close_wait);  // deduced; B's FIN will show it was not so
    t.from_b(seg_of(301, 101, fin_ack));  // ACK 101: B had not received A's FIN
    CHECK(t.b() == state::closing);
    CHECK(t.a() == state::closing);
    t.from_a(seg_of(102, 302, ack_flag));
    CHECK(t.b() == state::time_wait);
    t.from_b(seg_of(302, 102, ack_flag));
    CHECK(t.a() == state::time_wait);
}

TEST_CASE("simultaneous open: Figure 7, SYN-RECEIVED on both sides, then ESTABLISHED", "[tracker]") {
    tap t;
    t.from_a(seg_of(100, 0, ctl::syn));
    t.from_b(seg_of(300, 0, ctl::syn));  // no ACK: B had not received A's SYN
    CHECK(t.a() == state::syn_received);
    CHECK(t.b() == state::syn_received);
    CHECK_FALSE(t.conn().endpoints[1].passive_origin);
    t.from_a(seg_of(100, 301, syn_ack));
    t.from_b(seg_of(300, 101, syn_ack));
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::established);
}

TEST_CASE("RST in ESTABLISHED: both CLOSED (§3.10.7.4 second)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, ctl::rst));  // SEQ = RCV.NXT at B
    CHECK(t.a() == state::closed);
    CHECK(t.b() == state::closed);
}

TEST_CASE("connection refused: RST,ACK answers the SYN (§3.5.2 (1), §3.10.7.3)", "[tracker]") {
    tap t;
    t.from_a(seg_of(100, 0, ctl::syn));
    const auto o = t.from_b(seg_of(0, 101, ctl::rst | ctl::ack));  // <SEQ=0><ACK=101><CTL=RST,ACK>
    CHECK(t.a() == state::closed);
    CHECK(t.b() == state::closed);
    CHECK(o.anomalies.contains(tcpfsm::tracker_anomaly::connection_refused));
}

TEST_CASE("mid-stream pickup: both ESTABLISHED (the tracker table's row), scale unknown", "[tracker]") {
    tap t;
    const auto o = t.from_b(seg_of(7000, 3000, ack_flag, 100));
    CHECK(o.new_connection);
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::established);
    CHECK(t.conn().picked_up());
    CHECK(t.conn().endpoints[0].deduced);
    CHECK_FALSE(t.conn().endpoints[1].iss_known);
    // and closes as any connection
    t.from_a(seg_of(3000, 7100, fin_ack));
    CHECK(t.a() == state::fin_wait_1);
    CHECK(t.b() == state::close_wait);
}

TEST_CASE("one direction only (A to B): A's ACK shows the unseen SYN,ACK arrived", "[tracker]") {
    tap t;
    t.from_a(seg_of(100, 0, ctl::syn));
    CHECK(t.a() == state::syn_sent);
    CHECK(t.b() == state::syn_received);
    t.from_a(seg_of(101, 301, ack_flag));
    CHECK(t.a() == state::established);
    CHECK(t.b() == state::established);
    t.from_a(seg_of(101, 301, ack_flag, 10));
    t.from_a(seg_of(111, 301, fin_ack));
    CHECK(t.a() == state::fin_wait_1);
    CHECK(t.b() == state::close_wait);
}

TEST_CASE("one direction only (B to A): the SYN,ACK shows the unseen SYN", "[tracker]") {
    tap t;
    t.from_b(seg_of(300, 101, syn_ack));
    CHECK(t.a() == state::established);  // it received the SYN,ACK (deduced)
    CHECK(t.b() == state::syn_received);
    CHECK(t.conn().endpoints[0].iss == 100u);
}

TEST_CASE("TIME-WAIT ends by capture time after 2MSL (configurable)", "[tracker]") {
    tcpfsm::tracker_config config;
    config.time_wait_ns = 1000 * ms;
    tap t(config);
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));
    t.from_b(seg_of(301, 102, fin_ack));  // B's FIN ACKs A's: A TIME-WAIT at 5 ms
    CHECK(t.a() == state::time_wait);
    const std::uint64_t entered = t.trk.since_ns(t.conn(), tcpfsm::tracker_side::a);
    CHECK(entered == 5 * ms);
    t.trk.expire(entered + 999 * ms);
    CHECK(t.a() == state::time_wait);
    t.trk.expire(entered + 1000 * ms);
    CHECK(t.a() == state::closed);
    CHECK(t.trk.since_ns(t.conn(), tcpfsm::tracker_side::a) == entered + 1000 * ms);
    CHECK(t.trk.stats().time_wait_expired == 1u);
}

TEST_CASE("capacity: a record not seen since the hand passed goes to make room, idle timeouts evict", "[tracker]") {
    // CLOCK (second chance): slots are taken in order 0, 1, 2; a full table's hand walks
    // them from slot 0, clearing the reference bit of a record seen since it last passed and
    // evicting the first record without one.
    tcpfsm::tracker_config config;
    config.capacity = 3;
    tap t(config);
    for (std::uint16_t port = 1; port <= 3; ++port) {  // ports 1, 2, 3 at 1, 2, 3 ms: slots 0, 1, 2
        t.a_port = port;
        t.from_a(seg_of(100, 0, ctl::syn));
    }
    t.a_port = 4;
    CHECK(t.from_a(seg_of(100, 0, ctl::syn)).tracked);  // 4 ms: all three seen: bits cleared, slot 0 (port 1) goes
    CHECK(t.trk.find(tuple_of(1, 1, 2, 80)) == nullptr);
    t.a_port = 2;
    t.from_a(seg_of(100, 0, ctl::syn));  // 5 ms: port 2 (slot 1) seen again
    t.a_port = 5;
    CHECK(t.from_a(seg_of(100, 0, ctl::syn)).tracked);  // 6 ms: the hand at slot 1 spares port 2, takes port 3
    CHECK(t.trk.size() == 3u);
    CHECK(t.trk.stats().evicted_full == 2u);
    CHECK(t.trk.find(tuple_of(1, 3, 2, 80)) == nullptr);
    CHECK(t.trk.find(tuple_of(1, 2, 2, 80)) != nullptr);
    CHECK(t.trk.find(tuple_of(1, 4, 2, 80)) != nullptr);
    CHECK(t.trk.find(tuple_of(1, 5, 2, 80)) != nullptr);
    CHECK(t.trk.stats().evicted_in[tcpfsm::index_of(state::syn_received)] == 2u);
    // SYN-SENT / SYN-RECEIVED: the longer of conntrack's syn_sent (120 s) and syn_recv (60 s).
    // Port 4 was last seen at 4 ms, port 2 at 5 ms, port 5 at 6 ms.
    CHECK(t.trk.expire(4 * ms + 119'999 * ms) == 0u);
    CHECK(t.trk.expire(4 * ms + 120'000 * ms) == 1u);
    CHECK(t.trk.find(tuple_of(1, 4, 2, 80)) == nullptr);
    CHECK(t.trk.expire(5 * ms + 120'000 * ms) == 1u);
    CHECK(t.trk.find(tuple_of(1, 2, 2, 80)) == nullptr);
    CHECK(t.trk.expire(6 * ms + 120'000 * ms) == 1u);
    CHECK(t.trk.size() == 0u);
    CHECK(t.trk.stats().evicted_idle == 3u);
}

TEST_CASE("ss_stats: both endpoints counted as ss on their hosts would", "[tracker]") {
    tap t;
    t.handshake();
    t.a_port = 2;
    t.from_a(seg_of(100, 0, ctl::syn));
    const tcpfsm::listener_stats s = t.trk.ss_stats();
    CHECK(s.in(state::established) == 2u);
    CHECK(s.in(state::syn_sent) == 1u);
    CHECK(s.in(state::syn_received) == 1u);
    CHECK(s.hashed_ipv4 == 4u);
    char text[512];
    CHECK(tcpfsm::write_ss_summary(s, text, sizeof text) > 0u);
}

TEST_CASE("capacity: a full table's least recently seen record, idle past its timeout, counts as idle", "[tracker]") {
    tcpfsm::tracker_config config;
    config.capacity = 1;
    tap t(config);
    t.a_port = 1;
    t.from_a(seg_of(100, 0, ctl::syn));  // SYN-SENT / SYN-RECEIVED: idle limit 120 s
    t.now += 120'000 * ms;               // the next segment comes 120 s + 1 ms later
    t.a_port = 2;
    CHECK(t.from_a(seg_of(100, 0, ctl::syn)).tracked);
    CHECK(t.trk.stats().evicted_idle == 1u);
    CHECK(t.trk.stats().evicted_full == 0u);
    CHECK(t.trk.size() == 1u);
}

TEST_CASE("TIME-WAIT: a retransmitted FIN restarts 2MSL (§3.10.7.4 eighth step)", "[tracker]") {
    tcpfsm::tracker_config config;
    config.time_wait_ns = 1000 * ms;
    tap t(config);
    t.handshake();
    t.from_b(seg_of(301, 101, fin_ack));
    t.from_a(seg_of(101, 302, fin_ack));   // A's FIN ACKs B's: B TIME-WAIT at 5 ms, A LAST-ACK
    REQUIRE(t.b() == state::time_wait);
    t.from_a(seg_of(101, 302, fin_ack));   // A's FIN again at 6 ms (B's ACK was lost)
    CHECK(t.trk.since_ns(t.conn(), tcpfsm::tracker_side::b) == 6 * ms);
    t.trk.expire(5 * ms + 1000 * ms);      // 2MSL from the first FIN: not yet
    CHECK(t.b() == state::time_wait);
    t.trk.expire(6 * ms + 1000 * ms);
    CHECK(t.b() == state::closed);
}

TEST_CASE("a FIN seen beyond a hole is taken when the hole fills (§3.10.7.4 eighth step)", "[tracker]") {
    tap t;
    t.handshake();
    auto o = t.from_a(seg_of(201, 301, fin_ack, 100));  // 201..300 and FIN; 101..200 not yet
    CHECK(o.anomalies.contains(tcpfsm::tracker_anomaly::previous_segment_lost));
    CHECK(t.a() == state::fin_wait_1);
    CHECK(t.b() == state::established);  // the FIN is not in order at B (RCV.NXT = 101)
    o = t.from_a(seg_of(101, 301, ack_flag, 100));
    CHECK(o.anomalies.contains(tcpfsm::tracker_anomaly::out_of_order));
    CHECK(t.b() == state::close_wait);
    CHECK(t.conn().endpoints[1].rcv_nxt == 302u);  // 101 + 200 octets + FIN
}

TEST_CASE("observation path: every state entered with the segment, a taken-back one too", "[tracker]") {
    tap t;
    t.handshake();
    tcpfsm::tracker_observation o = t.from_a(seg_of(101, 301, fin_ack));
    // A: CLOSE (FIN-WAIT-1); B: its FIN (CLOSE-WAIT, deduced).
    REQUIRE(o.path_length[0] == 1u);
    CHECK(o.path[0][0] == state::fin_wait_1);
    REQUIRE(o.path_length[1] == 1u);
    CHECK(o.path[1][0] == state::close_wait);
    o = t.from_b(seg_of(301, 101, fin_ack));
    // B's FIN does not acknowledge A's: B taken back to ESTABLISHED, then its CLOSE
    // (FIN-WAIT-1), then A's FIN (CLOSING): Figure 13. A: B's FIN in FIN-WAIT-1 (CLOSING).
    REQUIRE(o.path_length[1] == 3u);
    CHECK(o.path[1][0] == state::established);
    CHECK(o.path[1][1] == state::fin_wait_1);
    CHECK(o.path[1][2] == state::closing);
    REQUIRE(o.path_length[0] == 1u);
    CHECK(o.path[0][0] == state::closing);
    o = t.from_a(seg_of(102, 302, ack_flag));
    CHECK(o.path_length[0] == 0u);  // A did not change
}

TEST_CASE("observation path: a FIN,ACK in FIN-WAIT-1 passes FIN-WAIT-2 (§3.10.7.4 fifth, eighth)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));
    const tcpfsm::tracker_observation o = t.from_b(seg_of(301, 102, fin_ack));  // ACKs A's FIN
    REQUIRE(o.path_length[0] == 2u);
    CHECK(o.path[0][0] == state::fin_wait_2);
    CHECK(o.path[0][1] == state::time_wait);
    CHECK(o.after[0] == state::time_wait);
    REQUIRE(o.path_length[1] == 1u);
    CHECK(o.path[1][0] == state::last_ack);  // B received A's FIN (CLOSE-WAIT), then CLOSE
}

TEST_CASE("the tracker's clock: 1 ms ticks from the first segment, moved forward before they overflow", "[tracker]") {
    tap t;
    t.handshake();  // 1, 2, 3 ms: B ESTABLISHED since 3 ms
    CHECK(t.trk.clock_origin_ns() == 1 * ms);
    CHECK(t.trk.since_ns(t.conn(), tcpfsm::tracker_side::b) == 3 * ms);
    // 2^30 ticks after the origin (12.4 days) the origin moves forward by 2^29 ticks; a time
    // before the new origin reads as the origin.
    const std::uint64_t step = (std::uint64_t{1} << 29) * ms;
    t.now = 1 * ms + 2 * step - ms;  // the next segment comes at origin + 2^30 ticks
    t.from_a(seg_of(101, 301, ack_flag));
    CHECK(t.trk.clock_origin_ns() == 1 * ms + step);
    CHECK(t.trk.since_ns(t.conn(), tcpfsm::tracker_side::b) == 1 * ms + step);
    CHECK(t.trk.last_seen_ns(t.conn()) == 1 * ms + 2 * step);
    // ESTABLISHED: idle for 5 days (conntrack's established) before expire() removes it.
    constexpr std::uint64_t five_days = 432'000'000'000'000ull;
    CHECK(t.trk.expire(1 * ms + 2 * step + five_days - ms) == 0u);
    CHECK(t.trk.expire(1 * ms + 2 * step + five_days) == 1u);
}
