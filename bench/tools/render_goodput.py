#!/usr/bin/env python3
"""Renders the goodput benchmark (bench/goodput, raw JSON from tcpfsm_goodput --json) as a
Markdown table and a plot (gnuplot, when installed).

Usage: render_goodput.py RAW_JSON OUT_DIR [--label TEXT] [--bulk BULK_JSON]
Writes OUT_DIR/goodput.md and OUT_DIR/goodput.svg / goodput.png.
Every cell of the grid is shown: the median goodput of each stack over the seeds, the bound
min(link rate, window / RTT, Mathis et al.) and what sets it, tcpfsm's ratios to lwIP and to
the bound from the same run, and the runs that did not finish or whose RTO reached its
ceiling. With --bulk (Google Benchmark JSON of tcpfsm_bulk_bench): the CPU cost of moving data,
octets/s and cycles per octet of each stack and tcpfsm's ratio to lwIP, from the same run.
"""
import json
import os
import shutil
import subprocess
import sys


def mb(x):
    return f"{x / 1e6:.3f}"


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    raw, out_dir = sys.argv[1], sys.argv[2]
    label = ""
    if "--label" in sys.argv:
        label = sys.argv[sys.argv.index("--label") + 1]
    with open(raw) as f:
        d = json.load(f)
    stacks = list(d["cells"][0]["stacks"].keys()) if d["cells"] else []
    lines = []
    lines.append("# Goodput over a simulated bottleneck")
    lines.append("")
    if label:
        lines.append(f"**{label}**")
        lines.append("")
    lines.append(
        f"{d['bytes']} octets one way, {d['rate_bps'] / 1e6:g} Mbit/s bottleneck both ways with a drop-tail "
        f"queue of {d['queue']}, random and burst loss on the data direction only; median of {d['seeds']} "
        f"seed(s) per cell; MB/s = 10^6 octets/s delivered in order to the receiving application, from the "
        f"first SYN to the last octet. Receive window {d['receive_window']:.0f} octets (no window scaling): "
        f"where the bound says `window`, the window, not the stack, bounds the cell.")
    lines.append("")
    if not d.get("congestion_policies_integrated", False):
        lines.append("The tcpfsm columns ran **before the data-path integration**: the engine had no congestion "
                     "control, loss recovery or reassembly in its data path, so `newreno` and `cubic` are the same "
                     "engine (bench/goodput/profiles.hpp).")
        lines.append("")
    head = "| cell | RTT ms | loss | " + " | ".join(f"{s} MB/s" for s in stacks) + \
        " | bound MB/s | by | newreno/lwIP | newreno/bound | unfinished runs | RTO at ceiling |"
    lines.append(head)
    lines.append("|" + " --- |" * (head.count("|") - 1))
    for c in d["cells"]:
        med = {s: c["stacks"][s]["median_goodput"] for s in stacks}
        loss = f"{c['mean_loss'] * 100:.2g}%"
        if c["burst_p"] > 0:
            loss += f" (GE p={c['burst_p']:g} r={c['burst_r']:g})"
        if c["reorder"] > 0:
            loss += f", {c['reorder'] * 100:g}% reordered by up to {c['reorder_us']} us"
        b = c["bound"]
        nr = med.get("tcpfsm_newreno", 0)
        lw = med.get("lwip")
        unfinished = {s: sum(1 for r in c["stacks"][s]["runs"] if r["outcome"] != "done") for s in stacks}
        ceiling = {s: sum(1 for r in c["stacks"][s]["runs"] if r["rto_at_ceiling"]) for s in stacks}
        row = [c["name"], f"{c['rtt_ms']:g}", loss] + [mb(med[s]) for s in stacks] + [
            mb(b["value"]), b["by"],
            f"{nr / lw:.2f}" if lw else "-",
            f"{nr / b['value']:.2f}",
            ", ".join(f"{s} {n}" for s, n in unfinished.items() if n) or "none",
            ", ".join(f"{s} {n}" for s, n in ceiling.items() if n) or "none",
        ]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("![goodput](goodput.svg)")
    lines.append("")
    if "--bulk" in sys.argv:
        lines += bulk_table(sys.argv[sys.argv.index("--bulk") + 1])
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "goodput.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"render_goodput: wrote {os.path.join(out_dir, 'goodput.md')}")
    plot(out_dir, d, stacks)
    return 0


def bulk_table(path):
    with open(path) as f:
        b = json.load(f)
    rows = {}
    for bm in b["benchmarks"]:
        name = bm.get("run_name", bm["name"])
        if bm.get("run_type") == "aggregate" and bm.get("aggregate_name") != "median":
            continue
        if bm.get("error_occurred"):
            rows[name] = None
            continue
        rows[name] = (bm["bytes_per_second"], bm.get("cycles_per_octet"))
    mhz = b.get("context", {}).get("mhz_per_cpu")
    out = ["## CPU cost of moving data (no loss, in-memory link)", ""]
    out.append("`tcpfsm_bulk_bench`: one connection per stack moves 1,022,000 octets per iteration over an in-memory "
               "FIFO of IPv4 packets, both sides copying the payload and checksumming it (bench/goodput/bulk_bench.cpp); "
               "median of the repetitions. octets/s are per second of CPU time (Google Benchmark's default); "
               "cycles per octet = nominal MHz x 10^6 / (octets/s), so also per CPU time; the TSC's cycles per "
               "octet count wall-clock time, so they include the time other processes took the CPU.")
    out.append("")
    out.append("| stack | octets/s (CPU time) | cycles per octet (CPU time x nominal MHz) | TSC cycles per octet (wall) | / lwIP |")
    out.append("| --- | --- | --- | --- | --- |")
    lw = rows.get("bulk_lwip")
    for name, v in rows.items():
        if v is None:
            out.append(f"| {name} | error | - | - |")
            continue
        ratio = f"{v[0] / lw[0]:.2f}" if lw else "-"
        tsc = f"{v[1]:.2f}" if v[1] is not None else "-"
        cpu = f"{mhz * 1e6 / v[0]:.2f}" if mhz and v[0] else "-"
        out.append(f"| {name} | {v[0] / 1e9:.3f} x 10^9 | {cpu} | {tsc} | {ratio} |")
    ctx = b.get("context", {})
    out.append("")
    out.append(f"Machine: {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz; load before "
               f"{ctx.get('tcpfsm_load_before', '?')}, after {ctx.get('tcpfsm_load_after', '?')}; other processes "
               f"used {ctx.get('tcpfsm_contention', {}).get('other_cpus', '?')} CPUs on average during the run.")
    out.append("")
    return out


def plot(out_dir, d, stacks):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("render_goodput: no gnuplot (apt-get install gnuplot-nox): no plot")
        return
    data = os.path.join(out_dir, "goodput.dat")
    with open(data, "w") as f:
        f.write("cell " + " ".join(stacks) + " bound\n")
        for c in d["cells"]:
            vals = [max(c["stacks"][s]["median_goodput"], 1.0) / 1e6 for s in stacks] + [c["bound"]["value"] / 1e6]
            f.write(c["name"] + " " + " ".join(f"{v:.6f}" for v in vals) + "\n")
    cols = len(stacks) + 1
    using = ", ".join(f"'{data}' using {i + 2}:xtic(1) title columnheader({i + 2})" for i in range(cols))
    script = f"""set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.0005:*]
set ylabel 'goodput, MB/s (log)'
set xtics rotate by -40
set key top right
set grid ytics
set title 'Goodput, {d["bytes"]} octets over 100 Mbit/s, median of {d["seeds"]} seed(s)'
plot {using}
"""
    for term, name in (("svg size 1200,520 dynamic font 'sans,11'", "goodput.svg"),
                       ("pngcairo size 1200,520 font 'sans,10'", "goodput.png")):
        path = os.path.join(out_dir, name)
        subprocess.run([gnuplot], input=f"set terminal {term}\nset termoption noenhanced\nset output '{path}'\n{script}",
                       text=True, check=True)
    os.remove(data)
    print(f"render_goodput: wrote {os.path.join(out_dir, 'goodput.svg')} and .png")


if __name__ == "__main__":
    sys.exit(main())
