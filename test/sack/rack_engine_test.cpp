// RACK-TLP (RFC 8985) in the engine (sack/rack_detector.hpp, sack/sender.hpp,
// detail/connection_rack.hpp): the reordering window and timer (§6.2 steps 3-5, §6.3), a
// loss repaired without the RTO, a lost retransmission found by time order, the tail loss
// probe (§7.2-§7.3) at 2 * SRTT (+ the max ack delay for a flight of one segment), and the
// engine with connection_config::rack off (RFC 6675's DupThresh). Every expected time is
// RFC 8985's formulas worked here from the round trip the test sets (100 ms).
// SPDX-License-Identifier: MIT
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/connection.hpp>
#include <tcpfsm/selective_acknowledgment.hpp>

#include <catch2/catch.hpp>

#include "../support/sent_log.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace {

namespace ctl = tcpfsm::ctl;

using rk_record = tcpfsm_test::sent_log<>;
using rk_clock = tcpfsm_test::log_clock<rk_record>;
using rk_io = tcpfsm_test::log_io<rk_record>;

template <class CC>
using rk_profile_with = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC>;
template <class Profile>
using rk_engine = tcpfsm::connection<rk_io, rk_clock, tcpfsm::null_observer, tcpfsm::fixed_iss, Profile>;

constexpr std::uint32_t rk_iss = 1000;
constexpr std::uint32_t rk_irs = 5000;
constexpr std::uint32_t rk_smss = 1000;
constexpr std::int64_t rk_rtt_ms = 100;  // every round trip in these tests

// Every ACK at once, no timestamps (RTT samples are Karn's), SACK and RACK on.
tcpfsm::connection_config rk_config(bool rack, std::uint16_t iw_segments) {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
    c.sack = true;
    c.rack = rack;
    c.nagle = false;
    c.mss = static_cast<std::uint16_t>(rk_smss);
    c.initial_window_segments = iw_segments;
    return c;
}

template <class CC = tcpfsm::congestion::unlimited>
struct rk_harness {
    rk_record rec;
    tcpfsm::connection_config config;
    rk_engine<rk_profile_with<CC>> conn;
    explicit rk_harness(const tcpfsm::connection_config& c)
        : config(c), conn(config, rk_io{&rec}, rk_clock{&rec}, tcpfsm::null_observer{}, tcpfsm::fixed_iss(rk_iss)) {}
    rk_harness(const rk_harness&) = delete;
    rk_harness& operator=(const rk_harness&) = delete;
    tcpfsm::connection_status st() const { return conn.snapshot(); }
    void advance(std::int64_t ms) {
        rec.now_ms += ms;
        conn.on_timer();
    }
    std::int64_t next_ms() { return static_cast<std::int64_t>(conn.time_to_next_deadline().count()); }
    // The segments sent since the last clear that start at `seq` with text.
    std::size_t sent_at(std::uint32_t seq) const {
        std::size_t n = 0;
        for (const tcpfsm::outgoing_segment& s : rec.sent)
            if (s.header.seq == seq && s.header.text_length != 0) ++n;
        return n;
    }
};

tcpfsm::segment rk_seg(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack) {
    tcpfsm::segment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = 65535;
    return s;
}

tcpfsm::segment_options rk_blocks(std::initializer_list<tcpfsm::seq_block> blocks) {
    tcpfsm::segment_options o;
    for (const tcpfsm::seq_block& b : blocks) o.sack.blocks[o.sack.count++] = b;
    return o;
}

// Active OPEN; the SYN,ACK comes one round trip later (SRTT = 100 ms, RFC 6298 (2.2)).
template <class H>
void rk_open(H& h) {
    h.conn.open_active();
    h.rec.now_ms += rk_rtt_ms;
    tcpfsm::segment syn_ack = rk_seg(ctl::syn | ctl::ack, rk_irs, rk_iss + 1);
    syn_ack.mss = static_cast<std::uint16_t>(rk_smss);
    tcpfsm::segment_options o;
    o.sack_permitted = true;
    h.conn.on_segment(syn_ack, o);
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    REQUIRE(h.st().sack);
    REQUIRE(h.st().srtt_ms == 100u);
    h.rec.sent.clear();
}

// An ACK from the peer: cumulative `ack`, SACK blocks.
template <class H>
void rk_ack(H& h, std::uint32_t ack, std::initializer_list<tcpfsm::seq_block> blocks = {}) {
    h.conn.on_segment(rk_seg(ctl::ack, rk_irs + 1, ack), rk_blocks(blocks));
}

constexpr std::uint32_t seg(std::uint32_t i) { return rk_iss + 1 + i * rk_smss; }  // segment i's first octet

}  // namespace

TEST_CASE("RACK: one segment lost mid-window is marked after RACK.rtt + reo_wnd and resent without the RTO",
          "[sack][rack][engine]") {
    rk_harness<> h(rk_config(true, 10));
    rk_open(h);
    REQUIRE(h.conn.send(10 * rk_smss) == tcpfsm::user_error::none);
    REQUIRE(h.st().snd_nxt == seg(10));  // segments 0..9 sent at T
    h.rec.sent.clear();
    // Segment 4 is lost. One RTT later: segments 0..3 acknowledged, then segment 5 SACKed.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(4));
    rk_ack(h, seg(4), {{seg(5), seg(6)}});
    // §6.2: RACK.rtt = 100 ms (segment 5, sent at T), RACK.min_RTT = 100 ms; no reordering
    // seen, not in recovery and one segment SACKed (< DupThresh): reo_wnd = min_RTT / 4 =
    // 25 ms. Segment 4 (sent at T, before segment 5) is lost at T + 100 + 25: not yet, and
    // the reordering timer runs for T + 125 - now = 25 ms (§6.3).
    CHECK(h.rec.sent.empty());
    CHECK(h.st().recovery != tcpfsm::recovery_state::recovery);
    const std::int64_t reo_wnd_ms = rk_rtt_ms / 4;
    CHECK(h.next_ms() == rk_rtt_ms + reo_wnd_ms - rk_rtt_ms);
    h.advance(reo_wnd_ms);
    // The timer marked it lost: recovery begins and segment 4 goes again, long before the
    // RTO (1 s, RFC 6298 (2.4)).
    CHECK(h.sent_at(seg(4)) == 1u);
    CHECK(h.st().recovery == tcpfsm::recovery_state::recovery);
    CHECK(h.st().retransmits == 0u);  // no RTO expired
}

TEST_CASE("RACK: recovery the reordering timer began is an undo episode: D-SACK of its only retransmission "
          "undoes it (RFC 3708 §2, as when an ACK begins it)",
          "[sack][rack][engine][spurious]") {
    rk_harness<tcpfsm::congestion::newreno<>> h(rk_config(true, 10));
    rk_open(h);
    REQUIRE(h.conn.send(10 * rk_smss) == tcpfsm::user_error::none);
    h.rec.sent.clear();
    // Before the episode: RFC 6928's IW of 10 segments, ssthresh "arbitrarily high" (RFC 5681
    // §3.1); only duplicate ACKs follow, so neither grows.
    const std::uint32_t iw = 10u * rk_smss, ssthresh_initial = 0xFFFFFFFFu;
    REQUIRE(h.st().cwnd == iw);
    // Segment 0 is late (reordering): one RTT later segment 1 is SACKed; reo_wnd = min_RTT / 4
    // = 25 ms, and the reordering timer marks segment 0 lost (§6.3): recovery begins with
    // ssthresh = max(FlightSize / 2, 2 * SMSS) = 5 SMSS (RFC 5681 §3.2 (4), RFC 6675 §5 (4.2))
    // and segment 0 goes again.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(0), {{seg(1), seg(2)}});
    REQUIRE(h.rec.sent.empty());
    h.advance(rk_rtt_ms / 4);
    REQUIRE(h.sent_at(seg(0)) == 1u);
    REQUIRE(h.st().ssthresh == 5u * rk_smss);
    // The original of segment 0 arrives: the ACK of everything ends recovery (cwnd = ssthresh,
    // RFC 6937); then the retransmission, reported by a D-SACK block below SEG.ACK (RFC 2883
    // §4.1.1): every retransmitted octet of the episode was needless (RFC 3708 §2).
    rk_ack(h, seg(10));
    REQUIRE(h.st().snd_una == seg(10));
    rk_ack(h, seg(10), {{seg(0), seg(1)}});
    // The undo: cwnd and ssthresh as before the episode.
    CHECK(h.st().cwnd == iw);
    CHECK(h.st().ssthresh == ssthresh_initial);
}

TEST_CASE("RACK: reordering seen, a segment late by less than reo_wnd is not resent (RACK off: it is)",
          "[sack][rack][engine]") {
    for (const bool rack : {true, false}) {
        CAPTURE(rack);
        rk_harness<> h(rk_config(rack, 10));
        rk_open(h);
        // Flight 1 shows reordering: segment 1 SACKed, then segment 0 arrives 1 ms later.
        REQUIRE(h.conn.send(10 * rk_smss) == tcpfsm::user_error::none);
        h.rec.now_ms += rk_rtt_ms;
        rk_ack(h, seg(0), {{seg(1), seg(2)}});
        h.rec.now_ms += 1;
        rk_ack(h, seg(2));  // segment 0, never retransmitted, below RACK.fack: §6.2 step 3
        rk_ack(h, seg(10));
        REQUIRE(h.st().snd_una == seg(10));
        // Flight 2, sent at T2: segment 10 is late by 10 ms; segments 11..14 are SACKed
        // first, one ACK each (4 duplicates: RFC 6675 enters recovery on the third).
        REQUIRE(h.conn.send(10 * rk_smss) == tcpfsm::user_error::none);
        h.rec.sent.clear();
        h.rec.now_ms += rk_rtt_ms;
        for (std::uint32_t k = 1; k <= 4; ++k) rk_ack(h, seg(10), {{seg(11), seg(11 + k)}});
        if (rack) {
            // Reordering seen: reo_wnd = min_RTT / 4 = 25 ms even with 4 segments SACKed
            // (§6.2 step 4); segment 10 would be lost at T2 + 100 + 25.
            CHECK(h.rec.sent.empty());
            CHECK(h.next_ms() == rk_rtt_ms / 4);
        } else {
            CHECK(h.sent_at(seg(10)) == 1u);  // RFC 6675 §5: DupThresh reached
        }
        h.rec.now_ms += 10;  // segment 10 arrives, 10 ms < reo_wnd late
        rk_ack(h, seg(15));
        CHECK(h.sent_at(seg(10)) == (rack ? 0u : 1u));
        if (rack) CHECK(h.st().recovery != tcpfsm::recovery_state::recovery);
    }
}

TEST_CASE("TLP: a lost last segment is probed at 2 * SRTT + max ack delay (flight of one) and repaired",
          "[sack][tlp][engine]") {
    rk_harness<> h(rk_config(true, 10));
    rk_open(h);
    REQUIRE(h.conn.send(4 * rk_smss) == tcpfsm::user_error::none);
    h.rec.sent.clear();
    // Segment 3 (the last) is lost: one RTT later segments 0..2 are acknowledged.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(3));
    // §7.2: one segment in flight: PTO = 2 * SRTT + TLP.max_ack_delay = 200 + 200 ms, below
    // the RTO's 1 s (RFC 6298 (2.4): SRTT + 4 RTTVAR = 300 ms, at least 1 s).
    const std::int64_t srtt = rk_rtt_ms, max_ack_delay = 200;
    CHECK(h.next_ms() == 2 * srtt + max_ack_delay);
    h.advance(2 * srtt + max_ack_delay - 1);
    CHECK(h.rec.sent.empty());
    h.advance(1);
    // §7.3: no new data: the last segment again; then the RTO, not the PTO, is armed.
    REQUIRE(h.rec.sent.size() == 1u);
    CHECK(h.sent_at(seg(3)) == 1u);
    CHECK(h.rec.sent[0].header.text_length == rk_smss);
    CHECK(h.next_ms() == 1000);
    CHECK(h.st().retransmits == 0u);
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(4));
    CHECK(h.st().snd_una == seg(4));
    CHECK(h.st().retransmits == 0u);
}

TEST_CASE("TLP: the first flight after the handshake, before any ACK of data, is probed too (RFC 8985 §7.2)",
          "[sack][tlp][engine]") {
    rk_harness<> h(rk_config(true, 10));
    rk_open(h);
    // A one-segment request, lost; no ACK of data has come yet. §7.2's conditions hold (data
    // outstanding, no recovery, nothing SACKed, no probe out) and SRTT is known from the
    // handshake (100 ms, RFC 6298 (2.2)): PTO = 2 * SRTT + TLP.max_ack_delay (a flight of one)
    // = 400 ms, before the RTO (max(SRTT + 4 * RTTVAR, 1 s) = 1 s, RFC 6298 (2.4)).
    REQUIRE(h.conn.send(rk_smss) == tcpfsm::user_error::none);
    REQUIRE(h.sent_at(seg(0)) == 1u);
    h.rec.sent.clear();
    const std::int64_t srtt = rk_rtt_ms, max_ack_delay = 200;
    CHECK(h.next_ms() == 2 * srtt + max_ack_delay);
    h.advance(2 * srtt + max_ack_delay);
    // §7.3: the segment again (no new data), and no RTO has expired.
    CHECK(h.sent_at(seg(0)) == 1u);
    CHECK(h.st().retransmits == 0u);
}

TEST_CASE("TLP: two tail segments lost: the probe at 2 * SRTT brings a SACK and RACK repairs the other",
          "[sack][tlp][rack][engine]") {
    rk_harness<> h(rk_config(true, 10));
    rk_open(h);
    REQUIRE(h.conn.send(4 * rk_smss) == tcpfsm::user_error::none);
    h.rec.sent.clear();
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(2));  // segments 2 and 3 lost
    // §7.2: two segments in flight: PTO = 2 * SRTT = 200 ms.
    CHECK(h.next_ms() == 2 * rk_rtt_ms);
    h.advance(2 * rk_rtt_ms);
    REQUIRE(h.sent_at(seg(3)) == 1u);  // the probe: the last segment
    h.rec.sent.clear();
    // The probe's ACK SACKs segment 3 (sent at T + 300, RTT 100 ms): segment 2, sent at T,
    // is lost at T + 100 + reo_wnd (25 ms) < now: recovery, segment 2 resent at once.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(2), {{seg(3), seg(4)}});
    CHECK(h.sent_at(seg(2)) == 1u);
    CHECK(h.st().recovery == tcpfsm::recovery_state::recovery);
    CHECK(h.st().retransmits == 0u);
}

TEST_CASE("TLP: with unsent data the peer's window admits, the probe is a new segment", "[sack][tlp][engine]") {
    rk_harness<tcpfsm::congestion::newreno<>> h(rk_config(true, 2));
    rk_open(h);
    REQUIRE(h.conn.send(8 * rk_smss) == tcpfsm::user_error::none);
    REQUIRE(h.st().snd_nxt == seg(2));  // cwnd: 2 segments
    h.rec.sent.clear();
    // Segment 0 is acknowledged and slow start sends more; everything after it is lost.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(1));
    h.rec.sent.clear();
    const std::uint32_t nxt = h.st().snd_nxt;
    REQUIRE(tcpfsm::seq_lt(nxt, seg(8)));  // unsent data is left
    // PTO = 2 * SRTT (more than one segment in flight), then one new segment (§7.3).
    REQUIRE(h.st().snd_nxt - h.st().snd_una > rk_smss);
    CHECK(h.next_ms() == 2 * rk_rtt_ms);
    h.advance(2 * rk_rtt_ms);
    REQUIRE(h.rec.sent.size() == 1u);
    CHECK(h.rec.sent[0].header.seq == nxt);
    CHECK(h.st().snd_nxt == nxt + rk_smss);
}

TEST_CASE("RACK: a lost retransmission is found by time order, without the RTO", "[sack][rack][engine]") {
    rk_harness<tcpfsm::congestion::newreno<>> h(rk_config(true, 10));
    rk_open(h);
    REQUIRE(h.conn.send(20 * rk_smss) == tcpfsm::user_error::none);
    REQUIRE(h.st().snd_nxt == seg(10));  // IW 10 at T
    h.rec.sent.clear();
    // Segment 2 is lost; segments 3..9 are SACKed one by one a round trip later. With three
    // SACKed and no reordering seen, reo_wnd = 0 (§6.2 step 4): segment 2 is lost.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(2));
    for (std::uint32_t k = 3; k <= 9; ++k) rk_ack(h, seg(2), {{seg(3), seg(k + 1)}});
    REQUIRE(h.sent_at(seg(2)) == 1u);  // at T + 100
    // PRR let new data follow the retransmission (sent after it).
    std::uint32_t newest = 0;
    for (const tcpfsm::outgoing_segment& s : h.rec.sent)
        if (s.header.text_length != 0 && tcpfsm::seq_ge(s.header.seq, seg(10))) newest = s.header.seq;
    REQUIRE(newest != 0u);
    h.rec.sent.clear();
    // The retransmission is lost too. A round trip later the new segment is SACKed: it was
    // sent after the retransmission (same time, higher sequence, §6.2 RACK_sent_after), and
    // RACK.rtt (100) + reo_wnd (0 in recovery) has passed since the retransmission.
    h.rec.now_ms += rk_rtt_ms;
    rk_ack(h, seg(2), {{seg(3), newest + rk_smss}});
    CHECK(h.sent_at(seg(2)) == 1u);
    CHECK(h.st().retransmits == 0u);
}

namespace {
// A clock in microseconds, for a round trip below the engine's 1 ms tick.
struct rk_us_record {
    std::int64_t now_us = 1000000000;
    std::vector<tcpfsm::outgoing_segment> sent;
};
struct rk_us_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>;
    const rk_us_record* r;
    time_point now() const noexcept { return time_point(std::chrono::microseconds(r->now_us)); }
};
struct rk_us_io {
    rk_us_record* r;
    void send(const tcpfsm::outgoing_segment& s) noexcept { r->sent.push_back(s); }
};
}  // namespace

TEST_CASE("TLP: a round trip below 1 ms (a LAN) still has an SRTT: the probe at 2 * RACK.rtt, not 1 s",
          "[sack][tlp][engine]") {
    using profile = rk_profile_with<tcpfsm::congestion::unlimited>;
    rk_us_record rec;
    const tcpfsm::connection_config config = rk_config(true, 10);
    tcpfsm::connection<rk_us_io, rk_us_clock, tcpfsm::null_observer, tcpfsm::fixed_iss, profile> conn(
        config, rk_us_io{&rec}, rk_us_clock{&rec}, tcpfsm::null_observer{}, tcpfsm::fixed_iss(rk_iss));
    constexpr std::int64_t rtt_us = 300;
    conn.open_active();
    rec.now_us += rtt_us;
    tcpfsm::segment syn_ack = rk_seg(ctl::syn | ctl::ack, rk_irs, rk_iss + 1);
    syn_ack.mss = static_cast<std::uint16_t>(rk_smss);
    tcpfsm::segment_options o;
    o.sack_permitted = true;
    conn.on_segment(syn_ack, o);
    REQUIRE(conn.current_state() == tcpfsm::state::established);
    // RFC 6298 in whole ms of the engine's clock: the 0.3 ms handshake is a 0 ms sample.
    REQUIRE(conn.snapshot().srtt_ms == 0u);
    REQUIRE(conn.send(5 * rk_smss) == tcpfsm::user_error::none);
    rec.sent.clear();
    // Segments 3 and 4 (the tail) are lost; 0..2 are acknowledged 0.3 ms later: RACK.rtt =
    // 300 µs. §7.2 with two segments in flight: PTO = 2 * SRTT = 600 µs, the engine's timer
    // rounding up to 1 ms; without an SRTT it would be 1 s (§7.2), the RTO's own deadline.
    rec.now_us += rtt_us;
    conn.on_segment(rk_seg(ctl::ack, rk_irs + 1, seg(3)), rk_blocks({}));
    CHECK(conn.time_to_next_deadline().count() == 1);
    rec.now_us += 1000;
    conn.on_timer();
    // §7.3: no new data: the last segment again.
    REQUIRE(rec.sent.size() == 1u);
    CHECK(rec.sent[0].header.seq == seg(4));
    CHECK(conn.snapshot().retransmits == 0u);
}
