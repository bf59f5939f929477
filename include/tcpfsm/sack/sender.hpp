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
#include "rfc6675.hpp"
#include "scoreboard.hpp"

namespace tcpfsm {
namespace sack {

// What one ACK did: the scoreboard's update and RFC 6675's step.
struct sender_ack {
    update_result board{};
    recovery_step step{};
};

// One connection's SACK sender. MaxRanges bounds the scoreboard (8 octets a range; see
// scoreboard's "Bound"); Bound is PRR's reduction bound (SSRB by default, RFC 6937 §3).
template <std::size_t MaxRanges = 8, prr_bound Bound = prr_bound::slow_start>
class sender {
public:
    using scoreboard_type = scoreboard<MaxRanges>;

    // A new connection: nothing SACKed, not in recovery.
    constexpr void reset() noexcept { *this = sender{}; }

    // One acceptable ACK (SND.UNA =< SEG.ACK =< SND.NXT), before SND.UNA moves: its SACK
    // blocks to the scoreboard (each one validated), then RFC 6675 §5's duplicate counting
    // and entry into recovery (`step.entered`: the engine asks its congestion policy for
    // ssthresh and calls start_recovery) or the end of it (`step.ended`, §5 (A)). A
    // reneging receiver (RFC 2018 §8) is remembered until the next timeout, which then
    // forgets the scoreboard (on_retransmission_timeout), as Linux's tcp_enter_loss does.
    constexpr sender_ack on_ack(std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                const seq_block* blocks, std::size_t count, std::uint32_t smss) noexcept {
        sender_ack a{};
        a.board = board_.on_ack(ack, snd_una, snd_nxt, blocks, count);
        if (a.board.reneging) reneging_seen_ = true;
        a.step = recovery_.on_ack(board_, a.board, snd_nxt, smss);
        if (a.step.ended) allowance_ = 0;
        return a;
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
        if (a.step.head_lost && allowance_ < smss) allowance_ = smss;
    }

    // In recovery: NextSeg() (RFC 6675 §4) if PRR's allowance covers it; none otherwise.
    // `sendable_new`: octets of unsent data the peer's window admits now.
    constexpr segment_choice next_segment(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss,
                                          std::uint32_t sendable_new) const noexcept {
        if (!recovery_.in_recovery()) return {};
        const segment_choice c = recovery_.next_seg(board_, snd_una, snd_nxt, smss, sendable_new);
        if (c.length == 0 || c.length > allowance_) return {};
        // No rule (4) rescue retransmission (a SHOULD): at the end of every flight it resends
        // the last segment, most often still on its way; as Linux, which has none, a lost
        // tail waits for the RTO (RACK-TLP's probe is not done; docs/sack.md).
        if (c.rule == nextseg_rule::rescue) return {};
        return c;
    }

    // The engine sent `c` (next_segment's, or step.first: the retransmission on entering
    // recovery, which goes whatever the allowance, RFC 6675 §5 (4.3)): HighRxt, prr_out.
    constexpr void on_sent(const segment_choice& c) noexcept {
        if (c.length == 0) return;
        recovery_.on_sent(c);
        prr_.on_sent(c.length);
        allowance_ = c.length < allowance_ ? allowance_ - c.length : 0u;
    }

    // The retransmission timer expired with data outstanding: recovery ends (RFC 6675
    // §5.1); the scoreboard is kept unless the receiver reneged since the last timeout.
    constexpr void on_retransmission_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        recovery_.on_retransmission_timeout(snd_una, snd_nxt);
        allowance_ = 0;
        if (reneging_seen_) board_.clear();
        reneging_seen_ = false;
    }

    // The recovery in progress was spurious (spurious_retransmission.hpp): it ends now, and
    // PRR's allowance with it; the scoreboard stays.
    constexpr void undo_recovery(std::uint32_t snd_una) noexcept {
        recovery_.undo(snd_una);
        allowance_ = 0;
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
    constexpr std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_nxt, std::uint32_t smss) const noexcept {
        return recovery_.pipe(board_, snd_una, snd_nxt, smss);
    }

    constexpr bool in_recovery() const noexcept { return recovery_.in_recovery(); }
    // PRR's sndcnt not yet spent (octets).
    constexpr std::uint32_t allowance() const noexcept { return allowance_; }
    constexpr bool reneging_seen() const noexcept { return reneging_seen_; }
    constexpr const scoreboard_type& board() const noexcept { return board_; }
    constexpr const basic_recovery<3>& recovery() const noexcept { return recovery_; }
    constexpr const basic_prr<Bound>& rate() const noexcept { return prr_; }

private:
    scoreboard_type board_{};
    basic_prr<Bound> prr_{};
    basic_recovery<3> recovery_{};
    std::uint32_t allowance_ = 0;
    bool reneging_seen_ = false;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_SENDER_HPP
