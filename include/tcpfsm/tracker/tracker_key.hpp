// tcpfsm: the tracker's key: one four-tuple for both directions of a connection.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TRACKER_TRACKER_KEY_HPP
#define TCPFSM_TRACKER_TRACKER_KEY_HPP

#include <cstdint>

#include "../iss.hpp"

namespace tcpfsm {

// Which (address, port) of a canonical tuple sent a segment: side_a is the canonical
// tuple's `local`, side_b its `remote`.
enum class tracker_side : std::uint8_t { a = 0, b = 1 };

constexpr tracker_side other_side(tracker_side s) noexcept { return s == tracker_side::a ? tracker_side::b : tracker_side::a; }
constexpr std::size_t index_of(tracker_side s) noexcept { return static_cast<std::size_t>(s); }

namespace detail {
// (family, address, port) order: negative, zero, positive.
constexpr int compare_endpoint(const endpoint_address& x, std::uint16_t xp, const endpoint_address& y,
                               std::uint16_t yp) noexcept {
    if (x.family != y.family) return static_cast<int>(x.family) < static_cast<int>(y.family) ? -1 : 1;
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (x.bytes[i] != y.bytes[i]) return x.bytes[i] < y.bytes[i] ? -1 : 1;
    }
    if (xp != yp) return xp < yp ? -1 : 1;
    return 0;
}
}  // namespace detail

// A segment's four-tuple in its direction (local = sender, remote = receiver), made
// canonical: the smaller (family, address, port) is `local`. Both directions of a connection
// give the same canonical tuple; `sender` says which side of it sent this segment.
struct tracker_key {
    four_tuple tuple;
    tracker_side sender = tracker_side::a;

    static constexpr tracker_key of(const four_tuple& sender_to_receiver) noexcept {
        tracker_key k;
        const four_tuple& t = sender_to_receiver;
        if (detail::compare_endpoint(t.local, t.local_port, t.remote, t.remote_port) <= 0) {
            k.tuple = t;
            k.sender = tracker_side::a;
        } else {
            k.tuple.local = t.remote;
            k.tuple.local_port = t.remote_port;
            k.tuple.remote = t.local;
            k.tuple.remote_port = t.local_port;
            k.sender = tracker_side::b;
        }
        return k;
    }
};

}  // namespace tcpfsm

#endif  // TCPFSM_TRACKER_TRACKER_KEY_HPP
