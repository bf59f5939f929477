#!/usr/bin/env python3
"""Makes test/track/data/relay_analysis_capture.pcap: kernel TCP through tcpfsm_relay with loss and
reordering, and a receiver that stops reading (zero window, window probes), captured by
tcpfsm-track -w on the relay's TUN device near the sender, frames cut to 120 octets (headers
only). Input to tools/tshark_compare.py (docs/tracker.md, "Compared with Wireshark").

    tools/make_analysis_capture.py TCPFSM_RELAY TCPFSM_TRACK OUT.pcap

Needs root and /dev/net/tun. The relay's losses are seeded, their times real: each run gives
a different capture; the committed one is one run.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "track"))
import kernel_states as ks  # noqa: E402


def cut(src, dst, snap=120):
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    out = bytearray(data[:24])
    out[16:20] = struct.pack(endian + "I", snap)
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        keep = frame[:snap]
        out += struct.pack(endian + "IIII", sec, frac, len(keep), wirelen) + keep
        off += 16 + caplen
    with open(dst, "wb") as f:
        f.write(out)


def bulk(net, port, size):
    ls = ks.listener(net.b, socket.AF_INET, "10.77.0.2", port)
    c = ks.client(net.a, socket.AF_INET, "10.77.0.2", port)
    s, _ = ls.accept()
    got = []

    def reader():
        n = 0
        while n < size:
            d = s.recv(65536)
            if not d:
                break
            n += len(d)
        got.append(n)

    t = threading.Thread(target=reader)
    t.start()
    c.sendall(b"x" * size)
    t.join(30)
    c.shutdown(socket.SHUT_WR)
    s.shutdown(socket.SHUT_WR)
    time.sleep(1.0)
    c.close(), s.close(), ls.close()


def zero_window(net, port):
    ks.enter(net.b)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ls.bind(("10.77.0.2", port))
    ls.listen(1)
    c = ks.client(net.a, socket.AF_INET, "10.77.0.2", port)
    s, _ = ls.accept()
    c.setblocking(False)
    sent = 0
    end = time.time() + 3.0  # the receiver does not read: its window closes, probes follow
    while time.time() < end:
        try:
            sent += c.send(b"y" * 4096)
        except BlockingIOError:
            time.sleep(0.05)
    c.setblocking(True)
    n = 0
    s.settimeout(5)
    while n < sent:
        n += len(s.recv(65536))
    c.shutdown(socket.SHUT_WR)
    s.shutdown(socket.SHUT_WR)
    time.sleep(1.0)
    c.close(), s.close(), ls.close()


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    relay, track, out = sys.argv[1:4]
    work = tempfile.mkdtemp(prefix="tcpfsm-analysis-")
    host = os.open("/proc/self/ns/net", os.O_RDONLY)
    net = ks.Net(relay, f"tcpfsm-an{os.getpid()}", work, link="delay_ms=10,loss=0.04,reorder=0.03,reorder_ms=15", seed=15)
    raw = os.path.join(work, "raw.pcap")
    ready = os.path.join(work, "ready")
    cap = subprocess.Popen(["ip", "netns", "exec", net.a, track, "-i", "ra0", "--quiet", "-w", raw, "--ready-file", ready],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if os.path.exists(ready):
                break
            time.sleep(0.05)
        time.sleep(0.2)
        bulk(net, 9301, 400000)
        zero_window(net, 9302)
        ks.libc.setns(host, ks.CLONE_NEWNET)
        time.sleep(0.3)
    finally:
        cap.send_signal(signal.SIGINT)
        cap.wait(timeout=10)
        net.down()
    cut(raw, out)
    print(f"{out}: {os.path.getsize(out)} octets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
