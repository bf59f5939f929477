#!/usr/bin/env python3
"""Compiles the C++ snippets of README.md as one translation unit and runs it, so that the
README cannot drift from the code. Usage: check_readme_snippets.py README CXX INCLUDE_DIR WORK_DIR"""
import re
import subprocess
import sys


def main() -> int:
    readme, cxx, include_dir, work = sys.argv[1:5]
    text = open(readme, encoding="utf-8").read()
    blocks = re.findall(r"```cpp\n(.*?)```", text, re.S)
    if len(blocks) < 2:
        print(f"expected at least two ```cpp blocks in {readme}, found {len(blocks)}")
        return 1
    source = "#include <tcpfsm/tcpfsm.hpp>\n"
    for block in blocks:
        source += re.sub(r"#include <tcpfsm/tcpfsm.hpp>.*\n", "", block) + "\n"
    # The quick start defines on_event(); check one row with it (RFC 9293 §3.10.7.2: a SYN
    # in LISTEN leads to SYN-RECEIVED).
    source += ("int main() { return on_event(tcpfsm::state::listen, tcpfsm::event::rcv_syn) == "
               "tcpfsm::state::syn_received ? 0 : 1; }\n")
    cpp = f"{work}/readme_snippets.cpp"
    exe = f"{work}/readme_snippets"
    open(cpp, "w", encoding="utf-8").write(source)
    flags = ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wshadow", "-Werror",
             "-fno-exceptions", "-fno-rtti", f"-I{include_dir}"]
    built = subprocess.run([cxx, *flags, cpp, "-o", exe])
    if built.returncode != 0:
        print(f"the README's snippets do not compile (see {cpp})")
        return 1
    ran = subprocess.run([exe])
    if ran.returncode != 0:
        print("the README's quick start gives the wrong next state for (LISTEN, rcv_syn)")
        return 1
    print(f"{len(blocks)} README snippets compile and run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
