#!/usr/bin/env bash
# Scenario 2: tcpfsm connects, data both ways, the kernel closes first. Ours: CLOSE-WAIT ->
# LAST-ACK -> CLOSED; the kernel's: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, each checked
# with ss. tcpfsm holds (does not read tun0) once the data is exchanged, so the kernel's FIN
# stays unacknowledged (FIN-WAIT-1), then holds in CLOSE-WAIT before its CLOSE (FIN-WAIT-2).
source "$(dirname "$0")/lib.sh"
setup 4

start_peer listen "$KADDR" 6000 accept recv hello 1 send world 1 wait "$WORK/go-fin" shutdown \
    wait-state CLOSE close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --send hello --expect world \
    --close-when peer-fin --hold "received=$WORK/go-read" --hold "CLOSE-WAIT=$WORK/go-close"

wait_log tun '^HOLD point=received' 10
touch "$WORK/go-fin"
ss_expect fin-wait-1 5
touch "$WORK/go-read"
wait_log tun '^HOLD point=CLOSE-WAIT' 5
ss_expect fin-wait-2 5
touch "$WORK/go-close"
wait_exit tun 10
wait_exit peer 5
ss_expect time-wait 5

expect_path tun "CLOSED SYN-SENT ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED"
expect_path peer "ESTAB FIN-WAIT-1 FIN-WAIT-2 CLOSE"
expect_line tun '^SIGNAL closing state=CLOSE-WAIT'  # signals follow the row's state change
expect_line tun '^SIGNAL closed'
summary
