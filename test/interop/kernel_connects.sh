#!/usr/bin/env bash
# Scenario 4: tcpfsm listens, the kernel connects: LISTEN -> SYN-RECEIVED -> ESTABLISHED;
# data both ways; the kernel closes first, tcpfsm closes on its FIN (CLOSE-WAIT ->
# LAST-ACK -> CLOSED), the kernel ends in TIME-WAIT. tcpfsm holds in LISTEN (does not read
# tun0) until ss has seen the kernel's socket in SYN-SENT.
source "$(dirname "$0")/lib.sh"
setup 4

start_tun --mode server --local "$TADDR" --lport 7000 --send world --expect hello --close-when peer-fin \
    --msl-ms 250 --hold "LISTEN=$WORK/go-syn"
wait_log tun '^HOLD point=LISTEN' 5
start_peer connect "$TADDR" 7000 send hello 1 recv world 1 shutdown wait-state CLOSE close
ss_expect syn-sent 5
touch "$WORK/go-syn"
wait_exit tun 10
wait_exit peer 5
ss_expect time-wait 5

expect_path tun "CLOSED LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"
# FIN-WAIT-1 and FIN-WAIT-2 last as long as our answer takes: maybe not seen by TCP_INFO.
expect_subpath peer "SYN-SENT ESTAB CLOSE"
expect_line tun '^STATE LISTEN -> SYN-RECEIVED event=rcv_syn '
expect_line tun '^SIGNAL accepted'
expect_line tun '^RECEIVED n=5 ok'
summary
