// libFuzzer target: the SACK sender (include/tcpfsm/sack/): a scoreboard, RFC 6675 recovery
// and PRR with data in flight, fed arbitrary cumulative ACKs and SACK blocks (raw 32-bit
// values or near the window), new data, transmissions chosen by NextSeg() and timeouts.
// After every step the harness checks, and a violation prints the step and calls abort():
//   - the scoreboard's invariants (consistent_with): at most MaxRanges ranges, sorted,
//     disjoint and not adjacent, each inside [SND.UNA, SND.NXT), the SACKed count their sum;
//   - soundness: every octet the scoreboard calls SACKed was inside a block some ACK carried
//     (the bound only ever forgets);
//   - SetPipe() equals an octet-by-octet transcription of RFC 6675 §4 (IsLost() per octet,
//     +1 for an octet not lost, +1 for one retransmitted), so it is never above
//     2 * (SND.NXT - SND.UNA) and never wraps;
//   - every segment NextSeg() offers is 1..SMSS octets; a retransmission lies in
//     [SND.UNA, SND.NXT) on unSACKed octets (rules (1) and (3) at or above HighRxt), new
//     data starts at SND.NXT; in recovery SND.UNA < RecoveryPoint and HighRxt >= SND.UNA;
//   - RACK-TLP alongside (a segment log of 8 records, so its bound is reached): the records
//     are in sequence order, disjoint, inside [SND.UNA, SND.NXT), at most 8; a SACKed record
//     was reported by some block; RACK's pipe is at most 2 * (SND.NXT - SND.UNA); RACK.min_RTT never
//     grows; a reordering timeout is below RACK.rtt + reo_wnd;
//     the TLP probe is 1..SMSS octets, new data at SND.NXT or inside the flight.
//
// Input layout (every read past the end gives 0, so any byte string is a valid input):
//   byte 0      capacity: % 4 -> 1, 2, 4, 16 ranges
//   bytes 1-4   the initial SND.UNA (big endian; 0xFFFFxxxx values straddle 2^32)
//   byte 5      SMSS: 1 + value
//   then steps: op, then its operands
//     op % 4 = 0  new data: (a) % 512 octets sent at SND.NXT (the flight stays =< 4096)
//     op % 4 = 1  an ACK: SEG.ACK = SND.UNA + (a b) % (flight + 1), or with op bit 2 a raw
//                 u32; then (op >> 5) % 5 blocks, each 4 bytes (left offset, length) near
//                 SND.UNA (left = SND.UNA + offset - 64) or, with op bit 3, 8 raw bytes
//     op % 4 = 2  the retransmission timer expires; with op bit 2 the scoreboard is cleared;
//                 with op bit 3 instead the RACK reordering timer fires; with op bit 4
//                 instead (a) ms pass (the clock of RACK and TLP; nothing else moves it)
//     op % 4 = 3  transmit: up to (a) % 8 segments from NextSeg() (rule (2) with (b c)
//                 octets of unsent data the window admits), PRR counting what is sent;
//                 with op bit 2 instead the PTO fires: a TLP probe (new data if (b c) > 0)
// TCPFSM_FUZZ_TRACE=1 in the environment prints every step.
// SPDX-License-Identifier: MIT
#include <tcpfsm/sack/prr.hpp>
#include <tcpfsm/sack/rack.hpp>
#include <tcpfsm/sack/rfc6675.hpp>
#include <tcpfsm/sack/scoreboard.hpp>
#include <tcpfsm/sack/segment_log.hpp>
#include <tcpfsm/sack/tlp.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

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
    std::fprintf(stderr, "fuzz_sack: property violated at step %zu: %s\n", step, what);
    std::abort();
}

constexpr std::uint32_t max_flight = 4096;
constexpr std::uint32_t stream_limit = 1u << 16;

template <std::size_t Capacity>
struct harness {
    tcpfsm::sack::scoreboard<Capacity> sb;
    tcpfsm::sack::recovery rec;
    tcpfsm::sack::prr prr;
    tcpfsm::sack::segment_log<8> log;
    tcpfsm::sack::rack rack;
    tcpfsm::sack::tlp tlp;
    std::uint64_t now_us = 1000000;
    std::uint32_t base, una, nxt, smss;
    std::vector<bool> reported = std::vector<bool>(stream_limit, false);  // by stream offset

    harness(std::uint32_t iss, std::uint32_t mss) : base(iss), una(iss), nxt(iss), smss(mss) {}

    void report(const tcpfsm::seq_block& b) {
        // Marks the octets of a block that fall in the stream [base, base + stream_limit).
        const std::uint32_t length = b.right - b.left;
        if (length == 0 || length >= 0x80000000u) return;
        // The block's offsets from `base`, as a signed start (it may begin before base).
        const std::uint32_t raw = b.left - base;
        const std::int64_t start = raw >= 0x80000000u ? std::int64_t{raw} - (std::int64_t{1} << 32) : std::int64_t{raw};
        const std::int64_t end = start + length;
        for (std::int64_t o = start < 0 ? 0 : start; o < end && o < std::int64_t{stream_limit}; ++o)
            reported[static_cast<std::size_t>(o)] = true;
    }

    const char* check() const {
        if (!sb.consistent_with(una, nxt)) return "scoreboard invariants";
        if (sb.count() > Capacity) return "more ranges than the bound";
        const std::uint32_t flight = nxt - una;
        std::vector<bool> sacked(flight, false);
        for (std::size_t i = 0; i < sb.count(); ++i) {
            const tcpfsm::seq_block r = sb.range(i);
            for (std::uint32_t s = r.left; s != r.right; ++s) {
                if (!reported[s - base]) return "a SACKed octet no block reported";
                sacked[s - una] = true;
            }
        }
        // RFC 6675 §4 SetPipe() octet by octet, IsLost() from the octets above (top down).
        // HighRxt + 1: the component's in recovery, HighACK + 1 outside it (§5 (3.1)). In
        // recovery [SND.UNA, lost_end()) is lost too (docs/sack.md "Loss marking beyond IsLost()").
        const std::uint32_t high_rxt = rec.in_recovery() ? rec.high_rxt() : una;
        const std::uint32_t lost_end = rec.in_recovery() && tcpfsm::seq_gt(rec.lost_end(), una) ? rec.lost_end() : una;
        std::uint64_t pipe = 0, above = 0, runs = 0;
        for (std::uint32_t i = flight; i-- > 0;) {
            if (!sacked[i]) {
                const bool lost = runs >= 3 || above > 2u * std::uint64_t{smss} || tcpfsm::seq_lt(una + i, lost_end);
                if (!lost) ++pipe;
                if (tcpfsm::seq_lt(una + i, high_rxt)) ++pipe;
            } else {
                ++above;
                if (i + 1 == flight || !sacked[i + 1]) ++runs;
            }
        }
        const std::uint32_t got = rec.pipe(sb, una, nxt, smss);
        if (got != pipe) return "SetPipe differs from the octet-by-octet count";
        if (std::uint64_t{got} > 2u * std::uint64_t{flight}) return "pipe above twice the flight";
        if (rec.in_recovery()) {
            if (!tcpfsm::seq_lt(una, rec.recovery_point())) return "in recovery with SND.UNA at RecoveryPoint";
            if (tcpfsm::seq_lt(high_rxt, una)) return "HighRxt below SND.UNA in recovery";
            if (lost_end - una > flight) return "marked lost past SND.NXT";
        }
        // The segment log.
        if (log.size() > 8) return "segment log past its bound";
        std::uint32_t prev_end = una;
        // The log's running sums against a walk over its records (RACK's pipe: a SACKed
        // record leaves the flight, one lost and not resent too, a resend not deemed lost
        // adds a second copy).
        std::int64_t walked_octets = 0, walked_pipe = std::int64_t{flight}, walked_sacked_octets = 0, walked_adjust = 0;
        std::uint32_t walked_sacked = 0;
        tcpfsm::seq_block walked_first_lost{};
        for (std::size_t i = 0; i < log.size(); ++i) {
            const tcpfsm::sack::segment_record& r = log.at(i);
            using rec_t = tcpfsm::sack::segment_record;
            const std::int64_t len = r.length();
            walked_octets += len;
            if (r.has(rec_t::sacked)) {
                walked_pipe -= len;
                walked_sacked_octets += len;
                ++walked_sacked;
            } else if (r.has(rec_t::lost) && !r.has(rec_t::retransmitted)) {
                walked_pipe -= len;
                walked_adjust -= len;
                if (walked_first_lost.empty()) walked_first_lost = {r.seq, r.end()};
            } else if (!r.has(rec_t::lost) && r.has(rec_t::retransmitted)) {
                walked_pipe += len;
                walked_adjust += len;
            }
        }
        if (walked_octets != std::int64_t{log.octets()}) return "the log's octet sum differs from its records";
        if (walked_sacked_octets != std::int64_t{log.sacked_octets()}) return "the log's SACKed octets differ from its records";
        if (walked_adjust != std::int64_t{log.unsacked_adjust()}) return "the log's pipe adjustment differs from its records";
        if (walked_sacked != log.sacked_segments()) return "the log's SACKed record count differs from its records";
        const tcpfsm::seq_block first_lost = log.first_lost();
        if (first_lost.left != walked_first_lost.left || first_lost.right != walked_first_lost.right)
            return "the log's first lost record differs from a walk over its records";
        if (std::int64_t{log.pipe(una, nxt)} != (walked_pipe < 0 ? 0 : walked_pipe))
            return "the log's pipe differs from a walk over its records";
        for (std::size_t i = 0; i < log.size(); ++i) {
            const tcpfsm::sack::segment_record& r = log.at(i);
            if (!tcpfsm::seq_lt(r.seq, r.end())) return "an empty or reversed record";
            if (!tcpfsm::seq_le(prev_end, r.seq)) return "records out of order or overlapping";
            if (r.end() - una > flight) return "a record past SND.NXT";
            prev_end = r.end();
            if (r.has(tcpfsm::sack::segment_record::sacked)) {
                for (std::uint32_t s = r.seq; s != r.end(); ++s)
                    if (!reported[s - base]) return "a SACKed record no block reported";
            }
        }
        if (std::uint64_t{log.pipe(una, nxt)} > 2u * std::uint64_t{flight}) return "RACK pipe above twice the flight";
        return nullptr;
    }

    const char* check_choice(const tcpfsm::sack::segment_choice& c) const {
        using tcpfsm::sack::nextseg_rule;
        if (c.rule == nextseg_rule::none) return c.length == 0 ? nullptr : "a length without a rule";
        if (c.length == 0 || c.length > smss) return "a segment of 0 or more than SMSS octets";
        if (c.rule == nextseg_rule::new_data) return c.seq == nxt ? nullptr : "new data not at SND.NXT";
        const std::uint32_t off = c.seq - una;
        if (off >= nxt - una || c.length > nxt - una - off) return "a retransmission outside [SND.UNA, SND.NXT)";
        for (std::uint32_t i = 0; i < c.length; ++i)
            if (sb.is_sacked(c.seq + i)) return "a retransmission of SACKed octets";
        // Below HighRxt only what the lost-retransmission test marked lost again ([SND.UNA,
        // lost_end()), sack/rfc6675.hpp; Linux's tcp_mark_lost_retrans), as rule (1).
        const bool marked_again =
            c.rule == nextseg_rule::lost && !tcpfsm::seq_gt(c.seq + c.length, rec.lost_end());
        if ((c.rule == nextseg_rule::lost || c.rule == nextseg_rule::unsacked) &&
            tcpfsm::seq_lt(c.seq, rec.high_rxt()) && !marked_again)
            return "rules (1)/(3) below HighRxt, not marked lost again";
        if (!rec.in_recovery()) return "a retransmission offered outside recovery";
        return nullptr;
    }
};

template <std::size_t Capacity>
void run(input& in) {
    const std::uint32_t iss = in.u32();
    const std::uint32_t smss = 1u + in.byte();
    harness<Capacity> h(iss, smss);
    std::size_t step = 0;
    while (in.more()) {
        ++step;
        const std::uint8_t op = in.byte();
        const char* err = nullptr;
        switch (op % 4) {
            case 0: {
                std::uint32_t len = in.u16() % 512u;
                const std::uint32_t flight = h.nxt - h.una;
                if (flight + len > max_flight) len = max_flight - flight;
                if (h.nxt - h.base + len > stream_limit) len = stream_limit - (h.nxt - h.base);
                if (tracing) std::fprintf(stderr, "%zu: send %u at %u\n", step, len, h.nxt);
                h.log.on_sent(h.nxt, len, h.now_us);
                h.nxt += len;
                break;
            }
            case 1: {
                const std::uint32_t flight = h.nxt - h.una;
                const std::uint32_t ack = (op & 4u) ? in.u32() : h.una + in.u16() % (flight + 1u);
                const std::size_t n = static_cast<std::size_t>((op >> 5) % 5u);
                tcpfsm::seq_block blocks[4] = {};
                for (std::size_t i = 0; i < n; ++i) {
                    if (op & 8u) {
                        blocks[i].left = in.u32();
                        blocks[i].right = in.u32();
                    } else {
                        blocks[i].left = h.una + in.u16() % (flight + 128u) - 64u;
                        blocks[i].right = blocks[i].left + in.u16() % 1024u;
                    }
                    h.report(blocks[i]);
                }
                if (tracing) {
                    std::fprintf(stderr, "%zu: ack %u (una %u nxt %u)", step, ack, h.una, h.nxt);
                    for (std::size_t i = 0; i < n; ++i) std::fprintf(stderr, " [%u,%u)", blocks[i].left, blocks[i].right);
                    std::fprintf(stderr, "\n");
                }
                const bool was_recovering = h.rec.in_recovery();
                const auto u = h.sb.on_ack(ack, h.una, h.nxt, blocks, n);
                if (u.acked != u.snd_una - h.una) err = "acked is not the advance of SND.UNA";
                h.una = u.snd_una;
                (void)h.tlp.on_ack(ack, u.dsack, n != 0, u.acked == 0 && n == 0);
                const auto s = h.rec.on_ack(h.sb, u, h.nxt, h.smss);
                tcpfsm::sack::rack_ack ra{};
                ra.snd_una = h.una;
                ra.snd_nxt = h.nxt;
                ra.now_us = h.now_us;
                ra.srtt_us = 20000;
                ra.dsack = !u.dsack.empty();
                ra.in_recovery = h.rec.in_recovery();
                ra.exiting_recovery = s.ended;
                const std::uint64_t min_before = h.rack.min_rtt_us();
                const auto rs = h.rack.on_ack(h.log, h.sb, ra);
                if (h.rack.min_rtt_us() > min_before) err = "RACK.min_RTT grew";
                if (rs.timeout_us != 0 && rs.timeout_us > h.rack.rtt_us() + h.rack.reo_wnd_us())
                    err = "a reordering timeout past RACK.rtt + reo_wnd";
                if (s.entered) h.tlp.reset();
                if (s.entered) {
                    if (was_recovering) err = "entered recovery twice";
                    h.prr.start((h.nxt - h.una) / 2, h.nxt - h.una);
                    if (s.first.rule != tcpfsm::sack::nextseg_rule::none) {
                        if (!err) err = h.check_choice(s.first);
                        h.rec.on_sent(s.first);
                        h.prr.on_sent(s.first.length);
                        h.log.on_retransmitted(s.first.seq, s.first.length, h.now_us);
                    }
                }
                if (h.rec.in_recovery()) (void)h.prr.on_ack(u.delivered, h.rec.pipe(h.sb, h.una, h.nxt, h.smss), h.smss);
                break;
            }
            case 2:
                if (op & 16u) {
                    const std::uint32_t ms = in.byte();
                    if (tracing) std::fprintf(stderr, "%zu: %u ms pass\n", step, ms);
                    h.now_us += std::uint64_t{ms} * 1000u;
                    break;
                }
                if (op & 8u) {
                    if (tracing) std::fprintf(stderr, "%zu: RACK timer\n", step);
                    const auto rs = h.rack.on_timer(h.log, h.now_us);
                    if (rs.timeout_us > h.rack.rtt_us() + h.rack.reo_wnd_us()) err = "a reordering timeout past RACK.rtt + reo_wnd";
                    break;
                }
                if (tracing) std::fprintf(stderr, "%zu: timeout%s\n", step, (op & 4u) ? ", scoreboard cleared" : "");
                h.rec.on_retransmission_timeout(h.una, h.nxt);
                h.tlp.reset();
                if (op & 4u) {
                    h.sb.clear();
                    h.log.clear_sacked();
                }
                break;
            default: {
                if (op & 4u) {
                    std::uint32_t room = max_flight - (h.nxt - h.una);
                    if (h.nxt - h.base + room > stream_limit) room = stream_limit - (h.nxt - h.base);
                    const std::uint32_t unsent = in.u16();
                    const std::uint32_t sendable = unsent < room ? unsent : room;
                    const tcpfsm::seq_block last =
                        h.log.empty() ? tcpfsm::seq_block{h.una, h.nxt} : tcpfsm::seq_block{h.log.at(h.log.size() - 1).seq, h.log.at(h.log.size() - 1).end()};
                    const auto p = tcpfsm::sack::tlp::choose(h.nxt, sendable, h.smss, last);
                    if (tracing) std::fprintf(stderr, "%zu: PTO probe [%u, +%u)%s\n", step, p.seq, p.length, p.is_retrans ? " retransmission" : "");
                    if (p.length == 0) break;
                    if (p.length > h.smss) err = "a probe longer than SMSS";
                    if (!p.is_retrans && p.seq != h.nxt) err = "a new-data probe not at SND.NXT";
                    if (p.is_retrans && (p.seq - h.una >= h.nxt - h.una || p.length > h.nxt - p.seq)) err = "a probe outside the flight";
                    if (p.is_retrans) {
                        h.log.on_retransmitted(p.seq, p.length, h.now_us);
                    } else {
                        h.log.on_sent(h.nxt, p.length, h.now_us);
                        h.nxt += p.length;
                    }
                    h.tlp.on_probe_sent(p.is_retrans, h.nxt);
                    break;
                }
                const unsigned count = in.byte() % 8u;
                std::uint32_t unsent = in.u16();
                for (unsigned i = 0; i < count && err == nullptr; ++i) {
                    std::uint32_t room = max_flight - (h.nxt - h.una);
                    if (h.nxt - h.base + room > stream_limit) room = stream_limit - (h.nxt - h.base);
                    const std::uint32_t sendable = unsent < room ? unsent : room;
                    const auto c = h.rec.next_seg(h.sb, h.una, h.nxt, h.smss, sendable);
                    if (tracing)
                        std::fprintf(stderr, "%zu: next_seg %s [%u, +%u)\n", step, tcpfsm::sack::name(c.rule), c.seq, c.length);
                    err = h.check_choice(c);
                    if (err != nullptr || c.rule == tcpfsm::sack::nextseg_rule::none) break;
                    h.rec.on_sent(c);
                    if (h.rec.in_recovery()) h.prr.on_sent(c.length);
                    if (c.rule == tcpfsm::sack::nextseg_rule::new_data) {
                        h.log.on_sent(h.nxt, c.length, h.now_us);
                        h.nxt += c.length;
                        unsent -= c.length;
                    } else {
                        h.log.on_retransmitted(c.seq, c.length, h.now_us);
                    }
                }
                break;
            }
        }
        if (err == nullptr) err = h.check();
        if (err != nullptr) violated(err, step);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input in{data, size};
    switch (in.byte() % 4) {
        case 0: run<1>(in); break;
        case 1: run<2>(in); break;
        case 2: run<4>(in); break;
        default: run<16>(in); break;
    }
    return 0;
}
