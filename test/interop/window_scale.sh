#!/usr/bin/env bash
# Window scaling (RFC 7323 §2) against the kernel, both ways. tcpfsm_tun listens with a 4 MiB
# receive buffer (--receive-buffer: it offers shift 7, the smallest for which 4 MiB fits
# 65,535 << shift); the kernel connects (its SYN offers the shift of its largest buffer),
# sends 4 MiB, receives 4 MiB, closes. Checked:
#  - both sides say window scaling is in effect: tcpfsm_tun's WSCALE line (STATUS's
#    window_scaling, snd_wscale, rcv_wscale) and the kernel's TCP_INFO (TCPI_OPT_WSCALE);
#  - they agree on the shifts: the kernel's tcpi_snd_wscale is tcpfsm's Rcv.Wind.Shift (7),
#    tcpfsm's Snd.Wind.Shift is the kernel's tcpi_rcv_wscale;
#  - more than 65,535 octets were in flight each way: the kernel's tcpi_unacked *
#    tcpi_snd_mss (sampled every ms), tcpfsm's SND.NXT - SND.UNA (WINDOW max_in_flight);
#  - every octet arrived (RECEIVED ... ok, PEER received ... ok).
source "$(dirname "$0")/lib.sh"
TUN_LOG=""   # events only
TUN_DEADLINE_MS=60000
setup 4

text=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
repeat=65536   # 64 * 65536 = 4 MiB
start_tun --mode server --local "$TADDR" --lport 7100 --receive-buffer 4194304 \
    --send "$text" --send-repeat "$repeat" --expect "$text" --expect-repeat "$repeat" --close-when peer-fin --msl-ms 250
wait_log tun '^STATE CLOSED -> LISTEN' 5
PEER_DEADLINE_MS=30000 start_peer connect "$TADDR" 7100 send "$text" "$repeat" recv "$text" "$repeat" info \
    shutdown wait-state CLOSE close
wait_exit peer 40
wait_exit tun 10

expect_line tun '^RECEIVED n=4194304 ok'
expect_line peer '^PEER received n=4194304 ok'
expect_line tun '^WSCALE on=1 snd=[0-9]+ rcv=7 '
expect_line peer '^PEER-INFO wscale=1 snd_wscale=7 '
tun_snd=$(sed -nE 's/^WSCALE on=1 snd=([0-9]+) .*/\1/p' "$WORK/tun.log" | head -n 1)
kernel_rcv=$(sed -nE 's/^PEER-INFO .* rcv_wscale=([0-9]+) .*/\1/p' "$WORK/peer.log" | head -n 1)
[ -n "$tun_snd" ] && [ "$tun_snd" = "$kernel_rcv" ] ||
    fail "tcpfsm's Snd.Wind.Shift ${tun_snd:-?} is not the kernel's tcpi_rcv_wscale ${kernel_rcv:-?}"
note "shifts: kernel -> tcpfsm windows << $tun_snd, tcpfsm -> kernel windows << 7"
kernel_flight=$(sed -nE 's/^PEER-INFO .* max_in_flight=([0-9]+) .*/\1/p' "$WORK/peer.log" | head -n 1)
tun_flight=$(sed -nE 's/^WINDOW max_in_flight=([0-9]+) .*/\1/p' "$WORK/tun.log" | head -n 1)
[ "${kernel_flight:-0}" -gt 65535 ] || fail "the kernel had at most ${kernel_flight:-0} octets in flight"
[ "${tun_flight:-0}" -gt 65535 ] || fail "tcpfsm had at most ${tun_flight:-0} octets in flight"
note "most in flight: kernel $kernel_flight octets, tcpfsm $tun_flight octets"
summary
