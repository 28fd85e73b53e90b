"""``parse -j K``: wall time against ``-j 1`` as subprocesses (start-up included), best of
``repeat``, and the sha256 of the output of one more run per K: byte-identical whatever K."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import note, parse_command, run_measured


def run_jobs(paths: Sequence[str], ks: Sequence[int], repeat: int, mb: float) -> dict[str, Any]:
    inputs = [str(Path(p).resolve()) for p in paths]
    rows: list[dict[str, Any]] = []
    for k in dict.fromkeys([1, *ks]):  # K = 1 first, each K once
        args = parse_command(*inputs, "--format", "jsonl", "-q", "-j", str(k))
        note(f"parse -j {k}")
        seconds = min(run_measured(args).seconds for _ in range(max(1, repeat)))
        out = run_measured(args, keep_stdout=True).out
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
    return {"cpus": os.cpu_count(), "runs": rows, "identical": len({r["sha256"] for r in rows}) == 1}
