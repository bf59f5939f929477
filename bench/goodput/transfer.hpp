// One transfer of the goodput benchmark: `payload` goes one way from side 0 (active open)
// to side 1 (passive open), and what a stack reports about it.
// SPDX-License-Identifier: MIT
#ifndef TCPFSM_BENCH_GOODPUT_TRANSFER_HPP
#define TCPFSM_BENCH_GOODPUT_TRANSFER_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "link_loop.hpp"

namespace tcpfsm_goodput {

struct transfer_result {
    loop_result outcome = loop_result::stalled;
    bool intact = true;               // every octet delivered equals the octet sent there
    std::uint64_t delivered = 0;      // octets delivered in order to side 1's application
    link_time finished_us = 0;        // when the last octet was delivered (0: never)
    std::uint32_t max_rto_ms = 0;     // the largest RTO the sender armed (tcpfsm: snapshot)
    bool rto_at_ceiling = false;      // the sender's RTO reached its configured maximum
    // The largest window the receiver advertised to the sender, in octets (after scaling,
    // once negotiated), capped by the sender's own send buffer: the `window` of the bound
    // window / RTT. tcpfsm: the sender's MAX.SND.WND (snapshot().max_snd_wnd); lwIP: the
    // sender pcb's snd_wnd_max, capped by TCP_SND_BUF.
    std::uint32_t window = 0;
    // The sender's loss recoveries, as the benchmark saw them after each input: entries into
    // fast recovery, and retransmission timeouts. tcpfsm: snapshot().recovery becoming
    // `recovery`, and `loss` entered or snapshot().backoff growing; lwIP: TF_INFR set, and
    // pcb->nrtx growing in the timers (tcp_slowtmr).
    std::uint32_t fast_recoveries = 0;
    std::uint32_t timeouts = 0;
    std::uint64_t packets_delivered = 0;
    tcpfsm::sim::link_counters data_link{};  // the data direction's drops and queue
    std::uint64_t ack_packets = 0;           // packets the receiver offered to the ACK direction
    std::uint64_t fixed_burst_losses = 0;    // link_loop's exact-length bursts
};

// The receiving application's check: octets arrive in order, so each must equal the payload
// at the running offset.
struct payload_check {
    const std::vector<std::uint8_t>* payload = nullptr;
    std::uint64_t delivered = 0;
    bool intact = true;

    void take(const std::uint8_t* text, std::size_t length) {
        if (text == nullptr || delivered + length > payload->size() ||
            std::memcmp(text, payload->data() + delivered, length) != 0) {
            intact = false;
        }
        delivered += length;
    }
    // Text placed out of order (the engine's on_place): `offset` octets after what is
    // readable so far; checked against the payload where it belongs.
    void place(std::uint64_t offset, const std::uint8_t* text, std::size_t length) {
        const std::uint64_t at = delivered + offset;
        if (text == nullptr || at + length > payload->size() ||
            std::memcmp(text, payload->data() + at, length) != 0) {
            intact = false;
        }
    }
    // The engine's on_readable: octets placed before are now in order.
    void readable(std::size_t length) { delivered += length; }
    bool complete() const { return delivered >= payload->size(); }
};

}  // namespace tcpfsm_goodput

#endif  // TCPFSM_BENCH_GOODPUT_TRANSFER_HPP
