"""Files in parallel worker processes, results in input order.

Each input becomes an ``Outcome`` (its records, or the one line that says why it
could not be read, plus any warnings). With ``jobs > 1`` the inputs run in a pool
of forked worker processes that inherit the parent's compiled rules and loaded
tables (gazetteer, indicators, numerals, word table: ``warm``); at most a few
inputs per worker are in flight, and outcomes are yielded in input order as soon
as each is done, so output streams while later files still run and is
byte-identical to a serial run.

A huge text (``stream.streamed``) is extracted window by window in this process:
its outcome's records are an iterator that extracts each window as it is read,
so memory is bounded by a window. Its warnings, and an error met part way, are
known once the records have been read.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import stream
from .documents import Failure, Input, read_text
from .record import Record

if TYPE_CHECKING:
    from concurrent.futures import Future

_IN_FLIGHT_PER_JOB = 4


@dataclass
class Outcome:
    name: str
    # a list, or for a streamed text an iterator to read once (then check error and warnings)
    records: Iterable[Record] = field(default_factory=list)
    error: str | None = None  # one line naming the input and the reason
    warnings: list[str] = field(default_factory=list)
    detail: str | None = None  # the traceback behind ``error``, for --debug

    @property
    def read(self) -> bool:
        """Whether the input was read (a Failure from listing never was)."""
        return self.error is None


def traceback_text() -> str:
    """The traceback of the exception being handled (traceback is imported only then)."""
    import traceback

    return traceback.format_exc()


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


# Called with (input name, bytes done, bytes in all) as each window of a streamed text is done.
FileProgress = Callable[[str, int, int], None]


def process(
    item: Input,
    extractor: Any,
    encoding: str | None = None,
    text: str | None = None,
    *,
    streaming: bool = False,
    progress: FileProgress | None = None,
) -> Outcome:
    """Read and extract one input; never raises for a bad input. With ``streaming``, a huge
    text's records are extracted window by window as they are read (see the module)."""
    if text is None:
        try:
            # HTML chrome by the conventions of the extractor's rules (user rules included).
            text = read_text(item, encoding, getattr(getattr(extractor, "rules", None), "html", None))
        except Exception as exc:  # a reader's failure on a strange file must not end the run
            return Outcome(
                item.name,
                error=one_line(f"{item.name}: {failure_reason(exc)}"),
                detail=traceback_text(),
            )
    if stream.streamed(text):
        outcome = Outcome(item.name)
        outcome.records = _windows(outcome, extractor, text, progress)
        if not streaming:  # a worker's or a caller's outcome: read now
            outcome.records = list(outcome.records)
        return outcome
    try:
        result = extractor.run(text, item.name)
    except Exception as exc:
        return Outcome(item.name, error=_failed(item.name, exc), detail=traceback_text())
    return Outcome(item.name, records=result.records, warnings=list(result.warnings))


def _failed(name: str, exc: Exception) -> str:
    return one_line(f"{name}: extraction failed ({type(exc).__name__}: {exc})")


def _windows(outcome: Outcome, extractor: Any, text: str, progress: FileProgress | None) -> Iterator[Record]:
    """The records of a huge text; a failure part way ends them and sets the outcome's error
    (the records already read stand)."""
    name = outcome.name
    tick = (lambda done, total: progress(name, done, total)) if progress is not None else None
    try:
        yield from stream.extract(extractor, text, name, outcome.warnings, progress=tick)
    except Exception as exc:
        outcome.error = _failed(name, exc)
        outcome.detail = traceback_text()


# The extractor of a worker process: set in the parent before the pool forks.
_WORKER_EXTRACTOR: Any = None


def _work(item: Input, encoding: str | None) -> Outcome:
    return process(item, _WORKER_EXTRACTOR, encoding)


def warm(extractor: Any) -> None:
    """Load what extraction loads lazily (jieba's word table, the gazetteer, indicator and
    numeral tables, first-use regexes) by extracting a few sentences, so that forked
    workers share it instead of each building it again."""
    extractor.run(_WARM_TEXT, "-")


# A dated lead, a place glued to the word before it (segmentation decides: jieba's table),
# figures of each kind and a plan heading: every lazy table is used.
_WARM_TEXT = (
    "某省某市2023年平安建设工作总结\n"
    "2024年1月5日\n"
    "一、主要成效\n"
    "2023年，驻杭州市单位共办理法律援助案件6238件，同比下降11.08%，矛盾纠纷化解率达94.6%，"
    "查扣涉案资产7281.66万元，群众安全感排名全省第2，获评全国平安建设先进集体。\n"
    "二、2024年工作安排\n"
    "力争刑事案件发案数下降5%。\n"
)


def _in_parent(item: Input, size: int) -> bool:
    """Whether a file is big enough that its text may be streamed: read in this process,
    window by window, rather than whole in a worker."""
    if item.path is None:
        return True
    try:
        return item.path.stat().st_size > size
    except OSError:
        return False


def default_jobs(inputs: int) -> int:
    """The machine's CPU count when there are several files, else 1."""
    if inputs <= 1:
        return 1
    return max(1, min(inputs, os.cpu_count() or 1))


def outcomes(
    items: Sequence[Input | Failure],
    extractor: Any,
    *,
    jobs: int = 1,
    encoding: str | None = None,
    progress: FileProgress | None = None,
) -> Iterator[Outcome]:
    """One outcome per item, in order; a huge text's records stream (see the module)."""

    def here(item: Input) -> Outcome:
        return process(item, extractor, encoding, streaming=True, progress=progress)

    # multiprocessing and the pool are imported only when there are workers to start.
    if jobs <= 1 or "fork" not in _start_methods():
        for item in items:
            if isinstance(item, Failure):
                yield Outcome(item.name, error=one_line(str(item)))
            else:
                yield here(item)
        return
    global _WORKER_EXTRACTOR
    _WORKER_EXTRACTOR = extractor
    warm(extractor)  # before the fork: the workers inherit the loaded tables
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    pending: deque[tuple[Any, Future[Outcome] | Outcome | Callable[[], Outcome]]] = deque()
    # A text this long in characters may be streamed; a file of more bytes runs here.
    big = 2 * stream.window()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for item in items:
            if isinstance(item, Failure):
                pending.append((item, Outcome(item.name, error=one_line(str(item)))))
            elif _in_parent(item, big):  # standard input and big files: here, when their turn comes
                pending.append((item, lambda item=item: here(item)))
            else:
                pending.append((item, pool.submit(_work, item, encoding)))
            while len(pending) > jobs * _IN_FLIGHT_PER_JOB or (pending and _done(pending[0][1])):
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _done(slot: Future[Outcome] | Outcome | Callable[[], Outcome]) -> bool:
    from concurrent.futures import Future

    return not isinstance(slot, Future) or slot.done()


def _result(item: Any, slot: Future[Outcome] | Outcome | Callable[[], Outcome]) -> Outcome:
    from concurrent.futures import Future

    if isinstance(slot, Outcome):
        return slot
    if not isinstance(slot, Future):
        return slot()
    try:
        return slot.result()
    except Exception as exc:  # a worker that died (out of memory, killed)
        return Outcome(item.name, error=one_line(f"{item.name}: worker failed ({type(exc).__name__}: {exc})"))
