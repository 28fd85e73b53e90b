"""Rule authors scale a value in a production ("$num*10", "$num/10"), exactly; the
loader refuses any other factor with a clear problem; {chars = ...} fragments and the
numeral tables are checked like the rest of a rule file."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from support import err, out, parse_json, run_cli

from govextract.engine import Extractor
from govextract.ruleset import RuleError, load_rules, parse_ref

# A user rule: a share written in tenths (三分 -> 30 percent), scaled by 10.
FEN_RULE = """\
[[rule]]
id = "percent.user_fen"
kind = "percent"
pattern = '(?P<num>{CN_ANY}|{DIGITS})分(?P<half>半)?(?=[，。])'
produce = { value = "%s", unit = "%%" }
negatives = ["考核得分95分以上"]

[[rule.examples]]
text = "满意度提高到三分，两分半。"
expect = [{ value = %s }, { value = %s }]
"""


def write(directory: Path, name: str, content: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("production", "first", "second"),
    [
        ("$num*10", "30", "25"),
        ("$num/10", "0.3", "0.25"),
        ("$num*0.5", "1.5", "1.25"),
        ("$num/8", "0.375", "0.3125"),
    ],
)
@pytest.mark.slow
def test_a_scaled_production_is_applied_exactly(tmp_path, production, first, second):
    write(tmp_path, "fen.toml", FEN_RULE % (production, first, second))
    ruleset = load_rules([tmp_path])
    records = Extractor(ruleset).run("满意度提高到三分，两分半。").records
    fen = [r for r in records if r.rule == "percent.user_fen"]
    assert [r.value for r in fen] == [Decimal(first), Decimal(second)]
    # the examples of the rule itself pass (rules check runs them)
    proc = run_cli("rules", "check", tmp_path)
    assert proc.returncode == 0, err(proc)
    assert "0 problem(s)" in out(proc)


def test_scaled_value_through_parse(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "fen.toml", FEN_RULE % ("$num*10", "30", "25"))
    report = write(tmp_path, "r.txt", "满意度提高到三分，两分半。\n")
    proc = run_cli("parse", "--rules", rules, report, "-q", "--format", "jsonl")
    assert proc.returncode == 0, err(proc)
    assert '"value":30,' in out(proc) and '"value":25,' in out(proc)


@pytest.mark.parametrize(
    ("production", "problem"),
    [
        ("$num*ten", "must be a decimal number"),
        ("$num*", "must be a decimal number"),
        ("$num/0", "must not be zero"),
        ("$num*0.0", "must not be zero"),
        ("$num/3", "1/3 is not a finite decimal"),
        ("$num*-2", "must be a decimal number"),
        ("$num@doubling*10", "a looked-up value cannot be scaled"),
    ],
)
def test_a_bad_scale_is_refused_with_a_clear_problem(tmp_path, production, problem):
    write(tmp_path, "fen.toml", FEN_RULE % (production, "30", "25"))
    with pytest.raises(RuleError) as info:
        load_rules([tmp_path])
    lines = [p for p in info.value.problems if "percent.user_fen" in p]
    assert len(lines) == 1, info.value.problems
    assert "produce.value" in lines[0] and problem in lines[0]
    assert str(tmp_path / "fen.toml") in lines[0]


def test_only_the_value_can_be_scaled(tmp_path):
    content = (FEN_RULE % ("$num*10", "30", "25")).replace('unit = "%"', 'unit = "$num*10"')
    write(tmp_path, "fen.toml", content)
    with pytest.raises(RuleError, match=r"produce.unit: '\$num\*10': only value can be scaled"):
        load_rules([tmp_path])


def test_parse_ref_reads_the_scale():
    ref = parse_ref("$num*10")
    assert ref is not None and ref.group == "num" and ref.scale == 10
    assert parse_ref("$num/10").scale == Decimal("0.1")
    assert parse_ref("$num/8").scale == Decimal("0.125")
    assert parse_ref("$num").scale is None
    assert parse_ref("$dir@direction").lexicon == "direction"
    assert parse_ref("$basis|none").default == "none"
    assert parse_ref("同比") is None


def test_builtin_rules_scale_cheng_and_permille():
    ruleset = load_rules()
    assert ruleset.by_id("percent.cheng").spec.produce["value"] == "$num*10"
    assert ruleset.by_id("percent.permille").spec.produce["value"] == "$num/10"


def test_a_chars_fragment_needs_single_characters(tmp_path):
    write(
        tmp_path,
        "frag.toml",
        """\
        [lexicon]
        user_marks = ["※", "◎◎"]

        [fragments]
        USER_MARK = {chars = "user_marks"}
        """,
    )
    needs = r"fragment 'USER_MARK': \{chars = 'user_marks'\} needs a lexicon of single"
    with pytest.raises(RuleError, match=needs):
        load_rules([tmp_path])


def test_a_chars_fragment_is_a_character_class(tmp_path):
    write(
        tmp_path,
        "frag.toml",
        """\
        [lexicon]
        user_marks = ["※", "-", "]"]

        [fragments]
        USER_MARK = {chars = "user_marks"}
        """,
    )
    frag = load_rules([tmp_path]).fragments["USER_MARK"]
    import regex

    assert regex.fullmatch(frag, "-") and regex.fullmatch(frag, "]") and regex.fullmatch(frag, "※")
    assert not regex.fullmatch(frag, "a")


@pytest.mark.slow
def test_a_broken_numeral_table_is_a_rule_problem(tmp_path):
    write(tmp_path, "bad.toml", '[lexicon.numeral_digit]\n"x" = 12\n')
    bad = r"numeral grammar: \[lexicon.numeral_digit\]: 'x' = 12 is not a digit"
    with pytest.raises(RuleError, match=bad):
        load_rules([tmp_path])


def test_explain_says_why_a_figure_cannot_be_read():
    proc = run_cli("explain", "辖区两三件纠纷已化解。")
    assert proc.returncode == 0, err(proc)
    assert "digits without place words" in out(proc)


def test_parse_of_a_mixed_figure_end_to_end():
    proc = run_cli("parse", "-", "-q", input="排查隐患5万4千6百处，抽检零点五吨。")
    assert proc.returncode == 0, err(proc)
    assert [(r["text"], r["value"]) for r in parse_json(proc)] == [("5万4千6百处", 54600), ("零点五吨", 0.5)]
