// The engine's sharp edges (issue 12): the send buffer limit (§3.10.2 "insufficient
// resources"), the minimum send MSS, output() filling the whole window, TIME-WAIT without a
// listener (MUST-13), out-of-window ACK rate limiting (Linux's tcp_oow_rate_limited). Expected
// values come from the RFCs, the config and the arithmetic written next to each check.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/listener.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <type_traits>

#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using tcpfsm::user_error;
using S = tcpfsm::state;
namespace ctl = tcpfsm::ctl;

namespace {

// Queued and not yet acknowledged: what SEND has handed the engine minus what was acked.
template <class P>
std::uint64_t queued(const P& p) {
    const tcpfsm::connection_status s = p.conn->snapshot();
    return std::uint64_t{s.unsent} + s.unacked;
}

}  // namespace

TEST_CASE("send: beyond the send buffer limit, insufficient resources and nothing queued", "[connection][edges]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.nagle = false;
    peer a({}, config), b({});
    establish(a, b, 1000, 5000);
    REQUIRE(a.conn->send(10000) == user_error::none);
    REQUIRE(queued(a) == 10000u);
    // 10,000 + 0xFFFFFFFF and 10,000 + 0x80000000 are both beyond any limit below 2^31.
    CHECK(a.conn->send(0xFFFFFFFFu) == user_error::insufficient_resources);
    CHECK(queued(a) == 10000u);
    CHECK(a.conn->send(0x80000000u) == user_error::insufficient_resources);
    CHECK(queued(a) == 10000u);
    // The default limit: 2^31 - 2 octets (data and FIN below 2^31 of sequence space).
    CHECK(tcpfsm::default_connection_config.send_buffer_limit == 0x7FFFFFFEu);
    CHECK(a.conn->send(0x7FFFFFFEu - 10000u + 1u) == user_error::insufficient_resources);
    CHECK(queued(a) == 10000u);
    CHECK(a.conn->send(0x7FFFFFFEu - 10000u) == user_error::none);
    CHECK(queued(a) == 0x7FFFFFFEu);
}

TEST_CASE("send: a configured limit counts queued and unacknowledged octets", "[connection][edges]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.nagle = false;
    config.send_buffer_limit = 10000;
    peer a({}, config), b({});
    establish(a, b, 1000, 5000);
    CHECK(a.conn->send(6000) == user_error::none);
    CHECK(a.conn->send(4000) == user_error::none);  // 10,000: at the limit
    CHECK(a.conn->send(1) == user_error::insufficient_resources);
    CHECK(queued(a) == 10000u);
    // Before the handshake completes the SYN is not counted: SYN-SENT queues up to the limit.
    peer c({}, config);
    c.isses = {99};
    c.conn->open_active();
    CHECK(c.conn->send(10000) == user_error::none);
    CHECK(c.conn->send(1) == user_error::insufficient_resources);
    CHECK(c.conn->snapshot().unsent == 10000u);
    // B acknowledges everything A sent (10,000 octets in 7 segments of at most 1460): the
    // whole limit is free again.
    pass_all(a, b);
    pass_all(b, a);
    REQUIRE(queued(a) == 0u);
    CHECK(a.conn->send(10000) == user_error::none);
    CHECK(a.conn->send(1) == user_error::insufficient_resources);
    // A state whose row refuses SEND keeps its own error: CLOSED says "does not exist".
    peer d({}, config);
    CHECK(d.conn->send(20000) == user_error::connection_does_not_exist);
    // In LISTEN, SEND is an active OPEN: beyond the limit it is refused and nothing opens.
    d.conn->open_passive();
    CHECK(d.conn->send(20000) == user_error::insufficient_resources);
    CHECK(d.st() == S::listen);
    CHECK(d.sent.empty());
}

TEST_CASE("mss: the peer's MSS is raised to min_snd_mss (48, Linux's tcp_min_snd_mss)", "[connection][edges]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.nagle = false;
    REQUIRE(config.min_snd_mss == 48);
    const auto segment_sizes = [&](std::uint16_t peer_mss, std::uint32_t octets) {
        peer b({4999}, config);
        b.conn->open_passive();
        tcpfsm::segment syn = make(999, 0, ctl::syn);
        syn.mss = peer_mss;
        b.receive(syn);
        b.take("<SEQ=4999><ACK=1000><CTL=SYN,ACK>");
        b.receive(make(1000, 5000, ctl::ack));
        REQUIRE(b.st() == S::established);
        REQUIRE(b.conn->send(octets) == user_error::none);
        std::vector<std::uint32_t> sizes;
        for (const auto& s : b.sent) sizes.push_back(s.header.text_length);
        return sizes;
    };
    // MSS 1: 200 octets go as 48 + 48 + 48 + 48 + 8 (200 = 4 * 48 + 8).
    CHECK(segment_sizes(1, 200) == std::vector<std::uint32_t>{48, 48, 48, 48, 8});
    // MSS 47 is below the floor too; 48 and above stand.
    CHECK(segment_sizes(47, 100) == std::vector<std::uint32_t>{48, 48, 4});
    CHECK(segment_sizes(100, 250) == std::vector<std::uint32_t>{100, 100, 50});
    // An MSS option of 0 is read as absent (Linux): 536 (MUST-15).
    CHECK(segment_sizes(0, 1000) == std::vector<std::uint32_t>{536, 464});
    // Our own MSS still caps the floor.
    config.mss = 40;
    CHECK(segment_sizes(1, 100) == std::vector<std::uint32_t>{40, 40, 20});
}

TEST_CASE("output: one call sends everything the window allows (200 segments)", "[connection][edges]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.mss = 100;  // both ends: A's send MSS is 100
    // The peer window alone (no congestion cap: congestion::unlimited).
    unlimited_peer a({}, config), b({}, config);
    establish(a, b, 1000, 5000);
    // B's window is 65535 (its whole buffer); 20,000 octets = 200 segments of 100 fit in it.
    REQUIRE(a.conn->snapshot().snd_wnd == 65535u);
    REQUIRE(a.conn->send(20000) == user_error::none);
    CHECK(a.sent.size() == 200u);
    std::uint32_t expected_seq = 1000;
    bool all_full = true, in_order = true;
    for (const auto& s : a.sent) {
        all_full = all_full && s.header.text_length == 100u;
        in_order = in_order && s.header.seq == expected_seq;
        expected_seq += 100;
    }
    CHECK(all_full);
    CHECK(in_order);
    CHECK(a.conn->snapshot().unsent == 0u);
    // The window bounds it: a 1,000-octet window takes 10 segments, and the rest waits.
    unlimited_peer c({}, config), d({}, config);
    establish(c, d, 1000, 5000);
    c.receive(make(5000, 1000, ctl::ack, 0, 1000));
    REQUIRE(c.conn->snapshot().snd_wnd == 1000u);
    REQUIRE(c.conn->send(20000) == user_error::none);
    CHECK(c.sent.size() == 10u);
    CHECK(c.conn->snapshot().unsent == 19000u);
}

TEST_CASE("TIME-WAIT: a higher SYN with no listener to take it keeps TIME-WAIT and is ACKed (MUST-13)",
          "[connection][edges]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    // A closes first (active OPEN, active CLOSE: Figure 13's TCP Peer A).
    a.conn->close();
    pass(a, "<SEQ=1000><ACK=5000><CTL=FIN,ACK>", b);
    pass(b, "<SEQ=5000><ACK=1001><CTL=ACK>", a);
    b.conn->close();
    pass(b, "<SEQ=5000><ACK=1001><CTL=FIN,ACK>", a);
    pass(a, "<SEQ=1001><ACK=5001><CTL=ACK>", b);
    REQUIRE(a.st() == S::time_wait);
    REQUIRE(b.st() == S::closed);
    // A new SYN above RCV.NXT = 5001, nothing listening (the observer's default answer): A
    // stays in TIME-WAIT and answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    now_ms = 1000;
    a.receive(make(90000, 0, ctl::syn));
    CHECK(a.st() == S::time_wait);
    CHECK(a.rec.redirects == 0u);
    a.take("<SEQ=1001><ACK=5001><CTL=ACK>");
    // TIME-WAIT lasts its 2MSL from the last FIN's ACK (at 0): 2 * 30 s (timer_config's MSL).
    a.run_to(59999);
    CHECK(a.st() == S::time_wait);
    a.run_to(60000);
    CHECK(a.st() == S::closed);
}

TEST_CASE("TIME-WAIT: a listener that takes the SYN gets it with the old numbers", "[connection][edges]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    a.conn->close();
    pass_all(a, b);
    pass_all(b, a);
    b.conn->close();
    pass_all(b, a);
    pass_all(a, b);
    REQUIRE(a.st() == S::time_wait);
    a.rec.listener = true;
    a.receive(make(90000, 0, ctl::syn));
    CHECK(a.st() == S::closed);
    CHECK(a.rec.redirects == 1u);
    CHECK(a.sent.empty());
    // ISS 999, SND.NXT 1001 (after A's FIN), RCV.NXT 5001 (after B's FIN).
    CHECK(a.rec.redirected_from.iss == 999u);
    CHECK(a.rec.redirected_from.snd_nxt == 1001u);
    CHECK(a.rec.redirected_from.rcv_nxt == 5001u);
    // A SYN at or below RCV.NXT is old: the listener is not even asked, TIME-WAIT stays.
    peer c({}), d({});
    establish(c, d, 1000, 5000);
    c.conn->close();
    pass_all(c, d);
    pass_all(d, c);
    d.conn->close();
    pass_all(d, c);
    pass_all(c, d);
    c.rec.listener = true;
    c.receive(make(5001, 0, ctl::syn));
    CHECK(c.st() == S::time_wait);
    CHECK(c.rec.redirects == 0u);
    // With time_wait_reopen off the listener is not asked either.
    tcpfsm::connection_config no_reopen = tcpfsm::rfc_reference_config;
    no_reopen.time_wait_reopen = false;
    peer e({}, no_reopen), f({});
    establish(e, f, 1000, 5000);
    e.conn->close();
    pass_all(e, f);
    pass_all(f, e);
    f.conn->close();
    pass_all(f, e);
    pass_all(e, f);
    e.rec.listener = true;
    e.receive(make(90000, 0, ctl::syn));
    CHECK(e.st() == S::time_wait);
    CHECK(e.rec.redirects == 0u);
    e.take("<SEQ=1001><ACK=5001><CTL=ACK>");
}

TEST_CASE("out-of-window ACKs: limited to one per 500 ms without text, always with text", "[connection][edges]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    // B: RCV.NXT = 1000, RCV.WND = 65535, so SEG.SEQ = 1000 + 70000 is beyond the window.
    const std::uint32_t beyond = 1000u + 70000u;
    b.receive(make(beyond, 5000, ctl::ack));
    b.take("<SEQ=5000><ACK=1000><CTL=ACK>");
    b.receive(make(beyond, 5000, ctl::ack));  // within 500 ms of the last: not answered
    CHECK(b.sent.empty());
    CHECK(b.rec.dropped(tcpfsm::drop_reason::out_of_window_ack_rate_limited));
    now_ms = 499;
    b.receive(make(beyond, 5000, ctl::ack));
    CHECK(b.sent.empty());
    now_ms = 500;  // net.ipv4.tcp_invalid_ratelimit = 500 ms later
    b.receive(make(beyond, 5000, ctl::ack));
    b.take("<SEQ=5000><ACK=1000><CTL=ACK>");
    // With text, or a FIN, every one is answered (§3.10.7.4), limit or not.
    b.receive(make(beyond, 5000, ctl::ack, 10));
    b.receive(make(beyond, 5000, ctl::ack, 10));
    b.receive(make(beyond, 5000, ctl::ack | ctl::fin));
    CHECK(b.sent.size() == 3u);
    b.sent.clear();
    // One limiter for these and the challenge ACKs (Linux's last_oow_ack_time): a challenge
    // ACK at 2000 (an RST in the window, not at RCV.NXT, RFC 5961 §3.2) leaves no room for an
    // out-of-window ACK at 2000, nor the other way round at 3000.
    now_ms = 2000;
    b.receive(make(1010, 0, ctl::rst));
    b.take("<SEQ=5000><ACK=1000><CTL=ACK>");
    b.receive(make(beyond, 5000, ctl::ack));
    CHECK(b.sent.empty());
    now_ms = 3000;
    b.receive(make(beyond, 5000, ctl::ack));
    b.take("<SEQ=5000><ACK=1000><CTL=ACK>");
    b.receive(make(1010, 0, ctl::rst));
    CHECK(b.sent.empty());
    CHECK(b.rec.dropped(tcpfsm::drop_reason::challenge_ack_rate_limited));
}

TEST_CASE("invalid-segment ACK limits above 255 count as they are (16-bit config fields)", "[connection][edges]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.out_of_window_ack_limit = 300;
    cfg.challenge_ack_limit = 300;
    peer d({}), c({}, cfg);
    establish(d, c, 1000, 5000);  // c: RCV.NXT = 1000, RCV.WND = 65535
    // 400 pure ACKs beyond the window within one 500 ms window: 300 answered.
    for (int i = 0; i < 400; ++i) c.receive(make(1000u + 70000u, 5000, ctl::ack));
    CHECK(c.sent.size() == 300u);
    c.sent.clear();
    // The next window: RSTs in the window but not at RCV.NXT (RFC 5961 §3.2), 300 challenge ACKs.
    now_ms = 500;
    for (int i = 0; i < 400; ++i) c.receive(make(1010, 0, ctl::rst));
    CHECK(c.sent.size() == 300u);
    CHECK(c.rec.dropped(tcpfsm::drop_reason::challenge_ack_rate_limited));
}

TEST_CASE("out-of-window ACKs: an old SYN in SYN-RECEIVED is limited; 0 means unlimited", "[connection][edges]") {
    reset_time t;
    peer b({4999});
    b.conn->open_passive();
    b.receive(make(999, 0, ctl::syn));
    b.take("<SEQ=4999><ACK=1000><CTL=SYN,ACK>");
    // An old SYN below RCV.NXT = 1000 in SYN-RECEIVED (passive): step one's ACK, limited.
    b.receive(make(500, 0, ctl::syn));
    b.take("<SEQ=5000><ACK=1000><CTL=ACK>");
    b.receive(make(500, 0, ctl::syn));
    CHECK(b.sent.empty());
    CHECK(b.st() == S::syn_received);
    // out_of_window_ack_limit = 0: every one is answered.
    tcpfsm::connection_config unlimited = tcpfsm::rfc_reference_config;
    unlimited.out_of_window_ack_limit = 0;
    peer c({}, unlimited), d({});
    establish(c, d, 1000, 5000);
    for (int i = 0; i < 3; ++i) c.receive(make(1000u + 70000u, 5000, ctl::ack));
    CHECK(c.sent.size() == 3u);
}

// RFC 6298's RTO (1 s initial and minimum, 60 s maximum) is the one default of the engine;
// linux_rto_estimator (200 ms minimum, 120 s maximum) is the alternative a profile names.
static_assert(std::is_same<tcpfsm::default_profile::rto, tcpfsm::rto_estimator>::value);
static_assert(tcpfsm::rto_estimator::config().initial_ms == 1000 && tcpfsm::rto_estimator::config().min_ms == 1000 &&
              tcpfsm::rto_estimator::config().max_ms == 60000);
static_assert(tcpfsm::linux_rto_estimator::config().min_ms == 200);
namespace {
struct null_sink {
    void send(const tcpfsm::four_tuple&, const tcpfsm::outgoing_segment&, tcpfsm::connection_handle) noexcept {}
};
}  // namespace
// The listener's children: the same default.
static_assert(std::is_same<tcpfsm::listener<null_sink, std::chrono::steady_clock>::child_connection::profile_type::rto,
                           tcpfsm::rto_estimator>::value);

TEST_CASE("RTO: the default engine starts at 1 s and never goes below it (RFC 6298 (2.1), (2.4))",
          "[connection][edges]") {
    reset_time t;
    peer a({999});
    a.conn->open_active();
    a.take("<SEQ=999><CTL=SYN>");
    CHECK(a.conn->snapshot().rto_ms == 1000u);
    a.advance_to(999);
    CHECK(a.sent.empty());
    a.advance_to(1000);  // the SYN again after 1 s
    a.take("<SEQ=999><CTL=SYN>");
}
