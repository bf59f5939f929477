// Engine: full lifecycles of connection pairs in memory (pairs.hpp): tcpfsm::connection with
// and without the wire codec and its checksums (and, beside the defaults, with the RFC 9293
// §3.10 reference configuration: every ACK at once, and with the options lwIP negotiates:
// window scaling, no timestamps or SACK), and lwIP 2.1 doing the same work. Each
// benchmark iteration is one batch of `pairs` lifecycles (the argument: 1, one pair at a time,
// or 64 pairs at once, as a server sees them); items are lifecycles, so items_per_second is
// lifecycles/s, and segments_per_second counts the segments delivered both ways.
// SPDX-License-Identifier: MIT
#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <string>

#include "pairs.hpp"

namespace {

using namespace tcpfsm_bench;

using factory = std::unique_ptr<pair_world> (*)(std::size_t pairs);

std::unique_ptr<pair_world> tcpfsm_wire_codec(std::size_t pairs) { return make_tcpfsm_pairs(pairs, true); }
std::unique_ptr<pair_world> tcpfsm_no_codec(std::size_t pairs) { return make_tcpfsm_pairs(pairs, false); }
std::unique_ptr<pair_world> tcpfsm_wire_codec_reference(std::size_t pairs) {
    return make_tcpfsm_pairs(pairs, true, pairs_config::reference);
}
std::unique_ptr<pair_world> tcpfsm_wire_codec_lwip_options(std::size_t pairs) {
    return make_tcpfsm_pairs(pairs, true, pairs_config::lwip_options);
}

void run_pairs(benchmark::State& st, factory make) {
    const auto pairs = static_cast<std::size_t>(st.range(0));
    std::unique_ptr<pair_world> world = make(pairs);
    batch_result total;
    for (auto _ : st) total += world->run_batch();
    if (total.failures != 0) {
        st.SkipWithError(total.first_failure.c_str());
        return;
    }
    const auto lifecycles = static_cast<double>(total.lifecycles);
    st.SetItemsProcessed(static_cast<std::int64_t>(total.lifecycles));
    st.counters["lifecycles_per_second"] = benchmark::Counter(lifecycles, benchmark::Counter::kIsRate);
    st.counters["segments_per_second"] = benchmark::Counter(static_cast<double>(total.segments), benchmark::Counter::kIsRate);
    st.counters["segments_per_lifecycle"] = lifecycles > 0 ? static_cast<double>(total.segments) / lifecycles : 0.0;
    st.counters["timer_steps_per_batch"] =
        st.iterations() > 0 ? static_cast<double>(total.timer_steps) / static_cast<double>(st.iterations()) : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    struct named {
        const char* name;
        factory make;
    };
    const named worlds[] = {
        {"engine/tcpfsm_wire_codec", &tcpfsm_wire_codec},
        {"engine/tcpfsm_no_codec", &tcpfsm_no_codec},
        {"engine/tcpfsm_wire_codec_reference", &tcpfsm_wire_codec_reference},
        {"engine/tcpfsm_wire_codec_lwip_options", &tcpfsm_wire_codec_lwip_options},
#if defined(TCPFSM_BENCH_LWIP)
        {"engine/lwip", &make_lwip_pairs},
#endif
    };
    for (const named& w : worlds) {
        benchmark::RegisterBenchmark(w.name, [make = w.make](benchmark::State& st) { run_pairs(st, make); })
            ->ArgName("pairs")
            ->Arg(1)
            ->Arg(64)
            ->Unit(benchmark::kMicrosecond);
    }
#if !defined(TCPFSM_BENCH_LWIP)
    std::fprintf(stderr, "engine_bench: built without lwIP (liblwip-dev): no lwIP peer\n");
#endif
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
