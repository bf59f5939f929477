// compile_fail: rule 'total'.
// The mistake: a hand-trimmed table drops TIME-WAIT's "any other timeout" row, so a stale
// retransmission (or keepalive, persist, ...) timer expiring in TIME-WAIT has no row.
// TIME-WAIT's only exact timeout row is timeout_time_wait (§3.10.8), and check_total scans
// events in enum order, so the first uncovered pair is (time_wait, timeout_retransmit).
// Control: drops TIME-WAIT's rcv_data row instead, which says exactly what TIME-WAIT's
// any_segment row says (§3.10.7.4 seventh step: ignore), so every pair stays covered.
#include <tcpfsm/tcpfsm.hpp>

namespace user {

// `table` without its row for (from, on), one row shorter. Without such a row the copy is
// marked broken the way replace_row marks it (row 0 names an invalid state), so that a typo
// here shows up as 'well_formed', never as the rule under test.
template <std::size_t N>
constexpr tcpfsm::transition_table<N - 1> without_row(const tcpfsm::transition_table<N>& table,
                                                      tcpfsm::state from, tcpfsm::event on) noexcept {
    tcpfsm::transition_table<N - 1> out{};
    std::size_t kept = 0;
    bool dropped = false;
    for (const auto& r : table) {
        if (!dropped && r.from == from && r.on == on) {
            dropped = true;
        } else if (kept < N - 1) {
            out[kept++] = r;
        }
    }
    if (!dropped) out[0].from = static_cast<tcpfsm::state>(0xFF);
    return out;
}

#ifdef TCPFSM_CF_CONTROL
inline constexpr tcpfsm::event dropped_trigger = tcpfsm::event::rcv_data;
#else
inline constexpr tcpfsm::event dropped_trigger = tcpfsm::any_timeout;
#endif

inline constexpr auto table_under_test =
    without_row(tcpfsm::standard_table, tcpfsm::state::time_wait, dropped_trigger);

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
