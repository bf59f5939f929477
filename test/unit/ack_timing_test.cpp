// ACK timing (ack_timing.hpp) and the invalid-ACK limiter (invalid_ack_limiter.hpp): the
// components alone, then the engine with the default configuration (delayed ACK, one segment
// per turn). Expected times and numbers from RFC 1122 4.2.3.2 / RFC 5681 §4.2 / RFC 9293
// §3.8.6.3 and Linux's quick-ACK rule (tcp_incr_quickack), computed here.
#include <tcpfsm/ack_timing.hpp>
#include <tcpfsm/connection.hpp>
#include <tcpfsm/invalid_ack_limiter.hpp>

#include <catch2/catch.hpp>

#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using S = tcpfsm::state;
namespace ctl_bits = tcpfsm::ctl;

namespace {

constexpr std::uint32_t mss = 1460;
// Quick ACKs at the start: RCV.WND / (2 * MSS) = 65535 / 2920 = 22, at most 16.
constexpr std::uint32_t initial_quick = 65535u / (2u * mss) < 16u ? 65535u / (2u * mss) : 16u;

bool due_now(peer& p) {
    const tcpfsm::timer_deadline d = p.conn->next_deadline();
    return d && d.remaining_ms(static_cast<std::uint32_t>(now_ms)) == 0;
}

// The consumer's turn ends: what is due now runs.
void end_turn(peer& p) {
    if (due_now(p)) p.conn->on_timer();
}

// A (reference) and B (the defaults) established, A's SND.NXT = 101, B's = 301. B's quick ACKs
// used up by `quick` one-octet segments, each ACKed at the end of its turn.
struct defaults_pair {
    tcpfsm::connection_config config{};  // the defaults
    peer a{{}}, b{{}, config};
    std::uint32_t a_nxt = 101;
    explicit defaults_pair(bool use_quick_acks = true) {
        establish(a, b, 101, 301);
        if (!use_quick_acks) return;
        for (std::uint32_t i = 0; i < initial_quick; ++i) {
            b.receive(make(a_nxt, 301, ctl_bits::ack, 1));
            ++a_nxt;
            end_turn(b);
            b.take("<SEQ=301><ACK=" + std::to_string(a_nxt) + "><CTL=ACK>");
        }
    }
};

}  // namespace

// ------------------------------------------------------------------------ the components

TEST_CASE("ack timing: quick-ACK count is RCV.WND / (2 * MSS), at least 2, at most 16 (Linux)", "[ack_timing]") {
    STATIC_REQUIRE(tcpfsm::quick_ack_count(65535, 1460) == 16);  // 22, capped
    STATIC_REQUIRE(tcpfsm::quick_ack_count(20000, 1460) == 6);   // 20000 / 2920
    STATIC_REQUIRE(tcpfsm::quick_ack_count(2000, 1460) == 2);    // 0: at least 2
    STATIC_REQUIRE(tcpfsm::quick_ack_count(65535, 0) == 2);
}

TEST_CASE("ack timing: an ACK at least every second full-sized segment, else after the delay", "[ack_timing]") {
    tcpfsm::ack_timing t;
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::none);
    t.on_text(mss);
    t.owe_delayable();
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::arm_delayed);
    CHECK(t.decide(false, mss) == tcpfsm::ack_decision::send);  // delayed ACK off: at once
    t.on_text(mss - 1);
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::arm_delayed);  // 2919 < 2 * 1460
    t.on_text(1);
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::send);  // 2920 = 2 * 1460
    t.on_ack_sent();
    CHECK(t.unacked_octets() == 0);
    CHECK_FALSE(t.owed());
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::none);
}

TEST_CASE("ack timing: owed at once beats any delay; delayed() leaves nothing owed", "[ack_timing]") {
    tcpfsm::ack_timing t;
    t.owe_delayable();
    t.on_text(10);
    t.delayed();
    CHECK_FALSE(t.owed());
    t.owe_now();
    CHECK(t.decide(true, mss) == tcpfsm::ack_decision::send);
}

TEST_CASE("ack timing: quick ACKs are used up one per ACK of new text", "[ack_timing]") {
    tcpfsm::ack_timing t;
    t.enter_quick_ack(3);
    t.enter_quick_ack(2);  // never lowers
    CHECK(t.quick_acks() == 3);
    t.enter_quick_ack(200);  // capped
    CHECK(t.quick_acks() == tcpfsm::max_quick_acks);
    tcpfsm::ack_timing u;
    u.enter_quick_ack(2);
    for (int i = 0; i < 2; ++i) {
        u.on_text(1);
        u.owe_delayable();
        CHECK(u.decide(true, mss) == tcpfsm::ack_decision::send);
        u.on_ack_sent();
    }
    CHECK(u.quick_acks() == 0);
    u.owe_now();
    u.on_ack_sent();  // an ACK without new text (a FIN's, say) uses none
    u.on_text(1);
    u.owe_delayable();
    CHECK(u.decide(true, mss) == tcpfsm::ack_decision::arm_delayed);
}

TEST_CASE("ack timing: the unacknowledged count saturates at 65535", "[ack_timing]") {
    tcpfsm::ack_timing t;
    t.on_text(60000);
    t.on_text(60000);
    CHECK(t.unacked_octets() == 65535u);
    STATIC_REQUIRE(sizeof(tcpfsm::ack_timing) == 3);
}

TEST_CASE("ack timing: the turn stays open until it ends or an ACK goes", "[ack_timing]") {
    tcpfsm::ack_timing t;
    t.owe_now();
    t.open_turn();
    CHECK(t.turn_open());
    CHECK_FALSE(t.owed());  // the turn's end sends it
    t.end_turn();
    CHECK_FALSE(t.turn_open());
    t.open_turn();
    t.on_ack_sent();
    CHECK_FALSE(t.turn_open());
}

TEST_CASE("ack timing: receiver SWS avoidance and the window update worth a segment", "[ack_timing]") {
    // §3.8.6.2.2: moves when it can move by min(RCV.BUFF / 2, MSS) = min(32767, 1460) = 1460.
    CHECK(tcpfsm::receive_window_may_open(65535, 64075, 65535, mss));       // by 1460
    CHECK_FALSE(tcpfsm::receive_window_may_open(65535, 64076, 65535, mss));  // by 1459
    CHECK(tcpfsm::receive_window_may_open(4000, 2000, 4000, mss));          // min(2000, 1460)
    // Urgent (Linux's tcp_cleanup_rbuf): the window seen is <= half the buffer, the new >= twice it.
    CHECK_FALSE(tcpfsm::window_update_urgent(65535, 64075, 65535));
    CHECK(tcpfsm::window_update_urgent(65535, 0, 65535));
    CHECK(tcpfsm::window_update_urgent(4000, 2000, 4000));
    CHECK_FALSE(tcpfsm::window_update_urgent(3999, 2000, 4000));
    // Owed at once: any SWS-worthy opening without delayed ACK, only an urgent one with it.
    CHECK(tcpfsm::window_update_owed(65535, 64075, 65535, mss, false));
    CHECK_FALSE(tcpfsm::window_update_owed(65535, 64075, 65535, mss, true));
    CHECK(tcpfsm::window_update_owed(4000, 0, 4000, mss, true));
    CHECK_FALSE(tcpfsm::window_update_owed(4000, 3000, 4000, mss, false));  // 1000 < min(2000, 1460)
}

TEST_CASE("invalid-ACK limiter: `limit` per interval, 0 unlimited and not counted (RFC 5961 §7)", "[ack_timing]") {
    tcpfsm::invalid_ack_limiter l;
    CHECK(l.allow(1, 500, 1000));
    CHECK_FALSE(l.allow(1, 500, 1499));
    CHECK(l.allow(1, 500, 1500));  // a new window, 500 ms later
    CHECK(l.window_start() == 1500u);
    CHECK(l.allow(0, 500, 1500));  // unlimited
    CHECK(l.count() == 1);
    CHECK(l.allow(2, 500, 1600));  // a kind with limit 2 shares the window: count 1 -> 2
    CHECK_FALSE(l.allow(2, 500, 1700));
    // Across the 2^32 wrap of the tick counter.
    tcpfsm::invalid_ack_limiter w;
    CHECK(w.allow(1, 500, 0xFFFFFF00u));
    CHECK_FALSE(w.allow(1, 500, 0x00000010u));  // 0x110 = 272 ms later
    CHECK(w.allow(1, 500, 0x00000100u));        // 0x200 = 512 ms later
    l.reset();
    CHECK(l.count() == 0);
    STATIC_REQUIRE(sizeof(tcpfsm::invalid_ack_limiter) == 6);
}

// ------------------------------------------------------------------------ the engine, defaults

TEST_CASE("ack timing, defaults: delayed ACK (40 ms) and one segment per turn are on", "[ack_timing]") {
    STATIC_REQUIRE(tcpfsm::default_connection_config.timers.delayed_ack);
    STATIC_REQUIRE(tcpfsm::default_connection_config.timers.delayed_ack_ms == 40u);  // < 500 ms, MUST-40
    STATIC_REQUIRE(tcpfsm::default_connection_config.ack_per_turn);
    STATIC_REQUIRE(!tcpfsm::rfc_reference_config.timers.delayed_ack);
    STATIC_REQUIRE(!tcpfsm::rfc_reference_config.ack_per_turn);
}

TEST_CASE("ack timing, defaults: the first segments are ACKed at the end of their turn (quick ACKs)", "[ack_timing]") {
    reset_time t;
    defaults_pair p(false);
    for (std::uint32_t i = 0; i < initial_quick; ++i) {
        p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, 1));
        ++p.a_nxt;
        CHECK(p.b.sent.empty());  // not within on_segment
        CHECK(due_now(p.b));      // but at the end of the turn
        end_turn(p.b);
        p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt) + "><CTL=ACK>");
    }
    // The next one waits for the delayed-ACK timer: 40 ms.
    p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, 1));
    end_turn(p.b);
    CHECK(p.b.sent.empty());
    p.b.run_to(39);
    CHECK(p.b.sent.empty());
    p.b.run_to(40);
    p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt + 1) + "><CTL=ACK>");
}

TEST_CASE("ack timing, defaults: two full-sized segments in a turn, one ACK; a lone one waits 40 ms", "[ack_timing]") {
    reset_time t;
    defaults_pair p;
    p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, mss));
    p.b.receive(make(p.a_nxt + mss, 301, ctl_bits::ack, mss));
    CHECK(p.b.sent.empty());
    end_turn(p.b);
    p.a_nxt += 2 * mss;
    p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt) + "><CTL=ACK>");
    CHECK(p.b.sent.empty());
    p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, mss));
    end_turn(p.b);
    CHECK(p.b.sent.empty());
    p.b.run_to(39);
    CHECK(p.b.sent.empty());
    p.b.run_to(40);
    p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt + mss) + "><CTL=ACK>");
}

TEST_CASE("ack timing, defaults: an out-of-order segment gets a duplicate ACK at once (RFC 5681 §4.2)", "[ack_timing]") {
    reset_time t;
    defaults_pair p;
    // A segment above RCV.NXT: the duplicate ACK goes at the end of the turn, not after 40 ms.
    p.b.receive(make(p.a_nxt + 100, 301, ctl_bits::ack, 100));
    end_turn(p.b);
    p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt) + "><CTL=ACK>");
    // And quick-ACK mode again (the sender is recovering): the next in-order text is ACKed
    // at the end of its turn.
    p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, 10));
    end_turn(p.b);
    p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt + 10) + "><CTL=ACK>");
}

TEST_CASE("ack timing, defaults: a segment below RCV.NXT or outside the window is ACKed at once (§3.10.7.4)",
          "[ack_timing]") {
    reset_time t;
    defaults_pair p;
    SECTION("an old duplicate") {
        p.b.receive(make(p.a_nxt - 1, 301, ctl_bits::ack, 1));
        end_turn(p.b);
        p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt) + "><CTL=ACK>");
    }
    SECTION("beyond the window, with text (never rate limited)") {
        p.b.receive(make(p.a_nxt + 70000, 301, ctl_bits::ack, 1));
        end_turn(p.b);
        p.b.take("<SEQ=301><ACK=" + std::to_string(p.a_nxt) + "><CTL=ACK>");
    }
}

TEST_CASE("ack timing, defaults: the window update after receive() goes only when the window opens by a lot",
          "[ack_timing]") {
    reset_time t;
    SECTION("64 KB buffer, one segment read: the window seen is 64075, no segment of its own") {
        defaults_pair p;
        p.b.receive(make(p.a_nxt, 301, ctl_bits::ack, mss));
        end_turn(p.b);
        p.b.run_to(40);
        p.b.take_any();  // the delayed ACK, window 65535 - 16 - 1460
        const std::uint32_t held = p.b.conn->snapshot().receive_held;
        REQUIRE(p.b.conn->receive(held) == tcpfsm::user_error::none);
        end_turn(p.b);
        CHECK(p.b.sent.empty());
    }
    SECTION("a closed window that opens: at the end of the turn") {
        tcpfsm::connection_config small{};
        small.receive_buffer = 4000;
        peer a({}), b({}, small);
        establish(a, b, 101, 301);
        // 4000 octets fill the window (two full-sized segments ACKed at once on the way).
        b.receive(make(101, 301, ctl_bits::ack, 1460));
        b.receive(make(1561, 301, ctl_bits::ack, 1460));
        b.receive(make(3021, 301, ctl_bits::ack, 1080));
        end_turn(b);
        CHECK(b.take_any().header.window == 0);
        REQUIRE(b.conn->receive(4000) == tcpfsm::user_error::none);
        CHECK(b.sent.empty());
        end_turn(b);
        CHECK(b.take("<SEQ=301><ACK=4101><CTL=ACK>").window == 4000);
    }
}

TEST_CASE("ack timing, defaults: the ACK of a FIN waits for the turn, the FIN of CLOSE carries it", "[ack_timing]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;  // the scripted handshake
    peer a({}, config), b({}, config);
    establish(a, b, 101, 301);
    config = tcpfsm::default_connection_config;  // both engines read it from here on
    REQUIRE(a.conn->close() == tcpfsm::user_error::none);
    b.receive(a.take("<SEQ=101><ACK=301><CTL=FIN,ACK>"));
    REQUIRE(b.st() == S::close_wait);
    CHECK(b.sent.empty());
    REQUIRE(b.conn->close() == tcpfsm::user_error::none);  // the same turn
    CHECK(b.sent.empty());
    end_turn(b);
    a.receive(b.take("<SEQ=301><ACK=102><CTL=FIN,ACK>"));  // one segment: ACK and FIN
    REQUIRE(a.st() == S::time_wait);
    // TIME-WAIT: nothing can carry the ACK of the FIN, it goes within on_segment.
    b.receive(a.take("<SEQ=102><ACK=302><CTL=ACK>"));
    CHECK(b.st() == S::closed);
}

TEST_CASE("ack timing, defaults: a turn that reaches TIME-WAIT sends its deferred ACK at once", "[ack_timing]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;  // the scripted handshake
    peer a({}, config), b({}, config);
    establish(a, b, 101, 301);
    config = tcpfsm::default_connection_config;
    // Simultaneous close (RFC 9293 Figure 13): both FINs cross (no ACK owed yet: at once).
    REQUIRE(a.conn->close() == tcpfsm::user_error::none);
    REQUIRE(b.conn->close() == tcpfsm::user_error::none);
    const tcpfsm::segment fin_a = a.take("<SEQ=101><ACK=301><CTL=FIN,ACK>");
    const tcpfsm::segment fin_b = b.take("<SEQ=301><ACK=101><CTL=FIN,ACK>");
    a.receive(fin_b);  // CLOSING: the ACK of B's FIN (302) waits for the end of A's turn
    REQUIRE(a.st() == S::closing);
    CHECK(a.sent.empty());
    b.receive(fin_a);
    end_turn(b);
    // In the same turn of A, the ACK of its FIN: TIME-WAIT, where no ACK waits (nothing could
    // carry it, and a listener keeps TIME-WAIT as a record): it goes within on_segment.
    a.receive(b.take("<SEQ=302><ACK=102><CTL=ACK>"));
    REQUIRE(a.st() == S::time_wait);
    a.take("<SEQ=102><ACK=302><CTL=ACK>");
    CHECK(a.sent.empty());
}
