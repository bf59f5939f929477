// tcpfsm_diagram: writes a transition table of tcpfsm as a Graphviz DOT or Mermaid diagram.
//   tcpfsm_diagram [--format dot|mermaid] [--table standard|rfc1337|strict] [--self-loops]
//                  [--output FILE]
// Writes to stdout unless --output is given. Exit status 0 on success, 2 on bad arguments,
// 1 if the output cannot be written.
// SPDX-License-Identifier: MIT
#include <tcpfsm/diagram.hpp>
#include <tcpfsm/variants.hpp>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

const char usage[] =
    "usage: tcpfsm_diagram [--format dot|mermaid] [--table standard|rfc1337|strict]\n"
    "                      [--self-loops] [--output FILE]\n"
    "Writes a tcpfsm transition table as a diagram in the style of RFC 9293 Figure 5.\n"
    "Bold edges are the edges of Figure 5; dashed ones are resets, timeouts and the rest.\n";

enum class format { dot, mermaid };

template <class Table>
std::string render(const Table& table, format f,
                   const tcpfsm::diagram_options& opt) {
    return f == format::dot ? tcpfsm::to_dot(table, opt) : tcpfsm::to_mermaid(table, opt);
}

int bad_arguments(const char* what, const char* arg) {
    std::fprintf(stderr, "tcpfsm_diagram: %s '%s'\n%s", what, arg, usage);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    format f = format::dot;
    std::string table = "standard";
    const char* output = nullptr;
    tcpfsm::diagram_options opt;

    for (int i = 1; i < argc; ++i) {
        const char* arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0) {
            std::fputs(usage, stdout);
            return 0;
        } else if (std::strcmp(arg, "--self-loops") == 0) {
            opt.self_loops = true;
        } else if (std::strcmp(arg, "--format") == 0 && has_value) {
            const char* value = argv[++i];
            if (std::strcmp(value, "dot") == 0)
                f = format::dot;
            else if (std::strcmp(value, "mermaid") == 0)
                f = format::mermaid;
            else
                return bad_arguments("unknown format", value);
        } else if (std::strcmp(arg, "--table") == 0 && has_value) {
            table = argv[++i];
            if (table != "standard" && table != "rfc1337" && table != "strict")
                return bad_arguments("unknown table", table.c_str());
        } else if (std::strcmp(arg, "--output") == 0 && has_value) {
            output = argv[++i];
        } else {
            return bad_arguments("unknown or incomplete argument", arg);
        }
    }

    std::string text;
    if (table == "standard") {
        opt.title = "tcpfsm standard_table: RFC 9293 with RFC 5961 and Linux's choices";
        text = render(tcpfsm::standard_table, f, opt);
    } else if (table == "rfc1337") {
        opt.title = "tcpfsm rfc1337_table: TIME-WAIT ignores RST (RFC 1337)";
        text = render(tcpfsm::rfc1337_table, f, opt);
    } else {
        opt.title = "tcpfsm strict_table: RFC 9293 to the letter";
        text = render(tcpfsm::strict_table, f, opt);
    }

    std::FILE* out = output != nullptr ? std::fopen(output, "wb") : stdout;
    if (out == nullptr) {
        std::fprintf(stderr, "tcpfsm_diagram: cannot open '%s' for writing\n", output);
        return 1;
    }
    const bool written = std::fwrite(text.data(), 1, text.size(), out) == text.size();
    const bool closed = output != nullptr ? std::fclose(out) == 0 : std::fflush(out) == 0;
    if (!written || !closed) {
        std::fprintf(stderr, "tcpfsm_diagram: write failed\n");
        return 1;
    }
    return 0;
}
