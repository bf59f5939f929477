// SPDX-License-Identifier: MIT
#include "options.hpp"

#include "tun_device.hpp"

#include <linux/if.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tun {

void usage(const char* program) {
    std::fprintf(stderr,
        "usage: %s --mode client|server|simultaneous|serve --local ADDR [options]\n"
        "Modes:\n"
        "  client        connect to --remote ADDR --rport N (active OPEN)\n"
        "  server        accept one connection on --lport N (passive OPEN, one engine)\n"
        "  simultaneous  both ports fixed: wait for the kernel's SYN, send ours (RFC 9293 Figure 7)\n"
        "  serve         a tcpfsm::listener on --lport N, many connections, SYN cookies;\n"
        "                each connection runs --app\n"
        "Common:\n"
        "  --dev NAME              TUN device (default tun0; created if absent)\n"
        "  --local ADDR            our IPv4 or IPv6 address (on the device's subnet, not the kernel's)\n"
        "  --remote ADDR           the kernel's address (client, simultaneous)\n"
        "  --lport N, --rport N    our port (client default: ephemeral), the peer's port\n"
        "  --quiet | --trace       log only errors and the end | also every segment, row, DATA, ACKED\n"
        "  --rto rfc6298|linux     RTO bounds: RFC 6298's 1 s / 60 s (default) or Linux's 200 ms / 120 s\n"
        "  --mss N                 our MSS (default: device MTU - 40 for IPv4, - 60 for IPv6)\n"
        "  --msl-ms N              MSL (TIME-WAIT is 2*MSL; default 30000)\n"
        "  --receive-buffer N      RCV.BUFF in octets (default 65535; above it the window is scaled,\n"
        "                          RFC 7323, when the peer offers it); client, server, simultaneous\n"
        "  --fin-wait-2-ms N, --syn-retries N, --synack-retries N, --retries2 N, --user-timeout-ms N\n"
        "  --keepalive IDLE_MS:INTERVAL_MS:PROBES   keepalive on\n"
        "  --deadline-ms N         give up after N ms (exit status 2; default: never)\n"
        "One connection (client, server, simultaneous):\n"
        "  --in FILE|-             send the file (or stdin); CLOSE after its last octet\n"
        "  --out FILE|-            write what is received to the file (or stdout; the log goes to stderr)\n"
        "  --send TEXT [--send-repeat K]      send TEXT K times (instead of --in)\n"
        "  --expect TEXT [--expect-repeat K]  data we must receive (exit status 3 if not)\n"
        "  --close-when eof|received|peer-fin|never\n"
        "                          eof: once everything to send is queued (default with --in);\n"
        "                          received: once it is acknowledged and --expect is in (default\n"
        "                          otherwise); peer-fin: that and the peer's FIN; never\n"
        "  --abort                 ABORT (RST) instead of CLOSE\n"
        "  --exit-at-time-wait     end the program when the connection enters TIME-WAIT\n"
        "  --drop-last-ack         drop our first pure ACK sent in TIME-WAIT (once)\n"
        "  --hold POINT=FILE       at POINT (a state such as FIN-WAIT-2, or received, peer-fin,\n"
        "                          peer-syn) stop reading the device and stop user calls until\n"
        "                          FILE exists (repeatable; at most --hold-max-ms, default 20000)\n"
        "serve:\n"
        "  --app echo|discard|source|http     per connection: send back what arrives; read and\n"
        "                          drop it; send --bytes N octets of `seq 0 N` text then close;\n"
        "                          HTTP/1.0 GET and PUT of files under --root DIR\n"
        "  --bytes N               source: octets to send\n"
        "  --root DIR              http: the directory served (nothing outside it is reachable)\n"
        "  --max-put N             http: the largest PUT body (default 1 GiB; larger: 413)\n"
        "  --connections N         exit after N connections have ended (default: run until SIGTERM)\n"
        "  --backlog N             accept queue (default 128); --syn-backlog N: SYN queue (default: backlog)\n"
        "  --syn-cookies off|on|always        on: when the SYN queue is full (default)\n"
        "  --max-connections N     connection table (default 1024)\n"
        "Exit status: 0 done (one connection: it ended in CLOSED as scripted), 1 setup error,\n"
        "2 deadline, 3 received data differs from --expect, 4 an I/O error on --in/--out.\n",
        program);
}

const char* mode_name(run_mode m) {
    switch (m) {
        case run_mode::client: return "client";
        case run_mode::server: return "server";
        case run_mode::simultaneous: return "simultaneous";
        case run_mode::serve: return "serve";
    }
    return "?";
}

const char* app_name(application a) {
    switch (a) {
        case application::echo: return "echo";
        case application::discard: return "discard";
        case application::source: return "source";
        case application::http: return "http";
    }
    return "?";
}

namespace {

bool parse_number(const char* text, unsigned long long max, unsigned long long& out) {
    if (text == nullptr || *text < '0' || *text > '9') return false;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > max) return false;
    out = v;
    return true;
}

}  // namespace

bool parse_options(int argc, char** argv, options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            usage(argv[0]);
            std::exit(0);
        }
        if (arg == "--abort") { o.abort_instead_of_close = true; continue; }
        if (arg == "--drop-last-ack") { o.drop_last_ack = true; continue; }
        if (arg == "--quiet") { log_config().level = log_level::quiet; continue; }
        if (arg == "--trace") { log_config().level = log_level::trace; continue; }
        if (arg == "--exit-at-time-wait") { o.exit_at_time_wait = true; continue; }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "tcpfsm_tun: %s needs a value\n", arg.c_str());
            return false;
        }
        const char* value = argv[++i];
        const std::string v = value;
        unsigned long long n = 0;
        bool ok = true;
        if (arg == "--mode") {
            if (v == "client") o.mode = run_mode::client;
            else if (v == "server") o.mode = run_mode::server;
            else if (v == "simultaneous") o.mode = run_mode::simultaneous;
            else if (v == "serve") o.mode = run_mode::serve;
            else ok = false;
        } else if (arg == "--dev") {
            o.device = v;
            ok = !v.empty() && v.size() < IFNAMSIZ;
        } else if (arg == "--local") {
            ok = o.have_local = parse_address(value, o.local);
        } else if (arg == "--remote") {
            ok = o.have_remote = parse_address(value, o.remote);
        } else if (arg == "--lport" || arg == "--rport") {
            ok = parse_number(value, 65535, n) && n != 0;
            (arg == "--lport" ? o.local_port : o.remote_port) = static_cast<std::uint16_t>(n);
        } else if (arg == "--send") {
            o.send_text = v;
        } else if (arg == "--send-repeat") {
            ok = parse_number(value, 100000, n);
            o.send_repeat = static_cast<unsigned>(n);
        } else if (arg == "--in") {
            o.input_path = v;
            ok = !v.empty();
        } else if (arg == "--out") {
            o.output_path = v;
            ok = !v.empty();
        } else if (arg == "--expect") {
            o.expect_text = v;
            o.have_expect = true;
        } else if (arg == "--expect-repeat") {
            ok = parse_number(value, 100000, n);
            o.expect_repeat = static_cast<unsigned>(n);
        } else if (arg == "--close-when") {
            o.have_close_when = true;
            if (v == "eof") o.close_when = close_trigger::eof;
            else if (v == "received") o.close_when = close_trigger::received;
            else if (v == "peer-fin") o.close_when = close_trigger::peer_fin;
            else if (v == "never") o.close_when = close_trigger::never;
            else ok = false;
        } else if (arg == "--app") {
            if (v == "echo") o.app = application::echo;
            else if (v == "discard") o.app = application::discard;
            else if (v == "source") o.app = application::source;
            else if (v == "http") o.app = application::http;
            else ok = false;
        } else if (arg == "--bytes") {
            ok = parse_number(value, ~0ull >> 1, n);
            o.source_octets = n;
        } else if (arg == "--root") {
            o.root = v;
            ok = !v.empty();
        } else if (arg == "--max-put") {
            ok = parse_number(value, ~0ull >> 1, n);
            o.max_put = n;
        } else if (arg == "--connections") {
            ok = parse_number(value, ~0ull >> 1, n);
            o.connections = n;
        } else if (arg == "--backlog" || arg == "--syn-backlog" || arg == "--max-connections") {
            ok = parse_number(value, 1u << 24, n) && (n != 0 || arg == "--syn-backlog");
            const auto u = static_cast<std::uint32_t>(n);
            if (arg == "--backlog") o.listener.backlog = u;
            else if (arg == "--syn-backlog") o.listener.syn_backlog = u;
            else o.listener.max_connections = u;
        } else if (arg == "--syn-cookies") {
            if (v == "off") o.listener.syn_cookies = tcpfsm::syn_cookie_mode::off;
            else if (v == "on") o.listener.syn_cookies = tcpfsm::syn_cookie_mode::when_syn_queue_full;
            else if (v == "always") o.listener.syn_cookies = tcpfsm::syn_cookie_mode::always;
            else ok = false;
        } else if (arg == "--rto") {
            if (v == "rfc6298") o.rto = rto_profile::rfc6298;
            else if (v == "linux") o.rto = rto_profile::linux_bounds;
            else ok = false;
        } else if (arg == "--mss") {
            ok = parse_number(value, 65535, n) && n >= 64;
            o.mss = static_cast<std::uint16_t>(n);
        } else if (arg == "--receive-buffer") {
            ok = parse_number(value, 1u << 30, n) && n >= 1;
            o.receive_buffer = static_cast<std::uint32_t>(n);
        } else if (arg == "--msl-ms") {
            ok = parse_number(value, 0x3fffffff, n);
            o.timers.msl_ms = static_cast<std::uint32_t>(n);
        } else if (arg == "--fin-wait-2-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.timers.fin_wait_2_ms = static_cast<std::uint32_t>(n);
        } else if (arg == "--syn-retries") {
            ok = parse_number(value, 1000, n);
            o.timers.syn_retries = static_cast<std::uint32_t>(n);
        } else if (arg == "--synack-retries") {
            ok = parse_number(value, 1000, n);
            o.timers.synack_retries = static_cast<std::uint32_t>(n);
        } else if (arg == "--retries2") {
            ok = parse_number(value, 1000, n);
            o.timers.retries2 = static_cast<std::uint32_t>(n);
        } else if (arg == "--user-timeout-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.timers.user_timeout_ms = static_cast<std::uint32_t>(n);
        } else if (arg == "--keepalive") {
            unsigned long long idle = 0, interval = 0, probes = 0;
            char a[32] = {}, b[32] = {}, c[32] = {};
            ok = std::sscanf(value, "%31[0-9]:%31[0-9]:%31[0-9]", a, b, c) == 3 &&
                 parse_number(a, 0x7fffffff, idle) && parse_number(b, 0x7fffffff, interval) &&
                 parse_number(c, 10000, probes) && probes >= 1;
            o.timers.keepalive = true;
            o.timers.keepalive_idle_ms = static_cast<std::uint32_t>(idle);
            o.timers.keepalive_interval_ms = static_cast<std::uint32_t>(interval);
            o.timers.keepalive_probes = static_cast<std::uint32_t>(probes);
        } else if (arg == "--hold") {
            const std::size_t eq = v.find('=');
            ok = eq != std::string::npos && eq > 0 && eq + 1 < v.size();
            if (ok) {
                hold_point p;
                p.point = v.substr(0, eq);
                p.file = v.substr(eq + 1);
                o.holds.push_back(p);
            }
        } else if (arg == "--hold-max-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.hold_max_ms = static_cast<std::uint32_t>(n);
        } else if (arg == "--deadline-ms") {
            ok = parse_number(value, 0x7fffffff, n);
            o.deadline_ms = static_cast<std::uint32_t>(n);
        } else {
            std::fprintf(stderr, "tcpfsm_tun: unknown option %s\n", arg.c_str());
            return false;
        }
        if (!ok) {
            std::fprintf(stderr, "tcpfsm_tun: bad value for %s: %s\n", arg.c_str(), value);
            return false;
        }
    }
    auto error = [](const char* text) {
        std::fprintf(stderr, "tcpfsm_tun: %s\n", text);
        return false;
    };
    if (!o.have_local) return error("--local is required");
    const bool one = o.mode != run_mode::serve;
    if ((o.mode == run_mode::client || o.mode == run_mode::simultaneous) && (!o.have_remote || o.remote_port == 0)) {
        return error("--remote and --rport are required in this mode");
    }
    if (o.mode != run_mode::client && o.local_port == 0) return error("--lport is required in this mode");
    if (o.have_remote && o.remote.family != o.local.family) return error("--local and --remote must be of one family");
    if (one && !o.input_path.empty() && !o.send_text.empty()) return error("--in and --send exclude each other");
    if (!one && (!o.input_path.empty() || !o.output_path.empty() || !o.send_text.empty() || o.have_expect)) {
        return error("--in, --out, --send and --expect are for one connection (not serve)");
    }
    if (o.mode == run_mode::serve && o.app == application::http && o.root.empty()) return error("--app http needs --root DIR");
    if (one && !o.have_close_when) {
        o.close_when = o.input_path.empty() ? close_trigger::received : close_trigger::eof;
    }
    if (!tcpfsm::is_valid(o.timers)) return error("the timer settings are out of range");
    o.listener.child.timers = o.timers;
    return true;
}

}  // namespace tun
