// tcpfsm: what the connection engine asks of its policies (segment I/O, clock, observer, ISS;
// the congestion-control policy is congestion/contract.hpp's), the null observer, and the checks with readable messages
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
#include "options/segment_options.hpp"
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
    // The options beside the header (options/segment_options.hpp), to go on the wire with it.
    // A SegmentIO that cannot carry them needs a configuration that does not offer them.
    segment_options options{};
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
    out_of_window_ack_rate_limited,  // the duplicate ACK for an unacceptable segment without text
                                     // was not sent (Linux's tcp_oow_rate_limited)
    timestamp_missing,  // RFC 7323 §3.2: no TSopt on a timestamp connection, dropped silently
                        // (missing_timestamp_policy::drop)
};

inline constexpr std::size_t drop_reason_count = 5;

constexpr const char* name(drop_reason r) noexcept {
    switch (r) {
        case drop_reason::challenge_ack_rate_limited: return "challenge_ack_rate_limited";
        case drop_reason::text_out_of_order: return "text_out_of_order";
        case drop_reason::text_beyond_window: return "text_beyond_window";
        case drop_reason::out_of_window_ack_rate_limited: return "out_of_window_ack_rate_limited";
        case drop_reason::timestamp_missing: return "timestamp_missing";
    }
    return "invalid";
}

// The numbers of a connection that a SYN reopened from TIME-WAIT (on_redirect_to_listener).
struct reopen_numbers {
    std::uint32_t iss = 0;      // the old ISS
    std::uint32_t snd_nxt = 0;  // the old SND.NXT: every sequence number the old one used is below it
    std::uint32_t rcv_nxt = 0;  // the old RCV.NXT (the new SYN's SEG.SEQ is above it, or its TSval is newer: RFC 6191 §2)
};

// An ISS for the new incarnation above every sequence number of the old one (RFC 9293 MAY-2
// condition (1), RFC 1122 4.2.2.13): Linux's tcp_timewait_state_process takes SND.NXT +
// 65535 + 2 (and 1 instead of 0).
constexpr std::uint32_t reopen_iss(const reopen_numbers& old) noexcept {
    const std::uint32_t iss = old.snd_nxt + 65537u;
    return iss == 0 ? 1u : iss;
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
    // TIME-WAIT (with time_wait_reopen): does a listener on this connection's port take this
    // new SYN (above RCV.NXT, or with a TSval newer than TS.Recent: RFC 6191 §2, RFC 1122
    // 4.2.2.13; Linux's TCP_TW_SYN)? Asked before the
    // segment is classified. Yes: the (TIME-WAIT, rcv_syn_reopen) row closes this connection
    // and on_redirect_to_listener hands the SYN over. No (the default): TIME-WAIT stays for
    // its 2MSL (MUST-13) and the SYN is answered with an ACK (the rcv_syn row's challenge ACK).
    bool listener_takes(const segment& /*syn*/) noexcept { return false; }
    // TIME-WAIT reopen (RFC 6191): the SYN starts a new connection; hand it to the listener of
    // its port. This connection is CLOSED now; `old` holds the numbers it had, so that the new
    // incarnation's ISS can lie above them (MAY-2 (1); reopen_iss(old) is Linux's choice).
    void on_redirect_to_listener(const segment& /*syn*/, const std::uint8_t* /*text*/,
                                 const reopen_numbers& /*old*/) noexcept {}
};

// The congestion-control policy of the Profile is checked by congestion/contract.hpp
// (tcpfsm::congestion::check_policy, is_congestion_control_v, the concept congestion_control).

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

// One trait per observer hook, so that a hook whose signature does not match (a derived
// observer that hides null_observer's hook with other parameter types) is named on its own.
#define TCPFSM_DETAIL_OBSERVER_HOOK(hook, ...)                                                     \
    template <class O, class = void>                                                             \
    struct observer_has_##hook : std::false_type {};                                             \
    template <class O>                                                                           \
    struct observer_has_##hook<O, void_t<decltype(std::declval<O&>().hook(__VA_ARGS__))>> : std::true_type {};
TCPFSM_DETAIL_OBSERVER_HOOK(on_row, state::closed, event::open_active, std::declval<const transition&>())
TCPFSM_DETAIL_OBSERVER_HOOK(on_state_change, state::closed, state::closed, event::open_active)
TCPFSM_DETAIL_OBSERVER_HOOK(on_signal, user_signal::connected)
TCPFSM_DETAIL_OBSERVER_HOOK(on_data, static_cast<const std::uint8_t*>(nullptr), std::uint32_t{})
TCPFSM_DETAIL_OBSERVER_HOOK(on_acked, std::uint32_t{})
TCPFSM_DETAIL_OBSERVER_HOOK(on_drop, drop_reason::text_out_of_order)
TCPFSM_DETAIL_OBSERVER_HOOK(listener_takes, std::declval<const segment&>())
TCPFSM_DETAIL_OBSERVER_HOOK(on_redirect_to_listener, std::declval<const segment&>(),
                            static_cast<const std::uint8_t*>(nullptr), std::declval<const reopen_numbers&>())
#undef TCPFSM_DETAIL_OBSERVER_HOOK

template <class O>
struct has_observer_hooks
    : std::integral_constant<bool, observer_has_on_row<O>::value && observer_has_on_state_change<O>::value &&
                                       observer_has_on_signal<O>::value && observer_has_on_data<O>::value &&
                                       observer_has_on_acked<O>::value && observer_has_on_drop<O>::value &&
                                       observer_has_listener_takes<O>::value &&
                                       observer_has_on_redirect_to_listener<O>::value> {};

// The connection's check of its Observer: one static_assert per hook, so that the message
// names the hook whose signature does not match null_observer's (a hook of a derived observer
// hides the base's whatever its parameters; derive from null_observer for the others).
template <class O>
struct observer_check : std::true_type {
    static_assert(observer_has_on_row<O>::value,
                  "tcpfsm::connection: Observer hook on_row does not match tcpfsm::null_observer's "
                  "`on_row(tcpfsm::state, tcpfsm::event, const tcpfsm::transition&)` (derive from null_observer)");
    static_assert(observer_has_on_state_change<O>::value,
                  "tcpfsm::connection: Observer hook on_state_change does not match tcpfsm::null_observer's "
                  "`on_state_change(tcpfsm::state, tcpfsm::state, tcpfsm::event)` (derive from null_observer)");
    static_assert(observer_has_on_signal<O>::value,
                  "tcpfsm::connection: Observer hook on_signal does not match tcpfsm::null_observer's "
                  "`on_signal(tcpfsm::user_signal)` (derive from null_observer)");
    static_assert(observer_has_on_data<O>::value,
                  "tcpfsm::connection: Observer hook on_data does not match tcpfsm::null_observer's "
                  "`on_data(const std::uint8_t*, std::uint32_t)` (derive from null_observer)");
    static_assert(observer_has_on_acked<O>::value,
                  "tcpfsm::connection: Observer hook on_acked does not match tcpfsm::null_observer's "
                  "`on_acked(std::uint32_t)` (derive from null_observer)");
    static_assert(observer_has_on_drop<O>::value,
                  "tcpfsm::connection: Observer hook on_drop does not match tcpfsm::null_observer's "
                  "`on_drop(tcpfsm::drop_reason)` (derive from null_observer)");
    static_assert(observer_has_on_redirect_to_listener<O>::value,
                  "tcpfsm::connection: Observer hook on_redirect_to_listener does not match tcpfsm::null_observer's "
                  "`on_redirect_to_listener(const tcpfsm::segment&, const std::uint8_t*, const tcpfsm::reopen_numbers&)` "
                  "(derive from null_observer)");
    static_assert(observer_has_listener_takes<O>::value,
                  "tcpfsm::connection: Observer hook listener_takes does not match tcpfsm::null_observer's "
                  "`bool listener_takes(const tcpfsm::segment&)` (derive from null_observer)");
};

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

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class T>
concept segment_io = is_segment_io_v<T>;
template <class T>
concept engine_clock = is_engine_clock_v<T>;
template <class T>
concept observer = is_observer_v<T>;
template <class T>
concept iss_generator = is_iss_generator_v<T>;
#endif

}  // namespace tcpfsm

#endif  // TCPFSM_POLICIES_HPP
