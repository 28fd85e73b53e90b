"""Normalized text for matching, with a map back to the source.

Rules match against a normalized copy of the report: half-width digits, letters and
punctuation, line ends as ``\\n`` (CR and CRLF too), the noise layer applied
(``rules/noise.toml``: radicals unified, censored names masked, pinyin glosses,
mojibake and footnote marks cut out), simplified script, and figures and lines
rejoined where a PDF or a hard wrap split them (``1137 条``, ``8 000``, ``40\\n个``).
Line rejoining never crosses a headline, a list item, a page break or a paragraph
break (a blank line after a line shorter than the text's wrap width). Every character
of the normalized text remembers the source index it came from, so a span found in
the normalized text maps back to the exact source span.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from .ruleset import RuleSet

# Characters after which a line break ends a statement rather than wraps one.
_TERMINAL = frozenset("。！？!?；;：:…")
# A document whose non-empty lines are this long on average holds one paragraph a
# line (not a wrapped PDF column): its line breaks are kept.
_PARAGRAPH_LINES = 120
# A line at least this share of the wrap width around it is full: a break after it wraps
# a line rather than ends a paragraph or a headline.
_FULL = 0.75
# Narrower than this share of the document's wrap width, a line is no column of it.
_NARROW = 0.4
# A lone CR ends a line as LF does (old Mac files, some exports); CRLF is read as LF.
_LONE_CR = regex.compile(r"\r(?!\n)")

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


_WS_RUN = regex.compile(r"[ \t\u3000\u00a0\u2002\u2003\u2009\u200b\r\n\f]+")


@cache
def _builtin_rules() -> RuleSet:
    from .ruleset import load_rules

    return load_rules()


def normalize(source: str, rules: RuleSet | None = None) -> NormText:
    """Normalize ``source`` for matching and keep the way back. ``rules`` gives the noise
    layer and the list marker (default: the built-in rules)."""
    rules = rules or _builtin_rules()
    folded = fold_width(source)
    if "\r" in folded:
        folded = _LONE_CR.sub("\n", folded)
    noise = rules.noise
    # One for one (radicals, censored marks) before the script is simplified: ⻑ -> 長 -> 长.
    folded = _simplify_aligned(noise.one_for_one(folded))
    drops = noise.drop_spans(folded)
    if not drops:
        text, seg_norm, seg_src = _Joiner(folded, rules.list_marker).run()
        return NormText(source=source, text=text, seg_norm=seg_norm, seg_src=seg_src)
    clean, cut_norm, cut_src = _cut(folded, drops)
    text, seg_norm, seg_clean = _Joiner(clean, rules.list_marker).run()
    seg_norm, seg_src = _compose(seg_norm, seg_clean, len(text), cut_norm, cut_src, len(clean))
    return NormText(source=source, text=text, seg_norm=seg_norm, seg_src=seg_src)


def _cut(text: str, spans: list[tuple[int, int]]) -> tuple[str, array, array]:
    """``text`` without ``spans`` (sorted, disjoint), and the segments of the map back."""
    parts: list[str] = []
    seg_norm = array("i")
    seg_src = array("i")
    npos = 0
    pos = 0
    for s, e in [*spans, (len(text), len(text))]:
        if s > pos:
            parts.append(text[pos:s])
            seg_norm.append(npos)
            seg_src.append(pos)
            npos += s - pos
        pos = e
    if not parts:
        seg_norm.append(0)
        seg_src.append(0)
    return "".join(parts), seg_norm, seg_src


def _compose(
    outer_norm: array, outer_mid: array, outer_len: int, inner_mid: array, inner_src: array, inner_len: int
) -> tuple[array, array]:
    """The segments of a map made of two: normalized -> mid (the outer segments, over a
    normalized text of ``outer_len``) and mid -> source (the inner ones, over a mid text
    of ``inner_len``)."""
    seg_norm = array("i")
    seg_src = array("i")
    last = len(inner_mid) - 1
    for k in range(len(outer_norm)):
        n = outer_norm[k]
        m = outer_mid[k]
        end = m + ((outer_norm[k + 1] if k < len(outer_norm) - 1 else outer_len) - n)
        j = bisect_right(inner_mid, m) - 1
        while True:
            seg_norm.append(n)
            seg_src.append(inner_src[j] + (m - inner_mid[j]))
            stop = inner_mid[j + 1] if j < last else inner_len
            if end <= stop:
                break
            n += stop - m
            m = stop
            j += 1
    return seg_norm, seg_src


class _Joiner:
    """White space and line breaks of a text: drop a run that only splits a figure or a
    wrapped line, keep one separator (a space or a line break) otherwise."""

    def __init__(self, text: str, list_marker: regex.Pattern):
        self.text = text
        self.marker = list_marker
        self.keep_breaks = _is_paragraph_doc(text)
        self._width: float | None = None

    def run(self) -> tuple[str, array, array]:
        folded = self.text
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
            breaks = folded.count("\n", i, j)
            hard = "\f" in m.group()
            if i == 0 or j == len(folded):
                if breaks or hard:
                    copy("\n", _first_break(folded, i, j))
                else:
                    copy(folded[i], i) if folded[i] == " " else copy(" ", i)
                continue
            prev, nxt = folded[i - 1], folded[j]
            if not breaks and not hard:
                if (
                    _word_char(prev)
                    and _word_char(nxt)
                    and not _splits_numbers(folded, i, j)
                    and not self._after_marker(i)
                ):
                    continue
                copy(" ", i)
            elif not hard and breaks <= 2 and self._joins(i, j, breaks, prev, nxt):
                continue
            else:
                copy("\n", _first_break(folded, i, j))
        if pos < len(folded):
            copy(folded[pos:], pos)
        if not parts:
            seg_norm.append(0)
            seg_src.append(0)
        return "".join(parts), seg_norm, seg_src

    def _joins(self, i: int, j: int, breaks: int, prev: str, nxt: str) -> bool:
        """Whether the line break(s) of folded[i:j] only wrap a line (or split a figure
        from its unit), so that the lines are rejoined."""
        if breaks == 1 and prev in _DIGITS and not nxt.isascii() and nxt.isalpha():
            return True  # a figure and its unit split by a line break (PDF text): 40\n个
        if self.keep_breaks or prev in _TERMINAL or not _word_char(nxt) or self.marker.match(self.text, j):
            return False
        text = self.text
        ls = text.rfind("\n", 0, i) + 1
        line = text[ls:i]
        # The line above, when it is in the same block (no blank line between).
        above = None
        if ls > 0:
            ps = text.rfind("\n", 0, ls - 1) + 1
            if text[ps : ls - 1].strip():
                above = text[ps : ls - 1]
        below = None
        if breaks == 1:
            ne = text.find("\n", j)
            below = text[j : ne if ne != -1 else len(text)]
        neighbours = [_width(x) for x in (above, below) if x is not None]
        ref = max(neighbours) if neighbours else self.wrap_width()
        full = _width(line) >= _FULL * ref
        if breaks == 2:
            # A blank line is a paragraph break, unless it follows a full line in
            # mid-sentence (a column or text box break of a newspaper page or a PDF);
            # never after a line under half the document's wrap width (a headline).
            return full and _width(line) >= _NARROW * self.wrap_width()
        if full:
            return True
        # A short line: a headline, a list item's heading or the end of a paragraph,
        # unless it goes on with the sentence of the line above.
        return not (above is None or above.rstrip()[-1:] in _TERMINAL or self.marker.match(line))

    def wrap_width(self) -> float:
        """The width a wrapped document's lines are cut at: the upper quartile of its
        line widths."""
        if self._width is None:
            widths = sorted(_width(ln) for ln in self.text.split("\n") if ln.strip())
            self._width = widths[(3 * len(widths)) // 4] if widths else 0.0
        return self._width

    def _after_marker(self, i: int) -> bool:
        """Whether text[:i] ends with a list marker opening its line (``- 1``, ``2`` before
        a heading), so that the space after it stays."""
        text = self.text
        ls = text.rfind("\n", 0, i) + 1
        if i - ls > 12:
            return False
        m = self.marker.match(text, ls)
        return m is not None and m.end() == i


def _first_break(text: str, i: int, j: int) -> int:
    """Where the first line end (or page break) of the white space text[i:j] is."""
    k = text.find("\n", i, j)
    f = text.find("\f", i, j)
    if k == -1:
        return f if f != -1 else i
    return k if f == -1 else min(k, f)


def _width(line: str) -> float:
    """The printed width of a line in half-width columns: a Han character or a full-width
    sign is two, an ASCII character one (GB18030 happens to spend bytes the same way)."""
    return len(line.encode("gb18030", "replace"))


_DIGITS = frozenset("0123456789")


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
