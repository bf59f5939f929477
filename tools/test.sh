#!/usr/bin/env bash
# Builds and runs every tcpfsm test configuration; exits non-zero if any test fails.
#   full suite (every label) : g++, C++17 (with the benchmarks' smoke runs, label bench)
#   unit and fuzz labels     : clang++ C++17 (the libFuzzer targets, 40 s each; required)
#   unit label               : g++ C++20 in Release (-O3) against single_include/ and clang++
#                              C++20 in Release at -O2, every target built (benchmarks and
#                              fuzzers included): both optimisation levels, both headers
#   the whole suite but the compiler-only labels (compile_fail, consumer), bench and the
#   10 MiB interop transfers (interop_large):
#                              g++ C++17 with ASan+UBSan
# Usage: tools/test.sh            (build trees go to build/test/<config>)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TCPFSM_BUILD_ROOT:-$root/build/test}
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$out"
total_passed=0
total_failed=0
broken=()

# run_config NAME LABEL-SELECTION CMAKE-ARGS...
#   LABEL-SELECTION: "" (every test), "REGEX" (-L: these labels), "!REGEX" (-LE: all but these)
run_config() {
    local name=$1 labels=$2
    shift 2
    local dir="$out/$name"
    echo "=== tcpfsm: configuration '$name' ==="
    if ! cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug "$@" >"$dir.configure.log" 2>&1; then
        cat "$dir.configure.log"; broken+=("$name (configure)"); return
    fi
    local started=$SECONDS
    if ! cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1; then
        tail -n 60 "$dir.build.log"; broken+=("$name (build)"); return
    fi
    local label_args=()
    case "$labels" in
        "") ;;
        !*) label_args=(-LE "${labels#!}") ;;
        *) label_args=(-L "$labels") ;;
    esac
    local built=$SECONDS
    ctest --test-dir "$dir" "${label_args[@]}" -j "$jobs" --output-on-failure >"$dir.test.log" 2>&1
    local rc=$?
    echo "build $((built - started)) s, tests $((SECONDS - built)) s"
    grep -E "tests passed|tests failed|Total Test time|\*\*\*Failed|\*\*\*Exception|Not Run" "$dir.test.log" || true
    if [ $rc -ne 0 ]; then tail -n 80 "$dir.test.log"; broken+=("$name (tests)"); fi
    local line
    line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$dir.test.log" | tail -n 1)
    if [ -n "$line" ]; then
        local failed of
        failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
        of=$(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$line")
        total_failed=$((total_failed + failed))
        total_passed=$((total_passed + of - failed))
    fi
}

run_config gcc-cxx17-full "" -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DTCPFSM_BUILD_BENCHMARKS=ON
run_config clang-cxx17 'unit|fuzz' -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=17 -DTCPFSM_TEST_SLOW=OFF -DTCPFSM_REQUIRE_FUZZ=ON
run_config gcc-cxx20-single-include-release unit -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=20 -DTCPFSM_TEST_SINGLE_INCLUDE=ON -DTCPFSM_TEST_SLOW=OFF -DTCPFSM_BUILD_BENCHMARKS=ON
run_config clang-cxx20-o2 unit -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_STANDARD=20 -DTCPFSM_TEST_SLOW=OFF -DTCPFSM_BUILD_BENCHMARKS=ON
run_config gcc-asan-ubsan '!compile_fail|consumer|bench|interop_large' -DCMAKE_CXX_COMPILER=g++ -DCMAKE_CXX_STANDARD=17 -DTCPFSM_SANITIZE=ON

echo
if [ ${#broken[@]} -ne 0 ]; then
    echo "tcpfsm: FAILED configurations: ${broken[*]}"
fi
echo "$total_passed passed, $total_failed failed"
[ ${#broken[@]} -eq 0 ] && [ "$total_failed" -eq 0 ]
