// Timestamps and PAWS (RFC 7323 §3-5): negotiation, TSval and its offset, TS.Recent and the
// echo, PAWS with the 24-day rule, RTT samples and the adjusted gains of §4.2. Expected values
// come from RFC 7323's rules and arithmetic done here.
#include <tcpfsm/iss.hpp>
#include <tcpfsm/options/timestamps.hpp>
#include <tcpfsm/rto.hpp>
#include <tcpfsm/siphash.hpp>

#include <catch2/catch.hpp>

#include <cstdint>

namespace opts = tcpfsm::options;

namespace {

// A connection that negotiated timestamps, actively: our SYN at 0 ms, the peer's SYN,ACK
// with TSval = peer_tsval at `now_ms`, and our ACK of its SYN (Last.ACK.sent = irs + 1).
opts::timestamp_state ts_test_established(std::uint32_t peer_tsval, std::uint64_t now_ms, std::uint32_t irs,
                                          std::uint32_t offset = 0, opts::timestamp_config config = {}) {
    opts::timestamp_state t(offset, config);
    t.offer(opts::open_side::active, true);
    t.on_peer_syn(true, true, peer_tsval, now_ms);
    t.on_ack_sent(irs + 1);
    return t;
}

}  // namespace

TEST_CASE("timestamps: the constants of RFC 7323 §5.4 and §5.5", "[options][timestamps]") {
    STATIC_REQUIRE(opts::min_ms_per_tick == 1);
    STATIC_REQUIRE(opts::max_ms_per_tick == 1000);
    // 24 days in milliseconds, less than the 2^31 ms after which a 1 ms clock changes sign.
    STATIC_REQUIRE(opts::paws_idle_limit_ms == 24ull * 86400ull * 1000ull);
    STATIC_REQUIRE(opts::paws_idle_limit_ms == 2073600000ull);
    STATIC_REQUIRE(opts::paws_idle_limit_ms < (1ull << 31));
    CHECK(opts::is_valid(opts::timestamp_config{}));
    CHECK(opts::is_valid(opts::timestamp_config{true, 1000, opts::missing_timestamp_policy::accept}));
    CHECK_FALSE(opts::is_valid(opts::timestamp_config{true, 0, opts::missing_timestamp_policy::accept}));
    CHECK_FALSE(opts::is_valid(opts::timestamp_config{true, 1001, opts::missing_timestamp_policy::accept}));
    // Linux's default, the RFC's as the option.
    CHECK(opts::timestamp_config{}.missing == opts::missing_timestamp_policy::accept);
}

TEST_CASE("timestamps: the clock and TSval = clock + offset mod 2^32 (§5.4)", "[options][timestamps]") {
    CHECK(opts::timestamp_clock(12345, 1) == 12345u);
    CHECK(opts::timestamp_clock(12345, 10) == 1234u);
    CHECK(opts::timestamp_clock(12345, 1000) == 12u);
    CHECK(opts::timestamp_clock((std::uint64_t{1} << 32) + 5, 1) == 5u);  // wraps every 2^32 ticks
    CHECK(opts::timestamp_clock(777, 0) == 777u);                          // a tick of 0 reads as 1 ms

    opts::timestamp_state t(0xffffff00u);
    CHECK(t.tsval(0x200) == 0x100u);  // 0x200 + 0xffffff00 mod 2^32
    opts::timestamp_state slow(1000u, opts::timestamp_config{true, 100, opts::missing_timestamp_policy::accept});
    CHECK(slow.tsval(123456) == 1000u + 1234u);
    CHECK(slow.ms_per_tick() == 100);
    CHECK(slow.offset() == 1000u);
}

TEST_CASE("timestamps: the per-connection offset is a keyed hash of the four-tuple", "[options][timestamps]") {
    const tcpfsm::siphash_key key{0x0706050403020100u, 0x0f0e0d0c0b0a0908u};
    const opts::timestamp_offset_generator gen(key);
    tcpfsm::four_tuple t{};
    t.local = tcpfsm::endpoint_address::ipv4(192, 0, 2, 1);
    t.remote = tcpfsm::endpoint_address::ipv4(198, 51, 100, 7);
    t.local_port = 443;
    t.remote_port = 50000;
    // The message as documented: 4, local address, 4, remote address, local port, remote
    // port (network order), then 'T'.
    const std::uint8_t message[15] = {4, 192, 0, 2, 1, 4, 198, 51, 100, 7, 0x01, 0xbb, 0xc3, 0x50, 'T'};
    CHECK(gen(t) == static_cast<std::uint32_t>(tcpfsm::siphash_2_4(key, message, 15)));
    // Not the ISN's offset under the same key.
    CHECK(gen(t) != tcpfsm::rfc6528_iss(key).keyed_offset(t));
    // Another port, another offset; the same tuple, the same offset.
    tcpfsm::four_tuple u = t;
    u.remote_port = 50001;
    CHECK(gen(u) != gen(t));
    CHECK(gen(t) == opts::timestamp_offset_generator(key)(t));
    // Another key, another offset.
    CHECK(opts::timestamp_offset_generator(tcpfsm::siphash_key{1, 2})(t) != gen(t));
}

TEST_CASE("timestamps: negotiation needs both SYNs (§3.2)", "[options][timestamps]") {
    SECTION("active, the SYN,ACK carries TSopt: enabled, TS.Recent = its TSval") {
        opts::timestamp_state t;
        CHECK(t.offer(opts::open_side::active, true));
        CHECK(t.tsecr(false) == 0u);  // our SYN has no ACK bit: TSecr 0
        CHECK(t.on_peer_syn(true, true, 4242, 10));
        CHECK(t.enabled());
        CHECK(t.recent() == 4242u);
        CHECK(t.recent_set_at_ms() == 10u);
        CHECK(t.tsecr(true) == 4242u);
    }
    SECTION("active, the SYN,ACK lacks it: off") {
        opts::timestamp_state t;
        t.offer(opts::open_side::active, true);
        CHECK_FALSE(t.on_peer_syn(true, false, 0, 10));
        CHECK_FALSE(t.enabled());
    }
    SECTION("passive, the SYN carries it: the SYN,ACK echoes its TSval") {
        opts::timestamp_state t;
        t.on_peer_syn(true, true, 99, 0);
        CHECK(t.offer(opts::open_side::passive, true));
        CHECK(t.tsecr(true) == 99u);
        CHECK(t.enabled());
    }
    SECTION("passive, the SYN lacks it: the SYN,ACK must not carry it") {
        opts::timestamp_state t;
        t.on_peer_syn(true, false, 0, 0);
        CHECK_FALSE(t.offer(opts::open_side::passive, true));
        CHECK_FALSE(t.enabled());
    }
    SECTION("we do not offer: off whatever the peer sends") {
        opts::timestamp_state t;
        t.offer(opts::open_side::active, false);
        t.on_peer_syn(true, true, 5, 0);
        CHECK_FALSE(t.enabled());
    }
    SECTION("TSopt on a non-SYN does not negotiate, and is ignored by PAWS (§3.2)") {
        opts::timestamp_state t;
        t.offer(opts::open_side::active, true);
        t.on_peer_syn(true, false, 0, 0);
        CHECK_FALSE(t.on_peer_syn(false, true, 5, 0));
        CHECK_FALSE(t.enabled());
        CHECK(t.check(true, 0, false, 0) == opts::paws_verdict::accept);
        CHECK_FALSE(t.update_recent(true, 7, 0, 0));
    }
}

TEST_CASE("timestamps: PAWS rejects an old duplicate, RSTs exempt (§5.3 R1)", "[options][timestamps]") {
    opts::timestamp_state t = ts_test_established(1000, 0, 5000);
    CHECK(t.check(true, 999, false, 1) == opts::paws_verdict::reject);  // SEG.TSval < TS.Recent
    CHECK(t.check(true, 1000, false, 1) == opts::paws_verdict::accept); // equal is not older
    CHECK(t.check(true, 1001, false, 1) == opts::paws_verdict::accept);
    CHECK(t.check(true, 999, true, 1) == opts::paws_verdict::accept);   // "and the RST bit is not set"
    CHECK(t.recent() == 1000u);                                          // a check alone updates nothing

    SECTION("modulo 2^32") {
        opts::timestamp_state w = ts_test_established(0xfffffff0u, 0, 0);
        CHECK(w.check(true, 5, false, 1) == opts::paws_verdict::accept);          // 21 ticks later
        CHECK(w.check(true, 0xffffffefu, false, 1) == opts::paws_verdict::reject); // 1 tick earlier
        opts::timestamp_state z = ts_test_established(0, 0, 0);
        CHECK(z.check(true, 0x80000001u, false, 1) == opts::paws_verdict::reject); // 2^31 - 1 earlier
        CHECK(z.check(true, 0x7fffffffu, false, 1) == opts::paws_verdict::accept); // 2^31 - 1 later
    }
}

TEST_CASE("timestamps: a segment without TSopt on a timestamped connection (§3.2)", "[options][timestamps]") {
    opts::timestamp_state linux_way = ts_test_established(1000, 0, 0);
    CHECK(linux_way.check(false, 0, false, 1) == opts::paws_verdict::accept);

    opts::timestamp_state rfc_way =
        ts_test_established(1000, 0, 0, 0, opts::timestamp_config{true, 1, opts::missing_timestamp_policy::drop});
    CHECK(rfc_way.check(false, 0, false, 1) == opts::paws_verdict::drop_silently);  // "SHOULD silently drop"
    CHECK(rfc_way.check(false, 0, true, 1) == opts::paws_verdict::accept);          // a non-<RST> segment only
    CHECK(rfc_way.check(true, 1000, false, 1) == opts::paws_verdict::accept);
}

TEST_CASE("timestamps: TS.Recent idle for more than 24 days is invalid (§5.5)", "[options][timestamps]") {
    const std::uint64_t t0 = 5000;
    const std::uint64_t day_ms = 86400ull * 1000ull;
    opts::timestamp_state t = ts_test_established(0x70000000u, t0, 0);
    // Exactly 24 days: still valid, the old TSval is rejected.
    CHECK(t.recent_valid(t0 + 24 * day_ms));
    CHECK(t.check(true, 0x6fffffffu, false, t0 + 24 * day_ms) == opts::paws_verdict::reject);
    // One millisecond more: invalid; the segment passes and its TSval becomes TS.Recent
    // (RFC 7323 Appendix D: "If the connection has been idle more than 24 days, save
    // SEG.TSval in variable TS.Recent").
    const std::uint64_t later = t0 + 24 * day_ms + 1;
    CHECK_FALSE(t.recent_valid(later));
    CHECK(t.check(true, 0x10u, false, later) == opts::paws_verdict::accept);
    CHECK(t.recent() == 0x10u);
    CHECK(t.recent_set_at_ms() == later);
    CHECK(t.recent_valid(later + 1));
    // From then on, PAWS protects again.
    CHECK(t.check(true, 0x0fu, false, later + 1) == opts::paws_verdict::reject);
    // A TSval that is not older passes without touching TS.Recent (update_recent does that).
    opts::timestamp_state u = ts_test_established(100, t0, 0);
    CHECK(u.check(true, 200, false, t0 + 30 * day_ms) == opts::paws_verdict::accept);
    CHECK(u.recent() == 100u);
}

TEST_CASE("timestamps: TS.Recent follows SEG.SEQ <= Last.ACK.sent (§4.3)", "[options][timestamps]") {
    // IRS 4999: Last.ACK.sent = 5000 after our ACK of the SYN; TS.Recent = 1000.
    opts::timestamp_state t = ts_test_established(1000, 0, 4999);
    CHECK(t.last_ack_sent() == 5000u);

    SECTION("a segment at Last.ACK.sent updates it") {
        CHECK(t.update_recent(true, 2000, 5000, 7));
        CHECK(t.recent() == 2000u);
        CHECK(t.recent_set_at_ms() == 7u);
        CHECK(t.tsecr(true) == 2000u);
    }
    SECTION("a segment above Last.ACK.sent (out of order, or after a delayed ACK) does not") {
        CHECK_FALSE(t.update_recent(true, 2000, 5100, 7));
        CHECK(t.recent() == 1000u);
    }
    SECTION("a segment starting below Last.ACK.sent does") {
        CHECK(t.update_recent(true, 2000, 4900, 7));
        CHECK(t.recent() == 2000u);
    }
    SECTION("a segment without text at Last.ACK.sent does: the case RFC 1323's rule missed") {
        const std::uint32_t seg_seq = 5000, seg_len = 0, last_ack_sent = 5000;
        // RFC 1323: SEG.SEQ <= Last.ACK.sent < SEG.SEQ + SEG.LEN, false for every SEG.LEN = 0.
        const bool rfc1323 = tcpfsm::seq_le(seg_seq, last_ack_sent) && tcpfsm::seq_lt(last_ack_sent, seg_seq + seg_len);
        CHECK_FALSE(rfc1323);
        CHECK(t.update_recent(true, 2000, seg_seq, 7));
    }
    SECTION("an equal TSval updates it, an older one never does (SEG.TSval >= TS.Recent)") {
        CHECK(t.update_recent(true, 1000, 5000, 7));
        CHECK(t.recent_set_at_ms() == 7u);
        CHECK_FALSE(t.update_recent(true, 999, 5000, 8));
        CHECK(t.recent() == 1000u);
    }
    SECTION("no TSopt: nothing to record") {
        CHECK_FALSE(t.update_recent(false, 2000, 5000, 7));
        CHECK(t.recent() == 1000u);
    }
    SECTION("§4.3 case A: with delayed ACKs, the earliest TSval is echoed") {
        // Segments at 5000 (TSval 1001) and 5100 (TSval 1002) arrive before the ACK for both.
        CHECK(t.update_recent(true, 1001, 5000, 1));
        CHECK_FALSE(t.update_recent(true, 1002, 5100, 2));
        CHECK(t.tsecr(true) == 1001u);
        t.on_ack_sent(5200);
        CHECK(t.last_ack_sent() == 5200u);
    }
    SECTION("§4.3 case C: the segment that fills a hole is the one echoed") {
        // 5000..5100 lost; 5100 (TSval 1002) arrives out of order: the duplicate ACK of 5000
        // echoes 1000 (the last in-sequence TSval), not 1002.
        CHECK_FALSE(t.update_recent(true, 1002, 5100, 1));
        CHECK(t.tsecr(true) == 1000u);
        t.on_ack_sent(5000);
        // The retransmission of 5000 (TSval 1003) fills the hole: it is echoed.
        CHECK(t.update_recent(true, 1003, 5000, 2));
        CHECK(t.tsecr(true) == 1003u);
    }
    SECTION("modulo 2^32, sequence numbers and timestamps") {
        opts::timestamp_state w = ts_test_established(0xfffffffeu, 0, 0xfffffff0u);  // Last.ACK.sent 0xfffffff1
        CHECK(w.update_recent(true, 3, 0xffffffe0u, 1));   // TSval 5 ticks later, SEG.SEQ below
        CHECK_FALSE(w.update_recent(true, 4, 0x10u, 1));   // SEG.SEQ past 2^32: above Last.ACK.sent
        CHECK(w.recent() == 3u);
    }
}

TEST_CASE("timestamps: RTT samples from TSecr (§4.1)", "[options][timestamps]") {
    SECTION("1 ms ticks: now - TSecr, the offset cancels") {
        const std::uint32_t offset = 0xfffffff0u;
        opts::timestamp_state t = ts_test_established(1, 0, 0, offset);
        const std::uint32_t sent_tsval = t.tsval(1000);
        CHECK(sent_tsval == static_cast<std::uint32_t>(1000u + offset));
        const auto s = t.rtt_from_echo(true, sent_tsval, true, true, 1250);
        REQUIRE(s.valid);
        CHECK(s.rtt_ms == 250u);
    }
    SECTION("10 ms ticks: whole ticks, times the tick") {
        opts::timestamp_state t =
            ts_test_established(1, 0, 0, 7, opts::timestamp_config{true, 10, opts::missing_timestamp_policy::accept});
        const std::uint32_t sent_tsval = t.tsval(1005);  // clock 100
        const auto s = t.rtt_from_echo(true, sent_tsval, true, true, 1257);  // clock 125
        REQUIRE(s.valid);
        CHECK(s.rtt_ms == (1257u / 10u - 1005u / 10u) * 10u);
        CHECK(s.rtt_ms == 250u);
    }
    SECTION("across the wrap of TSval") {
        opts::timestamp_state t = ts_test_established(1, 0, 0, 0);
        const std::uint64_t sent = 0xffffff00u, acked = sent + 0x180u;  // the clock wraps in between
        const auto s = t.rtt_from_echo(true, t.tsval(sent), true, true, acked);
        REQUIRE(s.valid);
        CHECK(s.rtt_ms == 0x180u);
    }
    SECTION("no sample") {
        opts::timestamp_state t = ts_test_established(1, 0, 0, 0);
        const std::uint32_t e = t.tsval(1000);
        CHECK_FALSE(t.rtt_from_echo(true, e, true, false, 1250).valid);  // SND.UNA did not advance
        CHECK_FALSE(t.rtt_from_echo(true, e, false, true, 1250).valid);  // no ACK bit: TSecr invalid
        CHECK_FALSE(t.rtt_from_echo(false, e, true, true, 1250).valid);  // no TSopt
        CHECK_FALSE(t.rtt_from_echo(true, 0, true, true, 1250).valid);   // TSecr 0: an echo of nothing
        CHECK_FALSE(t.rtt_from_echo(true, t.tsval(1300), true, true, 1250).valid);  // from the future
        opts::timestamp_state off;
        CHECK_FALSE(off.rtt_from_echo(true, 5, true, true, 1250).valid);  // not negotiated
    }
    SECTION("a sample of 0 ms is a sample") {
        opts::timestamp_state t = ts_test_established(1, 0, 0, 0);
        const auto s = t.rtt_from_echo(true, t.tsval(1000), true, true, 1000);
        CHECK(s.valid);
        CHECK(s.rtt_ms == 0u);
    }
}

TEST_CASE("timestamps: ExpectedSamples = ceiling(FlightSize / (SMSS * 2)) (§4.2)", "[options][timestamps]") {
    CHECK(opts::expected_samples(0, 1460) == 1u);  // at least one
    CHECK(opts::expected_samples(1, 1460) == 1u);
    CHECK(opts::expected_samples(2920, 1460) == 1u);
    CHECK(opts::expected_samples(2921, 1460) == 2u);
    CHECK(opts::expected_samples(14600, 1460) == 5u);
    CHECK(opts::expected_samples(14601, 1460) == 6u);
    CHECK(opts::expected_samples(1073725440u, 1460) == (1073725440u + 2919u) / 2920u);
    CHECK(opts::expected_samples(1000, 0) == 500u);  // SMSS 0 reads as 1
    CHECK(opts::expected_samples(0xffffffffu, 1) == opts::max_expected_samples);
}

TEST_CASE("timestamps: the estimator with alpha' = 1/8n and beta' = 1/4n (§4.2)", "[options][timestamps]") {
    // The exact values, as rationals in units of 2^-8 ms, and the rounding to the nearest.
    auto near = [](std::uint32_t got, double exact) { return got >= exact - 0.5 && got <= exact + 0.5; };

    opts::smoothed_rtt e{};
    e = opts::update_smoothed_rtt(e, 100, 7);  // the first sample ignores n: SRTT = R, RTTVAR = R/2
    CHECK(e.has_sample);
    CHECK(e.srtt_fixed == 100u * 256u);
    CHECK(e.rttvar_fixed == 50u * 256u);

    SECTION("n = 1: RFC 6298's gains") {
        const auto f = opts::update_smoothed_rtt(e, 200, 1);
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 62.5 ms; SRTT = 7/8 * 100 + 1/8 * 200 = 112.5 ms.
        CHECK(f.rttvar_fixed == 16000u);
        CHECK(f.srtt_fixed == 28800u);
        // basic_rto_estimator does the same arithmetic.
        tcpfsm::rto_estimator est;
        est.on_rtt_sample(100);
        est.on_rtt_sample(200);
        CHECK(est.srtt_fixed() == f.srtt_fixed);
        CHECK(est.rttvar_fixed() == f.rttvar_fixed);
        // RTO = 112.5 + 4 * 62.5 = 362.5 ms -> 363, then RFC 6298's 1 s floor, or Linux's 200 ms.
        CHECK(opts::rto_ms_for(f, tcpfsm::rto_config_linux) == 363u);
        CHECK(opts::rto_ms_for(f, tcpfsm::rto_config_rfc6298) == 1000u);
        CHECK(est.rto_ms() == 1000u);
    }
    SECTION("n = 5: ten samples per round trip move it a fifth as much") {
        const auto f = opts::update_smoothed_rtt(e, 200, 5);
        const double rttvar = (1.0 - 1.0 / 20.0) * 50.0 + (1.0 / 20.0) * 100.0;  // 52.5 ms
        const double srtt = (1.0 - 1.0 / 40.0) * 100.0 + (1.0 / 40.0) * 200.0;   // 102.5 ms
        CHECK(near(f.rttvar_fixed, rttvar * 256.0));
        CHECK(near(f.srtt_fixed, srtt * 256.0));
        CHECK(f.rttvar_fixed == 13440u);
        CHECK(f.srtt_fixed == 26240u);
    }
    SECTION("a sample equal to SRTT: SRTT stays, RTTVAR decays by 1 - beta'") {
        const auto f = opts::update_smoothed_rtt(e, 100, 4);
        CHECK(f.srtt_fixed == 25600u);
        CHECK(near(f.rttvar_fixed, (1.0 - 1.0 / 16.0) * 12800.0));
    }
    SECTION("n = 0 reads as 1, n past the cap as the cap") {
        CHECK(opts::update_smoothed_rtt(e, 200, 0).srtt_fixed == opts::update_smoothed_rtt(e, 200, 1).srtt_fixed);
        const auto f = opts::update_smoothed_rtt(e, 0xffffffu, 0xffffffffu);
        const double n = static_cast<double>(opts::max_expected_samples);
        const double r = static_cast<double>(0xffffffu) * 256.0;
        CHECK(near(f.srtt_fixed, ((8.0 * n - 1.0) * 25600.0 + r) / (8.0 * n)));
    }
    SECTION("before any sample the RTO is the initial one") {
        CHECK(opts::rto_ms_for(opts::smoothed_rtt{}, tcpfsm::rto_config_rfc6298) == 1000u);
    }
}
