"""Facts (`govextract facts`, `govextract.fact`): the mentions of one figure of a
report fold into one fact; every mention stays exact; the command takes the inputs,
options and formats of `parse`."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest
from support import SEEDS, err, out, parse_json, run_cli

from govextract import facts
from govextract.fact import FACT_FIELDS, IDENTITY, MENTION_FIELDS
from govextract.record import FIELDS

# The figures of the seeds stated more than once, as (document, the text of the
# mentions, their lines): the headline and the body, or a page that repeats an article.
REPEATED = {
    ("seeds/000_3292ed1d3f9d8e15.txt", "count", "1 个"): [21, 179],
    ("seeds/000_3292ed1d3f9d8e15.txt", "honour", "十大法治人物"): [23, 179],
    ("seeds/000_3292ed1d3f9d8e15.txt", "honour", "十大法治事件"): [24, 181],
    ("seeds/002_f6e356b8f12b78fb.txt", "ranking", "全市第一"): [7, 36, 78],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "5个"): [30, 56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "57人"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "2件"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "6人"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "118起"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "10个"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "count", "60人"): [56, 58],
    ("seeds/002_f6e356b8f12b78fb.txt", "money", "4464.24万元"): [56, 58],
}


@pytest.fixture(scope="module")
def seed_facts() -> list[dict]:
    proc = run_cli("facts", "seeds", "-q", "--format", "jsonl")
    assert proc.returncode == 0, err(proc)
    return [json.loads(line) for line in out(proc).splitlines()]


@pytest.fixture(scope="module")
def seed_records_once() -> list[dict]:
    proc = run_cli("parse", "seeds", "-q")
    assert proc.returncode == 0, err(proc)
    return parse_json(proc)


def test_fact_fields_are_the_record_fields_with_mentions_for_the_spans():
    assert (*(f for f in FIELDS if f not in MENTION_FIELDS), "mentions") == FACT_FIELDS


def test_repeated_figures_of_the_seeds_fold(seed_facts, seed_records_once):
    assert len(seed_facts) < len(seed_records_once)
    assert sum(len(f["mentions"]) for f in seed_facts) == len(seed_records_once)
    folded = {
        (f["doc"], f["kind"], f["mentions"][0]["text"]): [m["line"] for m in f["mentions"]]
        for f in seed_facts
        if len(f["mentions"]) > 1
    }
    assert folded == REPEATED
    assert len(seed_records_once) - len(seed_facts) == sum(len(v) - 1 for v in REPEATED.values())


def test_every_mention_is_exact_and_every_fact_says_what_its_records_say(seed_facts, seed_records_once):
    sources = {p: (SEEDS.parent / p).read_text(encoding="utf-8") for p in {f["doc"] for f in seed_facts}}
    by_span = {(r["doc"], r["start"], r["end"], r["kind"]): r for r in seed_records_once}
    for f in seed_facts:
        text = sources[f["doc"]]
        starts = [m["start"] for m in f["mentions"]]
        assert starts == sorted(starts)
        for m in f["mentions"]:
            assert text[m["start"] : m["end"]] == m["text"]
            assert text.count("\n", 0, m["start"]) + 1 == m["line"]
            r = by_span[(f["doc"], m["start"], m["end"], f["kind"])]
            assert r["text"] == m["text"] and r["line"] == m["line"]
            for key in IDENTITY:
                assert r[key] == f[key], (key, r, f)
        if len(f["mentions"]) > 1:
            assert f["subject"] is not None or f["title"] is not None


def test_facts_in_the_order_of_their_first_mention(seed_facts):
    docs = list(dict.fromkeys(f["doc"] for f in seed_facts))
    assert docs == sorted(docs)
    for doc in docs:
        firsts = [f["mentions"][0]["start"] for f in seed_facts if f["doc"] == doc]
        assert firsts == sorted(firsts)


def record(start: int, text: str = "5件", **fields) -> dict:
    data = {f: None for f in FIELDS}
    data.update(
        doc="a.txt",
        kind="count",
        subject="法律援助",
        value=5,
        unit="件",
        approx=False,
        text=text,
        start=start,
        end=start + len(text),
        line=1,
        region="漳州市",
        year=2021,
        rule="count.measure_word",
    )
    data.update(fields)
    return data


def test_fold_rules():
    got = facts(
        [
            record(0),
            record(40, "5余件", approx=True, grantor=None, indicator="法律援助案件数"),
            record(80, value=6),  # another value
            record(90, region="龙海区"),  # another place
            record(100, year=2020),  # another year
            record(110, subject=None),  # says too little: never folds
            record(120, subject=None),
            record(130, doc="b.txt"),  # another report
            record(140, kind="change", unit="%", basis="同比"),
            record(150, kind="change", unit="%", basis="环比"),  # another basis
            record(10, value=5.0),  # 5.0 is 5
        ]
    )
    counts = Counter((f.doc, f.value, f.region, f.year, f.subject, f.basis) for f in got)
    assert len(got) == 9
    first = got[0]
    assert [m.start for m in first.mentions] == [0, 10, 40]
    assert first.approx is True  # one mention marks it approximate
    assert first.indicator == "法律援助案件数"  # the first that names one
    assert counts[("a.txt", 5, "漳州市", 2021, None, None)] == 2
    assert got[-1].doc == "b.txt"


def test_facts_cli_formats_fields_and_kinds(tmp_path):
    seed = "seeds/002_f6e356b8f12b78fb.txt"
    proc = run_cli("facts", seed, "-q", "--format", "csv", "--kinds", "money")
    assert proc.returncode == 0, err(proc)
    rows = list(csv.DictReader(io.StringIO(out(proc))))
    assert list(rows[0]) == list(FACT_FIELDS)
    assert {r["kind"] for r in rows} == {"money"}
    mentions = json.loads(next(r for r in rows if r["value"] == "44642400")["mentions"])
    assert [m["text"] for m in mentions] == ["4464.24万元", "4464.24万元"]
    proc = run_cli("facts", seed, "-q", "--fields", "kind,value,mentions", "-o", tmp_path / "f.json")
    assert proc.returncode == 0 and out(proc) == "", err(proc)
    data = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert data and all(list(d) == ["kind", "value", "mentions"] for d in data)
    bad = run_cli("facts", seed, "--fields", "kind,text")
    assert bad.returncode == 2 and "unknown field(s) text" in err(bad)
    bad = run_cli("facts", seed, "--format", "xml")
    assert bad.returncode == 2


def test_facts_cli_reports_a_bad_input_and_goes_on(tmp_path):
    proc = run_cli("facts", tmp_path / "missing.txt", "seeds/001_45dff95fb4eadf66.txt", "--format", "jsonl")
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert lines[0] == f"govextract: {tmp_path / 'missing.txt'}: no such file or directory"
    # every named input counts, the missing one too
    assert lines[1].startswith("govextract: 2 file(s), ") and " fact(s), 1 failure(s), " in lines[1]
    assert all(json.loads(line)["doc"] == "seeds/001_45dff95fb4eadf66.txt" for line in out(proc).splitlines())


def test_facts_reads_stdin_and_folds_a_headline_and_its_body():
    text = "全县法律援助案件达1203件\n\n今年以来，全县共办理法律援助案件1203件，群众满意率98%。\n"
    proc = run_cli("facts", "-", "-q", "--format", "jsonl", input=text)
    assert proc.returncode == 0, err(proc)
    got = [json.loads(line) for line in out(proc).splitlines()]
    (aid,) = [f for f in got if f["value"] == 1203]
    assert [m["line"] for m in aid["mentions"]] == [1, 3]
    assert aid["indicator"] == "法律援助案件数"


def test_the_api_functions_are_not_shadowed_by_their_modules():
    import govextract.fact
    import govextract.tables  # noqa: F401
    from govextract import facts, table

    assert callable(facts) and callable(table)
    assert facts.__module__ == table.__module__ == "govextract"
