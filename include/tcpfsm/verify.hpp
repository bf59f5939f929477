// tcpfsm: compile-time verification of any transition table.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_VERIFY_HPP
#define TCPFSM_VERIFY_HPP

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
    diagram_edges,  // the 20 edges of RFC 9293 Figure 5 and FIN-WAIT-1 -> TIME-WAIT on FIN+ACK,
                    // each with its event and actions
};

inline constexpr std::size_t rule_count = 8;

constexpr const char* name(rule r) noexcept {
    constexpr const char* names[rule_count] = {"none",        "well_formed", "deterministic",
                                               "total",       "reachable",   "co_reachable",
                                               "no_leaks",    "diagram_edges"};
    return static_cast<std::size_t>(r) < rule_count ? names[static_cast<std::size_t>(r)] : "invalid";
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
    state from{};
    event on{};
    state to{};
    action_set actions{};
};

inline constexpr fixed_array<diagram_edge, 21> figure5_edges{{
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

// The marker replace_row leaves in row 0 when it finds no row to replace.
inline constexpr auto replace_row_missed = static_cast<state>(0xFE);

// Exact events and the four wildcards: the (state, trigger) slots rule 'deterministic' checks.
inline constexpr std::size_t trigger_slots = event_count + 4;

// States reachable from `start` (inclusive) along `succ`.
constexpr std::uint16_t closure(const std::uint16_t* succ, std::uint16_t start) noexcept {
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

}  // namespace detail

// The outcome of every generic rule for one table.
struct table_report {
    verdict well_formed, deterministic, total, reachable, co_reachable, no_leaks;

    constexpr verdict first_failure() const noexcept {
        const verdict all[] = {well_formed, deterministic, total, reachable, co_reachable, no_leaks};
        for (const verdict& v : all)
            if (!v.ok()) return v;
        return {};
    }
};

// Checks every generic rule in one pass over the rows (compile time is the budget here).
// When a row is malformed only 'well_formed' is reported: the other rules would index
// out of range.
template <class Table>
constexpr table_report check_all(const Table& t, state_set transient = transient_states,
                                 state_set rest = rest_states) noexcept {
    table_report report{};
    // Plain pointers and inline arithmetic below: every constexpr call and operator[] costs
    // g++ microseconds, and the standard table is checked in every translation unit.
    const transition* const rows = &t[0];
    const std::size_t n = t.size();
    constexpr auto first_wildcard = static_cast<std::size_t>(any_user_call);
    constexpr auto last_wildcard = static_cast<std::size_t>(any_event);
    for (std::size_t i = 0; i < n; ++i) {
        const transition& r = rows[i];
        const auto on = static_cast<std::size_t>(r.on);
        const bool well_formed = static_cast<std::size_t>(r.from) < state_count &&
                                 static_cast<std::size_t>(r.to) < state_count &&
                                 (on < event_count || (on >= first_wildcard && on <= last_wildcard)) &&
                                 (r.actions.bits & ~detail::all_action_bits) == 0 &&
                                 static_cast<std::size_t>(r.error) < user_error_count;
        if (!well_formed) {
            // replace_row's marker carries the (state, event) it did not find.
            const bool missed = rows[i].from == detail::replace_row_missed;
            report.well_formed = verdict{rule::well_formed, i, missed ? rows[i].to : state::closed,
                                         missed ? rows[i].on : any_event};
            return report;
        }
    }
    bool seen[state_count * detail::trigger_slots] = {};
    // The row that governs each (state, event) cell, as make_index resolves it: an exact row
    // beats its kind's wildcard, which beats any_event; the first of duplicates wins. Edges
    // come from these cells, so a wildcard row that exact rows shadow adds no edge.
    std::size_t cell_row[state_count * event_count] = {};
    int cell_rank[state_count * event_count] = {};
    constexpr auto any_user_call_slot = static_cast<std::size_t>(any_user_call);
    constexpr auto any_segment_slot = static_cast<std::size_t>(any_segment);
    constexpr auto any_timeout_slot = static_cast<std::size_t>(any_timeout);
    constexpr auto first_segment = static_cast<std::size_t>(event::rcv_unacceptable);
    constexpr auto first_timeout = static_cast<std::size_t>(event::timeout_retransmit);
    bool deterministic = true;
    for (std::size_t i = 0; i < n; ++i) {
        const transition& r = rows[i];
        const auto from = static_cast<std::size_t>(r.from);
        const auto on = static_cast<std::size_t>(r.on);
        const std::size_t k = from * detail::trigger_slots + (on < event_count ? on : event_count + (on - first_wildcard));
        if (seen[k] && deterministic) {
            deterministic = false;
            report.deterministic = verdict{rule::deterministic, i, r.from, r.on};
        }
        seen[k] = true;
        // The events the row covers (the kinds are contiguous in the enumeration).
        std::size_t first = on, last = on + 1;
        int rank = 3;
        if (on == any_user_call_slot) first = 0, last = first_segment, rank = 2;
        else if (on == any_segment_slot) first = first_segment, last = first_timeout, rank = 2;
        else if (on == any_timeout_slot) first = first_timeout, last = event_count, rank = 2;
        else if (on >= event_count) first = 0, last = event_count, rank = 1;  // any_event
        for (std::size_t e = first; e < last; ++e) {
            const std::size_t c = from * event_count + e;
            if (rank > cell_rank[c]) {
                cell_rank[c] = rank;
                cell_row[c] = i;
            }
        }
    }
    std::uint16_t succ_bits[state_count] = {};          // along the rows that govern a cell
    std::uint16_t pred_bits[state_count] = {};          // the same edges reversed
    std::uint16_t pred_timeout_bits[state_count] = {};  // reversed, guaranteed timeouts only
    // The timers that run in a state without being asked for: retransmission (and its give-up)
    // while our SYN or FIN is unacknowledged (SYN-SENT, SYN-RECEIVED, FIN-WAIT-1, CLOSING,
    // LAST-ACK; the *_passive give-up only in SYN-RECEIVED), FIN-WAIT-2's timer in FIN-WAIT-2
    // and 2MSL in TIME-WAIT. Keepalive (off by
    // default, RFC 1122 4.2.3.6), the user timeout (RFC 5482), persist and delayed ACK run only
    // when options or data call for them, so an edge they drive does not keep a transient state
    // from leaking; nor does a timer's edge in a state where that timer never runs.
    constexpr auto retransmit = static_cast<std::size_t>(event::timeout_retransmit);
    constexpr auto retransmit_exhausted_passive = static_cast<std::size_t>(event::timeout_retransmit_exhausted_passive);
    constexpr auto time_wait_timeout = static_cast<std::size_t>(event::timeout_time_wait);
    constexpr auto fin_wait_2_timeout = static_cast<std::size_t>(event::timeout_fin_wait_2);
    constexpr std::uint16_t retransmitting_states = static_cast<std::uint16_t>(
        (1u << static_cast<unsigned>(state::syn_sent)) | (1u << static_cast<unsigned>(state::syn_received)) |
        (1u << static_cast<unsigned>(state::fin_wait_1)) | (1u << static_cast<unsigned>(state::closing)) |
        (1u << static_cast<unsigned>(state::last_ack)));
    for (std::size_t c = 0; c < state_count * event_count; ++c) {
        const std::size_t s = c / event_count, e = c % event_count;
        if (cell_rank[c] == 0) {
            if (report.total.ok()) report.total = verdict{rule::total, no_row, static_cast<state>(s), static_cast<event>(e)};
            continue;
        }
        const auto to = static_cast<std::size_t>(rows[cell_row[c]].to);
        succ_bits[s] = static_cast<std::uint16_t>(succ_bits[s] | (1u << to));
        pred_bits[to] = static_cast<std::uint16_t>(pred_bits[to] | (1u << s));
        const bool runs_here = (e >= retransmit && e < retransmit_exhausted_passive && ((retransmitting_states >> s) & 1u)) ||
                               (e == retransmit_exhausted_passive && s == static_cast<std::size_t>(state::syn_received)) ||
                               (e == time_wait_timeout && s == static_cast<std::size_t>(state::time_wait)) ||
                               (e == fin_wait_2_timeout && s == static_cast<std::size_t>(state::fin_wait_2));
        if (runs_here) pred_timeout_bits[to] = static_cast<std::uint16_t>(pred_timeout_bits[to] | (1u << s));
    }

    const auto closed_bit = static_cast<std::uint16_t>(1u << index_of(state::closed));
    const auto from_closed = detail::closure(succ_bits, closed_bit);        // reachable
    const auto to_closed = detail::closure(pred_bits, closed_bit);          // co-reachable
    const auto to_rest = detail::closure(pred_timeout_bits, rest.bits);     // leave through timeouts
    for (std::size_t s = 0; s < state_count; ++s) {
        const auto st = static_cast<state>(s);
        if (((from_closed >> s) & 1u) == 0 && report.reachable.ok())
            report.reachable = verdict{rule::reachable, no_row, st, any_event};
        if (((to_closed >> s) & 1u) == 0 && report.co_reachable.ok())
            report.co_reachable = verdict{rule::co_reachable, no_row, st, any_event};
        if (transient.contains(st) && ((to_rest >> s) & 1u) == 0 && report.no_leaks.ok())
            report.no_leaks = verdict{rule::no_leaks, no_row, st, any_timeout};
    }
    return report;
}

// One rule at a time. Each names the first offending row (deterministic: the second of
// the two rows), or the state and event concerned.
template <class Table>
constexpr verdict check_well_formed(const Table& t) noexcept { return check_all(t).well_formed; }
template <class Table>
constexpr verdict check_deterministic(const Table& t) noexcept { return check_all(t).deterministic; }
template <class Table>
constexpr verdict check_total(const Table& t) noexcept { return check_all(t).total; }
template <class Table>
constexpr verdict check_reachable(const Table& t) noexcept { return check_all(t).reachable; }
template <class Table>
constexpr verdict check_co_reachable(const Table& t) noexcept { return check_all(t).co_reachable; }

// Every state in `transient` reaches a state in `rest` through timeout rows alone.
template <class Table>
constexpr verdict check_no_leaks(const Table& t, state_set transient = transient_states,
                                 state_set rest = rest_states) noexcept {
    return check_all(t, transient, rest).no_leaks;
}

// The 21 edges (Figure 5's 20 and FIN+ACK), each with its exact event (not a wildcard),
// target state and actions.
// `row` in the verdict is the number of the missing edge in figure5_edges. A table whose
// rows name an invalid state fails with rule well_formed instead.
template <class Table>
constexpr verdict check_diagram_edges(const Table& t) noexcept {
    const transition* const rows = &t[0];
    const std::size_t n = t.size();
    // exact[s][e]: 1 + the number of the first row for exactly (s, e); 0 if none.
    std::size_t exact[state_count * event_count] = {};
    for (std::size_t i = n; i-- > 0;) {
        const auto from = static_cast<std::size_t>(rows[i].from);
        const auto on = static_cast<std::size_t>(rows[i].on);
        if (from >= state_count) return verdict{rule::well_formed, i, state::closed, any_event};
        if (on < event_count) exact[from * event_count + on] = i + 1;
    }
    for (std::size_t k = 0; k < figure5_edges.size(); ++k) {
        const diagram_edge& edge = figure5_edges.elements[k];
        const std::size_t slot = exact[static_cast<std::size_t>(edge.from) * event_count + static_cast<std::size_t>(edge.on)];
        const bool found = slot != 0 && rows[slot - 1].to == edge.to &&
                           (rows[slot - 1].actions.bits & edge.actions.bits) == edge.actions.bits;
        if (!found) return verdict{rule::diagram_edges, k, edge.from, edge.on};
    }
    return {};
}

// All the generic rules (not diagram_edges), first failure first.
template <class Table>
constexpr verdict verify(const Table& t, state_set transient = transient_states) noexcept {
    return check_all(t, transient).first_failure();
}

// --- static verification with readable messages ---
// `static_assert(tcpfsm::verified<my_table>);` checks every rule. A broken table fails
// with a message that names the rule; the instantiation that the compiler prints with it
// carries the row number and the (state, event) concerned.
namespace rule_violated {
// Self-describing wrappers, so that the instantiation a compiler prints next to the
// message reads e.g. deterministic<false, row_number<243>, in_state<state::established>,
// on_event<event::rcv_fin>>.
template <std::size_t N>
struct row_number {};
template <std::size_t N>
struct figure5_edge_number {};
template <state S>
struct in_state {};
template <event E>
struct on_event {};

template <bool Ok, class Row, class State, class Event>
struct well_formed {
    static_assert(Ok, "tcpfsm rule 'well_formed' violated: a row names an invalid state, event, action or error, "
                      "or replace_row found no row for (state, event)");
    static constexpr bool value = Ok;
};
template <bool Ok, class Row, class State, class Event>
struct deterministic {
    static_assert(Ok, "tcpfsm rule 'deterministic' violated: two rows for one (state, event)");
    static constexpr bool value = Ok;
};
template <bool Ok, class State, class Event>
struct total {
    static_assert(Ok, "tcpfsm rule 'total' violated: a (state, event) has no row and its state no 'any other' row");
    static constexpr bool value = Ok;
};
template <bool Ok, class State>
struct reachable {
    static_assert(Ok, "tcpfsm rule 'reachable' violated: a state cannot be reached from CLOSED");
    static constexpr bool value = Ok;
};
template <bool Ok, class State>
struct co_reachable {
    static_assert(Ok, "tcpfsm rule 'co_reachable' violated: CLOSED cannot be reached from a state");
    static constexpr bool value = Ok;
};
template <bool Ok, class State>
struct no_leaks {
    static_assert(Ok, "tcpfsm rule 'no_leaks' violated: a transient state is not left through timeouts alone");
    static constexpr bool value = Ok;
};
template <bool Ok, class Edge, class State, class Event>
struct diagram_edges {
    static_assert(Ok, "tcpfsm rule 'diagram_edges' violated: an edge of RFC 9293 Figure 5 is missing or wrong");
    static constexpr bool value = Ok;
};
}  // namespace rule_violated

template <const auto& Table, std::uint16_t TransientBits = transient_states.bits>
struct table_checks {
    static constexpr table_report r = check_all(Table, state_set{TransientBits});

    template <std::size_t N>
    using row = rule_violated::row_number<N>;
    template <state S>
    using in = rule_violated::in_state<S>;
    template <event E>
    using on = rule_violated::on_event<E>;

    static constexpr bool value =
        rule_violated::well_formed<r.well_formed.ok(), row<r.well_formed.row>, in<r.well_formed.where>,
                                   on<r.well_formed.on>>::value &
        rule_violated::deterministic<r.deterministic.ok(), row<r.deterministic.row>, in<r.deterministic.where>,
                                     on<r.deterministic.on>>::value &
        rule_violated::total<r.total.ok(), in<r.total.where>, on<r.total.on>>::value &
        rule_violated::reachable<r.reachable.ok(), in<r.reachable.where>>::value &
        rule_violated::co_reachable<r.co_reachable.ok(), in<r.co_reachable.where>>::value &
        rule_violated::no_leaks<r.no_leaks.ok(), in<r.no_leaks.where>>::value;
};

// True for a table that keeps every generic rule; a compile error naming the rule otherwise.
template <const auto& Table, std::uint16_t TransientBits = transient_states.bits>
inline constexpr bool verified = table_checks<Table, TransientBits>::value;

// True for a table that also holds every edge of Figure 5 with its event and actions
// (and names valid states: the edges of a malformed table are not looked at).
template <const auto& Table>
struct diagram_checks {
    static constexpr verdict v = check_diagram_edges(Table);
    static constexpr bool malformed = v.broken == rule::well_formed;
    static constexpr bool value =
        rule_violated::well_formed<!malformed, rule_violated::row_number<v.row>, rule_violated::in_state<v.where>,
                                   rule_violated::on_event<v.on>>::value &
        rule_violated::diagram_edges<malformed || v.ok(), rule_violated::figure5_edge_number<v.row>,
                                     rule_violated::in_state<v.where>, rule_violated::on_event<v.on>>::value;
};
template <const auto& Table>
inline constexpr bool has_figure5_edges = diagram_checks<Table>::value;

}  // namespace tcpfsm

#endif  // TCPFSM_VERIFY_HPP
