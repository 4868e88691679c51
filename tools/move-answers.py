#!/usr/bin/python3
"""Move every chapter's answers to the quick quizzes into one appendix.

The book follows perfbook: a quiz sits in its chapter, its answer at the
back of the book, so that a reader does not see it by accident.  Authors
write each chapter with its answers as the chapter's last section,

    Answers
    -------

    .. _answer-DOC-1:

    **Answer 1** ...

(or, as in a chapter that ends with a reference table, as a section
followed by others) and this tool moves them:

    tools/move-answers.py [--book DIR] [--check] [--self-test]

For each document listed in the toctrees of DIR/index.rst (default: the
book/ next to this script) with a section titled "Answers" and underlined
with "-" (the last one so titled), the section's body, up to the next
section of its level and that section's labels, moves into
DIR/answers.rst, under

    .. _answers-DOC:

    Chapter N: <the chapter's title>
    --------------------------------

and the chapter keeps a short "Answers" section that points there with
:ref:`answers-DOC`.  The ``.. _answer-DOC-N:`` labels move with their
answers, so the quizzes' :ref: links keep working.

N counts the chapters in the order of index.rst, leaving out the preface
and the documents under the captions "For teachers" and "Appendices".
answers.rst keeps its own text up to its first ``.. _answers-`` label;
after it, the chapters' blocks are always written in the order of
index.rst, with their headings renewed from the chapters' current titles.

Running the tool twice changes nothing: a chapter whose Answers section
already points to the appendix is left alone.  If a chapter has answers
to move and answers.rst already holds a block for it, the tool stops
without writing anything (the labels would be defined twice); merge by
hand.

--check  changes nothing; exits 1 if a chapter has answers left to move
         or answers.rst is not in the form the tool would write, else 0.
--self-test  runs the tool on a small book in a temporary folder and
         checks the move, the order, the pointer and idempotence.

Only the standard library is used.
"""
import argparse
import os
import pathlib
import re
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Documents that are listed in index.rst but are not numbered chapters.
UNNUMBERED_DOCS = {"preface"}
UNNUMBERED_CAPTIONS = {"For teachers", "Appendices"}
APPENDIX_DOC = "answers"


class Error(Exception):
    pass


def toctree_docs(index_text):
    """Return [(doc, caption)] in the order of the toctrees of index.rst."""
    docs = []
    lines = index_text.splitlines()
    i = 0
    while i < len(lines):
        if not re.match(r"^\.\.\s+toctree::", lines[i]):
            i += 1
            continue
        caption = ""
        i += 1
        while i < len(lines) and (lines[i].strip() == "" or lines[i].startswith((" ", "\t"))):
            entry = lines[i].strip()
            i += 1
            if not entry:
                continue
            m = re.match(r"^:caption:\s*(.*)$", entry)
            if m:
                caption = m.group(1).strip()
                continue
            if entry.startswith(":"):
                continue
            # "Title <doc>" entries name the document in angle brackets.
            m = re.match(r"^.*<([^>]+)>$", entry)
            doc = m.group(1) if m else entry
            if not re.match(r"^https?://", doc):
                docs.append((doc, caption))
    return docs


def chapter_numbers(docs):
    numbers = {}
    n = 0
    for doc, caption in docs:
        if doc in UNNUMBERED_DOCS or caption in UNNUMBERED_CAPTIONS:
            continue
        n += 1
        numbers[doc] = n
    return numbers


ADORNMENT = re.compile(r'^([=\-~^"\'`#*+:.<>_])\1{2,}\s*$')


def sections(lines):
    """Find section titles: [(title_index, title, char, has_overline)].

    A title is a non-blank line followed by an adornment line at least as
    long, optionally with an identical adornment line above it.
    """
    found = []
    for i in range(len(lines) - 1):
        title = lines[i]
        under = lines[i + 1]
        if not title.strip() or title.startswith((" ", "\t")):
            continue
        if ADORNMENT.match(title):
            continue
        m = ADORNMENT.match(under)
        if not m or len(under.rstrip()) < len(title.rstrip()):
            continue
        if i > 0 and lines[i - 1].strip() and not ADORNMENT.match(lines[i - 1]):
            continue  # a paragraph's continuation line, not a title
        over = i > 0 and lines[i - 1].rstrip() == under.rstrip()
        found.append((i, title.strip(), m.group(1), over))
    return found


def chapter_title(lines, doc):
    secs = sections(lines)
    if not secs:
        raise Error(f"{doc}.rst: no title")
    return secs[0][1]


def pointer_body(doc):
    return ("\n"
            "The answers to this chapter's quick quizzes are in the appendix,\n"
            f"under :ref:`answers-{doc}`.  Try each quiz before you read its answer.\n")


def split_answers(text, doc):
    """Find the chapter's section "Answers" (the last one so titled).

    Return (head, body, tail): head ends with the "Answers" title and its
    underline; body runs to the next section of the same or a higher level
    (normally the end of the file); tail is that next section, with the
    labels just above its title.  Return None if there is no such section.
    """
    lines = text.splitlines(keepends=True)
    plain = [l.rstrip("\n") for l in lines]
    secs = sections(plain)
    levels = {}
    for _, _, char, over in secs:
        levels.setdefault((char, over), len(levels))
    found = [k for k, s in enumerate(secs)
             if s[1] == "Answers" and s[2] == "-" and not s[3]]
    if not found:
        return None
    k = found[-1]
    i, _, char, over = secs[k]
    level = levels[(char, over)]
    end = len(lines)
    for j, _, c, o in secs[k + 1:]:
        if levels[(c, o)] <= level:
            end = j - 1 if o else j
            # The next section's labels and the blanks before them stay.
            while end > i + 2 and (not plain[end - 1].strip()
                                   or re.match(r"^\.\. _[^:]+:\s*$", plain[end - 1])):
                end -= 1
            break
    head = "".join(lines[:i + 2])
    body = "".join(lines[i + 2:end])
    tail = "".join(lines[end:])
    return head, body, tail


def already_moved(body, doc):
    return (f":ref:`answers-{doc}`" in body
            and not re.search(rf"^\.\. _answer-{re.escape(doc)}-", body, re.M))


def parse_appendix(text):
    """Split answers.rst into its own text and its chapter blocks.

    Returns (intro, [(doc, body)]).  A block starts at ".. _answers-DOC:",
    then a blank line, a title and its underline; body is what follows up to
    the next block.
    """
    starts = [m for m in re.finditer(r"^\.\. _answers-([\w.-]+):\s*$", text, re.M)]
    if not starts:
        return text, []
    intro = text[:starts[0].start()]
    blocks = []
    for k, m in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        chunk = text[m.end():end]
        lines = chunk.split("\n")
        # lines[0] is what follows the label on its line (nothing);
        # then blank lines, the title, its underline.
        j = 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j + 1 >= len(lines) or not ADORNMENT.match(lines[j + 1]):
            raise Error(f"answers.rst: no title after .. _answers-{m.group(1)}:")
        body = "\n".join(lines[j + 2:])
        blocks.append((m.group(1), body))
    return intro, blocks


def normalise_body(body):
    return "\n" + body.strip("\n") + "\n"


def render_appendix(intro, blocks, order, numbers, titles):
    rank = {doc: k for k, (doc, _) in enumerate(order)}
    kept = sorted(enumerate(blocks),
                  key=lambda kb: (rank.get(kb[1][0], len(rank)), kb[0]))
    out = [intro.rstrip("\n") + "\n"]
    for _, (doc, body) in kept:
        if doc in numbers and doc in titles:
            heading = f"Chapter {numbers[doc]}: {titles[doc]}"
        elif doc in titles:
            heading = titles[doc]
        else:
            heading = doc
        out.append(f"\n\n.. _answers-{doc}:\n\n{heading}\n{'-' * len(heading)}\n")
        out.append(normalise_body(body))
    return "".join(out)


def plan(book):
    """Compute the new texts: {path: new_text} for files that change."""
    index = (book / "index.rst").read_text()
    order = toctree_docs(index)
    numbers = chapter_numbers(order)
    appendix_path = book / f"{APPENDIX_DOC}.rst"
    if not appendix_path.exists():
        raise Error(f"{appendix_path}: missing (write its introduction first)")
    intro, blocks = parse_appendix(appendix_path.read_text())
    have = {doc for doc, _ in blocks}
    changes = {}
    titles = {}
    to_move = []
    for doc, _ in order:
        if doc == APPENDIX_DOC:
            continue
        path = book / f"{doc}.rst"
        if not path.exists():
            continue
        text = path.read_text()
        titles[doc] = chapter_title(text.splitlines(), doc)
        parts = split_answers(text, doc)
        if parts is None:
            continue
        head, body, tail = parts
        if already_moved(body, doc):
            continue
        if not body.strip():
            continue
        if doc in have:
            raise Error(f"{doc}.rst has answers to move but {appendix_path.name} "
                        f"already holds a block for it; merge them by hand")
        to_move.append(doc)
        blocks.append((doc, body))
        changes[path] = head + pointer_body(doc) + ("\n\n" + tail.lstrip("\n") if tail.strip() else "")
    new_appendix = render_appendix(intro, blocks, order, numbers, titles)
    if new_appendix != appendix_path.read_text():
        changes[appendix_path] = new_appendix
    return changes, to_move


def run(book, check):
    changes, moved = plan(book)
    if check:
        for doc in moved:
            print(f"move-answers: {doc}.rst has answers to move", file=sys.stderr)
        if changes and not moved:
            print("move-answers: answers.rst would be rewritten "
                  "(order or headings out of date)", file=sys.stderr)
        return 1 if changes else 0
    for path, text in changes.items():
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    for doc in moved:
        print(f"move-answers: moved the answers of {doc}.rst")
    if not changes:
        print("move-answers: nothing to do")
    return 0


# ---------------------------------------------------------------- self-test

SELFTEST_INDEX = """\
Book
====

.. toctree::
   :caption: Part one

   preface
   alpha
   beta
   gamma
   delta

.. toctree::
   :caption: Appendices

   answers
"""

SELFTEST_PREFACE = """\
Preface
=======

No quizzes here.
"""

SELFTEST_CHAPTER = """\
.. _chapter-{doc}:

======
{title}
======

Some text.

Quick quizzes
-------------

.. _quiz-{doc}-1:

**Quick quiz 1**: why?  :ref:`Answer <answer-{doc}-1>`

Exercise
--------

A paragraph whose last line is dashes would not be a title:
text
-----

Answers
-------

.. _answer-{doc}-1:

**Answer 1** (:ref:`quiz <quiz-{doc}-1>`).  Because {doc}.
"""

SELFTEST_NO_ANSWERS = """\
.. _chapter-gamma:

Gamma
=====

Answers come later; this chapter has none yet.

Exercise
--------

None.
"""

SELFTEST_APPENDIX = """\
.. _chapter-answers:

Answers
=======

Introduction.
"""


def self_test():
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory(prefix="move-answers-") as tmp:
        book = pathlib.Path(tmp)
        (book / "index.rst").write_text(SELFTEST_INDEX)
        (book / "preface.rst").write_text(SELFTEST_PREFACE)
        (book / "alpha.rst").write_text(SELFTEST_CHAPTER.format(doc="alpha", title="Alpha"))
        (book / "beta.rst").write_text(SELFTEST_CHAPTER.format(doc="beta", title="Beta"))
        (book / "gamma.rst").write_text(SELFTEST_NO_ANSWERS)
        (book / "answers.rst").write_text(SELFTEST_APPENDIX)
        (book / "delta.rst").write_text(
            SELFTEST_CHAPTER.format(doc="delta", title="Delta")
            + "\n\n.. _delta-table:\n\nEvery case\n----------\n\nA table.\n")
        # Catches: a "--check" that never fails.
        expect(run(book, check=True) == 1, "--check before the move should exit 1")
        # Move beta alone first (alpha's answers are "not written yet") to
        # check that a later move of alpha lands before beta.
        alpha_full = (book / "alpha.rst").read_text()
        (book / "alpha.rst").write_text(alpha_full.split("Answers\n-------\n")[0])
        run(book, check=False)
        app = (book / "answers.rst").read_text()
        expect("Chapter 2: Beta" in app, "beta's block heading (preface is not numbered)")
        expect(".. _answer-beta-1:" in app, "beta's answer label moved")
        beta = (book / "beta.rst").read_text()
        expect(".. _answer-beta-1:" not in beta, "beta's answer label left the chapter")
        expect(":ref:`answers-beta`" in beta, "beta points to the appendix")
        expect(beta.rstrip().endswith("Try each quiz before you read its answer."),
               "beta's pointer is its last section")
        expect("text\n-----\n" in beta, "a paragraph ending in dashes is not a section")
        expect(app.startswith(SELFTEST_APPENDIX.rstrip("\n")), "the intro is kept")
        # Now alpha gets its answers; it must come first in the appendix.
        (book / "alpha.rst").write_text(alpha_full)
        run(book, check=False)
        app = (book / "answers.rst").read_text()
        expect(app.find("_answers-alpha:") < app.find("_answers-beta:") != -1,
               "blocks follow index.rst's order")
        expect("Chapter 1: Alpha" in app, "alpha's block heading")
        expect("Gamma" not in app, "a chapter without answers gets no block")
        expect((book / "gamma.rst").read_text() == SELFTEST_NO_ANSWERS,
               "a chapter without an Answers section is untouched")
        # Catches: a section after "Answers" moved with it, or its label lost.
        delta = (book / "delta.rst").read_text()
        expect(":ref:`answers-delta`" in delta and ".. _answer-delta-1:" not in delta,
               "delta's answers moved")
        expect(delta.endswith("Try each quiz before you read its answer.\n\n\n"
                              ".. _delta-table:\n\nEvery case\n----------\n\nA table.\n"),
               "the section after Answers stays, with its label")
        expect("Every case" not in app and "delta-table" not in app
               and "Chapter 4: Delta" in app,
               "only the Answers section of delta moved")
        # Idempotence: a second run changes no byte, --check is satisfied.
        snapshot = {p.name: p.read_text() for p in book.iterdir()}
        run(book, check=False)
        expect(snapshot == {p.name: p.read_text() for p in book.iterdir()},
               "a second run changes nothing")
        expect(run(book, check=True) == 0, "--check after the move should exit 0")
        # Answers re-added to a moved chapter: refuse, change nothing.
        (book / "beta.rst").write_text(SELFTEST_CHAPTER.format(doc="beta", title="Beta"))
        before = (book / "answers.rst").read_text()
        try:
            run(book, check=False)
            failures.append("a second block for beta should be refused")
        except Error:
            pass
        expect((book / "answers.rst").read_text() == before,
               "a refused move writes nothing")
    for f in failures:
        print(f"self-test FAILED: {f}", file=sys.stderr)
    if not failures:
        print("move-answers: self-test passed")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--book", type=pathlib.Path, default=ROOT / "book",
                    help="the book's source folder (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="change nothing; exit 1 if answers are left to move")
    ap.add_argument("--self-test", action="store_true",
                    help="test the tool on a small book in a temporary folder")
    args = ap.parse_args()
    try:
        if args.self_test:
            return self_test()
        return run(args.book, args.check)
    except Error as e:
        print(f"move-answers: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
