"""Attributes of the chosen candidates: small declared steps, one job each, reading the Document.

Each step fills some fields of every candidate (``Candidate.fields``), in this order:

* ``subject``: what is counted, measured, ranked or honoured (``subject.py``);
* ``streak``: N of 连续N年 before a ranking, honour or rate;
* ``scope``: the level of an honour, from its title, grantor or clause;
* ``region``: the place the statement is about (SPEC: the most specific place its clause,
  sentence or section names, else its article's place; 我市 and 全县 mean the
  article's place at that level; a statement about the whole country has none);
* ``year``: the year the figure belongs to (SPEC: the year its sentence states, else the
  period of its paragraph, section or article; 今年 and 去年 resolved against the time of
  writing; comparison bases, period starts and plans are not its year);
* ``indicator``: the canonical metric it measures (``indicators.py``), or null.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Protocol

import regex

from .numerals import parse_number
from .subject import SubjectFinder

if TYPE_CHECKING:
    from .document import Document, Line, PlaceMention
    from .engine import Candidate
    from .gazetteer import Place
    from .ruleset import RuleSet


class Step(Protocol):
    name: str
    fields: tuple[str, ...]

    def run(self, doc: Document, chosen: list[Candidate]) -> None: ...


class SubjectStep:
    name = "subject"
    fields = ("subject",)

    def __init__(self, ruleset: RuleSet):
        self.finder = SubjectFinder(ruleset)

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        self.finder.assign(doc, chosen)


class StreakStep:
    """N of 连续N年/届/次 in the clause before a ranking, honour or rate."""

    name = "streak"
    fields = ("streak",)

    def __init__(self, ruleset: RuleSet):
        self._streak = regex.compile(ruleset.fragments.get("STREAK", "(?!)"))

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        for c in chosen:
            if c.rule.kind in ("ranking", "honour", "percent") and c.fields.get("streak") is None:
                c.fields["streak"] = self.streak(doc, c.mstart)

    def streak(self, doc: Document, start: int) -> int | None:
        cs, _ = doc.clause(start)
        found = None
        # 第十次蝉联: the streak runs into the verb the match starts with
        for m in self._streak.finditer(doc.text, cs, start + 4):
            if m.start() < start:
                found = m
        if found is None:
            return None
        v = parse_number(found.group("streak"))
        return int(v) if v and v == int(v) else None


class ScopeStep:
    """The level of an honour: from its title, its grantor, the words before the title, or
    the clause before the verb (first that names one)."""

    name = "scope"
    fields = ("scope",)

    def __init__(self, ruleset: RuleSet):
        self.table: dict[str, list[str]] = ruleset.lexicon("honour_scope")
        self.pool = ruleset.cue("pool")
        self.scopes = regex.compile(ruleset.fragments.get("SCOPE", "(?!)"))

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        for c in chosen:
            if c.rule.kind == "ranking" and not c.fields.get("scope"):
                c.fields["scope"] = self._pool(doc, c)
            if c.rule.kind == "honour" and not c.fields.get("scope"):
                cs, _ = doc.clause(c.mstart)
                places = [
                    c.fields.get("title") or "",
                    c.fields.get("grantor") or "",
                    (c.group("pre") or (0, 0, ""))[2],
                    (c.group("scope") or (0, 0, ""))[2],
                    doc.text[cs : c.mstart],
                ]
                # else the pool of an event named in the sentence (在全省平安建设表彰大会上)
                c.fields["scope"] = self._scope(places) or self._pool(doc, c)

    def _pool(self, doc: Document, c: Candidate) -> str | None:
        """A ranking's pool named apart from it in its sentence (在全省群众安全感调查中，我市位居
        第一): the level word of the last evaluation pool before it."""
        ss, _ = doc.sentence(c.start)
        found = None
        for m in self.pool.finditer(doc.text, ss, c.start):
            # A pool without a level word (市以…排名) names no scope and hides none.
            if scope := self.scopes.match(doc.text, m.start()):
                found = scope
        return found.group() if found else None

    def _scope(self, places: list[str]) -> str | None:
        for where in places:
            for scope, words in self.table.items():
                if any(w in where for w in words):
                    return scope
        return None


class RegionStep:
    """The place a statement is about, from the innermost scope that names one."""

    name = "region"
    fields = ("region",)

    def __init__(self, ruleset: RuleSet):
        self.anaphora = ruleset.cue("anaphora")
        self.national = ruleset.cue("national")
        self.subset = ruleset.cue("subset")
        self.pool = ruleset.cue("pool")
        self.predicate = ruleset.cue("predicate")
        # longest first: 县(市、区) before 县
        words = ruleset.lexicon("division_words") or {}
        self.divisions: dict[str, int] = dict(sorted(words.items(), key=lambda kv: -len(kv[0])))
        self.division_qualifiers = frozenset(ruleset.lexicon("division_word_qualifiers") or [])
        self.level_gap = regex.compile(ruleset.fragments.get("LEVEL_FIGURE_GAP", ""))
        self.share_of = regex.compile("(?:" + ruleset.fragments.get("SHARE_OF", "(?!)") + ")$")
        self.grant = regex.compile("(?:" + ruleset.fragments.get("GRANT_VERB", "(?!)") + r")\s*$")

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        for c in chosen:
            region = self.region(doc, c)
            if region is not None and c.rule.kind == "count":
                region = self._holder(doc, c, region)
            c.fields["region"] = region

    def _holder(self, doc: Document, c: Candidate, name: str) -> str:
        """A count of divisions (10个设区市, 8个县(市、区)) belongs to a place that holds such
        divisions: one at their level or below gives way to the division above it."""
        word = next((w for w in self.divisions if doc.text.startswith(w, c.end)), None)
        after = c.end + len(word) if word is not None else c.end
        if word is None or doc.text[after : after + 1] in self.division_qualifiers:
            return name  # 3个县级中心: the county's own centres, no count of counties
        level = self.divisions[word]
        place = next((m.place for m in doc.places if m.place.name == name), None)
        if place is None or place.level < level or doc.gazetteer is None:
            return name
        above = [p for p in place.ancestors(doc.gazetteer) if p.level < level]
        return above[0].name if above else name

    def region(self, doc: Document, c: Candidate) -> str | None:
        art = doc.article_of(c.start)
        unit = doc.unit_of(c.start)
        context = (unit.place if unit is not None else None) or art.place
        cs, _ = doc.clause(c.start, c.end)
        ss, _ = doc.sentence(c.start, c.end)
        # 天长市、定远县...: a list of places opens the clause (looked for back to where the
        # sentence is looked at, not through a list of any length)
        while cs > max(1, ss) and doc.text[cs - 1] == "、":
            cs = doc.clause(cs - 2)[0]
        own = (c.start, c.end) if c.rule.kind != "honour" else (c.mstart, c.mend)
        # 0. an honour's recipient named right before its verb (哈尔滨市被确定为...试点城市), or
        # right after a verb that confers it (授予香河县“...”称号).
        if c.rule.kind == "honour":
            pre = c.groups.get("pre")
            if pre is not None and self.grant.search(doc.text, max(0, pre[0] - 6), pre[0]):
                given = [m for m in doc.places_in(pre[0], pre[1]) if m.role not in ("title", "venue")]
                if given:
                    return self._name(self._run_of(doc, given))
                we = self.anaphora.match(doc.text, pre[0], pre[1])  # 授予我市“...”
                if we is not None:
                    return self._at_level(doc, c, self.anaphora.value(we), context)
            near = [
                m
                for m in doc.places_in(max(cs, c.mstart - 12), c.mstart)
                if m.role not in ("title", "venue")
                and not regex.search(r"[^被\s]", doc.text[m.end : c.mstart])
            ]
            if near:
                return self._name(self._run_of(doc, near))
        # 1. a level word right before a figure (全省100个县市区, 全市3家): the place at that level;
        # a place right after it that it describes (排名全省第一的井冈山市).
        if c.rule.kind in ("count", "percent", "change", "money"):
            level = self._level_before(doc, cs, c.start)
            if level is not None:
                return self._at_level(doc, c, level, context)
        if c.rule.kind != "honour" and doc.text[own[1] : own[1] + 1] == "的":
            bearer = [
                m
                for m in doc.places_in(own[1] + 1, own[1] + 12)
                if m.start == own[1] + 1 and m.role not in ("title", "venue")
            ]
            if bearer:
                return bearer[0].place.name
        # 2. the clause names the place (东山县获评..., 其中河南省2个, 毕节市查处1900多人).
        clause = self._usable(doc.places_in(cs, c.end), own, context, topic_parents=True, doc=doc)
        if not clause and c.members is not None and c.index > 0:
            # a list's later figures share the clause of its first (天长市、定远县分别上升x、y)
            hs, _ = doc.clause(c.members[0].start)
            hss, _ = doc.sentence(c.members[0].start)
            while hs > max(1, hss) and doc.text[hs - 1] == "、":
                hs = doc.clause(hs - 2)[0]
            clause = self._usable(
                doc.places_in(hs, c.members[0].start), own, context, topic_parents=True, doc=doc
            )
        if clause:
            run = self._run_of(doc, clause)
            if c.members is not None and len(run) == len(c.members):
                return run[c.index].place.name  # 天长市、定远县同比分别上升x、y: in order
            return self._name(run)
        # 3. 我市, 全县 opening the clause: the place spoken of at that level; 全国, 我国: the
        # whole country (在全省率先..., 全省第一: a pool, not the statement's place).
        level = self._anaphor(doc, cs, own[0])
        if level is not None:
            return self._at_level(doc, c, level, context)
        if self._national(doc, cs, own[0]):
            return None
        # 4. the sentence's topic, then its anaphora, for a clause that goes on about it
        # (其中，毕节市查处1900多人，居全国百城第23位); a clause with a subject of its own
        # (3名个人入选...) does not take it.
        if self._goes_on(doc, cs, own[0], c):
            topics = [
                p
                for p in self._usable(doc.places_in(ss, cs), own, context, topic_parents=False, doc=doc)
                if p.role in ("topic", "campaign", "agent")
            ]
            if topics:
                return self._name(self._run_of(doc, topics))
            level = self._anaphor(doc, ss, cs)
            if level is not None:
                return self._at_level(doc, c, level, context)
        # 5. the paragraph's topic: what its first sentence is about.
        para = self._paragraph_place(doc, c, ss, context)
        if para is not None:
            return para.name
        # 6. the section (a lead line, a series), then the article.
        if context is not None:
            return context.name
        return None

    def _goes_on(self, doc: Document, cs: int, start: int, c: Candidate) -> bool:
        """Whether the clause [cs, start) before a figure opens with a predicate (or nothing
        but the figure's own words), so that it goes on about the sentence's subject; a count
        opening its clause with its noun after it (3名个人入选...) has a subject of its own."""
        head = doc.text[cs:start].lstrip(" \t\u3000")
        if not head:
            nxt = doc.text[c.end : c.end + 1]
            return not (c.rule.kind == "count" and nxt and "\u4e00" <= nxt <= "\u9fff")
        return self.predicate.match(head) is not None

    def _level_before(self, doc: Document, cs: int, start: int) -> str | None:
        """The level of an anaphor (全省, 我市) standing right before a figure, maybe with 共 or
        有 between (全市共有3家): it says whose figure it is, wherever the clause opens; not
        the whole it is a share of (占全市63.6%)."""
        for m in self.anaphora.finditer(doc.text, max(cs, start - 8), start):
            if self.level_gap.fullmatch(doc.text, m.end(), start) and not self.share_of.search(
                doc.text, max(0, m.start() - 2), m.start()
            ):
                return self.anaphora.value(m)
        return None

    def _anaphor(self, doc: Document, start: int, end: int) -> str | None:
        """The level of the last anaphor (全市, 我县) in [start, end) that opens its clause and
        does not name an evaluation's pool (全省群众安全感调查)."""
        level = None
        pools = [m.span() for m in self.pool.finditer(doc.text, max(0, start - 2), end + 16)]
        for m in self.anaphora.finditer(doc.text, start, end):
            if any(ps <= m.start() < pe for ps, pe in pools):
                continue
            cs, _ = doc.clause(m.start())
            if doc.opens(doc.text[cs : m.start()]):
                level = self.anaphora.value(m)
        return level

    def _national(self, doc: Document, start: int, end: int) -> bool:
        for m in self.national.finditer(doc.text, start, end):
            cs, _ = doc.clause(m.start())
            if doc.opens(doc.text[cs : m.start()]):
                return True
        return False

    def _usable(
        self,
        mentions: list[PlaceMention],
        own: tuple[int, int],
        context: Place | None,
        *,
        topic_parents: bool,
        doc: Document,
    ) -> list[PlaceMention]:
        out = []
        for m in mentions:
            if m.role in ("title", "venue") or (own[0] <= m.start and m.end <= own[1]):
                continue
            speaks = m.role == "topic" or (m.role == "campaign" and m.opens)
            if context is not None and m.place.contains(context) and not (topic_parents and speaks):
                continue  # 福建省 in a 三明市 report: the province is not what the figure is about
            out.append(m)
        return out

    def _run_of(self, doc: Document, mentions: list[PlaceMention]) -> list[PlaceMention]:
        """The place a clause is about: the last one named before the figure, with the places
        coordinated with it (来安县、天长市、定远县), or the most specific of a chain (武汉市江岸区)."""
        last = mentions[-1]
        run = [last]
        for m in reversed(mentions[:-1]):
            gap = doc.text[m.end : run[0].start]
            if gap in ("", "、", "和", "及", "与", "以及", ",", "，") and gap != "":
                run.insert(0, m)
            elif gap == "" and m.place.contains(run[0].place):
                continue  # a chain: the most specific place stands
            else:
                break
        return run

    @staticmethod
    def _name(run: list[PlaceMention]) -> str:
        names: list[str] = []
        for m in run:
            if m.place.name not in names:
                names.append(m.place.name)
        return "、".join(names)

    def _at_level(self, doc: Document, c: Candidate, level: str, context: Place | None) -> str | None:
        """我市 in a 思明区 section of a 厦门市 report: the nearest place spoken of whose name
        ends with that level (市), else that place's division at that level."""
        chain: list[Place] = []
        ss, _ = doc.sentence(c.start)
        for m in reversed(doc.places_in(ss, c.start)):
            if m.role in ("topic", "agent", "campaign"):
                chain.append(m.place)
        para = self._paragraph_place(doc, c, ss, context)
        if para is not None:
            chain.append(para)
        unit = doc.unit_of(c.start)
        if unit is not None and unit.place is not None:
            chain.append(unit.place)
        art = doc.article_of(c.start)
        if art.place is not None:
            chain.append(art.place)
        for p in chain:
            if p.suffix() == level or (level == "省" and p.level == 1 and p.suffix() in "省区"):
                return p.name
        # 该县 after the text named a county: the last place of that level named before it.
        for m in reversed(doc.places_in(art.start, c.start)):
            if m.role not in ("title", "venue") and m.place.suffix() == level:
                return m.place.name
        gaz = doc.gazetteer
        for p in chain:
            for q in p.ancestors(gaz) if gaz is not None else []:
                if q.suffix() == level:
                    return q.name
        return chain[0].name if chain else None

    def _paragraph_place(self, doc: Document, c: Candidate, ss: int, context: Place | None) -> Place | None:
        """The topic of the paragraph's first sentence, when the figure's sentence follows it,
        that sentence is not about a part (其中...) and speaks of one place (or a chain)."""
        ln = doc.line_of(c.start)
        first = doc.sentence(ln.start)
        if first[0] >= ss and first[1] >= c.start:
            return None  # the figure's own sentence: handled above
        if self.subset.match(doc.text, first[0], first[1]):
            return None
        topics = [
            m
            for m in doc.places_in(first[0], first[1])
            if m.role in ("topic", "agent", "campaign")
            and not (context is not None and m.place.contains(context))
        ]
        if not topics or any(not topics[0].place.related(m.place) for m in topics[1:]):
            return None  # several places side by side (甲市第一，乙市第二): none is
        return topics[0].place


class YearStep:
    """The year a figure belongs to."""

    name = "year"
    fields = ("year",)

    def __init__(self, ruleset: RuleSet):
        self.plan = ruleset.cue("plan")
        self.occasion = ruleset.cue("occasion")
        self.from_value = ruleset.cue("from_value")
        self.year_rx = regex.compile(ruleset.fragments.get("YEAR", "(?!)"))
        # (fragments of rules/document.toml: see there)
        self.at_figure = regex.compile(ruleset.fragments.get("YEAR_TO_FIGURE", "(?!)"))
        self.year_joint = regex.compile(ruleset.fragments.get("YEAR_JOINT", "(?!)"))
        self.year_span = regex.compile(ruleset.fragments.get("YEAR_SPAN", "(?!)"))

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        self.doc = doc
        for c in chosen:
            c.fields["year"] = self.year(doc, c)

    def year(self, doc: Document, c: Candidate) -> int | None:
        art = doc.article_of(c.start)
        if c.rule.kind == "honour":
            title = c.fields.get("title") or ""
            ys = [m for m in self.year_rx.finditer(title)]
            if ys:
                last = ys[-1]
                y2 = last.group("y2")
                y1 = last.group("y1")
                if y2:
                    return int(y2) if len(y2) == 4 else int(y1) // 100 * 100 + int(y2)
                if y1:
                    return int(y1)
            span = c.groups.get("title")
            if span is not None:
                # a year written against the title (荣获2019年全省...先进地市), or between the
                # verb and the title (授予2021年“先进基层党组织”), is the title's
                touching = [
                    y
                    for y in doc.years_in(min(c.mstart, span[0] - 12), span[1])
                    if (y.role == "title" and y.end >= span[0] - 1)
                    or (y.role == "stated" and c.mstart <= y.start < span[0])
                ]
                if touching:
                    return touching[-1].year
        cs, ce = doc.clause(c.start, c.end)
        ss, _ = doc.sentence(c.start, c.end)
        own = (c.start, c.end) if c.rule.kind != "honour" else (c.mstart, c.mend)
        # 0. a list of years and a list of figures of one length pair in order (2011年至2016年
        # ……分别为a、b、…、f); a year written right before the figure is its own (从2018年的
        # 4417件下降至2022年的2114件; 今年上半年的90.84%).
        listed = self._listed(doc, c)
        if listed is not None:
            return listed
        adjacent = self._adjacent(doc, own[0], art)
        if adjacent is not None:
            return adjacent
        start = self._start_value(doc, own[0])
        if start is not None:
            return start
        # 1. the clause states it (2025年达98.76%; 从2021年的78.40%提升至2025年的92.54%); a figure
        # inside a base, an earlier event (继2017年首次荣获“长安杯”后) or a 的-phrase (2016年度
        # 排名第一的某市) has that one's year.
        inside = doc.base_at(own[0])
        stated = [
            y
            for y in doc.years_in(cs, own[0])
            if y.role in ("stated", "date", "review")
            or (y.role in ("base", "attributive") and inside is not None and doc.base_at(y.start) == inside)
        ]
        rel = doc.relatives_in(cs, own[0])
        pick = self._latest(stated, rel, art)
        if pick is not None:
            return pick
        if self._unanchored(stated, rel):
            return None  # 今年 with nothing to say when it was written: no year carried in
        # A year written after the figure counts within its clause (纳入2022年...), unless planned.
        after = [y for y in doc.years_in(own[1], ce) if y.role in ("stated", "date")]
        if after and not self.plan.search(doc.text, own[1], ce):
            return after[0].year
        if self.occasion.search(doc.text, ss, own[0]):
            # 这次又被命名为...: the occasion just reported, not a round named before it
            return self._period(doc, c, art)
        # 2. the sentence states it before the figure.
        stated = [y for y in doc.years_in(ss, cs) if y.role in ("stated", "date", "review")]
        rel = doc.relatives_in(ss, cs)
        pick = self._latest(stated, rel, art)
        if pick is not None:
            return pick
        if self._unanchored(stated, rel):
            return None
        since = [y for y in doc.years_in(ss, own[0]) if y.role in ("since", "since_year")]
        if since:
            return self._since(since[-1], art)
        # 3. the paragraph's time: the last sentence before this one that opens with a year.
        ln = doc.line_of(c.start)
        focus = self._focus(doc, ln.start, ss, art)
        if focus is not None:
            return focus
        return self._period(doc, c, art)

    def _period(self, doc: Document, c: Candidate, art) -> int | None:
        """4. The section's lead line, then the article's period (a period the text states only
        further on does not reach back over a year stated before: 2021年以来... then 2025年...)."""
        unit = doc.unit_of(c.start)
        if unit is not None and unit.kind == "lead":
            lead = doc.line_of(unit.start)
            ys = [y for y in doc.years_in(*lead.span) if y.role in ("stated", "review")]
            if ys:
                return ys[-1].year
        if art.period_at > c.start:
            earlier = [
                y
                for y in doc.years_in(art.start, c.start)
                if y.role in ("stated", "since_year")
                and doc.opens(doc.text[doc.clause(y.start)[0] : y.start])
            ]
            if earlier:
                return earlier[-1].last or earlier[-1].year
        return art.period

    def _latest(self, stated: list, rel: list[tuple[int, int, int]], art) -> int | None:
        best_pos, best = -1, None
        if stated:
            best_pos, best = stated[-1].start, stated[-1].year
        if rel and rel[-1][0] > best_pos:
            now = self.doc.is_now(rel[-1][0])
            anchor = self.doc.now_year(art, rel[-1][0]) if now else self.doc.writing_year(art)
            if anchor is not None:
                return anchor + rel[-1][2]
            return None
        return best

    def _unanchored(self, stated: list, rel: list[tuple[int, int, int]]) -> bool:
        """Whether the last time word is 今年, 去年 or the like (not 目前) and ``_latest`` found
        nothing to resolve it against: the figure's year is unknown, not an earlier one's."""
        return bool(rel) and not self.doc.is_now(rel[-1][0]) and (not stated or stated[-1].start < rel[-1][0])

    @staticmethod
    def _since(y, art) -> int | None:
        """The year of a period that started in y.year (SPEC: a period takes its last year):
        the end its length gives (2018年以来……五年来 -> 2022); else 2021年以来 is that year
        unless the text reports on a later one; 自2017年7月...以来 has no year of its own but
        the text's."""
        if y.last is not None:
            return y.last
        # The text's period counts when the text stated it before (a headline, a dateline, an
        # earlier sentence), not when it is only the year of what follows.
        period = art.period if art.period_at <= y.start else None
        later = [v for v in (period, art.dct) if v is not None and v >= y.year]
        if later:
            return later[0]
        return y.year if y.role == "since_year" else None

    def _listed(self, doc: Document, c: Candidate) -> int | None:
        """The year of a figure of a list (分别为a、b、c) that a list of as many years pairs
        with: years enumerated (2013年、2014年和2015年) or a span (2011年至2016年) in the
        sentence before the list, or in an earlier sentence of the paragraph when no year
        is named between them."""
        if c.members is None:
            return None
        cache = doc.cache.setdefault("year_lists", {})
        key = id(c.members[0])
        if key not in cache:
            cache[key] = self._year_list(doc, c.members[0].mstart)
        years = cache[key]
        if years is not None and len(years) == len(c.members):
            return years[c.index]
        return None

    def _year_list(self, doc: Document, start: int) -> list[int] | None:
        ss, _ = doc.sentence(start)
        ln = doc.line_of(start)
        stretches = [(ss, start), *reversed(doc.sentences_of(ln.start, max(ln.start, ss - 1)))]
        for s, e in stretches:
            ys = [y for y in doc.years_in(s, e) if y.role in ("stated", "plan", "since_year")]
            if not ys:
                if doc.years_in(s, e):
                    return None
                continue
            run = [ys[-1]]
            for y in reversed(ys[:-1]):
                if not self.year_joint.fullmatch(doc.text[y.end : run[0].start]):
                    break
                run.insert(0, y)
            if len(run) == 1:
                y = run[0]
                return list(range(y.first, y.year + 1)) if y.first < y.year <= y.first + 30 else None
            if len(run) == 2 and self.year_span.fullmatch(doc.text[run[0].end : run[1].start]):
                a, b = run[0].year, run[1].year
                return list(range(a, b + 1)) if a < b <= a + 30 else None
            return [y.year for y in run]
        return None

    def _adjacent(self, doc: Document, pos: int, art) -> int | None:
        """The year written right before a figure (2018年的4417件, 今年上半年的90.84%), if any."""
        best: tuple[int, int | None] | None = None
        for y in doc.years_in(pos - 24, pos):
            # (a base's figure, 比2012年的5453起, is the base's: step 1 reads the base)
            if y.role not in ("plan", "title", "base", "attributive") and self.at_figure.fullmatch(
                doc.text, y.end, pos
            ):
                best = (y.end, y.year)
        for s, e, v in doc.relatives_all(pos - 24, pos):
            if self.at_figure.fullmatch(doc.text, e, pos) and (best is None or e > best[0]):
                anchor = doc.now_year(art, s) if doc.is_now(s) else doc.writing_year(art)
                best = (e, anchor + v if anchor is not None else None)
        return best[1] if best is not None else None

    def _start_value(self, doc: Document, pos: int) -> int | None:
        """A figure a change starts from (从41.2%上升到...) with no year of its own takes the
        start year of an earlier change in its paragraph (由2015年的80.5%上升到...；...): the
        paragraph lines its changes up from one base."""
        ends, own, last_at = self._from_marks(doc, doc.line_of(pos))
        k = bisect_right(ends, pos)  # the marks ending at or before the figure
        if k == 0 or ends[k - 1] != pos or own[k - 1]:
            return None  # no start right before it, or one with its own year
        at = last_at[k - 2] if k > 1 else None
        if at is None:
            return None
        ys = doc.years_in(*at)
        return ys[0].year if ys else None

    def _from_marks(
        self, doc: Document, ln: Line
    ) -> tuple[list[int], list[bool], list[tuple[int, int] | None]]:
        """The ends of a line's change starts (由, 从2015年的), whether each has a year, and
        the span of the latest year of those up to each (its own included): found once a line, not
        again from the line's start for each figure (a long line of figures made that
        quadratic). A start and the 到 it looks ahead to hold no sentence end, so the whole
        line finds what a search up to each figure's sentence end finds."""
        cache = doc.cache.setdefault("from_value", {})
        hit = cache.get(ln.start)
        if hit is None:
            ends: list[int] = []
            own: list[bool] = []
            last_at: list[tuple[int, int] | None] = []
            at: tuple[int, int] | None = None
            for m in self.from_value.finditer(doc.text, ln.start, ln.end):
                own.append(bool(m.group("at")))
                if own[-1]:
                    at = m.span("at")
                ends.append(m.end())
                last_at.append(at)
            hit = cache[ln.start] = (ends, own, last_at)
        return hit

    def _focus(self, doc: Document, start: int, end: int, art) -> int | None:
        """The year the paragraph's sentences before ``end`` open with (the latest)."""
        timeline = self._timeline(doc, start, art)
        i = bisect_right(timeline[0], end) - 1
        return timeline[1][i] if i >= 0 else None

    def _timeline(self, doc: Document, start: int, art) -> tuple[list[int], list[int | None]]:
        """For the paragraph at ``start``: the sentence starts where its time changes, and the
        year from there on (computed once a paragraph)."""
        cache = doc.cache.setdefault("year_focus", {})
        hit = cache.get(start)
        if hit is not None:
            return hit
        ln = doc.line_of(start)
        starts: list[int] = []
        years: list[int | None] = []
        best: int | None = None
        for s, _e in doc.sentences_of(ln.start, ln.end):
            _cs, ce = doc.clause(s)
            head_years = [y for y in doc.years_in(s, ce) if y.role in ("stated", "review", "date")]
            rel = doc.relatives_in(s, ce)
            new = best
            if head_years or rel:
                pick = self._latest(head_years, rel, art)
                if pick is not None or self._unanchored(head_years, rel):
                    new = pick
            else:
                since = [y for y in doc.years_in(s, ce) if y.role in ("since", "since_year")]
                if since:
                    new = self._since(since[-1], art)
            if new != best or not starts:
                # the time a sentence opens with holds for the sentences after it
                starts.append(_e + 1)
                years.append(new)
                best = new
        cache[start] = (starts, years)
        return starts, years


class IndicatorStep:
    """The canonical metric a figure measures (rules/indicators.toml), from its kind, subject
    and unit, with its sentence up to it (the verb that says which metric it is)."""

    name = "indicator"
    fields = ("indicator",)

    def __init__(self, ruleset: RuleSet):
        self.taxonomy = ruleset.indicators

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        for c in chosen:
            if self.taxonomy is None:
                c.fields["indicator"] = None
                continue
            ss, _ = doc.sentence(c.mstart)
            c.fields["indicator"] = self.taxonomy.of(
                c.rule.kind,
                c.fields.get("subject"),
                c.fields.get("unit"),
                doc.text[max(ss, c.mstart - 160) : c.mstart],
            )


def default_steps(ruleset: RuleSet) -> list[Step]:
    """The attribute steps, in the order they run."""
    return [
        SubjectStep(ruleset),
        StreakStep(ruleset),
        ScopeStep(ruleset),
        RegionStep(ruleset),
        YearStep(ruleset),
        IndicatorStep(ruleset),
    ]
