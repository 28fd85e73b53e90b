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
from typing import TYPE_CHECKING

import regex

from .ruleset import LINE_CUES

if TYPE_CHECKING:
    from .ruleset import RuleSet

# Characters a statement cannot end with: a line ending so goes on, whatever its length.
_GOES_ON = frozenset("，,、暨和及与的")
# Characters after which a line break ends a statement rather than wraps one.
_TERMINAL = frozenset("。！？!?；;：:…")
# Lines that start with these are list items or headings: a break before them is kept.
_ITEM_START = regex.compile(
    r"[■□●◆◇▲△★☆•·\-—－]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]"
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
    # The source simplified and half-width, offsets unchanged (what line cues read).
    folded: str = ""

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


def _full_lines(folded: str) -> dict[int, bool]:
    """For each line end (offset of its line break), whether the line is as long as its
    neighbours in its block (a wrapped line that goes on): 0.7 of the longest of up to two
    lines on either side. A line alone in its block (a headline) is never full."""
    lines: list[tuple[int, int]] = []  # (offset of the break after it, stripped length)
    pos = 0
    for part in folded.split("\n"):
        lines.append((pos + len(part), len(part.strip(_SPACES))))
        pos += len(part) + 1
    out: dict[int, bool] = {}
    n = len(lines)
    for k, (end, length) in enumerate(lines):
        if length == 0:
            continue
        near = []
        for d in (-2, -1, 1, 2):
            j = k + d
            if not 0 <= j < n:
                continue
            # stop at a blank line: neighbours are in the same block
            step = 1 if d > 0 else -1
            if any(lines[x][1] == 0 for x in range(k + step, j + step, step)):
                continue
            near.append(lines[j][1])
        out[end] = bool(near) and length >= 0.7 * max(near)
    return out


def _set_apart(folded: str, rules: RuleSet) -> tuple[set[int], set[int]]:
    """Offsets of the lines that stand apart from the line before (a dateline, a byline, a
    credit, page chrome, a title shape or a list marker opens them: rules/document.toml),
    and of those that are whole lines, never going on into the next (all but list items)."""
    out: set[int] = set()
    for kind in LINE_CUES:
        for m in rules.cue(kind).finditer(folded):
            out.add(folded.rfind("\n", 0, m.start()) + 1)
    whole = set(out)
    # A news lead (本报讯, 某某网3月2日讯) opens a new item: never joined to the line before.
    for m in rules.cue("lead").finditer(folded):
        if (
            m.start() == 0
            or folded[m.start() - 1] == "\n"
            or not folded[folded.rfind("\n", 0, m.start()) + 1 : m.start()].strip()
        ):
            out.add(folded.rfind("\n", 0, m.start()) + 1)
    marker = rules.fragments.get("LINE_MARKER")
    if marker:
        for m in _compiled(marker).finditer(folded):
            d = m.end("digit") if m.group("digit") else -1
            if d >= 0 and folded[d : d + 1] in (" ", "\t", "\u3000"):
                continue  # "54 秒" opening a wrapped line is a figure going on, not an item
            out.add(m.start())
    return out, whole


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, regex.MULTILINE)


def normalize(source: str, rules: RuleSet | None = None) -> NormText:
    """Normalize ``source`` for matching and keep the way back (the line cues of ``rules``,
    by default the built-in rules, say which lines stand apart and are never joined)."""
    if rules is None:
        from .ruleset import load_rules

        rules = load_rules()
    folded = _simplify_aligned(fold_width(source))
    keep_breaks = _is_paragraph_doc(folded)
    full = _full_lines(folded) if not keep_breaks else {}
    apart, whole = _set_apart(folded, rules) if not keep_breaks else (set(), set())
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
                # a wrapped line is as long as its neighbours; a short one (a headline, 编者按)
                # ends where it ends
                and (full.get(folded.index("\n", i), False) or prev in _GOES_ON)
                and folded.rfind("\n", 0, j) + 1 not in apart
                and folded.rfind("\n", 0, i) + 1 not in whole
            )
            or (
                breaks == 1
                and prev in _DIGITS
                and not nxt.isascii()
                and nxt.isalpha()
                and folded.rfind("\n", 0, i) + 1 not in whole
            )
        ):
            # A wrapped line (in a wrapped document even across the blank line of a column
            # break, when the sentence goes on), or a figure and its unit split by a line
            # break (PDF text).
            continue
        else:
            copy("\n", folded.index("\n", i))
    if pos < len(folded):
        copy(folded[pos:], pos)
    return NormText(source=source, text="".join(parts), seg_norm=seg_norm, seg_src=seg_src, folded=folded)


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
