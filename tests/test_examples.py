"""The examples under examples/ run over the seeds, and what each prints is what the
records say, computed here again in Python from the same JSON Lines.

The jq recipes need the `jq` program (`apt-get install jq`): without it these tests skip,
naming it, except where GOVEXTRACT_REQUIRE_TOOLS=1 (.ci/run installs jq and sets it).
The shell script runs the `govextract` installed next to this interpreter (GOVEXTRACT,
and that directory first on PATH)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import ROOT, SEED_FILES, SPEC_FIELDS, YEARLY_REPORTS, err, require_tool, run_cli

EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent  # not resolved: a venv's bin/, where its console scripts are
GOVEXTRACT = BIN / "govextract"
KINDS = ("count", "percent", "change", "money", "ranking", "honour")


def run(*args: str | os.PathLike[str], env: dict[str, str] | None = None, input: bytes | None = None):
    full_env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GOVEXTRACT": str(GOVEXTRACT),
        "PYTHONIOENCODING": "utf-8",
        **(env or {}),
    }
    return subprocess.run(
        [str(a) for a in args],
        input=input,
        capture_output=True,
        cwd=ROOT,
        env=full_env,
        timeout=300,
        check=False,
    )


def jq() -> str:
    """The jq program (the test skips without it, or fails where tools are required)."""
    return require_tool("jq", install="apt-get install jq")


@pytest.fixture(scope="module")
def records_path(tmp_path_factory) -> Path:
    """`govextract parse seeds/ --format jsonl`, once for this module."""
    path = tmp_path_factory.mktemp("examples") / "records.jsonl"
    proc = run_cli("parse", "seeds/", "--format", "jsonl", "-q", "-o", path)
    assert proc.returncode == 0, err(proc)
    return path


@pytest.fixture(scope="module")
def records(records_path) -> list[dict]:
    recs = [json.loads(line) for line in records_path.read_text(encoding="utf-8").splitlines()]
    assert recs, "the seeds give no records"
    return recs


def usage_flags(recipe: str) -> list[str]:
    """The jq options of a recipe's own usage line (its second line):
    `# Usage: govextract parse seeds/ --format jsonl | jq -c -s -f examples/top_changes.jq`."""
    usage = (EXAMPLES / recipe).read_text(encoding="utf-8").splitlines()[1]
    prefix = "# Usage: govextract parse seeds/ --format jsonl | jq "
    assert usage.startswith(prefix), f"{recipe}: no usage line"
    words = usage.removeprefix(prefix).split()
    assert words[-2:] == ["-f", f"examples/{recipe}"], usage
    return words[:-2]


def run_jq(recipe: str, path: Path) -> str:
    """A recipe run over a JSONL file exactly as its usage line says."""
    proc = run(jq(), *usage_flags(recipe), "-f", EXAMPLES / recipe, path)
    assert proc.returncode == 0, err(proc)
    return proc.stdout.decode("utf-8")


# --- jq recipes ---------------------------------------------------------------


def test_jq_recipes_say_what_they_answer_and_how_to_run():
    for recipe in ("top_changes.jq", "province_rankings.jq", "honours_by_year.jq"):
        first = (EXAMPLES / recipe).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and "?" in first, recipe
        assert usage_flags(recipe), recipe


def test_top_changes_per_region(records, records_path):
    got = [json.loads(line) for line in run_jq("top_changes.jq", records_path).splitlines()]

    changes = defaultdict(list)
    for r in records:
        if r["kind"] == "change" and r["value"] is not None:
            changes[r["region"]].append(r)
    keys = ("subject", "value", "unit", "basis", "text", "doc")
    expected = [
        {
            "region": region,
            "changes": [{k: r[k] for k in keys} for r in sorted(rs, key=lambda r: -abs(r["value"]))[:3]],
        }
        for region, rs in sorted(changes.items(), key=lambda kv: (kv[0] is not None, kv[0] or ""))
    ]
    assert expected, "the seeds give no change records"
    assert got == expected
    for group in got:
        sizes = [abs(c["value"]) for c in group["changes"]]
        assert sizes == sorted(sizes, reverse=True) and 1 <= len(sizes) <= 3


def test_province_rankings_are_exactly_the_rankings_with_scope_quansheng(records, records_path):
    got = [json.loads(line) for line in run_jq("province_rankings.jq", records_path).splitlines()]
    keys = ("region", "subject", "rank", "top", "tier", "text", "doc")
    expected = [{k: r[k] for k in keys} for r in records if r["kind"] == "ranking" and r["scope"] == "全省"]
    assert expected, "the seeds give no 全省 ranking"
    assert got == expected
    assert any(r["kind"] == "ranking" and r["scope"] != "全省" for r in records)  # the filter filters


def test_honours_by_year_group_every_honour_under_its_year(records, records_path):
    got = json.loads(run_jq("honours_by_year.jq", records_path))

    groups = defaultdict(list)
    for r in records:
        if r["kind"] == "honour":
            groups[r["year"]].append({"title": r["title"], "recipient": r["subject"], "region": r["region"]})
    years = sorted(y for y in groups if y is not None)
    expected = [(str(y), groups[y]) for y in years]
    if None in groups:
        expected.append(("unknown", groups[None]))
    assert expected, "the seeds give no honour"
    assert list(got.items()) == expected  # years ascending, "unknown" last, record order within a year
    assert sum(map(len, got.values())) == sum(r["kind"] == "honour" for r in records)


def test_jq_recipes_accept_no_records(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert run_jq("top_changes.jq", empty) == ""
    assert run_jq("province_rankings.jq", empty) == ""
    assert json.loads(run_jq("honours_by_year.jq", empty)) == {}


# --- daily_csv.sh -----------------------------------------------------------------

DAYS = ("2024-03-01", "2024-03-02", "2024-03-05")
# Seed index -> day: two days of two reports, one of one.
SEED_DAYS = {0: DAYS[0], 1: DAYS[0], 2: DAYS[1], 3: DAYS[2], 4: DAYS[2]}
DAILY = EXAMPLES / "daily_csv.sh"
UTC_ENV = {"TZ": "UTC"}  # the script takes a file's day in the local zone: make it UTC


def noon_utc(day: str) -> float:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()


@pytest.fixture
def inbox(tmp_path) -> Path:
    """Copies of the seeds in tmp_path/in, each dated (mtime) to its day of SEED_DAYS."""
    assert len(SEED_FILES) == len(SEED_DAYS)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i, seed in enumerate(SEED_FILES):
        copy = inbox / seed.name
        shutil.copyfile(seed, copy)
        t = noon_utc(SEED_DAYS[i])
        os.utime(copy, (t, t))
    return inbox


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    text = path.read_bytes().decode("utf-8")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def keyed(rows_or_records) -> list[tuple]:
    """What identifies a record apart from its doc's directory: file name, kind, span."""
    return [(Path(r["doc"]).name, r["kind"], r["text"], int(r["start"])) for r in rows_or_records]


@pytest.mark.slow
def test_daily_csv_writes_one_csv_per_day_with_that_days_records(records, inbox, tmp_path):
    out = tmp_path / "out"
    proc = run(DAILY, inbox, out, env=UTC_ENV)
    assert proc.returncode == 0, err(proc)
    assert sorted(p.name for p in out.iterdir()) == [f"{d}.csv" for d in DAYS]  # nothing else, no temp file

    for day in DAYS:
        names = {SEED_FILES[i].name for i, d in SEED_DAYS.items() if d == day}
        header, rows = read_csv(out / f"{day}.csv")
        assert tuple(header) == SPEC_FIELDS
        expected = [r for r in records if Path(r["doc"]).name in names]
        assert expected, f"the seeds of {day} give no records"
        assert len(rows) == len(expected)
        assert keyed(rows) == keyed(expected)
        assert {row["doc"] for row in rows} == {str(inbox / n) for n in names}
        assert (out / f"{day}.csv").read_bytes()[:3] != b"\xef\xbb\xbf"
        assert f"{day}.csv: {len(names)} report(s)" in err(proc)


@pytest.mark.slow
def test_daily_csv_is_idempotent_keeps_a_failed_day_whole_and_exits_1(inbox, tmp_path):
    out = tmp_path / "out"
    assert run(DAILY, inbox, out, env=UTC_ENV).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    bad = inbox / "zz_bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")  # a UTF-16 BOM, then no valid UTF-16: govextract cannot read it
    t = noon_utc(DAYS[1])
    os.utime(bad, (t, t))
    new = inbox / "new.txt"
    new.write_text("共办理法律援助 6238 件。\n", encoding="utf-8")
    t = noon_utc("2024-03-09")
    os.utime(new, (t, t))

    proc = run(DAILY, inbox, out, env=UTC_ENV)
    assert proc.returncode == 1
    assert "zz_bad.txt" in err(proc)
    assert f"{DAYS[1]}.csv not written" in err(proc)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([*before, "2024-03-09.csv"])  # no partial or temporary file left
    # The failed day keeps its old CSV; the others, rewritten from the same reports, the same bytes.
    assert {n: (out / n).read_bytes() for n in before} == before
    _, rows = read_csv(out / "2024-03-09.csv")
    assert [(r["kind"], r["value"], r["unit"]) for r in rows] == [("count", "6238", "件")]


@pytest.mark.slow
def test_daily_csv_by_arrival_with_a_bom(inbox, tmp_path):
    out = tmp_path / "out"
    proc = run(DAILY, "--by", "ctime", inbox, out, env={**UTC_ENV, "DAILY_CSV_BOM": "1"})
    assert proc.returncode == 0, err(proc)
    days = {datetime.fromtimestamp(p.stat().st_ctime, UTC).date().isoformat() for p in inbox.iterdir()}
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{d}.csv" for d in days)
    for p in out.iterdir():
        assert p.read_bytes().startswith(b"\xef\xbb\xbf")
        header, rows = read_csv(p)
        assert tuple(header) == SPEC_FIELDS and rows


@pytest.mark.slow
def test_daily_csv_usage_errors(tmp_path):
    for args in (
        [],
        [tmp_path],
        [tmp_path / "missing", tmp_path / "out"],
        ["--by", "atime", tmp_path, tmp_path],
    ):
        proc = run(DAILY, *args)
        assert proc.returncode == 2, args
        assert "Usage: daily_csv.sh" in err(proc)
    assert not (tmp_path / "out").exists()
    help_ = run(DAILY, "--help")
    assert help_.returncode == 0 and "INPUT_DIR OUTPUT_DIR" in help_.stdout.decode("utf-8")
    missing = run(DAILY, tmp_path, tmp_path / "out", env={"GOVEXTRACT": str(tmp_path / "no-govextract")})
    assert missing.returncode == 1 and "govextract not found" in err(missing)


# --- DuckDB -------------------------------------------------------------------------


def csv_blocks(text: str) -> dict[str, list[list[str]]]:
    """The --csv output: '# Title' then a CSV block, blocks apart by a blank line."""
    blocks = {}
    for block in text.strip().split("\n\n"):
        title, _, body = block.partition("\n")
        assert title.startswith("# ")
        blocks[title[2:]] = list(csv.reader(io.StringIO(body)))
    return blocks


def test_duckdb_summary_counts_equal_python_counts(records, records_path):
    proc = run(sys.executable, EXAMPLES / "duckdb_summary.py", records_path, "--csv")
    assert proc.returncode == 0, err(proc)
    blocks = csv_blocks(proc.stdout.decode("utf-8"))
    assert list(blocks) == ["Records per kind", "Records per region and kind", "Money per region (yuan)"]

    per_kind = blocks["Records per kind"]
    assert per_kind[0] == ["kind", "records"]
    assert {k: int(n) for k, n in per_kind[1:]} == Counter(r["kind"] for r in records)

    table = blocks["Records per region and kind"]
    assert table[0] == ["region", *KINDS, "total"]
    got = {row[0]: [int(n) for n in row[1:]] for row in table[1:]}
    by_region = defaultdict(Counter)
    for r in records:
        by_region[r["region"] or "(none)"][r["kind"]] += 1
    expected = {region: [c[k] for k in KINDS] + [c.total()] for region, c in by_region.items()}
    expected["(all)"] = [sum(r["kind"] == k for r in records) for k in KINDS] + [len(records)]
    assert got == expected
    assert table[-1][0] == "(all)"

    money = blocks["Money per region (yuan)"]
    assert money[0] == ["region", "amounts", "yuan", "亿元"]
    sums, amounts = defaultdict(float), Counter()
    for r in records:
        if r["kind"] == "money":
            sums[r["region"] or "(none)"] += r["value"]
            amounts[r["region"] or "(none)"] += 1
    assert sums, "the seeds give no money record"
    assert {row[0]: int(row[1]) for row in money[1:]} == amounts
    assert {row[0]: float(row[2]) for row in money[1:]} == pytest.approx(sums)
    assert [float(row[2]) for row in money[1:]] == sorted(sums.values(), reverse=True)


@pytest.mark.slow
def test_duckdb_summary_prints_tables_and_reads_stdin(records, records_path):
    proc = run(sys.executable, EXAMPLES / "duckdb_summary.py", records_path)
    assert proc.returncode == 0, err(proc)
    text = proc.stdout.decode("utf-8")
    for title in ("Records per kind", "Records per region and kind", "Money per region (yuan)"):
        assert f"{title}\n\n" in text
    total = next(line for line in text.splitlines() if line.startswith("(all)"))
    assert total.split()[-1] == str(len(records))

    piped = run(sys.executable, EXAMPLES / "duckdb_summary.py", "-", input=records_path.read_bytes())
    assert piped.returncode == 0, err(piped)
    assert piped.stdout.decode("utf-8") == text
    empty = run(sys.executable, EXAMPLES / "duckdb_summary.py", "-", input=b"")
    assert empty.returncode == 1 and "no records" in err(empty)


# --- a table in DuckDB and pandas -------------------------------------------------------


@pytest.fixture(scope="module")
def yearly_table(tmp_path_factory) -> tuple[Path, list[dict]]:
    """`govextract table` over three years of two cities (support.YEARLY_REPORTS), as CSV
    for the example and as JSON to check it against."""
    d = tmp_path_factory.mktemp("yearly")
    for name, text in YEARLY_REPORTS.items():
        (d / name).write_text(text, encoding="utf-8")
    path = d / "table.csv"
    proc = run_cli("table", d, "--format", "csv", "-o", path, "-q")
    assert proc.returncode == 0, err(proc)
    proc = run_cli("table", d, "-q")
    assert proc.returncode == 0, err(proc)
    return path, json.loads(proc.stdout)


@pytest.mark.slow
def test_table_duckdb_series_and_grid_equal_python(yearly_table):
    path, rows = yearly_table
    proc = run(sys.executable, EXAMPLES / "table_duckdb.py", path, "--csv")
    assert proc.returncode == 0, err(proc)
    blocks = csv_blocks(proc.stdout.decode("utf-8"))
    series = blocks["Series (DuckDB)"]
    assert series[0] == [
        "indicator",
        "kind",
        "unit",
        "rows",
        "places",
        "first_year",
        "last_year",
        "conflicts",
        "mentions",
    ]
    expected = defaultdict(list)
    for r in rows:
        expected[(r["indicator"], r["kind"], r["unit"] or "")].append(r)
    got = {tuple(s[:3]): s[3:] for s in series[1:]}
    assert got == {
        k: [
            str(len(v)),
            str(len({r["region"] for r in v})),
            str(min(r["year"] for r in v)),
            str(max(r["year"] for r in v)),
            str(sum(r["conflict"] for r in v)),
            str(sum(len(r["sources"]) for r in v)),
        ]
        for k, v in expected.items()
    }
    counts = [int(s[3]) for s in series[1:]]
    assert counts == sorted(counts, reverse=True)

    # The default grid: the first indicator of most level rows, places by years.
    (title,) = [t for t in blocks if t.endswith("(pandas)")]
    name = title.removesuffix(" by place and year (pandas)")
    assert name == next(s[0] for s in series[1:] if s[1] != "change")
    grid = blocks[title]
    years = sorted({r["year"] for r in rows})
    assert grid[0] == ["region", *map(str, years)]
    cells = {(r["region"], r["year"]): r for r in rows if r["indicator"] == name and r["kind"] != "change"}
    for line in grid[1:]:
        for year, cell in zip(years, line[1:], strict=True):
            r = cells.get((line[0], year))
            want = "" if r is None else " | ".join(f"{v:g}" for v in r["values"])
            assert cell == want


@pytest.mark.slow
def test_table_duckdb_shows_a_conflict_and_refuses_a_wide_table(yearly_table, tmp_path):
    path, rows = yearly_table
    proc = run(sys.executable, EXAMPLES / "table_duckdb.py", path, "--indicator", "群众安全感")
    assert proc.returncode == 0, err(proc)
    text = proc.stdout.decode("utf-8")
    assert "群众安全感 by place and year (pandas)" in text
    (conflict,) = [r for r in rows if r["conflict"]]
    assert " | ".join(f"{v:g}" for v in conflict["values"]) in text
    missing = run(sys.executable, EXAMPLES / "table_duckdb.py", path, "--indicator", "没有这个")
    assert missing.returncode == 1 and "no indicator" in err(missing)
    wide = tmp_path / "wide.csv"
    proc = run_cli("table", path.parent, "--wide", "--format", "csv", "-o", wide, "-q")
    assert proc.returncode == 0, err(proc)
    refused = run(sys.executable, EXAMPLES / "table_duckdb.py", wide)
    assert refused.returncode == 1 and "long format" in err(refused)
