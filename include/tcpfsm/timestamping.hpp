// tcpfsm: timestamps in the engine (RFC 7323 §3-5): the connection's Timestamps state (24
// octets), the TSopt its segments carry (§3.2), TS.Recent and Last.ACK.sent (§4.3), PAWS
// (§5.3) with the 24-day rule (§5.5) and RTT samples from TSecr (§4.1). The rules and the
// arithmetic are options/timestamps.hpp's (timestamp_state, tested alone); this header packs
// them for the TCB with a 1 ms timestamp clock (Linux's since 4.13) and takes the policy
// for a segment without TSopt from connection_config. Times are the engine Clock's
// milliseconds, 64-bit, so that the 24-day rule is exact.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TIMESTAMPING_HPP
#define TCPFSM_TIMESTAMPING_HPP

#include <cstdint>
#include <type_traits>
#include <utility>

#include "iss.hpp"
#include "options/timestamps.hpp"
#include "rto.hpp"
#include "seq.hpp"

namespace tcpfsm {

// One connection's timestamps: TS.Recent, when it was set, Last.ACK.sent, the TSval offset
// and the SYN negotiation (§3.2: in use when both SYNs carried TSopt).
class timestamping {
public:
    // Our SYN (`passive` false) or SYN,ACK (`passive` true) is being built: whether it carries
    // TSopt. A SYN,ACK carries it only if the SYN it answers did (§3.2); `want` is
    // connection_config::timestamps.
    constexpr bool offer(bool passive, bool want) noexcept {
        const bool sends = want && (!passive || has(received_bit));
        bits_ = static_cast<std::uint8_t>(sends ? bits_ | sent_bit : bits_ & ~sent_bit);
        return sends;
    }

    // The peer's SYN or SYN,ACK taken in LISTEN or SYN-SENT (only a SYN negotiates, §3.2),
    // with (`present`) or without TSopt. With it, TS.Recent = its TSval (Appendix D).
    constexpr void on_peer_syn(bool present, std::uint32_t tsval, std::uint64_t now_ms) noexcept {
        bits_ = static_cast<std::uint8_t>(present ? bits_ | received_bit : bits_ & ~received_bit);
        if (present) set_recent(tsval, now_ms);
    }

    // Both SYNs carried TSopt: every segment carries it from now on (§3.2).
    constexpr bool enabled() const noexcept { return (bits_ & (sent_bit | received_bit)) == (sent_bit | received_bit); }
    // Our SYN or SYN,ACK carried it (what a SYN we send again carries).
    constexpr bool sent() const noexcept { return (bits_ & sent_bit) != 0; }

    // TSval of a segment sent at `now_ms` (§5.4: the clock plus the connection's offset).
    constexpr std::uint32_t tsval(std::uint64_t now_ms) const noexcept {
        return options::timestamp_clock(now_ms, 1) + offset_;
    }
    // The clock of the engine's call in progress (its one Clock reading): the TSval of every
    // segment the call sends, call_tsval() = tsval(now_ms), without reading the Clock again.
    constexpr void set_call_clock(std::uint64_t now_ms) noexcept { call_clock_ = options::timestamp_clock(now_ms, 1); }
    constexpr std::uint32_t call_tsval() const noexcept { return call_clock_ + offset_; }
    // TSecr: TS.Recent with the ACK bit (§4.3 (3)); 0 without (§3.2, our first SYN).
    constexpr std::uint32_t tsecr(bool ack_bit) const noexcept { return ack_bit ? recent_ : 0u; }
    // A segment with the ACK bit left: Last.ACK.sent (§4.3).
    constexpr void on_ack_sent(std::uint32_t ack) noexcept { last_ack_sent_ = ack; }

    // §5.3 R1 and §3.2, before the acceptability test (timestamp_state::check's rules): RSTs
    // are exempt; a segment without TSopt under `missing`; a TSval older than TS.Recent is an
    // old duplicate unless TS.Recent is older than 24 days (§5.5: then the TSval is taken).
    constexpr options::paws_verdict check(bool present, std::uint32_t tsval, bool rst, std::uint64_t now_ms,
                                          options::missing_timestamp_policy missing) noexcept {
        if (!enabled() || rst) return options::paws_verdict::accept;
        if (!present) {
            return missing == options::missing_timestamp_policy::drop ? options::paws_verdict::drop_silently
                                                                      : options::paws_verdict::accept;
        }
        if (!options::timestamp_before(tsval, recent_)) return options::paws_verdict::accept;
        if (!recent_valid(now_ms)) {
            set_recent(tsval, now_ms);
            return options::paws_verdict::accept;
        }
        return options::paws_verdict::reject;
    }

    // §4.3 (2), for a segment that passed the acceptability test: "If SEG.TSval >= TS.Recent
    // and SEG.SEQ =< Last.ACK.sent then SEG.TSval is copied to TS.Recent". Returns whether.
    constexpr bool update_recent(bool present, std::uint32_t tsval, std::uint32_t seg_seq,
                                 std::uint64_t now_ms) noexcept {
        if (!enabled() || !present) return false;
        if (options::timestamp_before(tsval, recent_) || !seq_le(seg_seq, last_ack_sent_)) return false;
        set_recent(tsval, now_ms);
        return true;
    }

    // §4.1: the RTT sample of an ACK that advances SND.UNA, from its TSecr: our clock now
    // minus TSecr. None without TSopt or ACK bit, for a TSecr of 0 (an echo of nothing, as
    // Linux) or one ahead of our clock.
    constexpr rtt_sample rtt_from_echo(bool present, std::uint32_t tsecr, bool ack_bit,
                                       std::uint64_t now_ms) const noexcept {
        if (!enabled() || !present || !ack_bit || tsecr == 0) return {false, 0};
        const std::uint32_t ticks = tsval(now_ms) - tsecr;
        if (ticks >= 0x80000000u) return {false, 0};
        return {true, ticks};
    }

    // §5.5: TS.Recent is valid unless it was set more than 24 days before `now_ms`.
    constexpr bool recent_valid(std::uint64_t now_ms) const noexcept {
        const std::uint64_t at = recent_at_ms();
        return now_ms < at || now_ms - at <= options::paws_idle_limit_ms;
    }

    constexpr std::uint32_t recent() const noexcept { return recent_; }
    // RFC 6191 §2 for a segment with (`present`) or without TSopt: options::timestamp_newer_than_recent.
    constexpr bool newer_than_recent(bool present, std::uint32_t tsval) const noexcept {
        return options::timestamp_newer_than_recent(enabled(), present, tsval, recent_);
    }
    constexpr std::uint64_t recent_at_ms() const noexcept {
        return (std::uint64_t{recent_at_high_} << 32) | recent_at_low_;
    }
    constexpr std::uint32_t last_ack_sent() const noexcept { return last_ack_sent_; }
    constexpr std::uint32_t offset() const noexcept { return offset_; }
    // The connection's TSval offset (§5.4), chosen with its ISS.
    constexpr void set_offset(std::uint32_t offset) noexcept { offset_ = offset; }

    // A new connection: nothing negotiated, nothing recent.
    constexpr void reset() noexcept { *this = timestamping{}; }

private:
    static constexpr std::uint8_t sent_bit = 1u << 0;
    static constexpr std::uint8_t received_bit = 1u << 1;
    constexpr bool has(std::uint8_t bit) const noexcept { return (bits_ & bit) != 0; }
    constexpr void set_recent(std::uint32_t tsval, std::uint64_t now_ms) noexcept {
        recent_ = tsval;
        recent_at_low_ = static_cast<std::uint32_t>(now_ms);
        recent_at_high_ = static_cast<std::uint16_t>(now_ms >> 32);  // 48 bits of ms: 8,900 years
    }

    std::uint32_t recent_ = 0;         // TS.Recent
    std::uint32_t last_ack_sent_ = 0;  // Last.ACK.sent
    std::uint32_t offset_ = 0;         // Timestamp_Offset (§5.4)
    std::uint32_t call_clock_ = 0;     // set_call_clock: the call's clock, ms mod 2^32
    std::uint32_t recent_at_low_ = 0;  // when TS.Recent was set, ms (low 32 bits)
    std::uint16_t recent_at_high_ = 0;  //   (bits 32-47), in 4-octet alignment
    std::uint8_t bits_ = 0;            // sent_bit, received_bit
};

// The same interface for a profile without timestamps: empty, never offers TSopt.
class no_timestamping {
public:
    constexpr bool offer(bool, bool) noexcept { return false; }
    constexpr void on_peer_syn(bool, std::uint32_t, std::uint64_t) noexcept {}
    constexpr bool enabled() const noexcept { return false; }
    constexpr bool sent() const noexcept { return false; }
    constexpr std::uint32_t tsval(std::uint64_t) const noexcept { return 0; }
    constexpr void set_call_clock(std::uint64_t) noexcept {}
    constexpr std::uint32_t call_tsval() const noexcept { return 0; }
    constexpr std::uint32_t tsecr(bool) const noexcept { return 0; }
    constexpr void on_ack_sent(std::uint32_t) noexcept {}
    constexpr options::paws_verdict check(bool, std::uint32_t, bool, std::uint64_t,
                                          options::missing_timestamp_policy) noexcept {
        return options::paws_verdict::accept;
    }
    constexpr bool update_recent(bool, std::uint32_t, std::uint32_t, std::uint64_t) noexcept { return false; }
    constexpr rtt_sample rtt_from_echo(bool, std::uint32_t, bool, std::uint64_t) const noexcept { return {false, 0}; }
    constexpr std::uint32_t recent() const noexcept { return 0; }
    constexpr bool newer_than_recent(bool, std::uint32_t) const noexcept { return false; }
    constexpr std::uint32_t offset() const noexcept { return 0; }
    constexpr void set_offset(std::uint32_t) noexcept {}
    constexpr void reset() noexcept {}
};

// A profile with timestamps compiled in (`true`, the default for a profile without
// `timestamps_enabled`) or out (`false`: no timestamp state in the TCB, TSopt never
// offered), e.g. with_timestamps<default_profile, false>.
template <class Profile, bool Enabled>
struct with_timestamps : Profile {
    static constexpr bool timestamps_enabled = Enabled;
};

namespace detail {
template <class...>
using timestamping_void_t = void;

template <class Profile, class = void>
struct profile_timestamping {
    using type = timestamping;
};
template <class Profile>
struct profile_timestamping<Profile, timestamping_void_t<decltype(Profile::timestamps_enabled)>> {
    using type = typename std::conditional<Profile::timestamps_enabled, timestamping, no_timestamping>::type;
};

// The TSval offset for a connection on `tuple`: the IssPolicy's timestamp_offset(tuple)
// when it has one (rfc6528_iss: keyed like the ISS, §5.4), else 0.
template <class IssPolicy, class = void>
struct iss_timestamp_offset {
    static constexpr std::uint32_t get(const IssPolicy&, const four_tuple&) noexcept { return 0; }
};
template <class IssPolicy>
struct iss_timestamp_offset<
    IssPolicy, timestamping_void_t<decltype(std::declval<const IssPolicy&>().timestamp_offset(four_tuple{}))>> {
    static constexpr std::uint32_t get(const IssPolicy& p, const four_tuple& t) noexcept {
        return static_cast<std::uint32_t>(p.timestamp_offset(t));
    }
};

// An RTT sample from TSecr for the Profile's estimator: one with RFC 7323 §4.2's
// on_rtt_sample(r, n) (basic_rto_estimator) gets the adjusted gains, another the sample alone.
template <class Rto>
constexpr auto rto_sample_with_gains(Rto& rto, std::uint32_t r_ms, std::uint32_t n, int) noexcept
    -> decltype(rto.on_rtt_sample(r_ms, n), void()) {
    rto.on_rtt_sample(r_ms, n);
}
template <class Rto>
constexpr void rto_sample_with_gains(Rto& rto, std::uint32_t r_ms, std::uint32_t, long) noexcept {
    rto.on_rtt_sample(r_ms);
}
}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_TIMESTAMPING_HPP
