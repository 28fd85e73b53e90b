"""Segmentation (jieba) as the gazetteer asks for it: the kept word table gives the
segmentation jieba's own initialisation gives, and a damaged table is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from govextract import segment

WORDS = ["湖里", "三明", "海淀", "洛南"]
TEXTS = ["打造湖里社区枫桥经验", "浙里新市民之家", "海淀警方去年拦截诈骗电话", "洛南法院受理案件120件"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVEXTRACT_CACHE", str(tmp_path))
    return tmp_path


def _cuts(tk: object) -> list[list[str]]:
    return [list(tk.cut(t, HMM=False)) for t in TEXTS]  # type: ignore[attr-defined]


def test_kept_table_segments_as_jieba_does(cache: Path) -> None:
    jieba = segment._jieba()
    plain = jieba.Tokenizer(dictionary=str(segment._small_dictionary()))
    plain.tmp_dir = str(cache)
    plain.initialize()
    for w in WORDS:
        plain.add_word(w, freq=2000, tag="ns")
    built = segment.tokenizer(WORDS)  # derives the table and keeps it
    tables = list(cache.glob("jieba-table-*"))
    assert len(tables) == 1
    kept = segment.tokenizer(WORDS)  # reads it back
    assert _cuts(built) == _cuts(kept) == _cuts(plain)
    assert kept.FREQ == plain.FREQ and kept.total == plain.total
    assert _cuts(kept)[0][1:3] == ["湖里", "社区"]


def test_damaged_table_is_rebuilt(cache: Path) -> None:
    segment.tokenizer(WORDS)
    (table,) = cache.glob("jieba-table-*")
    table.write_bytes(b"\x00garbage")
    tk = segment.tokenizer(WORDS)
    assert _cuts(tk)[0][1:3] == ["湖里", "社区"]
    assert table.read_bytes() != b"\x00garbage"  # kept again


def test_other_words_other_table(cache: Path) -> None:
    segment.tokenizer(WORDS)
    segment.tokenizer([*WORDS, "新市"])
    assert len(list(cache.glob("jieba-table-*"))) == 2
