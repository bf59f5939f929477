// The listener's queues (Linux since 2.2: a SYN queue and an accept queue of `backlog`),
// overflow behaviour (tcp_abort_on_overflow), SYN-RECEIVED timeouts, SYN cookies (RFC 4987
// §3.6), and the CLOSED state's reply for segments no connection or listener takes (RFC 9293
// §3.10.7.1). Expected segments are written from RFC 9293's handshake (§3.5, Figure 6) and
// reset generation (§3.5.2); expected times from RFC 6298's initial RTO of 1 s, doubling.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "harness.hpp"

using namespace listener_test;

namespace {

struct fixture {
    harness_time time;
    std::vector<sent_segment> wire;
    std::vector<state_change_record> changes;
    std::vector<connection_handle> released;
    test_listener<> server;

    explicit fixture(const listener_config& config)
        : server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time},
                 recording_observer{{}, &changes, &released}) {}

    // SYN from client n with ISN isn; returns the client with the server's ISS from the SYN,ACK.
    scripted_client syn(std::uint32_t n, std::uint32_t isn) {
        scripted_client c{client_tuple(n), isn, 0};
        server.on_segment(c.tuple, c.syn());
        const sent_segment* reply = last_to(wire, c.tuple);
        if (reply != nullptr && reply->seg.has(ctl::syn | ctl::ack)) c.server_iss = reply->seg.seq;
        return c;
    }
    void ack(const scripted_client& c) { server.on_segment(c.tuple, c.ack()); }
    void advance_ms(std::uint64_t ms) {
        time.advance_ms(ms);
        server.on_timer();
    }
};

// The children run the RFC 9293 §3.10 reference (every ACK at once, within the call that owes
// it): these tests read the listener's replies right after each segment.
listener_config config_with(std::uint32_t backlog, std::uint32_t syn_backlog, syn_cookie_mode cookies) {
    listener_config c;
    c.child = tcpfsm::rfc_reference_config;
    c.backlog = backlog;
    c.syn_backlog = syn_backlog;
    c.syn_cookies = cookies;
    c.max_connections = 64;
    c.max_time_wait = 64;
    return c;
}

}  // namespace

TEST_CASE("listener: a handshake makes a child in SYN-RECEIVED, then the accept queue", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::when_syn_queue_full));
    CHECK(f.server.listening_state() == state::listen);
    const scripted_client c = f.syn(1, 5000);
    // §3.10.7.2 third: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, RCV.NXT = SEG.SEQ + 1; MSS option.
    const sent_segment* reply = last_to(f.wire, c.tuple);
    REQUIRE(reply != nullptr);
    CHECK(reply->seg.flags == (ctl::syn | ctl::ack));
    CHECK(reply->seg.ack == 5001u);
    CHECK(reply->seg.mss == 1460);
    CHECK(f.server.syn_queue_length() == 1);
    CHECK(f.server.accept_queue_length() == 0);
    CHECK(f.server.state_of(f.server.find(c.tuple)) == state::syn_received);
    f.ack(c);
    CHECK(f.server.syn_queue_length() == 0);
    CHECK(f.server.accept_queue_length() == 1);
    const connection_handle h = f.server.accept();
    REQUIRE(h);
    CHECK(f.server.state_of(h) == state::established);
    CHECK(f.server.accept() == no_connection);
    // The child ran the table's rows: CLOSED -> LISTEN -> SYN-RECEIVED -> ESTABLISHED.
    REQUIRE(f.changes.size() == 3);
    CHECK(f.changes[0].to == state::listen);
    CHECK(f.changes[1].on == event::rcv_syn);
    CHECK(f.changes[2].on == event::rcv_ack_of_syn_passive);
    // ss -s: the listener itself in LISTEN, one ESTABLISHED.
    CHECK(f.server.stats().in(state::listen) == 1);
    CHECK(f.server.stats().in(state::established) == 1);
    CHECK(f.server.stats().in(state::syn_received) == 0);
    // The listener stays in LISTEN.
    CHECK(f.server.listening_state() == state::listen);
}

TEST_CASE("listener: accept() returns connections in the order their handshakes completed", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client a = f.syn(1, 100), b = f.syn(2, 200), c = f.syn(3, 300);
    f.ack(b);
    f.ack(a);
    f.ack(c);
    CHECK(f.server.tuple_of(f.server.accept()) == b.tuple);
    CHECK(f.server.tuple_of(f.server.accept()) == a.tuple);
    CHECK(f.server.tuple_of(f.server.accept()) == c.tuple);
    CHECK(f.server.stats().accepted == 3);
}

TEST_CASE("listener: backlog full: the final ACK is dropped (Linux default), then taken when there is room",
          "[listener]") {
    fixture f(config_with(2, 8, syn_cookie_mode::off));
    const scripted_client a = f.syn(1, 100), b = f.syn(2, 200), c = f.syn(3, 300);
    f.ack(a);
    f.ack(b);
    REQUIRE(f.server.accept_queue_length() == 2);
    const std::size_t sent_before = f.wire.size();
    f.ack(c);  // no room: dropped, nothing sent, still SYN-RECEIVED
    CHECK(f.wire.size() == sent_before);
    CHECK(f.server.stats().listen_overflows == 1);
    CHECK(f.server.state_of(f.server.find(c.tuple)) == state::syn_received);
    CHECK(f.server.syn_queue_length() == 1);
    // A SYN while the accept queue is full is dropped (tcp_conn_request: sk_acceptq_is_full).
    f.syn(4, 400);
    CHECK(f.server.find(client_tuple(4)) == no_connection);
    CHECK(f.server.stats().listen_drops == 1);
    CHECK(f.server.stats().listen_overflows == 2);  // Linux counts the SYN in both
    // The SYN,ACK timer (initial RTO 1 s, RFC 6298 §2.1) sends the SYN,ACK again.
    f.advance_ms(999);
    CHECK(count_to(f.wire, c.tuple) == 1);
    f.advance_ms(1);
    REQUIRE(count_to(f.wire, c.tuple) == 2);
    CHECK(last_to(f.wire, c.tuple)->seg.seq == c.server_iss);
    CHECK(last_to(f.wire, c.tuple)->seg.flags == (ctl::syn | ctl::ack));
    // Room again: the peer's ACK completes the handshake.
    REQUIRE(f.server.accept());
    f.ack(c);
    CHECK(f.server.accept_queue_length() == 2);
    CHECK(f.server.state_of(f.server.find(c.tuple)) == state::established);
}

TEST_CASE("listener: tcp_abort_on_overflow = 1 answers the final ACK with RST", "[listener]") {
    listener_config config = config_with(1, 8, syn_cookie_mode::off);
    config.abort_on_overflow = true;
    fixture f(config);
    const scripted_client a = f.syn(1, 100), b = f.syn(2, 200);
    f.ack(a);
    f.ack(b);
    // ABORT in SYN-RECEIVED (§3.10.5): <SEQ=SND.NXT><CTL=RST>; SND.NXT = ISS + 1 = SEG.ACK.
    const sent_segment* reply = last_to(f.wire, b.tuple);
    REQUIRE(reply != nullptr);
    CHECK(reply->seg.flags == ctl::rst);
    CHECK(reply->seg.seq == b.server_iss + 1u);
    CHECK(f.server.find(b.tuple) == no_connection);
    CHECK(f.server.syn_queue_length() == 0);
    CHECK(f.server.stats().listen_overflows == 1);
    CHECK(f.server.stats().in(state::syn_received) == 0);
}

TEST_CASE("listener: a SYN-RECEIVED child gives up after tcp_synack_retries = 5 (1+2+4+8+16+32 = 63 s)",
          "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client c = f.syn(1, 100);
    const connection_handle h = f.server.find(c.tuple);
    std::uint64_t elapsed = 0;
    for (const std::uint64_t wait : {1000u, 2000u, 4000u, 8000u, 16000u}) {
        f.advance_ms(wait);
        elapsed += wait;
    }
    CHECK(elapsed == 31000u);
    CHECK(count_to(f.wire, c.tuple) == 6);  // the SYN,ACK and 5 retransmissions
    f.advance_ms(31999);                    // 62.999 s
    CHECK(f.server.find(c.tuple) == h);
    f.advance_ms(1);  // 63 s: (SYN-RECEIVED, timeout_retransmit_exhausted_passive) -> LISTEN: dropped
    CHECK(f.server.find(c.tuple) == no_connection);
    CHECK_FALSE(f.server.live(h));
    CHECK(f.server.syn_queue_length() == 0);
    CHECK(f.server.stats().syn_received_timeouts == 1);
    CHECK(count_to(f.wire, c.tuple) == 6);  // Linux drops the request silently: no RST
    REQUIRE_FALSE(f.released.empty());
    CHECK(f.released.back() == h);
}

TEST_CASE("listener: SYN queue full, cookies off: the SYN is dropped", "[listener]") {
    fixture f(config_with(8, 2, syn_cookie_mode::off));
    f.syn(1, 100);
    f.syn(2, 200);
    const scripted_client c = f.syn(3, 300);
    CHECK(count_to(f.wire, c.tuple) == 0);
    CHECK(f.server.syn_queue_length() == 2);
    CHECK(f.server.stats().syn_queue_drops == 1);
}

TEST_CASE("listener: SYN queue full: a SYN cookie, and its ACK makes the child in ESTABLISHED", "[listener]") {
    fixture f(config_with(8, 2, syn_cookie_mode::when_syn_queue_full));
    f.time.us = std::uint64_t{64000000} * 33u + 5000u;  // cookie counter t = 33 (33 mod 32 = 1)
    f.syn(1, 100);
    f.syn(2, 200);
    const std::uint32_t children = f.server.connection_count();
    const scripted_client c = f.syn(3, 0xDEADBEEFu);
    const sent_segment* reply = last_to(f.wire, c.tuple);
    REQUIRE(reply != nullptr);
    CHECK(reply->seg.flags == (ctl::syn | ctl::ack));
    CHECK(reply->seg.ack == 0xDEADBEF0u);
    CHECK(reply->seg.mss == 1460);
    CHECK((c.server_iss >> 27) == 1u);           // t mod 32
    CHECK(((c.server_iss >> 24) & 7u) == 7u);    // the peer's 1460
    CHECK(f.server.connection_count() == children);  // nothing kept
    CHECK(f.server.syn_queue_length() == 2);
    CHECK(f.server.stats().syn_cookies_sent == 1);
    CHECK(f.server.stats().in(state::syn_received) == 2);

    f.time.advance_ms(500);
    f.changes.clear();
    f.ack(c);
    const connection_handle h = f.server.find(c.tuple);
    REQUIRE(h);
    CHECK(f.server.state_of(h) == state::established);
    CHECK(f.server.stats().syn_cookies_validated == 1);
    CHECK(f.server.accept_queue_length() == 1);
    // The row (LISTEN, rcv_cookie_ack) -> ESTABLISHED, after (CLOSED, open_passive) -> LISTEN.
    REQUIRE(f.changes.size() == 2);
    CHECK(f.changes[1].from == state::listen);
    CHECK(f.changes[1].to == state::established);
    CHECK(f.changes[1].on == event::rcv_cookie_ack);
    // The TCB the SYN,ACK would have made: ISS = SEG.ACK - 1, RCV.NXT = IRS + 1, the MSS.
    const connection_status s = f.server.get(h)->snapshot();
    CHECK(s.iss == c.server_iss);
    CHECK(s.snd_una == c.server_iss + 1u);
    CHECK(s.snd_nxt == c.server_iss + 1u);
    CHECK(s.rcv_nxt == 0xDEADBEF0u);
    CHECK(s.snd_mss == 1460);
    CHECK(s.snd_wnd == 65535u);
    CHECK(s.passive_origin);
    CHECK(f.server.accept() == h);
}

TEST_CASE("listener: a cookie ACK carrying text delivers it and acknowledges it", "[listener]") {
    fixture f(config_with(8, 1, syn_cookie_mode::when_syn_queue_full));
    f.syn(1, 100);
    const scripted_client c = f.syn(2, 7000);
    REQUIRE(f.server.stats().syn_cookies_sent == 1);
    segment third = c.ack();
    third.text_length = 10;
    third.flags = static_cast<std::uint8_t>(ctl::ack | ctl::psh);
    f.server.on_segment(c.tuple, third);
    const connection_handle h = f.server.find(c.tuple);
    REQUIRE(h);
    // §3.10.7.4 seventh step: RCV.NXT advances over the 10 octets after IRS + 1 = 7001.
    CHECK(f.server.get(h)->snapshot().rcv_nxt == 7011u);
    const sent_segment* reply = last_to(f.wire, c.tuple);
    REQUIRE(reply != nullptr);
    CHECK(reply->seg.flags == ctl::ack);
    CHECK(reply->seg.ack == 7011u);
    CHECK(reply->seg.seq == c.server_iss + 1u);
}

TEST_CASE("listener: a cookie is valid in its counter period and the next, forged ones get LISTEN's RST", "[listener]") {
    fixture f(config_with(8, 1, syn_cookie_mode::when_syn_queue_full));
    f.syn(1, 100);  // fills the SYN queue
    const scripted_client late = f.syn(2, 1000), forged = f.syn(3, 2000), in_time = f.syn(4, 3000);
    REQUIRE(f.server.stats().syn_cookies_sent == 3);
    // 64 s later (RFC 4987's 64 s counter has moved by 1): still valid.
    f.time.advance_ms(64000);
    f.ack(in_time);
    CHECK(f.server.state_of(f.server.find(in_time.tuple)) == state::established);
    // A wrong cookie: LISTEN's second check, any ACK is bad: <SEQ=SEG.ACK><CTL=RST>.
    scripted_client wrong = forged;
    wrong.server_iss ^= 0x00000100u;
    f.ack(wrong);
    const sent_segment* rst = last_to(f.wire, forged.tuple);
    REQUIRE(rst != nullptr);
    CHECK(rst->seg.flags == ctl::rst);
    CHECK(rst->seg.seq == wrong.server_iss + 1u);
    CHECK(f.server.find(forged.tuple) == no_connection);
    // 64 s more: the counter has moved by 2, Linux's MAX_SYNCOOKIE_AGE: too old, RST.
    f.time.advance_ms(64000);
    f.syn(5, 4000);  // a cookie sent now: cookies are checked again (tcp_synq_no_recent_overflow)
    f.ack(late);
    CHECK(f.server.find(late.tuple) == no_connection);
    CHECK(last_to(f.wire, late.tuple)->seg.flags == ctl::rst);
    CHECK(f.server.stats().syn_cookies_validated == 1);
    CHECK(f.server.stats().syn_cookies_failed == 2);
}

TEST_CASE("listener: a valid cookie ACK finding the accept queue full is dropped, or reset with abort_on_overflow",
          "[listener]") {
    for (const bool abort_on_overflow : {false, true}) {
        listener_config config = config_with(1, 1, syn_cookie_mode::when_syn_queue_full);
        config.abort_on_overflow = abort_on_overflow;
        fixture f(config);
        const scripted_client a = f.syn(1, 100);
        const scripted_client cookie = f.syn(2, 200);  // SYN queue full: a cookie
        REQUIRE(f.server.stats().syn_cookies_sent == 1);
        f.ack(a);  // the accept queue (1) is full now
        const std::size_t before = count_to(f.wire, cookie.tuple);
        f.ack(cookie);
        CHECK(f.server.find(cookie.tuple) == no_connection);
        CHECK(f.server.stats().listen_overflows == 1);
        if (abort_on_overflow) {
            REQUIRE(count_to(f.wire, cookie.tuple) == before + 1);
            CHECK(last_to(f.wire, cookie.tuple)->seg.flags == ctl::rst);
        } else {
            CHECK(count_to(f.wire, cookie.tuple) == before);
        }
    }
}

TEST_CASE("listener: segments for no connection get the CLOSED state's reply (§3.10.7.1)", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::when_syn_queue_full));
    four_tuple other_port = client_tuple(1);
    other_port.local_port = 81;  // nobody listens there
    // An ACK: <SEQ=SEG.ACK><CTL=RST>.
    f.server.on_segment(other_port, make_segment(500, 9000, ctl::ack));
    REQUIRE(f.wire.size() == 1);
    CHECK(f.wire[0].seg.flags == ctl::rst);
    CHECK(f.wire[0].seg.seq == 9000u);
    // Without ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; a SYN counts one.
    f.server.on_segment(other_port, make_segment(500, 0, ctl::syn));
    REQUIRE(f.wire.size() == 2);
    CHECK(f.wire[1].seg.flags == (ctl::rst | ctl::ack));
    CHECK(f.wire[1].seg.seq == 0u);
    CHECK(f.wire[1].seg.ack == 501u);
    // An RST is discarded.
    f.server.on_segment(other_port, make_segment(500, 0, ctl::rst));
    CHECK(f.wire.size() == 2);
    CHECK(f.server.stats().closed_replies == 3);
    // For the listener's port and no connection, with no cookie sent: LISTEN's rows: an ACK
    // gets <SEQ=SEG.ACK><CTL=RST>, an RST is ignored, a FIN without ACK is dropped.
    f.server.on_segment(client_tuple(2), make_segment(700, 4242, ctl::ack));
    REQUIRE(f.wire.size() == 3);
    CHECK(f.wire[2].seg.flags == ctl::rst);
    CHECK(f.wire[2].seg.seq == 4242u);
    f.server.on_segment(client_tuple(2), make_segment(700, 0, ctl::rst));
    f.server.on_segment(client_tuple(2), make_segment(700, 0, ctl::fin));
    CHECK(f.wire.size() == 3);
    CHECK(f.server.stats().syn_cookies_failed == 0);  // no cookie was checked
    CHECK(f.server.listening_state() == state::listen);
}

TEST_CASE("listener: a listener bound to one address leaves other addresses to the CLOSED reply", "[listener]") {
    listener_config config = config_with(8, 0, syn_cookie_mode::off);
    config.bound = true;
    config.local_address = endpoint_address::ipv4(192, 0, 2, 1);
    fixture f(config);
    four_tuple elsewhere = client_tuple(1);
    elsewhere.local = endpoint_address::ipv4(192, 0, 2, 99);
    f.server.on_segment(elsewhere, make_segment(10, 0, ctl::syn));
    REQUIRE(f.wire.size() == 1);
    CHECK(f.wire[0].seg.flags == (ctl::rst | ctl::ack));
    f.syn(2, 10);
    CHECK(f.server.syn_queue_length() == 1);
}

TEST_CASE("listener: IPv6 handshakes, and an IPv4-only table answers IPv6 as CLOSED", "[listener]") {
    std::uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::uint8_t remote[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    four_tuple t;
    t.local = endpoint_address::ipv6(local);
    t.remote = endpoint_address::ipv6(remote);
    t.local_port = server_port;
    t.remote_port = 33333;
    {
        fixture f(config_with(8, 0, syn_cookie_mode::off));
        scripted_client c{t, 77, 0};
        f.server.on_segment(t, c.syn());
        REQUIRE(f.wire.size() == 1);
        c.server_iss = f.wire[0].seg.seq;
        f.server.on_segment(t, c.ack());
        const connection_handle h = f.server.accept();
        REQUIRE(h);
        CHECK(f.server.tuple_of(h) == t);
        CHECK(f.server.state_of(h) == state::established);
    }
    {
        harness_time time;
        std::vector<sent_segment> wire;
        test_listener<default_profile, ipv4_tuple_key> v4_only(config_with(8, 0, syn_cookie_mode::off), server_port,
                                                               test_secrets, capture_sink{&wire}, test_clock{&time});
        v4_only.on_segment(t, make_segment(77, 0, ctl::syn));
        REQUIRE(wire.size() == 1);
        CHECK(wire[0].seg.flags == (ctl::rst | ctl::ack));
        CHECK(v4_only.connection_count() == 0);
    }
}

TEST_CASE("listener: user calls on a stale handle say the connection does not exist", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client c = f.syn(1, 100);
    f.ack(c);
    const connection_handle h = f.server.accept();
    REQUIRE(f.server.abort(h) == user_error::none);  // §3.10.5: <SEQ=SND.NXT><CTL=RST>
    CHECK(last_to(f.wire, c.tuple)->seg.flags == ctl::rst);
    CHECK_FALSE(f.server.live(h));
    CHECK(f.server.close(h) == user_error::connection_does_not_exist);
    CHECK(f.server.stats().in(state::established) == 0);
    // The slot is used again with another generation: the old handle stays stale.
    const scripted_client d = f.syn(2, 200);
    CHECK(f.server.find(d.tuple) != h);
    CHECK_FALSE(f.server.live(h));
    // Queries on a stale handle or no_connection name no connection (and read nothing out of
    // range): an empty four-tuple, not the slot's new occupant's.
    CHECK(f.server.tuple_of(h).remote_port == 0);
    CHECK(f.server.tuple_of(no_connection).remote_port == 0);
    CHECK(f.server.tuple_of(f.server.find(d.tuple)).remote_port == d.tuple.remote_port);
}

TEST_CASE("listener: a connection reset before accept() leaves the accept queue, the order of the rest stands",
          "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client a = f.syn(1, 100), b = f.syn(2, 200), c = f.syn(3, 300);
    f.ack(a);
    f.ack(b);
    f.ack(c);
    REQUIRE(f.server.accept_queue_length() == 3);
    // §3.10.7.4 second step: RST with SEG.SEQ = RCV.NXT = ISN + 1: "connection reset", CLOSED.
    f.server.on_segment(b.tuple, make_segment(201, 0, ctl::rst));
    CHECK(f.server.find(b.tuple) == no_connection);
    CHECK(f.server.accept_queue_length() == 2);
    CHECK(f.server.tuple_of(f.server.accept()) == a.tuple);
    CHECK(f.server.tuple_of(f.server.accept()) == c.tuple);
    CHECK(f.server.accept() == no_connection);
}

TEST_CASE("listener: RST in SYN-RECEIVED drops the request (MUST-11: back to LISTEN)", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client a = f.syn(1, 100);
    REQUIRE(f.server.syn_queue_length() == 1);
    f.server.on_segment(a.tuple, make_segment(101, 0, ctl::rst));
    CHECK(f.server.find(a.tuple) == no_connection);
    CHECK(f.server.syn_queue_length() == 0);
    CHECK(f.server.stats().in(state::syn_received) == 0);
    CHECK(f.server.stats().in(state::listen) == 1);
    REQUIRE_FALSE(f.changes.empty());
    CHECK(f.changes.back().from == state::syn_received);
    CHECK(f.changes.back().to == state::listen);
    CHECK(f.changes.back().on == event::rcv_rst_passive);
}

TEST_CASE("listener: tcp_syncookies = 2 sends a cookie for every SYN", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::always));
    const scripted_client a = f.syn(1, 100);
    CHECK(f.server.connection_count() == 0);
    CHECK(f.server.syn_queue_length() == 0);
    CHECK(f.server.stats().syn_cookies_sent == 1);
    f.ack(a);
    CHECK(f.server.state_of(f.server.find(a.tuple)) == state::established);
}

TEST_CASE("listener: text both ways through an accepted connection", "[listener]") {
    fixture f(config_with(8, 0, syn_cookie_mode::off));
    const scripted_client a = f.syn(1, 100);
    f.ack(a);
    const connection_handle h = f.server.accept();
    // The client sends 5 octets: delivered, acknowledged <ACK=ISN+1+5>.
    segment data = make_segment(101, a.server_iss + 1u, ctl::ack | ctl::psh, 65535, 0, 5);
    const std::uint8_t text[5] = {'h', 'e', 'l', 'l', 'o'};
    f.server.on_segment(a.tuple, data, text);
    CHECK(last_to(f.wire, a.tuple)->seg.ack == 106u);
    // The server sends 3 octets from its buffer: <SEQ=ISS+1>, 3 octets, from handle h.
    REQUIRE(f.server.send(h, 3) == user_error::none);
    const sent_segment* out = last_to(f.wire, a.tuple);
    CHECK(out->seg.seq == a.server_iss + 1u);
    CHECK(out->seg.text_length == 3u);
    CHECK(out->from == h);
}

TEST_CASE("listener: classify() reads a cookie ACK's text and FIN as in ESTABLISHED at RCV.NXT = SEG.SEQ",
          "[listener]") {
    receive_context c;
    c.st = state::listen;
    c.cookie_valid = true;
    c.rcv_wnd = 1000;
    // <SEQ=7><ACK=3><CTL=ACK,FIN>, 5 octets: the connection, then §3.10.7.4 seventh and eighth steps.
    const classification k = classify(c, make_segment(7, 3, ctl::ack | ctl::fin, 65535, 0, 5));
    REQUIRE(k.count == 3);
    CHECK(k.events[0] == event::rcv_cookie_ack);
    CHECK(k.events[1] == event::rcv_data);
    CHECK(k.events[2] == event::rcv_fin);
    // Without cookie_valid the same segment is LISTEN's "any ACK is bad".
    c.cookie_valid = false;
    const classification bad = classify(c, make_segment(7, 3, ctl::ack | ctl::fin, 65535, 0, 5));
    REQUIRE(bad.count == 1);
    CHECK(bad.events[0] == event::rcv_ack_unacceptable);
}

namespace {
std::size_t listener_allocations = 0;

// The listener's Allocator policy, counting what it is asked for.
template <class T>
struct counting_allocator {
    using value_type = T;
    counting_allocator() = default;
    template <class U>
    counting_allocator(const counting_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) {
        ++listener_allocations;
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
    friend bool operator==(const counting_allocator&, const counting_allocator&) noexcept { return true; }
    friend bool operator!=(const counting_allocator&, const counting_allocator&) noexcept { return false; }
};
}  // namespace

// The rebinding of allocator.hpp, as std::allocator_traits<A>::rebind_alloc<U> does it: a
// template's first argument replaced, or the allocator's own rebind<U>::other.
template <class T>
struct rebinding_allocator {
    using value_type = T;
    template <class U>
    struct rebind {
        using other = counting_allocator<U>;
    };
};
static_assert(std::is_same_v<tcpfsm::detail::rebind_allocator_t<counting_allocator<unsigned char>, std::uint32_t>,
                             counting_allocator<std::uint32_t>>);
static_assert(std::is_same_v<tcpfsm::detail::rebind_allocator_t<std::allocator<unsigned char>, std::uint32_t>,
                             std::allocator<std::uint32_t>>);
static_assert(std::is_same_v<tcpfsm::detail::rebind_allocator_t<rebinding_allocator<unsigned char>, std::uint32_t>,
                             counting_allocator<std::uint32_t>>);

TEST_CASE("default_allocator: storage aligned for its type, over-aligned types too", "[listener]") {
    struct alignas(64) wide {
        unsigned char bytes[64];
    };
    tcpfsm::default_allocator<wide> a;
    wide* p = a.allocate(3);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 64u == 0);
    a.deallocate(p, 3);
    tcpfsm::default_allocator<std::uint32_t> b(a);
    std::uint32_t* q = b.allocate(5);
    CHECK(reinterpret_cast<std::uintptr_t>(q) % alignof(std::uint32_t) == 0);
    b.deallocate(q, 5);
    CHECK(a == tcpfsm::default_allocator<wide>());
}

TEST_CASE("listener: std::allocator as the allocator policy", "[listener]") {
    harness_time time;
    std::vector<sent_segment> wire;
    listener_config config = config_with(4, 2, syn_cookie_mode::when_syn_queue_full);
    listener<capture_sink, test_clock, recording_observer, tuple_key, default_profile, std::allocator<unsigned char>>
        server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time});
    scripted_client c{client_tuple(1), 1000, 0};
    server.on_segment(c.tuple, c.syn());
    c.server_iss = last_to(wire, c.tuple)->seg.seq;
    server.on_segment(c.tuple, c.ack());
    CHECK(server.state_of(server.accept()) == state::established);
}

TEST_CASE("listener: storage comes from the allocator policy at construction, and never again", "[listener]") {
    harness_time time;
    std::vector<sent_segment> wire;
    wire.reserve(10000);
    listener_config config = config_with(4, 2, syn_cookie_mode::when_syn_queue_full);
    listener_allocations = 0;
    using counted_listener = listener<capture_sink, test_clock, recording_observer, tuple_key, default_profile,
                                      counting_allocator<unsigned char>>;
    counted_listener server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time});
    // Connection slots and index, their deadline heap, generations, TIME-WAIT slots and index,
    // their deadline heap, the accept queue: 8 arrays.
    CHECK(listener_allocations == 8);
    for (std::uint32_t n = 0; n < 40; ++n) {
        scripted_client c{client_tuple(n), 1000 * n, 0};
        server.on_segment(c.tuple, c.syn());  // SYN queue, or a cookie
        c.server_iss = last_to(wire, c.tuple)->seg.seq;
        server.on_segment(c.tuple, c.ack());
        const connection_handle h = server.accept();
        if (n % 2 == 0) {
            server.close(h);
            server.on_segment(c.tuple, make_segment(c.isn + 1u, c.server_iss + 2u, ctl::fin | ctl::ack));
        } else {
            server.abort(h);
        }
        time.advance_ms(5000);
        server.on_timer();
    }
    CHECK(server.stats().time_wait_overflows == 0);
    // Connection n went to TIME-WAIT at 5 n s, for 60 s; now it is 200 s: n = 30, 32, ..., 38 remain.
    CHECK(server.time_wait_count() == 5);
    // Two requests fill the SYN queue; the third SYN gets a cookie, its ACK a connection.
    server.on_segment(client_tuple(100), make_segment(1, 0, ctl::syn));
    server.on_segment(client_tuple(101), make_segment(1, 0, ctl::syn));
    const scripted_client cookie{client_tuple(102), 5, 0};
    server.on_segment(cookie.tuple, cookie.syn());
    scripted_client answered = cookie;
    answered.server_iss = last_to(wire, cookie.tuple)->seg.seq;
    server.on_segment(cookie.tuple, answered.ack());
    CHECK(server.stats().syn_cookies_validated == 1);
    CHECK(server.state_of(server.find(cookie.tuple)) == state::established);
    CHECK(listener_allocations == 8);
}

TEST_CASE("listener: window scale on a child's SYN,ACK, never on a cookie's (the cookie cannot keep it)",
          "[listener][window_scale]") {
    // The children offer window scaling (connection_config::window_scaling, on) with a 4 MiB
    // buffer: shift 7 (65535 << 6 < 4 MiB =< 65535 << 7).
    listener_config config = config_with(8, 1, syn_cookie_mode::when_syn_queue_full);
    config.child.receive_buffer = 4u << 20;
    fixture f(config);
    // A SYN offering shift 8 gets a SYN,ACK with ours (RFC 7323 §2.2).
    scripted_client a{client_tuple(1), 100, 0};
    segment syn_a = a.syn();
    syn_a.window_scale = 8;
    f.server.on_segment(a.tuple, syn_a);
    const sent_segment* reply_a = last_to(f.wire, a.tuple);
    REQUIRE(reply_a != nullptr);
    CHECK(reply_a->seg.has(ctl::syn | ctl::ack));
    CHECK(reply_a->seg.window_scale == 7);
    // The SYN queue (1) is full: the next SYN, also offering 8, gets a cookie SYN,ACK
    // without the option, so neither side scales; the child from the cookie does not.
    scripted_client c{client_tuple(2), 0xDEADBEEFu, 0};
    segment syn_c = c.syn();
    syn_c.window_scale = 8;
    f.server.on_segment(c.tuple, syn_c);
    const sent_segment* reply_c = last_to(f.wire, c.tuple);
    REQUIRE(reply_c != nullptr);
    CHECK(reply_c->seg.has(ctl::syn | ctl::ack));
    CHECK(f.server.stats().syn_cookies_sent == 1);
    CHECK(!reply_c->seg.has_window_scale());
    c.server_iss = reply_c->seg.seq;
    f.ack(c);
    const connection_handle h = f.server.find(c.tuple);
    REQUIRE(h);
    const connection_status s = f.server.get(h)->snapshot();
    CHECK(!s.window_scaling);
    CHECK(s.snd_wnd == 65535u);  // the ACK's window, not << 8
    CHECK(s.rcv_wnd == 65535u);  // unscaled: at most 65,535 whatever the buffer
}
