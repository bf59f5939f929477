// ladder_svg, ladder_text and ladder_label of ladder.hpp on hand-made ladders, and
// sim::ladder_of on a simulated handshake. Expected labels are RFC 9293's notation (Figure 6:
// <SEQ=100><CTL=SYN>, <SEQ=300><ACK=101><CTL=SYN,ACK>) written by hand; expected counts and
// coordinates are arithmetic on the geometry ladder.hpp documents.
#include <tcpfsm/ladder.hpp>
#include <tcpfsm/simulator.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

using tcpfsm::ladder_side;
using tcpfsm::state;

tcpfsm::segment seg_of(std::uint32_t seq, std::uint32_t ack, std::uint8_t flags, std::uint32_t length = 0) {
    tcpfsm::segment s;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.text_length = length;
    return s;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

// RFC 9293 Figure 6's handshake with 10 ms each way, the third segment lost and sent again.
tcpfsm::ladder figure6_with_a_loss() {
    namespace ctl = tcpfsm::ctl;
    tcpfsm::ladder l;
    l.left_name = "TCP Peer A";
    l.right_name = "TCP Peer B";
    l.left_initial = state::closed;
    l.right_initial = state::listen;
    l.segments.push_back({0, ladder_side::left, seg_of(100, 0, ctl::syn), false, 10000});
    l.segments.push_back({10000, ladder_side::right, seg_of(300, 101, ctl::syn | ctl::ack), false, 20000});
    l.segments.push_back({20000, ladder_side::left, seg_of(101, 301, ctl::ack), true, 0});
    l.segments.push_back({25000, ladder_side::left, seg_of(101, 301, ctl::ack, 7), false, 35000});
    l.state_changes.push_back({0, ladder_side::left, state::syn_sent});
    l.state_changes.push_back({10000, ladder_side::right, state::syn_received});
    l.state_changes.push_back({20000, ladder_side::left, state::established});
    l.state_changes.push_back({35000, ladder_side::right, state::established});
    return l;
}

}  // namespace

TEST_CASE("ladder_label writes RFC 9293's segment notation and the text length", "[ladder]") {
    namespace ctl = tcpfsm::ctl;
    CHECK(tcpfsm::ladder_label(seg_of(100, 0, ctl::syn)) == "<SEQ=100><CTL=SYN>");
    CHECK(tcpfsm::ladder_label(seg_of(300, 101, ctl::syn | ctl::ack)) == "<SEQ=300><ACK=101><CTL=SYN,ACK>");
    CHECK(tcpfsm::ladder_label(seg_of(101, 301, ctl::ack | ctl::psh, 6)) == "<SEQ=101><ACK=301><CTL=ACK> len=6");
    CHECK(tcpfsm::ladder_label(seg_of(5, 0, ctl::rst)) == "<SEQ=5><CTL=RST>");
    // Relative numbers: 4294967295 + 2 wraps to 1; 101 - 100 = 1.
    CHECK(tcpfsm::ladder_label(seg_of(1, 101, ctl::ack | ctl::fin), 4294967295u, 100) == "<SEQ=2><ACK=1><CTL=FIN,ACK>");
}

TEST_CASE("ladder_svg draws a column per side, an arrow per delivered segment, an X per lost one", "[ladder]") {
    const tcpfsm::ladder l = figure6_with_a_loss();
    const std::string svg = tcpfsm::ladder_svg(l);
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("</svg>\n") == svg.size() - 7);
    // Three delivered segments end in an arrowhead; the lost one is dashed with two strokes of an X.
    CHECK(count_of(svg, "marker-end=\"url(#head)\"") == 3);
    CHECK(count_of(svg, "stroke-dasharray") == 1);
    CHECK(count_of(svg, "stroke=\"#c00\" stroke-width=\"2\"") == 2);
    // Labels are escaped: the notation's brackets become entities.
    CHECK(svg.find("&lt;SEQ=300&gt;&lt;ACK=101&gt;&lt;CTL=SYN,ACK&gt;") != std::string::npos);
    CHECK(svg.find("&lt;SEQ=101&gt;&lt;ACK=301&gt;&lt;CTL=ACK&gt; (lost)") != std::string::npos);
    CHECK(svg.find("<SEQ") == std::string::npos);
    // Names, the first states and every change: 2 first + 4 changes = 6 state marks.
    CHECK(svg.find(">TCP Peer A</text>") != std::string::npos);
    CHECK(svg.find(">TCP Peer B</text>") != std::string::npos);
    CHECK(count_of(svg, "<circle") == 6);
    CHECK(count_of(svg, ">SYN-RECEIVED</text>") == 1);
    CHECK(count_of(svg, ">ESTABLISHED</text>") == 2);
    // Deterministic.
    CHECK(tcpfsm::ladder_svg(l) == svg);
}

TEST_CASE("ladder_svg spaces rows evenly or in proportion to time", "[ladder]") {
    const tcpfsm::ladder l = figure6_with_a_loss();
    // Columns at x = 84 + 116 = 200 and 200 + 600 = 800. Distinct times: 0, 10, 20, 25, 35 ms:
    // five rows below the first states' row at y = 24 + 30 = 54, 36 pixels apart: the SYN
    // leaves at y = 54 + 36 = 90 and arrives one row later at 126.
    const std::string even = tcpfsm::ladder_svg(l);
    CHECK(even.find("<line x1=\"200\" y1=\"90\" x2=\"800\" y2=\"126\"") != std::string::npos);
    // The lost ACK leaves at row 3 (y = 162) from A's column, and stops 3/5 of the way
    // to where the next row would be: x = 200 + 600 * 3 / 5 = 560, y = 162 + 36 * 3 / 5 = 183.
    CHECK(even.find("<line x1=\"200\" y1=\"162\" x2=\"560\" y2=\"183\"") != std::string::npos);
    // Proportional at 250 us a pixel: 10 ms are 40 pixels, from y = 90.
    tcpfsm::ladder_options opt;
    opt.spacing = tcpfsm::ladder_spacing::proportional;
    const std::string proportional = tcpfsm::ladder_svg(l, opt);
    CHECK(proportional.find("<line x1=\"200\" y1=\"90\" x2=\"800\" y2=\"130\"") != std::string::npos);
    // The data segment: sent at 25 ms (90 + 100), arrives at 35 ms (90 + 140).
    CHECK(proportional.find("<line x1=\"200\" y1=\"190\" x2=\"800\" y2=\"230\"") != std::string::npos);
}

TEST_CASE("ladder_text writes one line per segment with the states after it", "[ladder]") {
    const std::string text = tcpfsm::ladder_text(figure6_with_a_loss());
    CHECK(text.find("CLOSED") != std::string::npos);
    CHECK(text.find("SYN-SENT       --> <SEQ=100><CTL=SYN>") != std::string::npos);
    CHECK(text.find("ESTABLISHED    <-- <SEQ=300><ACK=101><CTL=SYN,ACK>") != std::string::npos);
    // The lost ACK: an X and no receiver state.
    CHECK(text.find("<SEQ=101><ACK=301><CTL=ACK>") != std::string::npos);
    REQUIRE(count_of(text, "(lost)") == 1);
    const std::size_t lost_at = text.find("(lost)");
    const std::size_t line_start = text.rfind('\n', lost_at) + 1;
    const std::string lost_line = text.substr(line_start, lost_at - line_start);
    CHECK(lost_line.find("--> <SEQ=101><ACK=301><CTL=ACK> ") != std::string::npos);
    CHECK(lost_line.find(" X ") != std::string::npos);
    CHECK(count_of(lost_line, "-->") == 1);  // no arrow reaches B
    // B's state after the data arrives (35 ms) is ESTABLISHED.
    CHECK(text.find("len=7") != std::string::npos);
    CHECK(text.find("--> ESTABLISHED  (arrives 35.000 ms)") != std::string::npos);
    CHECK(count_of(text, "\n") == 2 + 4);  // names, first states, four segments
}

TEST_CASE("sim::ladder_of takes the wire log and both endpoints' state changes", "[ladder]") {
    tcpfsm::sim::network net;
    auto& a = net.add("A");
    auto& b = net.add("B");
    net.connect(a, b);  // 10 ms each way
    b.open_passive();
    a.open_active();
    net.run_until(50);
    const tcpfsm::ladder l = tcpfsm::sim::ladder_of(net, a, b);
    CHECK(l.left_name == "A");
    CHECK(l.right_name == "B");
    CHECK(l.left_initial == state::closed);
    CHECK(l.right_initial == state::closed);
    REQUIRE(l.segments.size() == 3);  // SYN, SYN-ACK, ACK
    CHECK(l.segments[0].from == ladder_side::left);
    CHECK(l.segments[0].sent_us == 0);
    CHECK(l.segments[0].arrived_us == 10000);
    CHECK(l.segments[1].from == ladder_side::right);
    CHECK(l.segments[1].header.syn());
    CHECK(l.segments[1].arrived_us == 20000);
    CHECK(l.segments[2].arrived_us == 30000);
    CHECK_FALSE(l.segments[2].lost);
    // A: SYN-SENT, ESTABLISHED; B: LISTEN, SYN-RECEIVED, ESTABLISHED.
    CHECK(l.state_changes.size() == 5);
}
