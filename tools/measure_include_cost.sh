#!/usr/bin/env bash
# Compile-time cost of `#include <tcpfsm/tcpfsm.hpp>` (the single header by default).
# For each compiler: `<cxx> -O2 -std=c++17 -c` of a TU with just the include and `int main() {}`,
# against the same TU without the include; one warm-up, then RUNS runs each. Prints every run
# (wall and CPU time, peak RSS of the compiler), the medians and the differences.
#
# Usage: tools/measure_include_cost.sh [compiler...]       (default: g++ clang++)
#   RUNS=5                 runs per TU after the warm-up
#   INCLUDE_DIR=dir        where <tcpfsm/tcpfsm.hpp> is found (default: single_include/)
#   HEADER=tcpfsm/x.hpp    the header to measure (default: tcpfsm/tcpfsm.hpp)
#   CXXFLAGS="..."         extra flags for both TUs
# Peak RSS needs GNU time (/usr/bin/time; Debian: apt-get install -y time); without it,
# only times are shown. The target: at most 70 ms over the empty TU for g++ -O2.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
include_dir=${INCLUDE_DIR:-$root/single_include}
header=${HEADER:-tcpfsm/tcpfsm.hpp}
target_ms=70
compilers=("$@")
[ ${#compilers[@]} -eq 0 ] && compilers=(g++ clang++)

if [ ! -f "$include_dir/$header" ]; then
    echo "measure_include_cost: no $include_dir/$header (run python3 tools/amalgamate.py?)" >&2
    exit 2
fi

gnu_time=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    gnu_time=/usr/bin/time
else
    echo "note: GNU time not found (apt-get install -y time); peak RSS is not measured"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'int main() {}\n' >"$work/empty.cpp"
printf '#include <%s>\nint main() {}\n' "$header" >"$work/include.cpp"

# compile_once CXX TU -> prints "<wall ms> <cpu ms> <peak RSS in KiB, or ->"
# Wall time is what a user waits for; CPU time (user + sys of the compiler, from bash's
# `time`, millisecond resolution) is steadier when other jobs share the machine.
compile_once() {
    local cxx=$1 tu=$2 rss=- TIMEFORMAT='%3R %3U %3S' wall user sys
    # shellcheck disable=SC2206  # CXXFLAGS is a list of flags
    local cmd=("$cxx" -O2 -std=c++17 ${CXXFLAGS:-} -I "$include_dir" -c "$work/$tu.cpp" -o "$work/$tu.o")
    [ -n "$gnu_time" ] && cmd=("$gnu_time" -f %M -o "$work/rss" "${cmd[@]}")
    { time "${cmd[@]}" 2>"$work/compiler.err"; } 2>"$work/time" || {
        cat "$work/compiler.err" >&2
        exit 2
    }
    read -r wall user sys <"$work/time"
    [ -n "$gnu_time" ] && rss=$(tail -n 1 "$work/rss")
    awk -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" 'BEGIN {printf "%d %d %s\n", w * 1000 + 0.5, (u + s) * 1000 + 0.5, r}'
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

status=0
echo "tcpfsm include cost: <$header> from $include_dir, -O2 -std=c++17 -c, $runs runs after 1 warm-up"
for cxx in "${compilers[@]}"; do
    if ! command -v "$cxx" >/dev/null; then
        echo "== $cxx: not found, skipped"
        continue
    fi
    echo "== $cxx ($("$cxx" --version | head -n 1))"
    declare -A wall_med=() cpu_med=() rss_max=()
    for tu in empty include; do
        compile_once "$cxx" "$tu" >/dev/null  # warm-up: page cache, dynamic loader
        walls=() cpus=() rsses=()
        for ((i = 1; i <= runs; i++)); do
            read -r wall cpu rss < <(compile_once "$cxx" "$tu")
            walls+=("$wall")
            cpus+=("$cpu")
            rsses+=("$rss")
        done
        wall_med[$tu]=$(printf '%s\n' "${walls[@]}" | median)
        cpu_med[$tu]=$(printf '%s\n' "${cpus[@]}" | median)
        rss_max[$tu]=$(printf '%s\n' "${rsses[@]}" | sort -n | tail -n 1)
        printf '   %-7s wall ms: %-28s median %4d | cpu ms: %-28s median %4d | peak RSS %s KiB\n' \
            "$tu" "${walls[*]}" "${wall_med[$tu]}" "${cpus[*]}" "${cpu_med[$tu]}" "${rss_max[$tu]}"
    done
    wall_diff=$((wall_med[include] - wall_med[empty]))
    cpu_diff=$((cpu_med[include] - cpu_med[empty]))
    rss_note=
    [ -n "$gnu_time" ] && rss_note=", peak RSS +$(((rss_max[include] - rss_max[empty]) / 1024)) MiB"
    echo "   cost of the include (median - median): wall $wall_diff ms, cpu $cpu_diff ms$rss_note"
    if [[ $(basename "$cxx") == g++* ]]; then
        # Judged on CPU time: wall time on a shared machine measures the other jobs too.
        if [ "$cpu_diff" -le "$target_ms" ]; then
            echo "   target (<= $target_ms ms for g++ -O2, cpu): met"
        else
            echo "   target (<= $target_ms ms for g++ -O2, cpu): OVER by $((cpu_diff - target_ms)) ms"
            status=1
        fi
    fi
    unset wall_med cpu_med rss_max
done
exit $status
