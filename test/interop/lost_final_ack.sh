#!/usr/bin/env bash
# Scenario 7: lost final ACK. tcpfsm closes first; the kernel closes on our FIN; tcpfsm
# drops its own ACK of the kernel's FIN once (--drop-last-ack). The kernel stays in
# LAST-ACK and retransmits its FIN after its RTO; tcpfsm in TIME-WAIT ACKs it again and
# restarts the 2MSL timer (RFC 9293 §3.10.7.4 eighth step: "TIME-WAIT STATE: Remain in the
# TIME-WAIT state. Restart the 2 MSL time-out."). MSL 500 ms: TIME-WAIT 1 s after the re-ACK.
source "$(dirname "$0")/lib.sh"
setup 4

start_peer listen "$KADDR" 6000 accept recv hello 1 send world 1 eof shutdown wait-state CLOSE close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --send hello --expect world \
    --msl-ms 500 --drop-last-ack
wait_exit tun 10
wait_exit peer 5

expect_subpath tun "CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 TIME-WAIT CLOSED"
expect_path peer "ESTAB CLOSE-WAIT LAST-ACK CLOSE"
expect_line tun '^DROP-OUT flags=A '
fins=$(count_log tun '^SEG-IN flags=FP?A ')
[ "$fins" -ge 2 ] || fail "the kernel's FIN arrived $fins times, expected a retransmission"
expect_line tun '^ROW TIME-WAIT rcv_fin -> TIME-WAIT '
entered=$(time_of tun '^STATE [A-Z0-9-]+ -> TIME-WAIT')
reack=$(time_of_last tun '^ROW TIME-WAIT rcv_fin -> TIME-WAIT')
closed=$(time_of tun '^STATE TIME-WAIT -> CLOSED')
# The re-ACK went out (a pure ACK after the retransmitted FIN) and 2MSL ran from it.
[ "$(awk -v t="$reack" '$1 == "SEG-OUT" && $2 == "flags=A" { split($NF, a, "="); if (a[2] + 0 >= t + 0) n++ } END { print n + 0 }' "$WORK/tun.log")" -ge 1 ] \
    || fail "no ACK sent after the retransmitted FIN"
since_reack=$((closed - reack))
in_tw=$((closed - entered))
[ "$since_reack" -ge 990 ] && [ "$since_reack" -le 1600 ] || fail "CLOSED $since_reack ms after the re-ACK, 2MSL is 1000 ms"
# Restarted, TIME-WAIT lasts about 2MSL plus the time to the retransmitted FIN; not restarted,
# about 2MSL. The log's times are whole milliseconds, so the same 10 ms of slack as above (a
# run logged the re-ACK at 212 and CLOSED at 1211: 999 ms, a restart).
[ "$in_tw" -ge $((990 + reack - entered)) ] || fail "TIME-WAIT did not restart: $in_tw ms in all"
kernel_lastack=$(( $(time_of peer 'PEER-STATE LAST-ACK -> CLOSE') - $(time_of peer 'PEER-STATE [A-Z-]+ -> LAST-ACK') ))
note "kernel FIN retransmitted $((reack - entered)) ms after our TIME-WAIT began; TIME-WAIT $in_tw ms in all, $since_reack ms after the re-ACK; kernel in LAST-ACK $kernel_lastack ms"
summary
