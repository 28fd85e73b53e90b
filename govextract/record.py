"""The record contract of SPEC.md as a pydantic model.

Field order here is SPEC order: the CSV header and the JSON key order follow it.
The model enforces the offset invariant (``text == source[start:end]``, ``line``
is the 1-based line of ``start``) whenever it is validated with the source in
its context: ``Record.model_validate(data, context={"source": text})`` (add
``"line_starts"``, the offsets where lines start, to check lines in log time).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

Kind = Literal["count", "percent", "change", "money", "ranking", "honour"]
KINDS: tuple[str, ...] = ("count", "percent", "change", "money", "ranking", "honour")
NUMERIC_KINDS: frozenset[str] = frozenset({"count", "percent", "change", "money"})
Tier = Literal["exact", "top_n", "leading"]


class Record(BaseModel):
    """One metric mention of one report."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str
    kind: Kind
    subject: str | None = None
    value: int | float | None = None
    unit: str | None = None
    approx: bool = False
    text: str
    start: int
    end: int
    line: int
    region: str | None = None
    year: int | None = None
    rule: str
    basis: Literal["同比", "环比"] | None = None
    scope: str | None = None
    rank: int | None = None
    top: int | None = None
    tier: Tier | None = None
    title: str | None = None
    grantor: str | None = None
    streak: int | None = None
    indicator: str | None = None  # SPEC "Facts and indicators": the metric's canonical name

    @field_validator("value")
    @classmethod
    def _finite(cls, v: int | float | None) -> int | float | None:
        if v is None:
            return None
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError("value must be finite")
            # 72816600.0 reads better as 72816600; the scorer compares numerically.
            if v.is_integer() and abs(v) < 2**53:
                return int(v)
        return v

    @model_validator(mode="after")
    def _span(self, info: ValidationInfo) -> Record:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")
        source = (info.context or {}).get("source") if info else None
        if source is not None:
            if source[self.start : self.end] != self.text:
                raise ValueError(
                    f"text {self.text!r} is not source[{self.start}:{self.end}] "
                    f"({source[self.start : self.end]!r})"
                )
            starts = (info.context or {}).get("line_starts")
            # With the line starts at hand, a binary search; else count (slow on long texts).
            line = bisect_right(starts, self.start) if starts else source.count("\n", 0, self.start) + 1
            if line != self.line:
                raise ValueError(f"line {self.line} should be {line}")
        return self


FIELDS: tuple[str, ...] = tuple(Record.model_fields)


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of a record (for `govextract schema`)."""
    return Record.model_json_schema()
