#!/usr/bin/env python3
"""Derive exercises and solutions from the port's real source.

exercise.conf (exercises/NAME/exercise.conf), the reference
-----------------------------------------------------------
One `key = value` per line; a line starting with `#`, and ` # ...` after a
value, are comments; blank lines are ignored; an unknown key is an error.
NAME (the folder) is letters, digits, `_` and `-`.

  title = one line                     required: what the student builds
  chapter = The struct                 required: the chapter's title, as in
                                       its book/<doc>.rst heading
  source = code/kernel/bpf/reuseport_array.c
                                       required: the real file holding the
                                       regions; ANY .c of the port (under
                                       code/kernel, net, fs or lib) or a .h
                                       under code/include
  file = reuseport_array_struct.c      required: the student's file in
                                       exercises/NAME/ (.c or .h; plain name)
  tests = code/tests/test_struct.c     required: the Check suite; only its
                                       tests tagged "exercise" grade it
  stub = generated                     optional, default generated: this tool
                                       writes exercises/NAME/FILE.  "shipped":
                                       that file is hand-written (e.g. a
                                       deliberately broken version), never
                                       regenerated; `check` then verifies the
                                       solution, and that the shipped stub
                                       exists and differs from it
  sanitize = thread                    optional: "thread" or "address" (or
                                       "none"): the exercise's builds (ex_,
                                       stub_, sol_) use that sanitizer even in
                                       the plain build; `make check`, CTest
                                       and tools/grade run them with the
                                       project's TSAN/ASAN/UBSAN_OPTIONS
  sanitize = address thread            both (any order, space-separated):
                                       every build is made twice, once per
                                       sanitizer (ex_NAME_address and
                                       ex_NAME_thread, likewise stub_ and
                                       sol_); the stub must fail and the
                                       solution pass under each (CTest
                                       exercise-NAME-stub-fails-address,
                                       ...-thread, exercise-NAME-solution-
                                       passes-address, ...-thread); `make
                                       check` runs both, and tools/grade
                                       reports the exercise once: passed
                                       only if both runs pass.  In a
                                       whole-project sanitizer build
                                       (-DSOCKARRAY_SANITIZE=...) there is
                                       one build, with that sanitizer, under
                                       the single-sanitizer names.
  return.FUNC = EXPR                   optional, any number: what the
                                       generated stub of function FUNC
                                       returns (`return.foo = NULL`,
                                       `return.bar = void` for no return),
                                       when the rule below does not suit

Markers in the source (several regions per exercise, several exercises per
file; each build splices only its own exercise's regions):

    /* [exercise:NAME] */
    ...one or more whole functions (static inline in a header is fine)...
    /* [/exercise:NAME] */

Stub rule: each function body becomes a comment and a "not written yet"
return chosen from the return type: void -> nothing; pointers ->
ERR_PTR(-ENOSYS) (NULL if the source does not know ERR_PTR, or the exercise
defines it); int, long, s64, ssize_t... -> -ENOSYS; bool, unsigned types,
u8..u64, size_t, other typedefs -> 0; a struct or union by value -> { 0 }.
Doc comments and everything outside bodies are kept.

What this tool makes
--------------------
  stub      exercises/NAME/FILE: the functions with stub bodies: the task.
  solution  solutions/NAME/FILE: the functions exactly as in the source.
  splice    the real source with the regions cut out and the student's file
            #included where the LAST region was (so it sees everything the
            real functions saw); each earlier region leaves the prototypes of
            its functions behind, for the code between; #line keeps
            diagnostics pointing at the real file.
  overlay   for a header source: a copy of code/include with the spliced
            header in place of the real one; the build puts it first on the
            include path of everything in that variant.

Commands:
  exgen.py generate [NAME...]          write stubs (not shipped ones) and solutions
  exgen.py check [NAME...]             fail if a committed stub or solution differs
  exgen.py splice NAME FILE OUT        write the spliced source using FILE
  exgen.py overlay NAME FILE DIR STAMP write the include overlay into DIR
  exgen.py stub NAME OUT               write the generated stub to OUT
  exgen.py list                        print the exercise names
  exgen.py cmake-info OUT              describe every exercise for CMake

Only the standard library is used, so any Python 3 runs it.
"""
import os
import pathlib
import re
import sys

ROOT = pathlib.Path(os.environ.get("EXGEN_ROOT") or
                    pathlib.Path(__file__).resolve().parent.parent).resolve()
BOOK_MARKER = re.compile(r"^\s*/\* \[/?book:[\w-]+\] \*/\s*$")
NAME_RE = re.compile(r"^[A-Za-z0-9_-]+$")
REQUIRED = ("title", "chapter", "source", "file", "tests")
OPTIONAL = ("stub", "sanitize")
SANITIZERS = ("address", "thread")
PORT_DIRS = ("code/kernel/", "code/net/", "code/fs/", "code/lib/")


class ExgenError(Exception):
    pass


# ------------------------------------------------------------------ conf

def load_conf(name):
    if not NAME_RE.match(name):
        raise ExgenError(f"exercise name '{name}': use letters, digits, '_' and '-'")
    path = ROOT / "exercises" / name / "exercise.conf"
    if not path.is_file():
        raise ExgenError(f"{path}: no such file")
    conf = {"returns": {}}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, eq, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key:
            raise ExgenError(f"{path}:{n}: expected 'key = value'")
        # A trailing "# comment" is allowed after a value.
        value = re.sub(r"\s+#.*$", "", value)
        if key.startswith("return."):
            fn = key[len("return."):]
            if not re.match(r"^\w+$", fn):
                raise ExgenError(f"{path}:{n}: bad function name in '{key}'")
            conf["returns"][fn] = value
        elif key in REQUIRED or key in OPTIONAL:
            conf[key] = value
        else:
            raise ExgenError(f"{path}:{n}: unknown key '{key}' (known: "
                             f"{', '.join(REQUIRED + OPTIONAL)}, return.FUNC)")
    for key in REQUIRED:
        if not conf.get(key):
            raise ExgenError(f"{path}: missing '{key} = ...'")
    conf.setdefault("stub", "generated")
    if conf["stub"] not in ("generated", "shipped"):
        raise ExgenError(f"{path}: stub = generated or shipped, not '{conf['stub']}'")
    words = (conf.get("sanitize", "none") or "none").split()
    if words == ["none"]:
        words = []
    if any(w not in SANITIZERS for w in words) or len(set(words)) != len(words):
        raise ExgenError(f"{path}: sanitize = thread, address, 'address thread' or none, "
                         f"not '{conf['sanitize']}'")
    # A fixed order, so that the builds' names do not depend on the conf's.
    conf["sanitizers"] = [s for s in SANITIZERS if s in words]
    conf["sanitize"] = " ".join(conf["sanitizers"])
    src = conf["source"]
    if src.endswith(".h"):
        if not src.startswith("code/include/"):
            raise ExgenError(f"{path}: a header source must be under code/include/, not '{src}'")
        conf["kind"] = "h"
    elif src.endswith(".c"):
        if not src.startswith(PORT_DIRS):
            raise ExgenError(f"{path}: a .c source must be a port file under "
                             f"{', '.join(PORT_DIRS)}, not '{src}'")
        conf["kind"] = "c"
    else:
        raise ExgenError(f"{path}: source must be a .c or .h file, not '{src}'")
    if not (ROOT / src).is_file():
        raise ExgenError(f"{path}: source '{src}' does not exist")
    if not (ROOT / conf["tests"]).is_file():
        raise ExgenError(f"{path}: tests '{conf['tests']}' does not exist")
    if "/" in conf["file"] or not re.match(r"^[\w.-]+\.[ch]$", conf["file"]):
        raise ExgenError(f"{path}: file must be a plain .c or .h name, not '{conf['file']}'")
    return conf


def exercise_names():
    return sorted(p.parent.name for p in (ROOT / "exercises").glob("*/exercise.conf"))


# ------------------------------------------------------------------ regions

def regions(lines, name, where="the source"):
    """Return (start, end) line index pairs, markers included."""
    begin = f"/* [exercise:{name}] */"
    end = f"/* [/exercise:{name}] */"
    found, start = [], None
    for i, line in enumerate(lines):
        if line.strip() == begin:
            if start is not None:
                raise ExgenError(f"{where}:{i + 1}: nested '{begin}'")
            start = i
        elif line.strip() == end:
            if start is None:
                raise ExgenError(f"{where}:{i + 1}: '{end}' without a start")
            found.append((start, i))
            start = None
    if start is not None:
        raise ExgenError(f"{where}:{start + 1}: '{begin}' never closed")
    if not found:
        raise ExgenError(f"{where}: no region '{begin}'")
    return found


def source_lines(conf):
    return (ROOT / conf["source"]).read_text().splitlines(keepends=True)


def region_text(lines, name, where="the source"):
    """The regions' lines, markers (exercise and book) dropped."""
    out = []
    for start, end in regions(lines, name, where):
        body = [l for l in lines[start + 1:end] if not BOOK_MARKER.match(l)]
        if out:
            out.append("\n")
        out.extend(body)
    return out


# ------------------------------------------------------------------ stubs

SKIP_WORDS = {"static", "inline", "extern", "__always_inline", "__inline",
              "__inline__", "noinline", "__must_check", "__cold", "__hot",
              "__init", "__exit", "notrace", "__maybe_unused", "register",
              "__noreturn", "_Noreturn", "const", "volatile"}
SIGNED = re.compile(r"^(int|long|short|char|signed|s8|s16|s32|s64|__s8|__s16|"
                    r"__s32|__s64|ssize_t|loff_t|off_t|ptrdiff_t|intptr_t|"
                    r"int8_t|int16_t|int32_t|int64_t)$")


def split_signature(sig):
    """(return type text, function name) of a definition's signature."""
    sig = re.sub(r"__attribute__\s*\(\(.*?\)\)", " ", sig)
    m = re.search(r"(\w+)\s*\(", sig)
    if not m:
        return sig.strip(), "this function"
    return sig[:m.start()].strip(), m.group(1)


def stub_return(head, fname, conf, knows_err_ptr):
    """The statement a not-yet-written function ends with, or None."""
    override = conf.get("returns", {}).get(fname)
    if override is not None:
        return None if override == "void" else f"\treturn {override};\n"
    if "*" in head:
        return ("\treturn ERR_PTR(-ENOSYS);\n" if knows_err_ptr
                else "\treturn NULL;\n")
    words = [w for w in re.findall(r"\w+", head) if w not in SKIP_WORDS]
    if not words:
        return "\treturn -ENOSYS;\n"
    if words == ["void"]:
        return None
    if words[0] in ("struct", "union") and len(words) >= 2:
        return f"\treturn ({words[0]} {words[1]}){{ 0 }};\n"
    if "unsigned" in words or words[0] == "enum":
        return "\treturn 0;\n"
    if all(SIGNED.match(w) for w in words):
        return "\treturn -ENOSYS;\n"
    return "\treturn 0;\n"


def _skip_literal(text, i):
    """Index just past a comment or string/char literal starting at i, or i."""
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        return len(text) if j < 0 else j + 2
    if text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text[i] in "\"'":
        q, j = text[i], i + 1
        while j < len(text) and text[j] != q:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    return i


def _at_line_start(text, i):
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] == "\n"


def functions(text):
    """Yield (signature, body_start, body_end) for every top-level function
    definition in C text: the signature without comments, whitespace
    collapsed; text[body_start] is its "{" and text[body_end] its "}"."""
    sig, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        if c == "#" and _at_line_start(text, i):
            # A preprocessor line (with continuations) ends any signature.
            while True:
                k = text.find("\n", i)
                if k < 0 or text[k - 1] != "\\":
                    break
                i = k + 1
            sig, i = [], (n if k < 0 else k)
            continue
        if c in ";}":
            sig = []
        elif c == "{":
            signature = " ".join("".join(sig).split())
            depth, j = 0, i
            while j < n:
                k = _skip_literal(text, j)
                if k != j:
                    j = k
                    continue
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            if j >= n:
                raise ExgenError(f"unbalanced braces after '{signature[:60]}'")
            # A function's parameter list (and attribute macros such as
            # __must_hold(x)) end the signature; a struct, union, enum or
            # initialiser is copied whole.
            if "(" in signature and re.search(r"\)\s*(\w+\s*(\([^()]*\))?\s*)*$", signature):
                yield signature, i, j
            sig, i = [], j + 1
            continue
        else:
            sig.append(c)
        i += 1


def stubbed(lines, conf, knows_err_ptr):
    """Replace every top-level function body in the region text."""
    text = "".join(lines)
    out, last = [], 0
    for signature, start, end in functions(text):
        head, fname = split_signature(signature)
        out.append(text[last:start])
        out.append("{\n")
        out.append(f"\t/* EXERCISE: write {fname}() (see README.md). */\n")
        ret = stub_return(head, fname, conf, knows_err_ptr)
        if ret:
            out.append(ret)
        out.append("}")
        last = end + 1
    out.append(text[last:])
    return ["".join(out)]


def defines_function(lines, fname):
    # Definitions start in column 0 in kernel style; uses are indented.
    return any(re.match(rf"^[A-Za-z_][\w\s*]*\b{fname}\s*\(", l) for l in lines)


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


def render(name, kind, conf=None):
    conf = conf or load_conf(name)
    lines = source_lines(conf)
    text = region_text(lines, name, conf["source"])
    if kind == "stub":
        # The regions cut out, what is left must know ERR_PTR for the stub
        # to use it (and the stub of ERR_PTR itself must not call it).
        rest, last = [], 0
        for start, end in regions(lines, name, conf["source"]):
            rest.extend(lines[last:start])
            last = end + 1
        rest.extend(lines[last:])
        rest = "".join(rest)
        knows = (("ERR_PTR" in rest or "err.h" in rest)
                 and not defines_function(text, "ERR_PTR"))
        text = stubbed(text, conf, knows)
    return header(conf, name, kind) + "".join(text)


def targets(name, conf=None):
    conf = conf or load_conf(name)
    return (ROOT / "exercises" / name / conf["file"],
            ROOT / "solutions" / name / conf["file"])


# ------------------------------------------------------------------ commands

def write_if_changed(path, text):
    path = pathlib.Path(path)
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


def rel(path):
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def cmd_generate(names):
    for name in names or exercise_names():
        conf = load_conf(name)
        stub_path, sol_path = targets(name, conf)
        sol_path.parent.mkdir(parents=True, exist_ok=True)
        sol_path.write_text(render(name, "solution", conf))
        if conf["stub"] == "shipped":
            print(f"exgen: wrote {rel(sol_path)} ({rel(stub_path)} is shipped, left alone)")
            continue
        stub_path.write_text(render(name, "stub", conf))
        print(f"exgen: wrote {rel(stub_path)} and {rel(sol_path)}")


def cmd_check(names):
    bad = 0
    for name in names or exercise_names():
        try:
            conf = load_conf(name)
            stub_path, sol_path = targets(name, conf)
            solution = render(name, "solution", conf)
        except ExgenError as e:
            print(f"exgen: {name}: {e}")
            bad += 1
            continue
        have = sol_path.read_text() if sol_path.exists() else None
        if have == solution:
            print(f"exgen: {rel(sol_path)}: in sync with the source")
        else:
            bad += 1
            print(f"exgen: {rel(sol_path)} differs from the functions in "
                  f"{conf['source']}; run tools/exgen.py generate {name}")
        have = stub_path.read_text() if stub_path.exists() else None
        if conf["stub"] == "shipped":
            if have is None:
                bad += 1
                print(f"exgen: {rel(stub_path)}: the shipped stub is missing")
            elif have == solution:
                bad += 1
                print(f"exgen: {rel(stub_path)}: the shipped stub is the solution")
            else:
                print(f"exgen: {rel(stub_path)}: shipped, differs from the solution")
            continue
        if have == render(name, "stub", conf):
            print(f"exgen: {rel(stub_path)}: in sync with the source")
            continue
        bad += 1
        print(f"exgen: {rel(stub_path)} differs from the generated stub. "
              f"If you are working on this exercise that is expected; "
              f"`git checkout {rel(stub_path)}` restores it. Otherwise "
              f"run tools/exgen.py generate {name}.")
    if bad:
        sys.exit(1)


def spliced_text(name, student, conf=None):
    """The source with the regions cut out.  The student's file goes where
    the LAST region was, so it sees everything the real functions could
    see; each region leaves behind the prototypes of its functions, so code
    between the regions still finds them where it did."""
    conf = conf or load_conf(name)
    src = ROOT / conf["source"]
    lines = source_lines(conf)
    spans = regions(lines, name, conf["source"])
    student = pathlib.Path(student).resolve()
    result, last = [f'#line 1 "{src}"\n'], 0
    for k, (start, end) in enumerate(spans):
        result.extend(lines[last:start])
        if k == len(spans) - 1:
            result.append(f'#include "{student}"\n')
        else:
            body = "".join(lines[start + 1:end])
            protos = [sig + ";\n" for sig, _, _ in functions(body)]
            if protos:
                result.append(f'#line {start + 2} "{src}"\n')
                result.extend(protos)
        result.append(f'#line {end + 2} "{src}"\n')
        last = end + 1
    result.extend(lines[last:])
    return "".join(result)


def cmd_splice(name, student, out):
    write_if_changed(out, spliced_text(name, student))


def cmd_overlay(name, student, outdir, stamp):
    """code/include mirrored into outdir, the exercise's header spliced."""
    conf = load_conf(name)
    if conf["kind"] != "h":
        raise ExgenError(f"exercise {name}: overlay is for header sources")
    inc = ROOT / "code" / "include"
    outdir = pathlib.Path(outdir)
    target = ROOT / conf["source"]
    for path in sorted(inc.rglob("*")):
        if not path.is_file():
            continue
        dest = outdir / path.relative_to(inc)
        if path == target:
            write_if_changed(dest, spliced_text(name, student, conf))
        else:
            write_if_changed(dest, path.read_text())
    pathlib.Path(stamp).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(stamp).write_text("")


def cmd_stub(name, out):
    write_if_changed(out, render(name, "stub"))


def cmake_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$") \
        .replace(";", "\\;") + '"'


def cmd_cmake_info(out):
    """A CMake file: one block of variables per exercise, or its error."""
    text = ["# Written by tools/exgen.py cmake-info; do not edit.\n",
            "set(SOCKARRAY_EXERCISES)\nset(SOCKARRAY_EXERCISES_INVALID)\n"]
    for name in exercise_names():
        try:
            conf = load_conf(name)
            regions(source_lines(conf), name, conf["source"])
        except ExgenError as e:
            text.append(f"list(APPEND SOCKARRAY_EXERCISES_INVALID {name})\n")
            text.append(f"set(EX_{name}_ERROR {cmake_quote(str(e))})\n")
            continue
        text.append(f"list(APPEND SOCKARRAY_EXERCISES {name})\n")
        for key in ("title", "chapter", "source", "file", "tests", "stub",
                    "sanitize", "kind"):
            text.append(f"set(EX_{name}_{key.upper()} {cmake_quote(conf[key])})\n")
        # A CMake list: one build per sanitizer (empty: one plain build).
        text.append(f"set(EX_{name}_SANITIZERS {' '.join(conf['sanitizers'])})\n")
    write_if_changed(out, "".join(text))


def main(argv):
    cmd, args = (argv[1], argv[2:]) if len(argv) > 1 else (None, [])
    try:
        if cmd == "generate":
            return cmd_generate(args)
        if cmd == "check":
            return cmd_check(args)
        if cmd == "list" and not args:
            print("\n".join(exercise_names()))
            return None
        if cmd == "splice" and len(args) == 3:
            return cmd_splice(*args)
        if cmd == "overlay" and len(args) == 4:
            return cmd_overlay(*args)
        if cmd == "stub" and len(args) == 2:
            return cmd_stub(*args)
        if cmd == "cmake-info" and len(args) == 1:
            return cmd_cmake_info(*args)
    except ExgenError as e:
        sys.exit(f"exgen: {e}")
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
