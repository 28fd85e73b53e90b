"""Rules as data: load, validate and compile the TOML rule files.

A rule file may hold ``[fragments]`` (named regex pieces or word lists that
patterns refer to as ``{NAME}``), ``[lexicon.NAME]`` tables and lists (plain
lookup data), and ``[[rule]]`` entries. Every error of every file is collected
and reported at once, each naming its file and rule.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import regex
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .record import KINDS, NUMERIC_KINDS

if TYPE_CHECKING:
    from .numerals import Grammar

RuleKind = Literal["count", "percent", "change", "money", "ranking", "honour", "exclude"]
_REF = regex.compile(r"\{([A-Z][A-Z0-9_]*)\}")
# "$group", "$group@lexicon", "$group|default", "$group@lexicon|default", and for a
# value "$group*10" or "$group/10" (the group's value scaled by a decimal literal).
_GROUP_REF = regex.compile(
    r"^\$(?P<group>[a-z][a-z0-9_]*)(?:@(?P<lexicon>[a-z][a-z0-9_]*))?"
    r"(?:(?P<op>[*/])(?P<factor>[^|]*))?(?:\|(?P<default>.*))?$"
)
_FACTOR = regex.compile(r"(?:\d+(?:\.\d+)?|\.\d+)")
# Fields whose production may be scaled: they take a number.
SCALABLE = frozenset({"value"})
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
    fragments: dict[str, str]
    files: list[str] = field(default_factory=list)

    @cached_property
    def metric_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind != "exclude"]

    @cached_property
    def exclusion_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.kind == "exclude"]

    def lexicon(self, name: str) -> Any:
        return self.lexicons.get(name, {})

    @cached_property
    def numerals(self) -> Grammar:
        """The numeral grammar of these rules (their ``[lexicon.numeral_*]`` tables), or
        the built-in one when they define none."""
        from .numerals import Grammar, default_grammar

        if "numeral_digit" not in self.lexicons:
            return default_grammar()
        return Grammar.from_lexicons(self.lexicons)

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
    raw_fragments: dict[str, tuple[str, Any]] = {}
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
                problems.append(f"{path}: fragment {name!r} is already defined in {raw_fragments[name][0]}")
            else:
                raw_fragments[name] = (path, value)
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

    if "numeral_digit" in lexicons:
        from .numerals import Grammar

        try:
            Grammar.from_lexicons(lexicons)
        except ValueError as exc:
            problems.append(f"numeral grammar: {exc}")
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
        rule = _compile_rule(spec, path, fragments, lexicons, problems, label)
        if rule is not None:
            compiled.append(rule)
    if problems:
        raise RuleError(problems)
    ruleset = RuleSet(rules=compiled, lexicons=lexicons, fragments=fragments, files=list(paths))
    _CACHE[key] = ruleset
    return ruleset


def _expand_fragments(
    raw: dict[str, tuple[str, Any]], lexicons: dict[str, Any], problems: list[str]
) -> dict[str, str]:
    done: dict[str, str] = {}

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        path, value = raw[name]
        if isinstance(value, list):
            text = _alternation(str(v) for v in value)
        elif isinstance(value, dict) and set(value) == {"chars"}:
            # One character class of the keys (or items) of one lexicon or several.
            names = value["chars"] if isinstance(value["chars"], list) else [value["chars"]]
            chars = [c for n in names if isinstance(n, str) for c in (lexicons.get(n) or [])]
            if (
                not names
                or any(not lexicons.get(n) for n in names if isinstance(n, str))
                or not all(isinstance(c, str) and len(c) == 1 for c in chars)
            ):
                problems.append(
                    f"{path}: fragment {name!r}: {{chars = {value['chars']!r}}} needs a lexicon "
                    "of single characters"
                )
                text = "(?!)"
            else:
                text = "[" + "".join(sorted(regex.escape(c, special_only=False) for c in set(chars))) + "]"
        elif isinstance(value, dict) and set(value) == {"lexicon"}:
            lex = lexicons.get(value["lexicon"])
            if not lex:
                problems.append(f"{path}: fragment {name!r}: no lexicon {value['lexicon']!r}")
                text = "(?!)"
            else:
                text = _alternation(lex)
        elif isinstance(value, str):

            def sub(m: regex.Match) -> str:
                ref = m.group(1)
                if ref not in raw:
                    problems.append(f"{path}: fragment {name!r}: unknown fragment {{{ref}}}")
                    return "(?!)"
                if ref in stack:
                    problems.append(
                        f"{path}: fragment {name!r}: refers to itself through {' -> '.join(stack)}"
                    )
                    return "(?!)"
                return expand(ref, (*stack, ref))

            text = "(?:" + _REF.sub(sub, value) + ")"
        else:
            problems.append(
                f"{path}: fragment {name!r}: must be a pattern string, a word list, "
                "{lexicon = ...} or {chars = ...}"
            )
            text = "(?!)"
        done[name] = text
        return text

    for name in raw:
        expand(name, (name,))
    return done


@dataclass(frozen=True, slots=True)
class Ref:
    """A production that refers to a group: ``$num``, ``$dir@direction``, ``$basis|null``,
    ``$num*10``. ``scale`` is the exact factor of ``*`` (or ``1/factor`` of ``/``)."""

    group: str
    lexicon: str | None = None
    default: str | None = None
    op: str | None = None
    factor: str | None = None

    @property
    def scale(self) -> Decimal | None:
        if self.op is None or self.factor is None or not _FACTOR.fullmatch(self.factor):
            return None
        f = Decimal(self.factor)
        if f == 0:
            return None
        return f if self.op == "*" else Decimal(1) / f if _exact_inverse(f) else None


def _exact_inverse(f: Decimal) -> bool:
    """Whether 1/f is a finite decimal (f = 2^a 5^b times a power of ten)."""
    n, _ = f.as_integer_ratio()
    for p in (2, 5):
        while n % p == 0:
            n //= p
    return n == 1


def parse_ref(value: Any) -> Ref | None:
    """The group reference of a production like "$dir@direction" or "$num*10", or None
    for a literal."""
    if not isinstance(value, str):
        return None
    m = _GROUP_REF.match(value)
    if not m:
        return None
    return Ref(m.group("group"), m.group("lexicon"), m.group("default"), m.group("op"), m.group("factor"))


def expand_pattern(pattern: str, fragments: dict[str, str], unknown: list[str]) -> str:
    def sub(m: regex.Match) -> str:
        if m.group(1) not in fragments:
            unknown.append(m.group(1))
            return "(?!)"
        return fragments[m.group(1)]

    return _REF.sub(sub, pattern)


def _compile_rule(
    spec: RuleSpec,
    path: str,
    fragments: dict[str, str],
    lexicons: dict[str, Any],
    problems: list[str],
    label: str,
) -> Rule | None:
    ok = True
    compiled = []
    for what, pattern in (("pattern", spec.pattern), ("continuation", spec.continuation)):
        if pattern is None:
            compiled.append(None)
            continue
        unknown: list[str] = []
        text = expand_pattern(pattern, fragments, unknown)
        for u in unknown:
            problems.append(f"{label}: {what}: unknown fragment {{{u}}}")
            ok = False
        try:
            compiled.append(regex.compile(text, regex.V0))
        except regex.error as exc:
            problems.append(f"{label}: {what} does not compile: {exc}")
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
                f"{label}: produce.{key}: {value!r} is not $group, $group@lexicon, $group|default "
                "or (for value) $group*FACTOR or $group/FACTOR"
            )
            ok = False
        elif ref is not None:
            group, lexicon = ref.group, ref.lexicon
            if ref.op is not None:
                problem = _scale_problem(key, ref)
                if problem:
                    problems.append(f"{label}: produce.{key}: {value!r}: {problem}")
                    ok = False
            if group not in groups:
                problems.append(f"{label}: produce.{key}: the pattern has no group (?P<{group}>...)")
                ok = False
            if lexicon is not None and not isinstance(lexicons.get(lexicon), dict):
                problems.append(f"{label}: produce.{key}: no lexicon table [lexicon.{lexicon}]")
                ok = False
        if key == "sign" and (ref is None or ref.lexicon is None):
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
            problems.append(f"{label}: gate: unknown fragment {spec.gate!r}")
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


def _scale_problem(key: str, ref: Ref) -> str:
    if key not in SCALABLE:
        return f"only {', '.join(sorted(SCALABLE))} can be scaled (* or /)"
    if ref.lexicon is not None:
        return "a looked-up value cannot be scaled"
    if not ref.factor or not _FACTOR.fullmatch(ref.factor):
        return f'the factor after {ref.op} must be a decimal number, e.g. "$num*10" or "$num/10"'
    if Decimal(ref.factor) == 0:
        return "the factor must not be zero"
    if ref.scale is None:
        return f"1/{ref.factor} is not a finite decimal: write the factor it multiplies by with *"
    return ""


_GATES: dict[str, Any] = {}


def _compile_gate(text: str) -> Any:
    """One compiled pattern per gate text, so rules sharing a gate share its spans."""
    if text not in _GATES:
        _GATES[text] = regex.compile(text)
    return _GATES[text]
