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
    detail: str | None = None  # the traceback behind ``error``


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
        return FileResult(name, [], outcome.error.removeprefix(one_line(f"{name}: ")), detail=outcome.detail)
    return FileResult(name, [r.model_dump() for r in outcome.records], None, tuple(outcome.warnings))


def _inputs(paths: Sequence[str], glob: str | None) -> list[Input | Failure]:
    return list(expand(paths, glob) if glob else expand(paths))


Spec = tuple[str, str | None, Any]  # (name, path or None for stdin, the Input or Failure)


def _specs(paths: Sequence[str], glob: str | None) -> list[Spec]:
    return [
        (it.name, None if isinstance(it, Failure) else (str(it.path) if it.path else None), it)
        for it in _inputs(paths, glob)
    ]


def _bag(specs: list[Spec], encoding: str | None, rules: Sequence[str]) -> Any:
    import dask.bag as db

    rules_t = tuple(str(Path(r).resolve()) for r in rules)

    def run(spec: Spec) -> FileResult:
        name, path, item = spec
        if isinstance(item, Failure):
            return FileResult(name, [], item.reason)
        return extract_file(name, path, encoding, rules_t)

    # One partition per input: a lost task names its file.
    return db.from_sequence(specs, npartitions=max(1, len(specs))).map(run)


def result_bag(
    paths: Sequence[str], *, glob: str | None = None, encoding: str | None = None, rules: Sequence[str] = ()
) -> Any:
    """A dask.bag of ``FileResult``, one per input, in input order."""
    return _bag(_specs(paths, glob), encoding, rules)


def record_bag(paths: Sequence[str], **kwargs: Any) -> Any:
    """A dask.bag of record dicts (the JSON form of each record) over the inputs."""
    return result_bag(paths, **kwargs).map(lambda r: r.records).flatten()


class ClusterError(Exception):
    """No Dask scheduler could be reached; the message says where and why, on one line."""


def check_address(address: str) -> None:
    """Raise ``ValueError`` (the reason) unless ``address`` is a scheduler address Dask can
    dial: ``tcp://host:8786``, ``host:8786``, ``tls://...``."""
    from distributed.comm import registry
    from distributed.comm.addressing import parse_address

    try:
        scheme, location = parse_address(address)
        backend = registry.get_backend(scheme)
        if scheme != "inproc":
            backend.get_address_host_port(location)
    except NotImplementedError:
        raise ValueError(f"the {scheme} scheme is not available here") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(str(exc) or f"not a scheduler address: {address!r}") from None


def run_on_cluster(
    address: str,
    paths: Sequence[str],
    *,
    glob: str | None = None,
    encoding: str | None = None,
    rules: Sequence[str] = (),
    timeout: float = 10.0,
) -> Iterator[FileResult]:
    """Run extraction on the Dask scheduler at ``address`` and yield results in input order.

    The scheduler is dialled before this returns: a malformed address raises ``ValueError``,
    one that does not answer within ``timeout`` seconds raises ``ClusterError``."""
    from distributed import Client

    check_address(address)
    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"no Dask scheduler answered within {timeout:g} s ({exc})") from None
    specs = _specs(paths, glob)
    return _results(client, _bag(specs, encoding, rules), [name for name, _, _ in specs])


def _results(client: Any, bag: Any, names: list[str]) -> Iterator[FileResult]:
    with client:
        futures = client.compute(bag.to_delayed(), sync=False)
        for i, future in enumerate(futures):
            try:
                yield from future.result()
            except Exception as exc:  # the cluster lost the task (a worker or the scheduler died)
                name = names[i] if i < len(names) else f"partition {i}"
                yield FileResult(name, [], f"cluster failed ({type(exc).__name__}: {exc})")
