#!/usr/bin/python3
"""Turn bench_lookup's CSV into the measurements chapter's figure and tables.

    plot-bench.py IN.csv OUT.png [--table TABLE.csv] [--ratios RATIOS.csv]

IN.csv is what code/bench/bench_lookup writes: '#' lines describing the
machine and the run, then the header

    discipline,writer,readers,ops_per_sec,ns_per_op,writer_ops_per_sec,
    reader_cpu_share,ops_per_sec_min,ops_per_sec_max

and one row per point.  The script writes

  OUT.png      a bar chart, lookups per second per reader, one panel without
               and one with a writer; the title names the machine and date
  TABLE.csv    the numbers, rounded for reading, with a header row (ns per
               lookup left out: it is 1000 / the millions of lookups)
               (for ``.. csv-table::`` in the book, which cannot skip '#' lines)
  RATIOS.csv   RCU's throughput divided by each other discipline's, per point

The book shows only what this script derived from a run: no number in the
chapter is typed by hand.  Run with /usr/bin/python3 (Debian's, which sees
python3-matplotlib); without matplotlib it exits 77, which CTest reports as
a skipped test.
"""
import argparse
import csv
import os
import sys

HEADER = ["discipline", "writer", "readers", "ops_per_sec", "ns_per_op",
          "writer_ops_per_sec", "reader_cpu_share", "ops_per_sec_min", "ops_per_sec_max"]
DISCIPLINES = ["rcu", "rwlock", "mutex", "raw"]
LABELS = {"rcu": "RCU (liburcu)", "rwlock": "pthread rwlock",
          "mutex": "pthread mutex", "raw": "raw floor (unsafe)"}
SHORT = {"rcu": "RCU", "rwlock": "rwlock", "mutex": "mutex", "raw": "raw floor"}
SKIP = 77


def read_bench(path):
    """Return (meta, rows): meta maps '#' keys to text, rows are dicts."""
    meta, body = {}, []
    with open(path, newline="") as f:
        for line in f:
            if line.startswith("#"):
                text = line[1:].strip()
                key, sep, value = text.partition(":")
                if sep:
                    meta[key.strip()] = value.strip()
            elif line.strip():
                body.append(line)
    reader = csv.reader(body)
    header = next(reader, None)
    if header != HEADER:
        sys.exit(f"plot-bench: {path}: header {header}, expected {HEADER}")
    rows = []
    for rec in reader:
        if len(rec) != len(HEADER):
            sys.exit(f"plot-bench: {path}: malformed row {rec}")
        row = dict(zip(HEADER, rec))
        if row["discipline"] not in DISCIPLINES or row["writer"] not in ("yes", "no"):
            sys.exit(f"plot-bench: {path}: unknown point {rec}")
        row["readers"] = int(row["readers"])
        for k in HEADER[3:]:
            row[k] = float(row[k])
        if row["ops_per_sec"] <= 0:
            sys.exit(f"plot-bench: {path}: non-positive rate in {rec}")
        rows.append(row)
    if not rows:
        sys.exit(f"plot-bench: {path}: no data rows")
    return meta, rows


def point(rows, disc, writer, readers):
    for r in rows:
        if r["discipline"] == disc and r["writer"] == writer and r["readers"] == readers:
            return r
    return None


def millions(x):
    """Lookups per second in millions: one decimal, or 3 digits below one."""
    m = x / 1e6
    return f"{m:.1f}" if m >= 1 else f"{m:.3g}"


def ratio(x):
    return f"{x:.0f}" if x >= 100 else f"{x:.2f}"


def write_table(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Discipline", "Writer", "Readers", "M lookups/s per reader",
                    "Slowest, fastest run", "Reader CPU share",
                    "CPU ns per lookup", "Writer k ops/s"])
        for r in rows:
            # time on a CPU per lookup: what the discipline costs while the
            # reader runs, whatever else the machine was doing
            cpu_ns = r["reader_cpu_share"] * 1e9 / r["ops_per_sec"]
            w.writerow([SHORT[r["discipline"]], r["writer"], r["readers"],
                        millions(r["ops_per_sec"]),
                        f"{millions(r['ops_per_sec_min'])}, {millions(r['ops_per_sec_max'])}",
                        f"{r['reader_cpu_share']:.2f}", f"{cpu_ns:.1f}",
                        f"{r['writer_ops_per_sec'] / 1e3:.0f}" if r["writer"] == "yes" else ""])


def write_ratios(rows, path):
    readers = sorted({r["readers"] for r in rows})
    cols = [(w, n) for w in ("no", "yes") for n in readers]
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["RCU's throughput divided by"] +
                     [f"{'writer' if w == 'yes' else 'no writer'}, {n} "
                      f"reader{'s' if n > 1 else ''}" for w, n in cols])
        for other in ("rwlock", "mutex", "raw"):
            cells = []
            for w, n in cols:
                rcu = point(rows, "rcu", w, n)
                # the floor exists only without a writer: compare with that
                ref = point(rows, other, "no" if other == "raw" else w, n)
                cells.append(ratio(rcu["ops_per_sec"] / ref["ops_per_sec"])
                             if rcu and ref else "")
            name = LABELS[other] + (" without writer" if other == "raw" else "")
            out.writerow([name] + cells)


def plot(meta, rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"plot-bench: {sys.executable} cannot import matplotlib "
              "(apt-get install python3-matplotlib); no plot", file=sys.stderr)
        sys.exit(SKIP)

    readers = sorted({r["readers"] for r in rows})
    colours = {1: "#4472c4", 2: "#ed7d31"}
    fig, axes = plt.subplots(1, 2, figsize=(11, 5.2), sharey=True)
    width = 0.8 / len(readers)
    for ax, writer in zip(axes, ("no", "yes")):
        discs = [d for d in DISCIPLINES if point(rows, d, writer, readers[0])]
        for j, n in enumerate(readers):
            xs, ys, lo, hi = [], [], [], []
            for i, d in enumerate(discs):
                r = point(rows, d, writer, n)
                if r:
                    xs.append(i + (j - (len(readers) - 1) / 2) * width)
                    ys.append(r["ops_per_sec"] / 1e6)
                    lo.append(ys[-1] - r["ops_per_sec_min"] / 1e6)
                    hi.append(r["ops_per_sec_max"] / 1e6 - ys[-1])
            # bar: the median run; whisker: the slowest and fastest runs
            bars = ax.bar(xs, ys, width, color=colours.get(n, "#7f7f7f"),
                          yerr=[lo, hi], capsize=3, ecolor="#404040",
                          label=f"{n} reader{'s' if n > 1 else ''}")
            for b, y in zip(bars, ys):
                ax.annotate(f"{y:.3g}", (b.get_x() + b.get_width() / 2, y),
                            ha="center", va="bottom", fontsize=8,
                            xytext=(0, 2), textcoords="offset points")
        floor = point(rows, "raw", "no", readers[0])
        if writer == "yes" and floor:
            ax.axhline(floor["ops_per_sec"] / 1e6, color="#7f7f7f", linestyle="--",
                       linewidth=1)
            ax.annotate("raw floor without writer, 1 reader",
                        (len(discs) - 0.6, floor["ops_per_sec"] / 1e6), ha="right",
                        va="bottom", fontsize=8, color="#555555")
        ax.set_xticks(range(len(discs)))
        ax.set_xticklabels([LABELS[d] for d in discs], fontsize=9)
        ax.set_yscale("log")
        ax.set_title("no writer" if writer == "no"
                     else "one writer deleting and re-inserting a slot", fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
        ax.legend(fontsize=9, loc="upper left")
    # log scale: show the slowest run of the slowest point too
    axes[0].set_ylim(bottom=min(r["ops_per_sec_min"] for r in rows) / 1e6 / 2,
                     top=max(r["ops_per_sec_max"] for r in rows) / 1e6 * 3)
    axes[0].set_ylabel("million lookups per second, per reader (log scale)\n"
                       "bar: median run; whiskers: slowest and fastest run")
    machine = meta.get("machine", "unknown machine")
    title = ("bpf_sk_select_reuseport() on the port: reader throughput by discipline\n"
             f"{machine}\n{meta.get('date', 'unknown date')}; "
             f"load average {meta.get('load average', 'unknown')}")
    fig.suptitle(title, fontsize=10)
    fig.text(0.5, 0.01, meta.get("run", ""), ha="center", fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 0.9))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            sys.exit(f"plot-bench: {path} is not a PNG")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--table", help="write the rounded table here")
    ap.add_argument("--ratios", help="write RCU's ratios here")
    args = ap.parse_args()

    meta, rows = read_bench(args.csv)
    if args.table:
        write_table(rows, args.table)
    if args.ratios:
        write_ratios(rows, args.ratios)
    plot(meta, rows, args.png)
    print(f"plot-bench: {args.png} ({len(rows)} points, {os.path.getsize(args.png)} bytes)")


if __name__ == "__main__":
    main()
