// compile_fail: rule 'reachable'.
// The mistake: a table that "saves" TIME-WAIT by closing at once; every edge into
// TIME-WAIT (FIN-WAIT-1 on FIN+ACK, FIN-WAIT-2 on FIN, CLOSING on the ACK of our FIN:
// RFC 9293 Figure 5) goes to CLOSED instead, so nothing reaches TIME-WAIT, which §3.6.1
// requires for 2*MSL after an active close.
// Control: only FIN-WAIT-1's FIN+ACK edge skips TIME-WAIT; FIN-WAIT-2 and CLOSING still
// enter it, so every state stays reachable.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::state;

// `table` in which each row from a state in `skipping` that enters TIME-WAIT goes to CLOSED
// and deletes the TCB instead of starting the 2MSL timer.
template <std::size_t N>
constexpr tcpfsm::transition_table<N> skip_time_wait(tcpfsm::transition_table<N> table,
                                                     tcpfsm::state_set skipping) noexcept {
    for (auto& r : table) {
        if (r.to == state::time_wait && skipping.contains(r.from)) {
            r.to = state::closed;
            r.actions = (r.actions - tcpfsm::action::start_time_wait_timer) |
                        tcpfsm::action::signal_closed | tcpfsm::action::delete_tcb;
        }
    }
    return table;
}

#ifdef TCPFSM_CF_CONTROL
inline constexpr tcpfsm::state_set skipping = tcpfsm::states_of(state::fin_wait_1);
#else
inline constexpr tcpfsm::state_set skipping =
    tcpfsm::states_of(state::fin_wait_1, state::fin_wait_2, state::closing);
#endif

inline constexpr auto table_under_test = skip_time_wait(tcpfsm::standard_table, skipping);

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
