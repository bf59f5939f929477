#!/usr/bin/env python3
"""Writes a pcap of CONNECTIONS TCP connections interleaved round-robin, 23 segments each
(handshake, eight 1000-octet data segments each acknowledged, a four-way close), as the
tracker benchmark builds them in memory (bench/tracker/tracker_bench.cpp): Ethernet, IPv4,
TCP, one microsecond apart. Frames are cut after the TCP header (snap length 54) unless
--full. For timing tcpfsm-track end to end (docs/tracker.md, "Throughput"):

    bench/tracker/generate_pcap.py 100000 /tmp/track.pcap
    time build/r/examples/track/tcpfsm-track --quiet /tmp/track.pcap
"""
import struct
import sys

ACK, SYN, FIN = 0x10, 0x02, 0x01
FROM_CLIENT = [True, False, True, True, False, True, False, True, False, True, False, True,
               False, True, False, True, False, True, False, True, False, False, True]


def segments(i):
    c = (1000 + i * 7919) & 0xFFFFFFFF
    v = (50000 + i * 104729) & 0xFFFFFFFF
    m = 0xFFFFFFFF
    s = [(c, 0, SYN, 0), (v, (c + 1) & m, SYN | ACK, 0), ((c + 1) & m, (v + 1) & m, ACK, 0)]
    for k in range(8):
        s.append(((c + 1 + k * 1000) & m, (v + 1) & m, ACK, 1000))
        s.append(((v + 1) & m, (c + 1 + (k + 1) * 1000) & m, ACK, 0))
    cf = (c + 1 + 8000) & m
    s += [(cf, (v + 1) & m, FIN | ACK, 0), ((v + 1) & m, (cf + 1) & m, ACK, 0),
          ((v + 1) & m, (cf + 1) & m, FIN | ACK, 0), ((cf + 1) & m, (v + 2) & m, ACK, 0)]
    return s


def main():
    args = [a for a in sys.argv[1:] if a != "--full"]
    full = "--full" in sys.argv
    if len(args) != 2:
        print(__doc__)
        return 2
    n, path = int(args[0]), args[1]
    per = [segments(i) for i in range(n)]
    t_ns = 1_000_000_000
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for k in range(23):
            for i in range(n):
                seq, ack, flags, length = per[i][k]
                client = struct.pack("!I", 0x0A000000 + (i >> 12))
                server = struct.pack("!I", 0x0A100001)
                cport, sport = 1024 + (i & 0xFFF), 80
                if FROM_CLIENT[k]:
                    src, dst, sp, dp = client, server, cport, sport
                else:
                    src, dst, sp, dp = server, client, sport, cport
                t_ns += 1000
                wire = 54 + length
                cap = wire if full else 54
                eth = bytes(range(12)) + b"\x08\x00"
                ip = struct.pack("!BBHIBBH4s4s", 0x45, 0, 40 + length, 0x40000000, 64, 6, 0, src, dst)
                tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 0x50, flags, 512, 0, 0)
                f.write(struct.pack("<IIII", t_ns // 1_000_000_000, t_ns % 1_000_000_000, cap, wire))
                f.write(eth + ip + tcp + (b"a" * length if full else b""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
