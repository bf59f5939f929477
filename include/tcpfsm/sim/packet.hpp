// tcpfsm: the simulator's time (milliseconds), its links' settings, the segments on the wire
// and what became of each (the wire log), and the segment patterns that pick segments out
// for drop rules and queries. Part of the optional simulator (simulator.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIM_PACKET_HPP
#define TCPFSM_SIM_PACKET_HPP

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "../options/segment_options.hpp"
#include "../segment.hpp"
#include "../sim_link.hpp"

namespace tcpfsm {
namespace sim {

// The generator (sim::rng, xoshiro256**) and the link model (sim::link_model) live in
// sim_link.hpp.

// ------------------------------------------------------------------------------------------
// Time
// ------------------------------------------------------------------------------------------

// Simulated time: milliseconds since the simulation's epoch.
using sim_time = std::int64_t;
inline constexpr sim_time never = std::numeric_limits<sim_time>::max();

// The engines' Clock policy is tcpfsm::manual_clock (manual_clock.hpp), reading the
// network's manual_time, in microseconds: whole milliseconds unless a bottleneck delivers
// a packet between them (basic_network::now_us()).

// ------------------------------------------------------------------------------------------
// Links and segments on the wire
// ------------------------------------------------------------------------------------------

// One direction of a link. Every random choice is drawn from the network's generator.
struct link_config {
    sim_time delay_ms = 10;   // propagation delay
    sim_time jitter_ms = 0;   // plus uniform 0..jitter_ms (reorders segments too)
    double loss = 0.0;        // probability a copy is lost
    double duplicate = 0.0;   // probability the network delivers a second copy
    double reorder = 0.0;     // probability a copy is held back by an extra delay
    sim_time reorder_ms = 0;  //   of uniform 1..reorder_ms
    // Bottleneck and burst loss (sim_link.hpp's link_model), before the delay: each segment
    // (20 octets of IPv4, the TCP header with its options as wire.hpp writes them, its text)
    // passes the Gilbert-Elliott chain, then a drop-tail queue drained at rate_bps (microseconds: 1500 octets in 120 us).
    std::uint64_t rate_bps = 0;      // 0: no bottleneck, no queue
    std::size_t queue_packets = 0;   // drop-tail limit in packets (0: none)
    std::size_t queue_octets = 0;    // drop-tail limit in octets (0: none)
    gilbert_elliott burst{};         // burst loss (off while burst.p and burst.r are 0)
};

// A segment on the wire, with a copy of its text taken when it was sent.
struct packet {
    static constexpr std::size_t nobody = static_cast<std::size_t>(-1);
    std::uint64_t id = 0;        // in order of sending (a duplicate keeps its original's id)
    sim_time sent_at = 0;
    sim_time arrives_at = 0;
    std::size_t from = nobody;   // endpoint index; nobody for an injected segment
    std::size_t to = nobody;
    segment header;
    segment_options options;     // SACK-permitted, SACK blocks, timestamps (as sent)
    std::vector<std::uint8_t> text;
    bool duplicate = false;      // the network's second copy
    bool injected = false;
    sim_time hold_ms = 0;        // a filter may hold a segment back: added to the link's delay
};

// What became of a segment an endpoint sent.
enum class fate : std::uint8_t {
    delivered,   // scheduled for arrival (arrival itself is in the trace)
    lost,        // the link lost it (every copy)
    dropped,     // a drop rule or the filter took it
    no_route,    // the endpoint has no peer
};

inline constexpr std::size_t fate_count = 4;

constexpr const char* name(fate f) noexcept {
    constexpr const char* names[fate_count] = {"delivered", "lost", "dropped", "no_route"};
    return static_cast<std::size_t>(f) < fate_count ? names[static_cast<std::size_t>(f)] : "invalid";
}

// A segment as an endpoint sent it (the wire log), for checking times and contents.
struct wire_record {
    sim_time at = 0;
    std::size_t from = packet::nobody;
    std::size_t to = packet::nobody;
    segment header;
    fate outcome = fate::delivered;
    sim_time arrives_at = never;  // the first copy's arrival; never unless delivered
};

enum class filter_result : std::uint8_t { pass, drop };

inline constexpr std::size_t filter_result_count = 2;

constexpr const char* name(filter_result r) noexcept {
    constexpr const char* names[filter_result_count] = {"pass", "drop"};
    return static_cast<std::size_t>(r) < filter_result_count ? names[static_cast<std::size_t>(r)] : "invalid";
}

// ------------------------------------------------------------------------------------------
// Segment patterns, for drop_next() and sent_by()
// ------------------------------------------------------------------------------------------

enum class text_is : std::uint8_t { any, empty, present };

inline constexpr std::size_t text_is_count = 3;

constexpr const char* name(text_is t) noexcept {
    constexpr const char* names[text_is_count] = {"any", "empty", "present"};
    return static_cast<std::size_t>(t) < text_is_count ? names[static_cast<std::size_t>(t)] : "invalid";
}

// Every bit of `with`, none of `without`, and text as `text` says.
struct segment_pattern {
    std::uint8_t with = 0;
    std::uint8_t without = 0;
    text_is text = text_is::any;

    constexpr bool operator()(const segment& s) const noexcept {
        if ((s.flags & with) != with || (s.flags & without) != 0) return false;
        if (text == text_is::empty) return s.text_length == 0;
        if (text == text_is::present) return s.text_length > 0;
        return true;
    }
};

namespace pattern {
inline constexpr segment_pattern any{};
inline constexpr segment_pattern syn{ctl::syn, ctl::ack | ctl::rst, text_is::any};  // <CTL=SYN>
inline constexpr segment_pattern syn_ack{ctl::syn | ctl::ack, ctl::rst, text_is::any};
inline constexpr segment_pattern fin{ctl::fin, ctl::rst | ctl::syn, text_is::any};
inline constexpr segment_pattern rst{ctl::rst, 0, text_is::any};
// <CTL=ACK> alone: no SYN, FIN, RST, no text.
inline constexpr segment_pattern pure_ack{ctl::ack, ctl::syn | ctl::fin | ctl::rst, text_is::empty};
// Text, without SYN or RST.
inline constexpr segment_pattern data{0, ctl::syn | ctl::rst, text_is::present};
}  // namespace pattern

// The times of the wire records.
inline std::vector<sim_time> times_of(const std::vector<wire_record>& records) {
    std::vector<sim_time> out;
    out.reserve(records.size());
    for (const wire_record& r : records) out.push_back(r.at);
    return out;
}

}  // namespace sim
}  // namespace tcpfsm

#endif  // TCPFSM_SIM_PACKET_HPP
