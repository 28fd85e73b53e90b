"""The review page (`govextract show`, `govextract.review.render`): unit tests of the
HTML, and the page itself in a real headless Chromium (no network, no downloads)."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from support import err, open_page, out, parse_json, run_cli

from govextract.record import KINDS, Record
from govextract.review import render

SEED_ARG = "seeds/000_3292ed1d3f9d8e15.txt"
VOID = {"meta", "input", "br", "hr", "img", "link", "col", "wbr"}


def rec(text: str, start: int, end: int, kind: str = "count", **fields) -> Record:
    return Record(
        doc="t",
        kind=kind,
        text=text[start:end],
        start=start,
        end=end,
        line=text.count("\n", 0, start) + 1,
        rule="test",
        **fields,
    )


class Page(HTMLParser):
    """What the tests need from a rendered page: the text of <main id="text">, the
    text of every record's pieces, the record elements, and that tags balance."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.main = ""
        self.pieces: dict[int, str] = {}
        self.firsts: list[dict[str, str | None]] = []
        self.parents: dict[int, list[int]] = {}  # record -> records whose elements enclose its first
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.chunks = 0  # blocks of the text
        self.chunk_starts: list[int] = []  # where each block begins in the text
        self.chunks_of: dict[int, set[int]] = {}  # record -> the blocks its text lies in
        self.feed(html)
        self.close()
        assert not self.stack, f"unclosed elements: {[t for t, _ in self.stack]}"

    def _in_main(self) -> bool:
        return any(t == "main" and a.get("id") == "text" for t, a in self.stack)

    def _records_open(self) -> list[int]:
        out = []
        for _, a in self.stack:
            v = a.get("data-record") or a.get("data-cont")
            if v is not None:
                out.append(int(v))
        return out

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("class") == "chunk":
            assert self.stack[-1][1].get("id") == "text", "a text block inside another element"
            self.chunks += 1
            self.chunk_starts.append(len(self.main))
        if "data-record" in a:
            assert self._in_main(), "a record element outside the text"
            self.firsts.append(a)
            self.parents[int(a["data-record"])] = self._records_open()
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] == "script":
            self.scripts.append((self.stack[-1][1], data))
        if self._in_main():
            self.main += data
            for i in set(self._records_open()):
                self.pieces[i] = self.pieces.get(i, "") + data
                self.chunks_of.setdefault(i, set()).add(self.chunks)

    def data(self) -> dict:
        (payload,) = [d for a, d in self.scripts if a.get("type") == "application/json"]
        return json.loads(payload)


# --- render() ----------------------------------------------------------------


def test_render_escapes_the_text_the_doc_and_the_records():
    text = 'a <script>alert("x")</script> & b\'s "q" </main>\n共 6 件 & <b>bold</b> \u2028 end'
    start = text.index("<script>")
    end = text.index("</script>") + len("</script>")
    records = [
        rec(text, start, end, subject="<i>&amp;</i>"),
        rec(text, text.index("6 件"), text.index("6 件") + 3, value=6, unit="件"),
    ]
    doc = 'dir/<x> & "y".txt'
    html = render(text, records, doc)
    assert "<script>alert" not in html and "<b>bold" not in html and "<i>&amp;" not in html
    assert html.count("<script") == 2  # the JSON data and the page's own code
    page = Page(html)
    assert page.main == text  # every character, nothing added, nothing lost
    assert [a["data-record"] for a in page.firsts] == ["0", "1"]
    assert page.pieces[0] == text[start:end]
    assert '<script>alert("x")</script>' in page.firsts[0]["title"]
    assert "subject: <i>&amp;</i>" in page.firsts[0]["title"]
    data = page.data()
    assert data["doc"] == doc
    assert [r["text"] for r in data["records"]] == [r.text for r in records]
    assert data["records"][0]["subject"] == "<i>&amp;</i>"
    assert f"<h1>{'dir/&lt;x&gt; &amp; &quot;y&quot;.txt'}</h1>" in html


def test_render_overlapping_spans_nest_or_split_with_one_record_element_each():
    text = "0123456789ABCDEFGHIJ"
    spans = [
        (0, 8, "honour"),  # 0: outer
        (2, 5, "ranking"),  # 1: inside 0
        (6, 12, "count"),  # 2: crosses the end of 0
        (0, 8, "percent"),  # 3: the same span as 0
        (10, 14, "change"),  # 4: crosses the end of 2
        (2, 5, "ranking"),  # 5: the same span as 1
        (14, 16, "money"),  # 6: starts where 4 ends
        (1, 19, "honour"),  # 7: starts inside 0 and 3, outlasts them: cut at 8
    ]
    records = [rec(text, s, e, kind) for s, e, kind in spans]
    page = Page(render(text, records, "overlaps"))
    assert page.main == text
    assert sorted(int(a["data-record"]) for a in page.firsts) == list(range(len(records)))
    for i, r in enumerate(records):
        assert page.pieces[i] == r.text, f"record {i}"
    by_index = {int(a["data-record"]): a for a in page.firsts}
    for i, r in enumerate(records):
        assert f"k-{r.kind}" in by_index[i]["class"].split()
    assert 0 in page.parents[1] and 3 in page.parents[1]  # nested, not cut
    assert page.parents[0] == [] and page.parents[7] == [0, 3]


def test_render_cuts_long_text_into_blocks_between_spans():
    line = "共办理案件12件，化解率达94.6%。\n"
    text = line * 2000 + "末行没有换行"
    records = [rec(text, k * len(line) + 5, k * len(line) + 8) for k in range(0, 2000, 7)]
    # Spans across every line end from line 150 to 300, where the first block would end.
    for k in range(150, 300):
        end = k * len(line)
        records.append(rec(text, end - 4, end + 6, kind="honour"))
    page = Page(render(text, records, "long"))
    assert page.main == text
    assert page.chunks > len(text) // 5000
    assert page.chunk_starts[:2] == [0, 300 * len(line)]
    assert all(text[s - 1] == "\n" for s in page.chunk_starts[1:])
    assert sorted(int(a["data-record"]) for a in page.firsts) == list(range(len(records)))
    for i, r in enumerate(records):
        assert page.pieces[i] == r.text
        assert len(page.chunks_of[i]) == 1, f"record {i} is cut by a block boundary"


def test_render_with_no_records():
    text = "没有数字的报告 <x> & y\n"
    html = render(text, [], "empty.txt")
    page = Page(html)
    assert page.main == text
    assert page.firsts == []
    assert page.data()["records"] == []
    assert "no records" in html
    for k in KINDS:
        assert f'data-kind="{k}" checked> <span class="sw k-{k}"></span>{k} <span class="n">0</span>' in html


def test_render_accepts_dicts_and_rejects_spans_outside_the_text():
    text = "共 6 件"
    r = rec(text, 2, 5, value=6, unit="件")
    assert render(text, [r.model_dump()], "d") == render(text, [r], "d")
    with pytest.raises(ValueError, match="outside the text"):
        render("短", [r], "d")


# --- the command -------------------------------------------------------------


def test_show_help_describes_every_option():
    proc = run_cli("show", "--help")
    assert proc.returncode == 0, err(proc)
    text = out(proc)
    for option in ("-o", "--output", "--encoding", "FILE"):
        assert option in text
    assert "stdout" in text


def test_show_writes_the_same_page_to_stdout_and_to_a_file(tmp_path):
    target = tmp_path / "page.html"
    proc = run_cli("show", SEED_ARG, "-o", target)
    assert proc.returncode == 0, err(proc)
    assert out(proc) == ""
    stdout = run_cli("show", SEED_ARG)
    assert stdout.returncode == 0, err(stdout)
    assert stdout.stdout == target.read_bytes()
    assert stdout.stdout.startswith(b"<!DOCTYPE html>")


def test_show_reads_stdin_and_reports_bad_inputs(tmp_path):
    proc = run_cli("show", "-", input="化解率达 94.6%，共办理 6238 件。")
    assert proc.returncode == 0, err(proc)
    assert Page(out(proc)).main == "化解率达 94.6%，共办理 6238 件。"
    missing = run_cli("show", tmp_path / "nope.txt")
    assert missing.returncode == 1
    assert "nope.txt" in err(missing)
    directory = run_cli("show", tmp_path)
    assert directory.returncode == 2
    assert "one file" in err(directory)


# --- in a real browser (the `browser` fixture of conftest.py) ------------------


HIGHLIGHT_STYLE = """kind => Array.from(document.querySelectorAll('#text .hl.k-' + kind)).map(el => {
    const s = getComputedStyle(el);
    return {bg: s.backgroundColor, shadow: s.boxShadow};
})"""
TRANSPARENT = "rgba(0, 0, 0, 0)"


@pytest.mark.slow
def test_review_page_in_chromium(browser, tmp_path):
    html = tmp_path / "review.html"
    proc = run_cli("show", SEED_ARG, "-o", html)
    assert proc.returncode == 0, err(proc)
    parsed = run_cli("parse", SEED_ARG, "-q")
    assert parsed.returncode == 0, err(parsed)
    records = parse_json(parsed)
    kinds = {r["kind"] for r in records}
    assert {"count", "honour"} <= kinds

    page, problems, requests = open_page(browser, html)
    try:
        # Self-contained: the page itself is the only request.
        assert requests == [html.as_uri()]
        assert page.locator("#text [data-record]").count() == len(records)
        assert page.locator("#rows tr[data-row]").count() == len(records)
        assert page.locator("h1").inner_text() == SEED_ARG
        for k in KINDS:
            n = sum(r["kind"] == k for r in records)
            assert page.locator(f'#legend label:has(input[data-kind="{k}"]) .n').inner_text() == str(n)
        # The spans are the records' texts; the tooltip carries the normalized fields.
        j, first = next((j, r) for j, r in enumerate(records) if r["value"] is not None)
        el = page.locator(f'#text [data-record="{j}"]')
        assert el.inner_text() == first["text"]
        assert f"value: {first['value']}" in el.get_attribute("title")

        # Filters: unchecking count hides count highlights and rows, nothing else.
        for k in ("count", "honour"):
            assert all(s["bg"] != TRANSPARENT for s in page.evaluate(HIGHLIGHT_STYLE, k))
        page.uncheck('#legend input[data-kind="count"]')
        assert page.evaluate("document.body.classList.contains('hide-count')")
        hidden = page.evaluate(HIGHLIGHT_STYLE, "count")
        assert len(hidden) == sum(r["kind"] == "count" for r in records)
        assert all(s["bg"] == TRANSPARENT and s["shadow"] == "none" for s in hidden)
        assert all(s["bg"] != TRANSPARENT for s in page.evaluate(HIGHLIGHT_STYLE, "honour"))
        assert page.locator("#rows tr.k-count:visible").count() == 0
        assert page.locator("#rows tr.k-honour:visible").count() == sum(
            r["kind"] == "honour" for r in records
        )
        page.check('#legend input[data-kind="count"]')
        assert all(s["bg"] != TRANSPARENT for s in page.evaluate(HIGHLIGHT_STYLE, "count"))

        # A row click shows the record's details and brings its span into view.
        i = max(j for j, r in enumerate(records) if r["kind"] == "honour")
        target = records[i]
        assert page.locator("#details").is_hidden()
        page.click(f'#rows tr[data-row="{i}"]')
        details = page.locator("#details")
        assert details.is_visible()
        shown = details.inner_text()
        assert f"record #{i + 1}" in shown.lower()
        for field in ("text", "title", "start", "line"):
            assert str(target[field]) in shown
        span = page.locator(f'#text [data-record="{i}"]')
        assert "sel" in span.get_attribute("class")
        box, pane = span.bounding_box(), page.locator("#text").bounding_box()
        assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]

        # A click on a highlight selects its row.
        page.click('#text [data-record="0"]')
        assert "sel" in page.locator('#rows tr[data-row="0"]').get_attribute("class")
        assert "record #1" in details.inner_text().lower()

        page.click(f'#rows tr[data-row="{i}"]')
        shot = tmp_path / "review.png"
        page.screenshot(path=str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 20_000
        assert problems == []
    finally:
        page.close()


@pytest.mark.slow
def test_overlapping_spans_in_chromium(browser, tmp_path):
    text = "该市获评“全国平安建设先进市”，满意度排名全省第一，连续3年位居全省前列。\n<末尾> & 结束"
    honour_start = text.index("全国")
    outer = (text.index("获评"), text.index("，满意度"))
    rank = text.index("全省第一")
    records = [
        rec(text, *outer, kind="honour", title="全国平安建设先进市"),
        rec(text, honour_start, honour_start + 4, kind="ranking", rank=1, tier="exact"),
        rec(text, honour_start + 2, rank + 4, kind="count", value=3),  # crosses record 0's end
        rec(text, rank, rank + 4, kind="ranking", rank=1, scope="全省", tier="exact"),
    ]
    html = tmp_path / "overlaps.html"
    html.write_text(render(text, records, "overlaps"), encoding="utf-8")
    page, problems, _ = open_page(browser, html)
    try:
        assert page.locator("#text [data-record]").count() == len(records)
        assert page.locator("#text").inner_text() == text
        for i, r in enumerate(records):
            got = page.evaluate(
                "i => Array.from(document.querySelectorAll("
                "`#text [data-record='${i}'], #text [data-cont='${i}']`))"
                ".filter(el => !el.parentElement.closest(`[data-record='${i}'], [data-cont='${i}']`))"
                ".map(el => el.textContent).join('')",
                i,
            )
            assert got == r.text, f"record {i}"
        # The ranking nested in the honour: a click on it shows the ranking, inside the honour.
        page.click('#text [data-record="1"]', position={"x": 2, "y": 2})
        shown = page.locator("#details").inner_text().lower()
        assert "record #2 · ranking" in shown
        assert "inside:" in shown and "#1 honour" in shown
        # Hiding rankings: a click there now reaches the honour (or the count) around it.
        page.uncheck('#legend input[data-kind="ranking"]')
        page.click('#text [data-record="1"]', position={"x": 2, "y": 2})
        assert "ranking" not in page.locator("#details h2").inner_text().lower()
        assert problems == []
    finally:
        page.close()
