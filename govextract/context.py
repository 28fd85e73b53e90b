"""Context of a statement: the region it is about, its year and its streak.

Region, per SPEC.md: the most specific place that the clause of the statement
names, else the place of the unit it belongs to. Units, from the largest:

* articles, split at bylines (``鲁长友 黑龙江省鸡西市委书记``, ``文/本报记者``): the
  byline's place, else the place the article names most often;
* lead lines (a short stand-alone line such as ``2022年,湖里区社会大局持续稳定``):
  their place holds from there on, until the next lead line or byline;
* series of numbered, lettered or bulleted items and sections (``1 ...``, ``2 ...``;
  ``A ...``, ``B ...``; ``■ ...``): a series that names a place neither above nor
  below the current one (a sibling district) belongs to that place.

Year: the last year the sentence states before the figure (``2022年以来``; the
last year of a period), else a year the sentence states after it, else the year
that opens the paragraph, else the year the report reviews (``2021年，全市...``,
``在过去的2022年``); null when nothing supports one. Plans (``2023年，全市将...``)
and period starts (``自2017年...以来``) give no year.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import regex

from .numerals import parse_number

if TYPE_CHECKING:
    from .normalize import NormText
    from .ruleset import RuleSet

_LEVEL = {"province": 1, "prefecture": 2, "county": 3}
_SENTENCE_STOP = re.compile(r"[。！？!?；;\n■●◆]")
_CLAUSE_STOP = re.compile(r"[。！？!?；;，,、:：\n■●◆]")
_YEAR = regex.compile(
    r"(?P<from>自|从)?(?<![\d.])(?P<y1>(?:19|20)\d{2})(?:\s*[-—–~至到]\s*(?P<y2>(?:19|20)?\d{2}))?\s*年"
    r"(?P<tail>度|以来|来|底|末)?"
    r"|(?P<from2>自|从)?(?<![零〇一二三四五六七八九])(?P<cn>[一二][〇零一二三四五六七八九]{3})年"
)
_LINE_MARKER = regex.compile(
    r"^[ \t\u3000]*(?:"
    r"(?P<bullet>[■□●◆◇▲△★☆•])"
    r"|[-–—•]?[ \t]*(?P<digit>\d{1,2})(?=[ \t\u3000])"
    r"|(?P<letter>[A-H])(?=[ \t\u3000])"
    r"|(?P<cn>[一二三四五六七八九十]{1,3})、"
    r"|[(（](?P<paren>[一二三四五六七八九十\d]{1,3})[)）]"
    r")",
    regex.MULTILINE,
)
_BYLINE = regex.compile(
    r"^[ \t\u3000]*(?:(?:文|图|本版文|本版图)\s*/|\p{Han}{2,4}[ \t\u3000]+(?=[^\n]{0,40}"
    r"(?:书记|市长|县长|区长|州长|局长|检察长|院长|主任|常委|厅长|部长|政委|主席|委员|记者)))",
    regex.MULTILINE,
)
_PLAN = regex.compile(r"将|要|计划|力争|目标")
_LEAD_MAX = 80


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    short: str
    level: int
    province: str
    prefecture: str

    def contains(self, other: Place) -> bool:
        """Whether ``other`` lies inside this place (and is not it)."""
        if other.name == self.name:
            return False
        return (self.level == 1 and other.province == self.name) or (
            self.level == 2 and other.prefecture == self.name
        )

    def related(self, other: Place) -> bool:
        return self == other or self.contains(other) or other.contains(self)


class Gazetteer:
    """Administrative divisions (rules/gazetteer/divisions.tsv) and a matcher for their names.

    Full names (漳州市, 思明区) are found from their last character (市, 区, 县...), a
    cheap scan; short names (漳州, 湖里) only for the places a document names in full
    (and their provinces and prefectures) plus the provinces, and only where jieba,
    with the gazetteer as its user dictionary, segments them as words of their own.
    """

    def __init__(self, path: Path, stop: frozenset[str], stop_full: frozenset[str] = frozenset()):
        self.stop_full = stop_full
        self.full: dict[str, list[Place]] = {}
        self.short: dict[str, list[Place]] = {}
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) < 6:
                continue
            _, name, short, level, province, prefecture = cols[:6]
            place = Place(name, short, _LEVEL.get(level, 3), province, prefecture)
            self.full.setdefault(name, []).append(place)
            if len(short) >= 2 and short != name and short not in stop:
                self.short.setdefault(short, []).append(place)
        self._ends = re.compile("[" + "".join(sorted({n[-1] for n in self.full})) + "]")
        self._longest = max(len(n) for n in self.full)
        self._end2 = frozenset(n[-2:] for n in self.full)
        self._provinces = frozenset(
            p.short for ps in self.full.values() for p in ps if p.level == 1 and p.short in self.short
        )
        self._tokenizer: object | None = None

    def is_word(self, text: str, start: int, end: int) -> bool:
        """Whether a short name (三明, 湖里) stands as a word of its own there: jieba, with the
        gazetteer loaded as a user dictionary, segments its surroundings (新市 in 新市民 does not)."""
        if self._tokenizer is None:
            from .segment import tokenizer

            self._tokenizer = tokenizer(sorted(self.full) + sorted(self.short))
        from .segment import is_word

        return is_word(self._tokenizer, text, start, end)

    def mentions(self, text: str) -> list[tuple[int, int, list[Place]]]:
        found: dict[int, tuple[int, list[Place]]] = {}
        end2 = self._end2
        for m in self._ends.finditer(text):
            j = m.end()
            if text[j - 2 : j] not in end2:
                continue  # 全市, 市委...: no division name ends so
            for k in range(min(self._longest, j), 1, -1):
                name = text[j - k : j]
                places = self.full.get(name)
                if places is None or name in self.stop_full:
                    continue
                s = j - k
                # Glued to the word before it, a name may be the tail of another word (滨海城市
                # holds 海城市, 示范县 holds 范县): segmentation decides.
                if (
                    s > 0
                    and _is_han(text[s - 1])
                    and text[s - 1] not in "省市州盟区"
                    and (k == 2 or not self.is_word(text, s, j))
                ):
                    continue
                found[s] = (j, places)
                break
        shorts: set[str] = set(self._provinces)
        for _, places in found.values():
            for p in places:
                shorts.add(p.short)
                for parent in (p.province, p.prefecture):
                    for q in self.full.get(parent, ()):
                        shorts.add(q.short)
        shorts &= set(self.short)
        covered = [(s, e) for s, (e, _) in found.items()]
        if shorts:
            rx = re.compile("|".join(re.escape(w) for w in sorted(shorts, key=lambda w: (-len(w), w))))
            for m in rx.finditer(text):
                s, e = m.span()
                if any(cs <= s < ce for cs, ce in covered) or not self.is_word(text, s, e):
                    continue
                found[s] = (e, self.short[m.group()])
        return [(s, e, places) for s, (e, places) in sorted(found.items())]


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


@lru_cache(maxsize=4)
def _gazetteer(path: str, stop: frozenset[str], stop_full: frozenset[str]) -> Gazetteer:
    return Gazetteer(Path(path), stop, stop_full)


def gazetteer_for(ruleset: RuleSet) -> Gazetteer | None:
    for f in ruleset.files:
        candidate = Path(f).parent / "gazetteer" / "divisions.tsv"
        if candidate.is_file():
            return _gazetteer(
                str(candidate),
                frozenset(
                    (ruleset.lexicon("place_stop") or []) + (ruleset.lexicon("place_stop_derived") or [])
                ),
                frozenset(ruleset.lexicon("place_stop_full") or []),
            )
    return None


@dataclass(slots=True)
class _Mention:
    start: int  # source offsets
    end: int
    place: Place


class Context:
    """Region, year and streak lookups for one document (positions are source offsets)."""

    def __init__(self, norm: NormText, ruleset: RuleSet):
        self.norm = norm
        self.source = norm.source
        self.ruleset = ruleset
        self._streak = regex.compile(ruleset.fragments.get("STREAK", "(?!)"))
        gaz = gazetteer_for(ruleset)
        self.mentions: list[_Mention] = self._resolve(gaz.mentions(norm.text)) if gaz else []
        self._mention_starts = [m.start for m in self.mentions]
        self._lines = self._split_lines()
        self._line_starts = [s for s, _ in self._lines]
        self._unit_place = self._structure()
        self._sentence_stops: list[int] | None = None
        self._clause_stops: list[int] | None = None
        self._years = self._find_years()
        self._year_starts = [y[0] for y in self._years]
        self._review_year = self._review()

    # -- places ----------------------------------------------------------------
    def _resolve(self, raw: list[tuple[int, int, list[Place]]]) -> list[_Mention]:
        """Pick one place per mention; ambiguous names follow the unambiguous ones."""
        anchors = Counter()
        for _, _, places in raw:
            if len(places) == 1:
                p = places[0]
                anchors[p.province] += 1
                if p.prefecture:
                    anchors[p.prefecture] += 1
                anchors[p.name] += 1
        out = []
        for s, e, places in raw:
            if len(places) == 1:
                place = places[0]
            else:
                place = max(
                    places,
                    key=lambda p: (anchors[p.prefecture] + anchors[p.province] + anchors[p.name], -p.level),
                )
                if not (anchors[place.prefecture] or anchors[place.province]):
                    continue  # 鼓楼, 朝阳: too ambiguous without a parent named in the text
            ss, se = self.norm.src_span(s, e)
            out.append(_Mention(ss, se, place))
        return out

    def _places_in(self, start: int, end: int) -> list[_Mention]:
        i = bisect_right(self._mention_starts, start - 1)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def _split_lines(self) -> list[tuple[int, int]]:
        lines = []
        pos = 0
        for line in self.source.split("\n"):
            lines.append((pos, pos + len(line)))
            pos += len(line) + 1
        return lines

    def _standalone(self, k: int) -> bool:
        s, e = self._lines[k]
        if not self.source[s:e].strip() or e - s > _LEAD_MAX:
            return False
        blank = lambda j: j < 0 or j >= len(self._lines) or not self.source[slice(*self._lines[j])].strip()  # noqa: E731
        return blank(k - 1) and blank(k + 1)

    def _best(self, mentions: list[_Mention]) -> Place | None:
        if not mentions:
            return None
        counts = Counter(m.place for m in mentions)
        return max(counts, key=lambda p: (counts[p], p.level))

    def _dominant(self, mentions: list[_Mention], national: int = 0) -> Place | None:
        """The place an article is about: named at least twice, in at least 40% of its
        place mentions, and more often than the article says 我国 (a national report
        naming provinces is about none of them). A place and the places inside it count
        together (厦门市 with 思明区)."""
        if not mentions:
            return None
        counts = Counter(m.place for m in mentions)
        total = sum(counts.values())

        def weight(p: Place) -> int:
            return sum(n for q, n in counts.items() if q == p or p.contains(q))

        best = max(counts, key=lambda p: (counts[p], p.level))
        return best if counts[best] >= 2 and counts[best] > national and weight(best) >= 0.4 * total else None

    def _structure(self) -> list[Place | None]:
        """The place of the unit each line belongs to (article, lead, series)."""
        n = len(self._lines)
        places: list[Place | None] = [None] * n
        # Articles: split at bylines.
        starts = [0] + [k for k in range(n) if _BYLINE.match(self.source, *self._lines[k])]
        starts = sorted(set(starts))
        bounds = [*starts, n]
        for a, b in pairwise(bounds):
            s0, e0 = self._lines[a][0], self._lines[b - 1][1] if b > a else self._lines[a][1]
            byline = self._places_in(*self._lines[a]) if _BYLINE.match(self.source, *self._lines[a]) else []
            national = self.source.count("我国", s0, e0) + self.source.count("我國", s0, e0)
            current = self._most_specific(byline) or self._dominant(self._places_in(s0, e0), national)
            series_place: dict[tuple[str, int], Place | None] = {}
            series_of: list[tuple[str, int] | None] = [None] * (b - a)
            self._series(a, b, series_of)
            # Each series' mentions, resolved below against the context at its start.
            for i, key in enumerate(series_of):
                if key is not None:
                    series_place.setdefault(key, []).extend(self._places_in(*self._lines[a + i]))
            for k in range(a, b):
                key = series_of[k - a]
                # A national report (我国 more often than any place) has no lead places.
                if (
                    key is None
                    and not _BYLINE.match(self.source, *self._lines[k])
                    and self._standalone(k)
                    and (current is not None or national < 3)
                ):
                    lead = self._places_in(*self._lines[k])
                    first = self._lead_place(lead, self._lines[k][0])
                    if first is not None:
                        current = first
                if key is not None:
                    mentions = series_place[key]
                    if isinstance(mentions, list):
                        # A series that names another place than its context (a sibling
                        # district) belongs to that place, if it names it clearly: in full
                        # (思明区委政法委) or more than once.
                        foreign = [m for m in mentions if current is None or not current.related(m.place)]
                        best = self._best(foreign) if foreign else None
                        clear = best is not None and (
                            sum(m.place == best for m in foreign) >= 2
                            or any(
                                m.place == best and self.source[m.start : m.end] == best.name for m in foreign
                            )
                        )
                        if current is None:
                            # Without a place around it, a series needs a dominant one of its own.
                            best = self._dominant(mentions, national) if national < 3 else None
                            clear = best is not None
                        series_place[key] = best if clear else None
                    places[k] = series_place[key] or current
                else:
                    places[k] = current
        return places

    def _lead_place(self, mentions: list[_Mention], line_start: int) -> Place | None:
        near = [m for m in mentions if m.start - line_start <= 16]
        return self._most_specific(near) if near else None

    @staticmethod
    def _most_specific(mentions: list[_Mention]) -> Place | None:
        if not mentions:
            return None
        return max(mentions, key=lambda m: (m.place.level, -m.start)).place

    def _series(self, a: int, b: int, series_of: list[tuple[str, int] | None]) -> None:
        """Mark the lines of numbered/lettered/bulleted series: items and the lines that follow them."""
        last: dict[str, tuple[int, int]] = {}  # marker type -> (series id, last number)
        current: tuple[str, int] | None = None
        ids = 0
        for k in range(a, b):
            s, e = self._lines[k]
            m = _LINE_MARKER.match(self.source, s, e)
            if m:
                kind = next(g for g in ("bullet", "digit", "letter", "cn", "paren") if m.group(g))
                number = _ordinal(m.group(kind), kind)
                prev = last.get(kind)
                if prev is not None and (kind in ("bullet", "letter") or number == prev[1] + 1):
                    sid = prev[0]
                else:
                    ids += 1
                    sid = ids
                last[kind] = (sid, number)
                current = (kind, sid)
                series_of[k - a] = current
            elif current is not None:
                ends = _BYLINE.match(self.source, s, e) or (self._standalone(k) and current[0] != "letter")
                # A bulleted item is its own line; numbered and lettered ones run on.
                if ends or current[0] == "bullet":
                    current = None
                else:
                    series_of[k - a] = current

    def region(self, start: int, end: int) -> str | None:
        k = bisect_right(self._line_starts, start) - 1
        unit = self._unit_place[k] if 0 <= k < len(self._unit_place) else None
        cs, ce = self._clause(start, end)
        own = [
            m
            for m in self._places_in(cs, ce)
            if not (m.start >= start and m.end <= end) and (unit is None or not m.place.contains(unit))
        ]
        place = self._most_specific(own) or unit
        return place.name if place else None

    def _between(self, stops: list[int], start: int, end: int, reach: int) -> tuple[int, int]:
        """The span around [start, end) up to the nearest stop characters on either side,
        at most ``reach`` characters away (text with no punctuation must stay linear)."""
        i = bisect_right(stops, start - 1)
        s = stops[i - 1] + 1 if i > 0 else 0
        j = bisect_right(stops, end - 1)
        e = stops[j] if j < len(stops) else len(self.source)
        return max(s, start - reach), min(e, end + reach)

    def _clause(self, start: int, end: int) -> tuple[int, int]:
        if self._clause_stops is None:
            self._clause_stops = [m.start() for m in _CLAUSE_STOP.finditer(self.source)]
        return self._between(self._clause_stops, start, end, 120)

    def _sentence(self, start: int, end: int) -> tuple[int, int]:
        if self._sentence_stops is None:
            self._sentence_stops = [m.start() for m in _SENTENCE_STOP.finditer(self.source)]
        return self._between(self._sentence_stops, start, end, 400)

    # -- years -----------------------------------------------------------------------
    def _find_years(self) -> list[tuple[int, int, int, bool]]:
        """(start, end, year, period start) of every year the source states."""
        out = []
        for m in _YEAR.finditer(self.norm.text):
            s, e = self.norm.src_span(*m.span())
            if m.group("cn"):
                year = int(parse_number(m.group("cn")) or 0)
                since = bool(m.group("from2"))
            else:
                year = int(m.group("y1"))
                if m.group("y2"):
                    y2 = m.group("y2")
                    year = int(y2) if len(y2) == 4 else year // 100 * 100 + int(y2)
                since = bool(m.group("from"))
            if 1900 <= year <= 2100:
                out.append((s, e, year, since))
        return out

    def _review(self) -> int | None:
        """The year the report reviews: the topical year of its paragraphs."""
        counts: Counter[int] = Counter()
        for s, e, year, since in self._years:
            if since:
                continue
            k = bisect_right(self._line_starts, s) - 1
            line_start = self._lines[k][0]
            head = self.source[line_start:s].strip(" \t\u3000-—■")
            after = self.source[e : e + 2]
            before = self.source[max(0, s - 4) : s]
            if before.endswith("过去的") or before.endswith("回顾"):
                counts[year] += 2
            elif not head and after and (after[0] in "，,、" or after.startswith(("平安", "工作"))):
                se = self._sentence(s, e)[1]
                if not _PLAN.search(self.source, e, min(se, e + 20)):
                    counts[year] += 1
        if not counts:
            return None
        return max(counts, key=lambda y: (counts[y], y))

    def year(self, start: int, end: int) -> int | None:
        ss, se = self._sentence(start, end)
        k = bisect_right(self._line_starts, start) - 1
        line_start = self._lines[k][0]
        lo = bisect_right(self._year_starts, min(ss, line_start) - 1)
        hi = bisect_right(self._year_starts, se)
        near = self._years[lo:hi]
        before = [y for s, e, y, since in near if ss <= s and e <= start and not since]
        if before:
            return before[-1]
        if any(ss <= s and e <= start and since for s, e, _, since in near):
            return None  # a period that started then: 自2017年...以来
        # A year written after the figure counts within its clause only (纳入2022年...).
        ce = self._clause(start, end)[1]
        after = [y for s, e, y, since in near if end <= s and e <= ce and not since]
        if after and not _PLAN.search(self.source, end, ce):
            return after[0]
        opening = [
            y for s, e, y, since in near if line_start <= s < line_start + 3 and e <= start and not since
        ]
        if opening:
            return opening[0]
        return self._review_year

    # -- streaks -----------------------------------------------------------------------
    def streak(self, start: int) -> int | None:
        """N of 连续N年/届/次 in the clause before ``start`` (normalized text positions)."""
        text = self.norm.text
        found = None
        for m in self._streak.finditer(text, clause_start(text, start), start):
            found = m
        if found is None:
            return None
        v = parse_number(found.group("streak"))
        return int(v) if v and v == int(v) else None


_CLAUSE_BEFORE = frozenset("。！？!?；;\n■，,")


def clause_start(text: str, pos: int, reach: int = 80) -> int:
    """Where the clause holding ``pos`` starts, at most ``reach`` characters back."""
    s, lo = pos, max(0, pos - reach)
    while s > lo and text[s - 1] not in _CLAUSE_BEFORE:
        s -= 1
    return s


def _ordinal(token: str, kind: str) -> int:
    if kind == "letter":
        return ord(token) - ord("A") + 1
    if kind == "bullet":
        return 0
    v = parse_number(token) if not token.isdigit() else int(token)
    if v is None and len(token) == 1:
        v = "一二三四五六七八九十".find(token) + 1
    return int(v or 0)
