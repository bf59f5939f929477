# The relay itself, kernel to kernel (label interop): 2 MB over IPv4 or IPv6 through 10 ms
# each way, a 50 Mbit/s bottleneck with a one-BDP drop-tail queue and 1% random loss from A
# to B. Checks: the octets arrive intact (SHA-256 on both ends); the relay's books balance
# (every packet received is delivered, lost or dropped, after the transfer has drained); the
# queue never held more than its limit; the random losses lie within 5 standard deviations of
# the binomial expectation (received x 1%).
#   bash relay_kernel.sh TCPFSM_RELAY 4|6
# shellcheck shell=bash
set -uo pipefail
RELAY_BIN=${1:?usage: relay_kernel.sh TCPFSM_RELAY 4|6}
FAMILY=${2:-4}
here=$(dirname "$0")
# shellcheck source=relay_lib.sh
source "$here/relay_lib.sh"

skip_or_fail() {
    if [ "${CI:-}" = "true" ]; then echo "FAIL: cannot run: $1 (CI=true: interop tests must run)"; exit 1; fi
    echo "SKIP: $1"; exit 77
}
[ "$(id -u)" -eq 0 ] || skip_or_fail "not root"
[ -c /dev/net/tun ] || skip_or_fail "no /dev/net/tun"
command -v ip >/dev/null || skip_or_fail "no ip (iproute2)"
command -v python3 >/dev/null || skip_or_fail "no python3"

WORK=$(mktemp -d /tmp/tcpfsm-relay-test.XXXXXX)
trap 'relay_down; rm -rf "$WORK" "$RELAY_STATS"' EXIT
relay_up "$RELAY_BIN" "tcpfsm-relay-$$" --seed 11 --both delay_ms=10,rate_mbit=50,queue_bdp=1 --a2b loss=0.01 ||
    { echo "FAIL: relay setup"; exit 1; }

if [ "$FAMILY" = 6 ]; then server=fd77::2; else server=10.77.0.2; fi
head -c 2000000 /dev/urandom > "$WORK/source"
expected=$(sha256sum "$WORK/source" | cut -c1-64)

ip netns exec "$NS_B" python3 - "$server" "$WORK/received" > "$WORK/server.log" 2>&1 <<'PY' &
import socket, sys
host, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, 5001)); s.listen(1); s.settimeout(60)
c, _ = s.accept(); c.settimeout(60)
with open(out, "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
PY
server_pid=$!
for _ in $(seq 1 50); do ip netns exec "$NS_B" ss -ltn | grep -q ":5001" && break; sleep 0.1; done
ip netns exec "$NS_A" timeout 60 python3 - "$server" "$WORK/source" <<'PY' || { echo "FAIL: sender"; exit 1; }
import socket, sys
host, src = sys.argv[1], sys.argv[2]
s = socket.create_connection((host, 5001), timeout=60)
s.sendall(open(src, "rb").read()); s.close()
PY
wait "$server_pid" || { echo "FAIL: receiver"; cat "$WORK/server.log"; exit 1; }
sleep 0.5   # let the last ACKs and FINs drain through the relay before its books are read
relay_down
cat "$RELAY_STATS"

got=$(sha256sum "$WORK/received" | cut -c1-64)
fail=0
if [ "$got" != "$expected" ]; then echo "FAIL: SHA-256 differs ($got, expected $expected)"; fail=1; fi
for d in a2b b2a; do
    received=$(relay_counter $d received); delivered=$(relay_counter $d delivered)
    duplicated=$(relay_counter $d duplicated); lost=$(( $(relay_counter $d lost_random) + $(relay_counter $d lost_burst) + $(relay_counter $d lost_aimed) ))
    drops=$(relay_counter $d queue_drops)
    in_flight=$(relay_counter $d in_flight)  # still in the delay line when the relay stopped
    unwritten=$(relay_counter $d write_failed)  # due, but the device refused it (not yet up)
    if [ $((received + duplicated)) -ne $((delivered + unwritten + lost + drops + in_flight)) ]; then
        echo "FAIL: $d books: received $received + duplicated $duplicated != delivered $delivered + not written $unwritten + lost $lost + dropped $drops + in flight $in_flight"; fail=1
    fi
    if [ "$(relay_counter $d max_queue_bytes)" -gt "$(relay_counter $d queue_limit_bytes)" ]; then
        echo "FAIL: $d queue above its limit"; fail=1
    fi
done
[ "$(relay_counter b2a lost_random)" -eq 0 ] || { echo "FAIL: losses B to A, where none were asked for"; fail=1; }
python3 - "$(relay_counter a2b received)" "$(relay_counter a2b lost_random)" <<'PY' || fail=1
import math, sys
n, k = int(sys.argv[1]), int(sys.argv[2])
mean, sd = n * 0.01, math.sqrt(n * 0.01 * 0.99)
ok = abs(k - mean) <= 5 * sd
print(f"a2b random losses {k} of {n}: expected {mean:.1f} +- {5*sd:.1f} (5 sd)")
sys.exit(0 if ok else 1)
PY
[ $fail -eq 0 ] && echo "PASS: 2 MB intact through the relay (IPv$FAMILY)"
exit $fail
