// The connection engine, one mechanism at a time: TCB size, ISS, MSS, the send and receive
// windows, Nagle and SWS avoidance, RTT and RTO, retransmission limits, user calls and their
// errors, STATUS, and the options (abortive close, RFC 1337, strict FIN-WAIT-2, TIME-WAIT
// reopen, challenge-ACK throttling). Expected values come from the RFCs and the config,
// by the arithmetic written next to each check.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/variants.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>

#include "empty_policies.hpp"
#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using tcpfsm::state;
using tcpfsm::user_error;
using tcpfsm::user_signal;
using S = state;
namespace ctl = tcpfsm::ctl;

namespace {

// Empty policies, for the size of the TCB alone (shared with bench/sizes.cpp).
using tcpfsm_test::empty_clock;
using tcpfsm_test::empty_io;
using tcpfsm_test::empty_iss;

std::uint32_t total_text(const std::deque<tcpfsm::outgoing_segment>& sent) {
    std::uint32_t n = 0;
    for (const auto& s : sent) n += s.header.text_length;
    return n;
}

// The policy checks: C++17 traits, and the same as concepts in C++20.
static_assert(tcpfsm::is_segment_io_v<empty_io> && !tcpfsm::is_segment_io_v<empty_clock>);
static_assert(tcpfsm::is_engine_clock_v<empty_clock> && tcpfsm::is_engine_clock_v<std::chrono::steady_clock>);
static_assert(!tcpfsm::is_engine_clock_v<empty_io>);
static_assert(tcpfsm::is_observer_v<tcpfsm::null_observer> && tcpfsm::is_observer_v<recording_observer>);
static_assert(!tcpfsm::is_observer_v<empty_io>);
static_assert(tcpfsm::is_iss_generator_v<empty_iss> && tcpfsm::is_iss_generator_v<tcpfsm::rfc6528_iss>);
static_assert(tcpfsm::congestion::is_congestion_control_v<tcpfsm::congestion::cubic<>> &&
              tcpfsm::congestion::is_congestion_control_v<tcpfsm::congestion::unlimited>);
static_assert(!tcpfsm::congestion::is_congestion_control_v<empty_io>);
#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
static_assert(tcpfsm::segment_io<empty_io> && !tcpfsm::segment_io<int>);
static_assert(tcpfsm::engine_clock<empty_clock> && tcpfsm::observer<tcpfsm::null_observer>);
static_assert(tcpfsm::iss_generator<tcpfsm::fixed_iss> &&
              tcpfsm::congestion::congestion_control<tcpfsm::congestion::newreno<>>);
#endif

}  // namespace

TEST_CASE("connection: the TCB with empty policies", "[connection]") {
    using engine = tcpfsm_test::empty_tcb;
    // The compact profile (newreno<abc_slow_start<>, newreno_smallest_options>, reassembly
    // capacity 0, with_static_config), field by field as detail/tcb.hpp and connection.hpp lay
    // it out (docs/engine.md, "TCB size"): RFC 9293's ISS, SND.UNA, SND.NXT, SND.WND, SND.WL1,
    // SND.WL2, MAX.SND.WND, RCV.NXT, RCV.WND and two more 32-bit ones (end of the queued data,
    // RCV.USER) 44; the timer slots 16; Karn's sampler 8; MSS 2, the RFC 5961 limiter 6, the
    // zero-window probe count 2, flags 1, ACK timing 3, the state 1: 15; the empty policies
    // and the capacity-0 queue 1; the RFC 6298 estimator 11 (SRTT, RTTVAR, backoffs, base; the
    // RTO is computed); NewReno 12 (cwnd, ssthresh, bytes_acked); the loss-recovery state 15
    // and the limited-transmit count 1 in its tail; the idle tick 4. No pointer: the
    // alignment is 4, and the one octet after the estimator is the only padding.
    constexpr std::size_t fields = 44 + 16 + 8 + 15 + 1 + 11 + 12 + (15 + 1) + 4;
    STATIC_REQUIRE(fields == 127);
    WARN("sizeof(tcpfsm::connection<empty policies, compact profile>) = " << sizeof(engine) << " bytes");
    STATIC_REQUIRE(alignof(engine) == 4);
    CHECK(sizeof(engine) <= (fields + 3) / 4 * 4);
    CHECK(sizeof(tcpfsm::timer_slots) == 16);
    CHECK(sizeof(tcpfsm::rtt_sampler) == 8);
    CHECK(sizeof(tcpfsm::invalid_ack_limiter) == 6);
    CHECK(sizeof(tcpfsm::ack_timing) == 3);
    CHECK(sizeof(tcpfsm::rto_estimator) == 12);  // 11 and its tail padding
    CHECK(sizeof(tcpfsm_test::compact_congestion) == 12);
    CHECK(sizeof(tcpfsm::congestion::newreno<tcpfsm::congestion::abc_slow_start<>,
                                             tcpfsm::congestion::newreno_compact_options>) == 20);
}

namespace {
// The compact profile's policies with a pointer to the same configuration (no with_static_config).
using compact_with_pointer =
    tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, tcpfsm_test::compact_congestion>;
// The same, the §3.10 reference configuration fixed at compile time.
using compact_static_reference = tcpfsm::with_static_config<compact_with_pointer, tcpfsm::rfc_reference_config>;

// A -> B over a link that loses the first transmission of A's SYN (the data phase then
// starts with IW = 1 SMSS, RFC 5681 §3.1), of its 4th segment of text (fast retransmit) and
// of its 16th to 23rd (NewReno's partial ACKs, or a timeout); then 5 s of idle and a second
// transfer (restart after idle, RFC 5681 §4.1). Every segment both sent, with its time.
template <class Profile>
std::vector<std::string> lossy_exchange(const tcpfsm::connection_config& config, std::uint32_t octets,
                                        std::uint32_t& delivered) {
    reset_time t;
    basic_peer<Profile> a({999}, config), b({4999}, config);
    std::vector<std::string> trace;
    std::vector<std::uint32_t> lost_once = {999};  // the SYN's sequence number, then text's
    for (std::uint32_t i : {3u, 15u, 16u, 17u, 18u, 19u, 20u, 21u, 22u}) lost_once.push_back(1000 + i * 1460);
    const auto lost = [&](const tcpfsm::segment& s) {
        for (auto it = lost_once.begin(); it != lost_once.end(); ++it) {
            if (*it == s.seq && (s.syn() || s.text_length > 0)) {
                lost_once.erase(it);
                return true;
            }
        }
        return false;
    };
    std::uint32_t taken = 0;
    const auto exchange = [&](std::uint32_t goal) {
        for (int step = 0; step < 2000 && b.rec.delivered < goal; ++step) {
            while (!a.sent.empty()) {
                const tcpfsm::segment s = a.take_any().header;
                trace.push_back(std::to_string(now_ms) + " A " + rfc_notation(s));
                if (lost(s)) continue;
                b.receive(s);
                if (b.rec.delivered > taken) {  // B's user takes all it is given
                    REQUIRE(b.conn->receive(b.rec.delivered - taken) == user_error::none);
                    taken = b.rec.delivered;
                }
            }
            while (!b.sent.empty()) {
                const tcpfsm::segment s = b.take_any().header;
                trace.push_back(std::to_string(now_ms) + " B " + rfc_notation(s));
                a.receive(s);
            }
            a.run_to(now_ms + 10);
            b.run_to(now_ms);
        }
    };
    b.conn->open_passive();
    a.conn->open_active();
    REQUIRE(a.conn->send(octets) == user_error::none);
    exchange(octets);
    a.run_to(now_ms + 5000);
    b.run_to(now_ms);
    REQUIRE(a.conn->send(octets) == user_error::none);
    exchange(2 * octets);
    delivered = b.rec.delivered;
    return trace;
}
}  // namespace

TEST_CASE("connection: with_static_config keeps no pointer and behaves as the same configuration by pointer",
          "[connection]") {
    using static_engine = typename basic_peer<compact_static_reference>::engine;
    using pointer_engine = typename basic_peer<compact_with_pointer>::engine;
    // The configuration pointer (8 octets) is the difference, up to the alignment of 8 it
    // took with it.
    CHECK(sizeof(static_engine) + 8 <= sizeof(pointer_engine));
    STATIC_REQUIRE(&tcpfsm_test::compact_profile::static_config == &tcpfsm::default_connection_config);
    // The short constructor defaults to the profile's configuration.
    const tcpfsm_test::empty_tcb defaulted;
    CHECK(&defaulted.config() == &tcpfsm::default_connection_config);
    // The same exchange, segment for segment, with losses: every octet arrives once.
    constexpr std::uint32_t octets = 40 * 1460;
    std::uint32_t by_static = 0, by_pointer = 0;
    const auto static_trace = lossy_exchange<compact_static_reference>(tcpfsm::rfc_reference_config, octets, by_static);
    const auto pointer_trace = lossy_exchange<compact_with_pointer>(tcpfsm::rfc_reference_config, octets, by_pointer);
    CHECK(by_static == 2 * octets);
    CHECK(by_pointer == 2 * octets);
    CHECK(static_trace == pointer_trace);
    CHECK(static_trace.size() > 80u);  // at least the 80 segments of text
}

TEST_CASE("connection: NewReno with SMSS and IW from the engine sends as the NewReno that keeps them",
          "[connection][send_path]") {
    // newreno_smallest_options (the compact profile's) against newreno_compact_options, both
    // by the engine: a lost SYN (IW = 1 SMSS, RFC 5681 §3.1), fast retransmit, a timeout,
    // idle restart with the initial window the engine recomputes.
    using keeping = tcpfsm::engine_profile<
        tcpfsm::standard_table, tcpfsm::rto_estimator,
        tcpfsm::congestion::newreno<tcpfsm::congestion::abc_slow_start<>, tcpfsm::congestion::newreno_compact_options>>;
    constexpr std::uint32_t octets = 40 * 1460;
    for (std::uint16_t segments : {std::uint16_t{10}, std::uint16_t{4}}) {
        tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
        config.initial_window_segments = segments;
        std::uint32_t by_smallest = 0, by_keeping = 0;
        const auto smallest_trace = lossy_exchange<compact_with_pointer>(config, octets, by_smallest);
        const auto keeping_trace = lossy_exchange<keeping>(config, octets, by_keeping);
        CHECK(by_smallest == 2 * octets);
        CHECK(by_keeping == 2 * octets);
        CHECK(smallest_trace == keeping_trace);
    }
}

TEST_CASE("connection: the ISS comes from the ISS policy with the four-tuple and a 4 us clock", "[connection]") {
    // RFC 6528 / RFC 9293 §3.4.1: ISN = M + F(4-tuple, secret), M a 4 microsecond timer. Two
    // active OPENs of the same four-tuple 4 ms apart differ by 4000 us / 4 us = 1000.
    struct clock_policy {
        std::int64_t* us;
        std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds> now() const noexcept {
            return std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>(
                std::chrono::microseconds(*us));
        }
    };
    struct capture_io {
        std::uint32_t* seq;
        void send(const tcpfsm::outgoing_segment& s) noexcept { *seq = s.header.seq; }
    };
    using engine = tcpfsm::connection<capture_io, clock_policy, tcpfsm::null_observer, tcpfsm::rfc6528_iss>;
    const tcpfsm::siphash_key key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    tcpfsm::four_tuple tuple{};
    tuple.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    tuple.remote = tcpfsm::endpoint_address::ipv4(198, 51, 100, 7);
    tuple.local_port = 40000;
    tuple.remote_port = 80;
    std::int64_t us = 1000000;
    std::uint32_t first = 0, second = 0;
    engine a(tcpfsm::rfc_reference_config, capture_io{&first}, clock_policy{&us}, {}, tcpfsm::rfc6528_iss(key));
    a.open_active(tuple);
    us += 4000;
    engine b(tcpfsm::rfc_reference_config, capture_io{&second}, clock_policy{&us}, {}, tcpfsm::rfc6528_iss(key));
    b.open_active(tuple);
    CHECK(second - first == 1000u);
    CHECK(first == tcpfsm::rfc6528_iss(key)(tuple, 1000000));
    // Another four-tuple at the same time lands elsewhere in the space.
    tcpfsm::four_tuple other = tuple;
    other.local_port = 40001;
    CHECK(tcpfsm::rfc6528_iss(key)(other, 1004000) != second);
}

TEST_CASE("connection: MSS option sent, peer's MSS used, 536 when absent (MUST-15)", "[connection]") {
    reset_time t;
    peer a({100}), b({300});
    b.conn->open_passive();
    a.conn->open_active();
    const auto syn = a.take_any();
    CHECK(syn.header.mss == 1460);  // §3.7.1: our MSS on the SYN (config default)
    b.receive(syn.header);
    auto syn_ack = b.take_any().header;
    CHECK(syn_ack.mss == 1460);
    syn_ack.mss = 0;  // the peer sent no MSS option: 536 (§3.7.1, MUST-15)
    a.receive(syn_ack);
    b.receive(a.take("<SEQ=101><ACK=301><CTL=ACK>"));
    CHECK(a.conn->snapshot().snd_mss == 536);
    CHECK(b.conn->snapshot().snd_mss == 1460);
    a.conn->send(1000);  // 536 + 464: both full or all-that-is-queued? 536 is full; the rest
    // waits for Nagle (in flight), so only one segment now.
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.text_length == 536u);
    CHECK(a.sent[0].text_offset == 0u);
    pass_all(a, b);
    pass_all(b, a);  // the ACK of 536 releases the rest
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.seq == 101u + 536u);
    CHECK(a.sent[0].header.text_length == 464u);
    CHECK(a.sent[0].text_offset == 0u);  // the buffer's front is SND.UNA = 637 after the ACK
    CHECK(a.rec.acked == 536u);
}

TEST_CASE("connection: never beyond the send window; text offsets count from SND.UNA", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.nagle = false;
    peer a({1000}, cfg);
    // The peer offers 300 octets from the start (MAX.SND.WND = 300).
    a.conn->open_active();
    a.take("<SEQ=1000><CTL=SYN>");
    a.receive(make(4999, 1001, ctl::syn | ctl::ack, 0, 300));
    a.take("<SEQ=1001><ACK=5000><CTL=ACK>");
    a.conn->send(1000);
    CHECK(total_text(a.sent) == 300u);  // §3.8.6: never beyond SND.UNA + SND.WND
    CHECK(a.conn->snapshot().snd_nxt == 1301u);
    a.sent.clear();
    // 100 octets acknowledged, window 300: usable 1101 + 300 - 1301 = 100 < MAX.SND.WND / 2
    // = 150: sender SWS avoidance (§3.8.6.2.1) waits.
    a.receive(make(5000, 1101, ctl::ack, 0, 300));
    CHECK(a.sent.empty());
    CHECK(a.rec.acked == 100u);
    // 200 acknowledged: usable 1201 + 300 - 1301 = 200 >= 150: sent.
    a.receive(make(5000, 1201, ctl::ack, 0, 300));
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.seq == 1301u);
    CHECK(a.sent[0].header.text_length == 200u);
    CHECK(a.sent[0].text_offset == 100u);  // 1301 - SND.UNA (1201)
    CHECK(a.rec.acked == 200u);
}

TEST_CASE("connection: window updates follow SND.WL1/SND.WL2 (§3.10.7.4 fifth step)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    // An older segment (SEG.SEQ < SND.WL1) must not move the window.
    a.receive(make(5000, 1000, ctl::ack, 0, 2000));  // WL1 = 5000, WL2 = 1000, WND = 2000
    CHECK(a.conn->snapshot().snd_wnd == 2000u);
    a.receive(make(4999, 1000, ctl::ack, 0, 10));  // out of window: ACKed, not used
    CHECK(a.conn->snapshot().snd_wnd == 2000u);
    a.sent.clear();
    // The same SEG.SEQ with SND.WL2 =< SEG.ACK: updated.
    a.receive(make(5000, 1000, ctl::ack, 0, 700));
    CHECK(a.conn->snapshot().snd_wnd == 700u);
    CHECK(a.conn->snapshot().max_snd_wnd == 65535u);  // the largest offered (the SYN,ACK's)
}

TEST_CASE("connection: zero window: probes at RTO, doubling, while the peer answers (§3.8.6.1)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    a.receive(make(5000, 1000, ctl::ack, 0, 0));  // window closed
    a.conn->send(100);
    CHECK(a.sent.empty());
    // First probe after one RTO (1 s, SHLD-29), one octet of new data.
    a.advance_to(999);
    CHECK(a.sent.empty());
    a.advance_to(1000);
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.seq == 1000u);
    CHECK(a.sent[0].header.text_length == 1u);
    a.sent.clear();
    // The peer answers with a zero window (ACK of nothing): the next probe after 2 s (SHLD-30).
    a.receive(make(5000, 1000, ctl::ack, 0, 0));
    a.advance_to(2999);
    CHECK(a.sent.empty());
    a.advance_to(3000);
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.seq == 1000u);  // the same octet again
    a.sent.clear();
    SECTION("the window opens without the probe octet taken: it is sent again, no hole") {
        a.receive(make(5000, 1000, ctl::ack, 0, 1000));
        REQUIRE(a.sent.size() == 1);
        CHECK(a.sent[0].header.seq == 1000u);
        CHECK(a.sent[0].header.text_length == 100u);
        CHECK(a.sent[0].text_offset == 0u);
        return;
    }
    // The peer takes the probe octet and opens its window: the other 99 octets flow.
    a.receive(make(5000, 1001, ctl::ack, 0, 1000));
    REQUIRE(a.sent.size() == 1);
    CHECK(a.sent[0].header.seq == 1001u);
    CHECK(a.sent[0].header.text_length == 99u);
    CHECK(a.st() == S::established);
}

TEST_CASE("connection: receive window shrinks with held text and reopens on RECEIVE (receiver SWS)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.receive_buffer = 1000;
    peer a({}), b({}, cfg);
    establish(a, b, 1000, 5000);
    b.receive(make(1000, 5000, ctl::ack, 600));
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.ack == 1600u);
    CHECK(b.sent[0].header.window == 400u);  // RCV.BUFF 1000 - 600 held
    CHECK(b.rec.delivered == 600u);
    b.sent.clear();
    // §3.8.6.2.2: the window moves only when RCV.BUFF - RCV.USER - RCV.WND >= min(Fr * RCV.BUFF,
    // Eff.snd.MSS) = min(500, 1460) = 500. Taking 100 octets: 1000 - 500 - 400 = 100 < 500.
    CHECK(b.conn->receive(100) == user_error::none);
    CHECK(b.sent.empty());
    // Taking the other 500: 1000 - 0 - 400 = 600 >= 500: a window update, RCV.WND = 1000.
    CHECK(b.conn->receive(500) == user_error::none);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.window == 1000u);
    CHECK(b.sent[0].header.ack == 1600u);
}

TEST_CASE("connection: text beyond the receive window is cut (§3.10.7.4)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.receive_buffer = 100;
    peer a({}), b({}, cfg);
    establish(a, b, 1000, 5000);
    b.receive(make(1000, 5000, ctl::ack, 150));
    CHECK(b.rec.delivered == 100u);
    CHECK(b.rec.dropped(tcpfsm::drop_reason::text_beyond_window));
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.ack == 1100u);
    CHECK(b.sent[0].header.window == 0u);
}

TEST_CASE("connection: Nagle holds a small segment while data is in flight (§3.7.4); off sends it", "[connection]") {
    reset_time t;
    SECTION("on (default, as Linux)") {
        peer a({}), b({});
        establish(a, b, 1000, 5000);
        a.conn->send(10);
        a.conn->send(10);
        REQUIRE(a.sent.size() == 1);
        pass_all(a, b);
        pass_all(b, a);
        REQUIRE(a.sent.size() == 1);
        CHECK(a.sent[0].header.seq == 1010u);
    }
    SECTION("off (TCP_NODELAY, MUST-17)") {
        tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
        cfg.nagle = false;
        peer a({}, cfg), b({});
        establish(a, b, 1000, 5000);
        a.conn->send(10);
        a.conn->send(10);
        CHECK(a.sent.size() == 2);
    }
}

TEST_CASE("connection: delayed ACK: at most delayed_ack_ms, and at every second segment (§3.8.6.3)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.timers.delayed_ack = true;  // per-turn deferral stays off: the ACK's time is visible
    peer a({}), b({}, cfg);
    establish(a, b, 1000, 5000);
    // Quick-ACK mode first (Linux's tcp_incr_quickack): RCV.WND / (2 * MSS) = 65535 / 2920 = 22
    // ACKs, at most 16: the first 16 segments of text are each ACKed at once.
    constexpr std::uint32_t quick = 65535u / (2u * 1460u) < 16u ? 65535u / (2u * 1460u) : 16u;
    std::uint32_t seq = 1000;
    for (std::uint32_t i = 0; i < quick; ++i, seq += 10) {
        b.receive(make(seq, 5000, ctl::ack, 10));
        REQUIRE(b.sent.size() == 1);
        CHECK(b.sent[0].header.ack == seq + 10);
        b.sent.clear();
    }
    b.receive(make(seq, 5000, ctl::ack, 10));
    seq += 10;
    CHECK(b.sent.empty());
    b.advance_to(39);
    CHECK(b.sent.empty());
    b.advance_to(40);  // 40 ms, Linux's TCP_DELACK_MIN; MUST-40 < 500 ms
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.ack == seq);
    b.sent.clear();
    // Two small segments are not two full-sized ones: both wait for the timer.
    b.receive(make(seq, 5000, ctl::ack, 10));
    b.receive(make(seq + 10, 5000, ctl::ack, 10));
    CHECK(b.sent.empty());
    b.advance_to(80);
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.ack == seq + 20);
    b.sent.clear();
    seq += 20;
    // Two full-sized segments (MSS 1460): the second is ACKed at once (SHLD-19).
    b.receive(make(seq, 5000, ctl::ack, 1460));
    CHECK(b.sent.empty());
    b.receive(make(seq + 1460, 5000, ctl::ack, 1460));
    REQUIRE(b.sent.size() == 1);
    CHECK(b.sent[0].header.ack == seq + 2920);
}

TEST_CASE("connection: RTT sample from the SYN; RTO per RFC 6298 (and Linux's preset)", "[connection]") {
    reset_time t;
    SECTION("RFC 6298 values") {
        peer a({100}), b({300});
        b.conn->open_passive();
        a.conn->open_active();
        pass(a, "<SEQ=100><CTL=SYN>", b);
        now_ms = 100;
        pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
        const auto s = a.conn->snapshot();
        // §2.2: SRTT = R = 100, RTTVAR = R/2 = 50, RTO = SRTT + max(G, 4*RTTVAR) = 300 ms,
        // raised to the 1 s minimum (§2.4).
        CHECK(s.srtt_ms == 100u);
        CHECK(s.rttvar_ms == 50u);
        CHECK(s.rto_ms == 1000u);
    }
    SECTION("Linux's 200 ms minimum") {
        using linux_peer = basic_peer<tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::linux_rto_estimator>>;
        linux_peer a({100});
        peer b({300});
        b.conn->open_passive();
        a.conn->open_active();
        pass(a, "<SEQ=100><CTL=SYN>", b);
        now_ms = 100;
        pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
        CHECK(a.conn->snapshot().rto_ms == 300u);  // 100 + 4 * 50, above 200 ms
    }
}

TEST_CASE("connection: Karn's rule: no sample from a retransmitted SYN; RTO 3 s after (RFC 6298 §5.7)", "[connection]") {
    reset_time t;
    peer a({100}), b({300});
    b.conn->open_passive();
    a.conn->open_active();
    a.sent.clear();           // the first SYN is lost
    a.advance_to(1000);       // RTO 1 s: the SYN again
    pass(a, "<SEQ=100><CTL=SYN>", b);
    now_ms = 1050;
    pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
    const auto s = a.conn->snapshot();
    CHECK(s.srtt_ms == 0u);    // no sample (§3: Karn)
    CHECK(s.rto_ms == 3000u);  // §5.7: "MUST be re-initialized to 3 seconds"
}

TEST_CASE("connection: data given up after R2 = 15 retransmissions, 663 s at RTO 1 s (§3.8.3)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    a.conn->send(100);
    a.sent.clear();
    // Waits 1, 2, 4, 8, 16, 32, then 60 s (RFC 6298 §2.5 maximum) ten times: 63 + 600 = 663 s.
    // R1 = 3: after the third retransmission the user is told (SHLD-9).
    std::int64_t at = 0, wait = 1000;
    for (int retransmission = 1; retransmission <= 15; ++retransmission) {
        at += wait;
        a.advance_to(at - 1);
        CHECK(a.sent.empty());
        a.advance_to(at);
        REQUIRE(a.sent.size() == 1);
        CHECK(a.sent[0].header.seq == 1000u);
        CHECK(a.sent[0].header.text_length == 100u);
        a.sent.clear();
        CHECK(a.rec.has(user_signal::retries_exceeded_r1) == (retransmission >= 3));
        wait = wait * 2 < 60000 ? wait * 2 : 60000;
    }
    at += wait;
    CHECK(at == 663000);
    a.advance_to(at - 1);
    CHECK(a.st() == S::established);
    a.advance_to(at);
    CHECK(a.st() == S::closed);
    CHECK(a.rec.has(user_signal::timed_out));
}

TEST_CASE("connection: user calls return the table's errors (§3.10)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    tcpfsm::connection_status st{};
    CHECK(a.conn->snapshot().unsent == 0u);  // CLOSED: no send sequence
    CHECK(a.conn->send(1) == user_error::connection_does_not_exist);
    CHECK(a.conn->close() == user_error::connection_does_not_exist);
    CHECK(a.conn->status(st) == user_error::connection_does_not_exist);
    establish(a, b, 1000, 5000);
    CHECK(a.conn->open_active() == user_error::connection_exists);
    CHECK(a.conn->status(st) == user_error::none);
    CHECK(st.st == S::established);
    CHECK(st.snd_una == 1000u);
    CHECK(st.snd_nxt == 1000u);
    CHECK(st.rcv_nxt == 5000u);
    CHECK(a.conn->close() == user_error::none);
    CHECK(a.conn->send(1) == user_error::connection_closing);  // FIN-WAIT-1
    pass_all(a, b);
    // CLOSE-WAIT with nothing on hand: RECEIVE answers "connection closing" (§3.10.3).
    CHECK(b.st() == S::close_wait);
    CHECK(b.conn->receive() == user_error::connection_closing);
}

TEST_CASE("connection: a SEND in SYN-SENT goes out once ESTABLISHED, after the ACK", "[connection]") {
    reset_time t;
    peer a({100}), b({300});
    b.conn->open_passive();
    a.conn->open_active();
    a.conn->send(20);
    pass(a, "<SEQ=100><CTL=SYN>", b);
    pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
    // The ACK owed rides on the data segment (§3.10.7.3: "data ... queued for transmission
    // may be included").
    const auto s = a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>");
    CHECK(s.text_length == 20u);
    b.receive(s);
    CHECK(b.st() == S::established);
    CHECK(b.rec.delivered == 20u);
}

TEST_CASE("connection: the third handshake segment may carry data and a FIN", "[connection]") {
    reset_time t;
    peer b({300});
    b.conn->open_passive();
    b.receive(make(100, 0, ctl::syn));
    b.take("<SEQ=300><ACK=101><CTL=SYN,ACK>");
    b.receive(make(101, 301, ctl::ack | ctl::fin, 5));
    CHECK(b.st() == S::close_wait);
    CHECK(b.rec.delivered == 5u);
    CHECK(b.rec.has(user_signal::accepted));
    CHECK(b.rec.has(user_signal::closing));
    b.take("<SEQ=301><ACK=107><CTL=ACK>");  // 101 + 5 octets + FIN
}

TEST_CASE("connection: abortive close (SO_LINGER 0) sends <SEQ=SND.NXT><CTL=RST>", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.abortive_close = true;
    peer a({}, cfg), b({});
    establish(a, b, 1000, 5000);
    CHECK(a.conn->close() == user_error::none);
    CHECK(a.st() == S::closed);
    pass(a, "<SEQ=1000><CTL=RST>", b);  // §3.10.5
    CHECK(b.st() == S::closed);
    CHECK(b.rec.has(user_signal::reset));
}

TEST_CASE("connection: TIME-WAIT and RST: CLOSED by default, ignored with the RFC 1337 table", "[connection]") {
    reset_time t;
    using rfc1337_peer = basic_peer<tcpfsm::engine_profile<tcpfsm::rfc1337_table>>;
    rfc1337_peer a({});
    peer b({}), c({}), d({});
    establish(a, b, 1000, 5000);
    establish(c, d, 1000, 5000);
    a.conn->close();
    c.conn->close();
    pass_all(a, b);
    pass_all(c, d);
    b.conn->close();
    d.conn->close();
    pass_all(b, a);
    pass_all(d, c);
    REQUIRE(a.st() == S::time_wait);
    REQUIRE(c.st() == S::time_wait);
    // RST at RCV.NXT = 5001 (after the peer's FIN).
    a.receive(make(5001, 0, ctl::rst));
    c.receive(make(5001, 0, ctl::rst));
    CHECK(a.st() == S::time_wait);  // RFC 1337 §3 fix F1
    CHECK(c.st() == S::closed);     // RFC 9293 §3.10.7.4 second step
}

TEST_CASE("connection: an orphaned FIN-WAIT-2 times out after 60 s; the strict table waits", "[connection]") {
    reset_time t;
    using strict_peer = basic_peer<tcpfsm::engine_profile<tcpfsm::strict_table>>;
    // The engine keeps a pointer to its configuration: it must outlive the peer.
    // The §3.10 reference (every ACK at once) with the strict timers.
    const tcpfsm::connection_config strict_config = [] {
        tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
        c.timers = tcpfsm::strict_rfc_timer_config;
        c.timers.delayed_ack = false;
        return c;
    }();
    strict_peer a({}, strict_config);
    peer b({}), c({}), d({});
    establish(a, b, 1000, 5000);
    establish(c, d, 1000, 5000);
    a.conn->release();
    c.conn->release();
    pass_all(a, b);
    pass_all(c, d);
    pass_all(b, a);
    pass_all(d, c);
    REQUIRE(a.st() == S::fin_wait_2);
    REQUIRE(c.st() == S::fin_wait_2);
    a.advance_to(59999);
    c.advance_to(59999);
    CHECK(c.st() == S::fin_wait_2);
    a.advance_to(60000);
    c.advance_to(60000);  // net.ipv4.tcp_fin_timeout = 60 s
    CHECK(c.st() == S::closed);
    CHECK(c.rec.has(user_signal::timed_out));
    a.advance_to(10 * 60000);
    CHECK(a.st() == S::fin_wait_2);
}

TEST_CASE("connection: TIME-WAIT: a higher SYN goes to the listener; off, it is challenged", "[connection]") {
    reset_time t;
    tcpfsm::connection_config no_reopen = tcpfsm::rfc_reference_config;
    no_reopen.time_wait_reopen = false;
    peer a({}), b({}), c({}), d({}, no_reopen);
    establish(a, b, 1000, 5000);
    establish(c, d, 1000, 5000);
    b.conn->close();
    d.conn->close();
    pass_all(b, a);
    pass_all(d, c);
    a.conn->close();
    c.conn->close();
    pass_all(a, b);
    pass_all(c, d);
    pass_all(b, a);
    pass_all(d, c);
    REQUIRE(b.st() == S::time_wait);
    REQUIRE(d.st() == S::time_wait);
    // RCV.NXT = 1001 (A sent its FIN at SND.NXT = 1000); a new SYN at 9000 > RCV.NXT. B's
    // observer says a listener takes it.
    b.rec.listener = true;
    b.receive(make(9000, 0, ctl::syn));
    d.receive(make(9000, 0, ctl::syn));
    CHECK(b.st() == S::closed);
    CHECK(b.rec.redirects == 1u);
    // The old numbers reach the hook: ISS 4999, SND.NXT 5001 (after B's FIN), RCV.NXT 1001.
    CHECK(b.rec.redirected_from.iss == 4999u);
    CHECK(b.rec.redirected_from.snd_nxt == 5001u);
    CHECK(b.rec.redirected_from.rcv_nxt == 1001u);
    CHECK(tcpfsm::reopen_iss(b.rec.redirected_from) == 5001u + 65535u + 2u);
    CHECK(b.sent.empty());
    CHECK(d.st() == S::time_wait);
    d.take("<SEQ=5001><ACK=1001><CTL=ACK>");  // RFC 5961 §4.2 challenge ACK
}

TEST_CASE("connection: challenge ACKs limited to one per 500 ms (RFC 5961 §7, Linux)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 1000, 5000);
    // In-window RSTs not at RCV.NXT (RFC 5961 §3.2) earn challenge ACKs, throttled.
    b.receive(make(1010, 0, ctl::rst));
    b.receive(make(1011, 0, ctl::rst));
    CHECK(b.sent.size() == 1u);
    CHECK(b.rec.dropped(tcpfsm::drop_reason::challenge_ack_rate_limited));
    now_ms = 499;
    b.receive(make(1012, 0, ctl::rst));
    CHECK(b.sent.size() == 1u);
    now_ms = 500;
    b.receive(make(1013, 0, ctl::rst));
    CHECK(b.sent.size() == 2u);
    CHECK(b.st() == S::established);
}

TEST_CASE("connection: keepalive probe is <SEQ=SND.NXT-1><ACK=RCV.NXT> after 2 h idle (§3.8.4)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.timers.keepalive = true;
    peer a({}, cfg), b({});
    establish(a, b, 1000, 5000);
    a.advance_to(7200000 - 1);
    CHECK(a.sent.empty());
    a.advance_to(7200000);
    a.take("<SEQ=999><ACK=5000><CTL=ACK>");
    // The peer answers (an ACK of SND.NXT): the next probe only after another idle period.
    now_ms = 7200010;
    a.receive(make(5000, 1000, ctl::ack));
    a.advance_to(7200000 + 75000);
    CHECK(a.sent.empty());
    a.advance_to(7200010 + 7200000);
    a.take("<SEQ=999><ACK=5000><CTL=ACK>");
}

TEST_CASE("connection: CLOSE in SYN-RECEIVED with data queued: the ACK of the SYN sets the window", "[connection]") {
    // §3.10.4: data queued in SYN-RECEIVED goes once the SYN is acknowledged, then the FIN;
    // §3.10.7.4 fifth step: SND.WND <- SEG.WND, SND.WL1 <- SEG.SEQ, SND.WL2 <- SEG.ACK. An
    // IRS above 2^31 must not keep SND.WND at 0 (SND.WL1 starts at 0).
    reset_time t;
    peer b({299});
    b.conn->open_passive();
    b.receive(make(0x90000000u, 0, ctl::syn));
    b.take("<SEQ=299><ACK=2415919105><CTL=SYN,ACK>");
    b.conn->send(100);
    b.conn->close();
    CHECK(b.st() == S::fin_wait_1);
    b.receive(make(0x90000001u, 300, ctl::ack, 0, 65535));
    CHECK(b.conn->snapshot().snd_wnd == 65535u);
    REQUIRE(b.sent.size() == 1);
    CHECK(rfc_notation(b.sent[0].header) == "<SEQ=300><ACK=2415919105><CTL=FIN,ACK><DATA>");
    CHECK(b.sent[0].header.text_length == 100u);
}

TEST_CASE("connection: the FIN waits behind a zero-window probe octet; answered probes never end it (MUST-37)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 100, 300);
    a.receive(make(300, 100, ctl::ack, 0, 0));
    a.conn->send(1);
    a.conn->close();
    // Probes (the one octet) at 1, 3, 7, ... s, each answered with a zero window.
    for (std::int64_t at = 1000, wait = 1000; at < 700000; wait = wait * 2 < 60000 ? wait * 2 : 60000, at += wait) {
        a.advance_to(at);
        for (const auto& s : a.sent) CHECK_FALSE(s.header.fin());  // no FIN beyond the window
        a.sent.clear();
        a.receive(make(300, 100, ctl::ack, 0, 0));
    }
    CHECK(a.st() == S::fin_wait_1);
    // The peer takes the octet; its window is still zero: now the FIN goes (it needs no room).
    a.receive(make(300, 101, ctl::ack, 0, 0));
    a.take("<SEQ=101><ACK=300><CTL=FIN,ACK>");
}

TEST_CASE("connection: STATUS counts zero-window probes past 255 (window_probes is 16 bits)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 100, 300);
    a.receive(make(300, 100, ctl::ack, 0, 0));
    a.conn->send(1);
    // 300 probes, at 1, 3, 7, ... s (the wait doubling up to the 60 s maximum RTO), each
    // answered with a zero window.
    std::size_t probes = 0;
    for (std::int64_t at = 1000, wait = 1000; probes < 300; wait = wait * 2 < 60000 ? wait * 2 : 60000, at += wait) {
        a.advance_to(at);
        probes += a.sent.size();
        a.sent.clear();
        a.receive(make(300, 100, ctl::ack, 0, 0));
    }
    CHECK(probes == 300u);
    CHECK(a.conn->snapshot().window_probes == 300u);
    CHECK(a.st() == S::established);
}

TEST_CASE("connection: unanswered zero-window probes end the connection at R2 (MUST-20)", "[connection]") {
    reset_time t;
    peer a({}), b({});
    establish(a, b, 100, 300);
    a.receive(make(300, 100, ctl::ack, 0, 0));
    a.conn->send(10);
    // Persist waits 1, 2, 4, 8, 16, 32, then 60 s: the 16th expiry (R2 = 15 unanswered
    // probes sent) comes at 63 + 10 * 60 = 663 s.
    a.run_to(662999);
    CHECK(a.st() == S::established);
    a.run_to(663000);
    CHECK(a.st() == S::closed);
    CHECK(a.rec.has(user_signal::timed_out));
}

TEST_CASE("connection: with delayed ACK on, out-of-order text gets an immediate duplicate ACK (RFC 5681 §4.2)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.timers.delayed_ack = true;
    peer a({}), b({}, cfg);
    establish(a, b, 100, 300);
    b.receive(make(1560, 300, ctl::ack, 1460));
    b.take("<SEQ=300><ACK=100><CTL=ACK>");
    b.receive(make(3020, 300, ctl::ack, 1460));
    b.take("<SEQ=300><ACK=100><CTL=ACK>");
}

TEST_CASE("connection: an active OPEN that meets a crossing SYN keeps the SYN's retry budget (MUST-23)", "[connection]") {
    reset_time t;
    peer a({100});
    a.conn->open_active();
    // SYN at 0, retransmitted at 1, 3, 7, 15, 31 s; the peer's SYN arrives at 40 s.
    a.run_to(40000);
    a.sent.clear();
    a.receive(make(500, 0, ctl::syn));
    CHECK(a.st() == S::syn_received);
    // Expiries at 63 and 123 s are retransmissions 6 and 7; the 8th expiry, at 183 s, gives up.
    a.run_to(182999);
    CHECK(a.st() == S::syn_received);
    a.run_to(183000);
    CHECK(a.st() == S::closed);
}

TEST_CASE("connection: Nagle also holds a half-window segment while data is in flight (RFC 1122 4.2.3.4)", "[connection]") {
    reset_time t;
    peer a({1000});
    a.conn->open_active();
    a.take("<SEQ=1000><CTL=SYN>");
    auto syn_ack = make(4999, 1001, ctl::syn | ctl::ack, 0, 1000);  // the peer's window: 1000
    syn_ack.mss = 1460;  // (without the option the send MSS is 536, and 600 octets a full segment)
    a.receive(syn_ack);
    a.take("<SEQ=1001><ACK=5000><CTL=ACK>");
    a.conn->send(100);
    CHECK(a.sent.size() == 1u);
    a.conn->send(600);  // >= MAX.SND.WND / 2, but 100 octets are in flight
    CHECK(a.sent.size() == 1u);
}

TEST_CASE("connection: out-of-window segments do not count as keepalive answers (§3.8.4)", "[connection]") {
    reset_time t;
    tcpfsm::connection_config cfg = tcpfsm::rfc_reference_config;
    cfg.timers.keepalive = true;
    peer a({}, cfg), b({});
    establish(a, b, 100, 300);
    // The peer is gone; a blind segment outside the window arrives every hour.
    for (std::int64_t h = 1; h <= 3; ++h) {
        a.run_to(h * 3600000 - 1);
        a.receive(make(0x12345678u, 0, ctl::ack));
    }
    a.run_to(3 * 3600000);
    // Dead at 7200 s + 9 * 75 s = 7875 s after the last real segment (t = 0).
    CHECK(a.st() == S::closed);
    CHECK(a.rec.has(user_signal::timed_out));
}
