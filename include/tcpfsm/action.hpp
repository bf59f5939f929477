// tcpfsm: what a transition does (segments to send, timers, user signals) and the
// errors RFC 9293 §3.10 returns to user calls.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_ACTION_HPP
#define TCPFSM_ACTION_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {

// A small flag set. Several actions of one row run in the order of their bits.
struct action_set {
    std::uint32_t bits = 0;

    constexpr bool empty() const noexcept { return bits == 0; }
    constexpr bool contains(action_set other) const noexcept {
        return (bits & other.bits) == other.bits;
    }
    constexpr bool intersects(action_set other) const noexcept { return (bits & other.bits) != 0; }

    friend constexpr action_set operator|(action_set a, action_set b) noexcept {
        return action_set{a.bits | b.bits};
    }
    friend constexpr action_set operator&(action_set a, action_set b) noexcept {
        return action_set{a.bits & b.bits};
    }
    friend constexpr action_set operator-(action_set a, action_set b) noexcept {
        return action_set{a.bits & ~b.bits};
    }
    friend constexpr bool operator==(action_set a, action_set b) noexcept { return a.bits == b.bits; }
    friend constexpr bool operator!=(action_set a, action_set b) noexcept { return a.bits != b.bits; }
};

namespace action {
// Nothing to do: the segment is dropped, the call returns, the stale timer is ignored.
inline constexpr action_set none{0};

// --- segments (their fields per RFC 9293 §3.10; the engine fills them in) ---
inline constexpr action_set send_syn{1u << 0};       // <SEQ=ISS><CTL=SYN>
inline constexpr action_set send_syn_ack{1u << 1};   // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
inline constexpr action_set send_ack{1u << 2};       // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
inline constexpr action_set send_fin{1u << 3};       // FIN after all queued data (§3.10.4)
inline constexpr action_set send_rst{1u << 4};       // RST per §3.5.2 from the offending segment
inline constexpr action_set send_challenge_ack{1u << 5};    // RFC 5961 §3-§5, rate limited (§7)
inline constexpr action_set retransmit{1u << 6};            // oldest unacknowledged data or FIN
inline constexpr action_set send_keepalive_probe{1u << 7};  // <SEQ=SND.NXT-1><ACK=RCV.NXT> (§3.8.4)
inline constexpr action_set send_window_probe{1u << 8};     // zero-window probe (§3.8.6.1)

// --- data and user calls ---
inline constexpr action_set queue_data{1u << 9};     // SEND accepted: queue for transmission
inline constexpr action_set deliver_data{1u << 10};  // text goes to the user (§3.10.7.4 seventh)

// --- timers: start means (re)arm from now; stops run before starts in one row ---
inline constexpr action_set stop_timers{1u << 11};  // every timer of this connection
inline constexpr action_set stop_retransmission_timer{1u << 12};
inline constexpr action_set start_retransmission_timer{1u << 13};
inline constexpr action_set start_time_wait_timer{1u << 14};
inline constexpr action_set restart_time_wait_timer{1u << 15};
inline constexpr action_set start_fin_wait_2_timer{1u << 16};
inline constexpr action_set start_keepalive_timer{1u << 17};

// --- signals to the user ---
inline constexpr action_set signal_connected{1u << 18};  // active OPEN completed
inline constexpr action_set signal_accepted{1u << 19};   // passive OPEN completed
inline constexpr action_set signal_closing{1u << 20};    // peer's FIN: end of data (EOF)
inline constexpr action_set signal_reset{1u << 21};      // "connection reset"
inline constexpr action_set signal_refused{1u << 22};    // "connection refused" (SYN answered by RST)
inline constexpr action_set signal_timed_out{1u << 23};  // retransmissions, keepalive or user timeout
inline constexpr action_set signal_closed{1u << 24};     // connection fully closed

// --- the TCB ---
inline constexpr action_set delete_tcb{1u << 25};
// The segment starts a new connection: hand it to the listener of its port, as the (LISTEN,
// rcv_syn) row (TIME-WAIT reopen, RFC 6191; Linux's TCP_TW_SYN). Runs after delete_tcb.
inline constexpr action_set redirect_to_listener{1u << 26};
}  // namespace action

inline constexpr std::size_t action_count = 27;

// The n-th action (n < action_count) and its name.
constexpr action_set nth_action(std::size_t n) noexcept {
    return action_set{n < action_count ? (1u << n) : 0u};
}

constexpr const char* name_of_nth_action(std::size_t n) noexcept {
    constexpr const char* names[action_count] = {
        "send_syn",
        "send_syn_ack",
        "send_ack",
        "send_fin",
        "send_rst",
        "send_challenge_ack",
        "retransmit",
        "send_keepalive_probe",
        "send_window_probe",
        "queue_data",
        "deliver_data",
        "stop_timers",
        "stop_retransmission_timer",
        "start_retransmission_timer",
        "start_time_wait_timer",
        "restart_time_wait_timer",
        "start_fin_wait_2_timer",
        "start_keepalive_timer",
        "signal_connected",
        "signal_accepted",
        "signal_closing",
        "signal_reset",
        "signal_refused",
        "signal_timed_out",
        "signal_closed",
        "delete_tcb",
        "redirect_to_listener",
    };
    return n < action_count ? names[n] : "invalid";
}

// Short label for the segment actions, in the style of RFC 9293 Figure 5 ("snd SYN,ACK").
constexpr const char* diagram_label_of_nth_action(std::size_t n) noexcept {
    constexpr const char* labels[action_count] = {
        "snd SYN",
        "snd SYN,ACK",
        "snd ACK",
        "snd FIN",
        "snd RST",
        "snd challenge ACK",
        "retransmit",
        "snd keepalive",
        "snd window probe",
        "queue",
        "deliver",
        "stop timers",
        "stop RTO",
        "start RTO",
        "start 2MSL",
        "restart 2MSL",
        "start FIN-WAIT-2 timer",
        "start keepalive",
        "connected",
        "accepted",
        "EOF",
        "reset",
        "refused",
        "timed out",
        "closed",
        "delete TCB",
        "to listener",
    };
    return n < action_count ? labels[n] : "invalid";
}

// The errors §3.10 returns to a user call. They are part of the table's rows.
enum class user_error : std::uint8_t {
    none = 0,
    connection_exists,          // "error: connection already exists"
    connection_closing,         // "error: connection closing"
    connection_does_not_exist,  // "error: connection does not exist"
    connection_illegal,         // "error: connection illegal for this process" (access checks
                                // belong to the embedding; the standard table never returns it)
    insufficient_resources,     // "error: insufficient resources" (§3.10.2 SEND: the send buffer
                                // limit, connection_config::send_buffer_limit; no table row
                                // returns it, the engine checks before the SEND row runs)
};

inline constexpr std::size_t user_error_count = 6;

constexpr const char* name(user_error e) noexcept {
    constexpr const char* names[user_error_count] = {
        "none", "connection_exists", "connection_closing", "connection_does_not_exist",
        "connection_illegal", "insufficient_resources",
    };
    return static_cast<std::size_t>(e) < user_error_count ? names[static_cast<std::size_t>(e)]
                                                           : "invalid";
}

// The RFC's wording.
constexpr const char* rfc_name(user_error e) noexcept {
    constexpr const char* texts[user_error_count] = {
        "ok",
        "error: connection already exists",
        "error: connection closing",
        "error: connection does not exist",
        "error: connection illegal for this process",
        "error: insufficient resources",
    };
    return static_cast<std::size_t>(e) < user_error_count ? texts[static_cast<std::size_t>(e)]
                                                           : "invalid";
}

// The old spelling, for one release.
[[deprecated("use tcpfsm::rfc_name(user_error)")]] constexpr const char* rfc_text(user_error e) noexcept {
    return rfc_name(e);
}

}  // namespace tcpfsm

#endif  // TCPFSM_ACTION_HPP
