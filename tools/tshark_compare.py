#!/usr/bin/env python3
"""The tracker's anomaly flags against Wireshark's TCP analysis (issue 15 item 5).

For every TCP segment of the given captures, compares what tcpfsm-track --json flags with
what `tshark -T fields -e tcp.analysis.*` flags, per flag, and prints the agreement and the
disagreeing frames (docs/tracker.md, "Compared with Wireshark").

    tools/tshark_compare.py TCPFSM_TRACK CAPTURE... [--details] [--analysis rfc|wireshark|both]

The tracker runs with each --analysis rule asked for (default both: its RFC-based default,
then Wireshark's timing rule, tracker_sequence_rule::wireshark_timing), one table each.

Needs tshark (Debian 12: `apt-get install tshark`; 4.0 here). Segments are matched by frame
number (the JSON's "frame", Wireshark's frame.number). Wireshark's defaults are used, except
that TCP checksums are not verified (as the tracker) and relative sequence numbers are off.
"""
import json
import subprocess
import sys

# tracker anomaly -> Wireshark field
FLAGS = [
    ("retransmission", "tcp.analysis.retransmission"),
    ("fast_retransmission", "tcp.analysis.fast_retransmission"),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission"),
    ("out_of_order", "tcp.analysis.out_of_order"),
    ("duplicate_ack", "tcp.analysis.duplicate_ack"),
    ("zero_window", "tcp.analysis.zero_window"),
    ("window_probe", "tcp.analysis.zero_window_probe"),
    ("keepalive", "tcp.analysis.keep_alive"),
]


def tracker_flags(track, capture, rule):
    r = subprocess.run([track, "--json", "--analysis", rule, capture], check=True, capture_output=True, text=True)
    report = json.loads(r.stdout)
    out = {}
    for c in report["connections"]:
        for s in c["segments"]:
            out[s["frame"]] = set(s["anomalies"])
    return out


def tshark_flags(capture):
    fields = ["frame.number"] + [f for _, f in FLAGS]
    cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp", "-o", "tcp.relative_sequence_numbers:FALSE",
           "-o", "tcp.check_checksum:FALSE", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = {}
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        frame = int(cols[0])
        out[frame] = {name for (name, _), v in zip(FLAGS, cols[1:]) if v.strip() != ""}
    return out


def compare(track, captures, rule, wireshark, details):
    total = 0
    agree = {name: 0 for name, _ in FLAGS}
    count_t = {name: 0 for name, _ in FLAGS}
    count_w = {name: 0 for name, _ in FLAGS}
    disagreements = []
    for cap in captures:
        t = tracker_flags(track, cap, rule)
        w = wireshark[cap]
        for frame in sorted(set(t) | set(w)):
            if frame not in t or frame not in w:
                disagreements.append((cap, frame, "segment seen by one only", t.get(frame), w.get(frame)))
                continue
            total += 1
            for name, _ in FLAGS:
                a, b = name in t[frame], name in w[frame]
                count_t[name] += a
                count_w[name] += b
                if a == b:
                    agree[name] += 1
                else:
                    disagreements.append((cap, frame, name, "tracker" if a else "wireshark", sorted(t[frame] | w[frame])))
    print(f"--analysis {rule}: {total} TCP segments in {len(captures)} capture(s)")
    print("| flag | tracker | Wireshark | agreement |")
    print("| --- | --- | --- | --- |")
    for name, field in FLAGS:
        pct = 100.0 * agree[name] / total if total else 100.0
        print(f"| `{name}` / `{field}` | {count_t[name]} | {count_w[name]} | {agree[name]}/{total} ({pct:.2f}%) |")
    if details:
        for d in disagreements:
            print("disagree:", *d)
    print()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    details = "--details" in sys.argv
    rules = ["rfc", "wireshark"]
    if "--analysis" in sys.argv:
        i = sys.argv.index("--analysis")
        value = sys.argv[i + 1] if i + 1 < len(sys.argv) else ""
        if value in args:
            args.remove(value)
        if value in ("rfc", "wireshark"):
            rules = [value]
        elif value != "both":
            print(__doc__)
            return 2
    if len(args) < 2:
        print(__doc__)
        return 2
    track, captures = args[0], args[1:]
    wireshark = {cap: tshark_flags(cap) for cap in captures}
    for rule in rules:
        compare(track, captures, rule, wireshark, details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
