#!/usr/bin/env bash
# Scenario 6: simultaneous close (RFC 9293 Figure 13). After the data, tcpfsm holds (does
# not read tun0); the kernel shuts down (FIN-WAIT-1, checked with ss); tcpfsm then closes
# before reading the kernel's FIN, so the FINs cross: the kernel goes to CLOSING (checked
# with ss while tcpfsm holds in FIN-WAIT-1); then tcpfsm reads the kernel's FIN (CLOSING)
# and the ACK of its own (TIME-WAIT); the kernel ends in TIME-WAIT too.
source "$(dirname "$0")/lib.sh"
setup 4

start_peer listen "$KADDR" 6000 accept recv hello 1 send world 1 wait "$WORK/go-fin" shutdown \
    wait-state CLOSE close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --send hello --expect world \
    --msl-ms 250 --hold "received=$WORK/go-close" --hold "FIN-WAIT-1=$WORK/go-read"

wait_log tun '^HOLD point=received' 10
touch "$WORK/go-fin"
ss_expect fin-wait-1 5
touch "$WORK/go-close"
wait_log tun '^HOLD point=FIN-WAIT-1' 5
ss_expect closing 5
touch "$WORK/go-read"
wait_exit tun 10
wait_exit peer 5
ss_expect time-wait 5

expect_path tun "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 CLOSING TIME-WAIT CLOSED"
expect_path peer "ESTAB FIN-WAIT-1 CLOSING CLOSE"
summary
