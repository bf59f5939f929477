#!/usr/bin/env bash
# tcpfsm's benchmarks, all of them, in one command (bench/README.md):
#   bench/run.sh [OUT_DIR]       (default: bench/results)
# Builds the benchmarks in Release in build/bench-release (g++ unless CXX says otherwise), runs
# the transition and engine benchmarks (median of 5 repetitions), measures compile time and
# sizes, disassembles the timed loops, runs the goodput grid over the simulated bottleneck
# (bench/goodput: 10 MB per transfer, median of 5 seeds per cell), and writes OUT_DIR/raw/*.json,
# OUT_DIR/results.md, OUT_DIR/throughput.svg / .png and OUT_DIR/goodput.md / .svg / .png; then the
# goodput against the Linux kernel through tools/relay (bench/kernel/run.sh: OUT_DIR/kernel.md;
# as root with /dev/net/tun, else skipped with a message).
# Needs: libbenchmark-dev libboost-dev liblwip-dev gnuplot-nox (tools/install-deps.sh installs them).
#   TCPFSM_BENCH_BUILD=dir       another build directory
#   TCPFSM_BENCH_ARGS="..."      more arguments for bench/tools/run_all.py (--runs, --repetitions, ...)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench/results}
build=${TCPFSM_BENCH_BUILD:-$root/build/bench-release}
cxx=${CXX:-g++}
TCPFSM_BENCH_LOAD_BEFORE_BUILD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
export TCPFSM_BENCH_LOAD_BEFORE_BUILD
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" \
    -DTCPFSM_BUILD_BENCHMARKS=ON -DTCPFSM_BUILD_TESTS=OFF -DTCPFSM_BUILD_EXAMPLES=OFF -DTCPFSM_BUILD_TOOLS=OFF \
    >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target tcpfsm_transition_bench tcpfsm_engine_bench tcpfsm_goodput tcpfsm_sizes
# shellcheck disable=SC2086  # TCPFSM_BENCH_ARGS is a list of arguments
python3 "$root/bench/tools/run_all.py" --build-dir "$build" --out "$out" --cxx "$cxx" ${TCPFSM_BENCH_ARGS:-}
TCPFSM_BENCH_BUILD=$build "$root/bench/kernel/run.sh" "$out"
