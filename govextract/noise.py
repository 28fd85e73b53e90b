"""The noise layer: what conversions and layouts put into a report's text that is not
the report (rules as data in ``rules/noise.toml``).

Each ``[[noise]]`` entry has a pattern (fragments allowed) and an action:

- ``unify``: every matched character becomes its standard form, one character for one
  (a Kangxi radical to the ideograph it looks like: ``⽐`` -> ``比``), from a table beside
  the rule file and else NFKC;
- ``mask``: every matched character becomes the entry's ``mask`` character, one for one
  (a censored name ``张××`` -> ``张某某``);
- ``drop``: the matched text is cut out of the normalized text (a pinyin gloss
  ``連續(xù)``, a replacement character, a footnote mark ``[3]``).

Rules, subjects and titles see the result; records still point at the source, noise
included (the offset map of ``normalize.py`` skips what was dropped).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, field_validator


class NoiseExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    clean: str  # the normalized text the rules must see
    note: str | None = None


class NoiseSpec(BaseModel):
    """The schema of one ``[[noise]]`` entry."""

    model_config = ConfigDict(extra="forbid")
    id: str
    action: Literal["drop", "unify", "mask"]
    pattern: str
    description: str = ""
    table: str | None = None
    mask: str | None = None
    examples: list[NoiseExample] = []
    negatives: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not regex.fullmatch(r"noise(\.[a-z0-9_]+)+", v):
            raise ValueError("a noise id is 'noise.' and dotted lower-case words, e.g. 'noise.pinyin_gloss'")
        return v


@dataclass(frozen=True)
class NoiseRule:
    spec: NoiseSpec
    file: str
    regex: Any
    table: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    def replacement(self, ch: str) -> str:
        """The one character that ``ch`` becomes (unify and mask)."""
        if self.spec.action == "mask":
            return self.spec.mask or ch
        out = self.table.get(ch)
        if out is None:
            nfkc = unicodedata.normalize("NFKC", ch)
            out = nfkc if len(nfkc) == 1 else ch
        return out


def read_table(path: Path) -> dict[str, str]:
    """A unify table: tab-separated ``code, char, unified`` rows after a header; ``#`` comments."""
    table: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.startswith("#") or not line.strip() or line.startswith("code\t"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or len(parts[1]) != 1 or len(parts[2]) != 1:
                raise ValueError(f"{path}:{n}: expected code<TAB>char<TAB>unified, one character each")
            if f"{ord(parts[1]):04X}" != parts[0].upper():
                raise ValueError(f"{path}:{n}: code {parts[0]} is not the code of {parts[1]!r}")
            table[parts[1]] = parts[2]
    return table


class NoiseLayer:
    """The compiled noise rules of a rule set, in file order."""

    def __init__(self, rules: list[NoiseRule]):
        self.rules = rules
        self._one_for_one = [r for r in rules if r.spec.action in ("unify", "mask")]
        self._drops = [r for r in rules if r.spec.action == "drop"]
        self._cache: dict[str, str] = {}

    def _sub(self, rule: NoiseRule, m: regex.Match) -> str:
        found = m.group()
        out = self._cache.get(found) if rule.spec.action == "unify" else None
        if out is None:
            out = "".join(rule.replacement(c) for c in found)
            if rule.spec.action == "unify" and len(found) <= 4:
                self._cache[found] = out
        return out

    def one_for_one(self, text: str) -> str:
        """``text`` with the unify and mask rules applied (the same length)."""
        for rule in self._one_for_one:
            if rule.regex.search(text):
                text = rule.regex.sub(lambda m, r=rule: self._sub(r, m), text)
        return text

    def drop_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` the drop rules cut out, sorted and merged."""
        spans: list[tuple[int, int]] = []
        for rule in self._drops:
            spans.extend(m.span() for m in rule.regex.finditer(text) if m.end() > m.start())
        if not spans:
            return spans
        spans.sort()
        merged = [spans[0]]
        for s, e in spans[1:]:
            if s <= merged[-1][1]:
                if e > merged[-1][1]:
                    merged[-1] = (merged[-1][0], e)
            else:
                merged.append((s, e))
        return merged

    def clean(self, text: str) -> str:
        """``text`` as the rules see it, noise-wise (for names and titles cut from the source)."""
        text = self.one_for_one(text)
        spans = self.drop_spans(text)
        if not spans:
            return text
        parts = []
        pos = 0
        for s, e in spans:
            parts.append(text[pos:s])
            pos = e
        parts.append(text[pos:])
        return "".join(parts)


def compile_noise(
    spec: NoiseSpec, path: str, pattern: str, problems: list[str], label: str
) -> NoiseRule | None:
    """A noise rule from its spec and its expanded pattern; problems are appended."""
    ok = True
    if spec.action == "mask" and (spec.mask is None or len(spec.mask) != 1):
        problems.append(f"{label}: a mask entry needs `mask`, one character")
        ok = False
    if spec.action != "mask" and spec.mask is not None:
        problems.append(f"{label}: `mask` is for action = 'mask' only")
        ok = False
    if spec.action != "unify" and spec.table is not None:
        problems.append(f"{label}: `table` is for action = 'unify' only")
        ok = False
    try:
        rx = regex.compile(pattern, regex.V0)
    except regex.error as exc:
        problems.append(f"{label}: pattern does not compile: {exc}")
        return None
    table: dict[str, str] = {}
    if spec.table is not None:
        try:
            table = read_table(Path(path).parent / spec.table)
        except (OSError, ValueError) as exc:
            problems.append(f"{label}: table: {exc}")
            ok = False
    if not spec.examples:
        problems.append(f"{label}: a noise rule needs examples (text and the clean text the rules see)")
        ok = False
    if not spec.negatives:
        problems.append(f"{label}: a noise rule needs negatives (texts in which it finds nothing)")
        ok = False
    return NoiseRule(spec=spec, file=path, regex=rx, table=table) if ok else None
