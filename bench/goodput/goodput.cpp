// The goodput benchmark (bench/README.md, "Goodput"): a payload goes one way over a simulated
// bottleneck (tcpfsm::sim::link_model both ways), tcpfsm -> tcpfsm (its NewReno and CUBIC
// profiles, bench/goodput/profiles.hpp) and lwIP -> lwIP over the same link, for every cell of
// a grid of round-trip times and loss rates, plus a reordering cell and a burst-loss cell; the
// median of several seeds per cell, beside the bound min(link rate, window / RTT, Mathis et
// al. MSS / RTT * 1.22 / sqrt(p)).
//
//     tcpfsm_goodput [--smoke] [--bytes N] [--seeds N] [--json FILE] [--limit-s S]
//
// --smoke: one cell (RTT 20 ms, 1% loss), 256 KiB, one seed; exit status 1 unless every run
// delivered every octet intact. Without it: exit status 1 if a run delivered a wrong octet.
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

constexpr std::uint64_t bottleneck_bps = 100000000;  // 100 Mbit/s
constexpr double mss = 1460.0;                         // both stacks: 1500-octet packets
constexpr double header_octets = 40.0;                 // IPv4 + TCP, no options on data
constexpr double receive_window = 65535.0;             // no window scaling yet

struct cell {
    std::string name;
    double rtt_ms;
    double loss;          // random loss on the data direction
    double burst_p = 0, burst_r = 0;  // Gilbert-Elliott on the data direction
    double reorder = 0;   // probability a data packet is held back...
    std::int64_t reorder_us = 0;  // ...by uniform 1..reorder_us
};

double mean_loss(const cell& c) {
    const tcpfsm::sim::gilbert_elliott ge{c.burst_p, c.burst_r, 0.0, 1.0};
    return c.loss + (1.0 - c.loss) * ge.mean_loss();
}

// The bound (octets/s) and what sets it.
struct bound {
    double link, window, mathis, value;
    const char* by;
};

bound bound_of(const cell& c) {
    bound b{};
    const double rtt = c.rtt_ms / 1000.0;
    b.link = static_cast<double>(bottleneck_bps) / 8.0 * mss / (mss + header_octets);
    b.window = receive_window / rtt;
    const double p = mean_loss(c);
    b.mathis = p > 0 ? mss / rtt * 1.22 / std::sqrt(p) : INFINITY;  // Mathis et al. 1997
    b.value = b.link;
    b.by = "link";
    if (b.window < b.value) {
        b.value = b.window;
        b.by = "window";
    }
    if (b.mathis < b.value) {
        b.value = b.mathis;
        b.by = "loss";
    }
    return b;
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
    return out;
}

tcpfsm::sim::link_model_config link_of(const cell& c, bool data_direction) {
    tcpfsm::sim::link_model_config l;
    const std::int64_t rtt_us = static_cast<std::int64_t>(c.rtt_ms * 1000.0);
    l.delay_us = rtt_us / 2;
    l.rate_bps = bottleneck_bps;
    l.queue_octets = static_cast<std::size_t>(tcpfsm::sim::bdp_octets(bottleneck_bps, static_cast<std::uint64_t>(rtt_us)));
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
    link_loop loop(link_of(c, true), link_of(c, false), seed);
    Stacks stacks(loop, payload, args...);
    const loop_result outcome = loop.run(stacks, static_cast<link_time>(limit_s * 1e6));
    run_record rec{stacks.result(outcome), 0.0};
    rec.r.packets_delivered = loop.delivered();
    rec.r.data_link = loop.link(0).counters();
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

int main(int argc, char** argv) {
    using namespace tcpfsm_goodput;
    bool smoke = false;
    std::size_t bytes = 10000000;  // 10 MB
    int seeds = 5;
    double limit_s = 600.0;
    std::string json_path;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--smoke") {
            smoke = true;
        } else if (a == "--bytes" && has_value) {
            bytes = static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
        } else if (a == "--seeds" && has_value) {
            seeds = std::atoi(argv[++i]);
        } else if (a == "--json" && has_value) {
            json_path = argv[++i];
        } else if (a == "--limit-s" && has_value) {
            limit_s = std::atof(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: %s [--smoke] [--bytes N] [--seeds N] [--json FILE] [--limit-s S]\n", argv[0]);
            return 2;
        }
    }
    std::vector<cell> cells = grid();
    if (smoke) {
        cells = {cell{"rtt20_loss1", 20.0, 0.01}};
        bytes = 256 * 1024;
        seeds = 1;
    }
    std::vector<std::uint8_t> payload = tcpfsm::sim::rng(12345).bytes(bytes);
    tcpfsm::connection_config config;

    std::FILE* json = json_path.empty() ? nullptr : std::fopen(json_path.c_str(), "w");
    if (!json_path.empty() && json == nullptr) {
        std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
        return 2;
    }
    if (json) {
        std::fprintf(json,
                     "{\n  \"benchmark\": \"goodput\",\n  \"bytes\": %zu,\n  \"seeds\": %d,\n  \"rate_bps\": %llu,\n"
                     "  \"queue\": \"1 BDP (octets)\",\n  \"receive_window\": %.0f,\n"
                     "  \"congestion_policies_integrated\": %s,\n  \"cells\": [\n",
                     bytes, seeds, static_cast<unsigned long long>(bottleneck_bps), receive_window,
                     congestion_policies_integrated ? "true" : "false");
    }
    std::printf("%-16s %9s %9s %9s %9s %-7s %s\n", "cell", "newreno", "cubic", "lwip", "bound", "by",
                "(median goodput, MB/s; * = a run did not finish)");
    bool all_ok = true;
    for (std::size_t ci = 0; ci < cells.size(); ++ci) {
        const cell& c = cells[ci];
        std::vector<column> cols;
        cols.push_back(column{"tcpfsm_newreno", {}});
        cols.push_back(column{"tcpfsm_cubic", {}});
#ifdef TCPFSM_BENCH_LWIP
        cols.push_back(column{"lwip", {}});
#endif
        for (int s = 0; s < seeds; ++s) {
            const std::uint64_t seed = 1000u * (ci + 1) + static_cast<std::uint64_t>(s);
            cols[0].runs.push_back(run_one<tcpfsm_stacks<newreno_profile>>(c, seed, payload, limit_s, config));
            cols[1].runs.push_back(run_one<tcpfsm_stacks<cubic_profile>>(c, seed, payload, limit_s, config));
#ifdef TCPFSM_BENCH_LWIP
            cols[2].runs.push_back(run_one<lwip_stacks>(c, seed, payload, limit_s));
#endif
        }
        const bound b = bound_of(c);
        std::string line;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%-16s", c.name.c_str());
        line += buf;
        for (std::size_t k = 0; k < 3; ++k) {
            if (k >= cols.size()) {
                line += "         -";
                continue;
            }
            bool unfinished = false;
            for (const run_record& r : cols[k].runs) {
                unfinished = unfinished || r.r.outcome != loop_result::done;
                if (!r.r.intact) all_ok = false;
                if (smoke && (r.r.outcome != loop_result::done || r.r.delivered != bytes)) all_ok = false;
            }
            std::snprintf(buf, sizeof buf, " %8.3f%s", median_goodput(cols[k]) / 1e6, unfinished ? "*" : " ");
            line += buf;
        }
        std::snprintf(buf, sizeof buf, " %8.3f  %-7s", b.value / 1e6, b.by);
        line += buf;
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
        if (json) {
            std::fprintf(json,
                         "    {\"name\": \"%s\", \"rtt_ms\": %g, \"loss\": %g, \"burst_p\": %g, \"burst_r\": %g, "
                         "\"reorder\": %g, \"reorder_us\": %lld, \"mean_loss\": %g,\n"
                         "     \"bound\": {\"link\": %.0f, \"window\": %.0f, \"mathis\": %.0f, \"value\": %.0f, \"by\": \"%s\"},\n"
                         "     \"stacks\": {",
                         c.name.c_str(), c.rtt_ms, c.loss, c.burst_p, c.burst_r, c.reorder,
                         static_cast<long long>(c.reorder_us), mean_loss(c), b.link, b.window,
                         std::isinf(b.mathis) ? -1.0 : b.mathis, b.value, b.by);
            for (std::size_t k = 0; k < cols.size(); ++k) {
                std::fprintf(json, "%s\n       \"%s\": {\"median_goodput\": %.0f, \"runs\": [", k ? "," : "",
                             cols[k].name.c_str(), median_goodput(cols[k]));
                for (std::size_t r = 0; r < cols[k].runs.size(); ++r) {
                    const run_record& rr = cols[k].runs[r];
                    std::fprintf(json,
                                 "%s{\"goodput\": %.0f, \"outcome\": \"%s\", \"intact\": %s, \"delivered\": %llu, "
                                 "\"finished_us\": %lld, \"max_rto_ms\": %u, \"rto_at_ceiling\": %s, \"packets\": %llu, "
                                 "\"data_link\": {\"offered\": %llu, \"random_losses\": %llu, \"burst_losses\": %llu, "
                                 "\"queue_drops\": %llu, \"max_queue_octets\": %zu}}",
                                 r ? ", " : "", rr.goodput, name(rr.r.outcome), rr.r.intact ? "true" : "false",
                                 static_cast<unsigned long long>(rr.r.delivered),
                                 static_cast<long long>(rr.r.finished_us), rr.r.max_rto_ms,
                                 rr.r.rto_at_ceiling ? "true" : "false",
                                 static_cast<unsigned long long>(rr.r.packets_delivered),
                                 static_cast<unsigned long long>(rr.r.data_link.offered),
                                 static_cast<unsigned long long>(rr.r.data_link.random_losses),
                                 static_cast<unsigned long long>(rr.r.data_link.burst_losses),
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
    if (!all_ok) std::printf("FAILED: a run delivered a wrong octet%s\n", smoke ? " or did not deliver them all" : "");
    else if (smoke) std::printf("smoke: every octet arrived intact\n");
    return all_ok ? 0 : 1;
}
