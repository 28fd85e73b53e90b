"""Streaming within a file: a huge text is extracted window by window.

A text of up to ``2 * window()`` characters (every report of the genre, by far) is
extracted whole, as always. A longer one (a dump of many pages joined into one file)
is cut into windows of at most about ``window()`` characters at the widest blank-line
break in the back half of each window (the likeliest gap between two articles; a line
end when a window holds no blank line, a sentence end when it holds no line end).
Each window is extracted on its own and its records, their offsets and lines shifted
to the whole text, are yielded as soon as it is done: the output stays in order and
memory is bounded by a window, not the file. An article longer than the back half of
a window is read in pieces.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import regex

from .record import Record, line_starts

# Characters per window (about 1.5 MB of Chinese in UTF-8); GOVEXTRACT_WINDOW sets another.
WINDOW = 500_000
_MIN_WINDOW = 1_000

# A line end and then one or more blank lines (spaces, tabs, full-width spaces, CR or
# form feeds only): it ends where the next line starts.
_BREAK = regex.compile(r"\n(?:[^\S\n]*\n)+")
# A warning names the line of the text it was about: a window's, shifted to the file's.
_NEAR_LINE = regex.compile(r"(?<= near line )(\d+)")

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


def window() -> int:
    """The window size in characters: GOVEXTRACT_WINDOW when set to a number, else WINDOW."""
    raw = os.environ.get("GOVEXTRACT_WINDOW", "")
    try:
        return max(_MIN_WINDOW, int(raw)) if raw.strip() else WINDOW
    except ValueError:
        return WINDOW


def streamed(text: str, size: int | None = None) -> bool:
    """Whether a text is long enough to be extracted window by window."""
    return len(text) > 2 * (size or window())


def cuts(text: str, size: int | None = None, sentence_end: Iterable[str] | None = None) -> list[int]:
    """The offsets where the windows of ``text`` end (the last is ``len(text)``): at the
    widest blank-line gap, else a line end, else a sentence end (``sentence_end``, by
    default the built-in rules' SENTENCE_END)."""
    size = size or window()
    if sentence_end is None:
        from .ruleset import load_rules

        sentence_end = load_rules().chars("SENTENCE_END")
    ends = [c for c in sentence_end if c not in "\r\n"]
    out: list[int] = []
    pos, n = 0, len(text)
    while n - pos > size:
        lo, limit = pos + size // 2, pos + size
        best, width = -1, 0
        for m in _BREAK.finditer(text, lo, limit):
            breadth = m.group().count("\n")
            if breadth >= width:  # the widest gap, the last of equals
                best, width = m.end(), breadth
        if best < 0:
            k = text.rfind("\n", lo, limit)
            if k >= 0:
                best = k + 1
            else:
                k = max((text.rfind(c, lo, limit) for c in ends), default=-1)
                best = k + 1 if k >= 0 else limit
                if text[best - 1] == "\r" and text[best : best + 1] == "\n":
                    best += 1  # never between the CR and LF of one line end
        out.append(best)
        pos = best
    out.append(n)
    return out


def _shift_lines(warning: str, lines: int) -> str:
    return _NEAR_LINE.sub(lambda m: str(int(m[1]) + lines), warning) if lines else warning


def extract(
    extractor: Any,
    text: str,
    doc: str,
    warnings: list[str],
    *,
    size: int | None = None,
    progress: Progress | None = None,
) -> Iterator[Record]:
    """The records of ``text`` window by window, in order; warnings are appended to
    ``warnings`` as each window is done. ``progress(done, total)`` (UTF-8 bytes) after each."""
    rules = getattr(extractor, "rules", None)
    ends = cuts(text, size, rules.chars("SENTENCE_END") if rules is not None else None)
    total = 0
    if progress is not None:
        total = sum(len(text[a:b].encode("utf-8")) for a, b in zip([0, *ends], ends, strict=False))
        progress(0, total)
    pos = line = done = 0
    for end in ends:
        part = text[pos:end]
        result = extractor.run(part, doc)
        warnings.extend(_shift_lines(w, line) for w in result.warnings)
        for r in result.records:
            if pos == 0:
                yield r
            else:
                yield r.model_copy(update={"start": r.start + pos, "end": r.end + pos, "line": r.line + line})
        line += len(line_starts(part)) - 1
        if progress is not None:
            done += len(part.encode("utf-8"))
            progress(done, total)
        pos = end
