// tcpfsm: the core -- the TCP connection state machine of RFC 9293 as constexpr data: the
// vocabulary, the standard table, O(1) lookup with two dispatch policies, compile-time
// verification and sequence number arithmetic. The other headers build on this one; users
// include the umbrella <tcpfsm/tcpfsm.hpp> (with TCPFSM_CORE_ONLY for the core and its
// variants alone).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CORE_HPP
#define TCPFSM_CORE_HPP

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

namespace detail {
// standard_table, named through a template parameter so that index_for<> below depends on
// it and is only built where next, step or standard_machine is used (a non-dependent
// index_for<standard_table> would be built in every translation unit that includes this).
template <class>
inline constexpr const auto& standard_table_for = standard_table;
}  // namespace detail

// The standard machine. Its index is index_for<standard_table>.
template <class Dispatch = dispatch::table_lookup>
using standard_machine = machine<index_for<detail::standard_table_for<Dispatch>>, Dispatch>;

// The standard machine: `tcpfsm::next(state::listen, event::rcv_syn) == state::syn_received`.
template <class Dispatch = dispatch::table_lookup>
constexpr state next(state s, event e) noexcept {
    return standard_machine<Dispatch>::next(s, e);
}

// The whole row for (s, e): next state, actions and the error returned to a user call.
template <class Dispatch = dispatch::table_lookup>
constexpr const transition& step(state s, event e) noexcept {
    return standard_machine<Dispatch>::step(s, e);
}

// The standard table is verified whenever this header is included (its variants, in
// variants.hpp, when that is).
static_assert(verified<standard_table>);
static_assert(has_figure5_edges<standard_table>);
static_assert(table_index<standard_row_count>::size_bytes() <= (2 * state_count + 16) * event_count);

}  // namespace tcpfsm

#endif  // TCPFSM_CORE_HPP
