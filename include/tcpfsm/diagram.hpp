// tcpfsm: a transition table as a Graphviz DOT or Mermaid diagram, in the style of
// RFC 9293 Figure 5. Optional header: the core headers never include <string>.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_DIAGRAM_HPP
#define TCPFSM_DIAGRAM_HPP

#include <cstddef>
#include <string>
#include <vector>

#include "core.hpp"

namespace tcpfsm {

// Every function here takes a table as tcpfsm's fixed_array<transition, N> or as a
// std::array<transition, N>.

// What an edge label shows of a row's actions, as Figure 5 does: the segments it sends
// ("snd SYN,ACK") and "delete TCB". Timers and user signals are left out.
inline constexpr action_set diagram_default_actions =
    action::send_syn | action::send_syn_ack | action::send_ack | action::send_fin |
    action::send_rst | action::send_challenge_ack | action::retransmit |
    action::send_keepalive_probe | action::send_window_probe | action::delete_tcb;

struct diagram_options {
    bool self_loops = false;  // also draw the rows that stay in their state
    action_set shown_actions = diagram_default_actions;
    std::string title;  // drawn above the diagram when not empty
};

namespace diagram_detail {

// Node order and ranks of Figure 5, top to bottom and left to right within a rank.
inline constexpr fixed_array<state, state_count> figure5_order{{
    state::closed,      state::listen,     state::syn_received, state::syn_sent,
    state::established, state::fin_wait_1, state::close_wait,   state::fin_wait_2,
    state::closing,     state::last_ack,   state::time_wait,
}};

// One edge of the diagram: the rows of one (from, to) pair, Figure 5 rows and the rest apart.
struct edge {
    state from;
    state to;
    bool figure5;
    std::vector<std::string> lines;  // one per row, in table order
};

// A row that draws an edge of Figure 5, by the criterion of check_diagram_edges.
inline bool is_figure5_row(const transition& r) {
    for (const diagram_edge& e : figure5_edges)
        if (r.from == e.from && r.on == e.on && r.to == e.to && r.actions.contains(e.actions))
            return true;
    return false;
}

// "rcv SYN / snd SYN,ACK", "CLOSE / delete TCB", "SEND / error: connection closing".
inline std::string row_label(const transition& r, action_set shown) {
    std::string label = diagram_label(r.on);
    const char* separator = " / ";
    const action_set visible = r.actions & shown;
    for (std::size_t n = 0; n < action_count; ++n) {
        if (!visible.contains(nth_action(n))) continue;
        label += separator;
        label += diagram_label_of_nth_action(n);
        separator = ", ";
    }
    if (r.error != user_error::none) {
        label += separator;
        label += rfc_name(r.error);
    }
    return label;
}

// The edges in the order of their first row, so the output follows the table's row order.
template <class Table>
std::vector<edge> edges_of(const Table& table, const diagram_options& opt) {
    std::vector<edge> edges;
    for (std::size_t i = 0; i < table.size(); ++i) {
        const transition& r = table[i];
        if (!is_valid(r.from) || !is_valid(r.to)) continue;
        if (r.from == r.to && !opt.self_loops) continue;
        const bool figure5 = is_figure5_row(r);
        edge* target = nullptr;
        for (edge& e : edges)
            if (e.from == r.from && e.to == r.to && e.figure5 == figure5) target = &e;
        if (target == nullptr) {
            edges.push_back(edge{r.from, r.to, figure5, {}});
            target = &edges.back();
        }
        target->lines.push_back(row_label(r, opt.shown_actions));
    }
    return edges;
}

// DOT: a quoted string; lines are joined with the escape \n (centred lines).
inline std::string dot_quoted(const std::vector<std::string>& lines) {
    std::string out = "\"";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i != 0) out += "\\n";
        for (char c : lines[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out + '"';
}

// Mermaid: a quoted label; '"' becomes the entity #quot;.
inline std::string mermaid_quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"')
            out += "#quot;";
        else
            out += c;
    }
    return out + '"';
}

// Mermaid's front matter is YAML: a double-quoted scalar, so that ':' in a title is safe.
inline std::string yaml_quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

inline std::string joined(const std::vector<std::string>& lines, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i != 0) out += separator;
        out += lines[i];
    }
    return out;
}

// Figure 5 draws CLOSED twice: at the top, and at the bottom where LAST-ACK and TIME-WAIT
// end. Edges into CLOSED from the synchronized states (§3.5.2) go to the bottom box.
inline constexpr const char* bottom_closed_id = "closed_bottom";

inline bool goes_to_bottom_closed(const edge& e) {
    return e.to == state::closed && is_synchronized(e.from);
}

inline const char* target_id(const edge& e) {
    return goes_to_bottom_closed(e) ? bottom_closed_id : name(e.to);
}

inline bool uses_bottom_closed(const std::vector<edge>& edges) {
    for (const edge& e : edges)
        if (goes_to_bottom_closed(e)) return true;
    return false;
}

}  // namespace diagram_detail

// Graphviz DOT. One node per state, laid out as in Figure 5 (CLOSED at the top, TIME-WAIT
// at the bottom). As in Figure 5, the synchronized states (§3.5.2) close into a second
// CLOSED box drawn at the bottom next to TIME-WAIT. Rows between the same two states share
// one edge whose label has one line per row. Figure 5 edges are bold; the others (resets,
// timeouts, ABORT, ...) are dashed and grey. Deterministic: follows the table's row order.
template <class Table>
std::string to_dot(const Table& table, const diagram_options& opt = {}) {
    using namespace diagram_detail;
    const std::vector<edge> edges = edges_of(table, opt);
    std::string out = "digraph tcpfsm {\n";
    if (!opt.title.empty())
        out += "    label=" + dot_quoted({opt.title}) + ";\n    labelloc=t;\n    fontname=\"Helvetica\";\n";
    out += "    rankdir=TB;\n";
    out += "    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
    out += "    edge [fontname=\"Helvetica\", fontsize=10];\n";
    for (state s : figure5_order)
        out += std::string("    ") + name(s) + " [label=\"" + rfc_name(s) + "\"];\n";
    const bool bottom = uses_bottom_closed(edges);
    if (bottom) out += std::string("    ") + bottom_closed_id + " [label=\"CLOSED\"];\n";
    out += "    { rank=min; closed; }\n";
    out += "    { rank=same; syn_received; syn_sent; }\n";
    out += "    { rank=same; fin_wait_1; close_wait; }\n";
    out += "    { rank=same; fin_wait_2; closing; last_ack; }\n";
    out += bottom ? std::string("    { rank=max; time_wait; ") + bottom_closed_id + "; }\n"
                  : "    { rank=max; time_wait; }\n";
    for (const edge& e : edges) {
        out += std::string("    ") + name(e.from) + " -> " + target_id(e) + " [label=" +
               dot_quoted(e.lines) + ", ";
        out += e.figure5 ? "style=bold];\n"
                         : "style=dashed, color=gray45, fontcolor=gray30];\n";
    }
    out += "}\n";
    return out;
}

// Mermaid flowchart (top to bottom), the same nodes and edges as to_dot: Figure 5 edges
// thick (==>), the others dotted (-.->).
template <class Table>
std::string to_mermaid(const Table& table, const diagram_options& opt = {}) {
    using namespace diagram_detail;
    const std::vector<edge> edges = edges_of(table, opt);
    std::string out;
    if (!opt.title.empty()) out += "---\ntitle: " + yaml_quoted(opt.title) + "\n---\n";
    out += "flowchart TB\n";
    for (state s : figure5_order)
        out += std::string("    ") + name(s) + "[\"" + rfc_name(s) + "\"]\n";
    if (uses_bottom_closed(edges)) out += std::string("    ") + bottom_closed_id + "[\"CLOSED\"]\n";
    for (const edge& e : edges) {
        out += std::string("    ") + name(e.from) + (e.figure5 ? " ==>|" : " -.->|") +
               mermaid_quoted(joined(e.lines, "<br/>")) + "| " + target_id(e) + "\n";
    }
    return out;
}

}  // namespace tcpfsm

#endif  // TCPFSM_DIAGRAM_HPP
