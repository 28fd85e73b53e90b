"""Property tests: random integers and decimals, written out by a small renderer the way
reports write them (Chinese numerals in simplified, traditional and financial forms,
Arabic digits mixed with place and scale words, plain Arabic with separators, decimals
before a scale word), followed by a measure word, come back with exactly their value;
and exact values survive every writer."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govextract import extract
from govextract.numerals import exact, read_number
from govextract.writers import dumps

PROPERTY = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Style:
    digits: str  # 零 .. 九
    places: tuple[str, str, str, str]  # "", 十, 百, 千
    myriads: tuple[str, str, str, str]  # "", 万, 亿, 兆
    point: str
    two: str = ""  # 两 before 百, 千 and the scale words, when set
    short_ten: bool = True  # 十五 rather than 一十五 at the head


STYLES = {
    "simplified": Style("零一二三四五六七八九", ("", "十", "百", "千"), ("", "万", "亿", "兆"), "点"),
    "simplified_liang": Style(
        "零一二三四五六七八九", ("", "十", "百", "千"), ("", "万", "亿", "兆"), "点", two="两"
    ),
    "traditional": Style(
        "零一二三四五六七八九", ("", "十", "百", "千"), ("", "萬", "億", "兆"), "點", two="兩"
    ),
    "financial": Style(
        "零壹贰叁肆伍陆柒捌玖", ("", "拾", "佰", "仟"), ("", "万", "亿", "兆"), "点", short_ten=False
    ),
    "financial_traditional": Style(
        "零壹貳參肆伍陸柒捌玖", ("", "拾", "佰", "仟"), ("", "萬", "億", "兆"), "點", short_ten=False
    ),
}


def _section(n: int, s: Style, head: bool, arabic: bool = False) -> str:
    """1 <= n <= 9999 with place words; a gap inside is one 零."""
    out: list[str] = []
    gap = started = False
    for p in (3, 2, 1, 0):
        d = n // 10**p % 10
        if d == 0:
            gap = gap or started
            continue
        if gap:
            out.append("零")
            gap = False
        if arabic:
            ch = str(d)
        elif p == 1 and d == 1 and head and not started and s.short_ten:
            ch = ""  # 十五
        elif d == 2 and p >= 2 and s.two:
            ch = s.two
        else:
            ch = s.digits[d]
        out.append(ch + s.places[p])
        started = True
    return "".join(out)


def render_int(n: int, s: Style, mode: str = "chinese") -> str:
    """n < 10**16 in groups of four digits joined by 万, 亿, 兆; a group below 1000 after
    a higher one, or a skipped group, takes 零. mode: chinese, arabic_groups (3万4000),
    arabic_places (5万4千6百)."""
    if n == 0:
        return "0" if mode != "chinese" else s.digits[0]
    groups = [n // 10 ** (4 * k) % 10**4 for k in range(4)]
    parts: list[str] = []
    skipped = False
    for k in (3, 2, 1, 0):
        g = groups[k]
        if g == 0:
            skipped = skipped or bool(parts)
            continue
        if parts and (skipped or g < 1000):
            parts.append("零")
        if mode == "arabic_groups":
            body = str(g)
        else:
            body = _section(g, s, head=not parts, arabic=mode == "arabic_places")
            if mode == "chinese" and body == s.digits[2] and k > 0 and s.two:
                body = s.two  # 两万
        parts.append(body + s.myriads[k])
        skipped = False
    return "".join(parts)


def render_decimal(whole: int, frac: str, s: Style) -> str:
    return render_int(whole, s) + s.point + "".join(s.digits[int(c)] for c in frac)


UNITS = ["件", "起", "人", "名", "项", "吨", "公里", "千克", "户", "人次"]
INTS = st.one_of(st.integers(0, 99), st.integers(0, 10**8), st.integers(0, 10**16 - 1))
FRACS = st.text("0123456789", min_size=1, max_size=4)


@st.composite
def figures(draw) -> tuple[str, Decimal]:
    """(text, value) of one figure in one of the written forms."""
    form = draw(
        st.sampled_from(
            [
                "chinese",
                "arabic_groups",
                "arabic_places",
                "plain",
                "separators",
                "decimal_chinese",
                "decimal_arabic",
                "decimal_scale_chinese",
                "decimal_scale_arabic",
            ]
        )
    )
    s = STYLES[draw(st.sampled_from(sorted(STYLES)))]
    if form in ("chinese", "arabic_groups", "arabic_places"):
        n = draw(INTS)
        return render_int(n, s, form), Decimal(n)
    if form in ("plain", "separators"):
        n = draw(st.integers(0, 10**15 - 1))
        return (str(n) if form == "plain" else f"{n:,}"), Decimal(n)
    whole = draw(st.integers(0, 10**6))
    frac = draw(FRACS)
    value = Decimal(f"{whole}.{frac}")
    if form == "decimal_chinese":
        return render_decimal(whole, frac, s), value
    if form == "decimal_arabic":
        return f"{whole}.{frac}", value
    k = draw(st.integers(1, 3))  # 万, 亿, 万亿
    scale = {1: s.myriads[1], 2: s.myriads[2], 3: s.myriads[1] + s.myriads[2]}[k]
    whole = draw(st.integers(0, 9999))
    value = Decimal(f"{whole}.{frac}") * 10 ** (4 * k)
    if form == "decimal_scale_chinese":
        return render_decimal(whole, frac, s) + scale, value
    return f"{whole}.{frac}{scale}", value


@pytest.mark.slow
@PROPERTY
@given(figure=figures())
def test_rendered_figure_is_read_exactly(figure):
    text, value = figure
    assert read_number(text).value == value


@pytest.mark.slow
@PROPERTY
@given(figure=figures(), unit=st.sampled_from(UNITS))
def test_rendered_figure_with_a_measure_word_is_extracted_exactly(figure, unit):
    text, value = figure
    sentence = f"全年办理案件{text}{unit}。"
    records = [r for r in extract(sentence) if r.kind == "count"]
    assert [(r.text, r.value) for r in records] == [(text + unit, exact(value))], sentence


@settings(max_examples=300, deadline=None)
@given(n=st.integers(0, 10**12 - 1))
def test_standard_numerals_agree_with_cn2an(n):
    """cn2an, an independent reader, agrees on the standard simplified form."""
    cn2an = pytest.importorskip("cn2an")
    text = render_int(n, STYLES["simplified"])
    assert Decimal(str(cn2an.cn2an(text, "strict"))) == read_number(text).value == n


# -- exact values through scale words and the writers ---------------------------------

SCALES = {"万": 10**4, "亿": 10**8, "万亿": 10**12, "千万": 10**7, "百万": 10**6}


@PROPERTY
@given(
    whole=st.integers(0, 99999),
    frac=st.text("0123456789", min_size=0, max_size=6),
    scale=st.sampled_from(sorted(SCALES)),
)
@pytest.mark.slow
def test_scaled_decimals_are_exact_in_every_writer(whole, frac, scale):
    figure = f"{whole}.{frac}" if frac else str(whole)
    value = exact(Decimal(figure) * SCALES[scale])
    records = extract(f"财政收入{figure}{scale}元。")
    assert [r.value for r in records] == [value]
    want = format(value, "f") if isinstance(value, Decimal) else str(value)
    # JSON and JSON Lines: the number as written, parsed back exactly.
    for fmt in ("json", "jsonl"):
        out = dumps(records, fmt, fields=["value"])
        assert f'"value":{want}' in out.replace(" ", "")
        data = json.loads(out if fmt == "json" else f"[{out.strip()}]", parse_float=Decimal)
        assert data[0]["value"] == value
    rows = list(csv.DictReader(io.StringIO(dumps(records, "csv", fields=["value"]))))
    assert rows[0]["value"] == want


def test_known_inexact_products_are_exact():
    """4.6亿 is 460000000, never 459999999.99999994 (the float product)."""
    cases = {"4.6亿元": 460000000, "8.7万亿元": 8700000000000, "1.12万处": 11200, "2.45亿元": 245000000}
    for text, value in cases.items():
        (r,) = extract(f"共计{text}。")
        assert r.value == value and type(r.value) is int
        assert json.loads(dumps([r], "jsonl", fields=["value"]))["value"] == value
    (r,) = extract("化解率达百分之0.000007。")
    assert dumps([r], "csv", fields=["value"]).splitlines()[1] == "0.000007"
    assert '"value":0.000007' in dumps([r], "jsonl", fields=["value"])
