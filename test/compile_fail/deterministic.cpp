// compile_fail: rule 'deterministic'.
// The mistake: a variant wants ESTABLISHED + FIN to also deliver the text that is still
// queued ("FIN implies PUSH", RFC 9293 §3.10.7.4 eighth step) and appends its row with
// append_rows, so (ESTABLISHED, rcv_fin) now has two rows.
// Control: the same row put in with replace_row.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::action::deliver_data;
using tcpfsm::action::send_ack;
using tcpfsm::action::signal_closing;

inline constexpr tcpfsm::transition fin_pushes_text =
    tcpfsm::row(tcpfsm::state::established, tcpfsm::event::rcv_fin, tcpfsm::state::close_wait,
                send_ack | signal_closing | deliver_data);

#ifdef TCPFSM_CF_CONTROL
inline constexpr auto table_under_test = tcpfsm::replace_row(tcpfsm::standard_table, fin_pushes_text);
#else
inline constexpr auto table_under_test =
    tcpfsm::append_rows(tcpfsm::standard_table, tcpfsm::transition_table<1>{{fin_pushes_text}});
#endif

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
