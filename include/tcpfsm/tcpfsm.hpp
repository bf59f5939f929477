// tcpfsm: the TCP connection state machine of RFC 9293 as constexpr data.
// One include gives the vocabulary, the standard table, O(1) lookup with two dispatch
// policies, compile-time verification and sequence number arithmetic. Table variants (variants.hpp), stream output
// (ostream.hpp) and diagram export (diagram.hpp) are separate, optional headers.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TCPFSM_HPP
#define TCPFSM_TCPFSM_HPP

#include "version.hpp"
#include "state.hpp"
#include "event.hpp"
#include "action.hpp"
#include "transition.hpp"
#include "table.hpp"
#include "lookup.hpp"
#include "verify.hpp"
#include "seq.hpp"

namespace tcpfsm {

inline constexpr auto standard_index = make_index(standard_table);

// The standard machine: `tcpfsm::next(state::listen, event::rcv_syn) == state::syn_received`.
template <class Dispatch = dispatch::table_lookup>
constexpr state next(state s, event e) noexcept {
    return machine<standard_index, Dispatch>::next(s, e);
}

// The whole row for (s, e): next state, actions and the error returned to a user call.
template <class Dispatch = dispatch::table_lookup>
constexpr const transition& step(state s, event e) noexcept {
    return machine<standard_index, Dispatch>::step(s, e);
}

// The standard table is verified whenever this header is included (its variants, in
// variants.hpp, when that is).
static_assert(verified<standard_table>);
static_assert(has_figure5_edges<standard_table>);
static_assert(standard_index.size_bytes() <= 2 * state_count * event_count);

}  // namespace tcpfsm

#endif  // TCPFSM_TCPFSM_HPP
