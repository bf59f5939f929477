// Reassembly through the simulator (issue 13): the endpoints place text (on_place,
// on_readable), so a lost segment costs one retransmission, not the rest of the flight
// (RFC 9293 §3.10.7.4 SHLD-31: "Segments with higher beginning sequence numbers SHOULD be
// held for later processing"). Expected counts: the segments the test makes A send, plus one
// retransmission of the one it drops.
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace {

namespace sim = tcpfsm::sim;
namespace pattern = tcpfsm::sim::pattern;
using tcpfsm::state;

constexpr sim::sim_time delay = 10;

struct pair_of_endpoints {
    sim::network net;
    sim::endpoint& a;
    sim::endpoint& b;
    explicit pair_of_endpoints(const tcpfsm::connection_config& c)
        : net(sim::network_config{}), a(net.add("A", c)), b(net.add("B", c)) {
        a.set_fixed_iss(99);
        b.set_fixed_iss(299);
        net.connect(a, b);
        sim::link_config l;
        l.delay_ms = delay;
        net.set_links(a, b, l);
        REQUIRE(b.open_passive() == tcpfsm::user_error::none);
        REQUIRE(a.open_active() == tcpfsm::user_error::none);
        net.run_until(net.now() + 3 * delay);
        REQUIRE(a.st() == state::established);
        REQUIRE(b.st() == state::established);
    }
};

// A full segment's text: MSS 1460 less the 12 octets of the timestamps option the two
// endpoints negotiate by default (RFC 6691, RFC 7323 §3.2).
constexpr std::uint32_t full = 1460u - 12u;

std::vector<std::uint8_t> bytes(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131u + 7u) & 0xFFu);
    return v;
}

}  // namespace

TEST_CASE("reassembly (simulator): a lost segment is the only one sent again", "[reassembly][simulator]") {
    tcpfsm::connection_config config{};
    config.nagle = false;
    pair_of_endpoints p(config);
    // Five full segments (1448 octets each): the second is lost, the next three arrive above RCV.NXT.
    const std::vector<std::uint8_t> data = bytes(5 * full);
    p.net.drop_next([&](const sim::packet& k) { return k.from == p.a.index() && pattern::data(k.header) &&
                                                       k.header.seq == 100u + full; });
    REQUIRE(p.a.send(data) == tcpfsm::user_error::none);
    // After one and a half one-way delays every segment sent has arrived or been lost, and no
    // retransmission can have arrived yet (its trigger, a duplicate ACK or a timeout, needs
    // two more one-way delays at least): B has the first segment readable and holds segments
    // 3 to 5 above RCV.NXT = 100 + 1448.
    p.net.run_until(p.net.now() + delay + delay / 2);
    CHECK(p.b.received().size() == full);
    CHECK(p.b.engine().reassembly().held_octets() == 3u * full);
    p.net.run_until(p.net.now() + 10000);
    CHECK(p.b.received() == data);
    // 5 segments and one retransmission of the second.
    CHECK(p.net.sent_by(p.a, pattern::data).size() == 6u);
    CHECK(p.a.engine().snapshot().snd_una == 100u + 5u * full);
    INFO(p.net.trace_text());
    CHECK(p.net.violations().empty());
}

TEST_CASE("reassembly (simulator): a FIN that arrives before its text waits for it", "[reassembly][simulator]") {
    tcpfsm::connection_config config{};
    config.nagle = false;
    pair_of_endpoints p(config);
    const std::vector<std::uint8_t> data = bytes(3 * full);
    // The first segment is lost; the other two and the FIN arrive above RCV.NXT.
    p.net.drop_next([&](const sim::packet& k) { return k.from == p.a.index() && pattern::data(k.header) &&
                                                       k.header.seq == 100u; });
    REQUIRE(p.a.send(data) == tcpfsm::user_error::none);
    REQUIRE(p.a.close() == tcpfsm::user_error::none);
    p.net.run_until(p.net.now() + delay + delay / 2);  // as above: before any retransmission
    CHECK(p.b.received().empty());
    CHECK(p.b.st() == state::established);  // the FIN is held, not taken
    CHECK(p.b.engine().reassembly().fin_held());
    p.net.run_until(p.net.now() + 10000);
    CHECK(p.b.received() == data);
    CHECK(p.b.st() == state::close_wait);
    CHECK(p.net.sent_by(p.a, pattern::data).size() == 4u);  // 3 and the first again
    INFO(p.net.trace_text());
    CHECK(p.net.violations().empty());
}
