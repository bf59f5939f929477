// libFuzzer target: two connection engines, a channel between them and an attacker, driven
// by the input bytes. After every step the invariants below are checked; a violation prints
// what happened and calls abort().
//
// Input layout (every read past the end gives 0, so any byte string is a valid input):
//   byte 0      configuration bits: 0 keepalive, 1 delayed ACK, 2 Nagle off, 3 abortive
//               close, 4 TIME-WAIT reopen off, 5 small receive buffer (zero windows),
//               6 user timeout, 7 FIN-WAIT-2 timeout off
//   byte 1      MSS: 0 -> 1460, else 64 + byte (small segments)
//   bytes 2-9   ISS of A and of B (big endian; 0xFFFFFFxx values straddle 2^32)
//   then steps, one opcode byte each (opcode % 8) and its operands:
//     0 deliver   [index]         the index-th segment in flight reaches its receiver
//     1 drop      [index]
//     2 duplicate [index]         delivered, and stays in flight
//     3 inject    [who flags seq-mode seq.. ack-mode ack.. len window mss]  a spoofed segment
//                 (window bit 6: with TSopt, TSval = the receiver's TS.Recent plus the window's
//                 high octet as a signed offset, TSecr = SEG.SEQ ^ SEG.ACK; RFC 7323)
//     4 call      [who what arg]  open_active, open_passive, send(arg*16), receive(arg*16),
//                                 close, release, abort, status
//     5 advance   [ms/10]         the clock moves on; both engines' on_timer()
//     6 deadline                  the clock jumps to the earliest deadline; on_timer()
//     7 pump                      everything in flight is delivered, in order (at most 64)
// TCPFSM_FUZZ_TRACE=1 in the environment prints every step (for reading a seed or a crash).
// Invariants (after every step, for both engines):
//   - the state is one of the 11; SND.UNA =< SND.NXT; the snapshot's unacked is
//     SND.NXT - SND.UNA; the octets held =< RCV.BUFF; the observer places text, and the
//     reassembly queue is consistent with RCV.NXT (empty in CLOSED);
//   - RCV.NXT and SND.UNA never move backwards while the TCB lives;
//   - every state change is the table's: on_state_change(from, to, e) has
//     tcpfsm::step(from, e).to == to, and on_row gets exactly tcpfsm::step(from, e);
//   - an engine in CLOSED answers anything but its own OPEN with RST or nothing;
//   - a segment an engine sends (not an RST) lies in [ISS, SND.NXT] and, with the ACK bit,
//     acknowledges RCV.NXT as it was before the step or after it, or a value in between (a
//     retransmission that a partial ACK sets off goes out before the rest of the same
//     segment, its text or FIN, moves RCV.NXT; the ACK that follows carries the new value);
//   - on a connection that uses timestamps (RFC 7323 §3.2) every segment sent carries TSopt.
// The options (timestamps) travel with the segments between the engines.
// SPDX-License-Identifier: MIT
#include <tcpfsm/connection.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <vector>

namespace {

std::int64_t now_ms = 0;

struct fuzz_clock {
    using time_point = std::chrono::time_point<std::chrono::steady_clock, std::chrono::milliseconds>;
    time_point now() const noexcept { return time_point(std::chrono::milliseconds(now_ms)); }
};

std::vector<tcpfsm::segment> outbox;  // what the engine in the current step sent
std::vector<tcpfsm::segment_options> outbox_options;  // and the options beside each

struct fuzz_io {
    void send(const tcpfsm::outgoing_segment& s) noexcept {
        outbox.push_back(s.header);
        outbox_options.push_back(s.options);
    }
};

int current = 0;      // the engine in the current step (0: A, 1: B)
const bool tracing = std::getenv("TCPFSM_FUZZ_TRACE") != nullptr;

void print(const char* who, const tcpfsm::segment& s) {
    std::fprintf(stderr, "    %s <SEQ=%u>", who, s.seq);
    if (s.ack_flag()) std::fprintf(stderr, "<ACK=%u>", s.ack);
    std::fprintf(stderr, "<CTL=%s%s%s%s><WND=%u>", s.syn() ? "SYN," : "", s.rst() ? "RST," : "", s.fin() ? "FIN," : "",
                 s.ack_flag() ? "ACK" : "", s.window);
    if (s.text_length > 0) std::fprintf(stderr, "<DATA %u>", s.text_length);
    std::fprintf(stderr, "\n");
}
bool forgotten[2];    // the TCB was deleted (or went back to LISTEN) during the step

// RCV.BUFF of both engines (world's constructor sets it).
std::uint32_t fuzz_receive_buffer = 65535;

[[noreturn]] void violated(const char* what, int who) {
    std::fprintf(stderr, "fuzz_engine: invariant violated at %c: %s\n", who == 0 ? 'A' : 'B', what);
    std::abort();
}

struct checking_observer : tcpfsm::null_observer {
    void on_row(tcpfsm::state from, tcpfsm::event e, const tcpfsm::transition& row) noexcept {
        if (&row != &tcpfsm::step(from, e)) violated("on_row: not the table's row for (state, event)", current);
    }
    void on_state_change(tcpfsm::state from, tcpfsm::state to, tcpfsm::event e) noexcept {
        if (tcpfsm::step(from, e).to != to) {
            std::fprintf(stderr, "%s -> %s on %s\n", tcpfsm::name(from), tcpfsm::name(to), tcpfsm::name(e));
            violated("state change not in the table", current);
        }
        if (to == tcpfsm::state::closed || to == tcpfsm::state::listen) forgotten[current] = true;
    }
    // The placement hooks (receive_path.hpp): the engines hold out-of-order text.
    void on_place(std::uint32_t offset, const std::uint8_t*, std::uint32_t length) noexcept {
        if (length == 0) violated("on_place of nothing", current);
        if (std::uint64_t{offset} + length > fuzz_receive_buffer) violated("on_place beyond RCV.BUFF", current);
    }
    void on_readable(std::uint32_t octets) noexcept {
        if (octets == 0) violated("on_readable of nothing", current);
    }
};

using engine = tcpfsm::connection<fuzz_io, fuzz_clock, checking_observer, tcpfsm::fixed_iss>;

struct reader {
    const std::uint8_t* p;
    std::size_t n, i = 0;
    bool done() const noexcept { return i >= n; }
    std::uint8_t u8() noexcept { return i < n ? p[i++] : 0; }
    std::uint16_t u16() noexcept { return static_cast<std::uint16_t>((u8() << 8) | u8()); }
    std::uint32_t u32() noexcept {
        const std::uint32_t hi = u16();
        return (hi << 16) | u16();
    }
};

struct in_flight {
    tcpfsm::segment h;
    int to;
    tcpfsm::segment_options options;
};

struct tracked {
    bool live = false;  // RCV.NXT / SND.UNA are being followed
    std::uint32_t rcv_nxt = 0, snd_una = 0;
};

const std::uint8_t zeros[65536] = {};

class world {
public:
    explicit world(reader& r) : r_(r) {
        const std::uint8_t bits = r_.u8();
        const std::uint8_t mss = r_.u8();
        config_.timers.msl_ms = 1000;
        config_.timers.fin_wait_2_ms = 3000;
        config_.timers.fin_wait_2_timeout = (bits & 0x80) == 0;
        config_.timers.keepalive = (bits & 0x01) != 0;
        config_.timers.keepalive_idle_ms = 10000;
        config_.timers.keepalive_interval_ms = 1000;
        config_.timers.keepalive_probes = 3;
        config_.timers.syn_retries = 2;
        config_.timers.synack_retries = 2;
        config_.timers.retries1 = 2;
        config_.timers.retries2 = 4;
        config_.timers.delayed_ack = (bits & 0x02) != 0;
        config_.timers.user_timeout_ms = (bits & 0x40) != 0 ? 5000 : 0;
        config_.nagle = (bits & 0x04) == 0;
        config_.abortive_close = (bits & 0x08) != 0;
        config_.time_wait_reopen = (bits & 0x10) == 0;
        config_.mss = mss == 0 ? 1460 : static_cast<std::uint16_t>(64 + mss);
        const std::uint32_t iss_a = r_.u32(), iss_b = r_.u32();
        // 3000 octets, 65535, or 1 MiB: window scaling (RFC 7323) with shift 5 between the two.
        config_.receive_buffer = (bits & 0x20) != 0 ? 3000 : (iss_a & 0x100u) != 0 ? (1u << 20) : 65535;
        fuzz_receive_buffer = config_.receive_buffer;
        ep_.emplace_back(config_, fuzz_io{}, fuzz_clock{}, checking_observer{}, tcpfsm::fixed_iss(iss_a));
        ep_.emplace_back(config_, fuzz_io{}, fuzz_clock{}, checking_observer{}, tcpfsm::fixed_iss(iss_b));
    }

    void run() {
        for (int steps = 0; steps < 4000 && !r_.done(); ++steps) step();
    }

private:
    void step() {
        const std::uint8_t op = r_.u8() % 8;
        switch (op) {
            case 0:
            case 1:
            case 2: {
                const std::uint8_t idx = r_.u8();
                if (channel_.empty()) return;
                const std::size_t i = idx % channel_.size();
                const in_flight f = channel_[i];
                if (op != 2) channel_.erase(channel_.begin() + static_cast<std::ptrdiff_t>(i));
                if (op != 1) deliver(f.to, f.h, f.options);
                return;
            }
            case 3: {
                const int who = r_.u8() & 1;
                const tcpfsm::connection_status s = ep_[static_cast<std::size_t>(who)].snapshot();
                tcpfsm::segment seg;
                seg.flags = static_cast<std::uint8_t>(r_.u8() & 0x3f);
                seg.seq = number(s.rcv_nxt);
                seg.ack = number(s.snd_una);
                seg.text_length = r_.u8() * 8u;
                seg.window = r_.u16();
                seg.mss = (seg.flags & tcpfsm::ctl::syn) != 0 ? r_.u16() : std::uint16_t{0};
                // Window Scale (RFC 7323) on an odd MSS: shifts 0 to 31 (above 14 used as 14),
                // on any segment (taken only from a SYN the engine takes).
                if ((seg.mss & 1u) != 0) seg.window_scale = static_cast<std::uint8_t>(seg.window & 0x1Fu);
                // Timestamps (RFC 7323) near the receiver's TS.Recent: PAWS accepts or rejects.
                tcpfsm::segment_options options;
                if ((seg.window & 0x40u) != 0) {
                    options.has_timestamps = true;
                    const auto offset = static_cast<std::int8_t>(static_cast<std::uint8_t>(seg.window >> 8));
                    options.ts_val = s.ts_recent + static_cast<std::uint32_t>(static_cast<std::int32_t>(offset));
                    options.ts_ecr = seg.seq ^ seg.ack;
                }
                deliver(who, seg, options);
                return;
            }
            case 4: {
                const int who = r_.u8() & 1;
                const std::uint8_t what = r_.u8() % 8;
                const std::uint32_t arg = r_.u8() * 16u;
                call(who, what, arg);
                return;
            }
            case 5:
                now_ms += r_.u8() * 10;
                timers();
                return;
            case 6: {
                std::int64_t best = -1;
                for (engine& e : ep_) {
                    const auto d = e.time_to_next_deadline();
                    if (d == std::chrono::milliseconds::max()) continue;
                    if (best < 0 || d.count() < best) best = d.count();
                }
                if (best >= 0) now_ms += best;
                timers();
                return;
            }
            default:
                for (int i = 0; i < 64 && !channel_.empty(); ++i) {
                    const in_flight f = channel_.front();
                    channel_.pop_front();
                    deliver(f.to, f.h, f.options);
                }
                return;
        }
    }

    // A sequence number near `base` (a small signed offset, or one of the window's edges),
    // or any 32-bit value.
    std::uint32_t number(std::uint32_t base) {
        const std::uint8_t mode = r_.u8() % 4;
        switch (mode) {
            case 0: return base + static_cast<std::uint32_t>(static_cast<std::int32_t>(r_.u8()) - 128);
            case 1: return base + static_cast<std::uint32_t>(r_.u16()) - 32768u;
            case 2: return base + 65535u - static_cast<std::uint32_t>(r_.u8());
            default: return r_.u32();
        }
    }

    void deliver(int who, const tcpfsm::segment& seg, const tcpfsm::segment_options& options) {
        if (tracing) print(who == 0 ? "-> A" : "-> B", seg);
        begin(who);
        ep(who).on_segment(seg, options, seg.text_length > 0 ? zeros : nullptr);
        end(who, false);
    }

    void call(int who, std::uint8_t what, std::uint32_t arg) {
        static const char* const names[] = {"open_active", "open_passive", "send", "receive", "close", "release", "abort", "status"};
        if (tracing) std::fprintf(stderr, "  %c.%s(%u)\n", who == 0 ? 'A' : 'B', names[what], arg);
        begin(who);
        engine& e = ep(who);
        bool opens = false;
        tcpfsm::connection_status st;
        switch (what) {
            case 0: e.open_active(); opens = true; break;
            case 1: e.open_passive(); opens = true; break;
            case 2: e.send(arg); opens = true; break;  // SEND in LISTEN is an active OPEN
            case 3: {  // at most what it holds (connection::receive's contract, contract.hpp)
                const std::uint32_t held = e.snapshot().receive_held;
                e.receive(arg < held ? arg : held);
                break;
            }
            case 4: e.close(); break;
            case 5: e.release(); break;
            case 6: e.abort(); break;
            default: e.status(st); break;
        }
        end(who, opens);
    }

    void timers() {
        if (tracing) std::fprintf(stderr, "  t = %lld ms: timers\n", static_cast<long long>(now_ms));
        for (int who = 0; who < 2; ++who) {
            begin(who);
            ep(who).on_timer();
            end(who, false);
        }
    }

    engine& ep(int who) { return ep_[static_cast<std::size_t>(who)]; }

    void begin(int who) {
        current = who;
        forgotten[who] = false;
        outbox.clear();
        outbox_options.clear();
        before_ = ep(who).current_state();
        before_rcv_nxt_ = ep(who).snapshot().rcv_nxt;
    }

    void end(int who, bool user_open) {
        engine& e = ep(who);
        const tcpfsm::connection_status s = e.snapshot();
        // The state, the send sequence, the receive buffer.
        if (!tcpfsm::is_valid(s.st)) violated("invalid state", who);
        if (!tcpfsm::seq_le(s.snd_una, s.snd_nxt)) violated("SND.UNA > SND.NXT", who);
        if (s.unacked != s.snd_nxt - s.snd_una) violated("unacked is not SND.NXT - SND.UNA", who);
        if (s.receive_held > config_.receive_buffer) violated("more octets held than RCV.BUFF", who);
        if (s.rcv_wscale > 14 || s.snd_wscale > 14) violated("a window shift above 14", who);
        if (std::uint64_t{s.rcv_wnd} > (std::uint64_t{65535} << s.rcv_wscale)) {
            violated("RCV.WND above 65535 << Rcv.Wind.Shift", who);
        }
        // The reassembly queue: its blocks and FIN within 2^31 above RCV.NXT, none overlapping.
        if (!e.reassembly().consistent_with(s.rcv_nxt)) violated("reassembly queue inconsistent with RCV.NXT", who);
        if (s.st == tcpfsm::state::closed && !e.reassembly().empty()) violated("text held in CLOSED", who);
        // RCV.NXT and SND.UNA never move back while the TCB lives.
        tracked& t = track_[who];
        if (forgotten[who]) t.live = false;
        if (tcpfsm::has_received_syn(s.st)) {
            if (t.live && !tcpfsm::seq_le(t.rcv_nxt, s.rcv_nxt)) violated("RCV.NXT moved backwards", who);
            if (t.live && !tcpfsm::seq_le(t.snd_una, s.snd_una)) violated("SND.UNA moved backwards", who);
            t.live = true;
            t.rcv_nxt = s.rcv_nxt;
            t.snd_una = s.snd_una;
        } else {
            t.live = false;
        }
        // Without a TCB, only RST (§3.10.7.1, §3.5.2), unless the user opened.
        if (before_ == tcpfsm::state::closed && !user_open) {
            for (const tcpfsm::segment& seg : outbox)
                if (!seg.rst()) violated("CLOSED sent a segment that is not an RST", who);
        }
        // What was sent lies in the send sequence and acknowledges RCV.NXT.
        if (s.st != tcpfsm::state::closed && s.st != tcpfsm::state::listen) {
            for (const tcpfsm::segment& seg : outbox) {
                if (seg.rst()) continue;
                if (!tcpfsm::seq_le(s.iss, seg.seq) || !tcpfsm::seq_le(seg.seq + seg.text_length, s.snd_nxt)) {
                    std::fprintf(stderr, "seq %u len %u iss %u snd.nxt %u\n", seg.seq, seg.text_length, s.iss, s.snd_nxt);
                    violated("a segment outside [ISS, SND.NXT]", who);
                }
                const bool had_rcv_nxt = tcpfsm::has_received_syn(before_) && !forgotten[who];
                const bool ack_ok = had_rcv_nxt ? tcpfsm::seq_in_closed(before_rcv_nxt_, seg.ack, s.rcv_nxt) : seg.ack == s.rcv_nxt;
                if (seg.ack_flag() && !ack_ok) {
                    std::fprintf(stderr, "ack %u rcv.nxt %u (before the step %u) in %s\n", seg.ack, s.rcv_nxt, before_rcv_nxt_,
                                 tcpfsm::name(s.st));
                    violated("an ACK outside [RCV.NXT before, RCV.NXT after]", who);
                }
            }
        }
        // RFC 7323 §3.2: once both SYNs carried TSopt, every segment carries it (the step did
        // not end the connection: a new one's first SYN may go without).
        if (s.timestamps && !forgotten[who]) {
            for (std::size_t k = 0; k < outbox.size(); ++k)
                if (!outbox_options[k].has_timestamps) violated("a segment without TSopt on a timestamp connection", who);
        }
        for (std::size_t k = 0; k < outbox.size(); ++k) {
            if (tracing) print(who == 0 ? "A sent" : "B sent", outbox[k]);
            if (channel_.size() < 64) channel_.push_back(in_flight{outbox[k], 1 - who, outbox_options[k]});
        }
        outbox.clear();
        outbox_options.clear();
        if (tracing) {
            std::fprintf(stderr, "      A %s, B %s, %zu in flight\n", tcpfsm::rfc_name(ep_[0].current_state()),
                         tcpfsm::rfc_name(ep_[1].current_state()), channel_.size());
        }
    }

    reader& r_;
    tcpfsm::connection_config config_;
    std::vector<engine> ep_;
    std::deque<in_flight> channel_;
    tracked track_[2];
    tcpfsm::state before_ = tcpfsm::state::closed;
    std::uint32_t before_rcv_nxt_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    now_ms = 1000000;
    outbox.clear();
    outbox_options.clear();
    reader r{data, size};
    world w(r);
    w.run();
    return 0;
}
