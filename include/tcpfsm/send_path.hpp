// tcpfsm: the sender's congestion state for the connection engine: the Profile's
// congestion-control policy (RFC 9293 §3.8.2 MUST-19, RFC 5681; include/tcpfsm/congestion/)
// and the loss-recovery component (loss_recovery.hpp: fast retransmit and fast recovery,
// RFC 5681 §3.2, NewReno's partial ACKs, RFC 6582, limited transmit, RFC 3042, go-back-N
// after a timeout, RFC 5681 §3.1, F-RTO, RFC 5682), joined the way docs/loss_recovery.md
// "How an engine calls it" says. The engine (connection.hpp) hands it ACKs, timeouts and
// the time, and asks it how much may be sent and what to send again.
//
// None of this is a state of RFC 9293's diagram: the recovery state (open, disorder,
// recovery, loss) is the sender's, kept beside the connection's state as Linux keeps
// icsk_ca_state beside sk_state. No event of the table is added for it: a duplicate ACK is
// an acceptable ACK (the rcv_ack row), and a retransmission is output, like new data
// (docs/engine.md, "Congestion control and loss recovery").
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SEND_PATH_HPP
#define TCPFSM_SEND_PATH_HPP

#include <cstdint>
#include <type_traits>

#include "congestion/contract.hpp"
#include "congestion/initial_window.hpp"
#include "detail/ebo.hpp"
#include "loss_recovery.hpp"
#include "seq.hpp"
#include "spurious_retransmission.hpp"

namespace tcpfsm {

// The initial window for `segments` segments of `smss` octets (connection_config::
// initial_window_segments): RFC 6928's min(10*SMSS, max(2*SMSS, 14600)) for 10, the
// default (Linux's TCP_INIT_CWND); segments * SMSS otherwise (Linux's initcwnd route
// option). At least one segment.
constexpr std::uint32_t initial_window(std::uint32_t segments, std::uint32_t smss) noexcept {
    if (segments == 10) return congestion::rfc6928_initial_window(smss);
    const std::uint64_t w = std::uint64_t{segments == 0 ? 1u : segments} * smss;
    return w > congestion::cwnd_cap ? congestion::cwnd_cap : static_cast<std::uint32_t>(w);
}

namespace detail {
// The policy as an empty base when it is empty (congestion::unlimited costs nothing).
template <class T, bool Empty = std::is_empty<T>::value && !std::is_final<T>::value>
struct congestion_holder : private T {
    T& policy() noexcept { return *this; }
    const T& policy() const noexcept { return *this; }
};
template <class T>
struct congestion_holder<T, false> {
    TCPFSM_NO_UNIQUE_ADDRESS T policy_{};
    T& policy() noexcept { return policy_; }
    const T& policy() const noexcept { return policy_; }
};

// RTT samples on every ACK (RFC 9406 §4.2: the round's minimum "over all RTT samples") with
// no send time per segment: up to N segments of new data are timed at once, each by its end
// (SND.NXT after it) and send tick; an ACK that covers some takes one sample, from the newest
// of them (Linux's ca_rtt_us from the last segment acked). A segment that directly follows a
// timed one is not timed, so that an ACK of every second segment (RFC 5681 §4.2) covers one
// probe, not two: N probes give up to N samples a round. New data only, and any
// retransmission forgets them all (Karn's rule, RFC 6298 §3: an ACK after it may answer
// either copy).
// Size: 8 octets for the oldest probe (its end; its send tick modulo 2^31 above an "in use"
// bit, as rtt_sampler), 4 for each later one (its end and send tick as 16-bit offsets from
// the oldest's; 0 marks a free slot, ends being strictly increasing): 36 octets for N = 8.
// A segment ending more than 65,535 octets or sent more than 65,535 ms after the oldest
// probe is not timed.
template <std::uint32_t N>
class rtt_probes {
    static_assert(N >= 2 && N <= 255, "tcpfsm::send_path: 2 to 255 RTT probes (or 0: none)");

public:
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    void clear() noexcept {
        oldest_sent_ = 0;
        for (probe& p : later_) p = probe{};
    }
    // A segment of new data [start, end) went out at `now_ms`.
    void on_sent(std::uint32_t start, std::uint32_t end, std::uint32_t now_ms) noexcept {
        if (!in_use()) {
            oldest_end_ = end;
            oldest_sent_ = (now_ms << 1) | in_use_bit;
            return;
        }
        std::uint32_t newest_end = oldest_end_;
        std::uint32_t n = 0;
        for (; n < N - 1 && later_[n].end != 0; ++n) newest_end = oldest_end_ + later_[n].end;
        if (n == N - 1 || !seq_lt(newest_end, start)) return;  // full, or follows a timed segment
        const std::uint32_t end_offset = end - oldest_end_;
        const std::uint32_t sent_offset = since_oldest(now_ms);
        if (end_offset > 0xFFFFu || sent_offset > 0xFFFFu) return;
        later_[n] = probe{static_cast<std::uint16_t>(end_offset), static_cast<std::uint16_t>(sent_offset)};
    }
    // An ACK of `ack` at `now_ms`: the RTT of the newest timed segment it covers, in ms, or none.
    std::uint32_t on_ack(std::uint32_t ack, std::uint32_t now_ms) noexcept {
        std::uint32_t sample = none;
        while (in_use() && seq_le(oldest_end_, ack)) {
            sample = since_oldest(now_ms);
            pop_oldest();
        }
        return sample;
    }
    std::uint32_t count() const noexcept {
        if (!in_use()) return 0;
        std::uint32_t n = 1;
        for (const probe& p : later_) n += p.end != 0 ? 1u : 0u;
        return n;
    }

private:
    static constexpr std::uint32_t in_use_bit = 1;
    struct probe {
        std::uint16_t end = 0;   // offset from oldest_end_; 0: free
        std::uint16_t sent = 0;  // ms after the oldest's send tick
    };
    bool in_use() const noexcept { return (oldest_sent_ & in_use_bit) != 0; }
    // ms since the oldest probe was sent, modulo 2^31.
    std::uint32_t since_oldest(std::uint32_t now_ms) const noexcept {
        return ((now_ms << 1) - (oldest_sent_ & ~in_use_bit)) >> 1;
    }
    // The next probe becomes the oldest; the offsets of the others follow it.
    void pop_oldest() noexcept {
        const probe next = later_[0];
        if (next.end == 0) {
            oldest_sent_ = 0;
            return;
        }
        oldest_end_ += next.end;
        oldest_sent_ = (((oldest_sent_ >> 1) + next.sent) << 1) | in_use_bit;
        for (std::uint32_t i = 0; i + 1 < N - 1; ++i) {
            const probe p = later_[i + 1];
            later_[i] = p.end == 0 ? probe{}
                                   : probe{static_cast<std::uint16_t>(p.end - next.end),
                                           static_cast<std::uint16_t>(p.sent - next.sent)};
        }
        later_[N - 2] = probe{};
    }
    std::uint32_t oldest_end_ = 0;
    std::uint32_t oldest_sent_ = 0;  // send tick modulo 2^31, shifted left, | in_use_bit
    probe later_[N - 1]{};
};
template <>
class rtt_probes<0> {
public:
    static constexpr std::uint32_t none = 0xFFFFFFFFu;
    void clear() noexcept {}
    void on_sent(std::uint32_t, std::uint32_t, std::uint32_t) noexcept {}
    std::uint32_t on_ack(std::uint32_t, std::uint32_t) noexcept { return none; }
    std::uint32_t count() const noexcept { return 0; }
};
}  // namespace detail

// One ACK as the engine sees it, before SND.UNA moves.
struct send_path_ack {
    std::uint32_t ack;          // SEG.ACK
    std::uint32_t snd_una;      // SND.UNA before the ACK
    std::uint32_t snd_nxt;      // SND.NXT
    std::uint32_t smss;         // SMSS
    bool duplicate;             // is_duplicate_ack(...) (false while a zero-window probe is out)
    bool new_data_sendable;     // unsent data, and the peer's window admits some of it
};

// The Profile's congestion-control policy `CC` (checked against congestion/contract.hpp)
// and the loss-recovery component with `Recovery` (loss_recovery_defaults: DupThresh 3,
// limited transmit, F-RTO), and `Spurious`, the detector of spurious retransmissions
// (spurious_retransmission.hpp; none by default: the engine chooses one per Profile).
template <class CC, const loss_recovery_config& Recovery = loss_recovery_defaults,
          class Spurious = no_spurious_retransmission_detector>
class send_path : private detail::congestion_holder<CC> {
    static_assert(congestion::check_policy<CC>(), "tcpfsm::send_path: see the message above");
    using holder = detail::congestion_holder<CC>;

public:
    using policy_type = CC;
    using recovery_type = basic_loss_recovery<Recovery>;
    using spurious_type = Spurious;

    // Every part value-initialized, as `send_path{}` would, but part by part: with the
    // implicit constructor, `send_path{}` (the engine's reset when a TCB is deleted) zeroes
    // the whole object first (g++: a `rep stos`, 6% of a connection's lifecycle).
    constexpr send_path() noexcept
        : holder(), recovery_(), limited_transmit_(0), last_sent_ms_(0), probes_(), spurious_() {}

    // The connection's data phase begins (our SYN acknowledged, SMSS known): the initial
    // window, one segment if the SYN or SYN,ACK was retransmitted (RFC 5681 §3.1: "MUST").
    void start(std::uint32_t smss, std::uint32_t initial_window_octets, bool syn_retransmitted,
               std::uint32_t now_ms, std::uint64_t now_us) noexcept {
        recovery_.reset();
        spurious_.reset();
        policy().init(smss, syn_retransmitted ? smss : initial_window_octets, now_us);
        last_sent_ms_ = now_ms;
        limited_transmit_ = 0;
        probes_.clear();
    }

    // The SYN's (or SYN,ACK's) timer expired while text or a FIN sent with or after it was
    // outstanding (a CLOSE in SYN-RECEIVED, text on a SYN): when the SYN is acknowledged,
    // what is left of that flight is resent by go-back-N (RFC 5681 §3.1, RFC 6582 §3.2
    // step 4's recover = SND.NXT), with no further reduction: the window is already 1 SMSS.
    void go_back_n_after_syn_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        recovery_.on_retransmission_timeout(snd_una, snd_nxt);
    }

    // An acceptable ACK (SND.UNA =< SEG.ACK =< SND.NXT), before SND.UNA moves: the loss-
    // recovery decisions (RFC 5681 §3.2, RFC 6582, RFC 3042, RFC 5682). The policy's on_loss
    // supplies ssthresh when fast recovery begins.
    recovery_response before_ack(const send_path_ack& in, std::uint64_t now_us) noexcept {
        CC& cc = policy();
        const recovery_ack ra{in.ack, in.snd_una, in.snd_nxt, cc.cwnd(), in.smss, in.duplicate, in.new_data_sendable};
        // (By reference: the lambda runs inside on_ack; a policy without the long form reads
        // no SMSS, and an explicit capture of it would be unused.)
        recovery_response r{};
        recovery_.on_ack(r, ra, [&](std::uint32_t flight) {
            if constexpr (congestion::has_on_loss_smss_v<CC>) {
                return static_cast<std::uint32_t>(cc.on_loss(flight, in.smss, now_us));
            } else {
                return static_cast<std::uint32_t>(cc.on_loss(flight, now_us));
            }
        });
        limited_transmit_ = r.limited_transmit;
        if (r.fast_retransmit) spurious_.start(in.snd_una);  // an episode begins (Linux's tcp_init_undo)
        return r;
    }

    // After SND.UNA moved: the policy's growth (RFC 5681 §3.1, RFC 3465), the end of fast
    // recovery (RFC 6582 §3.2 step 3), the undo of a spurious timeout (RFC 5682).
    void after_ack(const recovery_response& r, const congestion::ack_sample& sample) noexcept {
        CC& cc = policy();
        if (r.recovery_ended) cc.on_recovery_exit(r.exit_cwnd, sample.now_us);
        if (r.spurious_timeout) {
            spurious_.finish();  // F-RTO undid the episode: nothing more to find
            if constexpr (congestion::has_spurious_undo_v<CC>) cc.on_spurious_undo(sample.now_us);
        }
        if (r.grow_cwnd && sample.acked_octets > 0) cc.on_ack(sample);
    }

    // SACK loss recovery (RFC 6675 with PRR, sack/sender.hpp) began: the policy's ssthresh
    // for FlightSize `flight`, as on NewReno's third duplicate ACK (RFC 6675 §5 (4.2)).
    std::uint32_t on_sack_recovery_start(std::uint32_t flight, std::uint32_t smss, std::uint64_t now_us) noexcept {
        if constexpr (congestion::has_on_loss_smss_v<CC>) {
            return static_cast<std::uint32_t>(policy().on_loss(flight, smss, now_us));
        } else {
            return static_cast<std::uint32_t>(policy().on_loss(flight, now_us));
        }
    }
    // It ended (RFC 6675 §5 (A)): cwnd = ssthresh (RFC 6937 §3, as Linux's
    // tcp_end_cwnd_reduction), handed to the policy as a fast recovery's exit.
    void on_sack_recovery_end(std::uint32_t cwnd_at_exit, std::uint64_t now_us) noexcept {
        policy().on_recovery_exit(cwnd_at_exit, now_us);
    }

    // The retransmission timer expired with data outstanding (not the SYN's): ssthresh and
    // the loss window (RFC 5681 §3.1; held on a repeated timeout), then the loss state and
    // go-back-N from SND.UNA (RFC 6582 §3.2 step 4).
    void on_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss, std::uint64_t now_us) noexcept {
        const bool repeated = recovery_.state() == recovery_state::loss;
        // A timeout in fast recovery or after another one goes on with its episode (the
        // first retransmission's TSval stays, every retransmission counts), as Linux's
        // tcp_enter_loss keeps undo_marker; otherwise one begins.
        const bool continues = repeated || recovery_.state() == recovery_state::recovery;
        if (!continues || !spurious_.active()) spurious_.start(snd_una);
        if constexpr (congestion::has_on_timeout_smss_v<CC>) {
            policy().on_timeout(snd_nxt - snd_una, repeated, smss, now_us);
        } else {
            policy().on_timeout(snd_nxt - snd_una, repeated, now_us);
        }
        recovery_.on_retransmission_timeout(snd_una, snd_nxt);
        limited_transmit_ = 0;
        probes_.clear();
    }

    // The loss state: the next range go-back-N resends now (length 0: none).
    retransmission next_retransmission(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss) const noexcept {
        return recovery_.next_retransmission(snd_una, snd_nxt, policy().cwnd(), smss);
    }
    // [seq, seq + length) was sent again (moves the go-back-N pointer in the loss state).
    void on_retransmitted(std::uint32_t seq, std::uint32_t length) noexcept { recovery_.on_retransmitted(seq, length); }

    // Octets of new data cwnd admits now: cwnd - pipe (RFC 5681 §3.1; in fast recovery the
    // inflated window of §3.2), plus the limited-transmit allowance of the last ACK (RFC 3042).
    std::uint32_t room(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss) const noexcept {
        // RFC 3042: the allowance is beyond cwnd (cwnd itself unchanged); on_data_sent spends
        // it. The recovery component checked FlightSize + SMSS =< cwnd + 2*SMSS.
        const std::uint32_t w = cwnd();
        const std::uint32_t in_flight = recovery_.pipe(snd_una, snd_nxt);
        std::uint64_t free = (w > in_flight ? w - in_flight : 0u) + std::uint64_t{limited_transmit_} * smss;
        // RFC 6582 §3.2 step 3: after fast recovery, at most N segments per ACK
        // (loss_recovery_config::exit_burst_segments) until FlightSize nears cwnd.
        const std::uint32_t burst = recovery_.burst_room(snd_nxt);
        if (burst < free) free = burst;
        return free > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(free);
    }
    // The allowance of limited transmit lasts one input (the ACK that gave it).
    void on_output_done() noexcept { limited_transmit_ = 0; }
    // New data [start, end) went out (end: SND.NXT after it): the idle restart measures from
    // it; it spends a limited-transmit allowance; it may be timed for the policy's RTT samples.
    void on_data_sent(std::uint32_t now_ms, std::uint32_t start, std::uint32_t end) noexcept {
        last_sent_ms_ = now_ms;
        if (limited_transmit_ != 0) --limited_transmit_;
        probes_.on_sent(start, end, now_ms);
    }
    // Something was sent again (Karn's rule): no timed segment gives a sample any more.
    void on_resent() noexcept { probes_.clear(); }
    // [seq, seq + length) was sent again at TSval `tsval`: the same, and the detector counts it.
    void on_resent(std::uint32_t seq, std::uint32_t length, std::uint32_t tsval) noexcept {
        probes_.clear();
        spurious_.on_retransmitted(seq, length, tsval);
    }

    // ---- spurious retransmissions (spurious_retransmission.hpp, detail/connection_undo.hpp) ----
    // The episode's fast recovery or loss state ends now, without more retransmissions.
    void leave_recovery() noexcept { recovery_.undo(); }
    // The episode was spurious: the policy's undo (cwnd and ssthresh as before it, RFC 9438
    // §4.9 for CUBIC), after any exit from recovery this ACK made.
    void undo_spurious(std::uint64_t now_us) noexcept {
        if constexpr (congestion::has_spurious_undo_v<CC>) policy().on_spurious_undo(now_us);
    }
    Spurious& spurious() noexcept { return spurious_; }
    const Spurious& spurious() const noexcept { return spurious_; }
    // An acceptable ACK (before SND.UNA moves): the policy's RTT sample from the timed
    // segments it covers, in ms; detail::rtt_probes<0>::none when there is none (and always
    // when the policy has no rtt_probes: the engine's Karn sample is then the policy's).
    std::uint32_t take_rtt_probe(std::uint32_t ack, std::uint32_t now_ms) noexcept {
        return probes_.on_ack(ack, now_ms);
    }
    static constexpr std::uint32_t no_rtt_probe = detail::rtt_probes<0>::none;
    // About to send new data with nothing in flight (RFC 5681 §4.1; RFC 9438 §5.8 for
    // CUBIC's epoch): the policy restarts the window if the idle time exceeded the RTO.
    // The idle period is then over: a second call before any send reports no idle time.
    // `initial_window`: the one start() gave the policy (for a policy that keeps no copy).
    void on_idle_send(std::uint32_t now_ms, std::uint32_t rto_ms, std::uint32_t initial_window,
                      std::uint64_t now_us) noexcept {
        const std::uint32_t idle_ms = now_ms - last_sent_ms_;
        const std::uint64_t idle_us = std::uint64_t{idle_ms} * 1000u, rto_us = std::uint64_t{rto_ms} * 1000u;
        if constexpr (congestion::has_on_restart_after_idle_iw_v<CC>) {
            policy().on_restart_after_idle(idle_us, rto_us, initial_window, now_us);
        } else {
            policy().on_restart_after_idle(idle_us, rto_us, now_us);
        }
        last_sent_ms_ = now_ms;
    }

    // The window to send with: the loss-recovery component's in fast recovery, else the policy's.
    std::uint32_t cwnd() const noexcept { return recovery_.cwnd(policy().cwnd()); }
    std::uint32_t ssthresh() const noexcept { return policy().ssthresh(); }
    std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        return recovery_.pipe(snd_una, snd_nxt);
    }
    recovery_state recovery() const noexcept { return recovery_.state(); }
    const recovery_type& loss_recovery() const noexcept { return recovery_; }
    CC& policy() noexcept { return holder::policy(); }
    const CC& policy() const noexcept { return holder::policy(); }

private:
    // The loss-recovery state's tail padding holds the limited-transmit allowance
    // (TCPFSM_NO_UNIQUE_ADDRESS, detail/ebo.hpp): 16 + 1 + 4 octets take 20, not 24.
    TCPFSM_NO_UNIQUE_ADDRESS recovery_type recovery_{};
    std::uint8_t limited_transmit_ = 0;    // RFC 3042 segments allowed beyond cwnd, this input only
    std::uint32_t last_sent_ms_ = 0;       // tick of the last new data sent (idle restart)
    // Timed segments for the policy's per-ACK RTT samples (none unless it asks).
    TCPFSM_NO_UNIQUE_ADDRESS detail::rtt_probes<congestion::rtt_probes_v<CC>> probes_{};
    // Eifel and D-SACK detection (20 octets), or nothing.
    TCPFSM_NO_UNIQUE_ADDRESS Spurious spurious_{};
};

// The engine's send path for congestion policy `CC`, with a detector of spurious
// retransmissions when the policy can undo and timestamps or SACK are compiled in.
template <class CC, bool Timestamps, bool Sack>
using send_path_for = send_path<
    CC, loss_recovery_defaults,
    typename detail::spurious_detector_for<congestion::has_spurious_undo_v<CC>, Timestamps, Sack>::type>;

}  // namespace tcpfsm

#endif  // TCPFSM_SEND_PATH_HPP
