#!/usr/bin/env python3
"""Self-test of tools/check_api_doc.py: on the fixture headers of test/docs/api_check/include
and the fixture doc test/docs/api_check/api.md it must report exactly the findings of
expected_output.txt (public names the doc leaves out, a header without a heading, entries and
a heading that name nothing the headers declare), exit 1,
and never require a name that is private, protected, in a detail or unnamed namespace, in a
comment, string literal or #if 0 block, outside namespace tcpfsm, an include guard or a
TCPFSM_DETAIL_ macro.

Usage: check_api_doc_selftest.py PYTHON CHECKER FIXTURE_DIR
"""
import os
import subprocess
import sys
import tempfile


def main(python, checker, fixture):
    failures = []
    run = subprocess.run([python, checker, "--include", "include", "--doc", "api.md"], cwd=fixture,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    with open(fixture + "/expected_output.txt", encoding="utf-8") as f:
        expected = f.read()
    if run.returncode != 1:
        failures.append("exit status %d, expected 1 (stderr: %s)" % (run.returncode, run.stderr.strip()))
    if run.stdout != expected:
        failures.append("output differs from expected_output.txt:\n--- got\n%s--- expected\n%s" % (run.stdout, expected))

    listing = subprocess.run([python, checker, "--include", "include", "--list"], cwd=fixture,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    names = {line.strip().rsplit("  (", 1)[0] for line in listing.stdout.splitlines() if line.startswith("  ")}
    never = ["box::secret_", "box::private_nested", "box::private_nested::not_public", "box::for_derived",
             "box::nested::hidden_in_nested", "engine::default_private_", "detail::hidden", "hidden",
             "detail::helper", "helper", "helpers::detail::deep_hidden", "deep_hidden", "unnamed_internal",
             "disabled_name", "commented_out", "in_a_comment", "not_tcpfsm", "outside::not_tcpfsm",
             "declared_elsewhere", "box::declared_elsewhere", "box_access", "box::box_access",
             "TCPFSM_FIXTURE_HPP", "TCPFSM_SUB_NESTED_HPP", "TCPFSM_DETAIL_HELPER", "uint32_t", "fake",
             "detail::fake"]
    for name in never:
        if name in names:
            failures.append("required a name that is not public: %s" % name)
    always = ["box", "box::box", "box::~box", "box::operator=", "box::operator==", "box::operator()",
              "box::operator[]", "box::operator bool", "box::first", "box::second", "box::third",
              "box::nested::visible", "box::after_private", "engine::multi_line_function", "mask",
              "other_mask", "same", "boxed", "callback_for", "plain::plain_b", "helpers::twice",
              "sub::in_subfolder::field", "TCPFSM_FIXTURE_VERSION", "TCPFSM_WITH_WIDGETS", "closing_brace",
              "million", "raw_text", "opaque", "box_of_four", "is_box_v", "count_of"]
    for name in always:
        if name not in names:
            failures.append("did not find the public name %s" % name)

    # A doc that documents everything passes.
    full = "\n".join("`%s`" % n for n in sorted(names))
    full = "# `tcpfsm/fixture.hpp`\n# `tcpfsm/sub/nested.hpp`\n" + full + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        doc = os.path.join(tmp, "full.md")
        with open(doc, "w", encoding="utf-8") as f:
            f.write(full)
        ok = subprocess.run([python, checker, "--include", "include", "--doc", doc], cwd=fixture,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if ok.returncode != 0:
            failures.append("a doc naming every public name failed:\n" + ok.stdout)

    for f in failures:
        print("FAIL: " + f)
    if not failures:
        reported = sum(1 for line in expected.splitlines() if line.startswith("  "))
        print("check_api_doc self-test: %d names found, the expected %d findings (missing and stale) reported,"
              " nothing private required" % (len(names), reported))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
