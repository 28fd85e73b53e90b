"""The command line of the benchmark: ``python -m benchmarks`` (or ``python benchmarks/bench.py``)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import __doc__ as USAGE
from .adversarial import ADVERSARIAL_BOUND, run_adversarial
from .bigfile import run_big_file, run_many_files
from .common import MB, Pass, best_of, default_paths, load_docs, parse_scale, parse_sizes, peak_rss_mb
from .corpus import end_to_end, extraction_only, profile, run_bare, run_scale
from .jobs import run_jobs
from .report import (
    ADV_HEADER,
    BIG_HEADER,
    MANY_HEADER,
    SUMMARY_HEADER,
    adversarial_rows,
    big_rows,
    concerns,
    jobs_rows,
    machine,
    many_rows,
    markdown_report,
    rate_row,
    summary_rows,
    table,
    write_readme,
)
from .startup import startup_times

if TYPE_CHECKING:
    from govextract.engine import Extractor


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark govextract extraction, I/O and start-up.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=USAGE,
    )
    ap.add_argument("paths", nargs="*", help="Directories (walked for *.txt) or files; default: see below.")
    ap.add_argument("--repeat", type=int, default=3, help="Timed runs after the warm-up; best is kept.")
    ap.add_argument("--json", action="store_true", help="Print the results as JSON instead of a table.")
    ap.add_argument("--scale", type=parse_scale, metavar="K1,K2,...", help="Seconds per MB at K times.")
    ap.add_argument("--scale-mode", choices=("concat", "list"), default="concat")
    ap.add_argument("--profile", action="store_true", help="cProfile one extraction pass (top 25).")
    ap.add_argument("--no-startup", action="store_true", help="Skip the subprocess start-up timings.")
    ap.add_argument("--startup-runs", type=int, default=5, help="Runs per start-up command (median).")
    ap.add_argument("--adversarial", action="store_true", help="Time ~1 MB hostile inputs (issue 5).")
    ap.add_argument(
        "--adversarial-limit",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="Kill an adversarial run after this long; no new run once a case has used it (default 120).",
    )
    ap.add_argument(
        "--jobs", type=parse_scale, metavar="K1,K2,...", help="Time `parse -j K` against -j 1 (subprocess)."
    )
    ap.add_argument(
        "--big-file", type=parse_sizes, metavar="MB1,MB2,...", help="Time and peak RSS of one file per size."
    )
    ap.add_argument(
        "--report",
        action="store_true",
        help="Everything (--jobs 2 --adversarial --big-file 5,50 --many-files --bare) as one Markdown block.",
    )
    ap.add_argument(
        "--huge", action="store_true", help="Add one file of 200 MB to --big-file (run once: minutes)."
    )
    ap.add_argument(
        "--many-files", action="store_true", help="Peak RSS of parse over the corpus and four copies of it."
    )
    ap.add_argument("--bare", action="store_true", help="parse -j 1 against a bare regex scan, as processes.")
    ap.add_argument(
        "--write-readme", action="store_true", help="With --report: put the report into README.md too."
    )
    args = ap.parse_args(argv)
    if args.report:
        args.adversarial = True
        args.jobs = args.jobs or [2]
        args.big_file = args.big_file or [5.0, 50.0]
        args.many_files = args.bare = True
    if args.huge:
        args.big_file = sorted({*(args.big_file or [5.0, 50.0]), 200.0})

    paths = args.paths or default_paths()
    host = machine() if args.report else None  # before the runs: the commit measured

    # First run: lazy imports, rule compilation and one full pass.
    t0 = time.perf_counter()
    extract_mod = importlib.import_module("govextract.engine")
    importlib.import_module("govextract.documents")
    importlib.import_module("govextract.writers")
    t_import = time.perf_counter() - t0
    docs = load_docs(paths)
    if not docs:
        print(f"bench: no readable input in {', '.join(paths)}", file=sys.stderr)
        return 1
    t1 = time.perf_counter()
    extractor: Extractor = extract_mod.Extractor()
    t_build = time.perf_counter() - t1
    with open(os.devnull, "w", encoding="utf-8") as sink:
        first = end_to_end(extractor, docs, sink)
        first_total = Pass(t_import + t_build + first.seconds, first.records, first.warnings)
        e2e = best_of(args.repeat, lambda: end_to_end(extractor, docs, sink))
    texts = [(d.name, d.text) for d in docs]
    only = best_of(args.repeat, lambda: extraction_only(extractor, texts))
    rss = peak_rss_mb()

    utf8 = sum(d.utf8_bytes for d in docs)
    disk = sum(d.path.stat().st_size for d in docs)
    mb = utf8 / MB

    startup: dict[str, float] = {}
    startup_cmd = ""
    if not args.no_startup:
        startup, startup_cmd = startup_times(args.startup_runs)

    scale = run_scale(extractor, docs, args.scale, args.scale_mode, args.repeat) if args.scale else []
    bare = run_bare(paths, args.repeat) if args.bare else None

    jobs = run_jobs(paths, args.jobs, args.repeat, mb) if args.jobs else None

    adversarial: dict[str, Any] | None = None
    if args.adversarial:
        normal = {
            "s_per_mb": only.seconds / mb,
            "s_per_record": only.seconds / max(1, only.records),
            "records": only.records,
            "warnings": only.warnings,
        }
        adversarial = {
            "bound": ADVERSARIAL_BOUND,
            "limit": args.adversarial_limit,
            "repeat": args.repeat,
            "normal": normal,
            "runs": run_adversarial(extractor, docs, normal, args.repeat, args.adversarial_limit),
        }

    big = run_big_file(docs, args.big_file, args.repeat) if args.big_file else None
    many = run_many_files(docs) if args.many_files else None

    result: dict[str, Any] = {
        "python": platform.python_version(),
        "input": {"paths": paths, "files": len(docs), "utf8_mb": mb, "disk_mb": disk / MB},
        "first_run": {
            "import_s": t_import,
            "build_s": t_build,
            "pass_s": first.seconds,
            "total_s": first_total.seconds,
            "records": first.records,
        },
        "end_to_end": {
            "seconds": e2e.seconds,
            "mb_per_s": mb / e2e.seconds,
            "records_per_s": e2e.records / e2e.seconds,
            "records": e2e.records,
        },
        "extraction_only": {
            "seconds": only.seconds,
            "mb_per_s": mb / only.seconds,
            "records_per_s": only.records / only.seconds,
            "records": only.records,
        },
        "repeat": args.repeat,
        "rule_timeouts": e2e.warnings,
        "peak_rss_mb": rss,
        "startup_median_s": startup,
        "startup_command": startup_cmd,
        "startup_runs": args.startup_runs,
        "scale": {"mode": args.scale_mode, "runs": scale} if scale else None,
        "jobs": jobs,
        "adversarial": adversarial,
        "big_file": big,
        "many_files": many,
        "bare": bare,
    }
    if host:
        result["machine"] = host
    rows = [
        rate_row("first run (import+build+pass)", first_total, mb),
        rate_row(f"end to end (best of {args.repeat})", e2e, mb),
        rate_row(f"extraction only (best of {args.repeat})", only, mb),
    ]

    if args.json:
        result["concerns"] = concerns(result)
        print(json.dumps(result, indent=2, ensure_ascii=False))
    elif args.report:
        report = markdown_report(result, rows)
        print(report)
        if args.write_readme:
            write_readme(report)
    else:
        size_note = "" if disk == utf8 else f" ({disk / MB:.3f} MB on disk)"
        print(f"input: {', '.join(paths)}")
        print(f"       {len(docs)} files, {mb:.3f} MB UTF-8{size_note}; Python {platform.python_version()}")
        print()
        print(table(rows, ("pass", "seconds", "MB/s", "records/s", "records")))
        print(
            f"  first run split: import {t_import:.3f} s, Extractor() {t_build:.3f} s, "
            f"pass {first.seconds:.3f} s"
        )
        if e2e.warnings:
            print(f"  rule timeouts per pass: {e2e.warnings}")
        print()
        if startup:
            srows = [(label, f"{secs * 1000:.0f}") for label, secs in startup.items()]
            print(table(srows, (f"start-up (median of {args.startup_runs})", "ms")))
            print(f"  using {startup_cmd}")
            print()
        print(f"peak RSS: {rss:.1f} MB")
        if scale:
            print()
            srows = [
                (
                    f"x{int(s['k'])}",
                    f"{s['mb']:.2f}",
                    f"{s['seconds']:.3f}",
                    f"{s['s_per_mb']:.4f}",
                    f"{s['relative']:.2f}",
                )
                for s in scale
            ]
            print(table(srows, (f"scale ({args.scale_mode})", "MB", "seconds", "s/MB", "vs first")))
        if jobs:
            print()
            print(
                table(
                    jobs_rows(jobs),
                    (f"parse -j K (best of {args.repeat})", "seconds", "MB/s", "speed-up", "sha256"),
                )
            )
            same = "identical" if jobs["identical"] else "DIFFERENT"
            print(f"  output across K: {same}; {jobs['cpus']} CPUs; wall times include start-up")
        if adversarial:
            print()
            print(table(adversarial_rows(adversarial), ADV_HEADER))
            print(
                f"  Extractor.run, best of {args.repeat}; flag: over {ADVERSARIAL_BOUND:g}x normal text "
                f"per MB; limit {args.adversarial_limit:g} s per case"
            )
        if big:
            print()
            print(table(big_rows(big), (f"{BIG_HEADER[0]} (best of {args.repeat})", *BIG_HEADER[1:])))
            print(f"  CPU and peak RSS of the child by {big['method']}")
        if many:
            print()
            print(table(many_rows(many), MANY_HEADER))
        if bare:
            print()
            print(
                f"parse -j 1: {bare['parse_cpu']:.2f} s CPU; bare regex scan: {bare['bare_cpu']:.2f} s CPU "
                f"({bare['ratio_cpu']:.0f}x)"
            )
        print()
        print(table(summary_rows(result), SUMMARY_HEADER))
        found = concerns(result)
        if found and (jobs or adversarial or big):
            print()
            print("over the bounds:")
            for c in found:
                print(f"  - {c}")

    if args.profile:
        profile(extractor, texts, sys.stderr if args.json else sys.stdout)  # keep --json parseable
    return 0
