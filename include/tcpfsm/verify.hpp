// tcpfsm: compile-time verification of any transition table.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_VERIFY_HPP
#define TCPFSM_VERIFY_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "transition.hpp"

namespace tcpfsm {

// The rules a table must keep. Each check_* function below tests one of them.
enum class rule : std::uint8_t {
    none = 0,       // no rule broken
    well_formed,    // every row names valid states, an event or wildcard, known actions and error
    deterministic,  // no two rows for one (state, event), wildcards included
    total,          // every (state, event) has a row, or its state an "any other" row for it
    reachable,      // every state is reachable from CLOSED
    co_reachable,   // CLOSED is reachable from every state
    no_leaks,       // every transient state reaches a rest state through timeouts alone
    diagram_edges,  // the 21 edges of RFC 9293 Figure 5, each with its event and actions
};

constexpr const char* name(rule r) noexcept {
    constexpr const char* names[] = {"none",        "well_formed", "deterministic",
                                     "total",       "reachable",   "co_reachable",
                                     "no_leaks",    "diagram_edges"};
    return static_cast<std::size_t>(r) < sizeof(names) / sizeof(names[0])
               ? names[static_cast<std::size_t>(r)]
               : "invalid";
}

inline constexpr std::size_t no_row = static_cast<std::size_t>(-1);

// The outcome of a check: which rule broke, and where (row number, state, event).
struct verdict {
    rule broken = rule::none;
    std::size_t row = no_row;
    state where = state::closed;
    event on = any_event;

    constexpr bool ok() const noexcept { return broken == rule::none; }
};

// An edge of RFC 9293 Figure 5 (plus FIN-WAIT-1 -> TIME-WAIT on FIN+ACK): the row for
// (from, on) must lead to `to` and include `actions`.
struct diagram_edge {
    state from;
    event on;
    state to;
    action_set actions;
};

inline constexpr std::array<diagram_edge, 21> figure5_edges{{
    {state::closed, event::open_passive, state::listen, action::none},                 // create TCB
    {state::closed, event::open_active, state::syn_sent, action::send_syn},            // create TCB, snd SYN
    {state::listen, event::close, state::closed, action::delete_tcb},                  // delete TCB
    {state::listen, event::rcv_syn, state::syn_received, action::send_syn_ack},        // snd SYN,ACK
    {state::listen, event::send, state::syn_sent, action::send_syn},                   // snd SYN
    {state::syn_sent, event::close, state::closed, action::delete_tcb},                // delete TCB
    {state::syn_sent, event::rcv_syn, state::syn_received, action::send_syn_ack},      // snd SYN,ACK
    {state::syn_sent, event::rcv_syn_ack, state::established, action::send_ack},       // snd ACK
    {state::syn_received, event::rcv_rst_passive, state::listen, action::none},        // note 1: passive OPEN
    {state::syn_received, event::rcv_ack_of_syn_passive, state::established, action::none},  // x
    {state::syn_received, event::close, state::fin_wait_1, action::send_fin},          // snd FIN
    {state::established, event::close, state::fin_wait_1, action::send_fin},           // snd FIN
    {state::established, event::rcv_fin, state::close_wait, action::send_ack},         // snd ACK
    {state::fin_wait_1, event::rcv_ack_of_fin, state::fin_wait_2, action::none},       // x
    {state::fin_wait_1, event::rcv_fin, state::closing, action::send_ack},             // snd ACK
    {state::fin_wait_1, event::rcv_fin_ack_of_fin, state::time_wait, action::send_ack},  // snd ACK
    {state::fin_wait_2, event::rcv_fin, state::time_wait, action::send_ack},           // snd ACK
    {state::closing, event::rcv_ack_of_fin, state::time_wait, action::none},           // x
    {state::close_wait, event::close, state::last_ack, action::send_fin},              // snd FIN
    {state::last_ack, event::rcv_ack_of_fin, state::closed, action::none},             // x
    {state::time_wait, event::timeout_time_wait, state::closed, action::delete_tcb},   // delete TCB
}};

namespace detail {

inline constexpr std::uint32_t all_action_bits = (1u << action_count) - 1u;

constexpr bool row_is_well_formed(const transition& r) noexcept {
    return is_valid(r.from) && is_valid(r.to) && (is_valid(r.on) || is_wildcard(r.on)) &&
           (r.actions.bits & ~all_action_bits) == 0 &&
           static_cast<std::size_t>(r.error) < user_error_count;
}

template <std::size_t N>
constexpr bool table_is_well_formed(const transition_table<N>& t) noexcept {
    for (const auto& r : t)
        if (!row_is_well_formed(r)) return false;
    return true;
}

// Index of a trigger among the 40 exact-or-wildcard triggers.
constexpr std::size_t trigger_slot(event trigger) noexcept {
    return is_wildcard(trigger) ? event_count + (static_cast<std::size_t>(trigger) - 0xF0u)
                                : index_of(trigger);
}
inline constexpr std::size_t trigger_slots = event_count + 4;

// successors[s]: bit set of states one row leads to from s; only rows accepted by `use`.
template <std::size_t N, class Use>
constexpr std::array<std::uint16_t, state_count> successors(const transition_table<N>& t, Use use) noexcept {
    std::array<std::uint16_t, state_count> succ{};
    for (const auto& r : t)
        if (use(r)) succ[index_of(r.from)] = static_cast<std::uint16_t>(succ[index_of(r.from)] | (1u << index_of(r.to)));
    return succ;
}

// States reachable from `start` (inclusive) along `succ`.
constexpr std::uint16_t closure(const std::array<std::uint16_t, state_count>& succ, std::uint16_t start) noexcept {
    std::uint16_t seen = start;
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t s = 0; s < state_count; ++s) {
            if (((seen >> s) & 1u) == 0) continue;
            const auto more = static_cast<std::uint16_t>(seen | succ[s]);
            if (more != seen) { seen = more; grew = true; }
        }
    }
    return seen;
}

struct any_row {
    constexpr bool operator()(const transition&) const noexcept { return true; }
};
struct timeout_row {
    constexpr bool operator()(const transition& r) const noexcept {
        return is_timeout(r.on) || r.on == any_timeout;
    }
};

}  // namespace detail

template <std::size_t N>
constexpr verdict check_well_formed(const transition_table<N>& t) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (!detail::row_is_well_formed(t[i])) return verdict{rule::well_formed, i, state::closed, any_event};
    return {};
}

template <std::size_t N>
constexpr verdict check_deterministic(const transition_table<N>& t) noexcept {
    if (!detail::table_is_well_formed(t)) return {};  // reported by check_well_formed
    std::array<bool, state_count * detail::trigger_slots> seen{};
    for (std::size_t i = 0; i < N; ++i) {
        const std::size_t k = index_of(t[i].from) * detail::trigger_slots + detail::trigger_slot(t[i].on);
        if (seen[k]) return verdict{rule::deterministic, i, t[i].from, t[i].on};
        seen[k] = true;
    }
    return {};
}

template <std::size_t N>
constexpr verdict check_total(const transition_table<N>& t) noexcept {
    if (!detail::table_is_well_formed(t)) return {};
    std::array<bool, state_count * event_count> covered{};
    for (const auto& r : t)
        for (std::size_t e = 0; e < event_count; ++e)
            if (covers(r.on, static_cast<event>(e))) covered[index_of(r.from) * event_count + e] = true;
    for (std::size_t s = 0; s < state_count; ++s)
        for (std::size_t e = 0; e < event_count; ++e)
            if (!covered[s * event_count + e])
                return verdict{rule::total, no_row, static_cast<state>(s), static_cast<event>(e)};
    return {};
}

template <std::size_t N>
constexpr verdict check_reachable(const transition_table<N>& t) noexcept {
    if (!detail::table_is_well_formed(t)) return {};
    const auto seen = detail::closure(detail::successors(t, detail::any_row{}), 1u << index_of(state::closed));
    for (std::size_t s = 0; s < state_count; ++s)
        if (((seen >> s) & 1u) == 0) return verdict{rule::reachable, no_row, static_cast<state>(s), any_event};
    return {};
}

template <std::size_t N>
constexpr verdict check_co_reachable(const transition_table<N>& t) noexcept {
    if (!detail::table_is_well_formed(t)) return {};
    const auto succ = detail::successors(t, detail::any_row{});
    for (std::size_t s = 0; s < state_count; ++s) {
        const auto seen = detail::closure(succ, static_cast<std::uint16_t>(1u << s));
        if (((seen >> index_of(state::closed)) & 1u) == 0)
            return verdict{rule::co_reachable, no_row, static_cast<state>(s), any_event};
    }
    return {};
}

// Every state in `transient` reaches a state in `rest` through timeout rows alone.
template <std::size_t N>
constexpr verdict check_no_leaks(const transition_table<N>& t, state_set transient = transient_states,
                                 state_set rest = rest_states) noexcept {
    if (!detail::table_is_well_formed(t)) return {};
    const auto succ = detail::successors(t, detail::timeout_row{});
    for (std::size_t s = 0; s < state_count; ++s) {
        if (!transient.contains(static_cast<state>(s))) continue;
        const auto seen = detail::closure(succ, static_cast<std::uint16_t>(1u << s));
        if ((seen & rest.bits) == 0) return verdict{rule::no_leaks, no_row, static_cast<state>(s), any_timeout};
    }
    return {};
}

// The 21 edges, each with its exact event (not a wildcard), target state and actions.
// `row` in the verdict is the number of the missing edge in figure5_edges.
template <std::size_t N>
constexpr verdict check_diagram_edges(const transition_table<N>& t) noexcept {
    for (std::size_t k = 0; k < figure5_edges.size(); ++k) {
        const diagram_edge& edge = figure5_edges[k];
        bool found = false;
        for (const auto& r : t)
            if (r.from == edge.from && r.on == edge.on && r.to == edge.to && r.actions.contains(edge.actions))
                found = true;
        if (!found) return verdict{rule::diagram_edges, k, edge.from, edge.on};
    }
    return {};
}

// All the generic rules (not diagram_edges), first failure first.
template <std::size_t N>
constexpr verdict verify(const transition_table<N>& t, state_set transient = transient_states) noexcept {
    verdict v = check_well_formed(t);
    if (v.ok()) v = check_deterministic(t);
    if (v.ok()) v = check_total(t);
    if (v.ok()) v = check_reachable(t);
    if (v.ok()) v = check_co_reachable(t);
    if (v.ok()) v = check_no_leaks(t, transient);
    return v;
}

// --- static verification with readable messages ---
// `static_assert(tcpfsm::verified<my_table>);` checks every rule. A broken table fails
// with a message that names the rule; the instantiation that the compiler prints with it
// carries the row number and the (state, event) concerned.
namespace rule_violated {
template <bool Ok, std::size_t Row>
struct well_formed {
    static_assert(Ok, "tcpfsm rule 'well_formed' violated: a row names an invalid state, event, action or error (see Row)");
    static constexpr bool value = Ok;
};
template <bool Ok, std::size_t Row, state From, event On>
struct deterministic {
    static_assert(Ok, "tcpfsm rule 'deterministic' violated: two rows for one (state, event) (see Row, From, On)");
    static constexpr bool value = Ok;
};
template <bool Ok, state From, event On>
struct total {
    static_assert(Ok, "tcpfsm rule 'total' violated: no row, and no 'any other' row, for (From, On)");
    static constexpr bool value = Ok;
};
template <bool Ok, state Unreachable>
struct reachable {
    static_assert(Ok, "tcpfsm rule 'reachable' violated: a state cannot be reached from CLOSED (see Unreachable)");
    static constexpr bool value = Ok;
};
template <bool Ok, state Stuck>
struct co_reachable {
    static_assert(Ok, "tcpfsm rule 'co_reachable' violated: CLOSED cannot be reached from a state (see Stuck)");
    static constexpr bool value = Ok;
};
template <bool Ok, state Leaking>
struct no_leaks {
    static_assert(Ok, "tcpfsm rule 'no_leaks' violated: a transient state is not left through timeouts alone (see Leaking)");
    static constexpr bool value = Ok;
};
template <bool Ok, std::size_t Edge, state From, event On>
struct diagram_edges {
    static_assert(Ok, "tcpfsm rule 'diagram_edges' violated: an edge of RFC 9293 Figure 5 is missing or wrong (see Edge, From, On)");
    static constexpr bool value = Ok;
};
}  // namespace rule_violated

template <const auto& Table, std::uint16_t TransientBits = transient_states.bits>
struct table_checks {
    static constexpr verdict wf = check_well_formed(Table);
    static constexpr verdict det = check_deterministic(Table);
    static constexpr verdict tot = check_total(Table);
    static constexpr verdict reach = check_reachable(Table);
    static constexpr verdict coreach = check_co_reachable(Table);
    static constexpr verdict leaks = check_no_leaks(Table, state_set{TransientBits});

    static constexpr bool value = rule_violated::well_formed<wf.ok(), wf.row>::value &
                                  rule_violated::deterministic<det.ok(), det.row, det.where, det.on>::value &
                                  rule_violated::total<tot.ok(), tot.where, tot.on>::value &
                                  rule_violated::reachable<reach.ok(), reach.where>::value &
                                  rule_violated::co_reachable<coreach.ok(), coreach.where>::value &
                                  rule_violated::no_leaks<leaks.ok(), leaks.where>::value;
};

// True for a table that keeps every generic rule; a compile error naming the rule otherwise.
template <const auto& Table, std::uint16_t TransientBits = transient_states.bits>
inline constexpr bool verified = table_checks<Table, TransientBits>::value;

// True for a table that also holds every edge of Figure 5 with its event and actions.
template <const auto& Table>
struct diagram_checks {
    static constexpr verdict edges = check_diagram_edges(Table);
    static constexpr bool value = rule_violated::diagram_edges<edges.ok(), edges.row, edges.where, edges.on>::value;
};
template <const auto& Table>
inline constexpr bool has_figure5_edges = diagram_checks<Table>::value;

}  // namespace tcpfsm

#endif  // TCPFSM_VERIFY_HPP
