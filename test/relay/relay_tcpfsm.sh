# tcpfsm against the kernel through tcpfsm_relay (label interop and interop_large): OCTETS
# (10 MB) one way over IPv4 or IPv6 through 10 ms each way, a 50 Mbit/s bottleneck with a
# one-BDP drop-tail queue and 1% random loss in EACH direction (data, ACKs, SYNs and FINs).
#
#   bash relay_tcpfsm.sh TCPFSM_RELAY TCPFSM_TUN to_kernel|from_kernel 4|6 [OCTETS] [sack]
#
# The path (relay_lib.sh, relay_add_hosts): the kernel's socket (kernel_peer.py) in namespace
# -a, the relay, then namespace -b forwarding to its tun0, where tcpfsm_tun (examples/tun,
# client mode) is the host 10.77.1.2 / fd77:1::2. Nothing in -b terminates TCP.
#   to_kernel    tcpfsm_tun sends a file (--in), the kernel receives it
#   from_kernel  the kernel sends a file, tcpfsm_tun receives it (--out)
# Checks: both programs end successfully (tcpfsm's connection CLOSED, or TIME-WAIT for the
# side that closed first, within its deadline); the octets and SHA-256 (sha256sum, hashlib)
# of what arrived equal those of the file sent, on both ends; the relay lost packets in the
# data direction (the test ran over a lossy path) and its books balance. Printed: the
# relay's counters, tcpfsm's retransmissions, tun0's counters, the kernel's congestion control
# (CUBIC where available: kernel_peer.py --cc) and the times.
# With "sack" (interop.relay_sack_*), the SACK blocks must drive recovery both ways (RFC 2018,
# RFC 6675): both SYNs carry SACK-permitted (tcpfsm_tun's SYN-OUT / SYN-IN lines; if
# tcpfsm's configuration does not offer it the test fails, or with TCPFSM_REQUIRE_SACK_TS=0
# is skipped, exit 77); from_kernel: tcpfsm sent SACK blocks and the kernel sender
# recovered by them (nstat in its namespace: TcpExtTCPSackRecovery > 0,
# TcpExtTCPRenoRecovery = 0); to_kernel: the kernel's SACK blocks reached tcpfsm (its OPTIONS
# line: sack_blocks_in > 0) and tcpfsm retransmitted.
# TCPFSM_RELAY_KEEP=1 keeps the work directory (logs, files); TCPFSM_RELAY_TRACE=1 runs
# tcpfsm_tun with --trace (every segment in and out, every row: for finding what went wrong).
# shellcheck shell=bash
set -uo pipefail
RELAY_BIN=${1:?usage: relay_tcpfsm.sh TCPFSM_RELAY TCPFSM_TUN to_kernel|from_kernel 4|6 [OCTETS]}
TUN_BIN=${2:?tcpfsm_tun}
WAY=${3:?to_kernel or from_kernel}
FAMILY=${4:-4}
OCTETS=${5:-10000000}
CHECK_SACK=${6:-}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=relay_lib.sh
source "$here/relay_lib.sh"
name="relay_tcpfsm_${WAY}_ipv${FAMILY}"
[ "$CHECK_SACK" = sack ] && name="relay_sack_${WAY}_ipv${FAMILY}"

skip_or_fail() {
    if [ "${CI:-}" = "true" ]; then echo "FAIL: $name cannot run: $1 (CI=true: interop tests must run)"; exit 1; fi
    echo "SKIP: $name: $1"; exit 77
}
[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
[ -c /dev/net/tun ] || skip_or_fail "no /dev/net/tun"
command -v ip >/dev/null || skip_or_fail "no ip (iproute2)"
command -v python3 >/dev/null || skip_or_fail "no python3"
command -v sha256sum >/dev/null || skip_or_fail "no sha256sum"
[ -x "$TUN_BIN" ] || skip_or_fail "no $TUN_BIN"
case "$WAY" in to_kernel | from_kernel) ;; *) echo "FAIL: unknown direction $WAY"; exit 1 ;; esac

WORK=$(mktemp -d /tmp/tcpfsm-relay-tcpfsm.XXXXXX)
TUN_PID=""
PEER_PID=""
cleanup() {
    local pid
    for pid in $TUN_PID $PEER_PID; do
        kill -0 "$pid" 2>/dev/null && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
    done
    relay_down
    rm -f "$RELAY_STATS"
    if [ -n "${TCPFSM_RELAY_KEEP:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

relay_up "$RELAY_BIN" "tcpfsm-rt-$$" --seed 13 --both delay_ms=10,rate_mbit=50,queue_bdp=1,loss=0.01 ||
    { echo "FAIL: relay setup"; exit 1; }
relay_add_hosts || { echo "FAIL: the routed hosts behind the relay"; exit 1; }
if [ "$FAMILY" = 6 ]; then kaddr=fd77::1; taddr=fd77:1::2; else kaddr=10.77.0.1; taddr=10.77.1.2; fi

head -c "$OCTETS" /dev/urandom >"$WORK/data" || { echo "FAIL: cannot make the data file"; exit 1; }
want=$(sha256sum <"$WORK/data" | cut -c1-64)

failed=0
fail() { echo "FAIL: $name: $*"; failed=1; }
dump() {
    echo "----- tcpfsm_tun (last 30 lines) -----"; tail -n 30 "$WORK/tun.log"
    echo "----- kernel_peer -----"; cat "$WORK/peer.log"
    echo "----- ss -tin in the kernel's namespace at the end -----"; cat "$WORK/ss.txt"
}

if [ "$WAY" = to_kernel ]; then peer_op=receive; peer_file="$WORK/got"; else peer_op=send; peer_file="$WORK/data"; fi
# The kernel's congestion control: CUBIC (Linux's default) where it is available, whatever the
# machine's default (bbr on some hosts), so that the kernel here and in CI behaves alike.
cc_args=()
grep -qw cubic /proc/sys/net/ipv4/tcp_available_congestion_control 2>/dev/null && cc_args=(--cc cubic)
ip netns exec "$NS_A" python3 "$here/kernel_peer.py" server "$kaddr" 5001 "$peer_op" "$peer_file" \
    --timeout 90 "${cc_args[@]}" --ready-file "$WORK/ready" >"$WORK/peer.log" 2>&1 &
PEER_PID=$!
for _ in $(seq 1 100); do [ -s "$WORK/ready" ] && break; sleep 0.05; done
[ -s "$WORK/ready" ] || { fail "the kernel's server did not start"; dump; exit 1; }

start=$(date +%s%N)
if [ "$WAY" = to_kernel ]; then
    tun_args=(--in "$WORK/data" --exit-at-time-wait)
else
    tun_args=(--out "$WORK/got" --close-when peer-fin)
fi
ip netns exec "$NS_B" "$TUN_BIN" --dev tun0 --mode client --local "$taddr" --remote "$kaddr" --rport 5001 \
    --deadline-ms 90000 ${TCPFSM_RELAY_TRACE:+--trace} "${tun_args[@]}" >"$WORK/tun.log" 2>&1 &
TUN_PID=$!
wait "$TUN_PID"; tun_status=$?; TUN_PID=""
ip netns exec "$NS_A" ss -tin >"$WORK/ss.txt" 2>&1
# The kernel's MIB counters in its namespace (absolute, zeros included; the history file is
# neither read nor updated).
ip netns exec "$NS_A" nstat -asz >"$WORK/nstat.txt" 2>&1
wait "$PEER_PID"; peer_status=$?; PEER_PID=""
ms=$((($(date +%s%N) - start) / 1000000))
tun0=$(for k in tx_packets tx_dropped rx_packets rx_dropped; do  # tx: the kernel's writes to tcpfsm_tun
    printf '%s=%s ' "$k" "$(ip netns exec "$NS_B" cat /sys/class/net/tun0/statistics/$k 2>/dev/null)"; done)
sleep 0.3  # the last segments drain through the relay before its books are read
relay_down
cat "$RELAY_STATS"

[ "$tun_status" -eq 0 ] || fail "tcpfsm_tun exited with status $tun_status"
[ "$peer_status" -eq 0 ] || fail "kernel_peer exited with status $peer_status"
transfer() { sed -nE "s/^TRANSFER .*$1=([^ ]+) .*/\\1/p" "$WORK/tun.log" | head -n 1; }
result() { sed -nE "s/^RESULT .*$1=([^ ]+).*/\\1/p" "$WORK/peer.log" | head -n 1; }
check() {  # check WHAT GOT WANT
    if [ "$2" = "$3" ]; then echo "$name: $1 ok"; else fail "$1: got ${2:-nothing}, expected $3"; fi
}
if [ "$WAY" = to_kernel ]; then
    check "the kernel's received octets" "$(result octets)" "$OCTETS"
    check "the kernel's received SHA-256 (hashlib)" "$(result sha256)" "$want"
    check "the file the kernel wrote (sha256sum)" "$(sha256sum <"$WORK/got" 2>/dev/null | cut -c1-64)" "$want"
    check "tcpfsm's sent octets" "$(transfer sent)" "$OCTETS"
    check "tcpfsm's sent SHA-256" "$(transfer sent_sha256)" "$want"
    data_dir=b2a
else
    check "the kernel's sent octets" "$(result octets)" "$OCTETS"
    check "the file tcpfsm wrote (sha256sum)" "$(sha256sum <"$WORK/got" 2>/dev/null | cut -c1-64)" "$want"
    check "tcpfsm's received octets" "$(transfer received)" "$OCTETS"
    check "tcpfsm's received SHA-256" "$(transfer received_sha256)" "$want"
    data_dir=a2b
fi
for d in a2b b2a; do
    received=$(relay_counter $d received); delivered=$(relay_counter $d delivered)
    lost=$(( $(relay_counter $d lost_random) + $(relay_counter $d lost_burst) + $(relay_counter $d lost_aimed) ))
    drops=$(relay_counter $d queue_drops); duplicated=$(relay_counter $d duplicated)
    in_flight=$(relay_counter $d in_flight)  # still in the delay line when the relay stopped
    unwritten=$(relay_counter $d write_failed)  # due, but the device refused it (not yet up)
    if [ $((received + duplicated)) -ne $((delivered + unwritten + lost + drops + in_flight)) ]; then
        fail "$d books: received $received + duplicated $duplicated != delivered $delivered + not written $unwritten + lost $lost + dropped $drops + in flight $in_flight"
    fi
done
[ "$(relay_counter $data_dir lost_random)" -gt 0 ] || fail "the relay lost no data packet: the path was not lossy"

if [ "$CHECK_SACK" = sack ]; then
    syn_out=$(grep -m1 -E '^SYN-OUT ' "$WORK/tun.log")
    syn_in=$(grep -m1 -E '^SYN-IN ' "$WORK/tun.log")
    if ! echo "$syn_out" | grep -q ' sackOK'; then
        if [ "${TCPFSM_REQUIRE_SACK_TS:-1}" = 1 ]; then
            fail "tcpfsm's SYN carries no SACK-permitted (TCPFSM_REQUIRE_SACK_TS=1): $syn_out"
        else
            echo "SKIP: $name: tcpfsm's configuration offers no SACK-permitted: $syn_out"; exit 77
        fi
    fi
    echo "$syn_in" | grep -q ' sackOK' || fail "the kernel's SYN,ACK carries no SACK-permitted: $syn_in"
    options() { sed -nE "s/^OPTIONS .*$1=([0-9]+).*/\1/p" "$WORK/tun.log" | head -n 1; }
    echo "$name: tcpfsm: $(grep -E '^OPTIONS' "$WORK/tun.log")"
    if [ "$WAY" = from_kernel ]; then
        kernel_counter() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/nstat.txt"; }
        sack_recovery=$(kernel_counter TcpExtTCPSackRecovery)
        reno_recovery=$(kernel_counter TcpExtTCPRenoRecovery)
        echo "$name: kernel sender: TCPSackRecovery=${sack_recovery:-?} TCPRenoRecovery=${reno_recovery:-?}"
        [ "$(options sack_blocks_out)" -gt 0 ] 2>/dev/null || fail "tcpfsm sent no SACK block"
        [ "${sack_recovery:-0}" -gt 0 ] || fail "the kernel sender never recovered by SACK (TCPSackRecovery ${sack_recovery:-?})"
        [ "${reno_recovery:-1}" -eq 0 ] || fail "the kernel sender recovered by NewReno (TCPRenoRecovery ${reno_recovery:-?})"
    else
        [ "$(options sack_blocks_in)" -gt 0 ] 2>/dev/null || fail "no SACK block from the kernel reached tcpfsm"
        [ "$(transfer retransmitted)" -gt 0 ] 2>/dev/null || fail "tcpfsm retransmitted nothing"
    fi
fi

echo "$name: tcpfsm: $(grep -E '^(TRANSFER|EXIT)' "$WORK/tun.log" | sed -E 's/sha256=[0-9a-f]{64}/sha256=.../g' | tr '\n' ' ')"
echo "$name: kernel: $(cat "$WORK/peer.log")"
echo "$name: tun0: $tun0"
echo "$name: $OCTETS octets in $ms ms (tcpfsm_tun started to both ends done)"
if [ $failed -ne 0 ]; then dump; exit 1; fi
echo "PASS: $name: $OCTETS octets intact through 1% loss each way (IPv$FAMILY)"
