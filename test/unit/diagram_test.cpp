// to_dot and to_mermaid of diagram.hpp on hand-made tables; the expected text is written
// by hand from the format documented in diagram.hpp and the labels of RFC 9293 Figure 5.
#include <tcpfsm/diagram.hpp>
#include <tcpfsm/variants.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <string>

namespace {

using tcpfsm::event;
using tcpfsm::row;
using tcpfsm::state;
namespace action = tcpfsm::action;

// Three rows: one Figure 5 edge (active OPEN), and two rows that both lead from
// ESTABLISHED to CLOSED (the bottom CLOSED box, as ESTABLISHED is synchronized), merged.
constexpr std::array<tcpfsm::transition, 3> tiny{{
    row(state::closed, event::open_active, state::syn_sent,
        action::send_syn | action::start_retransmission_timer),
    row(state::established, event::rcv_rst, state::closed,
        action::signal_reset | action::stop_timers | action::delete_tcb),
    row(state::established, event::abort, state::closed,
        action::send_rst | action::stop_timers | action::delete_tcb),
}};

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
        ++count;
    return count;
}

}  // namespace

TEST_CASE("to_dot draws a tiny table", "[diagram]") {
    const std::string expected = R"dot(digraph tcpfsm {
    rankdir=TB;
    node [shape=box, style=rounded, fontname="Helvetica"];
    edge [fontname="Helvetica", fontsize=10];
    closed [label="CLOSED"];
    listen [label="LISTEN"];
    syn_received [label="SYN-RECEIVED"];
    syn_sent [label="SYN-SENT"];
    established [label="ESTABLISHED"];
    fin_wait_1 [label="FIN-WAIT-1"];
    close_wait [label="CLOSE-WAIT"];
    fin_wait_2 [label="FIN-WAIT-2"];
    closing [label="CLOSING"];
    last_ack [label="LAST-ACK"];
    time_wait [label="TIME-WAIT"];
    closed_bottom [label="CLOSED"];
    { rank=min; closed; }
    { rank=same; syn_received; syn_sent; }
    { rank=same; fin_wait_1; close_wait; }
    { rank=same; fin_wait_2; closing; last_ack; }
    { rank=max; time_wait; closed_bottom; }
    closed -> syn_sent [label="active OPEN / snd SYN", style=bold];
    established -> closed_bottom [label="rcv RST / delete TCB\nABORT / snd RST, delete TCB", style=dashed, color=gray45, fontcolor=gray30];
}
)dot";
    CHECK(tcpfsm::to_dot(tiny) == expected);
}

TEST_CASE("to_mermaid draws a tiny table", "[diagram]") {
    const std::string expected = R"mmd(flowchart TB
    closed["CLOSED"]
    listen["LISTEN"]
    syn_received["SYN-RECEIVED"]
    syn_sent["SYN-SENT"]
    established["ESTABLISHED"]
    fin_wait_1["FIN-WAIT-1"]
    close_wait["CLOSE-WAIT"]
    fin_wait_2["FIN-WAIT-2"]
    closing["CLOSING"]
    last_ack["LAST-ACK"]
    time_wait["TIME-WAIT"]
    closed_bottom["CLOSED"]
    closed ==>|"active OPEN / snd SYN"| syn_sent
    established -.->|"rcv RST / delete TCB<br/>ABORT / snd RST, delete TCB"| closed_bottom
)mmd";
    CHECK(tcpfsm::to_mermaid(tiny) == expected);
}

TEST_CASE("self loops are drawn only on request, errors and wildcards labelled", "[diagram]") {
    constexpr std::array<tcpfsm::transition, 2> loops{{
        row(state::closed, event::send, state::closed, action::none,
            tcpfsm::user_error::connection_does_not_exist),
        row(state::listen, tcpfsm::any_segment, state::listen),
    }};
    const std::string plain = tcpfsm::to_dot(loops);
    CHECK(occurrences(plain, " -> ") == 0);
    CHECK(occurrences(plain, "closed_bottom") == 0);  // nothing closes from a synchronized state

    tcpfsm::diagram_options with_loops;
    with_loops.self_loops = true;
    const std::string dot = tcpfsm::to_dot(loops, with_loops);
    CHECK_THAT(dot, Catch::Contains(
                        "    closed -> closed [label=\"SEND / error: connection does not exist\", "
                        "style=dashed, color=gray45, fontcolor=gray30];\n"));
    CHECK_THAT(dot, Catch::Contains("    listen -> listen [label=\"any_segment\", style=dashed"));

    const std::string mermaid = tcpfsm::to_mermaid(loops, with_loops);
    CHECK_THAT(mermaid, Catch::Contains(
                            "    closed -.->|\"SEND / error: connection does not exist\"| closed\n"));
    CHECK_THAT(mermaid, Catch::Contains("    listen -.->|\"any_segment\"| listen\n"));
}

TEST_CASE("options: shown actions and a quoted title", "[diagram]") {
    tcpfsm::diagram_options opt;
    opt.shown_actions = action::none;
    opt.title = "say \"SYN\"";
    const std::string dot = tcpfsm::to_dot(tiny, opt);
    CHECK_THAT(dot, Catch::StartsWith("digraph tcpfsm {\n    label=\"say \\\"SYN\\\"\";\n    labelloc=t;\n"
                                      "    fontname=\"Helvetica\";\n    rankdir=TB;\n"));
    CHECK_THAT(dot, Catch::Contains("closed -> syn_sent [label=\"active OPEN\", style=bold];"));
    CHECK_THAT(dot, Catch::Contains("[label=\"rcv RST\\nABORT\", style=dashed"));

    const std::string mermaid = tcpfsm::to_mermaid(tiny, opt);
    CHECK_THAT(mermaid, Catch::StartsWith("---\ntitle: \"say \\\"SYN\\\"\"\n---\nflowchart TB\n"));
    CHECK_THAT(mermaid, Catch::Contains("closed ==>|\"active OPEN\"| syn_sent\n"));
}

TEST_CASE("the standard table draws the 21 edges of Figure 5 in bold", "[diagram]") {
    const std::string dot = tcpfsm::to_dot(tcpfsm::standard_table);
    // RFC 9293 Figure 5 has 21 edges (counting FIN-WAIT-1 -> TIME-WAIT on FIN+ACK), each
    // between a different pair of states, so 21 bold edges.
    CHECK(occurrences(dot, "style=bold") == 21);
    // A few of them, with Figure 5's labels.
    CHECK_THAT(dot, Catch::Contains("    closed -> listen [label=\"passive OPEN\", style=bold];\n"));
    CHECK_THAT(dot, Catch::Contains("    listen -> syn_received [label=\"rcv SYN / snd SYN,ACK\", style=bold];\n"));
    CHECK_THAT(dot, Catch::Contains("    syn_sent -> established [label=\"rcv SYN,ACK / snd ACK\", style=bold];\n"));
    CHECK_THAT(dot, Catch::Contains("    established -> close_wait [label=\"rcv FIN / snd ACK\", style=bold];\n"));
    CHECK_THAT(dot, Catch::Contains("    close_wait -> last_ack [label=\"CLOSE / snd FIN\", style=bold];\n"));
    CHECK_THAT(dot, Catch::Contains("    time_wait -> closed_bottom [label=\"Timeout=2MSL / delete TCB\", style=bold];\n"));
    // No self loop by default.
    for (const char* id : {"closed", "listen", "established", "time_wait"})
        CHECK(occurrences(dot, std::string("    ") + id + " -> " + id + " ") == 0);

    const std::string mermaid = tcpfsm::to_mermaid(tcpfsm::standard_table);
    CHECK(occurrences(mermaid, " ==>|") == 21);
}

TEST_CASE("a variant's diagram shows where it differs", "[diagram]") {
    // Standard table: in TIME-WAIT an acceptable RST closes (RFC 9293 §3.10.7.4 second step),
    // beside ABORT (§3.10.5), a SYN handed to the listener (RFC 6191) and USER TIMEOUT (§3.10.8).
    CHECK_THAT(tcpfsm::to_dot(tcpfsm::standard_table),
               Catch::Contains("    time_wait -> closed_bottom [label=\"ABORT / delete TCB\\nrcv RST / delete TCB\\n"
                               "rcv SYN (new incarnation) / delete TCB\\nUSER TIMEOUT / delete TCB\", style=dashed"));
    // RFC 1337 §3 fix F1: TIME-WAIT ignores RST, so that line leaves the edge.
    CHECK_THAT(tcpfsm::to_dot(tcpfsm::rfc1337_table),
               Catch::Contains("    time_wait -> closed_bottom [label=\"ABORT / delete TCB\\n"
                               "rcv SYN (new incarnation) / delete TCB\\nUSER TIMEOUT / delete TCB\", style=dashed"));
    // Strict RFC 9293: no FIN-WAIT-2 timeout and no reopening of TIME-WAIT by a SYN.
    const std::string strict = tcpfsm::to_mermaid(tcpfsm::strict_table);
    CHECK(occurrences(strict, "FIN-WAIT-2 timeout") == 0);
    CHECK(occurrences(strict, "rcv SYN (new incarnation)") == 0);
    const std::string standard = tcpfsm::to_mermaid(tcpfsm::standard_table);
    CHECK(occurrences(standard, "FIN-WAIT-2 timeout / delete TCB") == 1);
    CHECK(occurrences(standard, "rcv SYN (new incarnation) / delete TCB") == 1);
}
