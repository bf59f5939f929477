#!/usr/bin/env python3
"""Renders the goodput benchmark (bench/goodput, raw JSON from tcpfsm_goodput --json) as a
Markdown table and a plot (gnuplot, when installed).

Usage: render_goodput.py RAW_JSON OUT_DIR [--label TEXT] [--bulk BULK_JSON]
                         [--compare LABEL RAW_JSON]... [--notes NOTES_MD]
Writes OUT_DIR/goodput.md and OUT_DIR/goodput.svg / goodput.png.
Every cell of the grid is shown: the median goodput of each stack over the seeds, the terms of
the bound (link, window / RTT with the window each stack advertised, Mathis et al.'s and RFC
9438's loss-based rates), each stack's ratio to its bound (Mathis for NewReno and lwIP, RFC
9438 for CUBIC) and tcpfsm's to lwIP from the same run, the sender's fast recoveries and
timeouts, and the runs that did not finish or whose RTO reached its ceiling. --compare: a
previous run's medians beside this run's. With --bulk (Google Benchmark JSON of tcpfsm_bulk_bench): the CPU cost of moving data,
octets/s and cycles per octet of each stack and tcpfsm's ratio to lwIP, from the same run.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mb(x):
    return f"{x / 1e6:.3f}"


def rate(x):
    """A bound term in MB/s; '-' for none (no loss: -1 in the JSON)."""
    return "-" if x is None or x < 0 else f"{x / 1e6:.3f}"


def med(values):
    v = sorted(values)
    if not v:
        return 0
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def loss_text(c):
    text = f"{c['mean_loss'] * 100:.2g}%"
    if c.get("burst_p", 0) > 0:
        text += f" (GE p={c['burst_p']:g} r={c['burst_r']:g})"
    if c.get("fixed_burst_length", 0) > 0:
        text += f" (bursts of {c['fixed_burst_length']})"
    if c.get("reorder", 0) > 0:
        text += f", {c['reorder'] * 100:g}% reordered by up to {c['reorder_us']} us"
    if abs(c.get("loss_events", c["mean_loss"]) - c["mean_loss"]) > 1e-12:
        text += f"; events {c['loss_events'] * 100:.2g}%"
    return text


def short(s):
    return {"tcpfsm_newreno": "newreno", "tcpfsm_cubic": "cubic", "lwip": "lwIP"}.get(s, s)


def tables(cells, stacks):
    """Two tables for a set of cells: goodput beside the bound's terms, then the ratios."""
    out = []
    head = ("| cell | link Mbit/s | RTT ms | loss | " + " | ".join(f"{short(s)} MB/s" for s in stacks) +
            " | link MB/s | window octets (tcpfsm / lwIP) | window/RTT MB/s | Mathis MB/s | CUBIC RFC 9438 MB/s |")
    out.append(head)
    out.append("|" + " --- |" * (head.count("|") - 1))
    for c in cells:
        st = c["stacks"]
        wins = []
        for s in stacks:
            w = f"{st[s]['window']:.0f}"
            if w not in wins:
                wins.append(w)
        wrates = []
        for s in stacks:
            r = rate(st[s]["bound"]["window"])
            if r not in wrates:
                wrates.append(r)
        row = [c["name"], f"{c['rate_bps'] / 1e6:g}", f"{c['rtt_ms']:g}", loss_text(c)]
        row += [mb(st[s]["median_goodput"]) for s in stacks]
        row += [rate(c["link"]), " / ".join(wins), " / ".join(wrates), rate(c["mathis"]), rate(c["cubic"])]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    head = ("| cell | " + " | ".join(f"{short(s)} / its bound (by)" for s in stacks) +
            " | newreno / lwIP | cubic / lwIP | fast recoveries (" + ", ".join(short(s) for s in stacks) +
            ") | timeouts | unfinished runs | RTO at ceiling |")
    out.append(head)
    out.append("|" + " --- |" * (head.count("|") - 1))
    for c in cells:
        st = c["stacks"]
        g = {s: st[s]["median_goodput"] for s in stacks}
        row = [c["name"]]
        for s in stacks:
            b = st[s]["bound"]
            row.append(f"{g[s] / b['value']:.2f} ({b['by']})")
        lw = g.get("lwip")
        row.append(f"{g['tcpfsm_newreno'] / lw:.2f}" if lw else "-")
        row.append(f"{g['tcpfsm_cubic'] / lw:.2f}" if lw else "-")
        row.append(" / ".join(f"{med([r['fast_recoveries'] for r in st[s]['runs']]):g}" for s in stacks))
        row.append(" / ".join(f"{med([r['timeouts'] for r in st[s]['runs']]):g}" for s in stacks))
        unfinished = {s: sum(1 for r in st[s]["runs"] if r["outcome"] != "done") for s in stacks}
        ceiling = {s: sum(1 for r in st[s]["runs"] if r["rto_at_ceiling"]) for s in stacks}
        row.append(", ".join(f"{short(s)} {n}" for s, n in unfinished.items() if n) or "none")
        row.append(", ".join(f"{short(s)} {n}" for s, n in ceiling.items() if n) or "none")
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    return out


def compare_table(d, stacks, previous):
    """Each previous run's medians beside this run's, cell by cell (cells both have)."""
    out = []
    for label, path in previous:
        with open(path) as f:
            p = json.load(f)
        before = {c["name"]: c for c in p["cells"]}
        out.append(f"### Against {label}")
        out.append("")
        out.append(f"`{os.path.relpath(path, ROOT) if os.path.isabs(path) else path}`: median MB/s then -> now, "
                   "and now / then.")
        out.append("")
        head = "| cell | " + " | ".join(f"{short(s)} then -> now" for s in stacks) + " | " + \
            " | ".join(f"{short(s)} now/then" for s in stacks) + " |"
        out.append(head)
        out.append("|" + " --- |" * (head.count("|") - 1))
        for c in d["cells"]:
            b = before.get(c["name"])
            if b is None or b.get("bytes", p["bytes"]) != c.get("bytes", d["bytes"]):
                continue
            then = {s: b["stacks"][s]["median_goodput"] for s in stacks if s in b["stacks"]}
            now = {s: c["stacks"][s]["median_goodput"] for s in stacks}
            row = [c["name"]]
            row += [f"{mb(then[s])} -> {mb(now[s])}" if s in then else "-" for s in stacks]
            row += [f"{now[s] / then[s]:.2f}" if then.get(s) else "-" for s in stacks]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw")
    ap.add_argument("out_dir")
    ap.add_argument("--label", default="")
    ap.add_argument("--bulk", default="")
    ap.add_argument("--compare", nargs=2, action="append", default=[], metavar=("LABEL", "RAW_JSON"),
                    help="a previous run's JSON, its medians shown beside this run's (repeatable)")
    ap.add_argument("--notes", default="", help="a Markdown file appended after the tables")
    args = ap.parse_args()
    with open(args.raw) as f:
        d = json.load(f)
    stacks = list(d["cells"][0]["stacks"].keys()) if d["cells"] else []
    small = [c for c in d["cells"] if c["rate_bps"] < 1e9]
    large = [c for c in d["cells"] if c["rate_bps"] >= 1e9]
    lines = ["# Goodput over a simulated bottleneck", ""]
    if args.label:
        lines += [f"**{args.label}**", ""]
    acks = ("the default `connection_config` (delayed ACK, `timer_config::delayed_ack`, and one segment per "
            "turn, `connection_config::ack_per_turn`)") if d.get("tcpfsm_config") == "default" else \
        f"`{d.get('tcpfsm_config', '?')}`"
    lines.append(
        f"One transfer one way per run, a bottleneck both ways with a drop-tail queue of {d['queue']}, random and "
        f"burst loss on the data direction only; median of {d['seeds']} seed(s) per cell; MB/s = 10^6 octets/s "
        f"delivered in order to the receiving application, from the first SYN to the last octet, in simulated "
        f"time: the machine and its load do not change a number, only the run's wall time. The tcpfsm columns run "
        f"{acks}.")
    lines.append("")
    lines.append(
        "Each column's bound is min(link, window / RTT, loss-based rate) with the window its own receiver "
        "advertised (the sender's largest SND.WND; lwIP's also capped by its `TCP_SND_BUF`) and the loss model of "
        "its congestion control: Mathis et al. (MSS / RTT x sqrt(3/2) / sqrt(p)) for NewReno and lwIP (NewReno), "
        "RFC 9438 §5's response function for CUBIC (C = 0.4, beta_cubic = 0.7: 1.054 x RTT^0.75 / p^0.75 "
        "segments, at least Reno's sqrt(3/(2p)) in the Reno-friendly region), p the loss events per packet (a "
        "burst is one event), RTT the base RTT. `by` says which term is the smallest. The loss-based terms are "
        "models of the steady state, not hard limits (a stack can exceed them).")
    lines.append("")
    if small:
        lines.append(f"## 100 Mbit/s ({small[0]['bytes']} octets a transfer; receive buffer "
                     f"{small[0]['receive_buffer']} octets)")
        lines.append("")
        lines += tables(small, stacks)
    if large:
        c0 = large[0]
        lines.append(f"## 1 Gbit/s, 100 ms ({c0['bytes']} octets a transfer; tcpfsm's receive buffer "
                     f"`connection_config::receive_buffer` = {c0['receive_buffer']} octets, one BDP; queue one BDP)")
        lines.append("")
        wins = sorted({f"{c['stacks'][s]['window']:.0f}" for c in large for s in stacks})
        lines.append(f"Windows advertised: {', '.join(wins)} octets. Start-aware bound (the ideal sender that also "
                     "pays one RTT of handshake, slow start from 10 segments doubling every RTT, and half an RTT "
                     "for the last octet) for each column, MB/s: " +
                     "; ".join(f"{c['name']} " + " / ".join(rate(c['stacks'][s]['bound'].get('start_aware', -1))
                                                            for s in stacks) for c in large) + ".")
        lines.append("")
        lines += tables(large, stacks)
    lines.append("![goodput](goodput.svg)")
    lines.append("")
    if args.compare:
        lines += compare_table(d, stacks, args.compare)
    if args.notes:
        with open(args.notes) as f:
            lines += [f.read().rstrip("\n"), ""]
    if args.bulk:
        lines += bulk_table(args.bulk)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "goodput.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"render_goodput: wrote {os.path.join(args.out_dir, 'goodput.md')}")
    plot(args.out_dir, d, stacks)
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
        f.write("cell " + " ".join(stacks) + " bound_mathis bound_cubic\n")
        for c in d["cells"]:
            st = c["stacks"]
            vals = [max(st[s]["median_goodput"], 1.0) / 1e6 for s in stacks] + [
                st["tcpfsm_newreno"]["bound"]["value"] / 1e6, st["tcpfsm_cubic"]["bound"]["value"] / 1e6]
            f.write(c["name"] + " " + " ".join(f"{v:.6f}" for v in vals) + "\n")
    cols = len(stacks) + 2
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
set title 'Goodput, {d["bytes"]} octets over 100 Mbit/s ({d.get("large_bytes", "-")} over 1 Gbit/s: gbit_*), median of {d["seeds"]} seed(s); bounds with tcpfsm windows'
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
