// tcpfsm: the simulator's trace: segments in RFC 9293's notation, the kinds of trace line,
// their text, and the records of state changes and user signals. Part of the optional
// simulator (simulator.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_SIM_TRACE_HPP
#define TCPFSM_SIM_TRACE_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "../event.hpp"
#include "../ladder.hpp"
#include "../policies.hpp"
#include "../state.hpp"
#include "packet.hpp"

namespace tcpfsm {
namespace sim {

// ------------------------------------------------------------------------------------------
// Formatting
// ------------------------------------------------------------------------------------------

// RFC 9293's notation (Figures 6-13): <SEQ=100><ACK=301><CTL=SYN,ACK> (segment_notation,
// ladder.hpp), then <DATA> when there is text. PSH is not drawn (the figures omit it).
inline std::string format_segment(const segment& s) {
    std::string out = segment_notation(s);
    if (s.text_length > 0) out += "<DATA>";
    return out;
}

enum class trace_kind : std::uint8_t {
    user,       // a user call and its result
    send,       // the engine sent a segment
    receive,    // a segment arrived and was handed to the engine
    lost,       // the link lost a copy
    dropped,    // a drop rule or the filter took a segment
    duplicated, // the link made a second copy
    no_route,   // sent with no peer
    host_down,  // arrived at a crashed endpoint
    inject,     // a segment injected by the test
    timer,      // a deadline came: on_timer()
    state,      // a state change, with its event
    signal,     // a user signal
    data,       // octets delivered (on_data)
    acked,      // octets acknowledged (on_acked)
    drop,       // the engine dropped something (on_drop)
    crash,
    restart,
    action,     // a scheduled action ran
    note,       // a line of the test's own
};

inline constexpr std::size_t trace_kind_count = 19;

// Identifier spelling: "no_route".
constexpr const char* name(trace_kind k) noexcept {
    constexpr const char* names[trace_kind_count] = {
        "user",   "send",   "receive", "lost", "dropped", "duplicated", "no_route", "host_down", "inject", "timer",
        "state",  "signal", "data",    "acked", "drop",   "crash",      "restart",  "action",    "note",
    };
    return static_cast<std::size_t>(k) < trace_kind_count ? names[static_cast<std::size_t>(k)] : "invalid";
}

// The column of the trace text (format_trace_entry): "recv", "LOST", "no-route".
constexpr const char* trace_label(trace_kind k) noexcept {
    switch (k) {
        case trace_kind::user: return "user";
        case trace_kind::send: return "send";
        case trace_kind::receive: return "recv";
        case trace_kind::lost: return "LOST";
        case trace_kind::dropped: return "DROPPED";
        case trace_kind::duplicated: return "dup";
        case trace_kind::no_route: return "no-route";
        case trace_kind::host_down: return "host-down";
        case trace_kind::inject: return "inject";
        case trace_kind::timer: return "timer";
        case trace_kind::state: return "state";
        case trace_kind::signal: return "signal";
        case trace_kind::data: return "data";
        case trace_kind::acked: return "acked";
        case trace_kind::drop: return "drop";
        case trace_kind::crash: return "CRASH";
        case trace_kind::restart: return "restart";
        case trace_kind::action: return "action";
        case trace_kind::note: return "note";
    }
    return "?";
}

struct trace_entry {
    sim_time at = 0;
    std::string who;  // endpoint name ("" for the network)
    trace_kind kind = trace_kind::note;
    std::string text;
};

// "   1.000 s  A      send      <SEQ=100><CTL=SYN> len=0 wnd=65535"
inline std::string format_trace_entry(const trace_entry& e) {
    char head[64];
    const sim_time sec = e.at / 1000;
    const sim_time msec = e.at % 1000 < 0 ? -(e.at % 1000) : e.at % 1000;
    std::snprintf(head, sizeof head, "%8lld.%03lld s  ", static_cast<long long>(sec), static_cast<long long>(msec));
    std::string line = head;
    line += e.who;
    if (e.who.size() < 7) line.append(7 - e.who.size(), ' ');
    line += ' ';
    const std::string kind = trace_label(e.kind);
    line += kind;
    if (kind.size() < 10) line.append(10 - kind.size(), ' ');
    line += e.text;
    return line;
}

struct state_change_record {
    sim_time at = 0;
    state from = state::closed;
    state to = state::closed;
    event on = event::status;
};

struct signal_record {
    sim_time at = 0;
    user_signal signal = user_signal::closed;
};

}  // namespace sim
}  // namespace tcpfsm

#endif  // TCPFSM_SIM_TRACE_HPP
