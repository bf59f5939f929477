// Random peers against a small listener: SYNs, ACKs, text, FINs and RSTs with plausible and
// perturbed numbers, user calls on accepted connections, time jumps. After every step the
// listener's bookkeeping must agree with a recount through its public queries: the per-state
// counts, the SYN queue (every child in SYN-RECEIVED), the bounds (backlog, capacity,
// tcp_max_tw_buckets), a four-tuple never both a connection and a TIME-WAIT record, and the
// listener itself in LISTEN.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "harness.hpp"

using namespace listener_test;

namespace {

constexpr std::uint32_t peer_count = 48;

struct peer {
    four_tuple tuple;
    std::uint32_t next_seq = 0;    // what the peer sends next
    std::uint32_t server_nxt = 0;  // after the last octet the server sent it
    connection_handle accepted = no_connection;
};

}  // namespace

TEST_CASE("soak: the listener's counts and queues agree with a recount after every step", "[listener][soak]") {
    harness_time time;
    std::vector<sent_segment> wire;
    listener_config config;
    config.backlog = 4;
    config.syn_backlog = 6;
    config.max_connections = 24;
    config.max_time_wait = 8;
    config.time_wait_challenge_acks_per_second = 0;
    test_listener<> server(config, server_port, test_secrets, capture_sink{&wire}, test_clock{&time});
    std::vector<peer> peers(peer_count);
    std::mt19937 random(2024);
    for (std::uint32_t i = 0; i < peer_count; ++i) {
        peers[i].tuple = client_tuple(i);
        peers[i].next_seq = static_cast<std::uint32_t>(random());
    }
    auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(random() % n); };
    std::uint64_t established_seen = 0, time_wait_seen = 0;

    for (int step = 0; step < 30000; ++step) {
        peer& p = peers[pick(peer_count)];
        const std::uint32_t seq_noise = pick(8) == 0 ? pick(100000) : 0u;
        const std::uint32_t ack_noise = pick(8) == 0 ? pick(100000) : 0u;
        const std::uint32_t seq = p.next_seq + seq_noise;
        const std::uint32_t ack = p.server_nxt + ack_noise;
        wire.clear();
        switch (pick(10)) {
            case 0:
            case 1:  // a new SYN
                p.next_seq = static_cast<std::uint32_t>(random());
                server.on_segment(p.tuple, make_segment(p.next_seq, 0, ctl::syn, 65535, 1460));
                p.next_seq += 1u;
                break;
            case 2:
            case 3:  // ACK
                server.on_segment(p.tuple, make_segment(seq, ack, ctl::ack));
                break;
            case 4: {  // text
                const std::uint32_t n = 1 + pick(100);
                server.on_segment(p.tuple, make_segment(seq, ack, ctl::ack | ctl::psh, 65535, 0, n));
                if (seq_noise == 0) p.next_seq += n;
                break;
            }
            case 5:  // FIN
                server.on_segment(p.tuple, make_segment(seq, ack, ctl::fin | ctl::ack));
                if (seq_noise == 0) p.next_seq += 1u;
                break;
            case 6:  // RST
                server.on_segment(p.tuple, make_segment(seq, 0, ctl::rst));
                break;
            case 7: {  // the application
                const connection_handle h = server.accept();
                if (h) {
                    for (auto& q : peers) {
                        if (q.tuple == server.tuple_of(h)) q.accepted = h;
                    }
                }
                if (server.live(p.accepted)) {
                    switch (pick(5)) {
                        case 0: server.close(p.accepted); break;
                        case 1: server.release(p.accepted); break;
                        case 2: server.abort(p.accepted); break;
                        case 3: server.send(p.accepted, 1 + pick(3000)); break;
                        default: {  // at most what it holds (connection::receive's contract)
                            const std::uint32_t held = server.get(p.accepted)->snapshot().receive_held;
                            const std::uint32_t n = pick(200);
                            server.receive(p.accepted, n < held ? n : held);
                            break;
                        }
                    }
                }
                break;
            }
            default:  // time passes
                time.advance_ms(pick(4) == 0 ? pick(70000) : pick(2000));
                server.on_timer();
                break;
        }
        for (const sent_segment& s : wire) {
            for (auto& q : peers) {
                if (q.tuple == s.tuple && !s.seg.rst()) {
                    q.server_nxt = s.seg.seq + s.seg.seq_length();
                    if (s.seg.syn()) q.next_seq = s.seg.ack;
                }
            }
        }

        // The recount.
        std::uint64_t counted[state_count] = {};
        std::uint32_t syn_received = 0, connections = 0, records = 0;
        std::uint64_t hashed[2] = {1, 0};  // IPv4, IPv6; the listener (unbound: IPv4)
        std::uint64_t orphans = 0;
        for (const auto& q : peers) {
            const connection_handle h = server.find(q.tuple);
            const bool record = server.in_time_wait(q.tuple);
            REQUIRE_FALSE((h && record));
            if (h) {
                const state st = server.state_of(h);
                REQUIRE(st != state::closed);
                REQUIRE(st != state::listen);
                REQUIRE(st != state::time_wait);  // TIME-WAIT is a record
                ++counted[index_of(st)];
                ++connections;
                if (st == state::syn_received) ++syn_received;
                else ++hashed[q.tuple.local.family == address_family::ipv6 ? 1 : 0];
                if (server.get(h)->orphaned()) ++orphans;
            }
            if (record) {
                ++counted[index_of(state::time_wait)];
                ++records;
            }
        }
        counted[index_of(state::listen)] += 1;  // the listener
        const listener_stats& st = server.stats();
        for (std::size_t i = 0; i < state_count; ++i) REQUIRE(st.connections[i] == counted[i]);
        REQUIRE(st.hashed_ipv4 == hashed[0]);
        REQUIRE(st.hashed_ipv6 == hashed[1]);
        REQUIRE(st.orphaned == orphans);
        REQUIRE(server.connection_count() == connections);
        REQUIRE(server.time_wait_count() == records);
        REQUIRE(server.syn_queue_length() == syn_received);
        REQUIRE(server.syn_queue_length() <= 6);
        REQUIRE(server.accept_queue_length() <= 4);
        REQUIRE(server.time_wait_count() <= 8);
        REQUIRE(server.listening_state() == state::listen);
        established_seen += counted[index_of(state::established)];
        time_wait_seen += records;
    }
    // The walk reached the interesting states.
    CHECK(established_seen > 0);
    CHECK(time_wait_seen > 0);
    CHECK(server.stats().syn_cookies_sent > 0);
    CHECK(server.stats().syn_cookies_validated > 0);
    CHECK(server.stats().listen_overflows > 0);
}
