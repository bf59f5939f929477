#!/usr/bin/env bash
# Scenarios 1 and 10: tcpfsm connects, the kernel accepts; data both ways (3000 octets each
# way: the kernel's listener advertises MSS 1000, which our segments must honour); meanwhile
# the kernel sends a SYN to another port of tcpfsm's address, which tcpfsm ignores (not its
# four-tuple); tcpfsm closes first. Ours: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED after 2MSL. The
# kernel's socket passes CLOSE-WAIT and LAST-ACK, both checked with ss: the peer program
# waits for a file before its shutdown (given once the kernel's delayed ACK of our FIN has
# taken us to FIN-WAIT-2), and tcpfsm holds (does not read tun0) in
# FIN-WAIT-2 until another file exists, so the kernel stays in LAST-ACK until ss saw it.
# Usage: client_closes_first.sh TCPFSM_TUN INTEROP_PEER 4|6
source "$(dirname "$0")/lib.sh"
family=${1:-4}
SCENARIO="client_closes_first_ipv$family"
setup "$family"

start_peer maxseg 1000 listen "$KADDR" 6000 accept recv hello 600 send world 600 eof \
    wait "$WORK/go-close" shutdown wait-state CLOSE close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 \
    --send hello --send-repeat 600 --expect world --expect-repeat 600 --msl-ms 250 \
    --hold "FIN-WAIT-2=$WORK/go-ack"
wait_log tun '^READY' 5
stray_syn 7999

wait_log peer '^PEER eof' 10
ss_expect close-wait 5
# Linux delays the ACK of our FIN (delayed-ACK mode after the exchange): wait for it, or its
# FIN would carry it and we would go from FIN-WAIT-1 straight to TIME-WAIT.
wait_log tun '^HOLD point=FIN-WAIT-2' 5
touch "$WORK/go-close"
ss_expect last-ack 5
touch "$WORK/go-ack"
wait_exit tun 10
wait_exit peer 5

expect_path tun "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED"
expect_path peer "ESTAB CLOSE-WAIT LAST-ACK CLOSE"
expect_line tun '^SEG-IN flags=SA .* mss=1000 '
# The text of a full segment is the kernel's MSS 1000, less the 12 octets of timestamps when
# the SYN,ACK carried them (RFC 6691; the kernel's own segments are as long).
if grep -qE '^SEG-IN flags=SA .* ts=' "$WORK/tun.log"; then full=988; else full=1000; fi
[ "$(max_len SEG-OUT)" -eq "$full" ] || fail "largest segment we sent: $(max_len SEG-OUT) octets, the kernel's MSS is 1000 ($full of text)"
ours=$(sed -nE 's/^START .* mss=([0-9]+) .*/\1/p' "$WORK/tun.log")
[ "$(max_len SEG-IN)" -le "$ours" ] || fail "the kernel sent $(max_len SEG-IN) octets, our MSS is $ours"
expect_line tun '^RECEIVED n=3000 ok'
if [ "$family" = 6 ]; then stray="\\[$TADDR\\]:7999"; else stray="$TADDR:7999"; fi
expect_line tun "^IGNORED reason=other-tuple .* -> $stray flags=S "
# TIME-WAIT lasted 2MSL = 500 ms.
tw=$(( $(time_of tun '^STATE TIME-WAIT -> CLOSED') - $(time_of tun '^STATE FIN-WAIT-2 -> TIME-WAIT') ))
[ "$tw" -ge 490 ] && [ "$tw" -le 1500 ] || fail "TIME-WAIT lasted $tw ms, 2MSL is 500 ms"
note "largest segment sent $(max_len SEG-OUT) (kernel MSS 1000, $full of text), received $(max_len SEG-IN) (our MSS $ours); TIME-WAIT $tw ms"
summary
