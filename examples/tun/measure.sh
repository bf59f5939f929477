#!/usr/bin/env bash
# Times bulk transfers between tcpfsm_tun and the kernel's TCP over a TUN device, each way,
# in a network namespace of its own (run as root; needs socat and sha256sum).
#   usage: examples/tun/measure.sh TCPFSM_TUN [OCTETS...]    (default: 10 MB and 100 MB)
# tcpfsm -> kernel: `--mode serve --app source --bytes N`, socat reads it into a file;
# kernel -> tcpfsm: socat sends a file to `--app discard`. The time is tcpfsm_tun's own
# (CONN-END ms: from accept to the connection's end, FIN exchange included); both ends'
# SHA-256 are compared, so a fast wrong transfer does not count.
set -euo pipefail
bin=$(realpath "${1:?usage: measure.sh TCPFSM_TUN [OCTETS...]}")
shift
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000000 100000000)
ns="tcpfsm-measure-$$"
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev tun0 mode tun
ip netns exec "$ns" ip addr add 10.77.0.1/24 dev tun0
ip netns exec "$ns" ip link set tun0 up
field() { sed -nE "s/^CONN-END .* $1=([^ ]+) .*/\\1/p" "$work/tun.log"; }
serve() {
    ip netns exec "$ns" "$bin" --mode serve --local 10.77.0.2 --lport 9000 --connections 1 "$@" >"$work/tun.log" 2>&1 &
    for _ in $(seq 1 300); do grep -q '^LISTEN ' "$work/tun.log" && return; sleep 0.01; done
    echo "tcpfsm_tun did not start" >&2; cat "$work/tun.log" >&2; exit 1
}
for n in "${sizes[@]}"; do
    { seq 0 "$n" || true; } | head -c "$n" >"$work/want"  # seq ends on SIGPIPE
    serve --app source --bytes "$n"
    ip netns exec "$ns" socat -u TCP:10.77.0.2:9000 "CREATE:$work/got"
    wait
    [ "$(sha256sum <"$work/got")" = "$(sha256sum <"$work/want")" ] || { echo "tcpfsm -> kernel: content differs" >&2; exit 1; }
    ms=$(field ms)
    echo "tcpfsm -> kernel: $n octets in $ms ms ($(awk -v n="$n" -v ms="$ms" 'BEGIN { printf "%.1f", n * 8 / ms / 1000 }') Mbit/s)"
    head -c "$n" /dev/urandom >"$work/data"
    serve --app discard
    ip netns exec "$ns" socat -u "OPEN:$work/data" TCP:10.77.0.2:9000
    wait
    [ "$(field received_sha256)" = "$(sha256sum <"$work/data" | cut -d' ' -f1)" ] || { echo "kernel -> tcpfsm: content differs" >&2; exit 1; }
    ms=$(field ms)
    echo "kernel -> tcpfsm: $n octets in $ms ms ($(awk -v n="$n" -v ms="$ms" 'BEGIN { printf "%.1f", n * 8 / ms / 1000 }') Mbit/s)"
done
