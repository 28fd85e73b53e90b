"""Inputs: which files a command line names, and reading each into text."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .decode import DecodeError, decode

TEXT_SUFFIXES = (".txt",)


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


def expand(paths: Sequence[str], pattern: str = "*.txt") -> Iterator[Input | Failure]:
    """Every input the arguments name, in order; a directory is walked recursively
    in sorted order (hidden entries skipped, each real directory visited once)."""
    for arg in paths:
        if arg == "-":
            yield Input("-", None)
            continue
        p = Path(arg)
        if p.is_dir():
            yield from _walk(p, pattern)
        elif p.exists():
            yield Input(arg, p)
        else:
            yield Failure(arg, "no such file or directory")


def _walk(root: Path, pattern: str) -> Iterator[Input | Failure]:
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
            if e.is_dir():
                stack.append(e)
            elif e.match(pattern) or (pattern == "*.txt" and e.suffix.lower() in TEXT_SUFFIXES):
                found.append(e)
    for f in sorted(found):
        yield Input(str(f), f)


def read_text(item: Input, encoding: str | None = None) -> str:
    """The decoded text of an input; raises ``DecodeError`` or ``OSError`` with a reason."""
    data = sys.stdin.buffer.read() if item.path is None else item.path.read_bytes()
    if not data.strip():
        raise DecodeError("empty file")
    return decode(data, encoding)
