// The goodput benchmark's engine profiles: THE ONE PLACE where the congestion policy of the
// tcpfsm columns is chosen.
//
// BEFORE THE DATA-PATH INTEGRATION (this file as committed on h/sim): the engine's profile
// takes a congestion *hook* (no_congestion_control: it caps nothing, so the sender fills the
// peer's window), and the NewReno and CUBIC policies of include/tcpfsm/congestion/ are not
// yet driven by the engine. Both columns therefore run the same engine, and
// `congestion_policies_integrated` is false (the JSON and the table say so).
//
// AFTER THE INTEGRATION: replace the two aliases with
//     using newreno_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
//                                                    tcpfsm::congestion::newreno<>>;
//     using cubic_profile   = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator,
//                                                    tcpfsm::congestion::cubic<>>;
// (or however the integrated profile names its congestion policy) and set the flag to true.
// Nothing else in bench/goodput depends on the choice.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_PROFILES_HPP
#define TCPFSM_BENCH_GOODPUT_PROFILES_HPP

#include <tcpfsm/connection.hpp>

namespace tcpfsm_goodput {

inline constexpr bool congestion_policies_integrated = false;
using newreno_profile = tcpfsm::default_profile;
using cubic_profile = tcpfsm::default_profile;

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_PROFILES_HPP
