// tcpfsm: the tracker's variant of the standard table: the rows a passive observer needs that
// an endpoint does not (docs/tracker.md).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACKER_TRACKER_TABLE_HPP
#define TCPFSM_TRACKER_TRACKER_TABLE_HPP

#include "../core.hpp"

namespace tcpfsm {

// The standard table plus the pickup row: a connection first seen mid-stream (an ACK-bearing
// segment, no SYN, on a four-tuple the tracker holds no record of) was opened before the
// capture began, so both of its endpoints are taken as ESTABLISHED. The tracker feeds
// rcv_ack to CLOSED only then: a CLOSED endpoint that a segment reaches is classified by
// classify() as every endpoint's is (an ACK in CLOSED is rcv_ack_unacceptable, answered by RST).
inline constexpr auto tracker_table = append_rows(
    standard_table, fixed_array<transition, 1>{{row(state::closed, event::rcv_ack, state::established)}});

inline constexpr std::size_t tracker_row_count = tracker_table.size();

// Verified at compile time like every variant (verify.hpp): well formed, deterministic,
// total, reachable, co-reachable, no leaks, and Figure 5's edges kept.
static_assert(verified<tracker_table>, "tcpfsm::tracker_table");
static_assert(has_figure5_edges<tracker_table>, "tcpfsm::tracker_table: Figure 5");

// The tracker's machine (lookup.hpp).
using tracker_machine = machine<index_for<tracker_table>>;

}  // namespace tcpfsm

#endif  // TCPFSM_TRACKER_TRACKER_TABLE_HPP
