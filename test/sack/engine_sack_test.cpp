// SACK in the engine (selective_acknowledgment.hpp, sack/sender.hpp, connection.hpp): the
// SACK-permitted negotiation (RFC 2018 §2) in both directions and every combination, the
// blocks every ACK carries (RFC 2018 §4: most recent first, at most 4; D-SACK, RFC 2883),
// the sender's validation of received blocks, PRR's sending rate in recovery (RFC 6937 §3,
// the formula worked in the test), and a simulated 3-segment burst loss repaired by RFC 6675
// against NewReno. Every expected number is the RFCs' arithmetic done here.
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>
#include <tcpfsm/selective_acknowledgment.hpp>
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include "../support/sent_log.hpp"

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <vector>

namespace {

namespace ctl = tcpfsm::ctl;

using es_record = tcpfsm_test::sent_log<>;
using es_clock = tcpfsm_test::log_clock<es_record>;
using es_io = tcpfsm_test::log_io<es_record>;

// Places text itself, so the engine holds out-of-order text (receive_path.hpp).
struct es_observer : tcpfsm::null_observer {
    void on_place(std::uint32_t, const std::uint8_t*, std::uint32_t) noexcept {}
    void on_readable(std::uint32_t) noexcept {}
};

template <class CC>
using es_profile_with = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC>;
using es_profile = es_profile_with<tcpfsm::congestion::unlimited>;
template <class Profile = es_profile>
using es_engine = tcpfsm::connection<es_io, es_clock, es_observer, tcpfsm::fixed_iss, Profile>;

constexpr std::uint32_t es_iss = 1000;
constexpr std::uint32_t es_irs = 5000;

// Every ACK at once (no delayed ACK, no per-turn deferral), so each reply is in `sent`.
tcpfsm::connection_config es_config(bool sack) {
    tcpfsm::connection_config c = tcpfsm::rfc_reference_config;
    c.sack = sack;
    c.nagle = false;
    return c;
}

template <class Profile = es_profile>
struct es_harness {
    es_record rec;
    tcpfsm::connection_config config;
    es_engine<Profile> conn;
    explicit es_harness(const tcpfsm::connection_config& c)
        : config(c), conn(config, es_io{&rec}, es_clock{&rec}, es_observer{}, tcpfsm::fixed_iss(es_iss)) {}
    es_harness(const es_harness&) = delete;
    es_harness& operator=(const es_harness&) = delete;

    tcpfsm::outgoing_segment take() {
        REQUIRE(!rec.sent.empty());
        const tcpfsm::outgoing_segment s = rec.sent.front();
        rec.sent.erase(rec.sent.begin());
        return s;
    }
    tcpfsm::connection_status st() const { return conn.snapshot(); }
};

tcpfsm::segment es_seg(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t text = 0,
                       std::uint16_t window = 65535) {
    tcpfsm::segment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = window;
    s.text_length = text;
    return s;
}

tcpfsm::segment_options es_permitted(bool on) {
    tcpfsm::segment_options o;
    o.sack_permitted = on;
    return o;
}

tcpfsm::segment_options es_blocks(std::initializer_list<tcpfsm::seq_block> blocks) {
    tcpfsm::segment_options o;
    for (const tcpfsm::seq_block& b : blocks) o.sack.blocks[o.sack.count++] = b;
    return o;
}

// Active OPEN to ESTABLISHED; the peer's SYN,ACK offers SACK-permitted or not.
template <class H>
void es_open_active(H& h, bool peer_offers) {
    h.conn.open_active();
    (void)h.take();  // the SYN
    h.conn.on_segment(es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1), es_permitted(peer_offers));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    (void)h.take();  // our ACK
}

bool same(const tcpfsm::seq_block& a, std::uint32_t left, std::uint32_t right) {
    return a.left == left && a.right == right;
}

}  // namespace

TEST_CASE("engine SACK: negotiation on an active open, config x peer", "[sack][engine]") {
    for (const bool ours : {false, true}) {
        for (const bool peer : {false, true}) {
            CAPTURE(ours, peer);
            es_harness<> h(es_config(ours));
            h.conn.open_active();
            const tcpfsm::outgoing_segment syn = h.take();
            CHECK(syn.header.syn());
            CHECK(syn.options.sack_permitted == ours);  // §2: on the SYN when we want it
            h.conn.on_segment(es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1), es_permitted(peer));
            REQUIRE(h.conn.current_state() == tcpfsm::state::established);
            CHECK(h.st().sack == (ours && peer));  // both SYNs carried it
            const tcpfsm::outgoing_segment ack = h.take();
            CHECK(!ack.options.sack_permitted);  // never on a non-SYN
        }
    }
}

TEST_CASE("engine SACK: negotiation on a passive open, config x peer", "[sack][engine]") {
    for (const bool ours : {false, true}) {
        for (const bool peer : {false, true}) {
            CAPTURE(ours, peer);
            es_harness<> h(es_config(ours));
            h.conn.open_passive();
            h.conn.on_segment(es_seg(ctl::syn, es_irs, 0), es_permitted(peer));
            const tcpfsm::outgoing_segment syn_ack = h.take();
            CHECK(syn_ack.header.has(ctl::syn | ctl::ack));
            // §2: on the SYN,ACK only if the SYN carried it and we want it.
            CHECK(syn_ack.options.sack_permitted == (ours && peer));
            h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, es_iss + 1));
            REQUIRE(h.conn.current_state() == tcpfsm::state::established);
            CHECK(h.st().sack == (ours && peer));
        }
    }
}

TEST_CASE("engine SACK: SACK-permitted on a non-SYN segment is ignored", "[sack][engine]") {
    es_harness<> h(es_config(true));
    h.conn.open_passive();
    h.conn.on_segment(es_seg(ctl::syn, es_irs, 0), es_permitted(false));
    CHECK(!h.take().options.sack_permitted);
    // The third segment of the handshake, then text out of order, both "offering" SACK.
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, es_iss + 1), es_permitted(true));
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    CHECK(!h.st().sack);
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1 + 1000, es_iss + 1, 500), es_permitted(true));
    CHECK(!h.st().sack);
    const tcpfsm::outgoing_segment dup_ack = h.take();
    CHECK(dup_ack.header.ack == es_irs + 1);
    CHECK(dup_ack.options.sack.empty());  // no blocks on a connection without SACK
}

TEST_CASE("engine SACK: a profile without SACK never offers it", "[sack][engine]") {
    using no_sack = tcpfsm::with_sack<es_profile, false>;
    es_harness<no_sack> h(es_config(true));
    h.conn.open_active();
    CHECK(!h.take().options.sack_permitted);
    h.conn.on_segment(es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1), es_permitted(true));
    CHECK(!h.st().sack);
    // It costs nothing in the TCB (TCPFSM_NO_UNIQUE_ADDRESS of an empty class).
    CHECK(std::is_empty<tcpfsm::no_selective_acknowledgment>::value);
}

TEST_CASE("engine SACK: blocks of the held ranges, most recent first, at most 4 (RFC 2018 §3-4)",
          "[sack][engine]") {
    es_harness<> h(es_config(true));
    es_open_active(h, true);
    const std::uint32_t r = es_irs + 1;  // RCV.NXT
    // Five segments of 100 octets with a gap of 100 before each: [r+200k+100, r+200k+200).
    std::vector<tcpfsm::seq_block> held;
    for (std::uint32_t k = 0; k < 5; ++k) {
        const std::uint32_t left = r + 200 * k + 100;
        h.conn.on_segment(es_seg(ctl::ack, left, es_iss + 1, 100));
        held.push_back({left, left + 100});
        const tcpfsm::outgoing_segment ack = h.take();  // out of order: an immediate ACK
        CHECK(ack.header.ack == r);
        CAPTURE(k);
        // min(k + 1, 4) blocks: the newest first, then the older ones, newest to oldest.
        const std::size_t expected = k + 1 < 4 ? k + 1 : 4;
        REQUIRE(ack.options.sack.count == expected);
        CHECK(!ack.options.sack.dsack);
        for (std::size_t i = 0; i < expected; ++i) {
            CHECK(same(ack.options.sack.blocks[i], held[k - i].left, held[k - i].right));
        }
    }
    // 4 blocks fill 2 + 4 * 8 = 34 of the 40 octets; beside timestamps' 12, only 3 fit (§3).
    CHECK(tcpfsm::options::sack_blocks_that_fit(false) == (40 - 2) / 8);
    CHECK(tcpfsm::options::sack_blocks_that_fit(true) == (40 - 12 - 2) / 8);
    // Text that fills the first gap: RCV.NXT moves over the first block; the block the
    // segment touched is gone, the rest follow, most recent first.
    h.conn.on_segment(es_seg(ctl::ack, r, es_iss + 1, 100));
    const tcpfsm::outgoing_segment ack = h.take();
    CHECK(ack.header.ack == r + 200);
    REQUIRE(ack.options.sack.count == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK(same(ack.options.sack.blocks[i], held[4 - i].left, held[4 - i].right));
}

TEST_CASE("engine SACK: a data segment carries the blocks its text leaves room for (RFC 6691)", "[sack][engine]") {
    es_harness<> h(es_config(true));
    es_open_active(h, true);  // the peer's SYN,ACK has no MSS option: SMSS 536 (RFC 9293 §3.7.1)
    const std::uint32_t r = es_irs + 1;
    for (std::uint32_t k = 0; k < 5; ++k) {
        h.conn.on_segment(es_seg(ctl::ack, r + 200 * k + 100, es_iss + 1, 100));
        (void)h.take();
    }
    // A full segment: 536 octets of text leave no room for a SACK option (4 + 8n octets).
    REQUIRE(h.conn.send(536) == tcpfsm::user_error::none);
    const tcpfsm::outgoing_segment full = h.take();
    CHECK(full.header.text_length == 536u);
    CHECK(full.options.sack.count == 0u);
    // 516 octets leave 20: (20 - 4) / 8 = 2 blocks, the two most recent ranges.
    REQUIRE(h.conn.send(516) == tcpfsm::user_error::none);
    const tcpfsm::outgoing_segment part = h.take();
    CHECK(part.header.text_length == 516u);
    REQUIRE(part.options.sack.count == 2u);
    CHECK(same(part.options.sack.blocks[0], r + 900, r + 1000));
    CHECK(same(part.options.sack.blocks[1], r + 700, r + 800));
    CHECK(part.header.text_length + 4u + 8u * part.options.sack.count <= 536u);
    // A pure ACK has room for 4 again.
    h.conn.on_segment(es_seg(ctl::ack, r + 1100, es_iss + 1, 100));
    CHECK(h.take().options.sack.count == 4u);
}

TEST_CASE("engine SACK: 3 blocks beside timestamps (RFC 2018 §3)", "[sack][engine]") {
    es_harness<> h(es_config(true));
    h.conn.open_active();
    const tcpfsm::outgoing_segment syn = h.take();
    REQUIRE(syn.options.has_timestamps);
    // The peer's SYN,ACK offers SACK-permitted and timestamps (RFC 7323 §3.2).
    tcpfsm::segment_options o = es_permitted(true);
    o.has_timestamps = true;
    o.ts_val = 100;
    o.ts_ecr = syn.options.ts_val;
    h.conn.on_segment(es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1), o);
    REQUIRE(h.conn.current_state() == tcpfsm::state::established);
    REQUIRE(h.st().sack);
    REQUIRE(h.st().timestamps);
    (void)h.take();
    const std::uint32_t r = es_irs + 1;
    std::vector<tcpfsm::seq_block> held;
    for (std::uint32_t k = 0; k < 5; ++k) {
        const std::uint32_t left = r + 200 * k + 100;
        tcpfsm::segment_options t;
        t.has_timestamps = true;
        t.ts_val = 101 + k;  // PAWS: never older than TS.Recent
        t.ts_ecr = syn.options.ts_val;
        h.conn.on_segment(es_seg(ctl::ack, left, es_iss + 1, 100), t);
        held.push_back({left, left + 100});
        const tcpfsm::outgoing_segment ack = h.take();
        CAPTURE(k);
        REQUIRE(ack.options.has_timestamps);
        // 12 octets of timestamps leave room for (40 - 12 - 2) / 8 = 3 blocks.
        const std::size_t expected = k + 1 < 3 ? k + 1 : 3;
        REQUIRE(ack.options.sack.count == expected);
        for (std::size_t i = 0; i < expected; ++i) {
            CHECK(same(ack.options.sack.blocks[i], held[k - i].left, held[k - i].right));
        }
    }
}

TEST_CASE("engine SACK: D-SACK for a duplicate, reported once (RFC 2883)", "[sack][engine]") {
    es_harness<> h(es_config(true));
    es_open_active(h, true);
    const std::uint32_t r = es_irs + 1;
    // In order [r, r+100), then the same segment again: wholly below RCV.NXT (§4.1.1).
    h.conn.on_segment(es_seg(ctl::ack, r, es_iss + 1, 100));
    (void)h.take();
    h.conn.on_segment(es_seg(ctl::ack, r, es_iss + 1, 100));
    tcpfsm::outgoing_segment ack = h.take();
    CHECK(ack.header.ack == r + 100);
    REQUIRE(ack.options.sack.count == 1);
    CHECK(ack.options.sack.dsack);
    CHECK(same(ack.options.sack.blocks[0], r, r + 100));
    // A held block [r+300, r+400), then a duplicate of its first half: the D-SACK block,
    // then the block that holds it (§4 "the second SACK block ... should specify that block").
    h.conn.on_segment(es_seg(ctl::ack, r + 300, es_iss + 1, 100));
    ack = h.take();
    REQUIRE(ack.options.sack.count == 1);  // the D-SACK went with the ACK before
    CHECK(!ack.options.sack.dsack);
    h.conn.on_segment(es_seg(ctl::ack, r + 300, es_iss + 1, 50));
    ack = h.take();
    REQUIRE(ack.options.sack.count == 2);
    CHECK(ack.options.sack.dsack);
    CHECK(same(ack.options.sack.blocks[0], r + 300, r + 350));
    CHECK(same(ack.options.sack.blocks[1], r + 300, r + 400));
    // The next ACK (new text out of order) has no D-SACK block.
    h.conn.on_segment(es_seg(ctl::ack, r + 500, es_iss + 1, 100));
    ack = h.take();
    CHECK(!ack.options.sack.dsack);
    REQUIRE(ack.options.sack.count == 2);
    CHECK(same(ack.options.sack.blocks[0], r + 500, r + 600));
    CHECK(same(ack.options.sack.blocks[1], r + 300, r + 400));
}

TEST_CASE("engine SACK: blocks outside SND.UNA..SND.NXT are ignored by the sender", "[sack][engine]") {
    es_harness<> h(es_config(true));
    es_open_active(h, true);
    const std::uint32_t una = es_iss + 1;
    REQUIRE(h.conn.send(5000) == tcpfsm::user_error::none);
    h.rec.sent.clear();
    REQUIRE(h.st().snd_nxt == una + 5000);
    const std::uint32_t nxt = una + 5000;
    // Beyond SND.NXT, below SND.UNA, reversed, straddling SND.NXT: none is taken.
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{nxt, nxt + 1000}}));
    CHECK(h.st().sacked == 0u);
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{una - 2000, una - 1000}}));
    CHECK(h.st().sacked == 0u);
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{una + 3000, una + 2000}}));
    CHECK(h.st().sacked == 0u);
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{una + 4000, nxt + 1}}));
    CHECK(h.st().sacked == 0u);
    // A block inside is: its length.
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{una + 1000, una + 2500}}));
    CHECK(h.st().sacked == 1500u);
    CHECK(h.st().snd_una == una);
}

TEST_CASE("engine SACK: PRR's sending rate in recovery follows RFC 6937's formula", "[sack][engine][prr]") {
    // NewReno's ssthresh (RFC 5681 (4)): max(FlightSize / 2, 2 * SMSS).
    using profile = es_profile_with<tcpfsm::congestion::newreno<>>;
    tcpfsm::connection_config config = es_config(true);
    config.mss = 1000;
    config.initial_window_segments = 20;
    config.rack = false;  // RFC 6675's entry on DupThresh / IsLost() (RACK-TLP: rack_engine_test.cpp)
    es_harness<profile> h(config);
    h.conn.open_active();
    (void)h.take();
    tcpfsm::segment syn_ack = es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1);
    syn_ack.mss = 1000;
    h.conn.on_segment(syn_ack, es_permitted(true));
    REQUIRE(h.st().sack);
    const std::uint32_t smss = 1000, una = es_iss + 1;
    REQUIRE(h.conn.send(60 * smss) == tcpfsm::user_error::none);
    h.rec.sent.clear();
    // The initial window: 20 segments, 0..19 (segment i is [una + 1000 i, una + 1000 (i+1))).
    REQUIRE(h.st().snd_nxt == una + 20 * smss);
    // Segment 0 is lost; ACK k SACKs segments 1..k. IsLost(SND.UNA) holds when more than
    // (DupThresh - 1) * SMSS = 2000 octets are SACKed above it: at k = 3 (RFC 6675 §5 (2)),
    // which is also the third duplicate: recovery begins and segment 0 goes again at once.
    // Before (§5 (3.3)): cwnd (20 segments) - SetPipe() (the segments sent, less the SACKed
    // ones) allows one new segment on each of the first two duplicates.
    std::uint32_t sent_high = 20;  // segments [0, sent_high) sent
    std::uint32_t recover_fs = 0, ssthresh = 0;
    std::uint64_t prr_delivered = 0, prr_out = 0;
    for (std::uint32_t k = 1; k <= 16; ++k) {
        CAPTURE(k);
        h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una), es_blocks({{una + smss, una + (k + 1) * smss}}));
        if (k < 3) {
            const std::uint64_t pipe = std::uint64_t{sent_high - k} * smss;  // sent, less k SACKed
            REQUIRE(h.rec.sent.size() == (20u * smss - pipe) / smss);
            CHECK(h.rec.sent[0].header.seq == una + sent_high * smss);
            sent_high += static_cast<std::uint32_t>(h.rec.sent.size());
            h.rec.sent.clear();
            continue;
        }
        if (k == 3) {
            // RFC 6937: RecoverFS = SND.NXT - SND.UNA; NewReno's ssthresh (RFC 5681 (4)):
            // max(FlightSize / 2, 2 * SMSS).
            recover_fs = sent_high * smss;
            ssthresh = recover_fs / 2 > 2 * smss ? recover_fs / 2 : 2 * smss;
        }
        // RFC 6937 §3 on this ACK: DeliveredData = 1 newly SACKed segment.
        prr_delivered += smss;
        // RFC 6675 SetPipe() after the ACK, before sending: segment 0 lost (not counted) but
        // retransmitted (counted) from k = 4 on; segments k+1 .. sent_high-1 in flight.
        const std::uint64_t pipe = (k > 3 ? smss : 0u) + std::uint64_t{sent_high - (k + 1)} * smss;
        std::int64_t sndcnt;
        if (pipe > ssthresh) {
            sndcnt = static_cast<std::int64_t>((prr_delivered * ssthresh + recover_fs - 1) / recover_fs) -
                     static_cast<std::int64_t>(prr_out);
        } else {  // PRR-SSRB
            const std::int64_t owed = static_cast<std::int64_t>(prr_delivered - prr_out);
            const std::int64_t limit = (owed > std::int64_t{smss} ? owed : std::int64_t{smss}) + smss;
            const std::int64_t room = std::int64_t{ssthresh} - static_cast<std::int64_t>(pipe);
            sndcnt = room < limit ? room : limit;
        }
        if (sndcnt < 0) sndcnt = 0;
        // Whole segments only; on the entering ACK the retransmission of segment 0 goes
        // whatever sndcnt says (RFC 6675 §5 (4.3)).
        std::uint32_t expected = static_cast<std::uint32_t>(sndcnt) / smss;
        if (k == 3) expected = 1;
        REQUIRE(h.rec.sent.size() == expected);
        for (const tcpfsm::outgoing_segment& o : h.rec.sent) {
            CHECK(o.header.text_length == smss);
            if (k == 3) {
                CHECK(o.header.seq == una);  // the lost segment first
            } else {
                CHECK(o.header.seq == una + sent_high * smss);  // then new data (NextSeg (2))
                ++sent_high;
            }
            prr_out += smss;
        }
        h.rec.sent.clear();
        CHECK(h.st().recovery == tcpfsm::recovery_state::recovery);
    }
    // By the last ACK PRR has brought pipe down to ssthresh (RFC 6937 §3's aim): segment 0
    // retransmitted, and segments 17 .. sent_high - 1 in flight.
    CHECK(smss + std::uint64_t{sent_high - 17} * smss == ssthresh);
    // The retransmission arrives: the cumulative ACK covers RecoveryPoint (SND.NXT when
    // recovery began, una + RecoverFS): recovery ends with cwnd = ssthresh (RFC 6937 §3).
    h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, una + recover_fs), tcpfsm::no_segment_options);
    CHECK(h.st().recovery == tcpfsm::recovery_state::open);
    CHECK(h.st().cwnd == ssthresh);
}

namespace {
namespace sim = tcpfsm::sim;
namespace pattern = tcpfsm::sim::pattern;

struct es_burst_result {
    std::size_t retransmissions = 0;
    sim::sim_time repaired_after_ms = 0;  // from the first send to SND.UNA = the end
    bool intact = false;
};

// A sends 30 full segments at once (initial window 30) over a 50 ms one-way path at
// 10 Mbit/s; segments 5, 6 and 7 (a burst of 3 in one window) are lost. A full segment
// carries MSS 1460 less the 12 octets of the timestamps both sides negotiate (RFC 6691).
constexpr std::uint32_t es_full = 1460u - 12u;

es_burst_result es_run_burst(bool sack) {
    tcpfsm::connection_config config{};
    config.nagle = false;
    config.sack = sack;
    config.initial_window_segments = 30;
    sim::network net{sim::network_config{}};
    sim::endpoint& a = net.add("A", config);
    sim::endpoint& b = net.add("B", config);
    a.set_fixed_iss(99);
    b.set_fixed_iss(299);
    net.connect(a, b);
    sim::link_config l;
    l.delay_ms = 50;
    l.rate_bps = 10000000;  // 1500 octets in 1.2 ms: the segments arrive one at a time
    net.set_links(a, b, l);
    REQUIRE(b.open_passive() == tcpfsm::user_error::none);
    REQUIRE(a.open_active() == tcpfsm::user_error::none);
    net.run_until(net.now() + 150);
    REQUIRE(a.st() == tcpfsm::state::established);
    REQUIRE(a.engine().snapshot().sack == sack);
    std::vector<std::uint8_t> data(30 * es_full);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7u);
    for (std::uint32_t i = 5; i < 8; ++i) {
        net.drop_next([&a, i](const sim::packet& k) {
            return k.from == a.index() && pattern::data(k.header) && k.header.seq == 100u + i * es_full;
        });
    }
    const sim::sim_time start = net.now();
    REQUIRE(a.send(data) == tcpfsm::user_error::none);
    const std::uint32_t end = 100u + 30u * es_full;
    es_burst_result out;
    for (int step = 0; step < 10000 && a.engine().snapshot().snd_una != end; ++step) net.run_until(net.now() + 1);
    out.repaired_after_ms = net.now() - start;
    out.retransmissions = net.sent_by(a, pattern::data).size() - 30u;
    out.intact = b.received() == data;
    return out;
}
}  // namespace

TEST_CASE("engine SACK (simulator): a 3-segment burst loss is repaired in one round trip", "[sack][simulator]") {
    const es_burst_result with_sack = es_run_burst(true);
    const es_burst_result newreno = es_run_burst(false);
    CHECK(with_sack.intact);
    CHECK(newreno.intact);
    // RTT 100 ms (plus 36 ms to send 30 segments at 10 Mbit/s). With SACK: the third ACK
    // with blocks (segment 10's) starts recovery about one RTT after the send, and IsLost()
    // marks the three holes at once: all three go in the next few ACKs (PRR allows them:
    // ssthresh 21 segments above a pipe of about 20), their ACK one more RTT later. About
    // 2 RTTs in all, exactly the 3 lost segments sent again.
    CHECK(with_sack.retransmissions == 3u);
    CHECK(with_sack.repaired_after_ms < 3 * 100);
    // NewReno learns of one hole per round trip (RFC 6582 §3.2): the fast retransmission
    // after one RTT, each partial ACK one RTT later: at least 4 RTTs from the send.
    CHECK(newreno.retransmissions == 3u);
    CHECK(newreno.repaired_after_ms >= 4 * 100);
}

TEST_CASE("engine SACK: arbitrary SACK blocks with data in flight keep the sender sane", "[sack][engine]") {
    using profile = es_profile_with<tcpfsm::congestion::newreno<>>;
    tcpfsm::connection_config config = es_config(true);
    config.mss = 1000;
    es_harness<profile> h(config);
    h.conn.open_active();
    (void)h.take();
    tcpfsm::segment syn_ack = es_seg(ctl::syn | ctl::ack, es_irs, es_iss + 1);
    syn_ack.mss = 1000;
    h.conn.on_segment(syn_ack, es_permitted(true));
    REQUIRE(h.st().sack);
    const std::uint32_t una0 = es_iss + 1, total = 200 * 1000;
    REQUIRE(h.conn.send(total) == tcpfsm::user_error::none);
    std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: the same sequence every run
    const auto next = [&x]() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<std::uint32_t>(x >> 16);
    };
    std::uint32_t steps_in_recovery = 0, steps_with_sacked = 0, retransmissions = 0;
    for (int step = 0; step < 3000; ++step) {
        CAPTURE(step);
        const tcpfsm::connection_status before = h.st();
        h.rec.sent.clear();
        if (next() % 8 == 0) {
            h.rec.now_ms += next() % 3000;  // perhaps a retransmission timeout
            h.conn.on_timer();
        } else {
            const std::uint32_t flight = before.snd_nxt - before.snd_una;
            // Mostly a duplicate; sometimes an advance of SND.UNA (never past SND.NXT).
            const std::uint32_t ack = next() % 4 == 0 && flight > 0 ? before.snd_una + next() % (flight + 1)
                                                                    : before.snd_una;
            tcpfsm::segment_options o;
            const std::uint32_t n = next() % 5;
            for (std::uint32_t i = 0; i < n; ++i) {
                tcpfsm::seq_block b;
                switch (next() % 3) {
                    case 0:  // anything at all
                        b = {next() << 8 | (next() & 0xFF), next() << 8 | (next() & 0xFF)};
                        break;
                    case 1:  // near the window, possibly reversed or straddling
                        b.left = before.snd_una - 2000 + next() % (flight + 4000);
                        b.right = b.left - 1000 + next() % 5000;
                        break;
                    default: {  // whole segments inside the window
                        const std::uint32_t segs = flight / 1000;
                        const std::uint32_t first = segs > 0 ? next() % segs : 0;
                        b.left = before.snd_una + first * 1000;
                        b.right = b.left + (1 + next() % 4) * 1000;
                        break;
                    }
                }
                o.sack.blocks[o.sack.count++] = b;
            }
            h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, ack), o);
        }
        const tcpfsm::connection_status after = h.st();
        REQUIRE(after.st == tcpfsm::state::established);
        // The scoreboard holds only octets above SND.UNA and below SND.NXT.
        REQUIRE(after.sacked <= after.snd_nxt - after.snd_una);
        steps_in_recovery += after.recovery == tcpfsm::recovery_state::recovery ? 1u : 0u;
        steps_with_sacked += after.sacked != 0 ? 1u : 0u;
        // Every segment sent lies within [SND.UNA before the input, SND.NXT after it).
        for (const tcpfsm::outgoing_segment& s : h.rec.sent) {
            const std::uint32_t from = s.header.seq - before.snd_una;
            REQUIRE(from <= after.snd_nxt - before.snd_una);
            REQUIRE(from + s.header.text_length <= after.snd_nxt - before.snd_una);
            REQUIRE(s.header.text_length <= 1000u);
            retransmissions += s.header.seq != before.snd_nxt && s.header.text_length != 0 ? 1u : 0u;
        }
    }
    // The run went where it was meant to: SACKed data, RFC 6675 recovery, retransmissions.
    CHECK(steps_with_sacked > 0u);
    CHECK(steps_in_recovery > 0u);
    CHECK(retransmissions > 0u);
    WARN("steps in recovery " << steps_in_recovery << ", with SACKed data " << steps_with_sacked
                              << ", retransmissions " << retransmissions);
    // Then a well-behaved receiver: every ACK acknowledges all that was sent. The transfer
    // ends: nothing is stuck in recovery.
    for (int round = 0; round < 2000 && h.st().snd_una != una0 + total; ++round) {
        h.rec.now_ms += 10;
        h.conn.on_timer();
        h.conn.on_segment(es_seg(ctl::ack, es_irs + 1, h.st().snd_nxt), tcpfsm::no_segment_options);
    }
    CHECK(h.st().snd_una == una0 + total);
    CHECK(h.st().sacked == 0u);
    CHECK(h.st().recovery == tcpfsm::recovery_state::open);
}
