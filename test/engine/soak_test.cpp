// The soak: many connection pairs through the simulator, each over links that lose,
// duplicate and reorder 10% of the segments, each with data both ways. Every pair must end
// with both sides CLOSED and every octet delivered exactly once and in order; after every
// step of every pair the simulator checks its invariants (SND.UNA =< SND.NXT, the send
// buffer is exactly the octets from SND.UNA to the end of the queued data, what the user
// holds is what the engine counts, every state change is the table's row for its event, the
// text of a segment is where text_offset says).
//
// Pairs: TCPFSM_SOAK_PAIRS if set, else 100000, or 2000 in a sanitizer build (ASan+UBSan
// make each pair about ten times slower). TCPFSM_SOAK_SEED moves the whole run to other
// seeds; TCPFSM_SOAK_IMPAIRMENT sets the loss, duplication and reordering percentage (10).
// Each pair is its own small network, so memory stays flat.
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define TCPFSM_SOAK_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define TCPFSM_SOAK_SANITIZED 1
#endif
#endif
#ifndef TCPFSM_SOAK_SANITIZED
#define TCPFSM_SOAK_SANITIZED 0
#endif

namespace {

using tcpfsm::state;
namespace sim = tcpfsm::sim;
using sim::sim_time;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    return std::strtoull(v, nullptr, 0);
}

struct pair_result {
    bool ok = true;
    std::string why;
    std::string trace;
    std::uint64_t steps = 0;
    sim_time duration = 0;
    bool simultaneous = false;
};

// One pair: A opens (and sends) at once, B listens and sends once ESTABLISHED; each closes
// a random time after it is ESTABLISHED. The pair's own generator picks the links, the
// configuration and the data; the network's generator (same seed) rolls the links' dice.
pair_result run_pair(std::uint64_t seed, bool trace) {
    // Loss, duplication and reordering probability, percent (TCPFSM_SOAK_IMPAIRMENT to explore).
    static const double impairment = static_cast<double>(env_or("TCPFSM_SOAK_IMPAIRMENT", 10)) / 100.0;
    pair_result out;
    sim::rng pick(seed ^ 0x5EED5EED5EED5EEDull);

    sim::network_config nc;
    nc.seed = seed;
    nc.start_ms = pick.between(0, sim_time{1} << 33);  // anywhere on the 2^32 ms tick circle
    nc.trace = trace;
    nc.record_wire = false;
    nc.check_invariants = true;

    tcpfsm::connection_config ca, cb;
    for (tcpfsm::connection_config* c : {&ca, &cb}) {
        // The peer may stay half-open for long when its segments keep getting lost; an
        // orphan FIN-WAIT-2 timeout (Linux's, not the RFC's) could then legitimately drop
        // data that is still coming, so the soak waits for the FIN as RFC 9293 does.
        c->timers.fin_wait_2_timeout = false;
        c->nagle = pick.chance(0.75);
        c->timers.delayed_ack = pick.chance(0.5);
        if (pick.chance(0.25)) c->receive_buffer = static_cast<std::uint32_t>(pick.between(1000, 8000));
        if (pick.chance(0.25)) c->mss = static_cast<std::uint16_t>(pick.between(100, 1460));
    }

    sim::network net(nc);
    sim::endpoint& a = net.add("A", ca);
    sim::endpoint& b = net.add("B", cb);
    net.connect(a, b);
    // One pair in eight starts both sequence spaces just below 2^32.
    if (pick.chance(0.125)) {
        a.set_fixed_iss(0xFFFFFFFFu - static_cast<std::uint32_t>(pick.between(0, 3000)));
        b.set_fixed_iss(0xFFFFFFFFu - static_cast<std::uint32_t>(pick.between(0, 3000)));
    }
    for (int dir = 0; dir < 2; ++dir) {
        sim::link_config l;
        l.delay_ms = pick.between(1, 100);
        l.jitter_ms = pick.between(0, 30);
        l.loss = impairment;
        l.duplicate = impairment;
        l.reorder = impairment;
        l.reorder_ms = pick.between(1, 200);
        if (dir == 0) net.set_link(a, b, l);
        else net.set_link(b, a, l);
    }

    const std::vector<std::uint8_t> a_data = pick.bytes(static_cast<std::size_t>(pick.between(200, 4000)));
    const std::vector<std::uint8_t> b_data = pick.bytes(static_cast<std::size_t>(pick.between(200, 4000)));
    const sim_time a_close_after = pick.between(0, 3000);
    const sim_time b_close_after = pick.between(0, 3000);
    out.simultaneous = pick.chance(1.0 / 16);

    bool a_close_scheduled = false, b_close_scheduled = false, b_sent = false;
    const auto fail = [&out, &net](const std::string& why) {
        if (out.ok) {
            out.ok = false;
            out.why = why + " at " + std::to_string(net.now()) + " ms";
        }
    };
    // ESTABLISHED, or already past it in the same step (a segment may carry the ACK of the
    // SYN and a FIN: SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT at once).
    const auto open_for_user = [](state s) { return s == state::established || s == state::close_wait; };
    net.on_step([&] {
        if (!a_close_scheduled && open_for_user(a.st())) {
            a_close_scheduled = true;
            net.schedule(net.now() + a_close_after, [&] {
                if (a.close() != tcpfsm::user_error::none) fail("A: close failed");
            }, "A closes");
        }
        if (!b_close_scheduled && open_for_user(b.st())) {
            b_close_scheduled = true;
            if (!b_sent) {
                b_sent = true;
                if (b.send(b_data) != tcpfsm::user_error::none) fail("B: send failed");
            }
            net.schedule(net.now() + b_close_after, [&] {
                if (b.close() != tcpfsm::user_error::none) fail("B: close failed");
            }, "B closes");
        }
    });

    const sim_time start = net.now();
    if (out.simultaneous) {
        a.open_active();
        b.open_active();
        b_sent = true;
        if (b.send(b_data) != tcpfsm::user_error::none) fail("B: send in SYN-SENT failed");
    } else {
        b.open_passive();
        a.open_active();
    }
    if (a.send(a_data) != tcpfsm::user_error::none) fail("A: send in SYN-SENT failed");

    const bool idle = net.run_until_idle(24LL * 3600 * 1000);
    out.steps = net.steps();
    out.duration = net.now() - start;
    if (!idle) fail("not idle after a day");
    if (a.st() != state::closed) fail(std::string("A ends in ") + tcpfsm::rfc_name(a.st()));
    if (b.st() != state::closed) fail(std::string("B ends in ") + tcpfsm::rfc_name(b.st()));
    if (b.received() != a_data) {
        fail("B received " + std::to_string(b.received().size()) + " octets of A's " + std::to_string(a_data.size()) +
             (b.received().size() == a_data.size() ? " (different)" : ""));
    }
    if (a.received() != b_data) {
        fail("A received " + std::to_string(a.received().size()) + " octets of B's " + std::to_string(b_data.size()) +
             (a.received().size() == b_data.size() ? " (different)" : ""));
    }
    if (!net.violations().empty()) fail("invariant: " + net.violations().front());
    if (trace) out.trace = net.trace_text();
    return out;
}

}  // namespace

TEST_CASE("soak: connection pairs with 10% loss, duplication and reordering, data both ways", "[soak]") {
    const std::uint64_t pairs = env_or("TCPFSM_SOAK_PAIRS", TCPFSM_SOAK_SANITIZED ? 2000 : 100000);
    const std::uint64_t base = env_or("TCPFSM_SOAK_SEED", 0x7C9F5A11u);
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t failures = 0, steps = 0, simultaneous = 0;
    sim_time longest = 0;
    std::vector<std::uint64_t> failed_seeds;
    for (std::uint64_t i = 0; i < pairs; ++i) {
        std::uint64_t s = (base << 32) ^ i;
        const std::uint64_t seed = sim::splitmix64(s);
        const pair_result r = run_pair(seed, false);
        steps += r.steps;
        simultaneous += r.simultaneous ? 1u : 0u;
        if (r.duration > longest) longest = r.duration;
        if (!r.ok) {
            ++failures;
            if (failed_seeds.size() < 3) {
                failed_seeds.push_back(seed);
                const pair_result again = run_pair(seed, true);
                std::ostringstream why;
                why << "pair " << i << " (seed 0x" << std::hex << seed << std::dec << "): " << r.why;
                INFO(why.str());
                INFO(again.trace);
                CHECK(r.ok);
            }
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::ostringstream summary;
    summary << pairs << " pairs (" << simultaneous << " simultaneous opens), " << steps << " steps, "
            << failures << " failed, longest " << longest / 1000 << " s simulated, " << seconds << " s";
    WARN(summary.str());
    CHECK(failures == 0);
}

TEST_CASE("soak: the same seed gives the same pair", "[soak]") {
    const pair_result one = run_pair(12345, true);
    const pair_result two = run_pair(12345, true);
    CHECK(one.ok);
    CHECK(one.trace == two.trace);
    CHECK(one.steps == two.steps);
}
