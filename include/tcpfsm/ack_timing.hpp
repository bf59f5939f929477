// tcpfsm: when the ACK owed to the peer goes. RFC 9293 §3.8.6.3 and RFC 1122 4.2.3.2 (delayed
// ACK: at most 0.5 s, MUST-40; at least every second full-sized segment, SHLD-19), RFC 5681
// §4.2 (an immediate ACK for an out-of-order segment and for one that fills a gap), RFC 9293
// §3.10.7.4 first step (an unacceptable segment is answered at once), §3.8.6.2.2 (the window
// update after RECEIVE), and Linux's quick-ACK mode (tcp_enter_quickack_mode). The engine
// asks this component what to do at the end of each input; the component sends nothing.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_ACK_TIMING_HPP
#define TCPFSM_ACK_TIMING_HPP

#include <cstdint>

namespace tcpfsm {

// What the end of an input does with the ACK owed.
enum class ack_decision : std::uint8_t {
    none,         // nothing owed
    send,         // now (or, with connection_config::ack_per_turn, at the end of the turn)
    arm_delayed,  // start the delayed-ACK timer (timer_config::delayed_ack_ms) if not running
};

// At most this many quick ACKs in a row (Linux's TCP_MAX_QUICKACKS).
inline constexpr std::uint8_t max_quick_acks = 16;

// The quick ACKs granted when quick-ACK mode is entered (Linux's tcp_incr_quickack): one per
// two segments of the receive window, at least 2, at most max_quick_acks.
constexpr std::uint8_t quick_ack_count(std::uint32_t receive_window, std::uint32_t mss) noexcept {
    const std::uint32_t n = mss == 0 ? 0u : receive_window / (2u * mss);
    if (n == 0) return 2;
    return n < max_quick_acks ? static_cast<std::uint8_t>(n) : max_quick_acks;
}

// §3.8.6.2.2 receiver SWS avoidance (MUST-39): RCV.WND moves right only when it can move by
// min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2: "if RCV.BUFF - RCV.USER - RCV.WND >= min(Fr *
// RCV.BUFF, Eff.snd.MSS) then set RCV.WND <- RCV.BUFF - RCV.USER". `space` = RCV.BUFF - RCV.USER.
constexpr bool receive_window_may_open(std::uint32_t space, std::uint32_t window, std::uint32_t buffer,
                                       std::uint32_t mss) noexcept {
    const std::uint32_t threshold = buffer / 2 < mss ? buffer / 2 : mss;
    return space > window && space - window >= (threshold == 0 ? 1u : threshold);
}

// A window update worth a segment of its own with delayed ACK on: the window the peer sees is
// at most half the buffer and the new one at least twice it (Linux's tcp_cleanup_rbuf). A
// smaller opening rides on the next ACK. A closed window that may open always is one.
constexpr bool window_update_urgent(std::uint32_t space, std::uint32_t window, std::uint32_t buffer) noexcept {
    return std::uint64_t{window} * 2u <= buffer && std::uint64_t{space} >= std::uint64_t{window} * 2u;
}

// After RECEIVE (§3.8.6.2.2): is a window update owed at once? Without delayed ACK, whenever
// the window may open; with it, only when it opens by a lot (window_update_urgent).
constexpr bool window_update_owed(std::uint32_t space, std::uint32_t window, std::uint32_t buffer,
                                  std::uint32_t mss, bool delayed_ack) noexcept {
    return receive_window_may_open(space, window, buffer, mss) &&
           (!delayed_ack || window_update_urgent(space, window, buffer));
}

// The receiver's ACK state of one connection: 3 octets of 8-bit fields (it sits among the
// TCB's 16- and 8-bit fields): the octets unacknowledged (16 bits, in two octets), and one
// octet for the quick ACKs left (0 to 16, the high 5 bits) and what is owed (the low 3).
class ack_timing {
public:
    // An ACK is owed at once: an out-of-order, gap-filling or duplicate segment (RFC 5681
    // §4.2), an unacceptable one (§3.10.7.4 first step), a FIN, SYN,ACK, a window update.
    void owe_now() noexcept { set_bits(now_bit); }
    // An ACK is owed for in-order text: it may be delayed (§3.8.6.3).
    void owe_delayable() noexcept { set_bits(delayable_bit); }
    bool owed() const noexcept { return (bits() & (now_bit | delayable_bit)) != 0; }

    // `octets` of in-order text became readable (RCV.NXT moved); counted up to 65535 (at
    // least every 65535 octets is still at least every second full-sized segment).
    void on_text(std::uint32_t octets) noexcept {
        const std::uint32_t n = unacked_octets() + octets;
        const std::uint32_t saturated = n < 0xFFFFu ? n : 0xFFFFu;
        unacked_low_ = static_cast<std::uint8_t>(saturated & 0xFFu);
        unacked_high_ = static_cast<std::uint8_t>(saturated >> 8);
    }
    std::uint32_t unacked_octets() const noexcept { return std::uint32_t{unacked_high_} << 8 | unacked_low_; }

    // Quick-ACK mode (Linux's tcp_enter_quickack_mode): the next `count` ACKs of text are not
    // delayed: at the start of a connection (the sender's slow start grows per ACK) and after
    // out-of-order or duplicate text (the sender is recovering from a loss).
    void enter_quick_ack(std::uint8_t count) noexcept {
        if (count > max_quick_acks) count = max_quick_acks;
        if (count > quick_acks()) set_quick(count);
    }
    std::uint8_t quick_acks() const noexcept { return static_cast<std::uint8_t>(state_ >> 3); }

    // The end of an input. With delayed ACK off every owed ACK goes at once; on, text alone
    // is delayed unless quick-ACK mode is on or 2 * `full_segment` octets are unacknowledged
    // (RFC 5681 §4.2: "at least every second full-sized segment"; Linux: 2 * rcv_mss).
    ack_decision decide(bool delayed_ack, std::uint32_t full_segment) const noexcept {
        if ((bits() & now_bit) != 0) return ack_decision::send;
        if ((bits() & delayable_bit) == 0) return ack_decision::none;
        if (!delayed_ack || quick_acks() > 0 || unacked_octets() >= 2u * full_segment) return ack_decision::send;
        return ack_decision::arm_delayed;
    }
    // The delayed-ACK timer runs for the ACK owed: nothing is owed until it fires.
    void delayed() noexcept { clear_bits(now_bit | delayable_bit); }

    // One segment per turn: the owed ACK waits for the end of the consumer's turn, and so
    // does the rest of the turn's output (connection_config::ack_per_turn).
    void open_turn() noexcept {
        clear_bits(now_bit | delayable_bit);
        set_bits(turn_bit);
    }
    bool turn_open() const noexcept { return (bits() & turn_bit) != 0; }
    void end_turn() noexcept { clear_bits(turn_bit); }

    // A segment carrying <ACK=RCV.NXT> left: nothing is owed, the count starts over, and an
    // ACK of new text uses up one quick ACK.
    void on_ack_sent() noexcept {
        const std::uint8_t quick = quick_acks();
        state_ = static_cast<std::uint8_t>((unacked_octets() > 0 && quick > 0 ? quick - 1 : quick) << 3);
        unacked_low_ = unacked_high_ = 0;
    }
    void reset() noexcept { *this = ack_timing{}; }

private:
    static constexpr std::uint8_t now_bit = 1u << 0;
    static constexpr std::uint8_t delayable_bit = 1u << 1;
    static constexpr std::uint8_t turn_bit = 1u << 2;
    std::uint8_t bits() const noexcept { return static_cast<std::uint8_t>(state_ & 7u); }
    void set_bits(std::uint8_t b) noexcept { state_ = static_cast<std::uint8_t>(state_ | b); }
    void clear_bits(std::uint8_t b) noexcept { state_ = static_cast<std::uint8_t>(state_ & ~b); }
    void set_quick(std::uint8_t n) noexcept { state_ = static_cast<std::uint8_t>((n << 3) | bits()); }
    std::uint8_t unacked_low_ = 0, unacked_high_ = 0;
    std::uint8_t state_ = 0;  // quick ACKs left << 3 | owed now, owed delayable, turn open
};

}  // namespace tcpfsm

#endif  // TCPFSM_ACK_TIMING_HPP
