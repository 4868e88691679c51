#!/usr/bin/env python3
"""Run the lifecycle chapter's use-after-free demonstration and judge it.

    asan_report.py WRONG RIGHT SRCDIR [OUT]

WRONG and RIGHT are the demo program (uaf_demo.c) built with
AddressSanitizer against the port with the wrong-order
reuseport_array_free() (free_wrong_order.c spliced in) and against the real
port.  Passes (exit 0) only if RIGHT exits 0 with no sanitizer report and
WRONG's report is a heap-use-after-free in bpf_sk_reuseport_detach(), on
memory freed by reuseport_array_free().  With OUT, the report, trimmed to
the useful lines (a few frames per stack, no shadow-byte map) and with
process ids, addresses and paths normalised, is written there for the book.

Only the standard library is used.
"""
import os
import re
import subprocess
import sys

FRAMES = 8  # frames kept per stack


def run(prog):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ("detect_leaks=1:abort_on_error=0:halt_on_error=1:"
                           "symbolize=1:color=never")
    r = subprocess.run([prog], capture_output=True, text=True, env=env, timeout=120)
    return r.returncode, r.stdout + r.stderr


def trim(report, srcdir):
    srcdir = os.path.realpath(srcdir).rstrip("/") + "/"
    out, kept, in_stack = [], 0, False
    for line in report.splitlines():
        if line.startswith("Shadow bytes") or line.startswith("SUMMARY:"):
            if line.startswith("SUMMARY:"):
                out.append(line)
            in_stack = False
            if line.startswith("Shadow bytes"):
                continue
            continue
        m = re.match(r"^\s*#(\d+) 0x[0-9a-f]+ in (\S+) (.*)$", line)
        if m:
            if not in_stack:
                continue
            kept += 1
            if kept <= FRAMES:
                where = m.group(3).replace(srcdir, "")
                where = re.sub(r"\s*\(.*\)$", "", where)
                where = re.sub(r"^/\S*/(lib\w+\.so[.\d]*)", r"\1", where)
                where = re.sub(r"^\S*/libsanitizer/\S*", "(the sanitizer's runtime)", where)
                out.append(f"    #{m.group(1)} {m.group(2)} {where}")
            elif kept == FRAMES + 1:
                out.append("    ...")
            continue
        if re.match(r"^\s*#\d+ 0x[0-9a-f]+ ", line):
            continue  # an unsymbolised frame
        if "ERROR: AddressSanitizer" in line or re.match(
                r"^(READ|WRITE|freed by|previously allocated by|0x[0-9a-f]+ is located)", line):
            in_stack, kept = True, 0
            if line.startswith("0x"):
                in_stack = False
            out.append(line)
            continue
        if line.startswith("Thread T") and "created by" in line:
            in_stack, kept = True, 0
            out.append(line)
            continue
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
            in_stack = False
    text = "\n".join(out).strip() + "\n"
    text = text.replace(srcdir, "")
    text = re.sub(r"==\d+==", "==PID==", text)
    text = re.sub(r"0x[0-9a-f]{6,}", "0x...", text)
    text = re.sub(r"\(pid=\d+\)", "(pid=PID)", text)
    return text


def main(argv):
    if len(argv) not in (4, 5):
        sys.exit(__doc__)
    wrong, right, srcdir = argv[1:4]
    rc, out = run(right)
    if rc != 0 or "Sanitizer" in out:
        sys.exit(f"asan_report: the real port's run is not clean (exit {rc}):\n{out}")
    print(f"real port: exit 0, no report: {out.strip()}")
    rc, out = run(wrong)
    if rc == 0 or "ERROR: AddressSanitizer: heap-use-after-free" not in out:
        sys.exit(f"asan_report: the wrong-order free was not caught (exit {rc}):\n{out}")
    first_stack = out.split("ERROR: AddressSanitizer", 1)[1].split("freed by", 1)[0]
    if "bpf_sk_reuseport_detach" not in first_stack or "reuseport_array_free" not in out:
        sys.exit(f"asan_report: a use-after-free, but not the expected one:\n{out}")
    text = trim(out, srcdir)
    print("wrong-order free: ASan reports heap-use-after-free in "
          "bpf_sk_reuseport_detach(), freed by reuseport_array_free():")
    print(text)
    if len(argv) == 5:
        tmp = argv[4] + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, argv[4])


if __name__ == "__main__":
    main(sys.argv)
