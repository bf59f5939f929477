// tcpfsm against lwIP 2.1.3 (Debian's liblwip-dev) in the same process, packet by packet
// through the IPv4/TCP wire codec: handshake and close with each side opening and each side
// closing first, data both ways, simultaneous close, and TIME-WAIT on both sides with the
// clock moved past it. Every expected value comes from RFC 9293 or from the configuration
// (tcpfsm's timer_config, lwIP's headers), never from a run.
//
// Each test prints the states both sides went through (lwIP's names are its own:
// tcp_debug_state_str; tcpfsm's are the RFC's, with the event of each transition).
#include "lwip_peer.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using tcpfsm::state;
using tcpfsm_lwip::lwip_peer;
using tcpfsm_lwip::lwip_socket;
using tcpfsm_lwip::lwip_state;
using tcpfsm_lwip::manual_clock;
using tcpfsm_lwip::pump_result;
using tcpfsm_lwip::tcpfsm_endpoint;
using std::chrono::milliseconds;

namespace Catch {
template <>
struct StringMaker<tcpfsm::state> {
    static std::string convert(tcpfsm::state s) { return tcpfsm::rfc_name(s); }
};
template <>
struct StringMaker<tcpfsm_lwip::lwip_state> {
    static std::string convert(tcpfsm_lwip::lwip_state s) { return tcpfsm_lwip::name(s); }
};
template <>
struct StringMaker<tcpfsm_lwip::pump_result> {
    static std::string convert(tcpfsm_lwip::pump_result r) { return tcpfsm_lwip::name(r); }
};
}  // namespace Catch

namespace {

// tcpfsm's TIME-WAIT: 2 * MSL of the default timer_config (RFC 9293 §3.10.8 "Timeout=2MSL";
// MSL 30 s as Linux, timers.hpp).
constexpr std::int64_t tcpfsm_time_wait_ms = std::int64_t{2} * tcpfsm::default_timer_config.msl_ms;

// lwIP's TIME-WAIT, from its headers: tcp_slowtmr() (every TCP_SLOW_INTERVAL) frees a
// TIME-WAIT pcb once tcp_ticks - pcb->tmr > 2 * TCP_MSL / TCP_SLOW_INTERVAL. Entered (and
// pcb->tmr last set) at T between two slow ticks, the pcb is still there at T + 2*TCP_MSL and
// gone at T + 2*TCP_MSL + TCP_SLOW_INTERVAL.
std::int64_t lwip_time_wait_ms() { return std::int64_t{2} * tcpfsm_lwip::lwip_config().tcp_msl_ms; }
std::int64_t lwip_slow_interval_ms() { return tcpfsm_lwip::lwip_config().tcp_slow_interval_ms; }

manual_clock::time_point at(std::int64_t ms) { return manual_clock::time_point(milliseconds(ms)); }
std::int64_t now_ms() { return manual_clock::now().time_since_epoch().count(); }

std::vector<std::uint8_t> pattern(std::size_t n, std::uint32_t seed) {
    std::vector<std::uint8_t> v(n);
    std::uint32_t x = seed;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;  // an LCG: every octet position gets its own value
        v[i] = static_cast<std::uint8_t>(x >> 24);
    }
    return v;
}

void print_states(const char* scenario, const tcpfsm_endpoint& ours, const lwip_socket& theirs, std::int64_t t0) {
    std::printf("[%s]\n  tcpfsm: %s\n  lwIP:   %s\n", scenario, ours.trace_string(t0).c_str(),
                theirs.trace_string(t0).c_str());
    std::fflush(stdout);
}

std::vector<state> states_of(const tcpfsm_endpoint& e) {
    std::vector<state> v;
    for (const tcpfsm_lwip::tcpfsm_trace_entry& t : e.trace()) {
        if (v.empty()) v.push_back(t.from);
        v.push_back(t.to);
    }
    return v;
}

std::vector<lwip_state> states_of(const lwip_socket& s) {
    std::vector<lwip_state> v;
    for (const tcpfsm_lwip::lwip_trace_entry& t : s.trace()) v.push_back(t.st);
    return v;
}

// The time the endpoint entered `s` (the last time), from its trace.
std::int64_t entered(const tcpfsm_endpoint& e, state s) {
    std::int64_t t = -1;
    for (const tcpfsm_lwip::tcpfsm_trace_entry& x : e.trace())
        if (x.to == s) t = x.at_ms;
    return t;
}
std::int64_t entered(const lwip_socket& e, lwip_state s) {
    std::int64_t t = -1;
    for (const tcpfsm_lwip::lwip_trace_entry& x : e.trace())
        if (x.st == s) t = x.at_ms;
    return t;
}

void check_wire_clean(const lwip_peer& peer) {
    const lwip_peer::counters& c = peer.stats();
    CHECK(c.wire_errors == 0);       // every packet lwIP sent verified (IPv4 and TCP checksums)
    CHECK(c.input_errors == 0);
    CHECK(c.serialize_errors == 0);  // every segment tcpfsm sent fit the mtu
    CHECK(c.pbuf_failures == 0);
    CHECK(c.oversize == 0);
}

// A Side that records the headers lwIP sent, then hands them to the endpoint.
struct recording_side {
    tcpfsm_endpoint& ep;
    std::vector<tcpfsm::tcp_header> seen;
    void on_lwip_packet(const tcpfsm_lwip::lwip_packet& p) {
        seen.push_back(p.parsed.tcp);
        ep.on_lwip_packet(p);
    }
    bool next_deadline(manual_clock::time_point& t) { return ep.next_deadline(t); }
    void on_timer() { ep.on_timer(); }
};

// The lwIP application of these tests: close once the peer's FIN came (CLOSE-WAIT).
struct lwip_closes_on_fin {
    lwip_socket& s;
    bool operator()() const {
        if (s.fin_received() && !s.closed_by_app()) s.close();
        return false;
    }
};

// The tcpfsm application: close once the peer's FIN came (CLOSE-WAIT).
struct tcpfsm_closes_on_fin {
    tcpfsm_endpoint& e;
    bool operator()() const {
        if (e.state() == state::close_wait) e.close();
        return false;
    }
};

}  // namespace

TEST_CASE("lwIP runs single-threaded on the manual clock with the configuration of its headers") {
    lwip_peer peer;
    const tcpfsm_lwip::lwip_constants& c = tcpfsm_lwip::lwip_config();
    std::printf("[lwIP build] NO_SYS=%d TCP_MSL=%u ms TCP_TMR_INTERVAL=%u ms TCP_SLOW_INTERVAL=%u ms TCP_WND=%u "
                "TCP_MSS=%u TCP_SND_BUF=%u LWIP_WND_SCALE=%d TCP_RCV_SCALE=%d\n",
                c.no_sys, c.tcp_msl_ms, c.tcp_tmr_interval_ms, c.tcp_slow_interval_ms, c.tcp_wnd, c.tcp_mss,
                c.tcp_snd_buf, c.wnd_scale, c.tcp_rcv_scale);
    CHECK(lwip_peer::uses_manual_clock());  // our sys_now() took the library's place
    CHECK(c.no_sys == 0);                   // Debian builds lwIP for an OS; we never start tcpip_thread
    CHECK(c.tcp_tmr_interval_ms == 250);
    CHECK(c.tcp_slow_interval_ms == 2 * c.tcp_tmr_interval_ms);
    CHECK(lwip_time_wait_ms() == 120000);  // the brief's premise: lwIP's TIME-WAIT is 2 * TCP_MSL = 120 s
    CHECK(peer.pcb_count() == 0);
}

TEST_CASE("tcpfsm active to lwIP listening: tcpfsm closes first and waits 2MSL in TIME-WAIT") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7001));
    tcpfsm_endpoint client(peer, 40001, 7001, 100000);
    const std::int64_t t0 = now_ms();

    // RFC 9293 Figure 6 (basic three-way handshake): no time needs to pass.
    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    CHECK(peer.run_until_idle(client) == pump_result::idle);
    CHECK(client.state() == state::established);
    CHECK(server.connected());
    CHECK(server.connection_state() == lwip_state::established);
    CHECK(client.signalled(tcpfsm::user_signal::connected));

    // Figure 12 (normal close), tcpfsm first: FIN-WAIT-1, FIN-WAIT-2 on the ACK of its FIN,
    // TIME-WAIT on lwIP's FIN; lwIP: CLOSE-WAIT, LAST-ACK, CLOSED on the last ACK.
    REQUIRE(client.close() == tcpfsm::user_error::none);
    CHECK(peer.run_until_idle(client, lwip_closes_on_fin{server}) == pump_result::idle);
    CHECK(server.fin_received());
    CHECK(client.state() == state::time_wait);
    CHECK(server.connection_state() == lwip_state::closed);  // LAST-ACK -> CLOSED: lwIP freed the pcb
    const std::int64_t tw = entered(client, state::time_wait);

    // TIME-WAIT lasts 2MSL (§3.10.7.4 eighth step, §3.10.8), then CLOSED.
    CHECK(peer.run_until(client, at(tw + tcpfsm_time_wait_ms - 1)) == pump_result::deadline);
    CHECK(client.state() == state::time_wait);
    CHECK(peer.run_until(client, at(tw + tcpfsm_time_wait_ms)) == pump_result::deadline);
    CHECK(client.state() == state::closed);
    CHECK(entered(client, state::closed) == tw + tcpfsm_time_wait_ms);

    print_states("tcpfsm active, lwIP listening, tcpfsm closes first", client, server, t0);
    CHECK(states_of(client) == std::vector<state>{state::closed, state::syn_sent, state::established,
                                                  state::fin_wait_1, state::fin_wait_2, state::time_wait,
                                                  state::closed});
    CHECK(states_of(server) == std::vector<lwip_state>{lwip_state::syn_rcvd, lwip_state::established,
                                                       lwip_state::close_wait, lwip_state::last_ack,
                                                       lwip_state::closed});
    check_wire_clean(peer);
}

TEST_CASE("tcpfsm active to lwIP listening: lwIP closes first and frees its TIME-WAIT pcb after 2 TCP_MSL") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7002));
    tcpfsm_endpoint client(peer, 40002, 7002, 200000);
    const std::int64_t t0 = now_ms();

    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    CHECK(peer.run_until_idle(client) == pump_result::idle);
    REQUIRE(client.state() == state::established);
    REQUIRE(server.connection_state() == lwip_state::established);

    // lwIP closes first: tcpfsm gets the FIN (CLOSE-WAIT, "closing" to the user), closes
    // (LAST-ACK), and is CLOSED on the ACK of its FIN; lwIP goes FIN-WAIT-1, FIN-WAIT-2,
    // TIME-WAIT.
    REQUIRE(server.close() == 0);
    CHECK(peer.run_until_idle(client, tcpfsm_closes_on_fin{client}) == pump_result::idle);
    CHECK(client.signalled(tcpfsm::user_signal::closing));
    CHECK(client.state() == state::closed);
    CHECK(server.connection_state() == lwip_state::time_wait);
    const std::int64_t tw = entered(server, lwip_state::time_wait);

    CHECK(peer.run_until(client, at(tw + lwip_time_wait_ms())) == pump_result::deadline);
    CHECK(server.connection_state() == lwip_state::time_wait);
    CHECK(peer.run_until(client, at(tw + lwip_time_wait_ms() + lwip_slow_interval_ms())) == pump_result::deadline);
    CHECK(server.connection_state() == lwip_state::closed);
    CHECK(peer.pcb_count() == 0);  // the listener was closed with the connection

    print_states("tcpfsm active, lwIP listening, lwIP closes first", client, server, t0);
    CHECK(states_of(client) == std::vector<state>{state::closed, state::syn_sent, state::established,
                                                  state::close_wait, state::last_ack, state::closed});
    // tcpfsm closes in the turn lwIP's FIN arrives: its FIN carries the ACK of lwIP's (one
    // segment per turn), so lwIP goes from FIN-WAIT-1 to TIME-WAIT on that FIN,ACK (RFC 9293
    // Figure 5's FIN-WAIT-1 -> TIME-WAIT edge), without FIN-WAIT-2.
    CHECK(states_of(server) == std::vector<lwip_state>{lwip_state::syn_rcvd, lwip_state::established,
                                                       lwip_state::fin_wait_1, lwip_state::time_wait,
                                                       lwip_state::closed});
    check_wire_clean(peer);
}

TEST_CASE("lwIP active to tcpfsm listening: tcpfsm closes first and the SYN options of lwIP are understood") {
    lwip_peer peer;
    tcpfsm_endpoint server(peer, 7003, 0, 300000);
    REQUIRE(server.open_passive() == tcpfsm::user_error::none);
    lwip_socket client(peer);
    recording_side side{server, {}};
    const std::int64_t t0 = now_ms();

    REQUIRE(client.connect(40003, 7003));
    CHECK(peer.run_until_idle(side) == pump_result::idle);
    CHECK(server.state() == state::established);
    CHECK(server.signalled(tcpfsm::user_signal::accepted));
    CHECK(client.connected());
    CHECK(client.connection_state() == lwip_state::established);

    // lwIP's SYN: MSS = TCP_MSS, and a window scale option (LWIP_WND_SCALE, shift
    // TCP_RCV_SCALE). tcpfsm's SYN,ACK carries one too (connection_config::window_scaling is on;
    // shift 0 for its 65,535-octet buffer), so both sides scale (RFC 7323 §2.2): lwIP's next
    // window field is TCP_WND >> TCP_RCV_SCALE (at most 65535) and tcpfsm reads SND.WND as that
    // field << TCP_RCV_SCALE (§2.3); tcpfsm's send MSS is min(TCP_MSS, its own 1460) (§3.7.1).
    REQUIRE(side.seen.size() >= 2);
    const tcpfsm::tcp_header& syn = side.seen[0];
    CHECK(syn.flags == tcpfsm::ctl::syn);
    CHECK(syn.options.has_mss);
    CHECK(syn.options.mss == tcpfsm_lwip::lwip_config().tcp_mss);
    const bool lwip_scales = tcpfsm_lwip::lwip_config().wnd_scale != 0;
    CHECK(syn.options.has_window_scale == lwip_scales);
    CHECK(syn.options.window_scale == tcpfsm_lwip::lwip_config().tcp_rcv_scale);
    const std::uint32_t shift = lwip_scales ? tcpfsm_lwip::lwip_config().tcp_rcv_scale : 0u;
    const std::uint32_t shifted = tcpfsm_lwip::lwip_config().tcp_wnd >> shift;
    const std::uint32_t field = shifted < 65535u ? shifted : 65535u;
    const tcpfsm::tcp_header& third = side.seen[1];
    CHECK(third.flags == tcpfsm::ctl::ack);
    CHECK(third.window == field);
    const tcpfsm::connection_status st = server.connection().snapshot();
    CHECK(st.snd_wnd == (field << shift));
    CHECK(st.snd_wscale == shift);
    CHECK(st.snd_mss == (tcpfsm_lwip::lwip_config().tcp_mss < 1460u ? tcpfsm_lwip::lwip_config().tcp_mss : 1460u));

    REQUIRE(server.close() == tcpfsm::user_error::none);
    CHECK(peer.run_until_idle(side, lwip_closes_on_fin{client}) == pump_result::idle);
    CHECK(server.state() == state::time_wait);
    CHECK(client.connection_state() == lwip_state::closed);
    const std::int64_t tw = entered(server, state::time_wait);
    CHECK(peer.run_until(side, at(tw + tcpfsm_time_wait_ms - 1)) == pump_result::deadline);
    CHECK(server.state() == state::time_wait);
    CHECK(peer.run_until(side, at(tw + tcpfsm_time_wait_ms)) == pump_result::deadline);
    CHECK(server.state() == state::closed);

    print_states("lwIP active, tcpfsm listening, tcpfsm closes first", server, client, t0);
    CHECK(states_of(server) == std::vector<state>{state::closed, state::listen, state::syn_received,
                                                  state::established, state::fin_wait_1, state::fin_wait_2,
                                                  state::time_wait, state::closed});
    CHECK(states_of(client) == std::vector<lwip_state>{lwip_state::syn_sent, lwip_state::established,
                                                       lwip_state::close_wait, lwip_state::last_ack,
                                                       lwip_state::closed});
    check_wire_clean(peer);
}

TEST_CASE("lwIP active to tcpfsm listening: lwIP closes first") {
    lwip_peer peer;
    tcpfsm_endpoint server(peer, 7004, 0, 400000);
    REQUIRE(server.open_passive() == tcpfsm::user_error::none);
    lwip_socket client(peer);
    const std::int64_t t0 = now_ms();

    REQUIRE(client.connect(40004, 7004));
    CHECK(peer.run_until_idle(server) == pump_result::idle);
    REQUIRE(server.state() == state::established);
    REQUIRE(client.connection_state() == lwip_state::established);

    REQUIRE(client.close() == 0);
    CHECK(peer.run_until_idle(server, tcpfsm_closes_on_fin{server}) == pump_result::idle);
    CHECK(server.signalled(tcpfsm::user_signal::closing));
    CHECK(server.state() == state::closed);
    CHECK(client.connection_state() == lwip_state::time_wait);
    const std::int64_t tw = entered(client, lwip_state::time_wait);
    CHECK(peer.run_until(server, at(tw + lwip_time_wait_ms())) == pump_result::deadline);
    CHECK(client.connection_state() == lwip_state::time_wait);
    CHECK(peer.run_until(server, at(tw + lwip_time_wait_ms() + lwip_slow_interval_ms())) == pump_result::deadline);
    CHECK(client.connection_state() == lwip_state::closed);
    CHECK(peer.pcb_count() == 0);

    print_states("lwIP active, tcpfsm listening, lwIP closes first", server, client, t0);
    CHECK(states_of(server) == std::vector<state>{state::closed, state::listen, state::syn_received,
                                                  state::established, state::close_wait, state::last_ack,
                                                  state::closed});
    // As above: tcpfsm's FIN carries the ACK of lwIP's, FIN-WAIT-1 -> TIME-WAIT.
    CHECK(states_of(client) == std::vector<lwip_state>{lwip_state::syn_sent, lwip_state::established,
                                                       lwip_state::fin_wait_1, lwip_state::time_wait,
                                                       lwip_state::closed});
    check_wire_clean(peer);
}

namespace {

// Both sides send `n` octets at once, then close once everything they sent is acknowledged
// and everything the other sent has arrived.
template <class Closer>
void exchange(lwip_peer& peer, tcpfsm_endpoint& ours, lwip_socket& theirs, std::size_t n, Closer closer) {
    const std::vector<std::uint8_t> from_tcpfsm = pattern(n, 0x7c9f5u);
    const std::vector<std::uint8_t> from_lwip = pattern(n, 0x1a2b3u);
    REQUIRE(ours.send(from_tcpfsm.data(), from_tcpfsm.size()) == tcpfsm::user_error::none);
    theirs.send(from_lwip.data(), from_lwip.size());
    // Delayed ACKs (lwIP acknowledges every second segment at once, the rest at its next
    // tcp_fasttmr) and window updates need the clock; nothing is lost, so no retransmission
    // timer can expire (RTO >= 1 s, RFC 6298 (2.4)) unless a segment is mishandled.
    const pump_result r = peer.run_for(ours, milliseconds(30000), [&] {
        return ours.received().size() == n && theirs.received().size() == n && ours.unacknowledged() == 0 &&
               theirs.acked() == n;
    });
    CHECK(r == pump_result::stopped);
    CHECK(ours.received().size() == n);
    CHECK(theirs.received().size() == n);
    CHECK(ours.received() == from_lwip);    // every octet, in order
    CHECK(theirs.received() == from_tcpfsm);
    CHECK(ours.unacknowledged() == 0);
    CHECK(theirs.acked() == n);
    CHECK(ours.connection().snapshot().retransmits == 0);
    closer();
}

}  // namespace

TEST_CASE("data both ways with tcpfsm active: 100000 octets each way and every octet checked") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7005));
    tcpfsm_endpoint client(peer, 40005, 7005, 0xfffff000u);  // SND.NXT wraps 2^32 during the transfer
    const std::int64_t t0 = now_ms();
    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    peer.run_until_idle(client);
    REQUIRE(client.state() == state::established);
    REQUIRE(server.connection_state() == lwip_state::established);

    const std::size_t n = 100000;  // more than either receive window (65535): flow control works
    exchange(peer, client, server, n, [&] {
        REQUIRE(client.close() == tcpfsm::user_error::none);
        CHECK(peer.run_until_idle(client, lwip_closes_on_fin{server}) == pump_result::idle);
    });
    const std::int64_t t_data = now_ms() - t0;
    CHECK(client.state() == state::time_wait);
    CHECK(server.connection_state() == lwip_state::closed);
    print_states("data both ways, tcpfsm active, tcpfsm closes first", client, server, t0);
    std::printf("  %zu octets each way in %lld ms of manual time; %llu packets to lwIP, %llu to tcpfsm\n", n,
                static_cast<long long>(t_data), static_cast<unsigned long long>(peer.stats().to_lwip_packets),
                static_cast<unsigned long long>(peer.stats().to_tcpfsm_packets));
    CHECK(peer.stats().to_tcpfsm_text == n);  // lwIP sent each octet once: tcpfsm dropped none
    CHECK(peer.stats().to_lwip_text == n);    // and tcpfsm sent each once
    check_wire_clean(peer);
}

TEST_CASE("data both ways with lwIP active: 100000 octets each way then lwIP closes first") {
    lwip_peer peer;
    tcpfsm_endpoint server(peer, 7006, 0, 0x7ffff000u);
    REQUIRE(server.open_passive() == tcpfsm::user_error::none);
    lwip_socket client(peer);
    const std::int64_t t0 = now_ms();
    REQUIRE(client.connect(40006, 7006));
    peer.run_until_idle(server);
    REQUIRE(server.state() == state::established);
    REQUIRE(client.connection_state() == lwip_state::established);

    const std::size_t n = 100000;
    exchange(peer, server, client, n, [&] {
        REQUIRE(client.close() == 0);
        CHECK(peer.run_until_idle(server, tcpfsm_closes_on_fin{server}) == pump_result::idle);
    });
    CHECK(server.state() == state::closed);
    CHECK(client.connection_state() == lwip_state::time_wait);
    print_states("data both ways, lwIP active, lwIP closes first", server, client, t0);
    CHECK(peer.stats().to_tcpfsm_text == n);
    CHECK(peer.stats().to_lwip_text == n);
    check_wire_clean(peer);
}

TEST_CASE("simultaneous close: both close before either FIN arrives and both wait in TIME-WAIT") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7007));
    tcpfsm_endpoint client(peer, 40007, 7007, 700000);
    const std::int64_t t0 = now_ms();
    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    peer.run_until_idle(client);
    REQUIRE(client.state() == state::established);
    REQUIRE(server.connection_state() == lwip_state::established);

    // RFC 9293 Figure 13: each FIN is queued on the wire before the other side's arrives.
    REQUIRE(client.close() == tcpfsm::user_error::none);
    REQUIRE(server.close() == 0);
    REQUIRE(peer.pending_to_lwip() == 1);    // tcpfsm's FIN
    REQUIRE(peer.pending_to_tcpfsm() == 1);  // lwIP's FIN
    CHECK(client.state() == state::fin_wait_1);
    CHECK(server.connection_state() == lwip_state::fin_wait_1);
    CHECK(peer.run_until_idle(client) == pump_result::idle);
    // Each sees the other's FIN in FIN-WAIT-1 (CLOSING), then the ACK of its own (TIME-WAIT).
    CHECK(client.state() == state::time_wait);
    CHECK(server.connection_state() == lwip_state::time_wait);
    const std::int64_t tw_ours = entered(client, state::time_wait);
    const std::int64_t tw_lwip = entered(server, lwip_state::time_wait);

    CHECK(peer.run_until(client, at(tw_ours + tcpfsm_time_wait_ms - 1)) == pump_result::deadline);
    CHECK(client.state() == state::time_wait);
    CHECK(peer.run_until(client, at(tw_ours + tcpfsm_time_wait_ms)) == pump_result::deadline);
    CHECK(client.state() == state::closed);  // tcpfsm: 2 * 30 s
    CHECK(server.connection_state() == lwip_state::time_wait);  // lwIP: 2 * TCP_MSL = 120 s
    CHECK(peer.run_until(client, at(tw_lwip + lwip_time_wait_ms())) == pump_result::deadline);
    CHECK(server.connection_state() == lwip_state::time_wait);
    CHECK(peer.run_until(client, at(tw_lwip + lwip_time_wait_ms() + lwip_slow_interval_ms())) ==
          pump_result::deadline);
    CHECK(server.connection_state() == lwip_state::closed);
    CHECK(peer.pcb_count() == 0);

    print_states("simultaneous close (tcpfsm active, lwIP listening)", client, server, t0);
    CHECK(states_of(client) == std::vector<state>{state::closed, state::syn_sent, state::established,
                                                  state::fin_wait_1, state::closing, state::time_wait,
                                                  state::closed});
    CHECK(states_of(server) == std::vector<lwip_state>{lwip_state::syn_rcvd, lwip_state::established,
                                                       lwip_state::fin_wait_1, lwip_state::closing,
                                                       lwip_state::time_wait, lwip_state::closed});
    check_wire_clean(peer);
}

namespace {

// A Side that counts the segments with text lwIP sends, then hands them to the endpoint.
struct counting_side {
    tcpfsm_endpoint& ep;
    std::size_t text_segments = 0;
    void on_lwip_packet(const tcpfsm_lwip::lwip_packet& p) {
        if (p.seg.text_length > 0) ++text_segments;
        ep.on_lwip_packet(p);
    }
    bool next_deadline(manual_clock::time_point& t) { return ep.next_deadline(t); }
    void on_timer() { ep.on_timer(); }
};

}  // namespace

TEST_CASE("flow control: the tcpfsm receive window closes and lwIP probes until it reopens") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7008));
    tcpfsm_endpoint client(peer, 40008, 7008, 800000);
    counting_side side{client};
    const std::int64_t t0 = now_ms();
    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    peer.run_until_idle(side);
    REQUIRE(client.state() == state::established);

    // The tcpfsm application reads nothing: RCV.WND falls to zero after receive_buffer
    // (65535, connection_config) octets. lwIP must stay within the window (§3.8.6), may
    // hold back less than one MSS (sender SWS avoidance, §3.8.6.2.1), and must probe the
    // zero window (§3.8.6.1: MUST-36, first after one RTO, SHLD-29), which tcpfsm answers
    // with its window; the connection stays up however long that lasts (MUST-37).
    client.auto_receive = false;
    const std::size_t n = 100000;
    const std::vector<std::uint8_t> data = pattern(n, 0x5eedu);
    server.send(data.data(), n);
    const std::uint32_t window = tcpfsm::default_connection_config.receive_buffer;
    const std::uint32_t mss = tcpfsm_lwip::lwip_config().tcp_mss;
    CHECK(peer.run_for(side, milliseconds(60000)) == pump_result::deadline);
    CHECK(client.received().size() <= window);
    CHECK(client.received().size() >= window - (mss - 1));
    const std::size_t segments_at_stall = side.text_segments;
    CHECK(peer.run_for(side, milliseconds(60000)) == pump_result::deadline);
    CHECK(side.text_segments > segments_at_stall);  // probes went on in the second minute
    CHECK(client.received().size() <= window);
    CHECK(client.state() == state::established);
    CHECK(server.connection_state() == lwip_state::established);
    std::printf("  zero window (tcpfsm receiving): %zu octets taken, %zu segments with text from lwIP in 2 min, "
                "%llu drops reported by tcpfsm\n",
                client.received().size(), side.text_segments, static_cast<unsigned long long>(client.drops()));

    // The application reads: the window update lets lwIP finish.
    client.auto_receive = true;
    client.receive_held();
    const pump_result r = peer.run_for(side, milliseconds(60000), [&] { return client.received().size() == n; });
    CHECK(r == pump_result::stopped);
    CHECK(client.received() == data);
    client.close();
    peer.run_until_idle(side, lwip_closes_on_fin{server});
    CHECK(client.state() == state::time_wait);
    CHECK(server.connection_state() == lwip_state::closed);
    print_states("zero window: tcpfsm receiving, lwIP sending", client, server, t0);
    check_wire_clean(peer);
}

TEST_CASE("flow control: the lwIP receive window closes and tcpfsm probes until it reopens") {
    lwip_peer peer;
    lwip_socket server(peer);
    REQUIRE(server.listen(7009));
    tcpfsm_endpoint client(peer, 40009, 7009, 900000);
    const std::int64_t t0 = now_ms();
    REQUIRE(client.open_active() == tcpfsm::user_error::none);
    peer.run_until_idle(client);
    REQUIRE(client.state() == state::established);

    server.auto_recved = false;  // lwIP's window closes after TCP_WND octets
    const std::size_t n = 100000;
    const std::vector<std::uint8_t> data = pattern(n, 0xbeefu);
    REQUIRE(client.send(data.data(), n) == tcpfsm::user_error::none);
    const std::uint32_t window = tcpfsm_lwip::lwip_config().tcp_wnd < 65535u ? tcpfsm_lwip::lwip_config().tcp_wnd : 65535u;
    const std::uint32_t mss = tcpfsm_lwip::lwip_config().tcp_mss;
    CHECK(peer.run_for(client, milliseconds(60000)) == pump_result::deadline);
    CHECK(server.received().size() <= window);
    CHECK(server.received().size() >= window - (mss - 1));
    const tcpfsm::connection_status st = client.connection().snapshot();
    CHECK(st.snd_wnd == 0);
    CHECK(st.window_probes > 0);  // zero-window probes (§3.8.6.1)
    CHECK(st.retransmits == 0);   // every probe was answered (MUST-37: no give-up)
    CHECK(client.state() == state::established);
    CHECK(server.connection_state() == lwip_state::established);
    std::printf("  zero window (lwIP receiving): %zu octets taken, %u probes by tcpfsm in 1 min, RTO %u ms\n",
                server.received().size(), static_cast<unsigned>(st.window_probes), static_cast<unsigned>(st.rto_ms));

    server.auto_recved = true;
    const std::int64_t t_update = now_ms();
    server.recved();  // lwIP's window update
    const pump_result r = peer.run_for(client, milliseconds(120000), [&] { return server.received().size() == n; });
    CHECK(r == pump_result::stopped);
    CHECK(server.received() == data);
    // tcpfsm's last probe carried a new octet that lwIP's zero window refused; how long the
    // rest took after the window update shows whether tcpfsm sent that octet again at once.
    std::printf("  after lwIP's window update: all octets in %lld ms (RTO %u ms)\n",
                static_cast<long long>(now_ms() - t_update), static_cast<unsigned>(client.connection().snapshot().rto_ms));
    client.close();
    peer.run_until_idle(client, lwip_closes_on_fin{server});
    CHECK(client.state() == state::time_wait);
    CHECK(server.connection_state() == lwip_state::closed);
    print_states("zero window: lwIP receiving, tcpfsm sending", client, server, t0);
    check_wire_clean(peer);
}
