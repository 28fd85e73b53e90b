"""Writing a rule without reading Python: every fragment says what it is for and shows
examples (`govextract rules fragments`, run by `rules check`), fragments may be written
as tables or plainly, and a pattern that does not compile is reported where it is
written, naming the fragment at fault."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
import regex
from support import err, out, run_cli

from govextract.ruleset import RuleError, load_rules

RULESET = load_rules()


def write(directory: Path, name: str, content: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(RuleError) as info:
        load_rules([directory])
    return info.value.problems


# --- the built-in fragments -----------------------------------------------------------


@pytest.mark.parametrize("name", list(RULESET.fragment_specs))
def test_every_builtin_fragment_says_what_it_is_for_and_shows_it(name):
    frag = RULESET.fragment_specs[name]
    assert len(frag.description) >= 20, f"{name} needs a description"
    # A fragment that matches some text shows it; only lookaheads and optional pieces,
    # which can match nothing at all, may go without.
    if regex.fullmatch(RULESET.fragments[name], "") is None:
        assert frag.examples, f"{name} needs examples"


def test_rules_fragments_lists_each_fragment_with_its_description_and_examples():
    proc = run_cli("rules", "fragments")
    assert proc.returncode == 0, err(proc)
    blocks = out(proc).strip().split("\n\n")
    assert [b.split()[0] for b in blocks] == [f"{{{n}}}" for n in RULESET.fragment_specs]
    for block, frag in zip(blocks, RULESET.fragment_specs.values(), strict=True):
        assert block.splitlines()[0].endswith(f"rules/{Path(frag.file).name}")
        assert frag.description in block
        for ex in frag.examples:
            text = ex if isinstance(ex, str) else ex.text
            assert text.replace("\n", "\\n") in block
    number = run_cli("rules", "fragments", "NUMBER")
    assert number.returncode == 0, err(number)
    assert out(number).splitlines()[:3] == [
        "{NUMBER}  rules/numerals.toml",
        f"  {RULESET.fragment_specs['NUMBER'].description}",
        "  pattern:   (?>{SIGN}?(?:{ARABIC}|{CN_NUMBER}))",
    ]
    assert "  examples:  6238 | 1.6万 | 三千六百 | -3.9 | 负3.9" in out(number).splitlines()
    # A character set of lexicons, and examples in context.
    digit, marker = run_cli("rules", "fragments", "CN_DIGIT"), run_cli("rules", "fragments", "LIST_MARKER")
    assert "  chars:     the characters of [lexicon.numeral_digit]: " in out(digit)
    assert "1 三位一体推进 (at its start: 1)" in out(marker)
    assert "12 件，同比下降 (no match at its start)" in out(marker)
    unknown = run_cli("rules", "fragments", "NUMBR")
    assert unknown.returncode == 2 and out(unknown) == ""


# --- fragments of a user's rule file -------------------------------------------------------

USER_FRAGMENTS = """\
[fragments]
MY_UNIT = ["单", "宗次"]
MY_PREFIX = '受理|办结'
MY_END = { charset = "，。", description = "Ends", examples = ["，"], negatives = ["、"] }
MY_FIGURE = { pattern = '{ARABIC}', description = "Figure", examples = ["12", "3万"], negatives = ["十二"] }

[fragments.MY_VERB]
description = "Verbs that open a count of requests."
words = ["受理", "办结"]
examples = ["受理"]

[[rule]]
id = "count.user_orders"
kind = "count"
priority = 10
pattern = '{MY_VERB}{^MY_END}{0,8}?(?P<num>{MY_FIGURE})(?P<unit>{MY_UNIT})(?=[{MY_END.chars}])'
anchor = "num"
produce = { value = "$num", unit = "$unit" }
negatives = ["成立3个专班。"]

[[rule.examples]]
text = "全年受理群众诉求3560单。"
expect = [{ text = "3560", value = 3560, unit = "单" }]
"""


@pytest.mark.slow
def test_fragments_written_as_tables_or_plainly_load_and_work(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "user.toml", USER_FRAGMENTS)
    ruleset = load_rules([rules])
    assert ruleset.fragment_specs["MY_FIGURE"].description == "Figure"
    assert ruleset.fragment_specs["MY_VERB"].form == "words"
    assert ruleset.fragment_specs["MY_UNIT"].form == "words"
    assert ruleset.fragment_specs["MY_PREFIX"].written == "受理|办结"
    assert ruleset.chars("MY_END") == frozenset("，。")
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 0, err(proc)
    listed = run_cli("rules", "fragments", "MY_FIGURE", "--rules", rules)
    assert "  examples:  12 | 3万" in out(listed).splitlines()


@pytest.mark.slow
def test_rules_check_runs_the_examples_of_fragments(tmp_path):
    rules = tmp_path / "rules"
    path = write(rules, "user.toml", USER_FRAGMENTS.replace('negatives = ["十二"]', 'negatives = ["12"]'))
    path.write_text(
        path.read_text(encoding="utf-8").replace('examples = ["受理"]', 'examples = ["受理了"]'),
        encoding="utf-8",
    )
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert f"govextract: {path}: fragment 'MY_FIGURE': negative '12' is matched as a whole" in lines
    assert f"govextract: {path}: fragment 'MY_VERB': example '受理了' is not matched as a whole" in lines
    assert "2 problem(s)" in out(proc)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("{ description = 'no pattern' }", ["exactly one of pattern, words, lexicon, charset or chars"]),
        ("{ pattern = 'a', words = ['b'] }", ["exactly one of pattern, words, lexicon, charset or chars"]),
        ("{ pattern = 'a', colour = 'red' }", ["colour"]),
        ("3", ["must be a pattern string, a word list or a table"]),
    ],
)
@pytest.mark.slow
def test_a_malformed_fragment_is_refused_naming_it(tmp_path, value, words):
    path = write(tmp_path / "rules", "user.toml", f"[fragments]\nMY_BAD = {value}\n")
    problems = problems_of(path.parent)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}: fragment 'MY_BAD': ")
    for word in words:
        assert word in problems[0]


# --- compile errors, where they are written ------------------------------------------------


def rule_with(pattern: str) -> str:
    return f"""\
[[rule]]
id = "count.user_broken"
kind = "count"
pattern = '{pattern}'
produce = {{ value = "$num", unit = "件" }}
negatives = ["成立3个专班。"]

[[rule.examples]]
text = "办理案件3件。"
expect = [{{ value = 3 }}]
"""


def regex_error_position(text: str) -> int:
    with pytest.raises(regex.error) as info:
        regex.compile(text, regex.V0)
    return info.value.pos


def test_a_pattern_that_does_not_compile_is_reported_where_it_is_written(tmp_path):
    pattern = "(?P<num>{NUMBER})[起-件]{COUNT_UNIT}"
    path = write(tmp_path / "rules", "user.toml", rule_with(pattern))
    problems = problems_of(path.parent)
    assert len(problems) == 1, problems
    at = pattern.index("[起-件]") + regex_error_position("[起-件]")
    assert problems[0].startswith(f"{path}: rule 'count.user_broken': pattern does not compile: ")
    assert f"bad character range at position {at} of the pattern as written" in problems[0]
    assert "(?<!" not in problems[0]  # nothing of the expanded fragments


@pytest.mark.slow
def test_a_missing_parenthesis_is_reported_at_the_end_of_the_pattern(tmp_path):
    pattern = "(?P<num>{NUMBER}件"
    path = write(tmp_path / "rules", "user.toml", rule_with(pattern))
    (problem,) = problems_of(path.parent)
    assert f"missing ) at position {len(pattern)} of the pattern as written" in problem


@pytest.mark.slow
def test_a_broken_fragment_is_named_with_its_own_position(tmp_path):
    content = "[fragments]\nMY_UNITS = { pattern = '(?:件|起', description = 'Units.' }\n" + rule_with(
        "(?P<num>{NUMBER}){MY_UNITS}"
    )
    path = write(tmp_path / "rules", "user.toml", content)
    (problem,) = problems_of(path.parent)
    assert problem.startswith(f"{path}: rule 'count.user_broken': pattern does not compile: ")
    assert f"{path}: fragment 'MY_UNITS' does not compile: missing ) at position 6 of its pattern" in problem

    unused = write(tmp_path / "other", "user.toml", "[fragments]\nMY_UNUSED = '[件起'\n")
    proc = run_cli("rules", "check", unused.parent)
    assert proc.returncode == 1
    assert f"{unused}: fragment 'MY_UNUSED' does not compile: unterminated character set at position" in err(
        proc
    )


@pytest.mark.slow
def test_an_unknown_fragment_suggests_the_name_meant(tmp_path):
    path = write(tmp_path / "rules", "user.toml", rule_with("(?P<num>{NUMBR})件"))
    (problem,) = problems_of(path.parent)
    assert "unknown fragment {NUMBR} at position 8 of the pattern (did you mean {NUMBER}?)" in problem


# --- the README's rule files, and rules a new user wrote from the README alone ------------

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_rule_files() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Rules are data") : text.index("## How it works")]
    return regex.findall(r"```toml\n(.*?)```", section, flags=regex.S)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(readme_rule_files())))
def test_each_rule_file_of_the_readme_passes_rules_check(tmp_path, index):
    path = write(tmp_path, f"readme_{index}.toml", readme_rule_files()[index])
    ruleset = load_rules([path])  # loads: every field known, every pattern compiles
    from govextract.rulecheck import check_examples, check_fragments

    assert check_fragments(ruleset) + check_examples(ruleset) == []


@pytest.mark.slow
def test_the_readme_score_rule_and_exclusion_do_what_the_readme_says(tmp_path):
    files = readme_rule_files()
    paths = [write(tmp_path, f"r{i}.toml", f) for i, f in enumerate(files)]
    from govextract.engine import Extractor

    extractor = Extractor(load_rules(paths))
    [score] = [r for r in extractor.run("群众安全感测评得分98.6分。").records if r.kind == "count"]
    assert (score.rule, score.text, score.value, score.unit) == ("count.score", "98.6", Decimal("98.6"), "分")
    kept = extractor.run("每万人拥有律师2.3人，全市共有律师2300人。").records
    assert [(r.value, r.unit) for r in kept] == [(2300, "人")]


# Written as a new user would, from the README's "Rules are data" section and nothing
# else: a time taken in minutes (平均处警时间缩短至8分钟), which no built-in rule reads
# (the first of these rules, money in a foreign currency, became a built-in one), and a
# merit citation (荣立集体二等功), which no built-in honour rule reads.
DURATION = """\
[[rule]]
id = "count.duration"
kind = "count"
description = "A time taken, in minutes: 平均处警时间缩短至8分钟, 出警用时30余分钟."
gate = "FIGURE_GATE"
priority = 15
pattern = '(?:时间|用时)(?:缩短至|为)?(?P<num>{NUMBER})(?P<approx_mid>{APPROX_MID})?(?P<unit>分钟)'
anchor = "num"
produce = { value = "$num", unit = "$unit" }
negatives = ["时间紧、任务重。", "处警时间明显缩短。"]

[[rule.examples]]
text = "城区平均处警时间缩短至8分钟，农村出警用时30余分钟。"
expect = [
  { text = "8", value = 8, unit = "分钟", approx = false },
  { text = "30", value = 30, unit = "分钟", approx = true },
]
"""
MERIT = """\
[[rule]]
id = "honour.merit"
kind = "honour"
description = "A merit citation: 荣立集体二等功."
gate = "HONOUR_GATE"
pattern = '荣立(?P<title>(?:个人|集体)?[一二三]等功)'
anchor = "title"
produce = { title = "$title" }
negatives = ["争创集体一等功。"]

[[rule.examples]]
text = "莲前派出所荣立集体二等功。"
expect = [{ text = "集体二等功", title = "集体二等功", subject = "莲前派出所" }]
"""


@pytest.mark.slow
def test_rules_a_new_user_wrote_from_the_readme(tmp_path):
    rules = tmp_path / "my_rules"
    write(rules, "duration.toml", DURATION)
    write(rules, "merit.toml", MERIT)
    check = run_cli("rules", "check", rules)
    assert check.returncode == 0, err(check)
    assert f"{len(RULESET.rules) + 2} rules" in out(check)
    report = write(tmp_path, "report.txt", "全县平均处警时间缩短至8分钟。\n莲前派出所荣立集体二等功。\n")
    proc = run_cli("parse", "--rules", rules, report, "-q", "--format", "jsonl")
    assert proc.returncode == 0, err(proc)
    records = [json.loads(line) for line in out(proc).splitlines()]
    mine = [(r["rule"], r["kind"], r["value"], r["unit"], r["title"]) for r in records]
    assert ("count.duration", "count", 8, "分钟", None) in mine
    assert ("honour.merit", "honour", None, None, "集体二等功") in mine
    without = run_cli("parse", report, "-q", "--format", "jsonl")
    assert not [line for line in out(without).splitlines() if "分钟" in line or "二等功" in line]


# --- character sets (charset, chars of lexicons) and examples in context -------------------


@pytest.mark.slow
def test_a_complement_of_what_is_no_character_set_is_named_where_it_is_written(tmp_path):
    pattern = "(?P<num>{NUMBER}){^CLAUSE_ED}件"
    path = write(tmp_path / "rules", "user.toml", rule_with(pattern))
    (problem,) = problems_of(path.parent)
    at = pattern.index("{^CLAUSE_ED}")
    assert problem.startswith(f"{path}: rule 'count.user_broken': pattern: {{^CLAUSE_ED}} at position {at} ")
    assert "CLAUSE_ED is not a character set ({charset = ...} or {chars = lexicon})" in problem
    assert problem.endswith("(did you mean {CLAUSE_END}?)")
    (inside,) = problems_of(
        write(tmp_path / "two", "user.toml", rule_with("[^{NUMBER.chars}](?P<num>{NUMBER})件")).parent
    )
    assert "{NUMBER.chars} at position 2 of the pattern: NUMBER is not a character set" in inside


def test_a_chars_fragment_names_the_lexicon_meant(tmp_path):
    path = write(tmp_path / "rules", "user.toml", '[fragments]\nMY_DIGIT = { chars = "numeral_digt" }\n')
    (problem,) = problems_of(path.parent)
    assert problem == (
        f"{path}: fragment 'MY_DIGIT': {{chars = ...}}: "
        "no lexicon 'numeral_digt' (did you mean 'numeral_digit'?)"
    )


def test_a_fragment_over_a_character_set_that_does_not_compile_is_reported_where_it_is_written(tmp_path):
    written = "[{CN_DIGIT.chars}九-一]"
    content = f"[fragments]\nMY_DIGITS = {{ pattern = '{written}', description = 'Digits.' }}\n"
    path = write(tmp_path / "rules", "user.toml", content + rule_with("(?P<num>{NUMBER}){MY_DIGITS}"))
    (problem,) = problems_of(path.parent)
    at = written.index("九-一") + regex_error_position("[九-一]") - 1
    assert (
        f"{path}: fragment 'MY_DIGITS' does not compile: bad character range at position {at} of its pattern"
        in problem
    )


CONTEXT_FRAGMENTS = """\
[lexicon]
my_marks = ["※", "◆"]

[fragments.MY_MARK]
description = "A mark of the user's own: the characters of [lexicon.my_marks]."
chars = "my_marks"
examples = ["※"]
negatives = ["■"]

[fragments.MY_HEAD]
description = "A number opening a heading: it wants a space and a heading after it."
pattern = '\\d{1,2}(?= \\p{Han}{2})'
examples = [{ text = "3 调解工作", match = "3" }]
negatives = [{ text = "3 件" }, "3"]
"""


@pytest.mark.slow
def test_examples_in_context_are_run_and_listed(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "user.toml", CONTEXT_FRAGMENTS)
    ruleset = load_rules([rules])
    assert ruleset.chars("MY_MARK") == frozenset("※◆")
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 0, err(proc)
    listed = out(run_cli("rules", "fragments", "MY_MARK", "MY_HEAD", "--rules", rules)).splitlines()
    assert (
        "  chars:     the characters of [lexicon.my_marks]: ※◆ (one of them; {^MY_MARK}: any other)" in listed
    )
    assert "  examples:  3 调解工作 (at its start: 3)" in listed
    assert "  negatives: 3 件 (no match at its start) | 3" in listed

    broken = CONTEXT_FRAGMENTS.replace('match = "3"', 'match = "3 "').replace(
        '{ text = "3 件" }', '{ text = "3 调解" }'
    )
    path = write(rules, "user.toml", broken)
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert (
        f"govextract: {path}: fragment 'MY_HEAD': example '3 调解工作': matches '3' at its start, not '3 '"
        in lines
    )
    assert f"govextract: {path}: fragment 'MY_HEAD': negative '3 调解': '3' is matched at its start" in lines


def test_a_noise_entry_that_does_not_compile_is_reported_where_it_is_written(tmp_path):
    written = "(?:{PINYIN}[起-件]"
    noise = (
        f"[[noise]]\nid = 'noise.user'\naction = 'drop'\npattern = '{written}'\nnegatives = ['共办理案件']\n"
        "[[noise.examples]]\ntext = '共办理(bàn)案件'\nclean = '共办理案件'\n"
    )
    path = write(tmp_path / "rules", "noise.toml", noise)
    (problem,) = problems_of(path.parent)
    at = written.index("[起-件]") + regex_error_position("[起-件]")
    assert problem.startswith(f"{path}: noise 'noise.user': pattern does not compile: bad character range")
    assert f"at position {at} of the pattern as written" in problem


def cue_with(pattern: str) -> str:
    return (
        f"[[cue]]\nid = 'opener.user'\nkind = 'opener'\npattern = '{pattern}'\n"
        "examples = ['据悉，全市']\nnegatives = ['悉数']\n"
    )


def test_a_cue_that_does_not_compile_is_reported_where_it_is_written(tmp_path):
    written = "^据{CLAUSE_END}?悉[起-件]"
    path = write(tmp_path / "rules", "cues.toml", cue_with(written))
    (problem,) = problems_of(path.parent)
    at = written.index("[起-件]") + regex_error_position("[起-件]")
    assert problem.startswith(f"{path}: cue 'opener.user': pattern does not compile: bad character range")
    assert f"at position {at} of the pattern as written" in problem


def test_a_cue_over_a_broken_fragment_names_the_fragment(tmp_path):
    rules = tmp_path / "rules"
    write(rules, "frag.toml", "[fragments]\nMY_OPENER = '据(悉'\n")
    path = write(rules, "cues.toml", cue_with("^{MY_OPENER}"))
    problems = problems_of(rules)
    cue = [p for p in problems if p.startswith(f"{path}: cue 'opener.user'")]
    assert len(cue) == 1, problems
    assert "fragment 'MY_OPENER' does not compile" in cue[0]


@pytest.mark.parametrize(
    ("table", "entry"),
    [
        ("cue", cue_with("^据悉{CLAUSEEND}")),
        (
            "noise",
            "[[noise]]\nid = 'noise.user'\naction = 'drop'\npattern = '据悉{CLAUSEEND}'\n"
            "negatives = ['据此']\n[[noise.examples]]\ntext = '据悉，全市'\nclean = '全市'\n",
        ),
    ],
)
def test_an_unknown_fragment_in_a_cue_or_noise_entry_suggests_the_name_meant(tmp_path, table, entry):
    path = write(tmp_path / "rules", f"{table}.toml", entry)
    (problem,) = problems_of(path.parent)
    written = entry.split("pattern = '")[1].split("'")[0]
    at = written.index("{CLAUSEEND}")
    assert problem.startswith(f"{path}: {table} '")
    assert problem.endswith(
        f"unknown fragment {{CLAUSEEND}} at position {at} of the pattern (did you mean {{CLAUSE_END}}?)"
    )
