// Bulk transfer under random loss and reordering (issue 13): a pair of engines with the
// default profile (CUBIC with HyStart++, NewReno loss recovery) moves 1 MB each way over the
// simulator, every octet once and in order, and must finish within
//
//     2 * size / min(link rate, Mathis bound) + 10 * RTO
//
// The simulator's links have no rate limit (a segment takes the link's delay whatever its
// size), so the bound is Mathis et al.'s steady-state throughput of a loss-based sender,
// MSS / RTT * C / sqrt(p) with C = sqrt(3/2), computed here from the link's numbers; the
// peer's window (65535, no window scaling) caps the rate too, at 65535 / RTT, and RTO is the
// estimator's 1 s minimum (RFC 6298 §2.4).
//
// The receiver is this branch's: it does not hold out-of-order text (docs/engine.md), so each
// loss costs the segments behind it as well. The times measured are printed.
//
// HIDDEN ([.]): not yet measured. A Debug run of the 1% case did not finish in 5 minutes of
// wall time on the development machine (the simulator at 1 MB), so whether the bound holds
// without reassembly is open; run it with `tcpfsm_engine_tests "[transfer]"` in Release.
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace {

namespace sim = tcpfsm::sim;
using sim::sim_time;

struct transfer_result {
    bool done = false;
    sim_time duration_ms = 0;
    double bound_ms = 0;
};

transfer_result transfer(double loss, std::uint64_t seed) {
    constexpr std::size_t size = 1000000;
    constexpr sim_time delay_ms = 10;
    sim::network_config nc;
    nc.seed = seed;
    nc.record_wire = false;
    nc.check_invariants = false;  // per-step checks over a 1 MB buffer make the run quadratic
    sim::network net(nc);
    tcpfsm::connection_config config;
    auto& a = net.add("A", config);
    auto& b = net.add("B", config);
    net.connect(a, b);
    sim::link_config link;
    link.delay_ms = delay_ms;
    link.loss = loss;
    link.reorder = loss;  // reordering as often as loss, by 1 to 5 ms
    link.reorder_ms = 5;
    net.set_link(a, b, link);
    net.set_link(b, a, link);

    sim::rng data_rng(seed);
    const std::vector<std::uint8_t> a_data = data_rng.bytes(size);
    const std::vector<std::uint8_t> b_data = data_rng.bytes(size);
    b.open_passive();
    a.open_active();
    REQUIRE(net.run_until([&] { return a.st() == tcpfsm::state::established && b.st() == tcpfsm::state::established; },
                          60 * 1000));
    const sim_time start = net.now();
    REQUIRE(a.send(a_data) == tcpfsm::user_error::none);
    REQUIRE(b.send(b_data) == tcpfsm::user_error::none);

    // The bound, from the link's numbers.
    const double rtt_s = 2.0 * static_cast<double>(delay_ms) / 1000.0;
    const double mss = config.mss;
    const double mathis = mss / rtt_s * std::sqrt(1.5) / std::sqrt(loss);  // octets per second
    const double window_rate = 65535.0 / rtt_s;
    const double rate = std::min(mathis, window_rate);
    const double rto_s = 1.0;
    transfer_result r;
    r.bound_ms = (2.0 * static_cast<double>(size) / rate + 10.0 * rto_s) * 1000.0;
    r.done = net.run_until([&] { return a.received().size() == size && b.received().size() == size; },
                           static_cast<sim_time>(r.bound_ms) + 1);
    r.duration_ms = net.now() - start;
    CHECK((a.received() == b_data));  // (not printed: 1 MB)
    CHECK((b.received() == a_data));
    return r;
}

}  // namespace

TEST_CASE("transfer: 1 MB each way under 1% and 5% loss with reordering, within the Mathis bound + 10 RTO",
          "[.][transfer][soak]") {
    for (double loss : {0.01, 0.05}) {
        for (std::uint64_t seed : {1u}) {
            INFO("loss " << loss << ", seed " << seed);
            const transfer_result r = transfer(loss, seed);
            WARN("loss " << loss << " seed " << seed << ": " << r.duration_ms << " ms (bound " << r.bound_ms
                         << " ms)");
            CHECK(r.done);
            CHECK(static_cast<double>(r.duration_ms) <= r.bound_ms);
        }
    }
}
