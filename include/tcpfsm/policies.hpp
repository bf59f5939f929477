// tcpfsm: what the connection engine asks of its policies (segment I/O, clock, observer, ISS,
// congestion hook), the null observer, and the compile-time checks with readable messages
// (C++20 concepts where the compiler has them, the same checks as static_assert in C++17).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_POLICIES_HPP
#define TCPFSM_POLICIES_HPP

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "event.hpp"
#include "iss.hpp"
#include "segment.hpp"
#include "state.hpp"
#include "transition.hpp"

namespace tcpfsm {

// One segment the engine sends. Its text is `header.text_length` octets of the consumer's
// send buffer starting at `text_offset`, where the buffer holds the octets from SND.UNA on
// (the consumer drops octets from its front when the observer's on_acked says so).
struct outgoing_segment {
    segment header;
    std::uint32_t text_offset = 0;
};

// What the engine tells the user (RFC 9293 §3.9.1, §3.10 "signal the user").
enum class user_signal : std::uint8_t {
    connected,        // active OPEN completed (ESTABLISHED)
    accepted,         // passive OPEN completed
    closing,          // the peer's FIN: no more data will arrive (end of stream)
    reset,            // "connection reset"
    refused,          // "connection refused": our SYN was answered by RST
    timed_out,        // retransmissions, keepalive, FIN-WAIT-2 or user timeout gave up
    closed,           // the connection is fully closed
    retries_exceeded_r1,  // R1 retransmissions of one segment (§3.8.3 (b), SHLD-9: advise the user)
};

inline constexpr std::size_t user_signal_count = 8;

constexpr const char* name(user_signal s) noexcept {
    switch (s) {
        case user_signal::connected: return "connected";
        case user_signal::accepted: return "accepted";
        case user_signal::closing: return "closing";
        case user_signal::reset: return "reset";
        case user_signal::refused: return "refused";
        case user_signal::timed_out: return "timed_out";
        case user_signal::closed: return "closed";
        case user_signal::retries_exceeded_r1: return "retries_exceeded_r1";
    }
    return "invalid";
}

// Why the engine dropped something that no table row names (the rows name the rest: the
// event of each row is the reason for its reply or its silence).
enum class drop_reason : std::uint8_t {
    challenge_ack_rate_limited,  // RFC 5961 §7: the challenge ACK was not sent
    text_out_of_order,           // in the window but not at RCV.NXT: not held, a duplicate ACK asks again
    text_beyond_window,          // the part of the text beyond RCV.WND was cut off (§3.10.7.4 first step)
};

inline constexpr std::size_t drop_reason_count = 3;

constexpr const char* name(drop_reason r) noexcept {
    switch (r) {
        case drop_reason::challenge_ack_rate_limited: return "challenge_ack_rate_limited";
        case drop_reason::text_out_of_order: return "text_out_of_order";
        case drop_reason::text_beyond_window: return "text_beyond_window";
    }
    return "invalid";
}

// The observer that observes nothing; every hook is an empty inline function, so a
// connection with it compiles to nothing more than without hooks. Derive from it and hide
// the hooks you want: the engine calls them through the derived type (no virtual calls).
struct null_observer {
    // Every row the engine runs, in order: the event is the reason for what the row does.
    void on_row(state /*from*/, event /*on*/, const transition& /*row*/) noexcept {}
    // The state changed (only ever by a row). On the way to CLOSED or back to LISTEN the
    // connection's numbers are forgotten: what is left in the consumer's send buffer belongs
    // to no connection any more.
    void on_state_change(state /*from*/, state /*to*/, event /*on*/) noexcept {}
    void on_signal(user_signal /*signal*/) noexcept {}
    // In-order text for the user (§3.10.7.4 seventh step). The octets count against the
    // receive window until the user calls receive(n).
    void on_data(const std::uint8_t* /*text*/, std::uint32_t /*length*/) noexcept {}
    // `octets` of sent data were acknowledged: drop them from the front of the send buffer.
    void on_acked(std::uint32_t /*octets*/) noexcept {}
    void on_drop(drop_reason /*reason*/) noexcept {}
    // TIME-WAIT reopen (RFC 6191): the segment starts a new connection; hand it to the
    // listener of its port. This connection is CLOSED now.
    void on_redirect_to_listener(const segment& /*syn*/, const std::uint8_t* /*text*/) noexcept {}
};

// The congestion-control hook: caps the usable window. The engine has no congestion control
// of its own (docs/engine.md, scope); this one caps nothing.
struct no_congestion_control {
    constexpr std::uint32_t usable_window(std::uint32_t send_window, std::uint32_t /*in_flight*/) const noexcept {
        return send_window;
    }
};

// ------------------------------------------------------------------------------------------
// Compile-time checks
// ------------------------------------------------------------------------------------------

namespace detail {
template <class...>
using void_t = void;

template <class IO, class = void>
struct has_send : std::false_type {};
template <class IO>
struct has_send<IO, void_t<decltype(std::declval<IO&>().send(std::declval<const outgoing_segment&>()))>>
    : std::true_type {};

template <class Clock, class = void>
struct has_now_time_point : std::false_type {};
template <class Clock>
struct has_now_time_point<Clock, void_t<decltype(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::declval<Clock&>().now().time_since_epoch()))>> : std::true_type {};

template <class Iss, class = void>
struct has_iss_call : std::false_type {};
template <class Iss>
struct has_iss_call<Iss, void_t<decltype(static_cast<std::uint32_t>(
                             std::declval<const Iss&>()(std::declval<const four_tuple&>(), std::uint64_t{})))>>
    : std::true_type {};

template <class O, class = void>
struct has_observer_hooks : std::false_type {};
template <class O>
struct has_observer_hooks<
    O, void_t<decltype(std::declval<O&>().on_row(state::closed, event::open_active, std::declval<const transition&>())),
              decltype(std::declval<O&>().on_state_change(state::closed, state::closed, event::open_active)),
              decltype(std::declval<O&>().on_signal(user_signal::connected)),
              decltype(std::declval<O&>().on_data(static_cast<const std::uint8_t*>(nullptr), std::uint32_t{})),
              decltype(std::declval<O&>().on_acked(std::uint32_t{})),
              decltype(std::declval<O&>().on_drop(drop_reason::text_out_of_order)),
              decltype(std::declval<O&>().on_redirect_to_listener(std::declval<const segment&>(),
                                                                  static_cast<const std::uint8_t*>(nullptr)))>>
    : std::true_type {};

template <class C, class = void>
struct has_usable_window : std::false_type {};
template <class C>
struct has_usable_window<C, void_t<decltype(static_cast<std::uint32_t>(
                                std::declval<const C&>().usable_window(std::uint32_t{}, std::uint32_t{})))>>
    : std::true_type {};
}  // namespace detail

// SegmentIO: `io.send(const outgoing_segment&)` puts one segment on the wire.
template <class T>
inline constexpr bool is_segment_io_v = detail::has_send<T>::value;
// Clock: `clock.now()` returns a std::chrono time point (any clock, any duration).
template <class T>
inline constexpr bool is_engine_clock_v = detail::has_now_time_point<T>::value;
// Observer: every hook of null_observer (derive from it to get the ones you do not write).
template <class T>
inline constexpr bool is_observer_v = detail::has_observer_hooks<T>::value;
// ISS: `iss(four_tuple, microseconds) -> std::uint32_t` (rfc6528_iss, fixed_iss).
template <class T>
inline constexpr bool is_iss_generator_v = detail::has_iss_call<T>::value;
// Congestion hook: `cc.usable_window(send_window, in_flight) -> std::uint32_t`.
template <class T>
inline constexpr bool is_congestion_hook_v = detail::has_usable_window<T>::value;

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class T>
concept segment_io = is_segment_io_v<T>;
template <class T>
concept engine_clock = is_engine_clock_v<T>;
template <class T>
concept observer = is_observer_v<T>;
template <class T>
concept iss_generator = is_iss_generator_v<T>;
template <class T>
concept congestion_hook = is_congestion_hook_v<T>;
#endif

}  // namespace tcpfsm

#endif  // TCPFSM_POLICIES_HPP
