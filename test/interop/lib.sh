# test/interop/lib.sh: what every interop scenario shares. Sourced by the scenario scripts,
# which are run by ctest as:  bash <scenario>.sh TCPFSM_TUN INTEROP_PEER [ARGS...]
#
# Each scenario gets its own network namespace (tcpfsm-<scenario>-<pid>) holding a TUN
# device tun0 with the kernel's address on it; tcpfsm_tun attaches to tun0 and plays the
# other host at the neighbouring address, interop_peer is the kernel's socket program. The
# namespace, the processes and the work directory go away on every exit (trap).
#
# Without root, /dev/net/tun, iproute2 or the right to create a namespace, the scenario
# prints "SKIP: <reason>" and exits 77 (SKIP_RETURN_CODE); with CI=true that is a failure.
#
# Logs: tcpfsm_tun and interop_peer write one line per record ("STATE A -> B ... t=ms",
# "PEER-STATE A -> B t=ms"); on failure both logs are printed.
# shellcheck shell=bash

set -uo pipefail

TUN_BIN=${1:?usage: scenario.sh TCPFSM_TUN INTEROP_PEER}
PEER_BIN=${2:?usage: scenario.sh TCPFSM_TUN INTEROP_PEER}
shift 2
SCENARIO=$(basename "$0" .sh)
SKIP_CODE=77

NS=""
WORK=""
TUN_PID=""
PEER_PID=""
STRAY_PID=""
BG_PIDS=""     # kernel-side tools started with start_bg (curl, socat, the SYN flooder)
TUN_LOG=${TUN_LOG---trace}   # tcpfsm_tun's log level: --trace (every segment), "" (events), --quiet
SS_SEEN=""     # kernel states checked with ss, in order
KEEP_WORK=${TCPFSM_INTEROP_KEEP:-}

note() { printf '%s: %s\n' "$SCENARIO" "$*"; }

require_environment() {
    local reasons=()
    [ "$(id -u)" -eq 0 ] || reasons+=("not root")
    [ -c /dev/net/tun ] || reasons+=("no /dev/net/tun")
    command -v ip >/dev/null 2>&1 || reasons+=("no ip (iproute2)")
    command -v ss >/dev/null 2>&1 || reasons+=("no ss (iproute2)")
    [ -x "$TUN_BIN" ] || reasons+=("no $TUN_BIN")
    [ -x "$PEER_BIN" ] || reasons+=("no $PEER_BIN")
    if [ "${1:-4}" = 6 ] && [ ! -d /proc/sys/net/ipv6 ]; then reasons+=("IPv6 is disabled in this kernel"); fi
    if [ ${#reasons[@]} -eq 0 ]; then
        local probe="tcpfsm-probe-$$"
        if ip netns add "$probe" >/dev/null 2>&1; then
            ip netns del "$probe" >/dev/null 2>&1
        else
            reasons+=("cannot create a network namespace (ip netns add)")
        fi
    fi
    if [ ${#reasons[@]} -ne 0 ]; then
        local why
        why=$(IFS=','; echo "${reasons[*]}")
        if [ "${CI:-}" = "true" ]; then
            echo "FAIL: $SCENARIO cannot run: ${why//,/, } (CI=true: the interop tests must run)"
            exit 1
        fi
        echo "SKIP: $SCENARIO: ${why//,/, }"
        exit "$SKIP_CODE"
    fi
}

cleanup() {
    local pid
    for pid in $TUN_PID $PEER_PID $STRAY_PID $BG_PIDS; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    [ -n "$NS" ] && ip netns del "$NS" >/dev/null 2>&1
    if [ -n "$WORK" ] && [ -z "$KEEP_WORK" ]; then rm -rf "$WORK"; fi
    [ -n "$KEEP_WORK" ] && [ -n "$WORK" ] && echo "logs kept in $WORK"
}

# A run killed by SIGKILL (a ctest timeout) cannot clean up: remove this scenario's
# namespaces whose script (the pid in the name) is gone.
remove_stale_namespaces() {
    local name pid
    for name in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^tcpfsm-$SCENARIO-[0-9]+\$"); do
        pid=${name##*-}
        if ! kill -0 "$pid" 2>/dev/null; then
            ip netns del "$name" >/dev/null 2>&1 && note "removed stale namespace $name"
        fi
    done
}

# Runs a command inside the scenario's namespace.
nsx() { ip netns exec "$NS" "$@"; }

dump_logs() {
    echo "----- tcpfsm_tun log -----"
    [ -f "$WORK/tun.log" ] && cat "$WORK/tun.log"
    echo "----- interop_peer log -----"
    [ -f "$WORK/peer.log" ] && cat "$WORK/peer.log"
    local f
    for f in "$WORK"/*.log; do
        case "$f" in */tun.log | */peer.log) continue ;; esac
        [ -f "$f" ] && { echo "----- $(basename "$f") -----"; tail -n 40 "$f"; }
    done
    echo "----- ss -tan (namespace) -----"
    nsx ss -tan 2>/dev/null
}

fail() {
    echo "FAIL: $SCENARIO: $*"
    dump_logs
    exit 1
}

# setup 4|6: the namespace, tun0 with the kernel's address, up. Sets KADDR (the kernel's
# address), TADDR (tcpfsm's), FAMILY.
setup() {
    FAMILY=$1
    require_environment "$FAMILY"
    remove_stale_namespaces
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-interop-$SCENARIO.XXXXXX") || exit 1
    NS="tcpfsm-$SCENARIO-$$"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$NS" || fail "ip netns add $NS"
    nsx ip link set lo up || fail "lo up"
    nsx ip tuntap add dev tun0 mode tun || fail "ip tuntap add"
    if [ "$FAMILY" = 6 ]; then
        KADDR=fd00:77::1
        TADDR=fd00:77::2
        nsx ip -6 addr add "$KADDR/64" dev tun0 nodad || fail "ip -6 addr add"
    else
        KADDR=10.77.0.1
        TADDR=10.77.0.2
        nsx ip addr add "$KADDR/24" dev tun0 || fail "ip addr add"
    fi
    nsx ip link set tun0 up || fail "ip link set tun0 up"
    note "namespace $NS, tun0: kernel $KADDR, tcpfsm $TADDR"
}

start_tun() {
    # Not through nsx: $! must be the program itself (ip netns exec execs it), so that
    # cleanup can end it by its pid.
    ip netns exec "$NS" "$TUN_BIN" --dev tun0 --deadline-ms "${TUN_DEADLINE_MS:-30000}" $TUN_LOG "$@" >"$WORK/tun.log" 2>&1 &
    TUN_PID=$!
    echo "tcpfsm_tun $*" >"$WORK/tun.cmd"
}

start_peer() {
    ip netns exec "$NS" "$PEER_BIN" "$@" >"$WORK/peer.log" 2>&1 &
    PEER_PID=$!
    echo "interop_peer $*" >"$WORK/peer.cmd"
}

# require_tools TOOL...: the kernel-side programs a scenario needs (curl, wget, socat, ...);
# missing ones skip the scenario (a failure with CI=true), as require_environment does.
require_tools() {
    local missing=() t
    for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "${CI:-}" = "true" ]; then
        echo "FAIL: $SCENARIO cannot run: no ${missing[*]} (CI=true: the interop tests must run)"
        exit 1
    fi
    echo "SKIP: $SCENARIO: no ${missing[*]} (tools/install-deps.sh installs them)"
    exit "$SKIP_CODE"
}

# start_bg NAME COMMAND...: a kernel-side program in the namespace, in the background, its
# output in $WORK/NAME.log; its pid in BG_PID (ended on exit).
start_bg() {
    local name=$1
    shift
    ip netns exec "$NS" "$@" >"$WORK/$name.log" 2>&1 &
    BG_PID=$!
    BG_PIDS="$BG_PIDS $BG_PID"
}

# wait_pid PID SECONDS WHAT: until the process ends; fails if it does not, or fails.
wait_pid() {
    local pid=$1 limit=$2 what=$3 status
    local end=$((SECONDS + limit))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -ge $end ] && fail "$what did not end within ${limit}s"
        sleep 0.01
    done
    wait "$pid"
    status=$?
    [ "$status" -eq 0 ] || fail "$what exited with status $status"
}

# sha FILE: its SHA-256 (sha256sum, independent of the code under test).
sha() { sha256sum <"$1" | cut -d' ' -f1; }

# stray_syn PORT: the kernel connects to another port of tcpfsm's address (bash's /dev/tcp,
# given up after 1 s): a SYN that is not tcpfsm's four-tuple, which it must ignore.
stray_syn() {
    ip netns exec "$NS" timeout 1 bash -c "exec 3<>/dev/tcp/$TADDR/$1" >/dev/null 2>&1 &
    STRAY_PID=$!
}

# wait_log tun|peer REGEX SECONDS: until a line of the log matches.
wait_log() {
    local file="$WORK/$1.log" regex=$2 limit=$3
    local end=$((SECONDS + limit))
    while ! grep -qE -- "$regex" "$file" 2>/dev/null; do
        [ $SECONDS -ge $end ] && fail "no line /$regex/ in the $1 log within ${limit}s"
        sleep 0.01
    done
}

# count_log tun|peer REGEX
count_log() { grep -cE -- "$2" "$WORK/$1.log" 2>/dev/null; }

# ss_expect STATE SECONDS: until `ss -tanH state STATE` lists a socket in the namespace.
ss_expect() {
    local st=$1 limit=$2 out
    local end=$((SECONDS + limit))
    for (( ; ; )); do
        out=$(nsx ss -tanH state "$st" 2>/dev/null)
        if [ -n "$out" ]; then
            note "ss: kernel socket in $st: $(echo "$out" | head -n 1 | tr -s ' ')"
            SS_SEEN="${SS_SEEN:+$SS_SEEN }$st"
            return 0
        fi
        [ $SECONDS -ge $end ] && fail "ss shows no socket in state $st within ${limit}s"
        sleep 0.01
    done
}

# ss_none STATE: no kernel socket in STATE now.
ss_none() {
    local out
    out=$(nsx ss -tanH state "$1" 2>/dev/null)
    [ -z "$out" ] || fail "ss shows a socket in state $1: $out"
    note "ss: no kernel socket in $1"
}

# wait_exit tun|peer SECONDS [EXPECTED_STATUS]: waits for the process; fails on another status.
wait_exit() {
    local who=$1 limit=$2 want=${3:-0} pid status
    if [ "$who" = tun ]; then pid=$TUN_PID; else pid=$PEER_PID; fi
    local end=$((SECONDS + limit))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -ge $end ] && fail "$who did not exit within ${limit}s"
        sleep 0.01
    done
    wait "$pid"
    status=$?
    [ "$status" -eq "$want" ] || fail "$who exited with status $status (expected $want)"
}

# The state paths, from the logs: "CLOSED SYN-SENT ESTABLISHED ..." (tcpfsm, starting with
# CLOSED) and "ESTAB CLOSE-WAIT ..." (the kernel socket by TCP_INFO).
tun_path() {
    awk '$1 == "STATE" { if (!n++) printf "%s", $2; printf " %s", $4 } END { print "" }' "$WORK/tun.log"
}
peer_path() {
    [ -f "$WORK/peer.log" ] || { echo ""; return; }
    awk '$1 == "PEER-STATE" { if (n++) printf " "; printf "%s", $4 } END { print "" }' "$WORK/peer.log"
}

# expect_path tun|peer "A B C": the exact path.
expect_path() {
    local got
    if [ "$1" = tun ]; then got=$(tun_path); else got=$(peer_path); fi
    [ "$got" = "$2" ] || fail "$1 states: got '$got', expected '$2'"
}

# expect_subpath tun|peer "A B C": these states in this order (others may come between).
expect_subpath() {
    local got
    if [ "$1" = tun ]; then got=$(tun_path); else got=$(peer_path); fi
    local rest=" $got " s
    for s in $2; do
        case "$rest" in
            *" $s "*) rest=" ${rest#* "$s" }" ;;
            *) fail "$1 states: got '$got', expected '$2' in this order" ;;
        esac
    done
}

expect_line() {  # expect_line tun|peer REGEX
    grep -qE -- "$2" "$WORK/$1.log" || fail "no line /$2/ in the $1 log"
}
expect_no_line() {
    ! grep -qE -- "$2" "$WORK/$1.log" || fail "unexpected line /$2/ in the $1 log: $(grep -m1 -E -- "$2" "$WORK/$1.log")"
}

# The time (t=ms) of the first / last line matching REGEX.
time_of() { grep -E -- "$2" "$WORK/$1.log" | head -n 1 | sed -E 's/.* t=([0-9]+)$/\1/'; }
time_of_last() { grep -E -- "$2" "$WORK/$1.log" | tail -n 1 | sed -E 's/.* t=([0-9]+)$/\1/'; }

# The largest text length among segments of a kind: max_len SEG-OUT|SEG-IN
max_len() {
    awk -v kind="$1" '$1 == kind { for (i = 2; i <= NF; ++i) if ($i ~ /^len=/) { v = substr($i, 5) + 0; if (v > m) m = v } }
                      END { print m + 0 }' "$WORK/tun.log"
}

summary() {
    note "tcpfsm states:            $(tun_path)"
    note "kernel states (TCP_INFO): $(peer_path)"
    note "kernel states (ss):       ${SS_SEEN:-none checked}"
    note "tcpfsm: $(grep -E '^SIGNAL' "$WORK/tun.log" | awk '{print $2}' | tr '\n' ' ')(signals); $(grep -E '^EXIT' "$WORK/tun.log")"
    echo "PASS: $SCENARIO"
}
