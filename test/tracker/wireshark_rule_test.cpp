// tracker_sequence_rule::wireshark_timing against Wireshark's documented rule for a segment
// that starts below the highest sequence number seen from its sender (epan/dissectors/
// packet-tcp.c, tcp_analyze_sequence_number; tshark 4.0 defaults, Fast Retransmission
// superseding Out-of-Order): spurious retransmission if its text ends at or below the peer's
// ACK; otherwise fast retransmission after two or more duplicate ACKs for its SEQ; otherwise
// out-of-order if it comes less than the first RTT (the last SYN to the first ACK without
// SYN; 3 ms when unknown) after the sender's highest SEQ + SEG.LEN last advanced and does not
// end there; otherwise a retransmission. The expected flags below follow from that rule and
// the segments' times, worked out in the comments.
#include <catch2/catch.hpp>

#include "harness.hpp"

using namespace tracker_test;
using tcpfsm::tracker_anomaly;

namespace {

constexpr std::uint64_t us = 1'000u;  // nanoseconds

tcpfsm::tracker_config wireshark_config() {
    tcpfsm::tracker_config c;
    c.sequence_rule = tcpfsm::tracker_sequence_rule::wireshark_timing;
    return c;
}

// The tap's next segment comes at capture time `t` (from_a/from_b add 1 ms).
void next_at(tap& t, std::uint64_t time) { t.now = time - ms; }

// A's handshake at 1, 2, 3 ms (first RTT: SYN at 1 ms to A's ACK at 3 ms = 2 ms), then A's
// text 101..200 at 4 ms and 201..300 at 5 ms: A's highest SEQ + SEG.LEN (301) last advanced at 5 ms.
void two_segments(tap& t) {
    t.handshake();
    t.from_a(seg_of(101, 301, ack_flag, 100));
    t.from_a(seg_of(201, 301, ack_flag, 100));
}

bool only(const tcpfsm::tracker_observation& o, std::initializer_list<tracker_anomaly> flags) {
    tcpfsm::tracker_anomaly_set expected;
    for (tracker_anomaly f : flags) expected.add(f);
    return o.anomalies == expected;
}

}  // namespace

TEST_CASE("wireshark_timing: within the first RTT of the highest SEQ: out-of-order, even if seen before",
          "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    next_at(w, 6 * ms + 900 * us);  // 1.9 ms after 5 ms < 2 ms; ends at 201, not 301
    CHECK(only(w.from_a(seg_of(101, 301, ack_flag, 100)), {tracker_anomaly::out_of_order}));
    // The default rule: its octets were seen from A: a retransmission.
    tap d;
    two_segments(d);
    next_at(d, 6 * ms + 900 * us);
    CHECK(only(d.from_a(seg_of(101, 301, ack_flag, 100)), {tracker_anomaly::retransmission}));
}

TEST_CASE("wireshark_timing: the first RTT or later after the highest SEQ advanced: a retransmission",
          "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    next_at(w, 7 * ms);  // 2 ms after 5 ms: not less than the 2 ms RTT
    CHECK(only(w.from_a(seg_of(101, 301, ack_flag, 100)), {tracker_anomaly::retransmission}));
}

TEST_CASE("wireshark_timing: ending at the highest SEQ: a retransmission however soon", "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    next_at(w, 5 * ms + 100 * us);  // 0.1 ms later, but 201 + 100 = 301 is the highest
    CHECK(only(w.from_a(seg_of(201, 301, ack_flag, 100)), {tracker_anomaly::retransmission}));
}

TEST_CASE("wireshark_timing: a hole filled late is a retransmission (the default: out-of-order)",
          "[tracker][wireshark]") {
    tap w(wireshark_config());
    tap d;
    for (tap* t : {&w, &d}) {
        t->handshake();
        t->from_a(seg_of(201, 301, ack_flag, 100));  // 4 ms: 101..200 not seen; highest 301 at 4 ms
        next_at(*t, 10 * ms);                       // 6 ms later > 2 ms RTT
    }
    CHECK(only(w.from_a(seg_of(101, 301, ack_flag, 100)), {tracker_anomaly::retransmission}));
    CHECK(only(d.from_a(seg_of(101, 301, ack_flag, 100)), {tracker_anomaly::out_of_order}));
}

TEST_CASE("wireshark_timing: acknowledged text sent again is spurious, before any timing", "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    next_at(w, 5 * ms + 200 * us);
    w.from_b(seg_of(301, 301, ack_flag));  // B acknowledges everything at 5.2 ms
    next_at(w, 5 * ms + 400 * us);         // 0.4 ms after the highest SEQ advanced: would be out-of-order
    CHECK(only(w.from_a(seg_of(101, 301, ack_flag, 100)),
               {tracker_anomaly::retransmission, tracker_anomaly::spurious_retransmission}));
}

TEST_CASE("wireshark_timing: two duplicate ACKs for its SEQ make it fast, ahead of out-of-order",
          "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    // B's ACK of 101 (its SYN,ACK carried 101 too) three times, same window: duplicates 1, 2, 3.
    for (std::uint64_t k = 1; k <= 3; ++k) {
        next_at(w, 5 * ms + k * 100 * us);
        w.from_b(seg_of(301, 101, ack_flag));
    }
    next_at(w, 5 * ms + 500 * us);  // 0.5 ms after the highest SEQ advanced, at SEG.SEQ = 101 = B's ACK
    CHECK(only(w.from_a(seg_of(101, 301, ack_flag, 100)),
               {tracker_anomaly::retransmission, tracker_anomaly::fast_retransmission}));
}

TEST_CASE("wireshark_timing: more than one octet from one below the highest SEQ is new data",
          "[tracker][wireshark]") {
    tap w(wireshark_config());
    two_segments(w);
    next_at(w, 5 * ms + 100 * us);
    CHECK(w.from_a(seg_of(300, 301, ack_flag, 50)).anomalies.empty());  // 300..349: one old octet, 49 new
}

TEST_CASE("wireshark_timing: no handshake seen: the threshold is 3 ms", "[tracker][wireshark]") {
    // Picked up mid-stream: no SYN, no first RTT.
    for (const std::uint64_t later : {2 * ms + 999 * us, 3 * ms}) {
        tap w(wireshark_config());
        w.from_a(seg_of(1000, 5000, ack_flag));            // 1 ms: pickup
        w.from_a(seg_of(1000, 5000, ack_flag, 100));       // 2 ms: 1000..1099
        w.from_a(seg_of(1100, 5000, ack_flag, 100));       // 3 ms: 1100..1199, highest 1200 at 3 ms
        next_at(w, 3 * ms + later);
        const auto o = w.from_a(seg_of(1000, 5000, ack_flag, 100));
        if (later < 3 * ms) CHECK(only(o, {tracker_anomaly::out_of_order}));
        else CHECK(only(o, {tracker_anomaly::retransmission}));
    }
}

TEST_CASE("wireshark_timing: the side table is allocated with the tracker, 32 octets a slot", "[tracker][wireshark]") {
    tcpfsm::tracker_config c = wireshark_config();
    c.capacity = 1000;
    const tcpfsm::tracker<> w(c);
    c.sequence_rule = tcpfsm::tracker_sequence_rule::sequence_seen;
    const tcpfsm::tracker<> d(c);
    CHECK(sizeof(tcpfsm::tracker_sequence_timing) == 32u);  // four 64-bit times
    CHECK(w.allocated_bytes() == d.allocated_bytes() + 1000u * 32u);
}
