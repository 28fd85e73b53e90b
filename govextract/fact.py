"""Facts: the mentions of one figure in one document folded into one object
(SPEC "Facts and indicators").

A headline and the body often state the same figure; a reader counts it once. Records
of one document fold into one fact when they say the same thing: the same kind, value,
unit, subject, region and year (SPEC), and the same kind-specific fields that tell two
figures apart (basis, scope, rank, top, tier, title, streak). A fact keeps every
mention's ``text``, ``start``, ``end`` and ``line`` in ``mentions`` (in document order)
and the other record fields; ``approx`` is true when any mention marks the figure
approximate, ``grantor`` and ``indicator`` are the first a mention names, ``rule`` is
the first mention's. A record without a subject (or, for an honour, without a title)
says too little to be the same figure as another: it is a fact of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from .record import FIELDS, Record

# Record fields that belong to one mention, not to the figure.
MENTION_FIELDS: tuple[str, ...] = ("text", "start", "end", "line")
# What makes two records the same figure (besides the document).
IDENTITY: tuple[str, ...] = (
    "kind",
    "value",
    "unit",
    "subject",
    "region",
    "year",
    "basis",
    "scope",
    "rank",
    "top",
    "tier",
    "title",
    "streak",
)


class Mention(BaseModel):
    """Where a report states a figure: the exact span, as in a record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    start: int
    end: int
    line: int


class Fact(BaseModel):
    """One figure of one document, with every mention of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str
    kind: str
    subject: str | None = None
    value: int | float | None = None
    unit: str | None = None
    approx: bool = False
    region: str | None = None
    year: int | None = None
    rule: str
    basis: str | None = None
    scope: str | None = None
    rank: int | None = None
    top: int | None = None
    tier: str | None = None
    title: str | None = None
    grantor: str | None = None
    streak: int | None = None
    indicator: str | None = None
    mentions: list[Mention]


# The record fields in record order without the mention's own, then `mentions`.
FACT_FIELDS: tuple[str, ...] = tuple(Fact.model_fields)
assert (*(f for f in FIELDS if f not in MENTION_FIELDS), "mentions") == FACT_FIELDS


def _data(r: Record | Mapping[str, Any]) -> dict[str, Any]:
    return r.model_dump() if isinstance(r, Record) else dict(r)


def _key(d: dict[str, Any]) -> tuple[Any, ...] | None:
    """What identifies the figure of a record, or None when it says too little."""
    if d.get("subject") is None and not (d.get("kind") == "honour" and d.get("title")):
        return None
    value = d.get("value")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 16000.0 and 16000 are one figure
    return (d["doc"], *(value if f == "value" else d.get(f) for f in IDENTITY))


def fold(records: Iterable[Record | Mapping[str, Any]]) -> list[Fact]:
    """The facts of records (of one or several documents), in the order of their first
    mentions; mentions within a fact in document order."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for i, r in enumerate(records):
        d = _data(r)
        key = _key(d)
        groups.setdefault(key if key is not None else ("single", i), []).append(d)
    facts = []
    for ds in groups.values():
        ds.sort(key=lambda d: (d["start"], d["end"]))
        first = ds[0]
        data = {f: first.get(f) for f in FACT_FIELDS if f != "mentions"}
        data["approx"] = any(d.get("approx") for d in ds)
        for f in ("grantor", "indicator"):
            data[f] = next((d[f] for d in ds if d.get(f) is not None), None)
        data["mentions"] = [{f: d[f] for f in MENTION_FIELDS} for d in ds]
        facts.append(Fact.model_validate(data))
    # Documents in input order, facts by first mention within each.
    order = {doc: i for i, doc in enumerate(dict.fromkeys(f.doc for f in facts))}
    facts.sort(key=lambda f: (order[f.doc], f.mentions[0].start, f.mentions[0].end))
    return facts


__all__ = ["FACT_FIELDS", "IDENTITY", "MENTION_FIELDS", "Fact", "Mention", "fold"]
