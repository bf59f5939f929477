// A scripted harness for the connection engine: a manual clock, a SegmentIO that keeps what
// the engine sends, an ISS policy that hands out the values a test scripts, a recording
// observer, and the RFC's segment notation (<SEQ=100><ACK=301><CTL=SYN,ACK>). The test is
// the network: it takes what one engine sent and hands it to another, or does not.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_ENGINE_HARNESS_HPP
#define TCPFSM_ENGINE_HARNESS_HPP

#include <tcpfsm/connection.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace tcpfsm_harness {

// One clock for every engine of a test: milliseconds set by the test.
inline std::int64_t now_ms = 0;

struct manual_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::microseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(now_ms)); }
};

struct wire_io {
    std::deque<tcpfsm::outgoing_segment>* out;
    void send(const tcpfsm::outgoing_segment& s) noexcept { out->push_back(s); }
};

// The ISS of each incarnation in turn; the last value repeats.
struct scripted_iss {
    const std::vector<std::uint32_t>* values;
    std::size_t* next;
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept {
        if (values->empty()) return 0;
        const std::uint32_t v = (*values)[*next < values->size() ? *next : values->size() - 1];
        ++*next;
        return v;
    }
};

// Everything the engine reports.
struct record {
    std::vector<tcpfsm::user_signal> signals;
    std::vector<tcpfsm::drop_reason> drops;
    std::vector<tcpfsm::event> events;  // the event of every row run
    std::uint32_t delivered = 0;        // octets given to on_data
    std::uint32_t acked = 0;            // octets reported by on_acked
    std::uint32_t redirects = 0;        // on_redirect_to_listener calls
    tcpfsm::reopen_numbers redirected_from{};  // and the old numbers the last one gave
    bool listener = false;              // listener_takes() answers this
    bool has(tcpfsm::user_signal s) const {
        for (auto x : signals)
            if (x == s) return true;
        return false;
    }
    bool dropped(tcpfsm::drop_reason r) const {
        for (auto x : drops)
            if (x == r) return true;
        return false;
    }
};

struct recording_observer : tcpfsm::null_observer {
    record* r;
    explicit recording_observer(record* rec = nullptr) : r(rec) {}
    void on_row(tcpfsm::state, tcpfsm::event e, const tcpfsm::transition&) noexcept { r->events.push_back(e); }
    void on_signal(tcpfsm::user_signal s) noexcept { r->signals.push_back(s); }
    void on_data(const std::uint8_t*, std::uint32_t n) noexcept { r->delivered += n; }
    void on_acked(std::uint32_t n) noexcept { r->acked += n; }
    void on_drop(tcpfsm::drop_reason d) noexcept { r->drops.push_back(d); }
    bool listener_takes(const tcpfsm::segment&) noexcept { return r->listener; }
    void on_redirect_to_listener(const tcpfsm::segment&, const std::uint8_t*,
                                 const tcpfsm::reopen_numbers& old) noexcept {
        ++r->redirects;
        r->redirected_from = old;
    }
};

// The RFC's notation: <SEQ=100><ACK=301><CTL=SYN,ACK>; ACK only when the ACK bit is on;
// <DATA> when there is text. PSH is not drawn in the RFC's figures, so not here either.
inline std::string rfc_notation(const tcpfsm::segment& s) {
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

inline tcpfsm::segment make(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t text = 0,
                            std::uint16_t window = 65535) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = text;
    s.window = window;
    return s;
}

template <class Profile = tcpfsm::default_profile>
struct basic_peer {
    using engine = tcpfsm::connection<wire_io, manual_clock, recording_observer, scripted_iss, Profile>;

    std::deque<tcpfsm::outgoing_segment> sent;
    std::vector<std::uint32_t> isses;
    std::size_t next_iss = 0;
    record rec;
    const tcpfsm::connection_config* config;
    std::unique_ptr<engine> conn;

    // By default the RFC 9293 §3.10 reference configuration (every ACK at once, after the
    // call that owes it): the scripted tests pin §3.10's replies.
    explicit basic_peer(std::vector<std::uint32_t> iss,
                        const tcpfsm::connection_config& c = tcpfsm::rfc_reference_config)
        : isses(std::move(iss)), config(&c) {
        restart();
    }

    // A crash: the TCB is lost, and what it had sent is gone with it.
    void restart() {
        sent.clear();
        rec = record{};
        conn = std::make_unique<engine>(*config, wire_io{&sent}, manual_clock{}, recording_observer{&rec},
                                        scripted_iss{&isses, &next_iss});
    }
    tcpfsm::state st() const { return conn->current_state(); }

    // The next segment this peer sent; it must read `expected` in the RFC's notation.
    tcpfsm::segment take(const std::string& expected) {
        INFO("expected " << expected);
        REQUIRE(!sent.empty());
        const tcpfsm::segment s = sent.front().header;
        sent.pop_front();
        CHECK(rfc_notation(s) == expected);
        return s;
    }
    // The next segment, whatever it is.
    tcpfsm::outgoing_segment take_any() {
        REQUIRE(!sent.empty());
        const tcpfsm::outgoing_segment s = sent.front();
        sent.pop_front();
        return s;
    }
    void receive(const tcpfsm::segment& s) { conn->on_segment(s); }
    void advance_to(std::int64_t t) {
        now_ms = t;
        conn->on_timer();
    }
    // Every deadline up to t in turn (each timer is re-armed from the time it fires), then t.
    void run_to(std::int64_t t) {
        for (;;) {
            const tcpfsm::timer_deadline d = conn->next_deadline();
            if (!d) break;
            const std::int64_t at = now_ms + static_cast<std::int64_t>(d.remaining_ms(static_cast<std::uint32_t>(now_ms)));
            if (at > t) break;
            advance_to(at);
        }
        advance_to(t);
    }
};

using peer = basic_peer<>;
// No congestion cap (congestion::unlimited): for tests that pin the RFC 9293 §3.10 replies
// and windows exactly, whatever cwnd would allow.
using unlimited_profile = tcpfsm::rfc_reference_profile;
using unlimited_peer = basic_peer<unlimited_profile>;

// `from` sent `expected`; `to` receives it.
template <class P, class Q>
tcpfsm::segment pass(P& from, const std::string& expected, Q& to) {
    const tcpfsm::segment s = from.take(expected);
    to.receive(s);
    return s;
}

// Everything `from` sent goes to `to`, in order; returns how many.
template <class P, class Q>
std::size_t pass_all(P& from, Q& to) {
    std::size_t n = 0;
    while (!from.sent.empty()) {
        const tcpfsm::segment s = from.sent.front().header;
        from.sent.pop_front();
        to.receive(s);
        ++n;
    }
    return n;
}

// A and B ESTABLISHED through a real handshake, with A's SND.NXT = a_nxt and B's SND.NXT =
// b_nxt afterwards (ISS = SND.NXT - 1; Figures 9 and 10's "send 300, receive 100").
template <class P, class Q>
void establish(P& a, Q& b, std::uint32_t a_nxt, std::uint32_t b_nxt) {
    a.isses.insert(a.isses.begin() + static_cast<std::ptrdiff_t>(a.next_iss), a_nxt - 1);
    b.isses.insert(b.isses.begin() + static_cast<std::ptrdiff_t>(b.next_iss), b_nxt - 1);
    b.conn->open_passive();
    a.conn->open_active();
    b.receive(a.take("<SEQ=" + std::to_string(a_nxt - 1) + "><CTL=SYN>"));
    a.receive(b.take("<SEQ=" + std::to_string(b_nxt - 1) + "><ACK=" + std::to_string(a_nxt) + "><CTL=SYN,ACK>"));
    b.receive(a.take("<SEQ=" + std::to_string(a_nxt) + "><ACK=" + std::to_string(b_nxt) + "><CTL=ACK>"));
    REQUIRE(a.st() == tcpfsm::state::established);
    REQUIRE(b.st() == tcpfsm::state::established);
}

// Sets the shared clock to 0 for the test that creates it.
struct reset_time {
    reset_time() { now_ms = 0; }
};

}  // namespace tcpfsm_harness

#endif  // TCPFSM_ENGINE_HARNESS_HPP
