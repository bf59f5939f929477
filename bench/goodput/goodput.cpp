// The goodput benchmark (bench/README.md, "Goodput"): a payload goes one way over a simulated
// bottleneck (tcpfsm::sim::link_model both ways), tcpfsm -> tcpfsm (its NewReno and CUBIC
// profiles, bench/goodput/profiles.hpp) and lwIP -> lwIP over the same link, for every cell of
// a grid of round-trip times and loss rates at 100 Mbit/s (issue 13), plus reordering and
// burst-loss cells and a 1 Gbit/s, 100 ms case with buffers of one BDP (issue 14 item 7); the
// median of several seeds per cell, beside min(link rate, window / RTT, loss-based rate) for
// two loss-based rates: Mathis et al.'s for Reno and RFC 9438 §5's response function for
// CUBIC (mathis_rate, cubic_rate below), with the window each stack's receiver advertised.
//
//     tcpfsm_goodput [--smoke] [--bytes N] [--large-bytes N] [--seeds N] [--json FILE]
//                    [--limit-s S] [--only PREFIX] [--rfc-reference-acks] [--receive-buffer N]
//                    [--no-undo] [--rack-bound] [--burst-sweep]
//
// --bytes: octets per transfer in the 100 Mbit/s cells (10 MB); --large-bytes: in the 1 Gbit/s
// cells (100 MB). --only: the cells whose name starts with PREFIX. --rfc-reference-acks: the
// tcpfsm columns under tcpfsm::rfc_reference_config (every ACK at once: no delayed ACK, no
// per-turn deferral) instead of the default connection_config.
// --receive-buffer N: tcpfsm's receive buffer (connection_config::receive_buffer, both sides)
// in the 100 Mbit/s cells instead of 65,535, e.g. 4194304 so the window scales (RFC 7323 §2)
// as a Linux receiver's does; the lwIP column keeps its TCP_WND. The 1 Gbit/s cells keep theirs.
// --no-undo: the tcpfsm columns with connection_config::spurious_retransmission_undo off (to
// see what RACK-TLP does without the Eifel/D-SACK undo, docs/sack.md).
// --rack-bound: instead of the grid, a sender whose flight outgrows RACK-TLP's 32 records
// against a receiver that holds every hole as Linux's does (docs/sack.md "RACK-TLP in the
// engine"): 2 ms, 100 Mbit/s, queue one BDP, 4 MiB buffers on both sides, 0% and 1% loss; the
// sender's SACK scoreboard / the receiver's reassembly ranges 8/8 (the default), 8/64, 16/64
// and 32/64; per configuration the mean goodput and the sender's retransmission timeouts over
// the seeds (--seeds, --bytes).
// --burst-sweep: instead of the grid, issue 14's "3-segment loss bursts" over a range of
// paths: bursts of exactly 3 packets at 100 Mbit/s, RTT 20 and 100 ms, receive buffers of 64 KB
// (default profiles) and 4 MiB (64 reassembly ranges, 32 scoreboard ranges), bursts starting
// at 0.1%, 1/298 and 1% of the packets; CUBIC without SACK against CUBIC with SACK and
// RACK-TLP: medians, their ratio, timeouts (--seeds, --bytes).
// --smoke: two cells (RTT 20 ms at 1% loss; 1 Gbit/s, 100 ms at 0.01%), 256 KiB, one seed,
// and --rack-bound's configurations and --burst-sweep's cells at 256 KiB, one seed;
// exit status 1 unless every run delivered every octet intact and the response functions give
// RFC 9438 §5.1's tables. Without it: exit status 1 if a
// run delivered a wrong octet.
// Simulated time only: nothing here reads a real clock.
// SPDX-License-Identifier: MIT
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "link_loop.hpp"
#include "profiles.hpp"
#include "tcpfsm_stacks.hpp"
#include "transfer.hpp"
#ifdef TCPFSM_BENCH_LWIP
#include "lwip_stacks.hpp"
#endif

namespace tcpfsm_goodput {
namespace {

constexpr double mss = 1460.0;            // both stacks: 1500-octet packets
constexpr double header_octets = 40.0;    // IPv4 + TCP, no options on data
constexpr double initial_window = 10.0;   // segments (RFC 6928; tcpfsm's default, for the ideal time)

// Issue 13's grid: 100 Mbit/s with the 64 KB receive buffer of lwIP's TCP_WND (its columns
// compare stacks, not windows).
constexpr std::uint64_t grid_rate_bps = 100000000;
constexpr std::uint32_t grid_receive_buffer = 65535;
// Issue 14 item 7's high bandwidth-delay case: 1 Gbit/s, 100 ms, buffers of one BDP (12.5
// MB). THE ONE LINE that sizes tcpfsm's receive buffer there (connection_config::
// receive_buffer, both sides): the engine advertises min(it, 65535) until it scales its
// window (RFC 7323 §2), and then the same command measures the scaled window.
constexpr std::uint64_t gbit_rate_bps = 1000000000;
constexpr std::uint32_t gbit_receive_buffer =
    static_cast<std::uint32_t>(tcpfsm::sim::bdp_octets(gbit_rate_bps, 100000));  // 12,500,000

struct cell {
    std::string name;
    double rtt_ms;
    double loss;                     // random loss on the data direction
    std::uint64_t rate_bps = grid_rate_bps;
    std::uint32_t receive_buffer = grid_receive_buffer;
    bool large = false;              // moves --large-bytes instead of --bytes
    double burst_p = 0, burst_r = 0;  // Gilbert-Elliott on the data direction
    fixed_burst_loss fixed{};        // bursts of exactly fixed.length packets (link_loop.hpp)
    double reorder = 0;              // probability a data packet is held back...
    std::int64_t reorder_us = 0;     // ...by uniform 1..reorder_us
    std::uint64_t seed_base = 0;     // its seeds: seed_base + 0, 1, ...; set by grid()
};

// Packets lost per packet sent on the data direction.
double mean_loss(const cell& c) {
    const tcpfsm::sim::gilbert_elliott ge{c.burst_p, c.burst_r, 0.0, 1.0};
    return c.loss + (1.0 - c.loss) * (ge.mean_loss() + c.fixed.mean_loss());
}

// Loss events (congestion signals) per packet, the p of the response functions below: a
// burst of consecutive losses is one event. Random: every loss. Gilbert-Elliott: a bad run
// starts with probability burst_p from the good state, so mean loss * burst_r. Fixed
// bursts: mean loss / length.
double loss_events(const cell& c) {
    const tcpfsm::sim::gilbert_elliott ge{c.burst_p, c.burst_r, 0.0, 1.0};
    const double fixed = c.fixed.enabled() ? c.fixed.mean_loss() / static_cast<double>(c.fixed.length) : 0.0;
    return c.loss + (1.0 - c.loss) * (ge.mean_loss() * c.burst_r + fixed);
}

// The link's payload rate, octets/s: whole 1500-octet packets, 1460 of them payload.
double link_rate(const cell& c) { return static_cast<double>(c.rate_bps) / 8.0 * mss / (mss + header_octets); }

// Mathis, Semke, Mahdavi, Ott, "The Macroscopic Behavior of the TCP Congestion Avoidance
// Algorithm" (CCR 27(3), 1997), eq. (3): Reno's rate MSS / RTT * C / sqrt(p), C = sqrt(3/2)
// for periodic loss and an ACK per segment. Octets/s; infinite without loss.
double mathis_rate(double rtt_s, double p) {
    return p > 0 ? mss / rtt_s * std::sqrt(1.5) / std::sqrt(p) : INFINITY;
}

// RFC 9438 §5 (eq. 5 there) and §5.1: CUBIC's average window under a deterministic loss
// model, in segments,
//     AVG_W_cubic = (C * (3 + beta_cubic) / (4 * (1 - beta_cubic)))^(1/4) * RTT^(3/4) / p^(3/4)
// (RTT in seconds), with C = 0.4 and beta_cubic = 0.7 (§4.5, §4.6) the §5.1 form
// 1.054 * RTT^(3/4) / p^(3/4); in the Reno-friendly region (§4.3: alpha_cubic = 3 * (1 -
// beta_cubic) / (1 + beta_cubic) gives Reno's average window) CUBIC's window is at least
// Reno's sqrt(3 / (2 p)), so §5.1's tables take the larger of the two. Octets/s.
double cubic_rate(double rtt_s, double p) {
    if (p <= 0) return INFINITY;
    constexpr double c = 0.4, beta = 0.7;
    const double cubic = std::pow(c * (3.0 + beta) / (4.0 * (1.0 - beta)), 0.25) * std::pow(rtt_s, 0.75) /
                         std::pow(p, 0.75);
    const double reno = std::sqrt(3.0 / (2.0 * p));
    return (cubic > reno ? cubic : reno) * mss / rtt_s;
}

// --smoke checks the two response functions against RFC 9438 §5.1's Tables 1 and 2 (average
// window in segments at RTT 0.1 s and 0.01 s, the columns "AIMD" and "CUBIC (C=0.4)"). The
// RFC's AIMD column is 1.2 / sqrt(p) (RFC 3649's rounding of sqrt(3/2) = 1.2247), so Reno's
// windows here agree to 2.1%; CUBIC's to rounding. Returns false on a mismatch.
bool response_functions_match_rfc9438() {
    struct row {
        double rtt, p, aimd, cubic;
    };
    const row rows[] = {
        {0.1, 1e-2, 12, 12},     {0.1, 1e-3, 38, 38},       {0.1, 1e-4, 120, 187},     {0.1, 1e-5, 379, 1054},
        {0.1, 1e-6, 1200, 5926}, {0.1, 1e-7, 3795, 33325},  {0.1, 1e-8, 12000, 187400},
        {0.01, 1e-2, 12, 12},    {0.01, 1e-3, 38, 38},      {0.01, 1e-4, 120, 120},    {0.01, 1e-5, 379, 379},
        {0.01, 1e-6, 1200, 1200}, {0.01, 1e-7, 3795, 5926}, {0.01, 1e-8, 12000, 33325},
    };
    bool ok = true;
    for (const row& r : rows) {
        const double reno = mathis_rate(r.rtt, r.p) * r.rtt / mss;  // segments
        const double cubic = cubic_rate(r.rtt, r.p) * r.rtt / mss;
        // CUBIC's rows at or below Reno's take Reno's 1.2 / sqrt(p) too.
        const double cubic_tolerance = r.cubic <= r.aimd ? 0.025 : 0.005;
        if (std::fabs(reno - r.aimd) > 0.025 * r.aimd + 0.5 || std::fabs(cubic - r.cubic) > cubic_tolerance * r.cubic + 0.5) {
            std::printf("RFC 9438 §5.1 table, RTT %g s, p %g: AIMD %g (here %.1f), CUBIC %g (here %.1f)\n", r.rtt, r.p,
                        r.aimd, reno, r.cubic, cubic);
            ok = false;
        }
    }
    return ok;
}

// min(link rate, window / RTT, loss-based rate) in octets/s and what sets it. RTT is the
// base RTT (no queueing), so every term is an upper estimate.
struct bound {
    double link = 0, window = 0, loss = 0, value = 0;
    const char* by = "link";
};

bound bound_of(const cell& c, double window_octets, double loss_rate) {
    bound b;
    const double rtt = c.rtt_ms / 1000.0;
    b.link = link_rate(c);
    b.window = window_octets / rtt;
    b.loss = loss_rate;
    b.value = b.link;
    if (b.window < b.value) {
        b.value = b.window;
        b.by = "window";
    }
    if (b.loss < b.value) {
        b.value = b.loss;
        b.by = "loss";
    }
    return b;
}

// The goodput of an ideal sender of `bytes` at `rate` (octets/s) that also pays the start: one
// RTT of handshake, slow start from an initial window of 10 segments doubling every RTT
// until it reaches rate * RTT, and half an RTT for the last octet to arrive. For the large
// cells, where the start is a large part of the transfer.
double start_aware(const cell& c, double bytes, double rate) {
    const double rtt = c.rtt_ms / 1000.0;
    double t = 1.5 * rtt, remaining = bytes, w = initial_window * mss;
    while (w < rate * rtt && remaining > w) {
        remaining -= w;
        t += rtt;
        w *= 2.0;
    }
    t += remaining / rate;
    return bytes / t;
}

std::vector<cell> grid() {
    std::vector<cell> out;
    for (double rtt : {2.0, 20.0, 100.0}) {
        for (double loss : {0.0, 0.001, 0.01, 0.03}) {
            char name[64];
            std::snprintf(name, sizeof name, "rtt%g_loss%g", rtt, loss * 100);
            out.push_back(cell{name, rtt, loss});
        }
    }
    cell reorder{"rtt20_reorder2", 20.0, 0.0};
    reorder.reorder = 0.02;      // 2% of data packets...
    reorder.reorder_us = 1000;   // ...held back by up to 1 ms (8 packet times at 100 Mbit/s)
    out.push_back(reorder);
    cell burst{"rtt20_burst1", 20.0, 0.0};
    burst.burst_p = 0.005;  // good -> bad
    burst.burst_r = 0.5;    // bad -> good: bursts of 2 packets on average, 0.99% lost in all
    out.push_back(burst);
    cell burst3{"rtt20_burst3", 20.0, 0.0};
    burst3.fixed = fixed_burst_loss{1.0 / 298.0, 3};  // bursts of 3: 3 / (298 - 1 + 3) = 1% lost
    out.push_back(burst3);
    // Issue 14 item 7: 1 Gbit/s, 100 ms, receive buffers and queue of one BDP.
    for (double loss : {0.0, 0.0001, 0.01}) {
        char name[64];
        std::snprintf(name, sizeof name, "gbit_rtt100_loss%g", loss * 100);
        cell g{name, 100.0, loss, gbit_rate_bps, gbit_receive_buffer, true};
        out.push_back(g);
    }
    cell gburst{"gbit_rtt100_burst3", 100.0, 0.0, gbit_rate_bps, gbit_receive_buffer, true};
    gburst.fixed = fixed_burst_loss{0.0001, 3};  // 0.01% of packets start a burst of 3: 0.03% lost
    out.push_back(gburst);
    // Seeds by position in the whole grid, so --only and --smoke run a cell as the grid does.
    for (std::size_t i = 0; i < out.size(); ++i) out[i].seed_base = 1000u * (i + 1);
    return out;
}

tcpfsm::sim::link_model_config link_of(const cell& c, bool data_direction) {
    tcpfsm::sim::link_model_config l;
    const std::int64_t rtt_us = static_cast<std::int64_t>(c.rtt_ms * 1000.0);
    l.delay_us = rtt_us / 2;
    l.rate_bps = c.rate_bps;
    l.queue_octets = static_cast<std::size_t>(tcpfsm::sim::bdp_octets(c.rate_bps, static_cast<std::uint64_t>(rtt_us)));
    if (l.queue_octets < 3000) l.queue_octets = 3000;  // room for two packets
    if (data_direction) {
        l.loss = c.loss;
        l.burst.p = c.burst_p;
        l.burst.r = c.burst_r;
        l.reorder = c.reorder;
        l.reorder_us = c.reorder_us;
    }
    return l;
}

struct run_record {
    transfer_result r;
    double goodput;  // octets/s delivered in order to the receiving application
};

template <class Stacks, class... Args>
run_record run_one(const cell& c, std::uint64_t seed, const std::vector<std::uint8_t>& payload, double limit_s,
                   Args&... args) {
    link_loop loop(link_of(c, true), link_of(c, false), seed, c.fixed);
    Stacks stacks(loop, payload, args...);
    const loop_result outcome = loop.run(stacks, static_cast<link_time>(limit_s * 1e6));
    run_record rec{stacks.result(outcome), 0.0};
    rec.r.packets_delivered = loop.delivered();
    rec.r.data_link = loop.link(0).counters();
    rec.r.ack_packets = loop.link(1).counters().offered;
    rec.r.fixed_burst_losses = loop.fixed_burst_losses();
    const double seconds = rec.r.finished_us > 0 ? static_cast<double>(rec.r.finished_us) / 1e6
                                                 : static_cast<double>(loop.now_us()) / 1e6;
    rec.goodput = seconds > 0 ? static_cast<double>(rec.r.delivered) / seconds : 0.0;
    return rec;
}

const char* name(loop_result r) {
    switch (r) {
        case loop_result::done: return "done";
        case loop_result::time_limit: return "time_limit";
        case loop_result::stalled: return "stalled";
    }
    return "?";
}

struct column {
    std::string name;
    std::vector<run_record> runs;
};

double median_goodput(const column& col) {
    std::vector<double> g;
    for (const run_record& r : col.runs) g.push_back(r.goodput);
    std::sort(g.begin(), g.end());
    if (g.empty()) return 0;
    return g.size() % 2 ? g[g.size() / 2] : (g[g.size() / 2 - 1] + g[g.size() / 2]) / 2;
}

}  // namespace
}  // namespace tcpfsm_goodput

namespace tcpfsm_goodput {
namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The window of a column: the median over its runs of the largest window its receiver
// advertised (transfer_result::window).
double median_window(const column& col) {
    std::vector<double> w;
    for (const run_record& r : col.runs) w.push_back(static_cast<double>(r.r.window));
    return median(w);
}

void json_bound(std::FILE* json, const bound& b, double start) {
    std::fprintf(json, "{\"link\": %.0f, \"window\": %.0f, \"loss\": %.0f, \"value\": %.0f, \"by\": \"%s\", "
                       "\"start_aware\": %.0f}",
                 b.link, b.window, std::isinf(b.loss) ? -1.0 : b.loss, b.value, b.by, start);
}

// --rack-bound (see the top of this file).
template <std::size_t Ranges, std::size_t Held>
using rack_bound_profile = tcpfsm::with_reassembly_capacity<tcpfsm::with_sack_ranges<cubic_profile, Ranges>, Held>;

template <std::size_t Ranges, std::size_t Held>
bool rack_bound_row(const cell& c, int seeds, const std::vector<std::uint8_t>& data,
                    const tcpfsm::connection_config& config) {
    double sum = 0;
    unsigned timeouts = 0;
    bool ok = true;
    std::string runs;
    for (int s = 0; s < seeds; ++s) {
        const run_record r = run_one<tcpfsm_stacks<rack_bound_profile<Ranges, Held>, true>>(
            c, c.seed_base + static_cast<std::uint64_t>(s), data, 600.0, config);
        sum += r.goodput;
        timeouts += r.r.timeouts;
        ok = ok && r.r.intact && r.r.outcome == loop_result::done && r.r.delivered == data.size();
        char b[32];
        std::snprintf(b, sizeof b, " %.2f/%u", r.goodput / 1e6, r.r.timeouts);
        runs += b;
    }
    std::printf("%-11s %6zu %8zu %10.3f %9u  |%s\n", c.name.c_str(), Ranges, Held, sum / seeds / 1e6, timeouts,
                runs.c_str());
    return ok;
}

bool rack_bound_report(int seeds, std::size_t bytes) {
    const std::vector<std::uint8_t> data = tcpfsm::sim::rng(12345).bytes(bytes);
    tcpfsm::connection_config config;
    config.receive_buffer = 4u << 20;
    std::printf("%-11s %6s %8s %10s %9s  | per seed: MB/s / timeouts\n", "cell", "ranges", "receiver", "mean MB/s",
                "timeouts");
    bool ok = true;
    for (const cell& c : grid()) {
        if (c.name != "rtt2_loss0" && c.name != "rtt2_loss1") continue;
        ok = rack_bound_row<8, 8>(c, seeds, data, config) && ok;
        ok = rack_bound_row<8, 64>(c, seeds, data, config) && ok;
        ok = rack_bound_row<16, 64>(c, seeds, data, config) && ok;
        ok = rack_bound_row<32, 64>(c, seeds, data, config) && ok;
    }
    return ok;
}

// --burst-sweep (see the top of this file): bursts of exactly 3 packets at 100 Mbit/s, RTT 20
// and 100 ms, a burst starting at 0.1%, 1/298 (the grid's rtt20_burst3) or 1% of the packets;
// tcpfsm's receive buffer 64 KB (the grid's; the default profiles) or 4 MiB (a Linux-sized,
// scaled window; both receivers hold 64 ranges and the SACK sender's scoreboard 32, as
// --rack-bound's Linux-like receiver). CUBIC without SACK against CUBIC with SACK and
// RACK-TLP: medians, their ratio, timeouts.
template <class PlainProfile, class SackProfile>
bool burst_sweep_row(const cell& c, int seeds, const std::vector<std::uint8_t>& data) {
    tcpfsm::connection_config config;
    config.receive_buffer = c.receive_buffer;
    const double rtt = c.rtt_ms / 1000.0;
    // A guard, not a measurement (as the grid's): 600 s, or four times the transfer at Reno's rate.
    const double limit = std::max(600.0, 4.0 * static_cast<double>(data.size()) / mathis_rate(rtt, loss_events(c)));
    column plain{"tcpfsm_cubic", {}}, sack{"tcpfsm_cubic_sack", {}};
    unsigned plain_rto = 0, sack_rto = 0;
    bool ok = true;
    for (int s = 0; s < seeds; ++s) {
        const std::uint64_t seed = c.seed_base + static_cast<std::uint64_t>(s);
        plain.runs.push_back(run_one<tcpfsm_stacks<PlainProfile>>(c, seed, data, limit, config));
        sack.runs.push_back(run_one<tcpfsm_stacks<SackProfile, true>>(c, seed, data, limit, config));
        plain_rto += plain.runs.back().r.timeouts;
        sack_rto += sack.runs.back().r.timeouts;
        for (const run_record* r : {&plain.runs.back(), &sack.runs.back()}) {
            ok = ok && r->r.intact && r->r.outcome == loop_result::done && r->r.delivered == data.size();
        }
    }
    const double a = median_goodput(plain), b = median_goodput(sack);
    const bound bd = bound_of(c, median_window(sack), cubic_rate(rtt, loss_events(c)));
    std::printf("%-26s %10.3f %10.3f %6.2f %4u / %-3u %9.3f %s\n", c.name.c_str(), a / 1e6, b / 1e6,
                a > 0 ? b / a : 0.0, plain_rto, sack_rto, bd.value / 1e6, bd.by);
    return ok;
}

bool burst_sweep_report(int seeds, std::size_t bytes) {
    const std::vector<std::uint8_t> data = tcpfsm::sim::rng(12345).bytes(bytes);
    std::printf("%-26s %10s %10s %6s %9s %9s %s\n", "cell", "no SACK", "SACK+RACK", "ratio", "timeouts", "B_cubic",
                "(MB/s, medians; timeouts: no SACK / SACK over the seeds; B_cubic: the grid's bound)");
    bool ok = true;
    std::uint64_t seed_base = 100000;
    for (double rtt : {20.0, 100.0}) {
        for (std::uint32_t buffer : {grid_receive_buffer, std::uint32_t{4u << 20}}) {
            for (double start : {0.001, 1.0 / 298.0, 0.01}) {
                cell c{"", rtt, 0.0};
                c.receive_buffer = buffer;
                c.fixed = fixed_burst_loss{start, 3};
                c.seed_base = seed_base;
                seed_base += 1000;
                char name[64];
                std::snprintf(name, sizeof name, "rtt%g_buf%uk_bursts%.2f%%", rtt, buffer / 1024u, start * 100.0);
                c.name = name;
                if (buffer == grid_receive_buffer) {
                    ok = burst_sweep_row<cubic_profile, cubic_profile>(c, seeds, data) && ok;
                } else {
                    ok = burst_sweep_row<tcpfsm::with_reassembly_capacity<cubic_profile, 64>,
                                         rack_bound_profile<32, 64>>(c, seeds, data) && ok;
                }
            }
        }
    }
    return ok;
}

}  // namespace
}  // namespace tcpfsm_goodput

int main(int argc, char** argv) {
    using namespace tcpfsm_goodput;
    bool smoke = false, reference_acks = false, no_undo = false, rack_bound = false, burst_sweep = false;
    std::size_t bytes = 10000000;         // 10 MB
    std::size_t large_bytes = 100000000;  // 100 MB
    int seeds = 5;
    double limit_s = 600.0;
    std::string json_path, only;
    std::uint32_t receive_buffer = grid_receive_buffer;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--smoke") {
            smoke = true;
        } else if (a == "--rfc-reference-acks") {
            reference_acks = true;
        } else if (a == "--no-undo") {
            no_undo = true;
        } else if (a == "--rack-bound") {
            rack_bound = true;
        } else if (a == "--burst-sweep") {
            burst_sweep = true;
        } else if (a == "--bytes" && has_value) {
            bytes = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
        } else if (a == "--large-bytes" && has_value) {
            large_bytes = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
        } else if (a == "--seeds" && has_value) {
            seeds = std::atoi(argv[++i]);
        } else if (a == "--json" && has_value) {
            json_path = argv[++i];
        } else if (a == "--limit-s" && has_value) {
            limit_s = std::atof(argv[++i]);
        } else if (a == "--receive-buffer" && has_value) {
            receive_buffer = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (a == "--only" && has_value) {
            only = argv[++i];
        } else {
            std::fprintf(stderr,
                         "usage: %s [--smoke] [--bytes N] [--large-bytes N] [--seeds N] [--json FILE] [--limit-s S] "
                         "[--only PREFIX] [--rfc-reference-acks] [--receive-buffer N] [--no-undo] [--rack-bound] [--burst-sweep]\n",
                         argv[0]);
            return 2;
        }
    }
    if ((rack_bound || burst_sweep) && !smoke) {
        bool ok = true;
        if (rack_bound) ok = rack_bound_report(seeds, bytes) && ok;
        if (burst_sweep) ok = burst_sweep_report(seeds, bytes) && ok;
        return ok ? 0 : 1;
    }
    std::vector<cell> cells;
    for (const cell& c : grid()) {
        if (c.name.compare(0, only.size(), only) == 0) cells.push_back(c);
    }
    if (smoke) {
        cells.clear();
        for (const cell& c : grid()) {
            if (c.name == "rtt20_loss1" || c.name == "gbit_rtt100_loss0.01") cells.push_back(c);
        }
        bytes = large_bytes = 256 * 1024;
        seeds = 1;
    }
    std::vector<std::uint8_t> payload = tcpfsm::sim::rng(12345).bytes(bytes);
    std::vector<std::uint8_t> large_payload;
    for (const cell& c : cells) {
        if (c.large && large_payload.empty()) large_payload = tcpfsm::sim::rng(12345).bytes(large_bytes);
    }
    tcpfsm::connection_config base_config =
        reference_acks ? tcpfsm::rfc_reference_config : tcpfsm::connection_config{};
    if (no_undo) base_config.spurious_retransmission_undo = false;

    std::FILE* json = json_path.empty() ? nullptr : std::fopen(json_path.c_str(), "w");
    if (!json_path.empty() && json == nullptr) {
        std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
        return 2;
    }
    if (json) {
        std::fprintf(json,
                     "{\n  \"benchmark\": \"goodput\",\n  \"bytes\": %zu,\n  \"large_bytes\": %zu,\n  \"seeds\": %d,\n"
                     "  \"queue\": \"1 BDP (octets)\",\n  \"tcpfsm_config\": \"%s\",\n"
                     "  \"delayed_ack\": %s,\n  \"ack_per_turn\": %s,\n  \"spurious_retransmission_undo\": %s,\n"
                     "  \"congestion_policies_integrated\": %s,\n  \"cells\": [\n",
                     bytes, large_bytes, seeds, reference_acks ? "rfc_reference_config" : "default",
                     base_config.timers.delayed_ack ? "true" : "false", base_config.ack_per_turn ? "true" : "false",
                     base_config.spurious_retransmission_undo ? "true" : "false",
                     congestion_policies_integrated ? "true" : "false");
    }
    std::printf("%-21s %9s %9s %9s %9s %9s %9s %9s  %s\n", "cell", "newreno", "cubic", "lwip", "cub_sack", "sack6675",
                "B_mathis", "B_cubic",
                "(median goodput, MB/s; * = a run did not finish; B: min(link, window/RTT, loss) with tcpfsm's window)");
    bool all_ok = true;
    for (std::size_t ci = 0; ci < cells.size(); ++ci) {
        const cell& c = cells[ci];
        const std::vector<std::uint8_t>& data = c.large ? large_payload : payload;
        tcpfsm::connection_config config = base_config;
        config.receive_buffer = c.receive_buffer == grid_receive_buffer ? receive_buffer : c.receive_buffer;
        const double rtt = c.rtt_ms / 1000.0;
        const double p = loss_events(c);
        // A guard, not a measurement: four times the transfer at the smallest bound with a
        // 64 KB window, or limit_s.
        const bound slowest = bound_of(c, 65535.0, mathis_rate(rtt, p));
        const double cell_limit_s = std::max(limit_s, 4.0 * static_cast<double>(data.size()) / slowest.value);
        std::vector<column> cols;
        cols.push_back(column{"tcpfsm_newreno", {}});
        cols.push_back(column{"tcpfsm_cubic", {}});
#ifdef TCPFSM_BENCH_LWIP
        cols.push_back(column{"lwip", {}});
#endif
        // CUBIC with SACK (RFC 2018, RFC 6675 recovery with PRR); the two columns above have
        // connection_config::sack off (timestamps on in all three, as the config says).
        cols.push_back(column{"tcpfsm_cubic_sack", {}});
        // The same with connection_config::rack off: RFC 6675's DupThresh and IsLost() detect
        // the losses instead of RACK-TLP (RFC 8985).
        cols.push_back(column{"tcpfsm_cubic_sack_rfc6675", {}});
        tcpfsm::connection_config without_rack = config;
        without_rack.rack = false;
        for (int s = 0; s < seeds; ++s) {
            const std::uint64_t seed = c.seed_base + static_cast<std::uint64_t>(s);
            cols[0].runs.push_back(run_one<tcpfsm_stacks<newreno_profile>>(c, seed, data, cell_limit_s, config));
            cols[1].runs.push_back(run_one<tcpfsm_stacks<cubic_profile>>(c, seed, data, cell_limit_s, config));
#ifdef TCPFSM_BENCH_LWIP
            cols[2].runs.push_back(run_one<lwip_stacks>(c, seed, data, cell_limit_s));
#endif
            cols[cols.size() - 2].runs.push_back(
                run_one<tcpfsm_stacks<cubic_profile, true>>(c, seed, data, cell_limit_s, config));
            cols.back().runs.push_back(
                run_one<tcpfsm_stacks<cubic_profile, true>>(c, seed, data, cell_limit_s, without_rack));
        }
        // Each column against its own loss model: Reno's (Mathis) for NewReno and lwIP (NewReno
        // too), RFC 9438's for CUBIC; each with the window its receiver advertised.
        std::vector<bound> bounds;
        std::vector<double> starts;
        for (const column& col : cols) {
            const bool is_cubic = col.name.compare(0, 12, "tcpfsm_cubic") == 0;
            const bound b = bound_of(c, median_window(col), is_cubic ? cubic_rate(rtt, p) : mathis_rate(rtt, p));
            bounds.push_back(b);
            starts.push_back(start_aware(c, static_cast<double>(data.size()), b.value));
        }
        std::string line;
        char buf[96];
        std::snprintf(buf, sizeof buf, "%-21s", c.name.c_str());
        line += buf;
        // The columns in the header's order, by name (lwIP only when it is built).
        const char* const order[5] = {"tcpfsm_newreno", "tcpfsm_cubic", "lwip", "tcpfsm_cubic_sack",
                                      "tcpfsm_cubic_sack_rfc6675"};
        for (const char* want : order) {
            std::size_t k = 0;
            while (k < cols.size() && cols[k].name != want) ++k;
            if (k >= cols.size()) {
                line += "         -";
                continue;
            }
            bool unfinished = false;
            for (const run_record& r : cols[k].runs) {
                unfinished = unfinished || r.r.outcome != loop_result::done;
                if (!r.r.intact) all_ok = false;
                if (smoke && (r.r.outcome != loop_result::done || r.r.delivered != data.size())) all_ok = false;
            }
            std::snprintf(buf, sizeof buf, " %8.3f%s", median_goodput(cols[k]) / 1e6, unfinished ? "*" : " ");
            line += buf;
        }
        std::snprintf(buf, sizeof buf, " %8.3f %-6s %8.3f %-6s", bounds[0].value / 1e6, bounds[0].by,
                      bounds[1].value / 1e6, bounds[1].by);
        line += buf;
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        if (json) {
            std::fprintf(json,
                         "    {\"name\": \"%s\", \"rtt_ms\": %g, \"rate_bps\": %llu, \"receive_buffer\": %u, "
                         "\"bytes\": %zu, \"loss\": %g, \"burst_p\": %g, \"burst_r\": %g, \"fixed_burst_start\": %g, "
                         "\"fixed_burst_length\": %u, \"reorder\": %g, \"reorder_us\": %lld, \"mean_loss\": %g, "
                         "\"loss_events\": %g,\n"
                         "     \"link\": %.0f, \"mathis\": %.0f, \"cubic\": %.0f,\n"
                         "     \"stacks\": {",
                         c.name.c_str(), c.rtt_ms, static_cast<unsigned long long>(c.rate_bps), config.receive_buffer,
                         data.size(), c.loss, c.burst_p, c.burst_r, c.fixed.start, c.fixed.length, c.reorder,
                         static_cast<long long>(c.reorder_us), mean_loss(c), p, link_rate(c),
                         std::isinf(mathis_rate(rtt, p)) ? -1.0 : mathis_rate(rtt, p),
                         std::isinf(cubic_rate(rtt, p)) ? -1.0 : cubic_rate(rtt, p));
            for (std::size_t k = 0; k < cols.size(); ++k) {
                std::fprintf(json, "%s\n       \"%s\": {\"median_goodput\": %.0f, \"window\": %.0f, \"bound\": ",
                             k ? "," : "", cols[k].name.c_str(), median_goodput(cols[k]), median_window(cols[k]));
                json_bound(json, bounds[k], starts[k]);
                std::fprintf(json, ",\n         \"runs\": [");
                for (std::size_t r = 0; r < cols[k].runs.size(); ++r) {
                    const run_record& rr = cols[k].runs[r];
                    std::fprintf(json,
                                 "%s{\"goodput\": %.0f, \"outcome\": \"%s\", \"intact\": %s, \"delivered\": %llu, "
                                 "\"finished_us\": %lld, \"max_rto_ms\": %u, \"rto_at_ceiling\": %s, \"window\": %u, "
                                 "\"fast_recoveries\": %u, \"timeouts\": %u, "
                                 "\"packets\": %llu, \"ack_packets\": %llu, "
                                 "\"data_link\": {\"offered\": %llu, \"random_losses\": %llu, \"burst_losses\": %llu, "
                                 "\"fixed_burst_losses\": %llu, \"queue_drops\": %llu, \"max_queue_octets\": %zu}}",
                                 r ? ", " : "", rr.goodput, name(rr.r.outcome), rr.r.intact ? "true" : "false",
                                 static_cast<unsigned long long>(rr.r.delivered),
                                 static_cast<long long>(rr.r.finished_us), rr.r.max_rto_ms,
                                 rr.r.rto_at_ceiling ? "true" : "false", rr.r.window,
                                 rr.r.fast_recoveries, rr.r.timeouts,
                                 static_cast<unsigned long long>(rr.r.packets_delivered),
                                 static_cast<unsigned long long>(rr.r.ack_packets),
                                 static_cast<unsigned long long>(rr.r.data_link.offered),
                                 static_cast<unsigned long long>(rr.r.data_link.random_losses),
                                 static_cast<unsigned long long>(rr.r.data_link.burst_losses),
                                 static_cast<unsigned long long>(rr.r.fixed_burst_losses),
                                 static_cast<unsigned long long>(rr.r.data_link.queue_drops),
                                 rr.r.data_link.max_queue_octets);
                }
                std::fprintf(json, "]}");
            }
            std::fprintf(json, "}}%s\n", ci + 1 < cells.size() ? "," : "");
        }
    }
    if (json) {
        std::fprintf(json, "  ]\n}\n");
        std::fclose(json);
    }
    if (smoke && !response_functions_match_rfc9438()) {
        std::printf("FAILED: the response functions disagree with RFC 9438 §5.1's tables\n");
        return 1;
    }
    if (smoke && !rack_bound_report(1, 256 * 1024)) all_ok = false;
    if (smoke && !burst_sweep_report(1, 256 * 1024)) all_ok = false;
    if (!all_ok) std::printf("FAILED: a run delivered a wrong octet%s\n", smoke ? " or did not deliver them all" : "");
    else if (smoke) std::printf("smoke: every octet arrived intact; the response functions match RFC 9438 §5.1's tables\n");
    return all_ok ? 0 : 1;
}
