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
