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

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import regex

from .record import line_starts

if TYPE_CHECKING:
    from .ruleset import RuleSet

# Characters after which a line break ends a statement rather than wraps one.
_TERMINAL = frozenset("。！？!?；;：:…")
# A document whose non-empty lines are this long on average holds one paragraph a
# line (not a wrapped PDF column): its line breaks are kept. So does one whose widest
# line is this many times its wrap width (a web page saved as text: a headline, a
# source line and paragraphs of any length).
_PARAGRAPH_LINES = 120
_WIDEST = 2.2
# A line at least this share of the wrap width around it is full: a break after it wraps
# a line rather than ends a paragraph or a headline.
_FULL = 0.75
# Narrower than this share of the document's wrap width, a line is no column of it.
_NARROW = 0.4
# Across a blank line, a line must fill this share of its column's width: wrapped lines
# of a PDF text box fill 0.86-1.0 of it, a headline that happens to be long rarely does.
_BLOCK_FULL = 0.85
# The widest wrap width a page, a PDF column or a terminal has, in half-width columns
# (80 Han characters).
_MAX_WRAP = 160
# Across a blank line, a piece of a sentence cut out by markup is at most this long.
_PIECE = 40
# Lines of a block within this share of each other's width make a column of their own.
_COLUMN = 0.8
_NEWLINE = regex.compile(r"\n")
# The first word of a line: a run of figures or Latin letters, else one character.
_TOKEN = regex.compile(r"[0-9A-Za-z.,%:/+\-]+")
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
_WIDE_THOUSANDS = regex.compile(r"(?<=[０-９])，(?=[０-９]{3}(?![０-９]))")


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
    # Substituting the matches beats str.translate over the whole text: most documents
    # hold only a few full-width characters (the ideographic spaces that indent them).
    # A full-width comma between full-width digit groups separates thousands (２７，２０３，
    # ３１９ in old reports); between half-width digits it separates items ($20，300美元).
    if "，" in text:
        text = _WIDE_THOUSANDS.sub(",", text)
    if _HAS_FULLWIDTH.search(text):
        text = _HAS_FULLWIDTH.sub(lambda m: _FOLDED[m.group()], text)
    return text


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "%.“”\"'‘’《》()（）"


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalized text and the way back: the normalized text is a sequence of
    segments, each copied from one place of the source (``seg_norm[k]`` in the
    normalized text starts where ``seg_src[k]`` does in the source)."""

    source: str
    text: str
    seg_norm: array
    seg_src: array
    # The source folded (half-width, one for one noise undone, simplified), offsets unchanged:
    # what line cues read, spaces and all (张三 某某市委书记).
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
        text, seg_norm, seg_src = _Joiner(folded, rules).run()
        return NormText(source=source, text=text, seg_norm=seg_norm, seg_src=seg_src, folded=folded)
    clean, cut_norm, cut_src = _cut(folded, _keeping_breaks(folded, drops))
    # Line widths are the layout's: measured on the text before the noise was cut out.
    text, seg_norm, seg_clean = _Joiner(clean, rules, folded, cut_norm, cut_src).run()
    seg_norm, seg_src = _compose(seg_norm, seg_clean, len(text), cut_norm, cut_src, len(clean))
    return NormText(source=source, text=text, seg_norm=seg_norm, seg_src=seg_src, folded=folded)


def _set_apart(text: str, rules: RuleSet) -> tuple[set[int], set[int]]:
    """Starts of the lines that stand apart from the line before (a dateline, a byline, a
    credit, page chrome or a title shape opens them, or a news lead: rules/document.toml),
    and of those that are whole lines, never going on into the next (all but the leads)."""
    starts = line_starts(text)  # the text's line ends are all \n by now
    ends = rules.chars("SENTENCE_END") - {"\n"}
    anchored, floating = rules.line_cues
    at_start = anchored.regex.match if anchored.cues else None
    # A blank line (white space only) is tried only when a line cue could match one.
    blank_cue = at_start is not None and anchored.matches_blank
    lead = rules.cue("lead").regex.match
    whole: set[int] = set()
    leads: set[int] = set()
    n = len(text)
    for ls in starts:
        p = _LINE_SPACE.match(text, ls).end()
        if p >= n or text[p] == "\n":
            if blank_cue and at_start(text, ls):  # type: ignore[misc]
                whole.add(ls)
            continue
        if at_start is not None and at_start(text, ls):
            whole.add(ls)
        if lead(text, p):
            leads.add(ls)  # 本报讯, 某某网3月2日讯 opening a line: a new item
    for m in floating.finditer(text) if floating.cues else ():
        ls = text.rfind("\n", 0, m.start()) + 1
        if not ends.intersection(text[ls : m.start()]):
            whole.add(ls)  # a credit after a finished sentence, (记者 张三), ends a paragraph's line
    return whole | leads, whole


# White space within a line (what str.isspace calls white space, but the line break).
_LINE_SPACE = re.compile(r"[^\S\n]*")


def _keeping_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans without the line breaks in them (a gloss cut by a wrap, (sh\\nè), goes;
    the line break stays, for the lines to be joined or not as any other)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        k = text.find("\n", s, e)
        while k != -1:
            if k > s:
                out.append((s, k))
            s = k + 1
            k = text.find("\n", s, e)
        if e > s:
            out.append((s, e))
    return out


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

    def __init__(
        self,
        text: str,
        rules: RuleSet,
        layout: str | None = None,
        cut_norm: array | None = None,
        cut_src: array | None = None,
    ):
        self.text = text
        # The text as laid out (before noise was cut from it) and the map to it.
        self.layout = text if layout is None else layout
        self.cut = (cut_norm, cut_src) if layout is not None else None
        self.marker = rules.list_marker
        self.goes_on = rules.line_goes_on
        self.goes_on_start = rules.line_goes_on_start
        self.unit_starts = rules.unit_starts
        self.apart, self.whole = _set_apart(text, rules)
        self._width = 0.0
        self.starts: list[int] = []
        self.widths: list[float] = []
        self.keep_breaks = self._paragraph_doc()

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
        """Whether the line break of text[i:j] (``breaks`` 1, or 2: a blank line) only
        wraps a line or splits a figure from its unit, so that the lines are rejoined."""
        text = self.text
        if text.rfind("\n", 0, j) + 1 in self.apart or text.rfind("\n", 0, i) + 1 in self.whole:
            return False  # a dateline, byline or credit line, or a lead opening a new item
        if (
            prev in _DIGITS
            and not nxt.isascii()
            and nxt.isalpha()
            and (breaks == 1 or (nxt in self.unit_starts and self._in_line(i)))
        ):
            # A figure and its unit split by a line break (PDF text: 40\n个), or by an
            # empty line after a figure that ends a line of text (a page's inline markup:
            # 74.4\n\n万亿元); a number alone on its line may be a list marker.
            return True
        if prev in _DIGITS and nxt in "-—–~" and text[j + 1 : j + 2] in _DIGITS:
            return True  # a range of years or figures split at its dash: 2017\n—2020
        if prev in _TERMINAL:
            return False
        if self.keep_breaks:
            return self._cut_by_markup(i, j, breaks, nxt)
        if self.goes_on_start.match(text, j):
            return True  # a line never opens with a comma or a closing quote: a wrap
        if not _word_char(nxt) or self.marker.match(text, j):
            return False
        k = bisect_right(self.starts, i) - 1
        if self.goes_on.search(text, self.starts[k], i) and (breaks == 1 or self._piece(k, i, j)):
            return True  # 入选...暨 / 获得“全国民主法治: the sentence goes on
        width = self.widths[k]
        ref = self._column(k)
        if breaks == 2:
            # A blank line is a paragraph break, unless it follows a line as wide as its
            # column in mid-sentence: a column or text box break of a page or a PDF.
            return width >= _NARROW * self.wrap_width() and width >= _BLOCK_FULL * ref
        if width >= _FULL * ref:
            return True
        # A short line is a headline, a list item's heading or the end of a paragraph,
        # unless the wrap came early because the next word (a long figure) did not fit.
        token = _TOKEN.match(text, j)
        return width + _width(token.group() if token else nxt) >= _BLOCK_FULL * ref

    def _cut_by_markup(self, i: int, j: int, breaks: int, nxt: str) -> bool:
        """In a text of a paragraph a line, whether a line break cuts a paragraph where a
        web page's inline markup was: a line holding only a zero-width space, a break
        after a long line that does not end its sentence, around a piece of one or two
        characters (广义货币M\\n2\\n增长), or after a short piece of a cut line. A short
        line after a finished one or a blank line is a headline, a byline or a list item:
        its break stays."""
        text = self.text
        if not (_word_char(nxt) or self.goes_on_start.match(text, j)) or self.marker.match(text, j):
            return False
        if "\u200b" in text[i:j]:
            return True
        if breaks == 2:
            return False
        ls = text.rfind("\n", 0, i) + 1
        below_end = text.find("\n", j)
        below = text[j : below_end if below_end != -1 else len(text)].strip()
        if i - ls >= _PARAGRAPH_LINES // 2 or (len(below) <= 2 and below[-1:] not in _TERMINAL):
            return True
        above = text[: max(ls - 1, 0)].rstrip(" \t\u200b")
        return (
            bool(above)
            and above[-1] not in _TERMINAL
            and above[-1] != "\n"
            and not self.marker.match(text, ls)
        )

    def _piece(self, k: int, i: int, j: int) -> bool:
        """Across a blank line, whether one side is a short piece (a link's text cut out of
        its sentence by markup) rather than two paragraphs: two long ones are two texts,
        the first cut short (an excerpt), however its last clause ends."""
        end = self.text.find("\n", j)
        below = (end if end != -1 else len(self.text)) - j
        return min(i - self.starts[k], below) <= _PIECE

    def _in_line(self, i: int) -> bool:
        """Whether the figure ending at ``i`` follows other text on its line."""
        text = self.text
        k = i
        while k > 0 and (text[k - 1] in _DIGITS or text[k - 1] in ".,"):
            k -= 1
        return k > 0 and text[k - 1] not in "\n \t"

    def _paragraph_doc(self) -> bool:
        """Whether the text holds a paragraph a line (its line breaks are kept), not lines
        wrapped at a width: few lines, long lines, or lines far wider than most (a wrapped
        text has no line much wider than its wrap width). Measures the lines of a wrapped one."""
        lines = [ln for ln in self.layout.split("\n") if ln.strip()]
        if len(lines) < 3 or sum(len(ln) for ln in lines) / len(lines) >= _PARAGRAPH_LINES:
            return True
        text = self.text
        self.starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        ends = [s - 1 for s in self.starts[1:]] + [len(text)]
        self.widths = [self._line_width(a, b) for a, b in zip(self.starts, ends, strict=True)]
        filled = sorted(w for w in self.widths if w)
        self._width = filled[(3 * len(filled)) // 4]
        self._columns: dict[int, float] = {}
        # No page or terminal wraps lines that wide: those are paragraphs of varied length.
        return filled[-1] > _WIDEST * self._width or self._width > _MAX_WRAP

    def _column(self, k: int) -> float:
        """The width the lines around line ``k`` are wrapped at: that of its block (the
        lines between blank lines) when the block's lines, its last one aside, are of one
        width (a narrow newspaper column), else the document's wrap width."""
        widths = self.widths
        first = k
        while first > 0 and widths[first - 1]:
            first -= 1
        if first in self._columns:
            return self._columns[first]
        last = k
        while last + 1 < len(widths) and widths[last + 1]:
            last += 1
        body = widths[first:last]  # the block without its last line
        ref = self.wrap_width()
        if len(body) >= 2 and min(body) >= _COLUMN * max(body):
            ref = max(body)
        self._columns[first] = ref
        return ref

    def _line_width(self, a: int, b: int) -> float:
        """The printed width of text[a:b] (a line) as laid out, noise included."""
        if self.cut is None:
            return _width(self.text[a:b])
        return _width(self.layout[self._to_layout(a, start=True) : self._to_layout(b, start=False)])

    def _to_layout(self, k: int, *, start: bool) -> int:
        """Where position ``k`` of the text is in the layout; a line's start is taken
        just after the line break before it (so that noise opening the line counts)."""
        cut_norm, cut_src = self.cut  # type: ignore[misc]
        if k >= len(self.text):
            return len(self.layout)
        if start and k > 0:
            k -= 1
            idx = bisect_right(cut_norm, k) - 1
            return cut_src[idx] + (k - cut_norm[idx]) + 1
        idx = bisect_right(cut_norm, k) - 1
        return cut_src[idx] + (k - cut_norm[idx])

    def wrap_width(self) -> float:
        """The width a wrapped document's lines are cut at: the upper quartile of its
        line widths."""
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
