// tcpfsm: the 11 connection states of RFC 9293 §3.3.2.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_STATE_HPP
#define TCPFSM_STATE_HPP

#include <cstddef>
#include <cstdint>

namespace tcpfsm {

// The states in FreeBSD tcp_fsm.h order, so that range checks mean something:
// every state >= syn_received has received a SYN, every state >= established is
// synchronized (RFC 9293 §3.5.2), every state > close_wait has sent (or queued) our FIN.
enum class state : std::uint8_t {
    closed = 0,    // CLOSED: no TCB
    listen,        // LISTEN: waiting for a SYN
    syn_sent,      // SYN-SENT: our SYN sent, waiting for the peer's
    syn_received,  // SYN-RECEIVED: both SYNs seen, ours not yet acknowledged
    established,   // ESTABLISHED: open, data flows both ways
    close_wait,    // CLOSE-WAIT: peer's FIN received, waiting for our user's CLOSE
    fin_wait_1,    // FIN-WAIT-1: our FIN sent, not yet acknowledged, no FIN from the peer
    closing,       // CLOSING: both FINs sent, ours not yet acknowledged
    last_ack,      // LAST-ACK: peer's FIN received, then ours sent and not yet acknowledged
    fin_wait_2,    // FIN-WAIT-2: our FIN acknowledged, waiting for the peer's
    time_wait,     // TIME-WAIT: both FINs acknowledged, waiting 2*MSL (RFC 9293 §3.6.1)
};

inline constexpr std::size_t state_count = 11;

constexpr std::size_t index_of(state s) noexcept { return static_cast<std::size_t>(s); }

constexpr bool is_valid(state s) noexcept { return index_of(s) < state_count; }

// Name as RFC 9293 spells it: "SYN-RECEIVED".
constexpr const char* rfc_name(state s) noexcept {
    constexpr const char* names[state_count] = {
        "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "CLOSE-WAIT",
        "FIN-WAIT-1", "CLOSING",    "LAST-ACK", "FIN-WAIT-2",   "TIME-WAIT",
    };
    return is_valid(s) ? names[index_of(s)] : "INVALID";
}

// Name as Linux's netstat prints it (and /proc/net/tcp users expect): "SYN_RECV".
constexpr const char* netstat_name(state s) noexcept {
    constexpr const char* names[state_count] = {
        "CLOSE",     "LISTEN",  "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "CLOSE_WAIT",
        "FIN_WAIT1", "CLOSING", "LAST_ACK", "FIN_WAIT2", "TIME_WAIT",
    };
    return is_valid(s) ? names[index_of(s)] : "UNKNOWN";
}

// Name as iproute2's ss prints it: "SYN-RECV", "ESTAB", "UNCONN" for CLOSED.
constexpr const char* ss_name(state s) noexcept {
    constexpr const char* names[state_count] = {
        "UNCONN",     "LISTEN",  "SYN-SENT", "SYN-RECV",   "ESTAB",     "CLOSE-WAIT",
        "FIN-WAIT-1", "CLOSING", "LAST-ACK", "FIN-WAIT-2", "TIME-WAIT",
    };
    return is_valid(s) ? names[index_of(s)] : "UNKNOWN";
}

// Identifier spelling, as in the source: "syn_received".
constexpr const char* name(state s) noexcept {
    constexpr const char* names[state_count] = {
        "closed",     "listen",  "syn_sent", "syn_received", "established", "close_wait",
        "fin_wait_1", "closing", "last_ack", "fin_wait_2",   "time_wait",
    };
    return is_valid(s) ? names[index_of(s)] : "invalid";
}

// Linux's TCP_* state number (include/net/tcp_states.h), as tcp_info.tcpi_state reports it.
constexpr std::uint8_t linux_state_number(state s) noexcept {
    constexpr std::uint8_t numbers[state_count] = {7, 10, 2, 3, 1, 8, 4, 11, 9, 5, 6};
    return is_valid(s) ? numbers[index_of(s)] : 0;
}

// --- Predicates (RFC 9293 §3.5.2 and §3.10; FreeBSD TCPS_HAVE* in spirit) ---

// A SYN from the peer has been received: SYN-RECEIVED and everything after it.
constexpr bool has_received_syn(state s) noexcept { return s >= state::syn_received && is_valid(s); }

// Synchronized states of §3.5.2: ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT.
constexpr bool is_synchronized(state s) noexcept { return s >= state::established && is_valid(s); }

// The peer's FIN has been received (§3.10.7.4 eighth step).
constexpr bool has_received_fin(state s) noexcept {
    return s == state::close_wait || s == state::closing || s == state::last_ack ||
           s == state::time_wait;
}

// Our user has called CLOSE, so our FIN is sent or queued.
constexpr bool has_sent_fin(state s) noexcept { return s > state::close_wait && is_valid(s); }

// A SEND call may queue data (§3.10.2): everything before our FIN, once a connection exists.
constexpr bool can_send(state s) noexcept {
    return s == state::syn_sent || s == state::syn_received || s == state::established ||
           s == state::close_wait;
}

// Segment text is accepted and delivered (§3.10.7.4 seventh step).
constexpr bool can_receive(state s) noexcept {
    return s == state::established || s == state::fin_wait_1 || s == state::fin_wait_2;
}

// A set of states as a bit mask, constexpr-friendly.
struct state_set {
    std::uint16_t bits = 0;

    constexpr bool contains(state s) const noexcept {
        return is_valid(s) && ((bits >> index_of(s)) & 1u) != 0;
    }
    // An invalid state is in no set: with() and without() return the set unchanged.
    constexpr state_set with(state s) const noexcept {
        return is_valid(s) ? state_set{static_cast<std::uint16_t>(bits | (1u << index_of(s)))} : *this;
    }
    constexpr state_set without(state s) const noexcept {
        return is_valid(s) ? state_set{static_cast<std::uint16_t>(bits & ~(1u << index_of(s)))} : *this;
    }
    friend constexpr bool operator==(state_set a, state_set b) noexcept { return a.bits == b.bits; }
    friend constexpr bool operator!=(state_set a, state_set b) noexcept { return a.bits != b.bits; }
};

template <class... S>
constexpr state_set states_of(S... s) noexcept {
    state_set set{};
    ((set = set.with(s)), ...);
    return set;
}

// States a connection may rest in indefinitely when nobody attends to it.
inline constexpr state_set rest_states =
    states_of(state::closed, state::listen, state::established, state::close_wait);

// States that must be left through timers alone (issue rule "no leaks"), with the
// FIN-WAIT-2 timeout on (Linux tcp_fin_timeout). Use transient_states_strict when a
// table follows RFC 9293 to the letter and keeps FIN-WAIT-2 until the peer's FIN.
inline constexpr state_set transient_states =
    states_of(state::syn_sent, state::syn_received, state::fin_wait_1, state::fin_wait_2,
              state::closing, state::last_ack, state::time_wait);
inline constexpr state_set transient_states_strict = transient_states.without(state::fin_wait_2);

}  // namespace tcpfsm

#endif  // TCPFSM_STATE_HPP
