// RFC 9293 Figures 6-13 (§3.5, §3.6) as exact two-endpoint segment traces through two real
// engines. The test is the network: it takes each segment an engine sends, compares it with
// the figure's line (SEQ, ACK, CTL as printed in the RFC; PSH is not drawn there), and hands
// it to the other engine, holds it ("..." in a figure), or drops it. Old duplicates are
// injected; a crash is a fresh engine that has lost its TCB. Every expected segment and
// state is the figure's.
#include "tcpfsm_engine_harness.hpp"

using namespace tcpfsm_harness;
// The figures run without a congestion cap (their replies are §3.10's exactly).
using figure_peer = tcpfsm_harness::unlimited_peer;
using tcpfsm::state;
using S = state;
using tcpfsm::ctl::syn;

TEST_CASE("Figure 6: basic three-way handshake", "[figure]") {
    reset_time t;
    figure_peer a({100}), b({300});
    // 1. CLOSED / LISTEN
    b.conn->open_passive();
    CHECK(a.st() == S::closed);
    CHECK(b.st() == S::listen);
    // 2. SYN-SENT --> <SEQ=100><CTL=SYN> --> SYN-RECEIVED
    a.conn->open_active();
    CHECK(a.st() == S::syn_sent);
    pass(a, "<SEQ=100><CTL=SYN>", b);
    CHECK(b.st() == S::syn_received);
    // 3. ESTABLISHED <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
    pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
    CHECK(a.st() == S::established);
    // 4. ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK> --> ESTABLISHED
    pass(a, "<SEQ=101><ACK=301><CTL=ACK>", b);
    CHECK(b.st() == S::established);
    // 5. ESTABLISHED --> <SEQ=101><ACK=301><CTL=ACK><DATA> --> ESTABLISHED
    a.conn->send(10);
    pass(a, "<SEQ=101><ACK=301><CTL=ACK><DATA>", b);
    CHECK(b.conn->snapshot().rcv_nxt == 111u);
    CHECK(a.sent.empty());
}

TEST_CASE("Figure 7: simultaneous connection synchronization", "[figure]") {
    reset_time t;
    figure_peer a({100}), b({300});
    // 2. SYN-SENT --> <SEQ=100><CTL=SYN> ...
    a.conn->open_active();
    const auto a_syn = a.take("<SEQ=100><CTL=SYN>");
    // 3. SYN-RECEIVED <-- <SEQ=300><CTL=SYN> <-- SYN-SENT
    b.conn->open_active();
    pass(b, "<SEQ=300><CTL=SYN>", a);
    CHECK(a.st() == S::syn_received);
    // 4. ... <SEQ=100><CTL=SYN> --> SYN-RECEIVED
    b.receive(a_syn);
    CHECK(b.st() == S::syn_received);
    // 5. SYN-RECEIVED --> <SEQ=100><ACK=301><CTL=SYN,ACK> ...
    const auto a_syn_ack = a.take("<SEQ=100><ACK=301><CTL=SYN,ACK>");
    // 6. ESTABLISHED <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
    pass(b, "<SEQ=300><ACK=101><CTL=SYN,ACK>", a);
    CHECK(a.st() == S::established);
    // 7. ... <SEQ=100><ACK=301><CTL=SYN,ACK> --> ESTABLISHED
    b.receive(a_syn_ack);
    CHECK(b.st() == S::established);
    CHECK(a.sent.empty());  // Appendix A.2: the SYN,ACK completes the open; nothing more
    CHECK(b.sent.empty());
}

TEST_CASE("Figure 8: recovery from old duplicate SYN", "[figure]") {
    reset_time t;
    figure_peer a({100}), b({300, 400});
    b.conn->open_passive();
    // 2. SYN-SENT --> <SEQ=100><CTL=SYN> ...
    a.conn->open_active();
    const auto a_syn = a.take("<SEQ=100><CTL=SYN>");
    // 3. (duplicate) ... <SEQ=90><CTL=SYN> --> SYN-RECEIVED
    b.receive(make(90, 0, syn));
    CHECK(b.st() == S::syn_received);
    // 4. SYN-SENT <-- <SEQ=300><ACK=91><CTL=SYN,ACK> <-- SYN-RECEIVED
    pass(b, "<SEQ=300><ACK=91><CTL=SYN,ACK>", a);
    CHECK(a.st() == S::syn_sent);
    // 5. SYN-SENT --> <SEQ=91><CTL=RST> --> LISTEN
    pass(a, "<SEQ=91><CTL=RST>", b);
    CHECK(b.st() == S::listen);
    // 6. ... <SEQ=100><CTL=SYN> --> SYN-RECEIVED
    b.receive(a_syn);
    CHECK(b.st() == S::syn_received);
    // 7. ESTABLISHED <-- <SEQ=400><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED
    pass(b, "<SEQ=400><ACK=101><CTL=SYN,ACK>", a);
    CHECK(a.st() == S::established);
    // 8. ESTABLISHED --> <SEQ=101><ACK=401><CTL=ACK> --> ESTABLISHED
    pass(a, "<SEQ=101><ACK=401><CTL=ACK>", b);
    CHECK(b.st() == S::established);
}

TEST_CASE("Figure 9: half-open connection discovery", "[figure]") {
    reset_time t;
    figure_peer a({400}), b({});
    // 1-2. B ESTABLISHED (send 300, receive 100); A crashed: CLOSED.
    establish(a, b, 100, 300);
    a.restart();
    CHECK(a.st() == S::closed);
    // 3. SYN-SENT --> <SEQ=400><CTL=SYN> --> (??)
    a.conn->open_active();
    pass(a, "<SEQ=400><CTL=SYN>", b);
    CHECK(b.st() == S::established);
    // 4. (!!) <-- <SEQ=300><ACK=100><CTL=ACK> <-- ESTABLISHED
    pass(b, "<SEQ=300><ACK=100><CTL=ACK>", a);
    // 5. SYN-SENT --> <SEQ=100><CTL=RST> --> (Abort!!)
    CHECK(a.st() == S::syn_sent);
    pass(a, "<SEQ=100><CTL=RST>", b);
    // 6. SYN-SENT CLOSED
    CHECK(b.st() == S::closed);
    CHECK(a.st() == S::syn_sent);
    // 7. SYN-SENT --> <SEQ=400><CTL=SYN> --> (the SYN again, at the RTO: 1 s, RFC 6298 §2.1)
    now_ms = 999;
    a.conn->on_timer();
    CHECK(a.sent.empty());
    now_ms = 1000;
    a.conn->on_timer();
    a.take("<SEQ=400><CTL=SYN>");
}

TEST_CASE("Figure 10: active side causes half-open connection discovery", "[figure]") {
    reset_time t;
    figure_peer a({}), b({});
    establish(a, b, 100, 300);
    // 1. (REBOOT) A has lost its TCB.
    a.restart();
    // 2. (??) <-- <SEQ=300><ACK=100><DATA=10><CTL=ACK> <-- ESTABLISHED
    b.conn->send(10);
    const auto data = pass(b, "<SEQ=300><ACK=100><CTL=ACK><DATA>", a);
    CHECK(data.text_length == 10u);
    // 3. --> <SEQ=100><CTL=RST> --> (ABORT!!)
    pass(a, "<SEQ=100><CTL=RST>", b);
    CHECK(b.st() == S::closed);
    CHECK(a.st() == S::closed);
}

TEST_CASE("Figure 11: old duplicate SYN initiates a reset on two passive sockets", "[figure]") {
    reset_time t;
    const std::uint32_t z = 1000, x = 5000;
    figure_peer a({7000}), b({x});
    a.conn->open_passive();
    b.conn->open_passive();
    // 2. ... <SEQ=Z><CTL=SYN> --> SYN-RECEIVED
    b.receive(make(z, 0, syn));
    CHECK(b.st() == S::syn_received);
    // 3. (??) <-- <SEQ=X><ACK=Z+1><CTL=SYN,ACK> <-- SYN-RECEIVED
    pass(b, "<SEQ=5000><ACK=1001><CTL=SYN,ACK>", a);
    CHECK(a.st() == S::listen);
    // 4. --> <SEQ=Z+1><CTL=RST> --> (return to LISTEN!)
    pass(a, "<SEQ=1001><CTL=RST>", b);
    // 5. LISTEN LISTEN
    CHECK(a.st() == S::listen);
    CHECK(b.st() == S::listen);
    CHECK(a.sent.empty());
    CHECK(b.sent.empty());
}

TEST_CASE("Figure 12: normal close sequence", "[figure]") {
    reset_time t;
    figure_peer a({}), b({});
    establish(a, b, 100, 300);
    // 2. (Close) FIN-WAIT-1 --> <SEQ=100><ACK=300><CTL=FIN,ACK> --> CLOSE-WAIT
    a.conn->close();
    CHECK(a.st() == S::fin_wait_1);
    pass(a, "<SEQ=100><ACK=300><CTL=FIN,ACK>", b);
    CHECK(b.st() == S::close_wait);
    // 3. FIN-WAIT-2 <-- <SEQ=300><ACK=101><CTL=ACK> <-- CLOSE-WAIT
    pass(b, "<SEQ=300><ACK=101><CTL=ACK>", a);
    CHECK(a.st() == S::fin_wait_2);
    // 4. (Close) TIME-WAIT <-- <SEQ=300><ACK=101><CTL=FIN,ACK> <-- LAST-ACK
    b.conn->close();
    CHECK(b.st() == S::last_ack);
    pass(b, "<SEQ=300><ACK=101><CTL=FIN,ACK>", a);
    CHECK(a.st() == S::time_wait);
    // 5. TIME-WAIT --> <SEQ=101><ACK=301><CTL=ACK> --> CLOSED
    const std::int64_t entered = now_ms;
    pass(a, "<SEQ=101><ACK=301><CTL=ACK>", b);
    CHECK(b.st() == S::closed);
    // 6. (2 MSL) CLOSED: MSL = 30 s by default (Linux's 60 s TIME-WAIT).
    now_ms = entered + 2 * 30000 - 1;
    a.conn->on_timer();
    CHECK(a.st() == S::time_wait);
    now_ms = entered + 2 * 30000;
    a.conn->on_timer();
    CHECK(a.st() == S::closed);
}

TEST_CASE("Figure 13: simultaneous close sequence", "[figure]") {
    reset_time t;
    figure_peer a({}), b({});
    establish(a, b, 100, 300);
    // 2. (Close) (Close): both send their FIN, which cross.
    a.conn->close();
    b.conn->close();
    CHECK(a.st() == S::fin_wait_1);
    CHECK(b.st() == S::fin_wait_1);
    const auto a_fin = a.take("<SEQ=100><ACK=300><CTL=FIN,ACK>");
    pass(b, "<SEQ=300><ACK=100><CTL=FIN,ACK>", a);
    b.receive(a_fin);
    // 3. CLOSING --> <SEQ=101><ACK=301><CTL=ACK> ... CLOSING
    CHECK(a.st() == S::closing);
    CHECK(b.st() == S::closing);
    const auto a_ack = a.take("<SEQ=101><ACK=301><CTL=ACK>");
    pass(b, "<SEQ=301><ACK=101><CTL=ACK>", a);
    b.receive(a_ack);
    // 4. TIME-WAIT TIME-WAIT, then (2 MSL) CLOSED CLOSED
    CHECK(a.st() == S::time_wait);
    CHECK(b.st() == S::time_wait);
    now_ms += 60000;
    a.conn->on_timer();
    b.conn->on_timer();
    CHECK(a.st() == S::closed);
    CHECK(b.st() == S::closed);
}
