// Bare transition: next(state, event) of the standard machine, under tcpfsm's dispatch
// policies and its peers (hand-written switch and dense table, Boost.MSM, Boost.Statechart),
// on three scenarios: a predictable lifecycle loop on one connection, a seeded random walk
// over valid events on one connection, and 1,024 connections each on its own random walk,
// interleaved. Items are transitions: items_per_second is transitions/s.
//
// Before anything is timed, every peer is checked against tcpfsm::next on all 396 cells and,
// after every 1,024 events, on every scenario; a peer that disagrees fails the program.
// SPDX-License-Identifier: MIT
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "scenarios.hpp"

namespace {

using namespace tcpfsm_bench;

struct named_peer {
    const char* name;
    std::unique_ptr<peer> (*make)();
};

const named_peer peers[] = {
    {"tcpfsm_table_lookup", &make_tcpfsm_table_lookup},
    {"tcpfsm_branch", &make_tcpfsm_branch},
    {"hand_switch", &make_hand_switch},
    {"hand_table", &make_hand_table},
    {"boost_msm", &make_boost_msm},
    {"boost_statechart", &make_boost_statechart},
};

// Every cell: drive one connection from CLOSED to s, apply e, compare with tcpfsm::next.
bool check_cells(const char* name, peer& p) {
    bool ok = true;
    for (std::size_t s = 0; s < tcpfsm::state_count; ++s) {
        const state from = static_cast<state>(s);
        const std::vector<event> path = path_from_closed(from);
        for (std::size_t e = 0; e < tcpfsm::event_count; ++e) {
            const event ev = static_cast<event>(e);
            p.reset(1);
            if (!path.empty()) p.run(path.data(), path.size());
            if (p.state_of(0) != from) {
                std::fprintf(stderr, "%s: the path to %s ends in %s\n", name, tcpfsm::name(from),
                             tcpfsm::name(p.state_of(0)));
                return false;
            }
            p.run(&ev, 1);
            const state want = tcpfsm::next(from, ev);
            if (p.state_of(0) != want) {
                std::fprintf(stderr, "%s: %s --%s--> %s, tcpfsm says %s\n", name, tcpfsm::name(from),
                             tcpfsm::name(ev), tcpfsm::name(p.state_of(0)), tcpfsm::name(want));
                ok = false;
            }
        }
    }
    return ok;
}

// A whole pass of a scenario, compared with tcpfsm::next after every 1,024 events.
bool check_scenario(const char* name, peer& p, const scenario& sc) {
    std::vector<state> ref(sc.connections, state::closed);
    p.reset(sc.connections);
    const std::size_t chunk = 1024;
    for (std::size_t first = 0; first < sc.events.size(); first += chunk) {
        const std::size_t n = std::min(chunk, sc.events.size() - first);
        p.run(sc.events.data() + first, n);
        for (std::size_t i = first; i < first + n; ++i) {
            state& s = ref[i % sc.connections];
            s = tcpfsm::next(s, sc.events[i]);
        }
        for (std::size_t c = 0; c < sc.connections; ++c) {
            if (p.state_of(c) != ref[c]) {
                std::fprintf(stderr, "%s: scenario %s, connection %zu after %zu events: %s, tcpfsm says %s\n", name,
                             sc.name.c_str(), c, first + n, tcpfsm::name(p.state_of(c)), tcpfsm::name(ref[c]));
                return false;
            }
        }
    }
    for (std::size_t c = 0; c < sc.connections; ++c)
        if (ref[c] != state::closed) {
            std::fprintf(stderr, "scenario %s does not end in CLOSED\n", sc.name.c_str());
            return false;
        }
    return true;
}

void run_scenario(benchmark::State& st, const named_peer& np, const scenario& sc) {
    std::unique_ptr<peer> p = np.make();
    p->reset(sc.connections);
    const event* const events = sc.events.data();
    const std::size_t n = sc.events.size();
    for (auto _ : st) {
        p->run(events, n);
        benchmark::ClobberMemory();
    }
    // The states the loop computed, so that it cannot be left out.
    state last = p->state_of(0);
    benchmark::DoNotOptimize(last);
    if (last != state::closed) st.SkipWithError("the pass did not end in CLOSED");
    const auto transitions = static_cast<std::int64_t>(n);
    st.SetItemsProcessed(st.iterations() * transitions);
    st.counters["transitions_per_pass"] = static_cast<double>(n);
    st.counters["connections"] = static_cast<double>(sc.connections);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    // 10,000 events per pass for the loop; 65,536 for the walks.
    const std::vector<scenario> scenarios = {
        lifecycle_loop(1000),
        random_walk(65536, 0x7463'7066'736d'0001ull),
        interleaved_walks(1024, 64, 0x7463'7066'736d'0002ull),
    };

    bool ok = true;
    for (const named_peer& np : peers) {
        std::unique_ptr<peer> p = np.make();
        ok = check_cells(np.name, *p) && ok;
        for (const scenario& sc : scenarios) ok = check_scenario(np.name, *p, sc) && ok;
    }
    if (!ok) {
        std::fprintf(stderr, "transition_bench: a peer disagrees with tcpfsm::next; nothing was timed\n");
        return 1;
    }
    std::fprintf(stderr, "transition_bench: %zu peers agree with tcpfsm::next on all %zu cells and on every scenario\n",
                 sizeof peers / sizeof peers[0], tcpfsm::state_count * tcpfsm::event_count);

    for (const scenario& sc : scenarios) {
        for (const named_peer& np : peers) {
            const std::string name = "transition/" + sc.name + "/" + np.name;
            benchmark::RegisterBenchmark(name.c_str(), [&np, &sc](benchmark::State& st) { run_scenario(st, np, sc); });
        }
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
