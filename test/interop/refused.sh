#!/usr/bin/env bash
# Scenario 3: tcpfsm connects to a port nobody listens on; the kernel answers the SYN with
# <RST,ACK> and tcpfsm reports "connection refused" (RFC 9293 §3.10.7.3): SYN-SENT -> CLOSED.
source "$(dirname "$0")/lib.sh"
setup 4

ss_none listening
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6001 --deadline-ms 10000
wait_exit tun 10

expect_path tun "CLOSED SYN-SENT CLOSED"
expect_line tun '^SEG-IN flags=RA '
expect_line tun '^SIGNAL refused state=CLOSED'
expect_line tun '^STATE SYN-SENT -> CLOSED event=rcv_rst '
ss_none established
summary
