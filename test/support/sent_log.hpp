// What an engine under test sent and the time its Clock reads, kept per test, with the Clock
// and the SegmentIO that use it: the pieces the option, SACK and RACK engine tests share
// (tcpfsm_engine_harness.hpp is the scripted harness with one global clock).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_SENT_LOG_HPP
#define TCPFSM_TEST_SENT_LOG_HPP

#include <tcpfsm/connection.hpp>

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace tcpfsm_test {

// The segments sent (whole, options included, or `tcpfsm::segment` for the headers alone)
// and the engine's clock in milliseconds, starting at `StartMs`.
template <class Sent = tcpfsm::outgoing_segment, std::int64_t StartMs = 1000000>
struct sent_log {
    std::int64_t now_ms = StartMs;
    std::vector<Sent> sent;
};

// The Clock policy: the log's now_ms.
template <class Log>
struct log_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    const Log* r;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(r->now_ms)); }
};

// The SegmentIO policy: every segment into the log.
template <class Log>
struct log_io {
    Log* r;
    void send(const tcpfsm::outgoing_segment& s) noexcept {
        if constexpr (std::is_same<typename decltype(Log::sent)::value_type, tcpfsm::segment>::value) {
            r->sent.push_back(s.header);
        } else {
            r->sent.push_back(s);
        }
    }
};

}  // namespace tcpfsm_test

#endif  // TCPFSM_TEST_SENT_LOG_HPP
