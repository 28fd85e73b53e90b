"""Adversarial inputs (issue 5, issue 12): about 1 MB (UTF-8) each of digits without
separators, ``一`` repeated, ``万`` repeated, mixed whitespace (``' '``, ``'\\n'``,
``'\\u3000'``, ``'\\t'``, a fixed pseudo-random mix), one measure word (``件``) repeated,
digit+unit pairs (``5件5件...``), ``同比下降1%、`` repeated, and one huge line of report text
(the corpus with ``。，；`` and line breaks removed). Each is timed with ``Extractor.run``
(best of ``repeat``) against normal text per MB; an input within the bound per MB, or whose
time per record is within the bound of normal text's (cost linear in what it finds), passes.
Each case runs in a forked child with the extractor already built: a run still going after
``limit`` seconds is killed and shown as such, and no further run of a case starts once its
runs have used that much time in all (then fewer than ``repeat`` ran)."""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .common import MB, Doc, Pass, cut_utf8, note

if TYPE_CHECKING:
    from govextract.engine import Extractor

ADVERSARIAL_BOUND = 3.0  # the bound: time per MB within 3x of normal text
WHITESPACE = (" ", "\n", "\u3000", "\t")


def repeat_to(unit: str, nbytes: int) -> str:
    """``unit`` repeated (whole units) to about ``nbytes`` bytes of UTF-8."""
    return unit * max(1, round(nbytes / len(unit.encode("utf-8"))))


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
    extractor: Extractor, docs: Sequence[Doc], normal: dict[str, Any], repeat: int, limit: float
) -> list[dict[str, Any]]:
    normal_s_per_mb = normal["s_per_mb"]
    normal_s_per_record = normal["s_per_record"]
    rows: list[dict[str, Any]] = []
    for name, text in adversarial_inputs(docs):
        mb = len(text.encode("utf-8")) / MB
        note(f"adversarial: {name} ({mb:.2f} MB)")
        t = time_adversarial(extractor, name, text, repeat, limit)
        # A killed first run gives a lower bound: at least ``limit`` seconds.
        seconds = t.best.seconds if t.best else limit
        s_per_mb = seconds / mb
        ratio = s_per_mb / normal_s_per_mb
        records = t.best.records if t.best else None
        # Linear in what it finds: time per record within the bound of normal text's.
        per_record = seconds / records / normal_s_per_record if records else None
        linear = per_record is not None and per_record <= ADVERSARIAL_BOUND
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
                "per_record_ratio": per_record,
                "over_bound": ratio > ADVERSARIAL_BOUND and not linear,
                "records": records,
                "warnings": t.best.warnings if t.best else None,
                "first_warning": t.first_warning,
            }
        )
    return rows


# --- parse -j K ------------------------------------------------------------------------------------
