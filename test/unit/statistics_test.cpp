// The statistics policy (statistics.hpp): counting_statistics over scripted exchanges whose
// segments and octets the test counts itself, from the RFC's rules (one ACK per data segment
// without delayed ACK, segments of at most the MSS, RFC 6298's 1 s minimum RTO).
#include <tcpfsm/connection.hpp>
#include <tcpfsm/statistics.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>

#include "empty_policies.hpp"
#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using S = tcpfsm::state;
namespace ctl = tcpfsm::ctl;

namespace {

using counted_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
                                               tcpfsm::congestion::unlimited, tcpfsm::counting_statistics>;
using counted_peer = basic_peer<counted_profile>;

static_assert(tcpfsm::is_statistics_policy_v<tcpfsm::no_statistics>);
static_assert(tcpfsm::is_statistics_policy_v<tcpfsm::counting_statistics>);
static_assert(!tcpfsm::is_statistics_policy_v<int>);
static_assert(std::is_empty<tcpfsm::no_statistics>::value);
// The default profile counts nothing, and its engine's statistics() is the empty policy.
static_assert(std::is_same<tcpfsm_test::empty_tcb::statistics_type, tcpfsm::no_statistics>::value);

const tcpfsm::counting_statistics& stats(const counted_peer& p) { return p.conn->statistics(); }

}  // namespace

TEST_CASE("statistics: segments and octets of a handshake, 3,000 octets and a retransmission", "[statistics]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.nagle = false;
    counted_peer a({}, config), b({}, config);
    establish(a, b, 1000, 5000);
    // Handshake: A sent SYN and ACK, received SYN,ACK; B sent SYN,ACK, received SYN and ACK.
    CHECK(stats(a).segments_sent == 2u);
    CHECK(stats(a).segments_received == 1u);
    CHECK(stats(b).segments_sent == 1u);
    CHECK(stats(b).segments_received == 2u);
    // 3,000 octets with MSS 1460: 1460 + 1460 + 80; B ACKs each at once (no delayed ACK).
    REQUIRE(a.conn->send(3000) == tcpfsm::user_error::none);
    CHECK(pass_all(a, b) == 3u);
    CHECK(pass_all(b, a) == 3u);
    CHECK(stats(a).segments_sent == 5u);
    CHECK(stats(a).data_segments_sent == 3u);
    CHECK(stats(a).data_octets_sent == 3000u);
    CHECK(stats(a).segments_received == 4u);
    CHECK(stats(a).data_segments_received == 0u);
    CHECK(stats(b).segments_received == 5u);
    CHECK(stats(b).data_segments_received == 3u);
    CHECK(stats(b).data_octets_received == 3000u);
    CHECK(stats(b).segments_sent == 4u);
    CHECK(stats(a).retransmitted_segments == 0u);
    // 500 more, lost; the RTT sample was 0 ms, so RTO = 1 s (RFC 6298 (2.4)): at 1000 the
    // 500 octets go again.
    REQUIRE(a.conn->send(500) == tcpfsm::user_error::none);
    REQUIRE(a.sent.size() == 1u);
    a.sent.clear();
    a.advance_to(999);
    CHECK(a.sent.empty());
    a.advance_to(1000);
    REQUIRE(a.sent.size() == 1u);
    CHECK(a.sent.front().header.text_length == 500u);
    CHECK(stats(a).retransmitted_segments == 1u);
    CHECK(stats(a).retransmitted_octets == 500u);
    CHECK(stats(a).data_segments_sent == 5u);
    CHECK(stats(a).data_octets_sent == 4000u);  // 3000 + 500 + 500 again
    CHECK(stats(a).segments_sent == 7u);
    // B gets the retransmission and ACKs it; then ABORT: one RST from A (at SND.NXT = 4500 =
    // B's RCV.NXT), one received by B.
    CHECK(pass_all(a, b) == 1u);
    CHECK(pass_all(b, a) == 1u);
    a.conn->abort();
    CHECK(stats(a).rsts_sent == 1u);
    pass_all(a, b);
    CHECK(stats(b).rsts_received == 1u);
    CHECK(b.st() == S::closed);
}

TEST_CASE("statistics: duplicate ACKs (RFC 5681 §2), zero windows, challenge ACKs, out of window", "[statistics]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.nagle = false;
    counted_peer a({}, config), b({}, config);
    establish(a, b, 1000, 5000);
    REQUIRE(a.conn->send(100) == tcpfsm::user_error::none);  // 1000..1099 outstanding
    a.sent.clear();
    const std::uint16_t wnd = static_cast<std::uint16_t>(a.conn->snapshot().snd_wnd);
    // Three duplicates: ACK = SND.UNA = 1000, no text, same window, data outstanding.
    for (int i = 0; i < 3; ++i) a.receive(make(5000, 1000, ctl::ack, 0, wnd));
    CHECK(stats(a).duplicate_acks_received == 3u);
    // Not duplicates: another window (a window update), text, a FIN-less ACK acking data.
    a.receive(make(5000, 1000, ctl::ack, 0, static_cast<std::uint16_t>(wnd - 1)));
    a.receive(make(5000, 1000, ctl::ack, 10, static_cast<std::uint16_t>(wnd - 1)));
    a.receive(make(5010, 1100, ctl::ack, 0, static_cast<std::uint16_t>(wnd - 1)));
    CHECK(stats(a).duplicate_acks_received == 3u);
    // Nothing outstanding now: an ACK of SND.UNA is no duplicate either.
    a.receive(make(5010, 1100, ctl::ack, 0, static_cast<std::uint16_t>(wnd - 1)));
    CHECK(stats(a).duplicate_acks_received == 3u);
    // The peer's window closes (once), stays closed (no new event), opens, closes again.
    a.receive(make(5010, 1100, ctl::ack, 0, 0));
    a.receive(make(5010, 1100, ctl::ack, 0, 0));
    CHECK(stats(a).zero_windows_seen == 1u);
    a.receive(make(5010, 1100, ctl::ack, 0, 1000));
    a.receive(make(5010, 1100, ctl::ack, 0, 0));
    CHECK(stats(a).zero_windows_seen == 2u);
    // Challenge ACKs: an RST in the window but not at RCV.NXT = 5010 (RFC 5961 §3.2); the
    // second within 500 ms is held back and not counted.
    a.sent.clear();
    now_ms = 10000;
    a.receive(make(5020, 0, ctl::rst));
    a.receive(make(5030, 0, ctl::rst));
    CHECK(stats(a).challenge_acks_sent == 1u);
    CHECK(a.sent.size() == 1u);
    // Out of window: SEG.SEQ beyond RCV.NXT + RCV.WND, answered or not (the second is limited),
    // an old segment (its text before RCV.NXT), an RST out of window.
    const std::uint32_t beyond = 5010u + 70000u;
    a.receive(make(beyond, 1100, ctl::ack));
    a.receive(make(beyond, 1100, ctl::ack));
    a.receive(make(4000, 1100, ctl::ack, 10));
    a.receive(make(beyond, 0, ctl::rst));
    CHECK(stats(a).out_of_window_segments == 4u);
    // Zero windows we advertise: B with a 1,000-octet buffer the user does not read.
    tcpfsm::connection_config small = config;
    small.receive_buffer = 1000;
    counted_peer c({}, config), d({}, small);
    establish(c, d, 1000, 5000);
    REQUIRE(c.conn->send(1000) == tcpfsm::user_error::none);
    pass_all(c, d);  // D: window 1000 - 1000 = 0 in its ACK
    CHECK(stats(d).zero_windows_advertised == 1u);
    d.sent.clear();
    REQUIRE(d.conn->receive(1000) == tcpfsm::user_error::none);  // the window opens: an update
    REQUIRE(d.sent.size() == 1u);
    CHECK(d.sent.front().header.window == 1000u);
    pass_all(d, c);
    REQUIRE(c.conn->send(1000) == tcpfsm::user_error::none);
    pass_all(c, d);
    CHECK(stats(d).zero_windows_advertised == 2u);
}
