// tcpfsm: the SACK sender's steps in the connection engine, member functions of
// tcpfsm::connection (connection.hpp, which includes this header after the class): after an
// ACK (RFC 6675 §5 with PRR, RFC 6937; RFC 2018 §8 reneging), the output in SACK recovery
// (NextSeg(), RACK's lost segments first, RFC 8985 §6.2 step 6) and go-back-N after a timeout
// past SACKed octets (RFC 6675 §5.1). The scoreboard and recovery are sack::sender's
// (selective_acknowledgment.hpp, sack/sender.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_CONNECTION_SACK_HPP
#define TCPFSM_DETAIL_CONNECTION_SACK_HPP

#include <cstdint>

#include "../connection.hpp"

namespace tcpfsm {

// After SND.UNA moved: PRR's sndcnt; on entering, the first retransmission (§5 (4.3));
// at the end (§5 (A)), cwnd = ssthresh. RFC 2018 §8 reneging: an RTO after max(SRTT / 2,
// 10 ms), as Linux's tcp_check_sack_reneging; the RTO then forgets the scoreboard.
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::after_sack_ack(const call_input& in, const sack::sender_ack& a,
                                                                         std::uint64_t now_us) noexcept {
    if (a.step.ended) send_.on_sack_recovery_end(sack_.recovery_ssthresh(), now_us);
    sack_.after_ack(a, snd_una_, snd_nxt_, effective_mss());
    if (a.step.entered && a.step.first.length != 0) {
        resend(in, a.step.first.seq, a.step.first.length);
        sack_.on_sent(a.step.first);
        arm_rto(in, rto_.rto_ms());
    }
    const std::uint32_t wait = rto_.srtt_ms() / 2u > 10u ? rto_.srtt_ms() / 2u : 10u;
    if (a.board.reneging && wait < rto_.rto_ms()) arm_rto(in, wait);
}

// Output in SACK recovery: NextSeg() (holes first, then new data) while PRR allows; false
// outside it (the ordinary output runs).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
bool connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::sack_output(const call_input& in) noexcept {
    if (!sack_.in_recovery() || !has(syn_acked_bit)) return false;
    for (;;) {  // each segment sent spends PRR's allowance
        const std::uint32_t right = snd_una_ + snd_wnd_;
        const std::uint32_t window = seq_lt(snd_nxt_, right) ? right - snd_nxt_ : 0u;
        std::uint32_t fresh = may_send_data() && !has(fin_sent_bit) ? unsent() : 0u;
        if (fresh > window) fresh = window;
        const sack::segment_choice c = sack_.next_segment(snd_una_, snd_nxt_, effective_mss(), fresh);
        if (c.length == 0) break;
        if (c.rule == sack::nextseg_rule::new_data) {
            if (c.length < effective_mss() && c.length < unsent()) break;  // a full segment, or all (SWS)
            send_data(in, c.length, has(fin_queued_bit) && c.length == unsent());
        } else {
            resend(in, c.seq, c.length);
        }
        sack_.on_sent(c);
    }
    return true;
}

// Go-back-N after a timeout skips what the scoreboard holds as SACKed (RFC 6675 §5.1).
template <class SegmentIO, class Clock, class Observer, class IssPolicy, class Profile>
void connection<SegmentIO, Clock, Observer, IssPolicy, Profile>::go_back_n(const call_input& in, std::uint32_t seq,
                                                                    std::uint32_t length) noexcept {
    const sack::segment_choice part = sack_.unsacked_part(seq, length);
    if (part.length == 0 || part.seq != seq) send_.on_retransmitted(seq, part.length == 0 ? length : part.seq - seq);
    if (part.length != 0) resend(in, part.seq, part.length);
}

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_CONNECTION_SACK_HPP
