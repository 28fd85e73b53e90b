"""The Document: the structure of one normalized text, and the place and period of each part.

Built once per text right after normalization, in normalized coordinates (so
traditional script works by construction), from the boundaries and cues of
``rules/document.toml``. It holds:

* lines, each with a kind: blank, furniture (page chrome), dateline, credit,
  byline, headline, heading (a section marker with a short title), item (a marker
  with its text) or body; and whether a blank line stood before it in the source;
* articles: a page may hold several; one starts at a head block (headlines,
  datelines, bylines, a news lead such as 本报讯 or XX网1月11日讯), after a
  credit line, at a byline, or at a paragraph that turns to a place unrelated to
  the article's; each article has a place, a time of writing (DCT) and a period;
* sections: lead lines (a stand-alone line naming a place: ``2022年,湖里区...``)
  and series of numbered, lettered or bulleted items;
* sentences and clauses (SENTENCE_END, CLAUSE_END);
* place mentions, each with a role (topic, agent, title, venue, plain) and year
  mentions, each with a role (stated, since, base, plan, date, title, relative).

Lookups answer, for a position, the places and years of the clause, the
sentence, the paragraph, the section and the article around it; the attribute
steps (``attributes.py``) choose among them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

import regex

from .gazetteer import Gazetteer, Place, gazetteer_for
from .normalize import fold_width, to_simplified
from .numerals import parse_number

if TYPE_CHECKING:
    from .normalize import NormText
    from .ruleset import RuleSet

_HEADLINE_MAX = 64  # a headline or a lead line is short
_LINE_CUE_MAX = 160  # a dateline, credit or byline line is shorter than this
_MARKER_KINDS = ("digit", "bullet", "dash", "letter", "cn", "paren", "circled")
_SPACES = " \t\u3000"


@dataclass(slots=True)
class Line:
    index: int
    start: int  # normalized offsets, without the line break
    end: int
    kind: str = "body"
    blank_before: bool = False
    marker: str | None = None  # series marker type: bullet, digit, letter, cn, paren
    number: int = 0
    cue: str | None = None  # "headline" for a title shape, "closing" for a credit that ends an article

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    place: Place
    role: str = "plain"  # topic | agent | plain | title | venue | campaign
    full: bool = True  # written in full (漳州市), not short (漳州)
    opens: bool = False  # opens its clause (a campaign: “平安浙江”建设...满意率为...)


@dataclass(slots=True)
class YearMention:
    start: int
    end: int
    year: int
    # stated | since (自2017年...以来) | since_year (2021年以来) | base | plan | date | title | review
    role: str = "stated"
    first: int = 0  # the first year of a range (2017—2020年度)
    # The last year of the period this year opens, when the text gives its length (2018年以来
    # ……五年来 -> 2022; 2021年4月至今……连续13个月 -> 2022).
    last: int | None = None


@dataclass(slots=True)
class Article:
    start: int
    end: int
    first_line: int
    last_line: int
    place: Place | None = None
    dct: int | None = None  # the year of writing
    dct_month: int | None = None  # and its month, when known
    dct_from_review: bool = False
    dct_from_page: bool = False  # shared with the report before it on the page
    period: int | None = None  # the year the article reports on
    period_at: int = 0  # where the text first supports that period (a headline, a dateline: its start)
    # The period rests only on years that open periods (2021年以来): a start, no time of writing.
    period_from_start: bool = False
    national: bool = False


@dataclass(slots=True)
class Unit:
    """A section of an article: a lead line's stretch or a series of items."""

    start: int
    end: int
    place: Place | None = None
    year: int | None = None
    kind: str = "lead"


@dataclass
class Document:
    norm: NormText
    rules: RuleSet
    text: str = ""
    lines: list[Line] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    years: list[YearMention] = field(default_factory=list)
    # Spans whose years belong to what they name (the titles of honours), not to the text.
    reserved: list[tuple[int, int]] = field(default_factory=list)
    # Answers the attribute steps compute once per document (by step).
    cache: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        r = self.rules
        self.text = self.norm.text
        self.sentence_end = r.chars("SENTENCE_END") or frozenset("。！？!?；;\n")
        self.clause_end = r.chars("CLAUSE_END") or frozenset("。！？!?；;\n，,、：:")
        self.bullets = r.chars("BULLET")
        self.quotes = r.chars("QUOTE")
        self.gazetteer: Gazetteer | None = gazetteer_for(r)
        self._openers = _opener_rx(r)
        self._split_lines()
        self._line_starts = [ln.start for ln in self.lines]
        self._stops()
        self._find_places()
        self._find_years()
        self._classify_lines()
        self._split_articles()
        self._units = self._structure()
        previous: Article | None = None
        for a in self.articles:
            # A report found by its turn to another place shares the page's date.
            weak = previous is not None and a.first_line in self._weak
            self._date_article(a, previous.dct if weak else None)
            if weak and a.period is None:
                a.period = previous.period
            previous = a
        self.plans = self._plan_sections()

    # -- lines -------------------------------------------------------------------
    def _split_lines(self) -> None:
        text, norm = self.text, self.norm
        pos = 0
        prev_src_end = -1
        for i, part in enumerate(text.split("\n")):
            s, e = pos, pos + len(part)
            line = Line(i, s, e)
            if i > 0 and s < len(text):
                src_start = norm.source_index(s)
                gap = norm.source[prev_src_end:src_start] if prev_src_end >= 0 else ""
                line.blank_before = gap.count("\n") + gap.count("\r") - gap.count("\r\n") >= 2
            if e > s:
                prev_src_end = norm.source_index(e - 1) + 1
            elif i == 0:
                prev_src_end = 0
            self.lines.append(line)
            pos = e + 1
        for ln in self.lines:
            if not self.text[ln.start : ln.end].strip(_SPACES):
                ln.kind = "blank"
        # A blank line before a line: an empty normalized line also counts.
        for a, b in pairwise(self.lines):
            if a.kind == "blank":
                b.blank_before = True

    def line_of(self, pos: int) -> Line:
        return self.lines[max(0, bisect_right(self._line_starts, pos) - 1)]

    def _standalone(self, ln: Line) -> bool:
        """A short line that stands apart: blank lines (or the text's edges) around it."""
        if ln.kind == "blank" or ln.end - ln.start > _HEADLINE_MAX:
            return False
        nxt = self.lines[ln.index + 1] if ln.index + 1 < len(self.lines) else None
        before = ln.index == 0 or ln.blank_before or self.lines[ln.index - 1].kind == "blank"
        after = nxt is None or nxt.kind == "blank" or nxt.blank_before
        return before and after

    def written(self, ln: Line) -> str:
        """A line as written (simplified and half-width, spaces kept): what line cues match."""
        if ln.end <= ln.start:
            return ""
        s, e = self.norm.src_span(ln.start, ln.end)
        folded = self.norm.folded
        if len(folded) == len(self.norm.source):
            return folded[s:e]
        return to_simplified(fold_width(self.norm.source[s:e]))

    def _classify_lines(self) -> None:
        r = self.rules
        furniture, dateline, credit = r.cue("furniture"), r.cue("dateline"), r.cue("credit")
        byline, headline = r.cue("byline"), r.cue("headline")
        marker = r.list_marker  # LIST_MARKER: the one definition of a list marker
        series_digit = regex.compile(r.fragments.get("SERIES_DIGIT", "(?!)"), regex.MULTILINE)
        previous = 0
        for ln in self.lines:
            if ln.kind == "blank":
                continue
            s, e = ln.span
            w = self.written(ln)
            m = marker.match(w)
            if m is None:
                d = series_digit.match(w)
                # 2 强化...: a number and a space go on a numbered series (1 before it)
                if d is not None and int(d.group("digit")) in (1, previous + 1):
                    m = d
            if m:
                ln.marker = next(g for g in _MARKER_KINDS if m.groupdict().get(g))
                ln.number = _ordinal(m.group(ln.marker), ln.marker)
                if ln.marker == "digit":
                    previous = ln.number
            f = furniture.match(w)
            if f is not None and f.groupdict().get("closing"):
                ln.kind, ln.cue = "furniture", "closing"  # a page's footer, however long
                continue
            if e - s > _LINE_CUE_MAX:
                continue  # a paragraph: line cues describe short lines
            if dateline.in_line(w):
                ln.kind = "dateline"
            elif f is not None or _menu(w):
                ln.kind = "furniture"
                ln.cue = "page" if f is not None and f.groupdict().get("page") else None
            elif credit.match(w):
                ln.kind = "credit"
                ln.cue = credit.match(w).group("closing") and "closing"
            elif byline.in_line(w) and (e - s <= _HEADLINE_MAX or byline.match(w)):
                ln.kind = "byline" if not self._sentence_like(s, e) else "body"
            elif headline.match(w) and not self._run_in(ln, w[headline.match(w).end() :]):
                ln.kind = "headline"
                ln.cue = "headline"
            elif ln.marker and not self._sentence_like(s, e) and e - s <= _HEADLINE_MAX:
                ln.kind = "heading"
            elif ln.marker:
                ln.kind = "item"
            elif self._headline_like(ln):
                ln.kind = "headline"
        # A short line that opens a block right above its first 一、 heading is the title of
        # a document (某县检察院业务数据情况 / 一、刑事检察).
        for ln in self.lines:
            nxt = self.lines[ln.index + 1] if ln.index + 1 < len(self.lines) else None
            if (
                ln.kind == "body"
                and nxt is not None
                and nxt.marker == "cn"
                and not nxt.blank_before
                and nxt.kind != "blank"
                and (ln.index == 0 or ln.blank_before or self.lines[ln.index - 1].kind == "blank")
                and ln.end - ln.start <= _HEADLINE_MAX
                and not self._sentence_like(*ln.span)
                and self.text[ln.start : ln.end].rstrip(_SPACES)[-1:] not in self.clause_end
            ):
                ln.kind = "headline"
                if nxt.number == 1:
                    ln.cue = "headline"  # a document's title over its 一、: a new document
        # A short line right above a dateline or a byline is the title of what follows.
        for ln in self.lines:
            if ln.kind not in ("dateline", "byline"):
                continue
            k = ln.index - 1
            while k >= 0 and self.lines[k].kind == "blank":
                k -= 1
            prev = self.lines[k] if k >= 0 else None
            if (
                prev is not None
                and prev.kind == "body"
                and prev.end - prev.start <= _HEADLINE_MAX
                and not self._sentence_like(*prev.span)
            ):
                prev.kind = "headline"

    def _run_in(self, ln: Line, rest: str) -> bool:
        """Whether a bracketed heading runs into its section's text (a yearbook's 【概况】 2015年,
        全市...): prose of clauses after it, going on into the next line without a break."""
        nxt = self.lines[ln.index + 1] if ln.index + 1 < len(self.lines) else None
        return (
            len(rest.strip()) >= 24
            and any(c in self.clause_end for c in rest)
            and nxt is not None
            and nxt.kind != "blank"
            and not nxt.blank_before
        )

    def _sentence_like(self, s: int, e: int) -> bool:
        """Whether a line holds a sentence: a sentence end inside it (not only at its end; an
        exclamation mark is a headline's) or several clauses."""
        body = self.text[s:e].rstrip(_SPACES)
        inner = body[:-1] if body and body[-1] in self.sentence_end else body
        return (
            any(c in self.sentence_end and c not in "!！" for c in inner)
            or sum(c in "，," for c in body) >= 3
        )

    def _headline_like(self, ln: Line) -> bool:
        s, e = ln.span
        if e - s > _HEADLINE_MAX or self._sentence_like(s, e):
            return False
        body = self.text[s:e].rstrip(_SPACES)
        if body and body[-1] in "。；;":
            return False
        opener = self.rules.cue("opener").match(body)
        if opener is not None and body[opener.end() : opener.end() + 1] in ("，", ","):
            return False  # 与此同时，...: a sentence (cut short), not a title
        if self._standalone(ln):
            return True
        # Between body lines without blank lines (a paragraph a line), a short line with no
        # sentence end is a subheading.
        prev = self.lines[ln.index - 1] if ln.index > 0 else None
        nxt = self.lines[ln.index + 1] if ln.index + 1 < len(self.lines) else None
        return (
            nxt is not None
            and nxt.end - nxt.start > 2 * (e - s)
            and (prev is None or prev.kind != "blank")
            and len(body) <= 24
            and not body.endswith(("：", ":", "，", ","))
        )

    def opens(self, head: str) -> bool:
        """Whether the words before a mention in its clause leave it in the topic position."""
        head = head.strip(" \t\u3000")
        return not head or self._openers.match(head) is not None

    # -- sentences and clauses -------------------------------------------------------
    def _stops(self) -> None:
        text = self.text
        self._sentence_stops = [m.start() for m in _char_rx(self.sentence_end).finditer(text)]
        self._clause_stops = [m.start() for m in _char_rx(self.clause_end).finditer(text)]

    @staticmethod
    def _between(stops: list[int], start: int, end: int, n: int, reach: int) -> tuple[int, int]:
        i = bisect_right(stops, start - 1)
        s = stops[i - 1] + 1 if i > 0 else 0
        j = bisect_left(stops, end)
        e = stops[j] if j < len(stops) else n
        return max(s, start - reach), min(e, end + reach)

    def sentence(self, start: int, end: int | None = None) -> tuple[int, int]:
        return self._between(self._sentence_stops, start, end or start + 1, len(self.text), 400)

    def clause(self, start: int, end: int | None = None) -> tuple[int, int]:
        return self._between(self._clause_stops, start, end or start + 1, len(self.text), 120)

    def sentences_of(self, start: int, end: int) -> list[tuple[int, int]]:
        out, pos = [], start
        i = bisect_left(self._sentence_stops, start)
        while pos < end:
            stop = self._sentence_stops[i] if i < len(self._sentence_stops) else len(self.text)
            stop = min(stop, end)
            if stop > pos:
                out.append((pos, stop))
            pos = stop + 1
            i += 1
        return out

    # -- places ------------------------------------------------------------------------
    def _find_places(self) -> None:
        if self.gazetteer is None:
            return
        raw = self.gazetteer.mentions(self.text, self.rules.cue("agent"))
        anchors: Counter[str] = Counter()
        for _, _, places in raw:
            if len(places) == 1:
                p = places[0]
                for name in (p.province, p.prefecture, p.name):
                    if name:
                        anchors[name] += 1
        r = self.rules
        agent, venue, title, visit = r.cue("agent"), r.cue("venue"), r.cue("title_place"), r.cue("visit")
        text = self.text
        venues = [m.span("venue") for m in venue.finditer(text)]
        for s, e, places in raw:
            if len(places) == 1 or (len({p.name for p in places}) == 1 and places[0].level == 4):
                place = places[0]
            else:
                place = max(
                    places,
                    key=lambda p: (anchors[p.prefecture] + anchors[p.province] + anchors[p.name], -p.level),
                )
                if not (anchors[place.prefecture] or anchors[place.province]):
                    continue  # 鼓楼, 朝阳: too ambiguous without a parent named in the text
            written = text[s:e]
            full = written == place.name or written in self.gazetteer.alias or place.level == 4
            mention = PlaceMention(s, e, place, full=full)
            before = text[max(0, s - 4) : s]
            if title.search(before) and title.search(before).end() == len(before):
                mention.role = "title"  # 省级平安区
            elif any(vs <= s and e <= ve for vs, ve in venues) or visit.search(text, e, self.clause(s)[1]):
                mention.role = "venue"  # where a meeting is, where someone goes, who visits us
            elif text[s - 2 : s] == "平安" or text[s - 2 : s] == "法治":
                mention.role = "campaign"  # 平安广东: the province's campaign, about it
            elif agent.match(text, e) or text[e : e + 1] in "委":
                mention.role = "agent"
            self.places.append(mention)
        # Topic: a place that opens its clause (after time words and discourse markers), or
        # acts (an organ named after it), or heads a chain (武汉市江岸区).
        last: PlaceMention | None = None
        for m in self.places:
            if m.role in ("title", "venue"):
                continue
            cs, _ = self.clause(m.start)
            head = text[cs : m.start]
            if m.role == "campaign":
                # the campaign's name (“平安浙江”) opens the clause: its figures are its place's
                m.opens = self.opens(text[cs : m.start - 2].rstrip("".join(self.quotes)))
            else:
                if cs > 0 and text[cs - 1] == "、":
                    # An item of a list is what the item before it is: 其中甲县、乙县 (topics),
                    # 对接雄安新区、北京城市副中心 (objects).
                    opens = last is not None and last.end == cs - 1 and last.role in ("topic", "campaign")
                else:
                    opens = self.opens(head)
                if m.role == "agent" or opens:
                    m.role = "topic"
            last = m
        self._place_starts = [m.start for m in self.places]

    def places_in(self, start: int, end: int) -> list[PlaceMention]:
        i = bisect_left(self._place_starts, start)
        out = []
        while i < len(self.places) and self.places[i].start < end:
            if self.places[i].end <= end:
                out.append(self.places[i])
            i += 1
        return out

    # -- years ---------------------------------------------------------------------------
    def _find_years(self) -> None:
        r = self.rules
        rx = regex.compile(r.fragments.get("YEAR", "(?!)"))
        text = self.text
        since = _Spans(
            (m.start(), m.end(), bool(m.group("strict"))) for m in r.cue("period_start").finditer(text)
        )
        bases = [(*m.span(), m.start()) for m in r.cue("compare_base").finditer(text)]
        # 2016年度排名第一的某市以...: a 的-phrase before a place holds its own year.
        attributive = [
            (m.start(), m.end(), m.start())
            for m in r.cue("attributive").finditer(text)
            if self.places_in(m.end(), m.end() + 12)[:1]
            and self.places_in(m.end(), m.end() + 12)[0].start == m.end()
        ]
        base = _Spans(bases)
        attributes = _Spans(attributive)
        # the year of a base or a 的-phrase is the year of what lies inside it
        self._base = _Spans(bases + attributive)
        review = _Spans((*m.span(), True) for m in r.cue("review").finditer(text))
        reserved = _Spans((s, e, True) for s, e in self.reserved)
        for m in rx.finditer(text):
            s, e = m.span()
            if m.group("cn"):
                year = int(parse_number(m.group("cn")) or 0)
                first = year
            else:
                first = year = int(m.group("y1"))
                y2 = m.group("y2")
                if y2:
                    year = int(y2) if len(y2) == 4 else year // 100 * 100 + int(y2)
                    if year < first:
                        year = first
            if not 1900 <= year <= 2100:
                continue
            y = YearMention(s, e, year, first=first)
            after = text[e : e + 6]
            if any(reserved.at(p) is not None for p in (s, e - 1, e)):
                y.role = "title"  # the year of an honour's title is the honour's, not the text's
            elif base.at(s) is not None:
                y.role = "base"
            elif attributes.at(s) is not None:
                y.role = "attributive"
            elif since.at(s) is not None:
                y.role = "since" if since.at(s) else "since_year"
            elif review.at(s) is not None:
                y.role = "review"
            elif regex.match(r"\d{1,2}月\d{1,2}[日号]", after):
                y.role = "date"
            elif self._plan(s, e) or self._deadline(s):
                y.role = "plan"
            self.years.append(y)
        self._same_years()
        self._year_starts = [y.start for y in self.years]
        self._period_ends()
        rel = r.cue("relative_year")
        # 目前, 至今 (value "now") are the time of writing itself, as a dateline gives it.
        found = [
            (m.start(), m.end(), rel.value(m))
            for m in rel.finditer(text)
            # the 至今 of 2021年4月至今 belongs to its period, which the start year reads
            if not (rel.value(m) == "now" and since.at(m.start()) is not None)
        ]
        self._now = {s for s, _, v in found if v == "now"}
        self._all_relatives = [(s, e, 0 if v == "now" else int(v or 0)) for s, e, v in found]
        # 比去年, 较上年: a comparison base, not the figure's year.
        self.relatives: list[tuple[int, int, int]] = [x for x in self._all_relatives if base.at(x[0]) is None]
        self._relative_starts = [x[0] for x in self.relatives]

    def _same_years(self) -> None:
        """当年, 同年: the year stated last before the word (in the 400 characters before it)."""
        added = []
        starts = [y.start for y in self.years]
        for m in self.rules.cue("same_year").finditer(self.text):
            i, lo = bisect_left(starts, m.start()), bisect_left(starts, m.start() - 400)
            before = [y for y in self.years[lo:i] if y.role in ("stated", "date", "review")]
            if before:
                added.append(YearMention(m.start(), m.end(), before[-1].year, first=before[-1].year))
        if added:
            self.years = sorted(self.years + added, key=lambda y: y.start)

    def _period_ends(self) -> None:
        """The last year of a period that a year opens (2018年以来, 2021年4月至今, or a date a
        text recalls: 记得，2005年12月23日……) when a length follows before another year is
        named (五年来, 连续13个月): the start plus the length."""
        text = self.text
        length = self.rules.cue("period_length")
        recall = self.rules.cue("recall")
        for i, y in enumerate(self.years):
            if y.role == "date":
                ss, _ = self.sentence(y.start)
                if recall.search(text, ss, y.start) is None:
                    continue
            elif y.role not in ("since", "since_year"):
                continue
            stop = self.years[i + 1].start if i + 1 < len(self.years) else len(text)
            m = length.search(text, y.end, min(stop, y.end + 300))
            if m is None:
                continue
            n = parse_number(m.group("n"))
            if not n:
                continue
            month = _MONTH.match(text, y.end)
            start_month = int(month.group(1)) if month else None
            if m.group("unit") == "年":
                # N years from a month (2005年12月……五年来) end N years on; from a year
                # (2018年以来……五年来) they count that year
                y.last = y.year + int(n) - (0 if start_month is not None and start_month > 1 else 1)
            else:
                y.last = y.year + ((start_month or 1) - 1 + int(n) - 1) // 12

    def base_at(self, pos: int) -> int | None:
        """The start of the comparison base or earlier event holding ``pos`` (在2005年度被评为
        “平安县”的基础上; 继2017年首次荣获...后), if any."""
        return self._base.at(pos)

    def _quoted(self, pos: int) -> bool:
        """Whether ``pos`` lies inside quotation marks or book-title marks on its line."""
        ln = self.line_of(pos)
        head = self.text[ln.start : pos]
        opened = sum(head.count(c) for c in "“「『《") - sum(head.count(c) for c in "”」』》")
        return opened > 0

    def _plan(self, s: int, e: int) -> bool:
        """Whether a plan word (将, 力争, 计划...) follows the year in its sentence (2023年，全市
        将...) or stands before it in its clause (计划在1985年底以前建成)."""
        _, se = self.sentence(s, e)
        cs, _ = self.clause(s, e)
        plan = self.rules.cue("plan")
        return (
            plan.search(self.text, e, min(se, e + 20)) is not None
            or plan.search(self.text, cs, s) is not None
        )

    def _deadline(self, s: int) -> bool:
        """Whether a year is a deadline (到2020年, 至2035年): a target's, unless it closes a
        period that a start opens (从2016年到2020年)."""
        if self.text[s - 1 : s] not in ("到", "至"):
            return False
        ss, _ = self.sentence(s)
        return regex.search(r"从|自|由|\d{4}年", self.text[max(ss, s - 30) : s - 1]) is None

    def writing_year(self, art: Article) -> int | None:
        """The year 今年 and 去年 are said from: the time of writing, else the period, or the
        year after it for a text written early in a year or reviewing the past year."""
        if art.dct is not None:
            return art.dct
        if art.period is None or art.period_from_start:
            return None  # 2021年4月至今……今年: a start year is no anchor of 今年
        late = (art.dct_month is not None and art.dct_month <= 4) or (
            art.dct_month is None and self.rules.cue("review_past").search(self.text, art.start, art.end)
        )
        return art.period + 1 if late else art.period

    def is_now(self, pos: int) -> bool:
        """Whether the relative year at ``pos`` is the present (目前, 至今)."""
        return pos in self._now

    def now_year(self, art: Article, pos: int) -> int | None:
        """The year of 目前 and 至今 at ``pos``: the article's own dateline's, else the year it
        reports on (a review of 2006 written in 2007 says 目前 of the end of 2006) where the
        text has stated it by then."""
        if art.dct is not None and not art.dct_from_review and not art.dct_from_page:
            return art.dct
        return art.period if art.period_at <= pos and not art.period_from_start else None

    def years_in(self, start: int, end: int) -> list[YearMention]:
        i = bisect_left(self._year_starts, start)
        out = []
        while i < len(self.years) and self.years[i].start < end:
            if self.years[i].end <= end:
                out.append(self.years[i])
            i += 1
        return out

    def relatives_all(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """Relative years in [start, end), comparison bases included (比去年同期的120起)."""
        i = bisect_left(self._all_relatives, (start,))
        out = []
        while i < len(self._all_relatives) and self._all_relatives[i][0] < end:
            if self._all_relatives[i][1] <= end:
                out.append(self._all_relatives[i])
            i += 1
        return out

    def relatives_in(self, start: int, end: int) -> list[tuple[int, int, int]]:
        i = bisect_left(self._relative_starts, start)
        out = []
        while i < len(self.relatives) and self.relatives[i][0] < end:
            if self.relatives[i][1] <= end:
                out.append(self.relatives[i])
            i += 1
        return out

    # -- articles ---------------------------------------------------------------------
    def _split_articles(self) -> None:
        """Articles start at a head block (headlines, datelines, bylines) that opens a body after
        a body, at a title shape (【专栏】, 原标题:), at a news lead (本报讯), after a closing
        credit (责任编辑:..., (某某新闻)), and at a paragraph that turns to a place unrelated to
        the article's."""
        lines = self.lines
        r = self.rules
        lead = r.cue("lead")
        byline = r.cue("byline")
        starts = [0]
        head_kinds = ("headline", "dateline", "byline", "furniture")
        k = 0
        seen_body = False
        closed = False  # a closing credit came after the body
        while k < len(lines):
            ln = lines[k]
            if ln.kind == "blank":
                k += 1
                continue
            if ln.kind in head_kinds or ln.kind == "credit":
                # A head block: headlines, datelines, bylines (and chrome) before a body.
                j = k
                kinds: set[str] = set()
                strong = False
                after_close = k
                while j < len(lines) and lines[j].kind in (*head_kinds, "blank", "credit"):
                    kinds.add(lines[j].kind)
                    # a breadcrumb begins a page
                    strong = strong or lines[j].cue in ("headline", "page")
                    if lines[j].cue == "closing":
                        closed = True
                        after_close = j + 1  # the article starts after the footer
                    j += 1
                opens_lead = j < len(lines) and (
                    lead.match(self.text, *self._lead_window(lines[j]))
                    or byline.in_line(self.written(lines[j])[:40])
                )
                head = [
                    i
                    for i in range(after_close, j)
                    if lines[i].kind not in ("blank", "credit") and lines[i].cue != "closing"
                ]
                # page chrome with a headline after a body: another page's article
                chrome = {"furniture", "headline"} <= kinds
                if seen_body and (kinds & {"dateline", "byline"} or opens_lead or strong or closed or chrome):
                    first = head[0] if head else j
                    if first < j and lines[first].kind == "furniture":
                        first = next((i for i in head if lines[i].kind != "furniture"), first)
                    starts.append(first)
                    seen_body = False
                    closed = False
                k = j
                continue
            if seen_body and (closed or lead.match(self.text, *self._lead_window(ln))):
                starts.append(k)  # 本报讯 opening a paragraph, or a body after 责任编辑: a new item
                closed = False
            # a heading under a headline (——在某区人代会上) is still the head of the article
            seen_body = seen_body or ln.kind != "heading"
            k += 1
        starts = sorted(set(starts))
        starts = self._turns(starts)
        bounds = [*starts, len(lines)]
        for a, b in pairwise(bounds):
            if b <= a:
                continue
            art = Article(lines[a].start, lines[b - 1].end, a, b - 1)
            self.articles.append(art)
        self._article_starts = [a.start for a in self.articles]
        for art in self.articles:
            self._place_article(art)

    def _turns(self, starts: list[int]) -> list[int]:
        """Add the paragraphs that turn to a place unrelated to what the article spoke of so far
        (a page of reports without headlines): the first sentences of a block of lines name
        it as a topic. After two blocks that name no place, any place named so starts anew."""
        out: list[int] = []
        self._weak: set[int] = set()
        bounds = [*starts, len(self.lines)]
        for a, b in pairwise(bounds):
            if a >= b:
                continue
            out.append(a)
            if self._count_national(self.lines[a].start, self.lines[b - 1].end) >= 3:
                continue  # a report about the whole country names provinces one after another
            # A head block's place frames what follows (江西 headline: 新余市 and 井冈山市 inside it).
            # The first place the body speaks of frames it too (三明市 headline, 东山县 first).
            head = self._head_place(a, b)
            frame: list[Place] = [head] if head is not None else []
            first = True
            for k, topic, headed in self._blocks(a, b):
                opening, first = first, False  # the block right under the head
                if topic is None:
                    continue
                if any(f.kin(topic) for f in frame):
                    pass
                elif opening or not frame:
                    frame.append(topic)
                else:
                    out.append(k)
                    if not headed:  # under a headline of its own it is dated on its own
                        self._weak.add(k)
                    frame = [topic]
        return out

    def _head_place(self, a: int, b: int) -> Place | None:
        """The place of the headlines, datelines and bylines that open lines [a, b)."""
        found: list[PlaceMention] = []
        for k in range(a, b):
            ln = self.lines[k]
            if ln.kind in ("body", "item", "heading"):
                break
            if ln.kind in ("headline", "dateline", "byline"):
                found.extend(m for m in self.places_in(*ln.span) if m.role not in ("title", "venue"))
        return _most_specific(found) if found else None

    def _blocks(self, a: int, b: int):
        """(first line, topic place) of each block of lines between blank lines in [a, b)."""
        k = a
        while k < b:
            while k < b and self.lines[k].kind == "blank":
                k += 1
            if k >= b:
                break
            j = k
            while j < b and self.lines[j].kind != "blank" and (j == k or not self.lines[j].blank_before):
                j += 1
            # The topic is in the block's text, not in its headings (一、刑事检察工作).
            body = [ln for ln in self.lines[k:j] if ln.kind in ("body", "item")]
            if body:
                # Under a headline of its own, any place the text opens with is what it is about
                # (公众安全感居全区第一 / ...放在某县城...).
                headed = self.lines[k].kind == "headline"
                yield k, self._block_topic(body[0].start, body[-1].end, headed), headed
            k = j

    def _block_topic(self, start: int, end: int, headed: bool = False) -> Place | None:
        """The place a block's first two sentences speak of, in topic position (any place
        but a title's or a venue's when the block has a headline)."""
        roles = ("topic", "agent", "campaign", "plain") if headed else ("topic", "agent", "campaign")
        for s, e in self.sentences_of(start, end)[:2]:
            for m in self.places_in(s, e):
                if m.role in roles:
                    return m.place
        return None

    def _lead_window(self, ln: Line) -> tuple[int, int]:
        return ln.start, min(ln.end, ln.start + 40)

    def article_of(self, pos: int) -> Article:
        return self.articles[max(0, bisect_right(self._article_starts, pos) - 1)]

    def _place_article(self, art: Article) -> None:
        """The place an article is about: its head block's place, else the one it names most
        (a place and the places inside it count together), when it is clear."""
        mentions = [m for m in self.places_in(art.start, art.end) if m.role not in ("title", "venue")]
        national = self._count_national(art.start, art.end)
        # The head block (until the text begins): a byline's office first (张三 某某市委书记),
        # then a dateline's, then the headline's place.
        head: dict[str, list[PlaceMention]] = {"byline": [], "dateline": [], "headline": []}
        for k in range(art.first_line, art.last_line + 1):
            ln = self.lines[k]
            if ln.kind in ("body", "item", "heading"):
                break
            if ln.kind in head:
                head[ln.kind].extend(m for m in self.places_in(*ln.span) if m.role not in ("title", "venue"))
        place = None
        for kind in ("byline", "dateline", "headline"):
            if head[kind]:
                place = _most_specific(head[kind])
                break
        if place is None:
            place = self._own_body(art, mentions)
        if place is None:
            place = _dominant(mentions, national)
        # A report about the whole country (我国 more often than any place is named) has none.
        art.national = place is None and national >= 3
        if place is None and not art.national:
            # A venue (记者在近日某县召开的...会上获悉) still tells whose 该县 it is.
            named = [m for m in self.places_in(art.start, art.end) if m.role != "title"]
            place = self._anaphoric_place(art, named)
        art.place = place

    def _own_body(self, art: Article, mentions: list[PlaceMention]) -> Place | None:
        """An article that speaks as its body (我院, 本局): the place of the organ of that kind
        it names (濠江法院 for 我院), not a visitor's."""
        own = self.rules.cue("self_organ")
        kinds = {own.value(m) for m in own.finditer(self.text, art.start, art.end)}
        if not kinds:
            return None
        agent = self.rules.cue("agent")
        # a body that visits (某中院...到我院调研) or is visited is not the speaker, wherever named
        away = {m.place for m in self.places_in(art.start, art.end) if m.role == "venue"}
        organs: Counter[Place] = Counter()
        for m in mentions:
            a = agent.match(self.text, m.end)
            if a is not None and a.group()[-1] in kinds and m.place not in away:
                organs[m.place] += 1
        # the one named most; between equals, the higher body (a 中院 speaks of its 基层法院)
        return max(organs, key=lambda p: (organs[p], -p.level)) if organs else None

    def _anaphoric_place(self, art: Article, mentions: list[PlaceMention]) -> Place | None:
        """An article that names its place once and then says 该县, 全县 or names its organs by
        their level alone (市委, 市信访局): the place named with that level (the commonest
        level of its anaphora)."""
        anaphora = self.rules.cue("anaphora")
        text = self.text
        levels = Counter(anaphora.value(m) for m in anaphora.finditer(text, art.start, art.end))
        suffixes = set(anaphora.values.values())
        for m in self.rules.cue("agent").finditer(text, art.start + 1, art.end):
            p = m.start()
            if text[p - 1] in suffixes and (p < 2 or not "\u4e00" <= text[p - 2] <= "\u9fff"):
                levels[text[p - 1]] += 1
        for level, _ in levels.most_common():
            named = Counter(m.place for m in mentions if m.place.suffix() == level)
            if named:
                return max(named, key=lambda p: (named[p], -next(m.start for m in mentions if m.place == p)))
        return None

    def _count_national(self, start: int, end: int) -> int:
        text = self.text
        return text.count("我国", start, end) + text.count("全国各地", start, end)

    # -- sections: leads and series -----------------------------------------------------
    def _structure(self) -> list[Unit | None]:
        """The unit each line belongs to, with its place (a lead line's stretch, a series)."""
        lines = self.lines
        units: list[Unit | None] = [None] * len(lines)
        for art in self.articles:
            current: Place | None = art.place
            current_unit: Unit | None = None
            series: dict[tuple[str, int], list[int]] = {}
            series_of: dict[int, tuple[str, int]] = {}
            self._series(art, series, series_of)
            resolved: dict[tuple[str, int], Unit] = {}
            for k in range(art.first_line, art.last_line + 1):
                ln = lines[k]
                key = series_of.get(k)
                if (
                    key is None
                    and ln.kind in ("headline", "body")
                    and self._standalone(ln)
                    and not art.national
                ):
                    place = self._lead_place(ln)
                    if place is not None:
                        current = place
                        current_unit = Unit(ln.start, art.end, place, kind="lead")
                if key is not None:
                    unit = resolved.get(key)
                    if unit is None:
                        unit = self._series_unit(series[key], current, art)
                        resolved[key] = unit
                    units[k] = unit if unit.place is not None else current_unit
                else:
                    units[k] = current_unit
        return units

    def _lead_place(self, ln: Line) -> Place | None:
        # 《某省信访条例》 names a law, not what the lines after it are about
        near = [
            m
            for m in self.places_in(*ln.span)
            if m.start - ln.start <= 16
            and m.role not in ("title", "venue")
            and self.text.count("《", ln.start, m.start) <= self.text.count("》", ln.start, m.start)
        ]
        return _most_specific(near) if near else None

    def _series(
        self, art: Article, series: dict[tuple[str, int], list[int]], series_of: dict[int, tuple[str, int]]
    ) -> None:
        """Numbered, lettered and bulleted series: items and the lines that follow them."""
        last: dict[str, tuple[int, int]] = {}
        current: tuple[str, int] | None = None
        ids = 0
        for k in range(art.first_line, art.last_line + 1):
            ln = self.lines[k]
            if ln.kind == "blank":
                continue
            if ln.marker is not None:
                kind = ln.marker
                prev = last.get(kind)
                if prev is not None and (kind in ("bullet", "dash", "letter") or ln.number == prev[1] + 1):
                    sid = prev[0]
                else:
                    ids += 1
                    sid = ids
                last[kind] = (sid, ln.number)
                current = (kind, sid)
            elif current is not None:
                ends = ln.kind in ("byline", "credit", "dateline") or (
                    self._standalone(ln) and current[0] != "letter"
                )
                if ends or current[0] in ("bullet", "dash"):
                    current = None
            if current is not None:
                series.setdefault(current, []).append(k)
                series_of[k] = current

    def _series_unit(self, members: list[int], current: Place | None, art: Article) -> Unit:
        """A series that names another place than its context (a sibling district) belongs to
        that place, if it names it clearly (in full or more than once) and as what it speaks
        of (a topic, an organ): a place named in passing (警力赴某市) is no section's."""
        mentions = [
            m
            for k in members
            for m in self.places_in(*self.lines[k].span)
            if m.role not in ("title", "venue")
        ]
        start, end = self.lines[members[0]].start, self.lines[members[-1]].end
        foreign = [m for m in mentions if current is None or not current.related(m.place)]
        spoken = {m.place for m in foreign if m.role in ("topic", "agent", "campaign")}
        foreign = [m for m in foreign if m.place in spoken]
        best = _best(foreign) if foreign else None
        clear = best is not None and (
            sum(m.place == best for m in foreign) >= 2 or any(m.place == best and m.full for m in foreign)
        )
        if current is None:
            best = _dominant(mentions, 0) if not art.national else None
            clear = best is not None
        return Unit(start, end, best if clear else None, kind="series")

    def _plan_sections(self) -> list[tuple[int, int]]:
        """Spans under a heading over plans and tasks (三、2016年重点工作), each up to the next
        heading of its rank, a headline, or the end of its article."""
        cue = self.rules.cue("plan_heading")
        intro = self.rules.cue("plan_intro")
        out: list[tuple[int, int]] = []
        for art in self.articles:
            k = art.first_line
            while k <= art.last_line:
                ln = self.lines[k]
                if ln.kind in ("heading", "headline") and (
                    cue.match(self.written(ln)) or self._ahead(ln, art)
                ):
                    j = k + 1
                    while j <= art.last_line:
                        nxt = self.lines[j]
                        if nxt.kind == "heading" and nxt.marker == ln.marker:
                            break
                        if ln.marker is None and nxt.kind == "headline" and nxt.blank_before:
                            break
                        j += 1
                    out.append((ln.start, self.lines[j - 1].end))
                    k = j
                    continue
                if ln.kind == "body" and intro.search(self.text, ln.start, ln.end):
                    # ……主要目标和重大任务，这里概述几个方面。 then ——坚持…… ——持续……
                    j = k + 1
                    while (
                        j <= art.last_line
                        and (
                            self.lines[j].kind == "blank"
                            or self.text.startswith("——", self.lines[j].start)
                            # a wrapped bullet going on: its line did not end a sentence
                            or (
                                j > k + 1
                                and self.text[self.lines[j - 1].end - 1 : self.lines[j - 1].end]
                                not in "。！？!?"
                            )
                        )
                    ):
                        j += 1
                    if j > k + 1:
                        out.append((self.lines[k + 1].start, self.lines[j - 1].end))
                    k = j
                    continue
                k += 1
        return out

    def _ahead(self, ln: Line, art: Article) -> bool:
        """A heading over the work of a year after the one the article reports on (三、2011年
        的工作 in a report on 2010): plans."""
        if art.period is None or "工作" not in self.text[ln.start : ln.end]:
            return False
        return any(
            y.year > art.period and y.role in ("stated", "plan") for y in self.years_in(ln.start, ln.end)
        )

    def in_plan(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.plans)

    def unit_of(self, pos: int) -> Unit | None:
        return self._units[self.line_of(pos).index]

    # -- time of writing and period ----------------------------------------------------
    def _date_article(self, art: Article, page_dct: int | None = None) -> None:
        r = self.rules
        text = self.text
        # Time of writing: a dateline, a stamp or a source line with a date.
        for k in range(art.first_line, art.last_line + 1):
            ln = self.lines[k]
            if ln.kind in ("dateline", "credit", "furniture", "headline", "byline"):
                m = r.cue("dateline").in_line(self.written(ln))
                if m and m.group("year"):
                    art.dct = int(m.group("year"))
                    art.dct_month = int(m.group("month")) if m.group("month") else None
                    break
        ys = [y for y in self.years if art.start <= y.start < art.end]
        if art.dct is None:
            for ev in r.cue("review_event").finditer(text, art.start, art.end):
                s, e = ev.span("at")
                inside = [y for y in ys if s <= y.start < e]
                if inside and not self._quoted(s):
                    art.dct = inside[0].year + 1
                    art.dct_from_review = True
                    art.period = inside[0].year
                    break
        if art.dct is None:
            # A full date in the lead of a news item: written then.
            dates = [y for y in ys if y.role == "date" and y.start - art.start < 200]
            recall = r.cue("recall")
            if dates and recall.search(text, self.sentence(dates[0].start)[0], dates[0].start):
                # 人们还记得，2005年12月23日……五年来: a date recalled is no time of writing;
                # the period its length gives ends then.
                art.dct = dates[0].last
            elif dates:
                art.dct = dates[0].year
                month = _MONTH.match(text, dates[0].end)
                art.dct_month = int(month.group(1)) if month else None
        if art.dct is None:
            art.dct = page_dct
            art.dct_from_page = page_dct is not None
        if art.dct_month is None:
            # 本报杭州4月2日讯: the month of writing, even without its year
            for k in range(art.first_line, min(art.last_line + 1, art.first_line + 6)):
                m = r.cue("lead").search(
                    text, self.lines[k].start, min(self.lines[k].end, self.lines[k].start + 40)
                )
                if m and m.group("month"):
                    art.dct_month = int(m.group("month"))
                    break
        if art.period is None:
            art.period = self._period(art, ys)
            if art.period is not None and art.period != art.dct:
                firsts = [
                    y.start
                    for y in ys
                    if y.year == art.period and y.role in ("stated", "since_year", "review")
                ]
                art.period_at = min(firsts) if firsts else art.start

    def _period(self, art: Article, ys: list[YearMention]) -> int | None:
        """The year an article reports on: its headline's (the last year of a range), a year
        it reviews, else the year its statements name most often in topic position."""
        for k in range(art.first_line, art.last_line + 1):
            ln = self.lines[k]
            if ln.kind != "headline":
                continue
            hs = [y for y in self.years_in(*ln.span) if y.role in ("stated", "review", "since_year")]
            if hs:
                return max(y.year for y in hs)
        reviewed = [y for y in ys if y.role == "review"]
        if reviewed:
            return reviewed[0].year
        topical: Counter[int] = Counter()
        said: dict[int, list[int]] = {}  # where each year is said
        starts: set[int] = set()  # years said only as the start of a period (2021年以来)
        for y in ys:
            if y.role == "since_year" and y.last is not None:
                topical[y.last] += 1  # 2021年4月至今……连续13个月: the period runs to 2022
                said.setdefault(y.last, []).append(y.start)
                continue
            if y.role not in ("stated", "since_year") or _EVENT_MONTH.match(self.text, y.end):
                continue  # 1935年10月，...: the date of an event the text recounts
            cs, _ = self.clause(y.start)
            head = self.text[cs : y.start]
            weight = 2 if self.opens(head) and y.role == "stated" else 1
            topical[y.year] += weight
            if y.year not in said and y.role == "since_year":
                starts.add(y.year)
            elif y.role == "stated":
                starts.discard(y.year)
            said.setdefault(y.year, []).append(y.start)
        if art.dct is not None and not art.dct_from_review:
            # 去年 in a text dated 2013 names 2012 as much as 2012年 does
            for s, _, v in self.relatives_in(art.start, art.end):
                if not self.is_now(s):
                    topical[art.dct + v] += 1
                    said.setdefault(art.dct + v, []).append(s)
        if not topical:
            return self._past_year(art)
        candidates = topical
        best = max(candidates, key=lambda y: (candidates[y], y))
        if art.dct is not None and (best > art.dct or candidates[best] < 2):
            # a year said in passing (继2017年首次...) does not outweigh the date
            return self._past_year(art)
        if len(said[best]) == 1 and self._dates_honour(said[best][0]):
            # the one year named dates an award (2018年，某所被评为...; 2017年，该县首次捧得...):
            # an event the text recounts, not the period of the whole text
            return self._past_year(art)
        art.period_from_start = best in starts
        return best

    def _dates_honour(self, pos: int) -> bool:
        """Whether the sentence at ``pos`` names an honour received (a title, or a verb of
        receiving one)."""
        ss, se = self.sentence(pos)
        return (
            any(ss <= s < se for s, _ in self.reserved)
            or self.rules.cue("award").search(self.text, ss, se) is not None
        )

    def _past_year(self, art: Article) -> int | None:
        """The period of a dated text that names none: the year of writing, or the year before
        when it reviews the past year (过去一年...) and was written early in a year (a work
        report delivered in March)."""
        if art.dct is None:
            return None
        if (
            art.dct_month is not None
            and art.dct_month <= 4
            and self.rules.cue("review_past").search(self.text, art.start, art.end)
        ):
            return art.dct - 1
        return art.dct


# -- helpers ---------------------------------------------------------------------------


_MONTH = regex.compile(r"(\d{1,2})月")
# A year with a month and no span after it (1935年10月，红军...) dates an event.
_EVENT_MONTH = regex.compile(r"\d{1,2}月(?![至到份\-—~]|以来|底|末)")


class _Spans:
    """Spans (start, end, value) of one kind, for lookups by position in log time."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self.starts = [s for s, _, _ in self.spans]

    def at(self, pos: int):
        """The value of a span holding ``pos`` (the latest starting one), or None."""
        i = bisect_right(self.starts, pos) - 1
        while i >= 0:
            s, e, v = self.spans[i]
            if s <= pos < e:
                return v
            if pos - s > 200:
                break  # spans are short (cue matches): look no further back
            i -= 1
        return None


_CHAR_RX: dict[frozenset[str], regex.Pattern] = {}


def _char_rx(chars: frozenset[str]) -> regex.Pattern:
    rx = _CHAR_RX.get(chars)
    if rx is None:
        rx = _CHAR_RX[chars] = regex.compile("[" + "".join(regex.escape(c) for c in sorted(chars)) + "]")
    return rx


def _opener_rx(rules: RuleSet) -> regex.Pattern:
    """What may stand before a clause's topic: discourse openers, time phrases, anaphora,
    parenthesized notes, bullets and markers (rules/document.toml, rules/fragments.toml)."""
    parts = [
        rules.cue("opener").regex.pattern,
        rules.cue("anaphora").regex.pattern,
        rules.fragments.get("SUBJECT_TIME", "(?!)"),
        r"(?:\d{4}|[一二][〇零一二三四五六七八九]{3})年(?:度|以来|来|上半年|下半年|全年|前三季度)?",
        r"\d{1,2}月(?:份|\d{1,2}日)?(?:以来|上旬|中旬|下旬|下午|上午)?",
        r"[(（][^)）]{0,12}[)）]",
        r"[-—•■]",
        r"\d{1,2}[.、]?",
    ]
    alternatives = "|".join(f"(?:{p})" for p in parts)
    return regex.compile(rf"^(?:[\s\u3000]*(?:{alternatives})[\s,，、:：]*)*$")


def _most_specific(mentions: list[PlaceMention]) -> Place | None:
    if not mentions:
        return None
    return max(mentions, key=lambda m: (min(m.place.level, 3), -m.start)).place


def _best(mentions: list[PlaceMention]) -> Place | None:
    if not mentions:
        return None
    counts = Counter(m.place for m in mentions)
    return max(counts, key=lambda p: (counts[p], p.level))


def _dominant(mentions: list[PlaceMention], national: int = 0) -> Place | None:
    """The place a stretch is about: the one it names most (in topic position counting
    double), named at least twice or as a topic, more often than the stretch says 我国, and
    with the places inside it at least 40% of its place mentions; when the most named is a
    district among its siblings (天长市, 定远县 in a 滁州市 report), the named place that
    holds them."""
    if not mentions:
        return None
    counts = Counter(m.place for m in mentions)
    topics = Counter(m.place for m in mentions if m.role in ("topic", "campaign", "agent"))
    total = sum(counts.values())

    def weight(p: Place) -> int:
        return sum(n for q, n in counts.items() if q == p or p.contains(q))

    def named(p: Place) -> bool:
        return counts[p] >= 2 or topics[p] > 0

    best = max(counts, key=lambda p: (counts[p] + topics[p], p.level))
    if not named(best) or counts[best] <= national:
        return None
    if weight(best) >= 0.4 * total:
        return best
    holders = [p for p in counts if p.contains(best) and weight(p) >= 0.4 * total and counts[p] > national]
    return max(holders, key=lambda p: (p.level, weight(p))) if holders else None


def _menu(body: str) -> bool:
    """A line of navigation: several short words apart by spaces and nothing else."""
    words = body.split()
    return len(words) >= 5 and all(len(w) <= 4 for w in words) and not any(c.isdigit() for c in body)


def _ordinal(token: str, kind: str) -> int:
    if kind == "letter":
        return ord(token) - ord("A") + 1
    if kind in ("bullet", "dash"):
        return 0
    if kind == "circled":
        return ord(token) - ord("①") + 1
    v = int(token) if token.isdigit() else parse_number(token)
    if v is None and len(token) == 1:
        v = "一二三四五六七八九十".find(token) + 1
    return int(v or 0)
