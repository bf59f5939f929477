// tcpfsm: the Timestamps option (RFC 7323 §3-5): TSval from a millisecond clock with a keyed
// per-connection offset (§5.4), TS.Recent and what to echo (§4.3), RTT samples from TSecr
// (§4.1) with the adjusted estimator gains (§4.2), and PAWS (§5.3) with its 24-day rule
// (§5.5). No clock is read: times come in as milliseconds from any monotonic origin.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_TIMESTAMPS_HPP
#define TCPFSM_OPTIONS_TIMESTAMPS_HPP

#include <cstddef>
#include <cstdint>

#include "../iss.hpp"
#include "../rto.hpp"
#include "../siphash.hpp"
#include "negotiation.hpp"

namespace tcpfsm {
namespace options {

// §5.4: "we choose a timestamp clock frequency in the range 1 ms to 1 sec per tick".
inline constexpr std::uint32_t min_ms_per_tick = 1;
inline constexpr std::uint32_t max_ms_per_tick = 1000;

// §5.5: TS.Recent is invalid once it has not been updated for more than 24 days
// (24 * 86,400,000 ms, below the 2^31 ms in which a 1 ms timestamp clock changes sign).
inline constexpr std::uint64_t paws_idle_limit_ms = std::uint64_t{24} * 24 * 60 * 60 * 1000;

// A non-RST segment without TSopt on a connection that negotiated timestamps.
enum class missing_timestamp_policy : std::uint8_t {
    accept,  // process it as if it had none (Linux: tcp_validate_incoming does not check)
    drop,    // §3.2: "a TCP SHOULD silently drop the segment"
};
inline constexpr unsigned missing_timestamp_policy_count = 2;

struct timestamp_config {
    bool offer = true;                                           // send TSopt on our SYN / SYN,ACK
    std::uint16_t ms_per_tick = 1;                               // the timestamp clock's tick, 1..1000 ms
    missing_timestamp_policy missing = missing_timestamp_policy::accept;  // Linux's default
};

constexpr bool is_valid(const timestamp_config& config) noexcept {
    return config.ms_per_tick >= min_ms_per_tick && config.ms_per_tick <= max_ms_per_tick;
}

// TSval and TS.Recent compare modulo 2^32 (§5.2: "SEG.TSval < TS.Recent" as in sequence
// space): a is before b when b is ahead by less than 2^31.
constexpr bool timestamp_before(std::uint32_t a, std::uint32_t b) noexcept { return seq_lt(a, b); }

// RFC 6191 §2: timestamps are in use (`negotiated`), the segment carries TSopt (`present`) and
// its TSval is newer than TS.Recent: a SYN with it may reopen a TIME-WAIT four-tuple at any
// sequence number. The one rule for the engine (timestamping) and the listener's records.
// "Newer" is "different and not older": a TSval exactly 2^31 from TS.Recent, which is neither
// before nor after it (RFC 1982 leaves it undefined), passes PAWS (timestamp_before) and so
// counts as newer, as in Linux's tcp_timewait_state_process ((s32)(ts_recent - tsval) < 0).
constexpr bool timestamp_newer_than_recent(bool negotiated, bool present, std::uint32_t tsval,
                                           std::uint32_t ts_recent) noexcept {
    return negotiated && present && tsval != ts_recent && !timestamp_before(tsval, ts_recent);
}

// The timestamp clock: now_ms / ms_per_tick, modulo 2^32. With 1 ms ticks it wraps every
// 49.7 days and changes sign (2^31 ticks) after 24.8 days (§5.5).
constexpr std::uint32_t timestamp_clock(std::uint64_t now_ms, std::uint32_t ms_per_tick) noexcept {
    return static_cast<std::uint32_t>(now_ms / (ms_per_tick != 0 ? ms_per_tick : 1u));
}

// §5.4: "TSval = (Timestamp Clock + Timestamp_Offset) mod 2^32", with a per-connection
// offset so that TSval tells nothing of the host's uptime nor links connections (§7). The
// offset is F(four-tuple) as RFC 6528's ISN offset: SipHash-2-4 under a secret key over the
// tuple's canonical bytes (iss.hpp) followed by the octet 'T', low 32 bits. The trailing
// octet separates it from rfc6528_iss::keyed_offset under the same key; a key of its own is
// still better (128 random bits, kept for the host's lifetime as the ISN's: a new key moves
// the TSvals of a reincarnated connection, which the peer's PAWS may then reject).
class timestamp_offset_generator {
public:
    explicit constexpr timestamp_offset_generator(siphash_key secret) noexcept : secret_(secret) {}

    constexpr std::uint32_t operator()(const four_tuple& t) const noexcept {
        const four_tuple_bytes tuple = canonical_bytes(t);
        std::uint8_t message[max_four_tuple_bytes + 1] = {};
        for (std::size_t i = 0; i < tuple.size; ++i) message[i] = tuple.bytes[i];
        message[tuple.size] = domain_octet;
        return static_cast<std::uint32_t>(siphash_2_4(secret_, message, tuple.size + 1));
    }

    static constexpr std::uint8_t domain_octet = 0x54;  // 'T'

private:
    siphash_key secret_;
};

// §4.2: RFC 6298's gains assume one sample per round trip. With a sample per ACK,
// "ExpectedSamples = ceiling(FlightSize / (SMSS * 2))" (an ACK for every second segment),
// at least 1, and alpha' = alpha / ExpectedSamples, beta' = beta / ExpectedSamples.
// Capped at 2^24 so the arithmetic below stays inside 64 bits.
inline constexpr std::uint32_t max_expected_samples = 1u << 24;
constexpr std::uint32_t expected_samples(std::uint32_t flight_size, std::uint32_t smss) noexcept {
    const std::uint64_t per = 2 * std::uint64_t{smss != 0 ? smss : 1u};
    const std::uint64_t n = (std::uint64_t{flight_size} + per - 1) / per;
    return n < 1 ? 1u : n > max_expected_samples ? max_expected_samples : static_cast<std::uint32_t>(n);
}

// SRTT and RTTVAR in units of 2^-8 ms, as basic_rto_estimator keeps them.
struct smoothed_rtt {
    static constexpr unsigned fraction_bits = 8;
    static constexpr std::uint32_t max_sample_ms = 0xffffffffu >> fraction_bits;
    std::uint32_t srtt_fixed = 0;
    std::uint32_t rttvar_fixed = 0;
    bool has_sample = false;
};

// One sample R with the gains of §4.2: the first sets SRTT = R, RTTVAR = R/2 (RFC 6298
// §2.2); later ones, in RFC 6298 §2.3's order,
//   RTTVAR <- (1 - beta') * RTTVAR + beta' * |SRTT - R|   = ((4n - 1) RTTVAR + |SRTT - R|) / 4n
//   SRTT   <- (1 - alpha') * SRTT + alpha' * R             = ((8n - 1) SRTT + R) / 8n
// with n = ExpectedSamples, each rounded to the nearest 2^-8 ms, halves up. n = 1 is
// basic_rto_estimator's arithmetic exactly.
constexpr smoothed_rtt update_smoothed_rtt(smoothed_rtt e, std::uint32_t r_ms, std::uint32_t samples) noexcept {
    const std::uint64_t r = std::uint64_t{r_ms < smoothed_rtt::max_sample_ms ? r_ms : smoothed_rtt::max_sample_ms}
                            << smoothed_rtt::fraction_bits;
    if (!e.has_sample) {
        e.srtt_fixed = static_cast<std::uint32_t>(r);
        e.rttvar_fixed = static_cast<std::uint32_t>(r / 2);
        e.has_sample = true;
        return e;
    }
    const std::uint64_t n = samples < 1 ? 1u : samples > max_expected_samples ? max_expected_samples : samples;
    const std::uint64_t srtt = e.srtt_fixed, rttvar = e.rttvar_fixed;
    const std::uint64_t diff = srtt < r ? r - srtt : srtt - r;
    e.rttvar_fixed = static_cast<std::uint32_t>(((4 * n - 1) * rttvar + diff + 2 * n) / (4 * n));
    e.srtt_fixed = static_cast<std::uint32_t>(((8 * n - 1) * srtt + r + 4 * n) / (8 * n));
    return e;
}

// RFC 6298 §2.3: RTO = SRTT + max(G, K * RTTVAR), K = 4, rounded to the nearest ms, then
// raised to config.min_ms and capped at config.max_ms (§2.4, §2.5); config.initial_ms before
// any sample (§2.1).
constexpr std::uint32_t rto_ms_for(const smoothed_rtt& e, const rto_config& config) noexcept {
    if (!e.has_sample) return config.initial_ms;
    const std::uint64_t g = std::uint64_t{config.granularity_ms} << smoothed_rtt::fraction_bits;
    const std::uint64_t k_rttvar = 4 * std::uint64_t{e.rttvar_fixed};
    const std::uint64_t fixed = e.srtt_fixed + (g < k_rttvar ? k_rttvar : g);
    std::uint64_t ms = (fixed + (std::uint64_t{1} << (smoothed_rtt::fraction_bits - 1))) >> smoothed_rtt::fraction_bits;
    if (ms < config.min_ms) ms = config.min_ms;
    return static_cast<std::uint32_t>(ms > config.max_ms ? config.max_ms : ms);
}

// What PAWS (§5.3) and the missing-option policy (§3.2) make of an arriving segment.
enum class paws_verdict : std::uint8_t {
    accept,          // go on with the acceptability test and the rest of RFC 9293 §3.10.7.4
    reject,          // R1: an old duplicate. "Send an acknowledgment in reply ... and drop the
                     // segment" (never for an RST: RSTs are exempt and never get this)
    drop_silently,   // no TSopt on a non-RST segment, under missing_timestamp_policy::drop
};
inline constexpr unsigned paws_verdict_count = 3;

// One connection's timestamps: negotiation, TSval, TS.Recent and Last.ACK.sent (§4.3),
// PAWS (§5.3, §5.5) and RTT samples (§4.1). 32 octets on x86-64.
class timestamp_state {
public:
    // A connection whose TSvals carry `offset` (timestamp_offset_generator, or the offset a
    // SYN cookie chose). `config` must be valid (is_valid); a tick of 0 is taken as 1 ms.
    explicit constexpr timestamp_state(std::uint32_t offset = 0, const timestamp_config& config = {}) noexcept
        : offset_(offset),
          ms_per_tick_(config.ms_per_tick != 0 ? config.ms_per_tick : std::uint16_t{1}),
          missing_(config.missing) {}

    // Our SYN (active) or SYN,ACK (passive: only if the peer's SYN carried TSopt) is being
    // built: returns whether it carries TSopt (TSval = tsval(now), TSecr = tsecr(ack bit)).
    constexpr bool offer(open_side side, bool want) noexcept { return flags_.offer(side, want); }

    // The peer's SYN or SYN,ACK (`syn`; other segments change nothing here: call check()),
    // with (`present`) or without TSopt. A SYN with TSopt sets TS.Recent to its TSval
    // (RFC 7323 Appendix D). Returns whether TS.Recent was set.
    constexpr bool on_peer_syn(bool syn, bool present, std::uint32_t tsval, std::uint64_t now_ms) noexcept {
        if (!flags_.on_peer_segment(syn, present) || !present) return false;
        set_recent(tsval, now_ms);
        return true;
    }

    // Both SYNs carried TSopt: from now on "the TSopt MUST be sent in every non-<RST> segment
    // for the duration of the connection, and SHOULD be sent in an <RST> segment" (§3.2).
    constexpr bool enabled() const noexcept { return flags_.enabled(); }
    constexpr bool sent() const noexcept { return flags_.sent(); }
    constexpr bool received() const noexcept { return flags_.received(); }

    // The TSval of a segment sent at `now_ms` (§5.4).
    constexpr std::uint32_t tsval(std::uint64_t now_ms) const noexcept {
        return timestamp_clock(now_ms, ms_per_tick_) + offset_;
    }
    // The TSecr of a segment we send: TS.Recent when its ACK bit is set (§4.3 (3)), and 0
    // otherwise (§3.2: "the sender of that segment SHOULD set the TSecr field to zero").
    constexpr std::uint32_t tsecr(bool ack_bit) const noexcept { return ack_bit ? recent_ : 0u; }

    // We sent a segment acknowledging `ack` (any segment with the ACK bit): Last.ACK.sent.
    constexpr void on_ack_sent(std::uint32_t ack) noexcept { last_ack_sent_ = ack; }

    // Step one of the segment checks for a synchronized connection, before the acceptability
    // test (§5.3 R1, §3.2, §5.5; RFC 7323 Appendix D). `present`/`tsval`: the segment's
    // TSopt; `rst`: its RST bit. Without negotiated timestamps everything passes (§3.2: a
    // TSopt there "MUST be ignored"). When TS.Recent is older than 24 days (§5.5), an older
    // TSval is not rejected but becomes TS.Recent.
    constexpr paws_verdict check(bool present, std::uint32_t tsval, bool rst, std::uint64_t now_ms) noexcept {
        if (!enabled() || rst) return paws_verdict::accept;
        if (!present) {
            return missing_ == missing_timestamp_policy::drop ? paws_verdict::drop_silently : paws_verdict::accept;
        }
        if (!timestamp_before(tsval, recent_)) return paws_verdict::accept;
        if (!recent_valid(now_ms)) {
            set_recent(tsval, now_ms);
            return paws_verdict::accept;
        }
        return paws_verdict::reject;
    }

    // A segment that passed check() and the acceptability test: §4.3 (2), "If: SEG.TSval >=
    // TS.Recent and SEG.SEQ <= Last.ACK.sent then SEG.TSval is copied to TS.Recent". (RFC 1323
    // §3.4 asked for SEG.SEQ <= Last.ACK.sent < SEG.SEQ + SEG.LEN, which a segment without
    // text never meets; Linux keeps the same rule as here with rcv_wup.) Returns whether it did.
    constexpr bool update_recent(bool present, std::uint32_t tsval, std::uint32_t seg_seq,
                                 std::uint64_t now_ms) noexcept {
        if (!enabled() || !present) return false;
        if (timestamp_before(tsval, recent_) || !seq_le(seg_seq, last_ack_sent_)) return false;
        set_recent(tsval, now_ms);
        return true;
    }

    // §4.1: an RTT sample from the TSecr of an ACK that advances SND.UNA (`advances_snd_una`),
    // in milliseconds: (our clock now - TSecr) ticks. None when timestamps are off, the
    // segment has no TSopt or no ACK bit (§3.2: TSecr is valid only with ACK), TSecr is 0 (as
    // Linux: an echo of nothing), or TSecr is ahead of our clock (an echo of no TSval we sent).
    // A retransmission's ACK gives a sample too (§4.1: no Karn ambiguity: TSecr names the
    // transmission it echoes).
    constexpr rtt_sample rtt_from_echo(bool present, std::uint32_t tsecr, bool ack_bit, bool advances_snd_una,
                                       std::uint64_t now_ms) const noexcept {
        if (!enabled() || !present || !ack_bit || !advances_snd_una || tsecr == 0) return {false, 0};
        const std::uint32_t ticks = tsval(now_ms) - tsecr;
        if (ticks >= 0x80000000u) return {false, 0};
        const std::uint64_t ms = std::uint64_t{ticks} * ms_per_tick_;
        return {true, ms > 0xffffffffu ? 0xffffffffu : static_cast<std::uint32_t>(ms)};
    }

    // TS.Recent, when it was set (ms), and Last.ACK.sent.
    constexpr std::uint32_t recent() const noexcept { return recent_; }
    constexpr std::uint64_t recent_set_at_ms() const noexcept { return recent_at_ms_; }
    constexpr std::uint32_t last_ack_sent() const noexcept { return last_ack_sent_; }
    // §5.5: TS.Recent is valid unless it was set more than 24 days before `now_ms`.
    constexpr bool recent_valid(std::uint64_t now_ms) const noexcept {
        return now_ms < recent_at_ms_ || now_ms - recent_at_ms_ <= paws_idle_limit_ms;
    }
    constexpr std::uint32_t offset() const noexcept { return offset_; }
    constexpr std::uint16_t ms_per_tick() const noexcept { return ms_per_tick_; }

private:
    constexpr void set_recent(std::uint32_t tsval, std::uint64_t now_ms) noexcept {
        recent_ = tsval;
        recent_at_ms_ = now_ms;
    }

    std::uint64_t recent_at_ms_ = 0;
    std::uint32_t recent_ = 0;
    std::uint32_t last_ack_sent_ = 0;
    std::uint32_t offset_ = 0;
    std::uint16_t ms_per_tick_ = 1;
    missing_timestamp_policy missing_ = missing_timestamp_policy::accept;
    syn_option_negotiation flags_{};
};

}  // namespace options
}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_TIMESTAMPS_HPP
