"""Extraction: normalized text -> candidate spans -> resolved values -> records.

The flow, top to bottom:
1. normalize the source (``normalize.py``), keeping a map back to it;
2. run every exclusion rule and mark what it covers (dates, years, ordinals, codes...);
3. run every metric rule: each match is a candidate span (extract first);
4. drop candidates whose figure an exclusion covers, then resolve overlaps;
5. resolve values, units, signs (parse second);
6. build the Document (``document.py``) and run the attribute steps over the chosen
   candidates: subject, streak, scope, region, year (``attributes.py``);
7. map spans back to the source and validate the records.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import regex

from .attributes import Step, default_steps
from .backtrack import STEP_SECONDS, unwatched
from .document import Document
from .normalize import NormText, normalize, to_simplified
from .numerals import NumeralError, read_number
from .record import KINDS, NUMERIC_KINDS, Record, line_starts
from .ruleset import TIMEOUT, Rule, RuleSet, load_rules, parse_ref

# Kinds that compete for the same characters: two numeric readings of one figure
# cannot both be right, but a ranking may sit inside an honour's sentence.
_GROUP = {k: ("numeric" if k in NUMERIC_KINDS else k) for k in KINDS}
_HALF = Decimal("0.5")


class RuleTimeout(Warning):
    """A rule hit the regex timeout on a document: its matches there are incomplete."""


@dataclass(slots=True)
class Candidate:
    rule: Rule
    start: int  # the anchor span, in normalized text
    end: int
    mstart: int  # the whole match
    mend: int
    groups: dict[str, tuple[int, int, str]]
    head: Candidate | None = None  # for a list continuation, the match it continues
    fields: dict[str, Any] = field(default_factory=dict)
    # The figures of the list this one belongs to (A、B分别下降x%、y%), and its place in it.
    members: list[Candidate] | None = None
    index: int = 0

    def group(self, name: str) -> tuple[int, int, str] | None:
        g = self.groups.get(name)
        if g is None and self.head is not None:
            return self.head.group(name)
        return g


@dataclass(slots=True)
class TraceEvent:
    """What happened to one candidate (for ``govextract explain``)."""

    rule: str
    kind: str
    text: str
    start: int
    end: int
    outcome: str  # "record", or why it was dropped


@dataclass
class Extraction:
    records: list[Record]
    trace: list[TraceEvent]
    warnings: list[str]


def _groups(m: regex.Match) -> dict[str, tuple[int, int, str]]:
    out = {}
    for name in m.re.groupindex:
        s, e = m.span(name)
        if s >= 0 and e > s:
            out[name] = (s, e, m.group(name))
    return out


def _candidate(rule: Rule, m: regex.Match, head: Candidate | None = None) -> Candidate:
    groups = _groups(m)
    anchor = rule.spec.anchor
    if anchor and anchor in groups:
        s, e, _ = groups[anchor]
    elif head is not None and groups:
        # A list item (、18%): the record starts at its own figure, not at the separator.
        s, e = min(g[0] for g in groups.values()), m.end()
    else:
        s, e = m.span()
    return Candidate(rule=rule, start=s, end=e, mstart=m.start(), mend=m.end(), groups=groups, head=head)


# Sentences: a rule with a gate runs only over the sentences its gate finds something in.
def _sentence_rx(rules: RuleSet) -> regex.Pattern:
    end = rules.charsets.get("SENTENCE_END", "。！？!?；;\n")
    cls = "".join(regex.escape(c) for c in end)
    return regex.compile(rf"[^{cls}]+[{cls}]?|\n")


_GAP = 200
_PER_SECOND = 100_000  # characters of a stretch a rule is allowed one second more for
_REACH = 40  # how far before or after a figure a match that covers it may start or end


class _Spans:
    """The spans of one text that each gate lets through (computed once per gate)."""

    def __init__(self, text: str, sentence: regex.Pattern):
        self.text = text
        self._sentence = sentence
        self._sentences: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._by_gate: dict[Any, list[tuple[int, int]]] = {}

    def of(self, gate: Any) -> list[tuple[int, int]]:
        if gate is None:
            return [(0, len(self.text))]
        spans = self._by_gate.get(gate)
        if spans is None:
            self._split()
            spans = []
            for s, e in self._gated(gate):
                if spans and s - spans[-1][1] < _GAP:
                    # Run on through near sentences: scanning a short gap costs less
                    # than starting another scan.
                    spans[-1] = (spans[-1][0], e)
                else:
                    spans.append((s, e))
            self._by_gate[gate] = spans
        return spans

    def _split(self) -> None:
        if self._sentences is None:
            self._sentences = [m.span() for m in self._sentence.finditer(self.text)]
            self._starts = [s for s, _ in self._sentences]

    def near(self, gate: Any, positions: list[int]) -> list[tuple[int, int]]:
        """The spans of ``of(gate)`` within reach of ``positions`` (sorted): the sentences
        from _REACH characters before each to _REACH after it, where a match that covers it
        can start and end (a URL's ``?`` ends a sentence inside it)."""
        if not positions:
            return []
        self._split()
        sentences, starts = self._sentences or [], self._starts
        near: list[tuple[int, int]] = []
        for p in positions:
            if near and p + _REACH <= near[-1][1]:
                continue
            s = sentences[max(0, bisect_right(starts, p - _REACH) - 1)][0]
            e = sentences[max(0, bisect_right(starts, p + _REACH) - 1)][1]
            if near and s <= near[-1][1]:
                near[-1] = (near[-1][0], e)
            else:
                near.append((s, e))
        if gate is None:
            return near
        return _intersect(self.of(gate), near)

    def _gated(self, gate: Any) -> Iterator[tuple[int, int]]:
        """The sentences in which the gate finds something. One scan of the text finds the
        candidates (most sentences have none); each is confirmed within its sentence."""
        sentences = self._sentences or []
        starts = self._starts
        text, pos, end = self.text, 0, len(self.text)
        while pos < end and (m := gate.search(text, pos)) is not None:
            k = bisect_right(starts, m.start()) - 1
            s, e = sentences[k]
            if m.end() <= e or gate.search(text, s, e):
                yield s, e
            pos = max(e, m.start() + 1)


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The overlaps of two sorted lists of disjoint spans."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _finditer(
    rule: Rule,
    pattern: Any,
    text: str,
    warnings: list[str],
    doc: str,
    spans: _Spans | None = None,
    timeout: float = TIMEOUT,
    within: list[tuple[int, int]] | None = None,
    unwatched: int = 0,
) -> Iterator[regex.Match]:
    """Matches of a rule (within the given spans, or its gate's); a rule that runs out of
    time is reported, never a hang. A stretch no longer than ``unwatched`` is scanned
    without the timeout: the rule's worst case there fits in what it allows (backtrack.py)."""
    if within is None:
        within = spans.of(rule.gate) if spans is not None else [(0, len(text))]
    for s, e in within:
        if e - s <= unwatched:
            yield from pattern.finditer(text, s, e)
            continue
        try:
            # The allowance grows with the stretch scanned (a second per 100k characters
            # on top): a rule that is merely slow on a huge sentence finishes, the same on
            # every run; only runaway backtracking is cut.
            yield from pattern.finditer(text, s, e, timeout=timeout + (e - s) / _PER_SECOND)
        except TimeoutError:
            line = text.count("\n", 0, s) + 1
            warnings.append(
                f"{doc}: rule {rule.id} timed out after {timeout:g} s near line {line}; "
                "its matches in that sentence are skipped"
            )


class Extractor:
    """Runs a rule set over texts. Build once, call many times."""

    def __init__(self, rules: RuleSet | None = None, *, timeout: float = TIMEOUT):
        self.rules = rules or load_rules()
        self.timeout = timeout  # seconds one rule may spend on one stretch of text
        self._free: dict[str, int] = {}  # rule id -> the longest stretch it scans unwatched
        self.steps: list[Step] = default_steps(self.rules)
        self._sentence = _sentence_rx(self.rules)
        # The rule tables live as long as the process: moved out of the collector's reach,
        # collections between runs do not walk them (and forked workers do not touch their pages).
        gc.freeze()

    # -- 2. exclusions -------------------------------------------------
    def _exclusion_masks(
        self,
        text: str,
        trace: list[TraceEvent] | None,
        warnings: list[str],
        doc: str,
        spans: _Spans,
        cands: list[Candidate],
    ) -> dict[str, _Cover]:
        # An exclusion matters only where it could cover a candidate's figure: each runs over
        # the sentences holding a candidate of a kind it applies to (and passing its gate).
        at: dict[str, list[int]] = {}
        for c in cands:
            at.setdefault(c.rule.kind, []).append(_target(c)[0])
        covered: dict[str, list[tuple[int, int]]] = {}
        reach: dict[tuple[Any, frozenset[str]], list[tuple[int, int]]] = {}
        for rule in self.rules.exclusion_rules:
            key = (rule.gate, frozenset(rule.applies_to))
            within = reach.get(key)
            if within is None:
                positions = sorted({p for kind in key[1] for p in at.get(kind, ())})
                within = reach[key] = spans.near(rule.gate, positions)
            for m in _finditer(
                rule, rule.regex, text, warnings, doc, spans, self.timeout, within, self._unwatched(rule)
            ):
                s, e = m.span()
                if e <= s:
                    continue
                for kind in rule.applies_to:
                    covered.setdefault(kind, []).append((s, e))
                if trace is not None:
                    trace.append(TraceEvent(rule.id, "exclude", m.group(), s, e, "excludes"))
        return {kind: _Cover(spans) for kind, spans in covered.items()}

    def _unwatched(self, rule: Rule) -> int:
        """The longest stretch a rule scans without the regex timeout (backtrack.py)."""
        found = self._free.get(rule.id)
        if found is None:
            found = self._free[rule.id] = unwatched(self.rules.worst_steps(rule), self.timeout, _PER_SECOND)
        return found

    def _continuation_timeout(self, rule: Rule) -> float | None:
        """The timeout of one try of a rule's continuation: none when its worst case fits in it."""
        steps = self.rules.worst_steps(rule, "continuation")
        return None if steps is not None and steps * STEP_SECONDS <= self.timeout else self.timeout

    # -- 3. candidates ---------------------------------------------------
    def _candidates(self, text: str, warnings: list[str], doc: str, spans: _Spans) -> list[Candidate]:
        out: list[Candidate] = []
        for rule in self.rules.metric_rules:
            limit = self._continuation_timeout(rule) if rule.continuation is not None else None
            for m in _finditer(
                rule, rule.regex, text, warnings, doc, spans, self.timeout, None, self._unwatched(rule)
            ):
                if m.end() <= m.start():
                    continue
                head = _candidate(rule, m)
                out.append(head)
                if rule.continuation is not None:
                    pos = m.end()
                    try:
                        while (cm := rule.continuation.match(text, pos, timeout=limit)) and cm.end() > pos:
                            out.append(_candidate(rule, cm, head))
                            pos = cm.end()
                    except TimeoutError:
                        warnings.append(
                            f"{doc}: the continuation of rule {rule.id} timed out at offset {pos}"
                        )
        return out

    # -- 5. values -------------------------------------------------------
    def _resolve(self, c: Candidate, norm: NormText) -> str:
        """Fill ``c.fields`` from the rule's productions; return why it failed, or ''."""
        f: dict[str, Any] = {}
        grammar = self.rules.numerals
        approx = False
        for key, spec in c.rule.spec.produce.items():
            ref = parse_ref(spec)
            if ref is None:
                f[key] = spec
                continue
            g = c.group(ref.group)
            raw = g[2] if g else None
            if raw is None:
                f[key] = ref.default
                continue
            if ref.lexicon is not None:
                table = self.rules.lexicon(ref.lexicon)
                if key == "sign":
                    if raw not in table:
                        return f"{raw!r} is not in [lexicon.{ref.lexicon}]"
                    f[key] = table[raw]
                else:
                    f[key] = table.get(raw, raw)
            elif key == "value":
                scale = c.groups.get("scale")
                if scale is not None and g is not None and scale[0] >= g[1]:
                    # 二十五亿七千多万: the figure is read whole, the approximation word
                    # standing for the places it leaves open.
                    raw = norm.text[g[0] : scale[1]]
                try:
                    n = read_number(raw, grammar)
                except NumeralError as exc:
                    return f"value: {exc}"
                value = n.value
                approx = approx or n.approx
                if c.group("half") is not None:
                    value += _HALF  # 一吨半, 三成半: half a unit more
                if ref.scale is not None:
                    value *= ref.scale  # "$num*10": 九成 is 90 percent
                f[key] = value
            elif key in ("rank", "top", "streak"):
                try:
                    v = grammar.read(raw).value
                except NumeralError:
                    v = None
                if v is None or v != int(v) or v <= 0:
                    return f"{key} {raw!r} is not a whole number"
                f[key] = int(v)
            else:
                # Text fields come from the source (its own punctuation), simplified and
                # without noise, line breaks, spaces and quotes.
                f[key] = _clean(self.rules.noise.clean(norm.source[slice(*norm.src_span(g[0], g[1]))]))
        value = f.get("value")
        if value is not None and not isinstance(value, Decimal):
            try:
                f["value"] = value = Decimal(str(value))  # a literal or a looked-up number
            except ArithmeticError:
                return f"value {value!r} is not a number"
        sign = f.pop("sign", None)
        if sign is not None and value is not None:
            f["value"] = value * sign
        # A figure is approximate when any approx* group of its own match is filled, or
        # its numeral leaves a digit open (二十几万).
        f["approx"] = bool(f.get("approx")) or approx or any(name.startswith("approx") for name in c.groups)
        c.fields = f
        return ""

    # -- the whole flow -----------------------------------------------------
    def run(self, source: str, doc: str = "-", *, explain: bool = False) -> Extraction:
        # A run makes many small objects and few cycles: the cyclic collector, walking
        # all of them again and again on a large file, is off until the run ends.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(source, doc, explain)
        finally:
            if enabled:
                gc.enable()

    def _run(self, source: str, doc: str, explain: bool) -> Extraction:
        trace: list[TraceEvent] | None = [] if explain else None
        warnings: list[str] = []
        norm = normalize(source, self.rules)
        text = norm.text
        spans = _Spans(text, self._sentence)
        cands = self._candidates(text, warnings, doc, spans)
        masks = self._exclusion_masks(text, trace, warnings, doc, spans, cands)
        kept: list[Candidate] = []
        for c in cands:
            target = _target(c)
            mask = masks.get(c.rule.kind)
            why = ""
            if mask is not None and mask.hits(target[0], target[1]):
                why = "excluded"
            else:
                why = self._resolve(c, norm)
            if why:
                if trace is not None:
                    trace.append(_event(c, text, why))
                continue
            kept.append(c)
        chosen = _resolve_overlaps(kept, text, trace)
        chosen.sort(key=lambda c: (c.start, c.end, c.rule.kind))
        document = Document(
            norm,
            self.rules,
            reserved=[
                c.groups["title"][:2] for c in chosen if c.rule.kind == "honour" and "title" in c.groups
            ],
        )
        # Under a heading over plans and tasks (三、2016年重点工作) figures are targets.
        planned = [c for c in chosen if document.in_plan(c.start)]
        if planned:
            chosen = [c for c in chosen if not document.in_plan(c.start)]
            if trace is not None:
                trace.extend(_event(c, text, "in a plan section") for c in planned)
        for step in self.steps:
            step.run(document, chosen)
        records: list[Record] = []
        starts = line_starts(source)
        validation = {"source": source, "line_starts": starts}
        for c in chosen:
            s, e = norm.src_span(c.start, c.end)
            f = c.fields
            data = {
                "doc": doc,
                "kind": c.rule.kind,
                "subject": f.get("subject"),
                "value": f.get("value"),
                "unit": f.get("unit"),
                "approx": f.get("approx", False),
                "text": source[s:e],
                "start": s,
                "end": e,
                "line": bisect_right(starts, s),
                "region": f.get("region"),
                "year": f.get("year"),
                "rule": c.rule.id,
            }
            for key in ("basis", "scope", "rank", "top", "tier", "title", "grantor", "streak"):
                if f.get(key) is not None:
                    data[key] = f[key]
            if data["kind"] == "ranking" and data["value"] is None:
                data["value"] = f.get("rank")
            data["indicator"] = f.get("indicator")
            records.append(Record.model_validate(data, context=validation))
            if trace is not None:
                trace.append(_event(c, text, "record"))
        if trace:
            # Rules matched the normalized text: report every event on the source.
            for ev in trace:
                ev.start, ev.end = norm.src_span(ev.start, ev.end)
                ev.text = source[ev.start : ev.end]
            trace.sort(key=lambda ev: (ev.start, ev.end, ev.outcome != "record"))
        return Extraction(records=records, trace=trace or [], warnings=warnings)


def _target(c: Candidate) -> tuple[int, int, str]:
    """What an exclusion must cover to drop a candidate: its figure, or an honour's title."""
    return c.groups.get("num") or c.groups.get("title") or (c.start, c.end, "")


def _event(c: Candidate, text: str, outcome: str) -> TraceEvent:
    return TraceEvent(c.rule.id, c.rule.kind, text[c.start : c.end], c.start, c.end, outcome)


def _clean(raw: str) -> str:
    text = to_simplified(_NOISE.sub("", raw)).replace("（", "(").replace("）", ")")
    return _TITLE_TAIL.sub("", text).rstrip("…")


_NOISE = regex.compile(r"[\s“”\"‘’「」『』]")
_TITLE_TAIL = regex.compile(r"(?:荣誉称号|称号)$")


class _Cover:
    """What exclusions cover, as sorted disjoint intervals: memory by matches, not by text."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in sorted(spans):
            if self.ends and s <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], e)
            else:
                self.starts.append(s)
                self.ends.append(e)

    def hits(self, s: int, e: int) -> bool:
        """Whether any character of [s, e) is covered."""
        if e <= s:
            return False
        k = bisect_left(self.starts, e) - 1
        return k >= 0 and self.ends[k] > s


# Taken spans are filed in buckets of this many characters: a check looks at the few
# buckets its span touches, whatever the length of the text. A bucket's spans are
# disjoint and kept sorted, so a check is one bisection, however densely figures sit.
_BUCKET = 1024


def _resolve_overlaps(cands: list[Candidate], text: str, trace: list[TraceEvent] | None) -> list[Candidate]:
    """Keep the best of overlapping readings: higher priority, then the longer span."""
    order = sorted(cands, key=lambda c: (-c.rule.priority, -(c.mend - c.mstart), c.mstart, c.rule.id))
    taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
    out: list[Candidate] = []
    for c in order:
        group = _GROUP[c.rule.kind]
        s, e = c.start, c.end
        if e <= s:
            out.append(c)  # an empty span covers nothing and overlaps nothing
            continue
        buckets = range(s // _BUCKET, (e - 1) // _BUCKET + 1)
        if any(_overlaps(taken.get((group, b)), s, e) for b in buckets):
            if trace is not None:
                other = next(o for o in out if _GROUP[o.rule.kind] == group and o.start < e and s < o.end)
                trace.append(_event(c, text, f"overlaps {other.rule.id}"))
            continue
        for b in buckets:
            insort(taken.setdefault((group, b), []), (s, e))
        out.append(c)
    return out


def _overlaps(spans: list[tuple[int, int]] | None, s: int, e: int) -> bool:
    """Whether any of ``spans`` (sorted, disjoint) overlaps [s, e): the last one starting
    before ``e`` ends furthest of those."""
    if not spans:
        return False
    k = bisect_left(spans, (e,)) - 1
    return k >= 0 and spans[k][1] > s


_DEFAULT: Extractor | None = None


def default_extractor() -> Extractor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Extractor()
    return _DEFAULT


def extract(text: str, doc: str = "-", *, rules: RuleSet | None = None) -> list[Record]:
    """All metric records of one text."""
    extractor = Extractor(rules) if rules is not None else default_extractor()
    return extractor.run(text, doc).records


__all__ = ["Candidate", "Extraction", "Extractor", "NormText", "TraceEvent", "default_extractor", "extract"]
