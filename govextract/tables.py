"""Tables: the same metric of many places and years side by side.

``table(records, by=("region", "year"))`` groups the records that carry an indicator
into one row per (region, year, indicator, kind, unit): the value, whether it is
approximate, and every source (document, line, text, value). When the sources
disagree (two mentions of one report, or two reports, give other values for the same
row) the row is a conflict: ``value`` is null and ``values`` keeps them all, each with
its sources; nothing is silently dropped. ``wide()`` pivots the indicators into
columns (one per indicator, kind and unit) for a spreadsheet, and ``html()`` is a
self-contained page with the table (sortable columns) and a line chart per indicator
over the years present.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import IO, Any

from .record import KINDS, NUMERIC_KINDS, Record
from .writers import json_bytes

BY_KEYS: tuple[str, ...] = ("region", "year", "doc")
FORMATS: tuple[str, ...] = ("json", "jsonl", "csv", "html")
# The columns of a row after its `by` keys.
ROW_FIELDS: tuple[str, ...] = (
    "indicator",
    "kind",
    "unit",
    "value",
    "approx",
    "conflict",
    "values",
    "mentions",
    "documents",
    "sources",
)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _number(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v


@dataclass
class Row:
    """One region, year (or other `by` keys), indicator, kind and unit, and its sources."""

    key: tuple[Any, ...]  # the by values
    indicator: str
    kind: str
    unit: str | None
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def values(self) -> list[Any]:
        """The distinct values of the sources, in the order they first appear."""
        out: list[Any] = []
        for s in self.sources:
            v = s["value"]
            if not any(_same(v, o) for o in out):
                out.append(v)
        return out

    @property
    def conflict(self) -> bool:
        return len(self.values) > 1

    @property
    def value(self) -> Any:
        vs = self.values
        return vs[0] if len(vs) == 1 else None

    @property
    def approx(self) -> bool:
        return any(s["approx"] for s in self.sources)

    def as_dict(self, by: Sequence[str]) -> dict[str, Any]:
        d: dict[str, Any] = dict(zip(by, self.key, strict=True))
        d.update(
            indicator=self.indicator,
            kind=self.kind,
            unit=self.unit,
            value=self.value,
            approx=self.approx,
            conflict=self.conflict,
            values=self.values,
            mentions=len(self.sources),
            documents=len({s["doc"] for s in self.sources}),
            sources=[{k: s[k] for k in ("doc", "line", "text", "value")} for s in self.sources],
        )
        return d


def _series_label(indicator: str, kind: str, unit: str | None) -> str:
    """A wide column: 破案率 (%), 刑事案件立案数 (起), 刑事案件立案数 change (%)."""
    return f"{indicator}{' change' if kind == 'change' else ''} ({unit or '-'})"


class Table:
    """Rows of indicators by region, year (or the chosen keys)."""

    def __init__(self, rows: list[Row], by: Sequence[str]):
        self.rows = rows
        self.by = tuple(by)

    @property
    def columns(self) -> list[str]:
        return [*self.by, *ROW_FIELDS]

    def dicts(self) -> list[dict[str, Any]]:
        return [r.as_dict(self.by) for r in self.rows]

    @property
    def conflicts(self) -> int:
        return sum(r.conflict for r in self.rows)

    def series(self) -> list[tuple[str, str, str | None]]:
        """(indicator, kind, unit) of every row, once each, in row order."""
        return list(dict.fromkeys((r.indicator, r.kind, r.unit) for r in self.rows))

    def wide(self) -> tuple[list[str], list[dict[str, Any]]]:
        """One row per `by` key, one column per indicator, kind and unit; a cell holds
        the value, or all values joined by `` | `` when the sources disagree."""
        series = sorted(self.series(), key=_series_order)
        labels = [_series_label(*s) for s in series]
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in self.rows:
            row = rows.setdefault(r.key, {**dict(zip(self.by, r.key, strict=True)), **dict.fromkeys(labels)})
            vs = r.values
            row[_series_label(r.indicator, r.kind, r.unit)] = (
                vs[0] if len(vs) == 1 else " | ".join(_fmt(v) for v in vs)
            )
        return [*self.by, *labels], list(rows.values())

    # -- writers ---------------------------------------------------------------
    def write(
        self, out: IO[str], fmt: str, *, wide: bool = False, bom: bool = False, title: str = ""
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
        if fmt == "html":
            out.write(self.html(title=title, wide=wide))
            return
        columns, rows = self.wide() if wide else (self.columns, self.dicts())
        if fmt == "csv":
            if bom:
                out.write("\ufeff")
            w = csv.writer(out, lineterminator="\n")
            w.writerow(columns)
            for row in rows:
                w.writerow([_csv_cell(row[c]) for c in columns])
        elif fmt == "jsonl":
            for row in rows:
                out.write(json_bytes(row).decode() + "\n")
        else:
            out.write("[")
            for i, row in enumerate(rows):
                out.write(("\n" if i == 0 else ",\n") + json_bytes(row).decode())
            out.write("\n]\n" if rows else "]\n")

    def dumps(self, fmt: str = "json", *, wide: bool = False, title: str = "") -> str:
        buf = io.StringIO()
        self.write(buf, fmt, wide=wide, title=title)
        return buf.getvalue()

    def html(self, *, title: str = "", wide: bool = False) -> str:
        return _page(self, title or "govextract table", wide)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")  # exact: 0.00000007, never 7E-8
    return str(_number(v))


def _csv_cell(v: Any) -> str:
    if isinstance(v, list | dict):
        return json_bytes(v).decode()
    return _fmt(v)


def _series_order(s: tuple[str, str, str | None]) -> tuple[Any, ...]:
    indicator, kind, unit = s
    return (_indicator_rank(indicator), indicator, KINDS.index(kind), unit or "")


_RANKS: dict[str, int] | None = None


def _indicator_rank(name: str) -> int:
    """The taxonomy's order of indicators (related ones sit together)."""
    global _RANKS
    if _RANKS is None:
        from .indicators import default_taxonomy

        _RANKS = {n: i for i, n in enumerate(default_taxonomy().names)}
    return _RANKS.get(name, len(_RANKS))


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


def table(
    records: Iterable[Record | Mapping[str, Any]],
    by: Sequence[str] = ("region", "year"),
    indicators: Iterable[str] | None = None,
) -> Table:
    """The table of records (or their dicts, as ``parse`` writes them): one row per
    ``by`` key (any of region, year, doc), indicator, kind and unit. Records without an
    indicator, and of kinds other than count, percent, change and money, are left out;
    ``indicators`` keeps only those names."""
    by = tuple(by)
    bad = [b for b in by if b not in BY_KEYS]
    if not by or bad or len(set(by)) != len(by):
        raise ValueError(f"by must be distinct keys of {', '.join(BY_KEYS)} (got {', '.join(by) or 'none'})")
    wanted = set(indicators) if indicators is not None else None
    rows: dict[tuple[Any, ...], Row] = {}
    for r in records:
        d = r.model_dump() if isinstance(r, Record) else r
        name = d.get("indicator")
        if not name or d["kind"] not in NUMERIC_KINDS or d.get("value") is None:
            continue
        if wanted is not None and name not in wanted:
            continue
        key = tuple(d.get(b) for b in by)
        row = rows.get((*key, name, d["kind"], d.get("unit")))
        if row is None:
            row = rows[(*key, name, d["kind"], d.get("unit"))] = Row(key, name, d["kind"], d.get("unit"))
        row.sources.append(
            {
                "doc": d["doc"],
                "line": d["line"],
                "text": d["text"],
                "value": _number(d["value"]),
                "approx": bool(d.get("approx")),
            }
        )
    ordered = sorted(
        rows.values(),
        key=lambda r: (
            *(_sort_key(k) for k in r.key),
            *_series_order((r.indicator, r.kind, r.unit)),
        ),
    )
    return Table(ordered, by)


# --- the HTML page ------------------------------------------------------------------

_PALETTE = ("#1d4ed8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#be123c", "#0e7490", "#4d7c0f")
_CHART_W, _PLOT_H, _PAD_L, _PAD_R, _PAD_B = 340, 120, 56, 14, 28
_LEGEND_COLUMNS, _LEGEND_ROW = 3, 11


def _chart(t: Table, series: tuple[str, str, str | None]) -> str:
    """An inline SVG line chart of one indicator, kind and unit over the years: a line
    per group (the other `by` keys), points with their value on hover; a year whose
    sources disagree shows every value as a hollow red point, off the line."""
    indicator, kind, unit = series
    yi = t.by.index("year")
    others = [i for i in range(len(t.by)) if i != yi]
    rows = [r for r in t.rows if (r.indicator, r.kind, r.unit) == series and r.key[yi] is not None]
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for r in rows:
        groups.setdefault(tuple(r.key[i] for i in others), []).append(r)
    years = sorted({r.key[yi] for r in rows})
    values = [float(v) for r in rows for v in r.values]  # a chart is drawn in floats
    vmin, vmax = lo, hi = min(values), max(values)
    if _same(lo, hi):
        lo, hi = lo - (abs(lo) or 1) * 0.1, hi + (abs(hi) or 1) * 0.1
    y0, y1 = years[0], years[-1]
    legend_rows = -(-len(groups) // _LEGEND_COLUMNS) if others else 0
    pad_t = 26 + legend_rows * _LEGEND_ROW  # the title, then the legend, then the plot
    height = pad_t + _PLOT_H + _PAD_B

    def x(year: int) -> float:
        if y0 == y1:
            return _PAD_L + (_CHART_W - _PAD_L - _PAD_R) / 2
        return _PAD_L + (year - y0) * (_CHART_W - _PAD_L - _PAD_R) / (y1 - y0)

    def y(v: float) -> float:
        return pad_t + (hi - float(v)) * _PLOT_H / (hi - lo)

    label = _series_label(indicator, kind, unit)
    out = [
        f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" class="chart" '
        f'width="{_CHART_W}" height="{height}" viewBox="0 0 {_CHART_W} {height}" role="img" '
        f'data-indicator="{escape(indicator)}" data-kind="{kind}" data-unit="{escape(unit or "")}" '
        f'aria-label="{escape(label)}">',
        f'<text class="title" x="{_PAD_L}" y="15">{escape(label)}</text>',
        f'<line class="axis" x1="{_PAD_L}" y1="{height - _PAD_B}" x2="{_CHART_W - _PAD_R}" '
        f'y2="{height - _PAD_B}"/>',
        f'<line class="axis" x1="{_PAD_L}" y1="{pad_t}" x2="{_PAD_L}" y2="{height - _PAD_B}"/>',
    ]
    for v in (vmax, vmin) if not _same(vmin, vmax) else (vmin,):
        out.append(
            f'<text class="tick" x="{_PAD_L - 4}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(_number(round(v, 6))))}</text>"
        )
    for year in years:
        out.append(
            f'<text class="tick" x="{x(year):.1f}" y="{height - _PAD_B + 16}" '
            f'text-anchor="middle">{year}</text>'
        )
    for gi, (group, grows) in enumerate(sorted(groups.items(), key=lambda g: [_sort_key(k) for k in g[0]])):
        colour = _PALETTE[gi % len(_PALETTE)]
        name = " ".join(_fmt(k) for k in group) or label
        grows.sort(key=lambda r: r.key[yi])
        agreed = [(r.key[yi], r.value) for r in grows if not r.conflict]
        if len(agreed) > 1:
            points = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in agreed)
            out.append(
                f'<polyline class="line" data-group="{escape(name)}" fill="none" stroke="{colour}" '
                f'stroke-width="2" points="{points}"/>'
            )
        for r in grows:
            for v in r.values:
                cls = "point conflict" if r.conflict else "point"
                fill = "none" if r.conflict else colour
                stroke = "#dc2626" if r.conflict else colour
                tip = f"{name} {r.key[yi]}: {_fmt(v)}{' (conflict)' if r.conflict else ''}"
                out.append(
                    f'<circle class="{cls}" data-group="{escape(name)}" data-year="{r.key[yi]}" '
                    f'data-value="{_fmt(v)}" cx="{x(r.key[yi]):.1f}" cy="{y(v):.1f}" r="3.5" '
                    f'fill="{fill}" stroke="{stroke}" stroke-width="1.5">'
                    f"<title>{escape(tip)}</title></circle>"
                )
    if others:
        out.append('<g class="legend">')
        for gi, (group, _) in enumerate(sorted(groups.items(), key=lambda g: [_sort_key(k) for k in g[0]])):
            name = " ".join(_fmt(k) for k in group) or "-"
            lx = _PAD_L + (gi % _LEGEND_COLUMNS) * 92
            ly = 28 + (gi // _LEGEND_COLUMNS) * _LEGEND_ROW
            out.append(
                f'<rect x="{lx}" y="{ly - 7}" width="8" height="8" fill="{_PALETTE[gi % len(_PALETTE)]}"/>'
                f'<text class="legend" x="{lx + 11}" y="{ly}">{escape(name)}</text>'
            )
        out.append("</g>")
    out.append("</svg></figure>")
    return "".join(out)


def _cell(column: str, value: Any) -> str:
    """A table cell, with the value to sort by in data-sort (numbers sort as numbers)."""
    if column == "sources" and isinstance(value, list):
        shown = "<br>".join(
            f'<span class="src">{escape(str(s["doc"]))}:{s["line"]} «{escape(s["text"])}»'
            f"{'' if s.get('value') is None else ' = ' + escape(_fmt(s['value']))}</span>"
            for s in value
        )
        return f'<td class="sources" data-sort="{escape(str(len(value)))}">{shown}</td>'
    if column == "values" and isinstance(value, list):
        text = " | ".join(_fmt(v) for v in value)
        return f'<td data-sort="{escape(text)}">{escape(text)}</td>'
    text = _fmt(value)
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    cls = ' class="num"' if numeric else ""
    return f'<td{cls} data-sort="{escape(text)}">{escape(text)}</td>'


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;
  margin:1.2rem;color:#111}
h1{font-size:1.25rem;margin:0 0 .3rem}
p.summary{color:#444;margin:.2rem 0 1rem}
#charts{display:flex;flex-wrap:wrap;gap:.8rem;margin-bottom:1.2rem}
figure.chart{margin:0;border:1px solid #ddd;border-radius:6px;background:#fff}
svg.chart text{font-size:10px;fill:#333}
svg.chart text.title{font-size:11px;font-weight:600}
svg.chart .axis{stroke:#999;stroke-width:1}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ddd;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#f3f4f6;cursor:pointer;user-select:none;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.conflict td{background:#fef2f2}
td.sources{font-size:12px;color:#444}
"""

_SCRIPT = """
(function () {
  var table = document.getElementById('rows');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  function key(cell) {
    var s = cell.getAttribute('data-sort');
    var n = s === '' ? NaN : Number(s);
    return {empty: s === '', num: !isNaN(n), n: n, s: s};
  }
  function compare(a, b) {
    if (a.num && b.num) return a.n - b.n;
    return a.s.localeCompare(b.s, 'zh');
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener('click', function () {
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.forEach(function (r, i) { r._i = i; });
      rows.sort(function (ra, rb) {
        var a = key(ra.cells[col]), b = key(rb.cells[col]);
        // Empty cells last in either direction; ties keep their order.
        if (a.empty || b.empty) return a.empty === b.empty ? ra._i - rb._i : (a.empty ? 1 : -1);
        var c = compare(a, b);
        if (c === 0) return ra._i - rb._i;
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
"""


def _page(t: Table, title: str, wide: bool) -> str:
    if wide:
        columns, rows = t.wide()
        conflicted = [
            any(isinstance(v, str) and " | " in v for k, v in r.items() if k not in t.by) for r in rows
        ]
    else:
        columns, rows = t.columns, t.dicts()
        conflicted = [r["conflict"] for r in rows]
    charts = []
    if "year" in t.by:
        yi = t.by.index("year")
        dated = {(r.indicator, r.kind, r.unit) for r in t.rows if r.key[yi] is not None}
        charts = [_chart(t, s) for s in sorted(dated, key=_series_order)]
    docs = sorted({s["doc"] for r in t.rows for s in r.sources})
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    body = "".join(
        ('<tr class="conflict">' if bad else "<tr>") + "".join(_cell(c, r[c]) for c in columns) + "</tr>"
        for r, bad in zip(rows, conflicted, strict=True)
    )
    summary = (
        f"{len(t.rows)} row(s) by {escape(', '.join(t.by))}, {len(t.series())} series, "
        f"{t.conflicts} conflict(s), from {len(docs)} document(s)."
    )
    if "year" not in t.by:
        no_charts = "<p>Charts need the rows by year (<code>--by ...,year</code>).</p>"
    else:
        no_charts = "" if charts else "<p>No row has a year: no charts.</p>"
    meta = escape(json.dumps({"by": list(t.by), "wide": wide}, ensure_ascii=False))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-Hans"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body data-table="{meta}"><h1>{escape(title)}</h1><p class="summary">{summary}</p>'
        f'<section id="charts">{"".join(charts)}</section>{no_charts}'
        f'<table id="rows"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


__all__ = ["BY_KEYS", "FORMATS", "ROW_FIELDS", "Row", "Table", "table"]
