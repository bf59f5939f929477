// A listener's connections hold out-of-order text (RFC 9293 §3.10.7.4 SHLD-31) when the
// listener's Observer places text (on_place and on_readable with the connection handle), as
// a standalone engine does (receive_path.hpp); without those hooks they take in-order text
// only. Expected sequence numbers are RFC 9293 §3.10.7.4's arithmetic (RCV.NXT = IRS + 1 +
// the octets received in order), done here; every octet's value is a function of its
// sequence number, so a misplaced octet shows.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "harness.hpp"

using namespace listener_test;

namespace {

// The value of the octet with sequence number `seq`: differs for any 251 consecutive numbers.
std::uint8_t octet_at(std::uint32_t seq) { return static_cast<std::uint8_t>(seq % 251u); }

// The receive buffer of one connection, indexed by octets past IRS + 1: -1 until placed.
struct stream_copy {
    std::vector<int> octets = std::vector<int>(4096, -1);
    std::vector<int> times_placed = std::vector<int>(4096, 0);
    std::uint32_t readable = 0;  // the consumer's own RCV.NXT - (IRS + 1)
    std::uint32_t irs = 0;       // the peer's ISN, set by the test (for the octet values)
    std::uint32_t misplaced = 0;  // octets whose value is not the one for their sequence number
    std::uint32_t not_placed_when_readable = 0;
};

struct receive_counts {
    std::map<std::uint32_t, stream_copy> by_slot;
    std::uint32_t next_irs = 0;  // the ISN of the client whose connection comes next
    std::uint32_t on_data_octets = 0;
    std::uint32_t place_calls = 0;
    stream_copy& stream(connection_handle h) {
        auto it = by_slot.find(h.slot);
        if (it == by_slot.end()) {
            it = by_slot.emplace(h.slot, stream_copy{}).first;
            it->second.irs = next_irs;
        }
        return it->second;
    }
};

// Without the placement hooks: in-order text only, through on_data.
struct in_order_observer : null_listener_observer {
    receive_counts* counts = nullptr;
    void on_data(connection_handle, const std::uint8_t*, std::uint32_t length) noexcept { counts->on_data_octets += length; }
};

// With them: the text goes where on_place says, becomes readable when on_readable says.
struct placing_listener_observer : in_order_observer {
    void on_place(connection_handle h, std::uint32_t offset, const std::uint8_t* text, std::uint32_t length) noexcept {
        ++counts->place_calls;
        stream_copy& s = counts->stream(h);
        for (std::uint32_t j = 0; j < length; ++j) {
            const std::uint32_t at = s.readable + offset + j;
            if (at >= s.octets.size()) continue;
            ++s.times_placed[at];
            s.octets[at] = text != nullptr ? text[j] : -2;
            if (text == nullptr || text[j] != octet_at(s.irs + 1u + at)) ++s.misplaced;
        }
    }
    void on_readable(connection_handle h, std::uint32_t octets) noexcept {
        stream_copy& s = counts->stream(h);
        for (std::uint32_t j = 0; j < octets; ++j) {
            if (s.readable + j >= s.octets.size() || s.octets[s.readable + j] < 0) ++s.not_placed_when_readable;
        }
        s.readable += octets;
    }
};

static_assert(!listener_observer_places_text_v<in_order_observer>, "on_data alone places nothing");
static_assert(listener_observer_places_text_v<placing_listener_observer>, "on_place and on_readable with the handle");

template <class Observer, class Profile = default_profile>
struct server_under_test {
    harness_time time;
    std::vector<sent_segment> wire;
    receive_counts counts;
    listener<capture_sink, test_clock, Observer, tuple_key, Profile> server;

    explicit server_under_test(syn_cookie_mode cookies = syn_cookie_mode::off)
        : server(config(cookies), server_port, test_secrets, capture_sink{&wire}, test_clock{&time}, observer()) {
        server.observer().counts = &counts;
    }
    static listener_config config(syn_cookie_mode cookies) {
        listener_config c;
        c.max_connections = 16;
        c.max_time_wait = 16;
        c.syn_cookies = cookies;
        return c;
    }
    static Observer observer() { return Observer{}; }

    // A SYN (with `text_length` octets of text) from client n, its SYN,ACK, and the final ACK.
    scripted_client connect(std::uint32_t n, std::uint32_t isn, std::uint32_t syn_text = 0) {
        scripted_client c{client_tuple(n), isn, 0};
        counts.by_slot.clear();
        counts.next_irs = isn;
        segment syn = c.syn();
        syn.text_length = syn_text;
        const std::vector<std::uint8_t> text = text_at(isn + 1u, syn_text);
        server.on_segment(c.tuple, syn, syn_text > 0 ? text.data() : nullptr);
        const sent_segment* reply = last_to(wire, c.tuple);
        if (reply != nullptr && reply->seg.has(ctl::syn | ctl::ack)) c.server_iss = reply->seg.seq;
        return c;
    }
    void complete(const scripted_client& c) { server.on_segment(c.tuple, c.ack()); }

    static std::vector<std::uint8_t> text_at(std::uint32_t seq, std::uint32_t length) {
        std::vector<std::uint8_t> t(length);
        for (std::uint32_t j = 0; j < length; ++j) t[j] = octet_at(seq + j);
        return t;
    }
    // `length` octets of the client's stream at `offset` past ISN + 1.
    void text(const scripted_client& c, std::uint32_t offset, std::uint32_t length) {
        const segment s = make_segment(c.isn + 1u + offset, c.server_iss + 1u, ctl::ack | ctl::psh, 65535, 0, length);
        const std::vector<std::uint8_t> t = text_at(s.seq, length);
        server.on_segment(c.tuple, s, t.data());
    }
    std::uint32_t rcv_nxt(connection_handle h) const { return server.get(h)->snapshot().rcv_nxt; }
    // The acknowledgment the connection last sent, once every timer due has run (the ACK
    // may be sent at once or at the end of the turn; RFC 5681 §4.2: at most 500 ms later).
    std::uint32_t last_ack_after_timers(const scripted_client& c) {
        time.advance_ms(500);
        server.on_timer();
        const sent_segment* s = last_to(wire, c.tuple);
        return s != nullptr ? s->seg.ack : 0u;
    }
};

}  // namespace

TEST_CASE("listener reassembly: a child holds out-of-order text, placed once, readable when the gap fills",
          "[listener][reassembly]") {
    server_under_test<placing_listener_observer> t;
    using child = decltype(t.server)::child_connection;
    STATIC_REQUIRE(child::reassembly_type::capacity == default_reassembly_capacity);
    const std::uint32_t isn = 50000;
    const scripted_client c = t.connect(1, isn);
    t.complete(c);
    const connection_handle h = t.server.accept();
    REQUIRE(h);
    const stream_copy& s = t.counts.stream(h);

    // Four segments of 100 octets (offsets 0, 100, 200, 300 past ISN + 1), sent as 3rd, 1st,
    // 4th, 3rd again, an overlap of 2nd and 3rd (150..249), then 2nd.
    t.text(c, 200, 100);  // above RCV.NXT: held, nothing readable
    CHECK(t.rcv_nxt(h) == isn + 1u);
    CHECK(s.readable == 0);
    CHECK(t.server.get(h)->reassembly().held_octets() == 100u);
    // RFC 5681 §4.2: the out-of-order segment is acknowledged with RCV.NXT (a duplicate ACK).
    CHECK(t.last_ack_after_timers(c) == isn + 1u);

    t.text(c, 0, 100);  // in order: readable at once, the held text stays held
    CHECK(t.rcv_nxt(h) == isn + 101u);
    CHECK(s.readable == 100u);
    t.text(c, 300, 100);  // joins the held 200..299
    t.text(c, 200, 100);  // a duplicate: nothing new to place
    t.text(c, 150, 100);  // 150..199 new, 200..249 seen before
    CHECK(t.rcv_nxt(h) == isn + 101u);
    CHECK(t.server.get(h)->reassembly().held_octets() == 250u);
    CHECK(t.last_ack_after_timers(c) == isn + 101u);

    t.text(c, 100, 100);  // fills the gap 100..149 (150..199 held): 300 octets become readable
    CHECK(t.rcv_nxt(h) == isn + 401u);
    CHECK(s.readable == 400u);
    CHECK(t.server.get(h)->reassembly().empty());
    CHECK(t.last_ack_after_timers(c) == isn + 401u);

    // Every octet once, in its place, readable only after it was placed; nothing via on_data.
    for (std::uint32_t i = 0; i < 400; ++i) {
        INFO("octet " << i);
        CHECK(s.times_placed[i] == 1);
        CHECK(s.octets[i] == octet_at(isn + 1u + i));
    }
    CHECK(s.times_placed[400] == 0);
    CHECK(s.misplaced == 0);
    CHECK(s.not_placed_when_readable == 0);
    CHECK(t.counts.on_data_octets == 0);
    // The user takes what is readable, as with on_data's text.
    CHECK(t.server.receive(h, 400) == user_error::none);
    CHECK(t.server.get(h)->snapshot().receive_held == 0u);
}

TEST_CASE("listener reassembly: without the placement hooks a child takes in-order text only",
          "[listener][reassembly]") {
    server_under_test<in_order_observer> t;
    using child = decltype(t.server)::child_connection;
    STATIC_REQUIRE(child::reassembly_type::capacity == 0);
    const std::uint32_t isn = 50000;
    const scripted_client c = t.connect(1, isn);
    t.complete(c);
    const connection_handle h = t.server.accept();
    REQUIRE(h);
    t.text(c, 200, 100);  // out of order: dropped
    CHECK(t.rcv_nxt(h) == isn + 1u);
    t.text(c, 0, 100);
    t.text(c, 100, 100);
    // 0..199 in order; 200..299 was dropped and must be sent again.
    CHECK(t.rcv_nxt(h) == isn + 201u);
    CHECK(t.counts.on_data_octets == 200u);
    CHECK(t.counts.place_calls == 0);
    t.text(c, 200, 100);
    CHECK(t.rcv_nxt(h) == isn + 301u);
    CHECK(t.counts.on_data_octets == 300u);
}

TEST_CASE("listener reassembly: the capacity follows the profile", "[listener][reassembly]") {
    using two_ranges = with_reassembly_capacity<default_profile, 2>;
    server_under_test<placing_listener_observer, two_ranges> t;
    using child = decltype(t.server)::child_connection;
    STATIC_REQUIRE(child::reassembly_type::capacity == 2);
    const std::uint32_t isn = 9000;
    const scripted_client c = t.connect(1, isn);
    t.complete(c);
    const connection_handle h = t.server.accept();
    REQUIRE(h);
    const stream_copy& s = t.counts.stream(h);
    // Three separate ranges above RCV.NXT: the third finds both blocks in use and is dropped
    // (reassembly.hpp: the newest range is the one dropped).
    t.text(c, 100, 10);
    t.text(c, 200, 10);
    t.text(c, 300, 10);
    CHECK(t.server.get(h)->reassembly().held_count() == 2u);
    CHECK(t.server.get(h)->reassembly().held_octets() == 20u);
    CHECK(s.times_placed[300] == 0);
    // The gap 0..99 fills: 0..109 readable; 200..209 still held.
    t.text(c, 0, 100);
    CHECK(t.rcv_nxt(h) == isn + 111u);
    CHECK(s.readable == 110u);
    CHECK(s.misplaced == 0);
    CHECK(s.not_placed_when_readable == 0);
}

TEST_CASE("listener reassembly: text on a SYN in LISTEN is placed, readable at ESTABLISHED (§3.10.7.2)",
          "[listener][reassembly]") {
    const std::uint32_t isn = 70000;
    SECTION("placing observer") {
        server_under_test<placing_listener_observer> t;
        const scripted_client c = t.connect(1, isn, 20);
        REQUIRE(c.server_iss != 0);
        const connection_handle h = t.server.find(c.tuple);
        REQUIRE(h);
            const stream_copy& s = t.counts.stream(h);
        // Placed at offset 0 when the SYN arrived; not readable, not acknowledged: the SYN,ACK
        // acknowledges the SYN alone (RCV.NXT = IRS + 1).
        CHECK(s.times_placed[0] == 1);
        CHECK(s.times_placed[19] == 1);
        CHECK(s.readable == 0);
        CHECK(last_to(t.wire, c.tuple)->seg.ack == isn + 1u);
        CHECK(t.rcv_nxt(h) == isn + 1u);
        // The final ACK: ESTABLISHED, the 20 octets readable, RCV.NXT past them.
        t.complete(c);
        CHECK(t.server.state_of(h) == state::established);
        CHECK(s.readable == 20u);
        CHECK(t.rcv_nxt(h) == isn + 21u);
        CHECK(t.last_ack_after_timers(c) == isn + 21u);
        CHECK(s.misplaced == 0);
        CHECK(s.not_placed_when_readable == 0);
        CHECK(t.counts.on_data_octets == 0);
    }
    SECTION("in-order observer: the SYN's text is not taken") {
        server_under_test<in_order_observer> t;
        const scripted_client c = t.connect(1, isn, 20);
        const connection_handle h = t.server.find(c.tuple);
        REQUIRE(h);
        t.complete(c);
        CHECK(t.server.state_of(h) == state::established);
        CHECK(t.rcv_nxt(h) == isn + 1u);
        CHECK(t.counts.on_data_octets == 0);
    }
}

TEST_CASE("listener reassembly: a SYN cookie keeps no SYN text; the cookie ACK's text is placed",
          "[listener][reassembly]") {
    server_under_test<placing_listener_observer> t(syn_cookie_mode::always);
    const std::uint32_t isn = 80000;
    scripted_client c = t.connect(1, isn, 20);
    REQUIRE(c.server_iss != 0);
    CHECK(t.server.connection_count() == 0);
    CHECK(t.counts.place_calls == 0);
    // RFC 4987 §3.6: the SYN,ACK acknowledges the SYN alone; the client sends its 20 octets
    // again with the cookie ACK.
    CHECK(last_to(t.wire, c.tuple)->seg.ack == isn + 1u);
    segment third = c.ack();
    third.text_length = 20;
    third.flags = static_cast<std::uint8_t>(ctl::ack | ctl::psh);
    const std::vector<std::uint8_t> text = decltype(t)::text_at(isn + 1u, 20);
    t.server.on_segment(c.tuple, third, text.data());
    const connection_handle h = t.server.find(c.tuple);
    REQUIRE(h);
    const stream_copy& s = t.counts.stream(h);
    CHECK(t.server.state_of(h) == state::established);
    CHECK(t.rcv_nxt(h) == isn + 21u);
    CHECK(s.readable == 20u);
    CHECK(s.misplaced == 0);
    CHECK(s.not_placed_when_readable == 0);
}
