"""Scoring (SPEC.md "How a prediction is scored"): a hand-made gold set with known
counts, agreement with the independent scorer tests/tools/score.py (a copy of the
shared scorer), and a regression floor on the seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import GOLD, ROOT, TOOLS, err, run_cli

from govextract.evaluate import load_gold, report, score

SCORER = TOOLS / "score.py"

A_TEXT = (
    "全市共办理法律援助 6238 件，化解率达 94.6%。出台30条措施。"
    "挽回損失7281.66万元，刑事警情同比下降11.08%，调解纠纷12起。\n"
)
B_TEXT = "受理案件5件，排名全省第2。\n"


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def gold(text: str, part: str, kind: str, **fields) -> dict:
    start, end = span(text, part)
    return {"kind": kind, "text": part, "start": start, "end": end, **fields}


def pred(doc: str, text: str, part: str, kind: str, **fields) -> dict:
    start, end = span(text, part)
    return {"doc": doc, "kind": kind, "text": part, "start": start, "end": end, **fields}


GOLD_A = [
    gold(A_TEXT, "6238 件", "count", value=6238, unit="件", subject="法律援助", region="漳州市", year=2021),
    gold(A_TEXT, "94.6%", "percent", value=94.6, unit="%", subject="化解率"),
    gold(A_TEXT, "30条", "count", value=30, unit="条", subject="措施", optional=True),
    gold(A_TEXT, "7281.66万元", "money", value=72816600, unit="元", subject="挽回損失"),
    gold(A_TEXT, "同比下降11.08%", "change", value=-11.08, unit="%", subject="刑事警情", basis="同比"),
]
GOLD_B = [
    gold(B_TEXT, "5件", "count", value=5, unit="件", subject="受理案件"),
    gold(B_TEXT, "全省第2", "ranking", rank=2, top=None, scope="全省", tier="exact"),
]
PREDS = [
    # a: the count is right, and so are its subject and region, but not its year
    pred(
        "in/a.txt",
        A_TEXT,
        "6238 件",
        "count",
        value=6238,
        unit="件",
        subject="法律援助",
        region="漳州市",
        year=2022,
    ),
    # a: wrong value: a false positive and a miss
    pred("in/a.txt", A_TEXT, "94.6%", "percent", value=94.5, unit="%", subject="化解率"),
    # a: two readings of the optional gold, one right, one wrong: neither counts
    pred("in/a.txt", A_TEXT, "30条", "count", value=30, unit="条"),
    pred("in/a.txt", A_TEXT, "30", "count", value=3, unit="条"),
    # a: simplified subject against a traditional gold subject
    pred("in/a.txt", A_TEXT, "7281.66万元", "money", value=72816600.0, unit="元", subject="挽回损失"),
    # a: right change, wrong subject
    pred("in/a.txt", A_TEXT, "下降11.08%", "change", value=-11.08, unit="%", subject="警情数"),
    # a: not in the gold at all
    pred("in/a.txt", A_TEXT, "12起", "count", value=12, unit="起", subject="纠纷"),
    # b: one gold, two identical predictions: matching is one to one
    pred("b.txt", B_TEXT, "5件", "count", value=5, unit="件", subject="案件"),
    pred("b.txt", B_TEXT, "5件", "count", value=5, unit="件", subject="案件"),
    # c: a document without gold is not scored
    {"doc": "c.txt", "kind": "count", "text": "1件", "start": 0, "end": 2, "value": 1, "unit": "件"},
]
EXPECTED = {
    "count": (2, 2, 0),
    "percent": (0, 1, 1),
    "change": (1, 0, 0),
    "money": (1, 0, 0),
    "ranking": (0, 0, 1),
    "honour": (0, 0, 0),
    "all": (4, 3, 2),
}


@pytest.fixture
def gold_dir(tmp_path) -> Path:
    directory = tmp_path / "gold"
    directory.mkdir()
    for name, text, golds in (("a", A_TEXT, GOLD_A), ("b", B_TEXT, GOLD_B)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        lines = [json.dumps(g, ensure_ascii=False) for g in golds]
        (directory / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def test_hand_made_gold_counts(gold_dir):
    result = score(load_gold(gold_dir), PREDS)
    for kind, (tp, fp, fn) in EXPECTED.items():
        row = result.row(kind)
        assert (row["tp"], row["fp"], row["fn"]) == (tp, fp, fn), kind


def test_hand_made_gold_precision_recall_f1(gold_dir):
    result = score(load_gold(gold_dir), PREDS)
    assert result.row("count")["precision"] == pytest.approx(0.5)
    assert result.row("count")["recall"] == pytest.approx(1.0)
    assert result.row("count")["f1"] == pytest.approx(2 / 3)
    assert result.row("percent")["f1"] == 0.0
    assert result.row("money")["f1"] == pytest.approx(1.0)
    assert result.row("all")["precision"] == pytest.approx(4 / 7)
    assert result.row("all")["recall"] == pytest.approx(4 / 6)
    assert result.row("all")["f1"] == pytest.approx(2 * (4 / 7) * (4 / 6) / (4 / 7 + 4 / 6))
    for kind, counts in EXPECTED.items():
        row = result.row(kind)
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx(prf(*counts))


def test_hand_made_gold_attributes(gold_dir):
    result = score(load_gold(gold_dir), PREDS)
    # subject asked of the 4 matched required golds: 法律援助 ok, 挽回損失~挽回损失 ok,
    # 刑事警情 vs 警情数 wrong, 受理案件 contains 案件 ok
    assert result.accuracy("subject") == (pytest.approx(3 / 4), 4)
    assert result.accuracy("region") == (1.0, 1)
    assert result.accuracy("year") == (0.0, 1)
    wrong = {(doc, what) for doc, what, _, _ in result.wrong}
    assert wrong == {("a", "subject"), ("a", "year")}
    assert sorted((doc, g["kind"]) for doc, g in result.misses) == [("a", "percent"), ("b", "ranking")]
    assert sorted((doc, p["text"]) for doc, p in result.extras) == [
        ("a", "12起"),
        ("a", "94.6%"),
        ("b", "5件"),
    ]


def test_required_gold_takes_the_prediction_before_an_optional_one():
    text = "共30条措施。"
    golds = {
        "d": [
            gold(text, "30条", "count", value=30, unit="条", optional=True),
            gold(text, "30条", "count", value=30, unit="条"),
        ]
    }
    result = score(golds, [pred("d.txt", text, "30条", "count", value=30, unit="条")])
    assert (result.row("count")["tp"], result.row("count")["fp"], result.row("count")["fn"]) == (1, 0, 0)


def test_ranking_and_honour_matching():
    text = "排名全省第2，获评全国文明单位。"
    golds = {
        "e": [
            gold(text, "全省第2", "ranking", rank=2, top=None, scope="全省"),
            gold(text, "全国文明单位", "honour", title="全国文明单位"),
        ]
    }
    right = [
        pred("e.txt", text, "全省第2", "ranking", rank=2, top=None, scope="全省"),
        pred("e.txt", text, "全国文明单位", "honour", title="“全國文明單位”"),
    ]
    result = score(golds, right)
    assert result.row("all")["tp"] == 2 and result.row("all")["fp"] == 0
    wrong_scope = [pred("e.txt", text, "全省第2", "ranking", rank=2, top=None, scope="全市")]
    assert score(golds, wrong_scope).row("ranking") == pytest.approx(
        {"tp": 0, "fp": 1, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    )


def test_spans_must_overlap():
    text = "办理5件，又办理5件。"
    first = text.index("5件")
    golds = {
        "f": [{"kind": "count", "text": "5件", "start": first, "end": first + 2, "value": 5, "unit": "件"}]
    }
    second = text.rindex("5件")
    elsewhere = {
        "doc": "f.txt",
        "kind": "count",
        "start": second,
        "end": second + 2,
        "value": 5,
        "unit": "件",
    }
    row = score(golds, [elsewhere]).row("count")
    assert (row["tp"], row["fp"], row["fn"]) == (0, 1, 1)


def test_report_lists_misses_and_extras(gold_dir):
    text = report(score(load_gold(gold_dir), PREDS), show=True)
    assert "MISS b ranking '全省第2'" in text
    assert "EXTRA a count '12起'" in text
    assert "WRONG-SUBJECT a" in text


def run_scorer(gold_dir: Path, pred_file: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, str(SCORER), str(gold_dir), str(pred_file), "--json"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def assert_same_scores(ours: dict, theirs: dict) -> None:
    for kind, row in theirs["kinds"].items():
        mine = ours["kinds"][kind]
        assert (mine["tp"], mine["fp"], mine["fn"]) == (row["tp"], row["fp"], row["fn"]), kind
        for key in ("precision", "recall", "f1"):
            assert mine[key] == pytest.approx(row[key]), (kind, key)
    assert set(ours["attributes"]) == set(theirs["attributes"])
    for name, (accuracy, asked) in theirs["attributes"].items():
        assert ours["attributes"][name][1] == asked, name
        assert ours["attributes"][name][0] == pytest.approx(accuracy), name


def test_hand_made_gold_agrees_with_the_independent_scorer(gold_dir, tmp_path):
    pred_file = tmp_path / "preds.jsonl"
    pred_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PREDS), encoding="utf-8")
    theirs = run_scorer(gold_dir, pred_file)
    assert_same_scores(score(load_gold(gold_dir), PREDS).as_dict(), theirs)
    assert theirs["kinds"]["all"]["tp"] == 4  # the scorer does see this set as designed


@pytest.fixture(scope="module")
def seed_eval() -> dict:
    proc = run_cli("eval", "tests/gold", "seeds", "--json")
    assert proc.returncode == 0, err(proc)
    return json.loads(proc.stdout)


def test_eval_cli_agrees_with_the_independent_scorer(seed_eval, tmp_path):
    proc = run_cli("parse", "seeds", "--format", "jsonl", "-q")
    assert proc.returncode == 0, err(proc)
    pred_file = tmp_path / "seeds.jsonl"
    pred_file.write_bytes(proc.stdout)
    theirs = run_scorer(GOLD, pred_file)
    assert theirs["kinds"]["all"]["tp"] > 0
    # the same predictions through govextract.evaluate
    preds = [json.loads(line) for line in proc.stdout.splitlines()]
    assert_same_scores(score(load_gold(GOLD), preds).as_dict(), theirs)
    # and `govextract eval`, which extracts by itself
    assert_same_scores(seed_eval, theirs)


@pytest.mark.parametrize("kind", ["count", "percent", "change", "money"])
def test_seed_f1_floor(seed_eval, kind):
    row = seed_eval["kinds"][kind]
    assert row["tp"] > 0
    assert row["f1"] >= 0.95, row


def test_seed_subject_accuracy_floor(seed_eval):
    accuracy, asked = seed_eval["attributes"]["subject"]
    assert asked >= 100
    assert accuracy >= 0.85


def test_eval_text_report(tmp_path):
    proc = run_cli("eval", "tests/gold", "seeds", "--show")
    assert proc.returncode == 0, err(proc)
    lines = proc.stdout.decode().splitlines()
    assert lines[0].split() == ["kind", "tp", "fp", "fn", "P", "R", "F1"]
    assert [line.split()[0] for line in lines[1:8]] == [
        "count",
        "percent",
        "change",
        "money",
        "ranking",
        "honour",
        "all",
    ]
    assert any(line.startswith("subject accuracy over matched") for line in lines)


def test_eval_needs_a_gold_directory(tmp_path):
    proc = run_cli("eval", tmp_path / "nowhere", "seeds")
    assert proc.returncode == 2
    assert proc.stdout == b""


def test_scorer_copy_is_the_shared_one():
    # tests/tools/score.py is the shared scorer kept in the repo; when ../shared is
    # beside the repo, the copy must not have drifted from it.
    shared = ROOT.parent / "shared" / "tools" / "score.py"
    if not shared.exists():
        pytest.skip("no ../shared beside the repository")
    assert SCORER.read_bytes() == shared.read_bytes()


# --- eval scores only the documents it is given -----------------------------------


def run_scorer_docs(gold_dir: Path, pred_file: Path, docs: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, str(SCORER), str(gold_dir), str(pred_file), "--json", f"--docs={','.join(docs)}"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


def test_eval_scores_only_the_documents_given(gold_dir, tmp_path):
    # b's gold (a count and a ranking) is not asked about when only a.txt is given
    proc = run_cli("eval", gold_dir, "a.txt", "--json", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    assert err(proc) == ""
    ours = json.loads(proc.stdout)
    assert ours["kinds"]["ranking"]["fn"] == 0
    assert ours["kinds"]["all"]["tp"] + ours["kinds"]["all"]["fn"] == 4  # a's required golds only
    parsed = run_cli("parse", "a.txt", "--format", "jsonl", "-q", cwd=tmp_path)
    pred_file = tmp_path / "a.jsonl"
    pred_file.write_bytes(parsed.stdout)
    assert_same_scores(ours, run_scorer_docs(gold_dir, pred_file, ["a"]))


def test_eval_names_inputs_without_gold_in_one_line(gold_dir, tmp_path):
    (tmp_path / "c.txt").write_text("办理案件3件。\n", encoding="utf-8")
    (tmp_path / "d.txt").write_text("办理案件4件。\n", encoding="utf-8")
    proc = run_cli("eval", gold_dir, "a.txt", "c.txt", "d.txt", "--json", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    assert err(proc).splitlines() == [f"govextract: no gold in {gold_dir} for 2 input(s): c.txt, d.txt"]
    assert json.loads(proc.stdout)["kinds"]["all"]["tp"] + json.loads(proc.stdout)["kinds"]["all"]["fn"] == 4


def test_eval_without_any_input_that_has_gold_is_an_error(gold_dir, tmp_path):
    (tmp_path / "c.txt").write_text("办理案件3件。\n", encoding="utf-8")
    proc = run_cli("eval", gold_dir, "c.txt", "--json", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert "none of the inputs has gold" in err(proc)
    assert "Traceback" not in err(proc)


def test_eval_counts_the_gold_of_an_unreadable_input_as_missed(gold_dir, tmp_path):
    (tmp_path / "b.txt").write_bytes(b"")  # b has gold, but cannot be read
    proc = run_cli("eval", gold_dir, "a.txt", "b.txt", "--json", cwd=tmp_path)
    assert proc.returncode == 1
    assert err(proc).splitlines() == ["govextract: b.txt: empty file"]
    kinds = json.loads(proc.stdout)["kinds"]
    assert kinds["ranking"]["fn"] == 1 and kinds["count"]["fn"] == 1  # b's golds, all missed
