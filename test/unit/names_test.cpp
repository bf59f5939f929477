// One naming scheme for the text of every public enum: name(x) is the enumerator's
// identifier, for every enumerator of every enum; rfc_name(x) the RFC's spelling where the RFC
// has one (states, user errors); netstat_name / ss_name for states; description(x) a phrase
// for a log (wire errors); the old spellings (to_string, rfc_text) are deprecated aliases.
// Every enum is iterated by its count constant; one past the count must be "invalid", so a
// count left behind by a new enumerator is caught too.
#include <tcpfsm/tcpfsm.hpp>
#include <tcpfsm/listener.hpp>
#include <tcpfsm/simulator.hpp>
#include <tcpfsm/wire.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <set>
#include <string>

namespace {

// Calls text(static_cast<E>(i)) for i < count: each non-empty, none the text for an invalid
// value, all distinct; text(count) is the text for an invalid value ("invalid" unless the
// spelling has its own: netstat's "UNKNOWN").
template <class E, class Text>
void check_texts(const char* what, std::size_t count, Text text, const char* invalid = "invalid") {
    INFO(what);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < count; ++i) {
        INFO("enumerator " << i);
        const char* t = text(static_cast<E>(i));
        REQUIRE(t != nullptr);
        const std::string s(t);
        CHECK_FALSE(s.empty());
        CHECK(s != invalid);
        CHECK(seen.insert(s).second);
    }
    CHECK(std::string(text(static_cast<E>(count))) == invalid);
}

// name(): exactly an identifier (lower case, digits, underscores), as the enumerator is spelled.
// Called unqualified: argument-dependent lookup finds tcpfsm::name and tcpfsm::sim::name.
template <class E>
void check_names(const char* what, std::size_t count) {
    check_texts<E>(what, count, [](E e) { return name(e); });
    for (std::size_t i = 0; i < count; ++i) {
        const std::string s = name(static_cast<E>(i));
        for (const char c : s) CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'));
    }
}

}  // namespace

TEST_CASE("names: name() is the identifier of every enumerator of every public enum", "[names]") {
    check_names<tcpfsm::state>("state", tcpfsm::state_count);
    check_names<tcpfsm::event>("event", tcpfsm::event_count);
    check_names<tcpfsm::user_error>("user_error", tcpfsm::user_error_count);
    check_names<tcpfsm::user_signal>("user_signal", tcpfsm::user_signal_count);
    check_names<tcpfsm::drop_reason>("drop_reason", tcpfsm::drop_reason_count);
    check_names<tcpfsm::rule>("rule", tcpfsm::rule_count);
    check_names<tcpfsm::timer_kind>("timer_kind", tcpfsm::timer_kind_count);
    check_names<tcpfsm::wire_error>("wire_error", tcpfsm::wire_error_count);
    check_names<tcpfsm::syn_cookie_mode>("syn_cookie_mode", tcpfsm::syn_cookie_mode_count);
    check_names<tcpfsm::statistic>("statistic", tcpfsm::statistic_count);
    check_names<tcpfsm::recovery_state>("recovery_state", tcpfsm::recovery_state_count);
    check_names<tcpfsm::spurious_evidence>("spurious_evidence", tcpfsm::spurious_evidence_count);
    check_names<tcpfsm::congestion::phase>("congestion::phase", tcpfsm::congestion::phase_count);
    check_names<tcpfsm::sim::fate>("sim::fate", tcpfsm::sim::fate_count);
    check_names<tcpfsm::sim::filter_result>("sim::filter_result", tcpfsm::sim::filter_result_count);
    check_names<tcpfsm::sim::trace_kind>("sim::trace_kind", tcpfsm::sim::trace_kind_count);
    check_names<tcpfsm::sim::text_is>("sim::text_is", tcpfsm::sim::text_is_count);
    // The actions are bits of action_set, not an enum; their names follow the same rule.
    check_texts<std::size_t>("action", tcpfsm::action_count, [](std::size_t n) { return tcpfsm::name_of_nth_action(n); });
    // address_family's values are the IP versions, 4 and 6.
    CHECK(std::string(tcpfsm::name(tcpfsm::address_family::ipv4)) == "ipv4");
    CHECK(std::string(tcpfsm::name(tcpfsm::address_family::ipv6)) == "ipv6");
    CHECK(std::string(tcpfsm::name(static_cast<tcpfsm::address_family>(5))) == "invalid");

    // Spot checks against the source's spelling.
    CHECK(std::string(tcpfsm::name(tcpfsm::state::syn_received)) == "syn_received");
    CHECK(std::string(tcpfsm::name(tcpfsm::wire_error::bad_checksum)) == "bad_checksum");
    CHECK(std::string(tcpfsm::name(tcpfsm::user_error::connection_does_not_exist)) == "connection_does_not_exist");
    CHECK(std::string(tcpfsm::sim::name(tcpfsm::sim::trace_kind::no_route)) == "no_route");
    CHECK(std::string(tcpfsm::name(tcpfsm::syn_cookie_mode::when_syn_queue_full)) == "when_syn_queue_full");
}

TEST_CASE("names: the other spellings, each unique over its enum", "[names]") {
    using tcpfsm::state;
    check_texts<state>("rfc_name(state)", tcpfsm::state_count, [](state s) { return tcpfsm::rfc_name(s); }, "INVALID");
    check_texts<state>("netstat_name(state)", tcpfsm::state_count, [](state s) { return tcpfsm::netstat_name(s); }, "UNKNOWN");
    check_texts<state>("ss_name(state)", tcpfsm::state_count, [](state s) { return tcpfsm::ss_name(s); }, "UNKNOWN");
    check_texts<tcpfsm::user_error>("rfc_name(user_error)", tcpfsm::user_error_count,
                                    [](tcpfsm::user_error e) { return tcpfsm::rfc_name(e); });
    check_texts<tcpfsm::wire_error>("description(wire_error)", tcpfsm::wire_error_count,
                                    [](tcpfsm::wire_error e) { return tcpfsm::description(e); });
    check_texts<tcpfsm::sim::trace_kind>("trace_label(trace_kind)", tcpfsm::sim::trace_kind_count,
                                         [](tcpfsm::sim::trace_kind k) { return tcpfsm::sim::trace_label(k); }, "?");
    // RFC 9293 §3.3.2 and §3.10.
    CHECK(std::string(tcpfsm::rfc_name(state::syn_received)) == "SYN-RECEIVED");
    CHECK(std::string(tcpfsm::rfc_name(tcpfsm::user_error::connection_does_not_exist)) ==
          "error: connection does not exist");
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
TEST_CASE("names: the deprecated spellings still answer, as their replacements", "[names]") {
    for (std::size_t i = 0; i < tcpfsm::wire_error_count; ++i) {
        const auto e = static_cast<tcpfsm::wire_error>(i);
        CHECK(std::string(tcpfsm::to_string(e)) == tcpfsm::description(e));
    }
    for (std::size_t i = 0; i < tcpfsm::user_error_count; ++i) {
        const auto e = static_cast<tcpfsm::user_error>(i);
        CHECK(std::string(tcpfsm::rfc_text(e)) == tcpfsm::rfc_name(e));
    }
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
