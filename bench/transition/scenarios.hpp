// tcpfsm benchmarks: the event streams of the bare-transition scenarios, and the interface
// every implementation of the machine (tcpfsm's dispatch policies, hand-written code,
// Boost.MSM, Boost.Statechart) offers to them.
//
// The machine is the whole standard table as `next(state, event)` sees it: 11 states x 36
// events = 396 cells, of which 68 change the state. Every peer is checked against
// tcpfsm::next on every cell and on every scenario before anything is timed.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_SCENARIOS_HPP
#define TCPFSM_BENCH_SCENARIOS_HPP

#include <tcpfsm/tcpfsm.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tcpfsm_bench {

using tcpfsm::event;
using tcpfsm::state;

// One pass of a scenario: event i goes to connection i % connections (a power of two).
// Every connection is CLOSED before the pass and after it, so passes repeat exactly.
struct scenario {
    std::string name;
    std::size_t connections = 1;
    std::vector<event> events;
};

// The events a connection can meet in state `s`: those with a row of their own (not a
// wildcard row) in the standard table.
std::vector<event> valid_events(state s);

// Predictable: one connection runs the client's open..close cycle `cycles` times:
// active OPEN, SYN,ACK, SEND, ACK, data, RECEIVE, CLOSE, ACK of FIN, FIN, 2MSL (10 events).
scenario lifecycle_loop(std::size_t cycles);

// Unpredictable: one connection, `steps` events, each drawn uniformly from the valid events
// of the state it is in (seeded), the last one ABORT (back to CLOSED).
scenario random_walk(std::size_t steps, std::uint64_t seed);

// `connections` connections, each on its own random walk of `steps_each` events (the last
// ABORT), interleaved round robin: event i belongs to connection i % connections.
scenario interleaved_walks(std::size_t connections, std::size_t steps_each, std::uint64_t seed);

// A shortest sequence of events from CLOSED to `s` (for the cell-by-cell check).
std::vector<event> path_from_closed(state s);

// One implementation of the machine, holding the state of `connections` connections.
class peer {
public:
    virtual ~peer() = default;
    // Every connection CLOSED.
    virtual void reset(std::size_t connections) = 0;
    // Event i of [events, events + n) to connection i % connections. The timed loop.
    virtual void run(const event* events, std::size_t n) noexcept = 0;
    virtual state state_of(std::size_t connection) const = 0;
};

// The peers (each in its own translation unit, with its loop inlined there).
std::unique_ptr<peer> make_tcpfsm_table_lookup();
std::unique_ptr<peer> make_tcpfsm_branch();
std::unique_ptr<peer> make_hand_switch();
std::unique_ptr<peer> make_hand_table();
std::unique_ptr<peer> make_boost_msm();
std::unique_ptr<peer> make_boost_statechart();

// The loop of the peers whose state is one byte per connection: `Machine::next(s, e)`.
template <class Machine>
class byte_state_peer final : public peer {
public:
    void reset(std::size_t connections) override { states_.assign(connections, state::closed); }

    void run(const event* events, std::size_t n) noexcept override {
        if (states_.size() == 1) {
            // One connection: a chain, each transition waits for the one before it.
            state s = states_[0];
            for (std::size_t i = 0; i < n; ++i) s = Machine::next(s, events[i]);
            states_[0] = s;
        } else {
            // Round robin over the connections: independent chains.
            state* const st = states_.data();
            const std::size_t mask = states_.size() - 1;
            for (std::size_t i = 0; i < n; ++i) {
                state& s = st[i & mask];
                s = Machine::next(s, events[i]);
            }
        }
    }

    state state_of(std::size_t connection) const override { return states_[connection]; }

private:
    std::vector<state> states_;
};

}  // namespace tcpfsm_bench

#endif  // TCPFSM_BENCH_SCENARIOS_HPP
