// tcpfsm: one row of a transition table, and helpers to derive a table variant.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRANSITION_HPP
#define TCPFSM_TRANSITION_HPP

#include <array>
#include <cstddef>

#include "action.hpp"
#include "event.hpp"
#include "state.hpp"

namespace tcpfsm {

// (from, on) -> (to, actions, error). `on` is an event or a wildcard (any_segment, ...).
struct transition {
    state from;
    event on;
    state to;
    action_set actions;
    user_error error = user_error::none;

    friend constexpr bool operator==(const transition& a, const transition& b) noexcept {
        return a.from == b.from && a.on == b.on && a.to == b.to && a.actions == b.actions &&
               a.error == b.error;
    }
    friend constexpr bool operator!=(const transition& a, const transition& b) noexcept {
        return !(a == b);
    }
};

// A table is a plain constexpr array of rows.
template <std::size_t N>
using transition_table = std::array<transition, N>;

// Builds a row; lets `std::array rows{row(...), ...}` deduce its size (C++17 CTAD).
constexpr transition row(state from, event on, state to, action_set actions = action::none,
                         user_error error = user_error::none) noexcept {
    return transition{from, on, to, actions, error};
}

// A copy of `table` in which the row for (replacement.from, replacement.on) is replaced.
// If the table has no such row, the copy is marked broken: its first row names an invalid
// state, so verification fails with rule 'well_formed' instead of silently doing nothing.
template <std::size_t N>
constexpr transition_table<N> replace_row(transition_table<N> table,
                                          const transition& replacement) noexcept {
    for (auto& r : table) {
        if (r.from == replacement.from && r.on == replacement.on) {
            r = replacement;
            return table;
        }
    }
    table[0].from = static_cast<state>(0xFF);
    return table;
}

// `table` with `extra` appended.
template <std::size_t N, std::size_t M>
constexpr transition_table<N + M> append_rows(const transition_table<N>& table,
                                              const transition_table<M>& extra) noexcept {
    transition_table<N + M> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = table[i];
    for (std::size_t i = 0; i < M; ++i) out[N + i] = extra[i];
    return out;
}

}  // namespace tcpfsm

#endif  // TCPFSM_TRANSITION_HPP
