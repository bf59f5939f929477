// tcpfsm: window scaling in the engine (RFC 7323 §2): the connection's Window Scale state
// (one octet), the option its SYN or SYN,ACK carries, the windows it receives (SEG.WND <<
// Snd.Wind.Shift) and the window field it sends (RCV.WND >> Rcv.Wind.Shift, never retracting
// an advertised right edge inside the receive buffer, §2.4). The negotiation rules and the
// arithmetic are options/window_scale.hpp's; this header packs them for the TCB.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_WINDOW_SCALING_HPP
#define TCPFSM_WINDOW_SCALING_HPP

#include <cstdint>
#include <type_traits>

#include "options/window_scale.hpp"
#include "segment.hpp"

namespace tcpfsm {

// One connection's window scaling, in one octet: our shift in the low four bits, the peer's
// in the high four, 15 standing for "no option" (our SYN did not carry it, or the peer's SYN
// has not come or did not carry it). Scaling is in effect when both SYNs carried it (§2.2).
class window_scaling {
public:
    // Our SYN (`passive` false) or SYN,ACK (`passive` true) is being built: the option it
    // carries (segment::window_scale), or no_window_scale. A SYN,ACK carries it only if the
    // SYN it answers did (§2.2); `want` is connection_config::window_scaling, `shift` our
    // Rcv.Wind.Shift (above 14 sent as 14).
    constexpr std::uint8_t offer(bool passive, bool want, std::uint8_t shift) noexcept {
        const bool sends = want && (!passive || peer_nibble() != none);
        const std::uint8_t ours = sends ? clamp(shift) : none;
        bits_ = static_cast<std::uint8_t>((bits_ & 0xF0u) | ours);
        return sends ? ours : no_window_scale;
    }

    // The peer's SYN or SYN,ACK, the only segments whose option counts (§2.2: "A Window Scale
    // option in a segment without a SYN bit should be ignored"; the engine calls this for
    // the SYN it takes in LISTEN or SYN-SENT only). A shift above 14 is taken as 14 (§2.3:
    // "the TCP SHOULD log the error but MUST use 14"): `clamped` says so.
    constexpr options::window_scale_receipt on_peer_syn(const segment& seg) noexcept {
        options::window_scale_receipt r{};
        std::uint8_t peer = none;
        if (seg.has_window_scale()) {
            r.taken = true;
            r.clamped = seg.window_scale > options::max_window_shift;
            r.shift = clamp(seg.window_scale);
            peer = r.shift;
        }
        bits_ = static_cast<std::uint8_t>((bits_ & 0x0Fu) | (std::uint32_t{peer} << 4));
        return r;
    }

    // Both SYNs carried the option.
    constexpr bool enabled() const noexcept { return our_nibble() != none && peer_nibble() != none; }
    // Snd.Wind.Shift: the left shift of the peer's windows (0 unless enabled).
    constexpr std::uint8_t send_shift() const noexcept { return enabled() ? peer_nibble() : std::uint8_t{0}; }
    // Rcv.Wind.Shift: the right shift of our windows (0 unless enabled).
    constexpr std::uint8_t receive_shift() const noexcept { return enabled() ? our_nibble() : std::uint8_t{0}; }

    // The window a segment from the peer grants: SEG.WND << Snd.Wind.Shift, except on a SYN
    // (§2.2: "The window field in a segment where the SYN bit is set ... MUST NOT be scaled").
    constexpr std::uint32_t received_window(const segment& seg) const noexcept {
        return options::scale_received_window(seg.window, send_shift(), seg.syn());
    }

    // The largest RCV.WND the window field can say: 65,535 << Rcv.Wind.Shift.
    constexpr std::uint32_t max_window() const noexcept { return options::max_unscaled_window << receive_shift(); }

    // SEG.WND for a segment we send, RCV.WND = `rcv_wnd` (the distance from RCV.NXT to the
    // highest right edge advertised) and `space` octets free in the receive buffer past
    // RCV.NXT. A SYN's window is never scaled (§2.2): RCV.WND up to 65,535. Unscaled: RCV.WND
    // up to 65,535, as without the option. Scaled: RCV.WND rounded up to the granularity
    // 2^shift, so that the right edge never moves left (§2.4; Linux's tcp_select_window
    // aligns up the same way), but not beyond the first multiple of 2^shift at or past the
    // end of the buffer (`space` rounded up), so that the window can still close: the
    // rounding offers at most 2^shift - 1 octets past the buffer, which the engine does not
    // take (docs/options.md, "The window in the engine").
    constexpr std::uint16_t window_field(std::uint32_t rcv_wnd, std::uint32_t space, bool syn) const noexcept {
        const std::uint8_t s = syn ? std::uint8_t{0} : receive_shift();
        if (s == 0) return static_cast<std::uint16_t>(rcv_wnd < 65535u ? rcv_wnd : 65535u);
        const std::uint32_t keep = ceil_shift(rcv_wnd, s);
        const std::uint32_t room = ceil_shift(space, s);
        const std::uint32_t field = keep < room ? keep : room;
        return static_cast<std::uint16_t>(field < 65535u ? field : 65535u);
    }

    // The window a field we sent grants the peer: field << Rcv.Wind.Shift (a SYN's: field).
    constexpr std::uint32_t advertised_window(std::uint16_t field, bool syn) const noexcept {
        return syn ? std::uint32_t{field} : std::uint32_t{field} << receive_shift();
    }

    // A window that opens (§3.8.6.2.2): the free space, rounded down to the granularity so
    // that the edge it advertises lies inside the buffer.
    constexpr std::uint32_t opening_window(std::uint32_t space) const noexcept {
        const std::uint8_t s = receive_shift();
        return s == 0 ? space : (space >> s) << s;
    }

    // A new connection: no option sent or received.
    constexpr void reset() noexcept { bits_ = 0xFF; }

private:
    static constexpr std::uint8_t none = 15;
    static constexpr std::uint8_t clamp(std::uint8_t shift) noexcept {
        return shift < options::max_window_shift ? shift : options::max_window_shift;
    }
    static constexpr std::uint32_t ceil_shift(std::uint32_t v, std::uint8_t s) noexcept {
        return (v >> s) + ((v & ((std::uint32_t{1} << s) - 1u)) != 0 ? 1u : 0u);
    }
    constexpr std::uint8_t our_nibble() const noexcept { return static_cast<std::uint8_t>(bits_ & 0x0Fu); }
    constexpr std::uint8_t peer_nibble() const noexcept { return static_cast<std::uint8_t>(bits_ >> 4); }

    std::uint8_t bits_ = 0xFF;
};

// The same interface for a profile without window scaling: empty (no room in the TCB), never
// offers the option, never scales.
class no_window_scaling {
public:
    constexpr std::uint8_t offer(bool, bool, std::uint8_t) noexcept { return no_window_scale; }
    constexpr options::window_scale_receipt on_peer_syn(const segment&) noexcept { return {}; }
    constexpr bool enabled() const noexcept { return false; }
    constexpr std::uint8_t send_shift() const noexcept { return 0; }
    constexpr std::uint8_t receive_shift() const noexcept { return 0; }
    constexpr std::uint32_t received_window(const segment& seg) const noexcept { return seg.window; }
    constexpr std::uint32_t max_window() const noexcept { return options::max_unscaled_window; }
    constexpr std::uint16_t window_field(std::uint32_t rcv_wnd, std::uint32_t, bool) const noexcept {
        return static_cast<std::uint16_t>(rcv_wnd < 65535u ? rcv_wnd : 65535u);
    }
    constexpr std::uint32_t advertised_window(std::uint16_t field, bool) const noexcept { return field; }
    constexpr std::uint32_t opening_window(std::uint32_t space) const noexcept { return space; }
    constexpr void reset() noexcept {}
};

// A profile with window scaling compiled in (`true`, the default for a profile without
// `window_scaling_enabled`) or out (`false`: the TCB holds no window-scale state and the
// engine never offers the option), e.g. with_window_scaling<default_profile, false>.
template <class Profile, bool Enabled>
struct with_window_scaling : Profile {
    static constexpr bool window_scaling_enabled = Enabled;
};

namespace detail {
template <class...>
using window_scaling_void_t = void;

template <class Profile, class = void>
struct profile_window_scaling {
    using type = window_scaling;
};
template <class Profile>
struct profile_window_scaling<Profile, window_scaling_void_t<decltype(Profile::window_scaling_enabled)>> {
    using type = typename std::conditional<Profile::window_scaling_enabled, window_scaling, no_window_scaling>::type;
};
}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_WINDOW_SCALING_HPP
