"""Record writers: a JSON array, JSON Lines, or CSV with a header of every field.

Writers stream: each record is written as it comes, so a long run shows output
early and a later failure never loses what was already written. They write facts
(``fact.Fact``) alike, given the fact fields; a list (a fact's mentions) is one CSV
cell of JSON.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

import orjson
from pydantic import BaseModel

from .record import FIELDS, Record

FORMATS = ("json", "jsonl", "csv")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # 0.00000007, never 7E-8
    if isinstance(value, list | dict):
        return json_bytes(value).decode()
    return str(value)


def _json_default(value: Any) -> Any:
    # An exact decimal is written as the JSON number it is (94.6, 0.00000007).
    if isinstance(value, Decimal):
        return orjson.Fragment(format(value, "f").encode())
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_bytes(data: Any, option: int | None = None) -> bytes:
    """JSON of records' data with exact decimal values."""
    return orjson.dumps(data, default=_json_default, option=option)


class Writer:
    def __init__(
        self,
        out: IO[str],
        fmt: str,
        fields: Sequence[str] = FIELDS,
        *,
        bom: bool = False,
        known: Sequence[str] = FIELDS,
    ):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
        unknown = [f for f in fields if f not in known]
        if unknown:
            raise ValueError(f"unknown field(s) {', '.join(unknown)} (fields: {', '.join(known)})")
        self.out = out
        self.fmt = fmt
        self.fields = list(fields)
        self.count = 0
        self._all_fields = list(fields) == list(known)
        if fmt == "csv":
            if bom:
                out.write("\ufeff")
            self._csv = csv.writer(out, lineterminator="\n")
            self._csv.writerow(self.fields)
        elif fmt == "json":
            out.write("[")

    def _dict(self, record: BaseModel) -> dict[str, Any]:
        data = record.model_dump()
        return data if self._all_fields else {k: data[k] for k in self.fields}

    def write(self, record: BaseModel) -> None:
        data = self._dict(record)
        if self.fmt == "csv":
            self._csv.writerow([_csv_cell(data[k]) for k in self.fields])
        else:
            line = json_bytes(data).decode()
            if self.fmt == "json":
                self.out.write(("\n" if self.count == 0 else ",\n") + line)
            else:
                self.out.write(line + "\n")
        self.count += 1

    def write_all(self, records: Iterable[BaseModel]) -> None:
        for r in records:
            self.write(r)

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


def dumps(records: Iterable[Record], fmt: str = "json", fields: Sequence[str] = FIELDS) -> str:
    buf = io.StringIO()
    w = Writer(buf, fmt, fields)
    w.write_all(records)
    w.close()
    return buf.getvalue()
