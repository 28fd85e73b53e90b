"""Normalized text for matching, with a map back to the source.

Rules match against a normalized copy of the report: simplified script,
half-width digits, letters and punctuation, figures rejoined where a PDF
wrapped or spaced them (``1137 条``, ``8 000``, ``40\\n个``). Every character of
the normalized text remembers the source index it came from, so a span found
in the normalized text maps back to the exact source span.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from functools import lru_cache

import regex

# Characters after which a line break ends a statement rather than wraps one.
_TERMINAL = frozenset("。！？!?；;：:…")
# Lines that start with these are list items or headings: a break before them is kept.
_ITEM_START = regex.compile(
    r"[■□●◆◇▲△★☆•·\-—－]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]"
)
# A number opening a line and followed by a space is a list marker (1 三位一体): the
# space stays so that the marker never joins what follows into a figure.
_LIST_MARKER = regex.compile(r"(?:^|\n)[\-—•]?\d{1,2}$")
_HAN4 = regex.compile(r"\p{Han}{4}")
_SPACES = " \t\u3000\u00a0\u2002\u2003\u2009\u200b\r"
# A document whose non-empty lines are this long on average holds one paragraph a
# line (not a wrapped PDF column): its line breaks are kept.
_PARAGRAPH_LINES = 120

_FULLWIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xFE6A: 0x25, 0x2236: 0x3A})


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
    """Full-width ASCII forms to half-width (１２％ -> 12%)."""
    return text.translate(_FULLWIDTH)


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "%.“”\"'‘’《》()（）"


def _is_paragraph_doc(text: str) -> bool:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return True
    return sum(len(ln) for ln in lines) / len(lines) >= _PARAGRAPH_LINES


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalized text and, for each of its characters, the source index."""

    source: str
    text: str
    index: array  # index[i] = source position of text[i]; index[len(text)] = len(source)

    def src_span(self, start: int, end: int) -> tuple[int, int]:
        """Source span [s, e) of the normalized span [start, end)."""
        if end <= start:
            s = self.index[start]
            return s, s
        return self.index[start], self.index[end - 1] + 1


def normalize(source: str) -> NormText:
    """Normalize ``source`` for matching and keep the way back."""
    folded = _simplify_aligned(fold_width(source))
    n = len(folded)
    keep_breaks = _is_paragraph_doc(folded)
    out: list[str] = []
    index = array("i")
    i = 0
    while i < n:
        c = folded[i]
        if c in _SPACES or c == "\n":
            # A run of white space: drop it where it only splits a figure or a
            # wrapped line, keep one separator otherwise.
            j = i
            breaks = 0
            while j < n and (folded[j] in _SPACES or folded[j] == "\n"):
                breaks += folded[j] == "\n"
                j += 1
            prev = out[-1] if out else ""
            nxt = folded[j] if j < n else ""
            if breaks == 0:
                if (
                    prev
                    and nxt
                    and _word_char(prev)
                    and _word_char(nxt)
                    and not _splits_numbers(out, folded, j)
                    and not (_LIST_MARKER.search("".join(out[-4:])) and _HAN4.match(folded, j))
                ):
                    i = j
                    continue
                out.append(" ")
                index.append(i)
            elif (
                breaks == 1
                and not keep_breaks
                and prev
                and nxt
                and prev not in _TERMINAL
                and _word_char(nxt)
                and not _ITEM_START.match(folded, j)
            ):
                i = j
                continue
            elif breaks == 1 and prev in _DIGITS and nxt and not nxt.isascii() and nxt.isalpha():
                # A figure and its unit split by a line break (common in PDF text).
                i = j
                continue
            else:
                k = folded.index("\n", i)
                out.append("\n")
                index.append(k)
            i = j
            continue
        out.append(c)
        index.append(i)
        i += 1
    index.append(len(source))
    return NormText(source=source, text="".join(out), index=index)


_DIGITS = frozenset("0123456789")


def _splits_numbers(out: list[str], folded: str, j: int) -> bool:
    """A space between two digit groups is a thousands separator only before exactly
    three digits after a group of at most three (``8 000``); otherwise it separates
    two numbers, which must stay apart."""
    if not (out and out[-1] in _DIGITS and folded[j] in _DIGITS):
        return False
    k = j
    while k < len(folded) and folded[k] in _DIGITS:
        k += 1
    if k - j != 3:
        return True
    m = len(out) - 1
    while m >= 0 and out[m] in _DIGITS:
        m -= 1
    return bool(len(out) - 1 - m > 3 or (m >= 0 and out[m] == "."))
