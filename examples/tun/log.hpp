// tcpfsm_tun's log: one line per record, keyword first, "t=<ms since start>" last, e.g.
// "STATE FIN-WAIT-1 -> FIN-WAIT-2 event=rcv_ack_of_fin t=12". Three levels: quiet (errors
// and the EXIT line), events (connections, states, user calls; the default) and trace (also
// every segment, row, DATA and ACKED line). The log goes to stdout, or to stderr when stdout
// carries received data (--out -).
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_TUN_LOG_HPP
#define TCPFSM_TUN_LOG_HPP

#include <tcpfsm/segment.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tun {

enum class log_level { quiet, events, trace };

struct log_settings {
    log_level level = log_level::events;
    std::FILE* out = stdout;
};

log_settings& log_config();
long long elapsed_ms();

inline bool logging_events() { return log_config().level >= log_level::events; }
inline bool tracing() { return log_config().level >= log_level::trace; }

// Always written (errors, EXIT, STATS).
__attribute__((format(printf, 1, 2))) void log_line(const char* format, ...);
// Written at level events and trace.
#define TUN_EVENT(...) (::tun::logging_events() ? ::tun::log_line(__VA_ARGS__) : void())
// Written at level trace.
#define TUN_TRACE(...) (::tun::tracing() ? ::tun::log_line(__VA_ARGS__) : void())

// Printable ASCII as is, the rest (and quote, backslash) as \xNN; at most `limit` octets.
std::string escaped(const std::uint8_t* data, std::size_t length, std::size_t limit = 64);
// "SA", "FPA", ...: the control bits of a segment.
std::string flag_letters(std::uint8_t flags);
const char* errno_name(int e);

}  // namespace tun

#endif
