"""Normalized text for matching, with a map back to the source.

Rules match against a normalized copy of the report: simplified script,
half-width digits, letters and punctuation, figures rejoined where a PDF
wrapped or spaced them (``1137 条``, ``8 000``, ``40\\n个``). Every character of
the normalized text remembers the source index it came from, so a span found
in the normalized text maps back to the exact source span.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

import regex

# Characters after which a line break ends a statement rather than wraps one.
_TERMINAL = frozenset("。！？!?；;：:…")
# Lines that start with these are list items or headings: a break before them is kept
# (2.3万件 opening a line is a wrapped figure, not the item 2.).
_ITEM_START = regex.compile(
    r"[■□●◆◇▲△★☆•·\-—－]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+(?:、|[.．](?!\d))"
)
# A number opening a line and followed by a space is a list marker (1 三位一体): the
# space stays so that the marker never joins what follows into a figure.
_LIST_MARKER = regex.compile(r"(?:^|\n)[ \t]*(?P<dash>[\-—•][ \t]*)?\d{1,2}$", regex.MULTILINE)
_HAN4 = regex.compile(r"\p{Han}{4}")
_SPACES = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\r"
# A document whose non-empty lines are this long on average holds one paragraph a
# line (not a wrapped PDF column): its line breaks are kept.
_PARAGRAPH_LINES = 120

# Full-width digits, letters and the signs figures use (１２％, ９４．６) fold to
# half-width; Chinese punctuation (，。（）) stays, the rules know both forms.
_FULLWIDTH = {
    c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F) if chr(c - 0xFEE0).isalnum() or chr(c - 0xFEE0) in "%.+-/:~"
}
_FULLWIDTH.update({0x3000: 0x20, 0xFE6A: 0x25, 0x2236: 0x3A})
_HAS_FULLWIDTH = regex.compile("[" + "".join(chr(c) for c in _FULLWIDTH) + "]+")
_FOLDED_CHARS = {chr(k): chr(v) for k, v in _FULLWIDTH.items()}


class _Folded(dict):
    def __missing__(self, run: str) -> str:
        value = "".join(_FOLDED_CHARS[c] for c in run)
        if len(run) <= 4:  # indentation and short figures recur; long runs are not kept
            self[run] = value
        return value


_FOLDED = _Folded()
# A full-width comma between digit groups is a thousands separator (６，４９９，８６２).
_WIDE_THOUSANDS = regex.compile(r"(?<=\d)，(?=\d{3}(?!\d))")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # C++ converter: loads in ~15 ms, converts at hundreds of MB/s

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified script, one character for one character where possible."""
    if not text or text.isascii():
        return text
    return _t2s().convert(text)


def _simplify_aligned(text: str) -> str:
    """t2s that keeps the length, so positions stay aligned with the source."""
    out = to_simplified(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length somewhere: convert line by line and
    # character by character where a line still differs.
    parts = []
    for line in text.split("\n"):
        conv = to_simplified(line)
        if len(conv) != len(line):
            conv = "".join(c if len(s := to_simplified(c)) != 1 else s for c in line)
        parts.append(conv)
    return "\n".join(parts)


def fold_width(text: str) -> str:
    """Full-width digits, letters and figure signs to half-width (１２％ -> 12%)."""
    if not _HAS_FULLWIDTH.search(text):
        return text
    # Substituting the matches beats str.translate over the whole text: most documents
    # hold only a few full-width characters (the ideographic spaces that indent them).
    folded = _HAS_FULLWIDTH.sub(lambda m: _FOLDED[m.group()], text)
    return _WIDE_THOUSANDS.sub(",", folded)


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "%.“”\"'‘’《》()（）"


def _is_paragraph_doc(text: str) -> bool:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return True
    return sum(len(ln) for ln in lines) / len(lines) >= _PARAGRAPH_LINES


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalized text and the way back: the normalized text is a sequence of
    segments, each copied from one place of the source (``seg_norm[k]`` in the
    normalized text starts where ``seg_src[k]`` does in the source)."""

    source: str
    text: str
    seg_norm: array
    seg_src: array

    def source_index(self, i: int) -> int:
        """Source position of normalized position ``i`` (``len(text)`` maps to ``len(source)``)."""
        if i >= len(self.text):
            return len(self.source)
        k = bisect_right(self.seg_norm, i) - 1
        return self.seg_src[k] + (i - self.seg_norm[k])

    @property
    def index(self) -> list[int]:
        """Source position of every normalized character (for checks and debugging)."""
        return [self.source_index(i) for i in range(len(self.text))] + [len(self.source)]

    def src_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span [s, e) of the normalized span [start, end)."""
        if end <= start:
            s = self.source_index(start)
            return s, s
        return self.source_index(start), self.source_index(end - 1) + 1


_WS_RUN = regex.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u200b\r\n]+")


def normalize(source: str) -> NormText:
    """Normalize ``source`` for matching and keep the way back."""
    folded = _simplify_aligned(fold_width(source))
    keep_breaks = _is_paragraph_doc(folded)
    parts: list[str] = []
    seg_norm = array("i")
    seg_src = array("i")
    npos = 0
    pos = 0

    def copy(piece: str, src: int) -> None:
        nonlocal npos
        parts.append(piece)
        seg_norm.append(npos)
        seg_src.append(src)
        npos += len(piece)

    for m in _WS_RUN.finditer(folded):
        i, j = m.span()
        if i > pos:
            copy(folded[pos:i], pos)
        pos = j
        if i == 0 or j == len(folded):
            copy(folded[i], i) if folded[i] in "\n " else copy(" ", i)
            continue
        # A run of white space: drop it where it only splits a figure or a wrapped
        # line, keep one separator otherwise.
        breaks = folded.count("\n", i, j)
        prev, nxt = folded[i - 1], folded[j]
        if breaks == 0:
            if (
                _word_char(prev)
                and _word_char(nxt)
                and not _splits_numbers(folded, i, j)
                and not _list_marker(folded, i, j)
            ):
                continue
            copy(" ", i)
        elif (breaks == 1 or (breaks == 2 and not keep_breaks and prev not in _TERMINAL)) and (
            (
                not keep_breaks
                and prev not in _TERMINAL
                and _word_char(nxt)
                and not _ITEM_START.match(folded, j)
            )
            or (prev in _DIGITS and not nxt.isascii() and nxt.isalpha())
        ):
            # A wrapped line (in a wrapped document even across the blank line of a column
            # break, when the sentence goes on), or a figure and its unit split by a line
            # break (PDF text).
            continue
        else:
            copy("\n", folded.index("\n", i))
    if pos < len(folded):
        copy(folded[pos:], pos)
    return NormText(source=source, text="".join(parts), seg_norm=seg_norm, seg_src=seg_src)


_DIGITS = frozenset("0123456789")


def _list_marker(folded: str, i: int, j: int) -> bool:
    """Whether folded[:i] ends with a list marker opening its line (``- 1``, ``2`` before
    a heading), so that the space after it stays."""
    m = _LIST_MARKER.search(folded, max(0, i - 8), i)
    return bool(m) and (m.group("dash") is not None or _HAN4.match(folded, j) is not None)


def _spaced_digit(folded: str, i: int) -> bool:
    """Whether the digit before the white space starting at ``i`` stands alone (``1 9 7``)."""
    return i >= 1 and folded[i - 1] in _DIGITS and (i < 2 or folded[i - 2] not in _DIGITS)


def _splits_numbers(folded: str, i: int, j: int) -> bool:
    """Whether the white space folded[i:j] between two digit groups separates two numbers.
    It joins them as a thousands separator (three digits after a group of at most three:
    ``8 000``) and between digits spaced one by one (``1 9 7``, a common PDF artefact)."""
    if not (folded[i - 1] in _DIGITS and folded[j] in _DIGITS):
        return False
    if "\t" in folded[i:j]:
        return True  # table cells (12<TAB>345) are two numbers
    k = j
    while k < len(folded) and folded[k] in _DIGITS:
        k += 1
    m = i - 1
    while m >= 0 and folded[m] in _DIGITS:
        m -= 1
    before = i - 1 - m
    if k - j == 1 and _spaced_digit(folded, i):
        return False
    if k - j != 3:
        return True
    return before > 3 or (m >= 0 and folded[m] == ".")
