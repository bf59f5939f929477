// tcpfsm: the SYN-only negotiation shared by window scale (RFC 7323 §2.2), timestamps
// (RFC 7323 §3.2) and SACK-permitted (RFC 2018 §2): an option takes effect when both SYNs
// carried it, a SYN,ACK carries it only if the SYN it answers did, and the option on any
// other segment is ignored for negotiation.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_NEGOTIATION_HPP
#define TCPFSM_OPTIONS_NEGOTIATION_HPP

namespace tcpfsm {
namespace options {

// Which side opened, for the rule on what our SYN may carry.
enum class open_side : unsigned char {
    active,   // we send the SYN: we may offer any option
    passive,  // we answer with SYN,ACK: only options the peer's SYN carried (RFC 7323 §2.2, §3.2)
};
inline constexpr unsigned open_side_count = 2;

// One option's negotiation. `sent`: our SYN (or SYN,ACK) carried it; `received`: the peer's
// SYN (or SYN,ACK) did. A retransmitted SYN may change either; the last one counts.
class syn_option_negotiation {
public:
    // Our SYN (active) or SYN,ACK (passive) is being built: returns whether it carries the
    // option, given that we `want` it. Passive: only if the peer's SYN carried it.
    constexpr bool offer(open_side side, bool want) noexcept {
        sent_ = want && (side == open_side::active || received_);
        return sent_;
    }
    // A segment from the peer arrived with (`present`) or without the option. Only a SYN
    // counts (RFC 7323 §2.2: "A Window Scale option in a segment without a <SYN> bit should
    // be ignored"; RFC 2018 §2: SACK-permitted "MUST NOT be sent on non-SYN segments").
    // Returns whether the segment was a SYN, i.e. whether it was taken into account.
    constexpr bool on_peer_segment(bool syn, bool present) noexcept {
        if (!syn) return false;
        received_ = present;
        return true;
    }
    // Both SYNs carried it: the option is in use for the rest of the connection.
    constexpr bool enabled() const noexcept { return sent_ && received_; }
    constexpr bool sent() const noexcept { return sent_; }
    constexpr bool received() const noexcept { return received_; }
    // A new connection: nothing sent or received.
    constexpr void reset() noexcept {
        sent_ = false;
        received_ = false;
    }

private:
    bool sent_ = false;
    bool received_ = false;
};

}  // namespace options
}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_NEGOTIATION_HPP
