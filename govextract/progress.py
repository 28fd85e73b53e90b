"""Progress bars on standard error (rich, loaded only when a bar is drawn): one over
the files of a run over many files, and one within each huge file that is extracted
window by window (bytes done). Messages printed to ``sys.stderr`` meanwhile appear above it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

# A run over more files than this shows a bar (when standard error is a terminal).
MANY_FILES = 5


class Step(Protocol):
    def __call__(self, name: str | None) -> None: ...


def wanted(total: int, *, force: bool | None, quiet: bool, stdout_is_output: bool) -> bool:
    """Whether to draw the bar: ``force`` (--progress / --no-progress) decides when given;
    else only for many files, not quiet, standard error a terminal, and standard output
    not that terminal too (records written there would tear the bar)."""
    if force is not None:
        return force
    if quiet or total <= MANY_FILES or not _isatty(sys.stderr):
        return False
    return not (stdout_is_output and _isatty(sys.stdout))


def wanted_within(*, force: bool | None, quiet: bool, stdout_is_output: bool) -> bool:
    """Whether to draw the bar within a huge file: as ``wanted``, whatever the number of files."""
    return wanted(MANY_FILES + 1, force=force, quiet=quiet, stdout_is_output=stdout_is_output)


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(total: int, enabled: bool, label: str = "parsing") -> Iterator[Step]:
    """Yields ``step(name)``: call it as each file starts (the one before is done) and
    with None after the last. Without ``enabled``, a no-op."""
    if not enabled:
        yield lambda name: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}", style="dim"),
        console=_console(),
        transient=True,
        redirect_stdout=False,  # records go to stdout untouched
        redirect_stderr=True,  # messages print above the bar
    )
    with bar:
        task = bar.add_task(label, total=total, name="")
        started = False

        def step(name: str | None) -> None:
            nonlocal started
            bar.update(task, advance=1 if started else 0, name=(name or "")[-40:])
            started = True

        yield step


def _console():
    from rich.console import Console

    return Console(file=sys.stderr, force_terminal=True if not _isatty(sys.stderr) else None)


class FileBar:
    """A bar within one huge file at a time: ``bar(name, done, total)`` (UTF-8 bytes) draws
    it from the first window on and takes it away when the file is done; ``close()`` at the end."""

    def __init__(self) -> None:
        self._bar = None
        self._task = None
        self._name: str | None = None

    def __call__(self, name: str, done: int, total: int) -> None:
        if self._bar is None or name != self._name:
            self.close()
            self._open(name, total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self.close()

    def _open(self, name: str, total: int) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=False),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=_console(),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(f"parsing {name[-40:]}", total=total)
        self._name = name

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar = self._task = self._name = None
