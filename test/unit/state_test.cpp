// state.hpp (and the small vocabulary of event.hpp and action.hpp): names, numbers,
// predicates and the FreeBSD order. Expected values are written out from RFC 9293 §3.3.2,
// Linux include/net/tcp_states.h, net-tools netstat, iproute2 ss and FreeBSD tcp_fsm.h.
#include "tcpfsm_test_support.hpp"

#include <cstring>
#include <string>

namespace {

using tcpfsm::state;
using tcpfsm_test::all_states;

struct state_facts {
    state s;
    unsigned freebsd_number;  // FreeBSD netinet/tcp_fsm.h TCPS_*
    unsigned linux_number;    // Linux include/net/tcp_states.h TCP_*
    const char* rfc;          // RFC 9293 §3.3.2
    const char* netstat;      // net-tools netstat tcp_state[]
    const char* ss;           // iproute2 ss sstate_name[]
    const char* identifier;
    // RFC 9293 §3.5.2, §3.10; FreeBSD TCPS_HAVE* macros.
    bool synchronized, received_syn, received_fin, sent_fin, can_send, can_receive;
};

// clang-format off
constexpr state_facts facts[] = {
    //  state                 BSD Linux RFC            netstat        ss            identifier      sync  rSYN  rFIN  sFIN  send  recv
    {state::closed,        0,  7, "CLOSED",       "CLOSE",       "UNCONN",     "closed",       false,false,false,false,false,false},
    {state::listen,        1, 10, "LISTEN",       "LISTEN",      "LISTEN",     "listen",       false,false,false,false,false,false},
    {state::syn_sent,      2,  2, "SYN-SENT",     "SYN_SENT",    "SYN-SENT",   "syn_sent",     false,false,false,false,true, false},
    {state::syn_received,  3,  3, "SYN-RECEIVED", "SYN_RECV",    "SYN-RECV",   "syn_received", false,true, false,false,true, false},
    {state::established,   4,  1, "ESTABLISHED",  "ESTABLISHED", "ESTAB",      "established",  true, true, false,false,true, true },
    {state::close_wait,    5,  8, "CLOSE-WAIT",   "CLOSE_WAIT",  "CLOSE-WAIT", "close_wait",   true, true, true, false,true, false},
    {state::fin_wait_1,    6,  4, "FIN-WAIT-1",   "FIN_WAIT1",   "FIN-WAIT-1", "fin_wait_1",   true, true, false,true, false,true },
    {state::closing,       7, 11, "CLOSING",      "CLOSING",     "CLOSING",    "closing",      true, true, true, true, false,false},
    {state::last_ack,      8,  9, "LAST-ACK",     "LAST_ACK",    "LAST-ACK",   "last_ack",     true, true, true, true, false,false},
    {state::fin_wait_2,    9,  5, "FIN-WAIT-2",   "FIN_WAIT2",   "FIN-WAIT-2", "fin_wait_2",   true, true, false,true, false,true },
    {state::time_wait,    10,  6, "TIME-WAIT",    "TIME_WAIT",   "TIME-WAIT",  "time_wait",    true, true, true, true, false,false},
};
// clang-format on

constexpr bool same(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

constexpr bool all_names_match() {
    for (const auto& f : facts)
        if (!same(tcpfsm::rfc_name(f.s), f.rfc) || !same(tcpfsm::netstat_name(f.s), f.netstat) ||
            !same(tcpfsm::ss_name(f.s), f.ss) || !same(tcpfsm::name(f.s), f.identifier) ||
            tcpfsm::linux_state_number(f.s) != f.linux_number)
            return false;
    return true;
}
static_assert(all_names_match(), "state names and Linux numbers per RFC 9293 §3.3.2 and tcp_states.h");
static_assert(tcpfsm::state_count == 11, "RFC 9293 §3.3.2 names 11 states (CLOSED included)");

}  // namespace

TEST_CASE("state: the facts table covers each of the 11 states once", "[state]") {
    REQUIRE(sizeof(facts) / sizeof(facts[0]) == 11);
    for (std::size_t i = 0; i < 11; ++i)
        for (std::size_t j = i + 1; j < 11; ++j) CHECK(facts[i].s != facts[j].s);
}

TEST_CASE("state: RFC 9293 netstat ss and identifier names of every state", "[state]") {
    for (const auto& f : facts) {
        INFO(f.rfc);
        CHECK(std::string(tcpfsm::rfc_name(f.s)) == f.rfc);
        CHECK(std::string(tcpfsm::netstat_name(f.s)) == f.netstat);
        CHECK(std::string(tcpfsm::ss_name(f.s)) == f.ss);
        CHECK(std::string(tcpfsm::name(f.s)) == f.identifier);
    }
}

TEST_CASE("state: Linux TCP_* numbers of every state", "[state]") {
    // include/net/tcp_states.h: TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11.
    for (const auto& f : facts) {
        INFO(f.rfc);
        CHECK(static_cast<unsigned>(tcpfsm::linux_state_number(f.s)) == f.linux_number);
    }
    // The eleven numbers are 1..11, each once.
    unsigned seen = 0;
    for (const auto& f : facts) seen |= 1u << tcpfsm::linux_state_number(f.s);
    CHECK(seen == 0xFFEu);
}

TEST_CASE("state: FreeBSD tcp_fsm.h order of the enumerators", "[state]") {
    for (const auto& f : facts) {
        INFO(f.rfc);
        CHECK(static_cast<unsigned>(f.s) == f.freebsd_number);
        CHECK(tcpfsm::index_of(f.s) == f.freebsd_number);
        CHECK(tcpfsm::is_valid(f.s));
    }
}

TEST_CASE("state: predicates of every state", "[state]") {
    for (const auto& f : facts) {
        INFO(f.rfc);
        CHECK(tcpfsm::is_synchronized(f.s) == f.synchronized);  // §3.5.2 (3)
        CHECK(tcpfsm::has_received_syn(f.s) == f.received_syn);
        CHECK(tcpfsm::has_received_fin(f.s) == f.received_fin);  // §3.10.7.4 eighth
        CHECK(tcpfsm::has_sent_fin(f.s) == f.sent_fin);          // §3.10.4
        CHECK(tcpfsm::can_send(f.s) == f.can_send);              // §3.10.2
        CHECK(tcpfsm::can_receive(f.s) == f.can_receive);        // §3.10.7.4 seventh
    }
}

TEST_CASE("state: predicates agree with FreeBSD range relations", "[state]") {
    // TCPS_HAVERCVDSYN(s) = s >= SYN_RECEIVED; TCPS_HAVEESTABLISHED(s) = s >= ESTABLISHED;
    // TCPS_HAVERCVDFIN(s) = s == CLOSE_WAIT || (s >= CLOSING && s != FIN_WAIT_2);
    // our FIN is sent in every state after CLOSE_WAIT.
    for (state s : all_states) {
        INFO(tcpfsm::rfc_name(s));
        CHECK(tcpfsm::has_received_syn(s) == (s >= state::syn_received));
        CHECK(tcpfsm::is_synchronized(s) == (s >= state::established));
        CHECK(tcpfsm::has_received_fin(s) ==
              (s == state::close_wait || (s >= state::closing && s != state::fin_wait_2)));
        CHECK(tcpfsm::has_sent_fin(s) == (s > state::close_wait));
    }
    CHECK(state::closed < state::listen);
    CHECK(state::listen < state::syn_sent);
    CHECK(state::syn_sent < state::syn_received);
    CHECK(state::syn_received < state::established);
    CHECK(state::established < state::close_wait);
    CHECK(state::close_wait < state::fin_wait_1);
    CHECK(state::fin_wait_1 < state::closing);
    CHECK(state::closing < state::last_ack);
    CHECK(state::last_ack < state::fin_wait_2);
    CHECK(state::fin_wait_2 < state::time_wait);
}

TEST_CASE("state: an invalid state is named as invalid and has no property", "[state]") {
    const auto bad = static_cast<state>(11);
    CHECK_FALSE(tcpfsm::is_valid(bad));
    CHECK(std::string(tcpfsm::rfc_name(bad)) == "INVALID");
    CHECK(std::string(tcpfsm::netstat_name(bad)) == "UNKNOWN");
    CHECK(std::string(tcpfsm::ss_name(bad)) == "UNKNOWN");
    CHECK(std::string(tcpfsm::name(bad)) == "invalid");
    CHECK(tcpfsm::linux_state_number(bad) == 0);
    CHECK_FALSE(tcpfsm::is_synchronized(bad));
    CHECK_FALSE(tcpfsm::has_received_syn(bad));
    CHECK_FALSE(tcpfsm::has_received_fin(bad));
    CHECK_FALSE(tcpfsm::has_sent_fin(bad));
    CHECK_FALSE(tcpfsm::can_send(bad));
    CHECK_FALSE(tcpfsm::can_receive(bad));
}

TEST_CASE("state: state_set operations and the rest and transient sets", "[state]") {
    using tcpfsm::state_set;
    constexpr state_set empty{};
    static_assert(!empty.contains(state::closed));
    constexpr state_set two = empty.with(state::listen).with(state::time_wait);
    static_assert(two.bits == ((1u << 1) | (1u << 10)));
    static_assert(two.contains(state::listen) && two.contains(state::time_wait) && !two.contains(state::closed));
    static_assert(two.without(state::listen) == empty.with(state::time_wait));
    static_assert(two != empty);
    static_assert(!two.contains(static_cast<state>(11)));
    // An invalid state is in no set: with() and without() leave the set as it is (no shift by
    // the state's value, which for 200 would be undefined behaviour and no constant expression).
    static_assert(two.with(static_cast<state>(11)) == two);
    static_assert(two.with(static_cast<state>(200)) == two);
    static_assert(two.without(static_cast<state>(200)) == two);
    static_assert(tcpfsm::states_of(state::listen, static_cast<state>(255)) == empty.with(state::listen));

    // Rest states: a connection may stay there with nobody attending (CLOSED, LISTEN, and
    // the two states in which data may flow indefinitely).
    for (state s : all_states) {
        INFO(tcpfsm::rfc_name(s));
        const bool rest = s == state::closed || s == state::listen || s == state::established ||
                          s == state::close_wait;
        CHECK(tcpfsm::rest_states.contains(s) == rest);
        CHECK(tcpfsm::transient_states.contains(s) == !rest);
        CHECK(tcpfsm::transient_states_strict.contains(s) == (!rest && s != state::fin_wait_2));
    }
}

TEST_CASE("event: kinds of the 36 events", "[event]") {
    using tcpfsm::event;
    REQUIRE(tcpfsm::event_count == 36);
    // §3.10: OPEN (passive, active), SEND, RECEIVE, CLOSE, ABORT, STATUS.
    for (event e : tcpfsm_test::user_calls) {
        INFO(tcpfsm::name(e));
        CHECK(tcpfsm::is_user_call(e));
        CHECK_FALSE(tcpfsm::is_segment(e));
        CHECK_FALSE(tcpfsm::is_timeout(e));
    }
    for (event e : tcpfsm_test::segment_events) {
        INFO(tcpfsm::name(e));
        CHECK(tcpfsm::is_segment(e));
        CHECK_FALSE(tcpfsm::is_user_call(e));
        CHECK_FALSE(tcpfsm::is_timeout(e));
    }
    for (event e : tcpfsm_test::timeouts) {
        INFO(tcpfsm::name(e));
        CHECK(tcpfsm::is_timeout(e));
        CHECK_FALSE(tcpfsm::is_user_call(e));
        CHECK_FALSE(tcpfsm::is_segment(e));
    }
    // The three lists together name every event once.
    unsigned long long seen = 0;
    for (event e : tcpfsm_test::all_events) {
        CHECK(tcpfsm::is_valid(e));
        CHECK(((seen >> tcpfsm::index_of(e)) & 1u) == 0);
        seen |= 1ull << tcpfsm::index_of(e);
    }
    CHECK(seen == (1ull << 36) - 1);
}

TEST_CASE("event: wildcards cover exactly their kind", "[event]") {
    using tcpfsm::event;
    for (event w : {tcpfsm::any_user_call, tcpfsm::any_segment, tcpfsm::any_timeout, tcpfsm::any_event}) {
        CHECK(tcpfsm::is_wildcard(w));
        CHECK_FALSE(tcpfsm::is_valid(w));
    }
    CHECK(std::string(tcpfsm::name(tcpfsm::any_user_call)) == "any_user_call");
    CHECK(std::string(tcpfsm::name(tcpfsm::any_segment)) == "any_segment");
    CHECK(std::string(tcpfsm::name(tcpfsm::any_timeout)) == "any_timeout");
    CHECK(std::string(tcpfsm::name(tcpfsm::any_event)) == "any_event");
    for (event e : tcpfsm_test::all_events) {
        INFO(tcpfsm::name(e));
        CHECK_FALSE(tcpfsm::is_wildcard(e));
        CHECK(tcpfsm::covers(e, e));
        CHECK(tcpfsm::covers(tcpfsm::any_event, e));
        CHECK(tcpfsm::covers(tcpfsm::any_user_call, e) == tcpfsm_test::listed(tcpfsm_test::user_calls, e));
        CHECK(tcpfsm::covers(tcpfsm::any_segment, e) == tcpfsm_test::listed(tcpfsm_test::segment_events, e));
        CHECK(tcpfsm::covers(tcpfsm::any_timeout, e) == tcpfsm_test::listed(tcpfsm_test::timeouts, e));
        for (event other : tcpfsm_test::all_events)
            if (other != e) CHECK_FALSE(tcpfsm::covers(e, other));
    }
}

TEST_CASE("event: identifier spelling of a sample of events", "[event]") {
    using tcpfsm::event;
    CHECK(std::string(tcpfsm::name(event::open_passive)) == "open_passive");
    CHECK(std::string(tcpfsm::name(event::rcv_syn_ack)) == "rcv_syn_ack");
    CHECK(std::string(tcpfsm::name(event::rcv_fin_ack_of_fin)) == "rcv_fin_ack_of_fin");
    CHECK(std::string(tcpfsm::name(event::timeout_time_wait)) == "timeout_time_wait");
    CHECK(std::string(tcpfsm::name(event::timeout_user)) == "timeout_user");
    CHECK(std::string(tcpfsm::diagram_label(event::timeout_time_wait)) == "Timeout=2MSL");  // Figure 5
    CHECK(std::string(tcpfsm::diagram_label(event::rcv_syn_ack)) == "rcv SYN,ACK");         // Figure 5
    CHECK(std::string(tcpfsm::name(static_cast<event>(0x80))) == "invalid");
}

TEST_CASE("action: the set operations and the names of the flags", "[action]") {
    namespace action = tcpfsm::action;
    using tcpfsm::action_set;
    constexpr action_set ab = action::send_ack | action::send_fin;
    static_assert(ab.contains(action::send_ack) && ab.contains(action::send_fin));
    static_assert(!ab.contains(action::send_ack | action::send_rst));
    static_assert(ab.intersects(action::send_fin | action::send_rst));
    static_assert(!ab.intersects(action::send_rst));
    static_assert((ab - action::send_ack) == action::send_fin);
    static_assert((ab & action::send_fin) == action::send_fin);
    static_assert(action::none.empty() && !ab.empty());
    static_assert(ab.contains(action::none));

    // Each flag is one distinct bit, and nth_action(n) names it.
    std::uint32_t all = 0;
    for (std::size_t n = 0; n < tcpfsm::action_count; ++n) {
        const action_set a = tcpfsm::nth_action(n);
        CHECK(a.bits == (1u << n));
        CHECK((all & a.bits) == 0);
        all |= a.bits;
        CHECK(std::strlen(tcpfsm::name_of_nth_action(n)) > 0);
    }
    CHECK(tcpfsm::nth_action(tcpfsm::action_count).empty());
    CHECK(std::string(tcpfsm::name_of_nth_action(tcpfsm::action_count)) == "invalid");
    CHECK(std::string(tcpfsm::name_of_nth_action(0)) == "send_syn");
    CHECK(std::string(tcpfsm::name_of_nth_action(4)) == "send_rst");
    CHECK(action::send_rst.bits == (1u << 4));
    CHECK(action::delete_tcb.bits == (1u << 25));
    CHECK(std::string(tcpfsm::name_of_nth_action(25)) == "delete_tcb");
}

TEST_CASE("action: the RFC 9293 wording of the user errors", "[action]") {
    using tcpfsm::user_error;
    // §3.10.1 - §3.10.6.
    CHECK(std::string(tcpfsm::rfc_name(user_error::connection_exists)) == "error: connection already exists");
    CHECK(std::string(tcpfsm::rfc_name(user_error::connection_closing)) == "error: connection closing");
    CHECK(std::string(tcpfsm::rfc_name(user_error::connection_does_not_exist)) == "error: connection does not exist");
    CHECK(std::string(tcpfsm::rfc_name(user_error::connection_illegal)) ==
          "error: connection illegal for this process");
    CHECK(std::string(tcpfsm::rfc_name(user_error::insufficient_resources)) == "error: insufficient resources");
    CHECK(std::string(tcpfsm::name(user_error::insufficient_resources)) == "insufficient_resources");
    CHECK(std::string(tcpfsm::name(user_error::none)) == "none");
    CHECK(std::string(tcpfsm::name(static_cast<user_error>(9))) == "invalid");
}
