// The simulator's bottleneck and burst loss (link_config::rate_bps, queue_packets, burst;
// the model is sim_link.hpp's): segments leave a bottleneck one serialization time apart
// (octets * 8 / rate), a full drop-tail queue loses them, a Gilbert-Elliott chain in its bad
// state loses them. Expected times come from that arithmetic here, not from a run.
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace {

namespace sim = tcpfsm::sim;
using sim::sim_time;

constexpr std::uint64_t rate = 100000000;  // 100 Mbit/s
// A full segment's text: the MSS (1460) less the 12 octets of the timestamps option both
// sides negotiate by default (RFC 6691, RFC 7323 §3.2).
constexpr std::uint32_t mss = 1460 - 12;
// One full segment on the wire: 20 octets of IPv4, 20 of TCP, 12 of TSopt, 1448 of text.
constexpr sim_time segment_us = static_cast<sim_time>((52 + mss) * 8 * 1000000ull / rate);  // 120 us

struct pair_over_bottleneck {
    sim::network net;
    sim::endpoint& a;
    sim::endpoint& b;
    explicit pair_over_bottleneck(const sim::link_config& forward)
        : net(sim::network_config{}), a(net.add("A")), b(net.add("B")) {
        net.connect(a, b);
        net.set_link(a, b, forward);
        b.open_passive();
        a.open_active();
        REQUIRE(net.run_until([&] { return a.st() == tcpfsm::state::established && b.st() == tcpfsm::state::established; },
                              10000));
        net.run_for(1000);  // nothing left on the wire, the queue empty
    }
};

}  // namespace

TEST_CASE("simulator: a bottleneck spaces segments by their serialization time", "[simulator][bottleneck]") {
    sim::link_config l;
    l.delay_ms = 10;
    l.rate_bps = rate;
    pair_over_bottleneck p(l);
    // Arrival time of each octet count at B, in microseconds.
    std::vector<sim_time> arrivals;
    std::size_t seen = 0;
    p.net.on_step([&] {
        if (p.b.received().size() > seen) {
            seen = p.b.received().size();
            arrivals.push_back(p.net.now_us());
        }
    });
    const sim_time sent_us = p.net.now_us();
    REQUIRE(p.a.send(std::vector<std::uint8_t>(3 * mss, 7)) == tcpfsm::user_error::none);
    p.net.run_for(100);
    REQUIRE(p.b.received().size() == 3 * mss);
    REQUIRE(arrivals.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        // The i-th segment's last bit leaves after (i + 1) serialization times, then 10 ms.
        CHECK(arrivals[i] == sent_us + static_cast<sim_time>(i + 1) * segment_us + 10 * 1000);
    }
    CHECK(p.net.violations().empty());
}

TEST_CASE("simulator: a full drop-tail queue loses segments", "[simulator][bottleneck]") {
    sim::link_config l;
    l.delay_ms = 10;
    l.rate_bps = rate;
    l.queue_packets = 2;
    pair_over_bottleneck p(l);
    const std::size_t before = p.net.wire().size();
    REQUIRE(p.a.send(std::vector<std::uint8_t>(5 * mss, 7)) == tcpfsm::user_error::none);
    // Five segments at one instant into a queue of two: the first two get through.
    std::size_t lost = 0, delivered = 0;
    for (std::size_t i = before; i < p.net.wire().size(); ++i) {
        const sim::wire_record& r = p.net.wire()[i];
        if (r.from != p.a.index() || r.header.text_length == 0) continue;
        lost += r.outcome == sim::fate::lost ? 1u : 0u;
        delivered += r.outcome == sim::fate::delivered ? 1u : 0u;
    }
    CHECK(delivered == 2);
    CHECK(lost == 3);
}

TEST_CASE("simulator: Gilbert-Elliott burst loss in its bad state loses every segment", "[simulator][bottleneck]") {
    sim::network net;
    auto& a = net.add("A");
    auto& b = net.add("B");
    net.connect(a, b);
    sim::link_config l;
    l.burst.p = 1.0;  // good -> bad at the first segment
    l.burst.r = 0.0;  // and never back
    net.set_link(a, b, l);
    b.open_passive();
    a.open_active();
    net.run_for(5000);
    REQUIRE(!net.wire().empty());
    std::size_t from_a = 0;
    for (const sim::wire_record& r : net.wire()) {
        if (r.from != a.index()) continue;
        ++from_a;
        CHECK(r.outcome == sim::fate::lost);
    }
    CHECK(from_a >= 2);  // the SYN and at least one retransmission (RTO 1 s)
    CHECK(b.st() == tcpfsm::state::listen);
}
