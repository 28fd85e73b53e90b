"""HTML pages to text: what a reader sees of the page, without scripts, styles and
page chrome, one line per block (paragraph, heading, list item, table row).

Chrome is recognised by the conventions CMS pages follow, kept as data in
``rules/html.toml`` (``[html]``): elements (``nav``, ``aside``, a page-level
``header``/``footer``), ``role`` values (``navigation``, ``banner``...) and class or id
words (``breadcrumb``, ``share``, ``copyright``...). The article is never dropped: an
element marked as chrome that wraps the page's main text (an ``<article>`` or
``<main>``, or more than half of the page's prose) is kept, and a page that would be
left with no text keeps all of its chrome.

Decoding honours a byte-order mark, then a ``<meta charset>`` or ``http-equiv``
declaration near the top of the page, then falls back to the detection plain text
files get (``decode.py``). Only the standard library's ``html.parser`` is used.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .decode import decode

if TYPE_CHECKING:
    from .ruleset import HtmlSpec

# Elements whose whole content is dropped: code, styling and controls (page chrome is
# data: rules/html.toml).
DROPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
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
# The page's own content: chrome inside it is the article's (a header inside <article>
# is the article's header, not the page's banner), and chrome around it is a wrapper.
_CONTENT_TAGS = frozenset({"article", "main"})
_CONTENT_ROLES = frozenset({"main", "article"})
# Element names and class or id words that are chrome only at page level (HTML-AAM:
# header and footer are landmarks only outside article and main).
_PAGE_LEVEL = frozenset({"header", "footer"})
# A block of text is prose (not a menu entry or a link title) when it holds a sentence
# end or is at least this long.
_PROSE_BLOCK = 40
_SENTENCE_END = re.compile(r"[。！？!?]")
_WORDS = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+")


@dataclass(frozen=True)
class Chrome:
    """The chrome conventions, compiled for lookups (from ``[html]`` of the rules)."""

    tags: frozenset[str]
    roles: frozenset[str]
    names: frozenset[str]
    long_names: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, spec: HtmlSpec) -> Chrome:
        names = frozenset(n.lower() for n in spec.chrome_names)
        return cls(
            tags=frozenset(t.lower() for t in spec.chrome_tags),
            roles=frozenset(r.lower() for r in spec.chrome_roles),
            names=names,
            long_names=tuple(sorted(n for n in names if len(n) >= 4)),
        )

    def word(self, part: str) -> str | None:
        """The chrome name a class or id word is (``breadcrumbs``, ``sharebox``, ``mainmenu``)."""
        if part in self.names:
            return part
        for n in self.long_names:
            if part.startswith(n) or part.endswith(n):
                return n
        return None

    def name_of(self, attrs: dict[str, str]) -> str | None:
        for key in ("id", "class"):
            value = attrs.get(key)
            if not value:
                continue
            # site-header, side_bar, breadCrumb, footer2: words by dashes, underscores,
            # spaces and case changes.
            for token in value.split():
                low = token.lower()
                parts = [low, *re.split(r"[-_]+", low), *(w.lower() for w in _WORDS.findall(token))]
                for part in parts:
                    if part and (hit := self.word(part)):
                        return hit
        return None


@dataclass
class _Region:
    start: int  # in parts
    prose0: int  # prose before it
    by_name: bool  # chrome by a class or id word (a convention), not by element or role
    end: int = -1
    prose: int = 0
    wraps_content: bool = False


class _TextParser(HTMLParser):
    def __init__(self, chrome: Chrome) -> None:
        super().__init__(convert_charrefs=True)
        self.chrome = chrome
        self.parts: list[str] = []
        # Open elements (void elements are never pushed), each with whether it is a
        # form whose fate is not yet known (it is dropped at its end unless it held
        # content), the chrome region it opens (an index in regions, or -1) and whether
        # it holds the page's content (article, main).
        self.stack: list[tuple[str, bool, int, bool]] = []
        self.dropped = 0  # open DROPPED elements
        self.pre = 0
        self.forms: list[list] = []  # [start in parts, holds content] of the pending forms
        self.regions: list[_Region] = []
        self.open_regions: list[int] = []
        self.content = 0  # open content elements (article, main)
        self.prose = 0  # characters of prose blocks so far
        self.block = 0  # characters of the block being read
        self.block_sentence = False

    # --- the element stack -------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            self._void(tag)
            return
        if self.dropped:
            self.stack.append((tag, False, -1, False))
            self.dropped += tag in DROPPED
            return
        if tag == "form":
            self.forms.append([len(self.parts), False])
            self.stack.append((tag, True, -1, False))
            return
        if tag in _CONTENT_IN_FORM and self.forms:
            self.forms[-1][1] = True
        values = {k: v or "" for k, v in attrs}
        role = values.get("role", "").strip().lower()
        is_content = tag in _CONTENT_TAGS or role in _CONTENT_ROLES
        region = -1
        chrome = self._chrome(tag, role, values)
        if chrome:
            self._flush_block()
            region = len(self.regions)
            self.regions.append(_Region(start=len(self.parts), prose0=self.prose, by_name=chrome == "name"))
            self.open_regions.append(region)
        if is_content:
            self.content += 1
            for k in self.open_regions:  # chrome around the content is its wrapper
                self.regions[k].wraps_content = True
        self.stack.append((tag, False, region, is_content))
        if tag in DROPPED:
            self.dropped += 1
        else:
            self._open(tag)

    def _chrome(self, tag: str, role: str, attrs: dict[str, str]) -> str:
        """Why the element is chrome ("role", "tag", "name"), or ""."""
        c = self.chrome
        if role in c.roles:
            return "role"
        if tag in c.tags and not (tag in _PAGE_LEVEL and self.content):
            return "tag"
        name = c.name_of(attrs)
        if name is not None and not (name in _PAGE_LEVEL and self.content):
            return "name"
        return ""

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
        if not any(entry[0] == tag for entry in self.stack):
            return  # a stray end tag
        # Close everything up to the matching open element (unclosed <p>, <li>, <td>).
        while self.stack:
            entry = self.stack.pop()
            self._close(*entry)
            if entry[0] == tag:
                break

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(*self.stack.pop())
        self._flush_block()

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

    def _close(self, tag: str, pending_form: bool, region: int, is_content: bool) -> None:
        if pending_form:
            start, content = self.forms.pop()
            if not content:  # a search box or a login form: chrome
                del self.parts[start:]
                for r in self.regions:  # chrome inside the form went with it
                    if r.start >= start:
                        r.start = r.end = start
            return
        if tag in DROPPED:
            self.dropped -= 1
            return
        if self.dropped:
            return
        if tag == "pre":
            self.pre -= 1
        if is_content:
            self.content -= 1
        self._boundary(tag)
        if region != -1:
            self._flush_block()
            r = self.regions[region]
            r.end = len(self.parts)
            r.prose = self.prose - r.prose0
            self.open_regions.remove(region)

    def _boundary(self, tag: str) -> None:
        """What an element's start or end puts into the text: a paragraph, a line or a cell break."""
        if tag in PARAGRAPHS or tag in BLOCKS or tag in CELLS:
            self._flush_block()
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
            data = _WS.sub(" ", data)
            self.parts.append(data)
        self.block += len(data.strip())
        self.block_sentence = self.block_sentence or _SENTENCE_END.search(data) is not None

    def _flush_block(self) -> None:
        """End the block being read: its characters count as prose when it reads as prose."""
        if self.block >= _PROSE_BLOCK or (self.block and self.block_sentence):
            self.prose += self.block
        self.block = 0
        self.block_sentence = False

    def text_parts(self, *, by_name: bool = True) -> list[str]:
        """The parts of the text without the chrome regions that are not the article's
        (``by_name=False``: keep the regions that only a class or id word marks)."""
        dropped = [
            r for r in self.regions if r.end > r.start and not self._keeps(r) and (by_name or not r.by_name)
        ]
        if not dropped:
            return self.parts
        dropped.sort(key=lambda r: (r.start, -r.end))
        out: list[str] = []
        pos = 0
        for r in dropped:
            if r.start >= pos:
                out.extend(self.parts[pos : r.start])
            pos = max(pos, r.end)
        out.extend(self.parts[pos:])
        return out

    def _keeps(self, r: _Region) -> bool:
        """Whether a chrome region holds the article: it wraps the page's <article> or
        <main>, or more than half of the page's prose."""
        return r.wraps_content or (self.prose > 0 and 2 * r.prose > self.prose)


# Control characters are no text (and the markers are among them).
_CONTROLS = dict.fromkeys([*range(0, 9), 11, *range(14, 32), 127])
# A run of block boundaries, with a <br> just before it (which ends the same line).
_MARKS = re.compile(r"\n?[ \t]*[\x01\x02][ \t\x01\x02]*")
_CELL_SPACE = re.compile(r" *\t[ \t]*")


def _mark(m: re.Match[str]) -> str:
    return "\n\n" if _PARA in m.group() else "\n"


def html_to_text(html: str, spec: HtmlSpec | None = None) -> str:
    """The text of an HTML page: dropped elements and chrome removed (``spec``: the
    ``[html]`` conventions, default those of the built-in rules), entities unescaped, a
    line per block, headings and paragraphs set apart by a blank line, table cells by a
    tab, runs of blank lines collapsed, no white space at the ends of lines; ends with
    one newline ("" when the page has no text)."""
    parser = _TextParser(_chrome(spec))
    parser.feed(html)
    parser.close()
    text = _layout(parser.text_parts())
    if not text and any(r.by_name for r in parser.regions):
        # Nothing but what class names call chrome: the names mislead (a content wrapper
        # called "main-nav"); explicit <nav>, <footer> and roles still go.
        text = _layout(parser.text_parts(by_name=False))
    return text


def _chrome(spec: HtmlSpec | None) -> Chrome:
    if spec is None:
        from .normalize import _builtin_rules

        spec = _builtin_rules().html
    key = id(spec)
    cached = _CHROME.get(key)
    if cached is None or cached[0] is not spec:
        cached = _CHROME[key] = (spec, Chrome.of(spec))
    return cached[1]


_CHROME: dict[int, tuple[HtmlSpec, Chrome]] = {}


def _layout(parts: list[str]) -> str:
    raw = _MARKS.sub(_mark, "".join(parts))
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
