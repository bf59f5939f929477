// tcpfsm: SACK-based loss recovery (RFC 6675) over the scoreboard (sack/scoreboard.hpp):
// IsLost(), SetPipe(), NextSeg() rules (1)-(4) with the rescue retransmission, the duplicate
// acknowledgment of §2, entering on DupThresh duplicates or IsLost(HighACK + 1) (§5 steps
// (1)-(2)), RecoveryPoint and its end (§5 (A)), and the RTO rule of §5.1.
//
// The RFC's variables, as this component keeps them (sequence numbers modulo 2^32):
//   HighACK + 1   SND.UNA (the engine's; passed in)
//   HighData + 1  SND.NXT (passed in)
//   HighRxt + 1   high_rxt(): the octet after the highest retransmitted one
//   RecoveryPoint + 1  recovery_point(): SND.NXT when recovery began; SND.UNA reaching it ends it
//   RescueRxt     one rescue retransmission per recovery (a flag: RescueRxt = RecoveryPoint
//                 and HighACK > RescueRxt only once recovery is over)
// The congestion window is not here: the engine compares pipe with cwnd (RFC 6675 (C)),
// where cwnd comes from PRR (sack/prr.hpp) during recovery. No allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_RFC6675_HPP
#define TCPFSM_SACK_RFC6675_HPP

#include <cstddef>
#include <cstdint>

#include "../seq.hpp"
#include "scoreboard.hpp"

namespace tcpfsm {
namespace sack {

// Which rule of RFC 6675 NextSeg() chose a segment.
enum class nextseg_rule : std::uint8_t {
    none,        // (5): nothing to send
    lost,        // (1): the first unSACKed octet above HighRxt, below the highest SACK, IsLost()
    new_data,    // (2): previously unsent data
    unsacked,    // (3): as (1) without IsLost()
    rescue,      // (4): the rescue retransmission (ends at the highest unSACKed octet)
    first,       // §5 (4.3): the retransmission on entering recovery, at HighACK + 1
    rack_lost,   // not NextSeg()'s: a segment RACK marked lost (RFC 8985 §6.2 step 6, sack::sender)
};

inline constexpr std::size_t nextseg_rule_count = 7;

constexpr const char* name(nextseg_rule r) noexcept {
    switch (r) {
        case nextseg_rule::none: return "none";
        case nextseg_rule::lost: return "lost";
        case nextseg_rule::new_data: return "new_data";
        case nextseg_rule::unsacked: return "unsacked";
        case nextseg_rule::rescue: return "rescue";
        case nextseg_rule::first: return "first";
        case nextseg_rule::rack_lost: return "rack_lost";
    }
    return "invalid";
}

// A segment to send: [seq, seq + length), length 0 with rule none.
struct segment_choice {
    std::uint32_t seq = 0;
    std::uint32_t length = 0;
    nextseg_rule rule = nextseg_rule::none;
};

// RFC 6675 §4 IsLost(SeqNum): DupThresh or more discontiguous SACKed ranges hold octets above
// `seq`, or more than (DupThresh - 1) * SMSS octets above it are SACKed. The ranges stand
// for the RFC's "discontiguous SACKed sequences" (the scoreboard keeps no segment edges).
template <std::size_t N>
constexpr bool is_lost(const scoreboard<N>& sb, std::uint32_t seq, std::uint32_t smss,
                       std::uint32_t dup_thresh = 3) noexcept {
    const sacked_above a = sb.above(seq);
    return a.ranges >= dup_thresh ||
           std::uint64_t{a.octets} > std::uint64_t{dup_thresh > 0 ? dup_thresh - 1 : 0} * smss;
}

// RFC 6675 §4 SetPipe(): for each unSACKed octet S1 in [SND.UNA, SND.NXT): +1 if not
// IsLost(S1), +1 if S1 =< HighRxt (here: S1 < high_rxt). IsLost() is the same for every octet
// of one hole (the SACKed octets above them are the same), so this walks holes, O(ranges).
// `marked`: the first `marked` octets from SND.UNA are lost whatever IsLost() says (the
// marking of basic_recovery below, RFC 6675 §5's "more aggressive" loss detection).
template <std::size_t N>
constexpr std::uint32_t set_pipe(const scoreboard<N>& sb, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                 std::uint32_t high_rxt, std::uint32_t smss, std::uint32_t dup_thresh = 3,
                                 std::uint32_t marked = 0) noexcept {
    const std::uint32_t lost_end = snd_una + marked;
    std::uint64_t pipe = 0;
    const std::uint64_t octet_bound = std::uint64_t{dup_thresh > 0 ? dup_thresh - 1 : 0} * smss;
    // Walk holes from the top, with the SACKed octets and ranges above each.
    std::uint64_t octets_above = 0;
    std::uint32_t ranges_above = 0;
    const std::size_t n = sb.count();
    for (std::size_t k = n + 1; k-- > 0;) {
        // Hole k lies below range k (or below SND.NXT for k = n) and above range k - 1.
        const std::uint32_t lo = k == 0 ? snd_una : sb.range(k - 1).right;
        const std::uint32_t hi = k == n ? snd_nxt : sb.range(k).left;
        if (seq_lt(lo, hi)) {
            const bool lost = ranges_above >= dup_thresh || octets_above > octet_bound;
            const std::uint32_t unmarked = seq_max(lo, seq_min(hi, lost_end));  // first octet not marked
            if (!lost) pipe += hi - unmarked;
            const std::uint32_t rx_end = seq_min(hi, high_rxt);
            if (seq_lt(lo, rx_end)) pipe += rx_end - lo;
        }
        if (k > 0) {
            octets_above += sb.range(k - 1).length();
            ++ranges_above;
        }
    }
    return pipe > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(pipe);
}

// What the engine does for one ACK.
struct recovery_step {
    bool duplicate = false;  // RFC 6675 §2: the ACK SACKed octets not SACKed before
    bool entered = false;    // loss recovery began: the policy's on_loss gives ssthresh, PRR
                             // starts, `first` goes out now (§5 (4.2)-(4.3))
    bool ended = false;      // §5 (A): SND.UNA reached RecoveryPoint
    bool head_lost = false;  // in recovery, a partial ACK marked the segment at SND.UNA lost
                             // (basic_recovery's head rule): it goes now (RFC 6582 §3.2 (3))
    segment_choice first{};  // with `entered`: the segment at HighACK + 1 (rule `first`)
};

// RFC 6675 loss recovery for one connection's sender. DupThresh is fixed per type (3,
// RFC 5681 §3.2 and RFC 6675 §2). 36 bytes.
//
// Two loss markings beyond IsLost(), as Linux (RFC 6675 §5: "the data sender MAY use ... a
// more aggressive" loss detection), each making [SND.UNA, lost_end()) lost in recovery:
// - the head after a partial ACK (RFC 6582 §3.2 (3)'s partial-ACK retransmission applied to
//   SACK recovery; Linux's tcp_update_scoreboard): an ACK that moves SND.UNA to an octet
//   not retransmitted since recovery began, with SACKed octets above it, marks up to SMSS
//   there lost;
// - a lost retransmission (RFC 8985 §6.1's principle, Linux's tcp_mark_lost_retrans): once
//   an octet sent after the latest retransmission (at or above SND.NXT when it was sent) is
//   SACKed or cumulatively ACKed, every unSACKed octet below HighRxt was lost again: they are
//   marked lost and HighRxt goes back to SND.UNA so that NextSeg() resends them. The oldest
//   retransmissions are tested alone as well (Linux tests each one): while retransmissions
//   keep going out, one per ACK, the latest is always less than an RTT old and the test above
//   would wait for the timeout. The first retransmission since the last marking records
//   SND.NXT and the end of those sent at that SND.NXT; once an octet sent after them is
//   SACKed or ACKed, the unSACKed octets below that end are marked lost and resent (in order
//   from SND.UNA, each once, ahead of NextSeg()'s rules, HighRxt staying), and the latest
//   retransmission's SND.NXT and HighRxt become the next oldest (what is known of those sent
//   in between).
template <std::uint8_t DupThresh = 3>
class basic_recovery {
    static_assert(DupThresh >= 1, "tcpfsm::sack::recovery: DupThresh must be at least 1");

public:
    static constexpr std::uint8_t dup_thresh = DupThresh;

    // A new connection: not in recovery, no guard.
    constexpr void reset() noexcept { *this = basic_recovery{}; }

    // After the scoreboard took this ACK (`u` is what its on_ack returned): §5's counting of
    // duplicate ACKs and the entry into recovery, or (A) its end.
    template <std::size_t N>
    // `dupthresh_entry` false: §5's entry on DupThresh or IsLost() is left to the caller
    // (RACK-TLP, RFC 8985 §6.2: enter() when RACK marks a loss).
    constexpr recovery_step on_ack(const scoreboard<N>& sb, const update_result& u, std::uint32_t snd_nxt,
                                   std::uint32_t smss, bool dupthresh_entry = true) noexcept {
        recovery_step s{};
        on_ack(s, sb, u, snd_nxt, smss, dupthresh_entry);
        return s;
    }
    // The same, written into `s` in place (as scoreboard::on_ack's second form).
    template <std::size_t N>
    constexpr void on_ack(recovery_step& s, const scoreboard<N>& sb, const update_result& u, std::uint32_t snd_nxt,
                          std::uint32_t smss, bool dupthresh_entry = true) noexcept {
        s = recovery_step{};
        s.duplicate = u.newly_sacked > 0;
        const std::uint32_t una = u.snd_una;
        // Outside recovery SND.NXT as it is (the initial 0 compares with an ISS only within 2^31).
        if (!has(recovery_bit) || seq_gt(snd_nxt, sent_high_)) sent_high_ = snd_nxt;
        const bool head_resent = has(recovery_bit) && seq_gt(high_rxt_, una);
        // Outside recovery HighRxt is HighACK (§5 (3.1)); in it, never below HighACK.
        if (!has(recovery_bit) || seq_lt(high_rxt_, una)) high_rxt_ = una;
        if (has(guard_bit) && seq_ge(una, recovery_point_)) clear(guard_bit);
        if (has(recovery_bit)) {
            if (seq_ge(una, recovery_point_)) {  // (A)
                clear(recovery_bit);
                dupacks_ = 0;
                s.ended = true;
                return;
            }
            if (seq_lt(lost_end_, una)) lost_end_ = una;
            // A lost retransmission: something sent after the latest one is SACKed or ACKed.
            const std::uint32_t highest = sb.highest_sacked(una);
            if (has(rxt_out_bit) && (seq_gt(highest, rxt_nxt_) || seq_gt(una, rxt_nxt_))) {
                clear(rxt_out_bit);
                clear(oldest_bit);
                if (seq_gt(high_rxt_, lost_end_)) lost_end_ = high_rxt_;
                high_rxt_ = una;
                again_ = una;
            } else if (has(oldest_bit) && (seq_gt(highest, oldest_nxt_) || seq_gt(una, oldest_nxt_))) {
                if (seq_gt(oldest_end_, lost_end_)) lost_end_ = oldest_end_;
                // Those resent below again_ went out later than the oldest: not proven lost.
                again_ = seq_max(again_, una);
                oldest_nxt_ = rxt_nxt_;  // a later one is out (else the test above held)
                oldest_end_ = high_rxt_;
            }
            // The head after a partial ACK.
            if (u.acked != 0 && !head_resent && sb.above(una).octets != 0) {
                const segment_choice head = hole_at(sb, una, snd_nxt, smss);
                const std::uint32_t end = head.seq + head.length;
                if (head.length != 0 && head.seq == una && seq_gt(end, lost_end_)) {
                    lost_end_ = end;
                    s.head_lost = true;
                }
            }
            return;
        }
        if (u.acked != 0) dupacks_ = 0;  // "a cumulative acknowledgment ... reset DupAcks"
        if (!s.duplicate) return;
        if (dupacks_ != 0xFFu) ++dupacks_;
        if (has(guard_bit)) return;  // §5.1: no new recovery until HighACK >= RecoveryPoint
        // (1) DupAcks >= DupThresh, or (2) IsLost(HighACK + 1): enter (4).
        if (dupthresh_entry && (dupacks_ >= DupThresh || is_lost(sb, una, smss, DupThresh))) {
            const recovery_step e = enter(sb, una, snd_nxt, smss);
            s.entered = e.entered;
            s.first = e.first;
        }
        return;
    }

    // §5 (4.1)-(4.3): recovery begins (RecoveryPoint = SND.NXT) unless it runs already or
    // §5.1's guard after a timeout holds; `first` is the first hole from SND.UNA.
    template <std::size_t N>
    constexpr recovery_step enter(const scoreboard<N>& sb, std::uint32_t una, std::uint32_t snd_nxt,
                                  std::uint32_t smss) noexcept {
        recovery_step s{};
        if (has(recovery_bit) || has(guard_bit)) return s;
        set(recovery_bit);
        clear(rescue_bit);
        recovery_point_ = snd_nxt;  // (4.1)
        sent_high_ = snd_nxt;
        high_rxt_ = una;
        lost_end_ = una;
        again_ = una;
        clear(rxt_out_bit);
        clear(oldest_bit);
        s.entered = true;
        s.first = hole_at(sb, una, snd_nxt, smss);
        s.first.rule = nextseg_rule::first;
        if (s.first.length == 0) s.first.rule = nextseg_rule::none;
        return s;
    }

    // §4 NextSeg(): the next segment to send, rules (1) to (4) in order; `sendable_new` is
    // how many octets of unsent data the peer's window admits now (rule (2)). Outside
    // recovery only rule (2) applies (limited transmit, §5 (3.3)); the rescue retransmission
    // (4) is offered once per recovery.
    template <std::size_t N>
    constexpr segment_choice next_seg(const scoreboard<N>& sb, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                      std::uint32_t smss, std::uint32_t sendable_new) const noexcept {
        if (smss == 0) return {};
        if (!has(recovery_bit)) {
            if (sendable_new == 0) return {};
            return {snd_nxt, sendable_new < smss ? sendable_new : smss, nextseg_rule::new_data};
        }
        // First what the oldest-retransmission test marked lost again, below HighRxt.
        const segment_choice again = hole_at(sb, seq_max(again_, snd_una), snd_nxt, smss);
        if (again.length != 0 && seq_lt(again.seq, lost_end_) && seq_lt(again.seq, high_rxt_)) {
            const std::uint32_t left = lost_end_ - again.seq;
            return {again.seq, again.length < left ? again.length : left, nextseg_rule::lost};
        }
        // (1) and (3): the smallest unSACKed octet S2 > HighRxt (here >= high_rxt) that is
        // below the highest SACKed octet. IsLost() only falls as S2 rises, so (1) holds for
        // the smallest or for none.
        const segment_choice s2 = hole_at(sb, seq_max(high_rxt_, snd_una), snd_nxt, smss);
        const bool below_highest = s2.length != 0 && seq_lt(s2.seq, sb.highest_sacked(snd_una));
        const bool marked = s2.length != 0 && seq_lt(s2.seq, lost_end_);
        if (marked && seq_lt(lost_end_, s2.seq + s2.length)) {
            const std::uint32_t len = lost_end_ - s2.seq;  // the marked part, ahead of the rest
            return {s2.seq, len, nextseg_rule::lost};
        }
        if (marked || (below_highest && is_lost(sb, s2.seq, smss, DupThresh)))
            return {s2.seq, s2.length, nextseg_rule::lost};
        // (2)
        if (sendable_new != 0) return {snd_nxt, sendable_new < smss ? sendable_new : smss, nextseg_rule::new_data};
        // (3)
        if (below_highest) return {s2.seq, s2.length, nextseg_rule::unsacked};
        // (4): one segment of up to SMSS ending at the highest unSACKed octet.
        if (!has(rescue_bit)) {
            for (std::size_t k = sb.count() + 1; k-- > 0;) {
                const std::uint32_t lo = k == 0 ? snd_una : sb.range(k - 1).right;
                const std::uint32_t hi = k == sb.count() ? snd_nxt : sb.range(k).left;
                if (seq_lt(lo, hi)) {
                    const std::uint32_t len = hi - lo < smss ? hi - lo : smss;
                    return {hi - len, len, nextseg_rule::rescue};
                }
            }
        }
        return {};
    }

    // The engine sent `c` (from next_seg or recovery_step::first; §5 (C.2)-(C.3)): a
    // retransmission below SND.NXT moves HighRxt, except a rescue (rule (4)), which uses up
    // this recovery's rescue.
    constexpr void on_sent(const segment_choice& c) noexcept {
        if (c.length == 0) return;
        const std::uint32_t end = c.seq + c.length;
        if (c.rule == nextseg_rule::rescue) {
            set(rescue_bit);
        } else if (c.rule == nextseg_rule::new_data) {
            if (seq_gt(end, sent_high_)) sent_high_ = end;
        } else {
            if (seq_lt(c.seq, lost_end_) && seq_gt(end, again_)) again_ = end;  // marked octets resent
            if (seq_gt(end, high_rxt_)) high_rxt_ = end;
            rxt_nxt_ = sent_high_;  // SND.NXT when it went out: the engine's sends all come here
            set(rxt_out_bit);
            if (!has(oldest_bit)) {
                set(oldest_bit);
                oldest_nxt_ = sent_high_;
                oldest_end_ = end;
            } else if (oldest_nxt_ == sent_high_ && seq_gt(end, oldest_end_)) {
                oldest_end_ = end;  // sent before any new data after the oldest
            }
        }
    }

    // §5.1: the retransmission timer expired: recovery ends, RecoveryPoint = HighData + 1
    // (SND.NXT), and no new recovery starts until SND.UNA reaches it. HighRxt goes back to
    // SND.UNA (what follows is the timeout's retransmission, not this algorithm's).
    constexpr void on_retransmission_timeout(std::uint32_t snd_una, std::uint32_t snd_nxt) noexcept {
        clear(recovery_bit);
        set(guard_bit);
        recovery_point_ = snd_nxt;
        high_rxt_ = snd_una;
        lost_end_ = snd_una;
        again_ = snd_una;
        clear(rxt_out_bit);
        clear(oldest_bit);
        dupacks_ = 0;
    }

    // The recovery in progress was spurious (Eifel, RFC 3522; D-SACK, RFC 3708): it ends
    // now, as at (A) but before RecoveryPoint (Linux's tcp_try_undo_partial, tcp_try_undo_dsack);
    // HighRxt and the markings are forgotten, and a new recovery may begin on later evidence.
    constexpr void undo(std::uint32_t snd_una) noexcept {
        clear(recovery_bit);
        clear(rxt_out_bit);
        clear(oldest_bit);
        high_rxt_ = snd_una;
        lost_end_ = snd_una;
        again_ = snd_una;
        dupacks_ = 0;
    }

    // SetPipe() with this component's HighRxt in recovery; outside it HighRxt = HighACK
    // (§5 (3.1)): nothing counts as retransmitted.
    template <std::size_t N>
    constexpr std::uint32_t pipe(const scoreboard<N>& sb, std::uint32_t snd_una, std::uint32_t snd_nxt,
                                 std::uint32_t smss) const noexcept {
        if (!has(recovery_bit)) return set_pipe(sb, snd_una, snd_nxt, snd_una, smss, DupThresh);
        const std::uint32_t marked = seq_gt(lost_end_, snd_una) ? lost_end_ - snd_una : 0u;
        return set_pipe(sb, snd_una, snd_nxt, seq_max(high_rxt_, snd_una), smss, DupThresh, marked);
    }

    constexpr bool in_recovery() const noexcept { return has(recovery_bit); }
    constexpr std::uint32_t recovery_point() const noexcept { return recovery_point_; }
    // HighRxt + 1 (meaningful in recovery; outside it, SND.UNA of the last ACK).
    constexpr std::uint32_t high_rxt() const noexcept { return high_rxt_; }
    // The octet after those marked lost beyond IsLost() (meaningful in recovery; SND.UNA or
    // below for none).
    constexpr std::uint32_t lost_end() const noexcept { return lost_end_; }
    constexpr std::uint8_t duplicate_acks() const noexcept { return dupacks_; }
    constexpr bool rescue_used() const noexcept { return has(rescue_bit); }

private:
    static constexpr std::uint8_t recovery_bit = 1u << 0;
    static constexpr std::uint8_t rescue_bit = 1u << 1;
    static constexpr std::uint8_t guard_bit = 1u << 2;
    static constexpr std::uint8_t rxt_out_bit = 1u << 3;  // a retransmission since the last marking
    static constexpr std::uint8_t oldest_bit = 1u << 4;   // oldest_nxt_, oldest_end_ hold one

    constexpr bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    constexpr void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }
    constexpr void clear(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ & ~bit); }

    // The first unSACKed octet at or above `from` below SND.NXT, and up to SMSS of its hole.
    template <std::size_t N>
    static constexpr segment_choice hole_at(const scoreboard<N>& sb, std::uint32_t from, std::uint32_t snd_nxt,
                                            std::uint32_t smss) noexcept {
        std::uint32_t x = from;
        for (std::size_t i = 0; i < sb.count(); ++i) {
            const seq_block r = sb.range(i);
            if (seq_lt(x, r.left)) {
                const std::uint32_t len = r.left - x;
                return {x, len < smss ? len : smss, nextseg_rule::none};
            }
            if (seq_lt(x, r.right)) x = r.right;
        }
        if (!seq_lt(x, snd_nxt)) return {};
        const std::uint32_t len = snd_nxt - x;
        return {x, len < smss ? len : smss, nextseg_rule::none};
    }

    std::uint32_t recovery_point_ = 0;
    std::uint32_t high_rxt_ = 0;
    std::uint32_t lost_end_ = 0;   // [SND.UNA, lost_end_) marked lost
    std::uint32_t sent_high_ = 0;  // SND.NXT as last seen (on_ack, new data in on_sent)
    std::uint32_t rxt_nxt_ = 0;    // SND.NXT when the latest retransmission was sent
    std::uint32_t oldest_nxt_ = 0;  // SND.NXT when the oldest one not yet tested was sent
    std::uint32_t oldest_end_ = 0;  // the end of those sent at that SND.NXT (or before)
    std::uint32_t again_ = 0;       // marked octets below HighRxt resent up to here
    std::uint8_t dupacks_ = 0;
    std::uint8_t flags_ = 0;
};

using recovery = basic_recovery<3>;

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_RFC6675_HPP
