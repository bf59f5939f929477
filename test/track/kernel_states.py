#!/usr/bin/env python3
"""The tracker against the Linux kernel's own state changes (issue 15 item 4, label interop).

Two network namespaces joined by tcpfsm_relay (tools/relay: a user-space link with a delay,
for kernels without sch_netem), kernel sockets on both ends. While the scenarios run,
tcpfsm-track captures live on the relay's TUN device in the first namespace (through libpcap,
--json, -w for the pcap) and the kernel's sock:inet_sock_set_state tracepoint is recorded in
a tracefs instance of this test's own. Afterwards, every transition the kernel recorded for
an endpoint of a scenario's connection must be matched, in order, by a transition the
tracker inferred for that endpoint into the same state (docs/tracker.md, "Validated against
the Linux kernel"); the test fails if fewer transitions were compared than the scenarios
have (the counts are the RFC 9293 paths of each scenario, written below). One scenario, the
lost final ACK, has the relay drop the client's ACK of the server's FIN (--a2b-drop); its
retransmitted FIN and both endpoints' states around it are checked too (check_final_ack_lost).

Kernel details the comparison takes into account:
  - the listening socket's CLOSE -> LISTEN has no peer (dport 0): it is not a connection's;
  - a client's CLOSE -> SYN_SENT is traced before its port is chosen (sport 0): it belongs
    to the next transition of the same (saddr, daddr, dport) from SYN_SENT;
  - a socket that enters TIME-WAIT is replaced by a timewait socket: the trace shows its
    last transition as "-> CLOSE"; where `ss` shows the four-tuple in TIME-WAIT at capture
    end, that transition is "-> TIME-WAIT" (net/ipv4/tcp_minisocks.c, tcp_time_wait);
  - a FIN,ACK that acknowledges our FIN takes FIN-WAIT-1 through FIN-WAIT-2 to TIME-WAIT in
    one segment (RFC 9293 §3.10.7.4, fifth then eighth step): the kernel traces both, the
    tracker's observation path (tracker_observation::path, JSON "path") has both;
  - a deduced transition the tracker takes back (crossing FINs seen from one side of the
    path: CLOSE-WAIT, then ESTABLISHED -> FIN-WAIT-1 -> CLOSING) is in the path: the kernel's
    transitions must be a subsequence of the tracker's, in order;
  - a passive endpoint's first transition is LISTEN -> SYN_RECV (the request's child); the
    tracker deduces LISTEN and SYN-RECEIVED from the same SYN (one segment: CLOSED ->
    SYN-RECEIVED), which matches.

Usage: kernel_states.py TCPFSM_RELAY TCPFSM_TRACK WORKDIR [TCPFSM_TUN]
With TCPFSM_TUN (examples/tun), one more scenario has tcpfsm itself on one end (a kernel
server in the first namespace, tcpfsm_tun one forwarding hop beyond the relay): the kernel's
transitions as above, and tcpfsm_tun's own (its STATE log lines) matched by the tracker's
for that endpoint the same way.
Needs root, /dev/net/tun, ip(8), ss(8) and tracefs (mounted, or mountable here). Without
them it exits 77 (ctest SKIP_RETURN_CODE) with the reason, unless CI=true, where that is a
failure.
"""
import ctypes
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

SKIP = 77
CI = os.environ.get("CI") == "true"

LINUX_TO_RFC = {
    "TCP_ESTABLISHED": "ESTABLISHED", "TCP_SYN_SENT": "SYN-SENT", "TCP_SYN_RECV": "SYN-RECEIVED",
    "TCP_FIN_WAIT1": "FIN-WAIT-1", "TCP_FIN_WAIT2": "FIN-WAIT-2", "TCP_TIME_WAIT": "TIME-WAIT",
    "TCP_CLOSE": "CLOSED", "TCP_CLOSE_WAIT": "CLOSE-WAIT", "TCP_LAST_ACK": "LAST-ACK",
    "TCP_LISTEN": "LISTEN", "TCP_CLOSING": "CLOSING", "TCP_NEW_SYN_RECV": "SYN-RECEIVED",
}


def skip(why):
    print(f"kernel_states: {'FAIL (CI=true)' if CI else 'SKIP'}: {why}")
    sys.exit(1 if CI else SKIP)


def run(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def find_tracefs(workdir):
    for path in ("/sys/kernel/tracing", "/sys/kernel/debug/tracing"):
        if os.path.isdir(os.path.join(path, "instances")):
            return path, False
    mnt = os.path.join(workdir, "tracefs")
    os.makedirs(mnt, exist_ok=True)
    if run("mount", "-t", "tracefs", "nodev", mnt, check=False).returncode == 0 and \
            os.path.isdir(os.path.join(mnt, "instances")):
        return mnt, True
    return None, False


libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def enter(ns):
    """This process's network namespace becomes `ns` (sockets made now live there)."""
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
    finally:
        os.close(fd)


class Net:
    def __init__(self, relay, prefix, workdir, link="delay_ms=20", seed=1, extra=()):
        self.a, self.b = f"{prefix}-a", f"{prefix}-b"
        self.stats = os.path.join(workdir, "relay.stats")
        ready = os.path.join(workdir, "relay.ready")
        for ns in (self.a, self.b):
            run("ip", "netns", "del", ns, check=False)
            run("ip", "netns", "add", ns)
        self.relay = None
        try:
            self._up(relay, ready, link, seed, list(extra))
        except BaseException:
            self.down()
            raise

    def _up(self, relay, ready, link, seed, extra):
        dev_a, dev_b = f"ka{os.getpid() % 100000}", f"kb{os.getpid() % 100000}"
        # A ready file left by an earlier run would end the wait below before this relay has
        # made its TUN devices (then `ip link set ... netns` fails).
        if os.path.exists(ready):
            os.unlink(ready)
        # 20 ms each way by default: the FINs of a simultaneous close cross.
        self.relay = subprocess.Popen([relay, "--tun-a", dev_a, "--tun-b", dev_b, "--both", link, "--seed", str(seed),
                                       "--ready-file", ready, "--stats-file", self.stats] + extra,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            if os.path.exists(ready) and os.path.getsize(ready) > 0:
                break
            time.sleep(0.1)
        if self.relay.poll() is not None:
            raise RuntimeError("tcpfsm_relay did not start")
        run("ip", "link", "set", dev_a, "netns", self.a)
        run("ip", "-n", self.a, "link", "set", dev_a, "name", "ra0")
        run("ip", "link", "set", dev_b, "netns", self.b)
        run("ip", "-n", self.b, "link", "set", dev_b, "name", "rb0")
        run("ip", "-n", self.a, "addr", "add", "10.77.0.1/24", "dev", "ra0")
        run("ip", "-n", self.a, "addr", "add", "fd77::1/64", "dev", "ra0", "nodad")
        run("ip", "-n", self.b, "addr", "add", "10.77.0.2/24", "dev", "rb0")
        run("ip", "-n", self.b, "addr", "add", "fd77::2/64", "dev", "rb0", "nodad")
        for ns, dev in ((self.a, "ra0"), (self.b, "rb0")):
            run("ip", "-n", ns, "link", "set", "lo", "up")
            run("ip", "-n", ns, "link", "set", dev, "up")
        # tcpfsm_tun's device, one forwarding hop beyond the relay (test/relay/relay_lib.sh,
        # relay_add_hosts): tun0 in -b (10.77.1.1/24), tcpfsm_tun at 10.77.1.2.
        run("ip", "netns", "exec", self.b, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        run("ip", "-n", self.b, "tuntap", "add", "dev", "tun0", "mode", "tun")
        run("ip", "-n", self.b, "addr", "add", "10.77.1.1/24", "dev", "tun0")
        run("ip", "-n", self.b, "link", "set", "tun0", "up")
        run("ip", "-n", self.a, "route", "add", "10.77.1.0/24", "via", "10.77.0.2", "dev", "ra0")

    def down(self):
        if self.relay is not None and self.relay.poll() is None:
            self.relay.send_signal(signal.SIGTERM)
            self.relay.wait(timeout=10)
        for ns in (self.a, self.b):
            run("ip", "netns", "del", ns, check=False)


class Trace:
    """A tracefs instance of our own recording sock:inet_sock_set_state for our ports."""

    def __init__(self, root, name, ports):
        self.dir = os.path.join(root, "instances", name)
        if os.path.isdir(self.dir):
            os.rmdir(self.dir)
        os.mkdir(self.dir)
        ev = os.path.join(self.dir, "events", "sock", "inet_sock_set_state")
        if not os.path.isdir(ev):
            os.rmdir(self.dir)
            raise FileNotFoundError("no sock:inet_sock_set_state tracepoint")
        self.ev = ev
        with open(os.path.join(ev, "filter"), "w") as f:
            f.write(" || ".join(f"sport == {p} || dport == {p}" for p in ports))
        with open(os.path.join(self.dir, "buffer_size_kb"), "w") as f:
            f.write("1024")
        with open(os.path.join(ev, "enable"), "w") as f:
            f.write("1")

    def read_and_close(self):
        with open(os.path.join(self.ev, "enable"), "w") as f:
            f.write("0")
        with open(os.path.join(self.dir, "trace")) as f:
            text = f.read()
        os.rmdir(self.dir)
        return text


FIELD = re.compile(r"(\w+)=(\S+)")


def kernel_transitions(trace_text):
    """[(endpoint, old, new)] in trace order; endpoint = (saddr, sport, daddr, dport)."""
    out = []
    pending_syn_sent = {}
    for line in trace_text.splitlines():
        if "inet_sock_set_state:" not in line:
            continue
        f = dict(FIELD.findall(line.split("inet_sock_set_state:", 1)[1]))
        if f.get("protocol") != "IPPROTO_TCP":
            continue
        v6 = f["family"] == "AF_INET6"
        saddr = f["saddrv6"] if v6 else f["saddr"]
        daddr = f["daddrv6"] if v6 else f["daddr"]
        sport, dport = int(f["sport"]), int(f["dport"])
        old, new = LINUX_TO_RFC[f["oldstate"]], LINUX_TO_RFC[f["newstate"]]
        if dport == 0:
            continue  # the listening socket: not a connection's
        if sport == 0:
            pending_syn_sent[(saddr, daddr, dport)] = (old, new)
            continue
        key = (saddr, daddr, dport)
        if key in pending_syn_sent and old == "SYN-SENT":
            o, n = pending_syn_sent.pop(key)
            out.append(((saddr, sport, daddr, dport), o, n))
        out.append(((saddr, sport, daddr, dport), old, new))
    return out


def endpoint_text(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def time_wait_tuples(ns):
    """(local, peer) of the sockets in TIME-WAIT in `ns`, as ss prints them."""
    r = run("ip", "netns", "exec", ns, "ss", "-Htan", "state", "time-wait")
    out = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            out.add((parts[-2], parts[-1]))
    return out


def tracker_transitions(report):
    """{endpoint text: [(before, after, anomalies)]} from tcpfsm-track --json."""
    out = {}
    for c in report["connections"]:
        names = (c["a"], c["b"])
        for side in (0, 1):
            seq = out.setdefault(names[side], [])
            for s in c["segments"]:
                state = s["before"][side]
                for entered in s["path"][side]:  # every state entered, taken-back ones too
                    seq.append((state, entered))
                    state = entered
    return out


def matches(kernel, tracked):
    """Kernel (old, new) matched by a tracker (before, after) into the same state."""
    old, new = kernel
    before, after = tracked
    if after != new:
        return False
    return before == old or (old == "LISTEN" and before == "CLOSED" and after == "SYN-RECEIVED")


# ------------------------------------------------------------------------------------------
# Scenarios: each returns its four-tuples' expected numbers of kernel transitions, by the
# RFC 9293 path of each endpoint (client, server).
# ------------------------------------------------------------------------------------------

def listener(ns, family, addr, port):
    enter(ns)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4)
    return s


def client(ns, family, addr, port, keepalive=False):
    enter(ns)
    c = socket.socket(family, socket.SOCK_STREAM)
    if keepalive:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    c.settimeout(5)
    c.connect((addr, port))
    return c


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def exchange(c, s):
    c.sendall(b"hello")
    assert recv_exactly(s, 5) == b"hello"
    s.sendall(b"world")
    assert recv_exactly(c, 5) == b"world"


def wait_eof(s):
    s.settimeout(5)
    return s.recv(16) == b""


def one_closes_first(net, family, port, client_first):
    srv_addr = "10.77.0.2" if family == socket.AF_INET else "fd77::2"
    ls = listener(net.b, family, srv_addr, port)
    c = client(net.a, family, srv_addr, port)
    s, _ = ls.accept()
    exchange(c, s)
    first, second = (c, s) if client_first else (s, c)
    first.shutdown(socket.SHUT_WR)
    assert wait_eof(second)
    time.sleep(0.2)
    second.shutdown(socket.SHUT_WR)
    assert wait_eof(first)
    time.sleep(0.3)
    c.close(), s.close(), ls.close()
    # Closer: CLOSED/LISTEN -> ... -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT; the other:
    # ... -> CLOSE-WAIT -> LAST-ACK -> CLOSED. Two to ESTABLISHED on each side, plus 3.
    return 10


def simultaneous_close(net, port):
    ls = listener(net.b, socket.AF_INET, "10.77.0.2", port)
    c = client(net.a, socket.AF_INET, "10.77.0.2", port)
    s, _ = ls.accept()
    exchange(c, s)
    time.sleep(0.1)
    # Both FINs leave before either arrives (20 ms each way): Figure 13 on both sides,
    # FIN-WAIT-1 -> CLOSING -> TIME-WAIT.
    c.shutdown(socket.SHUT_WR)
    s.shutdown(socket.SHUT_WR)
    assert wait_eof(c) and wait_eof(s)
    time.sleep(0.3)
    c.close(), s.close(), ls.close()
    return 10


TCP_CLOSE_STATE = 7  # tcpi_state (include/net/tcp_states.h)


def final_ack_lost(net, port):
    """The client closes first; the relay drops its ACK of the server's FIN once (--a2b-drop,
    after the tap): the server retransmits its FIN from LAST-ACK, the client ACKs it again
    from TIME-WAIT (RFC 9293 §3.10.7.4, TIME-WAIT: "acknowledge it, and restart the 2 MSL
    timeout"), the server goes CLOSED."""
    ls = listener(net.b, socket.AF_INET, "10.77.0.2", port)
    c = client(net.a, socket.AF_INET, "10.77.0.2", port)
    s, _ = ls.accept()
    exchange(c, s)
    c.shutdown(socket.SHUT_WR)
    assert wait_eof(s)
    time.sleep(0.2)
    s.shutdown(socket.SHUT_WR)
    assert wait_eof(c)
    # The server leaves LAST-ACK when its retransmitted FIN is acknowledged (an RTO, >= 200 ms
    # on Linux): wait for it, then a little for the capture.
    for _ in range(100):
        if s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] == TCP_CLOSE_STATE:
            break
        time.sleep(0.05)
    time.sleep(0.1)
    c.close(), s.close(), ls.close()
    # The same paths as the client closing first: the lost ACK and the retransmitted FIN
    # change no state (the server stays in LAST-ACK, the client in TIME-WAIT).
    return 10


TUN_STATE = re.compile(r"STATE (\S+) -> (\S+) event=")


def tcpfsm_closes_first(net, port, tun, workdir):
    """tcpfsm (tcpfsm_tun, examples/tun, client) against a kernel server: "hello", "world",
    tcpfsm closes first (once its text is acknowledged and "world" is in) and exits in
    TIME-WAIT; the kernel closes when it reads the FIN. Returns the scenario's count and
    tcpfsm_tun's own transitions (its STATE log lines)."""
    ls = listener(net.a, socket.AF_INET, "10.77.0.1", port)
    log_path = os.path.join(workdir, "tun.log")
    with open(log_path, "w") as log:
        tun_proc = subprocess.Popen(["ip", "netns", "exec", net.b, tun, "--dev", "tun0", "--mode", "client",
                                     "--local", "10.77.1.2", "--remote", "10.77.0.1", "--rport", str(port),
                                     "--send", "hello", "--expect", "world", "--exit-at-time-wait",
                                     "--deadline-ms", "10000"], stdout=log, stderr=subprocess.STDOUT)
    ls.settimeout(10)
    s, _ = ls.accept()
    assert recv_exactly(s, 5) == b"hello"
    s.sendall(b"world")
    assert wait_eof(s)
    time.sleep(0.2)  # the kernel's ACK of tcpfsm's FIN leaves alone: FIN-WAIT-2, then TIME-WAIT
    s.shutdown(socket.SHUT_WR)
    status = tun_proc.wait(timeout=15)
    time.sleep(0.2)
    s.close(), ls.close()
    with open(log_path) as f:
        tun_transitions = TUN_STATE.findall(f.read())
    if status != 0:
        raise AssertionError(f"tcpfsm_tun exited with {status} (log: {log_path})")
    # Kernel server: LISTEN -> SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED
    # (5); tcpfsm: CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT (5).
    return 10, tun_transitions


def refused(net, port):
    enter(net.a)
    c = socket.socket()
    c.settimeout(5)
    try:
        c.connect(("10.77.0.2", port))
        raise AssertionError("connected to a port nobody listens on")
    except ConnectionRefusedError:
        pass
    c.close()
    return 2  # CLOSED -> SYN-SENT -> CLOSED (RST)


def abort(net, port):
    ls = listener(net.b, socket.AF_INET, "10.77.0.2", port)
    c = client(net.a, socket.AF_INET, "10.77.0.2", port)
    s, _ = ls.accept()
    exchange(c, s)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()  # RST (RFC 9293 §3.10.5 ABORT)
    time.sleep(0.3)
    s.close(), ls.close()
    return 6  # two to ESTABLISHED on each side, then CLOSED on each


def keepalive(net, port):
    ls = listener(net.b, socket.AF_INET, "10.77.0.2", port)
    c = client(net.a, socket.AF_INET, "10.77.0.2", port, keepalive=True)
    s, _ = ls.accept()
    exchange(c, s)
    time.sleep(2.6)  # TCP_KEEPIDLE 1 s, TCP_KEEPINTVL 1 s: probes, each answered
    c.shutdown(socket.SHUT_WR)
    assert wait_eof(s)
    s.shutdown(socket.SHUT_WR)
    assert wait_eof(c)
    time.sleep(0.3)
    c.close(), s.close(), ls.close()
    return 10


def check_final_ack_lost(report, port, relay_stats):
    """The lost final ACK as the tracker must show it (tap near the client, the ACK lost after
    it): the server's FIN again is a retransmission, after which the server is in LAST-ACK
    again (its CLOSED, deduced from the lost ACK, taken back) and the client still in
    TIME-WAIT; the client's next ACK takes the server to CLOSED; nothing is half-open."""
    failures = []
    lost = re.search(r"^a2b .*\blost_aimed=(\d+)", relay_stats, re.M)
    if not lost or int(lost.group(1)) != 1:
        failures.append(f"final_ack_lost: the relay's aimed drop lost {lost.group(1) if lost else '?'} segments, not 1")
    conn = next((c for c in report["connections"] if c["a"].endswith(f":{port}") or c["b"].endswith(f":{port}")), None)
    if conn is None:
        return failures + ["final_ack_lost: the tracker has no such connection"]
    server = 0 if conn["a"].endswith(f":{port}") else 1
    client_side = 1 - server
    name = "ab"
    segs = conn["segments"]
    again = [i for i, g in enumerate(segs) if g["from"] == name[server] and "FIN" in g["flags"] and
             "retransmission" in g["anomalies"]]
    print(f"kernel_states: final_ack_lost: server FINs flagged as retransmissions: {len(again)}")
    if len(again) != 1:
        return failures + [f"final_ack_lost: {len(again)} server FINs flagged as retransmissions, not 1"]
    i = again[0]
    if segs[i]["after"][server] != "LAST-ACK" or segs[i]["after"][client_side] != "TIME-WAIT":
        failures.append(f"final_ack_lost: after the FIN again the tracker says {segs[i]['after']}, "
                        f"not LAST-ACK (server), TIME-WAIT (client)")
    nxt = next((g for g in segs[i + 1:] if g["from"] == name[client_side]), None)
    if nxt is None or nxt["flags"] != "ACK" or nxt["after"][server] != "CLOSED":
        failures.append(f"final_ack_lost: the client's next ACK does not take the server to CLOSED: {nxt}")
    if any("half_open" in g["anomalies"] for g in segs):
        failures.append("final_ack_lost: a segment flagged half_open")
    return failures


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__)
        return 2
    relay, track, workdir = sys.argv[1:4]
    tun = sys.argv[4] if len(sys.argv) == 5 else None
    os.makedirs(workdir, exist_ok=True)
    for binary in (relay, track) + ((tun,) if tun else ()):
        if not os.access(binary, os.X_OK):
            print(f"kernel_states: FAIL: {binary} is not built")
            return 1
    if os.geteuid() != 0:
        skip("needs root (network namespaces, tracefs)")
    if not os.path.exists("/dev/net/tun"):
        skip("no /dev/net/tun")
    for tool in ("ip", "ss"):
        if run("which", tool, check=False).returncode != 0:
            skip(f"no {tool}(8)")
    tracefs, mounted = find_tracefs(workdir)
    if tracefs is None:
        skip("tracefs is neither mounted nor mountable (mount -t tracefs failed)")
    host_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
    ports = {"client_closes_first_ipv4": 9201, "server_closes_first_ipv6": 9202, "simultaneous_close": 9203,
             "refused": 9204, "abort": 9205, "keepalive": 9206, "final_ack_lost": 9207}
    if tun:
        ports["tcpfsm_closes_first"] = 9208
    tun_transitions = []
    net = trace = cap = None
    relay_stats = ""
    failures = []
    try:
        # The aimed drop: the client's (a2b) first pure ACK after its FIN, on that scenario's port.
        net = Net(relay, f"tcpfsm-kv{os.getpid()}", workdir,
                  extra=["--a2b-drop", f"flags=A,empty=1,after=F,port={ports['final_ack_lost']}"])
        try:
            trace = Trace(tracefs, f"tcpfsm_kernel_states_{os.getpid()}", ports.values())
        except (FileNotFoundError, PermissionError, OSError) as e:
            skip(f"tracefs at {tracefs}: {e}")
        ready = os.path.join(workdir, "track.ready")
        if os.path.exists(ready):
            os.unlink(ready)
        pcap = os.path.join(workdir, "kernel_states.pcap")
        out = open(os.path.join(workdir, "track.json"), "w")
        cap = subprocess.Popen(["ip", "netns", "exec", net.a, track, "-i", "ra0", "--json", "-w", pcap,
                                "--ready-file", ready], stdout=out, stderr=subprocess.PIPE, text=True)
        for _ in range(100):
            if os.path.exists(ready):
                break
            time.sleep(0.05)
        if not os.path.exists(ready):
            raise RuntimeError("tcpfsm-track did not start: " + (cap.stderr.read() if cap.poll() is not None else ""))
        time.sleep(0.2)

        expected = {}
        expected["client_closes_first_ipv4"] = one_closes_first(net, socket.AF_INET, ports["client_closes_first_ipv4"], True)
        expected["server_closes_first_ipv6"] = one_closes_first(net, socket.AF_INET6, ports["server_closes_first_ipv6"], False)
        expected["simultaneous_close"] = simultaneous_close(net, ports["simultaneous_close"])
        expected["refused"] = refused(net, ports["refused"])
        expected["abort"] = abort(net, ports["abort"])
        expected["keepalive"] = keepalive(net, ports["keepalive"])
        expected["final_ack_lost"] = final_ack_lost(net, ports["final_ack_lost"])
        if tun:
            expected["tcpfsm_closes_first"], tun_transitions = tcpfsm_closes_first(
                net, ports["tcpfsm_closes_first"], tun, workdir)
        libc.setns(host_ns, CLONE_NEWNET)
        # The kernel's TIME-WAIT lasts 60 s (TCP_TIMEWAIT_LEN): still there at capture end.
        time_wait = time_wait_tuples(net.a) | time_wait_tuples(net.b)
        time.sleep(0.3)
        cap.send_signal(signal.SIGINT)
        cap.wait(timeout=10)
        out.close()
        kernel_text = trace.read_and_close()
        trace = None
        with open(os.path.join(workdir, "kernel_trace.txt"), "w") as f:
            f.write(kernel_text)
        with open(os.path.join(workdir, "track.json")) as f:
            report = json.load(f)
    finally:
        if cap is not None and cap.poll() is None:
            cap.kill()
        if trace is not None:
            trace.read_and_close()
        if net is not None:
            net.down()
            if os.path.exists(net.stats):
                with open(net.stats) as f:
                    relay_stats = f.read()
        if mounted:
            run("umount", tracefs, check=False)

    tracked = tracker_transitions(report)
    # The capture written (-w) replayed from the file: the same transitions as live.
    replay = run(track, "--json", os.path.join(workdir, "kernel_states.pcap"), check=False)
    try:
        replayed = tracker_transitions(json.loads(replay.stdout))
    except ValueError:
        replayed = None
    if replayed != tracked:
        failures.append(f"the capture replayed from {workdir}/kernel_states.pcap gives other transitions than live")
    else:
        print(f"kernel_states: the written capture replayed: the same transitions for all {len(tracked)} endpoints")
    final_state = {}
    for c in report["connections"]:
        if c["segments"]:
            final_state[c["a"]] = c["segments"][-1]["after"][0]
            final_state[c["b"]] = c["segments"][-1]["after"][1]
    by_endpoint = {}
    for ep, old, new in kernel_transitions(kernel_text):
        by_endpoint.setdefault(ep, []).append([old, new])
    compared = {}
    for (saddr, sport, daddr, dport), transitions in by_endpoint.items():
        scenario = next((n for n, p in ports.items() if p in (sport, dport)), None)
        if scenario is None:
            continue
        local, peer = endpoint_text(saddr, sport), endpoint_text(daddr, dport)
        in_time_wait = (local, peer) in time_wait
        if in_time_wait and transitions and transitions[-1][1] == "CLOSED":
            transitions[-1][1] = "TIME-WAIT"
        seq = tracked.get(local, [])
        k = 0
        for old, new in transitions:
            while k < len(seq) and not matches((old, new), seq[k]):
                k += 1
            if k == len(seq):
                failures.append(f"{scenario}: {local}: kernel {old} -> {new} not matched by the tracker "
                                f"(tracker: {seq})")
                break
            k += 1
            compared[scenario] = compared.get(scenario, 0) + 1
        if in_time_wait and final_state.get(local) != "TIME-WAIT":
            failures.append(f"{scenario}: {local}: the kernel holds it in TIME-WAIT at capture end, "
                            f"the tracker says {final_state.get(local)}")
    tun_compared = 0
    if tun:
        # tcpfsm_tun's own transitions against the tracker's for its endpoint (10.77.1.2).
        conn = next((c for c in report["connections"] if f":{ports['tcpfsm_closes_first']}" in c["a"] + c["b"]), None)
        local = None
        if conn is not None:
            local = conn["a"] if conn["a"].startswith("10.77.1.2:") else conn["b"]
        seq = tracked.get(local, []) if local else []
        k = 0
        for old, new in tun_transitions:
            while k < len(seq) and not matches((old, new), seq[k]):
                k += 1
            if k == len(seq):
                failures.append(f"tcpfsm_closes_first: tcpfsm {local}: {old} -> {new} not matched by the tracker "
                                f"(tracker: {seq})")
                break
            k += 1
            compared["tcpfsm_closes_first"] = compared.get("tcpfsm_closes_first", 0) + 1
            tun_compared += 1
        print(f"kernel_states: tcpfsm_closes_first: tcpfsm_tun logged {len(tun_transitions)} transitions, "
              f"{tun_compared} compared and matched (counted with the kernel's below)")
    total = 0
    for name, want in expected.items():
        got = compared.get(name, 0)
        total += got
        print(f"kernel_states: {name}: {got} transitions compared and matched (scenario: {want})")
        if got < want:
            failures.append(f"{name}: {got} transitions compared, fewer than the scenario's {want}")
    keepalives = sum(1 for c in report["connections"] for s in c["segments"] if "keepalive" in s["anomalies"]
                     and str(ports["keepalive"]) in (c["a"] + c["b"]))
    print(f"kernel_states: keepalive probes flagged by the tracker: {keepalives}")
    if keepalives < 1:
        failures.append("keepalive: the tracker flagged no keepalive probe")
    failures += check_final_ack_lost(report, ports["final_ack_lost"], relay_stats)
    print(f"kernel_states: {total} transitions compared in all ({total - tun_compared} kernel, {tun_compared} tcpfsm_tun); capture {report['segments']} segments")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
