#!/usr/bin/env python3
"""Derive exercises and solutions from the port's real source.

The port is the single source of truth.  A function that is an exercise sits
between markers in its real file:

    /* [exercise:NAME] */
    ...one or more whole functions...
    /* [/exercise:NAME] */

(one exercise may have several such regions).  Each exercise folder
exercises/NAME/ has an `exercise.conf` naming the source and the student's
file.  From the markers this tool makes:

  stub      exercises/NAME/FILE: the functions with their bodies replaced by a
            "not written yet" return (-ENOSYS), doc comments kept: the task.
  solution  solutions/NAME/FILE: the functions exactly as in the source.
  splice    the real source with the regions cut out and the student's file
            #included where the first region was: what `make check` builds.

Commands:
  exgen.py generate            write every stub and solution
  exgen.py check               fail if a committed stub or solution differs
  exgen.py splice NAME FILE OUT  write the spliced source using FILE
  exgen.py stub NAME OUT       write the stub to OUT (for the build's own proof)
  exgen.py list                print the exercise names

Only the standard library is used, so any Python 3 runs it.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK_MARKER = re.compile(r"^\s*/\* \[/?book:[\w-]+\] \*/\s*$")


def load_conf(name):
    conf = {}
    path = ROOT / "exercises" / name / "exercise.conf"
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        conf[key.strip()] = value.strip()
    for key in ("source", "file", "title", "chapter"):
        if key not in conf:
            sys.exit(f"exgen: {path}: missing '{key} = ...'")
    return conf


def exercise_names():
    return sorted(p.parent.name for p in (ROOT / "exercises").glob("*/exercise.conf"))


def regions(lines, name):
    """Return (start, end) line index pairs, markers included."""
    begin = f"/* [exercise:{name}] */"
    end = f"/* [/exercise:{name}] */"
    found, start = [], None
    for i, line in enumerate(lines):
        if line.strip() == begin:
            if start is not None:
                sys.exit(f"exgen: nested '{begin}' at line {i + 1}")
            start = i
        elif line.strip() == end:
            if start is None:
                sys.exit(f"exgen: '{end}' without a start at line {i + 1}")
            found.append((start, i))
            start = None
    if start is not None:
        sys.exit(f"exgen: '{begin}' never closed")
    if not found:
        sys.exit(f"exgen: no region '{begin}' in the source")
    return found


def region_text(lines, name):
    """The regions' lines, markers (exercise and book) dropped."""
    out = []
    for start, end in regions(lines, name):
        body = [l for l in lines[start + 1:end] if not BOOK_MARKER.match(l)]
        if out:
            out.append("\n")
        out.extend(body)
    return out


def stub_return(signature):
    """What a not-yet-written function returns, from its declared type."""
    head = signature.split("(")[0]
    if re.search(r"\bvoid\s+\w+\s*$", head) and "*" not in head:
        return None
    if "*" in head:
        return "\treturn ERR_PTR(-ENOSYS);\n"
    if re.search(r"\bu(8|16|32|64)\b|\bunsigned\b|\bsize_t\b|\bbool\b", head):
        return "\treturn 0;\n"
    return "\treturn -ENOSYS;\n"


def stubbed(text, conf):
    """Replace every top-level function body with a stub body."""
    out, i = [], 0
    while i < len(text):
        line = text[i]
        if line.rstrip("\n") == "{":
            # The signature is the run of lines since the last blank line
            # or comment end; kernel style puts the body's brace alone.
            sig_lines = []
            j = len(out) - 1
            while j >= 0 and out[j].strip() and not out[j].strip().endswith("*/"):
                sig_lines.insert(0, out[j])
                j -= 1
            signature = " ".join(l.strip() for l in sig_lines)
            fname = re.search(r"(\w+)\s*\(", signature)
            fname = fname.group(1) if fname else "this function"
            depth = 0
            while True:
                depth += text[i].count("{") - text[i].count("}")
                if depth == 0 and text[i].rstrip("\n") == "}":
                    break
                i += 1
                if i == len(text):
                    sys.exit("exgen: unbalanced braces in a region")
            out.append("{\n")
            out.append(f"\t/* EXERCISE: write {fname}() (see README.md). */\n")
            ret = stub_return(signature)
            if ret:
                out.append(ret)
            out.append("}\n")
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def header(conf, name, kind):
    src = conf["source"]
    if kind == "stub":
        return (
            f"/*\n"
            f" * Exercise \"{name}\": {conf['title']}\n"
            f" * Chapter: {conf['chapter']}.\n"
            f" *\n"
            f" * Write the bodies of the functions below.  Run `make check` in this\n"
            f" * folder: it builds the whole port with your functions in place of the\n"
            f" * real ones and runs the chapter's tests.  README.md says what they check.\n"
            f" *\n"
            f" * Made from {src} by tools/exgen.py; this copy is yours to edit.\n"
            f" */\n\n"
        )
    return (
        f"/*\n"
        f" * Solution to exercise \"{name}\": {conf['title']}\n"
        f" * Chapter: {conf['chapter']}.\n"
        f" *\n"
        f" * These are the functions exactly as they stand in {src}\n"
        f" * (tools/exgen.py copies them; `exgen.py check` proves the copy is exact).\n"
        f" * README.md next to this file explains them.\n"
        f" */\n\n"
    )


def render(name, kind):
    conf = load_conf(name)
    lines = (ROOT / conf["source"]).read_text().splitlines(keepends=True)
    text = region_text(lines, name)
    if kind == "stub":
        text = stubbed(text, conf)
    return header(conf, name, kind) + "".join(text)


def targets(name):
    conf = load_conf(name)
    return (ROOT / "exercises" / name / conf["file"],
            ROOT / "solutions" / name / conf["file"])


def cmd_generate():
    for name in exercise_names():
        stub_path, sol_path = targets(name)
        stub_path.write_text(render(name, "stub"))
        sol_path.parent.mkdir(parents=True, exist_ok=True)
        sol_path.write_text(render(name, "solution"))
        print(f"exgen: wrote {stub_path.relative_to(ROOT)} and {sol_path.relative_to(ROOT)}")


def cmd_check():
    bad = 0
    for name in exercise_names():
        stub_path, sol_path = targets(name)
        for path, kind in ((sol_path, "solution"), (stub_path, "stub")):
            want = render(name, kind)
            have = path.read_text() if path.exists() else None
            if have == want:
                print(f"exgen: {path.relative_to(ROOT)}: in sync with the source")
                continue
            bad += 1
            if kind == "solution":
                print(f"exgen: {path.relative_to(ROOT)} differs from the functions in "
                      f"{load_conf(name)['source']}; run tools/exgen.py generate")
            else:
                print(f"exgen: {path.relative_to(ROOT)} differs from the shipped stub. "
                      f"If you are working on this exercise that is expected; "
                      f"`git checkout {path.relative_to(ROOT)}` restores it. Otherwise "
                      f"run tools/exgen.py generate.")
    if bad:
        sys.exit(1)


def cmd_splice(name, student, out):
    conf = load_conf(name)
    lines = (ROOT / conf["source"]).read_text().splitlines(keepends=True)
    spans = regions(lines, name)
    student = pathlib.Path(student).resolve()
    result, last = [], 0
    for k, (start, end) in enumerate(spans):
        result.extend(lines[last:start])
        if k == 0:
            result.append(f'#include "{student}"\n')
        result.append(f'#line {end + 2} "{ROOT / conf["source"]}"\n')
        last = end + 1
    result.extend(lines[last:])
    text = "".join(result)
    out = pathlib.Path(out)
    if not out.exists() or out.read_text() != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


def cmd_stub(name, out):
    out = pathlib.Path(out)
    text = render(name, "stub")
    if not out.exists() or out.read_text() != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)


def main(argv):
    if len(argv) == 2 and argv[1] == "generate":
        return cmd_generate()
    if len(argv) == 2 and argv[1] == "check":
        return cmd_check()
    if len(argv) == 2 and argv[1] == "list":
        print("\n".join(exercise_names()))
        return None
    if len(argv) == 5 and argv[1] == "splice":
        return cmd_splice(argv[2], argv[3], argv[4])
    if len(argv) == 4 and argv[1] == "stub":
        return cmd_stub(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
