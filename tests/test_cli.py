"""The command line: output formats, inputs, errors and the small commands.
Records go to stdout, messages to stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, SEED_FILES, SPEC_FIELDS, SPEC_KINDS, err, out, parse_json, run_cli

from govextract.record import FIELDS, Record
from govextract.writers import Writer, dumps

SEED = SEED_FILES[1]  # a traditional-script report with numeric records
SEED_ARG = str(SEED.relative_to(ROOT))
SPLIT = "新选树先进集体40\n个、先进个人108人。\n化解率达 94.6%，挽回损失7281.66万元。\n"


def test_record_model_fields_are_the_spec_fields():
    assert FIELDS == SPEC_FIELDS


# --- formats ----------------------------------------------------------------


def test_json_is_a_list_of_records_with_the_spec_fields_in_order(seed_records):
    assert isinstance(seed_records, list)
    for r in seed_records:
        assert isinstance(r, dict)
        assert tuple(r) == SPEC_FIELDS
        assert r["kind"] in SPEC_KINDS
    docs = [r["doc"] for r in seed_records]
    assert docs == sorted(docs)  # files in sorted order, each file's records together


def test_jsonl_has_one_object_a_line_same_as_json(seed_records):
    proc = run_cli("parse", "seeds", "--format", "jsonl", "-q")
    assert proc.returncode == 0, err(proc)
    lines = out(proc).splitlines()
    assert len(lines) == len(seed_records)
    objects = [json.loads(line) for line in lines]
    assert all(isinstance(o, dict) and tuple(o) == SPEC_FIELDS for o in objects)
    assert objects == seed_records


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_csv_has_the_header_of_every_field_and_one_row_a_record(seed_records):
    proc = run_cli("parse", "seeds", "--format", "csv", "-q")
    assert proc.returncode == 0, err(proc)
    header, rows = read_csv(out(proc))
    assert tuple(header) == SPEC_FIELDS
    assert len(rows) == len(seed_records)
    for row, rec in zip(rows, seed_records, strict=True):
        assert row["text"] == rec["text"]
        assert int(row["start"]) == rec["start"]
        assert row["approx"] == ("true" if rec["approx"] else "false")
        assert row["subject"] == (rec["subject"] or "")
        if rec["value"] is None:
            assert row["value"] == ""
        else:
            assert float(row["value"]) == pytest.approx(rec["value"])


def test_csv_quotes_newlines_commas_and_quotes_in_fields(tmp_path):
    name = 'report, "draft"\nv2.txt'  # the doc field is the name as given
    (tmp_path / name).write_text(SPLIT, encoding="utf-8")
    proc = run_cli("parse", name, "-f", "csv", "-q", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    header, rows = read_csv(out(proc))
    assert tuple(header) == SPEC_FIELDS
    as_json = parse_json(run_cli("parse", name, "-q", cwd=tmp_path))
    assert len(rows) == len(as_json) >= 4
    assert [row["text"] for row in rows] == [r["text"] for r in as_json]
    assert rows[0]["text"] == "40\n个"
    assert {row["doc"] for row in rows} == {name}


def record(**fields) -> Record:
    base = {"doc": "-", "kind": "count", "text": "x", "start": 0, "end": 1, "line": 1, "rule": "count.test"}
    return Record(**{**base, **fields})


def test_writer_csv_round_trips_awkward_values():
    awkward = record(
        doc='a,b "c"\nd.txt',
        subject='法律援助,"热线"咨询',
        text="40\r\n个",
        value=1.5,
        title="",
        approx=True,
    )
    text = dumps([awkward, record()], "csv")
    header, rows = read_csv(text)
    assert tuple(header) == SPEC_FIELDS
    assert len(rows) == 2
    assert rows[0]["doc"] == awkward.doc
    assert rows[0]["subject"] == awkward.subject
    assert rows[0]["text"] == awkward.text
    assert rows[0]["value"] == "1.5"
    assert rows[0]["approx"] == "true"
    assert rows[1]["subject"] == "" and rows[1]["approx"] == "false"


def test_writer_json_and_jsonl_agree():
    records = [record(value=7), record(text="y", value=None, subject="法律援助")]
    assert json.loads(dumps(records, "json")) == [json.loads(x) for x in dumps(records, "jsonl").splitlines()]
    assert json.loads(dumps([], "json")) == []
    assert dumps([], "jsonl") == ""


def test_writer_field_selection_and_unknown_format():
    text = dumps([record(value=3)], "jsonl", fields=["value", "text"])
    assert list(json.loads(text).items()) == [("value", 3), ("text", "x")]
    with pytest.raises(ValueError):
        Writer(io.StringIO(), "xml")
    with pytest.raises(ValueError):
        Writer(io.StringIO(), "json", ["value", "colour"])


def test_fields_option_selects_and_orders(tmp_path):
    proc = run_cli("parse", "-", "--fields", "value,text,kind", "-f", "csv", "-q", input=SPLIT)
    assert proc.returncode == 0, err(proc)
    header, rows = read_csv(out(proc))
    assert header == ["value", "text", "kind"]
    assert rows[0] == {"value": "40", "text": "40\n个", "kind": "count"}
    bad = run_cli("parse", "-", "--fields", "value,colour", input=SPLIT)
    assert bad.returncode == 2
    assert "colour" in err(bad)
    assert out(bad) == ""


def test_csv_bom_option():
    proc = run_cli("parse", "-", "-f", "csv", "--bom", "-q", input=SPLIT)
    assert proc.returncode == 0, err(proc)
    assert proc.stdout.startswith("\ufeffdoc,kind,".encode())


def test_unknown_format_is_a_usage_error():
    proc = run_cli("parse", "-", "--format", "xml", input=SPLIT)
    assert proc.returncode == 2
    assert out(proc) == ""
    assert "xml" in err(proc)


# --- inputs -------------------------------------------------------------------


def test_stdin_is_read_with_dash():
    proc = run_cli("parse", "-", "-q", input=SPLIT)
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert [r["doc"] for r in records] == ["-"] * len(records)
    assert [(r["text"], r["value"], r["unit"]) for r in records[:2]] == [
        ("40\n个", 40, "个"),
        ("108人", 108, "人"),
    ]
    assert all(SPLIT[r["start"] : r["end"]] == r["text"] for r in records)


def test_stdin_and_file_give_the_same_records():
    by_file = parse_json(run_cli("parse", SEED_ARG, "-q"))
    by_stdin = parse_json(run_cli("parse", "-", "-q", input=SEED.read_bytes()))
    assert by_file
    assert [{**r, "doc": "-"} for r in by_file] == by_stdin


@pytest.mark.parametrize("encoding", ["gb18030", "big5", "utf-16", "utf-8-sig"])
def test_encodings_are_detected(tmp_path, encoding):
    text = "全市共辦理法律援助 6238 件，化解率達 94.6%。\n"
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(encoding))
    proc = run_cli("parse", path, "-q")
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert [(r["text"], r["value"]) for r in records] == [("6238 件", 6238), ("94.6%", 94.6)]
    assert all(text[r["start"] : r["end"]] == r["text"] for r in records)


def make_tree(root: Path) -> list[str]:
    """A tree of reports; returns the *.txt files a walk must give, in order."""
    files = {
        "b.txt": "办理案件2件。",
        "a/z.txt": "办理案件3件。",
        "a/b/c.txt": "办理案件4件。",
        "a/notes.md": "办理案件5件。",
        ".hidden/x.txt": "办理案件6件。",
        "c/UPPER.TXT": "办理案件7件。",
    }
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return ["a/b/c.txt", "a/z.txt", "b.txt", "c/UPPER.TXT"]


def test_directory_is_walked_recursively_in_sorted_order(tmp_path):
    expected = make_tree(tmp_path / "in")
    proc = run_cli("parse", "in", "-q", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert [r["doc"] for r in records] == [str(Path("in", name)) for name in expected]
    assert [r["value"] for r in records] == [4, 3, 2, 7]


def test_missing_file_is_reported_and_the_others_still_parsed():
    proc = run_cli("parse", SEED_ARG, "no/such/file.txt", str(SEED_FILES[0].relative_to(ROOT)), "-q")
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert len(lines) == 1, lines
    assert "no/such/file.txt" in lines[0]
    records = parse_json(proc)  # still one valid JSON array
    docs = {r["doc"] for r in records}
    assert docs == {SEED_ARG, str(SEED_FILES[0].relative_to(ROOT))}


def test_empty_file_is_a_failure_not_a_crash(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "full.txt").write_text("办理案件12件。", encoding="utf-8")
    proc = run_cli("parse", "empty.txt", "full.txt", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    assert "empty.txt" in err(proc)
    assert [r["value"] for r in parse_json(proc)] == [12]


def test_summary_line_goes_to_stderr():
    proc = run_cli("parse", SEED_ARG)
    assert proc.returncode == 0
    assert "1 file(s)" in err(proc)
    assert json.loads(proc.stdout)  # stdout is nothing but the records


# --- output -------------------------------------------------------------------


def test_output_file_is_written_and_nothing_goes_to_stdout(tmp_path, seed_records):
    target = tmp_path / "records.json"
    proc = run_cli("parse", "seeds", "-o", target, "-q")
    assert proc.returncode == 0, err(proc)
    assert proc.stdout == b""
    assert json.loads(target.read_text(encoding="utf-8")) == seed_records
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.json"]  # no temp file left


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_output_file_gets_ordinary_permissions(tmp_path):
    target = tmp_path / "records.csv"
    proc = run_cli("parse", SEED_ARG, "-o", target, "-f", "csv", "-q")
    assert proc.returncode == 0, err(proc)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~current_umask()
    # replacing a file keeps that file's mode
    target.chmod(0o640)
    proc = run_cli("parse", SEED_ARG, "-o", target, "-f", "csv", "-q")
    assert proc.returncode == 0, err(proc)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    header, rows = read_csv(target.read_text(encoding="utf-8"))
    assert tuple(header) == SPEC_FIELDS and rows


def test_output_into_a_missing_directory_is_a_clean_error(tmp_path):
    proc = run_cli("parse", SEED_ARG, "-o", tmp_path / "nowhere" / "out.json")
    assert proc.returncode == 2
    assert "Traceback" not in err(proc)
    assert "nowhere" in err(proc)
    assert list(tmp_path.iterdir()) == []


def test_output_with_a_failure_still_holds_the_good_records(tmp_path):
    target = tmp_path / "out.jsonl"
    proc = run_cli("parse", SEED_ARG, "missing.txt", "-o", target, "-f", "jsonl", "-q")
    assert proc.returncode == 1
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines and all(json.loads(line)["doc"] == SEED_ARG for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


# --- filters and determinism ----------------------------------------------------


def test_kinds_filter(seed_records):
    proc = run_cli("parse", "seeds", "--kinds", "count,percent", "-q")
    assert proc.returncode == 0, err(proc)
    records = parse_json(proc)
    assert {r["kind"] for r in records} == {"count", "percent"}
    assert records == [r for r in seed_records if r["kind"] in ("count", "percent")]


def test_unknown_kind_is_a_usage_error():
    proc = run_cli("parse", "seeds", "--kinds", "count,weight")
    assert proc.returncode == 2
    assert "weight" in err(proc)
    assert out(proc) == ""


@pytest.mark.slow
def test_two_runs_give_identical_bytes():
    first = run_cli("parse", "seeds", "-q")
    second = run_cli("parse", "seeds", "-q")
    assert first.returncode == second.returncode == 0
    assert first.stdout and first.stdout == second.stdout


# --- the other commands -----------------------------------------------------------


def test_help_lists_the_commands_and_does_not_import_jieba():
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "govextract", "--help"],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0
    for command in ("parse", "eval", "rules", "schema", "explain", "text"):
        assert f"  {command} " in out(proc)
    imported = err(proc)
    assert "typer" in imported  # -X importtime did list the imports
    assert "jieba" not in imported


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0
    import govextract

    assert out(proc).strip() == f"govextract {govextract.__version__}"


@pytest.mark.slow
def test_console_script_next_to_the_interpreter():
    script = Path(sys.executable).with_name("govextract")
    if not script.exists():
        script = shutil.which("govextract")
    if script is None:
        pytest.skip("no govextract console script installed")
    proc = subprocess.run(
        [str(script), "parse", "-", "-q"], input=SPLIT.encode(), capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["text"] == "40\n个"


def test_schema_properties_are_the_record_fields():
    proc = run_cli("schema")
    assert proc.returncode == 0, err(proc)
    schema = json.loads(proc.stdout)
    assert tuple(schema["properties"]) == SPEC_FIELDS
    assert set(schema["required"]) >= {"doc", "kind", "text", "start", "end", "line", "rule"}
    assert set(schema["properties"]["kind"]["enum"]) == SPEC_KINDS


def test_explain_names_the_rule():
    proc = run_cli("explain", "共办理法律援助 6238 件")
    assert proc.returncode == 0, err(proc)
    assert "count.measure_word" in out(proc)
    assert "value=6238" in out(proc)


def test_explain_shows_what_an_exclusion_dropped():
    proc = run_cli("explain", "2021年6月15日，共办理法律援助 6238 件")
    assert proc.returncode == 0, err(proc)
    assert "exclude.date" in out(proc)
    assert "value=6238" in out(proc)
    assert "value=2021" not in out(proc)


def test_text_prints_the_file_text():
    proc = run_cli("text", SEED_ARG)
    assert proc.returncode == 0, err(proc)
    assert out(proc) == SEED.read_text(encoding="utf-8")


def test_text_of_a_missing_file():
    proc = run_cli("text", "no_such_report.txt")
    assert proc.returncode == 1
    assert "no_such_report.txt" in err(proc)
    assert out(proc) == ""


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_during_output_leaves_no_temporary_file(tmp_path, signum):
    """Killed while writing -o FILE (here: still reading its standard input), the run
    removes its temporary file, leaves the target as it was and dies of the signal."""
    target = tmp_path / "records.json"
    target.write_text("[]\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "govextract", "parse", "-", "-o", target],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".records.json.*.tmp")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.05)
        proc.send_signal(signum)
        proc.wait(timeout=60)  # stdin stays open: the run never sees its end
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.json"], stderr.decode()
    assert target.read_text(encoding="utf-8") == "[]\n"
    # SIGTERM and SIGHUP: dead of the signal, as a shell or supervisor expects; SIGINT: 130
    assert proc.returncode == (130 if signum == signal.SIGINT else -signum), stderr.decode()
    assert "Traceback" not in stderr.decode()
