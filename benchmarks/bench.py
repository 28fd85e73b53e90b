"""Time govextract end to end, extraction alone, and command start-up.

Usage (from the repo root, or with an absolute path from anywhere)::

    python benchmarks/bench.py                      # default corpus, best of 3 runs
    python benchmarks/bench.py path/to/dir a.txt    # explicit directories and/or files
    python benchmarks/bench.py --repeat 5 --json    # machine-readable output
    python benchmarks/bench.py --scale 1,4,16       # seconds per MB on texts repeated K times
    python benchmarks/bench.py --profile            # cProfile one extraction pass, top 25 by cumulative
    python benchmarks/bench.py --no-startup         # skip the subprocess start-up timings

The default corpus is ``../shared/corpora/gov_work_reports`` relative to the repo root when it
exists, else the repo's ``seeds/``. Sizes are in MB = 10^6 bytes of the UTF-8 encoded text.

What is measured:

* first run: importing the package, building the ``Extractor`` and one full pass (read, decode,
  extract, write JSONL to /dev/null); reported apart, since it pays for lazy imports and compilation;
* end to end: the same pass, best of ``--repeat`` runs, with the extractor already built;
* extraction only: ``Extractor.run`` over texts already in memory, best of ``--repeat`` runs;
* start-up: median wall time of 5 runs each of ``govextract --version``, ``govextract --help`` and
  ``govextract parse seeds/ --format jsonl`` as subprocesses (the ``govextract`` script beside
  ``sys.executable``). The parse command writes to stdout redirected to /dev/null rather than
  ``-o /dev/null``: ``-o`` writes a temporary file beside the target and renames it into place,
  which as root would replace the /dev/null device with a regular file;
* peak RSS of this process (``resource.getrusage``), taken before any ``--scale`` run.

``--scale K1,K2,...`` repeats each file's text K times (joined by a newline) in memory, times
extraction (best of ``--repeat``) and prints seconds per MB for each K: a flat column means cost grows
linearly with document length. ``--scale-mode list`` instead repeats the list of documents K times.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govextract.engine import Extractor

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "corpora" / "gov_work_reports"
SEEDS = REPO / "seeds"
MB = 1_000_000


@dataclass
class Doc:
    name: str
    path: Path
    text: str
    utf8_bytes: int


@dataclass
class Pass:
    seconds: float
    records: int
    warnings: int


def default_paths() -> list[str]:
    return [str(SHARED_CORPUS if SHARED_CORPUS.is_dir() else SEEDS)]


def load_docs(paths: Sequence[str]) -> list[Doc]:
    from govextract.documents import Failure, expand, read_text

    docs: list[Doc] = []
    for item in expand(paths):
        if isinstance(item, Failure):
            print(f"bench: skipped {item}", file=sys.stderr)
            continue
        if item.path is None:
            print("bench: skipped - (stdin is not benchmarked)", file=sys.stderr)
            continue
        try:
            text = read_text(item)
        except (OSError, ValueError) as exc:
            print(f"bench: skipped {item.name}: {exc}", file=sys.stderr)
            continue
        docs.append(Doc(item.name, item.path, text, len(text.encode("utf-8"))))
    return docs


def end_to_end(extractor: Extractor, docs: Sequence[Doc], sink: io.TextIOBase) -> Pass:
    """Read + decode + extract + write JSONL, as ``govextract parse`` does."""
    from govextract.documents import Input, read_text
    from govextract.writers import Writer

    warnings = 0
    t0 = time.perf_counter()
    writer = Writer(sink, "jsonl")
    for d in docs:
        text = read_text(Input(d.name, d.path))
        result = extractor.run(text, d.name)
        warnings += len(result.warnings)
        for record in result.records:
            writer.write(record)
    writer.close()
    return Pass(time.perf_counter() - t0, writer.count, warnings)


def extraction_only(extractor: Extractor, texts: Sequence[tuple[str, str]]) -> Pass:
    records = warnings = 0
    t0 = time.perf_counter()
    for name, text in texts:
        result = extractor.run(text, name)
        records += len(result.records)
        warnings += len(result.warnings)
    return Pass(time.perf_counter() - t0, records, warnings)


def best_of(n: int, fn: Callable[[], Pass]) -> Pass:
    return min((fn() for _ in range(max(1, n))), key=lambda p: p.seconds)


def govextract_command() -> tuple[list[str], str]:
    """The ``govextract`` script beside sys.executable, else on PATH, else ``python -m govextract``."""
    beside = Path(sys.executable).parent / ("govextract.exe" if os.name == "nt" else "govextract")
    if beside.exists():
        return [str(beside)], str(beside)
    found = shutil.which("govextract")
    if found:
        return [found], found
    return [sys.executable, "-m", "govextract"], f"{sys.executable} -m govextract"


def startup_times(runs: int) -> tuple[dict[str, float], str]:
    cmd, shown = govextract_command()
    cases = {
        "govextract --version": ["--version"],
        "govextract --help": ["--help"],
        "govextract parse seeds/ --format jsonl": ["parse", "seeds/", "--format", "jsonl"],
    }
    out: dict[str, float] = {}
    for label, args in cases.items():
        times: list[float] = []
        for _ in range(runs):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [*cmd, *args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
            )
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                err = proc.stderr.decode(errors="replace").strip()
                raise SystemExit(f"bench: `{label}` exited {proc.returncode}: {err}")
        out[label] = statistics.median(times)
    return out, shown


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss * 1024 / MB  # bytes on macOS, KiB on Linux


def scaled_texts(docs: Sequence[Doc], k: int, mode: str) -> list[tuple[str, str]]:
    if mode == "list":
        return [(d.name, d.text) for _ in range(k) for d in docs]
    return [(d.name, "\n".join([d.text] * k)) for d in docs]


def parse_scale(value: str) -> list[int]:
    try:
        ks = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {value!r}") from None
    if not ks or any(k < 1 for k in ks):
        raise argparse.ArgumentTypeError("each K must be a positive integer")
    return ks


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: tuple[str, ...]) -> str:
        first = r[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def rate_row(label: str, p: Pass, mb: float) -> tuple[str, str, str, str, str]:
    return (
        label,
        f"{p.seconds:.3f}",
        f"{mb / p.seconds:.2f}",
        f"{p.records / p.seconds:,.0f}",
        f"{p.records}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark govextract extraction, I/O and start-up.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    ap.add_argument("paths", nargs="*", help="Directories (walked for *.txt) or files; default: see below.")
    ap.add_argument("--repeat", type=int, default=3, help="Timed runs after the warm-up; best is kept.")
    ap.add_argument("--json", action="store_true", help="Print the results as JSON instead of a table.")
    ap.add_argument("--scale", type=parse_scale, metavar="K1,K2,...", help="Seconds per MB at K times.")
    ap.add_argument("--scale-mode", choices=("concat", "list"), default="concat")
    ap.add_argument("--profile", action="store_true", help="cProfile one extraction pass (top 25).")
    ap.add_argument("--no-startup", action="store_true", help="Skip the subprocess start-up timings.")
    ap.add_argument("--startup-runs", type=int, default=5, help="Runs per start-up command (median).")
    args = ap.parse_args(argv)

    paths = args.paths or default_paths()

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

    scale: list[dict[str, float]] = []
    for k in args.scale or []:
        ktexts = scaled_texts(docs, k, args.scale_mode)
        kmb = sum(len(t.encode("utf-8")) for _, t in ktexts) / MB
        p = best_of(args.repeat, lambda ktexts=ktexts: extraction_only(extractor, ktexts))
        scale.append(
            {"k": k, "mb": kmb, "seconds": p.seconds, "s_per_mb": p.seconds / kmb, "records": p.records}
        )
    if scale:
        base = scale[0]["s_per_mb"]
        for s in scale:
            s["relative"] = s["s_per_mb"] / base

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
        "scale": {"mode": args.scale_mode, "runs": scale} if scale else None,
    }

    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        size_note = "" if disk == utf8 else f" ({disk / MB:.3f} MB on disk)"
        print(f"input: {', '.join(paths)}")
        print(f"       {len(docs)} files, {mb:.3f} MB UTF-8{size_note}; Python {platform.python_version()}")
        print()
        rows = [
            rate_row("first run (import+build+pass)", first_total, mb),
            rate_row(f"end to end (best of {args.repeat})", e2e, mb),
            rate_row(f"extraction only (best of {args.repeat})", only, mb),
        ]
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

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        extraction_only(extractor, texts)
        profiler.disable()
        stream = sys.stderr if args.json else sys.stdout  # keep --json output parseable
        print(file=stream)
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
