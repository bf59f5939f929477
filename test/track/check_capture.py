#!/usr/bin/env python3
"""End-to-end test of tcpfsm-track on test/data/wire_veth_capture.pcap.

    check_capture.py TOOL PCAP TXT WORKDIR

The expected segments come from the capture's own description (TXT, tcpdump -vv -x: its
addresses, flags, sequence numbers as tcpdump prints them: absolute on a SYN, relative to the
sender's ISN after it, with ACKs relative to the peer's ISN) and the expected states from
RFC 9293 §3.6 (a normal close, the server closing first). The same capture is also rewritten
here as pcapng, as Linux cooked SLL2, with an 802.1Q tag, as raw IP, and cut by a snap length
to the end of each TCP header (the text lengths must not change; the two data segments
count as truncated); every variant must give the same segments.
"""

import json
import os
import re
import struct
import subprocess
import sys

LINE = re.compile(r"(\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\], cksum \S+ \(correct\), "
                  r"seq (\d+)(?::\d+)?(?:, ack (\d+))?, win (\d+).*length (\d+)")
FLAG_LETTERS = {"S": "SYN", "F": "FIN", "R": "RST", "P": "PSH", ".": "ACK", "U": "URG"}
ORDER = ["SYN", "RST", "FIN", "PSH", "ACK", "URG"]  # tcpfsm-track's --json order


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def expected_segments(txt):
    """[(src, sport, dst, dport, flags, seq, ack, length)] with absolute numbers."""
    out = []
    isn = {}
    for m in LINE.finditer(open(txt).read()):
        src, sport, dst, dport, letters, seq, ack, _win, length = m.groups()
        flags = [FLAG_LETTERS[c] for c in letters]
        flags = ",".join(f for f in ORDER if f in flags)
        seq = int(seq)
        ack = int(ack) if ack is not None else 0
        me, peer = (src, sport), (dst, dport)
        if "SYN" in flags:
            isn[me] = seq
        else:
            seq = (isn[me] + seq) % 2**32
            if "ACK" in flags:
                ack = (isn[peer] + ack) % 2**32
        if "SYN" in flags and "ACK" in flags:
            pass  # tcpdump prints both absolute on the SYN,ACK
        out.append((src, int(sport), dst, int(dport), flags, seq, ack, int(length)))
    return out


# RFC 9293 §3.6, a normal close with the server closing first (Figure 12's "TCP Peer A" is
# the server here): (client, server) after each of the nine segments of a connection.
EXPECTED_STATES = [
    ("SYN-SENT", "SYN-RECEIVED"),     # SYN              client -> server
    ("ESTABLISHED", "SYN-RECEIVED"),  # SYN,ACK          server -> client
    ("ESTABLISHED", "ESTABLISHED"),   # ACK              client -> server
    ("ESTABLISHED", "ESTABLISHED"),   # 6 octets         client -> server
    ("ESTABLISHED", "ESTABLISHED"),   # ACK              server -> client
    ("CLOSE-WAIT", "FIN-WAIT-1"),     # FIN,ACK          server -> client
    ("CLOSE-WAIT", "FIN-WAIT-2"),     # ACK              client -> server
    ("LAST-ACK", "TIME-WAIT"),        # FIN,ACK          client -> server
    ("CLOSED", "TIME-WAIT"),          # ACK              server -> client
]


def address_of(text):
    """'10.200.0.1:42366' or '[fd00:200::1]:42766' -> ('10.200.0.1', 42366)."""
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


def run(tool, args):
    p = subprocess.run([tool] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        fail("%s %s: exit %d: %s" % (tool, " ".join(args), p.returncode, p.stderr))
    return p.stdout


def check_json(report, expected, name, truncated):
    segs = [s for c in report["connections"] for s in c["segments"]]
    if report["segments"] != len(expected) or len(segs) != len(expected):
        fail("%s: %d segments, the capture has %d" % (name, report["segments"], len(expected)))
    if len(report["connections"]) != 2:
        fail("%s: %d connections, the capture has 2" % (name, len(report["connections"])))
    if report["truncated"] != truncated:
        fail("%s: %d truncated, expected %d" % (name, report["truncated"], truncated))
    if report["anomalies"]:
        fail("%s: anomalies %s in a clean capture" % (name, report["anomalies"]))
    i = 0
    for conn in report["connections"]:
        a, b = address_of(conn["a"]), address_of(conn["b"])
        client = None
        for k, s in enumerate(conn["segments"]):
            src, sport, dst, dport, flags, seq, ack, length = expected[i]
            i += 1
            sender = a if s["from"] == "a" else b
            receiver = b if s["from"] == "a" else a
            if sender != (src, sport) or receiver != (dst, dport):
                fail("%s: segment %d goes %s -> %s, the capture says %s.%d > %s.%d"
                     % (name, i, sender, receiver, src, sport, dst, dport))
            got = (s["flags"], s["seq"], s["ack"], s["len"])
            if got != (flags, seq, ack, length):
                fail("%s: segment %d is %s, the capture says %s" % (name, i, got, (flags, seq, ack, length)))
            if k == 0:
                client = s["from"]
            c_state = s["after"][0 if client == "a" else 1]
            s_state = s["after"][1 if client == "a" else 0]
            if (c_state, s_state) != EXPECTED_STATES[k]:
                fail("%s: after segment %d (client, server) = %s, RFC 9293 says %s"
                     % (name, i, (c_state, s_state), EXPECTED_STATES[k]))
    # After the capture (within 2MSL): both servers in TIME-WAIT, both clients CLOSED.
    if report["summary"]["timewait"] != 2 or report["summary"]["estab"] != 0:
        fail("%s: summary %s, expected 2 in TIME-WAIT and none established" % (name, report["summary"]))


def read_pcap(path):
    data = open(path, "rb").read()
    magic, vmaj, vmin, _tz, _sig, snap, link = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4:
        fail("expected a little-endian microsecond pcap")
    records = []
    off = 24
    while off < len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[off:off + 16])
        records.append((sec, usec, data[off + 16:off + 16 + caplen], length))
        off += 16 + caplen
    return link, records


def write_pcap(path, link, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link))
        for sec, usec, frame, length in records:
            f.write(struct.pack("<IIII", sec, usec, len(frame), length))
            f.write(frame)


def write_pcapng(path, link, records):
    def block(kind, body):
        pad = (4 - len(body) % 4) % 4
        total = 12 + len(body) + pad
        return struct.pack("<II", kind, total) + body + b"\0" * pad + struct.pack("<I", total)

    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))  # section header
        f.write(block(1, struct.pack("<HHI", link, 0, 262144)))  # interface, microseconds
        for sec, usec, frame, length in records:
            ts = sec * 1000000 + usec
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), length) + frame))


def main():
    tool, pcap, txt, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    expected = expected_segments(txt)
    if len(expected) != 18:
        fail("read %d segments from %s, it describes 18" % (len(expected), txt))

    check_json(json.loads(run(tool, ["--json", pcap])), expected, "pcap", 0)

    link, records = read_pcap(pcap)
    if link != 1:
        fail("expected an Ethernet capture")
    variants = []
    # pcapng, same frames.
    path = os.path.join(work, "capture.pcapng")
    write_pcapng(path, 1, records)
    variants.append(("pcapng", path, 0))
    # Linux cooked SLL2 (276): protocol, reserved, ifindex, ARPHRD_ETHER, packet type, addr len, addr.
    sll2 = [(s, u, fr[12:14] + b"\0\0" + struct.pack(">IHBB", 2, 1, 0, 6) + fr[6:12] + b"\0\0" + fr[14:], ln + 6)
            for s, u, fr, ln in records]
    path = os.path.join(work, "capture_sll2.pcap")
    write_pcap(path, 276, sll2)
    variants.append(("sll2", path, 0))
    # An 802.1Q tag (VLAN 100).
    vlan = [(s, u, fr[:12] + b"\x81\x00\x00\x64" + fr[12:], ln + 4) for s, u, fr, ln in records]
    path = os.path.join(work, "capture_vlan.pcap")
    write_pcap(path, 1, vlan)
    variants.append(("vlan", path, 0))
    # Raw IP (LINKTYPE_RAW 101).
    raw = [(s, u, fr[14:], ln - 14) for s, u, fr, ln in records]
    path = os.path.join(work, "capture_raw.pcap")
    write_pcap(path, 101, raw)
    variants.append(("raw", path, 0))
    # Cut after each TCP header (IPv4 IHL or the IPv6 fixed header, then Data Offset).
    cut = []
    for s, u, fr, ln in records:
        ip = fr[14:]
        ip_len = (ip[0] & 0x0F) * 4 if ip[0] >> 4 == 4 else 40
        tcp_len = (ip[ip_len + 12] >> 4) * 4
        cut.append((s, u, fr[:14 + ip_len + tcp_len], ln))
    path = os.path.join(work, "capture_snaplen.pcap")
    write_pcap(path, 1, cut)
    variants.append(("snaplen", path, 2))  # the two segments with text lose it

    for name, path, truncated in variants:
        check_json(json.loads(run(tool, ["--json", path])), expected, name, truncated)

    # Text: the ss -s lines and a timeline line per segment.
    text = run(tool, [pcap])
    for needle in ("TCP:   2 (estab 0, closed 2, orphaned 0, timewait 2)", "anomalies: none",
                   "connection 1: A 10.200.0.1:42366  B 10.200.0.2:9999",
                   "connection 2: A [fd00:200::1]:42766  B [fd00:200::2]:9999"):
        if needle not in text:
            fail("text output lacks %r:\n%s" % (needle, text))
    if text.count(" A>B ") + text.count(" B>A ") != 18:
        fail("text output has not one timeline line per segment:\n" + text)

    # --svg: a ladder per connection, an arrow per segment (nine each).
    svg_dir = os.path.join(work, "svg")
    os.makedirs(svg_dir, exist_ok=True)
    run(tool, ["--svg", svg_dir, "--quiet", pcap])
    for n in (1, 2):
        svg = open(os.path.join(svg_dir, "conn-%d.svg" % n)).read()
        if svg.count('marker-end="url(#head)"') != 9:
            fail("conn-%d.svg: %d arrows, the connection has 9 segments" % (n, svg.count("marker-end")))
    print("tcpfsm-track: 18 segments, 2 connections, states as RFC 9293 3.6, in pcap, pcapng, SLL2, "
          "VLAN, raw IP and cut by a snap length")


if __name__ == "__main__":
    main()
