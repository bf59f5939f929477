// Window scaling in the engine (RFC 7323 §2, window_scaling.hpp, connection.hpp): the option
// on our SYN and SYN,ACK, the negotiation in both directions, the windows received
// (SEG.WND << Snd.Wind.Shift, never on a SYN) and sent (RCV.WND >> Rcv.Wind.Shift, the right
// edge never moved left inside the buffer), zero-window probing and RFC 5961 with scaled
// windows, a profile without it, and a simulated transfer over a 100 ms path that a 65,535
// window would cap. Every expected number is RFC 7323's arithmetic done here.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/simulator.hpp>
#include <tcpfsm/window_scaling.hpp>

#include <catch2/catch.hpp>

#include "../support/sent_log.hpp"

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace {

namespace ctl = tcpfsm::ctl;

using ws_record = tcpfsm_test::sent_log<tcpfsm::segment>;
using ws_clock = tcpfsm_test::log_clock<ws_record>;
using ws_io = tcpfsm_test::log_io<ws_record>;

using ws_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, tcpfsm::congestion::unlimited,
                                          tcpfsm::counting_statistics>;
template <class Profile = ws_profile>
using ws_engine = tcpfsm::connection<ws_io, ws_clock, tcpfsm::null_observer, tcpfsm::fixed_iss, Profile>;

constexpr std::uint32_t ws_iss = 1000;
constexpr std::uint32_t ws_irs = 5000;
constexpr std::uint32_t ws_mib4 = 4u << 20;

// RFC 7323 §2.3 as Linux picks it: the smallest shift for which the buffer fits the 16-bit
// field (65,535 << shift), at most 14; computed here by trying each shift.
std::uint8_t ws_expected_shift(std::uint64_t buffer) {
    for (std::uint8_t s = 0; s < 14; ++s) {
        if ((std::uint64_t{65535} << s) >= buffer) return s;
    }
    return 14;
}

// Every ACK at once (no delayed ACK, no per-turn deferral), so each reply is in `sent`.
tcpfsm::connection_config ws_config(std::uint32_t buffer, bool scaling = true) {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
    c.receive_buffer = buffer;
    c.window_scaling = scaling;
    return c;
}

template <class Profile = ws_profile>
struct ws_harness {
    ws_record rec;
    tcpfsm::connection_config config;
    ws_engine<Profile> conn;
    explicit ws_harness(const tcpfsm::connection_config& c)
        : config(c), conn(config, ws_io{&rec}, ws_clock{&rec}, tcpfsm::null_observer{}, tcpfsm::fixed_iss(ws_iss)) {}
    ws_harness(const ws_harness&) = delete;
    ws_harness& operator=(const ws_harness&) = delete;

    tcpfsm::segment take() {
        REQUIRE(!rec.sent.empty());
        const tcpfsm::segment s = rec.sent.front();
        rec.sent.erase(rec.sent.begin());
        return s;
    }
    tcpfsm::connection_status st() const { return conn.snapshot(); }
};

tcpfsm::segment ws_seg(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint16_t window,
                       std::uint8_t wscale = tcpfsm::no_window_scale, std::uint32_t text = 0) {
    tcpfsm::segment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = window;
    s.window_scale = wscale;
    s.text_length = text;
    return s;
}

// Active OPEN to ESTABLISHED: our SYN, the peer's SYN,ACK (with `peer_ws`), our ACK.
template <class H>
void ws_open_active(H& h, std::uint8_t peer_ws, std::uint16_t peer_window) {
    h.conn.open_active();
    (void)h.take();  // the SYN
    h.conn.on_segment(ws_seg(ctl::syn | ctl::ack, ws_irs, ws_iss + 1, peer_window, peer_ws));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
}

}  // namespace

TEST_CASE("engine window scale: the shift a buffer asks for", "[options][window_scale][engine]") {
    CHECK(tcpfsm::window_shift(ws_config(65535)) == 0);
    CHECK(tcpfsm::window_shift(ws_config(65536)) == 1);
    CHECK(tcpfsm::window_shift(ws_config(ws_mib4)) == ws_expected_shift(ws_mib4));
    CHECK(ws_expected_shift(ws_mib4) == 7);  // 65535 << 6 = 4194240 < 4 MiB =< 65535 << 7
    CHECK(tcpfsm::window_shift(ws_config(0xFFFFFFFFu)) == 14);
}

TEST_CASE("engine window scale: both offer on an active open; the SYN window is not scaled",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4));
    h.conn.open_active();
    const tcpfsm::segment syn = h.take();
    CHECK(syn.syn());
    CHECK(syn.window_scale == 7);
    CHECK(syn.window == 65535);  // §2.2: a SYN's window is never scaled, so at most 65,535
    // The peer's SYN,ACK offers 9 and a window of 1000: unscaled, it is 1000 (§2.2).
    h.conn.on_segment(ws_seg(ctl::syn | ctl::ack, ws_irs, ws_iss + 1, 1000, 9));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    CHECK(h.st().window_scaling);
    CHECK(h.st().snd_wscale == 9);
    CHECK(h.st().rcv_wscale == 7);
    CHECK(h.st().snd_wnd == 1000u);
    // Our ACK: RCV.WND = the whole buffer, 4 MiB >> 7 = 32768; no option on a non-SYN.
    const tcpfsm::segment ack = h.take();
    CHECK(ack.ack_flag());
    CHECK(!ack.syn());
    CHECK(!ack.has_window_scale());
    CHECK(ack.window == ws_mib4 >> 7);
    CHECK(h.st().rcv_wnd == ws_mib4);
    // The peer's next window, 100, is 100 << 9 = 51200 octets.
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 100));
    CHECK(h.st().snd_wnd == 100u << 9);
}

TEST_CASE("engine window scale: only we offer (the peer's SYN,ACK has none): no scaling",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4));
    ws_open_active(h, tcpfsm::no_window_scale, 2000);
    CHECK(!h.st().window_scaling);
    CHECK(h.st().snd_wscale == 0);
    CHECK(h.st().rcv_wscale == 0);
    // RCV.WND at most 65,535 without scaling, whatever the buffer.
    const tcpfsm::segment ack = h.take();
    CHECK(ack.window == 65535);
    CHECK(h.st().rcv_wnd == 65535u);
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 3000));
    CHECK(h.st().snd_wnd == 3000u);
}

TEST_CASE("engine window scale: passive open, both offer; a shift of 14 and windows near 2^30",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(0xFFFFFFFFu));  // asks for the largest shift
    h.conn.open_passive();
    h.conn.on_segment(ws_seg(ctl::syn, ws_irs, 0, 65535, 14));
    const tcpfsm::segment syn_ack = h.take();
    CHECK(syn_ack.has(ctl::syn | ctl::ack));
    CHECK(syn_ack.window_scale == 14);
    CHECK(syn_ack.window == 65535);  // unscaled on the SYN,ACK
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 65535));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    const std::uint32_t max_window = 65535u * 16384u;  // 65,535 << 14 = 1,073,725,440 < 2^30
    CHECK(max_window == 1073725440u);
    CHECK(h.st().snd_wnd == max_window);
    CHECK(h.st().max_snd_wnd == max_window);
    // RCV.WND: the buffer is cut to the largest window the field can say, 65,535 << 14.
    CHECK(h.st().rcv_wnd == max_window);
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 65534));
    CHECK(h.st().snd_wnd == 65534u * 16384u);
}

TEST_CASE("engine window scale: a shift above 14 is used as 14, and counted (RFC 7323 §2.3)",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4));
    ws_open_active(h, 15, 1000);
    CHECK(h.st().snd_wscale == 14);
    CHECK(h.conn.statistics().window_scales_clamped == 1u);
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 2));
    CHECK(h.st().snd_wnd == 2u << 14);
}

TEST_CASE("engine window scale: only the peer offers (ours off): the SYN,ACK carries none",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4, false));
    h.conn.open_passive();
    h.conn.on_segment(ws_seg(ctl::syn, ws_irs, 0, 65535, 7));
    const tcpfsm::segment syn_ack = h.take();
    CHECK(!syn_ack.has_window_scale());
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 500));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    CHECK(!h.st().window_scaling);
    CHECK(h.st().snd_wnd == 500u);  // not << 7
    CHECK(h.st().rcv_wnd == 65535u);
}

TEST_CASE("engine window scale: a passive open answers a SYN without the option without it",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4));
    h.conn.open_passive();
    h.conn.on_segment(ws_seg(ctl::syn, ws_irs, 0, 4000));
    CHECK(!h.take().has_window_scale());  // §2.2: only if the SYN carried it
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 4000, 5));  // on a non-SYN: ignored
    CHECK(!h.st().window_scaling);
    CHECK(h.st().snd_wnd == 4000u);
}

TEST_CASE("engine window scale: the option on a non-SYN segment is ignored", "[options][window_scale][engine]") {
    // Unscaled connection: an ACK carrying Window Scale neither enables nor scales.
    ws_harness<> h(ws_config(ws_mib4));
    ws_open_active(h, tcpfsm::no_window_scale, 1000);
    h.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 1200, 3));
    CHECK(!h.st().window_scaling);
    CHECK(h.st().snd_wnd == 1200u);
    // Scaled connection: a later option does not change the shift (still 9).
    ws_harness<> g(ws_config(ws_mib4));
    ws_open_active(g, 9, 1000);
    g.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 10, 2));
    CHECK(g.st().snd_wscale == 9);
    CHECK(g.st().snd_wnd == 10u << 9);
}

TEST_CASE("engine window scale: rounding never moves the advertised right edge left (§2.4)",
          "[options][window_scale][engine]") {
    ws_harness<> h(ws_config(ws_mib4));
    ws_open_active(h, 0, 65535);
    const tcpfsm::segment first = h.take();
    const std::uint32_t g = 1u << 7;
    const std::uint32_t rcv_nxt0 = ws_irs + 1;
    REQUIRE(first.window == ws_mib4 / g);
    const std::uint32_t edge0 = rcv_nxt0 + std::uint32_t{first.window} * g;
    // 100 octets arrive and are not read: the free space, 4 MiB - 100, rounded down to 128
    // would put the edge at RCV.NXT + 32767 * 128, 28 octets left of the one advertised.
    const std::uint32_t text = 100;
    h.conn.on_segment(ws_seg(ctl::ack, rcv_nxt0, ws_iss + 1, 65535, tcpfsm::no_window_scale, text));
    const tcpfsm::segment ack = h.take();
    const std::uint32_t rcv_nxt1 = rcv_nxt0 + text;
    REQUIRE(ack.ack == rcv_nxt1);
    const std::uint32_t space = ws_mib4 - text;
    CHECK(rcv_nxt1 + (space / g) * g < edge0);             // what rounding down would do
    const std::uint32_t edge1 = rcv_nxt1 + std::uint32_t{ack.window} * g;
    CHECK(edge1 >= edge0);                                  // the edge is kept
    CHECK(ack.window == (space + g - 1) / g);               // ceil(4194204 / 128) = 32768
    CHECK(edge1 - (rcv_nxt1 + space) < g);                  // at most 127 octets past the buffer
    // Text past the buffer's end (inside that rounding) is not taken: the buffer holds 4 MiB.
    // Fill the buffer to 10 octets short of its end, then send 50: 10 are taken.
    std::uint32_t seq = rcv_nxt1;
    std::uint32_t left = space - 10;
    while (left > 0) {
        const std::uint32_t n = left < 65535u ? left : 65535u;
        h.conn.on_segment(ws_seg(ctl::ack, seq, ws_iss + 1, 65535, tcpfsm::no_window_scale, n));
        seq += n;
        left -= n;
    }
    h.rec.sent.clear();
    h.conn.on_segment(ws_seg(ctl::ack, seq, ws_iss + 1, 65535, tcpfsm::no_window_scale, 50));
    CHECK(h.st().rcv_nxt == seq + 10);
    CHECK(h.st().receive_held == ws_mib4);
    // The buffer is full: the window is zero on the wire (the edge moves left only past
    // the buffer's end, so that the window can close).
    const tcpfsm::segment full = h.take();
    CHECK(full.ack == seq + 10);
    CHECK(full.window == 0);
}

TEST_CASE("engine window scale: zero window with a scale, probes, and the window reopening",
          "[options][window_scale][engine]") {
    // The receiver: a 131,072-octet buffer asks for shift 2 (65535 << 1 = 131070 < 131072).
    const std::uint32_t buffer = 131072;
    REQUIRE(ws_expected_shift(buffer) == 2);
    ws_harness<> r(ws_config(buffer));
    ws_open_active(r, 0, 65535);
    CHECK(r.take().window == buffer >> 2);
    std::uint32_t seq = ws_irs + 1;
    for (std::uint32_t n : {65535u, 65535u, 2u}) {
        r.conn.on_segment(ws_seg(ctl::ack, seq, ws_iss + 1, 65535, tcpfsm::no_window_scale, n));
        seq += n;
    }
    CHECK(r.st().receive_held == buffer);
    tcpfsm::segment last{};
    while (!r.rec.sent.empty()) last = r.take();
    CHECK(last.window == 0);
    // A zero-window probe (one octet at RCV.NXT): not taken, answered with window 0.
    r.conn.on_segment(ws_seg(ctl::ack, seq, ws_iss + 1, 65535, tcpfsm::no_window_scale, 1));
    const tcpfsm::segment answer = r.take();
    CHECK(answer.ack == seq);
    CHECK(answer.window == 0);
    // The user reads everything: the window reopens to the whole buffer, 131072 >> 2.
    r.conn.receive(buffer);
    const tcpfsm::segment update = r.take();
    CHECK(update.window == buffer >> 2);

    // The sender: the peer (shift 7) closes its window; the persist timer probes; a scaled
    // window of 1 (128 octets) lets 128 octets go.
    ws_harness<> s(ws_config(ws_mib4));
    ws_open_active(s, 7, 65535);
    s.rec.sent.clear();
    s.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 0));
    CHECK(s.st().snd_wnd == 0u);
    s.conn.send(1000);
    CHECK(s.rec.sent.empty());
    s.rec.now_ms += s.conn.time_to_next_deadline().count();
    s.conn.on_timer();
    const tcpfsm::segment probe = s.take();
    CHECK(probe.seq == ws_iss + 1);
    CHECK(probe.text_length == 1u);
    // The probe's octet is not taken; the window opens to 1 << 7 = 128 octets.
    // 128 octets are less than a full segment and than half the largest window offered
    // (65,535, the SYN,ACK's): sender SWS avoidance holds them until the persist timer, its
    // override timeout (§3.8.6.2.1), fires.
    s.conn.on_segment(ws_seg(ctl::ack, ws_irs + 1, ws_iss + 1, 1));
    CHECK(s.st().snd_wnd == 128u);
    std::uint32_t sent = 0;
    while (!s.rec.sent.empty()) sent += s.take().text_length;
    if (sent == 0) {
        s.rec.now_ms += s.conn.time_to_next_deadline().count();
        s.conn.on_timer();
        while (!s.rec.sent.empty()) sent += s.take().text_length;
    }
    CHECK(sent == 128u);
    CHECK(s.st().snd_nxt == ws_iss + 1 + 128);
}

TEST_CASE("engine window scale: RFC 5961 checks against the scaled window", "[options][window_scale][engine]") {
    // An RST 100,000 octets past RCV.NXT: inside a 4 MiB window (a challenge ACK, RFC 5961
    // §3.2), outside an unscaled 65,535 one (dropped without reply).
    ws_harness<> h(ws_config(ws_mib4));
    ws_open_active(h, 7, 65535);
    h.rec.sent.clear();
    h.conn.on_segment(ws_seg(ctl::rst, ws_irs + 1 + 100000, 0, 0));
    CHECK(h.conn.current_state() == tcpfsm::state::established);
    REQUIRE(h.rec.sent.size() == 1);
    CHECK(h.rec.sent.front().ack == ws_irs + 1);
    CHECK(h.conn.statistics().challenge_acks_sent == 1u);

    ws_harness<> u(ws_config(ws_mib4));
    ws_open_active(u, tcpfsm::no_window_scale, 65535);
    u.rec.sent.clear();
    u.conn.on_segment(ws_seg(ctl::rst, ws_irs + 1 + 100000, 0, 0));
    CHECK(u.conn.current_state() == tcpfsm::state::established);
    CHECK(u.rec.sent.empty());
    // An RST at RCV.NXT still resets.
    h.conn.on_segment(ws_seg(ctl::rst, ws_irs + 1, 0, 0));
    CHECK(h.conn.current_state() == tcpfsm::state::closed);
}

TEST_CASE("engine window scale: a profile without it holds no state and offers nothing",
          "[options][window_scale][engine]") {
    using off_profile = tcpfsm::with_window_scaling<ws_profile, false>;
    STATIC_REQUIRE(std::is_empty<tcpfsm::no_window_scaling>::value);
    STATIC_REQUIRE(sizeof(tcpfsm::window_scaling) == 1);
    STATIC_REQUIRE(sizeof(ws_engine<off_profile>) <= sizeof(ws_engine<ws_profile>));
    ws_harness<off_profile> h(ws_config(ws_mib4));
    h.conn.open_active();
    CHECK(!h.take().has_window_scale());
    h.conn.on_segment(ws_seg(ctl::syn | ctl::ack, ws_irs, ws_iss + 1, 1000, 7));
    CHECK(!h.st().window_scaling);
    CHECK(h.take().window == 65535);
}

TEST_CASE("engine window scale: a 4 MiB transfer over 100 ms of RTT is not capped at 65,535 per RTT",
          "[options][window_scale][engine][simulator]") {
    // 8 MiB from A to B, 50 ms each way through 100 Mbit/s (a queue that drops nothing), 4
    // MiB buffers: without scaling the sender has at most 65,535 octets in flight per RTT,
    // so goodput =< 65535 / 0.1 s = 655,350 octets/s. With it the window is the buffer
    // (shift 7).
    const std::uint64_t size = 8u << 20;
    const double rtt_s = 0.1;
    const double cap = 65535.0 / rtt_s;
    std::uint32_t most_in_flight = 0;
    auto run = [&](bool scaling) {
        most_in_flight = 0;
        tcpfsm::sim::network_config nc;
        nc.record_wire = false;
        nc.check_invariants = true;
        tcpfsm::sim::network net(nc);
        tcpfsm::connection_config config;
        config.receive_buffer = ws_mib4;
        config.window_scaling = scaling;
        auto& a = net.add("A", config);
        auto& b = net.add("B", config);
        net.connect(a, b);
        tcpfsm::sim::link_config link;
        link.delay_ms = 50;
        link.rate_bps = 100000000;
        link.queue_octets = 8u << 20;
        net.set_link(a, b, link);
        net.set_link(b, a, link);
        b.open_passive();
        a.open_active();
        REQUIRE(net.run_until([&] { return a.st() == tcpfsm::state::established; }, 10000));
        CHECK(a.snapshot().window_scaling == scaling);
        CHECK(b.snapshot().rcv_wscale == (scaling ? 7 : 0));
        tcpfsm::sim::rng data_rng(7);
        const std::vector<std::uint8_t> data = data_rng.bytes(size);
        const tcpfsm::sim::sim_time start = net.now();
        REQUIRE(a.send(data) == tcpfsm::user_error::none);
        REQUIRE(net.run_until(
            [&] {
                const std::uint32_t flight = a.snapshot().unacked;
                if (flight > most_in_flight) most_in_flight = flight;
                return b.received().size() >= size;
            },
            600000));
        CHECK(b.received() == data);
        CHECK(net.violations().empty());
        const double seconds = static_cast<double>(net.now() - start) / 1000.0;
        return static_cast<double>(size) / seconds;
    };
    const double scaled = run(true);
    const std::uint32_t scaled_flight = most_in_flight;
    const double unscaled = run(false);
    CHECK(scaled_flight > 65535u);
    CHECK(most_in_flight <= 65535u);
    WARN("goodput over 100 ms RTT, 4 MiB buffers: " << scaled << " octets/s scaled, " << unscaled
                                                    << " unscaled; 65535/RTT = " << cap << "; most in flight "
                                                    << scaled_flight << " scaled, " << most_in_flight << " unscaled");
    CHECK(scaled > 2.0 * cap);
    CHECK(unscaled <= cap);  // the control: without scaling the cap holds
}

TEST_CASE("engine window scale: receiver SWS avoidance counts the space the scaled window can say",
          "[options][window_scale][engine]") {
    // 100,000,000 octets ask for shift 11 (65535 << 10 < 10^8 =< 65535 << 11): a granule of
    // 2048 octets, more than an MSS of 1460.
    const std::uint32_t buffer = 100000000;
    REQUIRE(ws_expected_shift(buffer) == 11);
    const std::uint32_t g = 2048;
    ws_harness<> h(ws_config(buffer));
    ws_open_active(h, 0, 65535);
    // Fill the buffer (the user reads nothing) until the window is zero.
    for (int guard = 0; guard < 4000 && h.st().receive_held < buffer; ++guard) {
        const std::uint32_t room = buffer - h.st().receive_held;
        h.conn.on_segment(ws_seg(ctl::ack, h.st().rcv_nxt, ws_iss + 1, 65535, tcpfsm::no_window_scale,
                                 room < 65535u ? room : 65535u));
    }
    CHECK(h.st().receive_held == buffer);
    tcpfsm::segment last{};
    while (!h.rec.sent.empty()) last = h.take();
    CHECK(last.window == 0);
    // 1500 octets read: at least an MSS free (§3.8.6.2.2 would open), but less than one
    // granule, so a window of 0 is still all the field can say: no window update.
    h.conn.receive(1500);
    CHECK(h.rec.sent.empty());
    // 600 more: 2100 free, 2048 of them sayable: the window opens to 1 << 11.
    h.conn.receive(600);
    REQUIRE(h.rec.sent.size() == 1);
    CHECK(h.take().window == (1500u + 600u) / g);
}
