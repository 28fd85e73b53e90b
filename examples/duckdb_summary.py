"""Summarize govextract records (JSON Lines) with DuckDB: runs examples/duckdb_summary.sql.

    govextract parse seeds/ --format jsonl -o records.jsonl
    python examples/duckdb_summary.py records.jsonl          # aligned tables
    python examples/duckdb_summary.py records.jsonl --csv    # one CSV block a query, for scripts
    govextract parse seeds/ --format jsonl | python examples/duckdb_summary.py -

The SQL file's statements before its first "-- ## Title" comment set things up (the view
`records` over the file named by the DuckDB variable `records`); each "-- ## Title" comment
opens a query whose result is printed under that title. Needs the `duckdb` package
(`pip install duckdb`, or the project's test extra).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("duckdb_summary.sql")
TITLE = re.compile(r"^-- ## (.+?)\s*$", re.MULTILINE)


def sections(sql: str) -> tuple[str, list[tuple[str, str]]]:
    """The set-up statements and the (title, query) pairs of an SQL file."""
    parts = TITLE.split(sql)
    return parts[0], list(zip(parts[1::2], parts[2::2], strict=True))


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[cell(v) for v in row] for row in rows]
    numeric = [
        bool(rows) and all(isinstance(row[i], int | float) for row in rows) for i in range(len(columns))
    ]
    widths = [max(width(t) for t in [name, *(r[i] for r in cells)]) for i, name in enumerate(columns)]

    def line(texts: list[str]) -> str:
        padded = []
        for text, w, right in zip(texts, widths, numeric, strict=True):
            pad = " " * (w - width(text))
            padded.append(pad + text if right else text + pad)
        return "  ".join(padded).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells] or ["(no rows)"]
    return "\n".join(out)


def summarize(records: Path, sql: str, as_csv: bool, out=sys.stdout) -> None:
    setup, queries = sections(sql)
    con = duckdb.connect()
    con.execute("SET VARIABLE records = ?", [str(records)])
    con.execute(setup)
    writer = csv.writer(out, lineterminator="\n")
    for i, (title, query) in enumerate(queries):
        cur = con.execute(query)
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
        if i:
            out.write("\n")
        if as_csv:
            out.write(f"# {title}\n")
            writer.writerow(columns)
            writer.writerows([cell(v) for v in row] for row in rows)
        else:
            out.write(f"{title}\n\n{table(columns, rows)}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("records", help="a JSON Lines file of govextract records (`-` for standard input)")
    ap.add_argument("--sql", type=Path, default=SQL, help=f"the SQL file (default: {SQL.name} beside this)")
    ap.add_argument("--csv", action="store_true", help="CSV blocks, each after a '# Title' line")
    args = ap.parse_args(argv)
    sql = args.sql.read_text(encoding="utf-8")

    with tempfile.TemporaryDirectory() as tmp:
        if args.records == "-":
            path = Path(tmp) / "records.jsonl"
            path.write_bytes(sys.stdin.buffer.read())
        else:
            path = Path(args.records)
            if not path.is_file():
                ap.error(f"no such file: {path}")
        if not path.read_bytes().strip():
            print(f"duckdb_summary: {args.records}: no records", file=sys.stderr)
            return 1
        try:
            summarize(path, sql, args.csv)
        except duckdb.Error as e:
            print(f"duckdb_summary: {args.records}: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
