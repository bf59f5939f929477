// tcpfsm: RACK-TLP (RFC 8985) in the connection engine, member functions of
// tcpfsm::connection (connection.hpp, which includes this header after the class): the loss-
// detection timer in the retransmission timer's slot (RACK's reordering timer, §6.3, or
// TLP's PTO, §7.2), its expiry, the probe (§7.3) and TLP's loss detection (§7.4). The
// detection itself is sack::rack_detector's (sack/rack_detector.hpp). Timer expiries are
// output only: no table row.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_RACK_HPP
#define TCPFSM_DETAIL_CONNECTION_RACK_HPP

#include <cstdint>

#include "../connection.hpp"

namespace tcpfsm {

// One acceptable ACK as RACK-TLP reads it (its arrival, SRTT, RFC 5681's duplicate), with
// connection_config::rack.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
sack::rack_input connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::rack_input(const call_input& in,
                                                                                       bool duplicate) noexcept {
    return {in.now_us, rack_srtt_us(), duplicate, config().rack, send_.recovery() == recovery_state::loss};
}

// SRTT for RACK-TLP (RFC 8985 §6.2 step 4's reo_wnd, §7.2's PTO), µs: the RTO estimator's
// (RFC 6298, whole ms of the engine's clock). Below 1 ms (a LAN: the ms clock times every
// round trip as 0) RACK's own RTT in µs (RACK.rtt, the latest delivered segment's), so a
// sub-millisecond path is not taken for one without an SRTT, whose PTO is 1 s (§7.2), as
// long as the RTO; 0 while neither has a sample.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
std::uint64_t connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::rack_srtt_us() noexcept {
    const std::uint64_t srtt_us = std::uint64_t{rto_.srtt_ms()} * 1000u;
    if constexpr (!sack_type::compiled_in) {
        return srtt_us;
    } else {
        if (srtt_us != 0) return srtt_us;
        const sack::rack& r = sack_.loss_detector().state();
        if (!r.xmit_known()) return 0;
        return r.rtt_us() != 0 ? r.rtt_us() : 1u;  // below the µs clock too: 1 µs
    }
}

// After every input (arm_idle_timers): the reordering timer, else the PTO when §7.2's
// conditions hold (data outstanding, not in fast or RTO recovery, nothing SACKed, no probe
// outstanding), moves the retransmission timer earlier; otherwise the RTO's deadline stays.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::arm_loss_detection(const call_input& in) noexcept {
    if constexpr (!sack_type::compiled_in) {
        (void)in;
        return;
    } else {
        // From the first data sent (§7.2: the PTO protects a first flight too), not the first ACK.
        if (!sack_.enabled() || !config().rack) return;
        auto& d = sack_.loss_detector();
        const bool rto = timers_.armed(timer_kind::retransmission);
        const std::uint32_t flight = snd_nxt_ - snd_una_;
        const bool may_probe = has(syn_acked_bit) && flight != 0 && !sack_.in_recovery() &&
                               send_.recovery() != recovery_state::loss && sack_.sacked_octets() == 0;
        const sack::loss_timer_plan p =
            d.plan(rto, timers_.deadline(timer_kind::retransmission), in.now, in.now_us, may_probe,
                   rack_srtt_us(), flight <= effective_mss(),
                   std::uint64_t{config().tlp_max_ack_delay_ms} * 1000u);
        if (p.arm) timers_.arm(timer_kind::retransmission, in.now, seq_lt(in.now, p.at) ? p.at - in.now : 0u);
    }
}

// The retransmission timer's slot expired: true when it was the loss-detection timer (then
// handled here, and the RTO's deadline is back in the slot), false for the RTO itself.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
bool connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::loss_detection_expired(const call_input& in) noexcept {
    if constexpr (!sack_type::compiled_in) {
        return false;
    } else {
        if (!sack_.enabled()) return false;
        auto& d = sack_.loss_detector();
        const sack::loss_timer k = d.take_expiry();  // none unless arm_loss_detection put one there
        if (k == sack::loss_timer::none) return false;
        const std::uint32_t rto_at = d.rto_deadline();
        timers_.arm(timer_kind::retransmission, in.now, seq_lt(in.now, rto_at) ? rto_at - in.now : 0u);
        if (!has(syn_acked_bit) || snd_una_ == snd_nxt_) return true;
        const std::uint32_t smss = effective_mss();
        if (k == sack::loss_timer::reordering) {
            // §6.3: RACK_detect_loss(); a loss starts recovery as on an ACK (take_data_ack).
            const std::uint64_t now_us = in.now_us;
            const sack::recovery_step s = sack_.on_reordering_timeout(now_us, snd_una_, snd_nxt_, smss);
            if (s.entered) {
                const std::uint32_t flight = snd_nxt_ - snd_una_;
                sack_.start_recovery(send_.on_sack_recovery_start(flight, smss, now_us), flight);
                send_.spurious().start(snd_una_);  // an undo episode, as on an ACK (detail/connection_undo.hpp)
                if (s.first.length != 0) {
                    resend(in, s.first.seq, s.first.length);
                    sack_.on_sent(s.first);
                }
            }
            return true;
        }
        // §7.3: a new segment if the peer's window admits one, else the last segment again;
        // then the RTO, not the PTO, is armed.
        const std::uint32_t right = snd_una_ + snd_wnd_;
        const std::uint32_t window = seq_lt(snd_nxt_, right) ? right - snd_nxt_ : 0u;
        std::uint32_t fresh = may_send_data() && !has(fin_sent_bit) ? unsent() : 0u;
        if (fresh > window) fresh = window;
        const std::uint32_t flight = snd_nxt_ - snd_una_;
        const seq_block last{snd_nxt_ - (flight < smss ? flight : smss), snd_nxt_};
        const sack::tlp_probe p = sack::tlp::choose(snd_nxt_, fresh, smss, last);
        if (p.length == 0) return true;
        if (p.is_retrans) {
            resend(in, p.seq, p.length);
        } else {
            send_data(in, p.length, has(fin_queued_bit) && p.length == unsent());
        }
        d.on_probe_sent(p.is_retrans, snd_nxt_);
        statistics().on_event(statistic::tail_loss_probe);
        arm_rto(in, rto_.rto_ms());
        return true;
    }
}

// The engine's every (re)start of the retransmission timer (RFC 6298 §5): the slot then holds
// the RTO, so a loss-detection deadline RACK had put there is forgotten, and the next
// arm_loss_detection() keeps this deadline as the one to restore.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::arm_rto(
    const call_input& in, std::uint32_t after_ms) noexcept {
    timers_.arm(timer_kind::retransmission, in.now, after_ms);
    if constexpr (sack_type::compiled_in) sack_.loss_detector().on_rto_armed();
}

// §7.4.2: the probe's ACK shows that it repaired a loss: congestion control reacts as to a
// recovery (ssthresh from the policy, then cwnd = ssthresh), unless one already runs.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::take_probe_outcome(
    const sack::sender_ack& a, std::uint32_t in_flight, std::uint64_t now_us) noexcept {
    if (!a.probe.loss_repaired || sack_.in_recovery() || a.step.ended) return;
    send_.on_sack_recovery_end(send_.on_sack_recovery_start(in_flight, effective_mss(), now_us), now_us);
}

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_RACK_HPP
