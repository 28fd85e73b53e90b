"""Text as it really comes: each report (the seeds, the dev reports when ../shared/dev is
there, reports written here) put through what conversions, printers and web pages do to
it (``transforms.py``) gives the same records as the clean text: the same kinds, values,
units and titles, the same subjects, except what a transform truly destroys, listed
below with the reason."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pytest
from support import chromium, missing, require_chromium, require_tool
from transforms import (
    cms_page,
    cr_line_ends,
    footnotes,
    hard_wrap,
    kangxi,
    pinyin_glosses,
    print_pdf,
    replacement_chars,
    saved_page,
    texts,
)

from govextract import extract
from govextract.formats import to_text
from govextract.record import Record

TEXTS = texts()
NAMES = [name for name, _ in TEXTS]


def key(r: Record) -> tuple:
    value = None if r.value is None else round(float(r.value), 6)
    return (r.kind, value, r.unit, r.title)


_GLOSS_OR_SPACE = re.compile(r"\([^()]*\)|\s+")


def anchor(r: Record) -> tuple:
    """A record's key and its anchor text without the transforms' noise (to pair records)."""
    return (*key(r), _GLOSS_OR_SPACE.sub("", unicodedata.normalize("NFKC", r.text)))


@dataclass
class Allowed:
    """What a transform truly destroys in one report."""

    why: str
    lost: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)
    subjects: list[tuple[str | None, str | None]] = field(default_factory=list)  # (clean, transformed)


# Seed 000 is a newspaper page already wrapped in columns of several widths; the wrap,
# page and print transforms make each printed line a paragraph of its own, so a column's
# line narrower than the page's wrap width, followed by a blank line, can no longer be told
# from the end of a paragraph: the honour whose title runs across columns (入围省级法 /
# 治政府建设示范创建项目) is cut, and a few subjects at column breaks change.
_SEED_000_LOST = [("honour", None, None, "省级法治政府建设示范创建项目")]
_SEED_000_EXTRA = [("honour", None, None, "省级法")]
_SEED_000_COLUMN = ("村（社区）", "民主法治示范村（社区）创建面")
_SEED_000 = "000: each line of a narrow column becomes a paragraph; a title across columns is cut"

ALLOWED: dict[tuple[str, str], Allowed] = {
    ("wrap", "000"): Allowed(
        why=_SEED_000,
        lost=_SEED_000_LOST,
        extra=_SEED_000_EXTRA,
        # The list of measures (民营企 / 业30条措施、...) is cut at a column break: each
        # figure's subject then reads from the next item.
        subjects=[
            _SEED_000_COLUMN,
            ("深化政法机关服务保障民营企业", "措施、司法助力三大攻坚战"),
            ("司法助力三大攻坚战", "措施、检察职能服务保障"),
            ("措施、检察职能服务保障", "措施"),
            ("市法院", None),
        ],
    ),
    ("cms", "000"): Allowed(
        why=_SEED_000, lost=_SEED_000_LOST, extra=_SEED_000_EXTRA, subjects=[_SEED_000_COLUMN]
    ),
    ("pdf", "000"): Allowed(
        why=_SEED_000,
        lost=_SEED_000_LOST,
        extra=_SEED_000_EXTRA,
        subjects=[_SEED_000_COLUMN, ("诉前检察建议", "发出诉前检察建议")],
    ),
    ("pdf", "h10"): Allowed(
        why="h10: in the printed layout the list of totals (全省刑事发案、生产安全事故、信访总量) "
        "keeps its level word: the first item's subject reads 全省刑事发案总量",
        subjects=[("刑事发案总量", "全省刑事发案总量")],
    ),
    ("footnotes", "000"): Allowed(
        why="000: the marks lengthen lines of a narrow column: one of its line breaks reads otherwise",
        subjects=[_SEED_000_COLUMN],
    ),
    ("wrap", "002"): Allowed(
        why="002: a one-line headline (刑事警情降幅全市第一) that fills 93% of the wrap width, "
        "followed by a blank line, reads as a wrapped line: it is joined to the next paragraph",
        lost=[("ranking", 1, None, None)],
    ),
    ("wrap", "h17"): Allowed(
        why="h17: the headline fills the wrap width, so the source line under it is joined to it "
        "(the title then ends at 荣誉 of 荣誉称号)",
        lost=[("honour", None, None, "2017—2020年度平安中国建设示范市")],
        extra=[("honour", None, None, "2017—2020年度平安中国建设示范市荣誉")],
    ),
}


def compare(name: str, transform: str, clean: list[Record], got: list[Record]) -> list[str]:
    """What differs between the records of the clean and the transformed text, beyond what
    is allowed: records lost or gained, subjects changed."""
    allowed = ALLOWED.get((transform, name), Allowed(why=""))
    problems: list[str] = []
    lost = Counter(map(key, clean)) - Counter(map(key, got))
    extra = Counter(map(key, got)) - Counter(map(key, clean))
    for k in lost - Counter(allowed.lost):
        problems.append(f"{name} {transform}: lost {k}")
    for k in extra - Counter(allowed.extra):
        problems.append(f"{name} {transform}: new {k}")
    # Pair the records in text order (a lost record does not shift the others), then the
    # rest of each key in order (a paragraph that moved).
    a, b = [anchor(r) for r in clean], [anchor(r) for r in got]
    pairs: list[tuple[Record, Record]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for n in range(block.size):
            pairs.append((clean[block.a + n], got[block.b + n]))
            used_a.add(block.a + n)
            used_b.add(block.b + n)
    rest_b: dict[tuple, list[Record]] = {}
    for j, r in enumerate(got):
        if j not in used_b:
            rest_b.setdefault(anchor(r), []).append(r)
    for i, r in enumerate(clean):
        if i not in used_a and rest_b.get(anchor(r)):
            pairs.append((r, rest_b[anchor(r)].pop(0)))
    allowed_subjects = Counter(allowed.subjects)
    for r, s in pairs:
        if r.subject != s.subject:
            if allowed_subjects[(r.subject, s.subject)] > 0:
                allowed_subjects[(r.subject, s.subject)] -= 1
            else:
                problems.append(f"{name} {transform}: {r.text!r} subject {r.subject!r} -> {s.subject!r}")
    return problems


CLEAN: dict[str, list[Record]] = {}


def clean_records(name: str, text: str) -> list[Record]:
    if name not in CLEAN:
        CLEAN[name] = extract(text, doc=name)
    return CLEAN[name]


def test_every_report_gives_records():
    assert len(TEXTS) >= 7  # 5 seeds and the reports written here, at least
    for name, text in TEXTS:
        assert clean_records(name, text) or name.startswith("h"), name


TEXT_TRANSFORMS = {
    "pinyin": pinyin_glosses,
    "kangxi": kangxi,
    "replacement": replacement_chars,
    "footnotes": footnotes,
    "cr": cr_line_ends,
    "wrap": hard_wrap,
    "cms": lambda text: to_text(cms_page(text).encode("utf-8"), "html"),
    "saved": saved_page,
}


@pytest.mark.slow
@pytest.mark.parametrize("transform", list(TEXT_TRANSFORMS))
def test_transformed_reports_give_the_same_records(transform):
    fn = TEXT_TRANSFORMS[transform]
    problems: list[str] = []
    for name, text in TEXTS:
        changed = fn(text)
        assert changed != text or (transform == "cr" and "\n" not in text), (
            f"{transform} left {name} as it was"
        )
        problems += compare(name, transform, clean_records(name, text), extract(changed, doc=name))
    assert problems == []


def test_transforms_touch_what_they_claim():
    """The transforms do put their noise where the issue saw it."""
    glossed = pinyin_glosses("挽回损失6649万元，同比上升5.1%，连续三年保持全省第一。")
    assert "万(" in glossed and "上(" in glossed
    assert kangxi("同比下降一成") == "同⽐下降⼀成"
    assert cr_line_ends("a\nb\r\nc") == "a\rb\rc"
    wrapped = hard_wrap("甲" * 70 + "\n乙乙")
    assert wrapped == "甲" * 30 + "\n" + "甲" * 30 + "\n" + "甲" * 10 + "\n\n乙乙\n"
    page = cms_page("全县共调处纠纷86起。")
    assert "浏览次数" in page and "ICP" in page and "%E5" in page and "相关新闻" in page


def test_cr_line_ends_keep_every_line():
    """Old Mac line ends: the same records on the same lines."""
    for name, text in TEXTS:
        clean = clean_records(name, text)
        got = extract(cr_line_ends(text), doc=name)
        assert [(key(r), r.line) for r in got] == [(key(r), r.line) for r in clean], name


# --- printed to PDF by Chromium -------------------------------------------------------------


def require_cjk_font() -> None:
    """A CJK font for Chromium to print with; without one the test skips (fails where
    GOVEXTRACT_REQUIRE_TOOLS=1, as in CI, which installs it)."""
    fc_list = require_tool("fc-list", install="apt-get install fontconfig")
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    if not found.stdout.strip():
        missing("needs a CJK font, and fc-list :lang=zh finds none (apt-get install fonts-noto-cjk)")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    executable = require_chromium()
    require_cjk_font()
    pytest.importorskip("pdfminer", reason="reading PDF needs pdfminer.six (pip install '.[pdf]')")
    with chromium(executable, tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


@pytest.mark.slow
def test_reports_printed_to_pdf_give_the_same_records(browser, tmp_path):
    problems: list[str] = []
    radicals = 0
    for name, text in TEXTS:
        layer = to_text(print_pdf(browser, text, tmp_path), "pdf")
        radicals += sum(1 for c in layer if "\u2e80" <= c <= "\u2fdf")
        problems += compare(name, "pdf", clean_records(name, text), extract(layer, doc=name))
    # Chromium's CJK fonts do put radicals into the text layer (⼀ for 一): the test
    # exercises what it claims to.
    assert radicals > 0
    assert problems == []
