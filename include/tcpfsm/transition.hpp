// tcpfsm: one row of a transition table, and helpers to derive a table variant.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRANSITION_HPP
#define TCPFSM_TRANSITION_HPP

#include <cstddef>

#include "action.hpp"
#include "event.hpp"
#include "state.hpp"

namespace tcpfsm {

// (from, on) -> (to, actions, error). `on` is an event or a wildcard (any_segment, ...).
struct transition {
    state from{};  // value-initialised: CLOSED, the first event, CLOSED, no actions
    event on{};
    state to{};
    action_set actions{};
    user_error error = user_error::none;

    friend constexpr bool operator==(const transition& a, const transition& b) noexcept {
        return a.from == b.from && a.on == b.on && a.to == b.to && a.actions == b.actions &&
               a.error == b.error;
    }
    friend constexpr bool operator!=(const transition& a, const transition& b) noexcept {
        return !(a == b);
    }
};

// A fixed-size array usable in constant expressions. tcpfsm does not use std::array:
// in C++17 <array> pulls in <stdexcept> and with it <string>, and the core stays light.
template <class T, std::size_t N>
struct fixed_array {
    T elements[N];

    static constexpr std::size_t size() noexcept { return N; }
    constexpr T& operator[](std::size_t i) noexcept { return elements[i]; }
    constexpr const T& operator[](std::size_t i) const noexcept { return elements[i]; }
    constexpr T* begin() noexcept { return elements; }
    constexpr T* end() noexcept { return elements + N; }
    constexpr const T* begin() const noexcept { return elements; }
    constexpr const T* end() const noexcept { return elements + N; }
};

template <class T, class... U>
fixed_array(T, U...) -> fixed_array<T, 1 + sizeof...(U)>;

// A table is a constexpr array of rows. Every function of tcpfsm that takes a table also
// takes a std::array<transition, N>.
template <std::size_t N>
using transition_table = fixed_array<transition, N>;

// Builds a row; lets `fixed_array rows{row(...), ...}` deduce its size (C++17 CTAD).
constexpr transition row(state from, event on, state to, action_set actions = action::none,
                         user_error error = user_error::none) noexcept {
    return transition{from, on, to, actions, error};
}

// A copy of `table` in which the row for (replacement.from, replacement.on) is replaced.
// If the table has no such row, the copy is marked broken: its first row names an invalid
// state (and carries the key that was not found), so verification fails with rule
// 'well_formed' instead of silently doing nothing.
template <template <class, std::size_t> class Array, std::size_t N>
constexpr Array<transition, N> replace_row(Array<transition, N> table,
                                           const transition& replacement) noexcept {
    for (auto& r : table) {
        if (r.from == replacement.from && r.on == replacement.on) {
            r = replacement;
            return table;
        }
    }
    table[0] = transition{static_cast<state>(0xFE), replacement.on, replacement.from, action::none,
                          user_error::none};
    return table;
}

// `table` with `extra` appended.
template <template <class, std::size_t> class Array, std::size_t N, std::size_t M>
constexpr Array<transition, N + M> append_rows(const Array<transition, N>& table,
                                               const Array<transition, M>& extra) noexcept {
    Array<transition, N + M> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = table[i];
    for (std::size_t i = 0; i < M; ++i) out[N + i] = extra[i];
    return out;
}

}  // namespace tcpfsm

#endif  // TCPFSM_TRANSITION_HPP
