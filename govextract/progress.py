"""A progress bar on standard error for runs over many files (rich, loaded only when
the bar is drawn). Messages printed to ``sys.stderr`` meanwhile appear above it."""

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
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(file=sys.stderr, force_terminal=True if not _isatty(sys.stderr) else None)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[name]}", style="dim"),
        console=console,
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
