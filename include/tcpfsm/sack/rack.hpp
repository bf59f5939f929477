// tcpfsm: RACK, the time-based loss detection of RFC 8985 §6: a segment is lost when a
// segment sent after it was delivered (ACKed or SACKed) more than RACK.rtt + RACK.reo_wnd
// after it was sent. It runs over the per-segment records of sack/segment_log.hpp and the
// scoreboard (sack/scoreboard.hpp). Times are µs of the engine's clock (passed in); no
// allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_RACK_HPP
#define TCPFSM_SACK_RACK_HPP

#include <cstddef>
#include <cstdint>

#include "../seq.hpp"
#include "scoreboard.hpp"
#include "segment_log.hpp"

namespace tcpfsm {
namespace sack {

// One ACK as RACK needs it, after the scoreboard took it.
struct rack_ack {
    std::uint32_t snd_una = 0;  // SND.UNA after the ACK
    std::uint32_t snd_nxt = 0;  // SND.NXT
    std::uint64_t now_us = 0;   // its arrival
    std::uint64_t srtt_us = 0;  // SRTT (RFC 6298) after it; 0: none yet
    bool dsack = false;         // it carried a D-SACK block (update_result::dsack not empty)
    bool in_recovery = false;   // the sender is in fast or RTO recovery
    bool exiting_recovery = false;  // this ACK ended a fast or RTO recovery
};

// What one ACK (or the reordering timer) did.
struct rack_step {
    std::uint32_t delivered_segments = 0;  // records newly ACKed or SACKed
    std::uint32_t newly_lost = 0;          // records marked lost now
    // Arm the RACK reordering timer for this many µs (RFC 8985 §6.2 step 5's timeout); 0:
    // none needed. On expiry the engine calls rack::on_timer.
    std::uint64_t timeout_us = 0;
};

// RFC 8985's RACK state for one connection's sender.
class rack {
public:
    static constexpr std::uint8_t dup_thresh = 3;         // RFC 8985 §6.2 step 4 (RFC 6675's DupThresh)
    static constexpr std::uint8_t reo_wnd_persist_initial = 16;  // "Reset the window after 16 DSACK-free recoveries"

    // A new connection: nothing delivered, RACK.min_RTT unknown, reo_wnd_mult 1.
    constexpr void reset() noexcept { *this = rack{}; }

    // One ACK: records wholly below SND.UNA are delivered and dropped from the log, records
    // wholly inside a SACKed range are delivered and marked; then §6.2 steps 1-5 (min_RTT,
    // RACK.rtt/xmit_ts/end_seq, reordering, reo_wnd, detect_loss).
    template <std::size_t L, std::size_t N>
    constexpr rack_step on_ack(segment_log<L>& log, const scoreboard<N>& sb, const rack_ack& a) noexcept {
        rack_step out{};
        on_ack(out, log, sb, a);
        return out;
    }
    // The same, written into `out` in place (as scoreboard::on_ack's second form).
    template <std::size_t L, std::size_t N>
    constexpr void on_ack(rack_step& out, segment_log<L>& log, const scoreboard<N>& sb, const rack_ack& a) noexcept {
        out = rack_step{};
        // Ascending sequence order is ascending end_seq: steps 2 and 3 per segment. First the
        // records SND.UNA passed (the oldest), then those now wholly inside a SACKed range.
        while (!log.empty() && seq_le(log.at(0).end(), a.snd_una)) {
            if (!log.at(0).has(segment_record::sacked)) {
                ++out.delivered_segments;
                delivered(log.at(0), a.now_us);
            }
            log.pop_front();
        }
        // Cut the record SND.UNA lies inside (the rest is still outstanding).
        if (!log.empty() && seq_lt(log.at(0).seq, a.snd_una)) log.cut_front(a.snd_una);
        for (std::size_t i = 0; i < log.size(); ++i) {
            const segment_record& r = log.at(i);
            if (r.has(segment_record::sacked) || !covered(sb, r)) continue;
            ++out.delivered_segments;
            delivered(r, a.now_us);
            log.set_flags(i, static_cast<std::uint8_t>(r.flags | segment_record::sacked));
        }
        update_reo_wnd(a, log.sacked_segments());
        detect_loss(log, a.now_us, out);
    }

    // The reordering timer expired (RFC 8985 §6.3): detect_loss again at `now_us`.
    template <std::size_t L>
    constexpr rack_step on_timer(segment_log<L>& log, std::uint64_t now_us) noexcept {
        rack_step out{};
        detect_loss(log, now_us, out);
        return out;
    }

    // A retransmission proved spurious (RFC 3522, RFC 3708): the original was reordered or
    // delayed, so reordering is seen (step 3's RACK.reordering_seen; Linux's
    // tcp_check_sack_reordering in tcp_try_undo_partial) and reo_wnd no longer drops to 0.
    constexpr void on_spurious_retransmission() noexcept { set(reordering_bit); }

    // RACK_sent_after(t1, seq1, t2, seq2) (RFC 8985 §6.2 step 2), times modulo 2^32 µs
    // (xmit_time, sack/segment_log.hpp).
    static constexpr bool sent_after(xmit_time t1, std::uint32_t seq1, xmit_time t2, std::uint32_t seq2) noexcept {
        return xmit_after(t1, t2) || (t1 == t2 && seq_gt(seq1, seq2));
    }

    constexpr bool xmit_known() const noexcept { return has(xmit_valid_bit); }  // RACK.xmit_ts set
    constexpr std::uint64_t min_rtt_us() const noexcept { return min_rtt_us_; }  // ~0: none yet
    constexpr std::uint64_t rtt_us() const noexcept { return rtt_us_; }          // RACK.rtt
    constexpr xmit_time xmit_us() const noexcept { return xmit_us_; }            // RACK.xmit_ts (xmit_time)
    constexpr std::uint32_t end_seq() const noexcept { return end_seq_; }        // RACK.end_seq
    constexpr std::uint32_t fack() const noexcept { return fack_; }              // RACK.fack
    constexpr bool delivered_any() const noexcept { return has(xmit_valid_bit); }
    constexpr bool reordering_seen() const noexcept { return has(reordering_bit); }
    constexpr std::uint64_t reo_wnd_us() const noexcept { return reo_wnd_us_; }  // RACK.reo_wnd, as last computed
    constexpr std::uint32_t reo_wnd_mult() const noexcept { return reo_wnd_mult_; }
    constexpr std::int32_t reo_wnd_persist() const noexcept { return reo_wnd_persist_; }
    constexpr bool dsack_round_active() const noexcept { return has(dsack_round_bit); }
    constexpr std::uint32_t dsack_round() const noexcept { return dsack_round_; }

private:
    static constexpr std::uint8_t xmit_valid_bit = 1u << 0;
    static constexpr std::uint8_t fack_valid_bit = 1u << 1;
    static constexpr std::uint8_t reordering_bit = 1u << 2;
    static constexpr std::uint8_t dsack_round_bit = 1u << 3;

    constexpr bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    constexpr void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }
    constexpr void clear(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ & ~bit); }

    template <std::size_t N>
    static constexpr bool covered(const scoreboard<N>& sb, const segment_record& r) noexcept {
        for (std::size_t k = 0; k < sb.count(); ++k) {
            const seq_block b = sb.range(k);
            if (seq_le(b.left, r.seq) && seq_le(r.end(), b.right)) return true;
        }
        return false;
    }

    // Steps 1-3 for one newly delivered segment.
    constexpr void delivered(const segment_record& r, std::uint64_t now_us) noexcept {
        const std::uint64_t rtt = xmit_elapsed(r.xmit_us, to_xmit_time(now_us));
        bool sample = true;
        if (r.has(segment_record::retransmitted)) {
            // Step 2: an ACK of a retransmitted segment may be for the original. Without
            // TSecr only the second test applies: a sample below min_RTT is ambiguous.
            if (rtt < min_rtt_us_) sample = false;
        } else if (rtt < min_rtt_us_) {
            min_rtt_us_ = rtt;  // step 1 (Karn: from never-retransmitted segments)
        }
        if (sample) {
            // Step 2, in order of xmit_ts: RACK.rtt is that of the latest-sent segment.
            if (!has(xmit_valid_bit) || sent_after(r.xmit_us, r.end(), xmit_us_, end_seq_)) {
                xmit_us_ = r.xmit_us;
                end_seq_ = r.end();
                rtt_us_ = rtt;
                set(xmit_valid_bit);
            }
        }
        // Step 3: a never-retransmitted segment delivered below RACK.fack was reordered.
        if (!has(fack_valid_bit) || seq_gt(r.end(), fack_)) {
            fack_ = r.end();
            set(fack_valid_bit);
        } else if (seq_lt(r.end(), fack_) && !r.has(segment_record::retransmitted)) {
            set(reordering_bit);
        }
    }

    // Step 4: RACK_update_reo_wnd().
    constexpr void update_reo_wnd(const rack_ack& a, std::uint32_t segs_sacked) noexcept {
        if (has(dsack_round_bit) && seq_ge(a.snd_una, dsack_round_)) clear(dsack_round_bit);
        if (!has(dsack_round_bit) && a.dsack) {
            set(dsack_round_bit);
            dsack_round_ = a.snd_nxt;
            if (reo_wnd_mult_ < 0xFFFFu) ++reo_wnd_mult_;
            reo_wnd_persist_ = reo_wnd_persist_initial;
        } else if (a.exiting_recovery) {
            --reo_wnd_persist_;
            if (reo_wnd_persist_ <= 0) reo_wnd_mult_ = 1;
        }
        if (!has(reordering_bit) && (a.in_recovery || segs_sacked >= dup_thresh)) {
            reo_wnd_us_ = 0;
            return;
        }
        const std::uint64_t from_min = min_rtt_us_ == ~std::uint64_t{0} ? min_rtt_us_ : reo_wnd_mult_ * min_rtt_us_ / 4u;
        reo_wnd_us_ = a.srtt_us != 0 && a.srtt_us < from_min ? a.srtt_us : from_min;
        if (reo_wnd_us_ == ~std::uint64_t{0}) reo_wnd_us_ = 0;  // no RTT known at all
    }

    // Step 5: RACK_detect_loss().
    template <std::size_t L>
    constexpr void detect_loss(segment_log<L>& log, std::uint64_t now_us, rack_step& out) const noexcept {
        if (!has(xmit_valid_bit)) return;
        for (std::size_t i = 0; i < log.size(); ++i) {
            const segment_record& r = log.at(i);
            if (r.has(segment_record::sacked) || r.needs_retransmission()) continue;  // INFINITE_TS
            if (!sent_after(xmit_us_, end_seq_, r.xmit_us, r.end())) continue;
            // Its deadline xmit_ts + RACK.rtt + RACK.reo_wnd against now, as the time since xmit_ts.
            const std::uint64_t wait = rtt_us_ + reo_wnd_us_;
            const std::uint64_t since = xmit_elapsed(r.xmit_us, to_xmit_time(now_us));
            if (wait <= since) {
                // Lost; a lost retransmission must be sent again.
                log.set_flags(i, static_cast<std::uint8_t>((r.flags | segment_record::lost) & ~segment_record::retransmitted));
                ++out.newly_lost;
            } else if (wait - since > out.timeout_us) {
                out.timeout_us = wait - since;
            }
        }
    }

    std::uint64_t min_rtt_us_ = ~std::uint64_t{0};
    std::uint64_t rtt_us_ = 0;
    std::uint64_t reo_wnd_us_ = 0;
    xmit_time xmit_us_ = 0;
    std::uint32_t end_seq_ = 0;
    std::uint32_t fack_ = 0;
    std::uint32_t dsack_round_ = 0;
    std::uint32_t reo_wnd_mult_ = 1;
    std::int32_t reo_wnd_persist_ = reo_wnd_persist_initial;
    std::uint8_t flags_ = 0;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_RACK_HPP
