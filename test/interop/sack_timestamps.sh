#!/usr/bin/env bash
# SACK-permitted (RFC 2018 §2) and timestamps (RFC 7323 §3.2) negotiated with the kernel:
#   sack_timestamps.sh TCPFSM_TUN INTEROP_PEER kernel_connects|tcpfsm_connects FAMILY on|off
# The kernel connects to tcpfsm_tun (server) or tcpfsm_tun connects to the kernel (client);
# with "off" the namespace's net.ipv4.tcp_sack and tcp_timestamps are 0 (they hold for IPv6
# too), so the kernel offers neither. 256 KiB go each way. What each side offered is read
# from the SYNs on the wire (tcpfsm_tun --trace: SEG-IN / SEG-OUT show sackOK and ts=), so
# the test checks what the engine's configuration offers, whatever that is, and requires that
# tcpfsm offers both (its defaults, as Linux's) unless TCPFSM_REQUIRE_SACK_TS=0. Checked:
#  - the kernel's SYN carries both options exactly when its sysctls say so; its SYN,ACK
#    carries one exactly when its sysctl allows and tcpfsm's SYN carried it;
#  - tcpfsm's SYN,ACK carries an option only if the kernel's SYN did (RFC 2018 §2, RFC 7323
#    §3.2);
#  - the kernel's TCP_INFO (tcpi_options TCPI_OPT_SACK, TCPI_OPT_TIMESTAMPS) says an option
#    is in effect exactly when both SYNs carried it;
#  - RFC 7323 §3.2: with timestamps negotiated every non-RST segment tcpfsm sends after its
#    SYN carries TSopt, and the kernel's too; without, none does;
#  - RFC 2018 §2: no SACK option from either side unless both SYNs carried SACK-permitted;
#    SACK-permitted on SYNs only;
#  - every octet arrived (RECEIVED ... ok, PEER received ... ok).
source "$(dirname "$0")/lib.sh"
direction=${1:-kernel_connects}
family=${2:-4}
kernel_options=${3:-on}
TUN_DEADLINE_MS=60000
setup "$family"
if [ "$kernel_options" = off ]; then
    nsx sysctl -qw net.ipv4.tcp_sack=0 net.ipv4.tcp_timestamps=0 || fail "sysctl tcp_sack / tcp_timestamps"
fi
note "kernel: tcp_sack=$(nsx sysctl -n net.ipv4.tcp_sack) tcp_timestamps=$(nsx sysctl -n net.ipv4.tcp_timestamps)"

text=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
repeat=4096   # 64 * 4096 = 256 KiB
if [ "$direction" = kernel_connects ]; then
    start_tun --mode server --local "$TADDR" --lport 7200 --receive-buffer 1048576 \
        --send "$text" --send-repeat "$repeat" --expect "$text" --expect-repeat "$repeat" \
        --close-when peer-fin --msl-ms 250
    wait_log tun '^STATE CLOSED -> LISTEN' 5
    PEER_DEADLINE_MS=30000 start_peer connect "$TADDR" 7200 send "$text" "$repeat" recv "$text" "$repeat" info \
        shutdown wait-state CLOSE close
    kernel_syn='^SEG-IN flags=S '
    tun_syn='^SEG-OUT flags=SA '
else
    PEER_DEADLINE_MS=30000 start_peer listen "$KADDR" 7200 accept recv "$text" "$repeat" send "$text" "$repeat" \
        info shutdown wait-state CLOSE close
    wait_log peer 'PEER listening' 5
    start_tun --mode client --local "$TADDR" --remote "$KADDR" --rport 7200 --receive-buffer 1048576 \
        --send "$text" --send-repeat "$repeat" --expect "$text" --expect-repeat "$repeat" \
        --close-when peer-fin --msl-ms 250
    kernel_syn='^SEG-IN flags=SA '
    tun_syn='^SEG-OUT flags=S '
fi
wait_exit peer 40
wait_exit tun 10

expect_line tun '^RECEIVED n=262144 ok'
expect_line peer '^PEER received n=262144 ok'

# has REGEX_OF_THE_SYN OPTION_REGEX: 1 when the first such line carries the option.
has() {
    local line
    line=$(grep -m1 -E -- "$1" "$WORK/tun.log") || fail "no line /$1/ in the tun log"
    if echo "$line" | grep -qE -- "$2"; then echo 1; else echo 0; fi
}
k_sack=$(has "$kernel_syn" ' sackOK')
k_ts=$(has "$kernel_syn" ' ts=')
t_sack=$(has "$tun_syn" ' sackOK')
t_ts=$(has "$tun_syn" ' ts=')
note "SYNs: kernel sackOK=$k_sack ts=$k_ts, tcpfsm sackOK=$t_sack ts=$t_ts"

want=1
[ "$kernel_options" = off ] && want=0
if [ "$direction" = kernel_connects ]; then
    [ "$k_sack" = "$want" ] && [ "$k_ts" = "$want" ] ||
        fail "the kernel's SYN carries sackOK=$k_sack ts=$k_ts, its sysctls say $want"
    [ "$t_sack" -le "$k_sack" ] || fail "tcpfsm's SYN,ACK carries SACK-permitted, the kernel's SYN did not (RFC 2018 §2)"
    [ "$t_ts" -le "$k_ts" ] || fail "tcpfsm's SYN,ACK carries timestamps, the kernel's SYN did not (RFC 7323 §3.2)"
else
    # The kernel's SYN,ACK carries an option when its sysctl allows and our SYN carried it.
    [ "$k_sack" = $((want && t_sack)) ] && [ "$k_ts" = $((want && t_ts)) ] ||
        fail "the kernel's SYN,ACK carries sackOK=$k_sack ts=$k_ts; sysctls $want, tcpfsm's SYN sackOK=$t_sack ts=$t_ts"
fi
if [ "${TCPFSM_REQUIRE_SACK_TS:-1}" = 1 ] && { [ "$direction" = tcpfsm_connects ] || [ "$want" = 1 ]; }; then
    [ "$t_sack" = 1 ] && [ "$t_ts" = 1 ] || fail "tcpfsm offered sackOK=$t_sack ts=$t_ts (TCPFSM_REQUIRE_SACK_TS=1)"
fi
sack_on=$((k_sack && t_sack))
ts_on=$((k_ts && t_ts))
note "negotiated: sack=$sack_on timestamps=$ts_on"

info=$(grep -m1 -E '^PEER-INFO ' "$WORK/peer.log") || fail "no PEER-INFO line"
kernel_sack=$(echo "$info" | sed -nE 's/.* sack=([01]) .*/\1/p')
kernel_ts=$(echo "$info" | sed -nE 's/.* ts=([01]) .*/\1/p')
[ "$kernel_sack" = "$sack_on" ] || fail "the kernel's TCP_INFO says sack=${kernel_sack:-?}, the SYNs say $sack_on"
[ "$kernel_ts" = "$ts_on" ] || fail "the kernel's TCP_INFO says ts=${kernel_ts:-?}, the SYNs say $ts_on"

# Segments after the SYNs: without S and R.
after_syn() { awk -v kind="$1" '$1 == kind && $2 !~ /S/ && $2 !~ /R/' "$WORK/tun.log"; }
for kind in SEG-OUT SEG-IN; do
    total=$(after_syn "$kind" | wc -l)
    with_ts=$(after_syn "$kind" | grep -c ' ts=')
    with_sack_ok=$(after_syn "$kind" | grep -c ' sackOK')
    with_blocks=$(grep -E "^$kind " "$WORK/tun.log" | grep -cE ' d?sack=')
    note "$kind: $total segments after the SYNs, $with_ts with timestamps, $with_blocks with SACK blocks"
    [ "$total" -gt 0 ] || fail "no $kind segment after the SYNs"
    if [ "$ts_on" = 1 ]; then
        [ "$with_ts" = "$total" ] || fail "$kind: $((total - with_ts)) of $total segments without TSopt (RFC 7323 §3.2 MUST)"
    else
        [ "$with_ts" = 0 ] || fail "$kind: $with_ts segments with TSopt, which was not negotiated (RFC 7323 §3.2)"
    fi
    [ "$with_sack_ok" = 0 ] || fail "$kind: SACK-permitted on $with_sack_ok segments without SYN (RFC 2018 §2)"
    [ "$sack_on" = 1 ] || [ "$with_blocks" = 0 ] || fail "$kind: $with_blocks segments with SACK blocks, SACK not negotiated"
done
summary
