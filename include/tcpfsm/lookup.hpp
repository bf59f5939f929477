// tcpfsm: O(1) lookup over any table, built at compile time, with two dispatch policies.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_LOOKUP_HPP
#define TCPFSM_LOOKUP_HPP

#include <cstddef>
#include <cstdint>

#include "transition.hpp"

namespace tcpfsm {

namespace detail {
// One do-nothing row per state, for the cells of a table that fails the 'total' rule.
inline constexpr transition do_nothing_rows[state_count] = {
    {state::closed, any_event, state::closed, action::none, user_error::none},
    {state::listen, any_event, state::listen, action::none, user_error::none},
    {state::syn_sent, any_event, state::syn_sent, action::none, user_error::none},
    {state::syn_received, any_event, state::syn_received, action::none, user_error::none},
    {state::established, any_event, state::established, action::none, user_error::none},
    {state::close_wait, any_event, state::close_wait, action::none, user_error::none},
    {state::fin_wait_1, any_event, state::fin_wait_1, action::none, user_error::none},
    {state::closing, any_event, state::closing, action::none, user_error::none},
    {state::last_ack, any_event, state::last_ack, action::none, user_error::none},
    {state::fin_wait_2, any_event, state::fin_wait_2, action::none, user_error::none},
    {state::time_wait, any_event, state::time_wait, action::none, user_error::none},
};
}  // namespace detail

// A dense (state x event) index of a table: one 16-bit cell per pair, holding the next
// state in its low 4 bits and the row number above them (`step`), and beside it the next
// states alone, one byte per pair, event-major with 16 slots per event (`next`):
// `next_states[e * 16 + s]`. In a chain of transitions the event's part of the address (a
// shift) is known before the state is, so each link waits for one byte load and nothing
// else (no multiply, no mask).
// Wildcard rows fill the cells that have no exact row. A cell no row covers (only in a
// table that fails the 'total' rule) stays in its state and does nothing.
// The index points into the table, which must have static storage duration (a
// namespace-scope or static constexpr variable), and does not copy it.
template <std::size_t N>
struct table_index {
    static_assert(N + state_count < 0xFFF, "tcpfsm: a table has at most 4083 rows");

    using cell_type = std::uint16_t;
    static constexpr std::size_t row_count = N;

    // Row numbers N + s stand for state s's do-nothing row.
    static constexpr std::size_t first_missing = N;
    static constexpr cell_type missing_cell(state s) noexcept {
        return static_cast<cell_type>(((N + index_of(s)) << 4) | index_of(s));
    }

    static constexpr std::size_t next_stride = 16;  // state slots per event (11 used)
    static_assert(state_count <= next_stride, "tcpfsm: at most 16 states");
    // First, at offset 0: a load's address is then the table's base plus the event's and the
    // state's offsets, with no displacement (a three-part address costs x86 cores one more
    // cycle of load latency, and every link of a chain of transitions pays it).
    fixed_array<state, event_count * next_stride> next_states{};  // event-major
    const transition* rows = nullptr;  // the table's rows
    fixed_array<cell_type, state_count * event_count> cells{};

    static constexpr std::size_t cell_of(state s, event e) noexcept {
        return index_of(s) * event_count + index_of(e);
    }
    static constexpr std::size_t next_of(state s, event e) noexcept {
        return index_of(e) * next_stride + index_of(s);
    }
    static constexpr state to_of(cell_type c) noexcept { return static_cast<state>(c & 0xFu); }
    static constexpr std::size_t row_of(cell_type c) noexcept { return c >> 4; }

    constexpr const transition& row_at(std::size_t r) const noexcept {
        return r < N ? rows[r] : detail::do_nothing_rows[r - N];
    }
    constexpr state next(state s, event e) const noexcept { return next_states[next_of(s, e)]; }
    constexpr const transition& step(state s, event e) const noexcept {
        return row_at(row_of(cells[cell_of(s, e)]));
    }
    constexpr bool has_row(state s, event e) const noexcept {
        return row_of(cells[cell_of(s, e)]) < first_missing;
    }
    // The cells and the next-state bytes.
    static constexpr std::size_t size_bytes() noexcept {
        return sizeof(cell_type) * state_count * event_count + sizeof(state) * next_stride * event_count;
    }
};

// Builds the index of a table (tcpfsm's fixed_array or a std::array of rows) with static
// storage duration. For a table that fails 'well_formed' or 'deterministic' a cell holds
// the first matching row; verify the table (verify.hpp) to rule that out.
template <template <class, std::size_t> class Array, std::size_t N>
constexpr table_index<N> make_index(const Array<transition, N>& table) noexcept {
    table_index<N> index{};
    // Plain pointers and inline arithmetic: every constexpr call and operator[] costs g++
    // microseconds, and this runs in every translation unit that includes tcpfsm.hpp.
    const transition* const rows = &table[0];
    std::uint16_t* const cells = index.cells.elements;
    index.rows = rows;
    for (std::size_t c = 0; c < state_count * event_count; ++c) {
        const std::size_t s = c / event_count;
        cells[c] = static_cast<std::uint16_t>(((N + s) << 4) | s);
    }
    // Least specific first (any_event, then a kind's wildcard, then exact rows), so that a
    // more specific row overwrites a cell; within one level rows go last to first, so that
    // the first of two duplicates wins.
    for (int spec = 1; spec <= 3; ++spec) {
        for (std::size_t k = N; k-- > 0;) {
            const transition& r = rows[k];
            const auto from = static_cast<std::size_t>(r.from);
            const auto to = static_cast<std::size_t>(r.to);
            const auto on = static_cast<std::size_t>(r.on);
            if (from >= state_count || to >= state_count) continue;
            const int row_spec = on < event_count ? 3 : on == static_cast<std::size_t>(any_event) ? 1 : 2;
            if (row_spec != spec) continue;
            const event_range covered_events = events_covered_by(r.on);
            const auto value = static_cast<std::uint16_t>((k << 4) | to);
            for (std::size_t e = covered_events.first; e < covered_events.last; ++e) cells[from * event_count + e] = value;
        }
    }
    state* const next_states = index.next_states.elements;
    for (std::size_t c = 0; c < state_count * event_count; ++c) {
        next_states[(c % event_count) * table_index<N>::next_stride + c / event_count] = static_cast<state>(cells[c] & 0xFu);
    }
    return index;
}

// The index of a table with static storage, built only where it is used:
// `machine<index_for<my_table>>`.
template <const auto& Table>
inline constexpr auto index_for = make_index(Table);

// Dispatch policies. Both give the same answers for the same table, for every valid state
// and every event (a wildcard is not an event; like std::array's operator[], neither
// checks its arguments):
//  - table_lookup: one load (the next-state bytes for `next`, the cells for `step`); bound
//    by load latency, immune to the shape of the event stream.
//  - branch: a switch on the state and then on the event, expanded from the table at
//    compile time, each case returning a constant; no data load for `next`, but bound by
//    branch prediction on an unpredictable event stream. (Compilers may still lower a
//    dense switch of constants into a lookup table of their own.)
namespace dispatch {
struct table_lookup {
    static constexpr bool is_branch = false;
};
struct branch {
    static constexpr bool is_branch = true;
};
}  // namespace dispatch

namespace detail {
// The index type behind a `const auto&` template parameter (without <type_traits>).
template <class T>
struct index_type_of;
template <class T>
struct index_type_of<const T&> {
    using type = T;
};

template <const auto& Index, state S, std::size_t E>
inline constexpr std::uint16_t cell_v = Index.cells[index_of(S) * event_count + E];

// The case labels of a switch on an event's index, 0 to 47, each made by CASE(k); a case at
// or past event_count is discarded by `if constexpr` inside CASE.
#define TCPFSM_DETAIL_EVENT_CASES(CASE)                                                         \
    CASE(0) CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10)  \
    CASE(11) CASE(12) CASE(13) CASE(14) CASE(15) CASE(16) CASE(17) CASE(18) CASE(19) CASE(20) \
    CASE(21) CASE(22) CASE(23) CASE(24) CASE(25) CASE(26) CASE(27) CASE(28) CASE(29) CASE(30) \
    CASE(31) CASE(32) CASE(33) CASE(34) CASE(35) CASE(36) CASE(37) CASE(38) CASE(39) CASE(40) \
    CASE(41) CASE(42) CASE(43) CASE(44) CASE(45) CASE(46) CASE(47)

template <const auto& Index, state S>
constexpr std::uint16_t branch_cell(event e) noexcept {
    static_assert(event_count <= 48, "tcpfsm: extend the case list in branch_cell");
    switch (index_of(e)) {
#define TCPFSM_DETAIL_CASE(k)                                              \
    case k:                                                                \
        if constexpr ((k) < event_count) { return cell_v<Index, S, (k)>; } \
        break;
        TCPFSM_DETAIL_EVENT_CASES(TCPFSM_DETAIL_CASE)
#undef TCPFSM_DETAIL_CASE
        default:
            break;
    }
    // Not an event (precondition broken): stay, do nothing.
    return index_type_of<decltype(Index)>::type::missing_cell(S);
}

// `next` under the branch policy: as a hand-written switch is, only the events that change
// the state have a case; every other event leaves it (the default).
template <const auto& Index, state S>
constexpr state branch_next_in(event e) noexcept {
    using index_type = typename index_type_of<decltype(Index)>::type;
    static_assert(event_count <= 48, "tcpfsm: extend the case list in branch_next_in");
    switch (index_of(e)) {
#define TCPFSM_DETAIL_CASE(k)                                                       \
    case k:                                                                         \
        if constexpr ((k) < event_count) {                                          \
            if constexpr (index_type::to_of(cell_v<Index, S, (k)>) != S) {          \
                return index_type::to_of(cell_v<Index, S, (k)>);                    \
            }                                                                       \
        }                                                                           \
        break;
        TCPFSM_DETAIL_EVENT_CASES(TCPFSM_DETAIL_CASE)
#undef TCPFSM_DETAIL_CASE
        default:
            break;
    }
    return S;
}

template <const auto& Index>
constexpr state branch_next(state s, event e) noexcept {
    switch (s) {
        case state::closed: return branch_next_in<Index, state::closed>(e);
        case state::listen: return branch_next_in<Index, state::listen>(e);
        case state::syn_sent: return branch_next_in<Index, state::syn_sent>(e);
        case state::syn_received: return branch_next_in<Index, state::syn_received>(e);
        case state::established: return branch_next_in<Index, state::established>(e);
        case state::close_wait: return branch_next_in<Index, state::close_wait>(e);
        case state::fin_wait_1: return branch_next_in<Index, state::fin_wait_1>(e);
        case state::closing: return branch_next_in<Index, state::closing>(e);
        case state::last_ack: return branch_next_in<Index, state::last_ack>(e);
        case state::fin_wait_2: return branch_next_in<Index, state::fin_wait_2>(e);
        case state::time_wait: return branch_next_in<Index, state::time_wait>(e);
    }
    return s;  // not a state (precondition broken): stay
}

template <const auto& Index>
constexpr std::uint16_t branch_lookup(state s, event e) noexcept {
    switch (s) {
        case state::closed: return branch_cell<Index, state::closed>(e);
        case state::listen: return branch_cell<Index, state::listen>(e);
        case state::syn_sent: return branch_cell<Index, state::syn_sent>(e);
        case state::syn_received: return branch_cell<Index, state::syn_received>(e);
        case state::established: return branch_cell<Index, state::established>(e);
        case state::close_wait: return branch_cell<Index, state::close_wait>(e);
        case state::fin_wait_1: return branch_cell<Index, state::fin_wait_1>(e);
        case state::closing: return branch_cell<Index, state::closing>(e);
        case state::last_ack: return branch_cell<Index, state::last_ack>(e);
        case state::fin_wait_2: return branch_cell<Index, state::fin_wait_2>(e);
        case state::time_wait: return branch_cell<Index, state::time_wait>(e);
    }
    return index_type_of<decltype(Index)>::type::missing_cell(state::closed);  // not a state
}
#undef TCPFSM_DETAIL_EVENT_CASES
}  // namespace detail

// A state machine over a compile-time index: `machine<my_index>::next(s, e)`.
template <const auto& Index, class Dispatch = dispatch::table_lookup>
struct machine {
    using index_type = typename detail::index_type_of<decltype(Index)>::type;

    static constexpr state next(state s, event e) noexcept {
        if constexpr (Dispatch::is_branch) {
            return detail::branch_next<Index>(s, e);
        } else {
            return Index.next(s, e);
        }
    }
    static constexpr const transition& step(state s, event e) noexcept {
        if constexpr (Dispatch::is_branch) {
            return Index.row_at(index_type::row_of(detail::branch_lookup<Index>(s, e)));
        } else {
            return Index.step(s, e);
        }
    }
};

}  // namespace tcpfsm

#endif  // TCPFSM_LOOKUP_HPP
