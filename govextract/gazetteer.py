"""Administrative divisions and where a text names them.

The gazetteer is data in ``rules/gazetteer/``: today's divisions (``divisions.tsv``,
GB/T 2260), divisions renamed, merged or abolished since 1990 (``historical.tsv``,
optional), stop lists of short names that are common words, and the suffixes of the
short forms that name an autonomous division in full (楚雄州 for 楚雄彝族自治州). Besides
those, a place may be a unit named after a division with a suffix of its own (汪清林区,
甘肃矿区, 某某经济技术开发区): it is kept as written, inside the division it is named after.
A county's short name is a place where an organ named after it follows (洛南法院, 海淀分局),
and a unit's suffix alone before an organ (矿区法院) is the unit the text names.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import kept

if TYPE_CHECKING:
    from .ruleset import CueSet, RuleSet

_LEVEL = {"province": 1, "prefecture": 2, "county": 3}
# The layout of the kept tables (kept.py): a change of Place or of _state changes it.
_FORMAT = "gazetteer-1"
_MARSHAL_VERSION = 4
# Units named after a division (汪清林区, 苏州工业园区): not in GB/T 2260, kept as written.
_UNIT_SUFFIXES = (
    "经济技术开发区",
    "高新技术产业开发区",
    "经济开发区",
    "高新技术开发区",
    "工业园区",
    "开发区",
    "高新区",
    "经开区",
    "管理区",
    "林区",
    "矿区",
    "新区",
    "垦区",
    "农场",
)


# How far around an organ the places named tell which province it is in (a paragraph or two).
_ORGAN_REACH = 300


@dataclass(frozen=True, slots=True)
class Place:
    name: str  # the official full name (or the name as written, for other units)
    short: str
    level: int  # 1 province, 2 prefecture, 3 county, 4 a unit below or beside a county
    province: str
    prefecture: str
    parent: str = ""  # for a level-4 unit: the division it is named after

    def contains(self, other: Place) -> bool:
        """Whether ``other`` lies inside this place (and is not it)."""
        if other.name == self.name:
            return False
        return (
            (self.level == 1 and other.province == self.name)
            or (self.level == 2 and other.prefecture == self.name)
            or (other.parent == self.name)
        )

    def related(self, other: Place) -> bool:
        return self == other or self.contains(other) or other.contains(self)

    def kin(self, other: Place) -> bool:
        """Related, or districts of one city (思明区 and 湖里区): one report may speak of both."""
        if self.related(other):
            return True
        if self.level >= 3 and other.level >= 3:
            mine = self.prefecture or self.province
            return bool(mine) and mine == (other.prefecture or other.province)
        return False

    def ancestors(self, gazetteer: Gazetteer) -> list[Place]:
        """The divisions this place lies in, nearest first."""
        out: list[Place] = []
        for name in (self.parent, self.prefecture, self.province):
            if name and name != self.name:
                for p in gazetteer.full.get(name, ()):
                    if p.level < self.level or self.level == 4:
                        out.append(p)
                        break
        return out

    def suffix(self) -> str:
        """The character that says its level (市, 县, 区, 省, 州...): what 我市 or 全县 refer to."""
        return self.name[-1]


class Gazetteer:
    """Administrative divisions and a matcher for their names.

    Full names (漳州市, 思明区) are found from their last character (市, 区, 县...), a
    cheap scan; short names (漳州, 湖里) only for the places a document names in full
    (and their provinces and prefectures) plus the provinces and prefectures, and only
    where jieba, with the gazetteer as its user dictionary, segments them as words of
    their own.
    """

    def __init__(
        self,
        path: Path,
        stop: frozenset[str],
        stop_full: frozenset[str] = frozenset(),
        historical: Path | None = None,
        aliases: tuple[tuple[str, str], ...] = (),
    ):
        self.stop_full = stop_full
        self.full: dict[str, list[Place]] = {}
        self.short: dict[str, list[Place]] = {}
        self.successor: dict[str, str] = {}
        self._old: set[str] = set()  # names from historical.tsv
        self.alias: set[str] = set()  # short forms that name a division in full (楚雄州)
        if historical is not None and not historical.is_file():
            historical = None
        key = _key(path, stop, historical, aliases)
        if key is None or not self._restore(kept.read("gazetteer", key)):
            self.full, self.short, self.successor, self._old, self.alias = {}, {}, {}, set(), set()
            self._load(path, stop)
            if historical is not None:
                self._load(historical, stop, historical=True)
            self._alias(dict(aliases), stop)
            if key is not None:
                kept.write("gazetteer", key, self._state())
        self._ends = re.compile("[" + "".join(sorted({n[-1] for n in self.full})) + "]")
        self._longest = max(len(n) for n in self.full)
        self._end2 = frozenset(n[-2:] for n in self.full)
        self._broad = frozenset(
            p.short for ps in self.full.values() for p in ps if p.level <= 2 and p.short in self.short
        )
        self._units = re.compile("|".join(re.escape(s) for s in _UNIT_SUFFIXES))
        self._tokenizer: object | None = None

    def _load(self, path: Path, stop: frozenset[str], historical: bool = False) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("\t") if lines else []
        col = {name: i for i, name in enumerate(header)}
        for line in lines[1:]:
            cols = line.split("\t")
            if len(cols) < 6:
                continue
            name, short, level = (
                cols[col.get("name", 1)],
                cols[col.get("short", 2)],
                cols[col.get("level", 3)],
            )
            province, prefecture = cols[col.get("province", 4)], cols[col.get("prefecture", 5)]
            place = Place(name, short, _LEVEL.get(level, 3), province, prefecture)
            if historical:
                if any(p.province == province for p in self.full.get(name, ())):
                    continue  # the name is in use there today
                successor = (
                    cols[col["successor"]] if "successor" in col and col["successor"] < len(cols) else ""
                )
                if successor:
                    self.successor[name] = successor
                self._old.add(name)
            self.full.setdefault(name, []).append(place)
            # An old name's short form that is today's short form (昌平县, 昌平区) means today's.
            if (
                len(short) >= 2
                and short != name
                and short not in stop
                and not (historical and short in self.short)
            ):
                self.short.setdefault(short, []).append(place)

    def _alias(self, suffixes: dict[str, str], stop: frozenset[str]) -> None:
        """Short forms that name an autonomous division in full: its short name and the last
        character of its level (楚雄州, 长阳县), unless a division bears that name."""
        provinces = {p.short for ps in self.full.values() for p in ps if p.level == 1}
        for ps in list(self.full.values()):
            for p in ps:
                # 河南县 for 河南蒙古族自治县 would read 河南县级... as a county
                if p.name in self._old or len(p.short) < 2 or p.short in provinces:
                    continue
                for long, tail in suffixes.items():
                    alias = p.short + tail
                    if p.name.endswith(long) and alias not in self.full and alias not in stop:
                        self.full[alias] = [p]
                        self.alias.add(alias)

    def _state(self) -> bytes:
        """The tables read from the files, as plain data (each place once, by its index)."""
        index: dict[int, int] = {}
        places: list[tuple[str, str, int, str, str]] = []
        # Each distinct string once: marshal then writes a reference for every repeat
        # (a province's name recurs thousands of times), which reads back faster.
        same: dict[str, str] = {}

        def ids(ps: list[Place]) -> list[int]:
            out = []
            for p in ps:
                if id(p) not in index:
                    index[id(p)] = len(places)
                    fields = (p.name, p.short, p.level, p.province, p.prefecture)
                    places.append(tuple(same.setdefault(f, f) if isinstance(f, str) else f for f in fields))
                out.append(index[id(p)])
            return out

        full = [(same.setdefault(name, name), ids(ps)) for name, ps in self.full.items()]
        short = [(same.setdefault(name, name), ids(ps)) for name, ps in self.short.items()]
        successor = {same.setdefault(k, k): same.setdefault(v, v) for k, v in self.successor.items()}
        old = [same.setdefault(n, n) for n in sorted(self._old)]
        alias = [same.setdefault(n, n) for n in sorted(self.alias)]
        return marshal.dumps((places, full, short, successor, old, alias), _MARSHAL_VERSION)

    def _restore(self, blob: bytes | None) -> bool:
        """The tables from what ``_state`` kept; False (nothing set) if it cannot be read."""
        if blob is None:
            return False
        try:
            places, full, short, successor, old, alias = marshal.loads(blob)
            made = [Place(*p) for p in places]
            self.full = {name: [made[i] for i in ids] for name, ids in full}
            self.short = {name: [made[i] for i in ids] for name, ids in short}
            self.successor, self._old, self.alias = dict(successor), set(old), set(alias)
        except (EOFError, ValueError, TypeError, IndexError):
            return False
        return True

    def is_word(self, text: str, start: int, end: int) -> bool:
        """Whether a short name (三明, 湖里) stands as a word of its own there: jieba, with the
        gazetteer loaded as a user dictionary, segments its surroundings (新市 in 新市民 does not)."""
        if self._tokenizer is None:
            from .segment import tokenizer

            # Old names stay out of segmentation (增城市 would win over 新增/城市).
            current = [n for n, ps in self.full.items() if any(p.name not in self._old for p in ps)]
            self._tokenizer = tokenizer(sorted(current) + sorted(self.short))
        from .segment import is_word

        return is_word(self._tokenizer, text, start, end)

    def mentions(self, text: str, organs: CueSet | None = None) -> list[tuple[int, int, list[Place]]]:
        """Every place name in ``text``: (start, end, the places it may be). ``organs`` finds
        the organs named after a place (法院, 公安分局): a county's short name before one is a
        place even where the text never names it in full (洛南法院, 海淀警方)."""
        found: dict[int, tuple[int, list[Place]]] = {}
        end2 = self._end2
        for m in self._ends.finditer(text):
            j = m.end()
            if text[j - 2 : j] not in end2:
                continue  # 全市, 市委...: no division name ends so
            for k in range(min(self._longest, j), 1, -1):
                name = text[j - k : j]
                places = self.full.get(name)
                if places is None or name in self.stop_full:
                    continue
                s = j - k
                # Glued to the word before it, a name may be the tail of another word (滨海城市
                # holds 海城市, 示范县 holds 范县): segmentation decides.
                if (
                    s > 0
                    and _is_han(text[s - 1])
                    and text[s - 1] not in "省市州盟区"
                    and (k == 2 or not self.is_word(text, s, j))
                ):
                    continue
                found[s] = (j, places)
                break
        shorts: set[str] = set(self._broad)
        for _, places in found.values():
            for p in places:
                shorts.add(p.short)
                for parent in (p.province, p.prefecture):
                    for q in self.full.get(parent, ()):
                        shorts.add(q.short)
        shorts &= set(self.short)
        covered = bytearray(len(text) + 1)
        for s, (e, _) in found.items():
            covered[s:e] = b"\x01" * (e - s)
        if shorts:
            extra = frozenset(shorts - self._broad)
            for s, e in _leftmost_longest(text, [w for w in (self._broad, extra) if w]):
                if covered[s]:
                    continue
                # A unit named after the division (汪清林区) holds the short name as its head.
                unit = self._units.match(text, e)
                if unit is None and not self.is_word(text, s, e):
                    continue
                found[s] = (e, self.short[text[s:e]])
        organ_at = [m.start() for m in organs.finditer(text)] if organs is not None else []
        # The provinces of the places named around an organ: its short name from elsewhere
        # (东城分局 of a town in a 东莞市 report) is not that county.
        named_at = sorted(
            (s, ps[0].province) for s, (e, ps) in found.items() if len({p.province for p in ps}) == 1
        )
        # Far from any place named, the provinces of the whole text (城东分局 in a long 南京市
        # report is no 城东区 of 西宁).
        everywhere = {pr for _, pr in named_at}
        for o in organ_at:
            provinces = {pr for s, pr in named_at if abs(s - o) <= _ORGAN_REACH} or everywhere
            for k in range(min(4, o), 1, -1):
                s = o - k
                head = text[s:o]
                if covered[s] or covered[o - 1] or head not in self.short:
                    continue
                if provinces and not any(p.province in provinces for p in self.short[head]):
                    continue
                # 公安局海淀分局: jieba tells a short name from the tail of the word before it.
                if s > 0 and _is_han(text[s - 1]) and not self.is_word(text, s, o):
                    continue
                found[s] = (o, self.short[head])
                covered[s:o] = b"\x01" * k
                break
        # Units named after any division (汪清林区 where 汪清县 is never named in full).
        ends = {e for e, _ in found.values()}
        for m in self._units.finditer(text):
            us = m.start()
            if us in ends:
                continue  # named after a place already found
            for k in range(min(6, us), 1, -1):
                head = text[us - k : us]
                places = self.full.get(head) or self.short.get(head)
                if places and us - k not in found:
                    found[us - k] = (us, places)
                    break
        # A unit's suffix alone before an organ (矿区法院) is the one unit of that suffix named.
        named: dict[str, set[str]] = {}
        for s, (e, _) in found.items():
            unit = self._units.match(text, e)
            if unit is not None:
                named.setdefault(unit.group(), set()).add(text[s : unit.end()])
        bare: list[tuple[int, int, Place]] = []
        for o in organ_at:
            for suffix, units in named.items():
                s = o - len(suffix)
                if len(units) == 1 and s >= 0 and text.startswith(suffix, s) and not covered[s]:
                    if s > 0 and _is_han(text[s - 1]) and text[s - 1] not in "省市县区州":
                        continue  # the tail of a longer name
                    name = next(iter(units))
                    base = next(ps for q, (_, ps) in found.items() if text.startswith(name, q))[0]
                    bare.append((s, o, Place(name, name, 4, base.province, base.prefecture, base.name)))
        out = []
        for s, (e, places) in sorted(found.items()):
            unit = self._units.match(text, e)
            if unit is not None:
                # 汪清林区, 苏州工业园区: a place of its own, named as written.
                name = text[s : unit.end()]
                base = places[0]
                out.append(
                    (
                        s,
                        unit.end(),
                        [Place(name, name, 4, base.province, base.prefecture, base.name)],
                    )
                )
                continue
            out.append((s, e, places))
        if bare:
            out.extend((s, e, [place]) for s, e, place in bare)
            out.sort(key=lambda x: x[0])
        return out


def _key(
    path: Path, stop: frozenset[str], historical: Path | None, aliases: tuple[tuple[str, str], ...]
) -> str | None:
    """What the tables are derived from (the files' bytes, the stop list, the alias
    suffixes), as the name of their kept copy; None if a file cannot be read."""
    try:
        sources = [path.read_bytes(), historical.read_bytes() if historical is not None else b""]
    except OSError:
        return None
    return kept.digest(_FORMAT, *sources, "\n".join(sorted(stop)), repr(aliases))


def _trie(words: frozenset[str]) -> str:
    """An alternation of ``words`` as a trie: at a place it matches the longest of them
    that starts there (one branch per next character, the longer tried first)."""
    root: dict[str, dict] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        kids = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        if "" not in node:
            return body
        return f"(?:{body})?" if len(kids) == 1 else body + "?"

    return build(root)


@lru_cache(maxsize=256)
def _longest_of(words: frozenset[str]) -> re.Pattern[str]:
    """Finds the leftmost of ``words``, the longest that starts there."""
    return re.compile(_trie(words))


def _leftmost_longest(text: str, sets: list[frozenset[str]]) -> Iterator[tuple[int, int]]:
    """The names of all ``sets`` in ``text`` as one alternation finds them (leftmost, then
    longest, never overlapping), with a pattern per set: the broad names' is built once.
    The next name of each set is searched for again only when the last one taken ran
    over it."""
    pats = [_longest_of(words) for words in sets]
    nxt = [rx.search(text) for rx in pats]
    while any(nxt):
        s = min(m.start() for m in nxt if m is not None)
        e = max(m.end() for m in nxt if m is not None and m.start() == s)
        for k, rx in enumerate(pats):
            m = nxt[k]
            if m is not None and m.start() < e:
                nxt[k] = rx.search(text, e)
        yield s, e


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


@lru_cache(maxsize=4)
def _gazetteer(
    path: str,
    stop: frozenset[str],
    stop_full: frozenset[str],
    historical: str | None,
    aliases: tuple[tuple[str, str], ...] = (),
) -> Gazetteer:
    return Gazetteer(Path(path), stop, stop_full, Path(historical) if historical else None, aliases)


def gazetteer_for(ruleset: RuleSet) -> Gazetteer | None:
    for f in ruleset.files:
        candidate = Path(f).parent / "gazetteer" / "divisions.tsv"
        if candidate.is_file():
            historical = candidate.with_name("historical.tsv")
            return _gazetteer(
                str(candidate),
                frozenset(
                    (ruleset.lexicon("place_stop") or []) + (ruleset.lexicon("place_stop_derived") or [])
                ),
                frozenset(ruleset.lexicon("place_stop_full") or []),
                str(historical) if historical.is_file() else None,
                tuple(sorted((ruleset.lexicon("place_alias_suffix") or {}).items())),
            )
    return None
