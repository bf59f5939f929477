#!/usr/bin/env bash
# The kernel part of tcpfsm's benchmarks (bench/README.md, part 5), alone; bench/run.sh runs it
# after the others:
#   bench/kernel/run.sh [OUT_DIR]     (default: bench/results)
# Builds tcpfsm_tun and tcpfsm_relay in Release in build/bench-release (as bench/run.sh does),
# runs kernel_goodput.sh (RTT {2, 20} ms x loss {0, 1} % each way, 100 Mbit/s, 10 MB per
# transfer, median of 5 runs) and writes OUT_DIR/kernel.md and OUT_DIR/raw/kernel.json.
# Without root or /dev/net/tun it says so and exits 0 (nothing is written).
#   TCPFSM_BENCH_BUILD=dir         another build directory
#   TCPFSM_KERNEL_ARGS="..."       more arguments for kernel_goodput.sh (--runs, --octets, --rtts, ...)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/bench/results}
build=${TCPFSM_BENCH_BUILD:-$root/build/bench-release}
cxx=${CXX:-g++}
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "bench/kernel/run.sh: skipped: the kernel goodput part needs root and /dev/net/tun (network namespaces, TUN devices)"
    exit 0
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" \
    -DTCPFSM_BUILD_BENCHMARKS=ON -DTCPFSM_BUILD_TESTS=OFF -DTCPFSM_BUILD_EXAMPLES=OFF -DTCPFSM_BUILD_TOOLS=OFF \
    >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target tcpfsm_tun tcpfsm_relay
mkdir -p "$out/raw"
lines=$(mktemp /tmp/tcpfsm-kernel-lines.XXXXXX)
trap 'rm -f "$lines"' EXIT
status=0
# shellcheck disable=SC2086  # TCPFSM_KERNEL_ARGS is a list of arguments
bash "$root/bench/kernel/kernel_goodput.sh" --relay "$build/bench/tcpfsm_relay" --tun "$build/bench/tcpfsm_tun" \
    --lines "$lines" --render "$out" --label "bench/kernel/run.sh, $cxx Release (-O3), $(date -u +%Y-%m-%d)" \
    ${TCPFSM_KERNEL_ARGS:-} || status=$?
[ "$status" -eq 77 ] && status=0  # skipped, with its message
exit "$status"
