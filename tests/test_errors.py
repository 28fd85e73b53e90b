"""Errors for people: a file that cannot be read gets exactly one line on stderr naming
it and the reason, every other file is still read and its records written, stdout
stays valid JSON / JSON Lines / CSV, the exit code is 1 (0 when every file was read,
2 for usage errors), and no traceback ever shows."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from docs_support import (
    EXPECTED,
    REPORT,
    SENTENCES,
    kinds_values,
    make_docx,
    make_garbled_pdf,
    make_pdf,
    make_scanned_pdf,
    run_without,
    run_wrapped,
)
from support import err, out, parse_json, run_cli

from govextract import extract

FORMATS = ("json", "jsonl", "csv")


def records_of(proc, fmt: str) -> list[dict]:
    """The records of a run's stdout in any format (CSV values as strings)."""
    text = out(proc)
    if fmt == "json":
        return json.loads(text)
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(io.StringIO(text, newline="")))


GOOD = ["a_good.txt", "z_good.pdf"]  # 5 records each
_ALONE: dict[str, list[dict]] = {}


def good_files(tmp_path: Path) -> list[str]:
    (tmp_path / GOOD[0]).write_text(REPORT, encoding="utf-8")
    (tmp_path / GOOD[1]).write_bytes(make_pdf([SENTENCES]))
    return GOOD


def alone(tmp_path: Path, fmt: str) -> list[dict]:
    """The records of the good files parsed without the bad one (the same in every test)."""
    if fmt not in _ALONE:
        proc = run_cli("parse", *GOOD, "-q", "-f", fmt, cwd=tmp_path)
        assert proc.returncode == 0, err(proc)
        _ALONE[fmt] = records_of(proc, fmt)
        assert len(_ALONE[fmt]) == 10
    return _ALONE[fmt]


def assert_one_failure(proc, name: str, reason: str, *, summary: bool = False) -> None:
    """Exit 1, and on stderr exactly one line naming the file and the reason (then the
    summary line, when the run was not quiet)."""
    assert proc.returncode == 1, err(proc)
    lines = err(proc).splitlines()
    assert "Traceback" not in err(proc)
    assert lines[0] == f"govextract: {name}: {reason}", lines
    if summary:
        assert len(lines) == 2, lines
        assert lines[1].startswith("govextract: 3 file(s), 10 record(s), 1 failure(s), "), lines
    else:
        assert len(lines) == 1, lines


def check_bad_file(tmp_path: Path, name: str, reason: str, *, run=run_cli) -> None:
    """A bad file between two good ones, in every output format: one line for it, the
    good files' records all there, stdout valid."""
    good = good_files(tmp_path)
    for fmt in FORMATS:
        quiet = ["-q"] if fmt != "json" else []  # the JSON run shows the summary line too
        proc = run("parse", good[0], name, good[1], *quiet, "-f", fmt, cwd=tmp_path)
        assert_one_failure(proc, name, reason, summary=not quiet)
        assert records_of(proc, fmt) == alone(tmp_path, fmt)


# --- each kind of bad file ------------------------------------------------------------------


@pytest.mark.slow
def test_missing_file(tmp_path):
    good = good_files(tmp_path)
    for fmt in FORMATS:
        proc = run_cli("parse", good[0], "gone.txt", good[1], "-q", "-f", fmt, cwd=tmp_path)
        assert_one_failure(proc, "gone.txt", "no such file or directory")
        assert records_of(proc, fmt) == alone(tmp_path, fmt)


@pytest.mark.slow
def test_empty_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    check_bad_file(tmp_path, "empty.txt", "empty file")
    (tmp_path / "blank.html").write_bytes(b" \n\t\n")
    check_bad_file(tmp_path, "blank.html", "empty file")
    (tmp_path / "chrome.html").write_text(
        "<html><head><title>标题</title><script>var n = 1;</script></head>"
        "<body><nav>首页</nav></body></html>",
        encoding="utf-8",
    )
    check_bad_file(tmp_path, "chrome.html", "no text in the page (only markup, scripts or navigation)")


@pytest.mark.slow
def test_binary_file(tmp_path):
    program = b"\x7fELF\x02\x01\x01" + bytes(57) + bytes(range(256)) * 8  # an executable's head
    (tmp_path / "program.txt").write_bytes(program)
    check_bad_file(tmp_path, "program.txt", "binary data (NUL bytes), not text")


def test_undecodable_file(tmp_path):
    (tmp_path / "garbled.txt").write_bytes(bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 200)
    check_bad_file(tmp_path, "garbled.txt", "cannot tell the encoding (not UTF-8, GB18030, Big5 or UTF-16)")


def test_pdf_without_a_text_layer(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(make_scanned_pdf())
    check_bad_file(tmp_path, "scan.pdf", "no text layer (a scanned PDF?)")


@pytest.mark.slow
def test_pdf_with_a_garbled_text_layer(tmp_path):
    # (cid:N) codes: a font that maps its glyphs to no character
    (tmp_path / "cids.pdf").write_bytes(make_garbled_pdf("cid"))
    check_bad_file(
        tmp_path, "cids.pdf", "no usable text layer (its fonts map no glyph to a character: (cid:N) codes)"
    )
    # private-use characters: a font's own map into no real character
    (tmp_path / "private.pdf").write_bytes(make_garbled_pdf("private"))
    check_bad_file(
        tmp_path,
        "private.pdf",
        "no usable text layer (its fonts map no glyph to a character: private-use characters)",
    )


def test_pdf_text_layer_partly_garbled(tmp_path):
    """A layer in which a quarter or more of the glyphs are no characters is refused with
    the share; a few such glyphs are noise that normalization drops."""
    from govextract.formats import FormatError, _check_text_layer

    with pytest.raises(FormatError, match=r"garbled text layer \(50% of its glyphs are \(cid:N\) codes"):
        _check_text_layer("全县共调处纠纷86起" + "(cid:12)" * 10)
    _check_text_layer("全县共调处纠纷86起，调解成功率达98%。" + "(cid:3)")  # a bullet: fine
    assert [r.value for r in extract("(cid:3)全县共调处纠纷86起。")] == [86]


@pytest.mark.slow
def test_corrupt_pdf(tmp_path):
    whole = make_pdf([SENTENCES])
    (tmp_path / "cut.pdf").write_bytes(whole[: len(whole) // 2])
    check_bad_file(tmp_path, "cut.pdf", "not a readable PDF (PSEOF: Unexpected EOF)")
    (tmp_path / "fake.pdf").write_bytes(b"%PDF-1.7\n" + b"no objects here\n" * 20)
    check_bad_file(
        tmp_path, "fake.pdf", "not a readable PDF (PDFSyntaxError: No /Root object! - Is this really a PDF?)"
    )


@pytest.mark.slow
def test_encrypted_pdf(tmp_path):
    (tmp_path / "secret.pdf").write_bytes(make_pdf([SENTENCES], password="s3cret"))
    check_bad_file(tmp_path, "secret.pdf", "encrypted PDF (needs a password)")


@pytest.mark.slow
def test_corrupt_docx(tmp_path):
    whole = make_docx()
    (tmp_path / "cut.docx").write_bytes(whole[: len(whole) // 2])
    check_bad_file(tmp_path, "cut.docx", "not a readable DOCX file (BadZipFile: File is not a zip file)")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # a .doc renamed
    check_bad_file(tmp_path, "old.docx", "not a readable DOCX file (BadZipFile: File is not a zip file)")


@pytest.mark.slow
def test_permission_denied(tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text(REPORT, encoding="utf-8")
    if os.geteuid() != 0:
        locked.chmod(0)
        check_bad_file(tmp_path, "locked.txt", "permission denied")
        return
    # root reads any file: make the read fail as it fails for everyone else
    prelude = """
import errno, pathlib
_read_bytes = pathlib.Path.read_bytes
def read_bytes(self):
    if self.name == "locked.txt":
        raise PermissionError(errno.EACCES, "Permission denied", str(self))
    return _read_bytes(self)
pathlib.Path.read_bytes = read_bytes
"""
    check_bad_file(
        tmp_path, "locked.txt", "permission denied", run=lambda *a, **k: run_wrapped(prelude, *a, **k)
    )


@pytest.mark.slow
def test_a_reader_failing_unexpectedly_is_one_line_too(tmp_path):
    (tmp_path / "odd.html").write_text("<p>办理案件3件</p>", encoding="utf-8")
    prelude = """
import govextract.htmltext
def html_to_text(html, spec=None):
    raise RuntimeError("parser state\\nlost")
govextract.htmltext.html_to_text = html_to_text
"""
    check_bad_file(
        tmp_path,
        "odd.html",
        "cannot read (RuntimeError: parser state\\nlost)",
        run=lambda *a, **k: run_wrapped(prelude, *a, **k),
    )


@pytest.mark.parametrize(
    ("module", "name", "kind", "extra"),
    [("pdfminer", "report.pdf", "PDF", "pdf"), ("docx", "report.docx", "DOCX", "docx")],
)
def test_missing_extra_names_the_extra_to_install(tmp_path, module, name, kind, extra):
    message = f"reading {kind} needs the {extra} extra: pip install 'govextract[{extra}]'"
    (tmp_path / name).write_bytes(make_pdf([SENTENCES]) if extra == "pdf" else make_docx())
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    proc = run_without({module}, "parse", name, "good.txt", "-q", cwd=tmp_path)
    assert_one_failure(proc, name, message)
    assert kinds_values(parse_json(proc)) == EXPECTED
    proc = run_without({module}, "text", name, cwd=tmp_path)
    assert_one_failure(proc, name, message)
    assert out(proc) == ""


def test_failure_line_of_a_name_with_a_newline(tmp_path):
    (tmp_path / "two\nlines.txt").write_bytes(b"")
    proc = run_cli("parse", "two\nlines.txt", "-q", cwd=tmp_path)
    assert_one_failure(proc, "two\\nlines.txt", "empty file")
    assert json.loads(proc.stdout) == []


# --- exit codes, every command ---------------------------------------------------------


def test_exit_code_0_when_every_file_was_read(tmp_path):
    good = good_files(tmp_path)
    (tmp_path / "page.html").write_text("<p>办理案件3件。</p>", encoding="utf-8")
    proc = run_cli("parse", *good, "page.html", cwd=tmp_path)
    assert proc.returncode == 0
    assert err(proc).startswith("govextract: 3 file(s), 11 record(s), 0 failure(s), ")


def test_usage_errors_exit_2(tmp_path):
    for args in (
        ["parse"],
        ["parse", "x.txt", "--format", "xml"],
        ["parse", "x.txt", "--colour"],
        ["text", "."],
    ):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, args
        assert out(proc) == ""
        assert "Traceback" not in err(proc)


def test_text_of_a_bad_file(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(make_scanned_pdf())
    proc = run_cli("text", "scan.pdf", cwd=tmp_path)
    assert_one_failure(proc, "scan.pdf", "no text layer (a scanned PDF?)")
    assert out(proc) == ""


def test_eval_reports_a_bad_file_and_scores_the_rest(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a_good.jsonl").write_text(
        json.dumps({"kind": "count", "text": "6238 件", "start": 16, "end": 22, "value": 6238, "unit": "件"}),
        encoding="utf-8",
    )
    (gold / "broken.jsonl").write_text(
        json.dumps({"kind": "money", "text": "9万元", "start": 0, "end": 3, "value": 90000, "unit": "元"}),
        encoding="utf-8",
    )
    good_files(tmp_path)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not really")
    proc = run_cli("eval", "gold", "a_good.txt", "broken.docx", "--json", cwd=tmp_path)
    assert proc.returncode == 1
    assert err(proc).splitlines() == [
        "govextract: broken.docx: not a readable DOCX file (BadZipFile: File is not a zip file)"
    ]
    count = json.loads(proc.stdout)["kinds"]["count"]
    assert (count["tp"], count["fn"]) == (1, 0)  # the good file was still scored
    assert json.loads(proc.stdout)["kinds"]["money"]["fn"] == 1  # and the bad file's gold is missed
    assert "Traceback" not in err(proc)


# --- exit codes and messages as the README says ----------------------------------------


def test_unknown_encoding_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    for command in ("parse", "text", "show"):
        proc = run_cli(command, "a.txt", "--encoding", "klingon-8", cwd=tmp_path)
        assert proc.returncode == 2, (command, err(proc))
        assert out(proc) == ""
        assert "unknown encoding 'klingon-8'" in err(proc)
    proc = run_cli("parse", "a.txt", "--encoding", "GB18030", "-q", cwd=tmp_path)  # a known one is used
    assert proc.returncode == 1 and "not valid GB18030" in err(proc)


def test_bom_with_json_or_jsonl_is_a_usage_error(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    for fmt in ("json", "jsonl"):
        proc = run_cli("parse", "a.txt", "--bom", "--format", fmt, cwd=tmp_path)
        assert proc.returncode == 2, err(proc)
        assert out(proc) == ""
        assert "--bom" in err(proc) and "csv" in err(proc)


def test_a_glob_that_matches_nothing_says_so(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(REPORT, encoding="utf-8")
    proc = run_cli("parse", "in", "--glob", "*.HTML", cwd=tmp_path)
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert lines[0] == "govextract: in: no file matches --glob '*.HTML'"
    assert lines[1].startswith("govextract: 1 file(s), 0 record(s), 1 failure(s), ")
    assert json.loads(proc.stdout) == []
    (tmp_path / "empty").mkdir()
    proc = run_cli("parse", "empty", "in", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    assert err(proc).splitlines() == [
        "govextract: empty: no .txt .html .htm .pdf .docx file in the directory"
    ]
    assert kinds_values(parse_json(proc)) == EXPECTED


def test_the_summary_counts_missing_paths_as_failures_of_named_inputs(tmp_path):
    good = good_files(tmp_path)
    proc = run_cli("parse", good[0], "gone.txt", good[1], cwd=tmp_path)
    assert proc.returncode == 1
    lines = err(proc).splitlines()
    assert lines[0] == "govextract: gone.txt: no such file or directory"
    assert lines[1].startswith("govextract: 3 file(s), 10 record(s), 1 failure(s), "), lines


def test_text_parse_and_show_give_the_same_reason_for_a_symlink_loop(tmp_path):
    (tmp_path / "a.txt").symlink_to("b.txt")
    (tmp_path / "b.txt").symlink_to("a.txt")
    (tmp_path / "dangling.txt").symlink_to("nowhere.txt")
    for name, reason in (
        ("a.txt", "too many levels of symbolic links"),
        ("dangling.txt", "broken symbolic link"),
    ):
        for command in (["parse", "-q"], ["text"], ["show"]):
            proc = run_cli(command[0], name, *command[1:], cwd=tmp_path)
            assert proc.returncode == 1, (command, err(proc))
            assert err(proc).splitlines() == [f"govextract: {name}: {reason}"], command


def test_rules_check_exits_1_on_a_broken_rule_file(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.toml").write_text('[[rule]]\nid = "count.bad"\nkind = "count"\n', encoding="utf-8")
    proc = run_cli("rules", "check", rules)
    assert proc.returncode == 1
    assert "count.bad" in err(proc) and "pattern" in err(proc)


def test_explain_reads_stdin_and_says_when_no_rule_matched():
    proc = run_cli("explain", "-", input="共办理法律援助 6238 件。")
    assert proc.returncode == 0, err(proc)
    assert "count.measure_word" in out(proc) and "value=6238" in out(proc)
    proc = run_cli("explain", "全面推进平安建设。")
    assert proc.returncode == 0, err(proc)
    assert out(proc) == "no rule matched\n"


# --- --debug: the traceback behind an "extraction failed" line --------------------------

FAIL_EXTRACTION = """
import govextract.engine
_run = govextract.engine.Extractor.run
def run(self, source, doc="-", **kw):
    if doc.endswith("odd.txt"):
        raise RuntimeError("rule state lost")
    return _run(self, source, doc, **kw)
govextract.engine.Extractor.run = run
"""


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_debug_shows_the_traceback_of_an_extraction_failure(tmp_path, jobs):
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "odd.txt").write_text(REPORT, encoding="utf-8")
    line = "govextract: odd.txt: extraction failed (RuntimeError: rule state lost)"
    args = ["parse", "good.txt", "odd.txt", "-q", "-j", jobs]
    plain = run_wrapped(FAIL_EXTRACTION, *args, cwd=tmp_path)
    assert plain.returncode == 1
    assert err(plain).splitlines() == [line]
    for debug in (
        run_wrapped(FAIL_EXTRACTION, *args, "--debug", cwd=tmp_path),
        run_wrapped(FAIL_EXTRACTION, *args, cwd=tmp_path, env={"GOVEXTRACT_DEBUG": "1"}),
    ):
        assert debug.returncode == 1
        lines = err(debug).splitlines()
        assert lines[0] == line
        assert lines[1] == "Traceback (most recent call last):"
        assert "in run\n" in err(debug)  # the frame that raised (the test's patch)
        assert lines[-1] == "RuntimeError: rule state lost"
        assert kinds_values(parse_json(debug)) == EXPECTED  # the good file's records all the same
    quiet = run_wrapped(FAIL_EXTRACTION, *args, cwd=tmp_path, env={"GOVEXTRACT_DEBUG": "0"})
    assert err(quiet).splitlines() == [line]


def test_debug_shows_the_traceback_of_a_reader_failure_in_every_command(tmp_path):
    (tmp_path / "odd.html").write_text("<p>办理案件3件</p>", encoding="utf-8")
    prelude = """
import govextract.htmltext
def html_to_text(html, spec=None):
    raise RuntimeError("parser state lost")
govextract.htmltext.html_to_text = html_to_text
"""
    for command in (["parse", "-q"], ["text"], ["show"]):
        proc = run_wrapped(prelude, *command, "odd.html", "--debug", cwd=tmp_path)
        assert proc.returncode == 1, command
        lines = err(proc).splitlines()
        assert lines[0] == "govextract: odd.html: cannot read (RuntimeError: parser state lost)", command
        assert lines[1] == "Traceback (most recent call last):", command
        assert lines[-1] == "RuntimeError: parser state lost", command
