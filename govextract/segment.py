"""Word segmentation (jieba), kept off the hot path.

jieba's full dictionary takes ~0.7 s to load; a tokenizer over its words of
frequency >= 30 (66k words, ~0.08 s) segments the short windows we ask about just
as well. That dictionary is derived once from jieba's own and cached in the user's
cache directory. The place names of the gazetteer are added as user words, so that
segmentation keeps them whole (湖里 | 社区, not 湖 | 里社区).

Segmentation is only asked for where a regex cannot tell: whether a short place
name written without its suffix is a word of its own in context (湖里 in
打造湖里社区枫桥, but not 新市 in 浙里新市民).
"""

from __future__ import annotations

import marshal
import os
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import kept
from .kept import cache_dir as _cache_dir

_MIN_FREQ = 30
_TABLE = "jieba-table"  # the kept word table's kind (kept.py)
_WINDOW = 8


def _jieba() -> Any:
    """jieba, imported without ``pkg_resources``: jieba asks it for its data files when it is
    installed (0.15 s to import) and opens them by path when it is not; it is kept from
    finding it, unless it is loaded already."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import jieba
    finally:
        if hide:
            sys.modules.pop("pkg_resources", None)
    return jieba


def _small_dictionary() -> Path:
    """jieba's dictionary cut to frequent words, built once and cached."""
    jieba = _jieba()

    source = Path(jieba.__file__).parent / "dict.txt"
    name = f"jieba-{getattr(jieba, '__version__', 'x')}-min{_MIN_FREQ}.txt"
    for directory in (_cache_dir(), Path(tempfile.gettempdir()) / "govextract"):
        target = directory / name
        if target.is_file():
            return target
        try:
            directory.mkdir(parents=True, exist_ok=True)
            keep = []
            with source.open(encoding="utf-8") as fh:
                for line in fh:
                    parts = line.split(" ")
                    if len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) >= _MIN_FREQ:
                        keep.append(line if line.endswith("\n") else line + "\n")
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(keep)
            os.replace(tmp, target)
            return target
        except OSError:
            continue
    return source  # nowhere to write: the full dictionary (slower to load, same answers)


def tokenizer(words: Iterable[str] = ()) -> Any:
    """A jieba tokenizer over the frequent-word dictionary plus ``words`` (place names).

    Its word table (jieba's prefix dictionary with the words added) is kept in the cache
    directory, keyed by jieba's version, the dictionary and the words: read back whole,
    it spares jieba's own cache (read object by object, ~0.2 s) and the added words."""
    jieba = _jieba()
    jieba.setLogLevel(60)
    words = list(words)
    dictionary = _small_dictionary()
    tk = jieba.Tokenizer(dictionary=str(dictionary))
    key = _word_table_key(jieba, dictionary, words)
    payload = kept.read(_TABLE, key) if key is not None else None
    try:
        if payload is None:
            raise ValueError("no word table kept")
        tk.FREQ, tk.total = marshal.loads(payload)
        if not isinstance(tk.FREQ, dict) or not isinstance(tk.total, int):
            raise ValueError("not a word table")
        tk.user_word_tag_tab.update(dict.fromkeys(words, "ns"))
        tk.initialized = True
        return tk
    except (EOFError, ValueError, TypeError):
        tk.FREQ, tk.total = {}, 0
    cache = _cache_dir()
    if cache.is_dir():
        tk.tmp_dir = str(cache)
    tk.initialize()
    for w in words:
        tk.add_word(w, freq=2000, tag="ns")
    if key is not None:
        kept.write(_TABLE, key, marshal.dumps((tk.FREQ, tk.total)))
    return tk


def _word_table_key(jieba: Any, dictionary: Path, words: list[str]) -> str | None:
    """The dictionary enters by name and size: its name holds jieba's version and the
    frequency it was cut at (hashing its 0.9 MB would cost more than reading the table)."""
    try:
        size = dictionary.stat().st_size
    except OSError:
        return None
    return kept.digest(str(dictionary), str(size), getattr(jieba, "__version__", "x"), "\n".join(words))


def is_word(tk: Any, text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole word (token boundaries on both sides) in context."""
    lo = max(0, start - _WINDOW)
    hi = min(len(text), end + _WINDOW)
    return _is_word(tk, text[lo:hi], start - lo, end - lo)


@lru_cache(maxsize=8192)
def _is_word(tk: Any, window: str, start: int, end: int) -> bool:
    lo = pos = 0
    bounds = {lo}
    for token in tk.cut(window, HMM=False):
        pos += len(token)
        bounds.add(pos)
    return start in bounds and end in bounds
