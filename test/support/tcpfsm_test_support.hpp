// Shared helpers for tcpfsm's unit tests: Catch2 printers (so a failure names states,
// events and actions), the lists of all states and events, and a naive reference lookup.
// Written against the core headers only (no ostream.hpp).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TEST_SUPPORT_HPP
#define TCPFSM_TEST_SUPPORT_HPP

#include <tcpfsm/tcpfsm.hpp>
#include <tcpfsm/variants.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <string>

// ------------------------------------------------------------------ printers
namespace Catch {

template <>
struct StringMaker<tcpfsm::state> {
    static std::string convert(tcpfsm::state s) { return tcpfsm::rfc_name(s); }
};

template <>
struct StringMaker<tcpfsm::event> {
    static std::string convert(tcpfsm::event e) { return tcpfsm::name(e); }
};

template <>
struct StringMaker<tcpfsm::action_set> {
    static std::string convert(tcpfsm::action_set a) {
        if (a.empty()) return "{none}";
        std::string out = "{";
        for (std::size_t n = 0; n < 32; ++n) {
            if (((a.bits >> n) & 1u) == 0) continue;
            if (out.size() > 1) out += '|';
            if (n < tcpfsm::action_count)
                out += tcpfsm::name_of_nth_action(n);
            else
                out += "bit" + std::to_string(n);
        }
        return out + "}";
    }
};

template <>
struct StringMaker<tcpfsm::user_error> {
    static std::string convert(tcpfsm::user_error e) { return tcpfsm::name(e); }
};

template <>
struct StringMaker<tcpfsm::transition> {
    static std::string convert(const tcpfsm::transition& t) {
        return std::string("{") + tcpfsm::rfc_name(t.from) + " --" + tcpfsm::name(t.on) + "--> " +
               tcpfsm::rfc_name(t.to) + " " + StringMaker<tcpfsm::action_set>::convert(t.actions) +
               " error=" + tcpfsm::name(t.error) + "}";
    }
};

template <>
struct StringMaker<tcpfsm::rule> {
    static std::string convert(tcpfsm::rule r) { return tcpfsm::name(r); }
};

template <>
struct StringMaker<tcpfsm::verdict> {
    static std::string convert(const tcpfsm::verdict& v) {
        return std::string("{rule=") + tcpfsm::name(v.broken) + " row=" +
               (v.row == tcpfsm::no_row ? std::string("none") : std::to_string(v.row)) +
               " where=" + tcpfsm::rfc_name(v.where) + " on=" + tcpfsm::name(v.on) + "}";
    }
};

}  // namespace Catch

namespace tcpfsm_test {

using tcpfsm::action_set;
using tcpfsm::event;
using tcpfsm::state;
using tcpfsm::transition;
using tcpfsm::user_error;

// ------------------------------------------------------------------ the vocabulary, listed
// The 11 states of RFC 9293 §3.3.2, written out rather than generated from the enum.
inline constexpr std::array<state, 11> all_states{
    state::closed,      state::listen,  state::syn_sent, state::syn_received,
    state::established, state::close_wait, state::fin_wait_1, state::closing,
    state::last_ack,    state::fin_wait_2, state::time_wait,
};

// The synchronized states of RFC 9293 §3.5.2 (3).
inline constexpr std::array<state, 7> synchronized_states{
    state::established, state::fin_wait_1, state::fin_wait_2, state::close_wait,
    state::closing,     state::last_ack,   state::time_wait,
};

// The user calls of RFC 9293 §3.10 (OPEN passive and active, SEND, RECEIVE, CLOSE, ABORT, STATUS).
inline constexpr std::array<event, 7> user_calls{
    event::open_passive, event::open_active, event::send,   event::receive,
    event::close,        event::abort,       event::status,
};

inline constexpr std::array<event, 19> segment_events{
    event::rcv_unacceptable, event::rcv_rst_unacceptable, event::rcv_rst,
    event::rcv_rst_passive,  event::rcv_rst_in_window,    event::rcv_syn,
    event::rcv_syn_passive,  event::rcv_syn_ack,          event::rcv_syn_reopen,
    event::rcv_cookie_ack,   event::rcv_no_ack,           event::rcv_ack_unacceptable,
    event::rcv_ack,          event::rcv_ack_of_syn,       event::rcv_ack_of_syn_passive,
    event::rcv_ack_of_fin,   event::rcv_data,             event::rcv_fin,
    event::rcv_fin_ack_of_fin,
};

// The segment events that carry RST (RFC 9293 §3.5.3).
inline constexpr std::array<event, 4> rst_events{
    event::rcv_rst_unacceptable, event::rcv_rst, event::rcv_rst_passive, event::rcv_rst_in_window,
};

inline constexpr std::array<event, 10> timeouts{
    event::timeout_retransmit,  event::timeout_retransmit_exhausted,
    event::timeout_retransmit_exhausted_passive, event::timeout_time_wait,
    event::timeout_fin_wait_2,  event::timeout_keepalive,
    event::timeout_keepalive_exhausted, event::timeout_persist,
    event::timeout_delayed_ack, event::timeout_user,
};

// All 36 events, user calls first, then segments, then timeouts.
inline constexpr std::array<event, 36> all_events = [] {
    std::array<event, 36> out{};
    std::size_t n = 0;
    for (event e : user_calls) out[n++] = e;
    for (event e : segment_events) out[n++] = e;
    for (event e : timeouts) out[n++] = e;
    return out;
}();

template <std::size_t N>
constexpr bool listed(const std::array<event, N>& list, event e) {
    for (event x : list)
        if (x == e) return true;
    return false;
}

// The wildcard of an event's kind, decided from the lists above (not from event.hpp).
constexpr event wildcard_of_kind(event e) {
    if (listed(user_calls, e)) return tcpfsm::any_user_call;
    if (listed(segment_events, e)) return tcpfsm::any_segment;
    return tcpfsm::any_timeout;
}

constexpr bool is_rst_event(event e) { return listed(rst_events, e); }

// Every action that puts a segment on the wire.
inline constexpr action_set segment_actions =
    tcpfsm::action::send_syn | tcpfsm::action::send_syn_ack | tcpfsm::action::send_ack |
    tcpfsm::action::send_fin | tcpfsm::action::send_rst | tcpfsm::action::send_challenge_ack |
    tcpfsm::action::retransmit | tcpfsm::action::send_keepalive_probe |
    tcpfsm::action::send_window_probe;

// ------------------------------------------------------------------ reference lookup
inline constexpr std::size_t not_found = static_cast<std::size_t>(-1);

// Linear search, written independently of lookup.hpp: the row for exactly (s, e), else the
// wildcard row of e's kind in s, else the any_event row of s; not_found if none.
template <class Table>
constexpr std::size_t naive_row(const Table& table, state s, event e) {
    const event tiers[3] = {e, wildcard_of_kind(e), tcpfsm::any_event};
    for (event trigger : tiers)
        for (std::size_t i = 0; i < table.size(); ++i)
            if (table[i].from == s && table[i].on == trigger) return i;
    return not_found;
}

// The number of the row for exactly (from, on); not_found if none. For locating a row in a
// table a test has built, so that a verdict's row number can be checked.
template <class Table>
constexpr std::size_t row_number(const Table& table, state from, event on) {
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table[i].from == from && table[i].on == on) return i;
    return not_found;
}

// ------------------------------------------------------------------ indexes of the variants
inline constexpr auto rfc1337_test_index = tcpfsm::make_index(tcpfsm::rfc1337_table);
inline constexpr auto strict_test_index = tcpfsm::make_index(tcpfsm::strict_table);

// ------------------------------------------------------------------ expectations
// "Any error": the RFC leaves the return value of the call open.
inline constexpr user_error any_error = static_cast<user_error>(0xFF);

// One expected outcome, written by hand from the RFC: (from, on) must lead to `to`, do
// every action in `required`, none in `forbidden`, and return `error`.
struct expected_row {
    state from;
    event on;
    state to;
    action_set required;
    action_set forbidden;
    user_error error;
    const char* cite;
};

template <class Machine>
constexpr bool holds(const expected_row& x) {
    const transition& r = Machine::step(x.from, x.on);
    return Machine::next(x.from, x.on) == x.to && r.to == x.to && r.actions.contains(x.required) &&
           !r.actions.intersects(x.forbidden) && (x.error == any_error || r.error == x.error);
}

template <class Machine>
void check_expected(const expected_row& x) {
    INFO(x.cite);
    INFO(Catch::StringMaker<state>::convert(x.from) << " on " << tcpfsm::name(x.on));
    const transition& r = Machine::step(x.from, x.on);
    CHECK(Machine::next(x.from, x.on) == x.to);
    CHECK(r.to == x.to);
    CHECK((r.actions & x.required) == x.required);
    CHECK((r.actions & x.forbidden) == tcpfsm::action::none);
    if (x.error != any_error) CHECK(r.error == x.error);
}

// ------------------------------------------------------------------ walks
// One step of an endpoint through a figure: the event it sees, the state it must then be
// in, and the segments it must send (exactly: `segments` is compared with the row's
// segment actions), plus other actions it must take.
struct walk_step {
    event on;
    state expect;
    action_set segments;
    action_set also_required;
};

template <class Machine, std::size_t N>
constexpr bool walk_holds(state start, const std::array<walk_step, N>& steps) {
    state s = start;
    for (const walk_step& w : steps) {
        const transition& r = Machine::step(s, w.on);
        if (Machine::next(s, w.on) != w.expect || r.to != w.expect) return false;
        if ((r.actions & segment_actions) != w.segments) return false;
        if (!r.actions.contains(w.also_required)) return false;
        if (r.error != user_error::none) return false;
        s = r.to;
    }
    return true;
}

template <class Machine, std::size_t N>
void check_walk(const char* who, state start, const std::array<walk_step, N>& steps) {
    state s = start;
    std::size_t n = 0;
    for (const walk_step& w : steps) {
        ++n;
        INFO(who << ", step " << n << ": " << tcpfsm::rfc_name(s) << " on " << tcpfsm::name(w.on));
        const transition& r = Machine::step(s, w.on);
        CHECK(Machine::next(s, w.on) == w.expect);
        CHECK(r.to == w.expect);
        CHECK((r.actions & segment_actions) == w.segments);
        CHECK((r.actions & w.also_required) == w.also_required);
        CHECK(r.error == user_error::none);
        s = w.expect;
    }
}

// Machines over the three tables with both dispatch policies.
using standard_lookup = tcpfsm::machine<tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::dispatch::table_lookup>;
using standard_branch = tcpfsm::machine<tcpfsm::index_for<tcpfsm::standard_table>, tcpfsm::dispatch::branch>;
using rfc1337_lookup = tcpfsm::machine<rfc1337_test_index, tcpfsm::dispatch::table_lookup>;
using rfc1337_branch = tcpfsm::machine<rfc1337_test_index, tcpfsm::dispatch::branch>;
using strict_lookup = tcpfsm::machine<strict_test_index, tcpfsm::dispatch::table_lookup>;
using strict_branch = tcpfsm::machine<strict_test_index, tcpfsm::dispatch::branch>;

}  // namespace tcpfsm_test

#endif  // TCPFSM_TEST_SUPPORT_HPP
