// tcpfsm: the engine's receive path (RFC 9293 §3.10.7.4 seventh and eighth steps, SHLD-31):
// how the connection hands arriving text to its reassembly queue (reassembly.hpp) and the
// consumer, and which step-seven/eight events follow from what the queue did. The engine
// still owns no buffer: an Observer with the placement hooks (on_place, on_readable) is told
// where each never-seen octet goes, as an offset from RCV.NXT; one without them gets
// in-order text only through on_data, as before (the queue then holds nothing).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_RECEIVE_PATH_HPP
#define TCPFSM_RECEIVE_PATH_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "event.hpp"
#include "reassembly.hpp"
#include "segment.hpp"
#include "state.hpp"

namespace tcpfsm {

// The reassembly capacity of a profile without `reassembly_capacity`: 8 ranges above RCV.NXT.
inline constexpr std::size_t default_reassembly_capacity = 8;

// A profile with another reassembly capacity (0: hold nothing, as a compact TCB; any other
// value up to 255 ranges), e.g. with_reassembly_capacity<default_profile, 0>.
template <class Profile, std::size_t Capacity>
struct with_reassembly_capacity : Profile {
    static constexpr std::size_t reassembly_capacity = Capacity;
};

namespace detail {
template <class...>
using receive_void_t = void;

template <class Profile, class = void>
struct profile_reassembly_capacity : std::integral_constant<std::size_t, default_reassembly_capacity> {};
template <class Profile>
struct profile_reassembly_capacity<Profile, receive_void_t<decltype(Profile::reassembly_capacity)>>
    : std::integral_constant<std::size_t, Profile::reassembly_capacity> {};

template <class O, class = void>
struct observer_has_on_place : std::false_type {};
template <class O>
struct observer_has_on_place<O, receive_void_t<decltype(std::declval<O&>().on_place(
                                    std::uint32_t{}, static_cast<const std::uint8_t*>(nullptr), std::uint32_t{}))>>
    : std::true_type {};
template <class O, class = void>
struct observer_has_on_readable : std::false_type {};
template <class O>
struct observer_has_on_readable<O, receive_void_t<decltype(std::declval<O&>().on_readable(std::uint32_t{}))>>
    : std::true_type {};
}  // namespace detail

// Does the Observer place text itself (on_place and on_readable)? Only then does the engine
// hold text above RCV.NXT: a consumer is never told of text it did not store.
template <class Observer>
inline constexpr bool observer_places_text_v =
    detail::observer_has_on_place<Observer>::value && detail::observer_has_on_readable<Observer>::value;

// The reassembly capacity the engine uses with this Observer and Profile: the profile's
// (default_reassembly_capacity unless with_reassembly_capacity says otherwise) when the
// Observer places text, else 0.
template <class Observer, class Profile>
inline constexpr std::size_t engine_reassembly_capacity_v =
    observer_places_text_v<Observer> ? detail::profile_reassembly_capacity<Profile>::value : 0;

namespace detail {

// The consumer's view of one queue result: the never-seen octets go where they belong
// (on_place, offsets from RCV.NXT as passed to the queue), then the count that became
// readable (on_readable). An Observer without placement (capacity 0) gets the one in-order
// piece through on_data. `text` is the segment's text (null: none given).
template <class Observer, std::size_t Capacity>
void hand_over(Observer& o, const reassembly_result<Capacity>& r, const std::uint8_t* text) noexcept {
    if constexpr (observer_places_text_v<Observer>) {
        for (std::size_t i = 0; i < r.piece_count; ++i) {
            const reassembly_piece& p = r.pieces[i];
            o.on_place(p.offset, text != nullptr ? text + p.text_offset : nullptr, p.length);
        }
        if (r.readable > 0) o.on_readable(r.readable);
    } else {
        static_assert(Capacity == 0, "tcpfsm: an Observer without on_place holds nothing above RCV.NXT");
        if (r.readable > 0) o.on_data(text != nullptr ? text + r.pieces[0].text_offset : nullptr, r.readable);
    }
}

// The states whose peer may still send text (§3.10.7.4 seventh step: ESTABLISHED,
// FIN-WAIT-1, FIN-WAIT-2; SYN-RECEIVED's segment has run its ACK row to ESTABLISHED first).
constexpr bool receives_text(state s) noexcept {
    return s == state::established || s == state::fin_wait_1 || s == state::fin_wait_2;
}

// The event at which a segment's text and FIN are taken (once per segment): its first text
// or FIN event, or step seven's rcv_unacceptable (index > 0) for a FIN alone, which the
// queue remembers above RCV.NXT.
constexpr bool takes_text(state s, event e, std::uint8_t index, const segment& seg) noexcept {
    if (!receives_text(s)) return false;
    if (e == event::rcv_data || e == event::rcv_fin || e == event::rcv_fin_ack_of_fin) return true;
    return e == event::rcv_unacceptable && index > 0 && seg.fin() && seg.text_length == 0;
}

// The step-seven and -eight events of one segment, revised after the queue has taken its
// text and FIN at events[at] (rcv_data, rcv_fin, rcv_fin_ack_of_fin, or step seven's
// rcv_unacceptable). The classifier names rcv_fin only for a FIN right after in-order text;
// the queue also reaches a FIN held earlier, when this segment fills the gap before it: then
// the FIN's row must run. Returns the new count (at most `count` + 1: room for 4 events).
//   - fin_reached, no FIN event named: rcv_fin replaces a step-seven rcv_unacceptable that
//     follows rcv_data (the classifier found the FIN out of order), or is appended;
//   - no fin_reached, a FIN event named: the FIN was not taken (the queue's window or an
//     earlier FIN); rcv_fin is dropped, rcv_fin_ack_of_fin becomes rcv_ack_of_fin (the ACK of
//     our FIN still counts).
inline std::uint8_t revise_fin_events(event* events, std::uint8_t count, std::uint8_t at, bool fin_reached) noexcept {
    std::uint8_t fin_at = count;
    for (std::uint8_t i = at; i < count; ++i) {
        if (events[i] == event::rcv_fin || events[i] == event::rcv_fin_ack_of_fin) fin_at = i;
    }
    if (fin_reached && fin_at == count) {
        for (std::uint8_t i = static_cast<std::uint8_t>(at + 1); i < count; ++i) {
            if (events[i] == event::rcv_unacceptable) {
                events[i] = event::rcv_fin;
                return count;
            }
        }
        events[count] = event::rcv_fin;
        return static_cast<std::uint8_t>(count + 1);
    }
    if (!fin_reached && fin_at != count) {
        if (events[fin_at] == event::rcv_fin_ack_of_fin) {
            events[fin_at] = event::rcv_ack_of_fin;
            return count;
        }
        for (std::uint8_t i = fin_at; i + 1 < count; ++i) events[i] = events[i + 1];
        return static_cast<std::uint8_t>(count - 1);
    }
    return count;
}

}  // namespace detail

}  // namespace tcpfsm

#endif  // TCPFSM_RECEIVE_PATH_HPP
