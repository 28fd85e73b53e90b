"""Load `govextract table` output (CSV, the long format) into DuckDB and pandas.

    govextract table reports/ --format csv -o table.csv
    python examples/table_duckdb.py table.csv                      # aligned tables
    python examples/table_duckdb.py table.csv --indicator 破案率    # that indicator's grid
    python examples/table_duckdb.py table.csv --csv                # CSV blocks, for scripts

DuckDB answers which series the table holds: per indicator, kind and unit, how many
rows, places and years, how many rows are conflicts (reports that disagree) and how
many mentions back them; the `sources` column is JSON, read with DuckDB's json
functions. pandas then pivots one indicator's level figures (default: the indicator
with most rows of counts, rates or money) into a grid of places by years, as an
analyst would paste it into a sheet; a conflicting cell shows every value. Needs
`duckdb` and `pandas` (both in the project's test extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import pandas as pd

SERIES = """
SELECT indicator, kind, coalesce(unit, '') AS unit,
       count(*) AS rows,
       {places} AS places,
       min(year) AS first_year, max(year) AS last_year,
       count(*) FILTER (WHERE conflict) AS conflicts,
       sum(json_array_length(sources))::BIGINT AS mentions
FROM tab
GROUP BY ALL
ORDER BY rows DESC, indicator, kind, unit
"""


def series(con: duckdb.DuckDBPyConnection, has_region: bool) -> pd.DataFrame:
    places = "count(DISTINCT region)" if has_region else "NULL::BIGINT"
    return con.sql(SERIES.format(places=places)).df()


def grid(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """One indicator's level figures (not its changes) by place and year; a cell whose
    sources disagree holds all their values."""
    rows = table[(table["indicator"] == indicator) & (table["kind"] != "change")].copy()
    rows = rows[rows["year"].notna()]
    rows["cell"] = [
        f"{v:g}" if not c else " | ".join(f"{x:g}" for x in vs)
        for v, c, vs in rows[["value", "conflict", "values"]].itertuples(index=False)
    ]
    index = "region" if "region" in rows.columns else "indicator"
    out = rows.pivot_table(index=index, columns="year", values="cell", aggfunc="first", dropna=False)
    out.columns = [str(int(c)) for c in out.columns]
    return out.reset_index().fillna("")


def show(title: str, df: pd.DataFrame, as_csv: bool, out=sys.stdout) -> None:
    if as_csv:
        out.write(f"# {title}\n")
        df.to_csv(out, index=False, lineterminator="\n")
    else:
        out.write(f"{title}\n\n{df.to_string(index=False)}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("table", type=Path, help="a CSV file written by `govextract table --format csv`")
    ap.add_argument("--indicator", help="the indicator to pivot (default: the one with most level rows)")
    ap.add_argument("--csv", action="store_true", help="CSV blocks, each after a '# Title' line")
    args = ap.parse_args(argv)
    if not args.table.is_file():
        ap.error(f"no such file: {args.table}")

    con = duckdb.connect()
    con.execute("CREATE TABLE tab AS SELECT * FROM read_csv(?, header = true)", [str(args.table)])
    columns = [c[0] for c in con.execute("DESCRIBE tab").fetchall()]
    if "indicator" not in columns or "year" not in columns:
        print(f"table_duckdb: {args.table}: needs the long format by year (not --wide)", file=sys.stderr)
        return 1
    found = series(con, "region" in columns)
    if found.empty:
        print(f"table_duckdb: {args.table}: no rows", file=sys.stderr)
        return 1
    show("Series (DuckDB)", found, args.csv)

    # pandas reads the same file; `values` is a JSON list.
    table = pd.read_csv(args.table, keep_default_na=True)
    table["values"] = table["values"].map(json.loads)
    levels = found[found["kind"] != "change"]
    indicator = args.indicator or str((levels if not levels.empty else found).iloc[0]["indicator"])
    if indicator not in set(table["indicator"]):
        print(f"table_duckdb: {args.table}: no indicator {indicator!r}", file=sys.stderr)
        return 1
    print()
    show(f"{indicator} by place and year (pandas)", grid(table, indicator), args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
