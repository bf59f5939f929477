// tcpfsm: the connection engine's transmission control block (RFC 9293 §3.3.1): the send
// and receive sequence variables, the engine's own numbers (the queued data's end, RCV.USER,
// the flags), the components that do not depend on the Profile (timer slots, Karn's sampler,
// the RFC 5961 limiter, the ACK timing), and the helpers that read only them. connection.hpp
// derives from it; the Profile's components (RTO estimator, send path, policies) stay there.
// Internal to the engine.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DETAIL_TCB_HPP
#define TCPFSM_DETAIL_TCB_HPP

#include <cstdint>

#include "../ack_timing.hpp"
#include "../classify.hpp"
#include "../connection_config.hpp"
#include "../contract.hpp"
#include "../event.hpp"
#include "../invalid_ack_limiter.hpp"
#include "../iss.hpp"
#include "../options/segment_options.hpp"
#include "../receive_path.hpp"
#include "../rto.hpp"
#include "../segment.hpp"
#include "../seq.hpp"
#include "../state.hpp"
#include "../syn_cookie.hpp"
#include "../timers.hpp"
#include "ebo.hpp"

namespace tcpfsm {

namespace detail {

// The TCB of one connection (tcpfsm::connection's private base).
class tcb {
protected:
    tcb() = default;

    // -------------------------------------------------------------------- bookkeeping helpers
    static constexpr std::uint8_t passive_bit = 1u << 0;     // SYN-RECEIVED came from LISTEN (MUST-11)
    static constexpr std::uint8_t fin_queued_bit = 1u << 1;  // CLOSE: FIN after the queued data
    static constexpr std::uint8_t fin_sent_bit = 1u << 2;    // the FIN is SND.NXT - 1 (or was)
    static constexpr std::uint8_t syn_retransmitted_bit = 1u << 3;  // the data phase began with IW = SMSS
    // 1u << 4 and 1u << 5 are free (the ACK owed is ack_timing's; recovery is send_path.hpp's).
    static constexpr std::uint8_t syn_acked_bit = 1u << 6;   // our SYN is acknowledged
    static constexpr std::uint8_t orphan_bit = 1u << 7;      // release(): the user reads no more

    // Did the segment pass the first step (and RFC 5961's checks)? Only then is it a sign of
    // life from the peer.
    static constexpr bool answers_probes(event first) noexcept {
        return first != event::rcv_unacceptable && first != event::rcv_rst_unacceptable &&
               first != event::rcv_ack_unacceptable && first != event::rcv_rst_in_window;
    }

    static constexpr bool is_synchronized_or_syn_received(state s) noexcept {
        return s != state::closed && s != state::listen && s != state::syn_sent;
    }

    // The inputs of the call in progress, on the stack: the functions of a call take it as
    // their first argument (the TCB keeps no pointer to it).
    struct call_input {
        std::uint32_t now;         // Clock::now() in ticks (now_ms mod 2^32)
        const segment* seg;        // on_segment: the arriving segment
        const std::uint8_t* text;  //   and its text
        const four_tuple* tuple;   // for the ISS (open_active, send in LISTEN, a SYN in LISTEN)
        std::uint32_t octets;      // send / receive
        const syn_cookie_check* cookie;  // on_valid_cookie_ack in LISTEN: what the cookie encodes
        bool turn_end = false;     // on_timer: the consumer's turn is over (ack_per_turn)
        const segment_options* options = &no_segment_options;  // on_segment: the segment's options
        std::uint64_t now_ms = 0, now_us = 0;  // the same reading of the Clock, ms and us (read_clock)
    };

    bool has(std::uint8_t bit) const noexcept { return (flags_ & bit) != 0; }
    void set(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ | bit); }
    void clear(std::uint8_t bit) noexcept { flags_ = static_cast<std::uint8_t>(flags_ & ~bit); }

    // The sequence number after the last octet the user queued (the FIN goes there).
    std::uint32_t data_end() const noexcept { return snd_data_end_; }
    // Queued octets not yet sent.
    std::uint32_t unsent() const noexcept {
        if (state_ == state::closed || state_ == state::listen) return 0;  // no send sequence yet
        if (!has(syn_acked_bit)) {
            // Before the handshake completes, SND.NXT is ISS + 1 and the data starts there.
            return data_end() - (iss_ + 1u);
        }
        const std::uint32_t sent_data_end = has(fin_sent_bit) ? snd_nxt_ - 1u : snd_nxt_;
        return seq_lt(sent_data_end, data_end()) ? data_end() - sent_data_end : 0u;
    }
    // Octets SEND queued that are not acknowledged yet (sent or not): from SND.UNA, or from
    // ISS + 1 while our SYN is outstanding, to the end of the queued data. At most
    // send_limit(), so every difference here is below 2^31.
    std::uint32_t queued_unacknowledged() const noexcept {
        if (state_ == state::closed || state_ == state::listen) return 0;
        const std::uint32_t first = has(syn_acked_bit) ? snd_una_ : iss_ + 1u;
        return seq_lt(first, data_end()) ? data_end() - first : 0u;
    }
    static std::uint32_t send_limit(const connection_config& config) noexcept {
        return config.send_buffer_limit < max_send_buffer_limit ? config.send_buffer_limit : max_send_buffer_limit;
    }
    std::uint16_t effective_mss() const noexcept { return snd_mss_ != 0 ? snd_mss_ : std::uint16_t{536}; }

    // STATUS (§3.10.6): the TCB's part of connection_status; the components fill the rest.
    connection_status tcb_status() const noexcept {
        connection_status s;
        s.st = state_;
        s.passive_origin = has(passive_bit);
        s.iss = iss_;
        s.snd_una = snd_una_;
        s.snd_nxt = snd_nxt_;
        s.snd_wnd = snd_wnd_;
        s.snd_wl1 = snd_wl1_;
        s.snd_wl2 = snd_wl2_;
        s.max_snd_wnd = max_snd_wnd_;
        s.rcv_nxt = rcv_nxt_;
        s.rcv_wnd = rcv_wnd_;
        s.unacked = snd_nxt_ - snd_una_;
        s.unsent = unsent();
        s.receive_held = receive_held_;
        s.snd_mss = snd_mss_;
        return s;
    }

    // listener_takes_syn: receive_segment asks the observer (listener_takes). SYN cookies
    // belong to the listener (listener.hpp): it checks SEG.ACK - 1 and says so through
    // on_valid_cookie_ack; the new connection's window is then the whole buffer.
    // `cookie_valid`: on_valid_cookie_ack in LISTEN (call_input::cookie).
    // `ws`: the connection's window scaling (window_scaling.hpp), a component of the Profile.
    template <class WindowScaling>
    receive_context context(const connection_config& config, const WindowScaling& ws, bool cookie_valid) const noexcept {
        return receive_context{state_, has(passive_bit), has(fin_sent_bit), false, cookie_valid, iss_, snd_una_,
                               snd_nxt_, max_snd_wnd_, rcv_nxt_,
                               state_ == state::syn_sent || cookie_valid ? receive_space(config, ws) : rcv_wnd_};
    }

    // RCV.BUFF (at most 65535, or 65535 << Rcv.Wind.Shift with window scaling) and
    // RCV.BUFF - RCV.USER.
    template <class WindowScaling>
    static std::uint32_t receive_buffer(const connection_config& config, const WindowScaling& ws) noexcept {
        const std::uint32_t most = ws.max_window();
        return config.receive_buffer < most ? config.receive_buffer : most;
    }
    template <class WindowScaling>
    std::uint32_t receive_space(const connection_config& config, const WindowScaling& ws) const noexcept {
        const std::uint32_t buffer = receive_buffer(config, ws);
        return buffer > receive_held_ ? buffer - receive_held_ : 0u;
    }

    bool takes_text(event e, std::uint8_t index, const segment& seg) const noexcept {
        return detail::takes_text(state_, e, index, seg);
    }

    // The window we advertise: RCV.WND, at most 65535; with window scaling, RCV.WND >>
    // Rcv.Wind.Shift, rounded so that the right edge does not move left (window_scaling.hpp).
    template <class WindowScaling>
    std::uint16_t window_field(const connection_config& config, const WindowScaling& ws, bool syn = false) const noexcept {
        return ws.window_field(rcv_wnd_, receive_space(config, ws), syn);
    }
    // The window text is taken in: RCV.WND, but never past the receive buffer (the scaled
    // window's rounding may offer up to 2^shift - 1 octets beyond it).
    template <class WindowScaling>
    std::uint32_t acceptance_window(const connection_config& config, const WindowScaling& ws) const noexcept {
        const std::uint32_t space = receive_space(config, ws);
        return ws.receive_shift() == 0 || rcv_wnd_ <= space ? rcv_wnd_ : space;
    }

    // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    template <class WindowScaling>
    segment ack_segment(const connection_config& config, const WindowScaling& ws) const noexcept {
        segment s;
        s.seq = snd_nxt_;
        s.ack = rcv_nxt_;
        s.flags = ctl::ack;
        s.window = window_field(config, ws);
        return s;
    }

    void ack_carried() noexcept {  // a segment with <ACK=RCV.NXT> left: the ACK owed went with it
        ack_.on_ack_sent();
        timers_.disarm(timer_kind::delayed_ack);
    }


    // RECEIVE: the user took octets; the window may open (§3.8.6.2.2).
    template <class WindowScaling>
    void consume(const connection_config& config, const WindowScaling& ws, std::uint32_t octets) noexcept {
        TCPFSM_ASSERT(octets <= receive_held_,
                      "tcpfsm::connection::receive(n): n is more than the octets delivered and not yet received");
        const std::uint32_t taken = octets < receive_held_ ? octets : receive_held_;
        receive_held_ -= taken;
        const bool update = window_update_owed(ws.opening_window(receive_space(config, ws)), rcv_wnd_,
                                               receive_buffer(config, ws), config.mss,
                                               config.timers.delayed_ack);  // ack_timing.hpp
        if (taken > 0 && state_ != state::closed && update) ack_.owe_now();
    }

    // §3.8.6.2.2 receiver SWS avoidance (MUST-39, ack_timing.hpp).
    // With a scale, the space as the window can say it (rounded down to 2^shift).
    template <class WindowScaling>
    void update_receive_window(const connection_config& config, const WindowScaling& ws) noexcept {
        const std::uint32_t open = ws.opening_window(receive_space(config, ws));
        if (receive_window_may_open(open, rcv_wnd_, receive_buffer(config, ws), config.mss)) rcv_wnd_ = open;
    }

    bool may_send_data() const noexcept {
        switch (state_) {
            case state::established:
            case state::close_wait:
                return true;
            case state::fin_wait_1:
            case state::closing:
            case state::last_ack:
                return !has(fin_sent_bit) && has(syn_acked_bit);  // data queued before CLOSE
            default:
                return false;
        }
    }

    // -------------------------------------------------------------------- the TCB
    // 4-octet fields first, then the 16-bit and 8-bit ones (see docs/engine.md, "TCB size").
    // The components are TCPFSM_NO_UNIQUE_ADDRESS (detail/ebo.hpp): the next member may use
    // a component's tail padding.
    std::uint32_t iss_ = 0;
    std::uint32_t snd_una_ = 0, snd_nxt_ = 0, snd_wnd_ = 0, snd_wl1_ = 0, snd_wl2_ = 0, max_snd_wnd_ = 0;
    std::uint32_t rcv_nxt_ = 0, rcv_wnd_ = 0;
    std::uint32_t snd_data_end_ = 0;   // after the last octet queued by SEND
    std::uint32_t receive_held_ = 0;   // RCV.USER: delivered, not yet received by the user
    TCPFSM_NO_UNIQUE_ADDRESS timer_slots timers_;
    TCPFSM_NO_UNIQUE_ADDRESS rtt_sampler rtt_;
    std::uint16_t snd_mss_ = 0;
    invalid_ack_limiter limiter_;        // RFC 5961 §7 (invalid_ack_limiter.hpp), 6 octets
    std::uint16_t persist_backoff_ = 0;  // zero-window probes since the window closed (saturates at 65535)
    std::uint8_t flags_ = 0;
    TCPFSM_NO_UNIQUE_ADDRESS ack_timing ack_;  // the ACK owed and when it goes (ack_timing.hpp)
    state state_ = state::closed;
};

}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_DETAIL_TCB_HPP
