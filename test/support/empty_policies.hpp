// Empty policies for tcpfsm::connection, for the size of the TCB alone: the unit test "the TCB
// with empty policies" and the benchmarks' sizes program (bench/sizes.cpp) measure the same type.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_EMPTY_POLICIES_HPP
#define TCPFSM_TEST_EMPTY_POLICIES_HPP

#include <tcpfsm/connection.hpp>

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

using empty_tcb = tcpfsm::connection<empty_io, empty_clock, tcpfsm::null_observer, empty_iss>;

}  // namespace tcpfsm_test

#endif  // TCPFSM_TEST_EMPTY_POLICIES_HPP
