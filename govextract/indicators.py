"""Indicators: the canonical name of a metric that recurs across reports.

The taxonomy is data (``[[indicator]]`` entries in ``rules/indicators.toml``, or in a
user's rule files): each entry has a canonical name, the kind and unit family of its
figures, the subject phrases that map to it (patterns that may use the rules'
fragments) and its own positive and negative example subjects.

A record's subject maps to an indicator when one of the entry's phrases ends the
subject (a Chinese noun phrase ends with its head: ``青岛市刑事警情`` is 刑事警情), what
stands before that phrase does not narrow it (a place, a time, ``各类``: yes;
``部督``, ``七类案件``, a verb: no), no ``not`` pattern of the entry is in the subject,
and the record's kind and unit fit the entry. The words before the subject in the
figure's sentence count as part of it (a subject may leave out the verb that says which
metric it is). Of several entries the longest phrase wins; two entries matching equally
long phrases mean the subject is ambiguous: no indicator. An entry marked ``total`` gets
none when the words just before the figure name a narrower topic (a campaign's results:
``打掉涉毒团伙12个，抓获犯罪嫌疑人...``). Precision first: a wrong indicator puts a figure
in the wrong column of a table.

``indicator_of(kind, subject, unit)`` runs once per record: patterns are compiled
once per rule set and answers are cached by (kind, subject, unit).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .normalize import to_simplified

# The kinds an indicator can have, and the record kinds that can carry one.
IndicatorKind = Literal["count", "percent", "money"]
INDICATOR_KINDS: frozenset[str] = frozenset({"count", "percent", "money", "change"})
_CACHE_MAX = 50_000
_REACH = 32  # characters of a phrase that can matter: the longest pattern and what precedes it
# How far before a total's phrase a narrower topic makes it the topic's: the genre names a
# campaign just before its results (打掉黑恶势力犯罪团伙4个，破获刑事案件26起: 9 characters;
# 23 at most in ../shared/dev); a topic further back in a long run-on sentence is another
# item's.
_TOPIC_REACH = 48
_TRAILING_HAN = regex.compile(r"\p{Han}+$")


# Schemas built at the first validation, as for the rule entries (ruleset.py).
class SubjectExample(BaseModel):
    """A subject with the kind and unit of its figure (defaults: the entry's kind
    and the first unit of its family) and, optionally, its sentence up to the figure."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    subject: str
    kind: str | None = None
    unit: str | None = None
    context: str | None = None


class IndicatorSpec(BaseModel):
    """The schema of one ``[[indicator]]`` entry."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)
    name: str
    kind: IndicatorKind
    unit: str  # a family of [lexicon.indicator_unit]
    description: str
    patterns: list[str] = Field(min_length=1)
    not_: list[str] = Field(default=[], alias="not")
    # A total (all criminal cases solved, all suspects caught): none when the sentence
    # before the figure names a narrower topic ([lexicon] indicator_topics), since the
    # genre lists a campaign's results as 破获电诈案件470起，抓获犯罪嫌疑人500人.
    total: bool = False
    examples: list[str | SubjectExample] = []
    negatives: list[str | SubjectExample] = []

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip() or v != v.strip() or "," in v:
            raise ValueError("a name is one phrase without commas or outer spaces")
        return v


@dataclass(frozen=True)
class Indicator:
    """A compiled taxonomy entry."""

    spec: IndicatorSpec
    file: str
    pattern: Any  # the entry's phrases, anchored at the end of the subject
    veto: Any | None
    units: tuple[str, ...]  # the unit family, in the order the rule file lists it

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    def fits(self, kind: str, unit: str | None) -> bool:
        """Whether a figure of this kind and unit can be this indicator: its own kind in
        a unit of its family, or a change of it (relative %, percentage points of a rate,
        or an absolute change in a unit of its family)."""
        if kind == self.kind:
            return unit in self.units
        if kind != "change":
            return False
        if unit == "%":
            return True
        if unit == "百分点":
            return self.kind == "percent"
        return self.kind != "percent" and unit in self.units


class Taxonomy:
    """The indicators of a rule set and the lookup from (kind, subject, unit)."""

    def __init__(
        self,
        indicators: list[Indicator],
        *,
        free_before: Any,
        place_suffix: str,
        not_place: Any,
        noise: Any,
        tail: Any,
        conjunct: Any,
        junk: Any,
        topics: Any,
        all_words: Any,
        item: Any,
        complete: Any,
        free_lead: Any,
    ):
        self.indicators = indicators
        self._free_before = free_before
        self._place_suffix = place_suffix
        self._not_place = not_place
        self._noise = noise
        self._tail = tail
        self._conjunct = conjunct
        self._junk = junk
        self._topics = topics
        self._all_words = all_words
        self._item = item
        self._complete = complete
        self._free_lead = free_lead
        self._metric_cache: dict[str, bool] = {}
        self._load_places: Callable[[], Collection[str]] | None = None
        self._places: frozenset[str] | None = None
        self._by_fit: dict[tuple[str, str | None], list[Indicator]] = {}
        self._cache: dict[tuple[str, str, str | None, int], tuple[Indicator, int] | None] = {}

    def use_places(self, load: Callable[[], Collection[str]]) -> None:
        """Where the short names of places come from (江苏, 下城: the gazetteer's), loaded
        the first time a phrase needs them."""
        self._load_places = load
        self._places = None
        self._metric_cache.clear()
        self._cache.clear()

    def _is_place(self, word: str) -> bool:
        if self._places is None:
            self._places = frozenset(self._load_places() if self._load_places else ())
        return word in self._places

    @property
    def names(self) -> list[str]:
        return [i.name for i in self.indicators]

    def by_name(self, name: str) -> Indicator:
        for i in self.indicators:
            if i.name == name:
                return i
        raise KeyError(name)

    def phrase(self, subject: str, context: str | None = None) -> str:
        """What the patterns are matched against (see ``_core``), at most the few words
        that can matter, without link words at its end (破案率达 -> 破案率)."""
        return self._phrase(subject, context)[1]

    def _phrase(self, subject: str, context: str | None) -> tuple[str, str, int]:
        """The core (see ``_core``), its phrase and where the subject begins in it."""
        core, at = self._core(subject, context)
        tail = core[-_REACH:]
        return core, self._tail.sub("", tail), max(0, at - (len(core) - len(tail)))

    def _core(self, subject: str, context: str | None) -> tuple[str, int]:
        """The subject, simplified, without pinyin glosses, spaces, quotes and stray signs
        at its ends, extended to the left by ``context`` (the figure's sentence up to the
        figure): by the words before the subject when it stands there (a subject may
        leave out the verb or qualifier that says which metric it is: 破获|刑事案件,
        受理审查|起诉案件), also when it stands there only without the words that say
        "all of them" (立各类刑事案件 for 立刑事案件); by the words before the longest
        beginning of it that the sentence has, for a subject the Document composed
        (受理审查起诉案件71件91人: 受理|审查起诉人数; 刑事、治安案件: 全市|刑事案件);
        else by the whole context (the verb before a figure whose subject follows it:
        破获|118起|养老诈骗案件). Also where the subject begins in what it returns."""
        core = self._junk.sub("", self._noise.sub("", to_simplified(subject)))
        if not context or not core:
            return core, 0
        text = self._noise.sub("", to_simplified(context))
        at = text.rfind(core)
        if at >= 0:
            return text[: at + len(core)], at
        text = self._all_words.sub("", text)
        core = self._all_words.sub("", core) or core
        at = text.rfind(core)
        if at >= 0:
            return text[: at + len(core)], at
        # The verb just before the figure that begins the subject (排查出涉法上访案件3起，
        # 处理|3起: 处理涉法上访案件).
        for n in range(min(len(core) - 1, len(text)), 1, -1):
            if text.endswith(core[:n]):
                return text[:-n] + core, len(text) - n
        # A beginning of at least two characters and two fifths of the subject: 命案 of
        # 命案发案数 (全省命案、五类案件...发案数), 审查起诉 of 审查起诉人数.
        for n in range(len(core) - 1, 1, -1):
            if 5 * n < 2 * len(core):
                break
            at = text.rfind(core[:n])
            if at >= 0:
                return text[:at] + core, at
        return text + core, len(text)

    def _fitting(self, kind: str, unit: str | None) -> list[Indicator]:
        key = (kind, unit)
        found = self._by_fit.get(key)
        if found is None:
            found = self._by_fit[key] = [i for i in self.indicators if i.fits(kind, unit)]
        return found

    def free(self, before: str, joined: bool = True) -> bool:
        """Whether what stands before an indicator's phrase leaves it whole. The words
        that do not narrow (各类, 全年, 共, 公安机关, a year) are taken off its end; then
        what is left must be nothing, a sign or a digit (not the 、 after another noun:
        交通、火灾事故), or a place (a name ending in 市, 县, 区 ..., not 社区 or 景区).
        A verb behind such words still narrows: 审结各类|审查逮捕案件. A metric of its
        own joined by 、 or 和 (刑事治安警情、|刑事立案; 公众安全感和|执法满意度), or a
        noun with its head (五类案件、|两抢案件), shares no words with the phrase, and a
        bare modifier of two characters borrowed the phrase's head (刑事、|治安案件); it is
        free too, when the sentence joins them and the subject does not (``joined``: a
        subject 刑事案件、治安案件 is of both together)."""
        before = self._free_before.sub("", before)
        if not before:
            return True
        item = self._item.search(before) if joined else None
        if item is not None:
            noun = item.group(1)
            bare = len(self._free_lead.sub("", noun)) == 2
            if bare or self._complete.search(noun) or self._is_metric(noun):
                return True
        last = before[-1]
        if not ("\u3400" <= last <= "\u9fff" or "\uf900" <= last <= "\ufaff"):
            return not self._conjunct.search(before)
        if last in self._place_suffix and len(before) >= 2 and not self._not_place.search(before):
            return True
        # A place's short name after a sign or at the start (近三年来，江苏|群众安全感).
        run = _TRAILING_HAN.search(before)
        return run is not None and self._is_place(run.group())

    def _is_metric(self, phrase: str) -> bool:
        """Whether a phrase is a metric of the taxonomy (whatever its figure's kind)."""
        known = self._metric_cache.get(phrase)
        if known is None:
            known = False
            for ind in self.indicators:
                m = ind.pattern.search(phrase)
                if m is not None and m.start() < len(phrase) and self.free(phrase[: m.start()]):
                    known = True
                    break
            if len(self._metric_cache) >= _CACHE_MAX:
                self._metric_cache.clear()
            self._metric_cache[phrase] = known
        return known

    def matches(
        self, kind: str, subject: str | None, unit: str | None, context: str | None = None
    ) -> list[tuple[Indicator, int]]:
        """Every entry that the subject maps to, with the length of its phrase."""
        if kind not in INDICATOR_KINDS or not subject:
            return []
        _, s, own = self._phrase(subject, context)
        return self._matches(kind, s, unit, own)

    def _matches(self, kind: str, s: str, unit: str | None, own: int) -> list[tuple[Indicator, int]]:
        """The entries whose phrase ends ``s``; the subject begins at ``own``."""
        out = []
        if not s:
            return out
        for ind in self._fitting(kind, unit):
            m = ind.pattern.search(s)
            if m is None or not self.free(s[: m.start()], m.start() <= own):
                continue
            if ind.veto is not None and ind.veto.search(s):
                continue
            out.append((ind, m.end() - m.start()))
        return out

    def of(self, kind: str, subject: str | None, unit: str | None, context: str | None = None) -> str | None:
        """The indicator of a figure, or None when its subject maps to none or to two, or
        to a total in a sentence about a narrower topic."""
        if kind not in INDICATOR_KINDS or not subject:
            return None
        core, s, own = self._phrase(subject, context)
        key = (kind, s, unit, own)
        try:
            best = self._cache[key]
        except KeyError:
            best = None
            found = self._matches(kind, s, unit, own)
            if found:
                longest = max(n for _, n in found)
                top = [i for i, n in found if n == longest]
                best = (top[0], longest) if len(top) == 1 else None
            if len(self._cache) >= _CACHE_MAX:
                self._cache.clear()
            self._cache[key] = best
        if best is None:
            return None
        ind, length = best
        # The phrase ends s, s starts the last _REACH characters of core (without link
        # words at their end): where the phrase starts in core.
        start = len(core) - len(core[-_REACH:]) + len(s) - length
        if ind.spec.total and self._topics.search(core, max(0, start - _TOPIC_REACH), start):
            return None
        return ind.name


def _example(ex: str | SubjectExample, spec: IndicatorSpec, units: list[str]) -> SubjectExample:
    if isinstance(ex, str):
        ex = SubjectExample(subject=ex)
    return SubjectExample(
        subject=ex.subject,
        kind=ex.kind or spec.kind,
        unit=ex.unit or (units[0] if units else None),
        context=ex.context,
    )


def _show(e: SubjectExample) -> str:
    return f"{e.subject!r} ({e.kind}, {e.unit}" + (f", context {e.context!r})" if e.context else ")")


def _alternation(words: list[str]) -> str:
    uniq = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(regex.escape(w) for w in uniq) + ")" if uniq else "(?!)"


def compile_taxonomy(
    specs: list[tuple[str, int, dict[str, Any]]],
    lexicons: dict[str, Any],
    expand: Callable[[str, list[str]], str],
    problems: list[str],
) -> Taxonomy:
    """Validate and compile ``[[indicator]]`` entries (``(file, index, raw)``); every
    problem is appended to ``problems``, naming its file and entry. ``expand`` turns
    ``{FRAGMENT}`` references into regex text, listing unknown names."""
    families: dict[str, list[str]] = lexicons.get("indicator_unit") or {}
    known_units = {"%", "百分点"}
    unit_map = lexicons.get("unit") or {}
    for word in [
        *lexicons.get("count_unit", []),
        *lexicons.get("scale_led_unit", []),
        *lexicons.get("money_unit", []),
    ]:
        known_units.add(unit_map.get(word, word))
    for family, words in families.items():
        bad = [w for w in words if w not in known_units]
        if bad:
            problems.append(
                f"[lexicon.indicator_unit] {family}: {', '.join(bad)} is not a measure word, "
                "money unit or % of the rules"
            )
    compiled: list[Indicator] = []
    seen: dict[str, str] = {}
    for path, i, raw in specs:
        label = f"{path}: indicator {raw.get('name', f'#{i + 1}')!r}"
        try:
            spec = IndicatorSpec.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {loc}: {err['msg']}")
            continue
        if spec.name in seen:
            problems.append(f"{label}: duplicate name (first defined in {seen[spec.name]})")
            continue
        seen[spec.name] = path
        ok = True
        units = families.get(spec.unit)
        if units is None:
            problems.append(
                f"{label}: unit: no family {spec.unit!r} in [lexicon.indicator_unit] "
                f"(families: {', '.join(sorted(families))})"
            )
            ok = False
        rx: list[Any] = []
        for what, texts in (("patterns", spec.patterns), ("not", spec.not_)):
            if not texts:
                rx.append(None)
                continue
            unknown: list[str] = []
            body = "|".join(f"(?:{expand(t, unknown)})" for t in texts)
            for u in unknown:
                problems.append(f"{label}: {what}: {u}")
                ok = False
            try:
                rx.append(regex.compile(f"(?:{body})$" if what == "patterns" else body))
            except regex.error as exc:
                problems.append(f"{label}: {what} do not compile: {exc}")
                ok = False
                rx.append(None)
        if not spec.examples:
            problems.append(f"{label}: an indicator needs positive examples (subjects that map to it)")
            ok = False
        if not spec.negatives:
            problems.append(f"{label}: an indicator needs negative examples (subjects that must not)")
            ok = False
        if ok:
            compiled.append(Indicator(spec, path, rx[0], rx[1], tuple(units or ())))
    lex = lexicons
    cleaning = []
    for name, fallback in (
        ("INDICATOR_NOISE", r"\s"),
        ("INDICATOR_TAIL", "(?!)"),
        ("INDICATOR_CONJUNCT", "(?!)"),
        ("INDICATOR_JUNK", "(?!)"),
        ("INDICATOR_ALL", "(?!)"),
        ("INDICATOR_ITEM", "(?!)"),
        ("INDICATOR_COMPLETE", "(?!)"),
    ):
        unknown: list[str] = []
        text = expand("{" + name + "}", unknown)
        if unknown and specs:
            problems.append(f"indicators: no fragment {name} (what a subject is cleaned of)")
        cleaning.append(regex.compile(fallback if unknown else text))
    return Taxonomy(
        compiled,
        free_before=regex.compile(
            # Words that do not narrow, a year or a month, a figure's unit (its digits are a
            # sign): the figure counting who acted (3.2万个|人民调解组织|调解纠纷), the one
            # before in a list (上升15.92个百分点和|...), the sum a fund is (300万元的|法律
            # 援助经费) and the share of people who hold a view (64.98%的群众|认为治安好于
            # 去年的群众).
            "(?:"
            + _alternation(lex.get("indicator_free_before", []))
            + r"|(?<=\d)年度?|(?<=\d)月份?|(?<=\d)[万千百]?[个家]|(?<=\d)个?百分点|(?<=\d)[万亿]?元的"
            + r"|(?<=%)的"
            + _alternation(lex.get("indicator_respondents", []))
            + ")+$"
        ),
        free_lead=regex.compile("^(?:" + _alternation(lex.get("indicator_free_before", [])) + ")+"),
        place_suffix=str(lex.get("indicator_place_suffix", "")),
        # Words that end no place name (乡镇), and words that may (城区: 下城区 is one).
        not_place=regex.compile(
            "(?:"
            + _alternation(lex.get("indicator_not_place", []))
            + r"|(?<!\p{Han})"
            + _alternation(lex.get("indicator_not_place_word", []))
            + ")$"
        ),
        noise=cleaning[0],
        tail=cleaning[1],
        conjunct=cleaning[2],
        junk=cleaning[3],
        all_words=cleaning[4],
        item=cleaning[5],
        complete=cleaning[6],
        topics=regex.compile(_alternation(lex.get("indicator_topics", []))),
    )


def check_taxonomy(taxonomy: Taxonomy) -> list[str]:
    """Run every indicator's examples: each positive maps to it, no negative does; each
    entry has an example in simplified and one in traditional script."""
    problems: list[str] = []
    for ind in taxonomy.indicators:
        label = f"{ind.file}: indicator {ind.name!r}"
        scripts = set()
        for ex in ind.spec.examples:
            e = _example(ex, ind.spec, list(ind.units))
            scripts.add("simplified" if to_simplified(e.subject) == e.subject else "traditional")
            got = taxonomy.of(e.kind or ind.kind, e.subject, e.unit, e.context)
            if got != ind.name:
                found = taxonomy.matches(e.kind or "", e.subject, e.unit, e.context)
                others = ", ".join(f"{i.name} ({n})" for i, n in found)
                problems.append(
                    f"{label}: example {_show(e)} maps to {got!r}"
                    + (f"; matches: {others}" if others else "")
                )
        for ex in ind.spec.negatives:
            e = _example(ex, ind.spec, list(ind.units))
            if taxonomy.of(e.kind or ind.kind, e.subject, e.unit, e.context) == ind.name:
                problems.append(f"{label}: negative {_show(e)} maps to it")
        for script in ("simplified", "traditional"):
            if ind.spec.examples and script not in scripts:
                problems.append(f"{label}: needs a positive example in {script} script")
    return problems


_DEFAULT: Taxonomy | None = None


def default_taxonomy() -> Taxonomy:
    """The built-in taxonomy (compiled once)."""
    global _DEFAULT
    if _DEFAULT is None:
        from .ruleset import load_rules

        _DEFAULT = load_rules().indicators
    return _DEFAULT


def indicator_of(
    kind: str,
    subject: str | None,
    unit: str | None,
    context: str | None = None,
    taxonomy: Taxonomy | None = None,
) -> str | None:
    """The canonical indicator of a figure of ``kind`` and ``unit`` whose subject is
    ``subject``, or None when unsure: ``indicator_of("percent", "破案率", "%")`` is
    ``"破案率"``. ``context``, the figure's sentence up to the figure, lets the words just
    before the subject count (``indicator_of("count", "刑事案件", "起", "全年破获刑事案件")``
    is ``"刑事案件破案数"``). ``taxonomy`` defaults to the built-in one."""
    return (taxonomy or default_taxonomy()).of(kind, subject, unit, context)


__all__ = ["Indicator", "IndicatorSpec", "Taxonomy", "check_taxonomy", "compile_taxonomy", "indicator_of"]
