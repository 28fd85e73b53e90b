"""Files in parallel worker processes, results in input order.

Each input becomes an ``Outcome`` (its records, or the one line that says why it
could not be read, plus any warnings). With ``jobs > 1`` the inputs run in a pool
of forked worker processes that inherit the parent's compiled rules; at most a
few inputs per worker are in flight, and outcomes are yielded in input order as
soon as each is done, so output streams while later files still run and is
byte-identical to a serial run.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .documents import Failure, Input, read_text
from .record import Record

_IN_FLIGHT_PER_JOB = 4


@dataclass
class Outcome:
    name: str
    records: list[Record] = field(default_factory=list)
    error: str | None = None  # one line naming the input and the reason
    warnings: list[str] = field(default_factory=list)
    detail: str | None = None  # the traceback behind ``error``, for --debug

    @property
    def read(self) -> bool:
        """Whether the input was read (a Failure from listing never was)."""
        return self.error is None


def failure_reason(exc: BaseException) -> str:
    """Why an input could not be read, for a person."""
    if isinstance(exc, OSError):  # missing, permission denied, a directory, an I/O error
        reason = exc.strerror or str(exc)
        return reason[:1].lower() + reason[1:]
    if isinstance(exc, ValueError):  # undecodable, empty, corrupt, no text layer, ...
        return str(exc)
    return f"cannot read ({type(exc).__name__}: {exc})"


def one_line(text: str) -> str:
    """A message on one line whatever the file name or reason holds."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def process(item: Input, extractor: Any, encoding: str | None = None, text: str | None = None) -> Outcome:
    """Read and extract one input; never raises for a bad input."""
    if text is None:
        try:
            # HTML chrome by the conventions of the extractor's rules (user rules included).
            text = read_text(item, encoding, getattr(getattr(extractor, "rules", None), "html", None))
        except Exception as exc:  # a reader's failure on a strange file must not end the run
            return Outcome(
                item.name,
                error=one_line(f"{item.name}: {failure_reason(exc)}"),
                detail=traceback.format_exc(),
            )
    try:
        result = extractor.run(text, item.name)
    except Exception as exc:
        return Outcome(
            item.name,
            error=one_line(f"{item.name}: extraction failed ({type(exc).__name__}: {exc})"),
            detail=traceback.format_exc(),
        )
    return Outcome(item.name, records=result.records, warnings=list(result.warnings))


# The extractor of a worker process: set in the parent before the pool forks.
_WORKER_EXTRACTOR: Any = None


def _work(item: Input, encoding: str | None) -> Outcome:
    return process(item, _WORKER_EXTRACTOR, encoding)


def default_jobs(inputs: int) -> int:
    """The machine's CPU count when there are several files, else 1."""
    if inputs <= 1:
        return 1
    return max(1, min(inputs, os.cpu_count() or 1))


def outcomes(
    items: Sequence[Input | Failure], extractor: Any, *, jobs: int = 1, encoding: str | None = None
) -> Iterator[Outcome]:
    """One outcome per item, in order."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            if isinstance(item, Failure):
                yield Outcome(item.name, error=one_line(str(item)))
            else:
                yield process(item, extractor, encoding)
        return
    global _WORKER_EXTRACTOR
    _WORKER_EXTRACTOR = extractor
    context = multiprocessing.get_context("fork")
    pending: deque[tuple[Any, Future[Outcome] | Outcome]] = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for item in items:
            if isinstance(item, Failure):
                pending.append((item, Outcome(item.name, error=one_line(str(item)))))
            elif item.path is None:  # standard input is read here, not in a worker
                pending.append((item, process(item, extractor, encoding)))
            else:
                pending.append((item, pool.submit(_work, item, encoding)))
            while len(pending) > jobs * _IN_FLIGHT_PER_JOB or (pending and _done(pending[0][1])):
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())


def _done(slot: Future[Outcome] | Outcome) -> bool:
    return isinstance(slot, Outcome) or slot.done()


def _result(item: Any, slot: Future[Outcome] | Outcome) -> Outcome:
    if isinstance(slot, Outcome):
        return slot
    try:
        return slot.result()
    except Exception as exc:  # a worker that died (out of memory, killed)
        return Outcome(item.name, error=one_line(f"{item.name}: worker failed ({type(exc).__name__}: {exc})"))
