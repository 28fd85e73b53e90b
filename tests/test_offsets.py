"""The offset contract: ``source[start:end] == text`` and ``line`` is the 1-based
line of ``start``, for the seeds and for generated text; normalization keeps a
way back to the source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import SEED_FILES, SPEC_KINDS

from govextract.documents import Input, read_text
from govextract.engine import Extractor, extract
from govextract.normalize import fold_width, normalize, to_simplified
from govextract.numerals import exact

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_contract(source: str, records, doc: str = "-") -> None:
    for r in records:
        assert r.doc == doc
        assert r.kind in SPEC_KINDS
        assert 0 <= r.start < r.end <= len(source)
        assert source[r.start : r.end] == r.text
        assert r.line == source.count("\n", 0, r.start) + 1
        if r.value is not None:
            # Exact values: an int when integral, else a finite Decimal.
            assert isinstance(r.value, int | Decimal) and not isinstance(r.value, bool)
            assert not isinstance(r.value, Decimal) or (r.value.is_finite() and r.value != int(r.value))
        assert isinstance(r.approx, bool)
        assert r.rule


def test_there_are_seeds():
    assert len(SEED_FILES) >= 5


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.stem for p in SEED_FILES])
def test_seed_records_keep_the_offset_contract(path):
    source = read_text(Input(str(path), path))
    assert source == path.read_text(encoding="utf-8")
    records = Extractor().run(source, str(path)).records
    assert_contract(source, records, str(path))
    assert records == sorted(records, key=lambda r: r.start)


def test_seed_records_from_the_cli_keep_the_offset_contract(seed_records):
    sources = {str(p.relative_to(p.parent.parent)): p.read_text(encoding="utf-8") for p in SEED_FILES}
    assert {r["doc"] for r in seed_records} <= set(sources)
    for r in seed_records:
        source = sources[r["doc"]]
        assert source[r["start"] : r["end"]] == r["text"]
        assert r["line"] == source.count("\n", 0, r["start"]) + 1
        assert r["kind"] in SPEC_KINDS


# --- generated report-like text ---------------------------------------------


def words(text: str) -> list[str]:
    return text.split()


HAN = (
    "全市共办理法律援助案件矛盾纠纷化解率达群众安全感刑事警情"
    "执行款资产挽回经济损失网格员先进集体个人企业问题清单"
)
TRAD = "個條億萬與開發區縣為號幫脫業機關團體實現發案數據統計"
UNITS = words("件 起 人 个 條 個 名 人次 家 项 宗 万 亿 元 万元 億元 % ％ 个百分点 百分点")
WORDS = words(
    "同比下降 同比上升 同比增长 环比 提高 下降 余 多 近 约 以上 左右 达 共 第 年 月 日 百分之 "
    "排名全省第 位居全市前列 名列 前茅 前 名 连续 连冠 获评 被评为 荣获 授予 全国 全省 称号 先进集体 "
    "漳州市 思明区 東山縣 平安建設示範市"
)
PUNCT = ["，", "。", "、", "；", "：", "“", "”", "(", ")", "（", "）", ",", ".", "-", "+", "/"]
SPACES = [" ", "  ", "\u3000", "\t", "\n", "\n\n", " \n", "\r\n"]
CN_NUM = "零〇一二两三四五六七八九十百千万亿点"
FULLWIDTH_DIGITS = "０１２３４５６７８９"


def _arabic(n: int, frac: int | None) -> str:
    return f"{n}" if frac is None else f"{n}.{frac}"


arabic = st.builds(_arabic, st.integers(0, 10**9), st.none() | st.integers(0, 999))
thousands = st.integers(1, 10**9).map(lambda n: f"{n:,}")
spaced_thousands = st.integers(1, 999).flatmap(lambda a: st.integers(0, 999).map(lambda b: f"{a} {b:03d}"))
fullwidth = st.text(FULLWIDTH_DIGITS, min_size=1, max_size=6)
chinese_numeral = st.text(CN_NUM, min_size=1, max_size=6)
number = st.one_of(arabic, thousands, spaced_thousands, fullwidth, chinese_numeral)
# A figure as reports write it: lead word, number, split or approximation, unit.
figure = st.tuples(
    st.sampled_from(["", "近", "约", "同比下降", "同比增长", "共", "达 "]),
    number,
    st.sampled_from(["", " ", "\n", "余", "多", "万", " 亿"]),
    st.sampled_from(UNITS),
).map("".join)
token = st.one_of(
    figure,
    figure,
    arabic,
    thousands,
    spaced_thousands,
    fullwidth,
    chinese_numeral,
    st.text(HAN, min_size=1, max_size=6),
    st.text(TRAD, min_size=1, max_size=3),
    st.sampled_from(UNITS),
    st.sampled_from(WORDS),
    st.sampled_from(PUNCT),
    st.sampled_from(SPACES),
)
report_text = st.lists(token, max_size=60).map("".join)


@pytest.mark.slow
@PROPERTY
@given(report_text)
def test_report_like_text_keeps_the_contract(source):
    assert_contract(source, extract(source))


@pytest.mark.slow
@PROPERTY
@given(report_text)
def test_names_and_units_are_simplified(source):
    for r in extract(source):
        for name in ("unit", "subject", "region", "title", "grantor"):
            value = getattr(r, name)
            assert value is None or to_simplified(value) == value, name


@pytest.mark.slow
@PROPERTY
@given(st.text(max_size=300))
def test_arbitrary_unicode_keeps_the_contract(source):
    assert_contract(source, extract(source, doc="any"), doc="any")


# --- normalize --------------------------------------------------------------


def assert_index_map(source: str) -> None:
    norm = normalize(source)
    index = norm.index
    assert norm.source == source
    assert len(index) == len(norm.text) + 1
    assert index[len(norm.text)] == len(source)
    previous = 0
    for i, ch in enumerate(norm.text):
        assert 0 <= index[i] < len(source)
        assert index[i] >= previous
        previous = index[i]
        if ch in "0123456789":
            # a digit comes from the same digit, half- or full-width
            assert fold_width(source[index[i]]) == ch
    for a in range(len(norm.text)):
        s, e = norm.src_span(a, a + 1)
        assert 0 <= s < e <= len(source)


@pytest.mark.slow
@PROPERTY
@given(report_text)
def test_normalize_maps_every_char_back_in_order(source):
    assert_index_map(source)


@PROPERTY
@given(st.text(max_size=200))
def test_normalize_maps_arbitrary_unicode_back_in_order(source):
    assert_index_map(source)


def test_normalize_rejoins_and_simplifies():
    norm = normalize("共有1137 条，１２３件，形成1075個問題，解决纠纷8 000起")
    assert "1137条" in norm.text
    assert "123件" in norm.text
    assert "1075个问题" in norm.text
    assert "8000起" in norm.text


SPLIT_FIGURES = [
    ("共清理规章制度1137 条。", "1137 条", 1137, "条", "count"),
    ("发放执行款 13.2 亿元。", "13.2 亿元", 1_320_000_000, "元", "money"),
    ("解决基层各类矛盾纠纷8 000起。", "8 000起", 8000, "起", "count"),
    ("新选树先进集体40\n个、先进个人108人。", "40\n个", 40, "个", "count"),
    ("共受理案件１２３件。", "１２３件", 123, "件", "count"),
    ("形成13大類1075個問題清單。", "1075個", 1075, "个", "count"),
    ("化解率达 ９４．６％。", "９４．６％", 94.6, "%", "percent"),
    ("刑事警情同比下降 11.08 %。", "同比下降 11.08 %", -11.08, "%", "change"),
    ("共办理法律援助 6238 件、热线咨询 13780件。", "6238 件", 6238, "件", "count"),
]


@pytest.mark.parametrize(("source", "span", "value", "unit", "kind"), SPLIT_FIGURES)
def test_split_figure_is_found_with_its_exact_span(source, span, value, unit, kind):
    records = [r for r in extract(source) if r.text == span]
    assert len(records) == 1, [(r.text, r.value) for r in extract(source)]
    r = records[0]
    start = source.index(span)
    assert (r.start, r.end) == (start, start + len(span))
    assert r.kind == kind
    assert r.unit == unit
    assert r.value == exact(value)  # exact: 13.2亿 is 1320000000, 94.6 is Decimal('94.6')
    assert_contract(source, extract(source))


def test_numbers_split_by_a_space_stay_apart():
    # "100 200" is two numbers, not 100200 (only a group of three after at most three joins)
    records = extract("三类案件分别为1000 200件。")
    assert [r.value for r in records] == [200]
    assert records[0].text == "200件"


def test_offsets_count_characters_not_bytes():
    source = "𠀀𠀁標題\r\n共办理法律援助 6238 件。"
    (r,) = extract(source)
    assert source[r.start : r.end] == "6238 件"
    assert r.line == 2
