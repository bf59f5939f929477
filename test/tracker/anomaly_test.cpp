// Each anomaly of tracker_anomaly from a constructed segment sequence; the expected flags
// follow the definitions in docs/tracker.md (RFC 9293, RFC 5961, RFC 5681, RFC 6191).
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace tracker_test;
using tcpfsm::tracker_anomaly;

namespace {
bool only(const tcpfsm::tracker_observation& o, tracker_anomaly a) {
    tcpfsm::tracker_anomaly_set s;
    s.add(a);
    return o.anomalies == s;
}
}  // namespace

TEST_CASE("anomaly names", "[tracker]") {
    CHECK(std::string(tcpfsm::name(tracker_anomaly::port_reuse)) == "port_reuse");
    CHECK(std::string(tcpfsm::name(static_cast<tracker_anomaly>(tcpfsm::tracker_anomaly_count - 1))) == "port_reuse");
}

TEST_CASE("retransmission, spurious retransmission", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, ack_flag, 100));
    auto o = t.from_a(seg_of(101, 301, ack_flag, 100));  // the same octets again, not yet ACKed
    CHECK(only(o, tracker_anomaly::retransmission));
    t.from_b(seg_of(301, 201, ack_flag));
    o = t.from_a(seg_of(101, 301, ack_flag, 100));  // B had acknowledged them: needless
    CHECK(o.anomalies.contains(tracker_anomaly::retransmission));
    CHECK(o.anomalies.contains(tracker_anomaly::spurious_retransmission));
    CHECK(t.trk.stats().anomalies[tcpfsm::index_of(tracker_anomaly::retransmission)] == 2u);
}

TEST_CASE("out-of-order, previous segment lost, duplicate ACKs and fast retransmission", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, ack_flag, 100));  // 101..200
    auto o = t.from_a(seg_of(301, 301, ack_flag, 100));  // 301..400: 201..300 not seen
    CHECK(only(o, tracker_anomaly::previous_segment_lost));
    o = t.from_b(seg_of(301, 201, ack_flag));  // B ACKs 201 (new ACK)
    CHECK(o.anomalies.empty());
    o = t.from_b(seg_of(301, 201, ack_flag));  // same ACK, same window, data outstanding
    CHECK(only(o, tracker_anomaly::duplicate_ack));
    o = t.from_b(seg_of(301, 201, ack_flag));
    CHECK(only(o, tracker_anomaly::duplicate_ack));
    o = t.from_a(seg_of(201, 301, ack_flag, 100));  // fills the hole, first time seen
    CHECK(only(o, tracker_anomaly::out_of_order));
    o = t.from_a(seg_of(201, 301, ack_flag, 100));  // again, at B's ACK after 2 duplicates
    CHECK(o.anomalies.contains(tracker_anomaly::retransmission));
    CHECK(o.anomalies.contains(tracker_anomaly::fast_retransmission));
}

TEST_CASE("zero window and window probe (§3.8.6.1)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, ack_flag, 100));
    auto o = t.from_b(seg_of(301, 201, ack_flag, 0, 0));
    CHECK(only(o, tracker_anomaly::zero_window));
    o = t.from_a(seg_of(201, 301, ack_flag, 1));  // one octet at SND.NXT into a zero window
    CHECK(only(o, tracker_anomaly::window_probe));
}

TEST_CASE("keepalive: SEG.SEQ = SND.NXT - 1 (RFC 1122 4.2.3.6)", "[tracker]") {
    tap t;
    t.handshake();
    auto o = t.from_a(seg_of(100, 301, ack_flag, 0));
    CHECK(only(o, tracker_anomaly::keepalive));
    o = t.from_a(seg_of(100, 301, ack_flag, 1));  // the one-octet variant
    CHECK(only(o, tracker_anomaly::keepalive));
}

TEST_CASE("out of window: beyond RCV.NXT + RCV.WND (Table 6)", "[tracker]") {
    tap t;
    t.handshake(0, 0);                              // both scale by 0: windows known
    t.from_b(seg_of(301, 101, ack_flag, 0, 1000));  // B's window: 101..1100
    const auto o = t.from_a(seg_of(2000, 301, ack_flag, 100));
    CHECK(o.anomalies.contains(tracker_anomaly::out_of_window));
    CHECK(t.b() == state::established);
}

TEST_CASE("blind RST, SYN and data that RFC 5961 rejects", "[tracker]") {
    tap t;
    t.handshake();
    auto o = t.from_b(seg_of(350, 101, ctl::rst));  // in A's window, not RCV.NXT (301): §3.2
    CHECK(only(o, tracker_anomaly::blind_rst));
    CHECK(t.a() == state::established);
    o = t.from_b(seg_of(301, 101, ctl::rst));  // but the sender's own state: B did ABORT
    CHECK(t.b() == state::closed);
    tap u;
    u.handshake();
    o = u.from_a(seg_of(5000, 0, ctl::syn));  // SYN in ESTABLISHED: §4.2 challenge ACK
    CHECK(o.anomalies.contains(tracker_anomaly::blind_syn));
    CHECK(u.b() == state::established);
    tap v;
    v.handshake(0, 0);
    v.from_b(seg_of(301, 101, ack_flag, 0, 1000));
    o = v.from_a(seg_of(101, 301u - 100000u, ack_flag, 10));  // SEG.ACK far below SND.UNA: §5.2
    CHECK(o.anomalies.contains(tracker_anomaly::blind_data));
}

TEST_CASE("ACK of data never seen sent", "[tracker]") {
    tap t;
    t.handshake();
    const auto o = t.from_a(seg_of(101, 1301, ack_flag));  // B sent only up to 301
    CHECK(o.anomalies.contains(tracker_anomaly::ack_unsent));
}

TEST_CASE("half-open: data to an endpoint that has no connection any more (§3.5.2)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(99999, 0, ctl::rst));  // A aborts; B drops the RST (out of window)
    CHECK(t.a() == state::closed);
    CHECK(t.b() == state::established);
    const auto o = t.from_b(seg_of(301, 101, ack_flag, 10));
    CHECK(o.anomalies.contains(tracker_anomaly::half_open));
}

TEST_CASE("SYN without answer: the SYN sent again", "[tracker]") {
    tap t;
    t.from_a(seg_of(100, 0, ctl::syn));
    const auto o = t.from_a(seg_of(100, 0, ctl::syn));
    CHECK(o.anomalies.contains(tracker_anomaly::syn_without_answer));
    CHECK(o.anomalies.contains(tracker_anomaly::retransmission));
    CHECK(t.a() == state::syn_sent);
}

TEST_CASE("port reuse: a new SYN on a four-tuple in TIME-WAIT (RFC 6191)", "[tracker]") {
    tap t;
    t.handshake();
    t.from_a(seg_of(101, 301, fin_ack));
    t.from_b(seg_of(301, 102, fin_ack));
    t.from_a(seg_of(102, 302, ack_flag));
    REQUIRE(t.a() == state::time_wait);
    REQUIRE(t.b() == state::closed);
    const auto o = t.from_a(seg_of(100000, 0, ctl::syn));
    CHECK(o.anomalies.contains(tracker_anomaly::port_reuse));
    CHECK(o.new_connection);
    CHECK(t.a() == state::syn_sent);
    CHECK(t.b() == state::syn_received);
    CHECK(t.conn().endpoints[0].iss == 100000u);
}
