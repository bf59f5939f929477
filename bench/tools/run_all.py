#!/usr/bin/env python3
"""Runs every tcpfsm benchmark of a build tree and renders the results (bench/README.md).

    run_all.py --build-dir BUILD --out DIR [--quick] [--cxx g++] [--runs 7]

Writes DIR/raw/*.json (Google Benchmark's JSON, the sizes, the compile-time measurements, the
machine), DIR/raw/codegen.txt (the timed loops of the transition benchmark, disassembled), and
through render.py DIR/results.md and DIR/throughput.svg / .png.

--quick (the ctest `bench.pipeline`): every benchmark briefly, each translation unit compiled
once; the numbers mean nothing, the pipeline is what is tested.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)


def log(msg):
    print(f"run_all: {msg}", flush=True)


def load():
    return [round(x, 2) for x in os.getloadavg()]


class contention:
    """What else ran while a part ran: the machine's busy CPUs (/proc/stat) minus ours (the
    CPU time of our children), averaged over the part, in CPUs. The load average lags by
    minutes and counts our own work; this does not."""

    def __init__(self):
        self.stat0 = self._stat()
        self.ours0 = self._ours()
        self.t0 = time.monotonic()

    @staticmethod
    def _stat():
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    @staticmethod
    def _ours():
        t = os.times()
        return t.children_user + t.children_system + t.user + t.system

    def result(self):
        stat1, ours1, wall = self._stat(), self._ours(), time.monotonic() - self.t0
        if self.stat0 is None or stat1 is None or wall <= 0:
            return {}
        total = stat1[0] - self.stat0[0]
        busy = total - (stat1[1] - self.stat0[1])
        ncpu = os.cpu_count() or 1
        machine = busy / total * ncpu if total > 0 else 0.0
        ours = (ours1 - self.ours0) / wall
        return {"seconds": round(wall, 1), "busy_cpus": round(machine, 2), "our_cpus": round(ours, 2),
                "other_cpus": round(max(0.0, machine - ours), 2), "load_average_at_end": load()}


def run_benchmark(exe, out_json, quick, min_time, repetitions):
    args = [exe, f"--benchmark_out={out_json}", "--benchmark_out_format=json"]
    if quick:
        args.append("--benchmark_min_time=0.001")
    else:
        args += [f"--benchmark_min_time={min_time}", f"--benchmark_repetitions={repetitions}",
                 "--benchmark_report_aggregates_only=true"]
    log(" ".join(args))
    before = load()
    busy = contention()
    subprocess.run(args, check=True)
    during = busy.result()
    with open(out_json) as f:
        data = json.load(f)
    data.setdefault("context", {})["tcpfsm_load_before"] = before
    data["context"]["tcpfsm_load_after"] = load()
    data["context"]["tcpfsm_contention"] = during
    log(f"{os.path.basename(exe)}: other processes used {during.get('other_cpus')} CPUs on average")
    with open(out_json, "w") as f:
        json.dump(data, f, indent=1)


def compile_once(cmd):
    """Runs one compiler command; returns (wall s, cpu s of it and its children, peak RSS KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"compile failed: {' '.join(cmd)}\n{err}")
    # wait4 reports the driver with the children it waited for (cc1plus, as): their CPU
    # time summed, their peak RSS the largest (Linux).
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def measure_compile(cxx, runs, quick):
    tus = [
        ("empty", "empty.cpp", []),
        ("tcpfsm_single_header", "tcpfsm_include.cpp", ["-I", os.path.join(ROOT, "single_include")]),
        ("tcpfsm_machine", "tcpfsm_machine.cpp", ["-I", os.path.join(ROOT, "single_include")]),
        ("boost_msm_machine", "msm_machine.cpp",
         ["-isystem", os.path.join(BENCH, "transition", "msm_limits"), "-I", os.path.join(BENCH, "transition"),
          "-I", os.path.join(ROOT, "include")]),
    ]
    version = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    result = {"compiler": version, "flags": "-O2 -std=c++17 -c", "runs": runs, "load_before": load(), "units": {}}
    busy = contention()
    with tempfile.TemporaryDirectory() as tmp:
        for name, src, extra in tus:
            cmd = [cxx, "-O2", "-std=c++17", *extra, "-c", os.path.join(BENCH, "compile", src), "-o",
                   os.path.join(tmp, name + ".o")]
            if not quick:
                compile_once(cmd)  # warm-up: page cache, dynamic loader
            samples = [compile_once(cmd) for _ in range(runs)]
            unit = {
                "source": f"bench/compile/{src}",
                "wall_ms": [round(s[0] * 1000, 1) for s in samples],
                "cpu_ms": [round(s[1] * 1000, 1) for s in samples],
                "peak_rss_kib": [s[2] for s in samples],
            }
            unit["cpu_ms_median"] = round(statistics.median(unit["cpu_ms"]), 1)
            unit["wall_ms_median"] = round(statistics.median(unit["wall_ms"]), 1)
            unit["peak_rss_kib_max"] = max(unit["peak_rss_kib"])
            result["units"][name] = unit
            log(f"compile {name}: cpu median {unit['cpu_ms_median']} ms, peak RSS {unit['peak_rss_kib_max']} KiB")
    result["load_after"] = load()
    result["contention"] = busy.result()
    return result


def codegen(exe, out_txt):
    """The timed loops of the transition benchmark, disassembled, and a check that each reads
    its event from memory on every iteration (nothing was folded away)."""
    if not shutil.which("objdump"):
        return {"checked": False, "why": "no objdump"}
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", exe], capture_output=True, text=True,
                         check=True).stdout
    blocks = re.split(r"\n(?=[0-9a-f]+ <)", dis)
    wanted = {}
    for b in blocks:
        m = re.match(r"[0-9a-f]+ <(tcpfsm_bench::byte_state_peer<tcpfsm_bench::(\w+)>::run\(.*\))>:", b)
        if m:
            wanted[m.group(2)] = b.strip()
        m = re.match(r"[0-9a-f]+ <tcpfsm_bench::\(anonymous namespace\)::(msm_peer|statechart_peer)::run\(.*\)>:", b)
        if m:
            wanted[m.group(1)] = b.strip()
    checks = {}
    with open(out_txt, "w") as f:
        f.write("# The timed loops of tcpfsm_transition_bench (objdump -d -C), one function per peer.\n")
        f.write("# Each loop loads its event from the events array (movzbl (...)) on every iteration and\n")
        f.write("# stores the new state: the work is done at run time, nothing is folded away.\n\n")
        for name, text in sorted(wanted.items()):
            lines = text.splitlines()
            if len(lines) > 80:
                lines = lines[:80] + [f"    ... ({len(lines) - 80} more lines: the rest of the switch)"]
            f.write("\n".join(lines) + "\n\n")
            # A byte load from memory and a backward branch (the loop).
            has_load = re.search(r"movzbl\s+(-?0x[0-9a-f]+)?\(%\w+(,%\w+,1)?\),%", text) is not None
            checks[name] = {"instructions": text.count("\n"), "loads_event_from_memory": has_load}
    return {"checked": True, "functions": checks,
            "all_load_events": all(c["loads_event_from_memory"] for c in checks.values()) and len(checks) >= 6}


def machine_info(cxx):
    def cmd(args):
        try:
            return subprocess.run(args, capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""

    lscpu = cmd(["lscpu"])
    keep = ("Architecture", "Model name", "CPU(s)", "Thread(s) per core", "Core(s) per socket", "Socket(s)",
            "CPU max MHz", "CPU MHz", "BogoMIPS", "L1d cache", "L1i cache", "L2 cache", "L3 cache",
            "Hypervisor vendor", "Virtualization type")
    summary = {}
    for line in lscpu.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in keep:
            summary[key.strip()] = value.strip()
    compilers = {}
    for c in (cxx, "g++", "clang++"):
        out = cmd([c, "--version"])
        if out:
            compilers[c] = out.splitlines()[0]
    debian = ""
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    packages = {}
    for pkg in ("libbenchmark-dev", "libboost-dev", "liblwip-dev", "gnuplot-nox", "gnuplot"):
        v = cmd(["dpkg-query", "-W", "-f=${Version}", pkg])
        if v:
            packages[pkg] = v
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "lscpu": summary,
        "compilers": compilers,
        "kernel": platform.release(),
        "debian": debian,
        "packages": packages,
        "nproc": os.cpu_count(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cxx", default="g++")
    ap.add_argument("--runs", type=int, default=7, help="compiles of each translation unit (after a warm-up)")
    ap.add_argument("--min-time", default="0.5", help="--benchmark_min_time of each repetition")
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--goodput-bytes", type=int, default=10000000, help="octets per goodput transfer (bench/goodput)")
    ap.add_argument("--goodput-large-bytes", type=int, default=100000000,
                    help="octets per goodput transfer in the 1 Gbit/s cells (bench/goodput)")
    ap.add_argument("--goodput-seeds", type=int, default=5, help="seeds per goodput cell (the median is reported)")
    ap.add_argument("--goodput-label", default="", help="a line for goodput.md (e.g. which engine ran)")
    args = ap.parse_args()

    bench_bin = os.path.join(args.build_dir, "bench")
    raw = os.path.join(args.out, "raw")
    os.makedirs(raw, exist_ok=True)
    info = machine_info(args.cxx)
    info["build_type"] = ""
    cache = os.path.join(args.build_dir, "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache) as f:
            m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", f.read(), re.M)
            info["build_type"] = m.group(1) if m else ""
    info["quick"] = args.quick
    info["repetitions"] = args.repetitions
    info["min_time"] = args.min_time
    info["load_at_start"] = load()
    info["load_before_build"] = os.environ.get("TCPFSM_BENCH_LOAD_BEFORE_BUILD", "")
    log(f"load average at start: {info['load_at_start']}")

    run_benchmark(os.path.join(bench_bin, "tcpfsm_transition_bench"), os.path.join(raw, "transition.json"),
                  args.quick, args.min_time, args.repetitions)
    run_benchmark(os.path.join(bench_bin, "tcpfsm_engine_bench"), os.path.join(raw, "engine.json"), args.quick,
                  args.min_time, args.repetitions)

    sizes = subprocess.run([os.path.join(bench_bin, "tcpfsm_sizes")], capture_output=True, text=True, check=True)
    with open(os.path.join(raw, "sizes.json"), "w") as f:
        f.write(sizes.stdout)

    goodput = os.path.join(bench_bin, "tcpfsm_goodput")
    if os.path.exists(goodput):
        # Simulated time: the grid's numbers do not depend on the machine's load. --quick: 1 MB, 1 seed.
        gbytes, glarge, gseeds = (1000000, 1000000, 1) if args.quick else (
            args.goodput_bytes, args.goodput_large_bytes, args.goodput_seeds)
        log(f"goodput: {gbytes} octets ({glarge} at 1 Gbit/s), {gseeds} seed(s) per cell")
        subprocess.run([goodput, "--bytes", str(gbytes), "--large-bytes", str(glarge), "--seeds", str(gseeds),
                        "--json", os.path.join(raw, "goodput.json")], check=True)
        render = [sys.executable, os.path.join(HERE, "render_goodput.py"), os.path.join(raw, "goodput.json"), args.out]
        if args.goodput_label:
            render += ["--label", args.goodput_label]
        bulk = os.path.join(bench_bin, "tcpfsm_bulk_bench")
        if os.path.exists(bulk):
            run_benchmark(bulk, os.path.join(raw, "bulk.json"), args.quick, args.min_time, args.repetitions)
            render += ["--bulk", os.path.join(raw, "bulk.json")]
        subprocess.run(render, check=True)

    comp = measure_compile(args.cxx, 1 if args.quick else args.runs, args.quick)
    with open(os.path.join(raw, "compile.json"), "w") as f:
        json.dump(comp, f, indent=1)

    info["codegen"] = codegen(os.path.join(bench_bin, "tcpfsm_transition_bench"), os.path.join(raw, "codegen.txt"))
    info["load_at_end"] = load()
    log(f"load average at end: {info['load_at_end']}")
    with open(os.path.join(raw, "machine.json"), "w") as f:
        json.dump(info, f, indent=1)

    subprocess.run([sys.executable, os.path.join(HERE, "render.py"), args.out], check=True)
    if not args.quick and not info["codegen"].get("all_load_events", False):
        log("codegen check: a timed loop does not load its events from memory (see raw/codegen.txt)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
