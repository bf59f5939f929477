// tcpfsm: timer configuration (RFC 9293 §3.8, RFC 1122 4.2.3, RFC 5482) and the per-connection
// timer slots of the connection engine.
// Time is std::uint32_t milliseconds ticks, which wrap after 2^32 ms (49.7 days): deadlines
// are compared modulo 2^32, never with `<` on raw values.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TIMERS_HPP
#define TCPFSM_TIMERS_HPP

#include <cstddef>
#include <cstdint>

#include "rto.hpp"
#include "seq.hpp"

namespace tcpfsm {

// The longest duration a timer can be armed with: 2^31 - 1 ms (24.8 days). Deadlines are
// ordered modulo 2^32, which is unambiguous only within half the circle (as seq_lt).
inline constexpr std::uint32_t max_timer_ms = 0x7FFFFFFFu;

// ------------------------------------------------------------------------------------------
// Configuration
// ------------------------------------------------------------------------------------------

// Every timer value of a connection, in milliseconds or counts. The defaults: where an RFC
// says MUST, the default obeys it; where it leaves the choice, the default is Linux's value
// (net.ipv4.* sysctl names and include/net/tcp.h constants are cited).
//
// Retransmission counts are counts of *retransmissions* of one segment; the sender gives up
// when the wait after the last one ends (see total_backoff_ms in rto.hpp).
struct timer_config {
    // --- TIME-WAIT (RFC 9293 §3.10.7.4 eighth step, §3.10.8: "Timeout=2MSL") ---
    // MSL, the maximum segment lifetime. RFC 9293 §3.4.2: "For this specification the MSL is
    // taken to be 2 minutes. This is an engineering choice" (glossary, §4: "Arbitrarily
    // defined to be 2 minutes"). Not a MUST, so Linux's value: TIME-WAIT lasts
    // TCP_TIMEWAIT_LEN = 60 s, i.e. 2 * 30 s. strict_rfc_timer_config uses 120 s.
    std::uint32_t msl_ms = 30000;

    // --- FIN-WAIT-2 (not in the RFC: strict RFC behaviour waits forever for the peer's FIN) ---
    // net.ipv4.tcp_fin_timeout = 60 s: how long an orphaned connection stays in FIN-WAIT-2.
    std::uint32_t fin_wait_2_ms = 60000;
    // On: the standard table's timeout_fin_wait_2 row (Linux). Off: strict RFC (strict_table).
    bool fin_wait_2_timeout = true;

    // --- keepalive (RFC 9293 §3.8.4, RFC 1122 4.2.3.6) ---
    // "they MUST default to off" (MUST-25); the application turns them on per connection
    // (MUST-24, Linux's SO_KEEPALIVE).
    bool keepalive = false;
    // Idle time before the first probe: "MUST be configurable (MUST-27) and MUST default to
    // no less than two hours (MUST-28)". net.ipv4.tcp_keepalive_time = 7200 s (exactly 2 h).
    std::uint32_t keepalive_idle_ms = 7200000;
    // Between unanswered probes: net.ipv4.tcp_keepalive_intvl = 75 s (the RFC leaves it open).
    std::uint32_t keepalive_interval_ms = 75000;
    // Unanswered probes before the connection is declared dead: net.ipv4.tcp_keepalive_probes
    // = 9. More than one, as MUST-29 forbids reading one lost probe as a dead connection.
    std::uint32_t keepalive_probes = 9;

    // --- retransmission limits (RFC 9293 §3.8.3, RFC 1122 4.2.3.5) ---
    // SYN (active OPEN): "R2 for a SYN segment MUST be set large enough to provide
    // retransmission of the segment for at least 3 minutes (MUST-23)". With the RTO starting
    // at 1 s and doubling, capped at RFC 6298's 60 s maximum, the waits are
    // 1, 2, 4, 8, 16, 32, 60, 60, ... s:
    //   6 retransmissions: given up 1+2+4+8+16+32+60        = 123 s after the first SYN (< 180)
    //   7 retransmissions: given up 1+2+4+8+16+32+60+60     = 183 s after the first SYN (>= 180)
    // so 7, the smallest count that obeys MUST-23 (static_assert below). Linux's
    // net.ipv4.tcp_syn_retries = 6 gives up after 1+2+4+8+16+32+64 = 127 s (its maximum RTO
    // is 120 s): that violates MUST-23, so it is not the default here.
    std::uint32_t syn_retries = 7;
    // SYN-ACK (passive OPEN): net.ipv4.tcp_synack_retries = 5; the RFC sets no bound for it
    // (MUST-23 concerns the SYN of an active OPEN). Given up 1+2+4+8+16+32 = 63 s after the
    // first SYN-ACK.
    std::uint32_t synack_retries = 5;
    // Data and FIN: R1, "SHOULD correspond to at least 3 retransmissions" (SHLD-10; RFC 1122
    // 4.2.3.5): net.ipv4.tcp_retries1 = 3. When reached, the engine gives negative advice to
    // IP and tells the application (SHLD-9).
    std::uint32_t retries1 = 3;
    // R2, "SHOULD correspond to at least 100 seconds" (SHLD-11; RFC 1122 4.2.3.5), greater
    // than R1 (§3.8.3 (c)); settable per connection (MUST-21): net.ipv4.tcp_retries2 = 15.
    // With RFC 6298's values the shortest possible give-up is 663 s (data_give_up_ms).
    std::uint32_t retries2 = 15;

    // --- USER TIMEOUT (RFC 9293 §3.8.3 (d), §3.9.1.1 OPEN "timeout", §3.10.8; RFC 5482) ---
    // 0 = off: R2 alone ends a connection whose data is not acknowledged. Linux's
    // TCP_USER_TIMEOUT defaults to 0 with the same meaning. (RFC 9293 §3.9.1.1 calls five
    // minutes "the present global default" of the OPEN call's optional timeout; that is not
    // a requirement, and R2 already bounds the wait.)
    std::uint32_t user_timeout_ms = 0;

    // --- delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 4.2.3.2) ---
    // "A TCP endpoint SHOULD implement a delayed ACK (SHLD-18)": on by default, as Linux;
    // an ACK at least every second full-sized segment and the immediate-ACK cases of RFC
    // 5681 §4.2 (ack_timing.hpp). Off (rfc_reference_config): every ACK at once.
    bool delayed_ack = true;
    // "the delay MUST be less than 0.5 seconds (MUST-40)". Linux's TCP_DELACK_MIN = HZ/25 =
    // 40 ms (its delayed ACK grows from there up to TCP_DELACK_MAX = 200 ms).
    std::uint32_t delayed_ack_ms = 40;

    // 2*MSL, the TIME-WAIT duration (saturates at 2^32 - 1; is_valid requires <= max_timer_ms).
    constexpr std::uint32_t time_wait_ms() const noexcept {
        const std::uint64_t t = 2u * std::uint64_t{msl_ms};
        return t < 0xFFFFFFFFu ? static_cast<std::uint32_t>(t) : 0xFFFFFFFFu;
    }

    // Time from the first SYN to giving up the active OPEN: syn_retries retransmissions, the
    // RTO starting at rto.initial_ms, doubling, capped at rto.max_ms.
    constexpr std::uint32_t syn_give_up_ms(const rto_config& rto = rto_config_rfc6298) const noexcept {
        return total_backoff_ms(rto.initial_ms, syn_retries + 1u, rto.max_ms);
    }

    // Time from the first SYN-ACK to giving up the passive OPEN (back to LISTEN).
    constexpr std::uint32_t synack_give_up_ms(const rto_config& rto = rto_config_rfc6298) const noexcept {
        return total_backoff_ms(rto.initial_ms, synack_retries + 1u, rto.max_ms);
    }

    // The shortest time R2 can stand for: from the first transmission of a data segment to
    // giving up after retries2 retransmissions when the RTO is at its minimum rto.min_ms
    // (a larger measured RTO only makes it longer). Linux documents the same figure for
    // tcp_retries2 = 15 with its 200 ms / 120 s bounds: "a hypothetical timeout of 924.6 s".
    constexpr std::uint32_t data_give_up_ms(const rto_config& rto = rto_config_rfc6298) const noexcept {
        return total_backoff_ms(rto.min_ms, retries2 + 1u, rto.max_ms);
    }

    // Time from the last activity to declaring the connection dead when keepalive is on and
    // no probe is answered: idle + probes * interval (saturates at 2^32 - 1).
    constexpr std::uint32_t keepalive_give_up_ms() const noexcept {
        const std::uint64_t t =
            std::uint64_t{keepalive_idle_ms} + std::uint64_t{keepalive_probes} * keepalive_interval_ms;
        return t < 0xFFFFFFFFu ? static_cast<std::uint32_t>(t) : 0xFFFFFFFFu;
    }
};

// The wait before zero-window probe number probes_sent + 1 (persist timer, RFC 9293 §3.8.6.1,
// RFC 1122 4.2.2.17): the first probe "when a zero window has existed for the retransmission
// timeout period" (SHLD-29), then "increase exponentially the interval between successive
// probes" (SHLD-30): current_rto_ms * 2^probes_sent, capped at rto.max_ms (Linux's
// tcp_probe_timer: min(icsk_rto << icsk_backoff, TCP_RTO_MAX)). "As long as the receiving TCP
// peer continues to send acknowledgments in response to the probe segments, the sending TCP
// peer MUST allow the connection to stay open (MUST-37)": the engine counts only unanswered
// probes (Linux limits those by tcp_retries2).
constexpr std::uint32_t persist_timeout_ms(std::uint32_t current_rto_ms, unsigned probes_sent,
                                           const rto_config& rto = rto_config_rfc6298) noexcept {
    std::uint64_t wait = current_rto_ms < rto.max_ms ? current_rto_ms : rto.max_ms;
    for (unsigned i = 0; i < probes_sent && wait != 0 && wait < rto.max_ms; ++i) {
        wait = wait * 2 < rto.max_ms ? wait * 2 : rto.max_ms;
    }
    return static_cast<std::uint32_t>(wait);
}

// A configuration timer_slots can carry out: every duration fits max_timer_ms (deadlines are
// ordered modulo 2^32), counts fit the 16-bit retry counter, R2 > R1 (§3.8.3 (c)), at least
// one keepalive probe.
constexpr bool is_valid(const timer_config& c) noexcept {
    constexpr std::uint32_t max_count = 0xFFFEu;
    return c.time_wait_ms() <= max_timer_ms && c.fin_wait_2_ms <= max_timer_ms &&
           c.keepalive_idle_ms <= max_timer_ms && c.keepalive_interval_ms <= max_timer_ms &&
           c.user_timeout_ms <= max_timer_ms && c.delayed_ack_ms <= max_timer_ms &&
           c.keepalive_probes >= 1 && c.keepalive_probes <= max_count && c.syn_retries <= max_count &&
           c.synack_retries <= max_count && c.retries2 <= max_count && c.retries1 < c.retries2;
}

// The MUSTs of RFC 9293 a configuration meets when taken as the defaults of every connection:
// SYN given up no earlier than 3 minutes (MUST-23), keepalive off (MUST-25), keepalive idle
// time at least two hours (MUST-28), delayed ACK under 0.5 s (MUST-40).
constexpr bool meets_rfc_musts(const timer_config& c, const rto_config& rto = rto_config_rfc6298) noexcept {
    return c.syn_give_up_ms(rto) >= 180000u && !c.keepalive && c.keepalive_idle_ms >= 7200000u &&
           c.delayed_ack_ms < 500u;
}

// The SHOULDs of RFC 9293 §3.8.3 on R1 and R2: R1 at least 3 retransmissions (SHLD-10), R2
// at least 100 s (SHLD-11) even at the smallest RTO.
constexpr bool meets_rfc_shoulds(const timer_config& c, const rto_config& rto = rto_config_rfc6298) noexcept {
    return c.retries1 >= 3u && c.data_give_up_ms(rto) >= 100000u;
}

// The library default.
inline constexpr timer_config default_timer_config{};

namespace detail {
constexpr timer_config make_strict_rfc_timer_config() noexcept {
    timer_config c{};
    c.msl_ms = 120000;              // RFC 9293 §3.4.2: MSL 2 minutes, TIME-WAIT 4 minutes
    c.fin_wait_2_timeout = false;   // FIN-WAIT-2 waits for the peer's FIN (strict_table)
    return c;
}
}  // namespace detail

// Retransmissions before giving up (§3.8.3): syn_retries for our SYN (MUST-23; SYN-SENT, or
// SYN-RECEIVED after a simultaneous open), synack_retries for the SYN,ACK of a passive OPEN,
// R2 (retries2) for data and FIN.
constexpr std::uint32_t retransmission_limit(const timer_config& t, bool syn_sent, bool syn_outstanding,
                                             bool passive) noexcept {
    if (syn_sent) return t.syn_retries;
    if (syn_outstanding) return passive ? t.synack_retries : t.syn_retries;
    return t.retries2;
}

// The RFC's own values where the default takes Linux's: MSL 2 minutes (TIME-WAIT 240 s) and
// no FIN-WAIT-2 timeout. Goes with strict_table.
inline constexpr timer_config strict_rfc_timer_config = detail::make_strict_rfc_timer_config();

static_assert(is_valid(default_timer_config) && is_valid(strict_rfc_timer_config));
// MUST-23 with RFC 6298's RTO (1 s first, 60 s maximum): 1+2+4+8+16+32+60+60 = 183 s >= 180 s.
static_assert(default_timer_config.syn_give_up_ms() >= 180000u, "MUST-23: SYN retransmitted for >= 3 minutes");
static_assert(default_timer_config.syn_give_up_ms(rto_config_linux) >= 180000u,
              "MUST-23 with Linux's RTO bounds too");
// SHLD-11 with RFC 6298's RTO: R2 = 15 corresponds to at least 100 s even at the 1 s minimum.
static_assert(default_timer_config.data_give_up_ms() >= 100000u, "R2 >= 100 s (RFC 1122 4.2.3.5)");
static_assert(default_timer_config.delayed_ack_ms < 500u, "MUST-40: delayed ACK < 0.5 s");
static_assert(meets_rfc_musts(default_timer_config) && meets_rfc_musts(strict_rfc_timer_config));
static_assert(meets_rfc_shoulds(default_timer_config) && meets_rfc_shoulds(strict_rfc_timer_config));

// ------------------------------------------------------------------------------------------
// Timer slots
// ------------------------------------------------------------------------------------------

// The timers of one connection. The first five share the *main* slot, because no two of them
// run at once in one connection: retransmission runs while something is unacknowledged;
// persist while nothing is and the peer's window is zero; keepalive while nothing is
// outstanding (MUST-26); FIN-WAIT-2 and TIME-WAIT after our FIN is acknowledged, when the
// connection is orphaned or over. (Linux multiplexes retransmission and zero-window probe the
// same way in icsk_pending/icsk_timeout, and keepalive with FIN-WAIT-2 in sk_timer.)
enum class timer_kind : std::uint8_t {
    none = 0,
    retransmission,  // main: RTO (RFC 6298, RFC 9293 §3.8.1, §3.8.3)
    persist,         // main: zero-window probe (§3.8.6.1)
    keepalive,       // main: idle time, then probe interval (§3.8.4)
    fin_wait_2,      // main: tcp_fin_timeout
    time_wait,       // main: 2*MSL (§3.10.8)
    delayed_ack,     // own slot (§3.8.6.3)
    user,            // own slot: USER TIMEOUT (§3.10.8, RFC 5482)
};

inline constexpr std::size_t timer_kind_count = 8;

constexpr bool is_main(timer_kind k) noexcept {
    return k >= timer_kind::retransmission && k <= timer_kind::time_wait;
}

constexpr const char* name(timer_kind k) noexcept {
    constexpr const char* names[timer_kind_count] = {
        "none", "retransmission", "persist", "keepalive", "fin_wait_2", "time_wait", "delayed_ack", "user",
    };
    return static_cast<std::size_t>(k) < timer_kind_count ? names[static_cast<std::size_t>(k)] : "invalid";
}

// The earliest armed deadline, or none (kind == timer_kind::none, then `at` is 0).
struct timer_deadline {
    timer_kind kind = timer_kind::none;
    std::uint32_t at = 0;
    constexpr explicit operator bool() const noexcept { return kind != timer_kind::none; }
    // Milliseconds from `now` until the deadline; 0 if it is due or overdue (or none).
    constexpr std::uint32_t remaining_ms(std::uint32_t now) const noexcept {
        return kind != timer_kind::none && seq_lt(now, at) ? at - now : 0u;
    }
};

// The per-connection timer slots, 16 bytes: one main deadline with the kind that owns it and
// a retry/probe counter, a delayed-ACK deadline and a user-timeout deadline. Nothing here
// reads a clock: every call takes `now` in ticks.
//
// Modular time: a deadline is `now + duration` modulo 2^32, and deadlines are ordered by
// their signed distance from the `now` of the query. Durations are capped at max_timer_ms
// (2^31 - 1) and the engine must look at its timers at least once every 2^31 ms (24.8 days)
// after a deadline passes; then every order below is exact across the wrap.
//
// The main slot's counter (retries(), count_retry(), reset_retries()) belongs to the main
// kind that owns the slot: arming a different main kind starts it at 0, re-arming the same
// kind keeps it (so the engine counts retransmissions or probes across re-arms), disarming
// the owner clears it. Which event an expiry becomes (timeout_retransmit or
// timeout_retransmit_exhausted, timeout_keepalive or timeout_keepalive_exhausted, ...) is
// the engine's decision from this counter and timer_config, for example:
//
//     switch (slots.expired(now)) {
//     case timer_kind::retransmission:
//         if (slots.count_retry() > limit) -> timeout_retransmit_exhausted
//         else -> timeout_retransmit; the row re-arms: slots.arm(retransmission, now, rto)
//     ...
//     }
class timer_slots {
public:
    // (Re)arm `kind` to expire at now + duration (duration capped at max_timer_ms). Arming a
    // main kind replaces whichever main kind was armed; delayed_ack and user have their own
    // slots and coexist with it. Re-arming an armed timer moves its deadline (to keep an
    // earlier delayed-ACK deadline, check armed() first). timer_kind::none does nothing.
    constexpr void arm(timer_kind kind, std::uint32_t now, std::uint32_t duration) noexcept {
        const std::uint32_t at = now + (duration < max_timer_ms ? duration : max_timer_ms);
        if (is_main(kind)) {
            if (kind != main_kind_) {
                main_kind_ = kind;
                retries_ = 0;
            }
            main_at_ = at;
            flags_ = static_cast<std::uint8_t>(flags_ | main_bit);
        } else if (kind == timer_kind::delayed_ack) {
            delayed_ack_at_ = at;
            flags_ = static_cast<std::uint8_t>(flags_ | delayed_ack_bit);
        } else if (kind == timer_kind::user) {
            user_at_ = at;
            flags_ = static_cast<std::uint8_t>(flags_ | user_bit);
        }
    }

    // Stop `kind`. A main kind that does not own the main slot leaves it alone (stopping the
    // retransmission timer does not stop keepalive); the owner's counter is cleared.
    constexpr void disarm(timer_kind kind) noexcept {
        if (is_main(kind)) {
            if (kind == main_kind_) {
                main_kind_ = timer_kind::none;
                retries_ = 0;
                flags_ = static_cast<std::uint8_t>(flags_ & ~main_bit);
            }
        } else if (kind == timer_kind::delayed_ack) {
            flags_ = static_cast<std::uint8_t>(flags_ & ~delayed_ack_bit);
        } else if (kind == timer_kind::user) {
            flags_ = static_cast<std::uint8_t>(flags_ & ~user_bit);
        }
    }

    // Every timer off and the counter cleared (the table's stop_timers).
    constexpr void disarm_all() noexcept {
        main_kind_ = timer_kind::none;
        retries_ = 0;
        flags_ = 0;
    }

    // Is `kind` armed (and not yet reported by expired())?
    constexpr bool armed(timer_kind kind) const noexcept {
        if (is_main(kind)) return kind == main_kind_ && (flags_ & main_bit) != 0;
        if (kind == timer_kind::delayed_ack) return (flags_ & delayed_ack_bit) != 0;
        if (kind == timer_kind::user) return (flags_ & user_bit) != 0;
        return false;
    }

    // The main kind that owns the main slot and its counter: the one last armed, until it is
    // disarmed (it stays the owner after expired() reports it). none if there is none.
    constexpr timer_kind main_kind() const noexcept { return main_kind_; }

    // The deadline of an armed `kind`; 0 if it is not armed.
    constexpr std::uint32_t deadline(timer_kind kind) const noexcept {
        if (!armed(kind)) return 0;
        if (is_main(kind)) return main_at_;
        return kind == timer_kind::delayed_ack ? delayed_ack_at_ : user_at_;
    }

    // The earliest armed deadline, ordered by signed distance from `now` (an overdue deadline
    // comes before any future one). Ties: user, then the main slot, then delayed_ack.
    constexpr timer_deadline next_deadline(std::uint32_t now) const noexcept {
        timer_deadline best{timer_kind::none, 0};
        if ((flags_ & user_bit) != 0) best = earlier(best, timer_deadline{timer_kind::user, user_at_}, now);
        if ((flags_ & main_bit) != 0) best = earlier(best, timer_deadline{main_kind_, main_at_}, now);
        if ((flags_ & delayed_ack_bit) != 0) {
            best = earlier(best, timer_deadline{timer_kind::delayed_ack, delayed_ack_at_}, now);
        }
        return best;
    }

    // The timer that is due at `now` (deadline =< now, modulo 2^32) and earliest, without
    // changing anything; none if no timer is due.
    constexpr timer_kind due(std::uint32_t now) const noexcept {
        const timer_deadline next = next_deadline(now);
        return next && seq_le(next.at, now) ? next.kind : timer_kind::none;
    }

    // Report and disarm the earliest timer due at `now`; none if no timer is due yet. One
    // expiry per call, earliest first (ties as next_deadline): the engine handles it (its row
    // may re-arm timers) and calls again until it gets none. The main slot keeps its owner
    // and counter, so the engine can read retries() and re-arm the same kind.
    constexpr timer_kind expired(std::uint32_t now) noexcept {
        const timer_kind kind = due(now);
        if (is_main(kind)) {
            flags_ = static_cast<std::uint8_t>(flags_ & ~main_bit);
        } else if (kind == timer_kind::delayed_ack) {
            flags_ = static_cast<std::uint8_t>(flags_ & ~delayed_ack_bit);
        } else if (kind == timer_kind::user) {
            flags_ = static_cast<std::uint8_t>(flags_ & ~user_bit);
        }
        return kind;
    }

    // The main slot's retry/probe counter.
    constexpr std::uint16_t retries() const noexcept { return retries_; }
    // One more retransmission or probe; returns the new count (saturates at 65535).
    constexpr std::uint16_t count_retry() noexcept {
        if (retries_ != 0xFFFFu) ++retries_;
        return retries_;
    }
    // Progress (new data acknowledged, a probe answered, activity for keepalive): back to 0.
    constexpr void reset_retries() noexcept { retries_ = 0; }

private:
    static constexpr std::uint8_t main_bit = 1u << 0;
    static constexpr std::uint8_t delayed_ack_bit = 1u << 1;
    static constexpr std::uint8_t user_bit = 1u << 2;

    // Maps the signed distance at - now (-2^31 .. 2^31 - 1) onto 0 .. 2^32 - 1, in order.
    static constexpr std::uint32_t order_key(std::uint32_t at, std::uint32_t now) noexcept {
        return (at - now) ^ 0x80000000u;
    }
    // a unless b is armed and strictly earlier (so the first one considered wins ties).
    static constexpr timer_deadline earlier(timer_deadline a, timer_deadline b, std::uint32_t now) noexcept {
        if (!a) return b;
        return order_key(b.at, now) < order_key(a.at, now) ? b : a;
    }

    std::uint32_t main_at_ = 0;
    std::uint32_t delayed_ack_at_ = 0;
    std::uint32_t user_at_ = 0;
    std::uint16_t retries_ = 0;
    timer_kind main_kind_ = timer_kind::none;
    std::uint8_t flags_ = 0;
};

static_assert(sizeof(timer_slots) <= 16, "timer_slots: 3 deadlines, a counter, a kind and flags");

}  // namespace tcpfsm

#endif  // TCPFSM_TIMERS_HPP
