// operator<< of ostream.hpp. Expected strings are written by hand: state names as RFC 9293
// §3.3.2 spells them, events, actions and errors as their identifiers.
#include <tcpfsm/ostream.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

namespace {

template <class T>
std::string printed(const T& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

using tcpfsm::event;
using tcpfsm::state;
namespace action = tcpfsm::action;

}  // namespace

TEST_CASE("a state prints with its RFC 9293 spelling", "[ostream]") {
    CHECK(printed(state::closed) == "CLOSED");
    CHECK(printed(state::syn_received) == "SYN-RECEIVED");
    CHECK(printed(state::fin_wait_1) == "FIN-WAIT-1");
    CHECK(printed(state::time_wait) == "TIME-WAIT");
    CHECK(printed(static_cast<state>(200)) == "INVALID");
}

TEST_CASE("an event prints as its identifier, a wildcard too", "[ostream]") {
    CHECK(printed(event::open_passive) == "open_passive");
    CHECK(printed(event::rcv_syn_ack) == "rcv_syn_ack");
    CHECK(printed(event::timeout_time_wait) == "timeout_time_wait");
    CHECK(printed(tcpfsm::any_segment) == "any_segment");
    CHECK(printed(tcpfsm::any_event) == "any_event");
}

TEST_CASE("an action set prints its actions in bit order between braces", "[ostream]") {
    CHECK(printed(action::none) == "{}");
    CHECK(printed(action::delete_tcb) == "{delete_tcb}");
    CHECK(printed(action::send_syn_ack | action::start_retransmission_timer) ==
          "{send_syn_ack|start_retransmission_timer}");
    // The order of the operands does not matter; the bits do.
    CHECK(printed(action::start_retransmission_timer | action::send_syn_ack) ==
          "{send_syn_ack|start_retransmission_timer}");
    // A bit no action owns (a table that fails 'well_formed').
    CHECK(printed(tcpfsm::action_set{1u << 31}) == "{bit31}");
}

TEST_CASE("a user error prints as its identifier", "[ostream]") {
    CHECK(printed(tcpfsm::user_error::none) == "none");
    CHECK(printed(tcpfsm::user_error::connection_exists) == "connection_exists");
    CHECK(printed(tcpfsm::user_error::connection_does_not_exist) == "connection_does_not_exist");
}

TEST_CASE("a row prints as FROM --event--> TO {actions}", "[ostream]") {
    const auto established =
        tcpfsm::row(state::syn_sent, event::rcv_syn_ack, state::established,
                    action::send_ack | action::stop_retransmission_timer);
    CHECK(printed(established) ==
          "SYN-SENT --rcv_syn_ack--> ESTABLISHED {send_ack|stop_retransmission_timer}");

    // §3.10.1: OPEN in LISTEN returns "error: connection already exists".
    const auto reopen = tcpfsm::row(state::listen, event::open_passive, state::listen, action::none,
                                    tcpfsm::user_error::connection_exists);
    CHECK(printed(reopen) == "LISTEN --open_passive--> LISTEN {} error=connection_exists");

    const auto wildcard = tcpfsm::row(state::closed, tcpfsm::any_segment, state::closed, action::send_rst);
    CHECK(printed(wildcard) == "CLOSED --any_segment--> CLOSED {send_rst}");
}

TEST_CASE("a rule prints as its name, a verdict says where it broke", "[ostream]") {
    CHECK(printed(tcpfsm::rule::no_leaks) == "no_leaks");
    CHECK(printed(tcpfsm::verdict{}) == "ok");
    CHECK(printed(tcpfsm::verdict{tcpfsm::rule::deterministic, 12, state::listen, event::rcv_syn}) ==
          "rule 'deterministic' violated at row 12 (LISTEN, rcv_syn)");
    CHECK(printed(tcpfsm::verdict{tcpfsm::rule::reachable, tcpfsm::no_row, state::closing,
                                  tcpfsm::any_event}) == "rule 'reachable' violated at (CLOSING)");
    CHECK(printed(tcpfsm::verdict{tcpfsm::rule::diagram_edges, 3, state::listen, event::rcv_syn}) ==
          "rule 'diagram_edges' violated at figure5_edges[3] (LISTEN, rcv_syn)");
}

TEST_CASE("the verdict on a one-row table names the first uncovered pair", "[ostream]") {
    // Only (CLOSED, open_passive) has a row; scanning states then events in declaration
    // order, the first pair without one is (CLOSED, open_active).
    constexpr std::array<tcpfsm::transition, 1> one_row{
        {tcpfsm::row(state::closed, event::open_passive, state::listen)}};
    CHECK(printed(tcpfsm::check_total(one_row)) == "rule 'total' violated at (CLOSED, open_active)");
}
