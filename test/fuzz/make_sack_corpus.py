#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_sack.cpp: test/fuzz/corpus/sack/.

Each seed is a readable program in the input layout fuzz_sack.cpp describes: the capacity,
the initial SND.UNA, SMSS - 1, then steps (new data, ACKs with SACK blocks near SND.UNA or
raw, timeouts, transmissions through NextSeg()). They are committed and replayed as the
regression test fuzz.sack.corpus (python3 test/fuzz/make_sack_corpus.py).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CAPACITY = {1: 0, 2: 1, 4: 2, 16: 3}


def program(steps, capacity=16, una=1000, smss=100):
    out = bytes([CAPACITY[capacity]]) + struct.pack("!IB", una, smss - 1)
    for s in steps:
        out += s
    return out


def send(n):
    return struct.pack("!BH", 0, n)


def ack(offset, blocks=(), raw_ack=None, raw_blocks=False):
    """An ACK at SND.UNA + offset (or a raw SEG.ACK); blocks as (left offset from SND.UNA,
    length) pairs, or (left, right) raw values with raw_blocks."""
    op = 1 | (len(blocks) << 5) | (4 if raw_ack is not None else 0) | (8 if raw_blocks else 0)
    out = bytes([op])
    out += struct.pack("!I", raw_ack) if raw_ack is not None else struct.pack("!H", offset)
    for a, b in blocks:
        out += struct.pack("!II", a, b) if raw_blocks else struct.pack("!HH", a + 64, b)
    return out


def timeout(clear=False):
    return bytes([2 | (4 if clear else 0)])


def transmit(count=7, unsent=0):
    return struct.pack("!BBH", 3, count, unsent)


def probe(unsent=0):
    """The PTO fires: a TLP probe (new data when unsent > 0)."""
    return struct.pack("!BH", 3 | 4, unsent)


def rack_timer():
    return bytes([2 | 8])


def wait(ms):
    return struct.pack("!BB", 2 | 16, ms)


def seeds():
    s = {}
    # Ten segments of 100; the first lost; three ACKs SACK the next three: recovery.
    s["third_dupack"] = program([send(500), send(500), ack(0, [(100, 100)]), ack(0, [(100, 200)]),
                                 ack(0, [(100, 300)]), transmit(), ack(1000)])
    # Three holes at once: IsLost(HighACK + 1) on the first ACK, NextSeg's rules, the rescue.
    s["three_holes"] = program([send(500), send(500), ack(0, [(500, 100), (300, 100), (100, 100)]),
                                transmit(7, 0), ack(0, [(700, 100)]), transmit(7, 300), ack(200),
                                transmit(), ack(1000)])
    # D-SACK blocks below SEG.ACK and inside the second block.
    s["dsack"] = program([send(500), ack(200, [(0, 100), (300, 100)]), ack(0, [(350, 20), (300, 100)])])
    # Reneging: the cumulative ACK lands on a SACKed range; then a timeout clears it.
    s["reneging"] = program([send(500), ack(0, [(200, 100)]), ack(200), ack(250), timeout(clear=True),
                             transmit(), ack(500)])
    # Capacity 1 and 2: more holes than ranges.
    holes = [ack(0, [(100 * k, 50)]) for k in range(1, 9)]
    s["capacity_1"] = program([send(500), send(500)] + holes + [transmit(), ack(1000)], capacity=1)
    s["capacity_2"] = program([send(500), send(500)] + holes + [transmit(), ack(1000)], capacity=2)
    # Invalid blocks: reversed, past SND.NXT, straddling SND.UNA, huge; raw values.
    s["invalid_blocks"] = program([send(500), ack(0, [(300, 0), (400, 400), (0, 100)]),
                                   ack(0, [(0xFFFFF000, 0x00001000), (5, 3), (1400, 1500), (1000, 2000)],
                                       raw_blocks=True)])
    # Across 2^32.
    s["wrap"] = program([send(500), send(500), ack(0, [(300, 100), (600, 100), (900, 50)]), transmit(),
                         ack(700), ack(1000)], una=0xFFFFFE00)
    # A timeout during recovery, then the guard until RecoveryPoint.
    s["timeout_in_recovery"] = program([send(500), ack(0, [(100, 50), (200, 50), (300, 50)]), timeout(),
                                        ack(0, [(400, 50)]), send(200), ack(500),
                                        ack(0, [(600, 10), (620, 10), (640, 10)])])
    # SMSS 1 and an old SEG.ACK.
    s["smss_1"] = program([send(20), ack(0, [(5, 1), (7, 1), (9, 1)]), transmit(), ack(0, [], raw_ack=0)],
                          smss=1, una=0)
    # Found by the fuzzer: pipe before any ACK, with SND.UNA 2^31 away from 0 (HighRxt must
    # not be taken from before the first ACK).
    s["pipe_before_any_ack"] = program([send(194), timeout(), ack(0, [(20, 5)])], capacity=4, una=0x80000000,
                                       smss=1)
    # RACK: segments sent a few ms apart, a later one SACKed after an RTT, the reordering
    # timer, retransmissions; then a tail loss probed by TLP.
    s["rack_and_tlp"] = program([send(100), wait(1), send(100), wait(1), send(100), wait(1), send(100),
                                 wait(20), ack(0, [(300, 100)]), wait(2), rack_timer(), transmit(),
                                 wait(20), ack(400), send(200), wait(40), probe(), wait(20),
                                 ack(600, [(500, 100)]), wait(40), probe(300), ack(900)])
    return s


def main():
    out = os.path.join(HERE, "corpus", "sack")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.remove(os.path.join(out, name))
    s = seeds()
    for name, data in sorted(s.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("corpus: %d sack seeds" % len(s))


if __name__ == "__main__":
    main()
