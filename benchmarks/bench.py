"""Time govextract end to end, extraction alone, and command start-up.

Usage (from the repo root, or with an absolute path from anywhere)::

    python benchmarks/bench.py                      # default corpus, best of 3 runs
    python benchmarks/bench.py path/to/dir a.txt    # explicit directories and/or files
    python benchmarks/bench.py --repeat 5 --json    # machine-readable output
    python benchmarks/bench.py --scale 1,4,16       # seconds per MB on texts repeated K times
    python benchmarks/bench.py --profile            # cProfile one extraction pass, top 25 by cumulative
    python benchmarks/bench.py --no-startup         # skip the subprocess start-up timings
    python benchmarks/bench.py --adversarial        # ~1 MB hostile inputs against normal text
    python benchmarks/bench.py --jobs 2,4           # parse -j K wall time, speed-up, identical output
    python benchmarks/bench.py --big-file 5,25,50   # one file of N MB: time and child peak RSS
    python benchmarks/bench.py --report             # all of it as a Markdown block for the README

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

``--adversarial`` (issue 5: fast, bounded, unbreakable) builds in memory about 1 MB (UTF-8) each of:
digits without separators, ``一`` repeated, ``万`` repeated, mixed whitespace (``' '``, ``'\\n'``,
``'\\u3000'``, ``'\\t'``, a fixed pseudo-random mix), one measure word (``件``) repeated, digit+unit
pairs (``5件5件...``), ``同比下降1%、`` repeated, and one huge line of report text (the corpus with
``。，；`` and line breaks removed). It times ``Extractor.run`` on each (best of ``--repeat``) and
prints seconds per MB beside normal text (extraction only over the corpus), the ratio to it, a flag
when the ratio exceeds 3 (the issue's bound), and the records and warnings (a rule that times out
reports a warning). Each case runs in a forked child with the extractor already built: a run still
going after ``--adversarial-limit`` seconds (default 120) is killed and shown as such, and no further
run of a case starts once its runs have used that much time in all (then fewer than ``--repeat`` ran).

``--jobs K1,K2,...`` times ``govextract parse PATHS --format jsonl -q -j K > /dev/null`` as a
subprocess (best of ``--repeat``) for K = 1 and each K given, with MB/s and the speed-up against
K = 1; one more untimed run per K pipes stdout into sha256 to check that the output is byte-identical
whatever K. Wall times include the command's start-up.

``--big-file S1,S2,...`` writes, for each size in MB, one file of that size (the corpus texts joined
and repeated, cut at a line end; in a temporary directory) and runs ``govextract parse FILE --format
jsonl -q > /dev/null`` on it (best of ``--repeat``), reporting wall time, MB/s and the child's peak
RSS (the largest over the runs), measured by ``/usr/bin/time -f %M`` when GNU time is there, else by
a ``python -c`` wrapper that runs the CLI in-process and reports ``getrusage(RUSAGE_SELF)`` at exit.
The same is measured for a tiny file (one sentence) as the baseline: the fixed cost. Peak RSS per MB
of input and (peak RSS - baseline) per MB show whether memory grows faster than the file; the
second should stay flat as the size grows.

``--report`` runs the default passes, start-up, ``--jobs 2``, ``--adversarial`` and ``--big-file
5,50`` (unless given other values) and prints one Markdown block for the README's "Performance"
section, headed with the machine, Python, date and commit; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import hashlib
import importlib
import io
import json
import multiprocessing
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
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


def parse_sizes(value: str) -> list[float]:
    try:
        sizes = [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {value!r}") from None
    if not sizes or any(not 0 < v < 1e6 for v in sizes):
        raise argparse.ArgumentTypeError("each size must be a positive number of MB")
    return sizes


def note(message: str) -> None:
    """Progress of the long sections, on stderr so that stdout stays a table, JSON or Markdown."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- adversarial inputs (issue 5) -------------------------------------------------------------

ADVERSARIAL_BOUND = 3.0  # the bound: time per MB within 3x of normal text
WHITESPACE = (" ", "\n", "\u3000", "\t")


def repeat_to(unit: str, nbytes: int) -> str:
    """``unit`` repeated (whole units) to about ``nbytes`` bytes of UTF-8."""
    return unit * max(1, round(nbytes / len(unit.encode("utf-8"))))


def cut_utf8(text: str, nbytes: int) -> str:
    """The longest prefix of ``text`` of at most ``nbytes`` bytes of UTF-8."""
    return text.encode("utf-8")[:nbytes].decode("utf-8", errors="ignore")


def one_line_of_report(docs: Sequence[Doc], nbytes: int) -> str:
    """Corpus text without 。，； and line breaks, repeated up to ``nbytes``: one huge line."""
    stripped = "".join(d.text for d in docs).translate(dict.fromkeys(map(ord, "。，；\n\r")))
    if not stripped:
        return ""
    reps = -(-nbytes // max(1, len(stripped.encode("utf-8"))))
    return cut_utf8(stripped * reps, nbytes)


def adversarial_inputs(docs: Sequence[Doc], nbytes: int = MB) -> list[tuple[str, str]]:
    rng = random.Random(5)  # a fixed mix, the same every run
    ws = "".join(rng.choices(WHITESPACE, k=nbytes))
    return [
        ("digits, no separators", repeat_to("0123456789", nbytes)),
        ("一 repeated", repeat_to("一", nbytes)),
        ("万 repeated", repeat_to("万", nbytes)),
        ("whitespace (' ' \\n \\u3000 \\t mixed)", cut_utf8(ws, nbytes)),
        ("measure word 件 repeated", repeat_to("件", nbytes)),
        ("digit+unit pairs 5件5件...", repeat_to("5件", nbytes)),
        ("同比下降1%、 repeated", repeat_to("同比下降1%、", nbytes)),
        ("one line of report text, no 。，；\\n", one_line_of_report(docs, nbytes)),
    ]


@dataclass
class Timed:
    """Best of the runs of one adversarial case that finished; ``killed`` if one was cut off."""

    runs: int
    killed: bool
    best: Pass | None
    first_warning: str


def _adversarial_child(conn: Any, extractor: Extractor, name: str, text: str, repeat: int, budget: float):
    spent = 0.0
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = extractor.run(text, name)
        seconds = time.perf_counter() - t0
        conn.send((seconds, len(result.records), len(result.warnings), result.warnings[:1]))
        spent += seconds
        if spent >= budget:
            break
    conn.close()


def time_adversarial(extractor: Extractor, name: str, text: str, repeat: int, limit: float) -> Timed:
    """Best of ``repeat`` runs of ``extractor.run(text)``, in a forked child cut off after ``limit`` s."""
    got: list[tuple[float, int, int, list[str]]] = []
    killed = False
    if "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_adversarial_child, args=(send, extractor, name, text, repeat, limit), daemon=True
        )
        child.start()
        send.close()
        while True:
            if not recv.poll(limit):
                killed = True
                child.kill()
                break
            try:
                got.append(recv.recv())
            except EOFError:
                break
        child.join()
        recv.close()
    else:  # no fork (Windows): in this process, without a limit
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            result = extractor.run(text, name)
            got.append((time.perf_counter() - t0, len(result.records), len(result.warnings), result.warnings))
    best = min(got, default=None, key=lambda g: g[0])
    return Timed(
        runs=len(got),
        killed=killed,
        best=Pass(best[0], best[1], best[2]) if best else None,
        first_warning=next((g[3][0] for g in got if g[3]), ""),
    )


def run_adversarial(
    extractor: Extractor, docs: Sequence[Doc], normal_s_per_mb: float, repeat: int, limit: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, text in adversarial_inputs(docs):
        mb = len(text.encode("utf-8")) / MB
        note(f"adversarial: {name} ({mb:.2f} MB)")
        t = time_adversarial(extractor, name, text, repeat, limit)
        # A killed first run gives a lower bound: at least ``limit`` seconds.
        seconds = t.best.seconds if t.best else limit
        s_per_mb = seconds / mb
        ratio = s_per_mb / normal_s_per_mb
        rows.append(
            {
                "input": name,
                "mb": mb,
                "runs": t.runs,
                "killed": t.killed,
                "lower_bound": t.best is None,
                "seconds": seconds,
                "s_per_mb": s_per_mb,
                "ratio": ratio,
                "over_bound": ratio > ADVERSARIAL_BOUND,
                "records": t.best.records if t.best else None,
                "warnings": t.best.warnings if t.best else None,
                "first_warning": t.first_warning,
            }
        )
    return rows


# --- parse -j K ------------------------------------------------------------------------------------


def run_parse(cmd: Sequence[str], stdout: Any = subprocess.DEVNULL) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    proc = subprocess.run(list(cmd), stdout=stdout, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise SystemExit(f"bench: `{' '.join(cmd)}` exited {proc.returncode}: {err}")
    return seconds, proc.stdout or b""


def run_jobs(paths: Sequence[str], ks: Sequence[int], repeat: int, mb: float) -> dict[str, Any]:
    cmd, _ = govextract_command()
    inputs = [str(Path(p).resolve()) for p in paths]
    rows: list[dict[str, Any]] = []
    for k in dict.fromkeys([1, *ks]):  # K = 1 first, each K once
        args = [*cmd, "parse", *inputs, "--format", "jsonl", "-q", "-j", str(k)]
        note(f"parse -j {k}")
        seconds = min(run_parse(args)[0] for _ in range(max(1, repeat)))
        _, out = run_parse(args, subprocess.PIPE)
        rows.append(
            {
                "jobs": k,
                "seconds": seconds,
                "mb_per_s": mb / seconds,
                "sha256": hashlib.sha256(out).hexdigest(),
                "output_bytes": len(out),
            }
        )
    for r in rows:
        r["speedup"] = rows[0]["seconds"] / r["seconds"]
    return {
        "cpus": os.cpu_count(),
        "runs": rows,
        "identical": len({r["sha256"] for r in rows}) == 1,
    }


# --- one big file ----------------------------------------------------------------------------------

_RSS_WRAPPER = """\
import resource, sys
from govextract.cli import main
sys.argv = ["govextract", *sys.argv[1:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
finally:
    sys.stdout.flush()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kib = rss // 1024 if sys.platform == "darwin" else rss
    print(f"BENCH_MAXRSS_KIB={kib}", file=sys.stderr, flush=True)
raise SystemExit(code)
"""


def gnu_time() -> str | None:
    """``/usr/bin/time`` if it is GNU time (takes ``-f %M -o FILE``), else None."""
    exe = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if not exe:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        proc = subprocess.run(
            [exe, "-f", "%M", "-o", f.name, "true"], capture_output=True, check=False, timeout=30
        )
        ok = proc.returncode == 0 and f.read().strip().splitlines()[-1:] != []
    return exe if ok else None


def measure_parse_rss(file: Path, time_exe: str | None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of ``govextract parse FILE --format jsonl -q > /dev/null``."""
    args = ["parse", str(file), "--format", "jsonl", "-q"]
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as f:
        if time_exe:
            cmd = [time_exe, "-f", "%M", "-o", f.name, *govextract_command()[0], *args]
        else:
            cmd = [sys.executable, "-c", _RSS_WRAPPER, *args]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        seconds = time.perf_counter() - t0
        err = proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            raise SystemExit(f"bench: `govextract {' '.join(args)}` exited {proc.returncode}: {err.strip()}")
        if time_exe:
            kib = int(f.read().strip().splitlines()[-1])
        else:
            m = re.search(r"BENCH_MAXRSS_KIB=(\d+)", err)
            if m is None:
                raise SystemExit(f"bench: no RSS from the wrapper: {err.strip()}")
            kib = int(m.group(1))
    return seconds, kib * 1024 / MB


def write_big_file(path: Path, docs: Sequence[Doc], nbytes: int) -> int:
    """The corpus texts joined and repeated to at most ``nbytes`` bytes, cut after a line end."""
    blob = ("\n".join(d.text for d in docs) + "\n").encode("utf-8")
    written = 0
    with open(path, "wb") as f:
        while written + len(blob) <= nbytes:
            f.write(blob)
            written += len(blob)
        rest = blob[: nbytes - written]
        end = rest.rfind(b"\n") + 1 or len(rest.decode("utf-8", errors="ignore").encode("utf-8"))
        f.write(rest[:end])
        written += end
    return written


def run_big_file(docs: Sequence[Doc], sizes: Sequence[float], repeat: int) -> dict[str, Any]:
    time_exe = gnu_time()
    method = f"{time_exe} -f %M" if time_exe else "python -c wrapper, getrusage(RUSAGE_SELF)"
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govextract-bench-") as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text(
            "共办理法律援助 6238 件，刑事警情同比下降11.08%，降幅排全市第一。\n", encoding="utf-8"
        )
        note("big file: baseline (tiny file)")
        base = [measure_parse_rss(tiny, time_exe) for _ in range(max(1, repeat))]
        base_s = min(s for s, _ in base)
        base_rss = max(r for _, r in base)
        for size in sizes:
            file = Path(tmp) / f"big_{size:g}MB.txt"
            nbytes = write_big_file(file, docs, int(size * MB))
            mb = nbytes / MB
            note(f"big file: {mb:.1f} MB")
            got = [measure_parse_rss(file, time_exe) for _ in range(max(1, repeat))]
            file.unlink()
            seconds = min(s for s, _ in got)
            rss = max(r for _, r in got)
            rows.append(
                {
                    "size_mb": mb,
                    "seconds": seconds,
                    "mb_per_s": mb / seconds,
                    "peak_rss_mb": rss,
                    "rss_per_mb": rss / mb,
                    "growth_per_mb": (rss - base_rss) / mb,
                    "net_s_per_mb": (seconds - base_s) / mb,
                }
            )
    # Memory (time) grows faster than the file when the growth (seconds) per MB rises with the size.
    first, last = (rows[0], rows[-1]) if rows else ({}, {})
    bigger = len(rows) > 1 and last["size_mb"] > first["size_mb"]
    superlinear = bool(bigger and last["growth_per_mb"] > 1.5 * max(first["growth_per_mb"], 1e-9))
    slower = bool(bigger and last["net_s_per_mb"] > 1.5 * max(first["net_s_per_mb"], 1e-9))
    return {
        "method": method,
        "baseline": {"seconds": base_s, "peak_rss_mb": base_rss},
        "runs": rows,
        "superlinear": superlinear,
        "time_superlinear": slower,
    }


# --- the machine, for --report ------------------------------------------------------------------


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for key in ("model name", "Hardware", "Processor", "cpu model", "cpu"):
        m = re.search(rf"^{key}\s*:\s*(.+)$", text, re.MULTILINE)
        if m and m.group(1).strip():
            return m.group(1).strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # changes to the benchmark itself do not change what is measured
            [
                "git",
                "-C",
                str(REPO),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!benchmarks",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return head + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        from importlib.metadata import version

        gv = version("govextract")
    except Exception:
        gv = "?"
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
        "govextract": gv,
        "commit": git_commit(),
    }


def width(text: str) -> int:
    """Terminal columns: wide and full-width characters (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: tuple[str, ...]) -> str:
        first = r[0] + " " * (widths[0] - width(r[0]))
        rest = [" " * (w - width(c)) + c for c, w in zip(r[1:], widths[1:], strict=True)]
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


MD_LEFT = {"flag", "sha256"}  # text columns, left-aligned in Markdown


def md_table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    """A Markdown table: the first column left-aligned, the others right-aligned."""

    def line(r: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in r) + " |"

    rule = "|" + "|".join(":---" if i == 0 or h in MD_LEFT else "---:" for i, h in enumerate(header)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def adversarial_rows(adv: dict[str, Any], markdown: bool = False) -> list[tuple[str, ...]]:
    flag = "**over 3x**" if markdown else "OVER 3x"
    normal = adv["normal"]
    rows: list[tuple[str, ...]] = [
        (
            "normal text (corpus)",
            f"{normal['s_per_mb']:.3f}",
            "1.0x",
            f"{normal['records']}",
            f"{normal['warnings']}",
            "",
        )
    ]
    for r in adv["runs"]:
        bound = ">=" if r["lower_bound"] else ""
        notes = [flag] if r["over_bound"] else []
        if r["killed"]:
            notes.append(f"run killed at {adv['limit']:g} s")
        if not r["lower_bound"] and r["runs"] < adv["repeat"]:
            notes.append(f"best of {r['runs']}")
        rows.append(
            (
                r["input"],
                f"{bound}{r['s_per_mb']:.3f}",
                f"{bound}{r['ratio']:.1f}x",
                "?" if r["records"] is None else f"{r['records']}",
                "?" if r["warnings"] is None else f"{r['warnings']}",
                ", ".join(notes),
            )
        )
    return rows


ADV_HEADER = ("input (~1 MB)", "s/MB", "vs normal", "records", "warnings", "flag")


def jobs_rows(jobs: dict[str, Any]) -> list[tuple[str, ...]]:
    return [
        (
            f"-j {r['jobs']}",
            f"{r['seconds']:.3f}",
            f"{r['mb_per_s']:.2f}",
            f"{r['speedup']:.2f}x",
            r["sha256"][:12],
        )
        for r in jobs["runs"]
    ]


def big_rows(big: dict[str, Any]) -> list[tuple[str, ...]]:
    base = big["baseline"]
    rows: list[tuple[str, ...]] = [
        ("tiny file (baseline)", f"{base['seconds']:.3f}", "", f"{base['peak_rss_mb']:.1f}", "", "")
    ]
    for r in big["runs"]:
        rows.append(
            (
                f"{r['size_mb']:.1f} MB",
                f"{r['seconds']:.3f}",
                f"{r['mb_per_s']:.2f}",
                f"{r['peak_rss_mb']:.1f}",
                f"{r['rss_per_mb']:.2f}",
                f"{r['growth_per_mb']:.2f}",
            )
        )
    return rows


BIG_HEADER = ("one file", "seconds", "MB/s", "peak RSS MB", "RSS/MB in", "(RSS-base)/MB in")


def concerns(result: dict[str, Any]) -> list[str]:
    """What looks wrong against issue 5, one line each."""
    out: list[str] = []
    adv = result.get("adversarial")
    if adv:
        for r in adv["runs"]:
            if r["over_bound"]:
                bound = f"bound {ADVERSARIAL_BOUND:g}x"
                at_least = ">=" if r["lower_bound"] else ""
                out.append(f"adversarial `{r['input']}`: {at_least}{r['ratio']:.1f}x normal text ({bound})")
            if r["killed"]:
                out.append(f"adversarial `{r['input']}`: a run was killed after {adv['limit']:g} s")
            if r["warnings"]:
                m = re.search(r"rule (\S+) timed out", r["first_warning"])
                what = f"rule {m.group(1)} timed out" if m else r["first_warning"]
                out.append(f"adversarial `{r['input']}`: {r['warnings']} warning(s) ({what})")
    jobs = result.get("jobs")
    if jobs and not jobs["identical"]:
        out.append("parse -j K: the output differs across K (sha256 differs)")
    big = result.get("big_file")
    if big and big["superlinear"]:
        a, b = big["runs"][0], big["runs"][-1]
        out.append(
            f"big file: memory grows faster than the file: (RSS-base)/MB {a['growth_per_mb']:.2f} at "
            f"{a['size_mb']:.0f} MB, {b['growth_per_mb']:.2f} at {b['size_mb']:.0f} MB"
        )
    if big and big["time_superlinear"]:
        a, b = big["runs"][0], big["runs"][-1]
        out.append(
            f"big file: time grows faster than the file: {a['net_s_per_mb']:.2f} s/MB at "
            f"{a['size_mb']:.0f} MB, {b['net_s_per_mb']:.2f} s/MB at {b['size_mb']:.0f} MB "
            "(start-up of the tiny run taken off)"
        )
    if result.get("rule_timeouts"):
        out.append(f"corpus: {result['rule_timeouts']} rule timeout(s) per pass on normal text")
    return out


def markdown_report(result: dict[str, Any], rows: Sequence[tuple[str, ...]]) -> str:
    m = result["machine"]
    inp = result["input"]
    cores = f"{m['cores']} cores" + (
        f" ({m['usable_cores']} usable)" if m["usable_cores"] and m["usable_cores"] != m["cores"] else ""
    )
    version = f"govextract {m['govextract']}" + (f" ({m['commit']})" if m["commit"] else "")
    names = ", ".join(Path(p).name or p for p in inp["paths"])
    parts = [
        f"Measured {m['date']} with {version}: {m['platform']}; {m['cpu']}, {cores}; Python {m['python']}.",
        f"Input: {names}, {inp['files']} files, {inp['utf8_mb']:.2f} MB of UTF-8 text; "
        f"times are the best of {result['repeat']} runs.",
        "",
        md_table(rows, ("pass", "seconds", "MB/s", "records/s", "records")),
    ]
    if result["startup_median_s"]:
        srows = [(f"`{k}`", f"{v * 1000:.0f}") for k, v in result["startup_median_s"].items()]
        parts += ["", md_table(srows, (f"start-up (median of {result['startup_runs']})", "ms"))]
    jobs = result.get("jobs")
    if jobs:
        same = "identical" if jobs["identical"] else "**different**"
        parts += [
            "",
            md_table(
                jobs_rows(jobs), ("`parse --format jsonl -j K`", "seconds", "MB/s", "speed-up", "sha256")
            ),
            "",
            f"Output across K: {same}; {jobs['cpus']} CPUs; wall times include start-up.",
        ]
    adv = result.get("adversarial")
    if adv:
        parts += [
            "",
            md_table(adversarial_rows(adv, markdown=True), ADV_HEADER),
            "",
            f"`Extractor.run` on each input; bound: {ADVERSARIAL_BOUND:g}x normal text per MB.",
        ]
    big = result.get("big_file")
    if big:
        parts += [
            "",
            md_table(big_rows(big), BIG_HEADER),
            "",
            f"`parse FILE --format jsonl`; peak RSS of the child by {big['method']}.",
        ]
    found = concerns(result)
    if found:
        parts += ["", "Over the bounds:", "", *(f"- {c}" for c in found)]
    return "\n".join(parts)


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
        help="Everything (--jobs 2 --adversarial --big-file 5,50 by default) as one Markdown block.",
    )
    args = ap.parse_args(argv)
    if args.report:
        args.adversarial = True
        args.jobs = args.jobs or [2]
        args.big_file = args.big_file or [5.0, 50.0]

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

    jobs = run_jobs(paths, args.jobs, args.repeat, mb) if args.jobs else None

    adversarial: dict[str, Any] | None = None
    if args.adversarial:
        normal = {"s_per_mb": only.seconds / mb, "records": only.records, "warnings": only.warnings}
        adversarial = {
            "bound": ADVERSARIAL_BOUND,
            "limit": args.adversarial_limit,
            "repeat": args.repeat,
            "normal": normal,
            "runs": run_adversarial(extractor, docs, normal["s_per_mb"], args.repeat, args.adversarial_limit),
        }

    big = run_big_file(docs, args.big_file, args.repeat) if args.big_file else None

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
        print(markdown_report(result, rows))
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
            print(f"  peak RSS of the child by {big['method']}")
        found = concerns(result)
        if found and (jobs or adversarial or big):
            print()
            print("over the bounds:")
            for c in found:
                print(f"  - {c}")

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
