"""Rules as data: load, validate and compile the TOML rule files.

A rule file may hold ``[fragments]`` (named regex pieces or word lists that
patterns refer to as ``{NAME}``; ``{charset = ...}`` and ``{chars = lexicon}`` make character sets),
``[fragment_examples.NAME]`` (texts a fragment must or must not match at their start),
``[lexicon.NAME]`` tables and lists (plain lookup data), ``[[rule]]`` entries, ``[[cue]]``
entries (the genre's cues that ``document.py`` reads), ``[[indicator]]`` entries (the
taxonomy of ``indicators.py``), ``[[noise]]`` entries (the noise layer of normalization:
``noise.py``) and ``[html]`` (the page chrome that the HTML reader drops). Every error of
every file is collected and reported at once, each naming its file and rule.
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

from .noise import NoiseLayer, NoiseRule, NoiseSpec, compile_noise
from .record import KINDS, NUMERIC_KINDS

if TYPE_CHECKING:
    from .numerals import Grammar

RuleKind = Literal["count", "percent", "change", "money", "ranking", "honour", "exclude"]
# {NAME} refers to a fragment; for a character-set fragment {^NAME} is its complement and
# {NAME.chars} its characters, to use inside a bracket expression ([^{CLAUSE_END.chars}的]).
_REF = regex.compile(r"\{(\^)?([A-Z][A-Z0-9_]*)(\.chars)?\}")
# Cues of these kinds describe a whole line and match it as written (simplified, half-width,
# spaces kept: 张三 某某市委书记); the others match the normalized text.
LINE_CUES = frozenset({"dateline", "byline", "credit", "furniture", "headline"})
# The genre's cues (govextract/document.py reads them): what each kind of cue marks.
CUE_KINDS = {
    "dateline": "a publication date or time stamp (groups year, month, day)",
    "lead": "the opening of a news item: 本报讯, XX网1月11日讯 (groups month, day)",
    "byline": "an author line: (记者 张三), 文/本报记者",
    "credit": "an editor, source or photo credit that closes an article",
    "furniture": "a line of page chrome: navigation, print and share bars",
    "headline": "a line shaped as a title: 【专题】..., 原标题:",
    "anaphora": "a word meaning the place spoken of, by the suffix of its level: 我市, 全县, 该区",
    "national": "a word putting a statement at the level of the whole country: 全国, 我国",
    "agent": "an organisation named after a place: the place acts (公安局, 检察院)",
    "subset": "a word opening a statement about a part: 其中",
    "opener": "a word opening a clause without being its subject: 据了解, 其中, 目前",
    "pool": "a level word naming the pool of an evaluation: 全省群众安全感调查",
    "predicate": "a word opening a clause that goes on about its sentence's subject",
    "venue": "a place where a meeting is held, not the place a statement is about",
    "title_place": "a place word inside a title or designation, not the statement's place",
    "relative_year": "a year said relative to the time of writing: 今年, 去年",
    "period_start": "a year that starts a period: 自2017年以来",
    "compare_base": "a year that a figure is compared with: 较2022年, 在2021年基础上",
    "plan": "a word of plans and goals: a year it governs is not a figure's year",
    "review": "a year that a text reviews: 过去的2022年, 报告了2018年工作",
    "review_event": "an event held after the year it reviews: 2006年度...表彰会",
    "review_past": "a review of the past year named without its year: 过去一年, 一年来",
    "plan_heading": "a heading over plans and tasks: its figures are targets, not results",
    "plan_intro": "a paragraph introducing targets that dash-led paragraphs then list",
}
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


class FragmentExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    match: str  # what the fragment matches at the start (or end) of text


class FragmentExamples(BaseModel):
    """``[fragment_examples.NAME]``: texts the fragment NAME matches at their start (or at
    their end, with ``at = "end"``: for fragments used at the end of a line), and texts it
    must not match there."""

    model_config = ConfigDict(extra="forbid")
    at: Literal["start", "end"] = "start"
    examples: list[FragmentExample] = []
    negatives: list[str] = []


class HtmlExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    html: str
    keep: list[str] = []  # text that the page's text must hold
    drop: list[str] = []  # text that it must not
    note: str | None = None


class HtmlSpec(BaseModel):
    """``[html]``: the conventions by which CMS pages mark their chrome (navigation,
    banners, footers, share bars...): element names, ``role`` values and class or id words."""

    model_config = ConfigDict(extra="forbid")
    description: str = ""
    chrome_tags: list[str] = []
    chrome_roles: list[str] = []
    chrome_names: list[str] = []
    examples: list[HtmlExample] = []


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


class CueExample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    match: str | None = None  # what the cue must match in text (default: anything)
    value: Any = None  # the value of a `words` cue for that match
    expect: list[dict[str, Any]] = []  # records the whole engine must produce from text
    note: str | None = None


class CueSpec(BaseModel):
    """The schema of one ``[[cue]]`` entry: a named cue of the genre (a dateline shape, an
    anaphora word...), as a pattern or a table of words, with its own examples."""

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: str
    description: str = ""
    pattern: str | None = None
    words: dict[str, Any] | list[str] | None = None
    examples: list[CueExample | str] = []
    negatives: list[str] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not regex.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", v):
            raise ValueError("an id is dotted lower-case words, e.g. 'dateline.stamp'")
        return v


@dataclass(frozen=True)
class Cue:
    spec: CueSpec
    file: str
    regex: Any
    values: dict[str, Any]  # word -> value, for a `words` cue

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def kind(self) -> str:
        return self.spec.kind


class CueSet:
    """The cues of one kind, searched as one pattern. A `words` cue captures its word in the
    group ``word``; ``value(m)`` is that word's value."""

    def __init__(self, kind: str, cues: list[Cue]):
        self.kind = kind
        self.cues = cues
        self.values: dict[str, Any] = {}
        for c in cues:
            self.values.update(c.values)
        pattern = "|".join(f"(?:{c.regex.pattern})" for c in cues) or "(?!)"
        # Cues are line-oriented: ^ and $ are a line's edges.
        self.regex = regex.compile(pattern, regex.V0 | regex.MULTILINE)

    def value(self, m: regex.Match) -> Any:
        return self.values.get(m.group("word")) if "word" in m.re.groupindex else None

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> regex.Match | None:
        return self.regex.search(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        return self.regex.finditer(text, pos, len(text) if endpos is None else endpos)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> regex.Match | None:
        return self.regex.match(text, pos, len(text) if endpos is None else endpos)


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicons: dict[str, Any]
    fragments: dict[str, str]
    files: list[str] = field(default_factory=list)
    indicators: Any = None  # the compiled taxonomy (indicators.Taxonomy)
    charsets: dict[str, str] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)

    def chars(self, name: str) -> frozenset[str]:
        """The characters of a character-set fragment ({charset = ...} or {chars = lexicon})."""
        return frozenset(self.charsets.get(name, ""))

    @cached_property
    def _cue_sets(self) -> dict[str, CueSet]:
        by_kind: dict[str, list[Cue]] = {}
        for c in self.cues:
            by_kind.setdefault(c.kind, []).append(c)
        return {k: CueSet(k, v) for k, v in by_kind.items()}

    def cue(self, kind: str) -> CueSet:
        """Every cue of a kind as one pattern (an empty set matches nothing)."""
        return self._cue_sets.get(kind) or CueSet(kind, [])

    noise_rules: list[NoiseRule] = field(default_factory=list)
    html: HtmlSpec = field(default_factory=HtmlSpec)
    fragment_examples: dict[str, FragmentExamples] = field(default_factory=dict)

    @cached_property
    def noise(self) -> NoiseLayer:
        return NoiseLayer(self.noise_rules)

    @cached_property
    def line_goes_on(self) -> Any:
        """The end of a line that cannot end a paragraph (the fragment LINE_GOES_ON)."""
        return regex.compile("(?:" + self.fragments.get("LINE_GOES_ON", "(?!)") + ")$")

    @cached_property
    def line_goes_on_start(self) -> Any:
        """The start of a line that goes on with the one before (LINE_GOES_ON_START)."""
        return regex.compile(self.fragments.get("LINE_GOES_ON_START", "(?!)"))

    @cached_property
    def unit_starts(self) -> frozenset[str]:
        """First characters of what may follow a figure as its unit: measure words,
        scale words, currencies, approximation words (lexicons and fragments of the rules)."""
        words: list[str] = []
        for name in ("count_unit", "scale_led_unit", "money_unit"):
            lex = self.lexicons.get(name) or []
            words.extend(lex if isinstance(lex, list) else list(lex))
        for name in ("SCALE", "APPROX_MID"):
            words.extend(regex.findall(r"\p{Han}+", self.fragments.get(name, "")))
        return frozenset(w[0] for w in words if w)

    @cached_property
    def list_marker(self) -> Any:
        """A list item or section marker opening a line, after its indentation (the
        fragment LIST_MARKER)."""
        return regex.compile(r"[ \t\u3000]*(?:" + self.fragments.get("LIST_MARKER", "(?!)") + ")")

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
    from .rxcache import warm

    warm()  # the patterns compiled by an earlier run, put in regex's cache
    problems: list[str] = []
    raw_fragments: dict[str, tuple[str, Any]] = {}
    lexicons: dict[str, Any] = {}
    specs: list[tuple[str, int, dict[str, Any]]] = []
    cue_specs: list[tuple[str, int, dict[str, Any]]] = []
    indicator_specs: list[tuple[str, int, dict[str, Any]]] = []
    noise_specs: list[tuple[str, int, dict[str, Any]]] = []
    fragment_examples: dict[str, FragmentExamples] = {}
    fragment_example_files: dict[str, str] = {}
    html = HtmlSpec()
    for path in paths:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path}: cannot read rules: {exc}")
            continue
        unknown = set(data) - _TOP_LEVEL
        if unknown:
            problems.append(
                f"{path}: unknown top-level keys {sorted(unknown)} (expected {', '.join(sorted(_TOP_LEVEL))})"
            )
        cues = data.get("cue") or []
        if not isinstance(cues, list):
            problems.append(f"{path}: 'cue' must be an array of tables ([[cue]])")
        else:
            cue_specs.extend((path, i, c) for i, c in enumerate(cues))
        indicators = data.get("indicator") or []
        if not isinstance(indicators, list):
            problems.append(f"{path}: 'indicator' must be an array of tables ([[indicator]])")
        else:
            indicator_specs.extend((path, i, r) for i, r in enumerate(indicators))
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
        for name, value in (data.get("fragment_examples") or {}).items():
            try:
                fragment_examples[name] = FragmentExamples.model_validate(value)
                fragment_example_files[name] = path
            except ValidationError as exc:
                problems.extend(_errors(f"{path}: fragment_examples.{name}", exc))
        if "html" in data:
            try:
                more = HtmlSpec.model_validate(data["html"])
            except ValidationError as exc:
                problems.extend(_errors(f"{path}: html", exc))
            else:
                html = HtmlSpec(
                    description=html.description or more.description,
                    chrome_tags=html.chrome_tags + more.chrome_tags,
                    chrome_roles=html.chrome_roles + more.chrome_roles,
                    chrome_names=html.chrome_names + more.chrome_names,
                    examples=html.examples + more.examples,
                )
        noise = data.get("noise") or []
        if not isinstance(noise, list):
            problems.append(f"{path}: 'noise' must be an array of tables ([[noise]])")
        else:
            noise_specs.extend((path, i, r) for i, r in enumerate(noise))
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
    fragments, charsets = _expand_fragments(raw_fragments, lexicons, problems)
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
        rule = _compile_rule(spec, path, fragments, charsets, lexicons, problems, label)
        if rule is not None:
            compiled.append(rule)
    cues = _compile_cues(cue_specs, fragments, charsets, problems)
    from .indicators import compile_taxonomy

    taxonomy = compile_taxonomy(
        indicator_specs,
        lexicons,
        lambda text, unknown: expand_pattern(text, fragments, unknown, charsets),
        problems,
    )
    noise_rules = _compile_noise(noise_specs, fragments, seen, problems)
    for name, where in fragment_example_files.items():
        if name not in fragments:
            problems.append(f"{where}: fragment_examples.{name}: no fragment {name}")
    if problems:
        raise RuleError(problems)
    ruleset = RuleSet(
        rules=compiled,
        lexicons=lexicons,
        fragments=fragments,
        files=list(paths),
        charsets=charsets,
        cues=cues,
        indicators=taxonomy,
        noise_rules=noise_rules,
        html=html,
        fragment_examples=fragment_examples,
    )
    _CACHE[key] = ruleset
    return ruleset


_TOP_LEVEL = frozenset(
    {"fragments", "fragment_examples", "lexicon", "rule", "cue", "indicator", "noise", "html"}
)


def _errors(label: str, exc: ValidationError) -> list[str]:
    return [f"{label}: {'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]


def _compile_noise(
    specs: list[tuple[str, int, dict[str, Any]]],
    fragments: dict[str, str],
    seen: dict[str, str],
    problems: list[str],
) -> list[NoiseRule]:
    out: list[NoiseRule] = []
    for path, i, raw in specs:
        label = f"{path}: noise {raw.get('id', f'#{i + 1}')!r}" if isinstance(raw, dict) else f"{path}: noise"
        try:
            spec = NoiseSpec.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_errors(label, exc))
            continue
        if spec.id in seen:
            problems.append(f"{label}: duplicate id (first defined in {seen[spec.id]})")
            continue
        seen[spec.id] = path
        unknown: list[str] = []
        pattern = expand_pattern(spec.pattern, fragments, unknown)
        for u in unknown:
            problems.append(f"{label}: pattern: unknown fragment {{{u}}}")
        if unknown:
            continue
        rule = compile_noise(spec, path, pattern, problems, label)
        if rule is not None:
            out.append(rule)
    return out


def _expand_fragments(
    raw: dict[str, tuple[str, Any]], lexicons: dict[str, Any], problems: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Expand every fragment to a regex; return (fragments, character sets).

    A fragment is a pattern string, a word list, ``{lexicon = NAME}`` (the words of a
    lexicon), ``{chars = NAME}`` or ``{chars = [NAMES]}`` (one character class of the
    single-character words of lexicons), ``{charset = "..."}`` (a class of the characters
    written), or ``{pattern = ...}`` / ``{words = [...]}`` / ``{charset = ...}`` with a
    ``description``. A character class (chars, charset) may be written ``{^NAME}`` for its
    complement and ``{NAME.chars}`` inside a bracket expression."""
    done: dict[str, str] = {}
    charsets: dict[str, str] = {}
    for name, (path, value) in raw.items():
        if not isinstance(value, dict):
            continue
        if isinstance(value.get("charset"), str):
            charsets[name] = value["charset"]
        elif "chars" in value:
            names = value["chars"] if isinstance(value["chars"], list) else [value["chars"]]
            chars = [c for n in names if isinstance(n, str) for c in (lexicons.get(n) or [])]
            if (
                not names
                or any(not isinstance(n, str) or not lexicons.get(n) for n in names)
                or not all(isinstance(c, str) and len(c) == 1 for c in chars)
            ):
                problems.append(
                    f"{path}: fragment {name!r}: {{chars = {value['chars']!r}}} needs a lexicon "
                    "of single characters"
                )
            else:
                charsets[name] = "".join(sorted(set(chars)))

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        path, value = raw[name]
        if isinstance(value, dict) and set(value) - {"description", "examples", "negatives"} in (
            {"pattern"},
            {"words"},
        ):
            value = value["pattern"] if "pattern" in value else value["words"]
        if name in charsets:
            text = _char_class(charsets[name])
        elif isinstance(value, dict) and ("chars" in value or "charset" in value):
            text = "(?!)"  # a broken character class, reported above
        elif isinstance(value, list):
            text = _alternation(str(v) for v in value)
        elif isinstance(value, dict) and set(value) == {"lexicon"}:
            lex = lexicons.get(value["lexicon"])
            if not lex:
                problems.append(f"{path}: fragment {name!r}: no lexicon {value['lexicon']!r}")
                text = "(?!)"
            else:
                text = _alternation(lex)
        elif isinstance(value, str):
            unknown: list[str] = []

            def resolve(ref: str) -> str | None:
                if ref not in raw:
                    return None
                if ref in stack:
                    problems.append(
                        f"{path}: fragment {name!r}: refers to itself through {' -> '.join(stack)}"
                    )
                    return "(?!)"
                return expand(ref, (*stack, ref))

            text = "(?:" + substitute(value, resolve, charsets, unknown) + ")"
            for u in unknown:
                problems.append(f"{path}: fragment {name!r}: {u}")
        else:
            problems.append(
                f"{path}: fragment {name!r}: must be a pattern string, a word list, {{lexicon = ...}}, "
                "{chars = ...}, {charset = ...}, or {pattern = ...} / {words = [...]} with a description"
            )
            text = "(?!)"
        done[name] = text
        return text

    for name in raw:
        expand(name, (name,))
    return done, charsets


def _char_class(chars: str, negate: bool = False) -> str:
    return "[" + ("^" if negate else "") + _class_chars(chars) + "]"


def _class_chars(chars: str) -> str:
    return "".join("\\" + c if c in "\\]^-[" else ("\\n" if c == "\n" else c) for c in chars)


def substitute(pattern: str, resolve: Any, charsets: dict[str, str], problems: list[str]) -> str:
    """Replace the fragment references of a written pattern: {NAME}, {^NAME} (the complement
    of a character set) and {NAME.chars} (its characters, inside a bracket expression)."""

    def sub(m: regex.Match) -> str:
        neg, ref, chars = m.group(1), m.group(2), m.group(3)
        if neg or chars:
            if ref not in charsets:
                problems.append(
                    f"{{{m.group()[1:-1]}}} at position {m.start()}: "
                    f"{ref} is not a character set ({{charset = ...}} or {{chars = lexicon}})"
                )
                return "(?!)"
            return _class_chars(charsets[ref]) if chars else _char_class(charsets[ref], negate=True)
        text = resolve(ref)
        if text is None:
            problems.append(f"unknown fragment {{{ref}}} at position {m.start()}")
            return "(?!)"
        return text

    return _REF.sub(sub, pattern)


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


def expand_pattern(
    pattern: str, fragments: dict[str, str], problems: list[str], charsets: dict[str, str] | None = None
) -> str:
    """A written pattern with its fragment references expanded; problems are appended."""
    return substitute(pattern, fragments.get, charsets or {}, problems)


def _compile_rule(
    spec: RuleSpec,
    path: str,
    fragments: dict[str, str],
    charsets: dict[str, str],
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
        text = expand_pattern(pattern, fragments, unknown, charsets)
        for u in unknown:
            problems.append(f"{label}: {what}: {u}")
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


def _compile_cues(
    specs: list[tuple[str, int, dict[str, Any]]],
    fragments: dict[str, str],
    charsets: dict[str, str],
    problems: list[str],
) -> list[Cue]:
    out: list[Cue] = []
    seen: dict[str, str] = {}
    for path, i, raw in specs:
        label = f"{path}: cue {raw.get('id', f'#{i + 1}')!r}"
        try:
            spec = CueSpec.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                problems.append(f"{label}: {loc}: {err['msg']}")
            continue
        if spec.id in seen:
            problems.append(f"{label}: duplicate id (first defined in {seen[spec.id]})")
            continue
        seen[spec.id] = path
        if spec.kind not in CUE_KINDS:
            problems.append(f"{label}: kind: unknown cue kind {spec.kind!r} (one of {sorted(CUE_KINDS)})")
            continue
        if (spec.pattern is None) == (spec.words is None):
            problems.append(f"{label}: give a pattern or a table of words (not both)")
            continue
        values: dict[str, Any] = {}
        if spec.words is not None:
            values = dict(spec.words) if isinstance(spec.words, dict) else dict.fromkeys(spec.words, True)
            text = f"(?P<word>{_alternation(values)})"
        else:
            unknown: list[str] = []
            text = expand_pattern(spec.pattern or "", fragments, unknown, charsets)
            for u in unknown:
                problems.append(f"{label}: pattern: {u}")
            if unknown:
                continue
        try:
            rx = regex.compile(text, regex.V0 | regex.MULTILINE)
        except regex.error as exc:
            problems.append(f"{label}: pattern does not compile: {exc}")
            continue
        if not spec.examples or not spec.negatives:
            problems.append(f"{label}: a cue needs examples and negatives")
            continue
        out.append(Cue(spec=spec, file=path, regex=rx, values=values))
    return out


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
