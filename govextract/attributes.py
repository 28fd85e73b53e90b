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
    from .document import Document, PlaceMention
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

    def run(self, doc: Document, chosen: list[Candidate]) -> None:
        for c in chosen:
            c.fields["region"] = self.region(doc, c)

    def region(self, doc: Document, c: Candidate) -> str | None:
        art = doc.article_of(c.start)
        unit = doc.unit_of(c.start)
        context = (unit.place if unit is not None else None) or art.place
        cs, _ = doc.clause(c.start, c.end)
        while cs > 1 and doc.text[cs - 1] == "、":
            cs = doc.clause(cs - 2)[0]  # 天长市、定远县...: a list of places opens the clause
        ss, _ = doc.sentence(c.start, c.end)
        own = (c.start, c.end) if c.rule.kind != "honour" else (c.mstart, c.mend)
        # 0. an honour's recipient named right before its verb (哈尔滨市被确定为...试点城市).
        if c.rule.kind == "honour":
            near = [
                m
                for m in doc.places_in(max(cs, c.mstart - 12), c.mstart)
                if m.role not in ("title", "venue")
                and not regex.search(r"[^被\s]", doc.text[m.end : c.mstart])
            ]
            if near:
                return self._name(self._run_of(doc, near))
        # 1. the clause names the place (东山县获评..., 其中河南省2个, 毕节市查处1900多人).
        clause = self._usable(doc.places_in(cs, c.end), own, context, topic_parents=True, doc=doc)
        if not clause and c.members is not None and c.index > 0:
            # a list's later figures share the clause of its first (天长市、定远县分别上升x、y)
            hs, _ = doc.clause(c.members[0].start)
            while hs > 1 and doc.text[hs - 1] == "、":
                hs = doc.clause(hs - 2)[0]
            clause = self._usable(
                doc.places_in(hs, c.members[0].start), own, context, topic_parents=True, doc=doc
            )
        if clause:
            run = self._run_of(doc, clause)
            if c.members is not None and len(run) == len(c.members):
                return run[c.index].place.name  # 天长市、定远县同比分别上升x、y: in order
            return self._name(run)
        # 2. 我市, 全县 opening the clause: the place spoken of at that level; 全国, 我国: the
        # whole country (在全省率先..., 全省第一: a pool, not the statement's place).
        level = self._anaphor(doc, cs, own[0])
        if level is not None:
            return self._at_level(doc, c, level, context)
        if self._national(doc, cs, own[0]):
            return None
        # 3. the sentence's topic, then its anaphora, for a clause that goes on about it
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
        # 4. the paragraph's topic: what its first sentence is about.
        para = self._paragraph_place(doc, c, ss, context)
        if para is not None:
            return para.name
        # 5. the section (a lead line, a series), then the article.
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
            if (
                context is not None
                and m.place.contains(context)
                and not (topic_parents and m.role == "topic")
            ):
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
        """The topic of the paragraph's first sentence, when the figure's sentence follows it
        and that sentence is not about a part (其中...)."""
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
        return topics[0].place if topics else None


class YearStep:
    """The year a figure belongs to."""

    name = "year"
    fields = ("year",)

    def __init__(self, ruleset: RuleSet):
        self.plan = ruleset.cue("plan")
        self.year_rx = regex.compile(ruleset.fragments.get("YEAR", "(?!)"))

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
        cs, ce = doc.clause(c.start, c.end)
        ss, _ = doc.sentence(c.start, c.end)
        own = (c.start, c.end) if c.rule.kind != "honour" else (c.mstart, c.mend)
        # 1. the clause states it (2025年达98.76%; 从2021年的78.40%提升至2025年的92.54%); a figure
        # inside a base or an earlier event (继2017年首次荣获“长安杯”后) has that one's year.
        inside = doc.base_at(own[0])
        stated = [
            y
            for y in doc.years_in(cs, own[0])
            if y.role in ("stated", "date", "review")
            or (y.role == "base" and inside is not None and doc.base_at(y.start) == inside)
        ]
        rel = doc.relatives_in(cs, own[0])
        pick = self._latest(stated, rel, art)
        if pick is not None:
            return pick
        # A year written after the figure counts within its clause (纳入2022年...), unless planned.
        after = [y for y in doc.years_in(own[1], ce) if y.role in ("stated", "date")]
        if after and not self.plan.search(doc.text, own[1], ce):
            return after[0].year
        # 2. the sentence states it before the figure.
        stated = [y for y in doc.years_in(ss, cs) if y.role in ("stated", "date", "review")]
        rel = doc.relatives_in(ss, cs)
        pick = self._latest(stated, rel, art)
        if pick is not None:
            return pick
        since = [y for y in doc.years_in(ss, own[0]) if y.role in ("since", "since_year")]
        if since:
            return self._since(since[-1], art)
        # 3. the paragraph's time: the last sentence before this one that opens with a year.
        ln = doc.line_of(c.start)
        focus = self._focus(doc, ln.start, ss, art)
        if focus is not None:
            return focus
        # 4. the section's lead line, then the article's period (a period the text states only
        # further on does not reach back over a year stated before: 2021年以来... then 2025年...).
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
                return earlier[-1].year
        return art.period

    def _latest(self, stated: list, rel: list[tuple[int, int, int]], art) -> int | None:
        best_pos, best = -1, None
        if stated:
            best_pos, best = stated[-1].start, stated[-1].year
        if rel and rel[-1][0] > best_pos:
            anchor = self.doc.writing_year(art)
            if anchor is not None:
                return anchor + rel[-1][2]
            return None
        return best

    @staticmethod
    def _since(y, art) -> int | None:
        """The year of a period that started in y.year: 2021年以来 is that year unless the text
        reports on a later one; 自2017年7月...以来 has no year of its own but the text's."""
        # The text's period counts when the text stated it before (a headline, a dateline, an
        # earlier sentence), not when it is only the year of what follows.
        period = art.period if art.period_at <= y.start else None
        later = [v for v in (period, art.dct) if v is not None and v >= y.year]
        if later:
            return later[0]
        return y.year if y.role == "since_year" else None

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
                if pick is not None:
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
