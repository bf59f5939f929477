// The SYN flood and the scale run, shared by the CI-sized tests (flood_scale_test.cpp) and
// the full-size measurement (measure_main.cpp, docs/listener.md). The listener is the system
// under test; the clients are scripted segment by segment (RFC 9293 Figure 6 and 12) and keep
// only what a client must know: its ISN (a function of its number) and the server's ISS.
#ifndef TCPFSM_TEST_LISTENER_SCENARIOS_HPP
#define TCPFSM_TEST_LISTENER_SCENARIOS_HPP

#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/slow_start.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

#include "harness.hpp"

namespace listener_test {

// The ISN of scripted client n (any fixed function will do).
inline std::uint32_t client_isn(std::uint32_t n) { return n * 2654435761u + 12345u; }

// Client n from its four-tuple (the inverse of client_tuple), or -1 for any other tuple.
inline std::int64_t client_number(const four_tuple& t) {
    if (t.remote.family != address_family::ipv4 || t.local_port != server_port) return -1;
    const std::uint32_t address = ipv4_tuple_key::host_order(t.remote);
    if (address < 0xC6336400u || address > 0xC63364FFu || t.remote_port < 10000u || t.remote_port >= 10000u + 16384u)
        return -1;
    return static_cast<std::int64_t>(((address - 0xC6336400u) << 14) | (t.remote_port - 10000u));
}

// What the listener sends, as the scripted clients see it: the ISS of each client's
// SYN,ACK, and counts of the rest (segments to spoofed sources go nowhere).
struct scripted_wire {
    std::vector<std::uint32_t>* server_iss = nullptr;  // indexed by client number
    std::vector<std::uint8_t>* got_syn_ack = nullptr;
    std::uint64_t syn_acks = 0, acks = 0, fins = 0, resets = 0, to_unknown = 0;

    void send(const four_tuple& t, const outgoing_segment& o, connection_handle) noexcept {
        const segment& s = o.header;
        if (s.rst()) ++resets;
        else if (s.syn()) ++syn_acks;
        else if (s.fin()) ++fins;
        else ++acks;
        const std::int64_t n = client_number(t);
        if (n < 0 || static_cast<std::size_t>(n) >= server_iss->size()) {
            ++to_unknown;
            return;
        }
        if (s.syn() && s.ack_flag()) {
            (*server_iss)[static_cast<std::size_t>(n)] = s.seq;
            (*got_syn_ack)[static_cast<std::size_t>(n)] = 1;
        }
    }
};

struct counting_observer : null_listener_observer {
    std::uint64_t* accepted = nullptr;
    void on_signal(connection_handle, user_signal s) noexcept {
        if (s == user_signal::accepted) ++*accepted;
    }
};

// The children's engine profile: the engine's default (CUBIC with HyStart++, timestamps,
// SACK) or the compact one below.
template <class Profile = default_profile>
using scenario_listener = listener<scripted_wire, test_clock, counting_observer, ipv4_tuple_key, Profile>;

// The compact profile (docs/engine.md, "TCB size"; test/support/empty_policies.hpp) less
// with_static_config: NewReno with RFC 3465 slow start and the smallest options, no
// timestamps (RFC 7323), no SACK (RFC 2018); the listener's observer places no text, so no
// reassembly queue either. The listener gives each child its own copy of the configuration
// (listener_config::child), which a with_static_config engine refuses (it takes its own
// configuration only), so the children keep the 8-octet pointer to it.
using compact_scenario_profile = with_timestamps<
    with_sack<engine_profile<standard_table, rto_estimator,
                             congestion::newreno<congestion::abc_slow_start<>, congestion::newreno_smallest_options>>,
              false>,
    false>;

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// xorshift64*: the spoofed sources.
struct xorshift {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 2685821657736338717ull;
    }
};

// ------------------------------------------------------------------------------------------
// SYN flood: `spoofed` SYNs from random sources that never answer, against backlog 128,
// interleaved with `real` clients that complete their handshakes. Each spoofed SYN arrives
// `interval_us` after the previous one; the accept queue is drained as the application
// would, after every segment, and on_timer() runs every 1024 segments.
// ------------------------------------------------------------------------------------------
struct flood_result {
    std::uint64_t spoofed = 0;
    std::uint32_t real = 0;
    std::uint64_t interval_us = 0;
    std::uint32_t real_syn_acked = 0;      // real clients that got a SYN,ACK
    std::uint32_t real_established = 0;    // real clients accepted in ESTABLISHED
    std::uint64_t accepted = 0;            // every accepted connection (spoofed ones cannot be)
    std::uint32_t max_syn_queue = 0;
    std::uint32_t max_accept_queue = 0;
    std::uint32_t max_connections = 0;     // connection table entries at most
    std::uint32_t table_capacity = 0;
    std::size_t allocated_bytes = 0;       // the listener's storage, fixed at construction
    listener_stats stats{};
    std::uint64_t peak_rss_kb = 0;
    double seconds = 0;
    double simulated_seconds = 0;
};

template <class Profile = default_profile>
flood_result run_flood(std::uint64_t spoofed, std::uint32_t real, std::uint64_t interval_us) {
    harness_time time;
    time.us = 1000000;
    std::vector<std::uint32_t> server_iss(real, 0);
    std::vector<std::uint8_t> got_syn_ack(real, 0);
    std::uint64_t accepted = 0;
    listener_config config;
    config.backlog = 128;
    config.max_connections = 128 + 128 + real;  // SYN queue, accept queue, the accepted real clients
    config.max_time_wait = 1024;
    scenario_listener<Profile> server(config, server_port, test_secrets, scripted_wire{&server_iss, &got_syn_ack},
                             test_clock{&time}, counting_observer{{}, &accepted});
    flood_result r;
    r.spoofed = spoofed;
    r.real = real;
    r.interval_us = interval_us;
    r.table_capacity = config.max_connections;
    r.allocated_bytes = server.allocated_bytes();
    xorshift random{0x9E3779B97F4A7C15ull};
    const std::uint64_t every = real == 0 ? spoofed + 1 : (spoofed / real > 0 ? spoofed / real : 1);
    std::uint32_t next_real = 0;
    std::vector<std::uint32_t> pending;  // real clients whose SYN,ACK came: they ACK next
    const auto start = std::chrono::steady_clock::now();
    auto drain = [&] {
        for (connection_handle h = server.accept(); h; h = server.accept()) {
            const std::int64_t n = client_number(server.tuple_of(h));
            if (n >= 0 && server.state_of(h) == state::established) ++r.real_established;
        }
    };
    auto observe = [&] {
        if (server.syn_queue_length() > r.max_syn_queue) r.max_syn_queue = server.syn_queue_length();
        if (server.accept_queue_length() > r.max_accept_queue) r.max_accept_queue = server.accept_queue_length();
        if (server.connection_count() > r.max_connections) r.max_connections = server.connection_count();
    };
    for (std::uint64_t i = 0; i < spoofed || next_real < real; ++i) {
        if (i < spoofed) {
            four_tuple t;
            t.local = endpoint_address::ipv4(192, 0, 2, 1);
            std::uint64_t x = random.next();
            std::uint32_t address = static_cast<std::uint32_t>(x >> 32);
            if ((address >> 8) == 0xC63364u) address ^= 0x01000000u;  // never a real client's network
            t.remote = endpoint_address::ipv4(address);
            t.local_port = server_port;
            t.remote_port = static_cast<std::uint16_t>(x >> 8);
            server.on_segment(t, make_segment(static_cast<std::uint32_t>(x), 0, ctl::syn, 65535, 1460));
            time.us += interval_us;
        }
        if ((i % every == every - 1 || i >= spoofed) && next_real < real) {
            const std::uint32_t n = next_real++;
            server.on_segment(client_tuple(n), make_segment(client_isn(n), 0, ctl::syn, 65535, 1460));
            if (got_syn_ack[n]) pending.push_back(n);
        }
        // The real clients' ACKs, one RTT (here: the next iteration) later.
        if (!pending.empty() && (i % 4 == 3 || i >= spoofed)) {
            for (const std::uint32_t n : pending) {
                server.on_segment(client_tuple(n), make_segment(client_isn(n) + 1u, server_iss[n] + 1u, ctl::ack));
            }
            pending.clear();
        }
        observe();
        drain();
        if ((i & 1023u) == 0) server.on_timer();
    }
    for (const std::uint32_t n : pending) {
        server.on_segment(client_tuple(n), make_segment(client_isn(n) + 1u, server_iss[n] + 1u, ctl::ack));
    }
    observe();
    drain();
    for (std::uint32_t n = 0; n < real; ++n) r.real_syn_acked += got_syn_ack[n];
    r.seconds = seconds_since(start);
    r.simulated_seconds = static_cast<double>(time.us - 1000000) / 1e6;
    r.accepted = accepted;
    r.stats = server.stats();
    r.peak_rss_kb = peak_rss_kb();
    return r;
}

// ------------------------------------------------------------------------------------------
// Scale: n concurrent connections, each opened by a handshake through the listener (SYN,
// SYN,ACK, ACK; accepted in batches of the backlog), looked up, then closed: even-numbered
// ones by the server first (FIN-WAIT-1 -> TIME-WAIT record, or closed at the cap), odd ones by
// the client first (CLOSE-WAIT -> LAST-ACK -> CLOSED); then 2MSL passes.
// ------------------------------------------------------------------------------------------
struct scale_result {
    std::uint32_t n = 0;
    std::uint32_t established_at_peak = 0;   // connection table entries in ESTABLISHED at the peak
    std::uint32_t connections_at_peak = 0;
    std::uint64_t accepted = 0;
    std::uint32_t time_wait_after_close = 0;  // records right after every close
    std::uint32_t connections_after_close = 0;
    std::uint32_t time_wait_after_2msl = 0;
    std::uint32_t max_time_wait = 0;
    std::size_t allocated_bytes = 0;
    std::size_t connection_slot_bytes = 0;
    std::size_t tcb_bytes = 0;  // sizeof the child engine
    std::size_t time_wait_slot_bytes = 0;
    std::size_t bucket_bytes = 0;
    std::uint64_t peak_rss_kb = 0;
    std::uint64_t rss_before_kb = 0;
    double open_seconds = 0, lookup_seconds = 0, close_seconds = 0;
    std::uint64_t lookups = 0, lookups_found = 0;
    listener_stats stats{};
};

template <class Profile = default_profile>
scale_result run_scale(std::uint32_t n, std::uint32_t max_time_wait) {
    scale_result r;
    r.n = n;
    r.max_time_wait = max_time_wait;
    r.rss_before_kb = peak_rss_kb();
    harness_time time;
    time.us = 1000000;
    std::vector<std::uint32_t> server_iss(n, 0);
    std::vector<std::uint8_t> got_syn_ack(n, 0);
    std::uint64_t accepted = 0;
    listener_config config;
    config.backlog = 128;
    config.max_connections = n;
    config.max_time_wait = max_time_wait;
    config.syn_cookies = syn_cookie_mode::off;  // every handshake through the SYN queue
    // The §3.10 reference (every ACK and FIN at once): the scripted clients answer within the
    // server's turn, before any turn of its would end.
    config.child = tcpfsm::rfc_reference_config;
    scenario_listener<Profile> server(config, server_port, test_secrets, scripted_wire{&server_iss, &got_syn_ack},
                             test_clock{&time}, counting_observer{{}, &accepted});
    r.allocated_bytes = server.allocated_bytes();
    r.connection_slot_bytes = scenario_listener<Profile>::connection_slot_bytes;
    r.time_wait_slot_bytes = scenario_listener<Profile>::time_wait_slot_bytes;
    r.tcb_bytes = sizeof(typename scenario_listener<Profile>::child_connection);

    // Open, in batches of the backlog: SYNs, then the ACKs, then accept().
    auto start = std::chrono::steady_clock::now();
    for (std::uint32_t first = 0; first < n; first += 128) {
        const std::uint32_t last = first + 128 < n ? first + 128 : n;
        for (std::uint32_t i = first; i < last; ++i) {
            server.on_segment(client_tuple(i), make_segment(client_isn(i), 0, ctl::syn, 65535, 1460));
        }
        for (std::uint32_t i = first; i < last; ++i) {
            server.on_segment(client_tuple(i), make_segment(client_isn(i) + 1u, server_iss[i] + 1u, ctl::ack));
        }
        while (server.accept()) {
        }
        time.us += 100;
    }
    r.open_seconds = seconds_since(start);
    r.connections_at_peak = server.connection_count();
    r.established_at_peak = static_cast<std::uint32_t>(server.stats().in(state::established));
    r.accepted = accepted;

    // Lookups: every four-tuple, three times.
    start = std::chrono::steady_clock::now();
    for (int round = 0; round < 3; ++round) {
        for (std::uint32_t i = 0; i < n; ++i) {
            r.lookups_found += server.find(client_tuple(i)) ? 1u : 0u;
            ++r.lookups;
        }
    }
    r.lookup_seconds = seconds_since(start);

    // Close.
    start = std::chrono::steady_clock::now();
    for (std::uint32_t i = 0; i < n; ++i) {
        const four_tuple t = client_tuple(i);
        const connection_handle h = server.find(t);
        const std::uint32_t isn = client_isn(i), iss = server_iss[i];
        if (i % 2 == 0) {
            server.close(h);  // <SEQ=ISS+1><ACK=ISN+1><CTL=FIN,ACK>
            server.on_segment(t, make_segment(isn + 1u, iss + 2u, ctl::fin | ctl::ack));  // ACK of it + FIN: TIME-WAIT
        } else {
            server.on_segment(t, make_segment(isn + 1u, iss + 1u, ctl::fin | ctl::ack));  // CLOSE-WAIT
            server.close(h);                                                              // LAST-ACK
            server.on_segment(t, make_segment(isn + 2u, iss + 2u, ctl::ack));             // CLOSED
        }
    }
    r.close_seconds = seconds_since(start);
    r.connections_after_close = server.connection_count();
    r.time_wait_after_close = server.time_wait_count();
    time.us += 60000000;  // 2MSL
    server.on_timer();
    r.time_wait_after_2msl = server.time_wait_count();
    r.stats = server.stats();
    r.peak_rss_kb = peak_rss_kb();
    return r;
}

}  // namespace listener_test

#endif  // TCPFSM_TEST_LISTENER_SCENARIOS_HPP
