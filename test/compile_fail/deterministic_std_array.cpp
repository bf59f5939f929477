// compile_fail: rule 'deterministic', for a user table kept in a std::array (every tcpfsm
// function that takes a table also takes a std::array<transition, N>: transition.hpp).
// The mistake: as in deterministic.cpp, a second row for (ESTABLISHED, rcv_fin) appended
// with append_rows instead of replacing the standard one.
// Control: the same row put in with replace_row.
#include <array>

#include <tcpfsm/tcpfsm.hpp>

namespace user {

using tcpfsm::state;
using namespace tcpfsm::action;

template <std::size_t N>
constexpr std::array<tcpfsm::transition, N> to_std_array(const tcpfsm::transition_table<N>& table) noexcept {
    std::array<tcpfsm::transition, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = table[i];
    return out;
}

inline constexpr auto standard_copy = to_std_array(tcpfsm::standard_table);

// "FIN implies PUSH" (RFC 9293 §3.10.7.4 eighth step): deliver the text still queued.
inline constexpr tcpfsm::transition fin_pushes_text =
    tcpfsm::row(state::established, tcpfsm::event::rcv_fin, state::close_wait,
                send_ack | signal_closing | deliver_data);

#ifdef TCPFSM_CF_CONTROL
inline constexpr auto table_under_test = tcpfsm::replace_row(standard_copy, fin_pushes_text);
#else
inline constexpr auto table_under_test =
    tcpfsm::append_rows(standard_copy, std::array<tcpfsm::transition, 1>{{fin_pushes_text}});
#endif

}  // namespace user

static_assert(tcpfsm::verified<user::table_under_test>);
