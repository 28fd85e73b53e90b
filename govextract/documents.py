"""Inputs: which files a command line names, and reading each into text
(by its format: ``formats.py``)."""

from __future__ import annotations

import errno
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .formats import SUFFIXES, format_of, sniff, to_text

if TYPE_CHECKING:
    from .ruleset import HtmlSpec


@dataclass(frozen=True)
class Input:
    name: str  # as given on the command line, or found under a given directory
    path: Path | None  # None for standard input


@dataclass(frozen=True)
class Failure:
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def expand(paths: Sequence[str], pattern: str | None = None) -> Iterator[Input | Failure]:
    """Every input the arguments name, in order; a directory is walked recursively
    in sorted order (hidden entries skipped, each real directory visited once) for
    the files of a supported suffix (any case), or those matching ``pattern``.
    A file named explicitly is always an input, whatever its name."""
    for arg in paths:
        if arg == "-":
            yield Input("-", None)
            continue
        p = Path(arg)
        if p.is_dir():
            found = False
            for item in _walk(p, pattern):
                found = True
                yield item
            if not found:  # a named input that gives nothing is not silently lost
                yield Failure(arg, _nothing_found(pattern))
        elif p.exists():
            yield Input(arg, p)
        elif p.is_symlink():
            yield Failure(arg, _link_reason(p))
        else:
            yield Failure(arg, "no such file or directory")


def _nothing_found(pattern: str | None) -> str:
    if pattern is not None:
        return f"no file matches --glob {pattern!r}"
    return f"no {' '.join(SUFFIXES)} file in the directory"


def _link_reason(path: Path) -> str:
    """Why a symbolic link leads to no file: a loop, or a target that does not exist."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "too many levels of symbolic links"
    return "broken symbolic link"


def _wanted(path: Path, pattern: str | None) -> bool:
    if pattern is None:
        return path.suffix.lower() in SUFFIXES
    return path.match(pattern)


def _walk(root: Path, pattern: str | None) -> Iterator[Input | Failure]:
    seen: set[Path] = set()
    stack = [root]
    found: list[Path] = []
    while stack:
        d = stack.pop()
        try:
            real = d.resolve()
        except OSError:
            continue
        if real in seen:
            continue  # a symlink loop or a directory linked twice
        seen.add(real)
        try:
            entries = sorted(d.iterdir())
        except OSError as exc:
            yield Failure(str(d), f"cannot list directory: {exc.strerror or exc}")
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()
            except OSError:  # a path too long or a symlink too deep: not a directory to walk
                is_dir = False
            if is_dir:
                stack.append(e)
            elif _wanted(e, pattern):
                found.append(e)
    for f in sorted(found):
        yield Input(str(f), f)


def read_text(item: Input, encoding: str | None = None, html: HtmlSpec | None = None) -> str:
    """The text of an input as extraction sees it (offsets refer to it), read by the
    format its suffix says (standard input: by its first bytes). Raises ``OSError`` or
    ``formats.FormatError`` (a ``ValueError``) with the reason."""
    if item.path is None:
        data = sys.stdin.buffer.read()
        return to_text(data, sniff(data), encoding, html)
    return to_text(item.path.read_bytes(), format_of(item.path), encoding, html)
