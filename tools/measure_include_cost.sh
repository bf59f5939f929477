#!/usr/bin/env bash
# Compile-time cost of `#include <tcpfsm/tcpfsm.hpp>` (the single header by default), in its
# two forms: `core` (TCPFSM_CORE_ONLY defined: vocabulary, table and variants, lookup,
# verification) and `whole` (the default: the core, the connection engine, the listener and
# the wire codec).
# For each compiler: `<cxx> -O2 -std=c++17 -c` of a TU with just the include (after the
# macro, for core) and `int main() {}`, against the same TU without the include; one
# warm-up, then RUNS runs each. Prints every run (wall and CPU time, peak RSS of the
# compiler), the medians and the differences.
# With CALLGRIND=1 it also counts the instructions g++'s cc1plus executes for each TU
# (valgrind --tool=callgrind on the cc1plus command that `g++ -### -std=c++17 -O2 -c`
# prints): unlike times, these do not depend on the machine's load.
#
# Usage: tools/measure_include_cost.sh [compiler...]       (default: g++ clang++)
#   RUNS=5                 runs per TU after the warm-up
#   INCLUDE_DIR=dir        where <tcpfsm/tcpfsm.hpp> is found (default: single_include/)
#   HEADER=tcpfsm/x.hpp    the header to measure (default: tcpfsm/tcpfsm.hpp)
#   FORMS="core whole"     which forms to measure; `custom` is the TU in CUSTOM_TU
#   CUSTOM_TU='...'        the lines of the custom form before `int main() {}` (printf %b:
#                          \n separates lines), e.g. to measure one part of the library:
#                          INCLUDE_DIR=include FORMS=custom CALLGRIND=1 RUNS=1 \
#                          CUSTOM_TU='#include <tcpfsm/core.hpp>' tools/measure_include_cost.sh g++
#   CXXFLAGS="..."         extra flags for every TU
#   CALLGRIND=1            also count cc1plus instructions (needs valgrind; g++ only)
# Peak RSS needs GNU time (/usr/bin/time; Debian: apt-get install -y time); without it,
# only times are shown. The target: at most 70 ms CPU over the empty TU for g++ -O2, for the
# core form (the exit status says whether it is met); the whole form is reported only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
include_dir=${INCLUDE_DIR:-$root/single_include}
header=${HEADER:-tcpfsm/tcpfsm.hpp}
read -r -a forms <<<"${FORMS:-core whole}"
target_ms=70
compilers=("$@")
[ ${#compilers[@]} -eq 0 ] && compilers=(g++ clang++)

if [ "${FORMS:-}" != custom ] && [ ! -f "$include_dir/$header" ]; then
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
for form in "${forms[@]}"; do
    case "$form" in
        core) printf '#define TCPFSM_CORE_ONLY\n#include <%s>\nint main() {}\n' "$header" >"$work/core.cpp" ;;
        whole) printf '#include <%s>\nint main() {}\n' "$header" >"$work/whole.cpp" ;;
        custom)
            [ -n "${CUSTOM_TU:-}" ] || { echo "measure_include_cost: FORMS=custom needs CUSTOM_TU" >&2; exit 2; }
            printf '%b\nint main() {}\n' "$CUSTOM_TU" >"$work/custom.cpp" ;;
        *) echo "measure_include_cost: unknown form '$form' (core, whole, custom)" >&2; exit 2 ;;
    esac
done

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

# cc1plus_instructions TU -> prints the instructions cc1plus executes for the TU (g++ -O2).
cc1plus_instructions() {
    local tu=$1 line
    # shellcheck disable=SC2086  # CXXFLAGS is a list of flags
    line=$(g++ -### -O2 -std=c++17 ${CXXFLAGS:-} -I "$include_dir" -c "$work/$tu.cpp" -o "$work/$tu.o" 2>&1 |
        grep -E '^ [^ ]*/cc1plus ' | head -n 1)
    [ -n "$line" ] || { echo "measure_include_cost: no cc1plus command from g++ -###" >&2; exit 2; }
    # The printed command is quoted for a shell; its assembler output goes to a temporary file.
    eval "set -- $line"
    local args=() prev=
    for a in "$@"; do
        if [ "$prev" = "-o" ]; then a="$work/$tu.s"; fi
        args+=("$a")
        prev=$a
    done
    valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "${args[@]}" 2>"$work/valgrind.err" || {
        cat "$work/valgrind.err" >&2
        exit 2
    }
    sed -nE 's/^==[0-9]+== Collected : ([0-9]+).*/\1/p' "$work/valgrind.err"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

status=0
echo "tcpfsm include cost: <$header> from $include_dir, -O2 -std=c++17 -c, forms: ${forms[*]}, $runs runs after 1 warm-up"
for cxx in "${compilers[@]}"; do
    if ! command -v "$cxx" >/dev/null; then
        echo "== $cxx: not found, skipped"
        continue
    fi
    echo "== $cxx ($("$cxx" --version | head -n 1))"
    declare -A wall_med=() cpu_med=() rss_max=()
    for tu in empty "${forms[@]}"; do
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
    for form in "${forms[@]}"; do
        wall_diff=$((wall_med[$form] - wall_med[empty]))
        cpu_diff=$((cpu_med[$form] - cpu_med[empty]))
        rss_note=
        [ -n "$gnu_time" ] && rss_note=", peak RSS +$(((rss_max[$form] - rss_max[empty]) / 1024)) MiB"
        echo "   cost of the include, $form form (median - median): wall $wall_diff ms, cpu $cpu_diff ms$rss_note"
        if [[ $(basename "$cxx") == g++* ]] && [ "$form" = core ]; then
            # Judged on CPU time: wall time on a shared machine measures the other jobs too.
            if [ "$cpu_diff" -le "$target_ms" ]; then
                echo "   target (<= $target_ms ms for g++ -O2, cpu), core form: met"
            else
                echo "   target (<= $target_ms ms for g++ -O2, cpu), core form: OVER by $((cpu_diff - target_ms)) ms"
                status=1
            fi
        fi
    done
    if [ "${CALLGRIND:-0}" = 1 ] && [[ $(basename "$cxx") == g++* ]]; then
        if ! command -v valgrind >/dev/null; then
            echo "   CALLGRIND=1: valgrind not found (apt-get install -y valgrind), skipped"
        else
            declare -A instr=()
            for tu in empty "${forms[@]}"; do
                instr[$tu]=$(cc1plus_instructions "$tu")
                printf '   cc1plus instructions (callgrind), %-6s %6d M\n' "$tu" $((instr[$tu] / 1000000))
            done
            if [ -n "${instr[core]:-}" ] && [ -n "${instr[whole]:-}" ]; then
                awk -v c="${instr[core]}" -v w="${instr[whole]}" \
                    'BEGIN {printf "   whole / core: %.3f (%+.1f%%)\n", w / c, (w / c - 1) * 100}'
            fi
            unset instr
        fi
    fi
    unset wall_med cpu_med rss_max
done
exit $status
