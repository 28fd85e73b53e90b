"""Score records against gold annotations as SPEC.md version 2 ("How a prediction is scored") says.

A prediction matches a gold record of the same document when the kinds are
equal, the spans overlap, and: for count, percent, change and money the values
agree to 1e-6 relative and the units are equal; for ranking rank, top and scope
are equal; for honour the titles contain one another. Matching is one-to-one;
required golds choose first so an optional gold never takes a needed
prediction; an unmatched prediction overlapping an optional gold of its kind is
not an error. Subject, region and year accuracy are counted over matched pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .normalize import to_simplified
from .record import KINDS, NUMERIC_KINDS

_IGNORED = frozenset(" \u3000\"'“”‘’《》「」『』()（）")


def _norm(value: Any) -> str:
    if value is None:
        return ""
    return "".join(c for c in to_simplified(str(value)) if c not in _IGNORED)


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))


def _overlap(p: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    try:
        return int(p["start"]) < int(g["end"]) and int(g["start"]) < int(p["end"])
    except (KeyError, TypeError, ValueError):
        return False


def _contains_either(a: Any, b: Any) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x) and bool(y) and (x in y or y in x)


def same_subject(a: Any, b: Any) -> bool:
    """SPEC v2: either phrase contains the other, and the shorter is at least half as long
    as the longer (化解率 matches 矛盾纠纷化解率; 率 matches nothing)."""
    x, y = _norm(a), _norm(b)
    return _contains_either(x, y) and 2 * min(len(x), len(y)) >= max(len(x), len(y))


def agrees(p: Mapping[str, Any], g: Mapping[str, Any]) -> bool:
    kind = g["kind"]
    if p.get("kind") != kind or not _overlap(p, g):
        return False
    if kind in NUMERIC_KINDS:
        return _close(p.get("value"), g.get("value")) and _norm(p.get("unit")) == _norm(g.get("unit"))
    if kind == "ranking":
        return (
            p.get("rank") == g.get("rank")
            and p.get("top") == g.get("top")
            and _norm(p.get("scope")) == _norm(g.get("scope"))
        )
    if kind == "honour":
        return _contains_either(p.get("title"), g.get("title"))
    return False


@dataclass
class Score:
    tp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fp: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fn: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    attributes: dict[str, list[int]] = field(default_factory=dict)  # field -> [right, asked]
    misses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    extras: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    wrong: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def row(self, kind: str) -> dict[str, float]:
        if kind == "all":
            t, f_p, f_n = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            t, f_p, f_n = self.tp[kind], self.fp[kind], self.fn[kind]
        p = t / (t + f_p) if t + f_p else 0.0
        r = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"tp": t, "fp": f_p, "fn": f_n, "precision": p, "recall": r, "f1": f1}

    def accuracy(self, name: str) -> tuple[float | None, int]:
        right, asked = self.attributes.get(name, [0, 0])
        return (right / asked if asked else None), asked

    def as_dict(self) -> dict[str, Any]:
        return {
            "kinds": {k: self.row(k) for k in (*KINDS, "all")},
            "attributes": {k: list(self.accuracy(k)) for k in self.attributes},
        }


def _ask(score: Score, name: str, right: bool) -> None:
    slot = score.attributes.setdefault(name, [0, 0])
    slot[0] += bool(right)
    slot[1] += 1


def load_gold(gold_dir: Path) -> dict[str, list[dict[str, Any]]]:
    gold: dict[str, list[dict[str, Any]]] = {}
    for f in sorted(Path(gold_dir).glob("*.jsonl")):
        gold[f.stem] = [orjson.loads(line) for line in f.read_bytes().splitlines() if line.strip()]
    return gold


def score(gold: Mapping[str, list[dict[str, Any]]], predictions: Iterable[Mapping[str, Any]]) -> Score:
    """Score predictions (dicts with at least doc, kind, start, end) against gold by document stem."""
    preds: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for p in predictions:
        stem = Path(str(p.get("doc", ""))).stem
        if stem in gold:
            preds[stem].append(p)
    s = Score()
    for doc, golds in gold.items():
        mine = preds[doc]
        used: set[int] = set()
        for g in sorted(golds, key=lambda g: bool(g.get("optional"))):
            hit = next((i for i, p in enumerate(mine) if i not in used and agrees(p, g)), None)
            if hit is None:
                if not g.get("optional"):
                    s.fn[g["kind"]] += 1
                    s.misses.append((doc, g))
                continue
            used.add(hit)
            if g.get("optional"):
                continue
            s.tp[g["kind"]] += 1
            p = mine[hit]
            if g["kind"] != "honour" and g.get("subject"):
                ok = same_subject(p.get("subject"), g["subject"])
                _ask(s, "subject", ok)
                if not ok:
                    s.wrong.append((doc, "subject", dict(p), g))
            if g.get("region"):
                ok = _contains_either(p.get("region"), g["region"])
                _ask(s, "region", ok)
                if not ok:
                    s.wrong.append((doc, "region", dict(p), g))
            if g.get("year"):
                ok = p.get("year") == g["year"]
                _ask(s, "year", ok)
                if not ok:
                    s.wrong.append((doc, "year", dict(p), g))
        for i, p in enumerate(mine):
            if i in used:
                continue
            if any(g.get("optional") and g["kind"] == p.get("kind") and _overlap(p, g) for g in golds):
                continue
            s.fp[str(p.get("kind", "?"))] += 1
            s.extras.append((doc, dict(p)))
    return s


def report(s: Score, *, show: bool = False) -> str:
    lines = [f"{'kind':8} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for k in (*KINDS, "all"):
        r = s.row(k)
        lines.append(
            f"{k:8} {r['tp']:4} {r['fp']:4} {r['fn']:4} "
            f"{r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}"
        )
    for name in s.attributes:
        acc, n = s.accuracy(name)
        lines.append(
            f"{name} accuracy over matched: {acc:.3f} (n={n})" if acc is not None else f"{name}: n=0"
        )
    if show:
        for doc, g in s.misses:
            lines.append(
                f"MISS {doc} {g['kind']} {g['text']!r} {g.get('value')} {g.get('unit')} @{g['start']}"
            )
        for doc, p in s.extras:
            lines.append(
                f"EXTRA {doc} {p.get('kind')} {p.get('text')!r} {p.get('value')} {p.get('unit')} "
                f"@{p.get('start')}"
            )
        for doc, what, p, g in s.wrong:
            lines.append(
                f"WRONG-{what.upper()} {doc} {g['text']!r}: got {p.get(what)!r}, gold {g.get(what)!r}"
            )
    return "\n".join(lines)
