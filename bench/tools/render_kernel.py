#!/usr/bin/env python3
"""Renders the kernel goodput benchmark (bench/kernel/kernel_goodput.sh) as a Markdown table.

Usage: render_kernel.py LINES_JSONL|RAW_JSON OUT_DIR [--label TEXT] [--command TEXT]
Reads the JSON lines of kernel_goodput.sh (or a raw/kernel.json it wrote before, to render it
again), writes OUT_DIR/raw/kernel.json (every transfer and the relay's counters per cell, as
one document) and OUT_DIR/kernel.md: per cell the median
goodput of each pair over its runs, tcpfsm's ratio to the kernel for the same direction from
the same run (tcpfsm -> kernel against kernel -> kernel with the kernel server receiving;
kernel -> tcpfsm against kernel -> kernel with the kernel server sending), the smallest and
largest run, and the bound min(rate, window / RTT, Mathis et al.) that the window and the loss
rate allow: the window is tcpfsm_tun's receive buffer (`tcpfsm_receive_buffer` of each
transfer: kernel_goodput.sh's --tcpfsm-receive-buffer, by default the kernel receiver's largest,
tcp_rmem's maximum; 65,535 octets in runs from before window scaling, which did not record it).
"""
import json
import math
import os
import platform
import statistics
import sys
import time

KINDS = ["tcpfsm_to_kernel", "kernel_to_kernel_up", "kernel_to_tcpfsm", "kernel_to_kernel_down"]
MSS = 1460  # IPv4 over the relay's 1500-octet MTU


def mbps(t):
    return t["octets"] / t["seconds"] / 1e6  # MB/s: 10^6 octets per second


def bound(rtt_ms, loss_percent, rate_mbit, window):
    """min(link rate, window / RTT, Mathis et al. MSS/RTT * sqrt(3/2) / sqrt(p)) in MB/s, and which."""
    rtt = rtt_ms / 1000.0
    cands = [("link", rate_mbit * 1e6 / 8 / 1e6), ("window", window / rtt / 1e6)]
    if loss_percent > 0:
        cands.append(("loss", MSS / rtt * math.sqrt(1.5) / math.sqrt(loss_percent / 100) / 1e6))
    return min(cands, key=lambda c: c[1])


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    lines_path, out_dir = sys.argv[1], sys.argv[2]
    label = sys.argv[sys.argv.index("--label") + 1] if "--label" in sys.argv else ""
    command = sys.argv[sys.argv.index("--command") + 1] if "--command" in sys.argv else ""
    transfers, relays, before = [], [], {}
    if lines_path.endswith(".json"):
        with open(lines_path) as f:
            before = json.load(f)
        transfers, relays = before["transfers"], before["relay"]
        label = label or before.get("label", "")
        command = command or before.get("command", "")
    else:
        with open(lines_path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                o = json.loads(line)
                (transfers if o["type"] == "transfer" else relays).append(o)
    cells = []
    for t in transfers:
        key = (t["rtt_ms"], t["loss_percent"], t["rate_mbit"])
        if key not in cells:
            cells.append(key)
    doc = {
        "date": before.get("date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())),
        "kernel": before.get("kernel", platform.release()),
        "cpus": before.get("cpus", os.cpu_count()),
        "label": label,
        "command": command,
        "transfers": transfers,
        "relay": relays,
    }
    os.makedirs(os.path.join(out_dir, "raw"), exist_ok=True)
    with open(os.path.join(out_dir, "raw", "kernel.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    octets = transfers[0]["octets"] if transfers else 0
    windows = sorted({t.get("tcpfsm_receive_buffer") or 65535 for t in transfers}) or [65535]
    runs = max((t["run"] for t in transfers), default=0)
    loads = sorted(float(t["load"].split()[0]) for t in transfers if t.get("load")) or [0.0]
    ccs = []
    for t in transfers:
        if t["kernel_cc"] and t["kernel_cc"] not in ccs:
            ccs.append(t["kernel_cc"])
    mismatched = sorted({f"{t['kernel_cc']} asked, {t['server_cc']} used" for t in transfers
                         if t["kernel_cc"] and t["server_cc"] and t["kernel_cc"] != t["server_cc"]})
    out = ["# Goodput against the Linux kernel through tcpfsm_relay", ""]
    if label:
        out += [f"**{label}**", ""]
    if command:
        out += [f"Command: `{command}`", ""]
    out += [
        f"{doc['date']}, Linux {doc['kernel']}, {doc['cpus']} CPUs, shared: the 1-minute load average "
        f"at the end of each transfer ran from {loads[0]:.2f} to {loads[-1]:.2f} (median "
        f"{statistics.median(loads) if loads else 0:.2f}; raw/kernel.json has each), so CPU time, not the "
        f"path, may bound a cell, most of all at 2 ms. {octets} octets per transfer over IPv4, each on a new connection; "
        f"tcpfsm is `tcpfsm_tun` (examples/tun, client mode, the library's default profile: CUBIC) on a TUN "
        f"device; the kernel's ends are `test/relay/kernel_peer.py`, whose sockets choose the kernel "
        f"sender's congestion control (TCP_CONGESTION: {', '.join(ccs)}). The path: the kernel server's "
        f"namespace, `tcpfsm_relay` (half the RTT each way, the rate each way with a drop-tail queue of one "
        f"bandwidth-delay product, random loss in **each** direction), then one forwarding hop to tcpfsm_tun "
        f"or (veth) to the kernel client: the same for every pair. Median of {runs} run(s) per cell, every "
        f"pair once in each run, in turn; MB/s = 10^6 octets/s, timed by the kernel server from accept() "
        f"to the peer's FIN. A ratio is tcpfsm's median over the kernel's for the same direction (and, when "
        f"the kernel sends, the same sender) in the same run of the script.",
        "",
        f"tcpfsm_tun's receive buffer: {', '.join(f'{w:,}' for w in windows)} octets (window scaling "
        "above 65,535; runs from before window scaling recorded none and had 65,535). tcpfsm_tun runs "
        "the engine's defaults: since 2026-12-06 03:30 UTC (issue 14) it negotiates SACK and timestamps "
        "with the kernel, as the kernel pairs do; runs before that had neither. `tcpfsm bound` is min(rate, window / RTT, "
        "Mathis et al. MSS/RTT x sqrt(3/2)/sqrt(p)) with the propagation RTT and that window (the kernel "
        "receiver's, when tcpfsm sends, may grow as far: tcp_rmem's maximum): where it says `window`, the "
        "window, not the engine, bounds tcpfsm's cell; the Mathis term is a model of Reno's steady state, "
        "not a hard limit.",
        "",
    ]
    if mismatched:
        out += [f"**Congestion control not as asked:** {'; '.join(mismatched)}.", ""]

    def pick(cell, kind, cc):
        return [t for t in transfers if (t["rtt_ms"], t["loss_percent"], t["rate_mbit"]) == cell
                and t["kind"] == kind and (cc is None or t["kernel_cc"] == cc)]

    def window_of(cell):  # tcpfsm_tun's receive buffer in the cell's transfers (65,535 if not recorded)
        ws = [t.get("tcpfsm_receive_buffer") or 65535 for t in transfers
              if (t["rtt_ms"], t["loss_percent"], t["rate_mbit"]) == cell]
        return min(ws) if ws else 65535

    def med(ts):
        ok = [mbps(t) for t in ts if t["ok"]]
        return statistics.median(ok) if ok else None

    def rng(ts):
        ok = [mbps(t) for t in ts if t["ok"]]
        return "-" if not ok else f"{min(ok):.3f} to {max(ok):.3f}"

    def f(x):
        return "-" if x is None else f"{x:.3f}"

    def ratio(a, b):
        return "-" if a is None or b is None else f"{a / b:.2f}"

    up = ["## tcpfsm sends (tcpfsm -> kernel against kernel -> kernel)", "",
          "| RTT ms | loss each way | rate Mbit/s | tcpfsm->kernel MB/s | " +
          " | ".join(f"kernel ({cc})->kernel MB/s | tcpfsm/kernel ({cc})" for cc in ccs) +
          " | tcpfsm bound MB/s | by | tcpfsm retransmissions (median) |",
          "|" + " --- |" * (7 + 2 * len(ccs))]
    down = ["## The kernel sends (kernel -> tcpfsm against kernel -> kernel, the same kernel sender)", "",
            "| RTT ms | loss each way | rate Mbit/s | " +
            " | ".join(f"kernel ({cc})->tcpfsm MB/s | kernel ({cc})->kernel MB/s | ratio ({cc})" for cc in ccs) +
            " | tcpfsm's window bound MB/s |",
            "|" + " --- |" * (4 + 3 * len(ccs))]
    spread = ["## Smallest and largest run (MB/s)", "",
              "| RTT ms | loss | tcpfsm->kernel | " +
              " | ".join(f"kernel ({cc})->kernel | kernel ({cc})->tcpfsm | kernel ({cc})->kernel (down)" for cc in ccs) +
              " | failed runs |",
              "|" + " --- |" * (4 + 3 * len(ccs))]
    for cell in cells:
        rtt, loss, rate = cell
        failed = sum(1 for t in transfers if (t["rtt_ms"], t["loss_percent"], t["rate_mbit"]) == cell and not t["ok"])
        t_up = med(pick(cell, "tcpfsm_to_kernel", None))
        retx = [t["tcpfsm_retransmitted"] for t in pick(cell, "tcpfsm_to_kernel", None)
                if t["ok"] and t["tcpfsm_retransmitted"] is not None]
        by, b = bound(rtt, loss, rate, window_of(cell))
        row = f"| {rtt} | {loss:g}% | {rate:g} | {f(t_up)} | "
        for cc in ccs:
            k = med(pick(cell, "kernel_to_kernel_up", cc))
            row += f"{f(k)} | {ratio(t_up, k)} | "
        row += f"{b:.3f} | {by} | {statistics.median(retx) if retx else '-'} |"
        up.append(row)
        row = f"| {rtt} | {loss:g}% | {rate:g} | "
        for cc in ccs:
            t_down = med(pick(cell, "kernel_to_tcpfsm", cc))
            k = med(pick(cell, "kernel_to_kernel_down", cc))
            row += f"{f(t_down)} | {f(k)} | {ratio(t_down, k)} | "
        wb = min(rate * 1e6 / 8 / 1e6, window_of(cell) / (rtt / 1000) / 1e6)
        row += f"{wb:.3f} |"
        down.append(row)
        row = f"| {rtt} | {loss:g}% | {rng(pick(cell, 'tcpfsm_to_kernel', None))} | "
        for cc in ccs:
            row += " | ".join(rng(pick(cell, k, cc)) for k in KINDS[1:]) + " | "
        row += f"{failed or 'none'} |"
        spread.append(row)
    out += up + [""] + down + [""] + spread
    relay_rows = ["", "## The relay's counters per cell (all runs; a2b: from the kernel server to the clients)", "",
                  "| RTT ms | loss | a2b packets | a2b lost | a2b queue drops | b2a packets | b2a lost | "
                  "b2a queue drops |", "|" + " --- |" * 8]
    for r in relays:
        relay_rows.append(f"| {r['rtt_ms']} | {r['loss_percent']:g}% | {r['a2b_received']} | {r['a2b_lost_random']} | "
                          f"{r['a2b_queue_drops']} | {r['b2a_received']} | {r['b2a_lost_random']} | "
                          f"{r['b2a_queue_drops']} |")
    out += relay_rows + [""]
    with open(os.path.join(out_dir, "kernel.md"), "w") as f:
        f.write("\n".join(out))
    print(f"render_kernel: wrote {os.path.join(out_dir, 'kernel.md')} and raw/kernel.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
