// tcpfsm benchmarks: full lifecycles of connection pairs in memory, for the engine benchmark.
//
// One batch: `pairs` client/server pairs at once, each doing the same lifecycle:
//   server: passive OPEN (LISTEN)           client: active OPEN, then SEND of a 100-octet request
//   handshake
//   server: receives the request, RECEIVEs it, SENDs a 100-octet reply and CLOSEs (it closes first,
//           as an HTTP/1.0 server does, so it holds TIME-WAIT)
//   client: receives the reply and the FIN, CLOSEs (LAST-ACK, then CLOSED)
//   time passes until the server's TIME-WAIT expires (tcpfsm: 2 MSL = 60 s; lwIP: 2 * TCP_MSL
//   = 120 s); the batch ends when every connection of it is CLOSED.
// No time passes while segments are in flight: a wire delivers every queued segment in order
// (FIFO) until none is left, then the clock jumps to the next timer.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_PAIRS_HPP
#define TCPFSM_BENCH_PAIRS_HPP

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tcpfsm_bench {

inline constexpr std::uint32_t request_octets = 100;
inline constexpr std::uint32_t reply_octets = 100;
inline constexpr std::uint16_t server_port = 80;
inline constexpr std::uint16_t first_client_port = 10000;

struct batch_result {
    std::uint64_t lifecycles = 0;  // pairs that completed the whole lifecycle correctly
    std::uint64_t segments = 0;    // segments delivered, both directions
    std::uint64_t failures = 0;    // pairs that did not
    std::uint64_t timer_steps = 0;  // times the clock jumped to a timer
    std::string first_failure;

    batch_result& operator+=(const batch_result& o) {
        lifecycles += o.lifecycles;
        segments += o.segments;
        failures += o.failures;
        timer_steps += o.timer_steps;
        if (first_failure.empty()) first_failure = o.first_failure;
        return *this;
    }
};

class pair_world {
public:
    virtual ~pair_world() = default;
    virtual batch_result run_batch() = 0;
};

// Two tcpfsm::connection endpoints per pair, default connection_config (delayed ACK and one
// segment per turn, as lwIP's output at the end of input), or with pairs_config::reference
// tcpfsm::rfc_reference_config (every ACK at once, RFC 9293 §3.10's replies), or
// pairs_config::lwip_options (the defaults less the options lwIP does not negotiate). Each endpoint's
// turn ends after its input: its due timers (the per-turn deadline at now) run then. With
// `wire_codec`, every segment is serialized as IPv4 + TCP with both checksums (wire.hpp) and
// parsed and verified on arrival, the receiver found by the TCP ports; without, the wire
// carries tcpfsm::segment and a copy of the text to the receiving endpoint.
// The connection_config of the tcpfsm endpoints.
enum class pairs_config {
    defaults,          // tcpfsm::default_connection_config
    reference,         // tcpfsm::rfc_reference_config
    lwip_options,      // the defaults with the options lwIP 2.1 negotiates here (window scaling,
                       // lwipopts.h's LWIP_WND_SCALE), so no timestamps, SACK or RACK-TLP
};
std::unique_ptr<pair_world> make_tcpfsm_pairs(std::size_t pairs, bool wire_codec,
                                              pairs_config config = pairs_config::defaults);

#if defined(TCPFSM_BENCH_LWIP)
// lwIP 2.1 client and server pcbs in one lwIP (lwip_pairs.cpp).
std::unique_ptr<pair_world> make_lwip_pairs(std::size_t pairs);
#endif

}  // namespace tcpfsm_bench

#endif  // TCPFSM_BENCH_PAIRS_HPP
