#!/usr/bin/env bash
# A SYN flood against tcpfsm_tun's listener (--mode serve, backlog 4) while real clients
# connect: spoofed SYNs (syn_flood.py, from sources nobody owns) fill the SYN queue, whose
# requests wait for ACKs that never come; every SYN after that is answered with a SYN cookie
# (RFC 4987 §3.6). Eight socat clients of the kernel then connect while the flood goes on:
# each must get its 100,000 octets (checked by sha256sum against `seq` text made here), all
# eight through cookies (the listener's counters: 8 validated, 8 accepted, none failed).
source "$(dirname "$0")/lib.sh"
TUN_LOG=""
require_tools socat python3 sha256sum
setup 4
clients=8
octets=100000
seq 0 "$octets" | head -c "$octets" >"$WORK/want"
want=$(sha "$WORK/want")

start_tun --mode serve --local "$TADDR" --lport 8000 --app source --bytes "$octets" --backlog 4 \
    --connections "$clients"
wait_log tun '^LISTEN ' 5
flood() { start_bg "flood$1" python3 "$(dirname "$0")/syn_flood.py" "$TADDR" 8000 10.77.0. "$2" "$3"; }
flood 1 200 2000
wait_pid "$BG_PID" 10 "the first flood"
wait_log tun '^COOKIES ' 5   # the SYN queue is full: cookies from now on
flood 2 6000 2000            # 3 s more while the clients connect
pids=""
for i in $(seq 1 "$clients"); do
    start_bg "client$i" socat -T 20 -u "TCP:$TADDR:8000" "CREATE:$WORK/got$i"
    pids="$pids $BG_PID"
done
i=0
for pid in $pids; do
    i=$((i + 1))
    wait_pid "$pid" 30 "client $i"
    [ "$(sha "$WORK/got$i")" = "$want" ] || fail "client $i got $(stat -c %s "$WORK/got$i") octets that differ"
done
note "all $clients clients got their $octets octets"
wait_exit tun 10
stats=$(grep '^STATS ' "$WORK/tun.log")
note "$stats"
expect_line tun "^STATS accepted=$clients ended=$clients .* syn_cookies_validated=$clients syn_cookies_failed=0 "
sent=$(sed -nE 's/.* syn_cookies_sent=([0-9]+) .*/\1/p' <<<"$stats")
[ "$sent" -ge 100 ] || fail "only $sent cookies sent: was the SYN queue full?"
echo "PASS: $SCENARIO"
