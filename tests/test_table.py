"""Tables (`govextract table`, `govextract.tables`): three years of reports for two
places, written here, become one row per place, year, indicator, kind and unit; a
figure two reports give differently is a conflict with both values kept; --wide pivots
for a spreadsheet; the HTML page works in a real headless Chromium."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from support import YEARLY_REPORTS as REPORTS
from support import err, open_page, out, run_cli

from govextract import extract, table

# (region, year, indicator, kind, unit) -> value, for every row but the conflict.
EXPECTED = {
    ("临海市", 2021, "刑事案件立案数", "count", "起"): 3120,
    ("临海市", 2021, "刑事案件破案数", "count", "起"): 1650,
    ("临海市", 2021, "破案率", "percent", "%"): 52.9,
    ("临海市", 2021, "群众安全感", "percent", "%"): 98.1,
    ("临海市", 2021, "法律援助案件数", "count", "件"): 1203,
    ("临海市", 2022, "刑事案件立案数", "count", "起"): 2890,
    ("临海市", 2022, "刑事案件立案数", "change", "%"): -7.4,
    ("临海市", 2022, "刑事案件破案数", "count", "起"): 1702,
    ("临海市", 2022, "破案率", "percent", "%"): 58.9,
    ("临海市", 2022, "群众安全感", "change", "百分点"): 0.2,
    ("临海市", 2022, "法律援助案件数", "count", "件"): 1311,
    ("临海市", 2023, "刑事案件立案数", "count", "起"): 2655,
    ("临海市", 2023, "刑事案件破案数", "count", "起"): 1744,
    ("临海市", 2023, "破案率", "percent", "%"): 65.7,
    ("临海市", 2023, "群众安全感", "percent", "%"): 98.6,
    ("临海市", 2023, "法律援助案件数", "count", "件"): 1290,
    ("永康市", 2021, "刑事案件立案数", "count", "起"): 4210,
    ("永康市", 2021, "刑事案件破案数", "count", "起"): 2033,
    ("永康市", 2021, "破案率", "percent", "%"): 48.3,
    ("永康市", 2021, "群众安全感", "percent", "%"): 97.2,
    ("永康市", 2021, "法律援助案件数", "count", "件"): 980,
    ("永康市", 2022, "刑事案件立案数", "count", "起"): 3960,
    ("永康市", 2022, "刑事案件破案数", "count", "起"): 2101,
    ("永康市", 2022, "破案率", "percent", "%"): 53.1,
    ("永康市", 2022, "群众安全感", "percent", "%"): 97.6,
    ("永康市", 2022, "法律援助案件数", "count", "件"): 1024,
    ("永康市", 2023, "刑事案件立案数", "count", "起"): 3702,
    ("永康市", 2023, "刑事案件破案数", "count", "起"): 2250,
    ("永康市", 2023, "破案率", "percent", "%"): 60.8,
    ("永康市", 2023, "群众安全感", "percent", "%"): 97.9,
    ("永康市", 2023, "法律援助案件数", "count", "件"): 1102,
}
CONFLICT = ("临海市", 2022, "群众安全感", "percent", "%")


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("reports")
    for name, text in REPORTS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def rows(reports) -> list[dict]:
    proc = run_cli("table", reports, "--by", "region,year", "-q")
    assert proc.returncode == 0, err(proc)
    return json.loads(out(proc))


def key(row: dict) -> tuple:
    return (row["region"], row["year"], row["indicator"], row["kind"], row["unit"])


def test_one_row_per_place_year_indicator_kind_and_unit(rows):
    places_years = [key(r)[:2] for r in rows]
    assert places_years == sorted(places_years), "sorted by region, year (then the taxonomy's order)"
    got = {key(r): r["value"] for r in rows if not r["conflict"]}
    assert got == EXPECTED
    assert len(rows) == len(EXPECTED) + 1
    assert list(rows[0]) == [
        "region",
        "year",
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
    ]


def test_two_reports_that_disagree_make_a_conflict_with_both_values(rows, reports):
    (row,) = [r for r in rows if r["conflict"]]
    assert key(row) == CONFLICT
    assert row["value"] is None
    assert row["values"] == [98.3, 98.5]
    assert row["mentions"] == 2 and row["documents"] == 2
    assert [(Path(s["doc"]).name, s["line"], s["text"], s["value"]) for s in row["sources"]] == [
        ("linhai_2022.txt", 3, "98.3%", 98.3),
        ("linhai_news_2022.txt", 3, "98.5%", 98.5),
    ]


def test_a_figure_stated_twice_is_one_value_with_two_sources(rows):
    (row,) = [r for r in rows if key(r) == ("临海市", 2023, "群众安全感", "percent", "%")]
    assert not row["conflict"] and row["values"] == [98.6]
    assert [s["line"] for s in row["sources"]] == [3, 5]
    assert row["mentions"] == 2 and row["documents"] == 1


def test_wide_csv_pivots_indicators_into_columns(reports):
    proc = run_cli("table", reports, "--wide", "--format", "csv", "--bom", "-q")
    assert proc.returncode == 0, err(proc)
    text = out(proc)
    assert text.startswith("\ufeff")
    data = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert list(data[0]) == [
        "region",
        "year",
        "刑事案件立案数 (起)",
        "刑事案件立案数 change (%)",
        "刑事案件破案数 (起)",
        "破案率 (%)",
        "群众安全感 (%)",
        "群众安全感 change (百分点)",
        "法律援助案件数 (件)",
    ]
    assert [(r["region"], r["year"]) for r in data] == [
        ("临海市", "2021"),
        ("临海市", "2022"),
        ("临海市", "2023"),
        ("永康市", "2021"),
        ("永康市", "2022"),
        ("永康市", "2023"),
    ]
    linhai_2022 = data[1]
    assert linhai_2022["群众安全感 (%)"] == "98.3 | 98.5"
    assert linhai_2022["刑事案件立案数 change (%)"] == "-7.4"
    assert data[0]["刑事案件立案数 change (%)"] == ""
    assert data[5]["法律援助案件数 (件)"] == "1102"


def test_indicators_filter_by_keys_and_jsonl(reports):
    proc = run_cli("table", reports, "--by", "year", "--indicators", "破案率,群众安全感", "-f", "jsonl", "-q")
    assert proc.returncode == 0, err(proc)
    got = [json.loads(line) for line in out(proc).splitlines()]
    assert {r["indicator"] for r in got} == {"破案率", "群众安全感"}
    assert all(list(r)[:2] == ["year", "indicator"] for r in got)
    # by year alone, the two cities' rates of a year disagree: every row is a conflict
    rates = {r["year"]: r["values"] for r in got if r["indicator"] == "破案率"}
    assert rates == {2021: [52.9, 48.3], 2022: [58.9, 53.1], 2023: [65.7, 60.8]}


def test_usage_errors(reports):
    bad = run_cli("table", reports, "--indicators", "破案率,不存在的指标")
    assert bad.returncode == 2 and "unknown indicator(s) 不存在的指标" in err(bad)
    bad = run_cli("table", reports, "--by", "region,city")
    assert bad.returncode == 2 and "--by" in err(bad)
    bad = run_cli("table", reports, "--format", "xlsx")
    assert bad.returncode == 2


def test_summary_line_and_a_bad_input(reports, tmp_path):
    proc = run_cli("table", reports, tmp_path / "gone.txt", "-f", "csv")
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert lines[0].endswith("gone.txt: no such file or directory")
    # every named input counts, the missing one too
    summary = f"govextract: {len(REPORTS) + 1} file(s), {len(EXPECTED) + 1} row(s), 1 failure(s)"
    assert lines[1].startswith(summary)
    assert out(proc).startswith("region,year,indicator,")


def test_python_api_matches_the_command(rows, reports):
    records = [
        r for p in sorted(reports.glob("*.txt")) for r in extract(p.read_text(encoding="utf-8"), str(p))
    ]
    t = table(records, by=("region", "year"))
    # The command writes exact decimals (52.9): read them as such to compare.
    exact_rows = json.loads(json.dumps(rows), parse_float=Decimal)
    assert t.dicts() == exact_rows
    assert t.conflicts == 1
    columns, wide = t.wide()
    assert len(wide) == 6 and columns[:2] == ["region", "year"]
    with pytest.raises(ValueError):
        table(records, by=("city",))


# --- the HTML page in a real browser ---------------------------------------------------

SORTED_COLUMN = """col => Array.from(document.querySelectorAll('#rows tbody tr'))
    .map(tr => tr.cells[col].getAttribute('data-sort'))"""


@pytest.mark.slow
def test_html_page_in_chromium(browser, reports, tmp_path, rows):
    html = tmp_path / "table.html"
    proc = run_cli("table", reports, "--format", "html", "-o", html, "-q")
    assert proc.returncode == 0, err(proc)
    page, problems, requests = open_page(browser, html)
    try:
        assert problems == []
        assert requests == [html.as_uri()], "the page fetches nothing"
        assert page.locator("#rows tbody tr").count() == len(rows)
        assert page.locator("#rows tbody tr.conflict").count() == 1
        headers = page.locator("#rows thead th").all_inner_texts()
        assert headers[:6] == ["region", "year", "indicator", "kind", "unit", "value"]

        # Sorting: value ascending (numbers as numbers, the empty conflict cell last),
        # then descending; a text column sorts too.
        page.locator("#rows thead th").nth(5).click()
        values = page.evaluate(SORTED_COLUMN, 5)
        numbers = [float(v) for v in values if v != ""]
        assert numbers == sorted(numbers) and values[-1] == ""
        assert page.locator("#rows thead th").nth(5).get_attribute("aria-sort") == "ascending"
        page.locator("#rows thead th").nth(5).click()
        values = page.evaluate(SORTED_COLUMN, 5)
        numbers = [float(v) for v in values if v != ""]
        assert numbers == sorted(numbers, reverse=True) and values[-1] == ""
        page.locator("#rows thead th").nth(2).click()
        names = page.evaluate(SORTED_COLUMN, 2)
        assert len(set(names[:6])) == 1

        # One chart per indicator, kind and unit; a line per city over the years; the
        # conflicting year drawn as two hollow points off the line.
        charts = page.locator("svg.chart")
        assert charts.count() == 7
        safety = page.locator('svg.chart[data-indicator="群众安全感"][data-kind="percent"]')
        assert safety.locator("polyline").count() == 2
        linhai = safety.locator('polyline[data-group="临海市"]').get_attribute("points").split()
        assert len(linhai) == 2  # 2021 and 2023; 2022 is in conflict
        conflict = safety.locator("circle.conflict")
        assert sorted(conflict.evaluate_all("cs => cs.map(c => c.dataset.value)")) == ["98.3", "98.5"]
        assert set(conflict.evaluate_all("cs => cs.map(c => c.dataset.year)")) == {"2022"}
        yongkang = safety.locator('circle[data-group="永康市"]')
        assert yongkang.evaluate_all("cs => cs.map(c => c.dataset.year)") == ["2021", "2022", "2023"]
        # higher values are drawn higher
        ys = yongkang.evaluate_all("cs => cs.map(c => Number(c.getAttribute('cy')))")
        assert ys[0] > ys[1] > ys[2]
        box = safety.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
    finally:
        page.close()


@pytest.mark.slow
def test_wide_html_page_and_no_year(browser, reports, tmp_path):
    wide = tmp_path / "wide.html"
    proc = run_cli("table", reports, "--format", "html", "--wide", "-o", wide, "-q")
    assert proc.returncode == 0, err(proc)
    page, problems, _ = open_page(browser, wide)
    try:
        assert problems == []
        assert page.locator("#rows tbody tr").count() == 6
        assert page.locator("#rows tbody tr.conflict").count() == 1
    finally:
        page.close()
    by_region = tmp_path / "region.html"
    proc = run_cli("table", reports, "--format", "html", "--by", "region", "-o", by_region, "-q")
    assert proc.returncode == 0, err(proc)
    page, problems, _ = open_page(browser, by_region)
    try:
        assert problems == []
        assert page.locator("svg.chart").count() == 0
        assert "Charts need the rows by year" in page.inner_text("body")
    finally:
        page.close()
