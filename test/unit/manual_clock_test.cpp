// tcpfsm::manual_time and tcpfsm::manual_clock (manual_clock.hpp): the time moves only when
// the test moves it, every clock of one manual_time reads it, and an engine built on it reads
// the milliseconds (its timers) and microseconds (the ISS, RFC 9293 §3.4.1) that were set.
#include <tcpfsm/manual_clock.hpp>
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <type_traits>

using std::chrono::microseconds;
using std::chrono::milliseconds;
using tcpfsm::manual_clock;
using tcpfsm::manual_time;

static_assert(tcpfsm::is_engine_clock_v<manual_clock>, "manual_clock satisfies the engine's Clock policy");
static_assert(std::is_same<manual_clock::time_point::clock, manual_clock>::value, "");

TEST_CASE("manual_clock: set, advance, and what the engine reads", "[manual_clock]") {
    constexpr std::int64_t moved = [] {
        manual_time t;
        t.advance(milliseconds(3));
        t.advance(microseconds(7));
        return t.microseconds();
    }();
    static_assert(moved == 3007, "3 ms + 7 us");
    static_assert(manual_clock().now().time_since_epoch().count() == 0, "a clock of no time reads 0");

    manual_time time;
    const manual_clock a = time.clock();
    const manual_clock b(time);
    CHECK(a.now().time_since_epoch() == microseconds(0));
    time.advance(milliseconds(1500));
    CHECK(time.microseconds() == 1500000);
    CHECK(time.ticks() == 1500u);
    CHECK(a.now() == b.now());
    CHECK(b.now().time_since_epoch() == microseconds(1500000));
    // Durations finer than a microsecond are truncated.
    time.advance(std::chrono::nanoseconds(999));
    CHECK(time.microseconds() == 1500000);
    // set() goes anywhere, back included.
    time.set(milliseconds(20));
    CHECK(a.now().time_since_epoch() == microseconds(20000));
    time.set(manual_time::time_point(microseconds(1999)));
    CHECK(time.ticks() == 1u);
    // Ticks are milliseconds modulo 2^32: 2^32 + 5 ms reads 5.
    time.set(milliseconds((std::int64_t{1} << 32) + 5));
    CHECK(time.ticks() == 5u);
    CHECK(manual_time(manual_time::time_point(milliseconds(9))).ticks() == 9u);
}

namespace {
struct counting_io {
    int* sent;
    std::uint32_t* last_seq;
    void send(const tcpfsm::outgoing_segment& out) noexcept {
        ++*sent;
        *last_seq = out.header.seq;
    }
};
}  // namespace

TEST_CASE("manual_clock: an engine's timers and ISS follow the manual time", "[manual_clock][connection]") {
    const tcpfsm::four_tuple tuple{tcpfsm::endpoint_address::ipv4(192, 0, 2, 1),
                                   tcpfsm::endpoint_address::ipv4(198, 51, 100, 7), 49152, 80};
    const tcpfsm::siphash_key key{0x0706050403020100u, 0x0f0e0d0c0b0a0908u};
    manual_time time;
    time.set(microseconds(4000));
    int sent = 0;
    std::uint32_t last_seq = 0;
    tcpfsm::connection<counting_io, manual_clock, tcpfsm::null_observer, tcpfsm::rfc6528_iss> c(
        tcpfsm::default_connection_config, counting_io{&sent, &last_seq}, time.clock(), {}, tcpfsm::rfc6528_iss(key));
    REQUIRE(c.open_active(tuple) == tcpfsm::user_error::none);
    CHECK(sent == 1);
    // ISS = M + F with M = 4000 us / 4 (RFC 6528 §3): the generator at the time that was set.
    CHECK(last_seq == tcpfsm::rfc6528_iss(key)(tuple, 4000));
    CHECK(last_seq == static_cast<std::uint32_t>(1000u + tcpfsm::rfc6528_iss(key).keyed_offset(tuple)));
    // The SYN's retransmission timer: the initial RTO of 1 s (RFC 6298 §2.1).
    CHECK(c.time_to_next_deadline() == milliseconds(1000));
    time.advance(milliseconds(999));
    CHECK(c.time_to_next_deadline() == milliseconds(1));
    c.on_timer();
    CHECK(sent == 1);
    time.advance(milliseconds(1));
    c.on_timer();
    CHECK(sent == 2);  // the SYN again, RTO doubled (RFC 6298 §5.5)
    CHECK(c.time_to_next_deadline() == milliseconds(2000));
}
