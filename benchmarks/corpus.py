"""Corpus throughput: end to end (read, extract, write JSONL) and extraction alone in this
process, cost against document length (``--scale``), a profile, and the bare scan: a
process that only reads the same files and runs one ``regex`` over them, the floor that
``parse`` is compared with as whole processes in the same run."""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import MB, Doc, Pass, best_measured, best_of, parse_command, run_measured

if TYPE_CHECKING:
    from govextract.engine import Extractor


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


def scaled_texts(docs: Sequence[Doc], k: int, mode: str) -> list[tuple[str, str]]:
    if mode == "list":
        return [(d.name, d.text) for _ in range(k) for d in docs]
    return [(d.name, "\n".join([d.text] * k)) for d in docs]


def run_scale(
    extractor: Extractor, docs: Sequence[Doc], ks: Sequence[int], mode: str, repeat: int
) -> list[dict[str, float]]:
    """Seconds per MB of extraction on each text repeated K times (or the list K times)."""
    scale: list[dict[str, float]] = []
    for k in ks:
        ktexts = scaled_texts(docs, k, mode)
        kmb = sum(len(t.encode("utf-8")) for _, t in ktexts) / MB
        p = best_of(repeat, lambda ktexts=ktexts: extraction_only(extractor, ktexts))
        scale.append(
            {"k": k, "mb": kmb, "seconds": p.seconds, "s_per_mb": p.seconds / kmb, "records": p.records}
        )
    for s in scale:
        s["relative"] = s["s_per_mb"] / scale[0]["s_per_mb"]
    return scale


# One process reading the files and running one scan for figures: what any tool pays.
_BARE_SCAN = """\
import sys
from pathlib import Path
import regex
figure = regex.compile(r"\\d+(?:\\.\\d+)?")
n = 0
for arg in sys.argv[1:]:
    p = Path(arg)
    for f in sorted(p.rglob("*.txt")) if p.is_dir() else [p]:
        n += sum(1 for _ in figure.finditer(f.read_bytes().decode("utf-8")))
print(n)
"""


def run_bare(paths: Sequence[str], repeat: int) -> dict[str, Any]:
    """``parse -j 1`` against the bare scan, both as whole processes, best of ``repeat`` by CPU."""
    inputs = [str(Path(p).resolve()) for p in paths]
    bare, _ = best_measured(repeat, lambda: run_measured([sys.executable, "-c", _BARE_SCAN, *inputs]))
    parse, _ = best_measured(
        repeat, lambda: run_measured(parse_command(*inputs, "-f", "jsonl", "-q", "-j", "1"))
    )
    return {
        "bare_s": bare.seconds,
        "bare_cpu": bare.cpu,
        "parse_s": parse.seconds,
        "parse_cpu": parse.cpu,
        "ratio_cpu": parse.cpu / max(bare.cpu, 1e-9),
    }


def profile(extractor: Extractor, texts: Sequence[tuple[str, str]], stream: Any) -> None:
    """cProfile one extraction pass: the top 25 by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    extraction_only(extractor, texts)
    profiler.disable()
    print(file=stream)
    pstats.Stats(profiler, stream=stream).sort_stats(pstats.SortKey.CUMULATIVE).print_stats(25)
