// tcpfsm: what the engine asks of a congestion-control policy (RFC 9293 §3.8.2 MUST-19,
// RFC 5681), the per-ACK sample it hands over, and the compile-time checks (a trait, a
// static_assert naming the missing hook, a C++20 concept). The split of work is Linux's
// (tcp_cong.c behind struct tcp_congestion_ops): the policy grows cwnd outside loss recovery
// and supplies ssthresh on a loss; the loss-recovery component owns cwnd during fast
// recovery and hands it back at the exit. See docs/congestion.md.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_CONGESTION_CONTRACT_HPP
#define TCPFSM_CONGESTION_CONTRACT_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace tcpfsm {
namespace congestion {

// The largest cwnd a policy grows to: 2^30 octets, the largest window RFC 7323 §2.3 allows
// (window scale 14). Keeps every sum of two windows inside 32 bits.
inline constexpr std::uint32_t cwnd_cap = std::uint32_t{1} << 30;

// ssthresh before the first congestion event: "arbitrarily high" (RFC 5681 §3.1).
inline constexpr std::uint32_t ssthresh_initial = 0xFFFFFFFFu;

// One ACK that advanced SND.UNA while the sender was not in loss recovery.
struct ack_sample {
    std::uint32_t acked_octets;  // newly acknowledged octets (the advance of SND.UNA)
    std::uint32_t snd_una;       // SND.UNA after the ACK
    std::uint32_t snd_nxt;       // SND.NXT when the ACK arrived
    std::uint32_t in_flight;     // octets in flight before the ACK (SND.NXT - SND.UNA, RFC 5681 FlightSize)
    std::uint32_t rtt_us;        // an RTT sample taken from this ACK (Karn's rule), in µs; 0 = none
                                 // (one per RTT, or on most ACKs with rtt_probes_v, below)
    std::uint32_t srtt_us;       // the engine's smoothed RTT (RFC 6298 SRTT) after this ACK, µs; 0 = none yet
    std::uint32_t smss;          // SMSS now (RFC 5681 §2; it may shrink with path MTU discovery)
    bool cwnd_limited;           // the flight was limited by cwnd, not by the application or
                                 // the peer's window (RFC 7661 §4.3, Linux tcp_is_cwnd_limited):
                                 // cwnd grows only on such ACKs
    std::uint64_t now_us;        // the time of arrival, in µs (the engine's clock; the policy reads none)
};

// Where a policy is, for STATUS (optional hook `current_phase()`).
enum class phase : std::uint8_t {
    slow_start,                 // cwnd < ssthresh (RFC 5681 §3.1)
    conservative_slow_start,    // HyStart++ CSS (RFC 9406 §4.2)
    congestion_avoidance,       // cwnd >= ssthresh
};

inline constexpr std::size_t phase_count = 3;

constexpr const char* name(phase p) noexcept {
    switch (p) {
        case phase::slow_start: return "slow_start";
        case phase::conservative_slow_start: return "conservative_slow_start";
        case phase::congestion_avoidance: return "congestion_avoidance";
    }
    return "invalid";
}

// ------------------------------------------------------------------------------------------
// Compile-time checks
// ------------------------------------------------------------------------------------------

namespace detail {
template <class...>
using void_t = void;

template <class T, class = void>
struct has_init : std::false_type {};
template <class T>
struct has_init<T, void_t<decltype(std::declval<T&>().init(std::uint32_t{}, std::uint32_t{}, std::uint64_t{}))>>
    : std::true_type {};

template <class T, class = void>
struct has_windows : std::false_type {};
template <class T>
struct has_windows<T, void_t<decltype(static_cast<std::uint32_t>(std::declval<const T&>().cwnd())),
                             decltype(static_cast<std::uint32_t>(std::declval<const T&>().ssthresh()))>>
    : std::true_type {};

template <class T, class = void>
struct has_on_ack : std::false_type {};
template <class T>
struct has_on_ack<T, void_t<decltype(std::declval<T&>().on_ack(std::declval<const ack_sample&>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_on_loss : std::false_type {};
template <class T>
struct has_on_loss<T, void_t<decltype(static_cast<std::uint32_t>(
                          std::declval<T&>().on_loss(std::uint32_t{}, std::uint64_t{})))>> : std::true_type {};

// The same with SMSS from the engine (a policy that keeps no copy of it).
template <class T, class = void>
struct has_on_loss_smss : std::false_type {};
template <class T>
struct has_on_loss_smss<T, void_t<decltype(static_cast<std::uint32_t>(std::declval<T&>().on_loss(
                               std::uint32_t{}, std::uint32_t{}, std::uint64_t{})))>> : std::true_type {};

template <class T, class = void>
struct has_on_recovery_exit : std::false_type {};
template <class T>
struct has_on_recovery_exit<T, void_t<decltype(std::declval<T&>().on_recovery_exit(std::uint32_t{}, std::uint64_t{}))>>
    : std::true_type {};

template <class T, class = void>
struct has_on_timeout : std::false_type {};
template <class T>
struct has_on_timeout<T, void_t<decltype(std::declval<T&>().on_timeout(std::uint32_t{}, bool{}, std::uint64_t{}))>>
    : std::true_type {};

template <class T, class = void>
struct has_on_timeout_smss : std::false_type {};
template <class T>
struct has_on_timeout_smss<T, void_t<decltype(std::declval<T&>().on_timeout(std::uint32_t{}, bool{}, std::uint32_t{},
                                                                           std::uint64_t{}))>> : std::true_type {};

template <class T, class = void>
struct has_on_restart_after_idle : std::false_type {};
template <class T>
struct has_on_restart_after_idle<T, void_t<decltype(std::declval<T&>().on_restart_after_idle(
                                        std::uint64_t{}, std::uint64_t{}, std::uint64_t{}))>> : std::true_type {};

// The same with the initial window from the engine.
template <class T, class = void>
struct has_on_restart_after_idle_iw : std::false_type {};
template <class T>
struct has_on_restart_after_idle_iw<T, void_t<decltype(std::declval<T&>().on_restart_after_idle(
                                           std::uint64_t{}, std::uint64_t{}, std::uint32_t{}, std::uint64_t{}))>>
    : std::true_type {};

template <class T, class = void>
struct has_on_spurious_undo : std::false_type {};
template <class T>
struct has_on_spurious_undo<T, void_t<decltype(std::declval<T&>().on_spurious_undo(std::uint64_t{}))>>
    : std::true_type {};

// `static constexpr std::uint32_t rtt_probes` of the policy, else of its slow-start
// component (`slow_start_type`), else 0.
template <class T, class = void>
struct slow_start_rtt_probes : std::integral_constant<std::uint32_t, 0> {};
template <class T>
struct slow_start_rtt_probes<T, void_t<decltype(T::slow_start_type::rtt_probes)>>
    : std::integral_constant<std::uint32_t, T::slow_start_type::rtt_probes> {};
template <class T, class = void>
struct policy_rtt_probes : slow_start_rtt_probes<T> {};
template <class T>
struct policy_rtt_probes<T, void_t<decltype(T::rtt_probes)>> : std::integral_constant<std::uint32_t, T::rtt_probes> {};

template <class T, class = void>
struct has_phase : std::false_type {};
template <class T>
struct has_phase<T, void_t<decltype(static_cast<phase>(std::declval<const T&>().current_phase()))>> : std::true_type {};
}  // namespace detail

// The hooks that take SMSS or the initial window from the engine, for a policy that keeps
// no copy of them (newreno_smallest_options): on_loss(flight_size, smss, now_us),
// on_timeout(flight_size, repeated, smss, now_us), on_restart_after_idle(idle_us, rto_us,
// initial_window, now_us). The engine calls this form where the policy has it, else the
// short one; each hook needs one of its two forms.
template <class T>
inline constexpr bool has_on_loss_smss_v = detail::has_on_loss_smss<T>::value;
template <class T>
inline constexpr bool has_on_timeout_smss_v = detail::has_on_timeout_smss<T>::value;
template <class T>
inline constexpr bool has_on_restart_after_idle_iw_v = detail::has_on_restart_after_idle_iw<T>::value;

// A congestion-control policy: every required hook of the contract (docs/congestion.md).
template <class T>
inline constexpr bool is_congestion_control_v =
    detail::has_init<T>::value && detail::has_windows<T>::value && detail::has_on_ack<T>::value &&
    (detail::has_on_loss<T>::value || detail::has_on_loss_smss<T>::value) && detail::has_on_recovery_exit<T>::value &&
    (detail::has_on_timeout<T>::value || detail::has_on_timeout_smss<T>::value) &&
    (detail::has_on_restart_after_idle<T>::value || detail::has_on_restart_after_idle_iw<T>::value);

// The optional hooks: the engine calls them when present (if constexpr).
template <class T>
inline constexpr bool has_spurious_undo_v = detail::has_on_spurious_undo<T>::value;
template <class T>
inline constexpr bool has_phase_v = detail::has_phase<T>::value;
// How many segments of new data the engine times at once so that ack_sample::rtt_us carries
// a sample on every ACK that covers one (RFC 9406 §4.2's "all RTT samples" of a round):
// `static constexpr std::uint32_t rtt_probes` of the policy or of its `slow_start_type`
// (hystart_pp: N_RTT_SAMPLE, 8); 0 when neither says: one sample per RTT (Karn's sampler).
template <class T>
inline constexpr std::uint32_t rtt_probes_v = detail::policy_rtt_probes<T>::value;

// For the engine: `static_assert(tcpfsm::congestion::check_policy<CC>());` rejects a policy
// with a message naming the first hook it lacks (the compile-fail test
// test/congestion/policy_missing_hook.cpp holds one).
template <class T>
constexpr bool check_policy() noexcept {
    static_assert(detail::has_init<T>::value,
                  "tcpfsm::congestion: the policy needs `init(std::uint32_t smss, std::uint32_t initial_window, "
                  "std::uint64_t now_us)`");
    static_assert(detail::has_windows<T>::value,
                  "tcpfsm::congestion: the policy needs `cwnd() const` and `ssthresh() const` returning std::uint32_t");
    static_assert(detail::has_on_ack<T>::value,
                  "tcpfsm::congestion: the policy needs `on_ack(const tcpfsm::congestion::ack_sample&)`");
    static_assert(detail::has_on_loss<T>::value || detail::has_on_loss_smss<T>::value,
                  "tcpfsm::congestion: the policy needs `on_loss(std::uint32_t flight_size, std::uint64_t now_us)` "
                  "returning ssthresh (or `on_loss(flight_size, std::uint32_t smss, now_us)`)");
    static_assert(detail::has_on_recovery_exit<T>::value,
                  "tcpfsm::congestion: the policy needs `on_recovery_exit(std::uint32_t cwnd, std::uint64_t now_us)`");
    static_assert(detail::has_on_timeout<T>::value || detail::has_on_timeout_smss<T>::value,
                  "tcpfsm::congestion: the policy needs `on_timeout(std::uint32_t flight_size, bool repeated, "
                  "std::uint64_t now_us)` (or `on_timeout(flight_size, repeated, std::uint32_t smss, now_us)`)");
    static_assert(detail::has_on_restart_after_idle<T>::value || detail::has_on_restart_after_idle_iw<T>::value,
                  "tcpfsm::congestion: the policy needs `on_restart_after_idle(std::uint64_t idle_us, "
                  "std::uint64_t rto_us, std::uint64_t now_us)` (or `on_restart_after_idle(idle_us, rto_us, "
                  "std::uint32_t initial_window, now_us)`)");
    return is_congestion_control_v<T>;
}

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
template <class T>
concept congestion_control = is_congestion_control_v<T>;
#endif

}  // namespace congestion
}  // namespace tcpfsm

#endif  // TCPFSM_CONGESTION_CONTRACT_HPP
