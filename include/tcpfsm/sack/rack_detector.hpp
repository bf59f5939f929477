// tcpfsm: RACK-TLP (RFC 8985) as the SACK sender runs it: the segment log
// (sack/segment_log.hpp), RACK (sack/rack.hpp) and TLP (sack/tlp.hpp) fed by every
// transmission and acceptable ACK, the set RACK marked lost, RACK's pipe, and the one loss-
// detection timer (RFC 8985 §6.3's reordering timer or §7.2's PTO) that takes the place of
// the RTO until it is due, as Linux's icsk_pending. Times are µs of the engine's clock
// (passed in), timer deadlines the engine's millisecond ticks. No allocation, clock or
// exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_RACK_DETECTOR_HPP
#define TCPFSM_SACK_RACK_DETECTOR_HPP

#include <cstddef>
#include <cstdint>

#include "../reassembly.hpp"
#include "../seq.hpp"
#include "rack.hpp"
#include "scoreboard.hpp"
#include "segment_log.hpp"
#include "tlp.hpp"

namespace tcpfsm {
namespace sack {

// What the loss-detection timer stands for while it holds the retransmission timer's slot.
enum class loss_timer : std::uint8_t {
    none,        // the slot is the RTO's (RFC 6298)
    reordering,  // RACK's reordering timer (RFC 8985 §6.3)
    probe,       // TLP's probe timeout (RFC 8985 §7.2)
};
inline constexpr std::size_t loss_timer_count = 3;

// One acceptable ACK as RACK-TLP needs it beside the scoreboard's update.
struct rack_input {
    std::uint64_t now_us = 0;
    std::uint64_t srtt_us = 0;  // SRTT (RFC 6298); 0: none yet
    bool duplicate = false;     // a duplicate ACK (RFC 5681 §2), for TLP's §7.4.2
    bool use = false;           // RACK-TLP is on (selective_acknowledgment::on_ack)
    bool rto_recovery = false;  // after a retransmission timeout, until SND.UNA reaches its recovery point
};

// The timer the engine arms after an input: `at` (ticks) in the retransmission timer's slot.
struct loss_timer_plan {
    bool arm = false;
    std::uint32_t at = 0;
};

template <std::size_t Records = 32>
class rack_detector {
public:
    using log_type = segment_log<Records>;

    // As a new detector, without rewriting the log's records (past its count nothing is read):
    // a new connection costs a few stores, not the log's 400 octets.
    constexpr void reset() noexcept {
        log_.reset();
        rack_ = rack{};
        tlp_ = tlp{};
        reo_due_us_ = 0;
        pending_at_ = rto_at_ = 0;
        pending_ = loss_timer::none;
        flags_ = 0;
    }

    // A data segment went out: new data (`retransmission` false) is recorded at the log's
    // end; a retransmission stamps the records it overlaps (RFC 8985 §6.1).
    constexpr void on_sent(std::uint32_t seq, std::uint32_t length, bool retransmission,
                           std::uint64_t now_us) noexcept {
        if (retransmission) {
            // An untracked copy sent now: the untracked octets are no longer known lost.
            if (log_.on_retransmitted(seq, length, now_us)) clear(untracked_lost_bit);
        } else {
            if (!log_.on_sent(seq, length, now_us)) clear(untracked_lost_bit);
            set(new_data_bit);
        }
    }

    // One acceptable ACK after the scoreboard took it (`u`): TLP's episode (§7.4.2), then
    // RACK (§6.2). Arms or cancels the reordering deadline.
    template <std::size_t N>
    constexpr rack_step on_ack(const scoreboard<N>& sb, const update_result& u, std::uint32_t ack,
                               std::uint32_t snd_nxt, const rack_input& in, bool has_sack_blocks,
                               bool in_recovery, bool exiting_recovery, tlp_ack_result& probe) noexcept {
        rack_step s{};
        on_ack(s, sb, u, ack, snd_nxt, in, has_sack_blocks, in_recovery, exiting_recovery, probe);
        return s;
    }
    // The same, written into `s` in place (as scoreboard::on_ack's second form).
    template <std::size_t N>
    constexpr void on_ack(rack_step& s, const scoreboard<N>& sb, const update_result& u, std::uint32_t ack,
                          std::uint32_t snd_nxt, const rack_input& in, bool has_sack_blocks, bool in_recovery,
                          bool exiting_recovery, tlp_ack_result& probe) noexcept {
        probe = tlp_.on_ack(ack, u.dsack, has_sack_blocks, in.duplicate);
        rack_.on_ack(s, log_, sb, {u.snd_una, snd_nxt, in.now_us, in.srtt_us, !u.dsack.empty(),
                                   in_recovery, exiting_recovery});
        if (log_.has_untracked() && !seq_lt(u.snd_una, log_.untracked_end())) log_.forget_untracked();
        detect_untracked_loss(in.now_us, s);
        reo_due_us_ = s.timeout_us != 0 ? in.now_us + s.timeout_us : 0u;
    }

    // The reordering timer expired (§6.3): RACK_detect_loss() at `now_us`.
    constexpr rack_step on_reordering_timeout(std::uint64_t now_us) noexcept {
        rack_step s = rack_.on_timer(log_, now_us);
        detect_untracked_loss(now_us, s);
        reo_due_us_ = s.timeout_us != 0 ? now_us + s.timeout_us : 0u;
        return s;
    }

    // A retransmission timeout (§6.3 of RFC 8985 leaves the RTO as it was): no probe episode.
    // With `reneging`, the SACKed marks go with the scoreboard's (RFC 2018 §8).
    constexpr void on_retransmission_timeout(bool reneging) noexcept {
        tlp_.reset();
        reo_due_us_ = 0;
        clear(untracked_lost_bit);
        if (reneging) log_.clear_sacked();
    }
    // The recovery in progress was spurious (sack::sender::undo_recovery): no record stays
    // marked lost, reordering is seen, and the reordering deadline (computed with the old
    // reo_wnd) goes; the next ACK decides again with the new one.
    constexpr void on_undo() noexcept {
        log_.clear_lost();
        clear(untracked_lost_bit);
        rack_.on_spurious_retransmission();
        reo_due_us_ = 0;
    }
    // Recovery began (§7.1: a TLP episode ends with it).
    constexpr void on_recovery_start() noexcept { tlp_.reset(); }

    // The lowest octets RACK deems lost and not resent since (RFC 8985 §6.2 step 6's
    // "retransmit ... marked lost"): a record marked lost, or untracked octets not SACKed
    // once untracked_lost() holds; the caller cuts off SACKed parts. Empty if none.
    template <std::size_t N>
    constexpr seq_block first_lost(const scoreboard<N>& sb, std::uint32_t snd_una) const noexcept {
        const seq_block r = log_.first_lost();
        const seq_block u = untracked_lost() ? first_untracked_hole(sb, snd_una) : seq_block{};
        if (u.empty() || (!r.empty() && seq_lt(r.left, u.left))) return r;
        return u;
    }
    template <std::size_t N>
    constexpr bool has_lost(const scoreboard<N>& sb, std::uint32_t snd_una) const noexcept {
        return !first_lost(sb, snd_una).empty();
    }
    // The records alone: the lowest marked lost and not resent since.
    constexpr seq_block first_lost() const noexcept { return log_.first_lost(); }
    constexpr bool has_lost() const noexcept { return !log_.first_lost().empty(); }
    // RFC 8985 §6.2 for the untracked octets as one segment sent at the latest of their
    // transmissions (segment_log::untracked_xmit): a segment sent after that was delivered
    // and RACK.rtt + RACK.reo_wnd have passed since, so every untracked copy is lost. Then
    // RACK knows every octet in flight (knows_flight). False again when an untracked copy is
    // sent, on a timeout or an undo.
    constexpr bool untracked_lost() const noexcept { return has(untracked_lost_bit) && log_.has_untracked(); }
    // Whether `seq` lies in a record (beyond the log's bound a segment is untracked, and
    // RFC 6675's DupThresh and IsLost() still cover it: sack::sender).
    constexpr bool tracks(std::uint32_t seq) const noexcept {
        for (std::size_t i = 0; i < log_.size(); ++i)
            if (seq_le(log_.at(i).seq, seq) && seq_lt(seq, log_.at(i).end())) return true;
        return false;
    }

    // Every octet in flight has a record: the records (in order, disjoint) run from SND.UNA to
    // SND.NXT without a gap. Otherwise segments went untracked (or a FIN alone), RACK sees only
    // part of the flight, and RFC 6675 recovers as without RACK (sack::sender).
    constexpr bool covers_flight(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        if (log_.empty() || log_.at(0).seq != snd_una || log_.at(log_.size() - 1).end() != snd_nxt) return false;
        return log_.octets() == snd_nxt - snd_una;
    }
    // RACK knows the state of every octet in flight: each has a record, or the untracked
    // ones are all deemed lost (untracked_lost) and the records cover the rest up to SND.NXT.
    constexpr bool knows_flight(std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        if (covers_flight(snd_una, snd_nxt)) return true;
        if (!untracked_lost()) return false;
        const std::uint32_t top = log_.empty() ? log_.untracked_end() : seq_max(log_.untracked_end(), log_.at(log_.size() - 1).end());
        return top == snd_nxt;
    }

    // Octets in the network as RACK sees them (Linux's tcp_packets_in_flight in octets):
    // SND.NXT - SND.UNA less the SACKed octets (the scoreboard's) and the records marked lost
    // and not resent, plus the retransmissions of records not marked lost (both copies out).
    template <std::size_t N>
    constexpr std::uint32_t pipe(const scoreboard<N>& sb, std::uint32_t snd_una, std::uint32_t snd_nxt) const noexcept {
        // The records' part is segment_log's running sum (O(1), not a walk per segment sent).
        std::int64_t p = static_cast<std::int64_t>(snd_nxt - snd_una) - static_cast<std::int64_t>(sb.sacked_octets()) +
                         std::int64_t{log_.unsacked_adjust()};
        if (untracked_lost()) p -= static_cast<std::int64_t>(untracked_unsacked(sb, snd_una));
        return p < 0 ? 0u : static_cast<std::uint32_t>(p);
    }

    // ---- the loss-detection timer, in the retransmission timer's slot ----
    // After every input: `rto_armed`/`rto_at` is the retransmission timer as the engine left
    // it. The reordering deadline goes first; else, when `may_probe` (§7.2's conditions, the
    // caller's), the PTO: TLP_calc_PTO() (re)computed when new data went out or the RTO was
    // restarted, kept otherwise. Returns where to move the slot; the RTO's own deadline is
    // kept to be restored when the loss-detection timer is cancelled or expires.
    constexpr loss_timer_plan plan(bool rto_armed, std::uint32_t rto_at, std::uint32_t now_ms, std::uint64_t now_us,
                                   bool may_probe, std::uint64_t srtt_us, bool flight_is_one_segment,
                                   std::uint64_t max_ack_delay_us) noexcept {
        const bool sent = has(new_data_bit);
        clear(new_data_bit);
        if (!rto_armed) {
            pending_ = loss_timer::none;
            return {};
        }
        // Ours while the engine has not re-armed the RTO since (on_rto_armed()); the deadline
        // check is a second guard.
        const bool ours = pending_ != loss_timer::none && rto_at == pending_at_;
        if (!ours) rto_at_ = rto_at;  // the engine (re)armed the RTO
        const std::uint64_t rto_left_us =
            seq_lt(now_ms, rto_at_) ? std::uint64_t{rto_at_ - now_ms} * 1000u : 0u;
        loss_timer want = loss_timer::none;
        std::uint32_t at = rto_at_;
        if (reo_due_us_ != 0) {
            want = loss_timer::reordering;
            at = now_ms + ceil_ms(reo_due_us_ > now_us ? reo_due_us_ - now_us : 0u);
        } else if (may_probe && tlp_.may_arm(false, 0)) {
            want = loss_timer::probe;
            if (ours && pending_ == loss_timer::probe && !sent) {
                at = pending_at_;
            } else {
                at = now_ms + ceil_ms(tlp::pto_us(srtt_us, flight_is_one_segment, max_ack_delay_us, now_us,
                                                  now_us + rto_left_us));
            }
        }
        if (want == loss_timer::none || !seq_lt(at, rto_at_)) {  // the RTO comes first
            const bool restore = ours;
            pending_ = loss_timer::none;
            return {restore, rto_at_};
        }
        pending_ = want;
        pending_at_ = at;
        return {!ours || at != rto_at, at};
    }
    // The engine (re)armed the RTO in the slot: whatever deadline the slot held is gone, and the
    // next plan() keeps the new one as the RTO's, even when it equals the pending deadline.
    constexpr void on_rto_armed() noexcept { pending_ = loss_timer::none; }
    // The retransmission timer's slot expired: what it was (none: the RTO itself). The RTO's
    // deadline to restore is rto_deadline().
    constexpr loss_timer take_expiry() noexcept {
        const loss_timer k = pending_;
        pending_ = loss_timer::none;
        return k;
    }
    constexpr std::uint32_t rto_deadline() const noexcept { return rto_at_; }
    constexpr loss_timer pending() const noexcept { return pending_; }

    // §7.3: the probe went out; SND.NXT after it.
    constexpr void on_probe_sent(bool is_retrans, std::uint32_t snd_nxt) noexcept { tlp_.on_probe_sent(is_retrans, snd_nxt); }

    constexpr const log_type& log() const noexcept { return log_; }
    constexpr const rack& state() const noexcept { return rack_; }
    constexpr const tlp& probe() const noexcept { return tlp_; }

private:
    static constexpr std::uint8_t new_data_bit = 1u << 0;
    static constexpr std::uint8_t untracked_lost_bit = 1u << 1;

    // untracked_lost(): RFC 8985 §6.2 step 5 for the untracked octets, or step 5's timeout.
    constexpr void detect_untracked_loss(std::uint64_t now_us, rack_step& s) noexcept {
        if (!log_.has_untracked()) {
            clear(untracked_lost_bit);
            return;
        }
        if (has(untracked_lost_bit) || !rack_.xmit_known() ||
            !rack::sent_after(rack_.xmit_us(), rack_.end_seq(), log_.untracked_xmit(), log_.untracked_end()))
            return;
        const std::uint64_t wait = rack_.rtt_us() + rack_.reo_wnd_us();
        const std::uint64_t since = xmit_elapsed(log_.untracked_xmit(), to_xmit_time(now_us));
        if (wait <= since) {
            set(untracked_lost_bit);
            ++s.newly_lost;
        } else if (wait - since > s.timeout_us) {
            s.timeout_us = wait - since;
        }
    }
    // The gaps between records below untracked_end(), from SND.UNA, calling f(left, right).
    template <class F>
    constexpr void for_each_untracked(std::uint32_t snd_una, F&& f) const noexcept {
        const std::uint32_t end = log_.untracked_end();
        std::uint32_t x = snd_una;
        for (std::size_t i = 0; i <= log_.size() && seq_lt(x, end); ++i) {
            const std::uint32_t next = i < log_.size() ? seq_min(log_.at(i).seq, end) : end;
            if (seq_lt(x, next) && !f(x, next)) return;
            if (i < log_.size() && seq_gt(log_.at(i).end(), x)) x = log_.at(i).end();
        }
    }
    // The first untracked octet not SACKed, to the end of its gap (SACKed parts inside are
    // the caller's to cut off).
    template <std::size_t N>
    constexpr seq_block first_untracked_hole(const scoreboard<N>& sb, std::uint32_t snd_una) const noexcept {
        seq_block found{};
        for_each_untracked(snd_una, [&](std::uint32_t l, std::uint32_t r) {
            const std::uint32_t from = sb.first_unsacked(l, r);
            if (seq_lt(from, r)) {
                found = {from, r};
                return false;
            }
            return true;
        });
        return found;
    }
    // Untracked octets not SACKed.
    template <std::size_t N>
    constexpr std::uint32_t untracked_unsacked(const scoreboard<N>& sb, std::uint32_t snd_una) const noexcept {
        std::uint32_t n = 0;
        for_each_untracked(snd_una, [&](std::uint32_t l, std::uint32_t r) {
            n += (r - l) - sb.sacked_within(l, r);
            return true;
        });
        return n;
    }
    constexpr bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    constexpr void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }
    constexpr void clear(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ & ~bit); }
    static constexpr std::uint32_t ceil_ms(std::uint64_t us) noexcept {
        const std::uint64_t ms = (us + 999u) / 1000u;
        return ms < 0x7FFFFFFFu ? static_cast<std::uint32_t>(ms) : 0x7FFFFFFFu;
    }

    log_type log_{};
    rack rack_{};
    tlp tlp_{};
    std::uint64_t reo_due_us_ = 0;  // RACK's reordering deadline (absolute µs); 0: none
    std::uint32_t pending_at_ = 0;  // the loss-detection deadline in the slot (ticks)
    std::uint32_t rto_at_ = 0;      // the RTO's deadline it displaced (ticks)
    loss_timer pending_ = loss_timer::none;
    std::uint8_t flags_ = 0;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_RACK_DETECTOR_HPP
