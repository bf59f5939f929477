// Scenarios through the simulator (include/tcpfsm/simulator.hpp): losses at chosen points,
// give-up times, crashes, old duplicates, simultaneous open and close, RST in every state,
// zero-window probing, keepalive, the user, FIN-WAIT-2 and TIME-WAIT timers, ABORT, sequence
// numbers and clock ticks wrapping, challenge-ACK throttling. Every expected time and number
// is computed here from the RFC's rules and the configuration (never copied from a run):
//  - RTO: 1 s before any RTT sample (RFC 6298 §2.1), at least 1 s (§2.4), doubled on each
//    expiry (§5.5), at most 60 s (§2.5); 3 s once the handshake completes if a SYN was
//    retransmitted and no RTT sample was taken (§5.7).
//  - default timer_config: syn_retries 7, synack_retries 5, MSL 30 s (TIME-WAIT 60 s),
//    FIN-WAIT-2 60 s, keepalive 7200 s idle + 9 probes 75 s apart, challenge ACKs 1 per 500 ms.
// Links are 10 ms each way unless a test says otherwise; the ISSs are fixed so that the
// numbers read like the RFC's figures (A sends from 100, B from 300: ISS 99 and 299).
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using tcpfsm::state;
using tcpfsm::user_signal;
using tcpfsm::sim::sim_time;
namespace sim = tcpfsm::sim;
namespace pattern = tcpfsm::sim::pattern;
namespace ctl = tcpfsm::ctl;

constexpr sim_time delay = 10;     // one way, each direction
constexpr std::uint32_t a_iss = 99;   // A: "send 100"
constexpr std::uint32_t b_iss = 299;  // B: "send 300"
constexpr sim_time second = 1000;
constexpr sim_time rto_initial = 1 * second;  // RFC 6298 §2.1
constexpr sim_time rto_max = 60 * second;     // RFC 6298 §2.5

// The waits of an RTO that starts at `first` and doubles up to rto_max, as send times:
// the first transmission at `start`, then one per wait.
std::vector<sim_time> backoff_times(sim_time start, sim_time first, int transmissions) {
    std::vector<sim_time> out;
    sim_time t = start, wait = first;
    for (int i = 0; i < transmissions; ++i) {
        out.push_back(t);
        t += wait;
        wait = wait * 2 < rto_max ? wait * 2 : rto_max;
    }
    return out;
}
// The sum of the first `expiries` waits of that backoff.
sim_time backoff_total(sim_time first, int expiries) {
    sim_time t = 0, wait = first;
    for (int i = 0; i < expiries; ++i) {
        t += wait;
        wait = wait * 2 < rto_max ? wait * 2 : rto_max;
    }
    return t;
}

struct two {
    sim::network net;
    sim::endpoint& a;
    sim::endpoint& b;

    explicit two(const tcpfsm::connection_config& ca = tcpfsm::default_connection_config,
                 const tcpfsm::connection_config& cb = tcpfsm::default_connection_config,
                 sim::network_config nc = sim::network_config{})
        : net(nc), a(net.add("A", ca)), b(net.add("B", cb)) {
        a.set_fixed_iss(a_iss);
        b.set_fixed_iss(b_iss);
        net.connect(a, b);
        sim::link_config l;
        l.delay_ms = delay;
        net.set_links(a, b, l);
    }

    // B listens, A opens at the current time; both ESTABLISHED after 2 and 3 delays.
    void establish() {
        const sim_time t0 = net.now();
        REQUIRE(b.open_passive() == tcpfsm::user_error::none);
        REQUIRE(a.open_active() == tcpfsm::user_error::none);
        net.run_until(t0 + 3 * delay);
        REQUIRE(a.st() == state::established);
        REQUIRE(b.st() == state::established);
        CHECK(a.entered(state::established) == t0 + 2 * delay);
        CHECK(b.entered(state::established) == t0 + 3 * delay);
    }

    void no_violations() const {
        INFO(net.trace_text());
        CHECK(net.violations().empty());
    }
};

tcpfsm::segment seg(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t text = 0) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = text;
    s.window = 65535;
    return s;
}

std::vector<std::uint8_t> pattern_bytes(std::size_t n, std::uint8_t salt) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131u + salt) & 0xFFu);
    return v;
}

}  // namespace

// ------------------------------------------------------------------ losses in the handshake

// Without timestamps: the only RTT sample would be Karn-ambiguous (RFC 7323 §4.1 gives one
// with them: the next test).
tcpfsm::connection_config without_timestamps() {
    tcpfsm::connection_config c;
    c.timestamps = false;
    c.rack = false;  // RFC 6298's timer alone (scenario_rto_alone)
    return c;
}

// The retransmission timer alone (RFC 6298): with SACK, RACK-TLP's probe (RFC 8985 §7.2, at
// 2 * SRTT, + 200 ms for a flight of one) would come first, also on a first flight or a lone
// FIN (tested in test/sack/rack_engine_test.cpp).
tcpfsm::connection_config scenario_rto_alone() {
    tcpfsm::connection_config c;
    c.rack = false;
    return c;
}

TEST_CASE("lost SYN: retransmitted after 1 s, 2 s, 4 s, then RTO 3 s after the handshake", "[scenario]") {
    static const tcpfsm::connection_config config = without_timestamps();
    two t(config, config);
    t.b.open_passive();
    t.net.drop_next(sim::sent_from(t.a, pattern::syn), 3);
    t.a.open_active();
    REQUIRE(t.net.run_until([&] { return t.b.st() == state::established; }, 60 * second));
    // SYNs at 0, 1, 1+2, 1+2+4 s: the fourth gets through.
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::syn)) == backoff_times(0, rto_initial, 4));
    const sim_time fourth = 1000 + 2000 + 4000;
    CHECK(t.a.entered(state::established) == fourth + 2 * delay);
    CHECK(t.b.entered(state::established) == fourth + 3 * delay);
    // RFC 6298 §5.7: the SYN timed out and no RTT sample was taken (Karn): RTO = 3 s for data.
    CHECK(t.a.snapshot().rto_ms == 3000u);
    t.net.run_until(8 * second);
    t.net.drop_next(sim::sent_from(t.a, pattern::data));
    t.a.send(pattern_bytes(100, 1));
    REQUIRE(t.net.run_until([&] { return t.b.received().size() == 100; }, 60 * second));
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::data)) == std::vector<sim_time>{8 * second, 8 * second + 3000});
    CHECK(t.b.received() == pattern_bytes(100, 1));
    t.no_violations();
}

// RFC 7323 §4.1: with timestamps the SYN,ACK echoes the TSval of the SYN that got through, so
// the handshake gives an RTT sample (2 delays) even after retransmissions, and §5.7's 3 s does
// not apply (as Linux's tcp_init_metrics, which falls back to 3 s only without timestamps):
// RTO = max(1 s, SRTT + 4 * RTTVAR) = max(1000, 20 + 4 * 10) = 1000 ms (RFC 6298 §2.2, §2.4).
TEST_CASE("lost SYN with timestamps: the SYN,ACK's TSecr gives an RTT sample, RTO 1 s after the handshake",
          "[scenario][timestamps]") {
    static const tcpfsm::connection_config config = scenario_rto_alone();
    two t(config, config);
    t.b.open_passive();
    t.net.drop_next(sim::sent_from(t.a, pattern::syn), 3);
    t.a.open_active();
    REQUIRE(t.net.run_until([&] { return t.b.st() == state::established; }, 60 * second));
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::syn)) == backoff_times(0, rto_initial, 4));
    REQUIRE(t.a.snapshot().timestamps);
    CHECK(t.a.snapshot().srtt_ms == 2 * delay);
    CHECK(t.a.snapshot().rttvar_ms == delay);
    CHECK(t.a.snapshot().rto_ms == 1000u);
    t.net.run_until(8 * second);
    t.net.drop_next(sim::sent_from(t.a, pattern::data));
    t.a.send(pattern_bytes(100, 1));
    REQUIRE(t.net.run_until([&] { return t.b.received().size() == 100; }, 60 * second));
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::data)) == std::vector<sim_time>{8 * second, 8 * second + 1000});
    t.no_violations();
}

TEST_CASE("lost SYN,ACK: both ends retransmit after 1 s", "[scenario]") {
    two t;
    t.b.open_passive();
    t.net.drop_next(sim::sent_from(t.b, pattern::syn_ack));
    t.a.open_active();
    REQUIRE(t.net.run_until([&] { return t.b.st() == state::established; }, 60 * second));
    // A's SYN at 0 and at its RTO (1 s); B's SYN,ACK when the SYN arrives and 1 s later.
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::syn)) == std::vector<sim_time>{0, rto_initial});
    CHECK(sim::times_of(t.net.sent_by(t.b, pattern::syn_ack)) ==
          std::vector<sim_time>{delay, delay + rto_initial});
    CHECK(t.a.entered(state::established) == delay + rto_initial + delay);
    CHECK(t.b.entered(state::established) == delay + rto_initial + 2 * delay);
    const auto syn_acks = t.net.sent_by(t.b, pattern::syn_ack);
    CHECK(sim::format_segment(syn_acks.back().header) == "<SEQ=299><ACK=100><CTL=SYN,ACK>");
    t.no_violations();
}

TEST_CASE("lost final ACK of the handshake: B retransmits the SYN,ACK, A's challenge ACK completes it",
          "[scenario]") {
    two t;
    t.b.open_passive();
    t.net.drop_next(sim::sent_from(t.a, pattern::pure_ack));
    t.a.open_active();
    REQUIRE(t.net.run_until([&] { return t.b.st() == state::established; }, 60 * second));
    CHECK(t.a.entered(state::established) == 2 * delay);
    CHECK(sim::times_of(t.net.sent_by(t.b, pattern::syn_ack)) ==
          std::vector<sim_time>{delay, delay + rto_initial});
    // A, ESTABLISHED, gets a SYN: RFC 5961 §4.2 <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    const auto acks = t.net.sent_by(t.a, pattern::pure_ack);
    REQUIRE(acks.size() == 2);
    CHECK(acks[1].at == delay + rto_initial + delay);
    CHECK(sim::format_segment(acks[1].header) == "<SEQ=100><ACK=300><CTL=ACK>");
    CHECK(t.b.entered(state::established) == delay + rto_initial + 2 * delay);
    t.no_violations();
}

TEST_CASE("lost FIN: retransmitted after 1 s and 2 s more, then the close completes", "[scenario]") {
    static const tcpfsm::connection_config config = scenario_rto_alone();
    two t(config, config);
    t.establish();
    // A's RTT sample of its SYN is 2 * delay = 20 ms: SRTT + 4 * RTTVAR = 20 + 40 ms, raised to
    // the 1 s minimum (RFC 6298 §2.4).
    CHECK(t.a.snapshot().rto_ms == 1000u);
    const sim_time close_at = 100;
    t.net.run_until(close_at);
    t.net.drop_next(sim::sent_from(t.a, pattern::fin), 2);
    t.a.close();
    REQUIRE(t.net.run_until([&] { return t.a.st() == state::fin_wait_2; }, 60 * second));
    const auto fins = t.net.sent_by(t.a, pattern::fin);
    CHECK(sim::times_of(fins) == backoff_times(close_at, 1000, 3));
    for (const auto& f : fins) CHECK(sim::format_segment(f.header) == "<SEQ=100><ACK=300><CTL=FIN,ACK>");
    const sim_time third = close_at + 1000 + 2000;
    CHECK(t.b.entered(state::close_wait) == third + delay);
    CHECK(t.a.entered(state::fin_wait_2) == third + 2 * delay);
    t.net.run_until(4 * second);
    t.b.close();
    t.net.run_until_idle();
    CHECK(t.b.entered(state::closed) == 4 * second + 2 * delay);
    CHECK(t.a.entered(state::time_wait) == 4 * second + delay);
    CHECK(t.a.entered(state::closed) == 4 * second + delay + 2 * 30 * second);  // 2 * MSL
    t.no_violations();
}

// ------------------------------------------------------------------ giving up

TEST_CASE("SYN give-up: 7 retransmissions, CLOSED after 1+2+4+8+16+32+60+60 = 183 s (MUST-23)", "[scenario]") {
    two t;
    sim::link_config dead;
    dead.loss = 1.0;
    t.net.set_link(t.a, t.b, dead);
    t.b.open_passive();
    t.a.open_active();
    t.net.run_until_idle();
    const int retransmissions = 7;  // timer_config::syn_retries
    const auto syns = t.net.sent_by(t.a, pattern::syn);
    CHECK(sim::times_of(syns) == backoff_times(0, rto_initial, 1 + retransmissions));
    CHECK(sim::times_of(syns) ==
          std::vector<sim_time>{0, 1000, 3000, 7000, 15000, 31000, 63000, 123000});
    const sim_time give_up = backoff_total(rto_initial, 1 + retransmissions);
    CHECK(give_up == 183 * second);
    CHECK(give_up >= 180 * second);  // MUST-23: at least 3 minutes
    CHECK(t.a.st() == state::closed);
    CHECK(t.a.entered(state::closed) == give_up);
    CHECK(t.a.signalled(user_signal::timed_out));
    CHECK(t.net.sent_by(t.a, pattern::any).size() == 1u + retransmissions);  // SYNs only, no RST
    CHECK(t.b.st() == state::listen);
    t.no_violations();
}

TEST_CASE("SYN,ACK give-up: 5 retransmissions, back to LISTEN after 1+2+4+8+16+32 = 63 s", "[scenario]") {
    two t;
    sim::link_config dead;
    dead.loss = 1.0;
    t.net.set_link(t.b, t.a, dead);
    t.b.open_passive();
    t.net.inject(t.b, seg(1000, 0, ctl::syn));
    t.net.run_until_idle();
    const int retransmissions = 5;  // timer_config::synack_retries
    const auto syn_acks = t.net.sent_by(t.b, pattern::syn_ack);
    CHECK(sim::times_of(syn_acks) == backoff_times(0, rto_initial, 1 + retransmissions));
    for (const auto& s : syn_acks) CHECK(sim::format_segment(s.header) == "<SEQ=299><ACK=1001><CTL=SYN,ACK>");
    CHECK(backoff_total(rto_initial, 1 + retransmissions) == 63 * second);
    CHECK(t.b.st() == state::listen);
    CHECK(t.b.entered(state::listen) == 63 * second);
    CHECK(t.b.signals().empty());  // the user of a listener hears nothing of it
    t.no_violations();
}

// ------------------------------------------------------------------ crashes and old duplicates

TEST_CASE("half-open discovery: the peer rebooted, data gets an RST (RFC 9293 Figure 10)", "[scenario]") {
    two t;
    t.establish();
    t.net.run_until(1 * second);
    t.net.restart(t.a);  // 1. (REBOOT)  2. CLOSED
    CHECK(t.a.st() == state::closed);
    const sim_time sent = 2 * second;
    t.net.run_until(sent);
    t.b.send(pattern_bytes(10, 7));
    t.net.run_until_idle();
    // 3. <-- <SEQ=300><ACK=100><DATA=10><CTL=ACK> <-- ESTABLISHED
    const auto data = t.net.sent_by(t.b, pattern::data);
    REQUIRE(!data.empty());
    CHECK(sim::format_segment(data[0].header) == "<SEQ=300><ACK=100><CTL=ACK><DATA>");
    CHECK(data[0].at == sent);
    // 4. --> <SEQ=100><CTL=RST> --> (ABORT!!): §3.10.7.1, <SEQ=SEG.ACK><CTL=RST>.
    const auto rsts = t.net.sent_by(t.a, pattern::rst);
    REQUIRE(rsts.size() == 1);
    CHECK(sim::format_segment(rsts[0].header) == "<SEQ=100><CTL=RST>");
    CHECK(rsts[0].at == sent + delay);
    CHECK(t.b.st() == state::closed);
    CHECK(t.b.entered(state::closed) == sent + 2 * delay);
    CHECK(t.b.signalled(user_signal::reset));
    CHECK(t.a.st() == state::closed);
    t.no_violations();
}

TEST_CASE("half-open discovery: the rebooted side opens again (RFC 9293 Figure 9)", "[scenario]") {
    two t;
    t.establish();
    t.net.run_until(1 * second);
    t.net.restart(t.a);
    t.a.set_fixed_iss(400);
    t.b.set_fixed_iss(700);  // B's next incarnation
    // B listens again once the old connection is gone (as a server would).
    bool relistened = false;
    t.net.on_step([&] {
        if (!relistened && t.b.st() == state::closed) {
            relistened = true;
            t.b.open_passive();
        }
    });
    const sim_time open_at = 2 * second;
    t.net.run_until(open_at);
    t.a.open_active();
    REQUIRE(t.net.run_until([&] { return t.b.st() == state::established && t.a.st() == state::established; },
                            60 * second));
    std::vector<sim::wire_record> a_sent, b_sent;
    for (const auto& r : t.net.sent_by(t.a, pattern::any)) {
        if (r.at >= open_at) a_sent.push_back(r);
    }
    for (const auto& r : t.net.sent_by(t.b, pattern::any)) {
        if (r.at >= open_at) b_sent.push_back(r);
    }
    REQUIRE(a_sent.size() == 4);
    REQUIRE(b_sent.size() == 2);
    // 3. SYN-SENT --> <SEQ=400><CTL=SYN> --> (??)
    CHECK(sim::format_segment(a_sent[0].header) == "<SEQ=400><CTL=SYN>");
    CHECK(a_sent[0].at == open_at);
    // 4. (!!) <-- <SEQ=300><ACK=100><CTL=ACK> <-- ESTABLISHED (RFC 5961 §4.2 challenge ACK)
    CHECK(sim::format_segment(b_sent[0].header) == "<SEQ=300><ACK=100><CTL=ACK>");
    CHECK(b_sent[0].at == open_at + delay);
    // 5. SYN-SENT --> <SEQ=100><CTL=RST> --> (Abort!!)   6. B CLOSED
    CHECK(sim::format_segment(a_sent[1].header) == "<SEQ=100><CTL=RST>");
    CHECK(a_sent[1].at == open_at + 2 * delay);
    CHECK(t.b.entered(state::closed) == open_at + 3 * delay);
    CHECK(t.b.signalled(user_signal::reset));
    // 7. SYN-SENT --> <SEQ=400><CTL=SYN> --> after A's RTO of 1 s; B listens again now.
    CHECK(sim::format_segment(a_sent[2].header) == "<SEQ=400><CTL=SYN>");
    CHECK(a_sent[2].at == open_at + rto_initial);
    CHECK(sim::format_segment(b_sent[1].header) == "<SEQ=700><ACK=401><CTL=SYN,ACK>");
    CHECK(sim::format_segment(a_sent[3].header) == "<SEQ=401><ACK=701><CTL=ACK>");
    CHECK(t.a.entered(state::established) == open_at + rto_initial + 2 * delay);
    CHECK(t.b.entered(state::established) == open_at + rto_initial + 3 * delay);
    t.no_violations();
}

TEST_CASE("old duplicate SYN: RST from the active side, then the real SYN (RFC 9293 Figure 8)", "[scenario]") {
    two t;
    t.a.set_fixed_iss(100);
    std::uint32_t next_b = 300;
    t.b.set_iss([&next_b](const tcpfsm::four_tuple&, std::uint64_t) {
        const std::uint32_t v = next_b;
        next_b = 400;
        return v;
    });
    // 2. A's SYN is slow ("..."): held back 100 ms.
    bool held = false;
    t.net.set_filter([&](sim::packet& p) {
        if (!held && p.from == t.a.index() && pattern::syn(p.header)) {
            held = true;
            p.hold_ms = 100;
        }
        return sim::filter_result::pass;
    });
    t.b.open_passive();
    t.a.open_active();
    // 3. (duplicate) ... <SEQ=90><CTL=SYN> --> SYN-RECEIVED
    t.net.inject(t.b, seg(90, 0, ctl::syn));
    t.net.run_until_idle();
    const auto a_sent = t.net.sent_by(t.a, pattern::any);
    const auto b_sent = t.net.sent_by(t.b, pattern::any);
    REQUIRE(a_sent.size() == 3);
    REQUIRE(b_sent.size() == 2);
    CHECK(sim::format_segment(a_sent[0].header) == "<SEQ=100><CTL=SYN>");
    // 4. SYN-SENT <-- <SEQ=300><ACK=91><CTL=SYN,ACK> <-- SYN-RECEIVED
    CHECK(sim::format_segment(b_sent[0].header) == "<SEQ=300><ACK=91><CTL=SYN,ACK>");
    CHECK(b_sent[0].at == 0);
    // 5. SYN-SENT --> <SEQ=91><CTL=RST> --> LISTEN
    CHECK(sim::format_segment(a_sent[1].header) == "<SEQ=91><CTL=RST>");
    CHECK(a_sent[1].at == delay);
    CHECK(t.b.entered(state::listen) == 2 * delay);
    // 6. ... <SEQ=100><CTL=SYN> --> SYN-RECEIVED (at 100 + delay)
    // 7. ESTABLISHED <-- <SEQ=400><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
    CHECK(sim::format_segment(b_sent[1].header) == "<SEQ=400><ACK=101><CTL=SYN,ACK>");
    CHECK(b_sent[1].at == 100 + delay);
    // 8. ESTABLISHED --> <SEQ=101><ACK=401><CTL=ACK> --> ESTABLISHED
    CHECK(sim::format_segment(a_sent[2].header) == "<SEQ=101><ACK=401><CTL=ACK>");
    CHECK(t.a.entered(state::established) == 100 + 2 * delay);
    CHECK(t.b.entered(state::established) == 100 + 3 * delay);
    CHECK(t.a.st() == state::established);
    CHECK(t.b.st() == state::established);
    t.no_violations();
}

TEST_CASE("CLOSE in SYN-RECEIVED: the FIN goes at once (§3.10.4), the handshake and the close complete",
          "[scenario]") {
    two t;
    t.b.open_passive();
    t.net.drop_next(sim::sent_from(t.b, pattern::syn_ack));
    t.a.open_active();
    t.net.run_until(delay + 5);
    REQUIRE(t.b.st() == state::syn_received);
    t.b.close();  // nothing queued: "form a FIN segment and send it, and enter FIN-WAIT-1"
    CHECK(t.b.st() == state::fin_wait_1);
    const auto fins = t.net.sent_by(t.b, pattern::fin);
    REQUIRE(fins.size() == 1);
    CHECK(fins[0].at == delay + 5);
    CHECK(sim::format_segment(fins[0].header) == "<SEQ=300><ACK=100><CTL=FIN,ACK>");
    // A's SYN again at 1 s, B's SYN,ACK again at 10 ms + 1 s: A ESTABLISHED at 1.02 s; B's FIN,
    // lost on A's side (SYN-SENT drops it), is retransmitted and takes A to CLOSE-WAIT.
    REQUIRE(t.net.run_until([&] { return t.a.st() == state::close_wait; }, 10 * second));
    CHECK(t.a.entered(state::established) == delay + rto_initial + delay);
    const sim_time a_close = 3 * second;
    t.net.run_until(a_close);
    CHECK(t.b.st() == state::fin_wait_2);
    t.a.close();
    t.net.run_until_idle();
    CHECK(t.a.entered(state::closed) == a_close + 2 * delay);
    CHECK(t.b.entered(state::time_wait) == a_close + delay);
    CHECK(t.b.entered(state::closed) == a_close + delay + 60 * second);
    t.no_violations();
}

TEST_CASE("SYN,ACK with text and FIN: the text is taken and the FIN too (§3.10.7.3 sixth step on)", "[scenario]") {
    two t;
    sim::link_config dead;
    dead.loss = 1.0;
    t.net.set_link(t.a, t.b, dead);
    t.a.open_active();
    tcpfsm::segment s = seg(500, a_iss + 1, ctl::syn | ctl::ack | ctl::fin, 5);
    t.net.inject(t.a, s, {'h', 'e', 'l', 'l', 'o'}, 50);
    t.net.run_until(50);
    CHECK(t.a.st() == state::close_wait);
    CHECK(t.a.received_text() == "hello");
    const auto acks = t.net.sent_by(t.a, pattern::pure_ack);
    REQUIRE(acks.size() == 1);
    // RCV.NXT = 500 + 1 (SYN) + 5 (text) + 1 (FIN).
    CHECK(acks[0].header.ack == 500u + 1u + 5u + 1u);
    CHECK(acks[0].header.seq == a_iss + 1);
    t.no_violations();
}

// ------------------------------------------------------------------ simultaneous open and close

TEST_CASE("simultaneous open (RFC 9293 Figure 7), then data both ways and a normal close", "[scenario]") {
    two t;
    t.a.set_fixed_iss(100);
    t.b.set_fixed_iss(300);
    t.a.open_active();
    t.b.open_active();
    t.net.run_until(2 * delay);
    CHECK(t.a.st() == state::established);
    CHECK(t.b.st() == state::established);
    CHECK(t.a.entered(state::syn_received) == delay);
    CHECK(t.a.entered(state::established) == 2 * delay);
    CHECK(t.b.entered(state::established) == 2 * delay);
    CHECK(t.a.signalled(user_signal::connected));
    CHECK(t.b.signalled(user_signal::connected));
    const auto a_sent = t.net.sent_by(t.a, pattern::any);
    REQUIRE(a_sent.size() == 2);
    CHECK(sim::format_segment(a_sent[0].header) == "<SEQ=100><CTL=SYN>");
    CHECK(sim::format_segment(a_sent[1].header) == "<SEQ=100><ACK=301><CTL=SYN,ACK>");
    CHECK(sim::format_segment(t.net.sent_by(t.b, pattern::any)[1].header) == "<SEQ=300><ACK=101><CTL=SYN,ACK>");
    t.a.send(pattern_bytes(3000, 1));
    t.b.send(pattern_bytes(2000, 2));
    t.a.close();
    t.b.close();
    t.net.run_until_idle();
    CHECK(t.b.received() == pattern_bytes(3000, 1));
    CHECK(t.a.received() == pattern_bytes(2000, 2));
    CHECK(t.a.st() == state::closed);
    CHECK(t.b.st() == state::closed);
    t.no_violations();
}

TEST_CASE("simultaneous close (RFC 9293 Figure 13): CLOSING, then TIME-WAIT for 2 MSL on both sides",
          "[scenario]") {
    const bool strict = GENERATE(false, true);
    tcpfsm::connection_config c;
    if (strict) c.timers = tcpfsm::strict_rfc_timer_config;
    // MSL: 30 s by default (Linux's 60 s TIME-WAIT); the RFC's 2 minutes (§3.4.2) when strict.
    const sim_time msl = strict ? 120 * second : 30 * second;
    two t(c, c);
    t.establish();
    const sim_time close_at = 1 * second;
    t.net.run_until(close_at);
    t.a.close();
    t.b.close();
    t.net.run_until_idle();
    const auto a_sent = t.net.sent_by(t.a, pattern::any);
    const auto b_sent = t.net.sent_by(t.b, pattern::any);
    REQUIRE(a_sent.size() >= 2);
    REQUIRE(b_sent.size() >= 2);
    // 2. FIN-WAIT-1 --> <SEQ=100><ACK=300><CTL=FIN,ACK>  <-- <SEQ=300><ACK=100><CTL=FIN,ACK>
    CHECK(sim::format_segment(a_sent[a_sent.size() - 2].header) == "<SEQ=100><ACK=300><CTL=FIN,ACK>");
    CHECK(sim::format_segment(b_sent[b_sent.size() - 2].header) == "<SEQ=300><ACK=100><CTL=FIN,ACK>");
    // 3. CLOSING --> <SEQ=101><ACK=301><CTL=ACK>  <-- <SEQ=301><ACK=101><CTL=ACK>
    CHECK(sim::format_segment(a_sent.back().header) == "<SEQ=101><ACK=301><CTL=ACK>");
    CHECK(sim::format_segment(b_sent.back().header) == "<SEQ=301><ACK=101><CTL=ACK>");
    CHECK(t.a.entered(state::closing) == close_at + delay);
    CHECK(t.b.entered(state::closing) == close_at + delay);
    // 4. TIME-WAIT on both; 5. (2 MSL) CLOSED.
    CHECK(t.a.entered(state::time_wait) == close_at + 2 * delay);
    CHECK(t.b.entered(state::time_wait) == close_at + 2 * delay);
    CHECK(t.a.entered(state::closed) == close_at + 2 * delay + 2 * msl);
    CHECK(t.b.entered(state::closed) == close_at + 2 * delay + 2 * msl);
    t.no_violations();
}

// ------------------------------------------------------------------ RST in every state

namespace {

// Brings A to `target` with B (A sends from 100, B from 300) and returns A's RCV.NXT and
// SND.NXT there, counted from the ISSs and the FINs each side has sent or received.
struct reached {
    std::uint32_t rcv_nxt;
    std::uint32_t snd_nxt;
};

reached reach(two& t, state target) {
    t.establish();
    t.net.run_until(1 * second);
    const std::uint32_t a_base = a_iss + 1, b_base = b_iss + 1;
    switch (target) {
        case state::established:
            return {b_base, a_base};
        case state::fin_wait_1:  // our FIN is lost; its retransmission is 1 s away
            t.net.drop_next(sim::sent_from(t.a, pattern::fin));
            t.a.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base, a_base + 1};
        case state::fin_wait_2:
            t.a.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base, a_base + 1};
        case state::close_wait:
            t.b.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base + 1, a_base};
        case state::closing:  // both close; B's ACK of A's FIN is lost
            t.net.drop_next(sim::sent_from(t.b, pattern::pure_ack));
            t.a.close();
            t.b.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base + 1, a_base + 1};
        case state::last_ack:  // B closes first; the ACK of A's FIN is lost
            t.b.close();
            t.net.run_until(t.net.now() + 5 * delay);
            t.net.drop_next(sim::sent_from(t.b, pattern::pure_ack));
            t.a.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base + 1, a_base + 1};
        case state::time_wait:
            t.a.close();
            t.net.run_until(t.net.now() + 5 * delay);
            t.b.close();
            t.net.run_until(t.net.now() + 5 * delay);
            return {b_base + 1, a_base + 1};
        default:
            FAIL("not a synchronized state");
            return {0, 0};
    }
}

}  // namespace

TEST_CASE("RST at RCV.NXT closes every synchronized state, in the window elsewhere a challenge ACK",
          "[scenario]") {
    const state target = GENERATE(state::established, state::fin_wait_1, state::fin_wait_2, state::close_wait,
                                  state::closing, state::last_ack, state::time_wait);
    INFO("state " << tcpfsm::rfc_name(target));

    SECTION("RST with SEG.SEQ = RCV.NXT: CLOSED (§3.10.7.4 second step)") {
        two t;
        const reached r = reach(t, target);
        REQUIRE(t.a.st() == target);
        const std::size_t a_before = t.net.sent_by(t.a, pattern::any).size();
        const sim_time at = t.net.now();
        t.net.inject(t.a, seg(r.rcv_nxt, 0, ctl::rst));
        t.net.run_until(at);
        CHECK(t.a.st() == state::closed);
        CHECK(t.a.entered(state::closed) == at);
        CHECK(t.net.sent_by(t.a, pattern::any).size() == a_before);  // never answer an RST (§3.5.2)
        // "connection reset" where the RFC says so.
        const bool says_reset = target == state::established || target == state::fin_wait_1 ||
                                target == state::fin_wait_2 || target == state::close_wait;
        if (says_reset) CHECK(t.a.signalled(user_signal::reset));
        t.no_violations();
    }
    SECTION("RST in the window, not at RCV.NXT: challenge ACK, state kept (RFC 5961 §3.2)") {
        two t;
        const reached r = reach(t, target);
        REQUIRE(t.a.st() == target);
        const std::size_t a_before = t.net.sent_by(t.a, pattern::any).size();
        const sim_time at = t.net.now();
        t.net.inject(t.a, seg(r.rcv_nxt + 1, 0, ctl::rst));
        t.net.run_until(at);
        CHECK(t.a.st() == target);
        const auto a_sent = t.net.sent_by(t.a, pattern::any);
        REQUIRE(a_sent.size() == a_before + 1);
        CHECK(a_sent.back().at == at);
        CHECK(sim::format_segment(a_sent.back().header) == "<SEQ=" + std::to_string(r.snd_nxt) +
                                                               "><ACK=" + std::to_string(r.rcv_nxt) + "><CTL=ACK>");
        t.no_violations();
    }
}

TEST_CASE("RST in SYN-SENT: refused with an acceptable ACK, dropped without", "[scenario]") {
    SECTION("nobody listens: <SEQ=0><ACK=ISS+1><CTL=RST,ACK> (§3.10.7.1), A CLOSED, refused") {
        two t;
        t.a.open_active();  // B is CLOSED
        t.net.run_until_idle();
        const auto rsts = t.net.sent_by(t.b, pattern::rst);
        REQUIRE(rsts.size() == 1);
        CHECK(sim::format_segment(rsts[0].header) == "<SEQ=0><ACK=100><CTL=RST,ACK>");
        CHECK(t.a.st() == state::closed);
        CHECK(t.a.entered(state::closed) == 2 * delay);
        CHECK(t.a.signalled(user_signal::refused));
        t.no_violations();
    }
    SECTION("RST whose ACK is not acceptable: dropped (§3.10.7.3 first step)") {
        two t;
        sim::link_config dead;
        dead.loss = 1.0;
        t.net.set_link(t.a, t.b, dead);
        t.a.open_active();
        t.net.inject(t.a, seg(0, a_iss + 5, ctl::rst | ctl::ack), {}, 100);
        t.net.inject(t.a, seg(0, 0, ctl::rst), {}, 200);  // no ACK at all: dropped too
        t.net.run_until(500);
        CHECK(t.a.st() == state::syn_sent);
        CHECK(t.net.sent_by(t.a, pattern::any).size() == 1);  // the SYN only
        t.no_violations();
    }
}

TEST_CASE("RST in SYN-RECEIVED: back to LISTEN after a passive OPEN, refused after an active one",
          "[scenario]") {
    SECTION("passive: LISTEN, and A's retransmitted SYN opens the connection") {
        two t;
        t.b.open_passive();
        t.net.drop_next(sim::sent_from(t.b, pattern::syn_ack));
        t.a.open_active();
        t.net.run_until(delay);
        REQUIRE(t.b.st() == state::syn_received);
        t.net.inject(t.b, seg(a_iss + 1, 0, ctl::rst), {}, 2 * delay);
        t.net.run_until(2 * delay);
        CHECK(t.b.st() == state::listen);
        CHECK(t.b.signals().empty());
        REQUIRE(t.net.run_until([&] { return t.b.st() == state::established; }, 10 * second));
        CHECK(t.a.entered(state::established) == rto_initial + 2 * delay);
        CHECK(t.b.entered(state::established) == rto_initial + 3 * delay);
        t.no_violations();
    }
    SECTION("active (simultaneous open): CLOSED, refused") {
        two t;
        t.net.drop_next(sim::sent_from(t.b, pattern::syn_ack));
        t.a.open_active();
        t.b.open_active();
        t.net.run_until(delay);
        REQUIRE(t.a.st() == state::syn_received);
        t.net.inject(t.a, seg(b_iss + 1, 0, ctl::rst), {}, 5 * delay);
        t.net.run_until(5 * delay);
        CHECK(t.a.st() == state::closed);
        CHECK(t.a.signalled(user_signal::refused));
        t.no_violations();
    }
}

// ------------------------------------------------------------------ windows and idle connections

TEST_CASE("zero window: probes back off and are answered, the connection stays open (MUST-37)", "[scenario]") {
    tcpfsm::connection_config small;
    small.receive_buffer = 1000;
    two t(tcpfsm::default_connection_config, small);
    t.b.set_auto_receive(false);
    t.establish();
    const sim_time send_at = 1 * second;
    t.net.run_until(send_at);
    const auto data = pattern_bytes(3000, 9);
    t.a.send(data);
    // A sends the 1000 octets B offers; B's ACK closes the window at send_at + 2 * delay.
    const sim_time zero_at = send_at + 2 * delay;
    const sim_time watch = 30 * 60 * second;  // half an hour, far beyond R2's 15 retransmissions
    t.net.run_until(send_at + watch);
    CHECK(t.a.st() == state::established);
    CHECK(t.b.st() == state::established);
    CHECK(t.b.received().size() == 1000);
    // Probes: the first after one RTO (1 s) of zero window (SHLD-29), then the interval
    // doubles (SHLD-30) up to the 60 s maximum RTO: 1, 2, 4, 8, 16, 32, 60, 60, ... s.
    std::vector<sim_time> expected;
    for (sim_time tp = zero_at + 1000, wait = 2000; tp <= send_at + watch;) {
        expected.push_back(tp);
        tp += wait;
        wait = wait * 2 < rto_max ? wait * 2 : rto_max;
    }
    std::vector<sim_time> probes;
    for (const auto& r : t.net.sent_by(t.a, pattern::data)) {
        if (r.header.text_length == 1) probes.push_back(r.at);
    }
    CHECK(probes == expected);
    // B answers every probe with RCV.NXT and a zero window.
    const auto b_acks = t.net.sent_by(t.b, pattern::pure_ack);
    std::size_t zero_window_acks = 0;
    for (const auto& r : b_acks) zero_window_acks += (r.header.window == 0 && r.at > zero_at) ? 1u : 0u;
    CHECK(zero_window_acks == expected.size());
    // The user reads: the window opens and the rest flows.
    t.b.set_auto_receive(true);
    t.b.receive_all();
    REQUIRE(t.net.run_until([&] { return t.b.received().size() == data.size(); }, 10 * 60 * second));
    CHECK(t.b.received() == data);
    t.no_violations();
}

TEST_CASE("keepalive finds a dead peer after idle + probes * interval = 7200 + 9 * 75 s", "[scenario]") {
    tcpfsm::connection_config ka;
    ka.timers.keepalive = true;
    two t(ka);
    t.establish();
    const sim_time last_heard = 2 * delay;  // A's last segment from B: the SYN,ACK
    t.net.run_until(1 * second);
    t.net.crash(t.b);  // no answer ever again
    t.net.run_until_idle();
    const sim_time idle = 7200 * second, interval = 75 * second;
    const int probes = 9;
    const auto sent = t.net.sent_by(t.a, pattern::pure_ack);
    std::vector<sim_time> probe_times;
    for (const auto& r : sent) {
        if (r.at > 1 * second) probe_times.push_back(r.at);
    }
    std::vector<sim_time> expected;
    for (int k = 0; k < probes; ++k) expected.push_back(last_heard + idle + k * interval);
    CHECK(probe_times == expected);
    // <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK> (RFC 1122 4.2.3.6; §3.8.4)
    for (const auto& r : sent) {
        if (r.at > 1 * second) CHECK(sim::format_segment(r.header) == "<SEQ=99><ACK=300><CTL=ACK>");
    }
    CHECK(t.a.st() == state::closed);
    CHECK(t.a.entered(state::closed) == last_heard + idle + probes * interval);
    CHECK(t.a.entered(state::closed) == last_heard + 7875 * second);
    CHECK(t.a.signalled(user_signal::timed_out));
    const auto rsts = t.net.sent_by(t.a, pattern::rst);
    REQUIRE(rsts.size() == 1);
    CHECK(rsts[0].at == last_heard + 7875 * second);
    t.no_violations();
}

TEST_CASE("keepalive with a live peer: one probe per idle period, answered, no end", "[scenario]") {
    tcpfsm::connection_config ka;
    ka.timers.keepalive = true;
    two t(ka);
    t.establish();
    const sim_time idle = 7200 * second;
    t.net.run_until(5 * 3600 * second);  // five hours
    CHECK(t.a.st() == state::established);
    // Probe at last_heard + idle; the answer arrives 2 delays later and starts the next idle
    // period (RFC 1122 4.2.3.6: only when nothing has been received for the interval).
    const sim_time first = 2 * delay + idle;
    const sim_time second_probe = first + 2 * delay + idle;
    std::vector<sim_time> probes;
    for (const auto& r : t.net.sent_by(t.a, pattern::pure_ack)) {
        if (r.at > 2 * delay) probes.push_back(r.at);
    }
    CHECK(probes == std::vector<sim_time>{first, second_probe});
    t.no_violations();
}

TEST_CASE("user timeout: retransmissions at 1, 2, 4, 8 s, then CLOSED 30 s after the data was sent",
          "[scenario]") {
    tcpfsm::connection_config c = scenario_rto_alone();
    c.timers.user_timeout_ms = 30000;
    two t(c);
    t.establish();
    t.net.run_until(1 * second);
    t.net.crash(t.b);
    const sim_time send_at = 1 * second;
    t.a.send(pattern_bytes(100, 3));
    t.net.run_until_idle();
    const sim_time user_timeout = 30 * second;
    std::vector<sim_time> expected;
    for (const sim_time s : backoff_times(send_at, 1000, 10)) {
        if (s < send_at + user_timeout) expected.push_back(s);
    }
    CHECK(sim::times_of(t.net.sent_by(t.a, pattern::data)) == expected);
    CHECK(expected.size() == 5u);  // sent at 1 s, again at 2, 4, 8, 16 s; the next would be 32 s
    CHECK(t.a.st() == state::closed);
    CHECK(t.a.entered(state::closed) == send_at + user_timeout);
    CHECK(t.a.signalled(user_signal::timed_out));
    // §3.10.8: flush, signal, delete the TCB: nothing is sent.
    CHECK(t.net.sent_by(t.a, pattern::rst).empty());
    // R1 = 3 retransmissions (SHLD-10): the user is told at the third (§3.8.3 (b), SHLD-9).
    bool r1 = false;
    for (const auto& s : t.a.signals()) {
        if (s.signal == user_signal::retries_exceeded_r1) {
            r1 = true;
            CHECK(s.at == expected[3]);
        }
    }
    CHECK(r1);
    t.no_violations();
}

TEST_CASE("FIN-WAIT-2: an orphaned connection is CLOSED after 60 s (Linux tcp_fin_timeout), strict RFC waits forever", "[scenario]") {
    SECTION("default, after release() (Linux's close()): timeout") {
        two t;
        t.establish();
        const sim_time close_at = 1 * second;
        t.net.run_until(close_at);
        t.a.release();
        t.net.run_until_idle();
        CHECK(t.a.entered(state::fin_wait_2) == close_at + 2 * delay);
        CHECK(t.a.entered(state::closed) == close_at + 2 * delay + 60 * second);
        CHECK(t.a.signalled(user_signal::timed_out));
        CHECK(t.b.st() == state::close_wait);
        // B closes late: its FIN finds no connection and gets an RST.
        t.b.close();
        t.net.run_until_idle();
        CHECK(t.b.st() == state::closed);
        CHECK(t.b.signalled(user_signal::reset));
        t.no_violations();
    }
    SECTION("default, after CLOSE (a half-close, Linux's shutdown(SHUT_WR)): FIN-WAIT-2 waits, receiving") {
        two t;
        t.establish();
        t.net.run_until(1 * second);
        t.a.close();
        // B keeps sending for two minutes; A keeps receiving it (§3.6: CLOSE is simplex).
        for (int i = 1; i <= 120; ++i) {
            t.net.run_until((1 + i) * second);
            t.b.send(std::string(100, 'z'));
        }
        t.net.run_until(125 * second);
        CHECK(t.a.st() == state::fin_wait_2);
        CHECK(t.a.received().size() == 120u * 100u);
        CHECK_FALSE(t.a.signalled(user_signal::timed_out));
        t.no_violations();
    }
    SECTION("strict: no timer runs, FIN-WAIT-2 stays") {
        tcpfsm::connection_config c;
        c.timers = tcpfsm::strict_rfc_timer_config;
        two t(c);
        t.establish();
        t.net.run_until(1 * second);
        t.a.close();
        CHECK(t.net.run_until_idle(24 * 3600 * second));
        CHECK(t.a.st() == state::fin_wait_2);
        t.no_violations();
    }
}

TEST_CASE("TIME-WAIT: a retransmitted FIN is ACKed again and restarts 2 MSL", "[scenario]") {
    two t;
    t.establish();
    t.net.run_until(1 * second);
    t.a.close();
    const sim_time b_close = 2 * second;
    t.net.run_until(b_close);
    t.net.drop_next(sim::sent_from(t.a, pattern::pure_ack));  // A's ACK of B's FIN
    t.b.close();
    t.net.run_until_idle();
    CHECK(t.a.entered(state::time_wait) == b_close + delay);
    // B's FIN goes again as RACK-TLP's tail loss probe (RFC 8985 §7.2, SACK connections by
    // default), before the 1 s RTO: PTO = 2 * SRTT (its RTT sample, 20 ms) + WCDelAckT (200
    // ms) with the FIN alone in flight.
    const sim_time again = 2 * 20 + 200;
    const auto fins = t.net.sent_by(t.b, pattern::fin);
    CHECK(sim::times_of(fins) == std::vector<sim_time>{b_close, b_close + again});
    const auto acks = t.net.sent_by(t.a, pattern::pure_ack);
    REQUIRE(acks.size() >= 2);
    CHECK(acks.back().at == b_close + again + delay);
    CHECK(sim::format_segment(acks.back().header) == "<SEQ=101><ACK=301><CTL=ACK>");
    CHECK(t.b.entered(state::closed) == b_close + again + 2 * delay);
    // 2 MSL from the re-ACK, not from entering TIME-WAIT.
    CHECK(t.a.entered(state::closed) == b_close + again + delay + 60 * second);
    t.no_violations();
}

TEST_CASE("ABORT: <SEQ=SND.NXT><CTL=RST>, the peer is reset", "[scenario]") {
    // The §3.10 reference: B's ACK of the data goes within on_segment, before the RST that
    // arrives in the same instant (under the defaults it would wait for the end of B's turn,
    // which the RST ends first).
    two t(tcpfsm::rfc_reference_config, tcpfsm::rfc_reference_config);
    t.establish();
    const sim_time abort_at = 1 * second;
    t.net.run_until(abort_at);
    t.a.send(pattern_bytes(500, 4));
    t.a.abort();
    CHECK(t.a.st() == state::closed);
    CHECK(t.a.entered(state::closed) == abort_at);
    t.net.run_until_idle();
    const auto rsts = t.net.sent_by(t.a, pattern::rst);
    REQUIRE(!rsts.empty());
    // SND.NXT is 100 + 500 (the data went out before the ABORT).
    CHECK(sim::format_segment(rsts[0].header) == "<SEQ=600><CTL=RST>");
    CHECK(rsts[0].at == abort_at);
    // B's ACK of the data, sent before the RST arrived, finds A CLOSED: <SEQ=SEG.ACK><CTL=RST>.
    CHECK(rsts.size() == 2);
    CHECK(t.b.st() == state::closed);
    CHECK(t.b.entered(state::closed) == abort_at + delay);
    CHECK(t.b.signalled(user_signal::reset));
    t.no_violations();
}

// ------------------------------------------------------------------ wrap-around

TEST_CASE("full lifecycle across 2^32: both ISSs just below it, and the clock's ms ticks wrap too",
          "[scenario]") {
    sim::network_config nc;
    nc.start_ms = (sim_time{1} << 32) - 500;  // the engines' 32-bit ms ticks wrap 0.5 s in
    // RACK-TLP off: the loss waits for the RTO, whose timer crosses the wrap.
    tcpfsm::connection_config config = tcpfsm::default_connection_config;
    config.rack = false;
    two t(config, config, nc);
    const std::uint32_t ia = 0xFFFFFFF0u, ib = 0xFFFFFFFEu;
    t.a.set_fixed_iss(ia);
    t.b.set_fixed_iss(ib);
    const sim_time t0 = t.net.now();
    t.b.open_passive();
    t.a.open_active();
    t.net.run_until(t0 + 3 * delay);
    REQUIRE(t.a.st() == state::established);
    const auto a_data = pattern_bytes(5000, 11);
    const auto b_data = pattern_bytes(3000, 12);
    // Lose A's second data segment: it is retransmitted after the clock's wrap.
    int data_seen = 0;
    t.net.set_filter([&](sim::packet& p) {
        if (p.from == t.a.index() && pattern::data(p.header) && ++data_seen == 2) return sim::filter_result::drop;
        return sim::filter_result::pass;
    });
    t.a.send(a_data);
    t.b.send(b_data);
    t.net.run_until(t0 + 5 * second);
    CHECK(t.b.received() == a_data);
    CHECK(t.a.received() == b_data);
    t.a.close();
    t.net.run_until(t0 + 6 * second);
    t.b.close();
    t.net.run_until_idle();
    // FINs at ISS + 1 + octets, modulo 2^32.
    const std::uint32_t a_fin = static_cast<std::uint32_t>(ia + 1u + 5000u);
    const std::uint32_t b_fin = static_cast<std::uint32_t>(ib + 1u + 3000u);
    CHECK(a_fin == 4985u);
    CHECK(b_fin == 2999u);
    const auto af = t.net.sent_by(t.a, pattern::fin);
    const auto bf = t.net.sent_by(t.b, pattern::fin);
    REQUIRE(af.size() == 1);
    REQUIRE(bf.size() == 1);
    CHECK(af[0].header.seq == a_fin);
    CHECK(bf[0].header.seq == b_fin);
    CHECK(bf[0].header.ack == a_fin + 1u);
    CHECK(t.a.st() == state::closed);
    CHECK(t.b.st() == state::closed);
    CHECK(t.a.entered(state::closed) == t.a.entered(state::time_wait) + 60 * second);
    // The lost segment (sent at t0 + 3 delays with the first) is retransmitted one RTO (1 s)
    // after the ACK of the first segment restarted the timer (RFC 6298 §5.3), at
    // t0 + 5 delays + 1 s: after the ticks wrapped at t0 + 500 ms.
    const auto a_segments = t.net.sent_by(t.a, pattern::data);
    REQUIRE(a_segments.size() >= 2);
    CHECK(a_segments[1].at == t0 + 3 * delay);
    // The first carried MSS 1460 less the 12 octets of timestamps (RFC 6691, RFC 7323 §3.2).
    CHECK(a_segments[1].header.seq == static_cast<std::uint32_t>(ia + 1u + 1460u - 12u));
    const sim_time retransmit_at = t0 + 5 * delay + 1000;
    bool retransmitted = false;
    for (const auto& r : a_segments) {
        if (r.header.seq == a_segments[1].header.seq && r.at == retransmit_at) retransmitted = true;
    }
    CHECK(retransmitted);
    CHECK(retransmit_at > (sim_time{1} << 32));
    t.no_violations();
}

// ------------------------------------------------------------------ challenge ACK throttling

TEST_CASE("challenge ACKs: at most 1 per 500 ms per connection (RFC 5961 §7)", "[scenario]") {
    two t;
    t.establish();
    const sim_time t0 = 1 * second;
    const std::uint32_t in_window = b_iss + 1 + 1000;  // RCV.NXT + 1000: in the window, not RCV.NXT
    for (int i = 0; i < 10; ++i) t.net.inject(t.a, seg(in_window, 0, ctl::rst), {}, t0 + 10 * i);
    t.net.inject(t.a, seg(in_window, 0, ctl::rst), {}, t0 + 499);  // still the same 500 ms
    t.net.inject(t.a, seg(in_window, 0, ctl::rst), {}, t0 + 500);  // a new interval
    t.net.inject(t.a, seg(b_iss + 1, 0, ctl::syn), {}, t0 + 600);  // SYN: same limit (RFC 5961 §4.2)
    t.net.inject(t.a, seg(b_iss + 1, 0, ctl::syn), {}, t0 + 1000);
    t.net.run_until(t0 + 2 * second);
    CHECK(t.a.st() == state::established);
    std::vector<sim_time> challenges;
    for (const auto& r : t.net.sent_by(t.a, pattern::pure_ack)) {
        if (r.at >= t0) challenges.push_back(r.at);
    }
    CHECK(challenges == std::vector<sim_time>{t0, t0 + 500, t0 + 1000});
    CHECK(t.a.count_drops(tcpfsm::drop_reason::challenge_ack_rate_limited) == 9u + 1u + 1u);
    t.no_violations();
}

// ------------------------------------------------------------------ the simulator itself

TEST_CASE("simulator: the same seed gives the same run", "[scenario][simulator]") {
    const auto run = [](std::uint64_t seed) {
        sim::network_config nc;
        nc.seed = seed;
        sim::network net(nc);
        auto& a = net.add("A");
        auto& b = net.add("B");
        net.connect(a, b);
        sim::link_config l;
        l.delay_ms = 5;
        l.jitter_ms = 20;
        l.loss = 0.2;
        l.duplicate = 0.2;
        l.reorder = 0.2;
        l.reorder_ms = 50;
        net.set_links(a, b, l);
        b.open_passive();
        a.open_active();
        a.send(pattern_bytes(4000, 1));
        net.run_until([&] { return b.received().size() == 4000; }, 600 * second);
        a.close();
        b.close();
        net.run_until_idle();
        CHECK(net.violations().empty());
        return net.trace_text();
    };
    const std::string one = run(42);
    CHECK(one == run(42));
    CHECK(one != run(43));
    CHECK(sim::format_segment(seg(100, 301, ctl::syn | ctl::ack)) == "<SEQ=100><ACK=301><CTL=SYN,ACK>");
    CHECK(sim::format_segment(seg(100, 301, ctl::syn)) == "<SEQ=100><CTL=SYN>");
    CHECK(sim::format_segment(seg(101, 301, ctl::ack | ctl::psh, 10)) == "<SEQ=101><ACK=301><CTL=ACK><DATA>");
    sim::rng r(1);
    sim::rng r2(1);
    for (int i = 0; i < 100; ++i) CHECK(r.next() == r2.next());
    // splitmix64's first output from state 0 is the published 0xE220A8397B1DCDAF; xoshiro256**
    // seeded from it returns rotl(s[1] * 5, 7) * 9 first.
    std::uint64_t zero = 0;
    CHECK(sim::splitmix64(zero) == 0xE220A8397B1DCDAFull);
    sim::rng z(0);
    std::uint64_t s = 0;
    const std::uint64_t s0 = sim::splitmix64(s), s1 = sim::splitmix64(s);
    (void)s0;
    const std::uint64_t expected = ((s1 * 5u) << 7 | (s1 * 5u) >> 57) * 9u;
    CHECK(z.next() == expected);
}

// ------------------------------------------------------------------ the TSval offset

namespace {
struct sent_tsval {
    std::size_t from;
    sim_time at;  // ms, the engine's clock when it sent the segment
    std::uint32_t ts_val;
};
// Every timestamped segment the endpoints send, into `seen`, through the network's filter.
void record_tsvals(sim::network& net, std::vector<sent_tsval>& seen) {
    net.set_filter([&seen](sim::packet& p) {
        if (p.options.has_timestamps) seen.push_back({p.from, p.sent_at, p.options.ts_val});
        return sim::filter_result::pass;
    });
}
}  // namespace

// RFC 7323 §5.4: TSval = the clock + a per-connection offset (mod 2^32). The simulator keys
// it as the ISS (rfc6528_iss::timestamp_offset): each end of a connection has its own, not 0.
TEST_CASE("simulated connections: TSval is the clock plus a per-connection offset", "[scenario][timestamps]") {
    two t;
    std::vector<sent_tsval> seen;
    record_tsvals(t.net, seen);
    t.net.run_until(5);  // a clock that is not 0
    t.establish();
    t.a.send(pattern_bytes(100, 1));
    t.net.run_until([&] { return t.b.received().size() == 100; }, 10 * second);
    REQUIRE(seen.size() >= 4);  // SYN, SYN,ACK, ACK, data, ...
    REQUIRE(seen[0].from == t.a.index());
    REQUIRE(seen[1].from == t.b.index());
    const std::uint32_t offset_a = seen[0].ts_val - static_cast<std::uint32_t>(seen[0].at);
    const std::uint32_t offset_b = seen[1].ts_val - static_cast<std::uint32_t>(seen[1].at);
    CHECK(offset_a != 0u);
    CHECK(offset_b != 0u);
    CHECK(offset_a != offset_b);  // keyed by each end's secret and four-tuple
    for (const sent_tsval& s : seen) {
        const std::uint32_t offset = s.from == t.a.index() ? offset_a : offset_b;
        CHECK(s.ts_val == static_cast<std::uint32_t>(s.at) + offset);
    }
    t.no_violations();
}

TEST_CASE("simulated connections: set_timestamp_offset chooses the offset, an empty function 0",
          "[scenario][timestamps]") {
    two t;
    std::vector<sent_tsval> seen;
    record_tsvals(t.net, seen);
    constexpr std::uint32_t chosen = 0xFFFFFFF0u;  // wraps 16 ms into the run (mod 2^32)
    t.a.set_timestamp_offset([](const tcpfsm::four_tuple&) { return chosen; });
    t.b.set_timestamp_offset({});
    t.net.run_until(7);
    t.establish();
    t.a.send(pattern_bytes(100, 1));
    t.net.run_until([&] { return t.b.received().size() == 100; }, 10 * second);
    REQUIRE(seen.size() >= 4);
    for (const sent_tsval& s : seen) {
        const std::uint32_t ms = static_cast<std::uint32_t>(s.at);
        CHECK(s.ts_val == (s.from == t.a.index() ? ms + chosen : ms));
    }
    CHECK(seen[0].ts_val == 7u + chosen);  // A's SYN at 7 ms
    t.no_violations();
}
