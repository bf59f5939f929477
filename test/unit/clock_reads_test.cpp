// The engine reads its Clock policy once per call (connection::read_clock): on_segment, every
// user call (OPEN, SEND, RECEIVE, CLOSE, ...) and on_timer take one reading, and everything the
// call does (timers, RTT samples, congestion control's microseconds, the TSval of every segment
// it sends, PAWS and TS.Recent's time) uses it, so that a costly Clock costs one read a call.
// The default profile (CUBIC with HyStart++, timestamps, SACK), through a handshake, a
// transfer with a loss (SACK blocks, duplicate ACKs, recovery), an RTO and a close. The count
// expected is the design's: 1 per call; and every TSval a call sends is that reading's
// milliseconds (RFC 7323 §5.4 with offset 0: fixed_iss has no timestamp_offset).
#include <tcpfsm/connection.hpp>
#include <tcpfsm/iss.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <vector>

namespace {

struct cr_clock_state {
    std::int64_t now_us = 7'000'123'456;  // a time with microseconds, not a whole millisecond
    std::uint64_t reads = 0;
};

struct cr_clock {
    using duration = std::chrono::microseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<cr_clock, duration>;
    cr_clock_state* state = nullptr;
    time_point now() const noexcept {
        ++state->reads;
        return time_point(duration(state->now_us));
    }
};

struct cr_io {
    std::vector<tcpfsm::outgoing_segment>* out = nullptr;
    void send(const tcpfsm::outgoing_segment& s) noexcept { out->push_back(s); }
};

using cr_engine = tcpfsm::connection<cr_io, cr_clock, tcpfsm::null_observer, tcpfsm::fixed_iss>;

struct cr_end {
    cr_clock_state clock;
    std::vector<tcpfsm::outgoing_segment> sent;
    cr_engine conn;
    explicit cr_end(std::uint32_t iss)
        : conn(tcpfsm::default_connection_config, cr_io{&sent}, cr_clock{&clock}, tcpfsm::null_observer{},
               tcpfsm::fixed_iss(iss)) {}
    cr_end(const cr_end&) = delete;
    cr_end& operator=(const cr_end&) = delete;

    // Runs one call: the Clock is read exactly once, and every segment the call sends has
    // TSval = that reading in ms (mod 2^32).
    template <class F>
    void call(F&& f) {
        const std::uint64_t reads = clock.reads;
        const std::size_t first = sent.size();
        f(conn);
        CHECK(clock.reads - reads == 1u);
        const auto ms = static_cast<std::uint32_t>(static_cast<std::uint64_t>(clock.now_us) / 1000u);
        for (std::size_t i = first; i < sent.size(); ++i) {
            if (sent[i].options.has_timestamps) CHECK(sent[i].options.ts_val == ms);
        }
    }
    void advance_ms(std::int64_t ms) { clock.now_us += ms * 1000; }
};

const std::uint8_t cr_text[65536] = {};

// Hands every segment `from` has sent since `index` to `to`, one call each, except the
// `skip`th of them (counted from 0), then ends `to`'s turn (on_timer: the ACKs it holds for
// the turn's end go); returns the new index.
std::size_t cr_deliver(cr_end& from, cr_end& to, std::size_t index, std::size_t skip = static_cast<std::size_t>(-1)) {
    for (std::size_t k = 0; index < from.sent.size(); ++index, ++k) {
        if (k == skip) continue;
        const tcpfsm::outgoing_segment s = from.sent[index];
        to.call([&](cr_engine& c) { c.on_segment(s.header, s.options, cr_text); });
    }
    to.call([](cr_engine& c) { c.on_timer(); });
    return index;
}

}  // namespace

TEST_CASE("clock reads: one Clock reading per engine call, on a timestamp and SACK connection", "[connection][clock]") {
    cr_end a(100), b(300);
    b.call([](cr_engine& c) { REQUIRE(c.open_passive() == tcpfsm::user_error::none); });
    a.call([](cr_engine& c) { REQUIRE(c.open_active() == tcpfsm::user_error::none); });
    std::size_t from_a = 0, from_b = 0;
    a.advance_ms(10);
    b.advance_ms(10);
    from_a = cr_deliver(a, b, from_a);  // SYN
    from_b = cr_deliver(b, a, from_b);  // SYN,ACK
    from_a = cr_deliver(a, b, from_a);  // ACK
    REQUIRE(a.conn.current_state() == tcpfsm::state::established);
    REQUIRE(b.conn.current_state() == tcpfsm::state::established);
    REQUIRE(a.conn.snapshot().timestamps);
    REQUIRE(a.conn.snapshot().sack);

    // A transfer with the second segment lost: B's ACKs carry SACK blocks, A recovers.
    a.call([](cr_engine& c) { REQUIRE(c.send(40000) == tcpfsm::user_error::none); });
    REQUIRE(a.sent.size() - from_a >= 4u);
    a.advance_ms(20);
    b.advance_ms(20);
    from_a = cr_deliver(a, b, from_a, 1);
    b.advance_ms(200);
    b.call([](cr_engine& c) { c.on_timer(); });  // a delayed ACK, if one is owed
    from_b = cr_deliver(b, a, from_b);
    for (int round = 0; round < 4; ++round) {
        a.advance_ms(20);
        b.advance_ms(20);
        from_a = cr_deliver(a, b, from_a);
        b.call([](cr_engine& c) { c.on_timer(); });
        from_b = cr_deliver(b, a, from_b);
        b.call([](cr_engine& c) { c.receive(); });
    }
    CHECK(a.conn.snapshot().unacked < 40000u);

    // Everything in flight lost: the retransmission timeout (RTO at least 1 s, RFC 6298 §2.4).
    a.call([](cr_engine& c) { c.send(1000); });
    from_a = a.sent.size();
    a.advance_ms(61000);
    a.call([](cr_engine& c) { c.on_timer(); });
    CHECK(a.sent.size() > from_a);  // the retransmission
    a.call([](cr_engine& c) { c.close(); });
    a.call([](cr_engine& c) { c.abort(); });
}
