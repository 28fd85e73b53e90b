"""What conversions, printers and web pages do to a report's text, as functions: the
fixtures of the noise tests are built from texts (the seeds, the dev reports when
../shared/dev is there, and the reports below) by these transforms, never stored.

- ``pinyin_glosses``: a bad Big5-to-GB conversion's glosses, in words, between a figure's
  scale word and its unit (6649萬(wàn)元) and inside direction words (上(shàng)升);
- ``kangxi``: characters replaced by the Kangxi radicals that look the same (a PDF font's
  Unicode map), derived from Python's own Unicode data (NFKC), not from the project's table;
- ``cr_line_ends``: old Mac line ends;
- ``hard_wrap``: every paragraph cut into lines of a fixed width, a blank line between
  paragraphs;
- ``replacement_chars``: U+FFFD where a decoder met bytes it could not read;
- ``footnotes``: citation marks ([3]) at the ends of sentences;
- ``cms_page``: the report as the article of a CMS page with its chrome (navigation,
  counters, breadcrumbs, share bar, previous/next links, related news, footer), each
  chrome part holding figures that would be records if they were read;
- ``saved_page``: the same page saved as plain text, its furniture as lines of text;
- ``print_pdf``: the report printed to PDF by headless Chromium with a CJK font.
"""

from __future__ import annotations

import html
import unicodedata
from pathlib import Path

from support import ROOT, SEED_FILES

DEV_DOCS = ROOT.parent / "shared" / "dev" / "docs"

# Reports written for these tests (no sentence of them comes from ../shared/dev): headlines,
# list items, figures with scale words, changes, rankings and honours.
OWN_TEXTS = {
    "own_county": "\n".join(
        [
            "某县2023年平安建设工作总结",
            "",
            "一、主要成效",
            "",
            "全年共调处矛盾纠纷1286起，调解成功率达98.6%，同比上升2.1个百分点。",
            "全县刑事警情同比下降12.4%，降幅位居全市第一；破获电信网络诈骗案件213起，挽回群众损失4.6亿元。",
            "县人民法院审结各类案件8512件，结案率达96.3%。",
            "",
            "二、经验做法",
            "",
            "（一）坚持源头治理。建成村级调解组织135个，培训调解员2400余人次。",
            "（二）强化科技支撑。新建视频监控点位1800个，治安案件发案数下降21%。",
            "",
            "三、荣誉",
            "",
            "县委政法委获评“全省平安建设先进集体”，县公安局被评为全国优秀公安局。",
            "",
        ]
    ),
    "own_city": "\n".join(
        [
            "某市法律援助工作成效显著",
            "",
            "本报讯 今年上半年，全市各级法律援助机构共办理法律援助案件6238件，同比增长8.5%，"
            "为受援群众挽回经济损失7281.66万元。",
            "",
            "全市12348热线接听群众来电13780人次，群众满意率达99.2%。",
            "",
            "全市法律援助工作考评位列全省前列，市法律援助中心荣获“全国法律援助工作先进集体”称号。",
            "",
            "全市共有人民调解员3.2万名，比上年增加1200名。",
            "",
        ]
    ),
}


def texts() -> list[tuple[str, str]]:
    """(name, text) of every report the transform tests use."""
    out = [(p.stem[:3], p.read_text(encoding="utf-8")) for p in SEED_FILES]
    if DEV_DOCS.is_dir():
        out += [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(DEV_DOCS.glob("h*.txt"))]
    out += list(OWN_TEXTS.items())
    return out


# --- pinyin glosses ----------------------------------------------------------------------

_SYLLABLES = ["xù", "shè", "wàn", "shàng", "jiàn", "lǜ", "zhǎng", "guó", "mín", "yǔ"]
_SCALES = "万萬亿億千百"
_DIRECTION_HEADS = "上下增减提降"


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def pinyin_glosses(text: str, every: int = 5) -> str:
    """A gloss after every ``every``-th Han character, after every scale word that a
    Han character follows (6649萬(wàn)元) and after the head of a direction word
    (上(shàng)升, 下(xià)降)."""
    out: list[str] = []
    n = 0
    for i, c in enumerate(text):
        out.append(c)
        if not _han(c):
            continue
        n += 1
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if (
            n % every == 0
            or (c in _SCALES and _han(nxt))
            or (c in _DIRECTION_HEADS and nxt in "升降长加少高低")
        ):
            out.append(f"({_SYLLABLES[n % len(_SYLLABLES)]})")
    return "".join(out)


def replacement_chars(text: str, every: int = 11) -> str:
    """U+FFFD after every ``every``-th Han character."""
    out: list[str] = []
    n = 0
    for c in text:
        out.append(c)
        if _han(c):
            n += 1
            if n % every == 0:
                out.append("\ufffd")
    return "".join(out)


def footnotes(text: str) -> str:
    """A citation mark [n] before every full stop and every third comma."""
    out: list[str] = []
    n = 0
    for c in text:
        if c == "。" or (c in "，," and (n := n + 1) % 3 == 0):
            out.append(f"[{len(out) % 9 + 1}]")
        out.append(c)
    return "".join(out)


# --- Kangxi radicals ----------------------------------------------------------------------

# The unified character -> the Kangxi radical that looks the same (U+2F00..U+2FD5), by NFKC.
KANGXI = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0x2F00, 0x2FD6)}


def kangxi(text: str) -> str:
    """Every character that has a Kangxi radical twin written as the radical."""
    return "".join(KANGXI.get(c, c) for c in text)


# --- line ends and wrapping -------------------------------------------------------------


def cr_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r")


def _width(c: str) -> int:
    return 1 if c.isascii() else 2


def hard_wrap(text: str, width: int = 60) -> str:
    """Every non-empty line cut into lines of at most ``width`` columns (a Han character
    is two), the paragraphs set apart by one blank line."""
    paragraphs = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        rows: list[str] = []
        row = ""
        cols = 0
        for c in line:
            if cols + _width(c) > width:
                rows.append(row)
                row, cols = "", 0
            row += c
            cols += _width(c)
        rows.append(row)
        paragraphs.append("\n".join(rows))
    return "\n\n".join(paragraphs) + "\n"


# --- a CMS page ---------------------------------------------------------------------------

# Chrome in the page, each part with figures that would be records if they were read.
CHROME_TOP = """<div id="header" class="site-header"><div class="logo">某市人民政府门户网站</div>
<div class="top-links">今日访问量 12345 次 | 累计访问 3.2万人次</div></div>
<nav class="main-nav"><ul><li><a href="/">首页</a></li><li><a href="/zw">政务公开</a></li>
<li><a href="/fz">平安建设排名第1的经验</a></li></ul></nav>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/news">政法动态</a></div>
<div class="article-info">发布时间：2023-05-06 来源：市委政法委 浏览次数：5678次 阅读 2100人
<span class="fontsize">【字号：大 中 小】</span>【打印】【关闭窗口】</div>"""
CHROME_BOTTOM = """<div class="bdsharebuttonbox">分享到：<a>微信</a><a>微博</a> 点赞 36</div>
<div class="prev-next"><p>上一篇：某区破获电信诈骗案件35起</p>
<p>下一篇：某县获评全省平安建设先进集体</p></div>
<div class="related-news"><h3>相关新闻</h3>
<ul><li>某镇调处纠纷86起</li><li>全区刑事警情下降15%</li></ul></div>
<div id="comments"><p>网友评论 12 条</p></div>
<div class="sidebar"><h3>热点排行</h3><ol><li>全省第二的秘诀</li><li>挽回损失900万元</li></ol></div>
<footer class="footer"><p>版权所有 某市人民政府 闽ICP备12345678号-1 闽公网安备 35010202000123号</p>
<p>联系电话：0591-87654321 邮编：350001</p>
<p>http://www.example.gov.cn/search?q=%E5%B9%B3%E5%AE%89%E5%BB%BA%E8%AE%BE&amp;p=5%25</p></footer>"""


def cms_page(text: str) -> str:
    """The report as the article of a CMS page: a paragraph per non-empty line."""
    paragraphs = "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in text.split("\n") if line.strip())
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>政法动态</title></head><body>\n'
        f'{CHROME_TOP}\n<div class="article-content" id="zoom">\n{paragraphs}\n</div>\n{CHROME_BOTTOM}\n'
        "</body></html>\n"
    )


SAVED_TOP = """某市人民政府门户网站  今日访问量 12345 次
首页 | 政务公开 | 政法动态
当前位置：首页 > 政法动态
发布时间：2023-05-06 来源：市委政法委 浏览次数：5678次 阅读 2100人
【字号：大 中 小】【打印】【关闭窗口】

"""
SAVED_BOTTOM = """
分享到：微信 微博
点赞 36 评论 12
上一篇：某区破获电信诈骗案件35起
下一篇：某县获评全省平安建设先进集体

相关新闻
某镇调处纠纷86起
全区刑事警情下降15%

版权所有 某市人民政府 闽ICP备12345678号-1 闽公网安备 35010202000123号
联系电话：0591-87654321 邮编：350001
http://www.example.gov.cn/search?q=%E5%B9%B3%E5%AE%89%E5%BB%BA%E8%AE%BE&p=5%25
"""


def saved_page(text: str) -> str:
    """The report as a web page saved as plain text: the page's furniture as lines."""
    return SAVED_TOP + text.strip("\n") + "\n" + SAVED_BOTTOM


# --- a PDF printed by Chromium ------------------------------------------------------------

CJK_FONT = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", sans-serif'


def print_page(text: str) -> str:
    """The report as a plain page for printing: a paragraph per non-empty line, a CJK font."""
    paragraphs = "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in text.split("\n") if line.strip())
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<style>body {{ font-family: {CJK_FONT}; font-size: 12pt; }}</style></head>"
        f"<body>\n{paragraphs}\n</body></html>\n"
    )


def print_pdf(browser, text: str, tmp: Path) -> bytes:
    """The report printed to A4 PDF by the Chromium of ``browser`` (a Playwright context)."""
    page = browser.new_page()
    try:
        path = tmp / "print.html"
        path.write_text(print_page(text), encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        return page.pdf(format="A4")
    finally:
        page.close()
