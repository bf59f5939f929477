// The exhaustive model check of model_check.hpp over a set of scenarios, with the table
// rows it exercised. Environment:
//   TCPFSM_MODEL_CHECK_K     K, the segments in flight, of the core scenarios (default 2);
//                            the wider scenarios run at K - 1 (at least 1).
//   TCPFSM_MODEL_CHECK_FULL  1: the wider scenarios at K too (minutes, not for CI).
//   TCPFSM_MODEL_CHECK_ONLY  a comma-separated list of scenario names to run (default: all;
//                            the Figure 5 coverage check needs all).
//   TCPFSM_MODEL_CHECK_CAP   the most states one scenario may have (default 20,000,000).
// SPDX-License-Identifier: MIT
#include "model_check.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using tcpfsm_mc::endpoint_budget;
using tcpfsm_mc::scenario;

unsigned env_unsigned(const char* name, unsigned fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    return static_cast<unsigned>(std::strtoul(v, nullptr, 10));
}

endpoint_budget budget(bool listening, unsigned active, unsigned passive, unsigned sends, unsigned receives, bool close,
                       bool release, bool abort) {
    endpoint_budget b;
    b.start_listening = listening;
    b.active_opens = static_cast<std::uint8_t>(active);
    b.passive_opens = static_cast<std::uint8_t>(passive);
    b.sends = static_cast<std::uint8_t>(sends);
    b.receives = static_cast<std::uint8_t>(receives);
    b.may_close = close;
    b.may_release = release;
    b.may_abort = abort;
    return b;
}

struct planned {
    scenario sc;
    bool wide;  // runs at K - 1 unless TCPFSM_MODEL_CHECK_FULL
};

// A is endpoint 0, B endpoint 1. "release" is CLOSE with the user reading no more (Linux's
// close()); "close" is RFC 9293's CLOSE, after which FIN-WAIT-2 waits for the peer's FIN.
std::vector<planned> plan() {
    //                                listen active passive sends receives close release abort
    return {
        // Client and server: connect, release or abort on either side at any moment.
        {{"client_server", {budget(false, 1, 0, 0, 0, false, true, true), budget(true, 0, 0, 0, 0, false, true, true)}}, false},
        // Simultaneous open (Figure 7), then release.
        {{"simultaneous_open", {budget(false, 1, 0, 0, 0, false, true, false), budget(false, 1, 0, 0, 0, false, true, false)}}, false},
        // One octet from the client: data, its ACK, retransmission, FIN after data.
        {{"data", {budget(false, 1, 0, 1, 0, false, true, false), budget(true, 0, 0, 0, 0, false, true, false)}}, false},
        // close() (half close: FIN-WAIT-2 waits for the peer) and release() on both sides.
        {{"half_close", {budget(false, 1, 0, 0, 0, true, true, false), budget(true, 0, 0, 0, 0, true, true, false)}}, false},
        // The client connects twice: a new incarnation meets TIME-WAIT and old duplicates.
        {{"reopen", {budget(false, 2, 0, 0, 0, false, true, false), budget(true, 0, 0, 0, 0, false, true, false)}}, false},
        // Wider budgets, one segment less in flight:
        // data both ways, the server reads.
        {{"data_both_ways", {budget(false, 1, 0, 1, 0, false, true, false), budget(true, 0, 0, 1, 1, false, true, false)}}, true},
        // the server listens again after its connection ends (old duplicates meet a new listener).
        {{"relisten", {budget(false, 2, 0, 0, 0, false, true, false), budget(true, 0, 1, 0, 0, false, true, false)}}, true},
        // the listener turns active (OPEN or SEND in LISTEN, Figure 5).
        {{"listen_then_connect", {budget(false, 1, 0, 0, 0, false, true, false), budget(true, 1, 0, 1, 0, false, true, false)}}, true},
    };
}

// Why a row cannot run in this model (the rows the search did not exercise).
std::string why_not(const tcpfsm::transition& row) {
    using tcpfsm::event;
    const event e = row.on;
    if (e == tcpfsm::any_timeout)
        return "wildcard: an expiry is always the event of the timer the state armed, so other kinds never reach it";
    if (e == tcpfsm::any_segment || e == tcpfsm::any_user_call || e == tcpfsm::any_event)
        return "wildcard: classify() never produces the events it covers in this state";
    switch (e) {
        case event::timeout_keepalive:
        case event::timeout_keepalive_exhausted:
            return "keepalive is off in the model (RFC 9293 MUST-25 default)";
        case event::timeout_delayed_ack:
            return "delayed ACK is off in the model";
        case event::timeout_user:
            return "the user timeout is off in the model";
        case event::timeout_persist:
            return "no zero window: one octet never fills the 65535-octet window";
        case event::rcv_cookie_ack:
            return "SYN cookies belong to the listener (listener.hpp); the engine never sets cookie_valid";
        case event::rcv_no_ack:
            return "neither engine sends a segment without ACK, SYN and RST";
        default:
            break;
    }
    if (tcpfsm::is_user_call(e)) return "no call of this kind in this state within the budgets";
    return "needs a segment the two engines do not send to each other here within the budgets "
           "(e.g. text or a FIN beyond RCV.NXT after the peer's FIN, an ACK beyond MAX.SND.WND)";
}

}  // namespace

TEST_CASE("model check: two engines, a lossy channel, every interleaving", "[model_check]") {
    const unsigned k = env_unsigned("TCPFSM_MODEL_CHECK_K", 2);
    const bool full = env_unsigned("TCPFSM_MODEL_CHECK_FULL", 0) != 0;
    const std::size_t cap = env_unsigned("TCPFSM_MODEL_CHECK_CAP", 20000000);
    const char* only_env = std::getenv("TCPFSM_MODEL_CHECK_ONLY");
    const std::string only = only_env != nullptr ? std::string(",") + only_env + "," : std::string();
    std::vector<std::uint64_t> hits(tcpfsm::standard_row_count, 0);
    std::size_t total_states = 0;
    double total_seconds = 0;
    std::printf("model check (%s): scenario, K, states, edges, seconds, CLOSED/CLOSED states, (b) checks, "
                "overflow losses, ACK loops\n",
                full ? "full" : "CI");
    for (const planned& p : plan()) {
        if (!only.empty() && only.find(std::string(",") + p.sc.name + ",") == std::string::npos) continue;
        const unsigned kk = p.wide && !full ? (k > 1 ? k - 1 : 1) : k;
        tcpfsm_mc::checker c(p.sc, kk, hits, cap);
        const tcpfsm_mc::result r = c.run();
        total_states += r.states;
        total_seconds += r.seconds;
        std::printf("  %-20s K=%u %9zu states %10zu edges %7.2f s  closed/closed %zu  (b) %zu  lost %zu  ACK loops %zu (%zu in a transient state)\n",
                    r.scenario.c_str(), r.k, r.states, r.edges, r.seconds, r.both_closed_states, r.synchronized_checks,
                    r.overflow_losses, r.ack_loops, r.transient_ack_loops);
        std::string messages;
        for (const std::string& m : r.messages) messages += m + "\n";
        if (r.transient_ack_loops != 0) std::printf("%s", messages.c_str());
        INFO("scenario " << r.scenario << ", K = " << r.k << ", " << r.states << " states\n" << messages);
        CHECK_FALSE(r.truncated);
        CHECK(r.invariant_failures == 0);
        CHECK(r.not_closable == 0);   // (a) CLOSED/CLOSED reachable with close, release, timers, network
        CHECK(r.leak_states == 0);    // (a) no transient state kept by timers and the network alone
        CHECK(r.desync_states == 0);  // (b)
        CHECK(r.both_closed_states > 0);
    }
    std::printf("  total %zu states in %.1f s\n", total_states, total_seconds);

    // (c) The rows exercised. Every edge of RFC 9293 Figure 5 must be among them.
    std::size_t exercised = 0;
    for (std::uint64_t h : hits) exercised += h != 0 ? 1u : 0u;
    std::printf("rows exercised: %zu of %zu; not exercised:\n", exercised, hits.size());
    for (std::size_t i = 0; i < hits.size(); ++i) {
        if (hits[i] != 0) continue;
        const tcpfsm::transition& row = tcpfsm::standard_table[i];
        std::printf("  %3zu %-13s %-28s -> %-13s %s\n", i, tcpfsm::name(row.from), tcpfsm::name(row.on), tcpfsm::name(row.to),
                    why_not(row).c_str());
    }
    if (!only.empty()) return;
    for (const tcpfsm::diagram_edge& edge : tcpfsm::figure5_edges) {
        const tcpfsm::transition& row = tcpfsm::step(edge.from, edge.on);
        INFO("Figure 5 edge " << tcpfsm::name(edge.from) << " --" << tcpfsm::name(edge.on) << "--> " << tcpfsm::name(edge.to));
        CHECK(hits[tcpfsm_mc::row_index(row)] != 0);
    }
}

// Out-of-order text (issue 13): engines whose Observer places text (receive_path.hpp), so
// that the receiver holds segments above RCV.NXT in its reassembly queue. The MSS is one
// octet, so A's send(2) is two segments, then its FIN; the channel delivers the segments in
// flight in any order (it is a multiset), loses them, and duplicates those to B. Besides the
// checks of the core scenarios, after every step: each octet is placed once, at the offset
// its sequence number gives, and made readable only once placed, in order; the engine and its
// consumer agree on RCV.NXT, on what the user holds and on what the queue holds
// (model_check.hpp, placing_observer and check_receive_side). Always K = 2 (K = 1 cannot
// reorder two segments); with TCPFSM_MODEL_CHECK_K=1 (the sanitizer build) nothing is
// duplicated, a third of the states. Data is retransmitted once before the connection gives
// up (retries2 = 1; the core scenarios have 2). TCPFSM_MODEL_CHECK_OOO_OCTETS: A's octets (2).
TEST_CASE("model check: out-of-order text held and placed, every interleaving", "[model_check][reassembly]") {
    const unsigned k = env_unsigned("TCPFSM_MODEL_CHECK_K", 2);
    const std::size_t cap = env_unsigned("TCPFSM_MODEL_CHECK_CAP", 20000000);
    std::vector<std::uint64_t> hits(tcpfsm::standard_row_count, 0);
    endpoint_budget a = budget(false, 1, 0, 1, 0, false, true, false);
    a.send_size = static_cast<std::uint8_t>(env_unsigned("TCPFSM_MODEL_CHECK_OOO_OCTETS", 2));
    a.duplicated = false;
    endpoint_budget b = budget(true, 0, 0, 0, 0, false, true, false);
    b.duplicated = k > 1;
    const scenario sc{"out_of_order", {a, b}};
    tcpfsm::connection_config config = tcpfsm_mc::placing_model_config();
    config.timers.retries2 = 1;
    tcpfsm_mc::placing_checker mc(sc, 2, hits, cap, config);
    const tcpfsm_mc::result r = mc.run();
    std::printf("model check, out-of-order text:\n  %-14s K=%u %9zu states %10zu edges %7.2f s  closed/closed %zu  (b) %zu  "
                "octets placed above RCV.NXT %zu  held text made readable %zu  states with a FIN held %zu\n",
                r.scenario.c_str(), r.k, r.states, r.edges, r.seconds, r.both_closed_states, r.synchronized_checks,
                r.placed_out_of_order, r.readable_with_held, r.fin_held_states);
    std::string messages;
    for (const std::string& m : r.messages) messages += m + "\n";
    INFO("scenario " << r.scenario << ", K = " << r.k << ", " << r.states << " states\n" << messages);
    CHECK_FALSE(r.truncated);
    CHECK(r.invariant_failures == 0);
    CHECK(r.not_closable == 0);
    CHECK(r.leak_states == 0);
    CHECK(r.desync_states == 0);
    CHECK(r.both_closed_states > 0);
    // The queue was used: text held above RCV.NXT, made readable when the gap filled, and a
    // FIN held above RCV.NXT.
    CHECK(r.placed_out_of_order > 0);
    CHECK(r.readable_with_held > 0);
    CHECK(r.fin_held_states > 0);
}
