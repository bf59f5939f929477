// compile_fail: rule 'no_leaks'.
// The mistake: TIME-WAIT's 2*MSL timeout restarts the timer and stays in TIME-WAIT instead
// of deleting the TCB and entering CLOSED (RFC 9293 §3.10.8, Figure 5 "Timeout=2MSL /
// delete TCB"). TIME-WAIT still reaches CLOSED on ABORT or RST, so only the rule about
// timeouts alone breaks: a connection nobody attends to stays in TIME-WAIT forever.
// Control: the timeout goes to CLOSED and deletes the TCB, without signalling the user.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::state;
using namespace tcpfsm::action;

#ifdef TCPFSM_CF_CONTROL
inline constexpr tcpfsm::transition after_2msl =
    tcpfsm::row(state::time_wait, tcpfsm::event::timeout_time_wait, state::closed, stop_timers | delete_tcb);
#else
inline constexpr tcpfsm::transition after_2msl =
    tcpfsm::row(state::time_wait, tcpfsm::event::timeout_time_wait, state::time_wait, restart_time_wait_timer);
#endif

inline constexpr auto table_under_test = tcpfsm::replace_row(tcpfsm::standard_table, after_2msl);

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
