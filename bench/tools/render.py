#!/usr/bin/env python3
"""Renders DIR/raw/*.json (written by run_all.py) as DIR/results.md (tables of ratios, all
from the same run) and DIR/throughput.svg and .png (gnuplot).

    render.py DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

PEERS = [
    ("tcpfsm_table_lookup", "tcpfsm table_lookup"),
    ("tcpfsm_branch", "tcpfsm branch"),
    ("hand_switch", "hand switch"),
    ("hand_table", "hand table"),
    ("boost_msm", "Boost.MSM"),
    ("boost_statechart", "Boost.Statechart"),
]
SCENARIOS = [
    ("lifecycle_loop", "lifecycle loop (1 connection, predictable)"),
    ("random_walk", "random walk (1 connection, unpredictable)"),
    ("interleaved_1024", "1,024 interleaved random walks"),
]
ENGINES = [
    ("tcpfsm_wire_codec", "tcpfsm, wire codec + checksums"),
    ("tcpfsm_no_codec", "tcpfsm, no codec"),
    ("tcpfsm_wire_codec_reference", "tcpfsm, wire codec, RFC 9293 reference (every ACK at once)"),
    ("tcpfsm_wire_codec_lwip_options", "tcpfsm, wire codec, lwIP's options (window scaling; no timestamps, SACK, RACK)"),
    ("lwip", "lwIP 2.1.3"),
]
# The documented default of tcpfsm::next / standard_machine (lookup.hpp), and what the engine uses.
DEFAULT_POLICY = "tcpfsm_table_lookup"
# The policy the documentation (docs/design.md "Lookup and dispatch", README) recommends for
# each scenario: branch for one connection with predictable events, table_lookup otherwise.
RECOMMENDED = {
    "lifecycle_loop": "tcpfsm_branch",
    "random_walk": "tcpfsm_table_lookup",
    "interleaved_1024": "tcpfsm_table_lookup",
}


def load_benchmarks(path):
    """name -> the median repetition (or the single run), from Google Benchmark's JSON."""
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            out[b.get("run_name", b["name"])] = {"error": b.get("error_message", "error")}
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
            out[b["run_name"]] = b
        else:
            out.setdefault(b.get("run_name", b["name"]), b)
    return data.get("context", {}), out


def fmt(x, digits=3):
    if x is None:
        return "n/a"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def ratio_cell(r, target=None, higher_is_better=False):
    if r is None:
        return "n/a"
    text = f"{r:.2f}"
    if target is not None:
        ok = r >= target if higher_is_better else r <= target
        text += " ✓" if ok else " ✗"
    return text


def main():
    out_dir = sys.argv[1]
    raw = os.path.join(out_dir, "raw")
    tctx, trans = load_benchmarks(os.path.join(raw, "transition.json"))
    ectx, eng = load_benchmarks(os.path.join(raw, "engine.json"))
    with open(os.path.join(raw, "sizes.json")) as f:
        sizes = json.load(f)
    with open(os.path.join(raw, "compile.json")) as f:
        comp = json.load(f)
    with open(os.path.join(raw, "machine.json")) as f:
        machine = json.load(f)

    def ns(scenario, peer):
        b = trans.get(f"transition/{scenario}/{peer}")
        if not b or "items_per_second" not in b:
            return None
        return 1e9 / b["items_per_second"]

    def eng_rate(variant, pairs, key="items_per_second"):
        b = eng.get(f"engine/{variant}/pairs:{pairs}")
        if not b or key not in b:
            return None
        return b[key]

    md = []
    w = md.append
    w("# tcpfsm benchmark results")
    w("")
    if machine.get("quick"):
        w("**Quick run (`--quick`, the ctest `bench.pipeline`): every benchmark ran for a moment only; "
          "these numbers mean nothing.**")
        w("")
    cpu = machine.get("lscpu", {})
    w(f"Run on {machine.get('date', '?')}, `{machine.get('build_type', '?')}` build, by `bench/run.sh` "
      "(bench/README.md). Every ratio below compares numbers from this one run.")
    w("")
    w("| machine | |")
    w("| --- | --- |")
    w(f"| CPU | {cpu.get('Model name', '?')}, {cpu.get('CPU(s)', '?')} CPUs "
      f"({cpu.get('Thread(s) per core', '?')} thread(s) per core), {cpu.get('Hypervisor vendor', 'no')} hypervisor |")
    caches = ", ".join(f"{k} {cpu[k]}" for k in ("L1d cache", "L2 cache", "L3 cache") if k in cpu)
    w(f"| caches | {caches} |")
    w(f"| OS | Debian {machine.get('debian', '?')}, Linux {machine.get('kernel', '?')} |")
    for name, version in machine.get("compilers", {}).items():
        w(f"| `{name}` | {version} |")
    pk = machine.get("packages", {})
    w("| packages | " + ", ".join(f"{k} {v}" for k, v in pk.items()) + " |")
    w(f"| load average (1, 5, 15 min) | before the build {machine.get('load_before_build') or 'not recorded'}, "
      f"start {machine.get('load_at_start')}, "
      f"transition {tctx.get('tcpfsm_load_before')} → {tctx.get('tcpfsm_load_after')}, "
      f"engine {ectx.get('tcpfsm_load_before')} → {ectx.get('tcpfsm_load_after')}, "
      f"compile {comp.get('load_before')} → {comp.get('load_after')}, end {machine.get('load_at_end')} "
      f"(on {machine.get('nproc')} CPUs; our own run counts for 1) |")
    def other(c):
        return "not measured" if not c else f"{c.get('other_cpus')} CPUs over {c.get('seconds')} s"
    w(f"| other processes' CPU use during each part (/proc/stat, ours subtracted) | "
      f"transition {other(tctx.get('tcpfsm_contention'))}, engine {other(ectx.get('tcpfsm_contention'))}, "
      f"compile {other(comp.get('contention'))} |")
    if machine.get("quick"):
        stat = "one brief run of each benchmark; each translation unit compiled once"
    else:
        stat = (f"benchmarks: the median of {machine.get('repetitions', '?')} repetitions of at least "
                f"{machine.get('min_time', '?')} s each; compile times: the median CPU time of {comp.get('runs')} "
                "compiles after a warm-up")
    w(f"| statistic | {stat} |")
    w("")

    # ---------------------------------------------------------------- 1. transitions
    w("## 1. Bare transition: `next(state, event)`")
    w("")
    w("Every peer implements the whole standard machine: 11 states × 36 events = 396 cells, 68 of "
      "which change the state (`tcpfsm::next` on the 240-row table; the hand-written switch, Boost.MSM "
      "and Boost.Statechart hold the 68 state-changing transitions and leave the state as it is for "
      "any other event; the hand-written table holds all 396 cells). Boost.MSM's 68 rows exceed the "
      "50 that Boost's preprocessed MPL headers allow: MSM is built with "
      "`BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS`, `BOOST_MPL_LIMIT_VECTOR_SIZE 70` and the two MPL "
      "headers it then needs (bench/transition/msm_limits), so no peer runs a subset. Before timing, "
      "every peer is checked against `tcpfsm::next` on all 396 cells and along every scenario.")
    w("")
    w("Nanoseconds per transition (lower is better), and millions of transitions per second:")
    w("")
    w("| scenario | " + " | ".join(label for _, label in PEERS) + " |")
    w("| --- |" + " ---: |" * len(PEERS))
    for sc, label in SCENARIOS:
        cells = []
        for p, _ in PEERS:
            v = ns(sc, p)
            cells.append("n/a" if v is None else f"{v:.2f} ns ({1e3 / v:,.0f} M/s)")
        w(f"| {label} | " + " | ".join(cells) + " |")
    w("")
    w("Ratios of time per transition, tcpfsm ÷ peer (below 1: tcpfsm is faster). Targets: within "
      "1.10 of the best hand-written code for each scenario, and never slower than Boost.MSM (≤ 1.00).")
    w("")
    w("| tcpfsm policy | scenario | ÷ hand switch | ÷ hand table | ÷ best hand-written | ÷ Boost.MSM | ÷ Boost.Statechart |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for policy in ("tcpfsm_table_lookup", "tcpfsm_branch"):
        for sc, label in SCENARIOS:
            t = ns(sc, policy)
            hs, ht = ns(sc, "hand_switch"), ns(sc, "hand_table")
            best = min(x for x in (hs, ht) if x is not None) if (hs or ht) else None
            msm, chart = ns(sc, "boost_msm"), ns(sc, "boost_statechart")
            r = lambda peer: None if (t is None or peer is None) else t / peer  # noqa: E731
            rec = " (default)" if policy == DEFAULT_POLICY else ""
            if RECOMMENDED.get(sc) == policy:
                rec += " (recommended here)"
            w(f"| `{policy.replace('tcpfsm_', '')}`{rec} | {label} | {ratio_cell(r(hs))} | {ratio_cell(r(ht))} | "
              f"{ratio_cell(r(best), 1.10)} | {ratio_cell(r(msm), 1.00)} | {ratio_cell(r(chart))} |")
    w("")

    # ---------------------------------------------------------------- 2. engine
    w("## 2. Engine: full lifecycles of connection pairs")
    w("")
    w("A lifecycle: handshake, a 100-octet request, a 100-octet reply, the server closes first, the "
      "client closes, the server's TIME-WAIT expires (bench/engine/pairs.hpp). `pairs` lifecycles run "
      "at once in each batch (1: one pair at a time; 64: as a server sees them). tcpfsm: two "
      "`tcpfsm::connection`s per pair with the default configuration (delayed ACK and one segment per turn; "
      "window scaling, timestamps, SACK and RACK-TLP) and RFC 6528 ISS; two variants change the configuration: "
      "the RFC 9293 reference (every ACK at once) and lwIP's options (no timestamps, SACK or RACK-TLP); "
      "with the wire codec "
      "every segment is serialized as IPv4 + TCP with both checksums and parsed and verified on "
      "arrival. lwIP: a client pcb and a server pcb in the same lwIP, raw API, segments over an "
      "in-memory point-to-point link (lwIP computes and verifies its checksums); lwIP's TCP timer runs "
      "every 250 ms of virtual time, 480 times for its 120 s TIME-WAIT (bench/engine/lwip_pairs.cpp).")
    w("")
    w("| variant | pairs at once | lifecycles/s | µs per lifecycle | segments/s | segments per lifecycle |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    for v, label in ENGINES:
        for pairs in (1, 64):
            b = eng.get(f"engine/{v}/pairs:{pairs}")
            if not b:
                continue
            if "error" in b:
                w(f"| {label} | {pairs} | error: {b['error']} | | | |")
                continue
            rate = b.get("items_per_second")
            w(f"| {label} | {pairs} | {fmt(rate)} | {fmt(1e6 / rate if rate else None)} | "
              f"{fmt(b.get('segments_per_second'))} | {fmt(b.get('segments_per_lifecycle'))} |")
    w("")
    w("Ratios of lifecycles/s, tcpfsm ÷ lwIP (above 1: tcpfsm is faster). Target: with the wire codec "
      "(default configuration), at least 5.")
    w("")
    w("| pairs at once | wire codec ÷ lwIP | no codec ÷ lwIP | wire codec, reference ÷ lwIP | "
      "wire codec, lwIP's options ÷ lwIP | segments/s, wire codec ÷ lwIP |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for pairs in (1, 64):
        lw = eng_rate("lwip", pairs)
        wc = eng_rate("tcpfsm_wire_codec", pairs)
        nc = eng_rate("tcpfsm_no_codec", pairs)
        da = eng_rate("tcpfsm_wire_codec_reference", pairs)
        lo = eng_rate("tcpfsm_wire_codec_lwip_options", pairs)
        lws = eng_rate("lwip", pairs, "segments_per_second")
        wcs = eng_rate("tcpfsm_wire_codec", pairs, "segments_per_second")
        div = lambda a, b: None if (a is None or not b) else a / b  # noqa: E731
        w(f"| {pairs} | {ratio_cell(div(wc, lw), 5.0, True)} | {ratio_cell(div(nc, lw))} | {ratio_cell(div(da, lw))} | "
          f"{ratio_cell(div(lo, lw))} | {ratio_cell(div(wcs, lws))} |")
    w("")

    # ---------------------------------------------------------------- 3. compile time, size
    w("## 3. Compile time and size")
    w("")
    w(f"`{comp.get('compiler')}`, `{comp.get('flags')}`; CPU time of the compiler (user + system, "
      "cc1plus and as included), median; peak resident memory of the largest process, the largest run.")
    w("")
    units = comp.get("units", {})
    empty = units.get("empty", {})
    w("| translation unit | CPU ms | over the empty TU | peak RSS MiB | over the empty TU |")
    w("| --- | ---: | ---: | ---: | ---: |")
    labels = {
        "empty": "empty (`int main() {}`)",
        "tcpfsm_single_header": "`#include <tcpfsm/tcpfsm.hpp>` (single header, table verified)",
        "tcpfsm_machine": "the single header and `next()` under both policies",
        "boost_msm_machine": "the equivalent Boost.MSM machine (68 rows), dispatched",
    }
    for key, label in labels.items():
        u = units.get(key)
        if not u:
            continue
        cpu_ms, rss = u["cpu_ms_median"], u["peak_rss_kib_max"] / 1024
        d_cpu = cpu_ms - empty.get("cpu_ms_median", 0)
        d_rss = rss - empty.get("peak_rss_kib_max", 0) / 1024
        w(f"| {label} | {cpu_ms:,.0f} | {'' if key == 'empty' else f'+{d_cpu:,.0f}'} | {rss:,.0f} | "
          f"{'' if key == 'empty' else f'+{d_rss:,.0f}'} |")
    w("")
    w("| size | bytes |")
    w("| --- | ---: |")
    w(f"| `sizeof(tcpfsm::connection<...>)` with empty policies (the TCB) | {sizes['tcb_empty_policies_bytes']} |")
    w(f"| the standard table: {sizes['standard_table_rows']} rows of {sizes['transition_row_bytes']} bytes | "
      f"{sizes['standard_table_bytes']} |")
    w(f"| its dense index: {sizes['dense_index_cells']} cells of {sizes['dense_index_cell_bytes']} bytes (`step`) "
      f"and {sizes['dense_index_next_state_bytes']} bytes of next states (`next`; `table_index::size_bytes()`; "
      f"the object with its row pointer: {sizes['dense_index_object_bytes']}) | {sizes['dense_index_bytes']} |")
    w(f"| the hand-written dense table (one byte per cell, next state only) | {sizes['hand_table_bytes']} |")
    w("")

    # ---------------------------------------------------------------- targets
    w("## Targets")
    w("")
    w("| target | measured | verdict |")
    w("| --- | --- | --- |")
    for sc, label in SCENARIOS:
        policy = RECOMMENDED[sc]
        pname = policy.replace("tcpfsm_", "")
        t = ns(sc, policy)
        hand = [x for x in (ns(sc, "hand_switch"), ns(sc, "hand_table")) if x is not None]
        if t is None or not hand:
            continue
        r = t / min(hand)
        verdict = "met" if r <= 1.10 else f"missed by {(r / 1.10 - 1) * 100:.1f}% ({r:.3f}x the best hand-written)"
        w(f"| {label}: `{pname}` (recommended) within 1.10x of the best hand-written | {r:.3f}x | {verdict} |")
        msm = ns(sc, "boost_msm")
        if msm:
            r2 = t / msm
            w(f"| {label}: `{pname}` not slower than Boost.MSM | {r2:.2f}x MSM's time | "
              f"{'met' if r2 <= 1.0 else 'missed'} |")
    for pairs in (1, 64):
        wc, lw = eng_rate("tcpfsm_wire_codec", pairs), eng_rate("lwip", pairs)
        if wc and lw:
            r = wc / lw
            verdict = "met" if r >= 5 else f"missed: {r:.2f}x, {(1 - r / 5) * 100:.0f}% short of 5x"
            w(f"| engine with the wire codec ≥ 5x lwIP's lifecycles/s ({pairs} pair{'s' if pairs > 1 else ''} at once) | "
              f"{r:.2f}x | {verdict} |")
    # Issue 13's budgets (bench/sizes.cpp): the compact profile and the default one.
    tcb = sizes["tcb_empty_policies_bytes"]
    compact_budget = sizes.get("tcb_budget_compact_bytes", 128)
    w(f"| TCB with empty policies, compact profile ≤ {compact_budget} bytes | {tcb} bytes | "
      f"{'met' if tcb <= compact_budget else f'missed by {tcb - compact_budget} bytes'} |")
    default_budget = sizes.get("tcb_budget_default_bytes", 256)
    for p in sizes.get("tcb_profiles", []):
        if p["profile"] != "default":
            continue
        for key, what in (("bytes", "empty policies"), ("with_placing_observer_bytes", "an Observer that places text")):
            b = p[key]
            w(f"| TCB of the default profile with {what} ≤ {default_budget} bytes | {b} bytes | "
              f"{'met' if b <= default_budget else f'missed by {b - default_budget} bytes'} |")
    inc = units.get("tcpfsm_single_header")
    if inc and empty:
        d = inc["cpu_ms_median"] - empty["cpu_ms_median"]
        w(f"| including the single header ≤ 70 ms (g++ -O2) | +{d:.0f} ms CPU | "
          f"{'met' if d <= 70 else f'missed by {d - 70:.0f} ms'} |")
    w("")
    cg = machine.get("codegen", {})
    if cg.get("checked"):
        w("Generated code: `raw/codegen.txt` holds the disassembled timed loop of every peer; each loads "
          f"its event from memory on every iteration: {'yes' if cg.get('all_load_events') else 'NO'}.")
        w("")
    w("![throughput](throughput.png)")
    w("")

    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(md))
    plot(out_dir, ns, eng_rate)
    print(f"render: wrote {os.path.join(out_dir, 'results.md')}")


def plot(out_dir, ns, eng_rate):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("render: no gnuplot (apt-get install gnuplot-nox): no plot")
        return
    with tempfile.TemporaryDirectory() as tmp:
        tdat = os.path.join(tmp, "transition.dat")
        with open(tdat, "w") as f:
            f.write("scenario " + " ".join(f'"{label}"' for _, label in PEERS) + "\n")
            for sc, _ in SCENARIOS:
                vals = [ns(sc, p) for p, _ in PEERS]
                f.write(f'"{sc.replace("_", " ")}" ' + " ".join("NaN" if v is None else f"{1e3 / v:.3f}" for v in vals) + "\n")
        edat = os.path.join(tmp, "engine.dat")
        with open(edat, "w") as f:
            f.write("pairs " + " ".join(f'"{label}"' for _, label in ENGINES) + "\n")
            for pairs in (1, 64):
                vals = [eng_rate(v, pairs) for v, _ in ENGINES]
                f.write(f'"{pairs} pair{"s" if pairs > 1 else ""} at once" ' +
                        " ".join("NaN" if v is None else f"{v / 1e3:.3f}" for v in vals) + "\n")
        script = f"""
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left font ",9"
set xtics font ",9"
set multiplot layout 1,2 title "tcpfsm benchmarks: throughput (higher is better)"
set title "next(state, event)"
set ylabel "million transitions / s (log scale)"
set logscale y
set yrange [10:*]
plot for [i=2:{len(PEERS) + 1}] '{tdat}' using i:xtic(1) title columnheader(i)
unset logscale y
set yrange [0:*]
set title "engine: lifecycles of connection pairs"
set ylabel "thousand lifecycles / s"
plot for [i=2:{len(ENGINES) + 1}] '{edat}' using i:xtic(1) title columnheader(i)
unset multiplot
"""
        for term, name in (("svg size 1200,520 dynamic font 'sans,11'", "throughput.svg"),
                           ("pngcairo size 1200,520 font 'sans,10'", "throughput.png")):
            path = os.path.join(out_dir, name)
            subprocess.run([gnuplot], input=f"set terminal {term}\nset termoption noenhanced\nset output '{path}'\n{script}", text=True,
                           check=True)
    print(f"render: wrote {os.path.join(out_dir, 'throughput.svg')} and .png")


if __name__ == "__main__":
    main()
