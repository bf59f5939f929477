// The engine's receive path (receive_path.hpp): out-of-order text held through the
// reassembly queue (RFC 9293 §3.10.7.4 SHLD-31), a FIN before its text, duplicates and
// overlaps (first-received octets win), SYN text in LISTEN and SYN-SENT (§3.10.7.2, §3.10.7.3),
// the capacity, RFC 5961 §5, and the immediate ACKs of RFC 5681 §4.2. Scripted exchanges with
// one engine: the test is the peer. Expected values: the octets the test sent (each segment's
// text is its own pattern), and the sequence numbers written out next to each check.
#include <tcpfsm/connection.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "empty_policies.hpp"

namespace ctl = tcpfsm::ctl;
using S = tcpfsm::state;

namespace {

std::int64_t clock_ms = 0;

struct test_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(clock_ms)); }
};

struct test_io {
    std::deque<tcpfsm::segment>* out;
    void send(const tcpfsm::outgoing_segment& s) noexcept { out->push_back(s.header); }
};

// A consumer that places text (docs/reassembly.md, "A ring-buffer consumer", with a vector
// from RCV.NXT on): records every placement, fails on a second copy of an octet or a hole.
struct consumer {
    std::string readable;           // in order, as the user reads it
    std::vector<char> placed;       // from RCV.NXT on
    std::vector<bool> have;
    std::size_t placements = 0, readable_calls = 0, on_data_calls = 0, overwrites = 0, holes = 0;
    std::vector<tcpfsm::drop_reason> drops;
    std::vector<tcpfsm::event> events;
};

struct placing_observer : tcpfsm::null_observer {
    consumer* c;
    explicit placing_observer(consumer* to = nullptr) : c(to) {}
    void on_row(tcpfsm::state, tcpfsm::event e, const tcpfsm::transition&) noexcept { c->events.push_back(e); }
    void on_drop(tcpfsm::drop_reason d) noexcept { c->drops.push_back(d); }
    void on_data(const std::uint8_t*, std::uint32_t) noexcept { ++c->on_data_calls; }
    void on_place(std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        ++c->placements;
        if (c->placed.size() < std::size_t{offset} + length) {
            c->placed.resize(std::size_t{offset} + length, '?');
            c->have.resize(std::size_t{offset} + length, false);
        }
        for (std::uint32_t i = 0; i < length; ++i) {
            if (c->have[offset + i]) ++c->overwrites;
            c->have[offset + i] = true;
            c->placed[offset + i] = text != nullptr ? static_cast<char>(text[i]) : '?';
        }
    }
    void on_readable(std::uint32_t n) noexcept {
        ++c->readable_calls;
        for (std::uint32_t i = 0; i < n; ++i) {
            if (i >= c->have.size() || !c->have[i]) ++c->holes;
        }
        const std::size_t k = std::min<std::size_t>(n, c->placed.size());
        c->readable.append(c->placed.begin(), c->placed.begin() + static_cast<std::ptrdiff_t>(k));
        c->placed.erase(c->placed.begin(), c->placed.begin() + static_cast<std::ptrdiff_t>(k));
        c->have.erase(c->have.begin(), c->have.begin() + static_cast<std::ptrdiff_t>(k));
    }
};

// The same consumer without the placement hooks: today's in-order text only.
struct in_order_observer : tcpfsm::null_observer {
    consumer* c;
    explicit in_order_observer(consumer* to = nullptr) : c(to) {}
    void on_drop(tcpfsm::drop_reason d) noexcept { c->drops.push_back(d); }
    void on_data(const std::uint8_t* text, std::uint32_t n) noexcept {
        ++c->on_data_calls;
        c->readable.append(reinterpret_cast<const char*>(text), n);
    }
};

constexpr std::uint32_t iss = 5000;  // ours
constexpr std::uint32_t irs = 1000;  // the peer's: its text starts at 1001

template <class Observer, class Profile = tcpfsm::default_profile>
struct receiver {
    using engine = tcpfsm::connection<test_io, test_clock, Observer, tcpfsm::fixed_iss, Profile>;
    std::deque<tcpfsm::segment> out;
    consumer c;
    engine conn;
    explicit receiver(const tcpfsm::connection_config& config = tcpfsm::rfc_reference_config)
        : conn(config, test_io{&out}, test_clock{}, Observer{&c}, tcpfsm::fixed_iss{iss}) {}

    // The peer's segment: `text` at SEQ = 1001 + offset, ACK of our SYN.
    void data(std::uint32_t offset, const std::string& text, bool fin = false, std::uint32_t ack = iss + 1) {
        tcpfsm::segment s;
        s.seq = irs + 1 + offset;
        s.ack = ack;
        s.flags = static_cast<std::uint8_t>(ctl::ack | (fin ? ctl::fin : 0u));
        s.text_length = static_cast<std::uint32_t>(text.size());
        s.window = 65535;
        conn.on_segment(s, reinterpret_cast<const std::uint8_t*>(text.data()));
    }
    void establish() {
        REQUIRE(conn.open_passive() == tcpfsm::user_error::none);
        tcpfsm::segment syn;
        syn.seq = irs;
        syn.flags = ctl::syn;
        syn.window = 65535;
        conn.on_segment(syn);
        tcpfsm::segment ack;
        ack.seq = irs + 1;
        ack.ack = iss + 1;
        ack.flags = ctl::ack;
        ack.window = 65535;
        conn.on_segment(ack);
        REQUIRE(conn.current_state() == S::established);
        out.clear();
    }
    std::uint32_t rcv_nxt() const { return conn.snapshot().rcv_nxt; }
    // The last segment sent is an ACK of `ack`; all sent are cleared.
    std::size_t acks_of(std::uint32_t ack) {
        std::size_t n = 0;
        for (const auto& s : out) n += s.ack_flag() && s.ack == ack && s.text_length == 0 ? 1u : 0u;
        out.clear();
        return n;
    }
};

std::string pattern(char first, std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(first + static_cast<char>(i % 26));
    return s;
}

}  // namespace

TEST_CASE("receive path: the engine holds text only for an observer that places it", "[receive_path]") {
    STATIC_REQUIRE(tcpfsm::observer_places_text_v<placing_observer>);
    STATIC_REQUIRE(!tcpfsm::observer_places_text_v<in_order_observer>);
    STATIC_REQUIRE(!tcpfsm::observer_places_text_v<tcpfsm::null_observer>);
    STATIC_REQUIRE(receiver<placing_observer>::engine::reassembly_type::capacity == 8);
    STATIC_REQUIRE(receiver<in_order_observer>::engine::reassembly_type::capacity == 0);
    using compact = tcpfsm::with_reassembly_capacity<tcpfsm::default_profile, 0>;
    STATIC_REQUIRE(receiver<placing_observer, compact>::engine::reassembly_type::capacity == 0);
}

using tcpfsm_test::empty_placing_observer;  // empty_policies.hpp

TEST_CASE("receive path: the TCB with the queue (default capacity 8) and a compact profile (0)", "[receive_path]") {
    using placing = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, empty_placing_observer,
                                       tcpfsm_test::empty_iss>;
    using compact = tcpfsm::connection<tcpfsm_test::empty_io, tcpfsm_test::empty_clock, empty_placing_observer,
                                       tcpfsm_test::empty_iss,
                                       tcpfsm::with_reassembly_capacity<tcpfsm::default_profile, 0>>;
    STATIC_REQUIRE(placing::reassembly_type::capacity == 8);
    STATIC_REQUIRE(compact::reassembly_type::capacity == 0);
    // The queue of 8 blocks is 8 * 8 + 8 = 72 octets (docs/reassembly.md, "Size"); capacity 0
    // is an empty base, no room at all.
    WARN("sizeof(connection<empty policies, placing observer>) = " << sizeof(placing)
                                                                   << ", with capacity 0: " << sizeof(compact));
    // The queue is the whole difference: capacity 0 costs nothing, 8 blocks their 72 octets.
    CHECK(sizeof(placing) == sizeof(compact) + sizeof(tcpfsm::reassembly_queue<8>));
    CHECK(sizeof(tcpfsm::reassembly_queue<8>) == 8u * 8u + 8u);
    // Issue 13's budget for the default profile with placement (256 octets) is reported by
    // the test "send path: issue 13's TCB budget with a placing Observer (reported)"
    // (docs/engine.md, "TCB size").
}

TEST_CASE("receive path: out-of-order text is held, the gap fill makes it readable at once", "[receive_path]") {
    receiver<placing_observer> r;
    r.establish();
    const std::string a = pattern('a', 100), b = pattern('A', 100), c = pattern('0', 100);
    // Second and third first: held, RCV.NXT stays 1001, each earns an immediate duplicate ACK
    // (RFC 5681 §4.2).
    r.data(100, b);
    CHECK(r.rcv_nxt() == 1001u);
    CHECK(r.acks_of(1001) == 1);
    r.data(200, c);
    CHECK(r.acks_of(1001) == 1);
    CHECK(r.c.readable.empty());
    CHECK(r.conn.reassembly().held_octets() == 200u);
    CHECK(r.conn.snapshot().receive_held == 0u);
    // The gap: everything is readable, RCV.NXT = 1001 + 300, and the ACK goes at once.
    r.data(0, a);
    CHECK(r.rcv_nxt() == 1301u);
    CHECK(r.acks_of(1301) == 1);
    CHECK(r.c.readable == a + b + c);
    CHECK(r.c.readable_calls == 1);
    CHECK(r.conn.reassembly().empty());
    CHECK(r.conn.snapshot().receive_held == 300u);
    CHECK(r.c.overwrites == 0);
    CHECK(r.c.holes == 0);
    CHECK(r.c.on_data_calls == 0);
}

TEST_CASE("receive path, defaults: out-of-order text and the gap fill are ACKed at the end of their turn (RFC 5681 §4.2)",
          "[receive_path]") {
    clock_ms = 0;
    receiver<placing_observer> r(tcpfsm::default_connection_config);  // delayed ACK, one segment per turn
    r.establish();
    const auto end_turn = [&r] {
        const tcpfsm::timer_deadline d = r.conn.next_deadline();
        if (d && d.remaining_ms(static_cast<std::uint32_t>(clock_ms)) == 0) r.conn.on_timer();
    };
    r.data(100, pattern('k', 100));  // above RCV.NXT = 1001: held, a duplicate ACK of 1001
    CHECK(r.out.empty());             // within on_segment nothing goes
    end_turn();
    CHECK(r.acks_of(irs + 1) == 1);
    r.data(0, pattern('a', 100));  // fills the gap: 200 octets readable, ACK of 1201 at once
    end_turn();
    CHECK(r.acks_of(irs + 1 + 200) == 1);
    CHECK(r.c.readable == pattern('a', 100) + pattern('k', 100));
}

TEST_CASE("receive path: a FIN before its text is remembered, the gap fill runs the rcv_fin row", "[receive_path]") {
    receiver<placing_observer> r;
    r.establish();
    const std::string a = pattern('a', 50), b = pattern('A', 70);
    r.data(50, b, true);  // text 1051..1120, FIN at 1121
    CHECK(r.conn.current_state() == S::established);
    CHECK(r.conn.reassembly().fin_held());
    CHECK(r.conn.reassembly().fin_seq() == 1001u + 120u);
    CHECK(r.acks_of(1001) == 1);
    r.c.events.clear();
    r.data(0, a);  // no FIN on this one
    CHECK(r.conn.current_state() == S::close_wait);
    CHECK(std::find(r.c.events.begin(), r.c.events.end(), tcpfsm::event::rcv_fin) != r.c.events.end());
    CHECK(r.rcv_nxt() == 1001u + 120u + 1u);  // the text and the FIN
    CHECK(r.acks_of(1122) == 1);
    CHECK(r.c.readable == a + b);
}

TEST_CASE("receive path: duplicates and overlaps are delivered once, first-received octets win", "[receive_path]") {
    receiver<placing_observer> r;
    r.establish();
    // [100, 200) as 'x', then [50, 150) as 'y', then [0, 100) as 'z', then [0, 200) as 'w':
    // new octets [100, 200) x, [50, 100) y, [0, 50) z; the last is a duplicate.
    r.data(100, std::string(100, 'x'));
    r.data(50, std::string(100, 'y'));
    CHECK(r.acks_of(1001) == 2);
    r.data(0, std::string(100, 'z'));
    CHECK(r.acks_of(1201) == 1);
    r.data(0, std::string(200, 'w'));
    CHECK(r.acks_of(1201) == 1);  // a duplicate: an immediate ACK (Linux's tcp_send_dupack)
    CHECK(r.c.readable == std::string(50, 'z') + std::string(50, 'y') + std::string(100, 'x'));
    CHECK(r.c.overwrites == 0);
    CHECK(r.rcv_nxt() == 1201u);
    CHECK(r.conn.snapshot().receive_held == 200u);
}

TEST_CASE("receive path: every order of five segments and a FIN delivers each octet once, in order",
          "[receive_path]") {
    const std::uint32_t lengths[5] = {10, 1, 40, 7, 23};
    std::uint32_t offsets[5] = {};
    std::string all;
    for (int i = 0; i < 5; ++i) {
        offsets[i] = static_cast<std::uint32_t>(all.size());
        all += pattern(static_cast<char>('a' + i), lengths[i]);
    }
    int order[5] = {0, 1, 2, 3, 4};
    int runs = 0;
    do {
        receiver<placing_observer> r;
        r.establish();
        for (int k = 0; k < 5; ++k) {
            const int i = order[k];
            r.data(offsets[i], all.substr(offsets[i], lengths[i]), i == 4);
        }
        INFO("order " << order[0] << order[1] << order[2] << order[3] << order[4]);
        CHECK(r.c.readable == all);
        CHECK(r.c.overwrites == 0);
        CHECK(r.c.holes == 0);
        CHECK(r.conn.current_state() == S::close_wait);
        CHECK(r.rcv_nxt() == 1001u + 81u + 1u);
        CHECK(r.conn.reassembly().empty());
        ++runs;
    } while (std::next_permutation(order, order + 5));
    CHECK(runs == 120);
}

TEST_CASE("receive path: past the capacity the newest range is dropped, and taken when sent again",
          "[receive_path]") {
    using two = tcpfsm::with_reassembly_capacity<tcpfsm::default_profile, 2>;
    receiver<placing_observer, two> r;
    r.establish();
    r.data(10, "bb");
    r.data(20, "cc");
    CHECK(r.conn.reassembly().held_count() == 2u);
    r.data(30, "dd");  // a third range: no block for it
    CHECK(r.conn.reassembly().held_count() == 2u);
    CHECK(std::count(r.c.drops.begin(), r.c.drops.end(), tcpfsm::drop_reason::text_out_of_order) == 1);
    CHECK(r.acks_of(1001) == 3);
    r.data(0, std::string(10, 'a'));
    CHECK(r.rcv_nxt() == 1013u);  // [0, 12) contiguous
    r.data(12, std::string(8, 'e'));
    CHECK(r.rcv_nxt() == 1023u);
    r.data(22, std::string(8, 'f'));
    r.data(30, "dd");  // sent again: now there is room
    CHECK(r.rcv_nxt() == 1033u);
    CHECK(r.c.readable == std::string(10, 'a') + "bb" + std::string(8, 'e') + "cc" + std::string(8, 'f') + "dd");
}

TEST_CASE("receive path: text beyond RCV.WND is never held", "[receive_path]") {
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.receive_buffer = 100;
    receiver<placing_observer> r(config);
    r.establish();
    REQUIRE(r.conn.snapshot().rcv_wnd == 100u);
    r.data(90, std::string(20, 'x'));  // [90, 110): only [90, 100) is in the window
    CHECK(r.conn.reassembly().held_octets() == 10u);
    r.data(0, std::string(90, 'y'));
    CHECK(r.rcv_nxt() == 1101u);
    CHECK(r.c.readable == std::string(90, 'y') + std::string(10, 'x'));
    CHECK(r.conn.snapshot().rcv_wnd == 0u);
}

TEST_CASE("receive path: held text needs an acceptable ACK like any text (RFC 5961 §5)", "[receive_path]") {
    receiver<placing_observer> r;
    r.establish();
    // SEG.ACK above SND.NXT (5001): not acceptable, the segment is dropped before its text.
    r.data(100, std::string(10, 'x'), false, iss + 1 + 1000);
    CHECK(r.conn.reassembly().empty());
    CHECK(r.c.placements == 0);
}

TEST_CASE("receive path: an observer without on_place gets in-order text only, as before", "[receive_path]") {
    receiver<in_order_observer> r;
    r.establish();
    r.data(10, std::string(10, 'b'));
    CHECK(r.acks_of(1001) == 1);
    CHECK(std::count(r.c.drops.begin(), r.c.drops.end(), tcpfsm::drop_reason::text_out_of_order) == 1);
    r.data(0, std::string(10, 'a'));
    CHECK(r.rcv_nxt() == 1011u);  // the second segment was not held
    CHECK(r.c.readable == std::string(10, 'a'));
    r.data(10, std::string(10, 'b'), true);
    CHECK(r.c.readable == std::string(10, 'a') + std::string(10, 'b'));
    CHECK(r.conn.current_state() == S::close_wait);
}

TEST_CASE("receive path: SYN text in LISTEN is placed at once, readable at ESTABLISHED (§3.10.7.2)",
          "[receive_path]") {
    receiver<placing_observer> r;
    REQUIRE(r.conn.open_passive() == tcpfsm::user_error::none);
    const std::string hello = "hello";
    tcpfsm::segment syn;
    syn.seq = irs;
    syn.flags = ctl::syn;
    syn.window = 65535;
    syn.text_length = 5;
    r.conn.on_segment(syn, reinterpret_cast<const std::uint8_t*>(hello.data()));
    REQUIRE(r.conn.current_state() == S::syn_received);
    // The SYN,ACK acknowledges the SYN only: <SEQ=5000><ACK=1001><CTL=SYN,ACK>.
    REQUIRE(!r.out.empty());
    CHECK(r.out.back().ack == 1001u);
    CHECK(r.c.placements == 1);
    CHECK(r.c.readable.empty());
    r.out.clear();
    SECTION("the third segment without text") {
        r.data(0, "");
        CHECK(r.conn.current_state() == S::established);
        CHECK(r.c.readable == hello);
        CHECK(r.rcv_nxt() == 1006u);
        CHECK(r.acks_of(1006) == 1);
    }
    SECTION("the third segment with the text again and more") {
        r.data(0, "hello, world");
        CHECK(r.c.readable == "hello, world");
        CHECK(r.rcv_nxt() == 1013u);
        CHECK(r.c.overwrites == 0);
    }
}

TEST_CASE("receive path: SYN+FIN in LISTEN: the FIN takes effect at ESTABLISHED, through rcv_fin",
          "[receive_path]") {
    receiver<placing_observer> r;
    REQUIRE(r.conn.open_passive() == tcpfsm::user_error::none);
    const std::string text = "abc";
    tcpfsm::segment syn;
    syn.seq = irs;
    syn.flags = static_cast<std::uint8_t>(ctl::syn | ctl::fin);
    syn.window = 65535;
    syn.text_length = 3;
    r.conn.on_segment(syn, reinterpret_cast<const std::uint8_t*>(text.data()));
    REQUIRE(r.conn.current_state() == S::syn_received);
    r.c.events.clear();
    r.data(0, "");
    CHECK(r.conn.current_state() == S::close_wait);
    CHECK(std::find(r.c.events.begin(), r.c.events.end(), tcpfsm::event::rcv_fin) != r.c.events.end());
    CHECK(r.c.readable == text);
    CHECK(r.rcv_nxt() == 1001u + 3u + 1u);
}

TEST_CASE("receive path: SYN text in SYN-SENT (simultaneous open) is readable at ESTABLISHED (§3.10.7.3)",
          "[receive_path]") {
    receiver<placing_observer> r;
    REQUIRE(r.conn.open_active() == tcpfsm::user_error::none);
    r.out.clear();
    const std::string text = "early";
    tcpfsm::segment syn;  // the peer's SYN crosses ours
    syn.seq = irs;
    syn.flags = ctl::syn;
    syn.window = 65535;
    syn.text_length = 5;
    r.conn.on_segment(syn, reinterpret_cast<const std::uint8_t*>(text.data()));
    REQUIRE(r.conn.current_state() == S::syn_received);
    CHECK(r.c.readable.empty());
    // The peer's SYN,ACK: <SEQ=1000><ACK=5001><CTL=SYN,ACK>.
    tcpfsm::segment syn_ack;
    syn_ack.seq = irs;
    syn_ack.ack = iss + 1;
    syn_ack.flags = static_cast<std::uint8_t>(ctl::syn | ctl::ack);
    syn_ack.window = 65535;
    r.conn.on_segment(syn_ack);
    CHECK(r.conn.current_state() == S::established);
    CHECK(r.c.readable == text);
    CHECK(r.rcv_nxt() == 1006u);
}

TEST_CASE("receive path: text on a SYN,ACK in SYN-SENT goes straight through", "[receive_path]") {
    receiver<placing_observer> r;
    REQUIRE(r.conn.open_active() == tcpfsm::user_error::none);
    const std::string text = "welcome";
    tcpfsm::segment syn_ack;
    syn_ack.seq = irs;
    syn_ack.ack = iss + 1;
    syn_ack.flags = static_cast<std::uint8_t>(ctl::syn | ctl::ack);
    syn_ack.window = 65535;
    syn_ack.text_length = 7;
    r.conn.on_segment(syn_ack, reinterpret_cast<const std::uint8_t*>(text.data()));
    CHECK(r.conn.current_state() == S::established);
    CHECK(r.c.readable == text);
    CHECK(r.rcv_nxt() == 1008u);
}

TEST_CASE("receive path: a new connection starts with an empty queue", "[receive_path]") {
    receiver<placing_observer> r;
    r.establish();
    r.data(10, "x", true);
    REQUIRE(!r.conn.reassembly().empty());
    REQUIRE(r.conn.abort() == tcpfsm::user_error::none);
    CHECK(r.conn.current_state() == S::closed);
    CHECK(r.conn.reassembly().empty());
}
