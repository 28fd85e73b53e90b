"""The review page of `govextract show`: one self-contained HTML file (inline CSS and
JS, nothing fetched) with the report text, every record's span highlighted by kind,
a table of the records, a details panel and filters by kind.

Spans may overlap (a ranking inside an honour's sentence). HTML elements must nest,
so overlapping spans are nested where one contains the other and split where they
cross: a record's first element carries ``data-record="i"`` (exactly one per record),
the pieces it was cut into after a crossing carry ``data-cont="i"``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from .record import FIELDS, KINDS, Record

# (foreground, background) per kind: the underline / swatch colour and the span's fill.
COLOURS: dict[str, tuple[str, str]] = {
    "count": ("#1d4ed8", "#dbeafe"),
    "percent": ("#15803d", "#dcfce7"),
    "change": ("#c2410c", "#ffedd5"),
    "money": ("#a16207", "#fef08a"),
    "ranking": ("#7e22ce", "#f3e8ff"),
    "honour": ("#be123c", "#ffe4e6"),
}
# The text is cut into blocks of about this many characters (at line ends outside spans).
CHUNK = 4000
# What a tooltip shows, in this order, when not null (kind and text come first).
_TIP_FIELDS = tuple(f for f in FIELDS if f not in ("doc", "kind", "text", "start", "end"))


def _record(r: Record | Mapping[str, Any]) -> Record:
    return r if isinstance(r, Record) else Record.model_validate(r)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _tooltip(i: int, r: Record) -> str:
    lines = [f"#{i + 1} {r.kind}: {r.text}"]
    for f in _TIP_FIELDS:
        v = getattr(r, f)
        if v is None or (f == "approx" and not v):
            continue
        lines.append(f"{f}: {_fmt(v)}")
    return "\n".join(lines)


def _marked_text(text: str, records: list[Record], tips: list[str]) -> str:
    """The escaped text with one element per record piece, properly nested."""
    starts: dict[int, list[int]] = {}
    ends: set[int] = set()
    for i, r in enumerate(records):
        starts.setdefault(r.start, []).append(i)
        ends.add(r.end)
    for idxs in starts.values():
        # Longer spans outside, so that a span inside another nests without a cut.
        idxs.sort(key=lambda i: (-records[i].end, i))
    out: list[str] = []
    stack: list[int] = []

    def open_tag(i: int, first: bool) -> str:
        attr = "data-record" if first else "data-cont"
        cls = f"hl k-{records[i].kind}" + ("" if first else " cont")
        return f'<span class="{cls}" {attr}="{i}" title="{escape(tips[i])}">'

    chunk = 0  # where the current text block began

    def plain(a: int, b: int) -> None:
        """text[a:b], cut into blocks at a line end outside every span once a block
        holds CHUNK characters (the browser lays out and paints only visible blocks)."""
        nonlocal chunk
        while not stack:
            cut = text.find("\n", max(a, chunk + CHUNK - 1), b)
            if cut < 0 or cut + 1 == len(text):
                break
            out.append(escape(text[a : cut + 1], quote=False))
            out.append('</div><div class="chunk">')
            a = chunk = cut + 1
        out.append(escape(text[a:b], quote=False))

    out.append('<div class="chunk">')
    pos = 0
    for p in sorted(set(starts) | ends | {len(text)}):
        plain(pos, p)
        pos = p
        if p in ends and stack:
            # Close down to the outermost record that ends here; reopen what was
            # cut short (the longest remainder outermost).
            depth = next((d for d, i in enumerate(stack) if records[i].end == p), None)
            if depth is not None:
                cut = stack[depth:]
                del stack[depth:]
                out.append("</span>" * len(cut))
                rest = [i for i in cut if records[i].end > p]
                rest.sort(key=lambda i: -records[i].end)  # stable: earlier nesting kept on ties
                for i in rest:
                    out.append(open_tag(i, first=False))
                    stack.append(i)
        for i in starts.get(p, ()):
            out.append(open_tag(i, first=True))
            stack.append(i)
    out.append("</div>")  # every span ends by len(text): the stack is empty
    return "".join(out)


def _json_for_script(data: Any) -> str:
    """JSON that is safe inside a <script> element (no `</script>`, no `<!--`)."""
    s = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def render(text: str, records: Iterable[Record | Mapping[str, Any]], doc: str) -> str:
    """The review page of one report: ``text`` is the decoded source that the
    records' offsets refer to, ``doc`` the name to show. Returns the whole HTML page."""
    recs = [_record(r) for r in records]
    for i, r in enumerate(recs):
        if not 0 <= r.start < r.end <= len(text):
            raise ValueError(f"record {i} has span [{r.start}, {r.end}) outside the text ({len(text)} chars)")
    tips = [_tooltip(i, r) for i, r in enumerate(recs)]
    counts = Counter(r.kind for r in recs)
    e = escape

    legend = "\n".join(
        f'<label class="kind" title="show or hide {k} records">'
        f'<input type="checkbox" data-kind="{k}" checked> '
        f'<span class="sw k-{k}"></span>{k} <span class="n">{counts.get(k, 0)}</span></label>'
        for k in KINDS
    )
    rows = "\n".join(
        f'<tr class="k-{r.kind}" data-row="{i}" tabindex="0">'
        f"<td>{i + 1}</td>"
        f'<td><span class="sw k-{r.kind}"></span>{r.kind}</td>'
        f"<td>{r.line}</td>"
        f'<td class="t">{e(r.text)}</td>'
        f"<td>{e(_fmt(r.value))}{e(' ' + r.unit) if r.unit else ''}</td>"
        f'<td class="s">{e(_fmt(r.subject if r.kind != "honour" else (r.title or r.subject)))}</td>'
        f"</tr>"
        for i, r in enumerate(recs)
    )
    if not recs:
        rows = '<tr class="none"><td colspan="6">no records</td></tr>'
    kind_css = "\n".join(
        f".k-{k}{{--fg:{fg};--bg:{bg}}}\n"
        f"body.hide-{k} .hl.k-{k}{{background:none;box-shadow:none;cursor:auto}}\n"
        f"body.hide-{k} tr.k-{k}{{display:none}}"
        for k, (fg, bg) in COLOURS.items()
    )
    data = _json_for_script(
        {"doc": doc, "fields": list(FIELDS), "records": [r.model_dump(mode="json") for r in recs]}
    )
    summary = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts.get(k))
    return _PAGE.format(
        title=e(f"{doc} · govextract review"),
        doc=e(doc),
        total=len(recs),
        plural="" if len(recs) == 1 else "s",
        chars=len(text),
        summary=e(summary) if summary else "none",
        legend=legend,
        body=_marked_text(text, recs, tips),
        rows=rows,
        kind_css=kind_css,
        data=data,
        css=_CSS,
        js=_JS,
    )


_CSS = """
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:14px/1.5 system-ui,"Noto Sans CJK SC","Source Han Sans SC",
"WenQuanYi Zen Hei","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2937;background:#f8fafc}
header{padding:8px 16px;border-bottom:1px solid #e2e8f0;background:#fff}
header h1{font-size:16px;margin:0;word-break:break-all}
header .meta{color:#64748b;font-size:13px}
#wrap{flex:1;min-height:0;display:grid;grid-template-columns:minmax(0,1fr) minmax(340px,40%)}
#text{overflow:auto;padding:16px 24px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:15px;
line-height:1.9;background:#fff}
#text .chunk{content-visibility:auto;contain-intrinsic-size:auto 600px}
#side{display:flex;flex-direction:column;min-height:0;border-left:1px solid #e2e8f0}
#side section{padding:8px 12px;border-bottom:1px solid #e2e8f0}
#side h2{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#64748b;margin:0 0 4px}
#legend .kinds{display:flex;flex-wrap:wrap;gap:4px 14px}
#legend label{cursor:pointer;white-space:nowrap}
#legend .n{color:#64748b}
.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:4px;vertical-align:-1px;
background:var(--bg);box-shadow:inset 0 -3px 0 var(--fg)}
.hl{background:var(--bg);box-shadow:inset 0 -2px 0 var(--fg);border-radius:2px;cursor:pointer}
.hl .hl{box-shadow:inset 0 -2px 0 var(--fg),0 0 0 1px var(--fg)}
.hl.sel{outline:2px solid #0f172a;outline-offset:1px}
.hl.flash{animation:flash 1.6s ease-out}
@keyframes flash{0%,40%{background:#facc15;box-shadow:0 0 0 3px #facc15}100%{}}
#details{background:#fffbeb;max-height:45%;overflow:auto}
#details[hidden]{display:none}
#details .close{float:right;border:0;background:none;font-size:16px;cursor:pointer;color:#64748b}
#details table{border-collapse:collapse;font-size:13px;width:100%}
#details th{text-align:left;color:#64748b;font-weight:normal;padding:1px 8px 1px 0;width:6em;
vertical-align:top}
#details td{padding:1px 0;overflow-wrap:anywhere}
#details .nulls{color:#94a3b8;font-size:12px;margin:2px 0 0}
#details .inside{margin:0 0 2px;font-size:13px}
#details .inside a{cursor:pointer;color:#1d4ed8;margin-right:6px}
#tablewrap{flex:1;min-height:0;overflow:auto;padding:0!important}
#records{border-collapse:collapse;width:100%;font-size:13px;table-layout:fixed}
#records col.c-i{width:3em}#records col.c-k{width:6.6em}#records col.c-l{width:3.4em}
#records col.c-v{width:9em}
#records th{position:sticky;top:0;background:#f1f5f9;text-align:left;padding:4px 6px;font-weight:600}
#records td{padding:3px 6px;border-top:1px solid #f1f5f9;vertical-align:top;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
#records td.s{white-space:normal;overflow-wrap:anywhere}
#records tbody tr{cursor:pointer}
#records tbody tr:hover{background:#f1f5f9}
#records tbody tr.sel{background:#e0e7ff}
#records tr.none td{color:#64748b;cursor:auto}
@media (max-width:800px){#wrap{display:block;overflow:auto}#text{overflow:visible}
#side{border-left:0;border-top:1px solid #e2e8f0}#tablewrap{overflow:visible}}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("govextract-data").textContent);
  var records = data.records, fields = data.fields;
  var body = document.body, textEl = document.getElementById("text");
  var details = document.getElementById("details"), rows = document.getElementById("rows");
  var selected = [];

  function kindShown(kind) { return !body.classList.contains("hide-" + kind); }
  function indexOf(el) {
    var v = el.getAttribute("data-record");
    return parseInt(v === null ? el.getAttribute("data-cont") : v, 10);
  }
  function pieces(i) {
    return textEl.querySelectorAll('[data-record="' + i + '"],[data-cont="' + i + '"]');
  }
  function outerRecords(i) {  // records whose highlight encloses record i's, innermost first
    var out = [], el = textEl.querySelector('[data-record="' + i + '"]');
    for (el = el && el.parentElement; el && el !== textEl; el = el.parentElement) {
      if (el.classList.contains("hl")) out.push(indexOf(el));
    }
    return out;
  }
  function cell(tr, tag, text, cls) {
    var c = document.createElement(tag);
    c.textContent = text;
    if (cls) c.className = cls;
    tr.appendChild(c);
    return c;
  }
  function select(i) {
    selected.forEach(function (el) { el.classList.remove("sel"); });
    selected = Array.prototype.slice.call(pieces(i));
    selected.forEach(function (el) { el.classList.add("sel"); });
    var old = rows.querySelector("tr.sel");
    if (old) old.classList.remove("sel");
    var row = rows.querySelector('tr[data-row="' + i + '"]');
    if (row) row.classList.add("sel");
    showDetails(i);
    return row;
  }
  function showDetails(i) {
    var r = records[i];
    var content = document.getElementById("details-content");
    content.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "record #" + (i + 1) + " · " + r.kind;
    content.appendChild(h);
    var outer = outerRecords(i);
    if (outer.length) {
      var p = document.createElement("p");
      p.className = "inside";
      p.appendChild(document.createTextNode("inside: "));
      outer.forEach(function (j) {
        var a = document.createElement("a");
        a.textContent = "#" + (j + 1) + " " + records[j].kind;
        a.setAttribute("data-goto", j);
        p.appendChild(a);
      });
      content.appendChild(p);
    }
    // The fields with a value; the null ones on one line below (the page header names the doc).
    var table = document.createElement("table"), nulls = [];
    fields.forEach(function (f) {
      var v = r[f];
      if (f === "doc") return;
      if (v === null) { nulls.push(f); return; }
      var tr = document.createElement("tr");
      cell(tr, "th", f);
      cell(tr, "td", String(v));
      table.appendChild(tr);
    });
    content.appendChild(table);
    if (nulls.length) {
      var n = document.createElement("p");
      n.className = "nulls";
      n.textContent = "null: " + nulls.join(", ");
      content.appendChild(n);
    }
    details.hidden = false;
  }
  function flash(i) {
    var ps = pieces(i);
    if (!ps.length) return;
    ps[0].scrollIntoView({block: "center", inline: "nearest"});
    Array.prototype.forEach.call(ps, function (el) {
      el.classList.remove("flash");
      void el.offsetWidth;  // restart the animation
      el.classList.add("flash");
    });
    setTimeout(function () {
      Array.prototype.forEach.call(ps, function (el) { el.classList.remove("flash"); });
    }, 1700);
  }
  function goTo(i) {
    var row = select(i);
    flash(i);
    if (row) row.scrollIntoView({block: "nearest"});
  }

  document.querySelectorAll("#legend input[data-kind]").forEach(function (box) {
    box.addEventListener("change", function () {
      body.classList.toggle("hide-" + box.getAttribute("data-kind"), !box.checked);
    });
  });
  textEl.addEventListener("click", function (ev) {
    // The innermost highlight under the pointer whose kind is shown.
    for (var el = ev.target; el && el !== textEl; el = el.parentElement) {
      if (el.classList.contains("hl")) {
        var i = indexOf(el);
        if (kindShown(records[i].kind)) {
          var row = select(i);
          if (row) row.scrollIntoView({block: "nearest"});
          return;
        }
      }
    }
  });
  function fromRow(ev) {
    var tr = ev.target.closest("tr[data-row]");
    if (tr) goTo(parseInt(tr.getAttribute("data-row"), 10));
  }
  rows.addEventListener("click", fromRow);
  rows.addEventListener("keydown", function (ev) { if (ev.key === "Enter") fromRow(ev); });
  details.addEventListener("click", function (ev) {
    var a = ev.target.closest("[data-goto]");
    if (a) goTo(parseInt(a.getAttribute("data-goto"), 10));
    if (ev.target.closest(".close")) details.hidden = true;
  });
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}
{kind_css}
</style>
</head>
<body>
<header>
<h1>{doc}</h1>
<div class="meta">{total} record{plural} ({summary}) · {chars} characters ·
hover a highlight for its fields, click it or a table row for details</div>
</header>
<div id="wrap">
<main id="text">{body}</main>
<aside id="side">
<section id="legend"><h2>Kinds (legend and filter)</h2>
<div class="kinds">
{legend}
</div></section>
<section id="details" hidden><button class="close" type="button" title="close">×</button>
<div id="details-content"></div></section>
<section id="tablewrap">
<table id="records">
<colgroup><col class="c-i"><col class="c-k"><col class="c-l"><col><col class="c-v"><col></colgroup>
<thead><tr><th>#</th><th>kind</th><th>line</th><th>text</th><th>value</th><th>subject / title</th></tr>
</thead>
<tbody id="rows">
{rows}
</tbody>
</table>
</section>
</aside>
</div>
<script type="application/json" id="govextract-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""
