"""Extraction over many files on a Dask cluster (the optional ``govextract[dask]`` extra).

    >>> from govextract.dask import record_bag
    >>> bag = record_bag(["reports/"])            # a dask.bag of record dicts
    >>> bag.to_textfiles("out/*.jsonl")           # or .compute(), .filter(...), ...

or from the command line, with the same output as a local run:
``govextract parse --dask tcp://scheduler:8786 reports/``.

Each input file is one task; workers read the files themselves (they must see the
same paths) and build their extractor once per process. Results come back in
input order, so the output is byte-identical to ``govextract parse`` without Dask.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .documents import Failure, Input, expand


@dataclass(frozen=True)
class FileResult:
    """The outcome of one input: its records (as JSON-ready dicts) or why it failed."""

    name: str
    records: list[dict[str, Any]]
    error: str | None = None
    warnings: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def _extractor(rules: tuple[str, ...]) -> Any:
    from .engine import Extractor
    from .ruleset import load_rules

    return Extractor(load_rules([Path(r) for r in rules]))


def extract_file(
    name: str, path: str | None, encoding: str | None = None, rules: tuple[str, ...] = ()
) -> FileResult:
    """Read and extract one input (runs on a worker)."""
    from .parallel import one_line, process

    if path is None:
        return FileResult(name, [], "standard input cannot be read on a cluster worker")
    outcome = process(Input(name, Path(path)), _extractor(tuple(rules)), encoding)
    if outcome.error is not None:
        # The same reading and reasons as a local run; the caller adds the name.
        return FileResult(name, [], outcome.error.removeprefix(one_line(f"{name}: ")))
    return FileResult(name, [r.model_dump() for r in outcome.records], None, tuple(outcome.warnings))


def _inputs(paths: Sequence[str], glob: str | None) -> list[Input | Failure]:
    return list(expand(paths, glob) if glob else expand(paths))


def result_bag(
    paths: Sequence[str], *, glob: str | None = None, encoding: str | None = None, rules: Sequence[str] = ()
) -> Any:
    """A dask.bag of ``FileResult``, one per input, in input order."""
    import dask.bag as db

    items = _inputs(paths, glob)
    specs = [
        (it.name, None if isinstance(it, Failure) else (str(it.path) if it.path else None), it)
        for it in items
    ]
    rules_t = tuple(str(Path(r).resolve()) for r in rules)

    def run(spec: tuple[str, str | None, Any]) -> FileResult:
        name, path, item = spec
        if isinstance(item, Failure):
            return FileResult(name, [], item.reason)
        return extract_file(name, path, encoding, rules_t)

    return db.from_sequence(specs, npartitions=max(1, len(specs))).map(run)


def record_bag(paths: Sequence[str], **kwargs: Any) -> Any:
    """A dask.bag of record dicts (the JSON form of each record) over the inputs."""
    return result_bag(paths, **kwargs).map(lambda r: r.records).flatten()


def run_on_cluster(
    address: str,
    paths: Sequence[str],
    *,
    glob: str | None = None,
    encoding: str | None = None,
    rules: Sequence[str] = (),
) -> Iterator[FileResult]:
    """Run extraction on the Dask scheduler at ``address`` and yield results in input order."""
    from distributed import Client

    with Client(address) as client:
        futures = client.compute(
            result_bag(paths, glob=glob, encoding=encoding, rules=rules).to_delayed(), sync=False
        )
        for future in futures:
            yield from future.result()
