// libFuzzer target: the receiver's reassembly queue (reassembly.hpp) against the independent
// per-octet model of test/support/reassembly_model.hpp, with a ring-buffer consumer. After
// every step the harness checks, and a violation prints the step and calls abort():
//   - every field of the result is the model's: the new pieces (offset from RCV.NXT, offset
//     in the segment's text, length), readable, the D-SACK block, duplicate, out of order,
//     filled a gap, dropped for capacity, cut at the window or at a held FIN, FIN reached;
//   - no octet is placed in the ring where a placed, unread one still is (each octet is
//     reported once), and every octet read is the first-received one of its position, in
//     stream order;
//   - the queue's invariants (consistent_with), at most Capacity blocks, the blocks equal
//     the model's runs of received octets above RCV.NXT, the held FIN the model's, the first
//     block holds the latest segment's text when it is held (RFC 2018 §4).
//
// Input layout (every read past the end gives 0, so any byte string is a valid input):
//   byte 0      capacity: % 4 -> 0, 1, 3, 8
//   bytes 1-4   the initial RCV.NXT (big endian; 0xFFFFxxxx values straddle 2^32)
//   bytes 5-6   RCV.BUFF, the ring's size: 1 + value % 2048
//   byte 7      bit 0: the first step is SYN text (hold_syn_text), bit 1 its FIN
//   then steps of 5 bytes: op, a, b, c, d
//     op % 4 = 0 or 1  a segment of length (c d) % 600 at stream position (a b) (position 0
//                      is the initial RCV.NXT), or with op bit 3 at RCV.NXT + (int16)(a b)
//                      (at least 0); FIN when op bit 2; transmission op >> 4 (its octets)
//     op % 4 = 2       the user reads (a b) octets
//     op % 4 = 3       release() (ESTABLISHED reached; harmless when nothing waits)
// TCPFSM_FUZZ_TRACE=1 in the environment prints every step.
// SPDX-License-Identifier: MIT
#include "../support/reassembly_model.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

const bool tracing = std::getenv("TCPFSM_FUZZ_TRACE") != nullptr;

struct input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool more() const { return at < size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::uint16_t u16() {
        const auto hi = byte();
        return static_cast<std::uint16_t>((hi << 8) | byte());
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        return (hi << 16) | u16();
    }
};

[[noreturn]] void violated(const char* what, std::size_t step) {
    std::fprintf(stderr, "fuzz_reassembly: property violated at step %zu: %s\n", step, what);
    std::abort();
}

constexpr std::uint64_t stream_limit = 1u << 16;

template <std::size_t Capacity>
void run(input& in) {
    const std::uint32_t base = in.u32();
    const std::uint32_t buffer = 1u + in.u16() % 2048u;
    const std::uint8_t start = in.byte();
    tcpfsm_test::reassembly_harness<Capacity> h(base, buffer, stream_limit);
    std::size_t step = 0;
    if (start & 1u) {
        const std::uint32_t len = in.u16() % 600u;
        const bool fin = (start & 2u) != 0;
        if (tracing) std::fprintf(stderr, "syn text %u%s\n", len, fin ? " FIN" : "");
        if (const char* err = h.segment(0, len, fin, 0, true)) violated(err, step);
    }
    while (in.more() && !h.fin_done()) {
        ++step;
        const std::uint8_t op = in.byte();
        const std::uint16_t ab = in.u16(), cd = in.u16();
        const char* err = nullptr;
        switch (op % 4) {
            case 0:
            case 1: {
                std::uint64_t p = ab;
                if (op & 8u) {
                    const std::int64_t at = static_cast<std::int64_t>(h.delivered()) + static_cast<std::int16_t>(ab);
                    p = at < 0 ? 0 : static_cast<std::uint64_t>(at);
                }
                const std::uint32_t len = cd % 600u;
                if (p + len > stream_limit) break;
                const bool fin = (op & 4u) != 0;
                if (tracing)
                    std::fprintf(stderr, "%zu: segment [%llu, %llu)%s tx %u, RCV.NXT %llu, RCV.WND %u\n", step,
                                 static_cast<unsigned long long>(p), static_cast<unsigned long long>(p + len),
                                 fin ? " FIN" : "", static_cast<unsigned>(op >> 4), static_cast<unsigned long long>(h.delivered()),
                                 h.window());
                err = h.segment(p, len, fin, static_cast<std::uint32_t>(op >> 4));
                break;
            }
            case 2:
                if (tracing) std::fprintf(stderr, "%zu: read %u\n", step, ab);
                err = h.read(ab);
                break;
            default:
                if (tracing) std::fprintf(stderr, "%zu: release\n", step);
                err = h.release();
                break;
        }
        if (err != nullptr) violated(err, step);
    }
    if (const char* err = h.read(~std::uint64_t{0})) violated(err, step);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input in{data, size};
    switch (in.byte() % 4) {
        case 0: run<0>(in); break;
        case 1: run<1>(in); break;
        case 2: run<3>(in); break;
        default: run<8>(in); break;
    }
    return 0;
}
