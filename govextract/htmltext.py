"""HTML pages to text: what a reader sees of the page, without scripts, styles and
navigation chrome, one line per block (paragraph, heading, list item, table row).

Decoding honours a byte-order mark, then a ``<meta charset>`` or ``http-equiv``
declaration near the top of the page, then falls back to the detection plain text
files get (``decode.py``). Only the standard library's ``html.parser`` is used.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from .decode import decode

# Elements whose whole content is dropped: code, styling, navigation and controls.
DROPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "iframe",
        "svg",
        "title",  # the browser tab's, not the page's (its heading repeats it)
        "object",
        "canvas",
        "map",
        "datalist",
        "textarea",
    }
)
# Elements that start and end a line of their own.
BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "tr",
        "section",
        "article",
        "main",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "caption",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "address",
        "center",
        "fieldset",
        "details",
        "summary",
        "hr",
        "body",
        "html",
    }
)
# Blocks set apart by a blank line, as paragraphs and headings are in a plain-text report.
PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
CELLS = frozenset({"td", "th"})
# Elements that never have content or an end tag.
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
# A form that holds these is the page's own wrapper (ASP.NET pages put the whole body
# in one <form>), not a search box: its content is kept.
_CONTENT_IN_FORM = frozenset({"p", "article", "main", "section", "table", "h1", "h2", "h3"})

# HTML collapses runs of white space; a no-break space (&nbsp;, used for indentation)
# is taken as a space too. The ideographic space (U+3000) is text and stays.
_WS = re.compile(r"[ \t\n\r\f\u00a0]+")
# Markers in the collected text (control characters never taken from the page): a
# block boundary (a line break unless the line is empty), a paragraph boundary (a
# blank line), and the spaces and tabs of <pre> text, which are kept as they are.
_BREAK, _PARA, _PRE_SPACE, _PRE_TAB = "\x01", "\x02", "\x03", "\x04"


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        # Open elements (void elements are never pushed), each with whether it is a
        # form whose fate is not yet known (it is dropped at its end unless it held content).
        self.stack: list[tuple[str, bool]] = []
        self.dropped = 0  # open DROPPED elements
        self.pre = 0
        self.forms: list[list] = []  # [start in parts, holds content] of the pending forms

    # --- the element stack -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self._void(tag)
            return
        if self.dropped:
            self.stack.append((tag, False))
            self.dropped += tag in DROPPED
            return
        if tag == "form":
            self.forms.append([len(self.parts), False])
            self.stack.append((tag, True))
            return
        if tag in _CONTENT_IN_FORM and self.forms:
            self.forms[-1][1] = True
        self.stack.append((tag, False))
        if tag in DROPPED:
            self.dropped += 1
        else:
            self._open(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self._void(tag)
        else:  # <div/> and the like: an empty element
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            if tag == "br":  # </br> is read as <br> by browsers
                self._void(tag)
            return
        if not any(t == tag for t, _ in self.stack):
            return  # a stray end tag
        # Close everything up to the matching open element (unclosed <p>, <li>, <td>).
        while self.stack:
            open_tag, pending_form = self.stack.pop()
            self._close(open_tag, pending_form)
            if open_tag == tag:
                break

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(*self.stack.pop())

    def _void(self, tag: str) -> None:
        if self.dropped:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append(_PARA)

    def _open(self, tag: str) -> None:
        if tag == "pre":
            self.pre += 1
        self._boundary(tag)

    def _close(self, tag: str, pending_form: bool) -> None:
        if pending_form:
            start, content = self.forms.pop()
            if not content:  # a search box or a login form: chrome
                del self.parts[start:]
            return
        if tag in DROPPED:
            self.dropped -= 1
            return
        if self.dropped:
            return
        if tag == "pre":
            self.pre -= 1
        self._boundary(tag)

    def _boundary(self, tag: str) -> None:
        """What an element's start or end puts into the text: a paragraph, a line or a cell break."""
        if tag in PARAGRAPHS:
            self.parts.append(_PARA)
        elif tag in BLOCKS:
            self.parts.append(_BREAK)
        elif tag in CELLS:
            self.parts.append("\t")

    # --- text ----------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        data = data.translate(_CONTROLS)
        if self.pre:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
            self.parts.append(data.replace(" ", _PRE_SPACE).replace("\t", _PRE_TAB))
        else:
            self.parts.append(_WS.sub(" ", data))


# Control characters are no text (and the markers are among them).
_CONTROLS = dict.fromkeys([*range(0, 9), 11, *range(14, 32), 127])
# A run of block boundaries, with a <br> just before it (which ends the same line).
_MARKS = re.compile(r"\n?[ \t]*[\x01\x02][ \t\x01\x02]*")
_CELL_SPACE = re.compile(r" *\t[ \t]*")


def _mark(m: re.Match[str]) -> str:
    return "\n\n" if _PARA in m.group() else "\n"


def html_to_text(html: str) -> str:
    """The text of an HTML page: dropped elements removed, entities unescaped, a line
    per block, headings and paragraphs set apart by a blank line, table cells by a tab,
    runs of blank lines collapsed, no white space at the ends of lines; ends with one
    newline ("" when the page has no text)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    raw = _MARKS.sub(_mark, "".join(parser.parts))
    lines = [_CELL_SPACE.sub("\t", line).strip(" \t") for line in raw.split("\n")]
    text = "\n".join(lines).replace(_PRE_SPACE, " ").replace(_PRE_TAB, "\t")
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text + "\n" if text else ""


# --- decoding ------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
# What browsers mean by the names Chinese pages declare (WHATWG Encoding Standard).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "unicode": "utf-16",
}


def declared_charset(data: bytes) -> str | None:
    """The encoding a ``<meta charset>`` or ``http-equiv`` declaration names in the first
    4 KB of the page, as a Python codec name, or None (none, or a name Python does not know)."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").strip().lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes, encoding: str | None = None) -> str:
    """The characters of an HTML page: ``encoding`` if given, else by BOM, else by its
    declaration (when the bytes are valid in it), else detected as for text."""
    if encoding or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode(data, encoding)
    declared = declared_charset(data)
    if declared:
        if declared.startswith("utf-16"):  # a page in UTF-16 has a BOM; the declaration is wrong
            declared = "utf-8"
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # mislabelled: fall back to detection
    return decode(data)
