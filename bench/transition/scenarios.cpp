// tcpfsm benchmarks: the event streams of the bare-transition scenarios.
// SPDX-License-Identifier: MIT
#include "scenarios.hpp"

#include <array>
#include <stdexcept>

namespace tcpfsm_bench {

namespace {

// SplitMix64: the same stream on every platform and standard library (std::
// uniform_int_distribution is not).
struct splitmix64 {
    std::uint64_t x;
    std::uint64_t operator()() noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>((*this)() % n); }
};

std::vector<event> walk(std::size_t steps, splitmix64& rng) {
    std::array<std::vector<event>, tcpfsm::state_count> valid;
    for (std::size_t s = 0; s < tcpfsm::state_count; ++s) valid[s] = valid_events(static_cast<state>(s));
    std::vector<event> events;
    events.reserve(steps);
    state s = state::closed;
    for (std::size_t i = 0; i + 1 < steps; ++i) {
        const std::vector<event>& choices = valid[tcpfsm::index_of(s)];
        const event e = choices[rng.below(choices.size())];
        events.push_back(e);
        s = tcpfsm::next(s, e);
    }
    events.push_back(event::abort);  // every state but CLOSED goes to CLOSED; CLOSED stays
    return events;
}

bool is_power_of_two(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

std::vector<event> valid_events(state s) {
    std::vector<event> out;
    for (std::size_t e = 0; e < tcpfsm::event_count; ++e) {
        const event ev = static_cast<event>(e);
        if (tcpfsm::step(s, ev).on == ev) out.push_back(ev);
    }
    return out;
}

scenario lifecycle_loop(std::size_t cycles) {
    static constexpr event cycle[] = {
        event::open_active,     // CLOSED -> SYN-SENT
        event::rcv_syn_ack,     // -> ESTABLISHED
        event::send,            //
        event::rcv_ack,         //
        event::rcv_data,        //
        event::receive,         //
        event::close,           // -> FIN-WAIT-1
        event::rcv_ack_of_fin,  // -> FIN-WAIT-2
        event::rcv_fin,         // -> TIME-WAIT
        event::timeout_time_wait,  // -> CLOSED
    };
    scenario sc;
    sc.name = "lifecycle_loop";
    sc.connections = 1;
    sc.events.reserve(cycles * (sizeof cycle / sizeof cycle[0]));
    for (std::size_t c = 0; c < cycles; ++c)
        for (event e : cycle) sc.events.push_back(e);
    return sc;
}

scenario random_walk(std::size_t steps, std::uint64_t seed) {
    splitmix64 rng{seed};
    scenario sc;
    sc.name = "random_walk";
    sc.connections = 1;
    sc.events = walk(steps, rng);
    return sc;
}

scenario interleaved_walks(std::size_t connections, std::size_t steps_each, std::uint64_t seed) {
    if (!is_power_of_two(connections)) throw std::invalid_argument("interleaved_walks: connections must be a power of two");
    splitmix64 rng{seed};
    std::vector<std::vector<event>> walks;
    for (std::size_t c = 0; c < connections; ++c) walks.push_back(walk(steps_each, rng));
    scenario sc;
    sc.name = "interleaved_" + std::to_string(connections);
    sc.connections = connections;
    sc.events.reserve(connections * steps_each);
    for (std::size_t i = 0; i < steps_each; ++i)
        for (std::size_t c = 0; c < connections; ++c) sc.events.push_back(walks[c][i]);
    return sc;
}

std::vector<event> path_from_closed(state target) {
    // Breadth first over the standard table.
    std::array<bool, tcpfsm::state_count> seen{};
    std::array<std::vector<event>, tcpfsm::state_count> path;
    std::vector<state> queue{state::closed};
    seen[0] = true;
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const state s = queue[head];
        if (s == target) return path[tcpfsm::index_of(s)];
        for (std::size_t e = 0; e < tcpfsm::event_count; ++e) {
            const state t = tcpfsm::next(s, static_cast<event>(e));
            if (seen[tcpfsm::index_of(t)]) continue;
            seen[tcpfsm::index_of(t)] = true;
            path[tcpfsm::index_of(t)] = path[tcpfsm::index_of(s)];
            path[tcpfsm::index_of(t)].push_back(static_cast<event>(e));
            queue.push_back(t);
        }
    }
    throw std::logic_error("path_from_closed: state not reachable");
}

}  // namespace tcpfsm_bench
