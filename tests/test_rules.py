"""Rules as data: every built-in rule passes its own examples, and broken rule
files are refused with every problem named by file and rule."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from support import err, out, parse_json, run_cli

from govextract.engine import Extractor
from govextract.rulecheck import check_rule
from govextract.ruleset import RuleError, load_rules

RULESET = load_rules()


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(RULESET)


def test_there_are_rules_of_every_numeric_kind_and_exclusions():
    kinds = {r.kind for r in RULESET.rules}
    assert {"count", "percent", "change", "money", "exclude"} <= kinds


@pytest.mark.parametrize("rule", RULESET.rules, ids=[r.id for r in RULESET.rules])
def test_rule_passes_its_examples(extractor, rule):
    assert rule.spec.examples, f"{rule.id} has no positive example"
    assert rule.spec.negatives, f"{rule.id} has no negative example"
    problems = check_rule(extractor, rule)
    assert problems == []


@pytest.mark.slow
def test_rules_check_cli_passes():
    proc = run_cli("rules", "check")
    assert proc.returncode == 0, err(proc)
    assert f"{len(RULESET.rules)} rules" in out(proc)
    assert "0 problem(s)" in out(proc)


def test_rules_list_cli_lists_every_rule_noise_entry_and_cue():
    proc = run_cli("rules", "list")
    assert proc.returncode == 0, err(proc)
    lines = [line.split() for line in out(proc).splitlines() if line.strip()]
    cues = [c.id for c in RULESET.cues]
    assert cues, "rules/document.toml holds the genre's cues"
    rules = [r.id for r in RULESET.rules] + [n.id for n in RULESET.noise_rules]
    assert [line[0] for line in lines] == rules + cues
    # a cue's line: its kind of cue, its numbers of examples and negatives, its file
    shown = {line[0]: line[1:] for line in lines}
    for cue in RULESET.cues:
        assert shown[cue.id] == [
            "cue",
            cue.kind,
            str(len(cue.spec.examples)),
            "positive",
            str(len(cue.spec.negatives)),
            "negative",
            "rules/document.toml",
        ], shown[cue.id]


@pytest.mark.slow
def test_rules_list_shows_a_users_cue(tmp_path):
    rules = tmp_path / "rules"
    write(
        rules,
        "cues.toml",
        """\
        [[cue]]
        id = "opener.hearsay"
        kind = "opener"
        description = "A word opening a clause on what was heard, not its subject."
        words = ["据悉"]
        examples = [{ text = "据悉，全市化解纠纷12起。", match = "据悉" }, "据悉全年"]
        negatives = ["据此", "悉数"]
        """,
    )
    assert run_cli("rules", "check", rules).returncode == 0
    proc = run_cli("rules", "list", "--rules", rules)
    assert proc.returncode == 0, err(proc)
    line = next(line for line in out(proc).splitlines() if line.startswith("opener.hearsay "))
    assert line.split()[1:6] == ["cue", "opener", "2", "positive", "2"], line


# --- user rule files --------------------------------------------------------

# A valid rule for a unit the built-in rules do not know: 受理群众诉求3560单.
DAN_RULE = """\
[[rule]]
id = "count.dan"
kind = "count"
priority = 10
description = "Orders and requests counted in 单."
pattern = '(?P<approx_pre>{APPROX_PRE})?(?P<num>{NUMBER})(?P<approx_mid>{APPROX_MID})?(?P<unit>单)(?!位|元)'
produce = { value = "$num", unit = "单" }
negatives = ["成立3个工作专班。", "表彰先进单位12家。"]

[[rule.examples]]
text = "全年受理群众诉求3560单，办结3400余单。"
expect = [
  { text = "3560单", value = %s, unit = "单" },
  { text = "3400余单", value = 3400, approx = true },
]
"""


def write(directory: Path, name: str, content: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def test_builtin_rules_do_not_know_dan(extractor):
    # The premise of the user rule tests below.
    records = extractor.run("全年受理群众诉求3560单。").records
    assert records == [], "the built-in rules now count 单: give the user rule below another unit"


def test_user_rule_directory_is_used_by_parse(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "dan.toml", DAN_RULE % "3560")
    report = write(tmp_path, "report.txt", "全年受理群众诉求3560单，化解纠纷12起。\n")
    proc = run_cli("parse", "--rules", rules, report, "-q")
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    dan = [r for r in records if r["rule"] == "count.dan"]
    assert [(r["text"], r["value"], r["unit"]) for r in dan] == [("3560单", 3560, "单")]
    # the built-in rules still run beside it
    assert any(r["rule"] == "count.measure_word" and r["value"] == 12 for r in records)

    without = run_cli("parse", report, "-q")
    assert without.returncode == 0, err(without)
    assert not [r for r in parse_json(without) if r["text"] == "3560单"]


@pytest.mark.slow
def test_user_rule_directory_is_checked_by_rules_check(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "dan.toml", DAN_RULE % "3560")
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 0, err(proc)
    assert f"{len(RULESET.rules) + 1} rules" in out(proc)
    listed = run_cli("rules", "list", "--rules", rules)
    assert listed.returncode == 0, err(listed)
    assert "count.dan" in out(listed).split()


@pytest.mark.slow
def test_rules_check_reports_a_failing_example(tmp_path):
    rules = tmp_path / "rules"
    path = write(rules, "dan.toml", DAN_RULE % "9999")
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 1
    problems = [line for line in err(proc).splitlines() if "count.dan" in line]
    assert len(problems) == 1, err(proc)
    assert str(path) in problems[0]
    assert "9999" in problems[0]
    assert "1 problem(s)" in out(proc)


@pytest.mark.slow
def test_rules_check_reports_a_negative_that_produces(tmp_path):
    rules = tmp_path / "rules"
    content = (DAN_RULE % "3560").replace('"成立3个工作专班。"', '"办结诉求25单。"')
    write(rules, "dan.toml", content)
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 1
    assert "count.dan" in err(proc)
    assert "negative '办结诉求25单。'" in err(proc)


@pytest.mark.slow
def test_rule_directory_under_a_hidden_directory(tmp_path):
    # A directory below a hidden one (~/.config/govextract) is read; hidden entries
    # inside the given directory are not.
    rules = tmp_path / ".config" / "rules"
    write(rules, "dan.toml", DAN_RULE % "3560")
    write(rules / ".old", "broken.toml", "[[rule]\n")
    ruleset = load_rules([rules])
    assert ruleset.by_id("count.dan").file == str(rules / "dan.toml")
    assert len(ruleset.rules) == len(RULESET.rules) + 1


def test_reloading_an_edited_rule_file_sees_the_edit(tmp_path):
    path = write(tmp_path, "dan.toml", DAN_RULE % "3560")
    first = load_rules([tmp_path])
    assert first.by_id("count.dan").spec.examples[0].expect[0]["value"] == 3560
    write(tmp_path, "dan.toml", DAN_RULE % "3560.0")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    second = load_rules([tmp_path])
    assert second.by_id("count.dan").spec.examples[0].expect[0]["value"] == 3560.0
    assert isinstance(second.by_id("count.dan").spec.examples[0].expect[0]["value"], float)


# --- malformed rule files ---------------------------------------------------


def rule_toml(rule_id: str, *, pattern: str = "(?P<num>{DIGITS})单", extra: str = "", **keys: str) -> str:
    """One [[rule]] entry; keys override or (with value None) drop the defaults."""
    fields = {
        "kind": '"count"',
        "pattern": f"'{pattern}'",
        "produce": '{ value = "$num", unit = "单" }',
        "negatives": '["成立3个专班。"]',
        "examples": '[{ text = "受理诉求12单。", expect = [{ value = 12 }] }]',
    }
    fields.update(keys)
    body = "".join(f"{k} = {v}\n" for k, v in fields.items() if v is not None)
    return f'[[rule]]\nid = "{rule_id}"\n{body}{extra}\n'


def load_problems(directory: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        load_rules([directory])
    problems = info.value.problems
    assert problems
    assert str(info.value) == "\n".join(problems)
    return problems


def test_valid_rule_template_loads(tmp_path):
    # The malformed cases below differ from this one in one way each.
    write(tmp_path, "ok.toml", rule_toml("count.user_ok"))
    ruleset = load_rules([tmp_path])
    assert ruleset.by_id("count.user_ok").file == str(tmp_path / "ok.toml")


MALFORMED = {
    "unknown_fragment": (rule_toml("count.user_bad", pattern="(?P<num>{NOPE})单"), ["{NOPE}"]),
    "regex_does_not_compile": (rule_toml("count.user_bad", pattern="(?P<num>{DIGITS}单"), ["compile"]),
    "unknown_key": (rule_toml("count.user_bad", extra="colour = 'red'"), ["colour"]),
    "missing_examples": (rule_toml("count.user_bad", examples=None), ["positive"]),
    "missing_negatives": (rule_toml("count.user_bad", negatives=None), ["negative"]),
    "missing_both": (rule_toml("count.user_bad", examples=None, negatives=None), ["examples"]),
    "produce_missing_group": (
        rule_toml("count.user_bad", produce='{ value = "$number", unit = "单" }'),
        ["number"],
    ),
    "produce_unknown_field": (
        rule_toml("count.user_bad", produce='{ value = "$num", colour = "x" }'),
        ["colour"],
    ),
    "unknown_kind": (rule_toml("count.user_bad", kind='"weight"'), ["kind"]),
    "bad_id": (rule_toml("Count-User"), ["id"]),
}


@pytest.mark.parametrize("case", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_rule_is_refused_naming_file_and_rule(tmp_path, case):
    content, words = MALFORMED[case]
    path = write(tmp_path, "user.toml", content)
    problems = load_problems(tmp_path)
    assert len(problems) == 1, problems
    rule_id = "Count-User" if case == "bad_id" else "count.user_bad"
    assert str(path) in problems[0]
    assert repr(rule_id) in problems[0]
    for word in words:
        assert word in problems[0]


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "broken.toml", rule_toml("count.user_bad") + "[[rule]\nid = 'x'\n")
    problems = load_problems(tmp_path)
    assert len(problems) == 1
    assert str(path) in problems[0]
    assert "cannot read rules" in problems[0]


def test_unknown_top_level_key_is_refused(tmp_path):
    path = write(tmp_path, "user.toml", "[rules]\nid = 'x'\n")
    problems = load_problems(tmp_path)
    assert len(problems) == 1
    assert str(path) in problems[0] and "rules" in problems[0]


def test_duplicate_id_in_one_file(tmp_path):
    path = write(tmp_path, "user.toml", rule_toml("count.user_dup") + rule_toml("count.user_dup"))
    problems = load_problems(tmp_path)
    assert len(problems) == 1
    assert str(path) in problems[0]
    assert "'count.user_dup'" in problems[0]
    assert "duplicate id" in problems[0]


def test_duplicate_of_a_builtin_id(tmp_path):
    path = write(tmp_path, "user.toml", rule_toml("count.measure_word"))
    problems = load_problems(tmp_path)
    assert len(problems) == 1
    assert str(path) in problems[0]
    assert "'count.measure_word'" in problems[0]
    assert "numeric.toml" in problems[0]  # where it was first defined


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    content = (
        rule_toml("count.user_one", pattern="(?P<num>{NOPE})单")
        + rule_toml("count.user_fine")
        + rule_toml("count.user_two", negatives=None)
    )
    path = write(tmp_path, "user.toml", content)
    problems = load_problems(tmp_path)
    assert len(problems) == 2, problems
    assert all(str(path) in p for p in problems)
    assert "'count.user_one'" in problems[0] and "{NOPE}" in problems[0]
    assert "'count.user_two'" in problems[1] and "negative" in problems[1]


def test_problems_of_several_files_are_reported_at_once(tmp_path):
    a = write(tmp_path, "a.toml", rule_toml("count.user_a", pattern="(?P<num>{DIGITS}单"))
    b = write(tmp_path, "b.toml", "[[rule]\n")
    problems = load_problems(tmp_path)
    assert len(problems) == 2, problems
    assert any(str(a) in p and "'count.user_a'" in p for p in problems)
    assert any(str(b) in p for p in problems)


def test_missing_rules_directory(tmp_path):
    problems = load_problems(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in problems[0]


def broken_rules_dir(tmp_path: Path) -> tuple[Path, Path]:
    content = rule_toml("count.user_one", pattern="(?P<num>{NOPE})单") + rule_toml(
        "count.user_two", produce='{ value = "$missing" }'
    )
    path = write(tmp_path / "rules", "user.toml", content)
    return path.parent, path


def assert_two_rule_problems(stderr: str, path: Path) -> None:
    lines = [line for line in stderr.splitlines() if str(path) in line]
    assert len(lines) == 2, stderr
    assert "'count.user_one'" in lines[0] and "{NOPE}" in lines[0]
    assert "'count.user_two'" in lines[1] and "missing" in lines[1]


def test_rules_check_cli_refuses_a_broken_directory(tmp_path):
    directory, path = broken_rules_dir(tmp_path)
    proc = run_cli("rules", "check", directory)
    assert proc.returncode == 1  # finding problems is what rules check is for (parse --rules: 2)
    assert_two_rule_problems(err(proc), path)
    assert out(proc) == ""


def test_parse_cli_refuses_broken_rules(tmp_path):
    directory, path = broken_rules_dir(tmp_path)
    report = write(tmp_path, "report.txt", "共办理法律援助 6238 件。\n")
    proc = run_cli("parse", "--rules", directory, report)
    assert proc.returncode == 2
    assert_two_rule_problems(err(proc), path)
    assert out(proc) == ""
