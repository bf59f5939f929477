// The tracker tests' tap: two endpoints A (10.0.0.1:40000) and B (10.0.0.2:80) and the
// segments between them, built field by field as RFC 9293's figures write them.
#ifndef TCPFSM_TEST_TRACKER_HARNESS_HPP
#define TCPFSM_TEST_TRACKER_HARNESS_HPP

#include <tcpfsm/tcpfsm.hpp>

#include <cstdint>

namespace tracker_test {

using tcpfsm::state;
namespace ctl = tcpfsm::ctl;

inline tcpfsm::four_tuple tuple_of(std::uint8_t from_host, std::uint16_t from_port, std::uint8_t to_host,
                                   std::uint16_t to_port) {
    tcpfsm::four_tuple t{};
    t.local = tcpfsm::endpoint_address::ipv4(10, 0, 0, from_host);
    t.remote = tcpfsm::endpoint_address::ipv4(10, 0, 0, to_host);
    t.local_port = from_port;
    t.remote_port = to_port;
    return t;
}

// <SEQ=seq><ACK=ack><CTL=flags> with `len` octets of text and window `wnd`.
inline tcpfsm::segment seg_of(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t len = 0,
                              std::uint16_t wnd = 8192) {
    tcpfsm::segment s{};
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = len;
    s.window = wnd;
    return s;
}

inline constexpr std::uint64_t ms = 1'000'000ull;  // nanoseconds
inline constexpr std::uint8_t ack_flag = ctl::ack;
inline constexpr std::uint8_t syn_ack = ctl::syn | ctl::ack;
inline constexpr std::uint8_t fin_ack = ctl::fin | ctl::ack;

// A tap between A (side a: 10.0.0.1 sorts first) and B (side b).
struct tap {
    tcpfsm::tracker<> trk;
    std::uint16_t a_port = 40000;
    std::uint64_t now = 0;

    explicit tap(const tcpfsm::tracker_config& config = tcpfsm::tracker_config{}) : trk(config) {}

    tcpfsm::tracker_observation from_a(const tcpfsm::segment& s, int wscale = -1) {
        now += ms;
        return trk.observe(tuple_of(1, a_port, 2, 80), s, now, wscale);
    }
    tcpfsm::tracker_observation from_b(const tcpfsm::segment& s, int wscale = -1) {
        now += ms;
        return trk.observe(tuple_of(2, 80, 1, a_port), s, now, wscale);
    }
    const tcpfsm::tracked_connection& conn() const { return *trk.find(tuple_of(1, a_port, 2, 80)); }
    state a() const { return conn().endpoints[0].st; }
    state b() const { return conn().endpoints[1].st; }

    // RFC 9293 Figure 6: A's ISS 100, B's ISS 300, both ESTABLISHED after the third segment.
    void handshake(int a_scale = -1, int b_scale = -1) {
        from_a(seg_of(100, 0, ctl::syn), a_scale);
        from_b(seg_of(300, 101, syn_ack), b_scale);
        from_a(seg_of(101, 301, ack_flag));
    }
};

}  // namespace tracker_test

#endif  // TCPFSM_TEST_TRACKER_HARNESS_HPP
