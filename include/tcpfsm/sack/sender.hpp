// tcpfsm: the SACK sender as the engine runs it: the scoreboard (sack/scoreboard.hpp) fed by
// every acceptable ACK, RFC 6675 loss recovery (sack/rfc6675.hpp) choosing what to send, and
// Proportional Rate Reduction (RFC 6937, sack/prr.hpp) deciding how much, joined as
// docs/sack.md "How the engine calls it" says. The congestion-control policy (ssthresh, the
// window after recovery) stays the engine's send_path; NewReno (loss_recovery.hpp) stays for
// peers without SACK. No allocation, clock or exception; sequence numbers modulo 2^32.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_SENDER_HPP
#define TCPFSM_SACK_SENDER_HPP

#include <cstddef>
#include <cstdint>

#include "../seq.hpp"
#include "prr.hpp"
#include "rack_detector.hpp"
#include "rfc6675.hpp"
#include "scoreboard.hpp"

namespace tcpfsm {
namespace sack {

// What one ACK did: the scoreboard's update, RFC 6675's step, and with RACK-TLP (RFC 8985)
// RACK's step and the TLP episode's outcome.
struct sender_ack {
    update_result board{};
    recovery_step step{};
    rack_step rack{};
    tlp_ack_result probe{};
};

// One connection's SACK sender. MaxRanges bounds the scoreboard (8 octets a range; see
// scoreboard's "Bound"); Bound is PRR's reduction bound (SSRB by default, RFC 6937 §3);
// RackRecords bounds RACK-TLP's segment log (12 octets a record; segment_log's "bound").
//
// RACK-TLP (RFC 8985), when the caller passes a rack_input with each ACK (Linux's
// net.ipv4.tcp_recovery = 1): RACK marks the losses and recovery begins when it has marked
// one (RFC 6675's DupThresh and IsLost() as well while segments in flight are untracked, past
// the log's bound); while RACK sees the whole flight, in recovery the records it marked lost
// go first, then NextSeg()'s new data (its retransmissions and basic_recovery's marks wait:
// RACK decides), and pipe is RACK's. Otherwise recovery is RFC 6675's alone, as with RACK off.
template <std::size_t MaxRanges = 8, prr_bound Bound = prr_bound::slow_start, std::size_t RackRecords = 32>
class sender {
public:
    using scoreboard_type = scoreboard<MaxRanges>;
    using rack_type = rack_detector<RackRecords>;

    // A new connection: nothing SACKed, not in recovery.
    // As a new sender, member by member: the scoreboard's ranges and the log's records past
    // their counts are never read, so they are not rewritten (a new connection's reset was a
    // copy of the whole 632-octet sender).
    constexpr void reset() noexcept {
        board_.clear();
        rack_.reset();
        prr_ = basic_prr<Bound>{};
        recovery_ = basic_recovery<3>{};
        allowance_ = 0;
        reneging_seen_ = rack_on_ = false;
    }

    // One acceptable ACK (SND.UNA =< SEG.ACK =< SND.NXT), before SND.UNA moves: its SACK
    // blocks to the scoreboard (each one validated), then RFC 6675 §5's duplicate counting
    // and entry into recovery (`step.entered`: the engine asks its congestion policy for
    // ssthresh and calls start_recovery) or the end of it (`step.ended`, §5 (A)). A
    // reneging receiver (RFC 2018 §8) is remembered until the next timeout, which then
    // forgets the scoreboard (on_retransmission_timeout), as Linux's tcp_enter_loss does.
    // With `rack` (RACK-TLP on): RACK's detection after RFC 6675's bookkeeping, and entry
    // into recovery when a record is marked lost (`step.entered`, `step.first` the lowest).
    constexpr sender_ack on_ack(std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                const seq_block* blocks, std::size_t count, std::uint32_t smss,
                                const rack_input* rack = nullptr) noexcept {
        // Each part written in place: results built on the stack and copied cost
        // store-forwarding stalls on every ACK (perf of the bulk benchmark).
        sender_ack a{};
        board_.on_ack(a.board, ack, snd_una, snd_nxt, blocks, count);
        if (a.board.reneging) reneging_seen_ = true;
        rack_on_ = rack != nullptr;
        const bool dupthresh = !rack_on_ || !rack_.knows_flight(snd_una, snd_nxt);
        recovery_.on_ack(a.step, board_, a.board, snd_nxt, smss, dupthresh);
        if (a.step.ended) allowance_ = 0;
        if (rack_on_) {
            // §6.2 step 4: "fast or RTO recovery" (the engine's loss state is the RTO's).
            rack_.on_ack(a.rack, board_, a.board, ack, snd_nxt, *rack, count != 0,
                         recovery_.in_recovery() || rack->rto_recovery, a.step.ended, a.probe);
            if (!a.step.entered && !a.step.ended) enter_on_rack_loss(a.step, a.board.snd_una, snd_nxt, smss);
            if (a.step.entered) rack_.on_recovery_start();
        }
        return a;
    }

    // RACK's reordering timer expired (RFC 8985 §6.3): detect_loss() again; recovery begins
    // if a record is now lost (`entered`, `first`), as on an ACK.
    constexpr recovery_step on_reordering_timeout(std::uint64_t now_us, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                                  std::uint32_t smss) noexcept {
        recovery_step s{};
        rack_.on_reordering_timeout(now_us);
        enter_on_rack_loss(s, snd_una, snd_nxt, smss);
        if (s.entered) rack_.on_recovery_start();
        return s;
    }

    // Recovery began on this ACK (RFC 6937 §3 "at the beginning of recovery"): ssthresh from
    // the congestion policy, RecoverFS = SND.NXT - SND.UNA.
    constexpr void start_recovery(std::uint32_t ssthresh, std::uint32_t recover_fs) noexcept {
        prr_.start(ssthresh, recover_fs);
        allowance_ = 0;
    }

    // After SND.UNA moved to `snd_una` on an ACK in recovery: PRR's sndcnt for it (RFC 6937
    // §3 "on every ACK during recovery") becomes what may be sent until the next ACK.
    constexpr void after_ack(const sender_ack& a, std::uint32_t snd_una, std::uint32_t snd_nxt,
                             std::uint32_t smss) noexcept {
        if (!recovery_.in_recovery()) return;
        allowance_ = prr_.on_ack(a.board.delivered, pipe(snd_una, snd_nxt, smss), smss);
        // The head a partial ACK marked lost goes whatever PRR allows, as NewReno's partial
        // ACK retransmission (RFC 6582 §3.2 (3)); PRR counts it in prr_out.
        if (a.step.head_lost && !(rack_on_ && rack_.knows_flight(snd_una, snd_nxt)) && allowance_ < smss)
            allowance_ = smss;
    }

    // In recovery: NextSeg() (RFC 6675 §4) if PRR's allowance covers it; none otherwise.
    // `sendable_new`: octets of unsent data the peer's window admits now.
    constexpr segment_choice next_segment(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss,
                                          std::uint32_t sendable_new) const noexcept {
        if (!recovery_.in_recovery()) return {};
        const bool rack_sees_all = rack_on_ && rack_.knows_flight(snd_una, snd_nxt);
        const seq_block marked = rack_on_ ? rack_.first_lost(board_, snd_una) : seq_block{};
        const segment_choice lost = rack_lost(marked, smss);
        segment_choice c = rack_sees_all ? lost : segment_choice{};
        if (c.length == 0) c = recovery_.next_seg(board_, snd_una, snd_nxt, smss, sendable_new);
        // What RACK marked lost also goes when it does not know the whole flight, unless RFC
        // 6675 resends the same or lower octets (its rule then moves HighRxt): RACK marks a
        // record only when a segment sent after it was delivered (RFC 8985 §6.2), which is how
        // a lost retransmission is found when no new data follows it (RFC 6675's rules never
        // resend below HighRxt).
        if (rack_on_ && !rack_sees_all) {
            const bool rfc6675_first = c.length != 0 && (c.rule == nextseg_rule::lost || c.rule == nextseg_rule::first) &&
                                       !seq_gt(c.seq, lost.seq);
            if (lost.length != 0 && !rfc6675_first) c = lost;
        }
        // RFC 8985: while RACK sees the whole flight it alone decides what is lost; NextSeg()'s
        // retransmissions of octets it has not marked give way to new data.
        const bool c_marked = !marked.empty() && seq_le(marked.left, c.seq) && seq_lt(c.seq, marked.right);
        const bool rack_decides = rack_sees_all && c.length != 0 && c.rule != nextseg_rule::new_data && !c_marked;
        if (rack_decides) {
            c = {};
            if (sendable_new != 0) c = {snd_nxt, sendable_new < smss ? sendable_new : smss, nextseg_rule::new_data};
        }
        if (c.length == 0 || c.length > allowance_) return {};
        // No rule (4) rescue retransmission (a SHOULD): at the end of every flight it resends
        // the last segment, most often still on its way; as Linux, which has none, a lost
        // tail waits for the RTO (RACK-TLP's probe is not done; docs/sack.md).
        if (c.rule == nextseg_rule::rescue) return {};
        return c;
    }

    // The engine sent `c` (next_segment's, or step.first: the retransmission on entering
    // recovery, which goes whatever the allowance, RFC 6675 §5 (4.3)): HighRxt, prr_out.
    // RACK's retransmissions (rule rack_lost) leave RFC 6675's HighRxt alone: RACK finds
    // their loss by time, and HighRxt must not pass a hole RFC 6675 still has to resend.
    constexpr void on_sent(const segment_choice& c) noexcept {
        if (c.length == 0) return;
        if (c.rule != nextseg_rule::rack_lost) recovery_.on_sent(c);
        prr_.on_sent(c.length);
        allowance_ = c.length < allowance_ ? allowance_ - c.length : 0u;
    }

    // The retransmission timer expired with data outstanding: recovery ends (RFC 6675
    // §5.1); the scoreboard is kept unless the receiver reneged since the last timeout.
    constexpr void on_retransmission_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        recovery_.on_retransmission_timeout(snd_una, snd_nxt);
        allowance_ = 0;
        rack_.on_retransmission_timeout(reneging_seen_);
        if (reneging_seen_) board_.clear();
        reneging_seen_ = false;
    }

    // The recovery in progress was spurious (spurious_retransmission.hpp): it ends now, and
    // PRR's allowance with it; the scoreboard stays. RACK's lost marks go too (else the next
    // ACK would begin recovery again on them), and RACK notes the reordering
    // (rack_detector::on_undo, as Linux's tcp_try_undo_partial).
    constexpr void undo_recovery(std::uint32_t snd_una) noexcept {
        recovery_.undo(snd_una);
        allowance_ = 0;
        rack_.on_undo();
    }

    // Go-back-N after a timeout resends [seq, seq + length): the part of it to send, from
    // its first unSACKed octet up to the next SACKed one (RFC 6675 §5.1: "the data sender
    // SHOULD NOT retransmit ... SACKed"); length 0 when all of it is SACKed.
    constexpr segment_choice unsacked_part(std::uint32_t seq, std::uint32_t length) const noexcept {
        const std::uint32_t end = seq + length;
        std::uint32_t from = seq;
        for (std::size_t i = 0; i < board_.count(); ++i) {
            const seq_block r = board_.range(i);
            if (!seq_lt(from, r.right)) continue;  // wholly below `from`
            if (seq_lt(from, r.left)) {
                const std::uint32_t stop = seq_min(end, r.left);
                return {from, stop - from, nextseg_rule::none};
            }
            from = r.right;  // `from` is SACKed: skip the range
            if (!seq_lt(from, end)) return {};
        }
        if (!seq_lt(from, end)) return {};
        return {from, end - from, nextseg_rule::none};
    }

    // RFC 6675 §4 SetPipe() (HighRxt counted only in recovery).
    // With RACK-TLP, RACK's (rack_detector::pipe) while it sees the whole flight, else
    // SetPipe() (RACK would count the untracked holes in flight).
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss) const noexcept {
        // Only the estimate in use is computed (each walks its records or ranges).
        if (rack_on_ && rack_.knows_flight(snd_una, snd_nxt)) return rack_.pipe(board_, snd_una, snd_nxt);
        return recovery_.pipe(board_, snd_una, snd_nxt, smss);
    }
    // RACK-TLP's records, timers and probe (the engine feeds its transmissions and timers).
    constexpr rack_type& loss_detector() noexcept { return rack_; }
    constexpr const rack_type& loss_detector() const noexcept { return rack_; }
    constexpr bool rack_on() const noexcept { return rack_on_; }

    constexpr bool in_recovery() const noexcept { return recovery_.in_recovery(); }
    // PRR's sndcnt not yet spent (octets).
    constexpr std::uint32_t allowance() const noexcept { return allowance_; }
    constexpr bool reneging_seen() const noexcept { return reneging_seen_; }
    constexpr const scoreboard_type& board() const noexcept { return board_; }
    constexpr const basic_recovery<3>& recovery() const noexcept { return recovery_; }
    constexpr const basic_prr<Bound>& rate() const noexcept { return prr_; }

private:
    // RACK marked a record lost outside recovery: recovery begins (Linux's
    // tcp_fastretrans_alert with tcp_recovery = 1), its first retransmission that record.
    constexpr void enter_on_rack_loss(recovery_step& s, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                      std::uint32_t smss) noexcept {
        if (recovery_.in_recovery()) return;
        const seq_block marked = rack_.first_lost(board_, snd_una);
        if (marked.empty() || !rack_.knows_flight(snd_una, snd_nxt)) return;
        const segment_choice first = rack_lost(marked, smss);
        const recovery_step e = recovery_.enter(board_, snd_una, snd_nxt, smss);
        if (!e.entered) return;
        s.entered = true;
        s.first = first.length != 0 ? first : e.first;
    }
    // The lowest octets RACK deems lost (`l`, rack_detector::first_lost), their first
    // unSACKed part, at most SMSS.
    constexpr segment_choice rack_lost(const seq_block& l, std::uint32_t smss) const noexcept {
        if (l.empty()) return {};
        segment_choice c = unsacked_part(l.left, l.length());
        if (c.length > smss) c.length = smss;
        if (c.length != 0) c.rule = nextseg_rule::rack_lost;
        return c;
    }

    scoreboard_type board_{};
    rack_type rack_{};
    basic_prr<Bound> prr_{};
    basic_recovery<3> recovery_{};
    std::uint32_t allowance_ = 0;
    bool reneging_seen_ = false;
    bool rack_on_ = false;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_SENDER_HPP
