#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets: test/fuzz/corpus/wire/ and corpus/engine/.

The seeds are generated here, from readable descriptions, so that the corpus can be reviewed
and regenerated (python3 test/fuzz/make_corpus.py); they are committed and replayed as
ordinary regression tests (fuzz.<target>.corpus).

wire:   IPv4 and IPv6 packets carrying TCP with every option tcpfsm parses (MSS, window
        scale, SACK-permitted, timestamps), unknown options, NOP/EOL padding, text, and the
        malformed cases the parser rejects (truncation, Data Offset, option lengths,
        checksums, fragments, other protocols, IPv6 extension headers), plus bare segments.
engine: programs for fuzz_engine.cpp (see the input layout there): handshakes, data,
        closes of every kind, loss, duplication, spoofed RST/SYN/ACK/data, zero windows,
        keepalive, delayed ACK, user timeout, TIME-WAIT reopen, sequence-number wrap.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ------------------------------------------------------------------------------- wire seeds


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def tcp(seq=1000, ack=0, flags=SYN, window=65535, options=b"", text=b"", sport=40000, dport=80,
        data_offset=None, urgent=0):
    opts = options + b"\0" * (-len(options) % 4)
    off = data_offset if data_offset is not None else (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, window, 0, urgent)
    return hdr + opts + text


def opt_mss(v):
    return struct.pack("!BBH", 2, 4, v)


def opt_ws(v):
    return struct.pack("!BBB", 3, 3, v)


SACK_OK = struct.pack("!BB", 4, 2)


def opt_ts(a, b):
    return struct.pack("!BBII", 8, 10, a, b)


NOP, EOL = b"\x01", b"\x00"

SRC4, DST4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7])
SRC6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
DST6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2])


def with_tcp_checksum(seg, pseudo):
    c = csum(pseudo + seg[:16] + b"\0\0" + seg[18:])
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def ipv4(seg, proto=6, flags_frag=0x4000, good_tcp_checksum=True, ihl=5, total=None, ip_options=b""):
    if proto == 6 and good_tcp_checksum:
        seg = with_tcp_checksum(seg, SRC4 + DST4 + struct.pack("!BBH", 0, 6, len(seg)))
    hl = ihl * 4
    tl = total if total is not None else hl + len(seg)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tl, 0x1234, flags_frag, 64, proto, 0, SRC4, DST4)
    hdr += ip_options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + seg


def ipv6(seg, next_header=6, good_tcp_checksum=True, payload_length=None):
    if next_header == 6 and good_tcp_checksum:
        seg = with_tcp_checksum(seg, SRC6 + DST6 + struct.pack("!IxxxB", len(seg), 6))
    pl = payload_length if payload_length is not None else len(seg)
    return struct.pack("!IHBB", 0x60000000, pl, next_header, 64) + SRC6 + DST6 + seg


def wire_seeds():
    linux_syn = opt_mss(1460) + SACK_OK + opt_ts(123456, 0) + NOP + opt_ws(7)
    s = {}
    s["v4_syn_linux_options"] = ipv4(tcp(options=linux_syn))
    s["v4_syn_mss_only"] = ipv4(tcp(options=opt_mss(536)))
    s["v4_synack"] = ipv4(tcp(seq=5000, ack=1001, flags=SYN | ACK, options=opt_mss(1400) + NOP + opt_ws(2)))
    s["v4_ack"] = ipv4(tcp(seq=1001, ack=5001, flags=ACK))
    s["v4_data"] = ipv4(tcp(seq=1001, ack=5001, flags=ACK | PSH, text=b"hello, tcpfsm"))
    s["v4_data_timestamps"] = ipv4(tcp(seq=1001, ack=5001, flags=ACK | PSH, options=NOP + NOP + opt_ts(7, 8), text=b"x" * 100))
    s["v4_fin_ack"] = ipv4(tcp(seq=1014, ack=5001, flags=FIN | ACK))
    s["v4_rst"] = ipv4(tcp(seq=5001, flags=RST, window=0))
    s["v4_rst_ack"] = ipv4(tcp(seq=0, ack=1001, flags=RST | ACK, window=0))
    s["v4_urg_ece_cwr"] = ipv4(tcp(seq=1, ack=2, flags=ACK | URG | 0x40 | 0x80, urgent=5, text=b"urgent"))
    s["v4_sack_blocks_unknown"] = ipv4(tcp(flags=ACK, options=NOP + NOP + struct.pack("!BBII", 5, 10, 100, 200)))
    s["v4_unknown_options"] = ipv4(tcp(options=struct.pack("!BB", 30, 4) + b"\xab\xcd" + struct.pack("!BB", 254, 2)))
    s["v4_eol_then_garbage"] = ipv4(tcp(options=opt_mss(1200) + EOL + b"\x02\x01\xff"))
    s["v4_mss_wrong_length"] = ipv4(tcp(options=struct.pack("!BBB", 2, 3, 5) + NOP))
    s["v4_max_options"] = ipv4(tcp(options=(NOP * 2 + opt_ts(1, 2)) * 3 + opt_mss(1460) + NOP * 0))
    s["v4_ip_options"] = ipv4(tcp(flags=ACK), ihl=6, ip_options=b"\x01\x01\x01\x00")
    s["v4_bad_option_length_0"] = ipv4(tcp(options=b"\x08\x00\x00\x00"))
    s["v4_bad_option_overrun"] = ipv4(tcp(options=b"\x08\x0a\x00\x00"))
    s["v4_bad_tcp_checksum"] = ipv4(tcp(flags=ACK), good_tcp_checksum=False)
    s["v4_bad_data_offset_small"] = ipv4(tcp(flags=ACK, data_offset=4))
    s["v4_bad_data_offset_large"] = ipv4(tcp(flags=ACK, data_offset=15))
    s["v4_fragment"] = ipv4(tcp(flags=ACK), flags_frag=0x2000)
    s["v4_udp"] = ipv4(struct.pack("!HHHH", 53, 53, 8, 0), proto=17)
    s["v4_truncated_total_length"] = ipv4(tcp(flags=ACK), total=200)
    s["v4_short"] = ipv4(tcp(flags=ACK))[:30]
    s["v4_padding_after_total_length"] = ipv4(tcp(flags=ACK)) + b"\0" * 6
    s["v6_syn"] = ipv6(tcp(options=linux_syn))
    s["v6_data"] = ipv6(tcp(seq=0xFFFFFFF0, ack=7, flags=ACK | PSH, text=bytes(range(64))))
    s["v6_hop_by_hop"] = ipv6(b"\x06\x00" + b"\0" * 6 + tcp(flags=ACK), next_header=0, good_tcp_checksum=False)
    s["v6_bad_checksum"] = ipv6(tcp(flags=ACK), good_tcp_checksum=False)
    s["v6_truncated"] = ipv6(tcp(flags=ACK), payload_length=400)
    s["v6_icmp"] = ipv6(b"\x80\x00\x00\x00\x00\x01\x00\x01", next_header=58)
    s["bare_tcp_syn"] = tcp(options=linux_syn)
    s["bare_tcp_short"] = tcp(flags=ACK)[:19]
    s["version_5"] = b"\x50" + b"\0" * 39
    s["empty"] = b""
    return s


# ------------------------------------------------------------------------------- engine seeds
# fuzz_engine.cpp's input: config, MSS, ISS A, ISS B, then steps.
A, B = 0, 1
OPEN_ACTIVE, OPEN_PASSIVE, SEND, RECEIVE, CLOSE, RELEASE, ABORT, STATUS = range(8)
KEEPALIVE, DELAYED_ACK, NO_NAGLE, ABORTIVE, NO_REOPEN, SMALL_BUFFER, USER_TIMEOUT, NO_FW2_TIMEOUT = (1 << i for i in range(8))


def deliver(i=0):
    return [0, i]


def drop(i=0):
    return [1, i]


def duplicate(i=0):
    return [2, i]


def call(who, what, arg=0):
    return [4, who, what, arg]


def advance(ms):
    return [5, min(255, ms // 10)]


DEADLINE = [6]
PUMP = [7]


def near(delta):
    """A number at RCV.NXT / SND.UNA + delta, -128 =< delta < 128."""
    return [0, (delta + 128) & 0xFF]


def anywhere(v):
    return [3] + list(struct.pack("!I", v))


def inject(who, flags, seq=near(0), ack=near(0), length=0, window=65535, mss=None):
    out = [3, who, flags] + seq + ack + [length // 8] + list(struct.pack("!H", window))
    if flags & SYN:
        out += list(struct.pack("!H", mss if mss is not None else 1460))
    return out


def program(steps, config=0, mss=0, iss_a=1000, iss_b=5000):
    out = [config, mss] + list(struct.pack("!II", iss_a, iss_b))
    for s in steps:
        out += s
    return bytes(out)


HANDSHAKE = [call(B, OPEN_PASSIVE), call(A, OPEN_ACTIVE), PUMP, PUMP, PUMP]
CLOSE_BOTH = [call(A, RELEASE), PUMP, PUMP, call(B, RECEIVE, 255), call(B, RELEASE), PUMP, PUMP, DEADLINE]


def engine_seeds():
    s = {}
    s["handshake"] = program(HANDSHAKE)
    s["handshake_data_close"] = program(HANDSHAKE + [call(A, SEND, 10), PUMP, PUMP] + CLOSE_BOTH)
    s["data_both_ways"] = program(HANDSHAKE + [call(A, SEND, 100), call(B, SEND, 40), PUMP, PUMP, PUMP,
                                               call(A, RECEIVE, 255), call(B, RECEIVE, 255), PUMP] + CLOSE_BOTH)
    s["simultaneous_open"] = program([call(A, OPEN_ACTIVE), call(B, OPEN_ACTIVE), PUMP, PUMP, PUMP, PUMP])
    s["simultaneous_close"] = program(HANDSHAKE + [call(A, CLOSE), call(B, CLOSE), PUMP, PUMP, PUMP, DEADLINE, DEADLINE])
    s["half_close"] = program(HANDSHAKE + [call(A, CLOSE), PUMP, PUMP, call(B, SEND, 5), PUMP, PUMP,
                                           call(B, CLOSE), PUMP, PUMP, DEADLINE])
    s["lost_syn"] = program([call(B, OPEN_PASSIVE), call(A, OPEN_ACTIVE), drop(), DEADLINE, PUMP, PUMP, PUMP])
    s["lost_synack_dup_syn"] = program([call(B, OPEN_PASSIVE), call(A, OPEN_ACTIVE), duplicate(), deliver(),
                                        drop(), drop(), DEADLINE, PUMP, PUMP, PUMP])
    s["syn_give_up"] = program([call(A, OPEN_ACTIVE)] + [drop(), DEADLINE] * 5)
    s["refused"] = program([call(A, OPEN_ACTIVE), PUMP, PUMP])
    s["retransmission_exhausted"] = program(HANDSHAKE + [call(A, SEND, 4)] + [drop(), DEADLINE] * 8)
    s["reorder_data"] = program(HANDSHAKE + [call(A, SEND, 200), deliver(1), deliver(0), PUMP, PUMP], mss=1)
    s["rst_exact"] = program(HANDSHAKE + [inject(B, RST, near(0), near(0))])
    s["rst_in_window"] = program(HANDSHAKE + [inject(B, RST, near(5), near(0)), PUMP, inject(A, RST, near(0), near(0)), PUMP])
    s["rst_out_of_window"] = program(HANDSHAKE + [inject(B, RST | ACK, anywhere(0x80000000), anywhere(0))])
    s["syn_in_established"] = program(HANDSHAKE + [inject(B, SYN, near(-1), near(0)), PUMP, PUMP])
    s["old_ack_challenge"] = program(HANDSHAKE + [inject(B, ACK, near(0), [1, 0x00, 0x10]), PUMP, PUMP])
    s["spoofed_data"] = program(HANDSHAKE + [inject(B, ACK | PSH, near(0), near(0), length=64), PUMP, PUMP,
                                             inject(B, ACK | PSH, near(10), near(0), length=64), PUMP])
    s["data_beyond_window"] = program(HANDSHAKE + [inject(B, ACK, [2, 5], near(0), length=200), PUMP], config=SMALL_BUFFER)
    s["fin_out_of_order"] = program(HANDSHAKE + [inject(B, FIN | ACK, near(3), near(0)), PUMP, PUMP])
    s["zero_window_persist"] = program(HANDSHAKE + [call(A, SEND, 255), PUMP, PUMP, PUMP, DEADLINE, PUMP, DEADLINE, PUMP,
                                                    call(B, RECEIVE, 255), PUMP, PUMP, DEADLINE, PUMP], config=SMALL_BUFFER)
    s["keepalive"] = program(HANDSHAKE + [DEADLINE, PUMP, PUMP, DEADLINE, drop(), DEADLINE, drop(), DEADLINE, drop(),
                                          DEADLINE, DEADLINE, PUMP], config=KEEPALIVE)
    s["delayed_ack"] = program(HANDSHAKE + [call(A, SEND, 3), PUMP, DEADLINE, PUMP, call(A, SEND, 200), PUMP, PUMP],
                               config=DELAYED_ACK, mss=200)
    s["user_timeout"] = program(HANDSHAKE + [call(A, SEND, 8)] + [drop(), DEADLINE] * 4, config=USER_TIMEOUT)
    s["abortive_close"] = program(HANDSHAKE + [call(A, CLOSE), PUMP, PUMP], config=ABORTIVE)
    s["nagle_off_small_mss"] = program(HANDSHAKE + [call(A, SEND, 40), PUMP, PUMP, PUMP, PUMP], config=NO_NAGLE, mss=10)
    s["fin_wait_2_timeout"] = program(HANDSHAKE + [call(A, RELEASE), PUMP, drop(), advance(2550), DEADLINE, PUMP])
    s["fin_wait_2_strict"] = program(HANDSHAKE + [call(A, RELEASE), PUMP, drop(), DEADLINE, DEADLINE], config=NO_FW2_TIMEOUT)
    s["time_wait_reopen"] = program(HANDSHAKE + [call(B, RELEASE), PUMP, PUMP, call(A, RELEASE), PUMP, PUMP,
                                                 call(A, OPEN_ACTIVE), PUMP, PUMP, PUMP])
    s["time_wait_no_reopen"] = program(HANDSHAKE + [call(B, RELEASE), PUMP, PUMP, call(A, RELEASE), PUMP, PUMP,
                                                    inject(B, SYN, near(100), near(0)), PUMP], config=NO_REOPEN)
    s["half_open"] = program(HANDSHAKE + [call(A, ABORT), drop(), call(A, OPEN_ACTIVE), PUMP, PUMP, PUMP, PUMP])
    s["abort_listen_status"] = program([call(A, STATUS), call(B, OPEN_PASSIVE), call(B, STATUS), call(B, SEND, 1),
                                        PUMP, PUMP, call(B, ABORT), PUMP, call(A, CLOSE)])
    s["wrap_2_32"] = program(HANDSHAKE + [call(A, SEND, 255), call(B, SEND, 255), PUMP, PUMP, PUMP, PUMP] + CLOSE_BOTH,
                             iss_a=0xFFFFFF00, iss_b=0xFFFFFFF0)
    s["syn_with_data_and_fin"] = program([call(B, OPEN_PASSIVE), inject(B, SYN | FIN, anywhere(77), anywhere(0), length=16),
                                          PUMP, PUMP])
    s["stale_segments_after_close"] = program(HANDSHAKE + [call(A, SEND, 2), duplicate(), PUMP, PUMP] + CLOSE_BOTH +
                                              [DEADLINE, inject(A, ACK, near(-2), near(-2), length=8), PUMP])
    return s


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return len(seeds)


def main():
    n = write("wire", wire_seeds())
    m = write("engine", engine_seeds())
    print("corpus: %d wire seeds, %d engine seeds" % (n, m))
    return 0


if __name__ == "__main__":
    sys.exit(main())
