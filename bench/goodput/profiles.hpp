// The goodput benchmark's engine profiles: THE ONE PLACE where the congestion policy of the
// tcpfsm columns is chosen. The engine's profile takes a congestion-control policy of
// include/tcpfsm/congestion/ (send_path.hpp drives it with loss_recovery.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_PROFILES_HPP
#define TCPFSM_BENCH_GOODPUT_PROFILES_HPP

#include <tcpfsm/connection.hpp>

namespace tcpfsm_goodput {

inline constexpr bool congestion_policies_integrated = true;
using newreno_profile =
    tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, tcpfsm::congestion::newreno<>>;
using cubic_profile = tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, tcpfsm::congestion::cubic<>>;

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_PROFILES_HPP
