#!/usr/bin/env python3
# The kernel's end of a bulk transfer through tcpfsm_relay (test/relay, bench/kernel): a plain
# socket program, one connection, timed by the kernel's side.
#
#   kernel_peer.py server ADDR PORT send|receive FILE [--timeout S] [--cc NAME] [--ready-file PATH]
#   kernel_peer.py client ADDR PORT send|receive FILE [--timeout S] [--cc NAME]
#
#   send     sends FILE, then shuts down its sending side (FIN) and reads until the peer's FIN
#   receive  reads until the peer's FIN (writing what arrives to FILE, or nowhere for "-"),
#            then closes
#
# --cc NAME sets the socket's congestion control (TCP_CONGESTION; the listener's, which the
# accepted socket inherits): the namespace's default is the machine's (bbr on some hosts,
# cubic in Linux's own default), and a namespace may only choose among the allowed ones,
# while a socket of root may use any available one. It fails if NAME cannot be set.
#
# Prints one line:  RESULT role=R op=O octets=N sha256=H seconds=S cc=NAME
# where octets and sha256 are what it sent or received (hashlib), seconds runs from the
# connection's establishment (accept() or connect() returning) to the peer's FIN (recv()
# returning b"") and cc is the connection's congestion control. A server writes --ready-file
# once it listens. Exit status 0, or 1 on an error or a timeout (the message on stderr).
# SPDX-License-Identifier: MIT
import argparse
import hashlib
import socket
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("role", choices=["server", "client"])
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("op", choices=["send", "receive"])
    ap.add_argument("file")
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--ready-file", default="")
    ap.add_argument("--cc", default="")
    a = ap.parse_args()
    family = socket.AF_INET6 if ":" in a.addr else socket.AF_INET

    def choose_cc(sock):
        if a.cc:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, a.cc.encode())

    try:
        if a.role == "server":
            ls = socket.socket(family, socket.SOCK_STREAM)
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            choose_cc(ls)
            ls.bind((a.addr, a.port))
            ls.listen(1)
            ls.settimeout(a.timeout)
            if a.ready_file:
                with open(a.ready_file, "w") as f:
                    f.write("ready\n")
            conn, _ = ls.accept()
            ls.close()
        else:
            conn = socket.socket(family, socket.SOCK_STREAM)
            choose_cc(conn)
            conn.settimeout(a.timeout)
            conn.connect((a.addr, a.port))
        start = time.monotonic()
        cc = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).split(b"\0", 1)[0].decode()
        conn.settimeout(a.timeout)
        h = hashlib.sha256()
        octets = 0
        if a.op == "send":
            with open(a.file, "rb") as f:
                data = f.read()
            conn.sendall(data)
            h.update(data)
            octets = len(data)
            conn.shutdown(socket.SHUT_WR)
            while conn.recv(65536):
                pass
        else:
            out = None if a.file == "-" else open(a.file, "wb")
            while True:
                b = conn.recv(262144)
                if not b:
                    break
                h.update(b)
                octets += len(b)
                if out is not None:
                    out.write(b)
            if out is not None:
                out.close()
        seconds = time.monotonic() - start
        conn.close()
    except OSError as e:  # socket.timeout is an OSError
        print(f"kernel_peer: {a.role} {a.op}: {e}", file=sys.stderr)
        return 1
    print(f"RESULT role={a.role} op={a.op} octets={octets} sha256={h.hexdigest()} seconds={seconds:.4f} cc={cc}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
