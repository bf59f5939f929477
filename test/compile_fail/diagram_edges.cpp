// compile_fail: rule 'diagram_edges'.
// The mistake: ESTABLISHED + CLOSE arms the retransmission timer but forgets the FIN, which
// RFC 9293 Figure 5 puts on that edge ("CLOSE / snd FIN") and §3.10.4 requires (a FIN after
// all queued data).
// The table keeps every generic rule; only the Figure 5 check (edge 11 of
// tcpfsm::figure5_edges) finds it.
// Control: the FIN is sent, and the timer armed as well.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::state;
using namespace tcpfsm::action;

#ifdef TCPFSM_CF_CONTROL
inline constexpr tcpfsm::action_set on_close = send_fin | start_retransmission_timer;
#else
inline constexpr tcpfsm::action_set on_close = start_retransmission_timer;
#endif

inline constexpr auto table_under_test = tcpfsm::replace_row(
    tcpfsm::standard_table, tcpfsm::row(state::established, tcpfsm::event::close, state::fin_wait_1, on_close));

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
static_assert(tcpfsm::has_figure5_edges<user::table_under_test>);
