// Empty policies for tcpfsm::connection, for the size of the TCB alone: the unit test "the TCB
// with empty policies" and the benchmarks' sizes program (bench/sizes.cpp) measure the same type.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_EMPTY_POLICIES_HPP
#define TCPFSM_TEST_EMPTY_POLICIES_HPP

#include <tcpfsm/connection.hpp>
#include <tcpfsm/congestion/newreno.hpp>
#include <tcpfsm/congestion/unlimited.hpp>

#include <chrono>
#include <cstdint>

namespace tcpfsm_test {

struct empty_io {
    void send(const tcpfsm::outgoing_segment&) noexcept {}
};
struct empty_clock {
    std::chrono::steady_clock::time_point now() const noexcept { return {}; }
};
struct empty_iss {
    std::uint32_t operator()(const tcpfsm::four_tuple&, std::uint64_t) const noexcept { return 0; }
};

// An empty Observer with the placement hooks (on_place, on_readable): the engine keeps its
// reassembly queue (default capacity 8) for it.
struct empty_placing_observer : tcpfsm::null_observer {
    void on_place(std::uint32_t, const std::uint8_t*, std::uint32_t) noexcept {}
    void on_readable(std::uint32_t) noexcept {}
};

// The compact profile: the smallest congestion-control policy that does RFC 5681 and RFC 3465
// (NewReno without undo, SMSS and the initial window from the engine: cwnd, ssthresh,
// bytes_acked), the configuration fixed at compile time (with_static_config: no pointer
// to it in the TCB), without timestamps (RFC 7323 §3-5: with_timestamps<..., false>, no
// timestamp state in the TCB) and without SACK (with_sack<..., false>: no scoreboard).
using compact_congestion =
    tcpfsm::congestion::newreno<tcpfsm::congestion::abc_slow_start<>, tcpfsm::congestion::newreno_smallest_options>;
using compact_profile = tcpfsm::with_timestamps<
    tcpfsm::with_static_config<
        tcpfsm::with_sack<tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, compact_congestion>,
                          false>,
        tcpfsm::default_connection_config>,
    false>;
using empty_tcb = tcpfsm::connection<empty_io, empty_clock, tcpfsm::null_observer, empty_iss, compact_profile>;
// The same with each ready policy, for the report.
template <class CC>
using empty_tcb_with = tcpfsm::connection<empty_io, empty_clock, tcpfsm::null_observer, empty_iss,
                                          tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, CC>>;

}  // namespace tcpfsm_test

#endif  // TCPFSM_TEST_EMPTY_POLICIES_HPP
