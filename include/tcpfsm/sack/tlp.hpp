// tcpfsm: Tail Loss Probe (RFC 8985 §7): when the ACKs stop (a loss at the tail of a flight
// gives no SACK to RACK), a probe segment after a probe timeout (PTO) of about two round
// trips, well before the RTO, brings an ACK whose SACK information starts recovery. This
// component computes the PTO (§7.2), picks the probe (§7.3) and runs the TLP episode and its
// loss detection (§7.4). Times are µs of the engine's clock; no allocation, clock or exception.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SACK_TLP_HPP
#define TCPFSM_SACK_TLP_HPP

#include <cstdint>

#include "../reassembly.hpp"
#include "../seq.hpp"

namespace tcpfsm {
namespace sack {

// The probe to send: new data, or a retransmission of the highest segment sent.
struct tlp_probe {
    std::uint32_t seq = 0;
    std::uint32_t length = 0;  // 0: nothing to probe with
    bool is_retrans = false;
};

// What one ACK did to a TLP episode (RFC 8985 §7.4.2).
struct tlp_ack_result {
    bool episode_ended = false;
    // "Repaired the single loss": the probe retransmission repaired a loss; the engine invokes
    // congestion control to react (as to a loss: the policy's on_loss, RFC 8985 §7.4.2).
    bool loss_repaired = false;
};

class tlp {
public:
    // TLP.max_ack_delay's default: WCDelAckT, the worst-case delayed-ACK time, 200 ms
    // (RFC 8985 §7.2; RFC 9293 allows up to 500 ms, Linux uses 200 ms, TCP_DELACK_MAX).
    static constexpr std::uint64_t default_max_ack_delay_us = 200000;
    // The PTO without an SRTT: 1 second (§7.2).
    static constexpr std::uint64_t pto_without_srtt_us = 1000000;

    // A new connection, or fast recovery or RTO recovery begins (§7.1): no episode.
    constexpr void reset() noexcept { *this = tlp{}; }

    // §7.2 TLP_calc_PTO(): 2 * SRTT, plus `max_ack_delay_us` when the flight is one segment;
    // 1 s without an SRTT (`srtt_us` 0); never past the RTO's expiry (`rto_expiry_us`
    // absolute, with `now_us`): then the time left to it (0 when it is already due).
    static constexpr std::uint64_t pto_us(std::uint64_t srtt_us, bool flight_is_one_segment, std::uint64_t max_ack_delay_us,
                                          std::uint64_t now_us, std::uint64_t rto_expiry_us) noexcept {
        std::uint64_t pto = pto_without_srtt_us;
        if (srtt_us != 0) {
            pto = 2u * srtt_us;
            if (flight_is_one_segment) pto += max_ack_delay_us;
        }
        if (now_us + pto > rto_expiry_us) pto = rto_expiry_us > now_us ? rto_expiry_us - now_us : 0u;
        return pto;
    }

    // §7.2: may the PTO be armed now? Not in fast or RTO recovery, not with SACKed segments
    // (RACK.segs_sacked != 0: RACK has what it needs), and not while an episode's probe is
    // outstanding (one probe at a time, TLP.end_seq set).
    constexpr bool may_arm(bool in_recovery, std::uint32_t segs_sacked) const noexcept {
        return !in_recovery && segs_sacked == 0 && !active_;
    }

    // §7.3 probe selection: the lowest unsent segment of up to SMSS if there is unsent data
    // the peer's window admits (`sendable_new` octets), else the highest-sequence segment
    // sent so far (`last_sent`, as the engine's segmentation or the segment log has it; at
    // most SMSS of its end) as a retransmission. Nothing when neither exists.
    static constexpr tlp_probe choose(std::uint32_t snd_nxt, std::uint32_t sendable_new, std::uint32_t smss,
                                      const seq_block& last_sent) noexcept {
        if (smss == 0) return {};
        if (sendable_new != 0) return {snd_nxt, sendable_new < smss ? sendable_new : smss, false};
        const std::uint32_t len = last_sent.length();
        if (last_sent.empty() || len >= 0x80000000u) return {};
        const std::uint32_t n = len < smss ? len : smss;
        return {last_sent.right - n, n, true};
    }

    // The probe went out (§7.3): TLP.is_retrans, TLP.end_seq = SND.NXT after it.
    constexpr void on_probe_sent(bool is_retrans, std::uint32_t snd_nxt_after) noexcept {
        active_ = true;
        is_retrans_ = is_retrans;
        end_seq_ = snd_nxt_after;
    }

    // §7.4.2 TLP_process_ack(ACK), for every acceptable ACK while an episode is on:
    // `dsack` is its D-SACK block (empty if none), `has_sack_blocks` whether it carried any
    // SACK block, `duplicate` whether it is a duplicate ACK (RFC 5681 §2).
    constexpr tlp_ack_result on_ack(std::uint32_t ack, const seq_block& dsack, bool has_sack_blocks,
                                    bool duplicate) noexcept {
        tlp_ack_result r{};
        if (!active_ || !seq_ge(ack, end_seq_)) return r;
        if (!is_retrans_) {
            r.episode_ended = true;  // the TLP of new data was delivered
        } else if (!dsack.empty() && dsack.right == end_seq_) {
            r.episode_ended = true;  // case 1: the retransmission was redundant
        } else if (seq_gt(ack, end_seq_)) {
            r.episode_ended = true;  // repaired the single loss
            r.loss_repaired = true;
        } else if (duplicate && !has_sack_blocks) {
            r.episode_ended = true;  // case 2
        }
        if (r.episode_ended) active_ = false;
        return r;
    }

    constexpr bool active() const noexcept { return active_; }            // TLP.end_seq is set
    constexpr std::uint32_t end_seq() const noexcept { return end_seq_; }  // TLP.end_seq
    constexpr bool is_retrans() const noexcept { return is_retrans_; }     // TLP.is_retrans

private:
    std::uint32_t end_seq_ = 0;
    bool is_retrans_ = false;
    bool active_ = false;
};

}  // namespace sack
}  // namespace tcpfsm

#endif  // TCPFSM_SACK_TLP_HPP
