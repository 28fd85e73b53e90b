"""The engine's bookkeeping (exclusion cover, overlap resolution) against the plain
per-character reading it replaces: the same answers on crafted and generated spans."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from govextract.engine import _GROUP, Candidate, TraceEvent, _Cover, _resolve_overlaps
from govextract.ruleset import RuleSet


@dataclass
class _Rule:
    id: str
    kind: str
    priority: int


def _cand(rule: _Rule, start: int, end: int, mstart: int | None = None, mend: int | None = None) -> Candidate:
    return Candidate(
        rule=rule,  # type: ignore[arg-type]
        start=start,
        end=end,
        mstart=start if mstart is None else mstart,
        mend=end if mend is None else mend,
        groups={},
    )


def _by_bytes(cands: list[Candidate], length: int) -> list[Candidate]:
    """The per-character reading: one mask of the whole text per group."""
    order = sorted(cands, key=lambda c: (-c.rule.priority, -(c.mend - c.mstart), c.mstart, c.rule.id))
    taken: dict[str, bytearray] = {}
    out = []
    for c in order:
        mask = taken.setdefault(_GROUP[c.rule.kind], bytearray(length))
        if mask.find(1, c.start, c.end) != -1:
            continue
        mask[c.start : c.end] = b"\x01" * (c.end - c.start)
        out.append(c)
    return out


def _covered(spans: list[tuple[int, int]], length: int) -> bytearray:
    mask = bytearray(length)
    for s, e in spans:
        mask[s:e] = b"\x01" * (e - s)
    return mask


def test_cover_crafted() -> None:
    cover = _Cover([(10, 20), (15, 25), (30, 31), (25, 27)])
    assert cover.starts == [10, 30] and cover.ends == [27, 31]
    assert cover.hits(0, 11) and cover.hits(26, 28) and cover.hits(30, 31)
    assert not cover.hits(0, 10) and not cover.hits(27, 30) and not cover.hits(31, 40)
    assert not cover.hits(12, 12)  # an empty span covers nothing
    assert not _Cover([]).hits(0, 100)


@pytest.mark.parametrize("seed", range(20))
def test_cover_agrees_with_a_mask(seed: int) -> None:
    rnd = random.Random(seed)
    length = 3000
    spans = []
    for _ in range(rnd.randrange(0, 60)):
        s = rnd.randrange(length)
        spans.append((s, min(length, s + rnd.randrange(1, 40))))
    cover, mask = _Cover(spans), _covered(spans, length)
    for _ in range(500):
        s = rnd.randrange(length)
        e = min(length, s + rnd.randrange(0, 50))
        assert cover.hits(s, e) == (mask.find(1, s, e) != -1), (s, e)


def test_overlaps_crafted() -> None:
    count = _Rule("count.a", "count", 0)
    money = _Rule("money.a", "money", 1)
    honour = _Rule("honour.a", "honour", 0)
    ranking = _Rule("ranking.a", "ranking", 0)
    a = _cand(count, 0, 5)
    b = _cand(money, 3, 8)  # higher priority: wins over a
    c = _cand(honour, 0, 20)  # another group: kept beside them
    d = _cand(ranking, 6, 9)
    e = _cand(count, 8, 12)  # touches b's end only
    f = _cand(count, 2000, 2100)  # across a bucket edge
    g = _cand(count, 2050, 2051)
    trace: list[TraceEvent] = []
    kept = _resolve_overlaps([a, b, c, d, e, f, g], "x" * 3000, trace)
    assert sorted(kept, key=lambda k: (k.start, k.end)) == [c, b, d, e, f]
    assert sorted(ev.outcome for ev in trace) == ["overlaps count.a", "overlaps money.a"]


@pytest.mark.parametrize("seed", range(20))
def test_overlaps_agree_with_masks(seed: int) -> None:
    rnd = random.Random(seed)
    rules = [
        _Rule(f"{k}.{i}", k, rnd.randrange(3))
        for k in ("count", "percent", "honour", "ranking")
        for i in range(3)
    ]
    length = 5000
    cands = []
    for _ in range(rnd.randrange(0, 200)):
        s = rnd.randrange(length)
        e = min(length, s + rnd.randrange(0, 3000 if rnd.random() < 0.05 else 30))
        ms = max(0, s - rnd.randrange(5))
        cands.append(_cand(rnd.choice(rules), s, e, ms, e + rnd.randrange(5)))
    assert _resolve_overlaps(cands, "x" * length, None) == _by_bytes(cands, length)


# -- lines set apart (normalize._set_apart) -----------------------------------------


def _set_apart_by_scan(text: str, rules: RuleSet) -> tuple[set[int], set[int]]:
    """The plain reading: every line cue scanned over the whole text."""
    from govextract.ruleset import LINE_CUES

    whole: set[int] = set()
    ends = rules.chars("SENTENCE_END") - {"\n"}
    for kind in LINE_CUES:
        for m in rules.cue(kind).finditer(text):
            ls = text.rfind("\n", 0, m.start()) + 1
            if not ends.intersection(text[ls : m.start()]):
                whole.add(ls)
    apart = set(whole)
    for m in rules.cue("lead").finditer(text):
        ls = text.rfind("\n", 0, m.start()) + 1
        if not text[ls : m.start()].strip():
            apart.add(ls)
    return apart, whole


def test_line_anchored_reads_top_level_branches() -> None:
    from govextract.ruleset import _line_anchored

    assert _line_anchored(r"^a|^(?:b|c)")
    assert _line_anchored(r"^[|]x|^\|y")
    assert not _line_anchored(r"^a|b")
    assert not _line_anchored(r"(?:^a)")  # not seen through a group: scanned, never missed
    assert not _line_anchored("")


def test_lines_set_apart_as_a_whole_scan_finds_them() -> None:
    """Line cues tried at line starts find the lines a scan of every character finds, on
    lines made of every line cue's examples, mid-line and after a sentence too."""
    from govextract.normalize import _set_apart
    from govextract.ruleset import LINE_CUES, load_rules

    rules = load_rules()
    pieces = [
        ex if isinstance(ex, str) else ex.text
        for c in rules.cues
        if c.kind in {*LINE_CUES, "lead"}
        for ex in (*c.spec.examples, *c.spec.negatives)
    ]
    assert len(pieces) > 20
    filler = ["全市共办理案件120件", "同比下降3%。", "  ", "\u3000\u3000", "，", "其中"]
    rng = random.Random(12)
    for _ in range(300):
        parts = rng.choices(pieces, k=4) + rng.choices(filler, k=3)
        rng.shuffle(parts)
        text = "".join(p + rng.choice(["\n", "", "", "\n\n"]) for p in parts)
        assert _set_apart(text, rules) == _set_apart_by_scan(text, rules), text


def test_exclusions_near_candidates_drop_what_a_whole_scan_drops(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exclusions run only within reach of the candidates they could drop; the records are
    those of every exclusion scanned over its whole gate."""
    from pathlib import Path

    from govextract import engine

    texts = [
        p.read_text(encoding="utf-8")
        for p in sorted(Path(__file__).parent.parent.joinpath("seeds").glob("*.txt"))
    ]
    texts.append("原文链接：http://www.example.gov.cn/s?q=%E5%B9%B3&page=2 共3条。全年下降5%，力争下降到3%。")
    extractor = engine.Extractor()
    near = [[r.model_dump() for r in extractor.run(t).records] for t in texts]
    monkeypatch.setattr(engine._Spans, "near", lambda self, gate, positions: self.of(gate))
    whole = [[r.model_dump() for r in extractor.run(t).records] for t in texts]
    assert near == whole
    assert sum(map(len, near)) > 150


def test_cue_in_line_is_a_search_of_the_line() -> None:
    """``CueSet.in_line`` (a match for the cues that open a line) finds what ``search`` finds,
    on lines made of every cue's examples and negatives, joined lines too."""
    from govextract.ruleset import load_rules

    rules = load_rules()
    kinds = sorted({c.kind for c in rules.cues})
    rng = random.Random(3)
    for kind in kinds:
        cues = rules.cue(kind)
        pieces = [
            ex if isinstance(ex, str) else ex.text
            for c in cues.cues
            for ex in (*c.spec.examples, *c.spec.negatives)
        ]
        for _ in range(40):
            line = (
                rng.choice(["", "  ", "据悉，"])
                + rng.choice(pieces)
                + rng.choice(["", "\n", "\n2023年5月6日"])
            )
            got, want = cues.in_line(line), cues.search(line)
            assert (got and (got.span(), got.groupdict())) == (want and (want.span(), want.groupdict())), (
                kind,
                line,
            )


def test_place_names_as_one_alternation_finds_them() -> None:
    """Short place names searched set by set (the broad set's pattern built once) are found
    as one alternation of all of them finds them: leftmost, then longest, never overlapping."""
    import re

    from govextract.gazetteer import _leftmost_longest

    alphabet = "三明门峡亚乌兰察布海淀"
    rng = random.Random(11)
    for _ in range(400):
        sets = [
            frozenset("".join(rng.choices(alphabet, k=rng.randint(1, 4))) for _ in range(rng.randint(1, 6)))
            for _ in range(rng.randint(1, 3))
        ]
        text = "".join(rng.choices(alphabet + "，的", k=40))
        words = sorted(set().union(*sets), key=lambda w: (-len(w), w))
        flat = re.compile("|".join(map(re.escape, words)))
        assert list(_leftmost_longest(text, sets)) == [m.span() for m in flat.finditer(text)], (sets, text)
