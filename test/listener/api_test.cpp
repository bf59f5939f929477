// The listener's time_to_next_deadline() and its `ss -s` block. Expected times come from
// RFC 6298 §2.1 (initial RTO 1 s) and the configured 2MSL; expected counts are computed by
// the test from the connections it scripts.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "harness.hpp"

using namespace listener_test;
using std::chrono::milliseconds;

namespace {

struct fixture {
    manual_time time;
    std::vector<sent_segment> wire;
    test_listener<> server;

    explicit fixture(const listener_config& config)
        : server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time}, recording_observer{}) {}

    scripted_client syn(const four_tuple& t, std::uint32_t isn) {
        scripted_client c{t, isn, 0};
        server.on_segment(c.tuple, c.syn());
        const sent_segment* reply = last_to(wire, c.tuple);
        if (reply != nullptr && reply->seg.has(ctl::syn | ctl::ack)) c.server_iss = reply->seg.seq;
        return c;
    }
};

listener_config small_config() {
    listener_config c;
    c.max_connections = 64;
    c.max_time_wait = 64;
    return c;
}

}  // namespace

TEST_CASE("listener: time_to_next_deadline follows next_deadline, max() when nothing is armed", "[listener]") {
    fixture f(small_config());
    // Nothing but LISTEN: no timer.
    CHECK_FALSE(f.server.next_deadline());
    CHECK(f.server.time_to_next_deadline() == milliseconds::max());

    // A SYN: the child's SYN,ACK is timed with the initial RTO, 1 s (RFC 6298 §2.1).
    f.time.advance_ms(5000);
    const scripted_client c = f.syn(client_tuple(1), 7000);
    REQUIRE(c.server_iss != 0);
    CHECK(f.server.time_to_next_deadline() == milliseconds(1000));
    f.time.advance_ms(400);
    CHECK(f.server.time_to_next_deadline() == milliseconds(600));
    // Due, and past due (on_timer() not called yet): zero, never negative.
    f.time.advance_ms(600);
    CHECK(f.server.time_to_next_deadline() == milliseconds(0));
    f.time.advance_ms(250);
    CHECK(f.server.time_to_next_deadline() == milliseconds(0));
    // on_timer() resends the SYN,ACK with the RTO doubled: 2 s from now.
    f.server.on_timer();
    CHECK(f.server.time_to_next_deadline() == milliseconds(2000));

    // The peer resets: no connection, no timer.
    f.server.on_segment(c.tuple, make_segment(c.isn + 1u, 0, ctl::rst));
    CHECK(f.server.connection_count() == 0);
    CHECK(f.server.time_to_next_deadline() == milliseconds::max());
}
