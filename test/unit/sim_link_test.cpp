// The simulator's link model (sim_link.hpp): the rate and the drop-tail queue, Gilbert-Elliott
// burst loss, random loss, delay and jitter. Expected values are computed here from the
// definitions (octets * 8 / rate, p / (p + r), 1 / r), not taken from the model.
#include <tcpfsm/sim_link.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

using tcpfsm::sim::link_drop;
using tcpfsm::sim::link_model;
using tcpfsm::sim::link_time;
using tcpfsm::sim::link_model_config;
using tcpfsm::sim::rng;

TEST_CASE("sim_link: the bandwidth-delay product and the serialization time", "[sim_link]") {
    // 100 Mbit/s * 20 ms = 2,000,000 bit = 250,000 octets.
    CHECK(tcpfsm::sim::bdp_octets(100000000u, 20000u) == 250000u);
    // 100 Mbit/s * 2 ms = 25,000 octets; 10 Mbit/s * 100 ms = 125,000 octets.
    CHECK(tcpfsm::sim::bdp_octets(100000000u, 2000u) == 25000u);
    CHECK(tcpfsm::sim::bdp_octets(10000000u, 100000u) == 125000u);
    // 1500 octets = 12,000 bit at 100 Mbit/s: 120 us.
    CHECK(tcpfsm::sim::serialization_ns(1500, 100000000u) == 120000);
    // 1 octet at 3 bit/s: 8/3 s, rounded up to the nanosecond.
    CHECK(tcpfsm::sim::serialization_ns(1, 3u) == 2666666667);
    CHECK(tcpfsm::sim::serialization_ns(1500, 0u) == 0);
}

TEST_CASE("sim_link: packets leave the bottleneck one serialization time apart", "[sim_link]") {
    link_model_config c;
    c.rate_bps = 100000000u;  // 100 Mbit/s: 1500 octets in 120 us, 40 octets in 3.2 us
    c.delay_us = 5000;
    link_model link(c);
    rng random(1);
    for (int i = 1; i <= 5; ++i) {
        const auto a = link.admit(1500, 0, random);
        REQUIRE(a.drop == link_drop::none);
        CHECK(a.departs_us == 120 * i);
        CHECK(link.arrival(a.departs_us, random) == 120 * i + 5000);
    }
    // An ACK behind them leaves after 600 us + 3.2 us, rounded up to 604 us.
    CHECK(link.admit(40, 0, random).departs_us == 604);
    // The queue is idle again by 604 us: a packet offered at 1000 us leaves at 1120 us.
    CHECK(link.queued_packets(1000) == 0);
    CHECK(link.admit(1500, 1000, random).departs_us == 1120);
}

TEST_CASE("sim_link: the drop-tail queue, in packets and in octets", "[sim_link]") {
    rng random(2);
    SECTION("packets") {
        link_model_config c;
        c.rate_bps = 100000000u;
        c.queue_packets = 3;
        link_model link(c);
        for (int i = 0; i < 3; ++i) CHECK(link.admit(1500, 0, random).drop == link_drop::none);
        CHECK(link.admit(1500, 0, random).drop == link_drop::queue_full);
        CHECK(link.queued_packets(119) == 3);
        // The first has left at 120 us: room for one more, which leaves after the other two.
        const auto a = link.admit(1500, 120, random);
        CHECK(a.drop == link_drop::none);
        CHECK(a.departs_us == 480);
        CHECK(link.admit(1500, 120, random).drop == link_drop::queue_full);
        CHECK(link.counters().queue_drops == 2);
        CHECK(link.counters().max_queue_packets == 3);
    }
    SECTION("octets") {
        link_model_config c;
        c.rate_bps = 100000000u;
        c.queue_octets = 4000;  // two 1500-octet packets and one of 1000, not a third 1500
        link_model link(c);
        CHECK(link.admit(1500, 0, random).drop == link_drop::none);
        CHECK(link.admit(1500, 0, random).drop == link_drop::none);
        CHECK(link.admit(1500, 0, random).drop == link_drop::queue_full);
        CHECK(link.admit(1000, 0, random).drop == link_drop::none);
        CHECK(link.queued_octets(0) == 4000);
        CHECK(link.admit(1, 0, random).drop == link_drop::queue_full);
        CHECK(link.counters().max_queue_octets == 4000);
    }
}

TEST_CASE("sim_link: Gilbert-Elliott loss has rate p/(p+r) and mean burst 1/r", "[sim_link]") {
    link_model_config c;
    c.burst.p = 0.01;
    c.burst.r = 0.25;
    c.burst.loss_good = 0.0;
    c.burst.loss_bad = 1.0;
    link_model link(c);
    rng random(3);
    const double p = 0.01, r = 0.25;
    const double expected_rate = p / (p + r);  // 0.0385
    const double expected_burst = 1.0 / r;     // 4 packets
    CHECK(c.burst.mean_loss() == Approx(expected_rate));
    CHECK(c.burst.mean_bad_run() == Approx(expected_burst));

    const int packets = 1000000;
    int lost = 0, bursts = 0;
    bool previous_lost = false;
    for (int i = 0; i < packets; ++i) {
        const bool gone = link.admit(1000, i, random).drop == link_drop::burst_loss;
        lost += gone ? 1 : 0;
        bursts += gone && !previous_lost ? 1 : 0;
        previous_lost = gone;
    }
    const double rate = static_cast<double>(lost) / packets;
    const double burst = static_cast<double>(lost) / bursts;
    // About 9,600 bursts: the sample mean is within a few percent of the chain's.
    CHECK(rate == Approx(expected_rate).epsilon(0.05));
    CHECK(burst == Approx(expected_burst).epsilon(0.05));
    CHECK(link.counters().burst_losses == static_cast<std::uint64_t>(lost));
}

TEST_CASE("sim_link: random loss, delay and jitter", "[sim_link]") {
    link_model_config c;
    c.loss = 0.03;
    c.delay_us = 10000;
    c.jitter_us = 250;
    link_model link(c);
    rng random(4);
    const int packets = 200000;
    int lost = 0;
    link_time lo = 1 << 30, hi = 0;
    for (int i = 0; i < packets; ++i) {
        const auto a = link.admit(100, 0, random);
        if (a.drop == link_drop::random_loss) {
            ++lost;
            continue;
        }
        REQUIRE(a.drop == link_drop::none);
        CHECK(a.departs_us == 0);  // no bottleneck: it leaves when offered
        const link_time at = link.arrival(a.departs_us, random);
        lo = at < lo ? at : lo;
        hi = at > hi ? at : hi;
    }
    // Binomial(200000, 0.03): standard deviation 76 packets, 1.3% of the mean.
    CHECK(static_cast<double>(lost) / packets == Approx(0.03).epsilon(0.05));
    CHECK(lo == 10000);
    CHECK(hi == 10250);
}

TEST_CASE("sim_link: reordering holds a copy back by 1..reorder_us", "[sim_link]") {
    link_model_config c;
    c.delay_us = 1000;
    c.reorder = 1.0;
    c.reorder_us = 500;
    link_model link(c);
    rng random(5);
    for (int i = 0; i < 1000; ++i) {
        const link_time at = link.arrival(0, random);
        CHECK(at >= 1001);
        CHECK(at <= 1500);
    }
    CHECK(link.counters().reordered == 1000);
}

TEST_CASE("sim_link: name(link_drop) is the identifier, \"invalid\" past the count", "[sim_link][names]") {
    CHECK(std::string(tcpfsm::sim::name(link_drop::none)) == "none");
    CHECK(std::string(tcpfsm::sim::name(link_drop::random_loss)) == "random_loss");
    CHECK(std::string(tcpfsm::sim::name(link_drop::burst_loss)) == "burst_loss");
    CHECK(std::string(tcpfsm::sim::name(link_drop::queue_full)) == "queue_full");
    CHECK(tcpfsm::sim::link_drop_count == 4);
    CHECK(std::string(tcpfsm::sim::name(static_cast<link_drop>(tcpfsm::sim::link_drop_count))) == "invalid");
}
