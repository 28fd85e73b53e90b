"""Input formats: the bytes of a report to the text that extraction sees (and that
record offsets refer to), by the file's suffix.

- ``.txt`` (and any unknown suffix): decoded as text (``decode.py``);
- ``.html`` / ``.htm``: the text of the page (``htmltext.py``);
- ``.pdf``: the text layer of every page, through pdfminer.six (extra ``pdf``), pages
  separated by two blank lines; a layer of glyphs that map to no character is refused;
- ``.docx``: every paragraph and table cell, through python-docx (extra ``docx``).

A file that cannot be turned into text raises ``FormatError`` (a ``ValueError``)
whose message is the reason, one line, for people.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
from pathlib import PurePath
from typing import TYPE_CHECKING

from .decode import DecodeError, decode

if TYPE_CHECKING:
    from .ruleset import HtmlSpec

# Suffix (lower case) -> format. A directory contributes the files with these suffixes.
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
SUFFIXES = tuple(FORMATS)


class FormatError(ValueError):
    """The file is not a report we can read; the message says why."""


class MissingExtra(FormatError):
    """Reading the format needs an optional dependency that is not installed."""


def format_of(name: str | PurePath) -> str:
    """The format a file name's suffix says (case-insensitive); unknown suffixes are text."""
    return FORMATS.get(PurePath(name).suffix.lower(), "text")


def sniff(data: bytes) -> str:
    """The format of unnamed bytes (standard input) by their first bytes."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:65536]:
        return "docx"
    head = data[:1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", "ignore").encode("ascii", "ignore")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if re.match(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", head, re.IGNORECASE | re.DOTALL):
        return "html"
    return "text"


def to_text(data: bytes, fmt: str = "text", encoding: str | None = None, html: HtmlSpec | None = None) -> str:
    """The text of a report in format ``fmt`` (``text``, ``html``, ``pdf``, ``docx``).
    ``encoding`` forces the encoding of text and HTML; ``html`` gives the page chrome
    conventions (default: the built-in rules'). Raises ``FormatError``."""
    if not data.strip():
        raise FormatError("empty file")
    if fmt == "html":
        from .htmltext import decode_html, html_to_text

        text = html_to_text(_decoded(decode_html, data, encoding), html)
        empty = "no text in the page (only markup, scripts or navigation)"
    elif fmt == "pdf":
        text = _pdf_text(data)
        empty = "no text layer (a scanned PDF?)"
    elif fmt == "docx":
        text = _docx_text(data)
        empty = "no text in the document"
    else:
        text = _decoded(decode, data, encoding)
        empty = "empty file"
    if not text.strip():
        raise FormatError(empty)
    return text


def _decoded(fn, data: bytes, encoding: str | None) -> str:
    try:
        return fn(data, encoding)
    except DecodeError as exc:
        raise FormatError(str(exc)) from exc


def _extra(fmt: str, extra: str) -> MissingExtra:
    return MissingExtra(f"reading {fmt} needs the {extra} extra: pip install 'govextract[{extra}]'")


def _brief(exc: BaseException) -> str:
    """An exception as a short phrase on one line."""
    msg = " ".join(str(exc).split())
    if len(msg) > 120:
        msg = msg[:117] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


# --- PDF -------------------------------------------------------------------------------------

_CID = re.compile(r"\(cid:\d+\)")
# Private-use characters: what a font's own map gives for glyphs that are no character.
_PRIVATE = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_SPACE = re.compile(r"\s+")
# A text layer in which at least this share of the glyphs map to no character is garbled:
# the reader would get a few words of a page; a few such glyphs (bullets, symbols in a
# font of their own) are noise that normalization drops (rules/noise.toml).
_GARBLED = 0.25


def _pdf_text(data: bytes) -> str:
    """The text layer of every page, pages separated by two blank lines (pdfminer's own
    layout within a page: a line per text line, a blank line between text boxes)."""
    try:
        from pdfminer.high_level import extract_text
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError:
        raise _extra("PDF", "pdf") from None
    # pdfminer logs its complaints about damaged files; they are not for the user of a
    # command line (a handler here keeps Python's last-resort handler from printing them).
    import logging

    logger = logging.getLogger("pdfminer")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw = extract_text(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise FormatError("encrypted PDF (needs a password)") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise FormatError(f"not a readable PDF ({_brief(exc)})") from None
    pages = [p.strip("\n") for p in raw.split("\f")]
    # Two blank lines between pages: normalization never joins lines across them.
    text = "\n\n\n".join(p for p in pages if p.strip())
    if text.strip():
        _check_text_layer(text)
    return text + "\n" if text else ""


def _check_text_layer(text: str) -> None:
    """Refuse a text layer whose glyphs mostly map to no character: ``(cid:97)`` codes of a
    font without a Unicode map, or private-use characters."""
    cids = len(_CID.findall(text))
    private = len(_PRIVATE.findall(text))
    readable = len(_SPACE.sub("", _PRIVATE.sub("", _CID.sub("", text))))
    garbled = cids + private
    if garbled and garbled >= _GARBLED * (garbled + readable):
        what = "(cid:N) codes" if cids >= private else "private-use characters"
        if not readable:
            raise FormatError(f"no usable text layer (its fonts map no glyph to a character: {what})")
        share = garbled / (garbled + readable)
        raise FormatError(f"garbled text layer ({share:.0%} of its glyphs are {what}, no characters)")


# --- DOCX ------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    """Every paragraph of the body in order, a line each; a table row a line, its cells
    separated by tabs (a cell's own paragraphs by spaces)."""
    try:
        import docx
        from docx.oxml.ns import qn
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise _extra("DOCX", "docx") from None
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as exc:  # not a zip, no word/document.xml, bad XML, ...
        raise FormatError(f"not a readable DOCX file ({_brief(exc)})") from None

    P, TBL, SDT, SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
    TR, TC = qn("w:tr"), qn("w:tc")

    def blocks(container) -> list[str]:
        lines: list[str] = []
        for el in container.iterchildren():
            if el.tag == P:
                lines.append(Paragraph(el, document).text)
            elif el.tag == TBL:
                for row in el.iter(TR):
                    if _inside_nested(row, el, TBL):
                        continue  # a nested table's rows come with their cell
                    cells = [
                        " ".join(x.strip() for x in blocks(tc) if x.strip()) for tc in row.iterchildren(TC)
                    ]
                    lines.append("\t".join(cells).strip("\t"))
            elif el.tag == SDT:  # a content control (a table of contents, a form field)
                for content in el.iterchildren(SDT_CONTENT):
                    lines.extend(blocks(content))
        return lines

    try:
        text = "\n".join(blocks(body))
    except Exception as exc:
        raise FormatError(f"not a readable DOCX file ({_brief(exc)})") from None
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


def _inside_nested(row, table, tbl_tag: str) -> bool:
    parent = row.getparent()
    while parent is not None and parent is not table:
        if parent.tag == tbl_tag:
            return True
        parent = parent.getparent()
    return False
