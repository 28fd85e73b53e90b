"""The record contract of SPEC.md as a pydantic model.

Field order here is SPEC order: the CSV header and the JSON key order follow it.
The model enforces the offset invariant (``text == source[start:end]``, ``line``
is the 1-based line of ``start``; a line ends at LF, CRLF or a lone CR) whenever it
is validated with the source in its context:
``Record.model_validate(data, context={"source": text})`` (add ``"line_starts"``, the
offsets where lines start from ``line_starts(text)``, to check lines in log time).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from .numerals import exact

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
    value: Annotated[
        int | Decimal | None,
        WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Value"}),
    ] = None
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

    @field_validator("value", mode="before")
    @classmethod
    def _exact(cls, v: Any) -> int | Decimal | None:
        # Exact decimals: an int when integral (72816600, not 72816600.0), else the
        # shortest Decimal (94.6); a float is taken by its shortest repr (0.1 -> 0.1).
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
            raise ValueError("value must be a number")
        try:
            return exact(Decimal(v) if isinstance(v, str) else v)
        except (ArithmeticError, ValueError) as exc:
            raise ValueError("value must be a finite number") from exc

    @field_serializer("value", when_used="json")
    def _json_value(self, v: int | Decimal | None) -> int | float | None:
        # pydantic's JSON mode would write a Decimal as a string; the writers print it
        # exactly (writers.py), this mode gives the nearest float.
        return float(v) if isinstance(v, Decimal) else v

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
            starts = (info.context or {}).get("line_starts") or line_starts(source[: self.start])
            line = bisect_right(starts, self.start)
            if line != self.line:
                raise ValueError(f"line {self.line} should be {line}")
        return self


FIELDS: tuple[str, ...] = tuple(Record.model_fields)

# A line ends at LF, CRLF or a lone CR (old Mac files), as editors count lines.
_LINE_END = re.compile(r"\r\n?|\n")


def line_starts(text: str) -> list[int]:
    """The offsets at which the lines of ``text`` start (``line`` is a binary search in it)."""
    if "\r" not in text:
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return starts
    return [0, *(m.end() for m in _LINE_END.finditer(text))]


def record_json_schema() -> dict[str, Any]:
    """The JSON Schema of a record (for `govextract schema`)."""
    return Record.model_json_schema()
