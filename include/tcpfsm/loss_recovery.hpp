// tcpfsm: the sender's loss recovery: duplicate ACKs (RFC 5681 §2), limited transmit
// (RFC 3042), fast retransmit and fast recovery (RFC 5681 §3.2) with NewReno's partial ACKs
// (RFC 6582), go-back-N after a retransmission timeout (RFC 5681 §3.1, RFC 6582 §3.2 step 4)
// and F-RTO's detection of spurious timeouts (RFC 5682 §2, the basic algorithm).
//
// This is a component of the sender, not part of RFC 9293's state diagram: its
// `recovery_state` is the state of the sender's loss recovery (Linux's TCP_CA_Open,
// TCP_CA_Disorder, TCP_CA_Recovery, TCP_CA_Loss), kept beside the connection's state.
// The congestion-control policy (slow start, congestion avoidance, ssthresh) is separate
// (Linux's tcp_cong.c against tcp_input.c): this component takes ssthresh as a value when
// fast recovery starts, owns the congestion window while fast recovery lasts, and reports
// the window to hand back when it ends. docs/loss_recovery.md says how an engine calls it.
//
// All sequence numbers are modulo 2^32 (RFC 9293 §3.4); amounts are octets of sequence
// space. No allocation, no clock, no exceptions.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_LOSS_RECOVERY_HPP
#define TCPFSM_LOSS_RECOVERY_HPP

#include <cstddef>
#include <cstdint>

#include "seq.hpp"

namespace tcpfsm {

// The state of the sender's loss recovery (not an RFC 9293 state). Names as Linux's.
enum class recovery_state : std::uint8_t {
    open,      // no sign of loss
    disorder,  // duplicate ACKs below the threshold: reordering or the start of a loss
    recovery,  // fast recovery (RFC 5681 §3.2, RFC 6582): this component owns cwnd
    loss,      // after a retransmission timeout, until SND.UNA reaches `recover`: go-back-N
};

inline constexpr std::size_t recovery_state_count = 4;

constexpr const char* name(recovery_state s) noexcept {
    switch (s) {
        case recovery_state::open: return "open";
        case recovery_state::disorder: return "disorder";
        case recovery_state::recovery: return "recovery";
        case recovery_state::loss: return "loss";
    }
    return "invalid";
}

// RFC 5681 §2, DUPLICATE ACKNOWLEDGMENT: (a) the sender has outstanding data, (b) the ACK
// carries no data, (c) SYN and FIN are both off, (d) SEG.ACK equals the greatest
// acknowledgment received (SND.UNA), (e) the advertised window equals the one in the last
// incoming acknowledgment (the engine passes SND.WND as it was before this segment).
constexpr bool is_duplicate_ack(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t seg_ack,
                                std::uint32_t seg_text_length, bool seg_syn, bool seg_fin,
                                std::uint32_t seg_window, std::uint32_t last_window) noexcept {
    return snd_una != snd_nxt          // (a)
           && seg_text_length == 0     // (b)
           && !seg_syn && !seg_fin     // (c)
           && seg_ack == snd_una       // (d)
           && seg_window == last_window;  // (e)
}

// The cwnd on leaving fast recovery with a full acknowledgment (RFC 6582 §3.2 step 3).
enum class recovery_exit_window : std::uint8_t {
    // Option (1): min(ssthresh, max(FlightSize, SMSS) + SMSS). The default: no burst when
    // little is outstanding at the exit. (Linux sets cwnd = ssthresh, option (2), but its
    // recovery is PRR (RFC 6937), which brings FlightSize to about ssthresh by the exit;
    // this component inflates as RFC 5681 §3.2 does, so option (2) could burst.)
    flight_bounded,
    // Option (2): ssthresh. RFC 6582 asks for a burst limit with it:
    // loss_recovery_config::exit_burst_segments.
    ssthresh,
};

// Which partial ACKs restart the retransmission timer (RFC 6582 §3.2 step 3, and its
// discussion of the "Impatient" and "Slow-but-Steady" variants).
enum class partial_ack_timer : std::uint8_t {
    // "Slow-but-Steady": every partial ACK restarts it, as RFC 6298 (5.3) does for any ACK
    // of new data. The default: Linux re-arms the timer on every ACK that advances
    // SND.UNA (tcp_ack -> tcp_set_xmit_timer).
    every_partial_ack,
    // "Impatient": only the first partial ACK does, so that a window with many losses ends
    // in a timeout and go-back-N rather than one retransmission per round trip.
    first_partial_ack,
};

struct loss_recovery_config {
    std::uint8_t dupack_threshold;  // DupThresh, 3 (RFC 5681 §3.2; Linux's tcp_reordering)
    recovery_exit_window exit_window;
    partial_ack_timer timer;
    bool limited_transmit;  // RFC 3042 (RFC 5681 §3.2 step 1: SHOULD)
    bool frto;              // RFC 5682 (Linux's tcp_frto, on by default)
    // RFC 6582 §3.2 step 3's burst limit after a full ACK: "limit the number of data packets
    // that can be sent in response to a single acknowledgment". From the exit ACK on, each
    // ACK lets new data reach at most SND.NXT + N*SMSS (FlightSize after the ACK plus N
    // segments, Linux's old tcp_moderate_cwnd bound, without lowering cwnd), until cwnd is
    // within N*SMSS of FlightSize. 0: no limit.
    std::uint8_t exit_burst_segments;
};

inline constexpr loss_recovery_config loss_recovery_defaults{
    3, recovery_exit_window::flight_bounded, partial_ack_timer::every_partial_ack, true, true, 0};

// One acceptable ACK (SND.UNA =< SEG.ACK =< SND.NXT), as the engine gives it, before it
// moves SND.UNA.
struct recovery_ack {
    std::uint32_t ack;      // SEG.ACK
    std::uint32_t snd_una;  // SND.UNA before this ACK
    std::uint32_t snd_nxt;  // SND.NXT (FlightSize after the ACK is SND.NXT - max(SND.UNA, SEG.ACK))
    std::uint32_t cwnd;     // the congestion-control policy's cwnd now
    std::uint32_t smss;     // SMSS
    bool duplicate;         // is_duplicate_ack(...) for this segment
    // Unsent data is queued and the peer's window admits at least some of it (RFC 3042's
    // "receiver's advertised window allows", RFC 5682 step 2b's "able to transmit").
    bool new_data_sendable;
};

// What the engine does for one ACK; everything false/0 means "nothing special".
struct recovery_response {
    // With recovery_ended: hand this cwnd to the congestion policy (on_recovery_exit).
    std::uint32_t exit_cwnd = 0;
    // Limited transmit (RFC 3042): new segments (previously unsent data, up to SMSS each,
    // within the peer's window) the engine may send now beyond cwnd: 0 or 1.
    std::uint8_t limited_transmit = 0;
    // The third duplicate ACK: fast retransmit the segment at SND.UNA now (RFC 5681 §3.2
    // steps 2-3); fast recovery began and the ssthresh callback was called once.
    bool fast_retransmit = false;
    // A partial ACK (RFC 6582 §3.2 step 3): retransmit the first unacknowledged segment
    // (at SND.UNA after this ACK) now.
    bool retransmit_first_unacked = false;
    // Restart the retransmission timer for what is outstanding (RFC 6298 (5.3)). On an ACK
    // of new data that leaves this false (impatient partial ACKs), leave it running.
    bool restart_timer = false;
    // Let the congestion policy grow cwnd on this ACK (slow start, congestion avoidance):
    // ACKs of new data outside fast recovery. False in fast recovery and on its exit ACK.
    bool grow_cwnd = false;
    // Fast recovery ended with a full acknowledgment: cc.on_recovery_exit(exit_cwnd).
    bool recovery_ended = false;
    // The loss state ended: SND.UNA reached `recover` (nothing for the policy to do).
    bool loss_ended = false;
    // F-RTO step 3b: the timeout was spurious: the engine calls the policy's undo.
    bool spurious_timeout = false;
};

// A range of sequence space to send again.
struct retransmission {
    std::uint32_t seq = 0;
    std::uint32_t length = 0;  // 0: nothing to retransmit now
};

// The component. `Config` is fixed per type, as rto.hpp's estimators are.
template <const loss_recovery_config& Config>
class basic_loss_recovery {
public:
    static constexpr const loss_recovery_config& config() noexcept { return Config; }
    static_assert(Config.dupack_threshold >= 1, "tcpfsm::loss_recovery: DupThresh must be at least 1");

    constexpr basic_loss_recovery() noexcept = default;

    // Forget everything (a new connection): open, no guard from an earlier `recover`
    // (RFC 6582 initialises recover to the ISS, which no ACK of data leaves uncovered).
    constexpr void reset() noexcept { *this = basic_loss_recovery{}; }

    // One acceptable ACK. `ssthresh_on_loss(flight_size)` returns the new ssthresh (the
    // congestion policy's on_loss: RFC 5681 (4) max(FlightSize / 2, 2 * SMSS) for NewReno);
    // it is called exactly once, when the third duplicate ACK starts fast recovery, and not
    // otherwise.
    template <class SsthreshOnLoss>
    constexpr recovery_response on_ack(const recovery_ack& in, SsthreshOnLoss&& ssthresh_on_loss) noexcept {
        recovery_response out{};
        on_ack(out, in, ssthresh_on_loss);
        return out;
    }
    // The same, written into `out` in place (send_path's form: a 12-octet result returned in
    // registers is packed through the stack, a store-forwarding stall on every ACK).
    template <class SsthreshOnLoss>
    constexpr void on_ack(recovery_response& out, const recovery_ack& in, SsthreshOnLoss&& ssthresh_on_loss) noexcept {
        out = recovery_response{};
        if (seq_lt(in.ack, in.snd_una)) return;  // an old ACK (RFC 9293 ignores it)
        const bool advances = seq_gt(in.ack, in.snd_una);
        // RFC 6582 §3.2 step 1's guard ends once an ACK covers more than `recover`.
        if (advances && has(guard_bit) && seq_gt(in.ack, recover_)) clear(guard_bit);
        switch (state_) {
            case recovery_state::open:
            case recovery_state::disorder:
                if (has(exit_burst_bit)) limit_burst(in);
                if (advances) {
                    dupacks_ = 0;
                    state_ = recovery_state::open;
                    out.restart_timer = true;
                    out.grow_cwnd = true;
                } else if (in.duplicate) {
                    on_duplicate_outside_recovery(in, out, ssthresh_on_loss);
                }
                break;
            case recovery_state::recovery:
                if (advances) {
                    on_new_ack_in_recovery(in, out);
                } else if (in.duplicate) {
                    // RFC 5681 §3.2 step 4: each further duplicate inflates cwnd by SMSS.
                    cwnd_or_retransmit_next_ = saturating_add(cwnd_or_retransmit_next_, in.smss);
                }
                break;
            case recovery_state::loss:
                on_ack_in_loss(in, advances, out);
                break;
        }
    }

    // The retransmission timer expired (after the engine ran RFC 6298 (5.5) and the policy's
    // on_timeout). Enter the loss state: `recover` <- SND.NXT (RFC 6582 §3.2 step 4; any
    // fast recovery ends and its cwnd is dropped: the policy's on_timeout set the new one),
    // go-back-N starts at SND.UNA. F-RTO runs on this timeout unless the previous one's
    // recovery is still going (RFC 5682 step 1).
    constexpr void on_retransmission_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        const bool was_loss = state_ == recovery_state::loss;
        state_ = recovery_state::loss;
        dupacks_ = 0;
        recover_ = snd_nxt;
        set(guard_bit);
        clear(partial_seen_bit);
        clear(frto_loss_bit);
        clear(exit_burst_bit);
        cwnd_or_retransmit_next_ = snd_una;
        set_frto(Config.frto && !was_loss ? frto_first_ack : frto_off);
    }

    // In the loss state: the next go-back-N retransmission the congestion window `cwnd`
    // allows, from the retransmission pointer up to `recover`, at most `smss` long (a range
    // that reaches the FIN's sequence number carries the FIN). Length 0: none now (not in
    // loss, all of [SND.UNA, recover) resent, cwnd full, or F-RTO waiting for its ACKs).
    // The engine sends it and calls on_retransmitted(), then asks again; new data follows
    // when this returns none, gated by pipe() against cwnd.
    constexpr retransmission next_retransmission(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t cwnd,
                                                 std::uint32_t smss) const noexcept {
        if (state_ != recovery_state::loss || smss == 0) return {};
        const std::uint32_t from = seq_max(cwnd_or_retransmit_next_, snd_una);
        // F-RTO: after the timeout's one retransmission, wait for the ACKs (steps 2, 3).
        if (frto() == frto_second_ack || (frto() == frto_first_ack && from != snd_una)) return {};
        if (!seq_lt(from, recover_)) return {};
        const std::uint32_t left = recover_ - from;
        const std::uint32_t length = left < smss ? left : smss;
        const std::uint32_t in_flight = pipe(snd_una, snd_nxt);
        // RFC 5682 step 3a: after F-RTO's two new segments a duplicate ACK sets cwnd to
        // 3 SMSS (the policy's loss window grew only to 2 SMSS), room for one retransmission
        // beside them; without it go-back-N waits for the next timeout.
        if (has(frto_loss_bit) && cwnd < 3u * smss) cwnd = 3u * smss;
        // RFC 5681 §3.1: slow start paces the retransmissions; one may always go when
        // nothing is in flight (the timeout's own retransmission with cwnd = 1 SMSS).
        if (in_flight != 0 && (in_flight > cwnd || cwnd - in_flight < length)) return {};
        return {from, length};
    }

    // The engine sent [seq, seq + length) again in the loss state (the timeout's
    // retransmission included): the retransmission pointer moves past it.
    constexpr void on_retransmitted(std::uint32_t seq, std::uint32_t length) noexcept {
        if (state_ != recovery_state::loss) return;
        const std::uint32_t end = seq + length;
        if (seq_gt(end, cwnd_or_retransmit_next_)) cwnd_or_retransmit_next_ = end;
    }

    // The episode in progress was spurious (Eifel, RFC 3522; D-SACK, RFC 3708): fast recovery
    // or the loss state ends on this ACK without a further retransmission (RFC 4015
    // §3.1 after a timeout: no go-back-N of the rest; Linux's tcp_try_undo_partial and
    // tcp_try_undo_loss). The guard of `recover` stays (RFC 6582 §3.2 step 1): the duplicate
    // ACKs the needless retransmissions cause start no new fast retransmit.
    constexpr void undo() noexcept {
        if (state_ != recovery_state::recovery && state_ != recovery_state::loss) return;
        state_ = recovery_state::open;
        dupacks_ = 0;
        clear(partial_seen_bit);
        clear(frto_loss_bit);
        clear(exit_burst_bit);
        set_frto(frto_off);
    }

    // The data the sender takes to be in the network, to compare with cwnd before sending.
    // FlightSize (SND.NXT - SND.UNA) except in the loss state, where everything between the
    // retransmission pointer and `recover` is taken as lost (as Linux's tcp_enter_loss
    // marks it): what was resent since the timeout plus what was sent beyond `recover`.
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        if (state_ != recovery_state::loss) return snd_nxt - snd_una;
        const std::uint32_t resent_to = seq_max(cwnd_or_retransmit_next_, snd_una);
        const std::uint32_t resent = seq_lt(resent_to, recover_) ? resent_to - snd_una : recover_ - snd_una;
        const std::uint32_t beyond = seq_gt(snd_nxt, recover_) ? snd_nxt - recover_ : 0u;
        return seq_lt(snd_una, recover_) ? resent + beyond : snd_nxt - snd_una;
    }

    // Octets of new data beyond SND.NXT that the last ACK may release under the exit's burst
    // limit (loss_recovery_config::exit_burst_segments), or 0xFFFFFFFF when none applies.
    constexpr std::uint32_t burst_room(std::uint32_t snd_nxt) const noexcept {
        if (!limiting_exit_burst()) return 0xFFFFFFFFu;
        return seq_lt(snd_nxt, cwnd_or_retransmit_next_) ? cwnd_or_retransmit_next_ - snd_nxt : 0u;
    }
    // The exit's burst limit is in force (it ends once cwnd is within N*SMSS of FlightSize, or
    // with a fast retransmit, a timeout or an undo during recovery).
    constexpr bool limiting_exit_burst() const noexcept {
        return has(exit_burst_bit) && state_ != recovery_state::recovery && state_ != recovery_state::loss;
    }

    // The cwnd to send with: this component's during fast recovery, else the policy's.
    constexpr std::uint32_t cwnd(std::uint32_t policy_cwnd) const noexcept {
        return state_ == recovery_state::recovery ? cwnd_or_retransmit_next_ : policy_cwnd;
    }

    constexpr recovery_state state() const noexcept { return state_; }
    constexpr bool in_fast_recovery() const noexcept { return state_ == recovery_state::recovery; }
    constexpr std::uint8_t duplicate_acks() const noexcept { return dupacks_; }
    // SND.NXT when fast recovery or the loss state began: RFC 6582's `recover` is the
    // highest sequence number sent then, this minus one. A full ACK has SEG.ACK >= this.
    constexpr std::uint32_t recover() const noexcept { return recover_; }
    // ssthresh as taken when the last fast recovery began.
    constexpr std::uint32_t recovery_ssthresh() const noexcept { return ssthresh_; }
    // Loss state: the next sequence number go-back-N resends (never below SND.UNA).
    constexpr std::uint32_t retransmit_next(std::uint32_t snd_una) const noexcept {
        return state_ == recovery_state::loss ? seq_max(cwnd_or_retransmit_next_, snd_una) : snd_una;
    }
    // F-RTO is waiting for the first or second ACK after the timeout (RFC 5682 steps 2, 3).
    constexpr bool frto_pending() const noexcept { return frto() != frto_off; }

private:
    static constexpr std::uint8_t guard_bit = 1u << 0;         // `recover` still bars a new fast retransmit
    static constexpr std::uint8_t partial_seen_bit = 1u << 1;  // a partial ACK came in this recovery
    static constexpr std::uint8_t frto_shift = 2;              // two bits: F-RTO's step
    static constexpr std::uint8_t frto_mask = 3u << frto_shift;
    static constexpr std::uint8_t frto_off = 0, frto_first_ack = 1, frto_second_ack = 2;
    static constexpr std::uint8_t frto_loss_bit = 1u << 4;  // F-RTO step 3a: cwnd at least 3 SMSS
    static constexpr std::uint8_t exit_burst_bit = 1u << 5;  // the exit's burst limit is in force

    constexpr bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    constexpr void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }
    constexpr void clear(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ & ~bit); }
    constexpr std::uint8_t frto() const noexcept {
        return static_cast<std::uint8_t>((flags_ & frto_mask) >> frto_shift);
    }
    constexpr void set_frto(std::uint8_t step) noexcept {
        flags_ = static_cast<std::uint8_t>((flags_ & ~frto_mask) | (step << frto_shift));
    }

    static constexpr std::uint32_t saturating_add(std::uint32_t a, std::uint32_t b) noexcept {
        return a > 0xFFFFFFFFu - b ? 0xFFFFFFFFu : a + b;
    }

    template <class SsthreshOnLoss>
    constexpr void on_duplicate_outside_recovery(const recovery_ack& in, recovery_response& out,
                                                 SsthreshOnLoss& ssthresh_on_loss) noexcept {
        if (dupacks_ != 0xFFu) ++dupacks_;
        const std::uint32_t flight = in.snd_nxt - in.snd_una;
        if (dupacks_ < Config.dupack_threshold) {
            state_ = recovery_state::disorder;
            // RFC 3042 / RFC 5681 §3.2 step 1: on the first and second duplicate ACKs, one
            // new segment each if the window allows and FlightSize stays =< cwnd + 2*SMSS
            // (with it: FlightSize + SMSS); cwnd itself is not changed.
            if (Config.limited_transmit && dupacks_ <= 2 && in.new_data_sendable &&
                std::uint64_t{flight} + in.smss <= std::uint64_t{in.cwnd} + 2u * std::uint64_t{in.smss}) {
                out.limited_transmit = 1;
            }
            return;
        }
        if (dupacks_ != Config.dupack_threshold) return;  // further duplicates without recovery
        // RFC 6582 §3.2 step 1: no new fast retransmit (and no new ssthresh) for duplicates
        // whose ACK does not cover more than `recover` of an earlier recovery or timeout.
        if (has(guard_bit) && !seq_gt(in.ack, recover_)) return;
        // RFC 5681 §3.2 steps 2-3 with RFC 6582 step 2: ssthresh, recover <- SND.NXT,
        // retransmit SND.UNA, cwnd <- ssthresh + 3*SMSS (DupThresh * SMSS in general).
        ssthresh_ = static_cast<std::uint32_t>(ssthresh_on_loss(flight));
        recover_ = in.snd_nxt;
        set(guard_bit);
        clear(partial_seen_bit);
        clear(exit_burst_bit);
        cwnd_or_retransmit_next_ = saturating_add(ssthresh_, std::uint32_t{Config.dupack_threshold} * in.smss);
        state_ = recovery_state::recovery;
        out.fast_retransmit = true;
        // Linux re-arms the timer when it resends the head (tcp_xmit_retransmit_queue), so
        // an old timer does not fire just after the fast retransmission.
        out.restart_timer = true;
    }

    // An ACK while the exit's burst limit is in force (`in.cwnd`: the window before this
    // ACK's growth): new data may reach SND.NXT + N*SMSS in response to it; the limit ends when
    // the window no longer admits more than that beyond FlightSize after the ACK.
    constexpr void limit_burst(const recovery_ack& in) noexcept {
        const std::uint32_t una = seq_max(in.ack, in.snd_una);
        const std::uint64_t flight = in.snd_nxt - una;
        const std::uint64_t burst = std::uint64_t{Config.exit_burst_segments} * in.smss;
        if (std::uint64_t{in.cwnd} <= flight + burst) {
            clear(exit_burst_bit);
            return;
        }
        cwnd_or_retransmit_next_ = in.snd_nxt + static_cast<std::uint32_t>(burst);
    }

    constexpr void on_new_ack_in_recovery(const recovery_ack& in, recovery_response& out) noexcept {
        dupacks_ = 0;
        if (!seq_lt(in.ack, recover_)) {
            // Full acknowledgment (RFC 6582 §3.2 step 3): deflate and leave.
            const std::uint32_t flight = in.snd_nxt - in.ack;
            std::uint32_t exit = ssthresh_;
            if (Config.exit_window == recovery_exit_window::flight_bounded) {
                const std::uint32_t bound = saturating_add(flight > in.smss ? flight : in.smss, in.smss);
                if (bound < exit) exit = bound;
            }
            out.exit_cwnd = exit;
            out.recovery_ended = true;
            out.restart_timer = true;
            state_ = recovery_state::open;
            clear(partial_seen_bit);
            // RFC 6582 §3.2 step 3: the burst limit, when cwnd admits more than N segments.
            if (Config.exit_burst_segments != 0) {
                set(exit_burst_bit);
                limit_burst(recovery_ack{in.ack, in.ack, in.snd_nxt, exit, in.smss, false, false});
            }
            return;
        }
        // Partial acknowledgment: retransmit the first unacknowledged segment, deflate by
        // the amount acknowledged, add back SMSS if at least SMSS was acknowledged.
        const std::uint32_t acked = in.ack - in.snd_una;
        std::uint32_t w = cwnd_or_retransmit_next_;
        w = w > acked ? w - acked : 0u;
        if (acked >= in.smss) w = saturating_add(w, in.smss);
        cwnd_or_retransmit_next_ = w;
        out.retransmit_first_unacked = true;
        out.restart_timer = Config.timer == partial_ack_timer::every_partial_ack || !has(partial_seen_bit);
        set(partial_seen_bit);
    }

    constexpr void on_ack_in_loss(const recovery_ack& in, bool advances, recovery_response& out) noexcept {
        switch (frto()) {
            case frto_first_ack:
                // RFC 5682 step 2. (a): a duplicate, an ACK that does not acknowledge all that
                // was retransmitted, or one that covers `recover`: conventional recovery.
                // (b): else send up to two new segments and wait for the second ACK; without
                // new data to send, conventional recovery too. As Linux's tcp_process_loss
                // (REXMIT_NEW), the new data goes out under cwnd: next_retransmission() offers
                // nothing now, and slow start from the loss window (1 SMSS, grown by this
                // ACK to 2 SMSS, pipe empty) sends the two segments.
                if (in.duplicate) {
                    set_frto(frto_off);
                } else if (advances) {
                    if (seq_lt(in.ack, cwnd_or_retransmit_next_) || !seq_lt(in.ack, recover_) ||
                        !in.new_data_sendable) {
                        set_frto(frto_off);
                    } else {
                        set_frto(frto_second_ack);
                    }
                }
                break;
            case frto_second_ack:
                // Step 3. (a) a duplicate: the loss was real, go on with go-back-N. (b) an
                // ACK of new data: it acknowledges data never retransmitted (only the one
                // segment was), so the timeout was spurious: recover <- SND.UNA, back to open.
                if (in.duplicate) {
                    set_frto(frto_off);
                    set(frto_loss_bit);
                } else if (advances) {
                    set_frto(frto_off);
                    state_ = recovery_state::open;
                    clear(guard_bit);
                    recover_ = in.ack;
                    out.spurious_timeout = true;
                    out.restart_timer = true;
                    return;
                }
                break;
            default:
                break;
        }
        if (!advances) return;  // duplicates below `recover` start nothing (RFC 6582 step 1)
        out.restart_timer = true;
        out.grow_cwnd = true;  // RFC 5681 §3.1: slow start from the loss window
        if (seq_gt(in.ack, cwnd_or_retransmit_next_)) cwnd_or_retransmit_next_ = in.ack;  // arrived: not resent
        if (!seq_lt(in.ack, recover_)) {
            state_ = recovery_state::open;
            set_frto(frto_off);
            out.loss_ended = true;
        }
    }

    std::uint32_t recover_ = 0;
    std::uint32_t ssthresh_ = 0;
    // Fast recovery: its cwnd. Loss: the go-back-N pointer. Open or disorder with the exit's
    // burst limit: the sequence number new data may reach in response to the last ACK.
    std::uint32_t cwnd_or_retransmit_next_ = 0;
    recovery_state state_ = recovery_state::open;
    std::uint8_t dupacks_ = 0;
    std::uint8_t flags_ = 0;
};

using loss_recovery = basic_loss_recovery<loss_recovery_defaults>;

}  // namespace tcpfsm

#endif  // TCPFSM_LOSS_RECOVERY_HPP
