// tcpfsm: variants of the standard table. Part of the core section of the umbrella
// tcpfsm.hpp (not of core.hpp, which the engine headers include).
//
// Their full verification (verified<>, has_figure5_edges<>) is not repeated in every
// translation unit that includes this: it cost each one 151 M of g++'s instructions for
// fixed data. It runs in the library's own build (test/unit/verify_test.cpp); where a
// variant is used, the engine checks what it relies on (connection.hpp: well formed,
// deterministic, total), and a user who wants the proof in their build writes the
// static_asserts below.
//
//   static_assert(tcpfsm::verified<tcpfsm::rfc1337_table>);
//   static_assert(tcpfsm::verified<tcpfsm::strict_table, tcpfsm::transient_states_strict.bits>);
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_VARIANTS_HPP
#define TCPFSM_VARIANTS_HPP

#include "core.hpp"

namespace tcpfsm {

// RFC 1337 §3 (TIME-WAIT assassination, fix F1): TIME-WAIT ignores RST.
inline constexpr auto rfc1337_table = replace_row(
    standard_table, row(state::time_wait, event::rcv_rst, state::time_wait));

// RFC 9293 to the letter: FIN-WAIT-2 waits for the peer's FIN forever, and a SYN in
// TIME-WAIT only earns a challenge ACK. Verify with transient_states_strict (under the
// default transient states FIN-WAIT-2 leaks: test/unit/verify_test.cpp).
inline constexpr auto strict_table = replace_row(
    replace_row(standard_table, row(state::fin_wait_2, event::timeout_fin_wait_2, state::fin_wait_2)),
    row(state::time_wait, event::rcv_syn_reopen, state::time_wait, action::send_challenge_ack));

}  // namespace tcpfsm

#endif  // TCPFSM_VARIANTS_HPP
