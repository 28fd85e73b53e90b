"""Resolve the text of a figure to its value: ``1.6万`` -> 16000, ``八千一百九十九万`` -> 81990000."""

from __future__ import annotations

import math
from functools import lru_cache

# Scale words applied to the value, longest first so 千万 wins over 千.
SCALES: dict[str, int] = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "千万": 10**7,
    "百万": 10**6,
    "亿": 10**8,
    "万": 10**4,
    "千": 10**3,
    "百": 10**2,
}
_CN_DIGITS = frozenset("零〇一二两三四五六七八九十百千万亿点壹贰叁肆伍陆柒捌玖拾佰仟廿卅")
_CAPITALS = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千")


@lru_cache(maxsize=1)
def _cn2an():
    import cn2an  # ~0.15 s to import: only loaded when a Chinese numeral needs it

    return cn2an


def _split_scale(text: str) -> tuple[str, int]:
    for word, factor in SCALES.items():
        if text.endswith(word) and len(text) > len(word):
            head = text[: -len(word)]
            if head[-1].isdigit() or head[-1] == ".":
                return head, factor
    return text, 1


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """The value of a figure as written, or None when it is not a number.

    Handles Arabic integers and decimals with thousands separators, an Arabic
    figure followed by scale words (``13.2亿``, ``3.5万亿``), and Chinese numerals
    in either script (``一百零八亿``, ``三十六点九``, ``两千``)."""
    t = text.strip().replace(",", "").replace(" ", "").replace("\n", "")
    if not t:
        return None
    head, factor = _split_scale(t)
    if head and all(c.isdigit() or c == "." for c in head):
        try:
            value = float(head) * factor
        except ValueError:
            return None
        return value if math.isfinite(value) else None
    if all(c in _CN_DIGITS for c in t):
        return _parse_chinese(t.translate(_CAPITALS))
    return None


def _parse_chinese(t: str) -> float | None:
    t = t.replace("〇", "零").replace("廿", "二十").replace("卅", "三十")
    if t in ("万", "亿", "千", "百", "点") or t.startswith("点") or t.endswith("点"):
        return None
    if all(c in "零一二三四五六七八九" for c in t) and len(t) > 1:
        # Digit by digit (一九五四) is how years and codes are written, not amounts.
        return float("".join(str("零一二三四五六七八九".index(c)) for c in t))
    try:
        value = _cn2an().cn2an(t, "normal")
    except (ValueError, KeyError, IndexError):
        try:
            value = _cn2an().cn2an(t, "smart")
        except (ValueError, KeyError, IndexError):
            return None
    value = float(value)
    return value if math.isfinite(value) else None
