#!/usr/bin/env python3
"""Spoofed SYNs for test/interop/syn_flood.sh: IPv4 SYNs from random sources in a /24 that
nobody owns (so nobody answers the SYN,ACKs), sent through a raw socket (IP_HDRINCL) inside
the test's network namespace; the kernel routes them into the TUN device.

usage: syn_flood.py DST_ADDR DST_PORT SRC_PREFIX COUNT PER_SECOND   (SRC_PREFIX: "10.77.0.")
"""
import random
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src: str, dst: str, sport: int, dport: int, seq: int) -> bytes:
    options = struct.pack("!BBH", 2, 4, 1460)  # MSS 1460
    offset_words = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, offset_words << 4, 0x02, 65535, 0, 0) + options
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def main() -> None:
    dst, dport, prefix, count, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP_HDRINCL implied
    start = time.monotonic()
    for i in range(count):
        src = prefix + str(random.randint(100, 250))
        s.sendto(syn(src, dst, random.randint(1024, 65535), dport, random.getrandbits(32)), (dst, 0))
        ahead = start + (i + 1) / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    print("FLOOD sent=%d seconds=%.2f" % (count, time.monotonic() - start), flush=True)


if __name__ == "__main__":
    main()
