// tcpfsm: the connection engine's undo of spurious retransmissions, a member function of
// tcpfsm::connection (connection.hpp, which includes this header after the class): Eifel
// detection (RFC 3522) and D-SACK detection (RFC 3708) with spurious_retransmission.hpp's
// detector (kept in send_path), and the response: the recovery in progress ends, the
// congestion policy undoes its reduction (RFC 4015 §3.1 with the policy's on_spurious_undo).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_UNDO_HPP
#define TCPFSM_DETAIL_CONNECTION_UNDO_HPP

#include <cstdint>

#include "../connection.hpp"

namespace tcpfsm {

// One acceptable ACK of the data phase (take_data_ack), after send_path's decisions `r` and
// the SACK sender's update `sa`, before SND.UNA moves. RFC 6675 recovery that begins here
// begins an episode (a fast retransmit or a timeout began theirs in send_path). Then, with
// connection_config::spurious_retransmission_undo:
// - RFC 3522 §3: in the episode's fast recovery, RFC 6675 recovery or loss state (its last
//   ACK included; after a timeout once F-RTO has not decided, RFC 5682 taking precedence), an
//   ACK that advances SND.UNA with TSecr older than the first retransmission's TSval;
// - RFC 3708 §2: D-SACK blocks have now reported every retransmitted octet of the episode
//   (also after its recovery ended).
// Either way the recovery still in progress ends on this ACK: no partial-ACK retransmission,
// no growth; take_data_ack calls the policy's undo last (send_path::undo_spurious), after
// any exit from recovery this ACK made. Returns whether the episode was spurious.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
bool connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::detect_spurious_retransmission(
    const call_input& in, const sack::sender_ack& sa, recovery_response& r) noexcept {
    auto& detector = send_.spurious();
    if (r.spurious_timeout) return false;  // F-RTO's undo (RFC 5682 step 3b; send_path ends the episode)
    if (sa.step.entered) detector.start(snd_una_);
    if (!detector.active() || !config().spurious_retransmission_undo) return false;
    const segment_options& o = *in.options;
    const bool dsacked = detector.on_dsack(sa.board.dsack);
    const recovery_state now = send_.recovery();
    const bool recovering = now == recovery_state::recovery || sack_.in_recovery() || r.recovery_ended ||
                            r.loss_ended || sa.step.ended ||
                            (now == recovery_state::loss && !send_.loss_recovery().frto_pending());
    const bool delayed = recovering && seq_gt(in.seg->ack, snd_una_) && ts_.enabled() &&
                         detector.retransmission_delayed(o.has_timestamps, o.ts_ecr);
    const spurious_evidence evidence = delayed   ? spurious_evidence::timestamps
                                       : dsacked ? spurious_evidence::dsack
                                                 : spurious_evidence::none;
    if (evidence == spurious_evidence::none) return false;
    statistics().on_event(evidence == spurious_evidence::timestamps ? statistic::spurious_undo_timestamps
                                                                    : statistic::spurious_undo_dsack);
    detector.finish();
    send_.leave_recovery();  // fast recovery or the loss state (RFC 4015 §3.1: no go-back-N)
    if (sack_.in_recovery()) sack_.undo_recovery(in.seg->ack);  // RFC 6675 recovery
    r.retransmit_first_unacked = false;
    r.grow_cwnd = false;
    return true;
}

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_UNDO_HPP
