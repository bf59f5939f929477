// Test support for the listener tests: a manual clock, a sink that keeps what the listener
// sends, an observer that records, and scripted peers that speak to the listener segment by
// segment (the listener is the system under test; its peers are written out by hand from
// RFC 9293's handshake and close, Figures 6 and 12).
#ifndef TCPFSM_TEST_LISTENER_HARNESS_HPP
#define TCPFSM_TEST_LISTENER_HARNESS_HPP

#include <tcpfsm/listener.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace listener_test {

using namespace tcpfsm;

// Time in microseconds, moved by the test.
struct harness_time {
    std::uint64_t us = 0;
    void advance_ms(std::uint64_t ms) { us += ms * 1000u; }
};

struct test_clock {
    using duration = std::chrono::microseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<test_clock, duration>;
    harness_time* time = nullptr;
    time_point now() const noexcept { return time_point(duration(static_cast<rep>(time->us))); }
};

struct sent_segment {
    four_tuple tuple;
    segment seg;
    connection_handle from;
};

// Keeps every segment the listener sends.
struct capture_sink {
    std::vector<sent_segment>* out = nullptr;
    void send(const four_tuple& t, const outgoing_segment& o, connection_handle from) noexcept {
        out->push_back(sent_segment{t, o.header, from});
    }
};

struct state_change_record {
    connection_handle h;
    state from, to;
    event on;
};

struct recording_observer : null_listener_observer {
    std::vector<state_change_record>* changes = nullptr;
    std::vector<connection_handle>* released = nullptr;
    void on_state_change(connection_handle h, state from, state to, event on) noexcept {
        if (changes != nullptr) changes->push_back(state_change_record{h, from, to, on});
    }
    void on_released(connection_handle h) noexcept {
        if (released != nullptr) released->push_back(h);
    }
};

template <class Profile = default_profile, class Key = tuple_key>
using test_listener = listener<capture_sink, test_clock, recording_observer, Key, Profile>;

inline constexpr listener_secrets test_secrets{{0x0706050403020100u, 0x0f0e0d0c0b0a0908u},
                                               {0x1716151413121110u, 0x1f1e1d1c1b1a1918u},
                                               {0x2726252423222120u, 0x2f2e2d2c2b2a2928u}};

inline constexpr std::uint16_t server_port = 80;

// The four-tuple of client number `n`, seen from the server: 192.0.2.1:80 <- 198.51.100.x:port.
inline four_tuple client_tuple(std::uint32_t n) {
    four_tuple t;
    t.local = endpoint_address::ipv4(192, 0, 2, 1);
    t.remote = endpoint_address::ipv4(0xC6336400u + (n >> 14));  // 198.51.100.0 + n / 16384
    t.local_port = server_port;
    t.remote_port = static_cast<std::uint16_t>(10000u + (n & 0x3FFFu));
    return t;
}

inline segment make_segment(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint16_t window = 65535,
                            std::uint16_t mss = 0, std::uint32_t text_length = 0) {
    segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.window = window;
    s.mss = mss;
    s.text_length = text_length;
    return s;
}

// One scripted client: its ISN, and the server's ISS once the SYN,ACK is seen.
struct scripted_client {
    four_tuple tuple;
    std::uint32_t isn = 0;
    std::uint32_t server_iss = 0;

    segment syn(std::uint16_t mss = 1460) const { return make_segment(isn, 0, ctl::syn, 65535, mss); }
    // The third segment of the handshake: <SEQ=ISN+1><ACK=ISS+1><CTL=ACK>.
    segment ack() const { return make_segment(isn + 1u, server_iss + 1u, ctl::ack); }
};

// The last segment sent to `t`, or nullptr.
inline const sent_segment* last_to(const std::vector<sent_segment>& wire, const four_tuple& t) {
    for (auto it = wire.rbegin(); it != wire.rend(); ++it) {
        if (it->tuple == t) return &*it;
    }
    return nullptr;
}

inline std::size_t count_to(const std::vector<sent_segment>& wire, const four_tuple& t) {
    std::size_t n = 0;
    for (const auto& s : wire) n += s.tuple == t ? 1u : 0u;
    return n;
}

// Peak resident set (VmHWM) in kB from /proc/self/status; 0 where there is none.
inline std::uint64_t peak_rss_kb() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return 0;
    char line[256];
    std::uint64_t kb = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, "VmHWM:", 6) == 0) {
            kb = std::strtoull(line + 6, nullptr, 10);
            break;
        }
    }
    std::fclose(f);
    return kb;
}

}  // namespace listener_test

#endif  // TCPFSM_TEST_LISTENER_HARNESS_HPP
