"""Rules as data: load, validate and compile the TOML rule files.

A rule file may hold ``[fragments]`` (named regex pieces or word lists that
patterns refer to as ``{NAME}``, each with its description and examples;
``{charset = ...}`` and ``{chars = lexicon}`` make character sets), ``[lexicon.NAME]``
tables and lists (plain lookup data), ``[[rule]]`` entries, ``[[cue]]`` entries (the
genre's cues that ``document.py`` reads), ``[[indicator]]`` entries (the taxonomy of
``indicators.py``), ``[[noise]]`` entries (the noise layer of normalization: ``noise.py``)
and ``[html]`` (the page chrome that the HTML reader drops).
Every error of every file is collected and reported at once, each naming its file
and rule; a pattern that does not compile is reported at its position in the
pattern as written (not in the expanded regex).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable, Sequence
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
    "venue": "a place where a meeting is held or someone travels to, not the place a statement is about",
    "visit": "a visit to the speaker's own body or place: 到我院调研, 莅临我市",
    "self_organ": "an organ speaking of itself (我院, 本局), valued by the last character of its kind",
    "title_place": "a place word inside a title or designation, not the statement's place",
    "relative_year": "a year said relative to the time of writing: 今年, 去年",
    "period_start": "a year that starts a period: 自2017年以来",
    "compare_base": "a year that a figure is compared with: 较2022年, 在2021年基础上",
    "from_value": "the start of a change from one figure to another: 由2015年的80.5%上升到 (group at)",
    "same_year": "a word for the year named just before: 当年, 同年",
    "period_length": "the length of a period running to now: 五年来, 连续13个月 (groups n, unit)",
    "recall": "a word recounting a past event: a date after it is not the time of writing",
    "attributive": "a year inside a 的-phrase before a noun: 2016年度排名第一的某市",
    "occasion": "a word for the occasion just reported: 这次, 此次, 本次",
    "award": "a verb of receiving an award: a year it dates is an event's, not a text's period",
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


# The schemas of rule-file entries are built when an entry is first validated
# (defer_build): a run whose rule set comes from its kept copy (snapshot.py) validates none.
class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    text: str
    expect: list[dict[str, Any]] = []
    note: str | None = None


class FragmentExample(BaseModel):
    """An example in context: the fragment matches ``match`` at the start of ``text``. For
    a fragment that looks at what follows (or precedes) what it matches, which a text
    matched as a whole cannot show (LIST_MARKER: the 1 of ``1 三位一体推进``)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    text: str
    match: str


class FragmentNegative(BaseModel):
    """A negative in context: the fragment does not match at the start of ``text``, not
    even an empty match (a lookahead like RANK_END fails there)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    text: str


# The forms of a fragment: what it is written as.
FRAGMENT_FORMS = ("pattern", "words", "lexicon", "charset", "chars")


class FragmentSpec(BaseModel):
    """The table form of a fragment: ``NAME = { pattern = '...', description = '...',
    examples = [...], negatives = [...] }``, or instead of ``pattern``: ``words = [...]``
    (a word list), ``lexicon = "name"`` (the words of a lexicon), ``charset = "..."`` (a
    class of the characters written) or ``chars = "name"`` / ``chars = ["name", ...]`` (a
    class of the single-character words of lexicons). A plain string is a pattern, a plain
    list a word list."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    pattern: str | None = None
    words: list[str] | None = None
    lexicon: str | None = None
    charset: str | None = None
    chars: str | list[str] | None = None
    description: str = ""
    # Texts the fragment matches as a whole (or {text, match}: at the start of text).
    examples: list[str | FragmentExample] = []
    # Texts it does not match as a whole (or {text}: it does not match at their start).
    negatives: list[str | FragmentNegative] = []


@dataclass(frozen=True)
class Fragment:
    """A named fragment as written, with what it is for."""

    name: str
    file: str
    form: str  # one of FRAGMENT_FORMS
    # The pattern string, the words, the lexicon's name, the characters, or the lexicons'
    # names (a tuple) of a chars fragment.
    written: Any
    description: str = ""
    examples: tuple[str | FragmentExample, ...] = ()
    negatives: tuple[str | FragmentNegative, ...] = ()


class RuleSpec(BaseModel):
    """The schema of one ``[[rule]]`` entry."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
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


class HtmlExample(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    html: str
    keep: list[str] = []  # text that the page's text must hold
    drop: list[str] = []  # text that it must not
    note: str | None = None


class HtmlSpec(BaseModel):
    """``[html]``: the conventions by which CMS pages mark their chrome (navigation,
    banners, footers, share bars...): element names, ``role`` values and class or id words."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
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
    model_config = ConfigDict(extra="forbid", defer_build=True)
    text: str
    match: str | None = None  # what the cue must match in text (default: anything)
    value: Any = None  # the value of a `words` cue for that match
    expect: list[dict[str, Any]] = []  # records the whole engine must produce from text
    note: str | None = None


class CueSpec(BaseModel):
    """The schema of one ``[[cue]]`` entry: a named cue of the genre (a dateline shape, an
    anaphora word...), as a pattern or a table of words, with its own examples."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
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

    def in_line(self, line: str) -> regex.Match | None:
        """``search`` over one line: the cues that open a line cost one ``match``, not a
        try at every character."""
        anchored, floating = self.line_anchored
        if "\n" in line:
            return self.regex.search(line)  # lines joined as written: ^ after each break
        if not floating.cues:
            return self.regex.match(line)
        if anchored.cues and anchored.regex.match(line):
            return self.regex.search(line)  # which cue wins is the whole set's to say
        return floating.regex.search(line)

    @cached_property
    def matches_blank(self) -> bool:
        """Whether a cue matches a line of white space only (none of the built-in ones do)."""
        return any(self.regex.match(probe) for probe in ("", "\n", " \n", "\t\n", "\u3000\n", " \t\u3000"))

    @cached_property
    def line_anchored(self) -> tuple[CueSet, CueSet]:
        """The cues that can only match at a line's start (every branch opens with ``^``),
        and the rest. Tried at each line start, the first cost a call per line instead of a
        scan of every character."""
        anchored = [c for c in self.cues if _line_anchored(c.regex.pattern)]
        floating = [c for c in self.cues if not _line_anchored(c.regex.pattern)]
        return CueSet(self.kind, anchored), CueSet(self.kind, floating)


def _line_anchored(pattern: str) -> bool:
    """Whether every top-level branch of ``pattern`` opens with ``^``."""
    depth, in_class, escaped, branch_start = 0, False, False, True
    for ch in pattern:
        if branch_start:
            if ch != "^":
                return False
            branch_start = False
            continue
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            branch_start = True
    return not branch_start


@dataclass
class RuleSet:
    rules: list[Rule]
    lexicons: dict[str, Any]
    fragments: dict[str, str]  # name -> the expanded regex
    files: list[str] = field(default_factory=list)
    indicators: Any = None  # the compiled taxonomy (indicators.Taxonomy)
    charsets: dict[str, str] = field(default_factory=dict)
    cues: list[Cue] = field(default_factory=list)
    fragment_specs: dict[str, Fragment] = field(default_factory=dict)  # name -> as written
    # (rule id, "pattern" or "continuation") -> the most steps it may take at one position,
    # None without a bound: estimated when the rule set is built (see worst_steps)
    worst: dict[tuple[str, str], int | None] = field(default_factory=dict)
    noise_rules: list[NoiseRule] = field(default_factory=list)
    html: HtmlSpec = field(default_factory=HtmlSpec)

    def chars(self, name: str) -> frozenset[str]:
        """The characters of a character-set fragment ({charset = ...} or {chars = lexicon})."""
        return frozenset(self.charsets.get(name, ""))

    def worst_steps(self, rule: Rule, part: str = "pattern") -> int | None:
        """The most steps a rule's pattern (or its continuation) may take at one position of a
        text; None when it has no bound, and may backtrack badly (backtrack.py)."""
        key = (rule.id, part)
        if key not in self.worst:  # a rule set not built by load_rules
            self.worst.update(self._estimate_steps(self.rules))
            self.worst.setdefault(key, None)
        return self.worst[key]

    def _estimate_steps(self, rules: Sequence[Rule]) -> dict[tuple[str, str], int | None]:
        from .backtrack import rule_steps

        def words(name: str) -> list[str]:
            frag = self.fragment_specs[name]
            found = frag.written if frag.form == "words" else self.lexicons.get(frag.written)
            return list(found or [])

        specs = {n: (f.form, f.written) for n, f in self.fragment_specs.items()}
        return rule_steps(rules, specs, words, lambda name: self.charsets.get(name, ""))

    @cached_property
    def _cue_sets(self) -> dict[str, CueSet]:
        by_kind: dict[str, list[Cue]] = {}
        for c in self.cues:
            by_kind.setdefault(c.kind, []).append(c)
        return {k: CueSet(k, v) for k, v in by_kind.items()}

    def cue(self, kind: str) -> CueSet:
        """Every cue of a kind as one pattern (an empty set matches nothing)."""
        return self._cue_sets.get(kind) or CueSet(kind, [])

    @cached_property
    def line_cues(self) -> tuple[CueSet, CueSet]:
        """The cues of every kind in LINE_CUES (what sets a line apart), as one pattern of
        those that match only at a line's start and one of the rest."""
        cues = CueSet("line", [c for c in self.cues if c.kind in LINE_CUES])
        return cues.line_anchored

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
    from . import snapshot
    from .rxcache import warm

    warm()  # the patterns compiled by an earlier run, put in regex's cache
    name = snapshot.key(paths)
    ruleset = snapshot.load(name) if name is not None else None
    if ruleset is None:
        ruleset = _compile(paths)
        if name is not None:
            snapshot.keep(name, ruleset)
    ruleset.indicators.use_places(lambda: _short_place_names(ruleset))
    _CACHE[key] = ruleset
    return ruleset


def _compile(paths: tuple[str, ...]) -> RuleSet:
    """The rule set of the rule files ``paths``, or RuleError listing every problem."""
    import tomllib

    problems: list[str] = []
    raw_fragments: dict[str, Fragment] = {}
    lexicons: dict[str, Any] = {}
    specs: list[tuple[str, int, dict[str, Any]]] = []
    cue_specs: list[tuple[str, int, dict[str, Any]]] = []
    indicator_specs: list[tuple[str, int, dict[str, Any]]] = []
    noise_specs: list[tuple[str, int, dict[str, Any]]] = []
    html = HtmlSpec()
    for path in paths:
        try:
            data = _read_toml(Path(path))
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
        spec = _validated(RuleSpec, raw, label, problems)
        if spec is None:
            continue
        if spec.id in seen:
            problems.append(f"{label}: duplicate id (first defined in {seen[spec.id]})")
            continue
        seen[spec.id] = path
        rule = _compile_rule(spec, path, fragments, charsets, lexicons, problems, label, raw_fragments)
        if rule is not None:
            compiled.append(rule)
    cues = _compile_cues(cue_specs, fragments, charsets, raw_fragments, problems)
    from .indicators import compile_taxonomy

    taxonomy = compile_taxonomy(
        indicator_specs,
        lexicons,
        lambda text, unknown: expand_pattern(text, fragments, unknown, charsets),
        problems,
    )
    noise_rules = _compile_noise(noise_specs, fragments, charsets, raw_fragments, seen, problems)
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
        fragment_specs=raw_fragments,
    )
    ruleset.worst.update(ruleset._estimate_steps(compiled))  # kept with the rule set
    return ruleset


def _validated(model: Any, raw: Any, label: str, problems: list[str]) -> Any:
    """``raw`` validated as ``model``, or None with each error in ``problems`` under ``label``."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = ".".join(str(x) for x in err["loc"])
            problems.append(f"{label}: {loc}: {err['msg']}")
        return None


def _fragment(name: str, path: str, value: Any, problems: list[str]) -> Fragment | None:
    """A fragment from its TOML value: a pattern string, a word list, or a table."""
    if isinstance(value, str):
        return Fragment(name, path, "pattern", value)
    if isinstance(value, list):
        return Fragment(name, path, "words", tuple(str(v) for v in value))
    if not isinstance(value, dict):
        problems.append(
            f"{path}: fragment {name!r}: must be a pattern string, a word list or a table "
            "{ pattern = '...', description = '...', examples = [...] }"
        )
        return None
    spec = _validated(FragmentSpec, value, f"{path}: fragment {name!r}", problems)
    if spec is None:
        return None
    forms = [f for f in FRAGMENT_FORMS if getattr(spec, f) is not None]
    if len(forms) != 1:
        problems.append(
            f"{path}: fragment {name!r}: give exactly one of {', '.join(FRAGMENT_FORMS[:-1])} "
            f"or {FRAGMENT_FORMS[-1]}"
        )
        return None
    written = getattr(spec, forms[0])
    return Fragment(
        name,
        path,
        forms[0],
        tuple(written) if isinstance(written, list) else written,
        spec.description,
        tuple(spec.examples),
        tuple(spec.negatives),
    )


# A piece of an expanded pattern: (start, end) in the expansion, (start, end) in the pattern
# as written, and the fragment it expands (None for the pattern's own text).
_Piece = tuple[int, int, int, int, str | None]


def _expand(
    written: str,
    lookup: Callable[[str], str | None],
    charsets: dict[str, str],
    known: Iterable[str] = (),
    of: str = "the pattern",
) -> tuple[str, list[_Piece], list[str]]:
    """``written`` with every reference replaced: ``{NAME}`` by ``lookup(NAME)``, ``{^NAME}``
    by the complement of a character set, ``{NAME.chars}`` by its characters (inside a
    bracket expression); the map from the expansion back to ``written``; and what was
    wrong, each with its position (``known`` names are offered for a misspelt one)."""
    out: list[str] = []
    pieces: list[_Piece] = []
    faults: list[str] = []
    at = 0  # in the expansion
    last = 0  # in written
    for m in _REF.finditer(written):
        if m.start() > last:
            out.append(written[last : m.start()])
            pieces.append((at, at + m.start() - last, last, m.start(), None))
            at += m.start() - last
        negate, name, chars = m.group(1), m.group(2), m.group(3)
        if negate or chars:
            if name in charsets:
                text = _class_chars(charsets[name]) if chars else _char_class(charsets[name], negate=True)
            else:
                close = _did_you_mean(name, charsets) if name not in known else ""
                faults.append(
                    f"{m.group()} at position {m.start()} of {of}: {name} is not a character set "
                    f"({{charset = ...}} or {{chars = lexicon}}){close}"
                )
                text = "(?!)"
        else:
            found = lookup(name)
            if found is None:
                faults.append(
                    f"unknown fragment {{{name}}} at position {m.start()} of {of}{_did_you_mean(name, known)}"
                )
                text = "(?!)"
            else:
                text = found
        out.append(text)
        pieces.append((at, at + len(text), m.start(), m.end(), name))
        at += len(text)
        last = m.end()
    if last < len(written):
        out.append(written[last:])
        pieces.append((at, at + len(written) - last, last, len(written), None))
    return "".join(out), pieces, faults


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


def _read_toml(path: Path) -> dict[str, Any]:
    """A rule file's tables. Parsing TOML in Python costs about 0.4 s of every start for
    the built-in files, so the parsed tables are kept in the cache directory (kept.py)
    under the hash of the file's bytes (an edited file is parsed anew); any trouble with
    the cache only costs the parse."""
    from . import kept

    raw = path.read_bytes()
    text = raw.decode("utf-8")
    key = hashlib.sha1(raw).hexdigest()
    blob = kept.read("toml", key)
    if blob is not None:
        try:
            data = marshal.loads(blob)
            if isinstance(data, dict):
                return data
        except (ValueError, EOFError, TypeError):
            pass
    import tomllib

    data = tomllib.loads(text)
    try:
        blob = marshal.dumps(data)  # ValueError for a value marshal cannot keep (a date)
    except ValueError:
        return data
    kept.write("toml", key, blob, keep=256)  # one per rule file: the built-in ones and a user's
    return data


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {{{close[0]}}}?)" if close else ""


def _short_place_names(ruleset: RuleSet) -> list[str]:
    """The short names of the gazetteer beside the rule files (江苏, 下城), for indicators."""
    from .gazetteer import gazetteer_for

    gazetteer = gazetteer_for(ruleset)
    return list(gazetteer.short) if gazetteer is not None else []


_TOP_LEVEL = frozenset({"fragments", "lexicon", "rule", "cue", "indicator", "noise", "html"})


def _errors(label: str, exc: ValidationError) -> list[str]:
    return [f"{label}: {'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()]


def _compile_noise(
    specs: list[tuple[str, int, dict[str, Any]]],
    fragments: dict[str, str],
    charsets: dict[str, str],
    fragment_specs: dict[str, Fragment],
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
        pattern, pieces, faults = _expand(spec.pattern, fragments.get, charsets, set(fragments))
        for fault in faults:
            problems.append(f"{label}: pattern: {fault}")
        if faults:
            continue
        try:
            regex.compile(pattern, regex.V0)
        except regex.error as exc:
            error = _compile_error(exc, spec.pattern, pieces, "pattern", fragment_specs, fragments, charsets)
            problems.append(f"{label}: pattern does not compile: {error}")
            continue
        rule = compile_noise(spec, path, pattern, problems, label)
        if rule is not None:
            out.append(rule)
    return out


def _charsets(raw: dict[str, Fragment], lexicons: dict[str, Any], problems: list[str]) -> dict[str, str]:
    """The characters of each character-set fragment: a ``charset`` as written, or the
    single-character words of the lexicons a ``chars`` names."""
    charsets: dict[str, str] = {}
    for name, frag in raw.items():
        if frag.form == "charset":
            charsets[name] = frag.written
        elif frag.form == "chars":
            names = list(frag.written) if isinstance(frag.written, tuple) else [frag.written]
            chars = [c for n in names for c in (lexicons.get(n) or [])]
            missing = [n for n in names if not lexicons.get(n)]
            if not names or missing:
                import difflib

                close = difflib.get_close_matches(missing[0], list(lexicons), n=1) if missing else []
                problems.append(
                    f"{frag.file}: fragment {name!r}: {{chars = ...}}: "
                    + (f"no lexicon {missing[0]!r}" if missing else "names no lexicon")
                    + (f" (did you mean {close[0]!r}?)" if close else "")
                )
            elif not all(isinstance(c, str) and len(c) == 1 for c in chars):
                longer = [c for c in chars if not (isinstance(c, str) and len(c) == 1)]
                written = list(frag.written) if isinstance(frag.written, tuple) else frag.written
                problems.append(
                    f"{frag.file}: fragment {name!r}: {{chars = {written!r}}} needs a lexicon of single "
                    f"characters ({longer[0]!r} is not one)"
                )
            else:
                charsets[name] = "".join(sorted(set(chars)))
    return charsets


def _expand_fragments(
    raw: dict[str, Fragment], lexicons: dict[str, Any], problems: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Every fragment's regex, its references expanded; and the character sets.

    A fragment is a pattern (it may refer to other fragments), a word list, the words of a
    lexicon, a ``charset`` (a class of the characters written) or ``chars`` (one class of
    the single-character words of one lexicon or more). A character class may be written
    ``{^NAME}`` for its complement and ``{NAME.chars}`` inside a bracket expression."""
    done: dict[str, str] = {}
    charsets = _charsets(raw, lexicons, problems)

    def expand(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        frag = raw[name]
        label = f"{frag.file}: fragment {name!r}"
        if frag.form in ("charset", "chars"):
            # A broken character class (reported above) matches nothing.
            text = _char_class(charsets[name]) if name in charsets else "(?!)"
        elif frag.form == "words":
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

            body, _, faults = _expand(frag.written, lookup, charsets, set(raw), "its pattern")
            problems.extend(f"{label}: {fault}" for fault in faults)
            text = "(?:" + body + ")"
        done[name] = text
        return text

    for name in raw:
        expand(name, (name,))
    return done, charsets


def _char_class(chars: str, negate: bool = False) -> str:
    return "[" + ("^" if negate else "") + _class_chars(chars) + "]"


def _class_chars(chars: str) -> str:
    return "".join("\\" + c if c in "\\]^-[" else ("\\n" if c == "\n" else c) for c in chars)


def substitute(
    pattern: str, resolve: Callable[[str], str | None], charsets: dict[str, str], problems: list[str]
) -> str:
    """Replace the fragment references of a written pattern: {NAME}, {^NAME} (the complement
    of a character set) and {NAME.chars} (its characters, inside a bracket expression)."""
    text, _, faults = _expand(pattern, resolve, charsets)
    problems.extend(faults)
    return text


def fragment_error(
    name: str,
    ruleset_fragments: dict[str, Fragment],
    expanded: dict[str, str],
    charsets: dict[str, str] | None = None,
) -> str | None:
    """Why fragment ``name`` does not compile on its own, at its position as written (in
    the innermost fragment at fault), or None when it compiles."""
    frag = ruleset_fragments.get(name)
    if frag is None or frag.form != "pattern":
        return None
    body, pieces, _ = _expand(frag.written, expanded.get, charsets or {})
    try:
        regex.compile(body, regex.V0)
        return None
    except regex.error as exc:
        pos = exc.pos or 0
        for start, end, _, _, ref in pieces:
            if ref is not None and start <= pos < end:
                inner = fragment_error(ref, ruleset_fragments, expanded, charsets)
                if inner is not None:
                    return inner
        where = _where(frag.written, pieces, pos, "its pattern")
        return f"{frag.file}: fragment {name!r} does not compile: {exc.msg} {where}"


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
    """A written pattern with its fragment references expanded; problems (an unknown
    fragment, with its position) are appended, and the reference never matches."""
    text, _, faults = _expand(pattern, fragments.get, charsets or {}, set(fragments))
    problems.extend(faults)
    return text


def _compile_error(
    exc: regex.error,
    written: str,
    pieces: list[_Piece],
    what: str,
    specs: dict[str, Fragment],
    fragments: dict[str, str],
    charsets: dict[str, str],
) -> str:
    """Why a pattern does not compile: a fragment that does not compile on its own is
    the cause (named, with the position in its own pattern); else the error is the
    pattern's own, at its position as written."""
    refs = dict.fromkeys(ref for _, _, _, _, ref in pieces if ref is not None)
    causes = [c for c in (fragment_error(ref, specs, fragments, charsets) for ref in refs) if c]
    if causes:
        return "; ".join(causes)
    return f"{exc.msg} {_where(written, pieces, exc.pos or 0, f'the {what}')}"


def _compile_rule(
    spec: RuleSpec,
    path: str,
    fragments: dict[str, str],
    charsets: dict[str, str],
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
        text, pieces, faults = _expand(pattern, fragments.get, charsets, set(fragments), f"the {what}")
        for fault in faults:
            problems.append(f"{label}: {what}: {fault}")
            ok = False
        try:
            compiled.append(regex.compile(text, regex.V0))
        except regex.error as exc:
            problems.append(
                f"{label}: {what} does not compile: "
                + _compile_error(exc, pattern, pieces, what, specs, fragments, charsets)
            )
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


def _compile_cues(
    specs: list[tuple[str, int, dict[str, Any]]],
    fragments: dict[str, str],
    charsets: dict[str, str],
    fragment_specs: dict[str, Fragment],
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
        pieces: list[_Piece] = []
        if spec.words is not None:
            values = dict(spec.words) if isinstance(spec.words, dict) else dict.fromkeys(spec.words, True)
            text = f"(?P<word>{_alternation(values)})"
        else:
            text, pieces, faults = _expand(spec.pattern or "", fragments.get, charsets, set(fragments))
            for fault in faults:
                problems.append(f"{label}: pattern: {fault}")
            if faults:
                continue
        try:
            rx = regex.compile(text, regex.V0 | regex.MULTILINE)
        except regex.error as exc:
            # words are escaped: only a pattern can fail, reported where it is written
            error = _compile_error(
                exc, spec.pattern or "", pieces, "pattern", fragment_specs, fragments, charsets
            )
            problems.append(f"{label}: pattern does not compile: {error}")
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
