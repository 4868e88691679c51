#!/usr/bin/env python3
"""Self-test of tools/exgen.py over a temporary tree (CTest: exgen-selftest).

    python3 tools/test_exgen.py [-v]

Covers .c and .h sources, several regions, two exercises in one file,
shipped stubs, the stub rules for the port's return types, splicing (the
result is compiled when a C compiler is at hand), the include overlay, the
in-sync check, and the errors a bad exercise.conf gets.
"""
import contextlib
import io
import pathlib
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import exgen  # noqa: E402

SOURCE_C = """\
/* a port file */
#include "kern/err.h"

struct thing { int x; };

/* [exercise:alpha] */
/**
 * Doc comment kept in the stub.
 */
static int alpha_check(int v)
{
	if (v < 0) {
		return -EINVAL;
	}
	return 0;
}
/* [/exercise:alpha] */

/* Between the regions: a caller of the first region. */
int alpha_caller(int v)
{
	return alpha_check(v);
}

/* [exercise:beta] */
static struct thing *beta_make(int x)
{
	static struct thing t;

	t.x = x;
	return &t;
}
/* [/exercise:beta] */

/* [exercise:alpha] */
/* [book:sizes] */
size_t alpha_size(unsigned int n)
{
	return n * sizeof(struct thing);
}
/* [/book:sizes] */

void alpha_reset(struct thing *t)
	__must_hold(t)
{
	t->x = 0;
}

bool alpha_ok(const struct thing *t) { return t->x > 0; }

u64 alpha_cookie(const struct thing *t)
{
	return (u64)t->x << 1;
}

long alpha_long(void)
{
	const char *brace = "}{";

	return brace[0];
}

struct thing alpha_value(void)
{
	struct thing t = { 1 };

	return t;
}
/* [/exercise:alpha] */

int after_all(void)
{
	return alpha_ok(beta_make(1)) + (int)alpha_cookie(0);
}
"""

HEADER_H = """\
#ifndef KERN_ERR_H
#define KERN_ERR_H
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "helper.h"
typedef uint64_t u64;
#define __must_hold(x)

/* [exercise:hdr] */
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline bool IS_ERR(const void *ptr)
{
	return (uintptr_t)ptr >= (uintptr_t)-4095;
}
/* [/exercise:hdr] */

#endif
"""


def conf_text(**kw):
    base = {"title": "t", "chapter": "C", "tests": "code/tests/test_x.c"}
    base.update(kw)
    return "".join(f"{k} = {v}\n" for k, v in base.items())


class ExgenTest(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="exgen-selftest-"))
        self.old_root = exgen.ROOT
        exgen.ROOT = self.tmp
        self.write("code/kernel/x.c", SOURCE_C)
        self.write("code/include/kern/err.h", HEADER_H)
        self.write("code/include/kern/helper.h", "/* helper */\n")
        self.write("code/tests/test_x.c", "/* tests */\n")
        self.exercise("alpha", source="code/kernel/x.c", file="alpha.c")
        self.exercise("beta", source="code/kernel/x.c", file="beta.c")
        self.exercise("hdr", source="code/include/kern/err.h", file="e.h")

    def tearDown(self):
        exgen.ROOT = self.old_root
        shutil.rmtree(self.tmp)

    def write(self, rel, text):
        path = self.tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def read(self, rel):
        return (self.tmp / rel).read_text()

    def exercise(self, name, extra="", **kw):
        self.write(f"exercises/{name}/exercise.conf", conf_text(**kw) + extra)

    def quiet(self, fn, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            fn(*args)
        return out.getvalue()

    # -------------------------------------------------------------- stubs

    def test_stub_rules_for_c_source(self):
        stub = exgen.render("alpha", "stub")
        body = textwrap.dedent("""\
            static int alpha_check(int v)
            {
            \t/* EXERCISE: write alpha_check() (see README.md). */
            \treturn -ENOSYS;
            }""")
        self.assertIn(body, stub)
        self.assertIn("Doc comment kept in the stub.", stub)
        self.assertIn("write alpha_size() (see README.md). */\n\treturn 0;", stub)
        self.assertIn("write alpha_reset() (see README.md). */\n}", stub)
        self.assertIn("\t__must_hold(t)\n{", stub)
        self.assertIn("bool alpha_ok(const struct thing *t) {\n", stub)
        self.assertIn("write alpha_ok() (see README.md). */\n\treturn 0;", stub)
        self.assertIn("write alpha_cookie() (see README.md). */\n\treturn 0;", stub)
        self.assertIn("write alpha_long() (see README.md). */\n\treturn -ENOSYS;", stub)
        self.assertIn("\treturn (struct thing){ 0 };", stub)
        self.assertNotIn("[book:", stub)
        self.assertNotIn("[exercise:", stub)
        self.assertNotIn("beta_make", stub)
        self.assertNotIn("n * sizeof", stub)

    def test_pointer_stub_uses_err_ptr_when_known(self):
        stub = exgen.render("beta", "stub")
        self.assertIn("write beta_make() (see README.md). */\n\treturn ERR_PTR(-ENOSYS);", stub)

    def test_header_defining_err_ptr_stubs_it_with_null(self):
        stub = exgen.render("hdr", "stub")
        self.assertIn("static inline void *ERR_PTR(long error)\n{", stub)
        self.assertIn("write ERR_PTR() (see README.md). */\n\treturn NULL;", stub)
        self.assertIn("write IS_ERR() (see README.md). */\n\treturn 0;", stub)

    def test_return_override(self):
        self.exercise("beta", source="code/kernel/x.c", file="beta.c",
                      extra="return.beta_make = NULL\n")
        self.assertIn("\treturn NULL;", exgen.render("beta", "stub"))
        self.exercise("alpha", source="code/kernel/x.c", file="alpha.c",
                      extra="return.alpha_check = void\nreturn.alpha_long = 42\n")
        stub = exgen.render("alpha", "stub")
        self.assertIn("write alpha_check() (see README.md). */\n}", stub)
        self.assertIn("\treturn 42;", stub)

    def test_solution_is_the_regions_verbatim(self):
        sol = exgen.render("alpha", "solution")
        self.assertIn("\tif (v < 0) {\n\t\treturn -EINVAL;\n\t}\n", sol)
        self.assertIn("\treturn n * sizeof(struct thing);\n}\n\nvoid alpha_reset", sol)
        self.assertNotIn("alpha_caller", sol)

    # -------------------------------------------------------------- generate / check

    def test_generate_then_check_in_sync_and_drift(self):
        self.quiet(exgen.cmd_generate, [])
        for name, f in (("alpha", "alpha.c"), ("beta", "beta.c"), ("hdr", "e.h")):
            self.assertTrue((self.tmp / "exercises" / name / f).is_file())
            self.assertTrue((self.tmp / "solutions" / name / f).is_file())
        out = self.quiet(exgen.cmd_check, [])
        self.assertEqual(out.count("in sync"), 6)
        # The source changes: the solution is out of date.
        self.write("code/kernel/x.c", SOURCE_C.replace("n * sizeof", "n * 2 * sizeof"))
        with self.assertRaises(SystemExit):
            self.quiet(exgen.cmd_check, ["alpha"])
        self.quiet(exgen.cmd_check, ["beta"])  # the other exercise is unaffected
        self.quiet(exgen.cmd_generate, ["alpha"])
        self.quiet(exgen.cmd_check, ["alpha"])
        # A student edits the stub: reported, with how to restore it.
        self.write("exercises/hdr/e.h", "/* mine */\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out), self.assertRaises(SystemExit):
            exgen.cmd_check(["hdr"])
        self.assertIn("git checkout exercises/hdr/e.h", out.getvalue())

    def test_shipped_stub(self):
        self.exercise("beta", source="code/kernel/x.c", file="beta.c",
                      extra="stub = shipped\n")
        self.quiet(exgen.cmd_generate, ["beta"])
        self.assertFalse((self.tmp / "exercises/beta/beta.c").exists())
        with self.assertRaises(SystemExit):       # missing
            self.quiet(exgen.cmd_check, ["beta"])
        self.write("exercises/beta/beta.c", self.read("solutions/beta/beta.c"))
        with self.assertRaises(SystemExit):       # the same as the solution
            self.quiet(exgen.cmd_check, ["beta"])
        broken = self.read("solutions/beta/beta.c").replace("t.x = x;", "t.x = -x;")
        self.write("exercises/beta/beta.c", broken)
        self.assertIn("shipped, differs", self.quiet(exgen.cmd_check, ["beta"]))
        self.quiet(exgen.cmd_generate, ["beta"])  # never overwritten
        self.assertEqual(self.read("exercises/beta/beta.c"), broken)

    # -------------------------------------------------------------- splice / overlay

    def test_splice_c(self):
        self.quiet(exgen.cmd_generate, ["alpha"])
        student = self.tmp / "exercises/alpha/alpha.c"
        out = self.tmp / "build/x.c"
        exgen.cmd_splice("alpha", str(student), str(out))
        text = out.read_text()
        src = self.tmp / "code/kernel/x.c"
        self.assertTrue(text.startswith(f'#line 1 "{src}"\n'))
        # Prototype at the first region, the file at the last one.
        self.assertIn("static int alpha_check(int v);\n", text)
        self.assertLess(text.index("alpha_check(int v);"), text.index("int alpha_caller"))
        self.assertLess(text.index("int alpha_caller"), text.index(f'#include "{student}"'))
        self.assertLess(text.index(f'#include "{student}"'), text.index("int after_all"))
        self.assertNotIn("[exercise:alpha]", text)
        self.assertNotIn("return -EINVAL", text)
        self.assertIn("[exercise:beta]", text)             # the other exercise stays
        self.assertIn("t.x = x;", text)
        # After the last region, lines are numbered as in the real file.
        lines = SOURCE_C.splitlines()
        self.assertIn(f'#line {lines.index("/* [/exercise:alpha] */", 20) + 2} "{src}"', text)
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc:
            r = subprocess.run([cc, "-fsyntax-only", "-Wall", "-Werror",
                                "-I", str(self.tmp / "code/include"),
                                "-x", "c", str(out)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    def test_overlay_for_header(self):
        self.quiet(exgen.cmd_generate, ["hdr"])
        student = self.tmp / "exercises/hdr/e.h"
        outdir = self.tmp / "build/include"
        stamp = self.tmp / "build/stamp"
        exgen.cmd_overlay("hdr", str(student), str(outdir), str(stamp))
        self.assertTrue(stamp.exists())
        self.assertEqual((outdir / "kern/helper.h").read_text(), "/* helper */\n")
        spliced = (outdir / "kern/err.h").read_text()
        self.assertIn(f'#include "{student}"', spliced)
        self.assertIn("#ifndef KERN_ERR_H", spliced)
        self.assertNotIn("(uintptr_t)-4095", spliced)
        with self.assertRaises(exgen.ExgenError):
            exgen.cmd_overlay("alpha", str(student), str(outdir), str(stamp))
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc:
            user = self.write("build/user.c", '#include "kern/err.h"\n'
                              "int f(void) { return IS_ERR(ERR_PTR(-1)); }\n")
            r = subprocess.run([cc, "-fsyntax-only", "-Wall", "-Werror", "-I", str(outdir),
                                str(user)], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)

    # -------------------------------------------------------------- conf errors

    def test_conf_errors(self):
        cases = [
            ("source = code/kernel/x.c\nfile = a.c\ncolour = red\n", "unknown key 'colour'"),
            ("source = code/kernel/x.c\n", "missing 'file"),
            ("source = code/kernel/x.c\nfile = a.c\nstub = maybe\n", "stub = generated or shipped"),
            ("source = code/kernel/x.c\nfile = a.c\nsanitize = memory\n", "sanitize = thread"),
            ("source = code/tests/test_x.c\nfile = a.c\n", "port file"),
            ("source = code/kernel/nope.c\nfile = a.c\n", "does not exist"),
            ("source = code/kernel/x.c\nfile = ../a.c\n", "plain .c or .h"),
            ("source = code/x.h\nfile = a.h\n", "under code/include"),
        ]
        for body, want in cases:
            self.write("exercises/bad/exercise.conf",
                       "title = t\nchapter = C\ntests = code/tests/test_x.c\n" + body)
            with self.assertRaises(exgen.ExgenError) as cm:
                exgen.load_conf("bad")
            self.assertIn(want, str(cm.exception))

    def test_conf_options_and_comments(self):
        self.exercise("alpha", source="code/kernel/x.c   # the port file",
                      file="alpha.c", extra="# a comment\n\nsanitize = thread\n")
        conf = exgen.load_conf("alpha")
        self.assertEqual(conf["source"], "code/kernel/x.c")
        self.assertEqual(conf["sanitize"], "thread")
        self.assertEqual(conf["stub"], "generated")
        self.assertEqual(conf["kind"], "c")
        self.assertEqual(exgen.load_conf("hdr")["kind"], "h")

    def test_two_sanitizers(self):
        # Both, in either order, one fixed order out; "none" is no sanitizer.
        for value in ("address thread", "thread address", "thread   address # both"):
            self.exercise("alpha", source="code/kernel/x.c", file="alpha.c",
                          extra=f"sanitize = {value}\n")
            conf = exgen.load_conf("alpha")
            self.assertEqual(conf["sanitizers"], ["address", "thread"])
            self.assertEqual(conf["sanitize"], "address thread")
        self.exercise("beta", source="code/kernel/x.c", file="beta.c", extra="sanitize = none\n")
        self.assertEqual(exgen.load_conf("beta")["sanitizers"], [])
        self.assertEqual(exgen.load_conf("hdr")["sanitizers"], [])
        for bad in ("thread thread", "address memory", "none thread"):
            self.exercise("beta", source="code/kernel/x.c", file="beta.c",
                          extra=f"sanitize = {bad}\n")
            with self.assertRaises(exgen.ExgenError) as cm:
                exgen.load_conf("beta")
            self.assertIn("sanitize = thread, address, 'address thread' or none", str(cm.exception))
        # CMake gets a real list, one build per element.
        self.exercise("beta", source="code/kernel/x.c", file="beta.c", extra="sanitize = thread\n")
        out = self.tmp / "build/info.cmake"
        exgen.cmd_cmake_info(str(out))
        text = out.read_text()
        self.assertIn("set(EX_alpha_SANITIZERS address thread)\n", text)
        self.assertIn('set(EX_alpha_SANITIZE "address thread")\n', text)
        self.assertIn("set(EX_beta_SANITIZERS thread)\n", text)
        self.assertIn("set(EX_hdr_SANITIZERS )\n", text)

    def test_region_errors(self):
        self.write("code/kernel/y.c", "/* [exercise:gamma] */\nint f(void)\n{\n\treturn 1;\n}\n")
        self.exercise("gamma", source="code/kernel/y.c", file="g.c")
        with self.assertRaises(exgen.ExgenError) as cm:
            exgen.render("gamma", "stub")
        self.assertIn("never closed", str(cm.exception))
        self.exercise("delta", source="code/kernel/x.c", file="d.c")
        with self.assertRaises(exgen.ExgenError) as cm:
            exgen.render("delta", "solution")
        self.assertIn("no region", str(cm.exception))

    def test_cmake_info_lists_valid_and_invalid(self):
        self.exercise("delta", source="code/kernel/x.c", file="d.c")
        out = self.tmp / "build/info.cmake"
        exgen.cmd_cmake_info(str(out))
        text = out.read_text()
        self.assertIn("list(APPEND SOCKARRAY_EXERCISES alpha)", text)
        self.assertIn('set(EX_hdr_KIND "h")', text)
        self.assertIn("list(APPEND SOCKARRAY_EXERCISES_INVALID delta)", text)
        self.assertIn("EX_delta_ERROR", text)


if __name__ == "__main__":
    unittest.main()
