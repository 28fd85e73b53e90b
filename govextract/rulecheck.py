"""Run every rule's, cue's and fragment's own examples: the corpus beside each rule is its
test (metric and exclusion rules, cues, indicators, noise rules, fragments, the HTML chrome
conventions)."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

import regex

from .engine import Extractor
from .indicators import check_taxonomy
from .noise import NoiseRule
from .normalize import fold_width, normalize, to_simplified
from .numerals import exact
from .record import Record
from .ruleset import (
    LINE_CUES,
    Cue,
    CueExample,
    FragmentExample,
    FragmentNegative,
    Rule,
    RuleSet,
    fragment_error,
)

NONE = "__none__"  # an expected field value meaning "must be null"


def _same(key: str, got: Any, want: Any) -> bool:
    if want == NONE:
        return got is None
    if key == "value" and _number(want) and _number(got):
        # Exact: an example's 94.6 is the decimal 94.6, and 4.6亿 must be 460000000.
        return exact(want) == exact(got)
    return got == want


def _number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal) and not isinstance(v, bool)


def _matches(record: Record, want: dict[str, Any]) -> bool:
    data = record.model_dump()
    return all(_same(k, data.get(k), v) for k, v in want.items())


def _describe(records: list[Record]) -> str:
    if not records:
        return "nothing"
    keys = ("text", "value", "unit", "approx", "subject", "basis", "scope", "rank", "top", "tier", "title")
    return "; ".join(
        "{" + ", ".join(f"{k}={getattr(r, k)!r}" for k in keys if getattr(r, k) is not None) + "}"
        for r in records
    )


def check_rule(extractor: Extractor, rule: Rule) -> list[str]:
    problems: list[str] = []
    label = f"{rule.file}: rule {rule.id!r}"
    fields = set(Record.model_fields)
    for i, ex in enumerate(rule.spec.examples, 1):
        if rule.gate is not None and not rule.gate.search(normalize(ex.text, extractor.rules).text):
            problems.append(
                f"{label}: example {i} {ex.text!r}: its gate {rule.spec.gate} lets nothing through"
            )
        records = extractor.run(ex.text, "-").records
        if rule.kind == "exclude":
            norm = normalize(ex.text, extractor.rules)
            spans = [norm.src_span(*m.span()) for m in rule.regex.finditer(norm.text) if m.end() > m.start()]
            if not spans:
                problems.append(f"{label}: example {i} {ex.text!r}: the exclusion does not match")
            for r in records:
                if r.kind in rule.applies_to and any(r.start < e and s < r.end for s, e in spans):
                    problems.append(
                        f"{label}: example {i} {ex.text!r}: a {r.kind} record {r.text!r} survives"
                    )
            continue
        mine = [r for r in records if r.rule == rule.id]
        if not ex.expect:
            problems.append(f"{label}: example {i} has no `expect`: list the records it must produce")
        used: set[int] = set()
        for want in ex.expect:
            unknown = set(want) - fields
            if unknown:
                problems.append(f"{label}: example {i}: unknown field(s) {sorted(unknown)} in expect")
                continue
            hit = next((j for j, r in enumerate(mine) if j not in used and _matches(r, want)), None)
            if hit is None:
                problems.append(f"{label}: example {i} {ex.text!r}: expected {want}, got {_describe(mine)}")
            else:
                used.add(hit)
    for text in rule.spec.negatives:
        if rule.kind == "exclude":
            if any(m.end() > m.start() for m in rule.regex.finditer(normalize(text, extractor.rules).text)):
                problems.append(f"{label}: negative {text!r}: the exclusion matches")
            continue
        mine = [r for r in extractor.run(text, "-").records if r.rule == rule.id]
        if mine:
            problems.append(f"{label}: negative {text!r}: produced {_describe(mine)}")
    return problems


def _as_matched(cue: Cue, text: str) -> str:
    """The text as the cue sees it: a line cue the line as written, others the normalized text."""
    return to_simplified(fold_width(text)) if cue.kind in LINE_CUES else normalize(text).text


def check_cue(extractor: Extractor, cue: Cue) -> list[str]:
    """A cue's examples match (what and with which value they say), the records their
    `expect` lists come out of the whole engine, and its negatives do not match."""
    problems: list[str] = []
    label = f"{cue.file}: cue {cue.id!r}"
    fields = set(Record.model_fields)
    for i, raw in enumerate(cue.spec.examples, 1):
        ex = raw if isinstance(raw, CueExample) else CueExample(text=raw)
        text = _as_matched(cue, ex.text)
        found = [m for m in cue.regex.finditer(text) if m.end() > m.start()]
        if not found and not ex.expect:
            problems.append(f"{label}: example {i} {ex.text!r}: the cue does not match")
        if ex.match is not None and not any(m.group() == ex.match for m in found):
            problems.append(
                f"{label}: example {i} {ex.text!r}: expected a match {ex.match!r}, got "
                f"{[m.group() for m in found]}"
            )
        if ex.value is not None:
            values = [cue.values.get(m.group("word")) for m in found if "word" in m.re.groupindex]
            if ex.value not in values:
                problems.append(
                    f"{label}: example {i} {ex.text!r}: expected value {ex.value!r}, got {values}"
                )
        if ex.expect:
            records = extractor.run(ex.text, "-").records
            used: set[int] = set()
            for want in ex.expect:
                unknown = set(want) - fields
                if unknown:
                    problems.append(f"{label}: example {i}: unknown field(s) {sorted(unknown)} in expect")
                    continue
                hit = next((j for j, r in enumerate(records) if j not in used and _matches(r, want)), None)
                if hit is None:
                    got = "; ".join(
                        f"{{text={r.text!r}, region={r.region!r}, year={r.year!r}}}" for r in records
                    )
                    problems.append(
                        f"{label}: example {i} {ex.text!r}: expected {want}, got {got or 'nothing'}"
                    )
                else:
                    used.add(hit)
    for text in cue.spec.negatives:
        hits = [m.group() for m in cue.regex.finditer(_as_matched(cue, text)) if m.end() > m.start()]
        if hits:
            problems.append(f"{label}: negative {text!r}: the cue matches {hits}")
    return problems


def check_noise(ruleset: RuleSet, rule: NoiseRule) -> list[str]:
    """A noise rule's examples give their clean text (and keep the offset map whole); its
    negatives hold nothing it matches."""
    problems: list[str] = []
    label = f"{rule.file}: noise {rule.id!r}"
    for i, ex in enumerate(rule.spec.examples, 1):
        if not rule.regex.search(ex.text):
            problems.append(f"{label}: example {i} {ex.text!r}: the pattern does not match")
        norm = normalize(ex.text, ruleset)
        if norm.text != ex.clean:
            problems.append(f"{label}: example {i} {ex.text!r}: rules see {norm.text!r}, not {ex.clean!r}")
        index = norm.index
        if any(b < a for a, b in pairwise(index)) or index[-1] != len(ex.text):
            problems.append(f"{label}: example {i}: the offset map back to the text is broken")
    for text in rule.spec.negatives:
        found = [m.group() for m in rule.regex.finditer(text) if m.end() > m.start()]
        if found:
            problems.append(f"{label}: negative {text!r}: the pattern matches {found}")
    return problems


def check_html(ruleset: RuleSet) -> list[str]:
    """The ``[html]`` examples: the page's text keeps what it must and drops the chrome."""
    from .htmltext import html_to_text

    problems: list[str] = []
    for i, ex in enumerate(ruleset.html.examples, 1):
        text = html_to_text(ex.html, ruleset.html)
        for want in ex.keep:
            if want not in text:
                problems.append(f"html example {i}: {want!r} is missing from the text {text!r}")
        for unwanted in ex.drop:
            if unwanted in text:
                problems.append(f"html example {i}: {unwanted!r} is still in the text {text!r}")
        if not ex.keep and not ex.drop:
            problems.append(f"html example {i}: says nothing to keep or drop")
    return problems


def count_examples(ruleset: RuleSet) -> int:
    """How many examples and negatives the rules carry (of every kind)."""
    n = sum(len(r.spec.examples) + len(r.spec.negatives) for r in ruleset.rules)
    n += sum(len(r.spec.examples) + len(r.spec.negatives) for r in ruleset.noise_rules)
    n += sum(len(f.examples) + len(f.negatives) for f in ruleset.fragment_specs.values())
    n += sum(len(c.spec.examples) + len(c.spec.negatives) for c in ruleset.cues)
    if ruleset.indicators is not None:
        n += sum(len(i.spec.examples) + len(i.spec.negatives) for i in ruleset.indicators.indicators)
    return n + len(ruleset.html.examples)


def check_examples(ruleset: RuleSet) -> list[str]:
    """Every rule's, cue's, indicator's (indicators.check_taxonomy) and noise rule's
    examples, and the HTML examples; check_fragments runs the fragments' own."""
    extractor = Extractor(ruleset)
    problems: list[str] = []
    for rule in ruleset.rules:
        problems.extend(check_rule(extractor, rule))
    for cue in ruleset.cues:
        problems.extend(check_cue(extractor, cue))
    if ruleset.indicators is not None:
        problems.extend(check_taxonomy(ruleset.indicators))
    for noise in ruleset.noise_rules:
        problems.extend(check_noise(ruleset, noise))
    problems.extend(check_html(ruleset))
    return problems


def _as_fragments_see(text: str) -> str:
    """Half-width and simplified, as every fragment sees text (the noise layer and the line
    joins of normalization use fragments too, before the rest of normalization)."""
    return to_simplified(fold_width(text))


def check_fragments(ruleset: RuleSet) -> list[str]:
    """Every fragment compiles on its own; it matches each of its examples as a whole and
    none of its negatives (half-width and simplified). An example in context,
    ``{ text, match }``, is matched as ``match`` at the start of its text; a negative in
    context, ``{ text }``, is not matched at its start (not even by an empty match)."""
    problems: list[str] = []
    for name, frag in ruleset.fragment_specs.items():
        error = fragment_error(name, ruleset.fragment_specs, ruleset.fragments, ruleset.charsets)
        if error is not None:
            problems.append(error)
            continue
        label = f"{frag.file}: fragment {name!r}"
        rx = regex.compile(ruleset.fragments[name], regex.V0)
        seen = _as_fragments_see
        for ex in frag.examples:
            if isinstance(ex, FragmentExample):
                m = rx.match(seen(ex.text))
                got = m.group() if m else None
                if got != seen(ex.match):
                    problems.append(
                        f"{label}: example {ex.text!r}: matches {got!r} at its start, not {ex.match!r}"
                    )
            elif rx.fullmatch(seen(ex)) is None:
                problems.append(f"{label}: example {ex!r} is not matched as a whole")
        for neg in frag.negatives:
            if isinstance(neg, FragmentNegative):
                m = rx.match(seen(neg.text))
                if m is not None:
                    problems.append(f"{label}: negative {neg.text!r}: {m.group()!r} is matched at its start")
            elif rx.fullmatch(seen(neg)) is not None:
                problems.append(f"{label}: negative {neg!r} is matched as a whole")
    return problems
