// connection_config::ack_per_turn (on by default): an ACK or window update owed after
// on_segment() or a user call goes at the end of the consumer's turn (the delayed-ACK slot
// armed at now), with the rest of the turn's output, and not at all when what the consumer
// sends in that turn carries it. Scripted exchanges from the §3.10 reference (delayed ACK
// off, so that only the per-turn deferral is seen); expected segments in the RFC's notation,
// with the sequence numbers written out.
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
using S = tcpfsm::state;

namespace {

// A and B established with `config` (A's SND.NXT = 101, B's = 301), then per-turn ACKs on.
struct pair_per_turn {
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    peer a{{}, config}, b{{}, config};
    explicit pair_per_turn(bool per_turn = true, std::uint32_t buffer = 65535) {
        config.receive_buffer = buffer;
        config.nagle = false;
        establish(a, b, 101, 301);
        config.ack_per_turn = per_turn;
    }
};

bool due_now(peer& p) {
    const tcpfsm::timer_deadline d = p.conn->next_deadline();
    return d && d.remaining_ms(static_cast<std::uint32_t>(now_ms)) == 0;
}

}  // namespace

TEST_CASE("ack per turn: a request answered in the same turn costs one segment each way", "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    REQUIRE(p.a.conn->send(100) == tcpfsm::user_error::none);
    const tcpfsm::segment request = p.a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>");
    p.b.receive(request);
    CHECK(p.b.sent.empty());  // the ACK waits for the end of B's turn
    CHECK(due_now(p.b));
    REQUIRE(p.b.conn->send(50) == tcpfsm::user_error::none);
    CHECK(p.b.sent.empty());  // the turn's output waits for its end too
    p.b.conn->on_timer();     // the end of the turn
    // The reply carries the ACK of the request: 101 + 100 = 201; nothing more is owed.
    p.b.take("<SEQ=301><ACK=201><CTL=ACK><DATA>");
    CHECK(p.b.sent.empty());
    CHECK_FALSE(due_now(p.b));
}

TEST_CASE("ack per turn: the reply and the FIN of a CLOSE in the same turn are one segment", "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    REQUIRE(p.a.conn->send(100) == tcpfsm::user_error::none);
    p.b.receive(p.a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>"));
    REQUIRE(p.b.conn->send(50) == tcpfsm::user_error::none);
    REQUIRE(p.b.conn->close() == tcpfsm::user_error::none);
    CHECK(p.b.sent.empty());
    p.b.conn->on_timer();
    // §3.10.4: the FIN after the queued data, here in the same segment: SEQ 301, 50 octets.
    p.b.take("<SEQ=301><ACK=201><CTL=FIN,ACK><DATA>");
    CHECK(p.b.sent.empty());
    CHECK(p.b.st() == S::fin_wait_1);
}

TEST_CASE("ack per turn: a SEND outside a turn that owes an ACK goes at once", "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    REQUIRE(p.b.conn->send(50) == tcpfsm::user_error::none);
    p.b.take("<SEQ=301><ACK=101><CTL=ACK><DATA>");
}

TEST_CASE("ack per turn: without a reply the ACK goes at the end of the turn", "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    REQUIRE(p.a.conn->send(100) == tcpfsm::user_error::none);
    p.b.receive(p.a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>"));
    CHECK(p.b.sent.empty());
    p.b.conn->on_timer();
    p.b.take("<SEQ=301><ACK=201><CTL=ACK>");
    CHECK(p.b.sent.empty());
}

TEST_CASE("ack per turn: the ACK and the window update after receive() are one segment", "[ack_per_turn]") {
    reset_time t;
    // RCV.BUFF 4000: receiver SWS avoidance moves the window by min(4000 / 2, MSS 1460) = 1460
    // or more (§3.8.6.2.2). 2000 octets taken then read: RCV.WND 2000 -> 4000, an update.
    SECTION("per turn: one ACK, with the new window") {
        pair_per_turn p(true, 4000);
        REQUIRE(p.a.conn->send(1000) == tcpfsm::user_error::none);
        REQUIRE(p.a.conn->send(1000) == tcpfsm::user_error::none);
        p.b.receive(p.a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>"));
        p.b.receive(p.a.take("<SEQ=1101><ACK=301><CTL=ACK><DATA>"));
        REQUIRE(p.b.conn->receive(2000) == tcpfsm::user_error::none);
        CHECK(p.b.sent.empty());
        p.b.conn->on_timer();
        const tcpfsm::segment ack = p.b.take("<SEQ=301><ACK=2101><CTL=ACK>");
        CHECK(ack.window == 4000);
        CHECK(p.b.sent.empty());
    }
    SECTION("off: an ACK per segment, then the window update") {
        pair_per_turn p(false, 4000);
        REQUIRE(p.a.conn->send(1000) == tcpfsm::user_error::none);
        REQUIRE(p.a.conn->send(1000) == tcpfsm::user_error::none);
        p.b.receive(p.a.take("<SEQ=101><ACK=301><CTL=ACK><DATA>"));
        CHECK(p.b.take("<SEQ=301><ACK=1101><CTL=ACK>").window == 3000);
        p.b.receive(p.a.take("<SEQ=1101><ACK=301><CTL=ACK><DATA>"));
        CHECK(p.b.take("<SEQ=301><ACK=2101><CTL=ACK>").window == 2000);
        REQUIRE(p.b.conn->receive(2000) == tcpfsm::user_error::none);
        CHECK(p.b.take("<SEQ=301><ACK=2101><CTL=ACK>").window == 4000);
    }
}

TEST_CASE("ack per turn: the ACK of a FIN waits for the turn in CLOSE-WAIT too", "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    // A's FIN takes B to CLOSE-WAIT, whose timeout_delayed_ack row sends the ACK: it goes at
    // the end of B's turn (101 + 1 = 102).
    REQUIRE(p.a.conn->close() == tcpfsm::user_error::none);
    p.b.receive(p.a.take("<SEQ=101><ACK=301><CTL=FIN,ACK>"));
    REQUIRE(p.b.st() == S::close_wait);
    CHECK(p.b.sent.empty());
    p.b.conn->on_timer();
    p.b.take("<SEQ=301><ACK=102><CTL=ACK>");
}

TEST_CASE("ack per turn: where no timeout_delayed_ack row sends an ACK, it goes at once", "[ack_per_turn]") {
    reset_time t;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.ack_per_turn = true;
    peer b({300}, config);
    REQUIRE(b.conn->open_passive() == tcpfsm::user_error::none);
    b.receive(make(100, 0, tcpfsm::ctl::syn));
    b.take("<SEQ=300><ACK=101><CTL=SYN,ACK>");
    REQUIRE(b.st() == S::syn_received);
    // SYN-RECEIVED has no timeout_delayed_ack row: the ACK of an unacceptable segment
    // (§3.10.7.4 first step, SEQ beyond the window) goes within on_segment.
    b.receive(make(100000, 301, tcpfsm::ctl::ack, 1));
    b.take("<SEQ=301><ACK=101><CTL=ACK>");
}

TEST_CASE("ack per turn: a turn of two full-sized segments with delayed ACK sends one ACK, one alone waits 40 ms",
          "[ack_per_turn]") {
    reset_time t;
    pair_per_turn p;
    p.config.timers.delayed_ack = true;  // 40 ms (timer_config::delayed_ack_ms)
    // B's quick ACKs first (ack_timing.hpp): min(65535 / (2 * 1460), 16) = 16, one used by
    // each ACK of new text; A sends 16 one-octet segments (Nagle off), each ACKed in its turn.
    constexpr std::uint32_t quick = 65535u / 2920u < 16u ? 65535u / 2920u : 16u;
    for (std::uint32_t i = 0; i < quick; ++i) {
        REQUIRE(p.a.conn->send(1) == tcpfsm::user_error::none);
        p.b.receive(p.a.take_any().header);
        p.b.conn->on_timer();
        p.a.receive(p.b.take("<SEQ=301><ACK=" + std::to_string(102 + i) + "><CTL=ACK>"));
    }
    REQUIRE(p.a.conn->send(2920) == tcpfsm::user_error::none);  // two segments of MSS 1460
    p.b.receive(p.a.take("<SEQ=117><ACK=301><CTL=ACK><DATA>"));
    p.b.receive(p.a.take("<SEQ=1577><ACK=301><CTL=ACK><DATA>"));
    CHECK(p.b.sent.empty());
    p.b.conn->on_timer();
    p.b.take("<SEQ=301><ACK=3037><CTL=ACK>");  // 117 + 2920
    REQUIRE(p.a.conn->send(10) == tcpfsm::user_error::none);
    p.b.receive(p.a.take("<SEQ=3037><ACK=301><CTL=ACK><DATA>"));
    p.b.conn->on_timer();
    CHECK(p.b.sent.empty());
    p.b.run_to(39);
    CHECK(p.b.sent.empty());
    p.b.run_to(40);
    p.b.take("<SEQ=301><ACK=3047><CTL=ACK>");
}
