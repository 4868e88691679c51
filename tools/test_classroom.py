#!/usr/bin/env python3
"""CTest checks of the classroom tools (label "exercise").

  test_classroom.py progress BUILD
      `make -C exercises check BUILD=BUILD` on the shipped stubs: must exit
      non-zero, and its table must list every exercise, none passed.
  test_classroom.py grade WORKDIR
      tools/grade on a temporary checkout whose exercise files are the
      solutions, except exercise "struct", whose every function loops
      forever: every other exercise must pass, "struct" must be reported
      as a timeout, killed within the limit; JUnit, TAP and CSV must agree.
      An exercise built under two sanitizers is one row, passed, whose
      testcases are the same tests once per sanitizer ("TEST [address]").
  test_classroom.py usage
      tools/grade on a missing or invalid checkout: a clear error, exit 2.
"""
import csv
import pathlib
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import exgen  # noqa: E402

GRADE = [sys.executable, str(ROOT / "tools" / "grade")]
LOOPER = "struct"
LIMIT = 10


def check(cond, msg):
    if not cond:
        sys.exit(f"test_classroom: FAIL: {msg}")


def valid_exercises():
    names = []
    for name in exgen.exercise_names():
        try:
            exgen.load_conf(name)
            names.append(name)
        except exgen.ExgenError:
            pass
    return names


def parse_table(text):
    """{exercise: result} from the table tools/grade prints."""
    lines = text.splitlines()
    sep = next(i for i, l in enumerate(lines) if l.startswith("---"))
    spans, pos = [], 0
    for group in lines[sep].split("  "):
        spans.append((pos, pos + len(group)))
        pos += len(group) + 2
    rows = {}
    for line in lines[sep + 1:]:
        if not line.strip():
            break
        rows[line[spans[1][0]:spans[1][1]].strip()] = line[spans[2][0]:spans[2][1]].strip()
    return rows


def test_progress(build):
    r = subprocess.run(["make", "-s", "-C", str(ROOT / "exercises"), "check", f"BUILD={build}"],
                       capture_output=True, text=True)
    print(r.stdout + r.stderr)
    check(r.returncode != 0, "make check in exercises/ exited 0 on the stubs")
    rows = parse_table(r.stdout)
    for name in exgen.exercise_names():
        check(name in rows, f"exercise {name} is missing from the table")
        check(not rows[name].startswith("passed"), f"exercise {name} shows as {rows[name]}")
    check("0 of" in r.stdout, "the summary line does not say 0 of N pass")
    print(f"test_classroom: progress table lists all {len(rows)} exercises, none passed")


def test_grade(work):
    work = pathlib.Path(work)
    checkout = work / "checkout"
    out = work / "out"
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.rmtree(out / "logs", ignore_errors=True)
    names = valid_exercises()
    check(LOOPER in names, f"exercise {LOOPER} is needed by this test")
    for name in names:
        conf = exgen.load_conf(name)
        dest = checkout / "exercises" / name / conf["file"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        if name == LOOPER:
            stub = exgen.render(name, "stub", conf)
            looping = stub.replace(f"/* EXERCISE: write ", "for (;;) { } /* ")
            check(looping != stub, "could not make the looping file")
            dest.write_text(looping)
        else:
            shutil.copy(ROOT / "solutions" / name / conf["file"], dest)
    # The build dir is kept between runs (under the CTest build tree), so
    # only the exercises recompile the second time.
    start = time.monotonic()
    r = subprocess.run(GRADE + [str(checkout), "--out", str(out), "--timeout", str(LIMIT)],
                       capture_output=True, text=True)
    print(r.stdout + r.stderr)
    print(f"test_classroom: grade took {time.monotonic() - start:.0f} s")
    check(r.returncode == 1, f"grade exited {r.returncode}, want 1 (one exercise times out)")

    with open(out / "results.csv") as f:
        rows = {row["exercise"]: row for row in csv.DictReader(f)}
    check(sorted(rows) == sorted(exgen.exercise_names()), f"CSV rows {sorted(rows)}")
    for name in names:
        row = rows[name]
        if name == LOOPER:
            check(row["status"] == "timeout", f"{name}: status {row['status']}, want timeout")
            check(f"{LIMIT:g} s limit" in row["first_failure"], f"{name}: {row['first_failure']}")
        else:
            check(row["status"] == "passed", f"{name}: status {row['status']}: {row['first_failure']}")
            check(int(row["passed"]) > 0 and row["failed"] == "0", f"{name}: {row}")

    tree = ET.parse(out / "results.xml")
    suites = {s.get("name"): s for s in tree.getroot().iter("testsuite")}
    check(sorted(suites) == sorted(rows), "JUnit suites differ from the CSV rows")
    for name in names:
        s = suites[name]
        if name == LOOPER:
            check(float(s.get("time")) < LIMIT + 5,
                  f"{name}: ran {s.get('time')} s, limit {LIMIT} s")
            check(s.find("testcase/error[@type='timeout']") is not None, f"{name}: no timeout error")
        else:
            cases = s.findall("testcase")
            check(len(cases) == int(rows[name]["passed"]), f"{name}: {len(cases)} testcases")
            check(not s.findall("testcase/failure") and not s.findall("testcase/error"),
                  f"{name}: JUnit has failures")
            # Built under two sanitizers: counted once, every test run twice.
            sans = exgen.load_conf(name)["sanitizers"]
            if len(sans) > 1:
                names = [c.get("name") for c in cases]
                per = {san: sorted(n[:-len(f" [{san}]")] for n in names if n.endswith(f" [{san}]"))
                       for san in sans}
                check(all(per[san] for san in sans) and
                      all(per[san] == per[sans[0]] for san in sans) and
                      sum(len(v) for v in per.values()) == len(names),
                      f"{name}: testcases {names} are not the same tests under {sans}")

    tap = (out / "results.tap").read_text().splitlines()
    check(tap[0] == "TAP version 13" and tap[1].startswith("1.."), "TAP header")
    n = int(tap[1][3:])
    check(sum(l.startswith(("ok ", "not ok ")) for l in tap) == n, "TAP plan and lines disagree")
    check(any(l.startswith("not ok") and f"{LOOPER}: timeout" in l for l in tap), "TAP: no timeout line")
    print(f"test_classroom: {len(names) - 1} exercises pass with the solutions, "
          f"{LOOPER} times out within {LIMIT} s")


def test_usage(work):
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    cases = [
        ([str(work / "no-such-dir")], "no such directory"),
        ([str(ROOT / "README.md")], "not a directory"),
        ([str(work)], "no exercises/ folder"),
        ([str(ROOT), "--timeout", "0"], "must be positive"),
    ]
    for args, want in cases:
        r = subprocess.run(GRADE + args + ["--out", str(work / "out")], capture_output=True, text=True)
        check(r.returncode == 2, f"grade {args}: exit {r.returncode}, want 2")
        check(want in r.stderr, f"grade {args}: stderr {r.stderr!r} lacks {want!r}")
    print("test_classroom: bad checkouts get a clear error and exit 2")


def main(argv):
    if len(argv) == 3 and argv[1] == "progress":
        return test_progress(argv[2])
    if len(argv) == 3 and argv[1] == "grade":
        return test_grade(argv[2])
    if len(argv) == 3 and argv[1] == "usage":
        return test_usage(argv[2])
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
