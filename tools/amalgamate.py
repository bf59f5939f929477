#!/usr/bin/env python3
"""Generate the single-header edition of tcpfsm: ONE self-contained file.

    python3 tools/amalgamate.py                   write single_include/tcpfsm/tcpfsm.hpp
    python3 tools/amalgamate.py --check           exit 1 (with a diff summary) if the committed
                                                  single_include/ differs from what would be written
    python3 tools/amalgamate.py --check-umbrella  exit 1 if a header in include/tcpfsm/ is reachable
                                                  neither from the umbrella's default part nor from
                                                  one of its opt-in sections, or includes the umbrella

single_include/tcpfsm/tcpfsm.hpp is the umbrella include/tcpfsm/tcpfsm.hpp with every
project header it includes inlined, recursively: "x.hpp" (relative to the including file),
<tcpfsm/x.hpp> or <tcpfsm/sub/x.hpp> naming a file under include/tcpfsm/ (subfolders too).
Conditional sections stay conditional: a header included inside `#ifdef TCPFSM_WITH_X`
is inlined inside that #ifdef, with the system headers it needs.

Each inlined header keeps its own include guard, so that a header inlined in two sections
that are not nested in each other is correct whichever sections are on, and so that a
split header included after the single one is a no-op. A header (or system include) is
inlined once per conditional context: it is left out where a copy is already present in an
enclosing context (the unconditional part, or an #if around the current line).

Output is deterministic: no timestamps, one file, a banner with a digest of every source
header. Standard library only.
"""

import argparse
import difflib
import hashlib
import os
import re
import sys

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>)\s*(//.*|/\*.*)?$')
IFNDEF_RE = re.compile(r"^\s*#\s*ifndef\s+(\w+)\s*(//.*)?$")
DEFINE_RE = re.compile(r"^\s*#\s*define\s+(\w+)\s*(//.*)?$")
ENDIF_RE = re.compile(r"^\s*#\s*endif\b")
COND_OPEN_RE = re.compile(r"^\s*#\s*if(?:n?def)?\b")
COND_ELSE_RE = re.compile(r"^\s*#\s*(?:elif\w*|else)\b")
VERSION_RE = re.compile(r'^\s*#\s*define\s+TCPFSM_VERSION_STRING\s+"([^"]+)"', re.M)
# The umbrella's conditionals that make a section: the default part's `#ifndef
# TCPFSM_CORE_ONLY` and the opt-in `#ifdef TCPFSM_WITH_<NAME>` (or `#if defined(...)`).
SECTION_RE = re.compile(r"^\s*#\s*(?:ifndef\s+TCPFSM_CORE_ONLY|ifdef\s+TCPFSM_WITH_\w+"
                        r"|if\s+defined\s*\(?\s*TCPFSM_WITH_\w+\s*\)?)\s*(//.*)?$")

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


def list_headers(header_dir):
    """Every *.hpp under header_dir, as sorted '/'-separated paths relative to it."""
    found = []
    for dirpath, dirnames, filenames in os.walk(header_dir):
        dirnames.sort()
        for f in filenames:
            if f.endswith(".hpp"):
                rel = os.path.relpath(os.path.join(dirpath, f), header_dir)
                found.append(rel.replace(os.sep, "/"))
    return sorted(found)


def project_header(header_dir, including, name_quoted, name_angled):
    """The header (path relative to include/tcpfsm/) an include directive in `including`
    names, or None for a system header. A quoted include (relative to the including file,
    as the compiler looks first) or <tcpfsm/...> must name a file there: else an error."""
    if name_quoted is not None:
        candidate = os.path.normpath(os.path.join(os.path.dirname(including), name_quoted))
    elif name_angled.startswith("tcpfsm/"):
        candidate = os.path.normpath(name_angled[len("tcpfsm/"):])
    else:
        return None
    candidate = candidate.replace(os.sep, "/")
    if candidate.startswith("../") or not os.path.isfile(os.path.join(header_dir, candidate)):
        raise AmalgamationError("%s: #include of '%s' names no file in %s"
                                % (including, name_quoted or name_angled, HEADER_DIR))
    return candidate


def split_guard(name, lines):
    """Return (guard_macro, ifndef_index, define_index, endif_index) of the file's include guard."""
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


class Frame:
    """One branch of a conditional (#if ... / #elif ... / #else ...) being scanned."""
    counter = 0

    def __init__(self, text, in_root):
        Frame.counter += 1
        self.id = Frame.counter
        self.text = text.strip()
        self.in_root = in_root  # a conditional of the umbrella itself

    def is_section(self):
        return self.in_root and SECTION_RE.match(self.text) is not None


def is_prefix(outer, inner):
    return len(outer) <= len(inner) and all(a.id == b.id for a, b in zip(outer, inner))


class Amalgamator:
    def __init__(self, root):
        self.root = root
        self.header_dir = os.path.join(root, HEADER_DIR)
        self.present = {}  # header or <system header> -> contexts (tuples of Frames) with a copy
        self.reached = {}  # project header -> contexts it was inlined in

    def lines_of(self, name):
        lines = read_text(os.path.join(self.header_dir, name)).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return lines

    def project_includes(self, name):
        """The project headers `name` includes directly."""
        found = []
        for line in self.lines_of(name):
            m = INCLUDE_RE.match(line)
            if m:
                header = project_header(self.header_dir, name, m.group(1), m.group(2))
                if header is not None:
                    found.append(header)
        return found

    def has_copy(self, key, context):
        return any(is_prefix(c, context) for c in self.present.get(key, ()))

    def expand(self, name, context):
        """Lines of `name` with its project includes inlined; `context`: the Frames around it."""
        root = name == ROOT_HEADER
        self.present.setdefault(name, []).append(context)
        self.reached.setdefault(name, []).append(context)
        lines = self.lines_of(name)
        guard, ifndef_at, define_at, endif_at = split_guard(name, lines)
        out = []
        if not root:
            out.append("// ---- begin %s/%s ----" % (HEADER_DIR.replace(os.sep, "/"), name))
        frames = []  # this file's open conditionals, its include guard excepted
        for i, line in enumerate(lines):
            if i in (ifndef_at, define_at, endif_at):
                out.append(line)
                continue
            if COND_OPEN_RE.match(line):
                frames.append(Frame(line, root))
            elif COND_ELSE_RE.match(line):
                if not frames:
                    raise AmalgamationError("%s line %d: #elif/#else without #if" % (name, i + 1))
                frames[-1] = Frame(line, root)
            elif ENDIF_RE.match(line):
                if not frames:
                    raise AmalgamationError("%s line %d: unbalanced #endif" % (name, i + 1))
                frames.pop()
            m = INCLUDE_RE.match(line)
            if m is None:
                out.append(line)
                continue
            here = context + tuple(frames)
            header = project_header(self.header_dir, name, m.group(1), m.group(2))
            if header is None:  # a system header: once per context
                key = "<%s>" % m.group(2) if m.group(2) else '"%s"' % m.group(1)
                if not self.has_copy(key, here):
                    self.present.setdefault(key, []).append(here)
                    out.append(line)
                continue
            if header == ROOT_HEADER:
                raise AmalgamationError(
                    "%s includes the umbrella %s, which includes it: include core.hpp (or what it "
                    "uses) instead" % (name, ROOT_HEADER))
            if self.has_copy(header, here):
                self.reached.setdefault(header, []).append(here)
                continue
            out.extend(self.expand(header, here))
        if frames:
            raise AmalgamationError("%s: #if without #endif" % name)
        if not root:
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

    def run(self):
        """The single header's text; fills self.reached."""
        if not os.path.isfile(os.path.join(self.header_dir, ROOT_HEADER)):
            raise AmalgamationError("no %s/%s" % (HEADER_DIR, ROOT_HEADER))
        Frame.counter = 0
        self.present, self.reached = {}, {}
        body = self.expand(ROOT_HEADER, ())
        # A digest of every source header, so that any change in include/tcpfsm/ shows in
        # the single header and its commit history.
        digest = hashlib.sha256()
        for name in list_headers(self.header_dir):
            digest.update(name.encode("utf-8") + b"\0"
                          + read_text(os.path.join(self.header_dir, name)).encode("utf-8") + b"\0")
        macros = sorted({m for contexts in self.reached.values() for c in contexts for f in c
                         if f.is_section() for m in re.findall(r"TCPFSM_\w+", f.text)})
        banner = [
            "// tcpfsm %s: the TCP connection state machine of RFC 9293, as a header-only C++17 library."
            % self.version(),
            "// Single-header edition: the whole library in one file, made from the umbrella",
            "// %s/%s by inlining every header it includes, each inside its section" % (
                HEADER_DIR.replace(os.sep, "/"), ROOT_HEADER),
            "// (%s;" % ", ".join(macros),
            "// the umbrella's comment below says what they do).",
            "// GENERATED by tools/amalgamate.py from include/tcpfsm/ -- DO NOT EDIT.",
            "// Edit the headers in include/tcpfsm/ and run `%s`." % REGENERATE,
            "// Generated from include/tcpfsm/ with SHA-256 %s." % digest.hexdigest()[:16],
            "// SPDX-License-Identifier: MIT",
            "",
        ]
        return "\n".join(banner + body) + "\n"

    def outputs(self):
        """{file name in single_include/tcpfsm/: content}: the one single header."""
        return {ROOT_HEADER: self.run()}

    def umbrella_problems(self):
        """Headers reachable neither from the default part nor from an opt-in section of the
        umbrella, and headers that include the umbrella (a cycle)."""
        problems = []
        everything = list_headers(self.header_dir)
        for name in everything:
            if name != ROOT_HEADER and ROOT_HEADER in self.project_includes(name):
                problems.append("%s/%s includes the umbrella %s (which must include it): include "
                                "core.hpp or what it uses instead" % (HEADER_DIR, name, ROOT_HEADER))
        if problems:
            return problems
        self.run()
        for name in everything:
            contexts = self.reached.get(name, [])
            if not any(all(f.is_section() for f in c if f.in_root) for c in contexts):
                how = "not included" if not contexts else "included only under other conditionals"
                problems.append("%s/%s is reachable neither from %s's default part nor from one of its "
                                "opt-in sections (%s): add it to %s/%s" % (
                                    HEADER_DIR, name, ROOT_HEADER, how, HEADER_DIR, ROOT_HEADER))
        return problems


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
    parser = argparse.ArgumentParser(description="Generate single_include/tcpfsm/tcpfsm.hpp from include/tcpfsm/.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="do not write; exit 1 if single_include/ differs from what would be written")
    mode.add_argument("--check-umbrella", action="store_true",
                      help="do not write; exit 1 if a header in include/tcpfsm/ is reachable neither from "
                           "the umbrella's default part nor from one of its opt-in sections")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        help="repository root (default: the parent of this script's directory)")
    args = parser.parse_args(argv)
    try:
        amalgamator = Amalgamator(args.root)
        problems = amalgamator.umbrella_problems()
        if args.check_umbrella:
            if problems:
                print("tcpfsm: the umbrella %s/%s misses headers:" % (HEADER_DIR, ROOT_HEADER), file=sys.stderr)
                for p in problems:
                    print("  " + p, file=sys.stderr)
                return 1
            print("tcpfsm: every header in %s is reachable from %s (%d headers)."
                  % (HEADER_DIR, ROOT_HEADER, len(list_headers(amalgamator.header_dir))))
            return 0
        files = amalgamator.outputs()
    except (AmalgamationError, OSError) as e:
        print("tcpfsm amalgamate: error: %s" % e, file=sys.stderr)
        return 2
    for p in problems:  # the single header lacks these; --check-umbrella (a test) fails on them
        print("tcpfsm amalgamate: warning: %s" % p, file=sys.stderr)
    return check(args.root, files) if args.check else write(args.root, files)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
