"""The estimate of what one try of a pattern can cost (govextract/backtrack.py), and where
the engine leaves the regex timeout off because of it."""

from __future__ import annotations

import sys

import pytest

from govextract.backtrack import STEP_SECONDS, pattern_cost, unwatched, word_cost
from govextract.engine import Extractor
from govextract.ruleset import load_rules


def _none(_name: str):
    return None


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+%",
        r"(?:件起|件)*X",
        r"(?=(?:[\d,.]|一)+年)\d{1,4}年",  # a lookahead that reads a whole run from each character
        r"\d++%",  # possessive: still the rest of a run from each of its characters
        r"[^，]{2,}",
    ],
)
def test_a_repeat_without_bound_has_no_bound(pattern):
    assert pattern_cost(pattern, _none) is None


def test_a_pattern_it_cannot_read_has_no_bound():
    assert pattern_cost(r"(?<name>a)(?&name)", _none) is None  # regex syntax re does not know


def test_bounded_repeats_cost_what_they_may_try():
    # greedy: 1 to 15 digits, then a % tried after each
    cost = pattern_cost(r"\d{1,15}%", _none)
    assert cost is not None and cost.steps == 15 + 15
    # possessive: the digits are read once and never given back
    possessive = pattern_cost(r"\d{1,15}+%", _none)
    assert possessive is not None and possessive.steps == 16
    # nested choices multiply: each round of (a|ab|b) may end two ways at an a
    nested = pattern_cost(r"(?:a|ab|b){0,12}[cd]", _none)
    assert nested is not None and nested.ways > 2**12 and nested.steps > 10_000


def test_alternatives_opening_with_different_characters_do_not_add_up():
    apart = pattern_cost(r"(?:甲\d{1,9}|乙\d{1,9}|丙\d{1,9})件", _none)
    together = pattern_cost(r"(?:\d{1,9}|\d{1,9}|\d{1,9})件", _none)
    assert apart is not None and together is not None
    assert apart.ways == 9 and together.ways == 27
    assert apart.steps < together.steps


def test_a_fragment_counts_as_its_own_cost():
    costs = {"F": pattern_cost(r"\d{1,3}", _none), "G": None}
    cost = pattern_cost("{F}件", costs.get)
    assert cost is not None and cost.ways == 3
    assert pattern_cost("{G}件", costs.get) is None  # a fragment without a bound


def test_words_sharing_a_first_character_may_each_match():
    cost = word_cost(["人", "人次", "件", "起"])
    assert cost.ways == 2
    assert cost.first == frozenset(map(ord, "人件起"))


def test_the_stretch_left_unwatched():
    assert unwatched(None, 2.0, 100_000) == 0
    cheap = int(1 / 100_000 / STEP_SECONDS)  # steps a character that fit in its allowance
    assert unwatched(cheap, 2.0, 100_000) == sys.maxsize
    dear = 1_000_000
    n = unwatched(dear, 2.0, 100_000)
    assert 0 < n < 1_000
    # the worst case over n characters fits in the allowance, over a few more it does not
    assert n * dear * STEP_SECONDS <= 2.0 + n / 100_000
    assert (n + 2) * dear * STEP_SECONDS > 2.0 + (n + 2) / 100_000


def test_rules_with_a_repeat_without_bound_always_run_under_the_timeout():
    extractor = Extractor()
    rules = {r.id: r for r in extractor.rules.rules}
    # exclude.year: YEAR lets any spaces stand between a year and its 年
    assert extractor.rules.worst_steps(rules["exclude.year"]) is None
    assert extractor._unwatched(rules["exclude.year"]) == 0
    # percent.baifenzhi_bai: a fixed word, a few steps: no stretch needs the timeout
    assert extractor._unwatched(rules["percent.baifenzhi_bai"]) == sys.maxsize


def test_the_numerals_and_the_commonest_rules_are_bounded():
    rules = load_rules()
    by_id = {r.id: r for r in rules.rules}
    common = ("count.measure_word", "percent.sign", "change.direction", "money.currency", "exclude.date")
    for rule_id in common:
        assert rules.worst_steps(by_id[rule_id]) is not None, rule_id
