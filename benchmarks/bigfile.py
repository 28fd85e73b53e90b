"""Big single files and many files: ``govextract parse FILE --format jsonl -q > /dev/null``
on one file of each size (the corpus texts joined and repeated, cut at a line end, in a
temporary directory), best of ``repeat`` by CPU time, with the child's CPU seconds and peak
RSS from ``os.wait4``. A tiny file (one sentence) is the baseline: the fixed cost. CPU per MB
of the largest file against the smallest says whether cost grows faster than the file;
(peak RSS - baseline) per MB whether memory does (streaming keeps it flat: bounded by a
window, not the file). Many files: peak RSS of ``parse -j 1`` over the corpus and over four
copies of it (links in a temporary directory): it should not grow with the number of files."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import MB, Doc, best_measured, note, parse_command, run_measured

TINY = "共办理法律援助 6238 件，刑事警情同比下降11.08%，降幅排全市第一。\n"
# CPU per MB of the largest file over the smallest's above this: cost grows faster than the file.
SUPERLINEAR = 1.25


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


def run_big_file(
    docs: Sequence[Doc], sizes: Sequence[float], repeat: int, once: float = 100.0
) -> dict[str, Any]:
    """One file per size; a file of ``once`` MB or more is run once (it takes minutes)."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govextract-bench-") as tmp:
        tiny = Path(tmp) / "tiny.txt"
        tiny.write_text(TINY, encoding="utf-8")
        note("big file: baseline (tiny file)")
        base, base_rss = best_measured(
            repeat, lambda: run_measured(parse_command(str(tiny), "-f", "jsonl", "-q"))
        )
        for size in sizes:
            file = Path(tmp) / f"big_{size:g}MB.txt"
            nbytes = write_big_file(file, docs, int(size * MB))
            mb = nbytes / MB
            note(f"big file: {mb:.1f} MB")
            cmd = parse_command(str(file), "-f", "jsonl", "-q")
            got, rss = best_measured(1 if size >= once else repeat, lambda cmd=cmd: run_measured(cmd))
            file.unlink()
            rows.append(
                {
                    "size_mb": mb,
                    "once": size >= once,
                    "seconds": got.seconds,
                    "cpu": got.cpu,
                    "mb_per_s": mb / got.seconds,
                    "cpu_per_mb": (got.cpu - base.cpu) / mb,
                    "peak_rss_mb": rss,
                    "rss_per_mb": rss / mb,
                    "growth_per_mb": (rss - base_rss) / mb,
                }
            )
    first, last = (rows[0], rows[-1]) if rows else ({}, {})
    bigger = len(rows) > 1 and last["size_mb"] > first["size_mb"]
    cpu_ratio = last["cpu_per_mb"] / max(first["cpu_per_mb"], 1e-9) if bigger else None
    return {
        "method": "os.wait4 (the child's CPU time and peak RSS)",
        "baseline": {"seconds": base.seconds, "cpu": base.cpu, "peak_rss_mb": base_rss},
        "runs": rows,
        "cpu_ratio": cpu_ratio,
        "time_superlinear": bool(cpu_ratio is not None and cpu_ratio > SUPERLINEAR),
        "superlinear": bool(bigger and last["growth_per_mb"] > 1.5 * max(first["growth_per_mb"], 1e-9)),
    }


def run_many_files(docs: Sequence[Doc], copies: Sequence[int] = (1, 4)) -> dict[str, Any]:
    """Peak RSS of ``parse -j 1`` over the corpus files linked ``k`` times into one directory."""
    rows: list[dict[str, Any]] = []
    for k in copies:
        with tempfile.TemporaryDirectory(prefix="govextract-bench-") as tmp:
            for i in range(k):
                for n, d in enumerate(docs):
                    (Path(tmp) / f"{i:02d}_{n:04d}_{d.path.name}").symlink_to(d.path.resolve())
            note(f"many files: {k * len(docs)} files")
            got = run_measured(parse_command(tmp, "-f", "jsonl", "-q", "-j", "1"))
        rows.append({"files": k * len(docs), "seconds": got.seconds, "peak_rss_mb": got.rss_mb})
    return {"runs": rows}
