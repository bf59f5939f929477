#!/usr/bin/env python3
"""Checks that docs/api.md documents every public name of tcpfsm's headers.

Usage:
    check_api_doc.py [--include DIR] [--doc FILE] [--list]

    --include DIR  the include directory (default: include/ next to this script's parent);
                   every *.hpp below DIR/tcpfsm, subfolders included, is read.
    --doc FILE     the API reference (default: docs/api.md).
    --list         print every public name found (grouped by header) and exit 0.

Exit status: 0 when every name is documented and nothing documented is stale; 1 otherwise
(the missing names are printed grouped by header, with the line that declares them, then the
stale entries of the doc with their lines); 2 on a usage error.

What counts as a public name (extracted from the headers after comments, string literals and
preprocessor lines are removed; the code of every #if branch is read, except #if 0 blocks):
  - namespace-scope declarations in namespace tcpfsm and its nested namespaces (action::,
    dispatch::, ...), outside any namespace named `detail` (or `*_detail`, `detail_*`, as
    wire_detail) and outside unnamed namespaces:
    classes, structs, unions, enums, aliases (using/typedef), functions (operators
    included), variables, concepts and templates of all of these;
  - the members of a public class or struct declared in its public sections (a struct
    starts public, a class private): member functions (constructors, destructors and
    operators included), data members, static members, nested types and aliases, and hidden
    friends (friend functions defined in the class, e.g. operator==);
  - the enumerators of a public enum;
  - the macros named TCPFSM_* that a #define, #ifdef, #ifndef, #if or #elif mentions, except
    include guards (TCPFSM_..._HPP) and internal macros (TCPFSM_DETAIL_*).

How a name must appear in the doc (the convention):
  - at the start of an inline code span (`...`; fenced code blocks do not count), as a whole
    word: `connection::send(std::uint32_t octets)` documents connection::send, while a mention
    inside another entry's span (`connection<Io, manual_clock>`) does not document
    manual_clock; in a table cell, `\|` counts as |;
  - qualified from namespace tcpfsm down: a namespace-scope name as `name` (for example
    `connection`, `action::send_syn`, `dispatch::branch`), a member or hidden friend as
    `class::member` (`connection::open_active`, `timer_config::msl_ms`,
    `action_set::operator|`), a constructor as `class::class`, an enumerator as
    `enum::enumerator` (`state::closed`), a macro as itself (`TCPFSM_VERSION_MAJOR`);
  - a leading `tcpfsm::` is allowed, and template arguments may be written
    (`table_index<N>::next` counts for `table_index::next`), as may a signature after the
    name (`connection::receive(std::uint32_t octets = 0)`).
  - `box::first` documents box::first but not box: a type needs a span of its own. Overloads
    share one name: documenting name(state) documents every name().
  - every header has a heading (a Markdown line starting with #) that names it in a code
    span relative to the include directory: `tcpfsm/connection.hpp`.

What counts as stale (also a failure): a code span in the entry column of a table (the column
headed name, member, field, enumerator or hook) that does not start with a public name, and a
heading that names a tcpfsm/*.hpp that does not exist. So a renamed or removed name is
reported both ways: the new one as missing, the old one as stale.

Limits: the extraction is a careful scan, not a C++ parser. It expects the headers' style
(balanced braces in every #if branch, no macros that expand to declarations at namespace
scope); names made by such macros are not seen.
"""

import argparse
import os
import re
import sys

# ----------------------------------------------------------------------------------------------
# Lexing
# ----------------------------------------------------------------------------------------------

MACRO_RE = re.compile(r"\bTCPFSM_[A-Za-z0-9_]*")


def strip_comments_and_literals(text):
    """Replaces comments by spaces and the contents of string and character literals by
    nothing, keeping newlines so that line numbers stay right."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            if j < 0:
                j = n
            # A line comment ending in a backslash continues (rare; kept simple: it does not).
            out.append(" ")
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == 'R' and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^()\\ ]{0,16})\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i + m.end())
                end = n if end < 0 else end + len(m.group(1)) + 2
                out.append('""' + "\n" * text.count("\n", i, end))
                i = end
            else:
                out.append(c)
                i += 1
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum())):
            # A string or character literal (a ' after a digit is a digit separator).
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def preprocess(text):
    """Returns (code, macros): the code with every preprocessor line blanked (continuations
    included) and `#if 0` blocks dropped, and the TCPFSM_ macros the directives mention as
    {name: line}, include guards and TCPFSM_DETAIL_* left out."""
    lines = text.split("\n")
    out = []
    macros = {}
    guard = None
    skip_depth = 0  # > 0 inside an #if 0 block
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.lstrip()
        if not stripped.startswith("#"):
            out.append("" if skip_depth else line)
            i += 1
            continue
        # A directive, with its continuation lines.
        first = i
        directive = line
        while directive.endswith("\\") and i + 1 < len(lines):
            i += 1
            directive = directive[:-1] + " " + lines[i]
        for _ in range(first, i + 1):
            out.append("")
        i += 1
        m = re.match(r"\s*#\s*(\w+)\s*(.*)", directive)
        if not m:
            continue
        kind, rest = m.group(1), m.group(2)
        if kind in ("if", "ifdef", "ifndef"):
            if skip_depth:
                skip_depth += 1
                continue
            if kind == "if" and rest.strip() == "0":
                skip_depth = 1
                continue
        elif kind in ("else", "elif"):
            if skip_depth == 1:
                skip_depth = 0  # the branch after an #if 0 is read (an #elif's, conservatively)
            if skip_depth:
                continue
        elif kind == "endif":
            if skip_depth:
                skip_depth -= 1
                continue
        if skip_depth:
            continue
        if kind == "ifndef" and guard is None and rest.strip().endswith("_HPP"):
            guard = rest.strip()
            continue
        if kind in ("define", "undef", "ifdef", "ifndef", "if", "elif"):
            if kind in ("define", "undef"):
                head = re.match(r"\s*(\w+)", rest)
                mentioned = MACRO_RE.findall(head.group(1)) if head else []
            else:
                mentioned = MACRO_RE.findall(rest)
            for name in mentioned:
                if name == guard or name.startswith("TCPFSM_DETAIL_"):
                    continue
                macros.setdefault(name, first + 1)
    return "\n".join(out), macros


TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
      | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<num>\.?[0-9](?:[0-9A-Za-z_.']|[eEpP][+-])*)
      | (?P<str>""|'')
      | (?P<punct>\.\.\.|::|->\*?|<<=|>>=|<=>|\[\[|&&|\|\||[-+*/%^&|=!<>]=|\+\+|--|<<|[^\s])
    """,
    re.X,
)


class Token:
    __slots__ = ("text", "line")

    def __init__(self, text, line):
        self.text = text
        self.line = line

    def __repr__(self):
        return "%s@%d" % (self.text, self.line)


def tokenize(code):
    tokens = []
    line = 1
    pos = 0
    n = len(code)
    while pos < n:
        m = TOKEN_RE.match(code, pos)
        if not m:
            pos += 1
            continue
        text = m.group(0)
        if m.lastgroup != "ws":
            # `>>` is left as two tokens so that template argument lists close one at a time.
            tokens.append(Token(text, line))
        line += text.count("\n")
        pos = m.end()
    # Attributes [[...]] and alignas(...) / __attribute__((...)) / __declspec(...) say nothing
    # about names: drop them.
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i].text
        if t == "[[":
            depth = 1
            i += 1
            while i < len(tokens) and depth:
                if tokens[i].text == "[[" or tokens[i].text == "[":
                    depth += 1
                elif tokens[i].text == "]":
                    depth -= 1
                    if depth == 1 and i + 1 < len(tokens) and tokens[i + 1].text == "]":
                        depth = 0
                        i += 1
                i += 1
            continue
        if t in ("alignas", "__attribute__", "__declspec") and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            i = skip_balanced(tokens, i + 1)
            continue
        out.append(tokens[i])
        i += 1
    return out


OPEN = {"(": ")", "[": "]", "{": "}"}


def skip_balanced(tokens, i):
    """tokens[i] opens a bracket; returns the index after its closing bracket."""
    stack = [OPEN[tokens[i].text]]
    i += 1
    while i < len(tokens) and stack:
        t = tokens[i].text
        if t in OPEN:
            stack.append(OPEN[t])
        elif t == stack[-1]:
            stack.pop()
        elif t in (")", "]", "}"):
            # Unbalanced input: resynchronise on the closer.
            while stack and stack[-1] != t:
                stack.pop()
            if stack:
                stack.pop()
        i += 1
    return i


def skip_template_params(tokens, i):
    """tokens[i] is '<' after `template`; returns the index after the matching '>'."""
    depth = 0
    while i < len(tokens):
        t = tokens[i].text
        if t in OPEN:
            i = skip_balanced(tokens, i)
            continue
        if t == "<":
            depth += 1
        elif t == ">":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


# ----------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------

SPECIFIERS = {
    "inline", "constexpr", "consteval", "constinit", "static", "extern", "virtual", "explicit",
    "friend", "mutable", "thread_local", "typename", "const", "volatile", "unsigned", "signed",
}

OPERATOR_CHARS = set("+-*/%^&|~!=<>,()[]")


def is_detail_namespace(name):
    """`detail`, and the headers' own internal namespaces such as `wire_detail`."""
    return name == "detail" or name.endswith("_detail") or name.startswith("detail_")


class Scope:
    def __init__(self, kind, qual, public, access=None, name=None):
        self.kind = kind        # 'namespace', 'class', 'enum', 'block'
        self.qual = qual        # qualified prefix for names declared inside ('' at tcpfsm)
        self.public = public    # are names declared here public (ignoring access)?
        self.access = access    # 'public' / 'private' / 'protected' for classes
        self.name = name        # the class's own name (constructors)


class Extractor:
    def __init__(self):
        self.names = []  # (qualified name, kind, line)
        self.seen = set()

    def add(self, scope, name, kind, line):
        if not name:
            return
        if scope.kind == "class" and scope.access != "public":
            return
        if not scope.public:
            return
        qual = scope.qual + name if scope.qual is not None else None
        if qual is None:
            return
        if qual in self.seen:
            return
        self.seen.add(qual)
        self.names.append((qual, kind, line))

    # Names declared in scope `scope` are reported as scope.qual + name; scope.qual is None
    # outside namespace tcpfsm (nothing reported there).

    def run(self, tokens):
        self.tokens = tokens
        root = Scope("namespace", None, False)
        self.parse_scope(0, root)

    def parse_scope(self, i, scope):
        """Parses declarations from tokens[i] until the closing '}' of `scope` (or the end);
        returns the index after that '}'."""
        toks = self.tokens
        while i < len(toks):
            t = toks[i].text
            if t == "}":
                return i + 1
            if t == ";":
                i += 1
                continue
            if scope.kind == "class" and t in ("public", "private", "protected") and i + 1 < len(toks) and toks[i + 1].text == ":":
                scope.access = t
                i += 2
                continue
            if t == "namespace" or (t == "inline" and i + 1 < len(toks) and toks[i + 1].text == "namespace"):
                i = self.parse_namespace(i, scope)
                continue
            if t == "extern" and i + 1 < len(toks) and toks[i + 1].text == '""' and i + 2 < len(toks) and toks[i + 2].text == "{":
                i = self.parse_scope(i + 3, scope)
                continue
            if t == "static_assert":
                i = self.skip_statement(i)
                continue
            i = self.parse_declaration(i, scope)
        return i

    def parse_namespace(self, i, scope):
        toks = self.tokens
        inline = toks[i].text == "inline"
        if inline:
            i += 1
        i += 1  # 'namespace'
        names = []
        while i < len(toks) and toks[i].text not in ("{", "=", ";"):
            if toks[i].text != "::" and toks[i].text != "inline":
                names.append(toks[i].text)
            i += 1
        if i < len(toks) and toks[i].text == "=":
            # namespace alias: a public name
            line = toks[i].line
            j = self.skip_statement(i)
            if names:
                self.add(scope, names[0], "namespace alias", line)
            return j
        if i >= len(toks) or toks[i].text != "{":
            return i + 1
        inner = scope
        if not names:
            inner = Scope("namespace", inner.qual, False)  # unnamed: internal
        for nm in names:
            if inner.qual is None:
                qual = "" if nm == "tcpfsm" else None
                public = nm == "tcpfsm"
            else:
                qual = inner.qual + ("" if inline else nm + "::")
                public = inner.public and not is_detail_namespace(nm)
            inner = Scope("namespace", qual, public)
        return self.parse_scope(i + 1, inner)

    def skip_statement(self, i):
        toks = self.tokens
        while i < len(toks):
            t = toks[i].text
            if t in OPEN:
                i = skip_balanced(toks, i)
                continue
            if t == ";":
                return i + 1
            if t == "}":
                return i  # leave the scope's closer
            i += 1
        return i

    def parse_declaration(self, i, scope):
        toks = self.tokens
        start_line = toks[i].line
        # template <...> prefixes
        while i < len(toks) and toks[i].text == "template":
            if i + 1 < len(toks) and toks[i + 1].text == "<":
                i = skip_template_params(toks, i + 1)
            else:
                i += 1  # explicit instantiation: `template class x<y>;`
        if i >= len(toks):
            return i
        t = toks[i].text
        if t == "static_assert":
            return self.skip_statement(i)
        if t == "using":
            return self.parse_using(i, scope)
        if t == "typedef":
            return self.parse_typedef(i, scope)
        if t == "friend":
            return self.parse_friend(i, scope)
        # class / struct / union / enum heads (possibly followed by a declarator)
        j = i
        while j < len(toks) and toks[j].text in SPECIFIERS:
            j += 1
        if j < len(toks) and toks[j].text in ("class", "struct", "union", "enum"):
            res = self.try_type_definition(j, scope)
            if res is not None:
                return res
        return self.parse_function_or_variable(i, scope)

    def parse_using(self, i, scope):
        toks = self.tokens
        line = toks[i].line
        if i + 1 < len(toks) and toks[i + 1].text == "namespace":
            return self.skip_statement(i)
        if i + 2 < len(toks) and toks[i + 2].text == "=":
            self.add(scope, toks[i + 1].text, "alias", line)
            return self.skip_statement(i)
        # using-declaration: `using base::name;`: the last name is brought in.
        j = i + 1
        last = None
        while j < len(toks) and toks[j].text != ";":
            if re.match(r"[A-Za-z_]\w*$", toks[j].text) and toks[j].text != "typename":
                last = toks[j].text
            j += 1
        if last:
            self.add(scope, last, "using-declaration", line)
        return j + 1

    def parse_typedef(self, i, scope):
        toks = self.tokens
        line = toks[i].line
        j = i + 1
        end = self.skip_statement(i)
        name = None
        k = j
        while k < end:
            t = toks[k].text
            if t == "(" and k + 2 < end and toks[k + 1].text == "*":
                name = toks[k + 2].text  # function pointer typedef
                break
            if t in OPEN:
                k = skip_balanced(toks, k)
                continue
            if re.match(r"[A-Za-z_]\w*$", t):
                name = t
            k += 1
        self.add(scope, name, "typedef", line)
        return end

    def parse_friend(self, i, scope):
        toks = self.tokens
        # `friend class X;` declares nothing of this class.
        if i + 1 < len(toks) and toks[i + 1].text in ("class", "struct", "union"):
            return self.skip_statement(i)
        return self.parse_function_or_variable(i, scope, friend=True)

    def try_type_definition(self, j, scope):
        """toks[j] is class/struct/union/enum. Handles a definition or declaration of a type;
        returns the index after it, or None when this is a variable or function whose type is
        written with an elaborated specifier."""
        toks = self.tokens
        kw = toks[j].text
        line = toks[j].line
        k = j + 1
        if kw == "enum" and k < len(toks) and toks[k].text in ("class", "struct"):
            k += 1
        name = None
        if k < len(toks) and re.match(r"[A-Za-z_]\w*$", toks[k].text) and toks[k].text not in ("final",):
            name = toks[k].text
            k += 1
            # qualified or specialised: `struct index_type_of<const T&>`
            if k < len(toks) and toks[k].text == "<":
                k = skip_template_params(toks, k)
        if k < len(toks) and toks[k].text == "final":
            k += 1
        if k < len(toks) and toks[k].text == ";":
            self.add(scope, name, kw, line)
            return k + 1
        # base clause or enum base
        if k < len(toks) and toks[k].text == ":":
            while k < len(toks) and toks[k].text not in ("{", ";"):
                if toks[k].text in ("(", "["):
                    k = skip_balanced(toks, k)
                    continue
                k += 1
        if k < len(toks) and toks[k].text == ";" and kw == "enum":
            self.add(scope, name, kw, line)  # opaque declaration: `enum class e : std::uint8_t;`
            return k + 1
        if k >= len(toks) or toks[k].text != "{":
            return None  # e.g. `struct foo bar;` or a function returning `enum x`
        self.add(scope, name, kw, line)
        if kw == "enum":
            end = self.parse_enum_body(k, scope, name)
        else:
            inner_public = scope.public and (scope.kind != "class" or scope.access == "public") and name is not None
            qual = scope.qual + name + "::" if (scope.qual is not None and name) else None
            inner = Scope("class", qual, inner_public, access="private" if kw == "class" else "public", name=name)
            end = self.parse_scope(k + 1, inner)
        # declarators after the closing brace: `struct {..} x, y;`
        if end < len(toks) and toks[end].text != ";":
            d = end
            while d < len(toks) and toks[d].text != ";":
                if re.match(r"[A-Za-z_]\w*$", toks[d].text) and toks[d].text not in SPECIFIERS:
                    self.add(scope, toks[d].text, "variable", toks[d].line)
                    d = self.skip_initializer(d + 1)
                    continue
                d += 1
            return d + 1
        return end + 1 if end < len(toks) and toks[end].text == ";" else end

    def parse_enum_body(self, k, scope, name):
        toks = self.tokens
        end = skip_balanced(toks, k)
        if name is None or scope.qual is None:
            return end
        enum_scope = Scope("enum", scope.qual + name + "::",
                           scope.public and (scope.kind != "class" or scope.access == "public"))
        expect_name = True
        m = k + 1
        while m < end - 1:
            t = toks[m].text
            if t in OPEN:
                m = skip_balanced(toks, m)
                continue
            if t == ",":
                expect_name = True
            elif expect_name and re.match(r"[A-Za-z_]\w*$", t):
                self.add(enum_scope, t, "enumerator", toks[m].line)
                expect_name = False
            m += 1
        return end

    def skip_initializer(self, d):
        toks = self.tokens
        while d < len(toks) and toks[d].text not in (",", ";"):
            if toks[d].text in OPEN:
                d = skip_balanced(toks, d)
                continue
            d += 1
        return d + 1 if d < len(toks) and toks[d].text == "," else d

    def parse_function_or_variable(self, i, scope, friend=False):
        toks = self.tokens
        line = toks[i].line
        # Find the first top-level '(' (a function's parameters) or the end of the declarator
        # ('=', '{', ';', ',', '[', ':' of a bit-field); track <...> of template arguments.
        j = i
        angle = 0
        paren_at = None
        operator_name = None
        while j < len(toks):
            t = toks[j].text
            if t == "operator":
                # operator(), operator[], operator<<, operator bool, operator new, ...
                k = j + 1
                if k + 1 < len(toks) and toks[k].text in ("(", "[") and toks[k + 1].text == OPEN[toks[k].text]:
                    operator_name = "operator" + toks[k].text + toks[k + 1].text
                    paren_at = k + 2
                    break
                parts = []
                while k < len(toks) and toks[k].text != "(":
                    parts.append(toks[k].text)
                    k += 1
                if parts and re.match(r"[A-Za-z_]", parts[0]):
                    operator_name = "operator " + " ".join(parts)
                else:
                    operator_name = "operator" + "".join(parts)
                paren_at = k
                break
            if t == "<":
                angle += 1
            elif t == ">" and angle > 0:
                angle -= 1
            elif angle == 0 and t == "(":
                prev = toks[j - 1].text if j > i else ""
                if prev in ("decltype", "noexcept", "sizeof", "alignof", "requires", "__typeof__"):
                    j = skip_balanced(toks, j)
                    continue
                paren_at = j
                break
            elif t in ("(", "[", "{") and angle > 0:
                j = skip_balanced(toks, j)
                continue
            elif angle == 0 and t in ("=", "{", ";", ",", "[", ":", "}"):
                break
            j += 1
        if paren_at is not None:
            if operator_name is not None:
                name = operator_name
            elif paren_at + 2 < len(toks) and toks[paren_at + 1].text == "*":
                # `T (*name)(args)`: a function pointer, or `T (*name(params))(args)`: a
                # function returning one
                name = toks[paren_at + 2].text
                if paren_at + 3 < len(toks) and toks[paren_at + 3].text == "(":
                    paren_at = paren_at + 3
                else:
                    self.add(scope, name, "data member" if scope.kind == "class" else "variable",
                             toks[paren_at].line)
                    return self.skip_statement(paren_at)
            else:
                # the declarator: `~name`, `name`, or `a::b::name`
                name = toks[paren_at - 1].text if paren_at > i else None
                if paren_at - 2 >= i and toks[paren_at - 2].text == "~":
                    name = "~" + name
                if name and not re.match(r"~?[A-Za-z_]\w*$", name):
                    name = None
            kind = "function"
            if scope.kind == "class" and name in (scope.name, "~" + str(scope.name)):
                kind = "constructor" if not name.startswith("~") else "destructor"
            elif friend:
                kind = "hidden friend"
            elif scope.kind == "class":
                kind = "member function"
            if friend and not self.friend_defined_here(paren_at):
                name = None  # a friend declaration of some other function
            if name:
                self.add(scope, name, kind, toks[paren_at - 1].line)
            return self.skip_function_rest(paren_at)
        # a variable (or several): name before '=', '{', ';', ',', '[' or ':'
        kind = "data member" if scope.kind == "class" else "variable"
        if any(tok.text == "concept" for tok in toks[i:j]):
            kind = "concept"
        while True:
            name = None
            k = j - 1
            while k >= i and toks[k].text in ("*", "&", "&&", "const"):
                k -= 1
            if k >= i and re.match(r"[A-Za-z_]\w*$", toks[k].text):
                name = toks[k].text
            if name and name not in SPECIFIERS:
                self.add(scope, name, kind, toks[k].line)
            if j >= len(toks):
                return j
            t = toks[j].text
            if t in (";",):
                return j + 1
            if t == "}":
                return j
            # skip the array bounds and initializer up to the ',' that starts another
            # declarator (`, name =`, `, name;`, ...: a comma inside template arguments of the
            # initializer, `x = a<b, c>::value;`, does not), or to ';'
            while j < len(toks) and toks[j].text not in (";", "}"):
                if toks[j].text in OPEN:
                    j = skip_balanced(toks, j)
                    continue
                if toks[j].text == "," and self.starts_declarator(j + 1):
                    break
                j += 1
            if j >= len(toks) or toks[j].text != ",":
                return j + 1 if j < len(toks) and toks[j].text == ";" else j
            # next declarator
            i = j + 1
            j = i
            while j < len(toks) and toks[j].text not in ("=", "{", ";", ",", "[", ":", "}"):
                if toks[j].text == "(":
                    j = skip_balanced(toks, j)
                    continue
                j += 1

    def starts_declarator(self, k):
        toks = self.tokens
        while k < len(toks) and toks[k].text in ("*", "&", "&&", "const"):
            k += 1
        return (k + 1 < len(toks) and re.match(r"[A-Za-z_]\w*$", toks[k].text) is not None
                and toks[k + 1].text in ("=", "{", "[", ";", ",", ":", "("))

    def friend_defined_here(self, paren_at):
        toks = self.tokens
        k = skip_balanced(toks, paren_at)
        while k < len(toks) and toks[k].text not in (";", "{"):
            if toks[k].text == "(":
                k = skip_balanced(toks, k)
                continue
            k += 1
        return k < len(toks) and toks[k].text == "{"

    def skip_function_rest(self, paren_at):
        """From the parameter list's '(' to after the declaration: qualifiers, trailing return
        type, `= default;`, a member-initializer list and the body."""
        toks = self.tokens
        k = skip_balanced(toks, paren_at)
        prev = None
        in_init = False
        while k < len(toks):
            t = toks[k].text
            if t == ";":
                return k + 1
            if t == "}":
                return k  # malformed: leave the scope's closer
            if t == ":" and not in_init:
                in_init = True
            elif t == "{":
                if in_init and prev is not None and (re.match(r"[A-Za-z_]\w*$", prev) or prev in (">", "...")):
                    k = skip_balanced(toks, k)  # brace-initialised member
                    prev = "}"
                    continue
                end = skip_balanced(toks, k)  # the body
                # a function body may be followed by nothing (no ';')
                return end
            elif t in ("(", "["):
                k = skip_balanced(toks, k)
                prev = ")"
                continue
            prev = t
            k += 1
        return k


# ----------------------------------------------------------------------------------------------
# The doc
# ----------------------------------------------------------------------------------------------


def code_spans(markdown):
    """The inline code spans of a Markdown text, fenced code blocks left out."""
    spans = []
    in_fence = None
    text_lines = []
    for line in markdown.split("\n"):
        m = re.match(r"\s{0,3}(`{3,}|~{3,})", line)
        if m:
            fence = m.group(1)[0]
            if in_fence is None:
                in_fence = fence
            elif in_fence == fence:
                in_fence = None
            text_lines.append("")
            continue
        text_lines.append("" if in_fence else line)
    text = "\n".join(text_lines)
    for m in re.finditer(r"(`+)(.+?)(?<!`)\1(?!`)", text, re.S):
        # `\|` is how a table cell writes | inside a code span (GitHub renders it as |).
        spans.append(m.group(2).replace("\n", " ").replace("\\|", "|"))
    return spans


def normalise_span(span):
    s = span.replace("tcpfsm::", "")
    # Drop template argument lists written after a name: table_index<N>::next -> table_index::next.
    while True:
        t = re.sub(r"(?<=\w)<[^<>`]*>", "", s)
        if t == s:
            break
        s = t
    return s


def documented(name, spans):
    if name[-1].isalnum() or name[-1] == "_":
        tail = r"(?![\w]|::)"  # `box::first` documents box::first, not box
    else:
        tail = r"(?![-+*/%^&|~!=<>])" if not name.endswith(("()", "[]")) else ""
    # The span must start with the name (after `tcpfsm::` and spaces): an entry for it, not a
    # mention inside another name's signature.
    pattern = re.compile(r"\s*" + re.escape(name) + tail)
    return any(pattern.match(s) for s in spans)


# The column of a table that holds entries (one name, or several, per row), by its header.
ENTRY_COLUMNS = {"name", "member", "field", "enumerator", "hook"}


def entry_spans(markdown):
    """(line, span) for every code span in the entry column of a table: the column whose
    header is one of ENTRY_COLUMNS (`| name | signature | meaning |`)."""
    out = []
    in_fence = None
    col = None  # None outside a table; -1 in a table without an entry column
    for n, line in enumerate(markdown.split("\n"), 1):
        m = re.match(r"\s{0,3}(`{3,}|~{3,})", line)
        if m:
            fence = m.group(1)[0]
            in_fence = fence if in_fence is None else (None if in_fence == fence else in_fence)
            col = None
            continue
        if in_fence or not line.startswith("|"):
            col = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if col is None:
            col = next((i for i, c in enumerate(cells) if c.lower() in ENTRY_COLUMNS), -1)
            continue
        if col < 0 or col >= len(cells) or all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        for span in re.findall(r"`([^`]+)`", cells[col]):
            out.append((n, span.replace("\\|", "|")))
    return out


def first_part(name):
    m = re.match(r"\s*(~?[A-Za-z_]\w*)", name)
    return m.group(1) if m else ""


def stale_entries(doc, names):
    """Entries of the doc's tables that begin with no public name, and headings that name a
    header that does not exist: [(line, message)]."""
    by_first = {}
    for name in names:
        by_first.setdefault(first_part(name), []).append(name)
    found = []
    for line, span in entry_spans(doc):
        forms = [normalise_span(span), span.replace("tcpfsm::", "")]
        candidates = by_first.get(first_part(forms[0]), []) + by_first.get(first_part(forms[1]), [])
        if not any(documented(name, forms) for name in candidates):
            found.append((line, "`%s` is an entry, but no header declares it" % span))
    return found


# ----------------------------------------------------------------------------------------------


def headers_under(include_dir):
    result = []
    for root, dirs, files in os.walk(os.path.join(include_dir, "tcpfsm")):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".hpp"):
                path = os.path.join(root, f)
                result.append((os.path.relpath(path, include_dir).replace(os.sep, "/"), path))
    result.sort()
    return result


def display_path(path):
    """The path relative to the working directory when it lies below it (clickable in a
    terminal or an editor), else as it is."""
    rel = os.path.relpath(os.path.abspath(path))
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def extract(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code, macros = preprocess(strip_comments_and_literals(text))
    ex = Extractor()
    ex.run(tokenize(code))
    names = list(ex.names)
    for macro, line in sorted(macros.items(), key=lambda kv: kv[1]):
        names.append((macro, "macro", line))
    return names


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--include", default=os.path.join(root, "include"))
    p.add_argument("--doc", default=os.path.join(root, "docs", "api.md"))
    p.add_argument("--list", action="store_true")
    args = p.parse_args(argv)

    headers = headers_under(args.include)
    if not headers:
        print("check_api_doc: no headers under %s/tcpfsm" % args.include, file=sys.stderr)
        return 2
    if args.list:
        for rel, path in headers:
            print("%s:" % rel)
            for name, kind, line in extract(path):
                print("  %s  (%s, line %d)" % (name, kind, line))
        return 0
    try:
        with open(args.doc, encoding="utf-8") as f:
            doc = f.read()
    except OSError as e:
        print("check_api_doc: cannot read %s: %s" % (args.doc, e), file=sys.stderr)
        return 2
    spans = [normalise_span(s) for s in code_spans(doc)]
    raw_spans = [s.replace("tcpfsm::", "") for s in code_spans(doc)]
    heading_spans = []
    stale = []
    header_names = {rel for rel, _ in headers}
    for n, line in enumerate(doc.split("\n"), 1):
        if line.startswith("#"):
            for span in re.findall(r"`([^`]+)`", line):
                heading_spans.append(span)
                if re.fullmatch(r"tcpfsm/[\w/.-]+\.hpp", span) and span not in header_names:
                    stale.append((n, "the heading names `%s`, which does not exist" % span))
    missing_total = 0
    all_names = set()
    doc_name = display_path(args.doc)
    for rel, path in headers:
        shown = display_path(path)
        problems = []
        if rel not in heading_spans:
            problems.append("  (no heading names `%s`: add a section for this header)" % rel)
        for name, kind, line in extract(path):
            all_names.add(name)
            if not (documented(name, spans) or documented(name, raw_spans)):
                problems.append("  %s:%d: `%s` (%s)" % (shown, line, name, kind))
        if problems:
            missing_total += len(problems)
            print("%s:" % shown)
            for pr in problems:
                print(pr)
    stale += stale_entries(doc, all_names)
    if stale:
        shown_doc = display_path(args.doc)
        print("%s (what it documents that the headers do not declare: rename or remove it):" % shown_doc)
        for line, message in sorted(stale):
            print("  %s:%d: %s" % (shown_doc, line, message))
    if missing_total or stale:
        print("check_api_doc: %d missing from %s (write each in a code span, members as `type::member`;"
              " see tools/check_api_doc.py), %d stale" % (missing_total, doc_name, len(stale)))
        return 1
    print("check_api_doc: every public name of %d headers is in %s" % (len(headers), doc_name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
