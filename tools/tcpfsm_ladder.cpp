// tcpfsm_ladder: runs a scenario in the simulator and draws its connection as a ladder
// diagram (ladder.hpp), in SVG or text. The committed docs/ladder/*.svg are its output
// (cmake --build <dir> --target ladder_docs); test/diagram checks they are current.
//   tcpfsm_ladder [--scenario handshake_data_close|simultaneous_close|lost_syn]
//                 [--format svg|text] [--spacing even|proportional] [--output FILE]
// Exit status 0 on success, 2 on bad arguments, 1 if the output cannot be written or the
// scenario does not end as it should.
// SPDX-License-Identifier: MIT
#include <tcpfsm/ladder.hpp>
#include <tcpfsm/simulator.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

const char usage[] =
    "usage: tcpfsm_ladder [--scenario handshake_data_close|simultaneous_close|lost_syn]\n"
    "                     [--format svg|text] [--spacing even|proportional] [--output FILE]\n"
    "Runs a scenario in tcpfsm's simulator (10 ms each way; A's ISS 100, B's 300 as in\n"
    "RFC 9293's figures) and draws the connection as a ladder diagram.\n";

int bad_arguments(const char* what, const char* arg) {
    std::fprintf(stderr, "tcpfsm_ladder: %s '%s'\n%s", what, arg, usage);
    return 2;
}

std::uint32_t fixed_iss(std::uint32_t value, const tcpfsm::four_tuple&, std::uint64_t) { return value; }

struct outcome {
    tcpfsm::ladder diagram;
    std::string title;
    bool ok = false;
};

// A (client) opens to B (server) listening; the scenario's calls follow.
outcome run(const std::string& scenario) {
    using tcpfsm::state;
    tcpfsm::sim::network_config cfg;
    cfg.seed = 1;
    tcpfsm::sim::network net(cfg);
    auto& a = net.add("A");
    auto& b = net.add("B");
    net.connect(a, b);
    a.set_iss([](const tcpfsm::four_tuple& t, std::uint64_t us) { return fixed_iss(100, t, us); });
    b.set_iss([](const tcpfsm::four_tuple& t, std::uint64_t us) { return fixed_iss(300, t, us); });
    outcome out;
    b.open_passive();
    if (scenario == "lost_syn") net.drop_next(tcpfsm::sim::sent_from(a, tcpfsm::sim::pattern::syn));
    a.open_active();
    if (scenario == "handshake_data_close") {
        out.title = "Three-way handshake, data, four-way close (RFC 9293 3.5, 3.6)";
        net.schedule(40, [&a] { a.send(std::string("hello")); }, "A sends 5 octets");
        net.schedule(100, [&a] { a.close(); }, "A closes");
        net.schedule(150, [&b] { b.close(); }, "B closes");
    } else if (scenario == "simultaneous_close") {
        out.title = "Simultaneous close (RFC 9293 3.6, Figure 13)";
        net.schedule(100, [&a] { a.close(); }, "A closes");
        net.schedule(100, [&b] { b.close(); }, "B closes");
    } else {
        out.title = "A lost SYN, retransmitted (RFC 9293 3.8.1)";
        net.schedule(1200, [&a] { a.close(); }, "A closes");
        net.schedule(1250, [&b] { b.close(); }, "B closes");
    }
    net.run_until_idle();
    out.ok = a.st() == state::closed && b.st() == state::closed && net.violations().empty();
    out.diagram = tcpfsm::sim::ladder_of(net, a, b);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string scenario = "handshake_data_close";
    std::string format = "svg";
    tcpfsm::ladder_options opt;
    const char* output = nullptr;
    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (std::strcmp(arg, "--scenario") == 0 && has_value) {
            scenario = argv[++i];
            if (scenario != "handshake_data_close" && scenario != "simultaneous_close" && scenario != "lost_syn")
                return bad_arguments("unknown scenario", argv[i]);
        } else if (std::strcmp(arg, "--format") == 0 && has_value) {
            format = argv[++i];
            if (format != "svg" && format != "text") return bad_arguments("unknown format", argv[i]);
        } else if (std::strcmp(arg, "--spacing") == 0 && has_value) {
            const std::string s = argv[++i];
            if (s == "even") opt.spacing = tcpfsm::ladder_spacing::even;
            else if (s == "proportional") opt.spacing = tcpfsm::ladder_spacing::proportional;
            else return bad_arguments("unknown spacing", argv[i]);
        } else if (std::strcmp(arg, "--output") == 0 && has_value) {
            output = argv[++i];
        } else if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
            std::fputs(usage, stdout);
            return 0;
        } else {
            return bad_arguments("unknown argument", arg);
        }
    }
    const outcome o = run(scenario);
    if (!o.ok) {
        std::fprintf(stderr, "tcpfsm_ladder: scenario %s did not end with both sides CLOSED\n", scenario.c_str());
        return 1;
    }
    opt.title = o.title;
    const std::string text = format == "svg" ? tcpfsm::ladder_svg(o.diagram, opt) : tcpfsm::ladder_text(o.diagram, opt);
    std::FILE* f = output != nullptr ? std::fopen(output, "wb") : stdout;
    if (f == nullptr) {
        std::fprintf(stderr, "tcpfsm_ladder: cannot write %s\n", output);
        return 1;
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (output != nullptr && std::fclose(f) != 0) return 1;
    return written ? 0 : 1;
}
