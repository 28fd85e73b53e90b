"""Hostile inputs (issue 12): long runs of digits and numerals, and lines packed with figures,
give what they hold, whole, without a rule running out of time. Speed is the benchmark's
(benchmarks/adversarial.py); these tests check what comes out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govextract.engine import Extractor


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.mark.parametrize(
    "text",
    [
        "0123456789" * 20_000,  # a run of digits no figure can be read in
        "一" * 20_000,
        "万" * 20_000,
        "1一" * 10_000,  # digits and numerals in turn: each may start a figure
    ],
    ids=["digits", "yi", "wan", "digit-numeral"],
)
def test_a_long_run_of_digits_or_numerals_gives_nothing_and_no_timeout(extractor, text):
    result = extractor.run(text, "run.txt")
    assert result.records == []
    assert result.warnings == []


def test_a_figure_before_a_long_run_of_digits_is_read_and_nothing_times_out(extractor):
    # The exclusions then scan the whole run (one sentence): they must not time out either.
    text = "全年共办理法律援助6238件" + "0123456789" * 10_000 + "。"
    result = extractor.run(text, "run.txt")
    assert result.warnings == []
    assert [(r.text, r.value) for r in result.records] == [("6238件", 6238)]


def test_a_year_written_before_a_long_numeral_run_is_still_a_date():
    # exclude.date looks at most 40 characters ahead for the 年 of a year: a date stays a date
    records = Extractor().run("截至2021年6月15日，共办理案件6238件。").records
    assert [(r.text, r.value, r.year) for r in records] == [("6238件", 6238, 2021)]


def test_a_line_of_digit_and_unit_pairs_gives_one_record_per_pair(extractor):
    n = 5_000
    result = extractor.run("5件" * n, "pairs.txt")
    assert result.warnings == []
    assert len(result.records) == n
    assert {(r.kind, r.value, r.unit, r.text) for r in result.records} == {("count", 5, "件", "5件")}
    assert [r.start for r in result.records] == list(range(0, 2 * n, 2))


@pytest.mark.slow
def test_two_hundred_kilobytes_of_digit_and_unit_pairs(extractor):
    text = "5件" * 50_000  # 200 KB of UTF-8
    assert len(text.encode("utf-8")) == 200_000
    result = extractor.run(text, "pairs.txt")
    assert result.warnings == []
    assert len(result.records) == 50_000
    assert result.records[-1].start == len(text) - 2


def test_a_list_of_changes_without_an_end_gives_each_change(extractor):
    n = 2_000
    result = extractor.run("同比下降1%、" * n, "list.txt")
    assert result.warnings == []
    assert len(result.records) == n
    assert {(r.kind, r.value, r.unit) for r in result.records} == {("change", -1, "%")}


def test_a_long_paragraph_of_changes_keeps_the_year_of_its_first_start(extractor):
    # 从41.2%上升到... takes the start year of the paragraph's earlier change (由2015年的...),
    # however many changes the paragraph lines up after it
    text = (
        "某省报道\n\n2019年，全省群众满意率由2015年的80.5%上升到93.1%，"
        + "法治宣传知晓率从41.2%上升到77.6%，" * 500
        + "成效明显。"
    )
    records = extractor.run(text, "para.txt").records
    starts = [r for r in records if r.value == Decimal("41.2")]
    assert len(starts) == 500
    assert {r.year for r in starts} == {2015}
    assert {r.year for r in records if r.value == Decimal("77.6")} == {2019}


def test_a_list_of_places_opening_a_clause_still_gives_each_its_own(extractor):
    # the list before a figure is looked for back as far as the sentence is looked at
    text = "某市报道\n\n2022年，天长市、定远县、凤阳县刑事案件分别下降12%、8%、5%。"
    records = [r for r in extractor.run(text, "list.txt").records if r.kind == "change"]
    assert [(r.value, r.region) for r in records] == [(-12, "天长市"), (-8, "定远县"), (-5, "凤阳县")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一" * 200 + "5件", [("5件", 5)]),  # the scan skips over the run and goes on right after it
        ("1" * 200 + "三千件", [("三千件", 3000)]),
        ("万" * 130 + "，全年办理案件6238件", [("6238件", 6238)]),
    ],
)
def test_a_figure_right_after_a_long_run_is_read(extractor, text, expected):
    result = extractor.run(text, "run.txt")
    assert result.warnings == []
    assert [(r.text, r.value) for r in result.records] == expected
