// tcpfsm: one connection as a ladder diagram, drawn as RFC 9293's figures (§3.5, Figures 6-13)
// and the explainers do: a column per endpoint, time running down, a slanted arrow per
// segment labelled <SEQ=..><ACK=..><CTL=..> with its text length, each side's state written
// where it changes, a lost segment as an arrow ending in an X. Output: SVG (deterministic:
// integer coordinates, no timestamps, no dependencies) or text. Optional header: it uses
// <string> and <vector>, which the core headers never include.
//
// The input is neutral: the segments (sent when, by which side, delivered when or lost) and
// the state changes (when, which side, to what), so that the simulator's records
// (sim::ladder_of in simulator.hpp) and a passive observer's can both feed it. The notation
// itself (segment_notation) is the simulator's trace text too (sim::format_segment).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_LADDER_HPP
#define TCPFSM_LADDER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "segment.hpp"
#include "state.hpp"

namespace tcpfsm {

// The two columns: left (drawn first, "A" by default) and right.
enum class ladder_side : std::uint8_t { left, right };

inline constexpr std::size_t ladder_side_count = 2;

constexpr const char* name(ladder_side s) noexcept {
    constexpr const char* names[ladder_side_count] = {"left", "right"};
    return static_cast<std::size_t>(s) < ladder_side_count ? names[static_cast<std::size_t>(s)] : "invalid";
}

// One segment: sent by `from` at sent_us, delivered to the other side at arrived_us, or lost
// (sent and never delivered). Times are microseconds on any common clock.
struct ladder_segment {
    std::int64_t sent_us = 0;
    ladder_side from = ladder_side::left;
    segment header;
    bool lost = false;
    std::int64_t arrived_us = 0;  // not read when lost
};

// One side's state changes to `to` at at_us.
struct ladder_state_change {
    std::int64_t at_us = 0;
    ladder_side side = ladder_side::left;
    state to = state::closed;
};

// One connection: the two sides' names and first states, its segments and state changes (in
// any order; equal times keep their order of the vectors).
struct ladder {
    std::string left_name = "A";
    std::string right_name = "B";
    state left_initial = state::closed;
    state right_initial = state::closed;
    std::vector<ladder_segment> segments;
    std::vector<ladder_state_change> state_changes;
};

// How time runs down the page: one row per distinct time (even), or proportional to time.
enum class ladder_spacing : std::uint8_t { even, proportional };

inline constexpr std::size_t ladder_spacing_count = 2;

constexpr const char* name(ladder_spacing s) noexcept {
    constexpr const char* names[ladder_spacing_count] = {"even", "proportional"};
    return static_cast<std::size_t>(s) < ladder_spacing_count ? names[static_cast<std::size_t>(s)] : "invalid";
}

struct ladder_options {
    ladder_spacing spacing = ladder_spacing::even;
    std::int64_t microseconds_per_pixel = 250;  // proportional spacing: 10 ms are 40 pixels
    bool relative_sequence_numbers = false;     // SEQ and ACK minus each side's first SEQ (its ISS when its SYN is seen)
    bool show_times = true;                     // each row's time, from the first event, in the margin
    std::string title;                          // drawn above the columns when not empty
};

namespace ladder_detail {

inline std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

// "12.345 ms" (microseconds as milliseconds, three decimals).
inline std::string milliseconds(std::int64_t us) {
    const bool negative = us < 0;
    const std::uint64_t u = negative ? static_cast<std::uint64_t>(-(us + 1)) + 1u : static_cast<std::uint64_t>(us);
    std::string frac = std::to_string(u % 1000u);
    while (frac.size() < 3) frac.insert(frac.begin(), '0');
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict) on `const char* + string&&`.
    std::string out;
    if (negative) out += '-';
    out += std::to_string(u / 1000u);
    out += '.';
    out += frac;
    out += " ms";
    return out;
}

inline std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

constexpr std::size_t index(ladder_side s) noexcept { return static_cast<std::size_t>(s); }
constexpr ladder_side other(ladder_side s) noexcept {
    return s == ladder_side::left ? ladder_side::right : ladder_side::left;
}

// The first SEQ each side sent (its ISS when its SYN is the first), for relative numbers.
struct sequence_base {
    std::uint32_t base[ladder_side_count] = {0, 0};
};

inline sequence_base bases_of(const ladder& l, bool relative) {
    sequence_base b;
    if (!relative) return b;
    bool seen[ladder_side_count] = {false, false};
    for (const ladder_segment& s : l.segments) {
        const std::size_t i = index(s.from);
        if (seen[i] || s.header.rst()) continue;
        seen[i] = true;
        b.base[i] = s.header.seq;
    }
    return b;
}

// The state of `side` once every change at or before `t` has happened.
inline state state_at(const ladder& l, ladder_side side, std::int64_t t) {
    state st = side == ladder_side::left ? l.left_initial : l.right_initial;
    std::int64_t latest = 0;
    bool any = false;
    for (const ladder_state_change& c : l.state_changes) {
        if (c.side != side || c.at_us > t) continue;
        if (!any || c.at_us >= latest) {
            st = c.to;
            latest = c.at_us;
            any = true;
        }
    }
    return st;
}

// The distinct times of every send, arrival and state change, sorted.
inline std::vector<std::int64_t> times_of(const ladder& l) {
    std::vector<std::int64_t> t;
    for (const ladder_segment& s : l.segments) {
        t.push_back(s.sent_us);
        if (!s.lost) t.push_back(s.arrived_us);
    }
    for (const ladder_state_change& c : l.state_changes) t.push_back(c.at_us);
    // Insertion sort and unique: diagrams hold tens to hundreds of events.
    for (std::size_t i = 1; i < t.size(); ++i) {
        const std::int64_t v = t[i];
        std::size_t j = i;
        while (j > 0 && t[j - 1] > v) {
            t[j] = t[j - 1];
            --j;
        }
        t[j] = v;
    }
    std::vector<std::int64_t> unique;
    for (std::int64_t v : t) {
        if (unique.empty() || unique.back() != v) unique.push_back(v);
    }
    return unique;
}

// Segment indices in order of sending (stable).
inline std::vector<std::size_t> send_order(const ladder& l) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < l.segments.size(); ++i) {
        std::size_t j = order.size();
        order.push_back(i);
        while (j > 0 && l.segments[order[j - 1]].sent_us > l.segments[i].sent_us) {
            order[j] = order[j - 1];
            --j;
        }
        order[j] = i;
    }
    return order;
}

}  // namespace ladder_detail

// RFC 9293's notation (Figures 6-13): "<SEQ=100><ACK=301><CTL=SYN,ACK>". The ACK field only
// with the ACK bit; PSH and URG are not drawn (the RFC's figures omit them). `seq_base` and
// `ack_base` are subtracted modulo 2^32 (0 for absolute numbers). The text is not drawn:
// ladder_label adds its length, sim::format_segment a <DATA> field.
inline std::string segment_notation(const segment& s, std::uint32_t seq_base = 0, std::uint32_t ack_base = 0) {
    std::string out = "<SEQ=" + std::to_string(static_cast<std::uint32_t>(s.seq - seq_base)) + ">";
    if (s.ack_flag()) out += "<ACK=" + std::to_string(static_cast<std::uint32_t>(s.ack - ack_base)) + ">";
    std::string bits;
    const auto add = [&bits](bool on, const char* label) {
        if (!on) return;
        if (!bits.empty()) bits += ",";
        bits += label;
    };
    add(s.syn(), "SYN");
    add(s.rst(), "RST");
    add(s.fin(), "FIN");
    add(s.ack_flag(), "ACK");
    out += "<CTL=" + bits + ">";
    return out;
}

// segment_notation plus the text length: "<SEQ=101><ACK=301><CTL=ACK> len=6".
inline std::string ladder_label(const segment& s, std::uint32_t seq_base = 0, std::uint32_t ack_base = 0) {
    std::string out = segment_notation(s, seq_base, ack_base);
    if (s.text_length > 0) out += " len=" + std::to_string(s.text_length);
    return out;
}

// The ladder as a standalone SVG document. Deterministic: the same input and options give
// the same octets.
inline std::string ladder_svg(const ladder& l, const ladder_options& opt = ladder_options{}) {
    using namespace ladder_detail;
    // Geometry, in pixels: the time margin, each side's state labels, the columns.
    const std::int64_t time_width = opt.show_times ? 84 : 8;
    const std::int64_t left_x = time_width + 116;
    const std::int64_t gap = 600;
    const std::int64_t right_x = left_x + gap;
    const std::int64_t width = right_x + 132;
    const std::int64_t step = 36;  // one row (even spacing)
    const std::int64_t title_height = opt.title.empty() ? 0 : 24;
    const std::int64_t names_y = title_height + 24;
    const std::int64_t first_y = names_y + 30;  // the initial states' row

    const std::vector<std::int64_t> times = times_of(l);
    const std::int64_t t0 = times.empty() ? 0 : times.front();
    const std::int64_t per_px = opt.microseconds_per_pixel > 0 ? opt.microseconds_per_pixel : 1;
    const auto y_of = [&](std::int64_t t) -> std::int64_t {
        if (opt.spacing == ladder_spacing::proportional) return first_y + step + (t - t0) / per_px;
        std::size_t row = 0;
        while (row < times.size() && times[row] < t) ++row;
        return first_y + step * static_cast<std::int64_t>(row + 1);
    };
    const std::int64_t last_y = times.empty() ? first_y : y_of(times.back());
    const std::int64_t bottom = last_y + step;
    const std::int64_t height = bottom + 16;
    const std::int64_t col_x[ladder_side_count] = {left_x, right_x};
    const sequence_base bases = bases_of(l, opt.relative_sequence_numbers);

    std::string o;
    o += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" font-family=\"monospace\" font-size=\"12\">\n";
    o += "<defs>\n"
         "<marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
         "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#222\"/></marker>\n"
         "</defs>\n";
    o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    if (!opt.title.empty()) {
        o += "<text x=\"" + std::to_string(width / 2) + "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">" +
             xml_escape(opt.title) + "</text>\n";
    }
    // The two columns and their names.
    const std::string names[ladder_side_count] = {l.left_name, l.right_name};
    for (std::size_t i = 0; i < ladder_side_count; ++i) {
        o += "<text x=\"" + std::to_string(col_x[i]) + "\" y=\"" + std::to_string(names_y) +
             "\" text-anchor=\"middle\" font-weight=\"bold\">" + xml_escape(names[i]) + "</text>\n";
        o += "<line x1=\"" + std::to_string(col_x[i]) + "\" y1=\"" + std::to_string(names_y + 8) + "\" x2=\"" +
             std::to_string(col_x[i]) + "\" y2=\"" + std::to_string(bottom) + "\" stroke=\"#888\" stroke-width=\"2\"/>\n";
    }
    // The times of the rows.
    if (opt.show_times) {
        std::int64_t last_drawn = -1000;
        for (std::int64_t t : times) {
            const std::int64_t y = y_of(t);
            if (y - last_drawn < 12) continue;  // proportional rows closer than a line of text
            last_drawn = y;
            o += "<text x=\"6\" y=\"" + std::to_string(y + 4) + "\" fill=\"#777\" font-size=\"10\">" +
                 milliseconds(t - t0) + "</text>\n";
        }
    }
    // The states: the first ones, then each change (changes of one side at one time joined).
    const auto state_text = [&](std::size_t side, std::int64_t y, const std::string& label) {
        const bool left = side == 0;
        o += "<circle cx=\"" + std::to_string(col_x[side]) + "\" cy=\"" + std::to_string(y) +
             "\" r=\"3\" fill=\"#2a6\"/>\n";
        o += "<text x=\"" + std::to_string(left ? col_x[side] - 8 : col_x[side] + 8) + "\" y=\"" +
             std::to_string(y + 4) + "\" text-anchor=\"" + (left ? "end" : "start") + "\" fill=\"#185\">" +
             xml_escape(label) + "</text>\n";
    };
    state_text(0, first_y, rfc_name(l.left_initial));
    state_text(1, first_y, rfc_name(l.right_initial));
    for (std::size_t side = 0; side < ladder_side_count; ++side) {
        for (std::int64_t t : times) {
            std::string label;
            for (const ladder_state_change& c : l.state_changes) {
                if (index(c.side) != side || c.at_us != t) continue;
                if (!label.empty()) label += " \xE2\x86\x92 ";  // U+2192 RIGHTWARDS ARROW
                label += rfc_name(c.to);
            }
            if (!label.empty()) state_text(side, y_of(t), label);
        }
    }
    // The segments: an arrow each, the label a quarter of the way from its sender.
    for (std::size_t i : send_order(l)) {
        const ladder_segment& s = l.segments[i];
        const std::size_t from = index(s.from);
        const std::size_t to = index(other(s.from));
        const std::int64_t x1 = col_x[from];
        const std::int64_t y1 = y_of(s.sent_us);
        std::int64_t x2 = col_x[to];
        std::int64_t y2 = s.lost ? y1 + step : y_of(s.arrived_us);
        if (s.lost) {  // 60% of the way, then an X
            x2 = x1 + (x2 - x1) * 3 / 5;
            y2 = y1 + (y2 - y1) * 3 / 5;
        }
        const char* colour = s.lost ? "#c00" : (from == 0 ? "#1f4e99" : "#8a3b12");
        o += "<line x1=\"" + std::to_string(x1) + "\" y1=\"" + std::to_string(y1) + "\" x2=\"" + std::to_string(x2) +
             "\" y2=\"" + std::to_string(y2) + "\" stroke=\"" + colour + "\" stroke-width=\"1.5\"";
        o += s.lost ? " stroke-dasharray=\"6,3\"/>\n" : " marker-end=\"url(#head)\"/>\n";
        if (s.lost) {
            for (int d = -1; d <= 1; d += 2) {
                o += "<line x1=\"" + std::to_string(x2 - 6) + "\" y1=\"" + std::to_string(y2 - 6 * d) + "\" x2=\"" +
                     std::to_string(x2 + 6) + "\" y2=\"" + std::to_string(y2 + 6 * d) +
                     "\" stroke=\"#c00\" stroke-width=\"2\"/>\n";
            }
        }
        // The label above the arrow's middle; a quarter of the way from the sender when an
        // arrow the other way crosses it (simultaneous open or close), so both stay legible.
        const std::int64_t full_x2 = col_x[to];
        const std::int64_t full_y2 = s.lost ? y1 + step : y_of(s.arrived_us);
        const std::int64_t end_us = s.lost ? s.sent_us : s.arrived_us;
        bool crossed = false;
        for (const ladder_segment& c : l.segments) {
            const std::int64_t c_end = c.lost ? c.sent_us : c.arrived_us;
            if (c.from != s.from && c.sent_us < end_us && s.sent_us < c_end) crossed = true;
        }
        const std::int64_t parts = crossed ? 4 : 2;
        const std::int64_t lx = x1 + (full_x2 - x1) / parts;
        const std::int64_t ly = y1 + (full_y2 - y1) / parts - 7;
        const std::string label =
            ladder_label(s.header, bases.base[from], s.header.ack_flag() ? bases.base[to] : 0) + (s.lost ? " (lost)" : "");
        o += "<text x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly) + "\" text-anchor=\"middle\" fill=\"" +
             colour + "\" stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\">" + xml_escape(label) + "</text>\n";
    }
    o += "</svg>\n";
    return o;
}

// The ladder as text, one line per segment in order of sending, as RFC 9293's figures:
//
//   time        A              segment                                      B
//               CLOSED                                                      LISTEN
//   0.000 ms    SYN-SENT       --> <SEQ=100><CTL=SYN>                   --> SYN-RECEIVED
//  10.000 ms    ESTABLISHED    <-- <SEQ=300><ACK=101><CTL=SYN,ACK>      <-- SYN-RECEIVED
//
// The sender's state is the one after sending, the receiver's the one after arrival; a lost
// segment ends in "X" with no receiver state. A state change at a time when its side neither
// sent nor received (a timer, a call) gets a line of its own.
inline std::string ladder_text(const ladder& l, const ladder_options& opt = ladder_options{}) {
    using namespace ladder_detail;
    const std::vector<std::int64_t> times = times_of(l);
    const std::int64_t t0 = times.empty() ? 0 : times.front();
    const sequence_base bases = bases_of(l, opt.relative_sequence_numbers);
    constexpr std::size_t time_w = 14;
    constexpr std::size_t state_w = 15;
    constexpr std::size_t label_w = 44;
    const auto line = [&](const std::string& time, const std::string& left, const std::string& middle,
                          const std::string& right) {
        std::string out = opt.show_times ? pad(time, time_w) : std::string();
        out += pad(left, state_w) + pad(middle, label_w + 9) + right;
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string o;
    if (!opt.title.empty()) o += opt.title + "\n";
    o += line("", l.left_name, "", l.right_name);
    o += line("", rfc_name(l.left_initial), "", rfc_name(l.right_initial));

    // Lines in time order: segments at their sending, state changes no segment explains.
    const std::vector<std::size_t> order = send_order(l);
    const auto explained = [&](const ladder_state_change& c) {
        for (const ladder_segment& s : l.segments) {
            if (s.from == c.side && s.sent_us == c.at_us) return true;
            if (!s.lost && s.from != c.side && s.arrived_us == c.at_us) return true;
        }
        return false;
    };
    std::size_t next_segment = 0;
    for (std::int64_t t : times) {
        for (const ladder_state_change& c : l.state_changes) {
            if (c.at_us != t || explained(c)) continue;
            const bool left = c.side == ladder_side::left;
            o += line(milliseconds(t - t0), left ? rfc_name(c.to) : "", "", left ? "" : rfc_name(c.to));
        }
        while (next_segment < order.size() && l.segments[order[next_segment]].sent_us == t) {
            const ladder_segment& s = l.segments[order[next_segment++]];
            const std::size_t from = index(s.from);
            const std::size_t to = index(other(s.from));
            const std::string label = pad(ladder_label(s.header, bases.base[from], s.header.ack_flag() ? bases.base[to] : 0), label_w);
            const std::string sender = rfc_name(state_at(l, s.from, s.sent_us));
            const std::string receiver = s.lost ? "" : rfc_name(state_at(l, other(s.from), s.arrived_us));
            std::string middle;
            std::string left;
            std::string right;
            if (s.from == ladder_side::left) {
                middle = "--> " + label + (s.lost ? " X  " : " -->");
                left = sender;
                right = receiver;
            } else {
                middle = (s.lost ? "  X " : "<-- ") + label + " <--";
                left = receiver;
                right = sender;
            }
            std::string tail = right;
            if (!s.lost) tail += (tail.empty() ? "" : "  ") + std::string("(arrives ") + milliseconds(s.arrived_us - t0) + ")";
            else tail += std::string(tail.empty() ? "" : "  ") + "(lost)";
            o += line(milliseconds(t - t0), left, middle, tail);
        }
    }
    return o;
}

}  // namespace tcpfsm

#endif  // TCPFSM_LADDER_HPP
