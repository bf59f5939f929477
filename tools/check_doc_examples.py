#!/usr/bin/env python3
"""Compiles every ```cpp block of a Markdown file as its own program and runs the ones that
have a main(), so that the examples of docs/api.md cannot drift from the headers. A block
without main() gets an empty one (its static_asserts are the check). Flags: C++17, strict
warnings as errors, no exceptions, no RTTI.

Usage: check_doc_examples.py DOC CXX INCLUDE_DIR WORK_DIR
Exit status: 0 when every block compiles and every program returns 0, 1 otherwise."""
import os
import re
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    doc, cxx, include_dir, work = sys.argv[1:5]
    text = open(doc, encoding="utf-8").read()
    blocks = re.findall(r"```cpp\n(.*?)```", text, re.S)
    if not blocks:
        print(f"no ```cpp blocks in {doc}")
        return 1
    os.makedirs(work, exist_ok=True)
    flags = ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wshadow", "-Werror",
             "-fno-exceptions", "-fno-rtti", f"-I{include_dir}"]
    failures = 0
    for n, block in enumerate(blocks, 1):
        # The line of the block in the doc, for the messages.
        line = text[: text.find(block)].count("\n") + 1
        runs = re.search(r"\bint\s+main\s*\(", block) is not None
        source = block if runs else block + "\nint main() { return 0; }\n"
        cpp = os.path.join(work, f"doc_example_{n}.cpp")
        exe = os.path.join(work, f"doc_example_{n}")
        with open(cpp, "w", encoding="utf-8") as f:
            f.write(f"// {doc}:{line}\n{source}")
        built = subprocess.run([cxx, *flags, cpp, "-o", exe])
        if built.returncode != 0:
            print(f"{doc}:{line}: example {n} does not compile ({cpp})")
            failures += 1
            continue
        if runs:
            ran = subprocess.run([exe], stdout=subprocess.DEVNULL)
            if ran.returncode != 0:
                print(f"{doc}:{line}: example {n} returns {ran.returncode}")
                failures += 1
    if failures:
        return 1
    print(f"{len(blocks)} examples of {doc} compile, and the programs among them return 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
