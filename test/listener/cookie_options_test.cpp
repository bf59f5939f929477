// The listener with segment_options (listener::on_segment's overload) and SYN cookies that
// keep the SYN's options in the timestamp (issue 14 item 5). Expected values: RFC 7323 §2.2
// and §3.2, RFC 2018 §2, and Linux's cookie_init_timestamp layout (syn_cookie.hpp: bits
// 3..0 the peer's shift, 15 for none; bit 4 SACK-permitted), computed in the test.
#include <tcpfsm/listener.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "harness.hpp"

using namespace listener_test;

namespace {

// Keeps what the listener sends, options included.
struct option_capture_sink {
    std::vector<outgoing_segment>* out = nullptr;
    void send(const four_tuple& /*t*/, const outgoing_segment& o, connection_handle /*from*/) noexcept {
        out->push_back(o);
    }
};

using option_listener = listener<option_capture_sink, test_clock, recording_observer>;

listener_config cookie_options_config(syn_cookie_mode cookies) {
    listener_config c;
    c.child = tcpfsm::default_connection_config;  // offers window scaling (and what else it offers)
    c.backlog = 8;
    c.syn_cookies = cookies;
    c.max_connections = 16;
    c.max_time_wait = 16;
    return c;
}

// A Linux SYN: MSS 1460, window scale 7, SACK-permitted, TSval 1000.
segment cookie_options_syn(std::uint32_t isn) {
    segment s = make_segment(isn, 0, ctl::syn, 64240, 1460);
    s.window_scale = 7;
    return s;
}
segment_options cookie_options_syn_options() {
    segment_options o{};
    o.sack_permitted = true;
    o.has_timestamps = true;
    o.ts_val = 1000;
    return o;
}

}  // namespace

TEST_CASE("listener cookies: the SYN,ACK keeps the options only in the timestamp", "[listener][cookies][options]") {
    harness_time time;
    time.us = 5'000'000;
    std::vector<outgoing_segment> wire;
    option_listener server(cookie_options_config(syn_cookie_mode::always), server_port, test_secrets,
                           option_capture_sink{&wire}, test_clock{&time}, recording_observer{});
    const four_tuple t = client_tuple(1);
    server.on_segment(t, cookie_options_syn(100), cookie_options_syn_options());
    REQUIRE(server.stats().syn_cookies_sent == 1);
    REQUIRE(wire.size() == 1);
    const outgoing_segment& sa = wire[0];
    REQUIRE(sa.header.has(ctl::syn | ctl::ack));
    CHECK(sa.header.ack == 101u);
    CHECK(sa.options.sack.empty());
    if (sa.options.has_timestamps) {
        // Only when the engine takes the options back on the cookie ACK.
        REQUIRE(option_listener::cookie_options_kept);
        const std::uint32_t shift_bits = sa.header.has_window_scale() ? 7u : 15u;
        const std::uint32_t sack_bit = sa.options.sack_permitted ? 16u : 0u;
        CHECK((sa.options.ts_val & 63u) == (shift_bits | sack_bit));
        CHECK(sa.options.ts_ecr == 1000u);  // RFC 7323 §3.2: TSecr echoes the SYN's TSval
    } else {
        // Nothing keeps Window Scale or SACK-permitted: neither goes out (the child made from
        // the cookie neither scales nor sends SACK blocks, and the peer must agree).
        CHECK_FALSE(sa.header.has_window_scale());
        CHECK_FALSE(sa.options.sack_permitted);
    }
    if (!option_listener::cookie_options_kept) {
        CHECK_FALSE(sa.options.has_timestamps);
        CHECK_FALSE(sa.header.has_window_scale());
    }

    // The cookie ACK, echoing the TSval: the connection, ESTABLISHED.
    segment ack = make_segment(101, sa.header.seq + 1u, ctl::ack, 502);
    segment_options ack_options{};
    ack_options.has_timestamps = sa.options.has_timestamps;
    ack_options.ts_val = 1001;
    ack_options.ts_ecr = sa.options.ts_val;
    server.on_segment(t, ack, ack_options);
    CHECK(server.stats().syn_cookies_validated == 1);
    CHECK(server.state_of(server.find(t)) == state::established);
}

TEST_CASE("listener cookies: a SYN without timestamps gets a SYN,ACK without window scale or SACK-permitted",
          "[listener][cookies][options]") {
    harness_time time;
    std::vector<outgoing_segment> wire;
    option_listener server(cookie_options_config(syn_cookie_mode::always), server_port, test_secrets,
                           option_capture_sink{&wire}, test_clock{&time}, recording_observer{});
    segment_options o = cookie_options_syn_options();
    o.has_timestamps = false;
    o.ts_val = 0;
    server.on_segment(client_tuple(2), cookie_options_syn(500), o);
    REQUIRE(wire.size() == 1);
    CHECK_FALSE(wire[0].header.has_window_scale());
    CHECK_FALSE(wire[0].options.sack_permitted);
    CHECK_FALSE(wire[0].options.has_timestamps);
}

TEST_CASE("listener: a SYN's options reach the child it creates", "[listener][options]") {
    harness_time time;
    std::vector<outgoing_segment> wire;
    option_listener server(cookie_options_config(syn_cookie_mode::off), server_port, test_secrets,
                           option_capture_sink{&wire}, test_clock{&time}, recording_observer{});
    const four_tuple t = client_tuple(3);
    server.on_segment(t, cookie_options_syn(900), cookie_options_syn_options());
    REQUIRE(server.find(t) != no_connection);
    CHECK(server.state_of(server.find(t)) == state::syn_received);
    REQUIRE(wire.size() == 1);
    const outgoing_segment& sa = wire[0];
    // RFC 7323 §2.2 / §3.2, RFC 2018 §2: the SYN,ACK may carry what the SYN offered; when it
    // carries timestamps, TSecr is the SYN's TSval, which only the options could bring.
    CHECK(sa.header.has_window_scale());  // window scaling is offered by the default configuration
    if (sa.options.has_timestamps) CHECK(sa.options.ts_ecr == 1000u);
    // The same SYN without options: no SACK-permitted, no timestamps in the answer.
    wire.clear();
    const four_tuple u = client_tuple(4);
    server.on_segment(u, cookie_options_syn(901));
    REQUIRE(wire.size() == 1);
    CHECK_FALSE(wire[0].options.sack_permitted);
    CHECK_FALSE(wire[0].options.has_timestamps);
}

namespace {
struct offset_iss_stub {
    std::uint32_t timestamp_offset(const four_tuple& t) const noexcept { return 1000u + t.remote_port; }
};
struct plain_iss_stub {};
}  // namespace

TEST_CASE("listener: a child's TSval offset is its ISS generator's timestamp_offset, else 0",
          "[listener][options]") {
    four_tuple t = client_tuple(7);
    t.remote_port = 4321;
    CHECK(detail::iss_offset_of<offset_iss_stub>::get(offset_iss_stub{}, t) == 1000u + 4321u);
    CHECK(detail::iss_offset_of<plain_iss_stub>::get(plain_iss_stub{}, t) == 0u);
}

// ---- the child a cookie ACK makes keeps the options its TSecr carries (issue 14 item 5) ----
namespace {

// Holds out-of-order text (a listener observer that places it, listener.hpp).
struct cookie_placing_observer : recording_observer {
    void on_place(connection_handle, std::uint32_t, const std::uint8_t*, std::uint32_t) noexcept {}
    void on_readable(connection_handle, std::uint32_t) noexcept {}
};
static_assert(listener_observer_places_text_v<cookie_placing_observer>, "places text");
using placing_option_listener = listener<option_capture_sink, test_clock, cookie_placing_observer>;

// The smallest shift for which `buffer` fits 65535 << shift (RFC 7323 §2.3), at most 14.
std::uint8_t cookie_test_shift_for(std::uint32_t buffer) {
    std::uint8_t s = 0;
    while (s < 14 && (std::uint64_t{65535} << s) < buffer) ++s;
    return s;
}

// A listener whose SYN queue (backlog 2) is full of a flood's half-open children: the
// next SYN gets a cookie (syn_cookie_mode::when_syn_queue_full, RFC 4987 §3.6).
listener_config flooded_config() {
    listener_config c = cookie_options_config(syn_cookie_mode::when_syn_queue_full);
    c.backlog = 2;
    c.child.receive_buffer = 1u << 20;
    return c;
}

void flood(placing_option_listener& server, std::vector<outgoing_segment>& wire) {
    for (std::uint32_t n = 100; server.stats().syn_cookies_sent == 0 && n < 120; ++n) {
        server.on_segment(client_tuple(n), cookie_options_syn(n * 1000u), cookie_options_syn_options());
    }
    REQUIRE(server.stats().syn_cookies_sent == 1);  // the flood's last SYN got a cookie
    wire.clear();
}

}  // namespace

TEST_CASE("listener cookies under a SYN flood: the child keeps window scaling, SACK and timestamps from the TSecr",
          "[listener][cookies][options]") {
    REQUIRE(placing_option_listener::cookie_options_kept);
    harness_time time;
    time.us = 7'000'000;
    std::vector<outgoing_segment> wire;
    const listener_config config = flooded_config();
    placing_option_listener server(config, server_port, test_secrets, option_capture_sink{&wire},
                                   test_clock{&time}, cookie_placing_observer{});
    flood(server, wire);
    const four_tuple t = client_tuple(1);
    server.on_segment(t, cookie_options_syn(100), cookie_options_syn_options());
    REQUIRE(server.stats().syn_cookies_sent == 2);
    REQUIRE(server.find(t) == no_connection);  // no state kept for it
    REQUIRE(wire.size() == 1);
    const outgoing_segment sa = wire[0];
    REQUIRE(sa.header.has(ctl::syn | ctl::ack));
    REQUIRE(sa.options.has_timestamps);
    const std::uint8_t our_shift = cookie_test_shift_for(config.child.receive_buffer);
    REQUIRE(our_shift == 5);  // 65535 << 4 < 2^20 =< 65535 << 5
    CHECK(sa.header.window_scale == our_shift);
    CHECK(sa.options.sack_permitted);
    CHECK((sa.options.ts_val & 63u) == (7u | 16u));  // shift 7, SACK-permitted

    // 40 ms later, the cookie ACK: window 502, which is scaled (RFC 7323 §2.2: not a SYN).
    time.advance_ms(40);
    const std::uint32_t irs = 100, iss = sa.header.seq;
    segment ack = make_segment(irs + 1u, iss + 1u, ctl::ack, 502);
    segment_options ack_options{};
    ack_options.has_timestamps = true;
    ack_options.ts_val = 1040;
    ack_options.ts_ecr = sa.options.ts_val;
    server.on_segment(t, ack, ack_options);
    REQUIRE(server.stats().syn_cookies_validated == 1);
    const connection_handle h = server.find(t);
    REQUIRE(h != no_connection);
    const connection_status s = server.get(h)->snapshot();
    CHECK(s.st == state::established);
    CHECK(s.window_scaling);
    CHECK(s.snd_wscale == 7);
    CHECK(s.rcv_wscale == our_shift);
    CHECK(s.snd_wnd == (502u << 7));
    CHECK(s.timestamps);
    CHECK(s.ts_recent == 1040u);  // §3.2 / Appendix D: TS.Recent from the ACK completing the handshake
    CHECK(s.sack);
    // The cookie's MSS (syn_cookie_mss_table[7]) less the 12 octets of TSopt (RFC 6691).
    CHECK(s.snd_mss == 1460 - 12);
    // No RTT sample from TSecr: its low 6 bits are the options, not time (RFC 7323 §4.1 would
    // otherwise take now - TSecr).
    CHECK(s.srtt_ms == 0);

    // Out-of-order data, 1000 octets past RCV.NXT: an immediate ACK with one SACK block
    // (RFC 2018 §4; RFC 5681 §4.2) and TSecr = TS.Recent (§4.3: the segment starts after
    // Last.ACK.sent = RCV.NXT, so TS.Recent stays the handshake's).
    time.advance_ms(10);
    wire.clear();
    const std::uint32_t rcv_nxt = irs + 1u;
    std::uint8_t text[100] = {};
    segment data = make_segment(rcv_nxt + 1000u, iss + 1u, ctl::ack, 502, 0, 100);
    segment_options data_options{};
    data_options.has_timestamps = true;
    data_options.ts_val = 1050;
    data_options.ts_ecr = sa.options.ts_val;
    server.on_segment(t, data, data_options, text);
    server.on_timer();  // the consumer's turn ends: the ACK goes out (RFC 5681 §4.2: at once)
    REQUIRE(wire.size() == 1);
    const outgoing_segment& reply = wire[0];
    CHECK(reply.header.ack == rcv_nxt);
    REQUIRE(reply.options.sack.count == 1);
    CHECK(reply.options.sack.blocks[0].left == rcv_nxt + 1000u);
    CHECK(reply.options.sack.blocks[0].right == rcv_nxt + 1100u);
    REQUIRE(reply.options.has_timestamps);
    CHECK(reply.options.ts_ecr == 1040u);
    // Its TSval comes from the same clock and offset as the SYN,ACK's, 50 ms later: the
    // SYN,ACK's TSval was rounded down by less than 64 (syn_cookie_timestamp).
    const std::uint32_t advance = reply.options.ts_val - sa.options.ts_val;
    CHECK(advance >= 50u);
    CHECK(advance < 50u + 64u);
    // Its window: RCV.WND >> our shift (the buffer, 2^20, is all free but the 100 held octets
    // are not delivered: the window is at most 2^20 >> 5).
    CHECK(reply.header.window <= ((1u << 20) >> our_shift));
    CHECK(reply.header.window > ((1u << 20) >> our_shift) - 100u);
}

TEST_CASE("listener cookies under a SYN flood: the child of a SYN without timestamps has no options",
          "[listener][cookies][options]") {
    harness_time time;
    time.us = 7'000'000;
    std::vector<outgoing_segment> wire;
    placing_option_listener server(flooded_config(), server_port, test_secrets, option_capture_sink{&wire},
                                   test_clock{&time}, cookie_placing_observer{});
    flood(server, wire);
    const four_tuple t = client_tuple(2);
    segment_options o = cookie_options_syn_options();
    o.has_timestamps = false;
    o.ts_val = 0;
    server.on_segment(t, cookie_options_syn(300), o);
    REQUIRE(server.stats().syn_cookies_sent == 2);
    REQUIRE(wire.size() == 1);
    const outgoing_segment sa = wire[0];
    CHECK_FALSE(sa.header.has_window_scale());
    CHECK_FALSE(sa.options.sack_permitted);
    CHECK_FALSE(sa.options.has_timestamps);
    segment ack = make_segment(301, sa.header.seq + 1u, ctl::ack, 502);
    server.on_segment(t, ack, segment_options{});
    REQUIRE(server.stats().syn_cookies_validated == 1);
    const connection_handle h = server.find(t);
    REQUIRE(h != no_connection);
    const connection_status s = server.get(h)->snapshot();
    CHECK(s.st == state::established);
    CHECK_FALSE(s.window_scaling);
    CHECK(s.snd_wscale == 0);
    CHECK(s.rcv_wscale == 0);
    CHECK(s.snd_wnd == 502u);  // unscaled
    CHECK_FALSE(s.timestamps);
    CHECK_FALSE(s.sack);
    CHECK(s.snd_mss == 1460);
    // Out-of-order data: the ACK carries no SACK block and no timestamps.
    wire.clear();
    std::uint8_t text[100] = {};
    server.on_segment(t, make_segment(301u + 1000u, sa.header.seq + 1u, ctl::ack, 502, 0, 100), segment_options{},
                      text);
    server.on_timer();
    REQUIRE(wire.size() == 1);
    CHECK(wire[0].options.sack.empty());
    CHECK_FALSE(wire[0].options.has_timestamps);
}
