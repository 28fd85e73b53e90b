"""Reports in every input format, built by the tests themselves (no fixture files):
HTML pages with script/style/navigation noise, PDFs through reportlab with its
built-in CID font (no font file needed), DOCX files through python-docx; and a way
to run the command line with some imports blocked or functions patched."""

from __future__ import annotations

import io
import os
from pathlib import Path

from support import run_cli

# A report and the (kind, value) of every record it gives.
SENTENCES = [
    "2022年，全市共办理法律援助 6238 件，化解率达 94.6%。",
    "刑事警情同比下降11.08%，挽回经济损失7281.66万元。",
    "抓获犯罪嫌疑人126人。",
]
REPORT = "".join(s + "\n" for s in SENTENCES)
EXPECTED = [
    ("count", 6238),
    ("percent", 94.6),
    ("change", -11.08),
    ("money", 72816600),
    ("count", 126),
]

# Figures in page chrome that would be records if they were read.
NOISE = {
    "script": "办理案件991件",
    "style": "办理案件992件",
    "noscript": "办理案件993件",
    "template": "办理案件994件",
    "nav": "办理案件995件",
    "header": "办理案件996件",
    "footer": "办理案件997件",
    "aside": "办理案件998件",
    "form": "办理案件999件",
    "button": "办理案件981件",
    "select": "办理案件982件",
    "iframe": "办理案件983件",
    "svg": "办理案件984件",
}


def kinds_values(records: list[dict]) -> list[tuple[str, float]]:
    return [(r["kind"], r["value"]) for r in records]


def html_page(charset_meta: str = '<meta charset="utf-8">') -> str:
    """The report as a news page: its sentences in paragraphs amid every kind of chrome,
    figures written with entities (&nbsp; &#37; &#x4E07;), the title in <head>."""
    n = NOISE
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{charset_meta}
<title>漳州市政法工作报告 访问量 12345 次</title>
<style>.x::after {{ content: "{n["style"]}"; }}</style>
<script type="text/javascript">
  var counter = "{n["script"]}"; document.write("<p>" + counter + "</p>");
</script>
</head>
<body>
<header><div class="logo">政府网</div><p>{n["header"]}</p></header>
<nav><ul><li><a href="/">首页</a></li><li><a href="/x">{n["nav"]}</a></li></ul></nav>
<form action="/search"><input name="q" value="办理案件1件"><button type="submit">{n["button"]}</button>
<select><option>{n["select"]}</option></select><label>{n["form"]}</label></form>
<div class="main">
  <h1>政法工作报告</h1>
  <p>&nbsp;&nbsp;2022年，全市共办理法律援助&nbsp;6238 件，化解率达 94.6&#37;。</p>
  <p>刑事警情同比下降11.08%，挽回经济损失7281.66&#x4E07;元。</p>
  <div>抓获犯罪嫌疑人126人。</div>
  <p>说明&lt;数据&gt; &amp; 来源：市委政法委</p>
</div>
<noscript><p>{n["noscript"]}</p></noscript>
<template><p>{n["template"]}</p></template>
<iframe src="ad.html">{n["iframe"]}</iframe>
<svg width="10" height="10"><text x="0" y="10">{n["svg"]}</text></svg>
<aside><h3>热点</h3><p>{n["aside"]}</p></aside>
<footer><p>{n["footer"]}</p><p>版权所有</p></footer>
</body>
</html>
"""


def make_pdf(pages: list[list[str]], password: str | None = None) -> bytes:
    """A PDF with these lines of text on each page, in reportlab's built-in Chinese
    CID font STSong-Light (a PDF standard font: no font file is needed); with a
    password, encrypted so that it cannot be opened without it."""
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=StandardEncryption(password) if password else None)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        y = 760
        for line in lines:
            c.drawString(72, y, line)
            y -= 20
        c.showPage()
    c.save()
    return buf.getvalue()


def make_scanned_pdf() -> bytes:
    """A PDF whose page is an image only, as a scanner makes it: no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (200, 100), 255)
    ImageDraw.Draw(image).rectangle((20, 20, 180, 80), outline=0)
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(image), 72, 600, width=400, height=200)
    c.showPage()
    c.save()
    return buf.getvalue()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (1: the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def make_garbled_pdf(kind: str, lines: int = 30) -> bytes:
    """A PDF whose text layer decodes to no characters, as a font without a usable
    Unicode map gives: ``cid`` (a CID font with no ToUnicode map and no known character
    collection: pdfminer writes ``(cid:N)``) or ``private`` (a ToUnicode map into the
    private-use area)."""
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
    )
    if kind == "cid":
        show = b"<0A0B0C0D0E0F10110A0B0C0D0E0F1011> Tj 0 -16 Td " * lines
        font = (
            b"<< /Type /Font /Subtype /Type0 /BaseFont /Unknown /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] >>"
        )
        extra = [
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unknown /FontDescriptor 7 0 R"
            b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
            b"<< /Type /FontDescriptor /FontName /Unknown /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
            b" /Ascent 900 /Descent -100 /CapHeight 700 /StemV 80 >>",
        ]
    else:
        show = b"(ABCDEFGHIJKLMNOPQRSTUVWX) Tj 0 -16 Td " * lines
        cmap = (
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Private def"
            b" 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <E020> endbfrange"
            b" endcmap CMapName currentdict /CMap defineresource pop end end"
        )
        font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>"
        extra = [_stream(cmap)]
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            page,
            _stream(b"BT /F1 12 Tf 72 760 Td " + show + b"ET"),
            font,
            *extra,
        ]
    )


def make_docx() -> bytes:
    """The report as a Word file: a heading, a paragraph, a table holding two of the
    figures, and a closing paragraph."""
    import docx

    d = docx.Document()
    d.add_heading("政法工作报告", level=1)
    d.add_paragraph(SENTENCES[0])
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "刑事警情"
    table.cell(0, 1).text = "同比下降11.08%"
    table.cell(1, 0).text = "挽回经济损失"
    table.cell(1, 1).text = "7281.66万元"
    d.add_paragraph(SENTENCES[2])
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


BLOCK_IMPORTS = """
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {modules!r}:
            raise ImportError(f"No module named {{name!r}} (blocked by the test)")
        return None
sys.meta_path.insert(0, _Block())
for _name in [m for m in sys.modules if m.split(".")[0] in {modules!r}]:
    del sys.modules[_name]  # imported already (a warm process): imported again, blocked
"""


def run_wrapped(
    prelude: str,
    *args: str | os.PathLike[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
):
    """The command line after ``prelude`` (patches, import blockers) in its process."""
    return run_cli(*args, cwd=cwd, env=env, prelude=prelude)


def run_without(modules: set[str], *args, cwd: Path | None = None):
    """The command line with these top-level modules not importable (an extra not installed)."""
    return run_wrapped(BLOCK_IMPORTS.format(modules=sorted(modules)), *args, cwd=cwd)
