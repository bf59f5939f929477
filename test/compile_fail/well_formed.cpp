// compile_fail: rule 'well_formed'.
// The mistake: the RFC 1337 §3 fix F1 ("ignore RST segments in TIME-WAIT") written with
// replace_row, but keyed on rcv_rst_passive, an event that exists only in SYN-RECEIVED
// entered from LISTEN (MUST-11). TIME-WAIT has no such row, so replace_row marks its copy
// broken (its row 0 names an invalid state) instead of silently changing nothing.
// Control: keyed on rcv_rst, which gives tcpfsm::rfc1337_table (variants.hpp).
#include <tcpfsm/tcpfsm.hpp>

namespace user {

#ifdef TCPFSM_CF_CONTROL
inline constexpr tcpfsm::event rst_in_time_wait = tcpfsm::event::rcv_rst;
#else
inline constexpr tcpfsm::event rst_in_time_wait = tcpfsm::event::rcv_rst_passive;
#endif

inline constexpr auto table_under_test = tcpfsm::replace_row(
    tcpfsm::standard_table,
    tcpfsm::row(tcpfsm::state::time_wait, rst_in_time_wait, tcpfsm::state::time_wait));

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
