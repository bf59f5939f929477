// The listener's time_to_next_deadline() and its `ss -s` block. Expected times come from
// RFC 6298 §2.1 (initial RTO 1 s) and the configured 2MSL; expected counts are computed by
// the test from the connections it scripts.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "harness.hpp"

using namespace listener_test;
using std::chrono::milliseconds;

namespace {

struct fixture {
    harness_time time;
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

    // A TIME-WAIT record alone: its 2MSL, 2 x 30 s (the default MSL, Linux's 60 s TIME-WAIT).
    scripted_client d = f.syn(client_tuple(2), 9000);
    f.server.on_segment(d.tuple, d.ack());
    const connection_handle h = f.server.accept();
    REQUIRE(f.server.close(h) == user_error::none);  // FIN-WAIT-1
    f.server.on_segment(d.tuple, make_segment(d.isn + 1u, d.server_iss + 2u, ctl::ack));              // FIN-WAIT-2
    f.server.on_segment(d.tuple, make_segment(d.isn + 1u, d.server_iss + 2u, ctl::fin | ctl::ack));  // TIME-WAIT
    REQUIRE(f.server.in_time_wait(d.tuple));
    REQUIRE(f.server.connection_count() == 0);
    CHECK(f.server.time_to_next_deadline() == milliseconds(2 * 30000));
    f.time.advance_ms(2 * 30000 - 1);
    CHECK(f.server.time_to_next_deadline() == milliseconds(1));
    f.time.advance_ms(1);
    f.server.on_timer();
    CHECK_FALSE(f.server.in_time_wait(d.tuple));
    CHECK(f.server.time_to_next_deadline() == milliseconds::max());
}

namespace {

// One scripted connection of the `ss -s` test and what the test expects of it.
struct scripted {
    scripted_client client;
    connection_handle h;
    state expected;
    bool released;  // the server gave it up with release()
};

four_tuple ipv6_client_tuple(std::uint16_t port) {
    std::uint8_t server[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    four_tuple t;
    t.local = endpoint_address::ipv6(server);
    t.remote = endpoint_address::ipv6(client);
    t.local_port = server_port;
    t.remote_port = port;
    return t;
}

}  // namespace

TEST_CASE("listener: the ss -s block counts as ss does from sockstat, sockstat6 and CurrEstab", "[listener]") {
    fixture f(small_config());
    const auto handshake = [&f](const four_tuple& t, std::uint32_t isn, bool accept) {
        scripted s{f.syn(t, isn), no_connection, state::established, false};
        f.server.on_segment(t, s.client.ack());
        if (accept) s.h = f.server.accept();
        return s;
    };
    // <SEQ=ISN+1><ACK=ISS+1 or +2><CTL=...>: the client's segments after the handshake.
    const auto from_client = [&f](const scripted& s, std::uint32_t acked_fin, std::uint8_t flags) {
        f.server.on_segment(s.client.tuple,
                            make_segment(s.client.isn + 1u, s.client.server_iss + 1u + acked_fin, flags));
    };

    std::vector<scripted> all;
    // ESTABLISHED, accepted (IPv4).
    all.push_back(handshake(client_tuple(1), 1000, true));
    // CLOSE-WAIT: the client's FIN (IPv6).
    all.push_back(handshake(ipv6_client_tuple(40002), 2000, true));
    from_client(all.back(), 0, ctl::fin | ctl::ack);
    all.back().expected = state::close_wait;
    // FIN-WAIT-1, given up by the server (IPv4).
    all.push_back(handshake(client_tuple(3), 3000, true));
    REQUIRE(f.server.release(all.back().h) == user_error::none);
    all.back().expected = state::fin_wait_1;
    all.back().released = true;
    // FIN-WAIT-2, given up by the server, its FIN acknowledged (IPv6).
    all.push_back(handshake(ipv6_client_tuple(40004), 4000, true));
    REQUIRE(f.server.release(all.back().h) == user_error::none);
    from_client(all.back(), 1, ctl::ack);
    all.back().expected = state::fin_wait_2;
    all.back().released = true;
    // TIME-WAIT: the server closes first, the client acknowledges and closes (IPv4).
    all.push_back(handshake(client_tuple(5), 5000, true));
    REQUIRE(f.server.close(all.back().h) == user_error::none);
    from_client(all.back(), 1, ctl::ack);
    from_client(all.back(), 1, ctl::fin | ctl::ack);
    all.back().expected = state::time_wait;
    // ESTABLISHED, still in the accept queue (IPv6).
    all.push_back(handshake(ipv6_client_tuple(40006), 6000, false));
    // SYN-RECEIVED: the SYN alone (IPv4).
    all.push_back(scripted{f.syn(client_tuple(7), 7000), no_connection, state::syn_received, false});

    // Each connection is where the script put it.
    for (const scripted& s : all) {
        INFO("client " << s.client.isn);
        if (s.expected == state::time_wait) {
            CHECK(f.server.in_time_wait(s.client.tuple));
        } else {
            CHECK(f.server.state_of(f.server.find(s.client.tuple)) == s.expected);
        }
    }

    // The numbers, from the script, the way ss reads them from the kernel: "inuse" counts
    // hashed full sockets (the listening socket, here unbound: IPv4; and every connection but
    // the requests in SYN-RECEIVED and the TIME-WAIT minisockets), "alloc" every full socket,
    // "tw" the TIME-WAIT minisockets, "orphan" full sockets closed by their user; CurrEstab
    // ESTABLISHED and CLOSE-WAIT (RFC 1213).
    std::uint64_t inuse4 = 1, inuse6 = 0, tw = 0, orphan = 0, estab = 0;
    for (const scripted& s : all) {
        const bool v6 = s.client.tuple.local.family == address_family::ipv6;
        if (s.expected == state::time_wait) {
            ++tw;
            continue;
        }
        if (s.expected == state::syn_received) continue;
        ++(v6 ? inuse6 : inuse4);
        if (s.released) ++orphan;
        if (s.expected == state::established || s.expected == state::close_wait) ++estab;
    }
    const std::uint64_t alloc = inuse4 + inuse6;  // every full socket here is hashed
    const ss_summary s = ss_summary_of(f.server.stats());
    CHECK(s.total == alloc + tw);
    CHECK(s.estab == estab);
    CHECK(s.closed == alloc - (inuse4 + inuse6 - tw));
    CHECK(s.orphaned == orphan);
    CHECK(s.timewait == tw);
    CHECK(s.hashed == inuse4 + inuse6);
    CHECK(s.ipv4 == inuse4);
    CHECK(s.ipv6 == inuse6);
    // The script's numbers, written out: 3 + 3 hashed, 1 TIME-WAIT, 2 orphans, 3 in CurrEstab.
    CHECK((inuse4 == 3 && inuse6 == 3 && tw == 1 && orphan == 2 && estab == 3));

    // The text, with ss's own formats.
    char expected[256];
    std::snprintf(expected, sizeof expected,
                  "TCP:   %llu (estab %llu, closed %llu, orphaned %llu, timewait %llu)\n\n"
                  "Transport Total     IP        IPv6\n"
                  "TCP\t  %-9llu %-9llu %-9llu\n",
                  static_cast<unsigned long long>(alloc + tw), static_cast<unsigned long long>(estab),
                  static_cast<unsigned long long>(alloc - (inuse4 + inuse6 - tw)),
                  static_cast<unsigned long long>(orphan), static_cast<unsigned long long>(tw),
                  static_cast<unsigned long long>(inuse4 + inuse6), static_cast<unsigned long long>(inuse4),
                  static_cast<unsigned long long>(inuse6));
    char text[256];
    const std::size_t n = write_ss_summary(f.server.stats(), text, sizeof text);
    CHECK(std::string(text) == expected);
    CHECK(n == std::string(expected).size());
    // Truncated like snprintf: the length it needs, a NUL within the buffer.
    char small[10];
    CHECK(write_ss_summary(f.server.stats(), small, sizeof small) == n);
    CHECK(std::string(small) == std::string(expected).substr(0, 9));

    // The netstat lines are still there, one per state with connections.
    char netstat[256];
    write_state_counts(f.server.stats(), netstat, sizeof netstat);
    CHECK(std::string(netstat) ==
          "LISTEN 1\nSYN_RECV 1\nESTABLISHED 2\nCLOSE_WAIT 1\nFIN_WAIT1 1\nFIN_WAIT2 1\nTIME_WAIT 1\n");

    // Everything closes: the orphans and the hashed counts go back to the listener alone.
    f.time.advance_ms(10u * 60u * 1000u);
    for (int i = 0; i < 20; ++i) {
        f.time.advance_ms(60u * 1000u);
        f.server.on_timer();
    }
    for (const scripted& c : all) {
        if (f.server.live(c.h)) f.server.abort(c.h);
        const connection_handle left = f.server.find(c.client.tuple);
        if (left) f.server.abort(left);
    }
    const ss_summary after = ss_summary_of(f.server.stats());
    CHECK(after.orphaned == 0);
    CHECK(after.ipv4 == 1);
    CHECK(after.ipv6 == 0);
    CHECK(after.timewait == 0);
    CHECK(after.total == 1);
}
