"""The numeral grammar (rules/numerals.toml) and its resolver (govextract/numerals.py):
every form read exactly, in simplified and traditional script, or refused with the
reason; never the value of a part of the span."""

from __future__ import annotations

from decimal import Decimal

import pytest

from govextract.numerals import Grammar, NumeralError, default_grammar, exact, parse_number, read_number
from govextract.ruleset import load_rules

D = Decimal

# (text, value, approx) by category; each read whole.
READ = {
    "arabic": [
        ("6238", 6238, False),
        ("8,000", 8000, False),
        ("1,050,000,000", 1050000000, False),
        ("94.60", D("94.6"), False),
        ("０．７７", D("0.77"), False),
        (".5", D("0.5"), False),
        ("01.10", D("1.1"), False),
    ],
    "arabic_with_scale_words": [
        ("1.6万", 16000, False),
        ("4.6亿", 460000000, False),
        ("3.5万亿", 3500000000000, False),
        ("5万4千6百", 54600, False),
        ("3万4000", 34000, False),
        ("2千零30万", 20300000, False),
        ("1千零1", 1001, False),
        ("25万6千", 256000, False),
        ("1,100.9亿", 110090000000, False),
        ("10万万", 1000000000, False),
        ("5亿1万4千6百", 500014600, False),
        ("5億1萬4千6百", 500014600, False),
    ],
    "chinese": [
        ("一百零八亿", 10800000000, False),
        ("三千六百", 3600, False),
        ("一千零一", 1001, False),
        ("一万零二百五十", 10250, False),
        ("四亿五千六百四十二万零一十五", 456420015, False),
        ("四億五千六百四十二萬零一十五", 456420015, False),
        ("一百零一万零三千零十二", 1013012, False),
        ("十", 10, False),
        ("十五", 15, False),
        ("零十", 10, False),
    ],
    "decimals": [
        ("三十六点九", D("36.9"), False),
        ("十四點八", D("14.8"), False),
        ("二点五", D("2.5"), False),
        ("零点五", D("0.5"), False),
        ("零點77", D("0.77"), False),
        ("两千万点五五四四", D("20000000.5544"), False),
        ("四百亿点零五零", D("40000000000.05"), False),
    ],
    "decimals_before_scale_words": [
        ("十二点五万", 125000, False),
        ("二十三点四五亿", 2345000000, False),
        ("二十三點四五億", 2345000000, False),
        ("六十二点五", D("62.5"), False),
    ],
    "financial": [
        ("肆佰陆拾", 460, False),
        ("肆佰陸拾", 460, False),
        ("叁万肆仟伍佰陆拾柒", 34567, False),
        ("參萬肆仟伍佰陸拾柒", 34567, False),
        ("拾六万零五百零六", 160506, False),
        ("拾亿零六万零五百零六", 1000060506, False),
        ("壹佰零肆萬", 1040000, False),
        ("貳佰零參", 203, False),
        ("玖拾陸", 96, False),
    ],
    "two": [
        ("两千", 2000, False),
        ("兩千四百五", 2450, False),
        ("倆千两百贰拾二", 2222, False),
        ("俩万", 20000, False),
    ],
    "zero": [
        ("〇", 0, False),
        ("零", 0, False),
        ("二百〇八", 208, False),
        ("二百○八", 208, False),
        ("一千零五", 1005, False),
        ("五亿零六", 500000006, False),
    ],
    "tens_in_one_character": [
        ("廿", 20, False),
        ("卅三", 33, False),
        ("五百卅四", 534, False),
        ("一萬零卌", 10040, False),
    ],
    "large_scales": [
        ("五兆六十二亿四万五千二", 5006200045200, False),
        ("五十五兆一十二億四萬五千二", 55001200045200, False),
        ("四万万", 400000000, False),
        ("四萬萬", 400000000, False),
        ("二十万亿", 20000000000000, False),
        ("一万五千亿", 1500000000000, False),
    ],
    "abbreviations": [
        ("一万三", 13000, False),
        ("壹萬三", 13000, False),
        ("九十二万四", 924000, False),
        ("两千四百五", 2450, False),
        ("九百九", 990, False),
        ("百二万", 1200000, False),
        ("百二萬", 1200000, False),
        ("千一", 1100, False),
        ("千三", 1300, False),
        ("万九", 19000, False),
        ("萬九", 19000, False),
        ("两千三点一", D("2300.1"), False),
    ],
    "approximations": [
        ("二十几万", 200000, True),
        ("二十幾萬", 200000, True),
        ("一百零几万", 1000000, True),
        ("十几", 10, True),
        ("十余万", 100000, True),
        ("300多万", 3000000, True),
        ("二十五亿七千多万", 2570000000, True),
        ("二十五億七千多萬", 2570000000, True),
        ("4万多亿", 4000000000000, True),
        ("千余", 1000, True),
        ("十来", 10, True),
    ],
    "signs": [
        ("-22.2", D("-22.2"), False),
        ("负3.9", D("-3.9"), False),
        ("負三十二", -32, False),
        ("−0.5", D("-0.5"), False),
        ("-.5", D("-0.5"), False),
        ("负四百零五亿零四百零四万", -40504040000, False),
    ],
}


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [case for cases in READ.values() for case in cases],
    ids=[f"{cat}:{case[0]}" for cat, cases in READ.items() for case in cases],
)
def test_read_whole_and_exact(text, value, approx):
    n = read_number(text)
    assert n.value == value
    assert isinstance(n.value, Decimal)
    assert n.approx is approx


REFUSED = [
    ("两三", "digits without place words"),
    ("一九五四", "digits without place words"),
    ("几十", "vague amount"),
    ("万", "scale word alone"),
    ("万万", "scale word alone"),
    ("十百", "place words out of order"),
    ("一万二万", "not below it"),
    ("五零", "digits without place words"),
    ("三五件", "'件' is not part of a number"),
    ("2.3.4", "two figures in a row"),
    ("1,23", "thousands separators"),
    ("点五", "no whole part"),
    ("十二点", "no digits after the decimal point"),
    ("二点五点三", "more than one decimal point"),
    ("10亿余万", "does not follow a digit"),
    ("余万", "does not follow a digit"),
    ("两千万点五万", "both sides of the decimal point"),
    ("", "empty"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_a_span_that_cannot_be_read_whole_is_refused_with_the_reason(text, reason):
    with pytest.raises(NumeralError, match=reason):
        read_number(text)
    assert parse_number(text) is None or text in ("一九五四", "两三", "五零")


def test_parse_number_reads_digit_runs_digit_by_digit_for_years_and_codes():
    assert parse_number("二〇二二") == 2022
    assert parse_number("一九五四") == 1954
    assert parse_number("4.6亿") == 460000000
    assert parse_number("连续") is None


def test_scale_words_after_a_figure_multiply():
    g = default_grammar()
    assert g.scale("万") == 10000
    assert g.scale("千万") == 10**7
    assert g.scale("万亿") == 10**12
    with pytest.raises(NumeralError):
        g.scale("万件")


def test_exact_gives_an_int_when_integral_and_the_shortest_decimal_otherwise():
    assert exact(Decimal("4.6") * 10**8) == 460000000
    assert type(exact(Decimal("4.6") * 10**8)) is int
    assert exact(72816600.0) == 72816600
    assert exact(Decimal("94.60")) == Decimal("94.6")
    assert str(exact(Decimal("94.60"))) == "94.6"
    assert exact(0.1) == Decimal("0.1")
    with pytest.raises(TypeError):
        exact(True)
    with pytest.raises(ValueError):
        exact(Decimal("NaN"))


def test_the_grammar_is_the_rules_tables():
    ruleset = load_rules()
    g = ruleset.numerals
    assert g.digits["兩"] == 2 and g.digits["參"] == 3 and g.myriads["兆"] == 10**12
    assert g.tens["卅"] == 30 and "點" in g.points and "幾" in g.vague
    # The fragments are built from the same tables: every digit of the table is in CN_DIGIT.
    assert all(c in ruleset.fragments["CN_DIGIT"] for c in g.digits)


@pytest.mark.parametrize(
    ("table", "entry", "message"),
    [
        ("numeral_digit", {"x": 12}, "is not a digit 0..9"),
        ("numeral_digit", {"xy": 1}, "is not one character"),
        ("numeral_place", {"x": 20}, "10, 100 or 1000"),
        ("numeral_myriad", {"x": 300}, "power of ten"),
        ("numeral_sign", {"x": 2}, "1 or -1"),
    ],
)
def test_a_broken_grammar_table_is_named(table, entry, message):
    data = load_rules().lexicons
    lex = {**data, table: {**data[table], **entry}}
    with pytest.raises(ValueError, match=message):
        Grammar.from_lexicons(lex)


def test_what_is_spared_cn2an_it_could_not_read() -> None:
    """A span the grammar calls no standard numeral (so cn2an is not imported for it) is
    one cn2an's strict mode refuses too: checked on random spans of numeral characters."""
    import random

    cn2an = pytest.importorskip("cn2an")
    from govextract.numerals import _not_standard

    g = default_grammar()
    alphabet = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点负幺廿余多几"
    rng = random.Random(7)
    spared = 0
    for _ in range(3000):
        t = "".join(rng.choices(alphabet, k=rng.randint(1, 6)))
        if not _not_standard(t, g):
            continue
        spared += 1
        with pytest.raises((ValueError, KeyError, IndexError, TypeError)):
            cn2an.cn2an(t, "strict")
    assert spared > 1000
    assert not _not_standard("一百零五", g) and not _not_standard("一点五五", g)
    assert _not_standard("一两", g) and _not_standard("10亿余万", g)
