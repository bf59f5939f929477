#!/usr/bin/env bash
# Scenario 9: keepalive (RFC 9293 §3.8.4). tcpfsm with keepalive idle 1000 ms, interval
# 400 ms, 3 probes keeps an idle connection: each probe <SEQ=SND.NXT-1><ACK> is answered
# by the kernel. Then tun0 goes down (its writes fail with EIO, which tcpfsm logs and
# survives); the probes go unanswered and tcpfsm gives up: timed_out, CLOSED, 1000 + 3 * 400
# = 2200 ms after the last segment it received.
source "$(dirname "$0")/lib.sh"
setup 4

start_peer listen "$KADDR" 6000 accept recv hello 1 send world 1 wait "$WORK/go-end" close
wait_log peer 'PEER listening' 5
start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 6000 --send hello --expect world \
    --close-when never --keepalive 1000:400:3

# Three probes, each answered.
end=$((SECONDS + 15))
for (( ; ; )); do
    answered=$(awk '$1 == "ROW" && $3 == "timeout_keepalive" { p = 1; next }
                    $1 == "SEG-IN" && p { n++; p = 0 } END { print n + 0 }' "$WORK/tun.log")
    [ "$answered" -ge 3 ] && break
    [ $SECONDS -ge $end ] && fail "keepalive probes answered: $answered, expected 3"
    sleep 0.05
done
ss_expect established 2
expect_path tun "CLOSED SYN-SENT ESTABLISHED"
nsx ip link set tun0 down || fail "ip link set tun0 down"
note "tun0 down after $answered answered probes"
wait_exit tun 10
touch "$WORK/go-end"
wait_exit peer 5

expect_path tun "CLOSED SYN-SENT ESTABLISHED CLOSED"
expect_line tun '^ROW ESTABLISHED timeout_keepalive_exhausted -> CLOSED'
expect_line tun '^SIGNAL timed_out'
expect_line tun '^WRITE-ERROR EIO'
last_in=$(time_of_last tun '^SEG-IN ')
closed=$(time_of tun '^STATE ESTABLISHED -> CLOSED')
gave_up=$((closed - last_in))
[ "$gave_up" -ge 2150 ] && [ "$gave_up" -le 3200 ] || fail "gave up $gave_up ms after the last segment, expected 2200"
unanswered=$(awk '$1 == "SEG-IN" { n = 0 } $1 == "ROW" && $3 == "timeout_keepalive" { n++ } END { print n + 0 }' "$WORK/tun.log")
[ "$unanswered" -eq 3 ] || fail "$unanswered unanswered probes, expected 3"
note "probes answered: $answered; after tun0 down: $unanswered probes, $(count_log tun '^WRITE-ERROR EIO') writes failed with EIO; gave up $gave_up ms after the last segment (expected 2200)"
summary
