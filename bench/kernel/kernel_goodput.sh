#!/usr/bin/env bash
# Goodput against the Linux kernel over an impaired path (bench/README.md, part 5): tcpfsm ->
# kernel, kernel -> tcpfsm and kernel -> kernel through tcpfsm_relay (tools/relay), the same
# relay and the same hop for every pair, interleaved in each repetition.
#
#   kernel_goodput.sh --relay TCPFSM_RELAY --tun TCPFSM_TUN --lines OUT.jsonl [options]
#     --rtts "2 20"      round-trip propagation delays in ms (half each way)
#     --losses "0 1"     random loss in percent, in each direction (data and ACKs)
#     --rate 100         the bottleneck in Mbit/s, each direction, with a one-BDP drop-tail queue
#     --runs 5           repetitions per cell (bench/tools/render_kernel.py reports the median)
#     --kernel-ccs cubic the kernel senders' congestion controls (TCP_CONGESTION per socket,
#                        kernel_peer.py --cc), each measured; one not available is left out.
#                        "cubic bbr" measures BBR as well, but see below: not the default.
#     --octets 10000000  per transfer
#     --tcpfsm-receive-buffer N  tcpfsm_tun's RCV.BUFF (default: tcp_rmem's maximum, the kernel receiver's)
#     --quick            one cell (RTT 20 ms, 1% loss, 50 Mbit/s), 1 MB, one run, cubic: the smoke test
#     --render OUT_DIR   then bench/tools/render_kernel.py: OUT_DIR/kernel.md, OUT_DIR/raw/kernel.json
#     --label TEXT       a line for kernel.md
#     --require          with CI=true, a missing root or /dev/net/tun is a failure, not a skip
#
# The path (test/relay/relay_lib.sh, relay_add_hosts): the kernel's server (kernel_peer.py)
# in namespace -a; the relay; namespace -b forwarding to tcpfsm_tun (client mode, on tun0) or,
# over a veth pair, to a kernel client (kernel_peer.py) in namespace -c. In each repetition,
# each on a new connection (CC: each of --kernel-ccs, the kernel sender's):
#   tcpfsm_to_kernel          tcpfsm_tun --in FILE (its default profile: CUBIC) -> kernel server receives
#   kernel_to_kernel_up CC    kernel client sends        -> kernel server receives
#   kernel_to_tcpfsm CC       kernel server sends        -> tcpfsm_tun --out (closes after the FIN)
#   kernel_to_kernel_down CC  kernel server sends        -> kernel client receives
# Every time is the kernel server's (kernel_peer.py: from accept() to the peer's FIN), so the
# two "up" and the two "down" transfers are timed alike. Every transfer's SHA-256 is checked
# (a transfer that does not arrive intact is recorded as failed and the script exits 1).
# Writes one JSON object per line: {"type":"transfer",...} and, per cell, {"type":"relay",...}.
# Exit status 77 (with a message) without root, /dev/net/tun or iproute2.
#
# Why the default is CUBIC only: before tcpfsm negotiated SACK, a kernel BBR sender to
# tcpfsm_tun (receive buffer at tcp_rmem's maximum, 32 MB here) stalled: the relay's one-BDP
# queue lost some of its retransmissions, which the kernel found only by doubling timeouts
# (10 MB in 77 s; bench/results/kernel_notes.md). With SACK (2026-12-06) it takes 0.85 s at
# 2 ms, as kernel -> kernel, but BBR with loss has not been measured; pass
# --kernel-ccs "cubic bbr" to measure it.
# SPDX-License-Identifier: MIT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
relay="" tun="" lines="" rtts="2 20" losses="0 1" rate=100 runs=5 octets=10000000 ccs="cubic"
# tcpfsm_tun's receive buffer (RCV.BUFF; the window is scaled above 65,535): by default the
# largest receive buffer the kernel's own receiver may autotune to (tcp_rmem's third field), so
# both receivers may open the same window.
rcvbuf=$(awk '{print $3}' /proc/sys/net/ipv4/tcp_rmem 2>/dev/null || echo 6291456)
render="" label="" require=0 command="bench/kernel/kernel_goodput.sh $*"
while [ $# -gt 0 ]; do
    case "$1" in
        --relay) relay=$2; shift 2 ;;
        --tun) tun=$2; shift 2 ;;
        --lines) lines=$2; shift 2 ;;
        --rtts) rtts=$2; shift 2 ;;
        --losses) losses=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --octets) octets=$2; shift 2 ;;
        --kernel-ccs) ccs=$2; shift 2 ;;
        --tcpfsm-receive-buffer) rcvbuf=$2; shift 2 ;;
        --quick) rtts=20; losses=1; rate=50; runs=1; octets=1000000; ccs=cubic; shift ;;
        --render) render=$2; shift 2 ;;
        --label) label=$2; shift 2 ;;
        --require) require=1; shift ;;
        *) echo "kernel_goodput.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
command=${command//$root\//}  # paths in the tree, relative to it
if [ -z "$relay" ] || [ -z "$tun" ] || [ -z "$lines" ]; then
    echo "usage: kernel_goodput.sh --relay BIN --tun BIN --lines OUT.jsonl [...]" >&2
    exit 2
fi

skip() {
    if [ "$require" = 1 ] && [ "${CI:-}" = "true" ]; then
        echo "FAIL: the kernel goodput benchmark cannot run: $1 (CI=true)"; exit 1
    fi
    echo "SKIP: the kernel goodput benchmark: $1 (it needs root, /dev/net/tun and iproute2)"; exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
command -v ip >/dev/null || skip "no ip (iproute2)"
[ -x "$relay" ] || skip "no $relay"
[ -x "$tun" ] || skip "no $tun"

available=" $(cat /proc/sys/net/ipv4/tcp_available_congestion_control 2>/dev/null) "
kept=""
for cc in $ccs; do
    case "$available" in
        *" $cc "*) kept="$kept $cc" ;;
        *) echo "kernel_goodput: congestion control $cc is not available here (tcp_available_congestion_control:$available): left out" ;;
    esac
done
ccs=${kept# }
[ -n "$ccs" ] || skip "none of the congestion controls asked for is available"

# shellcheck source=../../test/relay/relay_lib.sh
source "$root/test/relay/relay_lib.sh"
peer="$root/test/relay/kernel_peer.py"
WORK=$(mktemp -d /tmp/tcpfsm-kernel-goodput.XXXXXX)
PIDS=""
cleanup() {
    local pid
    for pid in $PIDS; do kill -0 "$pid" 2>/dev/null && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; done
    relay_down
    rm -f "$RELAY_STATS"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

head -c "$octets" /dev/urandom >"$WORK/data"
want=$(sha256sum <"$WORK/data" | cut -c1-64)
mkdir -p "$(dirname "$lines")"
: >"$lines"
failures=0
port=5000

# transfer KIND CC RTT LOSS RUN: one connection; appends its line to $lines.
transfer() {
    local kind=$1 cc=$2 rtt=$3 loss=$4 run=$5 op file client got="" ok=false tun_ms=null retx=null seconds=null
    port=$((port + 1))
    case "$kind" in
        tcpfsm_to_kernel | kernel_to_kernel_up) op=receive; file=- ;;  # hashed, not kept
        *) op=send; file="$WORK/data" ;;
    esac
    rm -f "$WORK/ready" "$WORK/server.log" "$WORK/client.log"
    ip netns exec "$NS_A" python3 "$peer" server 10.77.0.1 "$port" "$op" "$file" --timeout 120 --cc "$cc" \
        --ready-file "$WORK/ready" >"$WORK/server.log" 2>&1 &
    local server_pid=$!
    PIDS="$server_pid"
    for _ in $(seq 1 100); do [ -s "$WORK/ready" ] && break; sleep 0.05; done
    case "$kind" in
        tcpfsm_to_kernel) client=(ip netns exec "$NS_B" "$tun" --dev tun0 --mode client --local 10.77.1.2
                              --remote 10.77.0.1 --rport "$port" --deadline-ms 120000 --quiet
                              --in "$WORK/data" --exit-at-time-wait --receive-buffer "$rcvbuf") ;;
        kernel_to_tcpfsm) client=(ip netns exec "$NS_B" "$tun" --dev tun0 --mode client --local 10.77.1.2
                              --remote 10.77.0.1 --rport "$port" --deadline-ms 120000 --quiet
                              --out /dev/null --close-when peer-fin --receive-buffer "$rcvbuf") ;;
        kernel_to_kernel_up) client=(ip netns exec "$NS_C" python3 "$peer" client 10.77.0.1 "$port" send "$WORK/data" --timeout 120 --cc "$cc") ;;
        kernel_to_kernel_down) client=(ip netns exec "$NS_C" python3 "$peer" client 10.77.0.1 "$port" receive - --timeout 120 --cc "$cc") ;;
    esac
    "${client[@]}" >"$WORK/client.log" 2>&1 &
    local client_pid=$!
    PIDS="$server_pid $client_pid"
    wait "$client_pid"; local client_status=$?
    wait "$server_pid"; local server_status=$?
    PIDS=""
    local server_sha server_octets
    server_sha=$(sed -nE 's/^RESULT .*sha256=([0-9a-f]+).*/\1/p' "$WORK/server.log")
    server_octets=$(sed -nE 's/^RESULT .*octets=([0-9]+).*/\1/p' "$WORK/server.log")
    seconds=$(sed -nE 's/^RESULT .*seconds=([0-9.]+).*/\1/p' "$WORK/server.log")
    case "$kind" in
        tcpfsm_to_kernel | kernel_to_kernel_up) got=$server_sha ;;
        kernel_to_tcpfsm) got=$(sed -nE 's/^TRANSFER .*received_sha256=([0-9a-f]+).*/\1/p' "$WORK/client.log") ;;
        kernel_to_kernel_down) got=$(sed -nE 's/^RESULT .*sha256=([0-9a-f]+).*/\1/p' "$WORK/client.log") ;;
    esac
    case "$kind" in
        tcpfsm_*) tun_ms=$(sed -nE 's/^TRANSFER .* ms=([0-9]+) .*/\1/p' "$WORK/client.log")
                  retx=$(sed -nE 's/^TRANSFER .*retransmitted=([0-9]+) .*/\1/p' "$WORK/client.log") ;;
        kernel_to_tcpfsm) tun_ms=$(sed -nE 's/^TRANSFER .* ms=([0-9]+) .*/\1/p' "$WORK/client.log") ;;
    esac
    if [ "$client_status" -eq 0 ] && [ "$server_status" -eq 0 ] && [ "$got" = "$want" ] &&
        [ "$server_octets" = "$octets" ] && [ -n "$seconds" ]; then
        ok=true
    else
        failures=$((failures + 1))
        echo "kernel_goodput: FAILED $kind ($cc) rtt=${rtt}ms loss=${loss}% run=$run (client status $client_status, server status $server_status)" >&2
        tail -n 5 "$WORK/client.log" "$WORK/server.log" >&2
        seconds=null
    fi
    local kernel_cc
    kernel_cc=$(sed -nE 's/^RESULT .* cc=([a-z0-9_]+).*/\1/p' "$WORK/server.log")
    [ "$kind" = tcpfsm_to_kernel ] && cc=""  # the kernel only receives: its congestion control plays no part
    printf '{"type":"transfer","kind":"%s","kernel_cc":"%s","server_cc":"%s","rtt_ms":%s,"loss_percent":%s,"rate_mbit":%s,"run":%d,"octets":%d,"ok":%s,"seconds":%s,"tcpfsm_ms":%s,"tcpfsm_retransmitted":%s,"tcpfsm_receive_buffer":%s,"load":"%s"}\n' \
        "$kind" "$cc" "$kernel_cc" "$rtt" "$loss" "$rate" "$run" "$octets" "$ok" "${seconds:-null}" "${tun_ms:-null}" "${retx:-null}" "$rcvbuf" \
        "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$lines"
    printf 'kernel_goodput: rtt=%sms loss=%s%% run=%d %-22s %-6s %s s\n' "$rtt" "$loss" "$run" "$kind" "$cc" "${seconds:-FAILED}"
}

for rtt in $rtts; do
    for loss in $losses; do
        delay=$(python3 -c "print($rtt / 2)")
        lossfrac=$(python3 -c "print($loss / 100)")
        relay_up "$relay" "tcpfsm-kg-$$" --seed "$((rtt * 100 + ${loss%.*}))" \
            --both "delay_ms=$delay,rate_mbit=$rate,queue_bdp=1,loss=$lossfrac" || { echo "kernel_goodput: relay setup failed" >&2; exit 1; }
        relay_add_hosts || { echo "kernel_goodput: the hosts behind the relay" >&2; exit 1; }
        for run in $(seq 1 "$runs"); do
            first_cc=${ccs%% *}
            transfer tcpfsm_to_kernel "$first_cc" "$rtt" "$loss" "$run"
            for cc in $ccs; do
                for kind in kernel_to_kernel_up kernel_to_tcpfsm kernel_to_kernel_down; do
                    transfer "$kind" "$cc" "$rtt" "$loss" "$run"
                done
            done
        done
        relay_down
        counters=""
        for d in a2b b2a; do
            for k in received lost_random queue_drops max_queue_bytes queue_limit_bytes; do
                counters="$counters\"${d}_$k\":$(relay_counter $d $k),"
            done
        done
        printf '{"type":"relay","rtt_ms":%s,"loss_percent":%s,"rate_mbit":%s,%s"note":"a2b: kernel server to the clients"}\n' \
            "$rtt" "$loss" "$rate" "$counters" >>"$lines"
    done
done
if [ -n "$render" ]; then
    python3 "$root/bench/tools/render_kernel.py" "$lines" "$render" --label "$label" --command "$command" || exit 1
fi
[ "$failures" -eq 0 ] || { echo "kernel_goodput: $failures transfer(s) failed" >&2; exit 1; }
echo "kernel_goodput: done"
