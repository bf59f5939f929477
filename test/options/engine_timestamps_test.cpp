// Timestamps in the engine (RFC 7323 §3-5, timestamping.hpp, connection.hpp): negotiation in
// both directions for every combination of our configuration and the peer's SYN, a peer that
// sends TSopt on non-SYNs only, TSval and TSecr on the wire, TS.Recent by §4.3's rule (its
// delayed-ACK and out-of-order figures), PAWS (an old duplicate ACKed, dropped and counted;
// the 24-day rule to the millisecond; RSTs exempt), RTT samples from TSecr with §4.2's gains
// (after a retransmission too), the policy for a segment without TSopt both ways, and a
// profile that compiles timestamps out. Every expected number is RFC 7323's or RFC 6298's
// arithmetic done here.
#include <tcpfsm/connection.hpp>
#include <tcpfsm/iss.hpp>
#include <tcpfsm/siphash.hpp>
#include <tcpfsm/timestamping.hpp>

#include <catch2/catch.hpp>

#include "../support/sent_log.hpp"

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace {

namespace ctl = tcpfsm::ctl;

using ets_record = tcpfsm_test::sent_log<>;
using ets_clock = tcpfsm_test::log_clock<ets_record>;
using ets_io = tcpfsm_test::log_io<ets_record>;

constexpr std::uint32_t ets_iss = 1000;
constexpr std::uint32_t ets_irs = 5000;
// Near 2^32, so that TSval = clock + offset wraps (§5.4: "mod 2^32").
constexpr std::uint32_t ets_offset = 0xFFFF0000u;
constexpr std::uint16_t ets_mss = 1000;
// The text of a full segment we send: the MSS less the 12 octets of TSopt (RFC 6691).
constexpr std::uint32_t ets_text = ets_mss - 12u;

// A fixed ISS and a fixed timestamp offset (the engine asks the IssPolicy for
// timestamp_offset(tuple) when it has one).
struct ets_iss_policy {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return ets_iss; }
    std::uint32_t timestamp_offset(const tcpfsm::four_tuple&) const noexcept { return ets_offset; }
};

using ets_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
                                           tcpfsm::congestion::unlimited, tcpfsm::counting_statistics>;
template <class Profile = ets_profile>
using ets_engine = tcpfsm::connection<ets_io, ets_clock, tcpfsm::null_observer, ets_iss_policy, Profile>;

// Every ACK at once (rfc_reference_config), MSS 1000, timestamps as asked.
tcpfsm::connection_config ets_config(bool timestamps = true) {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
    c.mss = ets_mss;
    c.timestamps = timestamps;
    return c;
}

// Our TSval at `ms` on the engine's clock: (ms + offset) mod 2^32 (§5.4, a 1 ms tick).
std::uint32_t ets_tsval(std::int64_t ms) { return static_cast<std::uint32_t>((static_cast<std::uint64_t>(ms) + ets_offset) & 0xFFFFFFFFu); }

tcpfsm::segment_options ets_ts(std::uint32_t tsval, std::uint32_t tsecr) {
    tcpfsm::segment_options o;
    o.has_timestamps = true;
    o.ts_val = tsval;
    o.ts_ecr = tsecr;
    return o;
}

tcpfsm::segment ets_seg(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t text = 0) {
    tcpfsm::segment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = 65535;
    s.mss = (flags & ctl::syn) != 0 ? ets_mss : std::uint16_t{0};
    s.text_length = text;
    return s;
}

template <class Profile = ets_profile>
struct ets_harness {
    ets_record rec;
    tcpfsm::connection_config config;
    ets_engine<Profile> conn;
    explicit ets_harness(const tcpfsm::connection_config& c)
        : config(c), conn(config, ets_io{&rec}, ets_clock{&rec}, tcpfsm::null_observer{}, ets_iss_policy{}) {}
    ets_harness(const ets_harness&) = delete;
    ets_harness& operator=(const ets_harness&) = delete;

    tcpfsm::outgoing_segment take() {
        REQUIRE(!rec.sent.empty());
        const tcpfsm::outgoing_segment s = rec.sent.front();
        rec.sent.erase(rec.sent.begin());
        return s;
    }
    tcpfsm::connection_status st() const { return conn.snapshot(); }
    void advance(std::int64_t ms) { rec.now_ms += ms; }
};

// Active OPEN to ESTABLISHED: our SYN now, the peer's SYN,ACK `rtt_ms` later with TSval
// `peer_tsval` echoing our SYN's TSval (when `peer_ts`), our ACK taken off.
template <class H>
void ets_open_active(H& h, bool peer_ts, std::uint32_t peer_tsval, std::int64_t rtt_ms = 0) {
    h.conn.open_active();
    const tcpfsm::outgoing_segment syn = h.take();
    h.advance(rtt_ms);
    const tcpfsm::segment_options o =
        peer_ts ? ets_ts(peer_tsval, syn.options.ts_val) : tcpfsm::segment_options{};
    h.conn.on_segment(ets_seg(ctl::syn | ctl::ack, ets_irs, ets_iss + 1), o);
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    (void)h.take();  // our ACK
}

}  // namespace

// ------------------------------------------------------------------ negotiation (§3.2)

TEST_CASE("engine timestamps: active open, our configuration x the peer's SYN,ACK", "[options][timestamps][engine]") {
    for (const bool ours : {true, false}) {
        for (const bool peers : {true, false}) {
            INFO("ours " << ours << ", peer's " << peers);
            ets_harness<> h(ets_config(ours));
            h.conn.open_active();
            const tcpfsm::outgoing_segment syn = h.take();
            CHECK(syn.options.has_timestamps == ours);  // our SYN offers it when configured
            if (ours) {
                CHECK(syn.options.ts_val == ets_tsval(h.rec.now_ms));
                CHECK(syn.options.ts_ecr == 0u);  // §3.2: no ACK bit, TSecr 0
            }
            const tcpfsm::segment_options o = peers ? ets_ts(777, syn.options.ts_val) : tcpfsm::segment_options{};
            h.conn.on_segment(ets_seg(ctl::syn | ctl::ack, ets_irs, ets_iss + 1), o);
            REQUIRE(h.conn.current_state() == tcpfsm::state::established);
            const bool in_use = ours && peers;  // both SYNs carried it
            CHECK(h.st().timestamps == in_use);
            const tcpfsm::outgoing_segment ack = h.take();
            CHECK(ack.options.has_timestamps == in_use);
            if (in_use) {
                CHECK(ack.options.ts_val == ets_tsval(h.rec.now_ms));
                CHECK(ack.options.ts_ecr == 777u);  // TS.Recent = the SYN,ACK's TSval
                CHECK(h.st().ts_recent == 777u);
            }
            // Data goes with TSopt only when in use.
            REQUIRE(h.conn.send(10) == tcpfsm::user_error::none);
            const tcpfsm::outgoing_segment data = h.take();
            CHECK(data.header.text_length == 10u);
            CHECK(data.options.has_timestamps == in_use);
        }
    }
}

// RFC 6691: the MSS counts text and options, so STATUS's snd_mss (Linux's tcpi_snd_mss) is
// the text of a full segment: the peer's MSS, less TSopt's 12 octets (10 and two NOPs) when
// timestamps are in use; and a full segment carries exactly that much text.
TEST_CASE("engine timestamps: STATUS's snd_mss is the text of a full segment", "[options][timestamps][engine]") {
    for (const bool in_use : {true, false}) {
        INFO("timestamps " << in_use);
        ets_harness<> h(ets_config(in_use));
        CHECK(h.st().snd_mss == 0u);  // no peer SYN yet
        ets_open_active(h, true, 777);
        const std::uint32_t expected = in_use ? ets_mss - (10u + 2u) : ets_mss;
        CHECK(h.st().snd_mss == expected);
        REQUIRE(h.conn.send(3000) == tcpfsm::user_error::none);
        const tcpfsm::outgoing_segment first = h.take();
        CHECK(first.header.text_length == expected);
    }
}

TEST_CASE("engine timestamps: passive open, our configuration x the peer's SYN", "[options][timestamps][engine]") {
    for (const bool ours : {true, false}) {
        for (const bool peers : {true, false}) {
            INFO("ours " << ours << ", peer's " << peers);
            ets_harness<> h(ets_config(ours));
            h.conn.open_passive();
            const tcpfsm::segment_options o = peers ? ets_ts(4242, 0) : tcpfsm::segment_options{};
            h.conn.on_segment(ets_seg(ctl::syn, ets_irs, 0), o);
            const tcpfsm::outgoing_segment syn_ack = h.take();
            REQUIRE(syn_ack.header.has(ctl::syn | ctl::ack));
            const bool in_use = ours && peers;  // a SYN,ACK carries it only if the SYN did
            CHECK(syn_ack.options.has_timestamps == in_use);
            if (in_use) {
                CHECK(syn_ack.options.ts_val == ets_tsval(h.rec.now_ms));
                CHECK(syn_ack.options.ts_ecr == 4242u);  // the SYN's TSval
            }
            h.advance(5);
            const tcpfsm::segment_options third = peers ? ets_ts(4243, syn_ack.options.ts_val) : tcpfsm::segment_options{};
            h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, ets_iss + 1), third);
            REQUIRE(h.conn.current_state() == tcpfsm::state::established);
            CHECK(h.st().timestamps == in_use);
            if (in_use) {
                CHECK(h.st().ts_recent == 4243u);
                CHECK(h.st().srtt_ms == 5u);  // §4.1: the third segment echoes the SYN,ACK's TSval
            }
            REQUIRE(h.conn.send(10) == tcpfsm::user_error::none);
            CHECK(h.take().options.has_timestamps == in_use);
        }
    }
}

TEST_CASE("engine timestamps: a peer sending TSopt only on non-SYN segments: not in use, ignored",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, false, 0);
    CHECK_FALSE(h.st().timestamps);
    // §3.2: a TSopt on a connection that did not negotiate it "MUST be ignored": no PAWS (an
    // older TSval than the one before is taken), no TS.Recent, no TSopt in our replies.
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, ets_irs + 1, ets_iss + 1, 100), ets_ts(500, 1));
    CHECK(h.st().rcv_nxt == ets_irs + 1 + 100);
    CHECK_FALSE(h.take().options.has_timestamps);
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, ets_irs + 101, ets_iss + 1, 100), ets_ts(400, 1));
    CHECK(h.st().rcv_nxt == ets_irs + 1 + 200);
    CHECK(h.st().ts_recent == 0u);
    CHECK(h.conn.statistics().paws_rejected == 0u);
    CHECK_FALSE(h.take().options.has_timestamps);
}

TEST_CASE("engine timestamps: a retransmitted SYN carries a new TSval, TSecr 0", "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    h.conn.open_active();
    const std::int64_t t0 = h.rec.now_ms;
    CHECK(h.take().options.ts_val == ets_tsval(t0));
    h.advance(1000);  // RFC 6298 §2.1: the initial RTO
    h.conn.on_timer();
    const tcpfsm::outgoing_segment again = h.take();
    CHECK(again.header.syn());
    CHECK(again.options.has_timestamps);
    CHECK(again.options.ts_val == ets_tsval(t0 + 1000));
    CHECK(again.options.ts_ecr == 0u);
}

// ------------------------------------------------------------------ TSval and TSecr (§3.2, §5.4)

TEST_CASE("engine timestamps: TSval is the clock plus the offset (mod 2^32) on every segment, TSecr TS.Recent",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 9000, 40);
    // 0xFFFF0000 + 1,000,040 wraps past 2^32: 1,000,040 - 65,536 = 934,504.
    CHECK(ets_tsval(h.rec.now_ms) == 934504u);
    h.advance(7);
    REQUIRE(h.conn.send(3 * ets_text) == tcpfsm::user_error::none);
    for (int i = 0; i < 3; ++i) {
        const tcpfsm::outgoing_segment d = h.take();
        CHECK(d.options.has_timestamps);
        CHECK(d.options.ts_val == 934511u);
        CHECK(d.options.ts_ecr == 9000u);
    }
    // The peer's ACK with a later TSval: TS.Recent moves (§4.3), our next segment echoes it.
    h.advance(3);
    h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, ets_iss + 1 + 3 * ets_text), ets_ts(9100, 934511u));
    REQUIRE(h.conn.send(1) == tcpfsm::user_error::none);
    const tcpfsm::outgoing_segment d = h.take();
    CHECK(d.options.ts_val == 934514u);
    CHECK(d.options.ts_ecr == 9100u);
}

TEST_CASE("engine timestamps: rfc6528_iss keys the offset as the ISS, with the octet 'T'", "[options][timestamps][engine]") {
    const tcpfsm::siphash_key key{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    tcpfsm::four_tuple t;
    t.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    t.remote = tcpfsm::endpoint_address::ipv4(198, 51, 100, 7);
    t.local_port = 80;
    t.remote_port = 40000;
    // §5.4 with RFC 6528's F: SipHash-2-4 of the 14 canonical octets and 'T', low 32 bits.
    const std::uint8_t message[15] = {4, 192, 0, 2, 1, 4, 198, 51, 100, 7, 0, 80, 0x9c, 0x40, 'T'};
    const auto expected = static_cast<std::uint32_t>(tcpfsm::siphash_2_4(key, message, 15));
    const tcpfsm::rfc6528_iss iss(key);
    CHECK(iss.timestamp_offset(t) == expected);
    CHECK(iss.timestamp_offset(t) != iss.keyed_offset(t));
    CHECK(tcpfsm::options::timestamp_offset_generator(key)(t) == expected);
    // The engine uses it: our SYN's TSval is the clock plus this offset.
    ets_record rec;
    const tcpfsm::connection_config config = ets_config();
    tcpfsm::connection<ets_io, ets_clock, tcpfsm::null_observer, tcpfsm::rfc6528_iss, ets_profile> conn(
        config, ets_io{&rec}, ets_clock{&rec}, tcpfsm::null_observer{}, iss);
    conn.open_active(t);
    REQUIRE(rec.sent.size() == 1u);
    CHECK(rec.sent[0].options.ts_val == static_cast<std::uint32_t>(1000000u + expected));
}

// ------------------------------------------------------------------ TS.Recent (§4.3)

TEST_CASE("engine timestamps: §4.3 (A) delayed ACKs echo the earliest unacknowledged segment's TSval",
          "[options][timestamps][engine]") {
    tcpfsm::connection_config c = ets_config();
    c.timers.delayed_ack = true;  // ACK every second full-sized segment, or after delayed_ack_ms
    ets_harness<> h(c);
    ets_open_active(h, true, 10);
    std::uint32_t seq = ets_irs + 1, tsval = 11;
    // Quick-ACK mode (the connection's start) ACKs each segment at once; use it up.
    bool delayed = false;
    for (int i = 0; i < 40 && !delayed; ++i) {
        h.conn.on_segment(ets_seg(ctl::ack, seq, ets_iss + 1, ets_mss), ets_ts(tsval, 0));
        seq += ets_mss;
        ++tsval;
        delayed = h.rec.sent.empty();
        h.rec.sent.clear();
        if (!delayed) CHECK(h.st().ts_recent == tsval - 1);  // each ACKed segment sets it
        h.conn.receive(ets_mss);
        h.rec.sent.clear();
    }
    REQUIRE(delayed);
    // The segment left unacknowledged ("A", TSval tsval - 1) started at Last.ACK.sent: it set
    // TS.Recent. "B" starts beyond Last.ACK.sent: it does not; its ACK (the second full-sized
    // segment) echoes A's TSval.
    const std::uint32_t a_tsval = tsval - 1;
    CHECK(h.st().ts_recent == a_tsval);
    h.conn.on_segment(ets_seg(ctl::ack, seq, ets_iss + 1, ets_mss), ets_ts(tsval, 0));
    const tcpfsm::outgoing_segment ack = h.take();
    CHECK(ack.header.ack == seq + ets_mss);
    CHECK(ack.options.ts_ecr == a_tsval);
    CHECK(h.st().ts_recent == a_tsval);
    // "C" starts at Last.ACK.sent again: TS.Recent = its TSval.
    h.conn.on_segment(ets_seg(ctl::ack, seq + ets_mss, ets_iss + 1, ets_mss), ets_ts(tsval + 1, 0));
    CHECK(h.st().ts_recent == tsval + 1);
}

TEST_CASE("engine timestamps: §4.3 (B) a hole: the out-of-order segment does not set TS.Recent, the one "
          "that fills it does",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 1);
    const std::uint32_t a = ets_irs + 1;
    h.conn.on_segment(ets_seg(ctl::ack, a, ets_iss + 1, ets_mss), ets_ts(1, 0));  // A
    CHECK(h.take().options.ts_ecr == 1u);
    // C (TSval 3) beyond the hole B leaves: SEG.SEQ > Last.ACK.sent, the duplicate ACK echoes 1.
    h.conn.on_segment(ets_seg(ctl::ack, a + 2 * ets_mss, ets_iss + 1, ets_mss), ets_ts(3, 0));
    const tcpfsm::outgoing_segment dup = h.take();
    CHECK(dup.header.ack == a + ets_mss);
    CHECK(dup.options.ts_ecr == 1u);
    CHECK(h.st().ts_recent == 1u);
    // B (TSval 2) at Last.ACK.sent: TS.Recent = 2 ("the timestamp of the segment that filled the hole").
    h.conn.on_segment(ets_seg(ctl::ack, a + ets_mss, ets_iss + 1, ets_mss), ets_ts(2, 0));
    CHECK(h.take().options.ts_ecr == 2u);
    CHECK(h.st().ts_recent == 2u);
}

// ------------------------------------------------------------------ PAWS (§5.3, §5.5)

TEST_CASE("engine timestamps: PAWS rejects an old duplicate with an ACK, counts it, takes nothing",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 5000);
    const std::uint32_t rcv_nxt = ets_irs + 1;
    // In the window, at RCV.NXT, but TSval 4999 < TS.Recent 5000: unacceptable (R1).
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 100), ets_ts(4999, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt);
    CHECK(h.st().ts_recent == 5000u);
    CHECK(h.conn.statistics().paws_rejected == 1u);
    CHECK(h.conn.statistics().out_of_window_segments == 0u);
    // "Send an acknowledgment in reply as specified in RFC 793 page 69 and drop the segment":
    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, with TSecr = TS.Recent.
    const tcpfsm::outgoing_segment reply = h.take();
    CHECK(reply.header.flags == ctl::ack);
    CHECK(reply.header.seq == ets_iss + 1);
    CHECK(reply.header.ack == rcv_nxt);
    CHECK(reply.options.ts_ecr == 5000u);
    // TSval equal to TS.Recent is not older: taken.
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 100), ets_ts(5000, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt + 100);
    CHECK(h.conn.statistics().paws_rejected == 1u);
    CHECK(h.conn.current_state() == tcpfsm::state::established);
}

namespace {
// A listener takes every reopening SYN (policies.hpp's listener_takes), and counts them.
struct ets_reopen_observer : tcpfsm::null_observer {
    int* redirects;
    bool listener_takes(const tcpfsm::segment&) noexcept { return true; }
    void on_redirect_to_listener(const tcpfsm::segment&, const std::uint8_t*, const tcpfsm::reopen_numbers&) noexcept {
        ++*redirects;
    }
};
using ets_reopen_engine = tcpfsm::connection<ets_io, ets_clock, ets_reopen_observer, ets_iss_policy, ets_profile>;

// Whether a SYN at `seq` with `opts` reopened a connection in TIME-WAIT whose TS.Recent is 5002
// and RCV.NXT ets_irs + 2 (after the peer's FIN), under `config`.
bool ets_time_wait_reopens(const tcpfsm::connection_config& config, std::uint32_t seq,
                           const tcpfsm::segment_options& opts) {
    ets_record rec;
    int redirects = 0;
    ets_reopen_engine conn(config, ets_io{&rec}, ets_clock{&rec}, ets_reopen_observer{{}, &redirects}, ets_iss_policy{});
    conn.open_active();
    const std::uint32_t our_syn_tsval = rec.sent.back().options.ts_val;
    conn.on_segment(ets_seg(ctl::syn | ctl::ack, ets_irs, ets_iss + 1), ets_ts(5000, our_syn_tsval));
    conn.close();  // our FIN: SND.NXT = ISS + 2
    conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, ets_iss + 2), ets_ts(5001, 0));
    conn.on_segment(ets_seg(ctl::fin | ctl::ack, ets_irs + 1, ets_iss + 2), ets_ts(5002, 0));
    REQUIRE(conn.current_state() == tcpfsm::state::time_wait);
    REQUIRE(conn.snapshot().ts_recent == 5002u);
    REQUIRE(conn.snapshot().rcv_nxt == ets_irs + 2);
    const std::size_t sent_before = rec.sent.size();
    conn.on_segment(ets_seg(ctl::syn, seq, 0), opts);
    const bool closed = conn.current_state() == tcpfsm::state::closed;
    CHECK(closed == (redirects == 1));
    // Not reopened: TIME-WAIT answers the SYN with an ACK (RFC 5961 §4, RFC 9293 §3.10.7.4).
    if (!closed) CHECK(rec.sent.size() == sent_before + 1);
    return closed;
}
}  // namespace

TEST_CASE("engine timestamps: TIME-WAIT reopens for a SYN with a newer TSval at any sequence number (RFC 6191 §2)",
          "[options][timestamps][engine]") {
    const auto reopens = [](std::uint32_t seq, const tcpfsm::segment_options& opts) {
        return ets_time_wait_reopens(ets_config(), seq, opts);
    };
    const std::uint32_t rcv_nxt = ets_irs + 2;
    // TSval 5003 > TS.Recent: below, at and above RCV.NXT.
    CHECK(reopens(rcv_nxt - 1000, ets_ts(5003, 0)));
    CHECK(reopens(rcv_nxt, ets_ts(5003, 0)));
    CHECK(reopens(rcv_nxt + 1000, ets_ts(5003, 0)));
    // TSval equal: the sequence number must be higher.
    CHECK_FALSE(reopens(rcv_nxt - 1000, ets_ts(5002, 0)));
    CHECK(reopens(rcv_nxt + 1000, ets_ts(5002, 0)));
    // TSval older: PAWS (RFC 7323 §5.3), whatever the sequence number.
    CHECK_FALSE(reopens(rcv_nxt + 1000, ets_ts(5001, 0)));
    // TSval exactly 2^31 from TS.Recent: not older (PAWS passes it), so newer, as in Linux.
    CHECK(reopens(rcv_nxt - 1000, ets_ts(5002u + 0x80000000u, 0)));
    // No TSopt: the sequence number alone.
    CHECK_FALSE(reopens(rcv_nxt - 1000, tcpfsm::segment_options{}));
    CHECK(reopens(rcv_nxt + 1000, tcpfsm::segment_options{}));
}

TEST_CASE("engine timestamps: under missing_timestamp_policy::drop a SYN without TSopt still reopens TIME-WAIT by "
          "its sequence number (RFC 6191 §2)",
          "[options][timestamps][engine]") {
    // §3.2's drop is for this connection's segments; a SYN in TIME-WAIT without TSopt is a new
    // incarnation from a host without timestamps, for which RFC 6191 lets the sequence number
    // decide (as the listener's TIME-WAIT records do).
    tcpfsm::connection_config config = ets_config();
    config.missing_timestamp = tcpfsm::options::missing_timestamp_policy::drop;
    const std::uint32_t rcv_nxt = ets_irs + 2;
    CHECK(ets_time_wait_reopens(config, rcv_nxt + 1000, tcpfsm::segment_options{}));
    CHECK_FALSE(ets_time_wait_reopens(config, rcv_nxt - 1000, tcpfsm::segment_options{}));
    // With TSopt the rules are unchanged.
    CHECK(ets_time_wait_reopens(config, rcv_nxt - 1000, ets_ts(5003, 0)));
    CHECK_FALSE(ets_time_wait_reopens(config, rcv_nxt + 1000, ets_ts(5001, 0)));
}

TEST_CASE("engine timestamps: PAWS compares modulo 2^32", "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 0xFFFFFFF0u);
    const std::uint32_t rcv_nxt = ets_irs + 1;
    // 0x10 is 0x20 after 0xFFFFFFF0 (mod 2^32): newer, taken.
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 10), ets_ts(0x10u, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt + 10);
    CHECK(h.st().ts_recent == 0x10u);
    // 0xFFFFFF00 is 0x110 before 0x10: older, rejected.
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt + 10, ets_iss + 1, 10), ets_ts(0xFFFFFF00u, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt + 10);
    CHECK(h.conn.statistics().paws_rejected == 1u);
}

TEST_CASE("engine timestamps: the 24-day rule, to the millisecond (§5.5)", "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 70000);
    const std::int64_t set_at = h.rec.now_ms;  // TS.Recent = 70000 set now
    const std::int64_t days24 = std::int64_t{24} * 24 * 60 * 60 * 1000;
    const std::uint32_t rcv_nxt = ets_irs + 1;
    // Exactly 24 days later TS.Recent is still valid: an older TSval is rejected.
    h.rec.now_ms = set_at + days24;
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 10), ets_ts(60000, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt);
    CHECK(h.conn.statistics().paws_rejected == 1u);
    CHECK(h.take().header.ack == rcv_nxt);
    // 1 ms more: "more than 24 days" idle, TS.Recent is invalid; the segment is taken and its
    // TSval becomes TS.Recent.
    h.rec.now_ms = set_at + days24 + 1;
    h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 10), ets_ts(60000, 0));
    CHECK(h.st().rcv_nxt == rcv_nxt + 10);
    CHECK(h.st().ts_recent == 60000u);
    CHECK(h.conn.statistics().paws_rejected == 1u);
}

TEST_CASE("engine timestamps: RSTs are exempt from PAWS", "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 5000);
    h.conn.on_segment(ets_seg(ctl::rst, ets_irs + 1, 0), ets_ts(1, 0));  // far older than TS.Recent
    CHECK(h.conn.current_state() == tcpfsm::state::closed);
    CHECK(h.conn.statistics().paws_rejected == 0u);
}

TEST_CASE("engine timestamps: an old SYN in ESTABLISHED is PAWS-rejected: the challenge ACK, no reset",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 5000);
    h.conn.on_segment(ets_seg(ctl::syn, ets_irs + 1, 0), ets_ts(4000, 0));
    CHECK(h.conn.current_state() == tcpfsm::state::established);
    CHECK(h.conn.statistics().paws_rejected == 1u);
    const tcpfsm::outgoing_segment reply = h.take();
    CHECK(reply.header.flags == ctl::ack);
    CHECK(reply.header.ack == ets_irs + 1);
}

// ------------------------------------------------------------------ a segment without TSopt (§3.2)

TEST_CASE("engine timestamps: a segment without TSopt, accepted (default) or silently dropped",
          "[options][timestamps][engine]") {
    const std::uint32_t rcv_nxt = ets_irs + 1;
    SECTION("accept, as Linux") {
        ets_harness<> h(ets_config());
        CHECK(h.config.missing_timestamp == tcpfsm::options::missing_timestamp_policy::accept);
        ets_open_active(h, true, 5000);
        h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 100));
        CHECK(h.st().rcv_nxt == rcv_nxt + 100);
        CHECK(h.st().ts_recent == 5000u);  // nothing to take
        CHECK(h.take().options.ts_ecr == 5000u);
        CHECK(h.conn.statistics().timestamp_missing_dropped == 0u);
    }
    SECTION("drop, the RFC's SHOULD; RSTs still count") {
        tcpfsm::connection_config c = ets_config();
        c.missing_timestamp = tcpfsm::options::missing_timestamp_policy::drop;
        ets_harness<> h(c);
        ets_open_active(h, true, 5000);
        h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 100));
        CHECK(h.st().rcv_nxt == rcv_nxt);
        CHECK(h.rec.sent.empty());  // silently: no ACK
        CHECK(h.conn.statistics().timestamp_missing_dropped == 1u);
        CHECK(h.conn.statistics().segments_received == 2u);  // the SYN,ACK and this one
        h.conn.on_segment(ets_seg(ctl::ack | ctl::psh, rcv_nxt, ets_iss + 1, 100), ets_ts(5001, 0));
        CHECK(h.st().rcv_nxt == rcv_nxt + 100);
        h.conn.on_segment(ets_seg(ctl::rst, rcv_nxt + 100, 0));
        CHECK(h.conn.current_state() == tcpfsm::state::closed);
    }
}

// ------------------------------------------------------------------ RTT from TSecr (§4.1, §4.2)

TEST_CASE("engine timestamps: RTT samples from TSecr with §4.2's gains, and after a retransmission",
          "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    // The SYN,ACK 80 ms after our SYN echoes its TSval: R = 80, SRTT = 80, RTTVAR = 40 (RFC
    // 6298 §2.2).
    ets_open_active(h, true, 100, 80);
    CHECK(h.st().srtt_ms == 80u);
    CHECK(h.st().rttvar_ms == 40u);
    std::uint32_t una = ets_iss + 1;
    // One segment in flight (FlightSize 988, ExpectedSamples = ceil(988 / 1976) = 1), ACKed
    // 160 ms later: RTTVAR = 3/4 * 40 + 1/4 * |80 - 160| = 50, SRTT = 7/8 * 80 + 1/8 * 160 = 90.
    REQUIRE(h.conn.send(ets_text) == tcpfsm::user_error::none);
    std::uint32_t echo = h.take().options.ts_val;
    h.advance(160);
    una += ets_text;
    h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, una), ets_ts(101, echo));
    CHECK(h.st().srtt_ms == 90u);
    CHECK(h.st().rttvar_ms == 50u);
    // Ten segments in flight: FlightSize 9,880, ExpectedSamples = ceil(9880 / 1976) = 5,
    // alpha' = 1/40, beta' = 1/20. R = 140: RTTVAR = (19 * 50 + |90 - 140|) / 20 = 50,
    // SRTT = (39 * 90 + 140) / 40 = 91.25 (with RFC 6298's gains it would be 96.25).
    REQUIRE(h.conn.send(10 * ets_text) == tcpfsm::user_error::none);
    REQUIRE(h.rec.sent.size() == 10u);
    echo = h.rec.sent.front().options.ts_val;
    h.rec.sent.clear();
    h.advance(140);
    una += 10 * ets_text;
    h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, una), ets_ts(102, echo));
    CHECK(h.st().srtt_ms == 91u);  // 91.25
    CHECK(h.st().rttvar_ms == 50u);
    CHECK(h.st().rto_ms == 1000u);  // 91.25 + 4 * 50 = 291.25, raised to 1 s (RFC 6298 §2.4)
    // A segment lost once: retransmitted at the RTO (1 s), and ACKed 60 ms after the
    // retransmission, echoing its TSval: a sample of 60 ms (Karn's rule would give none), and
    // the backoff collapses. RTTVAR = 3/4 * 50 + 1/4 * |91.25 - 60| = 45.3125,
    // SRTT = 7/8 * 91.25 + 1/8 * 60 = 87.34375.
    REQUIRE(h.conn.send(ets_text) == tcpfsm::user_error::none);
    const tcpfsm::outgoing_segment first = h.take();
    h.advance(1000);
    h.conn.on_timer();
    const tcpfsm::outgoing_segment again = h.take();
    CHECK(again.header.seq == first.header.seq);
    CHECK(again.options.ts_val == ets_tsval(h.rec.now_ms));
    CHECK(again.options.ts_val == first.options.ts_val + 1000u);
    CHECK(h.st().backoff == 1u);
    h.advance(60);
    una += ets_text;
    h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, una), ets_ts(103, again.options.ts_val));
    CHECK(h.st().snd_una == una);
    CHECK(h.st().srtt_ms == 87u);    // 87.34375
    CHECK(h.st().rttvar_ms == 45u);  // 45.3125
    CHECK(h.st().backoff == 0u);
    CHECK(h.st().rto_ms == 1000u);
}

TEST_CASE("engine timestamps: an ACK that does not advance SND.UNA gives no sample", "[options][timestamps][engine]") {
    ets_harness<> h(ets_config());
    ets_open_active(h, true, 100, 80);
    REQUIRE(h.conn.send(ets_text) == tcpfsm::user_error::none);
    const std::uint32_t echo = h.take().options.ts_val;
    h.advance(500);
    // A duplicate ACK (SEG.ACK = SND.UNA) echoing the data's TSval: no sample (§4.1).
    h.conn.on_segment(ets_seg(ctl::ack, ets_irs + 1, ets_iss + 1), ets_ts(101, echo));
    CHECK(h.st().srtt_ms == 80u);
    CHECK(h.st().rttvar_ms == 40u);
}

// ------------------------------------------------------------------ a profile without timestamps

TEST_CASE("engine timestamps: with_timestamps<P, false> compiles them out", "[options][timestamps][engine]") {
    using without = tcpfsm::with_timestamps<ets_profile, false>;
    STATIC_REQUIRE(std::is_empty<tcpfsm::no_timestamping>::value);
    // TS.Recent, Last.ACK.sent, the offset, the call's clock, TS.Recent's time (32 + 16 bits)
    // and the negotiation bits: 5 x 4 + 2 + 1, padded to 4.
    STATIC_REQUIRE(sizeof(tcpfsm::timestamping) == (5u * 4u + 2u + 1u + 3u) / 4u * 4u);
    STATIC_REQUIRE(sizeof(ets_engine<without>) < sizeof(ets_engine<>));
    ets_harness<without> h(ets_config(true));
    h.conn.open_active();
    CHECK_FALSE(h.take().options.has_timestamps);
    h.conn.on_segment(ets_seg(ctl::syn | ctl::ack, ets_irs, ets_iss + 1), ets_ts(5, 0));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    CHECK_FALSE(h.st().timestamps);
    CHECK_FALSE(h.take().options.has_timestamps);
}
