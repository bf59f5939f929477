// tcpfsm: the Window Scale option (RFC 7323 §2): negotiation on SYN and SYN,ACK only, the
// shift a receiver chooses for its buffer, and the arithmetic of windows sent (right shift,
// never retracting an advertised right edge, §2.4) and received (left shift; SYN windows are
// never scaled, §2.2).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_OPTIONS_WINDOW_SCALE_HPP
#define TCPFSM_OPTIONS_WINDOW_SCALE_HPP

#include <cstdint>

#include "../seq.hpp"
#include "negotiation.hpp"

namespace tcpfsm {
namespace options {

// RFC 7323 §2.3: the largest shift; windows up to 65,535 * 2^14 = 1,073,725,440 octets,
// just under 2^30.
inline constexpr std::uint8_t max_window_shift = 14;
inline constexpr std::uint32_t max_unscaled_window = 0xffffu;
inline constexpr std::uint32_t max_scaled_window = max_unscaled_window << max_window_shift;

// How the window we advertise is rounded to the granularity 2^shift.
enum class window_rounding : std::uint8_t {
    down,  // not beyond the free space given (a free space below 2^shift reads as zero), but
           // for keeping an advertised right edge (receive_window_edge)
    up,    // to the next multiple, as Linux (__tcp_select_window): never a zero window while
           // any space is free, at the cost of up to 2^shift - 1 octets beyond it
};
inline constexpr unsigned window_rounding_count = 2;

// The receiver's choice, per connection.
struct window_scale_config {
    bool offer = true;                         // send the option on our SYN / SYN,ACK
    std::uint8_t max_shift = max_window_shift; // cap on the shift we choose (above 14 reads as 14)
    window_rounding rounding = window_rounding::down;
};

// The smallest shift for which `buffer_octets` fits the 16-bit window field, at most
// `max_shift` (and 14): Linux's choice in tcp_select_initial_window(), where
// clamp(ilog2(space) - 15, 0, 14) is the same number. Pass the largest receive buffer the
// connection may use (Linux passes the largest of the buffer, tcp_rmem[2] and rmem_max, so
// that autotuning can grow the window later: the shift is fixed at the SYN).
constexpr std::uint8_t window_shift_for(std::uint64_t buffer_octets,
                                        std::uint8_t max_shift = max_window_shift) noexcept {
    const std::uint8_t cap = max_shift < max_window_shift ? max_shift : max_window_shift;
    std::uint8_t shift = 0;
    while (shift < cap && (buffer_octets >> shift) > max_unscaled_window) ++shift;
    return shift;
}

// The window a received segment grants (RFC 7323 §2.3: SND.WND = SEG.WND << Snd.Wind.Shift),
// except that "the window field in a segment where the SYN bit is set ... MUST NOT be
// scaled" (§2.2). At most 65,535 << 14, so it fits 32 bits.
constexpr std::uint32_t scale_received_window(std::uint16_t field, std::uint8_t snd_shift, bool syn) noexcept {
    if (syn) return field;
    const std::uint8_t s = snd_shift < max_window_shift ? snd_shift : max_window_shift;
    return std::uint32_t{field} << s;
}

// What was taken from the peer's option.
struct window_scale_receipt {
    bool taken = false;    // a SYN (or SYN,ACK) carrying the option: recorded
    bool ignored = false;  // the option on a non-SYN segment: ignored (§2.2)
    bool clamped = false;  // its shift was above 14: §2.3 "the TCP SHOULD log the error but
                           // MUST use 14 instead of the specified value"
    std::uint8_t shift = 0;  // the shift recorded (after clamping)
};

// One connection's negotiation (§2.2): "both sides MUST send Window Scale options in their
// <SYN> segments to enable window scaling in either direction". Until then, and for ever if
// one SYN lacked it, both shifts are 0.
class window_scale_negotiation {
public:
    // Our SYN (active) or SYN,ACK (passive, only if the peer's SYN carried the option) is
    // being built: returns whether it carries Window Scale with offered_shift(). `shift`
    // above 14 is sent as 14.
    constexpr bool offer(open_side side, bool want, std::uint8_t shift) noexcept {
        shift_ours_ = shift < max_window_shift ? shift : max_window_shift;
        return flags_.offer(side, want);
    }

    // A segment from the peer: `syn` its SYN bit, `present` whether it carries the option,
    // `shift` the option's shift.cnt. A SYN without it disables scaling; a non-SYN changes
    // nothing.
    constexpr window_scale_receipt on_peer_segment(bool syn, bool present, std::uint8_t shift) noexcept {
        window_scale_receipt r{};
        if (!flags_.on_peer_segment(syn, present)) {
            r.ignored = present;
            return r;
        }
        if (!present) {
            shift_peer_ = 0;
            return r;
        }
        r.taken = true;
        r.clamped = shift > max_window_shift;
        r.shift = r.clamped ? max_window_shift : shift;
        shift_peer_ = r.shift;
        return r;
    }

    constexpr bool enabled() const noexcept { return flags_.enabled(); }
    // Snd.Wind.Shift: the left shift of the peer's windows (0 unless enabled).
    constexpr std::uint8_t send_shift() const noexcept { return enabled() ? shift_peer_ : std::uint8_t{0}; }
    // Rcv.Wind.Shift: the right shift of our windows (0 unless enabled).
    constexpr std::uint8_t receive_shift() const noexcept { return enabled() ? shift_ours_ : std::uint8_t{0}; }
    constexpr std::uint8_t offered_shift() const noexcept { return shift_ours_; }
    constexpr std::uint8_t peer_shift() const noexcept { return shift_peer_; }
    constexpr bool sent() const noexcept { return flags_.sent(); }
    constexpr bool received() const noexcept { return flags_.received(); }

    constexpr void reset() noexcept { *this = window_scale_negotiation{}; }

private:
    syn_option_negotiation flags_{};
    std::uint8_t shift_ours_ = 0;
    std::uint8_t shift_peer_ = 0;
};

// One window to put on the wire.
struct window_advertisement {
    std::uint16_t field = 0;      // SEG.WND
    std::uint32_t window = 0;     // field << shift: the window the peer will use
    std::uint32_t right_edge = 0; // RCV.NXT + window (mod 2^32)
    bool edge_kept = false;       // raised to keep a right edge advertised before (§2.4)
    // Octets of `window` past the free space given (rounding up, or keeping an edge): the
    // slack the consumer's buffer needs to take everything the window allows. 0 normally.
    std::uint32_t beyond_free_space = 0;
};

// The receiver's side of §2.4: the window it sends, right-shifted, and the right edge it has
// advertised so far. "The receiver MUST honor, as in window, any segment that would have been
// in window for any <ACK> sent by the receiver", and tcpfsm does not shrink the window
// (RFC 9293 §3.8.6, RFC 1122 §4.2.2.16: a receiver SHOULD NOT): when the free space rounded
// to 2^shift would put the right edge below the one already advertised, the field is rounded
// up to keep it. That edge was inside the buffer when advertised, but the rounding may put
// the new one up to 2^shift - 1 octets past it: "beyond what it previously advertised (and
// perhaps beyond the buffer)" in §2.4's words, the alternative being to shrink the window;
// `beyond_free_space` says by how much the window passes the free space given.
class receive_window_edge {
public:
    // The window for an ACK (or SYN,ACK when `syn`) acknowledging `rcv_nxt`, with
    // `free_space` octets free in the receive buffer past RCV.NXT and Rcv.Wind.Shift =
    // `shift`. A SYN's window is never scaled (§2.2): at most 65,535.
    constexpr window_advertisement advertise(std::uint32_t rcv_nxt, std::uint32_t free_space, std::uint8_t shift,
                                             window_rounding rounding = window_rounding::down,
                                             bool syn = false) noexcept {
        const std::uint8_t s = syn ? std::uint8_t{0} : (shift < max_window_shift ? shift : max_window_shift);
        const std::uint32_t granule = std::uint32_t{1} << s;
        const std::uint32_t cap = max_unscaled_window << s;
        const std::uint32_t space = free_space < cap ? free_space : cap;
        std::uint32_t field = space >> s;
        if (rounding == window_rounding::up && (field << s) < space) ++field;
        window_advertisement a{};
        if (advertised_ && seq_gt(edge_, rcv_nxt)) {
            const std::uint32_t needed = edge_ - rcv_nxt;
            if ((field << s) < needed) {
                const std::uint32_t up = (needed - 1) / granule + 1;  // ceil(needed / 2^s)
                field = up < max_unscaled_window ? up : max_unscaled_window;
                a.edge_kept = true;
            }
        }
        if (field > max_unscaled_window) field = max_unscaled_window;
        a.field = static_cast<std::uint16_t>(field);
        a.window = field << s;
        a.right_edge = rcv_nxt + a.window;
        a.beyond_free_space = a.window > free_space ? a.window - free_space : 0u;
        if (!advertised_ || seq_gt(a.right_edge, edge_)) edge_ = a.right_edge;
        advertised_ = true;
        return a;
    }

    // The highest right edge advertised (meaningful when advertised()).
    constexpr std::uint32_t right_edge() const noexcept { return edge_; }
    constexpr bool advertised() const noexcept { return advertised_; }
    // RCV.WND for the acceptability test with RCV.NXT = `rcv_nxt`: up to the highest right
    // edge advertised (§2.4 rule 1), 0 before any advertisement or when RCV.NXT reached it.
    constexpr std::uint32_t window_from(std::uint32_t rcv_nxt) const noexcept {
        return advertised_ && seq_gt(edge_, rcv_nxt) ? edge_ - rcv_nxt : 0;
    }
    constexpr void reset() noexcept { *this = receive_window_edge{}; }

private:
    std::uint32_t edge_ = 0;
    bool advertised_ = false;
};

}  // namespace options
}  // namespace tcpfsm

#endif  // TCPFSM_OPTIONS_WINDOW_SCALE_HPP
