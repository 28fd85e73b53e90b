"""Reports as users have them: HTML pages, PDFs, Word files and text in the encodings
Chinese reports come in (the .txt encodings by BOM and detection are in test_cli.py).
Every record's span is checked against the text `govextract text` prints."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from docs_support import (
    EXPECTED,
    NOISE,
    REPORT,
    SENTENCES,
    html_page,
    kinds_values,
    make_docx,
    make_pdf,
)
from support import err, out, parse_json, run_cli

import govextract
from govextract.formats import format_of, sniff, to_text
from govextract.htmltext import declared_charset, html_to_text


def extracted(path: Path, *args: str) -> tuple[str, list[dict]]:
    """The text `govextract text` prints and the records `govextract parse` gives."""
    shown = run_cli("text", path, *args)
    assert shown.returncode == 0, err(shown)
    parsed = run_cli("parse", path, "-q", *args)
    assert parsed.returncode == 0, err(parsed)
    return out(shown), parse_json(parsed)


def assert_spans(text: str, records: list[dict]) -> None:
    assert records
    for r in records:
        assert text[r["start"] : r["end"]] == r["text"], r
        assert r["line"] == text.count("\n", 0, r["start"]) + 1


# --- HTML ---------------------------------------------------------------------------


def test_html_page_gives_the_records_of_its_text_and_none_of_its_chrome(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html_page(), encoding="utf-8")
    text, records = extracted(page)
    assert kinds_values(records) == EXPECTED
    assert_spans(text, records)
    assert {r["doc"] for r in records} == {str(page)}
    for noise in [*NOISE.values(), "12345", "首页", "政府网", "版权所有", "<", "counter"]:
        if noise != "<":
            assert noise not in text
    # entities unescaped (&nbsp; &#37; &#x4E07; &lt; &amp;), one block a line
    assert "说明<数据> & 来源：市委政法委" in text.splitlines()
    assert "6238 件" in text and "94.6%" in text and "7281.66万元" in text
    for sentence in SENTENCES:
        assert sentence in text.splitlines()
    assert "\n\n\n" not in text and text.endswith("\n") and not text.startswith("\n")


def test_html_text_is_what_a_reader_sees():
    page = (
        "<body><p>第一行<br>第二行<br><br>空行之后</p>"
        "<ul><li>一<li>二</ul>"
        "<table><tr><th>指标</th><th>数值</th></tr><tr><td>案件<td>12 件</table>"
        "<pre>  缩进\n\t保留</pre>"
        "<div><div>嵌套</div></div>\n\n\n<p>\n   段落   里的\n 空白 </p>"
        "<h2>标题</h2>正文"
        "<p>a\x00b\x07c</p>"
    )
    assert html_to_text(page) == (
        "第一行\n第二行\n\n空行之后\n\n一\n二\n\n指标\t数值\n案件\t12 件\n\n"
        "  缩进\n\t保留\n\n嵌套\n\n段落 里的 空白\n\n标题\n\n正文\n\nabc\n"
    )


def test_html_forms_unclosed_elements_and_empty_pages():
    # A page wrapped in one <form> (ASP.NET) keeps its content; a search form goes.
    wrapped = "<body><form id=form1><div><p>办理案件12件。</p></div></form></body>"
    assert html_to_text(wrapped) == "办理案件12件。\n"
    search = "<form><input name=q><span>站内搜索 3 条</span></form><p>正文</p>"
    assert html_to_text(search) == "正文\n"
    # An unclosed <nav> ends with its parent; stray end tags are ignored.
    assert html_to_text("<div><nav>菜单</div><p>正文</span></p>") == "正文\n"
    assert html_to_text("<script>x()</script><nav>菜单</nav>") == ""


@pytest.mark.parametrize(
    ("encoding", "meta"),
    [
        ("gb18030", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
        ("gbk", "<meta charset=GBK>"),
        ("big5", '<meta charset="big5">'),
        ("utf-8", '<meta charset="utf-8">'),
    ],
)
def test_html_declared_charset_is_honoured(tmp_path, encoding, meta):
    page = tmp_path / "report.htm"
    source = html_page(meta)
    if encoding == "big5":  # a Big5 page is in traditional script
        import opencc

        source = opencc.OpenCC("s2t").convert(source)
    page.write_bytes(source.encode(encoding))
    text, records = extracted(page)
    assert kinds_values(records) == EXPECTED
    assert_spans(text, records)


def test_html_charset_by_bom_by_detection_and_forced(tmp_path):
    page = html_page(charset_meta="")
    cases = {
        "bom8.html": b"\xef\xbb\xbf" + page.encode("utf-8"),
        "bom16.html": page.encode("utf-16"),  # with its BOM
        "undeclared.html": page.encode("gb18030"),  # detected as text files are
        # declared UTF-8 but GB18030 bytes: the declaration is wrong, detection decides
        "mislabelled.html": html_page('<meta charset="utf-8">').encode("gb18030"),
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        text, records = extracted(tmp_path / name)
        assert kinds_values(records) == EXPECTED, name
        assert_spans(text, records)
    # --encoding forces the encoding of an HTML file as of a text file
    forced = tmp_path / "forced.html"
    forced.write_bytes(html_page('<meta charset="utf-8">').encode("gb18030"))
    text, records = extracted(forced, "--encoding", "gb18030")
    assert kinds_values(records) == EXPECTED


def test_declared_charset_names():
    assert declared_charset(b'<meta charset="gb2312">') == "gb18030"
    assert declared_charset(b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=GBK'>") == "gb18030"
    assert declared_charset(b"<meta charset=utf-8 />") == "utf-8"
    assert declared_charset(b'<meta charset="no-such-codec">') is None
    assert declared_charset(b"<p>charset=gbk</p>") is None


# --- PDF ------------------------------------------------------------------------------


def test_pdf_text_layer_of_every_page(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf([SENTENCES[:2], SENTENCES[2:]]))
    text, records = extracted(pdf)
    # pdfminer reads the Chinese text of the CID font back exactly, page by page
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == SENTENCES
    assert text.index(SENTENCES[2]) > text.index(SENTENCES[1])
    assert "\f" not in text
    assert kinds_values(records) == EXPECTED
    assert_spans(text, records)


# --- DOCX -----------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells(tmp_path):
    doc = tmp_path / "report.docx"
    doc.write_bytes(make_docx())
    text, records = extracted(doc)
    assert text.splitlines() == [
        "政法工作报告",
        SENTENCES[0],
        "刑事警情\t同比下降11.08%",
        "挽回经济损失\t7281.66万元",
        SENTENCES[2],
    ]
    assert kinds_values(records) == EXPECTED
    assert_spans(text, records)
    subjects = {r["kind"]: r["subject"] for r in records}
    assert subjects["change"] == "刑事警情"  # a table row reads as a line


# --- text files -------------------------------------------------------------------------


def test_encoding_option_forces_the_text_encoding(tmp_path):
    report = tmp_path / "report.txt"
    report.write_bytes(REPORT.encode("gb18030"))
    text, records = extracted(report, "--encoding", "gb18030")
    assert text == REPORT
    assert kinds_values(records) == EXPECTED
    wrong = run_cli("parse", report, "--encoding", "utf-8", "-q")
    assert wrong.returncode == 1
    assert err(wrong).strip() == f"govextract: {report}: not valid utf-8 at byte 4"
    assert json.loads(wrong.stdout) == []


def test_unknown_suffix_named_explicitly_is_read_as_text(tmp_path):
    notes = tmp_path / "report.md"
    notes.write_text(REPORT, encoding="utf-8")
    text, records = extracted(notes)
    assert text == REPORT
    assert kinds_values(records) == EXPECTED


def test_format_by_suffix_and_by_content():
    assert format_of("a/B.HTML") == "html"
    assert format_of("x.Htm") == "html"
    assert format_of("x.PDF") == "pdf"
    assert format_of("x.docx") == "docx"
    assert format_of("x.md") == format_of("x") == format_of("x.txt") == "text"
    assert sniff(make_pdf([["一"]])) == "pdf"
    assert sniff(make_docx()) == "docx"
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html>") == "html"
    assert sniff(b"<!-- saved --><HTML lang=zh>") == "html"
    assert sniff("<p>只是一段文字</p>".encode()) == "text"
    assert to_text(REPORT.encode("utf-16")) == REPORT


def test_stdin_is_read_by_its_content():
    for data in (make_pdf([SENTENCES]), make_docx(), html_page().encode("utf-8")):
        proc = run_cli("parse", "-", "-q", input=data)
        assert proc.returncode == 0, err(proc)
        assert kinds_values(parse_json(proc)) == EXPECTED


# --- the directory walk and the Python API ------------------------------------------------


def make_reports(root: Path) -> dict[str, bytes]:
    files = {
        "a.txt": REPORT.encode("utf-8"),
        "b/page.HTML": html_page().encode("utf-8"),
        "b/old.htm": html_page().encode("gb18030"),
        "c/report.pdf": make_pdf([SENTENCES]),
        "c/Report.DOCX": make_docx(),
        "c/notes.md": REPORT.encode("utf-8"),
        "c/.hidden.html": html_page().encode("utf-8"),
        ".cache/x.txt": REPORT.encode("utf-8"),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_directory_walk_reads_every_supported_format(tmp_path):
    make_reports(tmp_path / "in")
    os.symlink("..", tmp_path / "in" / "b" / "loop")  # a symlink loop does not hang the walk
    proc = run_cli("parse", "in", "-f", "jsonl", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    records = [json.loads(line) for line in out(proc).splitlines()]
    docs = list(dict.fromkeys(r["doc"] for r in records))
    assert docs == ["in/a.txt", "in/b/old.htm", "in/b/page.HTML", "in/c/Report.DOCX", "in/c/report.pdf"]
    for doc in docs:
        assert kinds_values([r for r in records if r["doc"] == doc]) == EXPECTED, doc
    assert "5 file(s), 25 record(s), 0 failure(s)" in err(proc)


def test_glob_chooses_the_files_of_a_directory(tmp_path):
    make_reports(tmp_path / "in")
    proc = run_cli("parse", "in", "--glob", "*.htm*", "-q", cwd=tmp_path)
    assert proc.returncode == 0, err(proc)
    assert sorted({r["doc"] for r in parse_json(proc)}) == ["in/b/old.htm"]  # a glob is case-sensitive
    proc = run_cli("parse", "in", "--glob", "*.md", "-q", cwd=tmp_path)
    assert {r["doc"] for r in parse_json(proc)} == {"in/c/notes.md"}


@pytest.mark.slow
def test_python_api_reads_every_format_like_the_command_line(tmp_path):
    make_reports(tmp_path)
    for name in ("a.txt", "b/page.HTML", "b/old.htm", "c/report.pdf", "c/Report.DOCX"):
        path = str(tmp_path / name)
        api = [r.model_dump(mode="json") for r in govextract.extract_path(path)]
        cli = parse_json(run_cli("parse", path, "-q"))
        assert api == cli, name
        assert kinds_values(api) == EXPECTED
