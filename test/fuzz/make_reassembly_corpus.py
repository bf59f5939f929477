#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_reassembly.cpp: test/fuzz/corpus/reassembly/.

Each seed is a readable program in the input layout fuzz_reassembly.cpp describes: the
capacity, the initial RCV.NXT, the ring's size, optional SYN text, then segments (at stream
positions: 0 is the initial RCV.NXT), reads and release(). They are committed and replayed as
the regression test fuzz.reassembly.corpus (python3 test/fuzz/make_reassembly_corpus.py).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CAPACITY = {0: 0, 1: 1, 3: 2, 8: 3}


def program(steps, capacity=8, base=1000, buffer=2048, syn=None, syn_fin=False):
    out = bytes([CAPACITY[capacity]]) + struct.pack("!IH", base, buffer - 1)
    start = (1 if syn is not None else 0) | (2 if syn_fin else 0)
    out += bytes([start])
    if syn is not None:
        out += struct.pack("!H", syn)
    for s in steps:
        out += s
    return out


def seg(pos, length, fin=False, tx=0):
    return struct.pack("!BHH", (4 if fin else 0) | (tx << 4), pos, length)


def read(n=0xFFFF):
    return struct.pack("!BHH", 2, n, 0)


RELEASE = struct.pack("!BHH", 3, 0, 0)


def stream(lengths, order, fin=True, tx=0, reads=True):
    """Segments of the given lengths, sent in `order`, the FIN on the last one."""
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    out = []
    for i in order:
        out.append(seg(starts[i], lengths[i], fin and i == len(lengths) - 1, tx))
        if reads:
            out.append(read())
    return out


def seeds():
    six = [3, 1, 4, 1, 5, 9]
    s = {}
    s["in_order"] = program(stream(six, range(6)))
    s["reversed"] = program(stream(six, reversed(range(6))))
    s["odd_then_even"] = program(stream(six, [1, 3, 5, 0, 2, 4]))
    s["across_2_32"] = program(stream(six, [5, 2, 0, 4, 1, 3]), base=0xFFFFFFF5)
    s["one_segment_spans_holes"] = program([seg(10, 5), seg(20, 5), seg(30, 5), seg(5, 35, tx=1),
                                            seg(0, 5), read(), seg(40, 1, fin=True)])
    s["duplicates_and_overlaps"] = program([seg(10, 10), seg(10, 10, tx=1), seg(15, 10, tx=2),
                                            seg(0, 12, tx=3), seg(0, 30, fin=True, tx=4), read()])
    s["fin_before_its_text"] = program([seg(10, 10, fin=True), seg(15, 10), seg(0, 10), read()])
    s["bare_fin_above"] = program([seg(50, 0, fin=True), seg(20, 10), seg(0, 20), seg(30, 20), read()])
    s["conflicting_fins"] = program([seg(30, 10), seg(44, 4), seg(50, 0, fin=True), seg(60, 0, fin=True),
                                     seg(40, 2, fin=True), seg(35, 0, fin=True), seg(0, 30), read()])
    s["capacity_1_retransmissions"] = program(stream(six, [5, 3, 1, 0, 2, 4]) + stream(six, range(6), tx=1),
                                              capacity=1)
    s["capacity_3_full"] = program([seg(10, 2), seg(20, 2), seg(30, 2), seg(40, 2, fin=True), seg(0, 10),
                                    seg(12, 8), read(), seg(22, 20, fin=True, tx=1), read()], capacity=3)
    s["capacity_0"] = program(stream(six, [2, 0, 1, 3, 5, 4]) + stream(six, range(6), tx=1), capacity=0)
    s["syn_text"] = program([seg(12, 4), RELEASE, read(), seg(6, 6), read(), seg(16, 0, fin=True)], syn=6)
    s["syn_text_and_fin"] = program([RELEASE, read()], syn=6, syn_fin=True)
    s["syn_text_capacity_0"] = program([RELEASE, seg(0, 6), read()], capacity=0, syn=6)
    s["window_edge"] = program([seg(0, 8), seg(12, 8, fin=True), seg(8, 8), read(4), seg(8, 12, fin=True, tx=1),
                                read(), seg(16, 4, fin=True, tx=2)], buffer=16)
    s["zero_window"] = program([seg(0, 4), seg(4, 1), seg(4, 0, fin=True), read(), seg(4, 0, fin=True)], buffer=4)
    return s


def main():
    out = os.path.join(HERE, "corpus", "reassembly")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.remove(os.path.join(out, name))
    s = seeds()
    for name, data in sorted(s.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("corpus: %d reassembly seeds" % len(s))


if __name__ == "__main__":
    main()
