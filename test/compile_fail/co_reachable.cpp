// compile_fail: rule 'co_reachable'.
// The mistake: a table written for the listening socket itself (the BSD model: a SYN
// spawns a new connection in SYN-RECEIVED while the listener stays in LISTEN) keeps LISTEN
// on every row, CLOSE and ABORT (RFC 9293 §3.10.4, §3.10.5) included, so a listener can
// never get back to CLOSED.
// Control: LISTEN stays LISTEN on segments only; CLOSE and ABORT still delete the TCB.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::state;

// `table` in which LISTEN's segment rows stay in LISTEN, and its user call rows too if
// `also_user_calls`.
template <std::size_t N>
constexpr tcpfsm::transition_table<N> listener_stays(tcpfsm::transition_table<N> table,
                                                     bool also_user_calls) noexcept {
    for (auto& r : table) {
        const bool segment_row = tcpfsm::is_segment(r.on) || r.on == tcpfsm::any_segment;
        // Broken: every row (user calls and timeouts too) keeps LISTEN in LISTEN.
        if (r.from == state::listen && (segment_row || also_user_calls))
            r.to = state::listen;
    }
    return table;
}

#ifdef TCPFSM_CF_CONTROL
inline constexpr bool also_user_calls = false;
#else
inline constexpr bool also_user_calls = true;
#endif

inline constexpr auto table_under_test = listener_stays(tcpfsm::standard_table, also_user_calls);

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
