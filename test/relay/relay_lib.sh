# test/relay/relay_lib.sh: two network namespaces joined by tcpfsm_relay (a user-space
# netem: this kernel has no sch_netem). Sourced by the tests and benchmarks that need an
# impaired path between two hosts.
#
#   relay_up RELAY_BIN PREFIX [relay options...]   namespaces PREFIX-a and PREFIX-b, TUN
#        devices ra0 (10.77.0.1/24, fd77::1/64) in -a and rb0 (10.77.0.2/24, fd77::2/64)
#        in -b, the relay forwarding between them; sets RELAY_PID, RELAY_STATS, NS_A, NS_B
#   relay_down                                     stops the relay (its counters land in
#        $RELAY_STATS) and deletes the namespaces
#   relay_counter DIRECTION KEY                    one counter of the stopped relay
#   relay_add_hosts                                after relay_up: PREFIX-b becomes a router
#        to two hosts one forwarding hop beyond the relay, so that a user-space stack and a
#        kernel stack meet the kernel of -a over the same impaired path:
#          - tun0 in -b (10.77.1.1/24, fd77:1::1/64): a TUN device for a user-space stack
#            (tcpfsm_tun) at 10.77.1.2 / fd77:1::2;
#          - namespace PREFIX-c, joined to -b by a veth pair (vb0 10.77.2.1/24, fd77:2::1/64
#            in -b; vc0 10.77.2.2/24, fd77:2::2/64 in -c): a kernel host; sets NS_C.
#        -a routes 10.77.1.0/24, 10.77.2.0/24, fd77:1::/64 and fd77:2::/64 through -b.
#
# Addresses are those of the test's own hosts inside the namespaces it made.
# shellcheck shell=bash

RELAY_PID=""
NS_A=""
NS_B=""
RELAY_STATS=""
NS_C=""

relay_up() {
    local bin=$1 prefix=$2
    shift 2
    NS_A="$prefix-a"
    NS_B="$prefix-b"
    RELAY_STATS=$(mktemp /tmp/tcpfsm-relay-stats.XXXXXX)
    local ready
    ready=$(mktemp -u /tmp/tcpfsm-relay-ready.XXXXXX)
    ip netns add "$NS_A" || return 1
    ip netns add "$NS_B" || return 1
    # Device names are per namespace once moved, but are created in this one: make them unique.
    local dev_a="ra$$" dev_b="rb$$"
    "$bin" --tun-a "$dev_a" --tun-b "$dev_b" --ready-file "$ready" --stats-file "$RELAY_STATS" "$@" &
    RELAY_PID=$!
    local i
    for i in $(seq 1 50); do [ -s "$ready" ] && break; sleep 0.1; done
    rm -f "$ready"
    kill -0 "$RELAY_PID" 2>/dev/null || return 1
    ip link set "$dev_a" netns "$NS_A" && ip -n "$NS_A" link set "$dev_a" name ra0 || return 1
    ip link set "$dev_b" netns "$NS_B" && ip -n "$NS_B" link set "$dev_b" name rb0 || return 1
    ip -n "$NS_A" addr add 10.77.0.1/24 dev ra0
    ip -n "$NS_A" addr add fd77::1/64 dev ra0 nodad
    ip -n "$NS_B" addr add 10.77.0.2/24 dev rb0
    ip -n "$NS_B" addr add fd77::2/64 dev rb0 nodad
    local ns
    for ns in "$NS_A" "$NS_B"; do
        ip -n "$ns" link set lo up
    done
    ip -n "$NS_A" link set ra0 up && ip -n "$NS_B" link set rb0 up
}

relay_add_hosts() {
    NS_C="${NS_A%-a}-c"
    ip netns add "$NS_C" || return 1
    ip -n "$NS_C" link set lo up
    # Forwarding is per namespace, off in a new one.
    ip netns exec "$NS_B" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 || return 1
    ip -n "$NS_B" tuntap add dev tun0 mode tun || return 1
    ip -n "$NS_B" addr add 10.77.1.1/24 dev tun0
    ip -n "$NS_B" addr add fd77:1::1/64 dev tun0 nodad
    ip -n "$NS_B" link set tun0 up
    ip -n "$NS_B" link add vb0 type veth peer name vc0 netns "$NS_C" || return 1
    ip -n "$NS_B" addr add 10.77.2.1/24 dev vb0
    ip -n "$NS_B" addr add fd77:2::1/64 dev vb0 nodad
    ip -n "$NS_C" addr add 10.77.2.2/24 dev vc0
    ip -n "$NS_C" addr add fd77:2::2/64 dev vc0 nodad
    ip -n "$NS_B" link set vb0 up && ip -n "$NS_C" link set vc0 up || return 1
    ip -n "$NS_C" route add default via 10.77.2.1 dev vc0
    ip -n "$NS_C" -6 route add default via fd77:2::1 dev vc0
    local net
    for net in 10.77.1.0/24 10.77.2.0/24; do ip -n "$NS_A" route add "$net" via 10.77.0.2 dev ra0 || return 1; done
    for net in fd77:1::/64 fd77:2::/64; do ip -n "$NS_A" -6 route add "$net" via fd77::2 dev ra0 || return 1; done
}

relay_down() {
    if [ -n "$RELAY_PID" ] && kill -0 "$RELAY_PID" 2>/dev/null; then
        kill "$RELAY_PID" 2>/dev/null
        wait "$RELAY_PID" 2>/dev/null
    fi
    RELAY_PID=""
    [ -n "$NS_A" ] && ip netns del "$NS_A" >/dev/null 2>&1
    [ -n "$NS_B" ] && ip netns del "$NS_B" >/dev/null 2>&1
    [ -n "$NS_C" ] && ip netns del "$NS_C" >/dev/null 2>&1
    NS_A=""
    NS_B=""
    NS_C=""
}

relay_counter() {
    local direction=$1 key=$2
    grep "^$direction " "$RELAY_STATS" | tr ' ' '\n' | grep "^$key=" | cut -d= -f2
}
