"""Run every rule's own examples: the corpus beside each rule is its test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .engine import Extractor
from .normalize import normalize
from .numerals import exact
from .record import Record
from .ruleset import Rule, RuleSet

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
        if rule.gate is not None and not rule.gate.search(normalize(ex.text).text):
            problems.append(
                f"{label}: example {i} {ex.text!r}: its gate {rule.spec.gate} lets nothing through"
            )
        records = extractor.run(ex.text, "-").records
        if rule.kind == "exclude":
            norm = normalize(ex.text)
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
            if any(m.end() > m.start() for m in rule.regex.finditer(normalize(text).text)):
                problems.append(f"{label}: negative {text!r}: the exclusion matches")
            continue
        mine = [r for r in extractor.run(text, "-").records if r.rule == rule.id]
        if mine:
            problems.append(f"{label}: negative {text!r}: produced {_describe(mine)}")
    return problems


def check_examples(ruleset: RuleSet) -> list[str]:
    extractor = Extractor(ruleset)
    problems: list[str] = []
    for rule in ruleset.rules:
        problems.extend(check_rule(extractor, rule))
    return problems
