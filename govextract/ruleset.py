"""Rules as data: load, validate and compile the TOML rule files.

A rule file may hold ``[fragments]`` (named regex pieces or word lists that
patterns refer to as ``{NAME}``, each with its description and examples),
``[lexicon.NAME]`` tables and lists (plain lookup data), and ``[[rule]]`` entries.
Every error of every file is collected and reported at once, each naming its file
and rule; a pattern that does not compile is reported at its position in the
pattern as written (not in the expanded regex).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .record import KINDS, NUMERIC_KINDS

RuleKind = Literal["count", "percent", "change", "money", "ranking", "honour", "exclude"]
_REF = regex.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# "$group", "$group@lexicon", "$group|default", "$group@lexicon|default"
_GROUP_REF = regex.compile(
    r"^\$(?P<group>[a-z][a-z0-9_]*)(?:@(?P<lexicon>[a-z][a-z0-9_]*))?(?:\|(?P<default>.*))?$"
)
# Fields a rule may produce, and which of them take a group's text through a resolver.
PRODUCIBLE = frozenset(
    {
        "value",
        "unit",
        "sign",
        "approx",
        "basis",
        "scope",
        "rank",
        "top",
        "tier",
        "title",
        "grantor",
        "streak",
        "subject",
    }
)
TIMEOUT = 2.0  # seconds a single rule may spend on one document


class RuleError(Exception):
    """One or more rule files are broken; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    expect: list[dict[str, Any]] = []
    note: str | None = None


class FragmentSpec(BaseModel):
    """The table form of a fragment: ``NAME = { pattern = '...', description = '...',
    examples = [...], negatives = [...] }`` (or ``words = [...]`` or ``lexicon = "name"``
    instead of ``pattern``). A plain string is a pattern, a plain list a word list."""

    model_config = ConfigDict(extra="forbid")
    pattern: str | None = None
    words: list[str] | None = None
    lexicon: str | None = None
    description: str = ""
    examples: list[str] = []  # texts the fragment matches as a whole
    negatives: list[str] = []  # texts it does not match as a whole


@dataclass(frozen=True)
class Fragment:
    """A named fragment as written, with what it is for."""

    name: str
    file: str
    form: str  # "pattern", "words" or "lexicon"
    written: Any  # the pattern string, the list of words, or the lexicon's name
    description: str = ""
    examples: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()


class RuleSpec(BaseModel):
    """The schema of one ``[[rule]]`` entry."""

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: RuleKind
    pattern: str
    description: str = ""
    priority: int = 0
    produce: dict[str, Any] = {}
    anchor: str | None = None
    continuation: str | None = None
    applies_to: list[str] | None = None
    gate: str | None = None
    examples: list[Example] = []
    negatives: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not regex.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", v):
            raise ValueError("an id is dotted lower-case words, e.g. 'count.measure_word'")
        return v


@dataclass(frozen=True)
class Rule:
    """A compiled rule."""

    spec: RuleSpec
    file: str
    regex: Any
    continuation: Any | None
    gate: Any | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def priority(self) -> int:
        return self.spec.priority

    @cached_property
    def applies_to(self) -> frozenset[str]:
        if self.spec.applies_to is not None:
            return frozenset(self.spec.applies_to)
        return NUMERIC_KINDS


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicons: dict[str, Any]
    fragments: dict[str, str]  # name -> the expanded regex
    files: list[str] = field(default_factory=list)
    fragment_specs: dict[str, Fragment] = field(default_factory=dict)  # name -> as written

    @cached_property
    def metric_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind != "exclude"]

    @cached_property
    def exclusion_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind == "exclude"]

    def lexicon(self, name: str) -> Any:
        return self.lexicons.get(name, {})

    def by_id(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def builtin_rules_dir() -> Path:
    """The rules shipped with the package (installed wheel) or beside it (source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise RuleError([f"no rules directory found beside {here}"])


def rule_files(dirs: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            # Hidden entries below d are skipped; d itself may sit under a hidden
            # directory (a .venv, ~/.local): judge only the parts below it.
            files.extend(
                sorted(
                    p for p in d.rglob("*.toml") if not any(x.startswith(".") for x in p.relative_to(d).parts)
                )
            )
        else:
            raise RuleError([f"{d}: no such rules file or directory"])
    return files


def _alternation(words: Iterable[str]) -> str:
    uniq = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(regex.escape(w) for w in uniq) + ")"


def load_rules(extra_dirs: Sequence[Path] = (), *, builtin: bool = True) -> RuleSet:
    """Load the built-in rules plus the user's rule files or directories."""
    dirs = ([builtin_rules_dir()] if builtin else []) + [Path(d) for d in extra_dirs]
    return _load(tuple(str(p) for p in rule_files(dirs)))


# Keyed by each file's path, mtime and size: an edited rule file is read again.
_CACHE: dict[tuple[tuple[str, int, int], ...], RuleSet] = {}


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        st = Path(path).stat()
    except OSError:
        return path, -1, -1
    return path, st.st_mtime_ns, st.st_size


def _load(paths: tuple[str, ...]) -> RuleSet:
    key = tuple(_stamp(p) for p in paths)
    if key in _CACHE:
        return _CACHE[key]
    problems: list[str] = []
    raw_fragments: dict[str, Fragment] = {}
    lexicons: dict[str, Any] = {}
    specs: list[tuple[str, int, dict[str, Any]]] = []
    for path in paths:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path}: cannot read rules: {exc}")
            continue
        unknown = set(data) - {"fragments", "lexicon", "rule"}
        if unknown:
            problems.append(
                f"{path}: unknown top-level keys {sorted(unknown)} (expected fragments, lexicon, rule)"
            )
        for name, value in (data.get("fragments") or {}).items():
            if not regex.fullmatch(r"[A-Z][A-Z0-9_]*", name):
                problems.append(f"{path}: fragment {name!r}: names are upper-case, e.g. NUMBER")
            elif name in raw_fragments:
                problems.append(f"{path}: fragment {name!r} is already defined in {raw_fragments[name].file}")
            else:
                fragment = _fragment(name, path, value, problems)
                if fragment is not None:
                    raw_fragments[name] = fragment
        for name, value in (data.get("lexicon") or {}).items():
            if name in lexicons:
                if isinstance(value, dict) and isinstance(lexicons[name], dict):
                    lexicons[name] = {**lexicons[name], **value}
                elif isinstance(value, list) and isinstance(lexicons[name], list):
                    lexicons[name] = lexicons[name] + value
                else:
                    problems.append(
                        f"{path}: lexicon {name!r} has another type than where it was first defined"
                    )
            else:
                lexicons[name] = value
        rules = data.get("rule") or []
        if not isinstance(rules, list):
            problems.append(f"{path}: 'rule' must be an array of tables ([[rule]])")
            continue
        for i, r in enumerate(rules):
            specs.append((path, i, r))

    fragments = _expand_fragments(raw_fragments, lexicons, problems)
    compiled: list[Rule] = []
    seen: dict[str, str] = {}
    for path, i, raw in specs:
        label = f"{path}: rule {raw.get('id', f'#{i + 1}')!r}"
        try:
            spec = RuleSpec.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {loc}: {err['msg']}")
            continue
        if spec.id in seen:
            problems.append(f"{label}: duplicate id (first defined in {seen[spec.id]})")
            continue
        seen[spec.id] = path
        rule = _compile_rule(spec, path, fragments, lexicons, problems, label, raw_fragments)
        if rule is not None:
            compiled.append(rule)
    if problems:
        raise RuleError(problems)
    ruleset = RuleSet(
        rules=compiled,
        lexicons=lexicons,
        fragments=fragments,
        files=list(paths),
        fragment_specs=raw_fragments,
    )
    _CACHE[key] = ruleset
    return ruleset


def _fragment(name: str, path: str, value: Any, problems: list[str]) -> Fragment | None:
    """A fragment from its TOML value: a pattern string, a word list, or a table."""
    if isinstance(value, str):
        return Fragment(name, path, "pattern", value)
    if isinstance(value, list):
        return Fragment(name, path, "words", [str(v) for v in value])
    if not isinstance(value, dict):
        problems.append(
            f"{path}: fragment {name!r}: must be a pattern string, a word list or a table "
            "{ pattern = '...', description = '...', examples = [...] }"
        )
        return None
    try:
        spec = FragmentSpec.model_validate(value)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            problems.append(f"{path}: fragment {name!r}: {loc}: {err['msg']}")
        return None
    forms = [f for f in ("pattern", "words", "lexicon") if getattr(spec, f) is not None]
    if len(forms) != 1:
        problems.append(f"{path}: fragment {name!r}: give exactly one of pattern, words or lexicon")
        return None
    return Fragment(
        name,
        path,
        forms[0],
        getattr(spec, forms[0]),
        spec.description,
        tuple(spec.examples),
        tuple(spec.negatives),
    )


# A piece of an expanded pattern: (start, end) in the expansion, (start, end) in the pattern
# as written, and the fragment it expands (None for the pattern's own text).
_Piece = tuple[int, int, int, int, str | None]


def _expand(written: str, lookup: Callable[[str], str | None]) -> tuple[str, list[_Piece], list[tuple]]:
    """``written`` with every ``{NAME}`` replaced by ``lookup(NAME)``; the map from the
    expansion back to ``written``; and the references ``lookup`` did not know, as
    (name, position)."""
    out: list[str] = []
    pieces: list[_Piece] = []
    unknown: list[tuple[str, int]] = []
    at = 0  # in the expansion
    last = 0  # in written
    for m in _REF.finditer(written):
        if m.start() > last:
            out.append(written[last : m.start()])
            pieces.append((at, at + m.start() - last, last, m.start(), None))
            at += m.start() - last
        text = lookup(m.group(1))
        if text is None:
            unknown.append((m.group(1), m.start()))
            text = "(?!)"
        out.append(text)
        pieces.append((at, at + len(text), m.start(), m.end(), m.group(1)))
        at += len(text)
        last = m.end()
    if last < len(written):
        out.append(written[last:])
        pieces.append((at, at + len(written) - last, last, len(written), None))
    return "".join(out), pieces, unknown


def _where(written: str, pieces: list[_Piece], pos: int, of: str) -> str:
    """Where position ``pos`` of an expansion lies in the pattern as written."""
    for start, end, w_start, _, name in pieces:
        if start <= pos < end:
            if name is not None:
                at, inside = w_start, f", inside {{{name}}}"
            else:
                at, inside = w_start + pos - start, ""
            break
    else:
        at, inside = len(written), ""
    before, after = written[max(0, at - 24) : at], written[at : at + 12]
    return f"at position {at} of {of} as written{inside} ({before!r} ^ {after!r})"


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {{{close[0]}}}?)" if close else ""


def _expand_fragments(
    raw: dict[str, Fragment], lexicons: dict[str, Any], problems: list[str]
) -> dict[str, str]:
    """Every fragment's regex, its references expanded."""
    done: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        frag = raw[name]
        label = f"{frag.file}: fragment {name!r}"
        if frag.form == "words":
            text = _alternation(frag.written)
        elif frag.form == "lexicon":
            lex = lexicons.get(frag.written)
            if not lex:
                problems.append(f"{label}: no lexicon {frag.written!r}")
                text = "(?!)"
            else:
                text = _alternation(lex)
        else:

            def lookup(ref: str) -> str | None:
                if ref not in raw:
                    return None
                if ref in stack:
                    problems.append(f"{label}: refers to itself through {' -> '.join((*stack, ref))}")
                    return "(?!)"
                return expand(ref, (*stack, ref))

            body, _, unknown = _expand(frag.written, lookup)
            for ref, pos in unknown:
                problems.append(
                    f"{label}: unknown fragment {{{ref}}} at position {pos} of its pattern"
                    + _did_you_mean(ref, raw)
                )
            text = "(?:" + body + ")"
        done[name] = text
        return text

    for name in raw:
        expand(name, (name,))
    return done


def fragment_error(name: str, ruleset_fragments: dict[str, Fragment], expanded: dict[str, str]) -> str | None:
    """Why fragment ``name`` does not compile on its own, at its position as written (in
    the innermost fragment at fault), or None when it compiles."""
    frag = ruleset_fragments.get(name)
    if frag is None or frag.form != "pattern":
        return None
    body, pieces, _ = _expand(frag.written, expanded.get)
    try:
        regex.compile(body, regex.V0)
        return None
    except regex.error as exc:
        pos = exc.pos or 0
        for start, end, _, _, ref in pieces:
            if ref is not None and start <= pos < end:
                inner = fragment_error(ref, ruleset_fragments, expanded)
                if inner is not None:
                    return inner
        where = _where(frag.written, pieces, pos, "its pattern")
        return f"{frag.file}: fragment {name!r} does not compile: {exc.msg} {where}"


def parse_ref(value: Any) -> tuple[str, str | None, str | None] | None:
    """("group", "lexicon" or None, "default" or None) of a production like "$dir@direction"."""
    if not isinstance(value, str):
        return None
    m = _GROUP_REF.match(value)
    if not m:
        return None
    return m.group("group"), m.group("lexicon"), m.group("default")


def expand_pattern(pattern: str, fragments: dict[str, str], unknown: list[str]) -> str:
    """``pattern`` with its ``{NAME}`` references expanded; unknown names are appended to
    ``unknown`` (and never match)."""
    text, _, missing = _expand(pattern, fragments.get)
    unknown.extend(name for name, _ in missing)
    return text


def _compile_rule(
    spec: RuleSpec,
    path: str,
    fragments: dict[str, str],
    lexicons: dict[str, Any],
    problems: list[str],
    label: str,
    specs: dict[str, Fragment],
) -> Rule | None:
    ok = True
    compiled = []
    for what, pattern in (("pattern", spec.pattern), ("continuation", spec.continuation)):
        if pattern is None:
            compiled.append(None)
            continue
        text, pieces, unknown = _expand(pattern, fragments.get)
        for u, pos in unknown:
            problems.append(
                f"{label}: {what}: unknown fragment {{{u}}} at position {pos} of the {what}"
                + _did_you_mean(u, fragments)
            )
            ok = False
        try:
            compiled.append(regex.compile(text, regex.V0))
        except regex.error as exc:
            # A fragment that does not compile on its own is the cause: name it, and
            # where it is written; else the error is the pattern's own.
            refs = dict.fromkeys(ref for _, _, _, _, ref in pieces if ref is not None)
            causes = [c for c in (fragment_error(ref, specs, fragments) for ref in refs) if c]
            if causes:
                problems.append(f"{label}: {what} does not compile: {'; '.join(causes)}")
            else:
                where = _where(pattern, pieces, exc.pos or 0, f"the {what}")
                problems.append(f"{label}: {what} does not compile: {exc.msg} {where}")
            ok = False
            compiled.append(None)
    rx, cont = compiled
    if not ok or rx is None:
        return None
    groups = set(rx.groupindex)
    for key, value in spec.produce.items():
        if key not in PRODUCIBLE:
            problems.append(f"{label}: produce: unknown field {key!r} (one of {sorted(PRODUCIBLE)})")
            ok = False
        ref = parse_ref(value)
        if isinstance(value, str) and value.startswith("$") and ref is None:
            problems.append(
                f"{label}: produce.{key}: {value!r} is not $group, $group@lexicon or $group|default"
            )
            ok = False
        elif ref is not None:
            group, lexicon, _ = ref
            if group not in groups:
                problems.append(f"{label}: produce.{key}: the pattern has no group (?P<{group}>...)")
                ok = False
            if lexicon is not None and not isinstance(lexicons.get(lexicon), dict):
                problems.append(f"{label}: produce.{key}: no lexicon table [lexicon.{lexicon}]")
                ok = False
        if key == "sign" and (ref is None or ref[1] is None):
            problems.append(f'{label}: produce.sign must look its group up in a lexicon: "$dir@direction"')
            ok = False
    if spec.anchor and spec.anchor not in groups:
        problems.append(f"{label}: anchor: the pattern has no group (?P<{spec.anchor}>...)")
        ok = False
    if spec.kind == "exclude":
        for k in spec.applies_to or []:
            if k not in KINDS:
                problems.append(f"{label}: applies_to: unknown kind {k!r}")
                ok = False
        if spec.produce:
            problems.append(f"{label}: an exclusion produces nothing: remove 'produce'")
            ok = False
    else:
        if (
            spec.kind in NUMERIC_KINDS
            and "value" not in spec.produce
            and spec.produce.get("approx") is not True
        ):
            problems.append(
                f"{label}: produce.value is required for kind {spec.kind} "
                "(or approx = true for a vague amount)"
            )
            ok = False
        if spec.applies_to is not None:
            problems.append(f"{label}: applies_to is for exclusions only")
            ok = False
    gate = None
    if spec.gate is not None:
        if spec.gate not in fragments:
            problems.append(
                f"{label}: gate: unknown fragment {spec.gate!r}" + _did_you_mean(spec.gate, fragments)
            )
            ok = False
        else:
            gate = _compile_gate(fragments[spec.gate])
    if not spec.examples and not spec.negatives:
        problems.append(f"{label}: a rule needs examples (positive and negative)")
        ok = False
    elif not spec.examples:
        problems.append(f"{label}: a rule needs at least one positive example")
        ok = False
    elif not spec.negatives:
        problems.append(f"{label}: a rule needs at least one negative example")
        ok = False
    if not ok:
        return None
    return Rule(spec=spec, file=path, regex=rx, continuation=cont, gate=gate)


_GATES: dict[str, Any] = {}


def _compile_gate(text: str) -> Any:
    """One compiled pattern per gate text, so rules sharing a gate share its spans."""
    if text not in _GATES:
        _GATES[text] = regex.compile(text)
    return _GATES[text]
