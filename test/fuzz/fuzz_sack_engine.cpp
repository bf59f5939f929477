// libFuzzer target: one connection engine with SACK negotiated (RFC 2018) and data in flight,
// fed arbitrary acceptable ACKs with arbitrary SACK blocks (valid, reversed, straddling,
// outside SND.UNA..SND.NXT, D-SACK-like), timeouts, more data, and well-behaved ACKs; the
// engine's RFC 6675 recovery with PRR and its go-back-N run on them (selective_acknowledgment.hpp).
// After every step the invariants below are checked; a violation prints the step and aborts.
//
// Input layout (every read past the end gives 0, so any byte string is a valid input):
//   byte 0      MSS: 0 -> 1000, else 64 + byte
//   then steps, one opcode byte each (opcode % 4) and its operands:
//     0 ack     [delta.2 count] then count % 5 blocks of [mode left.4 right.4]: SEG.ACK =
//               SND.UNA + delta % (SND.NXT - SND.UNA + 1) (only every 4th opcode value advances);
//               mode % 3: 0 the two numbers as they are, 1 offsets from SND.UNA - 2 MSS,
//               2 whole segments from SND.UNA
//     1 timer   [ms.2]   the clock moves on; on_timer()
//     2 send    [n.2]    SEND of n octets more (at most 1 MB queued in all)
//     3 good    an ACK of everything sent, no blocks
// Invariants: the connection stays ESTABLISHED (or ends by R2 on a timer); SND.UNA never moves backwards; the octets
// SACKed lie above SND.UNA and below SND.NXT (connection_status::sacked =< SND.NXT - SND.UNA);
// every segment sent lies within [SND.UNA before the step, SND.NXT after it) and carries at
// most SMSS octets; SND.NXT never passes the data queued.
// The seeds in corpus/sack_engine/ are byte strings from a seeded generator (python3:
// random.seed(n); bytes(random.randrange(256) for _ in range(k))), one with only good ACKs.
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

std::int64_t sack_fuzz_now_ms = 0;

struct sack_fuzz_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(sack_fuzz_now_ms)); }
};

std::vector<tcpfsm::segment> sack_fuzz_sent;

struct sack_fuzz_io {
    void send(const tcpfsm::outgoing_segment& s) noexcept { sack_fuzz_sent.push_back(s.header); }
};

using sack_fuzz_profile =
    tcpfsm::engine_profile<tcpfsm::standard_table, tcpfsm::rto_estimator, tcpfsm::congestion::cubic<>>;
using sack_fuzz_engine =
    tcpfsm::connection<sack_fuzz_io, sack_fuzz_clock, tcpfsm::null_observer, tcpfsm::fixed_iss, sack_fuzz_profile>;

struct sack_fuzz_input {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    std::uint8_t u8() noexcept { return at < size ? data[at++] : std::uint8_t{0}; }
    std::uint32_t u16() noexcept { return std::uint32_t{u8()} << 8 | u8(); }
    std::uint32_t u32() noexcept { return u16() << 16 | u16(); }
    bool done() const noexcept { return at >= size; }
};

[[noreturn]] void sack_fuzz_fail(int step, const char* what) {
    std::fprintf(stderr, "fuzz_sack_engine: step %d: %s\n", step, what);
    std::abort();
}

tcpfsm::segment sack_fuzz_ack(std::uint32_t ack) {
    tcpfsm::segment s;
    s.flags = tcpfsm::ctl::ack;
    s.seq = 5001;
    s.ack = ack;
    s.window = 65535;
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sack_fuzz_input in{data, size};
    sack_fuzz_now_ms = 1000000;
    sack_fuzz_sent.clear();
    const std::uint8_t mss_byte = in.u8();
    const std::uint32_t mss = mss_byte == 0 ? 1000u : 64u + mss_byte;
    tcpfsm::connection_config config = tcpfsm::rfc_reference_config;
    config.sack = true;
    config.nagle = false;
    config.mss = static_cast<std::uint16_t>(mss);
    config.rack = mss_byte < 128;  // RACK-TLP (RFC 8985) for half the inputs, RFC 6675 alone for the rest
    sack_fuzz_engine conn(config, sack_fuzz_io{}, sack_fuzz_clock{}, tcpfsm::null_observer{}, tcpfsm::fixed_iss(1000));
    conn.open_active();
    tcpfsm::segment syn_ack = sack_fuzz_ack(1001);
    syn_ack.flags = tcpfsm::ctl::syn | tcpfsm::ctl::ack;
    syn_ack.seq = 5000;
    syn_ack.mss = static_cast<std::uint16_t>(mss);
    tcpfsm::segment_options permitted;
    permitted.sack_permitted = true;
    conn.on_segment(syn_ack, permitted);
    if (!conn.snapshot().sack) sack_fuzz_fail(0, "SACK not negotiated");
    std::uint32_t queued = 64u * mss;  // octets SEND queued in all
    conn.send(queued);
    const std::uint32_t data_start = 1001;
    for (int step = 1; !in.done() && step < 4096; ++step) {
        const tcpfsm::connection_status before = conn.snapshot();
        sack_fuzz_sent.clear();
        const std::uint32_t flight = before.snd_nxt - before.snd_una;
        const std::uint8_t op = in.u8();
        switch (op % 4) {
            case 0: {
                const std::uint32_t delta = in.u16();
                const std::uint32_t ack = op % 16 == 0 ? before.snd_una + delta % (flight + 1) : before.snd_una;
                tcpfsm::segment_options o;
                const std::uint32_t count = in.u8() % 5u;
                for (std::uint32_t i = 0; i < count && o.sack.count < tcpfsm::options::max_sack_blocks; ++i) {
                    const std::uint8_t mode = in.u8();
                    const std::uint32_t a = in.u32(), b = in.u32();
                    tcpfsm::seq_block blk;
                    if (mode % 3 == 0) {
                        blk = {a, b};
                    } else if (mode % 3 == 1) {
                        const std::uint32_t base = before.snd_una - 2u * mss, span = flight + 4u * mss;
                        blk = {base + a % span, base + b % span};
                    } else {
                        const std::uint32_t segs = flight / mss + 1u;
                        blk.left = before.snd_una + (a % segs) * mss;
                        blk.right = blk.left + (1u + b % 4u) * mss;
                    }
                    o.sack.blocks[o.sack.count++] = blk;
                }
                conn.on_segment(sack_fuzz_ack(ack), o);
                break;
            }
            case 1:
                sack_fuzz_now_ms += in.u16();
                conn.on_timer();
                break;
            case 2: {
                const std::uint32_t n = in.u16();
                if (queued + n <= (1u << 20)) {
                    queued += n;
                    conn.send(n);
                }
                break;
            }
            default:
                conn.on_segment(sack_fuzz_ack(before.snd_nxt), tcpfsm::no_segment_options);
                break;
        }
        const tcpfsm::connection_status after = conn.snapshot();
        // Timeouts with no ACK in between may exhaust the retransmissions (R2, §3.8.3): the
        // connection ends there, as it should; nothing else may end it.
        if (after.st == tcpfsm::state::closed && op % 4 == 1) return 0;
        if (after.st != tcpfsm::state::established) sack_fuzz_fail(step, "left ESTABLISHED");
        if (after.snd_una - before.snd_una > before.snd_nxt - before.snd_una) sack_fuzz_fail(step, "SND.UNA went back");
        if (after.sacked > after.snd_nxt - after.snd_una) sack_fuzz_fail(step, "SACKed octets outside the window");
        if (after.snd_nxt - data_start > queued) sack_fuzz_fail(step, "SND.NXT past the queued data");
        for (const tcpfsm::segment& s : sack_fuzz_sent) {
            const std::uint32_t from = s.seq - before.snd_una;
            if (from > after.snd_nxt - before.snd_una || from + s.text_length > after.snd_nxt - before.snd_una) {
                sack_fuzz_fail(step, "a segment outside [SND.UNA, SND.NXT)");
            }
            if (s.text_length > mss) sack_fuzz_fail(step, "a segment longer than SMSS");
        }
    }
    return 0;
}
