#!/usr/bin/env bash
# Scenario 5: simultaneous open (RFC 9293 Figure 7). Both sides connect with fixed ports:
# the kernel's socket is bound to KADDR:6000 and connects to TADDR:7000; tcpfsm
# (--mode simultaneous) connects from TADDR:7000 to KADDR:6000. How the SYNs cross:
#   1. the kernel connects first; its SYN reaches tcpfsm, which holds it unprocessed
#      (STASH) and, held at "peer-syn", sends nothing: ss sees the kernel in SYN-SENT;
#   2. tcpfsm's OPEN: our SYN reaches the kernel in SYN-SENT, which goes to SYN-RECV and
#      answers <SYN,ACK>; tcpfsm, held in SYN-SENT, reads nothing: ss sees SYN-RECV;
#   3. tcpfsm feeds the kernel's SYN to the engine (SYN-SENT -> SYN-RECEIVED, our
#      <SYN,ACK>), then the kernel's <SYN,ACK> (-> ESTABLISHED); the kernel gets ours.
# Then data both ways and tcpfsm closes first.
# Only a few octets go each way on purpose: in this crossed-SYN case Linux keeps its own
# window scale (its SYN offered wscale 10) although our SYN carried no Window Scale option
# (RFC 7323 §2.2: scaling needs the option in both SYNs), so its later windows read as about
# 64 octets, and tcpfsm, which takes the field as it is, would crawl on bulk data. The note
# below prints that window.
source "$(dirname "$0")/lib.sh"
setup 4

start_tun --mode simultaneous --local "$TADDR" --lport 7000 --remote "$KADDR" --rport 6000 \
    --send hello --expect world --msl-ms 250 \
    --hold "peer-syn=$WORK/go-open" --hold "SYN-SENT=$WORK/go-syn"
wait_log tun '^READY' 5
start_peer bind "$KADDR" 6000 connect "$TADDR" 7000 send world 1 recv hello 1 eof close
wait_log tun '^HOLD point=peer-syn' 5
ss_expect syn-sent 5
touch "$WORK/go-open"
wait_log tun '^HOLD point=SYN-SENT' 5
ss_expect syn-recv 5
touch "$WORK/go-syn"
wait_exit tun 10
wait_exit peer 5

expect_subpath tun "CLOSED SYN-SENT SYN-RECEIVED ESTABLISHED FIN-WAIT-1 TIME-WAIT CLOSED"
expect_line tun '^STATE SYN-SENT -> SYN-RECEIVED event=rcv_syn '
expect_line tun '^STATE SYN-RECEIVED -> ESTABLISHED '
expect_subpath peer "SYN-SENT SYN-RECV ESTAB"
expect_line tun '^RECEIVED n=5 ok'
note "window in the kernel's first segment after the handshake: $(awk '$1 == "SEG-IN" && $2 == "flags=A" { print $5; exit }' "$WORK/tun.log") (its SYN said $(awk '$1 == "SEG-IN" && $2 == "flags=S" { print $5; exit }' "$WORK/tun.log"))"
summary
