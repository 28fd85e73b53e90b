"""Resolve the text of a figure to its exact value: ``1.6万`` -> 16000, ``十二点五万`` -> 125000.

The grammar's tables (digits, place and scale words, signs, ...) live in
``rules/numerals.toml``, where the rules' fragments are built from them too. The
resolver reads a span whole, in exact decimal arithmetic, or refuses it with a
``NumeralError`` that says why: it never returns the value of a part of the span.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

# Enough digits for any figure the rules match (15 integer digits, a 10^16 scale and
# 10 decimals), so that no arithmetic here ever rounds.
_CONTEXT = decimal.Context(prec=80, traps=[decimal.InvalidOperation, decimal.DivisionByZero])
_ASCII_DIGITS = frozenset("0123456789")
# Full-width digits and point, for text that did not go through normalization.
_FOLD = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_SPACES = frozenset(" \t\n\r\u3000\u00a0")


class NumeralError(ValueError):
    """A span that cannot be read whole as a number; the message says why."""


@dataclass(frozen=True, slots=True)
class Numeral:
    value: Decimal
    approx: bool = False


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # digit, num (Arabic), place, myriad, point, approx, zero
    value: Decimal = Decimal(0)
    text: str = ""
    vague: bool = False


@dataclass(frozen=True)
class Grammar:
    """The value tables of the numeral grammar (``[lexicon.numeral_*]`` in the rules)."""

    digits: Mapping[str, int]
    places: Mapping[str, int]
    tens: Mapping[str, int]
    myriads: Mapping[str, int]
    signs: Mapping[str, int]
    points: frozenset[str]
    vague: frozenset[str]
    approx: frozenset[str]
    _cache: dict[tuple[str, bool], Numeral | str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_lexicons(cls, lex: Mapping[str, Any]) -> Grammar:
        """Build the grammar from the rules' lexicons; raises ``ValueError`` naming the
        table and entry that is wrong."""

        def table(name: str, ok: Any, what: str) -> dict[str, int]:
            raw = lex.get(name)
            if not isinstance(raw, Mapping) or not raw:
                raise ValueError(f"[lexicon.{name}] is missing or not a table")
            for k, v in raw.items():
                if len(k) != 1:
                    raise ValueError(f"[lexicon.{name}]: {k!r} is not one character")
                if not isinstance(v, int) or isinstance(v, bool) or not ok(v):
                    raise ValueError(f"[lexicon.{name}]: {k!r} = {v!r} is not {what}")
            return dict(raw)

        def chars(name: str) -> frozenset[str]:
            raw = lex.get(name)
            if not isinstance(raw, list) or not all(isinstance(w, str) and len(w) == 1 for w in raw):
                raise ValueError(f"lexicon {name!r} must be a list of single characters")
            return frozenset(raw)

        def power(v: int) -> bool:
            return v >= 10 and str(v).rstrip("0") == "1"

        return cls(
            digits=table("numeral_digit", lambda v: 0 <= v <= 9, "a digit 0..9"),
            places=table("numeral_place", lambda v: v in (10, 100, 1000), "10, 100 or 1000"),
            tens=table("numeral_tens", lambda v: v % 10 == 0 and 10 <= v <= 90, "a multiple of ten"),
            myriads=table("numeral_myriad", lambda v: power(v) and v >= 10000, "a power of ten >= 10000"),
            signs=table("numeral_sign", lambda v: v in (1, -1), "1 or -1"),
            points=chars("numeral_point"),
            vague=chars("numeral_vague"),
            approx=chars("numeral_approx"),
        )

    # -- public ---------------------------------------------------------------------
    def read(self, text: str, *, digit_strings: bool = False) -> Numeral:
        """The value of ``text`` read whole, or ``NumeralError`` with the reason.

        ``digit_strings`` reads a run of bare digits (一九五四, 二〇二二) digit by digit,
        as years and codes are written; as an amount such a run is refused (两三件 is
        "two or three", not 23)."""
        key = (text, digit_strings)
        got = self._cache.get(key)
        if got is None:
            try:
                got = self._read(text, digit_strings)
            except NumeralError as exc:
                got = str(exc)
            if len(self._cache) < 65536:
                self._cache[key] = got
        if isinstance(got, str):
            raise NumeralError(got)
        return got

    def scale(self, text: str) -> Decimal:
        """The factor of scale words written after a figure (万, 千万, 万亿)."""
        factor = Decimal(1)
        if not text:
            raise NumeralError("no scale word")
        for c in text:
            v = self.places.get(c) or self.myriads.get(c)
            if v is None:
                raise NumeralError(f"{c!r} in {text!r} is not a scale word")
            factor *= v
        return factor

    # -- reading --------------------------------------------------------------------
    def _read(self, text: str, digit_strings: bool) -> Numeral:
        t = "".join(c for c in text.translate(_FOLD) if c not in _SPACES)
        if not t:
            raise NumeralError("empty figure")
        sign = 1
        if t[0] in self.signs and len(t) > 1:
            sign, t = self.signs[t[0]], t[1:]
        toks = self._tokens(t, text)
        approx = any(tk.vague or tk.kind == "approx" for tk in toks)
        # The decimal part: a point, its digits, then scale words (十二点五万).
        frac = Decimal(0)
        tail = Decimal(1)
        points = [i for i, tk in enumerate(toks) if tk.kind == "point"]
        if len(points) > 1:
            raise NumeralError(f"{text!r} has more than one decimal point")
        if points:
            i = points[0]
            head, rest = toks[:i], toks[i + 1 :]
            j = 0
            digits = ""
            while j < len(rest) and rest[j].kind in ("digit", "zero", "num") and not rest[j].vague:
                tk = rest[j]
                if tk.kind == "num":
                    if not tk.text.isdigit():
                        raise NumeralError(f"{text!r}: {tk.text!r} after the point is not a run of digits")
                    digits += tk.text
                else:
                    digits += str(int(tk.value))
                j += 1
            if not digits:
                raise NumeralError(f"{text!r}: no digits after the decimal point")
            frac = Decimal("0." + digits)
            tail = self._tail(rest[j:], text)
            if not head:
                raise NumeralError(f"{text!r}: no whole part before the decimal point")
            toks = head
        else:
            toks = self._drop_approx(toks, text)
        if toks and toks[0].vague:
            raise NumeralError(f"{text!r} is a vague amount (几 in its leading place)")
        if tail != 1 and points and any(tk.kind == "myriad" for tk in toks):
            raise NumeralError(f"{text!r}: scale words on both sides of the decimal point")
        if digit_strings and len(toks) > 1 and all(tk.kind in ("digit", "zero") for tk in toks):
            whole = Decimal("".join(str(int(tk.value)) for tk in toks))
        else:
            whole = self._whole(toks, text)
        with decimal.localcontext(_CONTEXT):
            value = (whole + frac) * tail * sign
        return Numeral(value=value, approx=approx)

    def _tokens(self, t: str, text: str) -> list[_Tok]:
        out: list[_Tok] = []
        i, n = 0, len(t)
        while i < n:
            c = t[i]
            if c in _ASCII_DIGITS or (c == "." and i + 1 < n and t[i + 1] in _ASCII_DIGITS):
                j = i
                while j < n and (t[j] in _ASCII_DIGITS or t[j] == ","):
                    j += 1
                if j < n and t[j] == "." and j + 1 < n and t[j + 1] in _ASCII_DIGITS:
                    j += 1
                    while j < n and t[j] in _ASCII_DIGITS:
                        j += 1
                raw = t[i:j]
                if "," in raw and not _grouped(raw):
                    raise NumeralError(f"{text!r}: {raw!r} is not a number with thousands separators")
                num = raw.replace(",", "")
                out.append(_Tok("num", Decimal(num), num))
                i = j
                continue
            if c in self.digits:
                v = self.digits[c]
                out.append(_Tok("zero" if v == 0 else "digit", Decimal(v), c))
            elif c in self.tens:
                out.append(_Tok("digit", Decimal(self.tens[c] // 10), c))
                out.append(_Tok("place", Decimal(10), c))
            elif c in self.places:
                out.append(_Tok("place", Decimal(self.places[c]), c))
            elif c in self.myriads:
                out.append(_Tok("myriad", Decimal(self.myriads[c]), c))
            elif c in self.points:
                out.append(_Tok("point", text=c))
            elif c in self.vague:
                out.append(_Tok("digit", Decimal(0), c, vague=True))
            elif c in self.approx:
                out.append(_Tok("approx", text=c))
            else:
                raise NumeralError(f"{text!r}: {c!r} is not part of a number")
            i += 1
        return out

    def _tail(self, toks: list[_Tok], text: str) -> Decimal:
        factor = Decimal(1)
        for tk in toks:
            if tk.kind not in ("place", "myriad"):
                raise NumeralError(f"{text!r}: {tk.text!r} after the decimal part is not a scale word")
            factor *= tk.value
        return factor

    def _drop_approx(self, toks: list[_Tok], text: str) -> list[_Tok]:
        """An approximation word inside the figure (十余万, 300多万, 二十五亿七千多万)
        stands for the places it leaves open: the figure is read without it. It must
        follow a digit or a place word and be followed by scale words only."""
        for i, tk in enumerate(toks):
            if tk.kind != "approx":
                continue
            rest = toks[i + 1 :]
            prev = toks[i - 1] if i else None
            # 4万多亿: between the two words of 万亿, read as 4万亿 (not after 亿 in 10亿余万).
            stacked = prev is not None and prev.kind == "myriad" and rest and rest[0].kind == "myriad"
            if prev is None or not (
                prev.kind in ("digit", "num", "place") or (stacked and rest[0].value > prev.value)
            ):
                raise NumeralError(f"{text!r}: {tk.text!r} does not follow a digit or a place word")
            if any(t.kind not in ("place", "myriad") for t in rest):
                raise NumeralError(f"{text!r}: only scale words may follow {tk.text!r}")
            return toks[:i] + rest
        return toks

    def _whole(self, toks: list[_Tok], text: str) -> Decimal:
        if not toks:
            raise NumeralError(f"{text!r}: no figure")
        # Stacked scale words multiply (万万 = 亿, 万亿 = 10^12): fold each run into one.
        groups: list[_Tok] = []
        for tk in toks:
            if tk.kind == "myriad" and groups and groups[-1].kind == "myriad":
                groups[-1] = _Tok("myriad", groups[-1].value * tk.value, groups[-1].text + tk.text)
            else:
                groups.append(tk)
        with decimal.localcontext(_CONTEXT):
            return self._int(groups, text)

    def _int(self, toks: list[_Tok], text: str) -> Decimal:
        """The value of an integer part: split at its largest scale word, the part before
        it times the scale plus the part after it (below the scale)."""
        myriads = [tk for tk in toks if tk.kind == "myriad"]
        if myriads:
            top = max(tk.value for tk in myriads)
            i = next(k for k, tk in enumerate(toks) if tk.kind == "myriad" and tk.value == top)
            left, right = toks[:i], toks[i + 1 :]
            if not left:
                if not right:
                    raise NumeralError(f"{text!r}: a scale word alone is no number")
                if right[0].kind != "digit" or right[0].vague:
                    raise NumeralError(f"{text!r}: {toks[i].text!r} needs a figure before it")
                lv = Decimal(1)  # 万九: 1万9千
            else:
                lv = self._int(left, text)
                if lv == 0 and all(tk.kind == "zero" for tk in left):
                    raise NumeralError(f"{text!r}: nothing before {toks[i].text!r}")
            rv = Decimal(0)
            if right:
                if right[0].kind == "zero":
                    rest = right[1:]
                    while rest and rest[0].kind == "zero":
                        rest = rest[1:]
                    if not rest:
                        raise NumeralError(f"{text!r}: 零 at the end")
                    rv = self._int(rest, text)
                elif len(right) == 1 and right[0].kind in ("digit", "num") and _one_digit(right[0]):
                    rv = right[0].value * top / 10  # 一万三 = 13000, 九十二万四 = 924000
                else:
                    rv = self._int(right, text)
                if rv >= top:
                    raise NumeralError(f"{text!r}: {rv} after {toks[i].text!r} is not below it")
            return lv * top + rv
        return self._section(toks, text)

    def _section(self, toks: list[_Tok], text: str) -> Decimal:
        """A group below 万: digits and place words (三千零五十, 两千四百五, 4千6百)."""
        val = Decimal(0)
        pending: _Tok | None = None
        last: Decimal | None = None
        zero = False
        if all(tk.kind in ("digit", "zero") for tk in toks) and len(toks) > 1:
            raise NumeralError(f"{text!r}: digits without place words (a code, a year or a range)")
        for tk in toks:
            if tk.kind in ("digit", "num"):
                if pending is not None:
                    raise NumeralError(f"{text!r}: two figures in a row ({pending.text}{tk.text})")
                if tk.kind == "num" and last is not None and not zero and tk.value >= last:
                    raise NumeralError(f"{text!r}: {tk.text} after a place word is too large")
                pending = tk
            elif tk.kind == "zero":
                if pending is not None:
                    raise NumeralError(f"{text!r}: 零 after a digit")
                zero = True
            elif tk.kind == "place":
                if last is not None and tk.value >= last:
                    raise NumeralError(f"{text!r}: place words out of order")
                if pending is None:
                    d = Decimal(1)  # 十二, 百二, 一百零十
                else:
                    d = pending.value
                    if pending.kind == "digit" and pending.vague and last is None:
                        raise NumeralError(f"{text!r} is a vague amount")
                val += d * tk.value
                last, pending, zero = tk.value, None, False
            else:
                raise NumeralError(f"{text!r}: {tk.text!r} is misplaced")
        if pending is not None:
            if last is None or zero or last == 10 or (pending.kind == "num" and not _one_digit(pending)):
                if pending.kind == "num" and last is not None and not zero and pending.value >= last:
                    raise NumeralError(f"{text!r}: {pending.text} after a place word is too large")
                val += pending.value
            else:
                val += pending.value * last / 10  # 两千四百五 = 2450, 千一 = 1100
        elif zero and last is not None:
            raise NumeralError(f"{text!r}: 零 at the end")
        return val


def _one_digit(tk: _Tok) -> bool:
    return tk.kind == "digit" or (tk.kind == "num" and len(tk.text) == 1)


def _grouped(raw: str) -> bool:
    head, *groups = raw.split(".")[0].split(",")
    return 1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)


# -- the built-in grammar ------------------------------------------------------------


def _numerals_file() -> Path:
    from .ruleset import builtin_rules_dir

    return builtin_rules_dir() / "numerals.toml"


@lru_cache(maxsize=1)
def default_grammar() -> Grammar:
    """The grammar of the built-in rules (``rules/numerals.toml``), read once."""
    import tomllib

    data = tomllib.loads(_numerals_file().read_text(encoding="utf-8"))
    return Grammar.from_lexicons(data.get("lexicon") or {})


def read_number(text: str, grammar: Grammar | None = None) -> Numeral:
    """The exact value of a figure read whole (an amount: bare digit runs are refused),
    or ``NumeralError`` naming what cannot be read."""
    g = grammar or default_grammar()
    try:
        return g.read(text)
    except NumeralError:
        fallback = _cn2an_strict(text)
        if fallback is None:
            raise
        return Numeral(fallback)


def parse_number(text: str) -> Decimal | None:
    """The exact value of a figure, or None. Bare digit runs are read digit by digit
    (二〇二二 -> 2022), as years and codes are written."""
    try:
        return default_grammar().read(text, digit_strings=True).value
    except NumeralError:
        return _cn2an_strict(text)


@lru_cache(maxsize=1)
def _cn2an():
    import cn2an  # ~0.15 s to import: only loaded when the grammar cannot read a span

    return cn2an


def _not_standard(t: str, g: Grammar) -> bool:
    """Whether ``t`` cannot be a standard numeral, so that cn2an's strict mode (and its
    import, ~0.3 s) is spared: a character outside the grammar's numeral tables, or two
    digits side by side before any point (一两, 三五; 一百零五 and 一点五五 are standard)."""
    known = g.digits.keys() | g.places.keys() | g.tens.keys() | g.myriads.keys() | g.signs.keys() | g.points
    if any(c not in known for c in t):
        return True
    whole = t
    for p in g.points:
        whole = whole.split(p, 1)[0]
    return any(a in g.digits and b in g.digits and g.digits[a] != 0 for a, b in pairwise(whole))


@lru_cache(maxsize=4096)
def _cn2an_strict(text: str) -> Decimal | None:
    """cn2an's strict reading, for a standard numeral the grammar does not read (its
    lenient modes read 三五 as 35, so they are never used)."""
    t = text.strip()
    if not t or t.isascii() or _not_standard(t, default_grammar()):
        return None
    try:
        v = _cn2an().cn2an(t, "strict")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return Decimal(str(v))


def exact(value: Decimal | int | float) -> int | Decimal:
    """The shortest exact form of a value: an int when integral, else a normalized
    Decimal (72816600.0 -> 72816600, 94.60 -> 94.6)."""
    if isinstance(value, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(value, int):
        return value
    d = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not d.is_finite():
        raise ValueError("value must be finite")
    with decimal.localcontext(_CONTEXT):
        if d == d.to_integral_value():
            return int(d)
        return d.normalize()
