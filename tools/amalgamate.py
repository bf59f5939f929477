#!/usr/bin/env python3
"""Generate the single-header edition of tcpfsm.

    python3 tools/amalgamate.py            write single_include/tcpfsm/
    python3 tools/amalgamate.py --check    exit 1 (with a diff summary) if the committed
                                           single_include/ differs from what would be written

single_include/tcpfsm/tcpfsm.hpp is include/tcpfsm/tcpfsm.hpp with every project header it
includes ("x.hpp" or <tcpfsm/x.hpp> naming a file in include/tcpfsm/) inlined, recursively
and once each. System includes stay where they are; a repeated one is dropped. The inlined
headers lose their own #ifndef/#endif guard, so the result has one outer guard (the one of
tcpfsm.hpp), but their guard macros stay #defined, so that a split header included after
the single one is a no-op.

Optional headers (include/tcpfsm/*.hpp not reachable from tcpfsm.hpp, e.g. ostream.hpp)
are copied next to it, with a banner, so that `-I single_include` serves them too. An
#include of an inlined core header inside them is redirected to "tcpfsm.hpp".

Output is deterministic: files in sorted order, no timestamps. Standard library only.
"""

import argparse
import difflib
import hashlib
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)\s*(//.*|/\*.*)?$')
IFNDEF_RE = re.compile(r"^\s*#\s*ifndef\s+(\w+)\s*$")
DEFINE_RE = re.compile(r"^\s*#\s*define\s+(\w+)\s*$")
ENDIF_RE = re.compile(r"^\s*#\s*endif\b")
COND_OPEN_RE = re.compile(r"^\s*#\s*if(?:n?def)?\b")
VERSION_RE = re.compile(r'^\s*#\s*define\s+TCPFSM_VERSION_STRING\s+"([^"]+)"', re.M)

ROOT_HEADER = "tcpfsm.hpp"
HEADER_DIR = os.path.join("include", "tcpfsm")
OUTPUT_DIR = os.path.join("single_include", "tcpfsm")
REGENERATE = "python3 tools/amalgamate.py"


class AmalgamationError(Exception):
    pass


def read_text(path):
    with open(path, "r", encoding="utf-8", newline="") as f:
        text = f.read()
    # Normalise line endings so the output does not depend on a checkout's settings.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def project_header(header_dir, name_quoted, name_angled):
    """The file name in include/tcpfsm/ an include directive names, or None for a system header.
    A quoted include, or <tcpfsm/...>, must name a file there: anything else is an error."""
    if name_quoted is not None:
        candidate = name_quoted
    elif name_angled.startswith("tcpfsm/"):
        candidate = name_angled[len("tcpfsm/"):]
    else:
        return None
    if "/" in candidate or not os.path.isfile(os.path.join(header_dir, candidate)):
        raise AmalgamationError("#include of '%s' names no file in %s" % (name_quoted or name_angled, HEADER_DIR))
    return candidate


def split_guard(name, lines):
    """Return (guard_macro, first_body_index, endif_index) of the file's include guard."""
    code = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("//")]
    if len(code) < 3:
        raise AmalgamationError("%s: too short to have an include guard" % name)
    opening = IFNDEF_RE.match(lines[code[0]])
    defining = DEFINE_RE.match(lines[code[1]])
    closing = ENDIF_RE.match(lines[code[-1]])
    if not (opening and defining and closing and opening.group(1) == defining.group(1)):
        raise AmalgamationError(
            "%s: expected an include guard (#ifndef X / #define X ... #endif) around the whole file" % name)
    return opening.group(1), code[0], code[1], code[-1]


class Amalgamator:
    def __init__(self, root):
        self.root = root
        self.header_dir = os.path.join(root, HEADER_DIR)
        self.inlined = []  # project headers in the order they were inlined
        self.system_includes = set()

    def project_includes(self, name):
        """Names of the project headers `name` includes directly."""
        found = []
        for line in read_text(os.path.join(self.header_dir, name)).split("\n"):
            m = INCLUDE_RE.match(line)
            if m:
                header = project_header(self.header_dir, m.group(1), m.group(2))
                if header is not None:
                    found.append(header)
        return found

    def reachable_from(self, name):
        seen = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            pending.extend(self.project_includes(current))
        return seen

    def expand(self, name, outer):
        """Lines of `name` with project includes inlined. `outer`: keep this file's guard."""
        self.inlined.append(name)
        lines = read_text(os.path.join(self.header_dir, name)).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        guard, ifndef_at, define_at, endif_at = split_guard(name, lines)
        out = []
        if not outer:
            out.append("// ---- begin %s/%s ----" % (HEADER_DIR.replace(os.sep, "/"), name))
        depth = 0  # conditional nesting inside the guard
        for i, line in enumerate(lines):
            if i == ifndef_at or i == endif_at:
                if outer:
                    out.append(line)
                continue
            if i == define_at:
                out.append(line if outer else "#define %s  // guard of the split header" % guard)
                continue
            if COND_OPEN_RE.match(line):
                depth += 1
            elif ENDIF_RE.match(line):
                depth -= 1
            m = INCLUDE_RE.match(line)
            if m is None:
                out.append(line)
                continue
            header = project_header(self.header_dir, m.group(1), m.group(2))
            if header is None:
                # A repeated system include is dropped, unless it is inside a conditional.
                if depth != 0:
                    out.append(line)
                elif m.group(2) not in self.system_includes:
                    self.system_includes.add(m.group(2))
                    out.append(line)
                continue
            if depth != 0:
                raise AmalgamationError(
                    "%s line %d: #include of %s inside #if cannot be inlined once" % (name, i + 1, header))
            if header in self.inlined:
                continue
            out.extend(self.expand(header, outer=False))
        if not outer:
            while out and out[-1] == "":
                out.pop()
            out.append("// ---- end %s/%s ----" % (HEADER_DIR.replace(os.sep, "/"), name))
            out.append("")
        return out

    def version(self):
        path = os.path.join(self.header_dir, "version.hpp")
        m = VERSION_RE.search(read_text(path)) if os.path.isfile(path) else None
        if m is None:
            raise AmalgamationError("no TCPFSM_VERSION_STRING in %s/version.hpp" % HEADER_DIR)
        return m.group(1)

    def banner(self, what):
        return [
            "// tcpfsm %s: the TCP connection state machine of RFC 9293 as constexpr data." % self.version(),
            "// %s" % what,
            "// GENERATED by tools/amalgamate.py from include/tcpfsm/ -- DO NOT EDIT.",
            "// Edit the headers in include/tcpfsm/ and run `%s`." % REGENERATE,
            "// SPDX-License-Identifier: MIT",
            "",
        ]

    def outputs(self):
        """{file name in single_include/tcpfsm/: content} for everything to be generated."""
        if not os.path.isfile(os.path.join(self.header_dir, ROOT_HEADER)):
            raise AmalgamationError("no %s/%s" % (HEADER_DIR, ROOT_HEADER))
        files = {}
        body = self.expand(ROOT_HEADER, outer=True)
        core = set(self.inlined)
        everything = sorted(n for n in os.listdir(self.header_dir)
                            if n.endswith(".hpp") and os.path.isfile(os.path.join(self.header_dir, n)))
        # A digest of every source header, so that any change in include/tcpfsm/ (an optional
        # header too) shows in the single header and its commit history.
        digest = hashlib.sha256()
        for name in everything:
            digest.update(name.encode("utf-8") + b"\0" + read_text(os.path.join(self.header_dir, name)).encode("utf-8") + b"\0")
        optional = [n for n in everything if n not in core]
        header = self.banner("Single-header edition: the whole core in one file.")
        header[-1:-1] = [
            "// Optional headers beside it: %s." % (", ".join(optional) if optional else "none"),
            "// Generated from include/tcpfsm/ with SHA-256 %s." % digest.hexdigest()[:16],
        ]
        files[ROOT_HEADER] = "\n".join(header + body) + "\n"

        for name in everything:
            if name in core:
                continue
            files[name] = self.copy_optional(name, core)
        return files

    def copy_optional(self, name, core):
        out = self.banner("Optional header, copied from include/tcpfsm/%s." % name)
        redirected = False
        for line in read_text(os.path.join(self.header_dir, name)).split("\n"):
            m = INCLUDE_RE.match(line)
            header = project_header(self.header_dir, m.group(1), m.group(2)) if m else None
            if header is not None and header in core and header != ROOT_HEADER:
                # The core headers exist here only inside tcpfsm.hpp.
                if not redirected:
                    out.append('#include "%s"  // holds %s' % (ROOT_HEADER, header))
                    redirected = True
                continue
            out.append(line)
        text = "\n".join(out)
        return text if text.endswith("\n") else text + "\n"


def existing_outputs(out_dir):
    """Every file under single_include/ (relative to out_dir), so that stale extras show up."""
    found = {}
    base = os.path.dirname(out_dir)
    if not os.path.isdir(base):
        return found
    for dirpath, _, filenames in os.walk(base):
        for f in filenames:
            full = os.path.join(dirpath, f)
            found[os.path.relpath(full, out_dir)] = full
    return found


def check(root, files):
    out_dir = os.path.join(root, OUTPUT_DIR)
    present = existing_outputs(out_dir)
    problems = []
    for name in sorted(files):
        path = os.path.join(out_dir, name)
        shown = os.path.join(OUTPUT_DIR, name)
        if name not in present:
            problems.append("missing: %s" % shown)
            continue
        current = read_text(path)
        if current != files[name]:
            diff = list(difflib.unified_diff(current.split("\n"), files[name].split("\n"),
                                             "committed/" + shown, "generated/" + shown, lineterm="", n=1))
            changed = sum(1 for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---")))
            problems.append("differs: %s (%d changed lines)" % (shown, changed))
            problems.extend("    " + d for d in diff[:40])
            if len(diff) > 40:
                problems.append("    ... (%d more diff lines)" % (len(diff) - 40))
    for name in sorted(set(present) - set(files)):
        problems.append("stale extra file: %s" % os.path.normpath(os.path.join(OUTPUT_DIR, name)))
    if problems:
        print("tcpfsm: single_include/ is out of date with include/tcpfsm/:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        print("Run `%s` (from the repository root) and commit single_include/." % REGENERATE,
              file=sys.stderr)
        return 1
    print("tcpfsm: single_include/ is current (%d files)." % len(files))
    return 0


def write(root, files):
    out_dir = os.path.join(root, OUTPUT_DIR)
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(files):
        path = os.path.join(out_dir, name)
        if os.path.isfile(path) and read_text(path) == files[name]:
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(files[name])
        print("wrote %s" % os.path.join(OUTPUT_DIR, name))
    status = 0
    for name, full in sorted(existing_outputs(out_dir).items()):
        if name in files:
            continue
        shown = os.path.normpath(os.path.join(OUTPUT_DIR, name))
        if os.path.dirname(name) == "":  # a stale header in single_include/tcpfsm/: ours to remove
            os.remove(full)
            print("removed stale %s" % shown)
        else:  # anything else under single_include/ is left to a human
            print("tcpfsm amalgamate: unexpected file %s; remove it" % shown, file=sys.stderr)
            status = 1
    return status


def main(argv):
    parser = argparse.ArgumentParser(description="Generate single_include/tcpfsm/ from include/tcpfsm/.")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if single_include/ differs from what would be written")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="repository root (default: the parent of this script's directory)")
    args = parser.parse_args(argv)
    try:
        files = Amalgamator(args.root).outputs()
    except (AmalgamationError, OSError) as e:
        print("tcpfsm amalgamate: error: %s" % e, file=sys.stderr)
        return 2
    return check(args.root, files) if args.check else write(args.root, files)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
