#!/usr/bin/env bash
# Scenario 8: abort. After the data tcpfsm calls ABORT (--abort): <SEQ=SND.NXT><CTL=RST>
# (RFC 9293 §3.10.5), ESTABLISHED -> CLOSED; the kernel's read fails with ECONNRESET.
source "$(dirname "$0")/lib.sh"
setup 4

start_peer listen "$KADDR" 6000 accept recv hello 1 send world 1 expect-reset close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --send hello --expect world --abort
wait_exit tun 10
wait_exit peer 5

expect_path tun "CLOSED SYN-SENT ESTABLISHED CLOSED"
expect_line tun '^USER abort result=none'
expect_line tun '^SEG-OUT flags=R '
expect_line peer '^PEER read-error ECONNRESET'
expect_path peer "ESTAB CLOSE"
ss_none established
summary
