// timers.hpp: timer configuration and the per-connection timer slots. Every expected value is
// written by hand from RFC 9293, RFC 1122, RFC 6298 or Linux's documentation
// (Documentation/networking/ip-sysctl.rst, include/net/tcp.h); the arithmetic is in the
// comments, never obtained by running the code under test.
#include <tcpfsm/timers.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

using tcpfsm::default_timer_config;
using tcpfsm::strict_rfc_timer_config;
using tcpfsm::timer_config;
using tcpfsm::timer_kind;
using tcpfsm::timer_slots;

TEST_CASE("timer_config defaults: RFC MUSTs, else Linux", "[timers]") {
    constexpr const timer_config& c = default_timer_config;
    // Linux: TCP_TIMEWAIT_LEN = 60 s = 2 * MSL, so MSL = 30 s.
    STATIC_REQUIRE(c.msl_ms == 30000u);
    // net.ipv4.tcp_fin_timeout = 60 s, on.
    STATIC_REQUIRE(c.fin_wait_2_ms == 60000u);
    STATIC_REQUIRE(c.fin_wait_2_timeout);
    // RFC 9293 §3.8.4 MUST-25: keep-alives default to off.
    STATIC_REQUIRE(!c.keepalive);
    // net.ipv4.tcp_keepalive_time = 7200 s, tcp_keepalive_intvl = 75 s, tcp_keepalive_probes = 9.
    STATIC_REQUIRE(c.keepalive_idle_ms == 7200000u);
    STATIC_REQUIRE(c.keepalive_interval_ms == 75000u);
    STATIC_REQUIRE(c.keepalive_probes == 9u);
    // MUST-28: the idle interval defaults to no less than two hours = 2 * 3600 * 1000 ms.
    STATIC_REQUIRE(c.keepalive_idle_ms >= 7200000u);
    // SYN: 7 retransmissions (MUST-23, see the next test case).
    STATIC_REQUIRE(c.syn_retries == 7u);
    // net.ipv4.tcp_synack_retries = 5.
    STATIC_REQUIRE(c.synack_retries == 5u);
    // net.ipv4.tcp_retries1 = 3 (RFC 1122 4.2.3.5 / RFC 9293 SHLD-10: R1 at least 3).
    STATIC_REQUIRE(c.retries1 == 3u);
    // net.ipv4.tcp_retries2 = 15.
    STATIC_REQUIRE(c.retries2 == 15u);
    // TCP_USER_TIMEOUT's default: 0 = off.
    STATIC_REQUIRE(c.user_timeout_ms == 0u);
    // Delayed ACK on by default (SHLD-18, as Linux); 40 ms = Linux's TCP_DELACK_MIN (HZ/25); MUST-40: < 500 ms.
    STATIC_REQUIRE(c.delayed_ack);
    STATIC_REQUIRE(c.delayed_ack_ms == 40u);
    STATIC_REQUIRE(c.delayed_ack_ms < 500u);

    STATIC_REQUIRE(tcpfsm::is_valid(default_timer_config));
    STATIC_REQUIRE(tcpfsm::meets_rfc_musts(default_timer_config));
    STATIC_REQUIRE(tcpfsm::meets_rfc_shoulds(default_timer_config));
    // A value-initialized timer_config is the default.
    constexpr timer_config fresh{};
    STATIC_REQUIRE(fresh.msl_ms == 30000u);
    STATIC_REQUIRE(fresh.syn_retries == 7u);
}

TEST_CASE("TIME-WAIT is 60 s by default and 240 s in the strict configuration", "[timers]") {
    // Linux: TCP_TIMEWAIT_LEN = 60 s.
    STATIC_REQUIRE(default_timer_config.time_wait_ms() == 60000u);
    // RFC 9293 §3.4.2: MSL = 2 min = 120000 ms; 2 * MSL = 240000 ms.
    STATIC_REQUIRE(strict_rfc_timer_config.msl_ms == 120000u);
    STATIC_REQUIRE(strict_rfc_timer_config.time_wait_ms() == 240000u);
    // Strict RFC: no FIN-WAIT-2 timeout; everything else as the default.
    STATIC_REQUIRE(!strict_rfc_timer_config.fin_wait_2_timeout);
    STATIC_REQUIRE(strict_rfc_timer_config.fin_wait_2_ms == 60000u);
    STATIC_REQUIRE(!strict_rfc_timer_config.keepalive);
    STATIC_REQUIRE(strict_rfc_timer_config.syn_retries == 7u);
    STATIC_REQUIRE(strict_rfc_timer_config.retries2 == 15u);
    STATIC_REQUIRE(strict_rfc_timer_config.delayed_ack_ms == 40u);
    STATIC_REQUIRE(tcpfsm::is_valid(strict_rfc_timer_config));
    STATIC_REQUIRE(tcpfsm::meets_rfc_musts(strict_rfc_timer_config));

    timer_config c{};
    c.msl_ms = 1000;
    CHECK(c.time_wait_ms() == 2000u);
    c.msl_ms = 0xFFFFFFFFu;  // 2 * MSL saturates at 2^32 - 1 and is not a valid configuration
    CHECK(c.time_wait_ms() == 0xFFFFFFFFu);
    CHECK(!tcpfsm::is_valid(c));
}

TEST_CASE("SYN give-up obeys MUST-23 (at least 3 minutes); Linux's 6 retries would not", "[timers]") {
    // RFC 6298 preset: first RTO 1 s, doubling, capped at 60 s. Waits after the first SYN and
    // after each of the 7 retransmissions: 1, 2, 4, 8, 16, 32, 60 (64 capped), 60 s.
    //   1 + 2 + 4 + 8 + 16 + 32 = 63; 63 + 60 = 123; 123 + 60 = 183 s.
    STATIC_REQUIRE(default_timer_config.syn_give_up_ms() == 183000u);
    STATIC_REQUIRE(default_timer_config.syn_give_up_ms() >= 180000u);

    // Linux's tcp_syn_retries = 6 with the RFC preset: 1+2+4+8+16+32+60 = 123 s < 180 s.
    timer_config linux_syn{};
    linux_syn.syn_retries = 6;
    CHECK(linux_syn.syn_give_up_ms() == 123000u);
    CHECK(!tcpfsm::meets_rfc_musts(linux_syn));
    // ... and with Linux's own RTO bounds (1 s initial, 120 s max): 1+2+4+8+16+32+64 = 127 s,
    // the figure ip-sysctl.rst gives for tcp_syn_retries = 6; still < 180 s.
    CHECK(linux_syn.syn_give_up_ms(tcpfsm::rto_config_linux) == 127000u);
    CHECK(!tcpfsm::meets_rfc_musts(linux_syn, tcpfsm::rto_config_linux));

    // The default's 7 with Linux's bounds: 127 + 120 = 247 s.
    STATIC_REQUIRE(default_timer_config.syn_give_up_ms(tcpfsm::rto_config_linux) == 247000u);
}

TEST_CASE("SYN-ACK gives up after 1+2+4+8+16+32 = 63 s", "[timers]") {
    // tcp_synack_retries = 5: retransmissions at 1, 3, 7, 15, 31 s; given up at 63 s.
    STATIC_REQUIRE(default_timer_config.synack_give_up_ms() == 63000u);
    // 32 s is below both maximum RTOs, so Linux's bounds give the same.
    STATIC_REQUIRE(default_timer_config.synack_give_up_ms(tcpfsm::rto_config_linux) == 63000u);
}

TEST_CASE("R2 = 15 corresponds to at least 100 s (RFC 1122 4.2.3.5, RFC 9293 SHLD-11)", "[timers]") {
    // RFC preset, at the 1 s minimum RTO: 16 waits of 1, 2, 4, 8, 16, 32, then 10 x 60 s:
    //   63 + 600 = 663 s.
    STATIC_REQUIRE(default_timer_config.data_give_up_ms() == 663000u);
    STATIC_REQUIRE(default_timer_config.data_give_up_ms() >= 100000u);
    // Linux's bounds (200 ms minimum, 120 s maximum): 0.2 * (2^10 - 1) = 204.6 s for the
    // first 10 waits (0.2 .. 102.4 s), then 6 x 120 = 720 s: 924.6 s, ip-sysctl.rst's
    // "hypothetical timeout of 924.6 seconds" for tcp_retries2 = 15.
    STATIC_REQUIRE(default_timer_config.data_give_up_ms(tcpfsm::rto_config_linux) == 924600u);

    // R2 = 6 at the 1 s minimum: 1+2+4+8+16+32+60 = 123 s, still >= 100 s; R2 = 5: 63 s is not.
    timer_config c{};
    c.retries2 = 6;
    CHECK(c.data_give_up_ms() == 123000u);
    CHECK(tcpfsm::meets_rfc_shoulds(c));
    c.retries2 = 5;
    CHECK(c.data_give_up_ms() == 63000u);
    CHECK(!tcpfsm::meets_rfc_shoulds(c));
    // R1 below 3 misses SHLD-10; R1 >= R2 is not a valid configuration (§3.8.3 (c)).
    c = timer_config{};
    c.retries1 = 2;
    CHECK(!tcpfsm::meets_rfc_shoulds(c));
    c.retries1 = 15;
    CHECK(!tcpfsm::is_valid(c));
}

TEST_CASE("keepalive gives up after 7200 + 9 * 75 = 7875 s", "[timers]") {
    STATIC_REQUIRE(default_timer_config.keepalive_give_up_ms() == 7875000u);
    timer_config c{};
    c.keepalive = true;  // the application turned it on (MUST-24): not a valid *default*
    CHECK(!tcpfsm::meets_rfc_musts(c));
    CHECK(tcpfsm::is_valid(c));
    c.keepalive = false;
    c.keepalive_idle_ms = 600000;  // 10 minutes: allowed per connection, not as the default (MUST-28)
    CHECK(!tcpfsm::meets_rfc_musts(c));
    c.keepalive_probes = 0;
    CHECK(!tcpfsm::is_valid(c));
}

TEST_CASE("delayed ACK must stay below 0.5 s (MUST-40)", "[timers]") {
    timer_config c{};
    c.delayed_ack_ms = 499;
    CHECK(tcpfsm::meets_rfc_musts(c));
    c.delayed_ack_ms = 500;
    CHECK(!tcpfsm::meets_rfc_musts(c));
}

TEST_CASE("persist backoff: first probe after the RTO, doubling, capped at the maximum RTO", "[timers]") {
    using tcpfsm::persist_timeout_ms;
    // RFC 6298 preset (max 60 s), RTO 1 s: 1, 2, 4, 8, 16, 32, then 60 (64 capped) s.
    STATIC_REQUIRE(persist_timeout_ms(1000, 0) == 1000u);
    STATIC_REQUIRE(persist_timeout_ms(1000, 1) == 2000u);
    STATIC_REQUIRE(persist_timeout_ms(1000, 5) == 32000u);
    STATIC_REQUIRE(persist_timeout_ms(1000, 6) == 60000u);
    STATIC_REQUIRE(persist_timeout_ms(1000, 1000) == 60000u);
    // RTO 3 s: 3, 6, 12, 24, 48, then 60 (96 capped).
    STATIC_REQUIRE(persist_timeout_ms(3000, 4) == 48000u);
    STATIC_REQUIRE(persist_timeout_ms(3000, 5) == 60000u);
    // An RTO above the maximum is capped before the first probe.
    STATIC_REQUIRE(persist_timeout_ms(90000, 0) == 60000u);
    // Linux's bounds: 200 ms * 2^9 = 102.4 s; * 2^10 = 204.8 s, capped at 120 s.
    STATIC_REQUIRE(persist_timeout_ms(200, 9, tcpfsm::rto_config_linux) == 102400u);
    STATIC_REQUIRE(persist_timeout_ms(200, 10, tcpfsm::rto_config_linux) == 120000u);
}

TEST_CASE("timer_slots: small, and empty when constructed", "[timers]") {
    STATIC_REQUIRE(sizeof(timer_slots) <= 16);
    constexpr timer_slots s{};
    STATIC_REQUIRE(!s.next_deadline(0));
    STATIC_REQUIRE(s.next_deadline(0).kind == timer_kind::none);
    STATIC_REQUIRE(s.due(0) == timer_kind::none);
    STATIC_REQUIRE(s.main_kind() == timer_kind::none);
    STATIC_REQUIRE(s.retries() == 0);
    for (timer_kind k : {timer_kind::none, timer_kind::retransmission, timer_kind::persist, timer_kind::keepalive,
                         timer_kind::fin_wait_2, timer_kind::time_wait, timer_kind::delayed_ack, timer_kind::user}) {
        CHECK(!s.armed(k));
    }
    timer_slots t;
    CHECK(t.expired(0xFFFFFFFFu) == timer_kind::none);
    t.arm(timer_kind::none, 0, 10);  // does nothing
    CHECK(!t.next_deadline(0));
}

TEST_CASE("timer_kind: names and which kinds share the main slot", "[timers]") {
    STATIC_REQUIRE(tcpfsm::is_main(timer_kind::retransmission));
    STATIC_REQUIRE(tcpfsm::is_main(timer_kind::persist));
    STATIC_REQUIRE(tcpfsm::is_main(timer_kind::keepalive));
    STATIC_REQUIRE(tcpfsm::is_main(timer_kind::fin_wait_2));
    STATIC_REQUIRE(tcpfsm::is_main(timer_kind::time_wait));
    STATIC_REQUIRE(!tcpfsm::is_main(timer_kind::delayed_ack));
    STATIC_REQUIRE(!tcpfsm::is_main(timer_kind::user));
    STATIC_REQUIRE(!tcpfsm::is_main(timer_kind::none));
    CHECK(std::string_view(tcpfsm::name(timer_kind::time_wait)) == "time_wait");
    CHECK(std::string_view(tcpfsm::name(timer_kind::delayed_ack)) == "delayed_ack");
    CHECK(std::string_view(tcpfsm::name(static_cast<timer_kind>(99))) == "invalid");
}

TEST_CASE("arming keepalive replaces retransmission in the main slot", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::retransmission, 1000, 1000);
    CHECK(s.armed(timer_kind::retransmission));
    CHECK(s.deadline(timer_kind::retransmission) == 2000u);
    CHECK(s.count_retry() == 1);
    CHECK(s.count_retry() == 2);

    // All data acknowledged, the connection goes idle: keepalive takes the slot.
    s.arm(timer_kind::keepalive, 1500, 7200000);
    CHECK(s.armed(timer_kind::keepalive));
    CHECK(!s.armed(timer_kind::retransmission));
    CHECK(s.main_kind() == timer_kind::keepalive);
    CHECK(s.deadline(timer_kind::keepalive) == 7201500u);
    CHECK(s.deadline(timer_kind::retransmission) == 0u);
    CHECK(s.retries() == 0);  // a new owner starts counting at 0

    // Nothing is due at the old retransmission deadline.
    CHECK(s.due(2000) == timer_kind::none);
    CHECK(s.expired(2000) == timer_kind::none);
    // Stopping the retransmission timer, which no longer owns the slot, leaves keepalive alone.
    s.disarm(timer_kind::retransmission);
    CHECK(s.armed(timer_kind::keepalive));
    CHECK(s.next_deadline(2000).kind == timer_kind::keepalive);
    CHECK(s.next_deadline(2000).at == 7201500u);
    CHECK(s.expired(7201500) == timer_kind::keepalive);
}

TEST_CASE("the retry counter follows the owner of the main slot", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::retransmission, 0, 1000);
    // First expiry: the engine counts it and re-arms the same kind with the doubled RTO.
    CHECK(s.expired(1000) == timer_kind::retransmission);
    CHECK(!s.armed(timer_kind::retransmission));
    CHECK(s.main_kind() == timer_kind::retransmission);  // still owns the counter
    CHECK(s.count_retry() == 1);
    s.arm(timer_kind::retransmission, 1000, 2000);
    CHECK(s.retries() == 1);  // re-arming the same kind keeps the count
    CHECK(s.expired(2999) == timer_kind::none);
    CHECK(s.expired(3000) == timer_kind::retransmission);
    CHECK(s.count_retry() == 2);
    s.arm(timer_kind::retransmission, 3000, 4000);
    // New data acknowledged: progress.
    s.reset_retries();
    CHECK(s.retries() == 0);
    CHECK(s.count_retry() == 1);
    // Disarming the owner clears the counter.
    s.disarm(timer_kind::retransmission);
    CHECK(s.main_kind() == timer_kind::none);
    CHECK(s.retries() == 0);
    CHECK(!s.next_deadline(3000));
}

TEST_CASE("delayed ACK and user timeout coexist with the main slot", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::user, 0, 300000);
    s.arm(timer_kind::retransmission, 0, 1000);
    s.arm(timer_kind::delayed_ack, 10, 40);
    CHECK(s.armed(timer_kind::user));
    CHECK(s.armed(timer_kind::retransmission));
    CHECK(s.armed(timer_kind::delayed_ack));
    CHECK(s.deadline(timer_kind::user) == 300000u);
    CHECK(s.deadline(timer_kind::retransmission) == 1000u);
    CHECK(s.deadline(timer_kind::delayed_ack) == 50u);

    // Switching the main slot to persist leaves the other two as they are.
    s.arm(timer_kind::persist, 20, 1000);
    CHECK(s.armed(timer_kind::persist));
    CHECK(!s.armed(timer_kind::retransmission));
    CHECK(s.armed(timer_kind::user));
    CHECK(s.armed(timer_kind::delayed_ack));
    CHECK(s.deadline(timer_kind::persist) == 1020u);

    // Disarming one of the own slots leaves the others.
    s.disarm(timer_kind::delayed_ack);
    CHECK(!s.armed(timer_kind::delayed_ack));
    CHECK(s.armed(timer_kind::persist));
    CHECK(s.armed(timer_kind::user));
    s.disarm(timer_kind::user);
    CHECK(!s.armed(timer_kind::user));
    CHECK(s.armed(timer_kind::persist));
}

TEST_CASE("next_deadline picks the earliest armed deadline", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::user, 0, 300000);         // at 300000
    s.arm(timer_kind::retransmission, 0, 3000);  // at 3000
    CHECK(s.next_deadline(0).kind == timer_kind::retransmission);
    CHECK(s.next_deadline(0).at == 3000u);
    CHECK(s.next_deadline(0).remaining_ms(0) == 3000u);
    CHECK(s.next_deadline(0).remaining_ms(2500) == 500u);
    s.arm(timer_kind::delayed_ack, 100, 40);  // at 140
    CHECK(s.next_deadline(100).kind == timer_kind::delayed_ack);
    CHECK(s.next_deadline(100).at == 140u);
    s.disarm(timer_kind::delayed_ack);
    s.disarm(timer_kind::retransmission);
    CHECK(s.next_deadline(100).kind == timer_kind::user);
    CHECK(s.next_deadline(100).at == 300000u);
    // An overdue deadline comes first, and has nothing remaining.
    s.arm(timer_kind::time_wait, 100, 60000);  // at 60100
    const tcpfsm::timer_deadline d = s.next_deadline(70000);
    CHECK(d.kind == timer_kind::time_wait);
    CHECK(d.remaining_ms(70000) == 0u);
    // Equal deadlines: user, then the main slot, then delayed ACK.
    timer_slots t;
    t.arm(timer_kind::delayed_ack, 0, 500);
    t.arm(timer_kind::keepalive, 0, 500);
    CHECK(t.next_deadline(0).kind == timer_kind::keepalive);
    t.arm(timer_kind::user, 0, 500);
    CHECK(t.next_deadline(0).kind == timer_kind::user);
}

TEST_CASE("deadlines across the 2^32 ms wrap", "[timers]") {
    timer_slots s;
    // now = 0xFFFFFF00, duration 0x200: due at 0xFFFFFF00 + 0x200 - 2^32 = 0x100.
    s.arm(timer_kind::retransmission, 0xFFFFFF00u, 0x200u);
    CHECK(s.deadline(timer_kind::retransmission) == 0x100u);
    CHECK(s.next_deadline(0xFFFFFF00u).at == 0x100u);
    // 0x100 - 0xFFFFFFF0 = 0x110 ms to go (not the raw 0xFFFFFFF0 > 0x100 that `<` would see).
    CHECK(s.next_deadline(0xFFFFFFF0u).remaining_ms(0xFFFFFFF0u) == 0x110u);
    CHECK(s.due(0xFFFFFFF0u) == timer_kind::none);
    CHECK(s.expired(0xFFFFFFF0u) == timer_kind::none);
    CHECK(s.expired(0xFFFFFFFFu) == timer_kind::none);
    CHECK(s.expired(0u) == timer_kind::none);
    CHECK(s.expired(0xFFu) == timer_kind::none);
    CHECK(s.expired(0x100u) == timer_kind::retransmission);
    CHECK(s.expired(0x100u) == timer_kind::none);  // reported once

    // Later than the deadline, also across the wrap.
    s.arm(timer_kind::retransmission, 0xFFFFFF00u, 0x200u);
    CHECK(s.expired(0x5000u) == timer_kind::retransmission);

    // Ordering across the wrap: a deadline just before the wrap is earlier than one after it.
    timer_slots t;
    t.arm(timer_kind::user, 0xFFFFFF00u, 0x200u);        // at 0x100
    t.arm(timer_kind::delayed_ack, 0xFFFFFF00u, 0x40u);  // at 0xFFFFFF40
    CHECK(t.next_deadline(0xFFFFFF00u).kind == timer_kind::delayed_ack);
    CHECK(t.next_deadline(0xFFFFFF00u).at == 0xFFFFFF40u);
    CHECK(t.expired(0x100u) == timer_kind::delayed_ack);  // the earlier one first
    CHECK(t.expired(0x100u) == timer_kind::user);
    CHECK(t.expired(0x100u) == timer_kind::none);
}

TEST_CASE("expired() reports the earliest due timer first and nothing before its time", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::user, 0, 5000);            // at 5000
    s.arm(timer_kind::retransmission, 0, 1000);  // at 1000
    s.arm(timer_kind::delayed_ack, 0, 40);       // at 40

    CHECK(s.expired(0) == timer_kind::none);
    CHECK(s.expired(39) == timer_kind::none);
    CHECK(s.due(40) == timer_kind::delayed_ack);
    CHECK(s.armed(timer_kind::delayed_ack));  // due() does not change anything
    CHECK(s.expired(40) == timer_kind::delayed_ack);
    CHECK(!s.armed(timer_kind::delayed_ack));
    CHECK(s.expired(40) == timer_kind::none);
    CHECK(s.expired(999) == timer_kind::none);

    // The engine was away until 6000: both remaining timers are due; one per call, earliest
    // first.
    CHECK(s.expired(6000) == timer_kind::retransmission);
    CHECK(s.expired(6000) == timer_kind::user);
    CHECK(s.expired(6000) == timer_kind::none);
    CHECK(!s.next_deadline(6000));

    // A zero duration is due at once.
    s.arm(timer_kind::delayed_ack, 7000, 0);
    CHECK(s.expired(7000) == timer_kind::delayed_ack);
}

TEST_CASE("durations are capped at 2^31 - 1 ms", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::keepalive, 10, 0xFFFFFFFFu);
    // 10 + 0x7FFFFFFF = 0x80000009.
    CHECK(s.deadline(timer_kind::keepalive) == 0x80000009u);
    CHECK(s.expired(0x80000008u) == timer_kind::none);
    CHECK(s.expired(0x80000009u) == timer_kind::keepalive);
}

TEST_CASE("disarm_all stops every timer and clears the counter", "[timers]") {
    timer_slots s;
    s.arm(timer_kind::fin_wait_2, 0, 60000);
    s.count_retry();
    s.arm(timer_kind::delayed_ack, 0, 40);
    s.arm(timer_kind::user, 0, 300000);
    s.disarm_all();
    for (timer_kind k : {timer_kind::retransmission, timer_kind::persist, timer_kind::keepalive,
                         timer_kind::fin_wait_2, timer_kind::time_wait, timer_kind::delayed_ack, timer_kind::user}) {
        CHECK(!s.armed(k));
    }
    CHECK(s.main_kind() == timer_kind::none);
    CHECK(s.retries() == 0);
    CHECK(!s.next_deadline(0));
    CHECK(s.expired(0x7FFFFFFFu) == timer_kind::none);
}

TEST_CASE("timer_slots works at compile time", "[timers]") {
    constexpr auto run = [] {
        timer_slots s;
        s.arm(timer_kind::time_wait, 0xFFFFFF00u, 60000);  // 0xFFFFFF00 + 60000 - 2^32 = 59744
        s.arm(timer_kind::delayed_ack, 0xFFFFFF00u, 40);
        const timer_kind first = s.expired(59744);
        const timer_kind second = s.expired(59744);
        return first == timer_kind::delayed_ack && second == timer_kind::time_wait &&
               s.expired(59744) == timer_kind::none;
    };
    STATIC_REQUIRE(run());
}
