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

An entry may have a ``gate``: a character class (Python ``re`` syntax, ``[...]``) of
characters without which it cannot match; it runs only on texts holding one. Most
reports hold no noise: one scan for the characters of all gates costs less than the
entries' own scans, which check context at every place.

Rules, subjects and titles see the result; records still point at the source, noise
included (the offset map of ``normalize.py`` skips what was dropped).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, field_validator


# Schemas built at the first validation, as for the rule entries (ruleset.py).
class NoiseExample(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    text: str
    clean: str  # the normalized text the rules must see
    note: str | None = None


class NoiseSpec(BaseModel):
    """The schema of one ``[[noise]]`` entry."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    id: str
    action: Literal["drop", "unify", "mask"]
    pattern: str
    description: str = ""
    table: str | None = None
    mask: str | None = None
    gate: str | None = None
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
    gate: re.Pattern[str] | None = None

    def runs_on(self, present: set[str] | None) -> bool:
        """Whether the entry runs on a text holding the gate characters ``present``
        (None: not known, run)."""
        if self.gate is None or present is None:
            return True
        return any(self.gate.fullmatch(c) for c in present)

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


def table_path(rule_file: str, table: str) -> Path:
    """Where a unify entry's table is: beside its rule file."""
    return Path(rule_file).parent / table


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
        classes = [r.spec.gate[1:-1] for r in rules if r.spec.gate]
        self._gates = re.compile("[" + "".join(classes) + "]") if classes else None

    def _present(self, text: str) -> set[str] | None:
        """The gate characters the text holds (one scan for all entries)."""
        return set(self._gates.findall(text)) if self._gates is not None else None

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
        present = self._present(text)
        for rule in self._one_for_one:
            if rule.runs_on(present) and rule.regex.search(text):
                text = rule.regex.sub(lambda m, r=rule: self._sub(r, m), text)
        return text

    def drop_spans(self, text: str) -> list[tuple[int, int]]:
        """The spans of ``text`` the drop rules cut out, sorted and merged."""
        spans: list[tuple[int, int]] = []
        present = self._present(text)
        for rule in self._drops:
            if rule.runs_on(present):
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
    from .normalize import fold_width as fold

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
    gate = None
    if spec.gate is not None:
        try:
            if not (spec.gate.startswith("[") and spec.gate.endswith("]")):
                raise re.error("a gate is one character class, [...]")
            gate = re.compile(spec.gate)
        except re.error as exc:
            problems.append(f"{label}: gate: {exc}")
            ok = False
        else:
            for i, ex in enumerate(spec.examples, 1):
                if not gate.search(fold(ex.text)):
                    problems.append(f"{label}: example {i} {ex.text!r}: its gate lets nothing through")
                    ok = False
    table: dict[str, str] = {}
    if spec.table is not None:
        try:
            table = read_table(table_path(path, spec.table))
        except (OSError, ValueError) as exc:
            problems.append(f"{label}: table: {exc}")
            ok = False
    if not spec.examples:
        problems.append(f"{label}: a noise rule needs examples (text and the clean text the rules see)")
        ok = False
    if not spec.negatives:
        problems.append(f"{label}: a noise rule needs negatives (texts in which it finds nothing)")
        ok = False
    return NoiseRule(spec=spec, file=path, regex=rx, table=table, gate=gate) if ok else None
