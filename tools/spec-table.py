#!/usr/bin/env python3
"""Run the conformance suite on both backends and write the book's table.

    spec-table.py SPEC_BINARY TEST_SOURCE_DIR OUT_DIR

Runs `SPEC_BINARY port` and `SPEC_BINARY kernel` with the case log
(SPEC_LOG, every checked result) and Check's XML log (every test's
verdict), reads the comment above each START_TEST in TEST_SOURCE_DIR for
what the case checks, and writes into OUT_DIR:

  conformance-cases.rst     one row per case: what it checks, the results
                            it asserts, and its verdict on each backend
  conformance-checks.rst    every checked call of every case, with the
                            result wanted (both backends must give it)
  conformance-summary.rst   substitutions with the counts, for the prose

Nothing here is typed by hand: the descriptions are the test sources' own
comments and the results are what the run logged.  Exit status 0 even when
a case fails (the table then says so); the test command is what fails.
Only the standard library is used.
"""
import collections
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://check.sourceforge.net/ns}"


def test_comments(src_dir):
    """name -> (file, description, spec refs), in source order."""
    cases = collections.OrderedDict()
    pat = re.compile(r"(/\*(?:[^*]|\*(?!/))*\*/)\s*\nSTART_TEST\((\w+)\)")
    order = ["test_map_create.c", "test_map_lookup.c", "test_map_update.c",
             "test_map_delete.c", "test_map_keys.c", "test_map_other.c",
             "test_map_matrix.c", "test_socket_events.c"]
    files = sorted(f for f in os.listdir(src_dir)
                   if f.startswith("test_") and f.endswith(".c"))
    files.sort(key=lambda f: order.index(f) if f in order else len(order))
    for f in files:
        text = open(os.path.join(src_dir, f), encoding="utf-8").read()
        for m in pat.finditer(text):
            body = re.sub(r"^/\*+|\*/$", "", m.group(1))
            lines = [re.sub(r"^\s*\*\s?", "", l).strip() for l in body.splitlines()]
            desc, refs = [], ""
            for l in lines:
                if l.startswith("Spec:"):
                    refs = l[len("Spec:"):].strip().rstrip(".")
                elif l:
                    desc.append(l)
            cases[m.group(2)] = (f, " ".join(desc), refs)
    return cases


def run(spec, backend, workdir):
    log = os.path.join(workdir, backend + ".tsv")
    xml = os.path.join(workdir, backend + ".xml")
    env = dict(os.environ, SPEC_LOG=log, CK_XML_LOG_FILE_NAME=xml)
    env.pop("CK_RUN_CASE", None)
    env.pop("CK_RUN_SUITE", None)
    p = subprocess.run([spec, backend], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    out = p.stdout
    if p.returncode == 77:
        reason = next((l for l in out.splitlines() if l.startswith("SKIP")), "skipped")
        return None, reason
    checks = collections.defaultdict(list)
    if os.path.exists(log):
        for line in open(log, encoding="utf-8"):
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                checks[parts[1]].append((parts[2], parts[3], parts[4]))
    verdicts = collections.defaultdict(list)
    if os.path.exists(xml):
        for t in ET.parse(xml).getroot().iter(NS + "test"):
            verdicts[t.find(NS + "id").text].append(
                (t.get("result"), t.find(NS + "message").text or ""))
    return (checks, verdicts), None


def cell(s):
    return s.replace("|", "/").replace("\n", " ").strip() or " "


def lit(s):
    """An inline literal that survives any text."""
    s = s.replace("`", "'")
    return "``" + s + "``" if s.strip() else " "


def results_summary(checks):
    """The distinct results a case asserts, in order, with counts."""
    counts = collections.OrderedDict()
    for _, want, _ in checks:
        counts[want] = counts.get(want, 0) + 1
    parts = []
    for want, n in counts.items():
        if want == "DIFFERENCE":
            continue
        parts.append(want if n == 1 else f"{want} ×{n}")
    return ", ".join(parts)


def verdict(name, data):
    if data is None:
        return "skipped"
    checks, verdicts = data
    v = verdicts.get(name)
    if not v:
        return "not run"
    if any(c[1] == "DIFFERENCE" for c in checks.get(name, [])):
        return "difference"
    bad = [r for r in v if r[0] != "success"]
    if bad:
        return f"FAILED ({len(bad)}/{len(v)} runs)"
    return "pass"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    spec, src_dir, out_dir = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    cases = test_comments(src_dir)
    with tempfile.TemporaryDirectory() as work:
        port, _ = run(spec, "port", work)
        kern, kern_skip = run(spec, "kernel", work)

    ref = kern if kern is not None else port
    rows = []
    for name, (f, desc, refs) in cases.items():
        checks = ref[0].get(name, []) if ref else []
        if kern is not None and port is not None and not checks:
            checks = port[0].get(name, [])
        rows.append((name, f, desc, refs, results_summary(checks),
                     verdict(name, port), verdict(name, kern)))

    with open(os.path.join(out_dir, "conformance-cases.rst"), "w", encoding="utf-8") as o:
        o.write(".. list-table::\n   :header-rows: 1\n   :class: conformance-cases\n"
                "   :widths: 50 30 20\n\n")
        o.write("   * - Case: what it checks\n     - Results asserted\n"
                "     - Port / kernel\n")
        for name, f, desc, refs, summ, pv, kv in rows:
            what = cell(desc)
            if refs and refs.lower() != "none":
                what += f" (spec: {cell(refs)})"
            o.write(f"   * - {lit(name)}: {what}\n     - {cell(summ)}\n"
                    f"     - {cell(pv)} / {cell(kv)}\n")

    with open(os.path.join(out_dir, "conformance-checks.rst"), "w", encoding="utf-8") as o:
        for name, f, desc, refs, summ, pv, kv in rows:
            checks = (ref[0].get(name, []) if ref else []) or \
                     (port[0].get(name, []) if port else [])
            o.write(f"{lit(name)} ({f})\n\n")
            if not checks:
                o.write("   (no logged checks)\n\n")
                continue
            seen = collections.OrderedDict()
            for what, want, _ in checks:
                seen[(what, want)] = True
            for what, want in seen:
                o.write(f"   * {lit(what)} → **{cell(want)}**\n")
            o.write("\n")

    def count(data, key):
        if data is None:
            return 0
        checks, verdicts = data
        if key == "runs":
            return sum(len(v) for v in verdicts.values())
        if key == "checks":
            return sum(len(v) for v in checks.values())
        if key == "failed":
            return sum(1 for v in verdicts.values() for r in v if r[0] != "success")
        return 0

    diffs = sum(1 for r in rows if r[5] == "difference")
    with open(os.path.join(out_dir, "conformance-summary.rst"), "w", encoding="utf-8") as o:
        o.write(f".. |cases| replace:: {len(rows)}\n")
        o.write(f".. |differences| replace:: {diffs}\n")
        o.write(f".. |port-runs| replace:: {count(port, 'runs')}\n")
        o.write(f".. |port-checks| replace:: {count(port, 'checks')}\n")
        o.write(f".. |port-failed| replace:: {count(port, 'failed')}\n")
        o.write(f".. |kernel-runs| replace:: {count(kern, 'runs')}\n")
        o.write(f".. |kernel-checks| replace:: {count(kern, 'checks')}\n")
        o.write(f".. |kernel-failed| replace:: {count(kern, 'failed')}\n")
        o.write(f".. |kernel-status| replace:: "
                f"{'was skipped (' + kern_skip + ')' if kern is None else 'ran on the live kernel'}\n")


if __name__ == "__main__":
    main()
