// tcpfsm: operator<< for states, events, actions, errors, rows and verdicts.
// Optional header: the core headers never include <ostream>.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OSTREAM_HPP
#define TCPFSM_OSTREAM_HPP

#include <ostream>

#include "core.hpp"

namespace tcpfsm {

// As RFC 9293 §3.3.2 spells it: "SYN-RECEIVED".
inline std::ostream& operator<<(std::ostream& os, state s) { return os << rfc_name(s); }

// Identifier spelling: "rcv_syn_ack"; wildcards as "any_segment".
inline std::ostream& operator<<(std::ostream& os, event e) { return os << name(e); }

// "{send_syn_ack|start_retransmission_timer}", in bit order; "{}" for action::none.
// Bits above the last action (only in a table that fails 'well_formed') print as "bit<n>".
inline std::ostream& operator<<(std::ostream& os, action_set actions) {
    os << '{';
    bool first = true;
    for (std::size_t n = 0; n < 32; ++n) {
        if (((actions.bits >> n) & 1u) == 0) continue;
        if (!first) os << '|';
        first = false;
        if (n < action_count)
            os << name_of_nth_action(n);
        else
            os << "bit" << n;
    }
    return os << '}';
}

// Identifier spelling: "connection_exists". rfc_name() gives the RFC's wording.
inline std::ostream& operator<<(std::ostream& os, user_error e) { return os << name(e); }

// "SYN-SENT --rcv_syn_ack--> ESTABLISHED {send_ack|...}", then " error=<name>" if the row
// returns an error to the user call (§3.10).
inline std::ostream& operator<<(std::ostream& os, const transition& r) {
    os << r.from << " --" << r.on << "--> " << r.to << ' ' << r.actions;
    if (r.error != user_error::none) os << " error=" << r.error;
    return os;
}

inline std::ostream& operator<<(std::ostream& os, rule r) { return os << name(r); }

// "ok", or "rule 'total' violated at (LISTEN, rcv_fin)". The row is printed when the
// verdict names one; for 'diagram_edges' it is an index into figure5_edges.
inline std::ostream& operator<<(std::ostream& os, const verdict& v) {
    if (v.ok()) return os << "ok";
    os << "rule '" << v.broken << "' violated at ";
    if (v.row != no_row) {
        if (v.broken == rule::diagram_edges)
            os << "figure5_edges[" << v.row << "] ";
        else
            os << "row " << v.row << ' ';
    }
    if (v.on == any_event) return os << '(' << v.where << ')';
    return os << '(' << v.where << ", " << v.on << ')';
}

}  // namespace tcpfsm

#endif  // TCPFSM_OSTREAM_HPP
