// RFC 9293 Figures 6-13 (§3.5, §3.6) as exact two-endpoint segment traces through two real
// engines. The test is the network: it takes each segment an engine sends, compares it with
// the figure's line (SEQ, ACK, CTL as printed in the RFC; PSH is not drawn there), and hands
// it to the other engine, holds it ("..." in a figure), or drops it. Old duplicates are
// injected; a crash is a fresh engine that has lost its TCB. Every expected segment and
// state is the figure's.
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace {

using tcpfsm::state;
using S = state;

// ------------------------------------------------------------------ the harness
std::int64_t g_now_ms = 0;

struct test_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(g_now_ms)); }
};

struct wire_io {
    std::deque<tcpfsm::outgoing_segment>* out;
    void send(const tcpfsm::outgoing_segment& s) noexcept { out->push_back(s); }
};

// The ISS of each incarnation in turn, as the figure numbers them.
struct scripted_iss {
    const std::vector<std::uint32_t>* values;
    std::size_t* next;
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept {
        const std::uint32_t v = (*values)[*next < values->size() ? *next : values->size() - 1];
        ++*next;
        return v;
    }
};

using engine = tcpfsm::connection<wire_io, test_clock, tcpfsm::null_observer, scripted_iss>;

// The RFC's notation: <SEQ=100><ACK=301><CTL=SYN,ACK>, <DATA> when there is text; ACK is
// printed only when the ACK bit is on.
std::string rfc_notation(const tcpfsm::segment& s) {
    std::string out = "<SEQ=" + std::to_string(s.seq) + ">";
    if (s.ack_flag()) out += "<ACK=" + std::to_string(s.ack) + ">";
    std::string ctl;
    const auto add = [&](bool on, const char* name) {
        if (!on) return;
        if (!ctl.empty()) ctl += ",";
        ctl += name;
    };
    add(s.syn(), "SYN");
    add(s.rst(), "RST");
    add(s.fin(), "FIN");
    add(s.ack_flag(), "ACK");
    out += "<CTL=" + ctl + ">";
    if (s.text_length > 0) out += "<DATA>";
    return out;
}

struct peer {
    std::deque<tcpfsm::outgoing_segment> sent;
    std::vector<std::uint32_t> isses;
    std::size_t next_iss = 0;
    std::unique_ptr<engine> conn;

    explicit peer(std::vector<std::uint32_t> iss) : isses(std::move(iss)) { restart(); }

    // A crash: the TCB is lost; what was in flight is gone with it.
    void restart() {
        sent.clear();
        conn = std::make_unique<engine>(tcpfsm::default_connection_config, wire_io{&sent}, test_clock{},
                                        tcpfsm::null_observer{}, scripted_iss{&isses, &next_iss});
    }
    state st() const { return conn->current_state(); }

    // The next segment this peer sent, which must read `expected` in the RFC's notation.
    tcpfsm::segment take(const std::string& expected) {
        INFO("expected " << expected);
        REQUIRE(!sent.empty());
        const tcpfsm::segment s = sent.front().header;
        sent.pop_front();
        CHECK(rfc_notation(s) == expected);
        return s;
    }
    void receive(const tcpfsm::segment& s) { conn->on_segment(s); }
};

// `from` sent `expected`; `to` receives it.
tcpfsm::segment pass(peer& from, const std::string& expected, peer& to) {
    const tcpfsm::segment s = from.take(expected);
    to.receive(s);
    return s;
}

tcpfsm::segment make(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t text = 0) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = text;
    s.window = 65535;
    return s;
}

// A and B ESTABLISHED with A's SND.NXT = a_nxt and B's SND.NXT = b_nxt ("send 300, receive
// 100" in Figures 9 and 10), through a real handshake (ISS = SND.NXT - 1).
void establish(peer& a, peer& b, std::uint32_t a_nxt, std::uint32_t b_nxt) {
    a.isses.insert(a.isses.begin() + static_cast<std::ptrdiff_t>(a.next_iss), a_nxt - 1);
    b.isses.insert(b.isses.begin() + static_cast<std::ptrdiff_t>(b.next_iss), b_nxt - 1);
    b.conn->open_passive();
    a.conn->open_active();
    b.receive(a.take("<SEQ=" + std::to_string(a_nxt - 1) + "><CTL=SYN>"));
    a.receive(b.take("<SEQ=" + std::to_string(b_nxt - 1) + "><ACK=" + std::to_string(a_nxt) + "><CTL=SYN,ACK>"));
    b.receive(a.take("<SEQ=" + std::to_string(a_nxt) + "><ACK=" + std::to_string(b_nxt) + "><CTL=ACK>"));
    REQUIRE(a.st() == S::established);
    REQUIRE(b.st() == S::established);
}

struct reset_time {
    reset_time() { g_now_ms = 0; }
};

}  // namespace

TEST_CASE("Figure 6: basic three-way handshake", "[figure]") {
    reset_time t;
    peer a({100}), b({300});
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
    peer a({100}), b({300});
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
    peer a({100}), b({300, 400});
    b.conn->open_passive();
    // 2. SYN-SENT --> <SEQ=100><CTL=SYN> ...
    a.conn->open_active();
    const auto a_syn = a.take("<SEQ=100><CTL=SYN>");
    // 3. (duplicate) ... <SEQ=90><CTL=SYN> --> SYN-RECEIVED
    b.receive(make(90, 0, tcpfsm::ctl::syn));
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
    peer a({400}), b({});
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
    g_now_ms = 999;
    a.conn->on_timer();
    CHECK(a.sent.empty());
    g_now_ms = 1000;
    a.conn->on_timer();
    a.take("<SEQ=400><CTL=SYN>");
}

TEST_CASE("Figure 10: active side causes half-open connection discovery", "[figure]") {
    reset_time t;
    peer a({}), b({});
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
    peer a({7000}), b({x});
    a.conn->open_passive();
    b.conn->open_passive();
    // 2. ... <SEQ=Z><CTL=SYN> --> SYN-RECEIVED
    b.receive(make(z, 0, tcpfsm::ctl::syn));
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
    peer a({}), b({});
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
    const std::int64_t entered = g_now_ms;
    pass(a, "<SEQ=101><ACK=301><CTL=ACK>", b);
    CHECK(b.st() == S::closed);
    // 6. (2 MSL) CLOSED: MSL = 30 s by default (Linux's 60 s TIME-WAIT).
    g_now_ms = entered + 2 * 30000 - 1;
    a.conn->on_timer();
    CHECK(a.st() == S::time_wait);
    g_now_ms = entered + 2 * 30000;
    a.conn->on_timer();
    CHECK(a.st() == S::closed);
}

TEST_CASE("Figure 13: simultaneous close sequence", "[figure]") {
    reset_time t;
    peer a({}), b({});
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
    g_now_ms += 60000;
    a.conn->on_timer();
    b.conn->on_timer();
    CHECK(a.st() == S::closed);
    CHECK(b.st() == S::closed);
}
