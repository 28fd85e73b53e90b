"""What the benchmark modules share: the corpus, passes, options and measured subprocesses."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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


@dataclass
class Measured:
    """One finished subprocess: wall and CPU (user + system) seconds, peak RSS, stdout."""

    seconds: float
    cpu: float
    rss_mb: float
    out: bytes


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


def peak_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / MB if sys.platform == "darwin" else rss * 1024 / MB  # bytes on macOS, KiB on Linux


def run_measured(cmd: Sequence[str], *, keep_stdout: bool = False, cwd: Path | None = None) -> Measured:
    """Run ``cmd`` (stdout to /dev/null unless kept) and measure it with ``os.wait4``: the
    child's own CPU time and peak RSS, whatever else the machine runs. Exits on failure."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL, stderr=err, cwd=cwd
        )
        out = proc.stdout.read() if proc.stdout is not None else b""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        if proc.stdout is not None:
            proc.stdout.close()
        if code != 0:
            err.seek(0)
            msg = err.read().decode(errors="replace").strip()
            raise SystemExit(f"bench: `{' '.join(cmd)}` exited {code}: {msg}")
    rss = usage.ru_maxrss / MB if sys.platform == "darwin" else usage.ru_maxrss * 1024 / MB
    return Measured(seconds, usage.ru_utime + usage.ru_stime, rss, out)


def best_measured(runs: int, fn: Callable[[], Measured]) -> tuple[Measured, float]:
    """The fastest of ``runs`` (by CPU time) and the largest peak RSS over them."""
    got = [fn() for _ in range(max(1, runs))]
    return min(got, key=lambda m: m.cpu), max(m.rss_mb for m in got)


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


def cut_utf8(text: str, nbytes: int) -> str:
    """The longest prefix of ``text`` of at most ``nbytes`` bytes of UTF-8."""
    return text.encode("utf-8")[:nbytes].decode("utf-8", errors="ignore")


def parse_command(*args: str) -> list[str]:
    return [*govextract_command()[0], "parse", *args]
