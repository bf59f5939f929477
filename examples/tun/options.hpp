// tcpfsm_tun's command line (--help prints it; README.md here explains every option).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_OPTIONS_HPP
#define TCPFSM_TUN_OPTIONS_HPP

#include "log.hpp"

#include <tcpfsm/iss.hpp>
#include <tcpfsm/listener.hpp>
#include <tcpfsm/timers.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tun {

// client: active OPEN; server: one passive OPEN (one connection); simultaneous: both SYNs
// cross (RFC 9293 Figure 7); serve: a tcpfsm::listener with an application per connection.
enum class run_mode { client, server, simultaneous, serve };
enum class close_trigger { eof, received, peer_fin, never };
enum class application { echo, discard, source, http };
enum class rto_profile { rfc6298, linux_bounds };

// The RTO estimator --rto names, as a type: Choice::rto.
template <class Rto>
struct rto_choice {
    using rto = Rto;
};
// Returns f(rto_choice<estimator>{}) for the estimator `p` names (RFC 6298's by default).
template <class F>
int with_rto_choice(rto_profile p, F&& f) {
    if (p == rto_profile::linux_bounds) return f(rto_choice<tcpfsm::linux_rto_estimator>{});
    return f(rto_choice<tcpfsm::rto_estimator>{});
}

// A point where the program stops reading the device and stops its scripted user calls
// until `file` exists (or hold_max_ms passes): a state name ("FIN-WAIT-2"), "received",
// "peer-fin" or "peer-syn". Tests use it to keep a kernel state long enough for `ss`.
struct hold_point {
    std::string point;
    std::string file;
    bool active = false;
    bool released = false;
    std::chrono::steady_clock::time_point since{};
};

struct options {
    run_mode mode = run_mode::client;
    std::string device = "tun0";
    tcpfsm::endpoint_address local{};
    tcpfsm::endpoint_address remote{};
    bool have_local = false;
    bool have_remote = false;
    std::uint16_t local_port = 0;  // 0: an ephemeral port (client)
    std::uint16_t remote_port = 0;
    // What one connection sends and receives (client, server, simultaneous).
    std::string send_text;
    unsigned send_repeat = 1;
    std::string input_path;   // --in FILE or "-" (stdin)
    std::string output_path;  // --out FILE or "-" (stdout)
    std::string expect_text;
    unsigned expect_repeat = 1;
    bool have_expect = false;
    bool have_close_when = false;
    close_trigger close_when = close_trigger::received;
    bool abort_instead_of_close = false;
    bool exit_at_time_wait = false;
    // serve
    application app = application::echo;
    std::uint64_t source_octets = 0;
    std::string root;  // http: the directory served
    std::uint64_t max_put = 1ull << 30;
    std::uint64_t connections = 0;  // serve: exit after this many connections ended (0: never)
    tcpfsm::listener_config listener{};
    // both
    std::uint16_t mss = 0;  // 0: the device MTU minus 40 (IPv4) or 60 (IPv6)
    std::uint32_t receive_buffer = 0;  // 0: connection_config's default (65535); not for serve
    rto_profile rto = rto_profile::rfc6298;
    bool drop_last_ack = false;
    std::vector<hold_point> holds;
    std::uint32_t hold_max_ms = 20000;
    std::uint32_t deadline_ms = 0;  // 0: none
    tcpfsm::timer_config timers = tcpfsm::default_timer_config;
};

void usage(const char* program);
// False (with a message on stderr) for a bad command line.
bool parse_options(int argc, char** argv, options& o);
const char* mode_name(run_mode m);
const char* app_name(application a);

}  // namespace tun

#endif
