// Spurious retransmissions in the engine beyond F-RTO (spurious_retransmission.hpp,
// detail/connection_undo.hpp): Eifel detection with timestamps (RFC 3522) after a fast
// retransmit and after a timeout F-RTO (RFC 5682) leaves undecided, D-SACK detection (RFC
// 3708) without timestamps, a real loss that is not undone, and the switch
// (connection_config::spurious_retransmission_undo) off. The peer is played by hand: it
// echoes the TSval of the segment RFC 7323 §4.3 would make TS.Recent. Expected windows are
// RFC 5681's, RFC 6582's and RFC 6928's arithmetic done here, and the undo's: cwnd and
// ssthresh as before the episode.
// SPDX-License-Identifier: MIT
#include <tcpfsm/congestion/cubic.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include "../support/sent_log.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <vector>

namespace {

namespace ctl = tcpfsm::ctl;

using su_record = tcpfsm_test::sent_log<tcpfsm::outgoing_segment, 2000000>;
using su_clock = tcpfsm_test::log_clock<su_record>;
using su_io = tcpfsm_test::log_io<su_record>;

template <class CC>
using su_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC,
                                          tcpfsm::counting_statistics>;
using su_newreno = tcpfsm::congestion::newreno<>;
using su_cubic = tcpfsm::congestion::cubic<tcpfsm::congestion::abc_slow_start<>>;

constexpr std::uint32_t su_iss = 1000;
constexpr std::uint32_t su_irs = 5000;
constexpr std::uint16_t su_peer_mss = 1000;
constexpr std::uint32_t su_ssthresh_initial = 0xFFFFFFFFu;  // RFC 5681 §3.1: "arbitrarily high"

tcpfsm::connection_config su_config(bool timestamps, bool sack, bool undo) {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;  // every ACK at once
    c.timestamps = timestamps;
    c.sack = sack;
    c.spurious_retransmission_undo = undo;
    c.nagle = false;
    return c;
}

template <class CC>
struct su_harness {
    su_record rec;
    tcpfsm::connection_config config;
    tcpfsm::connection<su_io, su_clock, tcpfsm::null_observer, tcpfsm::fixed_iss, su_profile<CC>> conn;
    bool timestamps;
    std::uint32_t peer_tsval = 100;
    explicit su_harness(const tcpfsm::connection_config& c)
        : config(c),
          conn(config, su_io{&rec}, su_clock{&rec}, tcpfsm::null_observer{}, tcpfsm::fixed_iss(su_iss)),
          timestamps(c.timestamps) {}
    su_harness(const su_harness&) = delete;
    su_harness& operator=(const su_harness&) = delete;

    // SMSS: the peer's MSS, 12 octets less beside timestamps (RFC 6691, RFC 7323 §3.2).
    std::uint32_t smss() const { return timestamps ? su_peer_mss - 12u : su_peer_mss; }

    tcpfsm::segment_options options(std::uint32_t tsecr) {
        tcpfsm::segment_options o;
        if (timestamps) {
            o.has_timestamps = true;
            o.ts_val = ++peer_tsval;
            o.ts_ecr = tsecr;
        }
        return o;
    }

    // Active OPEN; the peer's SYN,ACK offers MSS 1000 and whatever the config offers.
    void open() {
        conn.open_active();
        REQUIRE(rec.sent.size() == 1);
        const tcpfsm::outgoing_segment syn = rec.sent.front();
        rec.sent.clear();
        tcpfsm::segment s;
        s.flags = ctl::syn | ctl::ack;
        s.seq = su_irs;
        s.ack = su_iss + 1;
        s.window = 65535;
        s.mss = su_peer_mss;
        tcpfsm::segment_options o = options(syn.options.ts_val);
        o.sack_permitted = config.sack;
        conn.on_segment(s, o);
        REQUIRE(conn.current_state() == tcpfsm::state::established);
        REQUIRE(conn.snapshot().timestamps == timestamps);
        REQUIRE(conn.snapshot().sack == config.sack);
        rec.sent.clear();
    }

    // The peer's pure ACK of `ack`, echoing `tsecr`, with SACK blocks.
    void ack(std::uint32_t ack_value, std::uint32_t tsecr, std::initializer_list<tcpfsm::seq_block> blocks = {}) {
        tcpfsm::segment s;
        s.flags = ctl::ack;
        s.seq = su_irs + 1;
        s.ack = ack_value;
        s.window = 65535;
        tcpfsm::segment_options o = options(tsecr);
        for (const tcpfsm::seq_block& b : blocks) o.sack.blocks[o.sack.count++] = b;
        conn.on_segment(s, o);
    }

    // The data segments sent since the last call (retransmissions included).
    std::vector<tcpfsm::outgoing_segment> data_sent() {
        std::vector<tcpfsm::outgoing_segment> d;
        for (const tcpfsm::outgoing_segment& s : rec.sent)
            if (s.header.text_length > 0) d.push_back(s);
        rec.sent.clear();
        return d;
    }
};

// Ten segments (RFC 6928's IW: min(10 * SMSS, max(2 * SMSS, 14600)) with SMSS 988 or 1000 is
// 10 segments) go out at once; exactly that much is queued, so no new data follows.
template <class H>
std::vector<tcpfsm::outgoing_segment> su_send_flight(H& h) {
    const std::uint32_t smss = h.smss();
    REQUIRE(h.conn.snapshot().cwnd == 10u * smss);
    REQUIRE(h.conn.send(10u * smss) == tcpfsm::user_error::none);
    std::vector<tcpfsm::outgoing_segment> flight = h.data_sent();
    REQUIRE(flight.size() == 10);
    for (std::uint32_t i = 0; i < 10; ++i) REQUIRE(flight[i].header.seq == su_iss + 1 + i * smss);
    return flight;
}

}  // namespace

TEMPLATE_TEST_CASE("spurious undo: a fast retransmit whose original then arrives (reordering), told by the "
                   "ACK's TSecr (RFC 3522)",
                   "[spurious][engine]", su_newreno, su_cubic) {
    for (const bool undo : {true, false}) {
        for (const bool real_loss : {false, true}) {
            CAPTURE(undo, real_loss);
            su_harness<TestType> h(su_config(true, false, undo));
            h.open();
            const std::uint32_t smss = h.smss();  // 988
            const std::vector<tcpfsm::outgoing_segment> flight = su_send_flight(h);
            const std::uint32_t first = su_iss + 1, end = first + 10u * smss;
            const std::uint32_t reduced = std::is_same<TestType, su_cubic>::value ? 10u * smss * 7u / 10u : 5u * smss;
            // 20 ms later segments 2, 3, 4 arrive before 1: three duplicate ACKs echo the TS.Recent
            // of before (RFC 7323 §4.3: out-of-order segments do not set it).
            h.rec.now_ms += 20;
            h.ack(first, flight[0].options.ts_val - 1u);
            h.ack(first, flight[0].options.ts_val - 1u);
            CHECK(h.data_sent().empty());
            h.ack(first, flight[0].options.ts_val - 1u);
            // ssthresh: RFC 5681 §3.2 step 2, max(FlightSize / 2, 2 * SMSS) = 5 SMSS, or RFC 9438
            // §4.6, cwnd * 0.7; the fast retransmission of segment 1, 20 ms after the original
            // (a later TSval).
            const std::vector<tcpfsm::outgoing_segment> rx = h.data_sent();
            REQUIRE(rx.size() == 1);
            CHECK(rx[0].header.seq == first);
            CHECK(h.conn.snapshot().recovery == tcpfsm::recovery_state::recovery);
            CHECK(h.conn.snapshot().ssthresh == reduced);
            REQUIRE(tcpfsm::options::timestamp_before(flight[0].options.ts_val, rx[0].options.ts_val));
            // The ACK of everything: segment 1 completed the sequence. Reordering: the original
            // did (TSecr = its TSval, §4.3 (2)); a real loss: the retransmission did.
            const std::uint32_t tsecr = real_loss ? rx[0].options.ts_val : flight[0].options.ts_val;
            h.ack(end, tsecr);
            const tcpfsm::connection_status st = h.conn.snapshot();
            CHECK(st.recovery == tcpfsm::recovery_state::open);
            if (undo && !real_loss) {
                // Undone: cwnd and ssthresh as before the fast retransmit (IW, "arbitrarily high").
                CHECK(st.cwnd == 10u * smss);
                CHECK(st.ssthresh == su_ssthresh_initial);
                CHECK(h.conn.statistics().spurious_undos_timestamps == 1);
            } else {
                // RFC 6582 §3.2 step 3 option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS)
                // with nothing in flight: 2 SMSS; ssthresh stays.
                CHECK(st.cwnd == 2u * smss);
                CHECK(st.ssthresh == reduced);
                CHECK(h.conn.statistics().spurious_undos_timestamps == 0);
            }
        }
    }
}

TEST_CASE("spurious undo: a partial ACK with an old TSecr ends fast recovery without the partial-ACK "
          "retransmission (RFC 3522, Linux's tcp_try_undo_partial)",
          "[spurious][engine]") {
    su_harness<su_newreno> h(su_config(true, false, true));
    h.open();
    const std::uint32_t smss = h.smss();
    const std::vector<tcpfsm::outgoing_segment> flight = su_send_flight(h);
    const std::uint32_t first = su_iss + 1;
    h.rec.now_ms += 20;
    for (int i = 0; i < 3; ++i) h.ack(first, flight[0].options.ts_val - 1u);
    REQUIRE(h.data_sent().size() == 1);  // the fast retransmission
    REQUIRE(h.conn.snapshot().recovery == tcpfsm::recovery_state::recovery);
    // Segments 1-5 in order, the original of 1 first: a partial ACK (below `recover`).
    h.ack(first + 5u * smss, flight[4].options.ts_val);
    const tcpfsm::connection_status st = h.conn.snapshot();
    CHECK(st.recovery == tcpfsm::recovery_state::open);
    CHECK(st.cwnd == 10u * smss);
    CHECK(st.ssthresh == su_ssthresh_initial);
    // Without the undo RFC 6582 would resend segment 6 now; 5 segments left, cwnd 10: nothing goes.
    CHECK(h.data_sent().empty());
}

TEST_CASE("spurious undo: D-SACK of the only retransmission after RFC 6675 recovery, without timestamps "
          "(RFC 3708)",
          "[spurious][engine][sack]") {
    for (const bool undo : {true, false}) {
        for (const bool real_loss : {false, true}) {
            CAPTURE(undo, real_loss);
            su_harness<su_newreno> h(su_config(false, true, undo));
            h.open();
            const std::uint32_t smss = h.smss();  // 1000: no timestamps
            REQUIRE(smss == 1000);
            (void)su_send_flight(h);
            const std::uint32_t first = su_iss + 1, end = first + 10u * smss;
            // Segments 2, 3, 4 arrive first: three duplicate ACKs with SACK blocks (RFC 6675 §5
            // enters recovery at DupThresh; ssthresh = FlightSize / 2 = 5 SMSS) and the first
            // retransmission, segment 1 (§5 (4.3)).
            h.ack(first, 0, {{first + smss, first + 2u * smss}});
            h.ack(first, 0, {{first + smss, first + 3u * smss}});
            h.ack(first, 0, {{first + smss, first + 4u * smss}});
            const std::vector<tcpfsm::outgoing_segment> rx = h.data_sent();
            REQUIRE(rx.size() == 1);
            CHECK(rx[0].header.seq == first);
            CHECK(h.conn.snapshot().ssthresh == 5u * smss);
            // Segments 5-10 and segment 1 complete the sequence: the ACK of all ends recovery
            // (§5 (A)): cwnd = ssthresh (RFC 6937).
            h.ack(end, 0);
            CHECK(h.conn.snapshot().recovery == tcpfsm::recovery_state::open);
            CHECK(h.conn.snapshot().cwnd == 5u * smss);
            if (!real_loss) {
                // The retransmission arrives after the original: the receiver reports it with
                // a D-SACK block below SEG.ACK (RFC 2883 §4.1.1) on a duplicate ACK.
                h.ack(end, 0, {{first, first + smss}});
            }
            const tcpfsm::connection_status st = h.conn.snapshot();
            if (undo && !real_loss) {
                CHECK(st.cwnd == 10u * smss);
                CHECK(st.ssthresh == su_ssthresh_initial);
                CHECK(h.conn.statistics().spurious_undos_dsack == 1);
            } else {
                CHECK(st.cwnd == 5u * smss);
                CHECK(st.ssthresh == 5u * smss);
                CHECK(h.conn.statistics().spurious_undos_dsack == 0);
            }
        }
    }
}

TEST_CASE("spurious undo: a D-SACK block of octets that were never retransmitted undoes nothing", "[spurious][engine][sack]") {
    su_harness<su_newreno> h(su_config(false, true, true));
    h.open();
    const std::uint32_t smss = h.smss();
    (void)su_send_flight(h);
    const std::uint32_t first = su_iss + 1, end = first + 10u * smss;
    h.ack(first, 0, {{first + smss, first + 2u * smss}});
    h.ack(first, 0, {{first + smss, first + 3u * smss}});
    h.ack(first, 0, {{first + smss, first + 4u * smss}});
    REQUIRE(h.data_sent().size() == 1);
    h.ack(end, 0);
    // A duplicate of segment 2 (the network's: it was never retransmitted): segment 1's
    // retransmitted octets are still unreported.
    h.ack(end, 0, {{first + smss, first + 2u * smss}});
    CHECK(h.conn.snapshot().cwnd == 5u * smss);
    CHECK(h.conn.snapshot().ssthresh == 5u * smss);
}

TEST_CASE("spurious undo: a timeout F-RTO leaves undecided (no new data to send), shown spurious by the "
          "ACK's TSecr: no go-back-N (RFC 3522, RFC 4015 §3.1)",
          "[spurious][engine]") {
    for (const bool undo : {true, false}) {
        CAPTURE(undo);
        su_harness<su_newreno> h(su_config(true, false, undo));
        h.open();
        const std::uint32_t smss = h.smss();
        const std::vector<tcpfsm::outgoing_segment> flight = su_send_flight(h);
        const std::uint32_t first = su_iss + 1;
        // No ACK within the RTO (the path's delay spiked): the timer fires, segment 1 again.
        const auto wait = h.conn.time_to_next_deadline();
        REQUIRE(wait.count() > 0);
        h.rec.now_ms += wait.count();
        h.conn.on_timer();
        const std::vector<tcpfsm::outgoing_segment> rx = h.data_sent();
        REQUIRE(rx.size() == 1);
        CHECK(rx[0].header.seq == first);
        const tcpfsm::connection_status lost = h.conn.snapshot();
        CHECK(lost.recovery == tcpfsm::recovery_state::loss);
        CHECK(lost.cwnd == smss);                // RFC 5681 §3.1: the loss window
        CHECK(lost.ssthresh == 5u * smss);       // max(FlightSize / 2, 2 * SMSS)
        // The ACK of the original segment 1 (TSecr: its TSval, older than the retransmission's).
        REQUIRE(tcpfsm::options::timestamp_before(flight[0].options.ts_val, rx[0].options.ts_val));
        h.ack(first + smss, flight[0].options.ts_val);
        const tcpfsm::connection_status st = h.conn.snapshot();
        const std::vector<tcpfsm::outgoing_segment> after = h.data_sent();
        if (undo) {
            CHECK(st.recovery == tcpfsm::recovery_state::open);
            CHECK(st.cwnd == 10u * smss);
            CHECK(st.ssthresh == su_ssthresh_initial);
            CHECK(after.empty());  // segments 2-10 are in flight: nothing resent
            CHECK(h.conn.statistics().spurious_undos_timestamps == 1);
        } else {
            // Go-back-N in slow start: cwnd 2 SMSS after the ACK (RFC 5681 §3.1), segments 2 and 3 again.
            CHECK(st.recovery == tcpfsm::recovery_state::loss);
            CHECK(st.cwnd == 2u * smss);
            REQUIRE(after.size() == 2);
            CHECK(after[0].header.seq == first + smss);
            CHECK(after[1].header.seq == first + 2u * smss);
        }
    }
}

TEST_CASE("spurious undo: the detector alone (RFC 3522 §3's comparison modulo 2^32, RFC 3708's accounting)",
          "[spurious]") {
    tcpfsm::spurious_retransmission_detector d;
    CHECK(!d.active());
    CHECK(!d.on_dsack({100, 200}));  // no episode
    d.start(1000);
    CHECK(d.active());
    // No retransmission yet: nothing to compare or account for.
    CHECK(!d.retransmission_delayed(true, 5));
    CHECK(!d.on_dsack({1000, 1100}));
    // Two retransmissions: [1000, 1500) at TSval 0xFFFFFFF0 (just below the wrap), [2000, 2500).
    d.on_retransmitted(1000, 500, 0xFFFFFFF0u);
    d.on_retransmitted(2000, 500, 0x00000010u);
    CHECK(d.first_retransmission_tsval() == 0xFFFFFFF0u);  // the first one's
    CHECK(d.unreported_octets() == 1000u);
    CHECK(d.retransmitted_end() == 2500u);
    // TSecr older than 0xFFFFFFF0 modulo 2^32 (RFC 7323 §5.2's comparison): 0xFFFFFFEF; not
    // older: itself, 0x10 (after the wrap, newer), and 0 (echoes nothing).
    CHECK(d.retransmission_delayed(true, 0xFFFFFFEFu));
    CHECK(!d.retransmission_delayed(true, 0xFFFFFFF0u));
    CHECK(!d.retransmission_delayed(true, 0x10u));
    CHECK(!d.retransmission_delayed(true, 0u));
    CHECK(!d.retransmission_delayed(false, 0xFFFFFFEFu));  // no TSopt
    // D-SACK: [900, 1200) counts 200 (above the marker 1000); [2400, 2600) counts 100 (below the
    // highest retransmission's end 2500); [3000, 3100) nothing: 1000 - 200 - 100 = 700 left.
    CHECK(!d.on_dsack({900, 1200}));
    CHECK(!d.on_dsack({2400, 2600}));
    CHECK(!d.on_dsack({3000, 3100}));
    CHECK(d.unreported_octets() == 700u);
    // The rest: [1200, 1500) 300 and [2000, 2400) 400: all accounted for.
    CHECK(!d.on_dsack({1200, 1500}));
    CHECK(d.on_dsack({2000, 2400}));
    d.finish();
    CHECK(!d.active());
    CHECK(!d.retransmission_delayed(true, 0xFFFFFFEFu));
    // Compiled out: never anything.
    tcpfsm::no_spurious_retransmission_detector none;
    none.start(1000);
    none.on_retransmitted(1000, 500, 7);
    CHECK(!none.active());
    CHECK(!none.retransmission_delayed(true, 1));
    CHECK(!none.on_dsack({1000, 1500}));
    STATIC_REQUIRE(std::is_empty<tcpfsm::no_spurious_retransmission_detector>::value);
}
