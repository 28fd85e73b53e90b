"""How much work one attempt of a pattern can do at one position of a text, and so where
the regex timeout can be left off.

A pattern whose repeats all have an upper bound does at most a fixed number of steps
wherever it is tried: scanning a stretch of text with it takes at most that many steps a
character, whatever the text holds. The engine allows a rule a stretch ``timeout`` seconds
plus a second per 100k characters; where even the worst case fits in that, the timeout could
never fire and only costs time (a clock set-up on every call, a check every few steps), so
the stretch is scanned without it (``unwatched``): any stretch, for a rule of at most about
500 steps a character; a short one (a sentence) for one of more. A pattern with a repeat
without bound (``*``, ``+``, ``{n,}``; possessive too: from each character of a run it still
reads the rest of the run) can backtrack badly on a hostile text (a megabyte of digits, or of
one character): it always runs under the timeout.

The estimate is an upper bound, made on the patterns as written, each fragment once (a
fragment expands to one group or one character class, so it stands in a pattern as one
unit), with the parser of the standard library's ``re``: ``regex`` syntax it does not know
(``\\p{Han}``, a group name used twice) is first rewritten to something of the same shape,
and a pattern it cannot read is taken to be without bound. Alternatives are counted as if all
could match, except that those opening with different characters cannot both get past their
first step at one place. Estimating all the rules takes some 40 ms (most of it in ``re``'s
parser), when the rule set is built: the kept rule set (snapshot.py) carries the results.
"""

from __future__ import annotations

import re
import re._constants as _c
import re._parser as _parser
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

# A step of regex takes about 12 ns where the estimate is reached (a pattern built to need
# every step it counts); counted at 20 for a slower machine.
STEP_SECONDS = 20e-9
_CAP = 10**12  # counts stop growing here
_PRIVATE = 0xF0000  # references stand in the parsed text as characters of a private-use plane
_BIG_RANGE = 4096  # a character range wider than this is taken as any character


def unwatched(steps: int | None, timeout: float, chars_per_second: float) -> int:
    """The longest stretch a pattern of at most ``steps`` steps a character may scan without
    the timeout (``timeout`` seconds, and a second more per ``chars_per_second``
    characters): where its worst case fits in what it is allowed. 0 for a pattern without
    a bound."""
    if steps is None:
        return 0
    over = steps * STEP_SECONDS - 1 / chars_per_second  # seconds a character beyond its allowance
    return sys.maxsize if over <= 0 else int(timeout / over)


class Cost(NamedTuple):
    """What one attempt of a pattern (or a part of one) can do at one position."""

    ways: int  # how many ways it can end (each tried in turn by what follows it)
    steps: int  # how many steps it may take
    first: frozenset[int] | None  # the characters it can open with (None: any)
    empty: bool  # whether it can match nothing (then what follows opens in its place)


_ONE_CHAR = Cost(1, 1, None, False)
_ZERO_WIDTH = Cost(1, 1, frozenset(), True)

_REF = re.compile(r"\{(\^?)([A-Z][A-Z0-9_]*)(\.chars)?\}")
_REGEX_ONLY = (
    (re.compile(r"\\[pP]\{[^}]*\}"), r"\\w"),  # a property class: one character, any
    (re.compile(r"\(\?P<\w+>"), "(?:"),  # a name used in two alternatives is regex's
    (re.compile(r"\(\?P=\w+\)"), "."),  # a back-reference: one unit
    (re.compile(r"\(\*(?:SKIP|PRUNE)\)"), ""),  # where a failed try sends the scan on: no step
    (re.compile(r"\(\*F(?:AIL)?\)"), "(?!)"),
)
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)


def pattern_cost(written: str, fragment: Callable[[str], Cost | None]) -> Cost | None:
    """The cost of a pattern as written, with ``fragment(NAME)`` that of ``{NAME}``
    (``{^NAME}`` and ``{NAME.chars}`` are one character); None when it has no bound."""
    refs: dict[int, str] = {}

    def stand_in(m: re.Match) -> str:
        if m.group(3):
            return "a"  # characters inside a bracket expression
        if m.group(1):
            return "."  # a class of all characters but some
        code = _PRIVATE + len(refs)
        refs[code] = m.group(2)
        return chr(code)

    text = _REF.sub(stand_in, written)
    for rx, repl in _REGEX_ONLY:
        text = rx.sub(repl, text)
    try:
        tree = _parser.parse(text)
    except (re.error, RecursionError, OverflowError):
        return None
    try:
        return _Estimate(refs, fragment).seq(list(tree))
    except _Unbounded:
        return None


def fragment_costs(
    specs: Mapping[str, tuple[str, Any]],
    words: Callable[[str], Sequence[str]],
    chars: Callable[[str], str],
) -> Callable[[str], Cost | None]:
    """``NAME -> cost`` for fragments given as ``NAME -> (form, as written)`` (forms: pattern,
    words, lexicon, charset, chars; ``words(NAME)`` the words of a words or lexicon
    fragment, ``chars(NAME)`` the characters of a character set), each estimated once."""
    done: dict[str, Cost | None] = {}
    busy: set[str] = set()

    def cost(name: str) -> Cost | None:
        if name in done:
            return done[name]
        if name in busy or name not in specs:
            return None  # a loop or an unknown name: the rule check reports it
        busy.add(name)
        form, written = specs[name]
        if form in ("charset", "chars"):
            found: Cost | None = Cost(1, 1, frozenset(map(ord, chars(name))), False)
        elif form == "pattern":
            found = pattern_cost(written, cost)
        else:
            found = word_cost(words(name))
        busy.discard(name)
        done[name] = found
        return found

    return cost


def word_cost(words: Sequence[str]) -> Cost:
    """An alternation of literal words, counted as ``_Estimate.branch`` counts one."""
    return _branch([Cost(1, len(w), frozenset([ord(w[0])]), False) if w else _ZERO_WIDTH for w in words])


def rule_steps(
    rules: Sequence[Any],
    specs: Mapping[str, tuple[str, Any]],
    words: Callable[[str], Sequence[str]],
    chars: Callable[[str], str],
) -> dict[tuple[str, str], int | None]:
    """``(rule id, "pattern" or "continuation") -> the most steps it may take at one position``
    (None: without a bound) for rules with ``spec.pattern`` and ``spec.continuation`` as
    written; fragments as ``fragment_costs`` takes them."""
    cost = fragment_costs(specs, words, chars)
    out: dict[tuple[str, str], int | None] = {}
    for rule in rules:
        for part in ("pattern", "continuation"):
            written = getattr(rule.spec, part)
            if written is not None:
                found = pattern_cost(written, cost)
                out[(rule.id, part)] = None if found is None else found.steps
    return out


class _Unbounded(Exception):
    pass


class _Estimate:
    def __init__(self, refs: dict[int, str], fragment: Callable[[str], Cost | None]):
        self.refs = refs
        self.fragment = fragment

    def seq(self, items: list[Any]) -> Cost:
        # Each way the items before can end starts the items after again: ways multiply, and
        # the work of what follows is done once for each way of what precedes it.
        ways, steps = 1, 0
        first: frozenset[int] | None = frozenset()
        empty = True
        costs = [self.node(op, av) for op, av in items]
        for c in reversed(costs):
            steps = min(_CAP, c.steps + c.ways * steps)
            ways = min(_CAP, ways * c.ways)
        for c in costs:  # it opens with what its first part that cannot be empty opens with
            first = None if first is None or c.first is None else first | c.first
            if not c.empty:
                empty = False
                break
        return Cost(ways, steps, first, empty)

    def node(self, op: Any, av: Any) -> Cost:
        if op == _c.LITERAL:
            if av in self.refs:
                found = self.fragment(self.refs[av])
                if found is None:
                    raise _Unbounded
                return found
            return Cost(1, 1, frozenset([av]), False)
        if op == _c.IN:
            return self.char_set(av)
        if op in (_c.NOT_LITERAL, _c.ANY, _c.GROUPREF):
            return _ONE_CHAR
        if op == _c.AT:
            return _ZERO_WIDTH
        if op == _c.SUBPATTERN:
            return self.seq(list(av[-1]))
        if op == _c.ASSERT_NOT and not av[1]:  # (?!): no way on, what follows is never tried
            return Cost(0, 1, frozenset(), True)
        if op in (_c.ASSERT, _c.ASSERT_NOT):  # a look-around matches nothing, and one way
            return Cost(1, self.seq(list(av[1])).steps, frozenset(), True)
        if op == _c.ATOMIC_GROUP:  # once matched, never tried again: one way
            return self.seq(list(av))._replace(ways=1)
        if op == _c.BRANCH:
            return _branch([self.seq(list(b)) for b in av[1]])
        if op == _c.GROUPREF_EXISTS:
            return _branch([self.seq(list(av[1])), self.seq(list(av[2] or []))])
        if op in _REPEATS:
            return self.repeat(op, *av)
        if op in (_c.FAILURE, _c.SUCCESS):
            return _ZERO_WIDTH
        raise _Unbounded  # a node this estimate does not know: no bound claimed

    def char_set(self, items: list[Any]) -> Cost:
        """A bracket expression; the parser folds an alternation of single characters into
        one, fragment references too (each is then an alternative of its own)."""
        chars: set[int] | None = set()
        alts: list[Cost] = []
        for op, av in items:
            if op == _c.LITERAL and av in self.refs:
                alts.append(self.node(op, av))
            elif op == _c.LITERAL and chars is not None:
                chars.add(av)
            elif op == _c.RANGE and chars is not None and av[1] - av[0] <= _BIG_RANGE:
                chars.update(range(av[0], av[1] + 1))
            elif op == _c.CATEGORY and av == _c.CATEGORY_DIGIT and chars is not None:
                chars.update(_DIGITS)
            else:
                chars = None  # a negation, a category, a wide range: any character
        if alts:
            if chars is None or chars:
                alts.append(Cost(1, 1, None if chars is None else frozenset(chars), False))
            return _branch(alts)
        return Cost(1, 1, None if chars is None else frozenset(chars), False)

    def repeat(self, op: Any, lo: int, hi: int, body: list[Any]) -> Cost:
        if hi == _c.MAXREPEAT:
            raise _Unbounded
        b = self.seq(list(body))
        if op == _c.POSSESSIVE_REPEAT:
            # it keeps the first way each round matches and ends one way; only the first
            # ``lo`` rounds, which it must get through, may try the others
            must = sum(min(_CAP, b.ways ** (k - 1)) * b.steps for k in range(1, lo + 1))
            steps = must + (hi - lo) * b.steps
            return Cost(1, min(_CAP, steps), b.first, lo == 0 or b.empty)
        # the k-th round is tried once for each way the rounds before it can end
        ways, steps, reach = (1 if lo == 0 else 0), 0, 1
        for k in range(1, hi + 1):
            steps = min(_CAP, steps + reach * b.steps)
            reach = min(_CAP, reach * b.ways)
            if k >= lo:
                ways = min(_CAP, ways + reach)
            if steps == _CAP and ways == _CAP:
                break
        return Cost(ways, steps, b.first, lo == 0 or b.empty)


# What ``\\d`` opens with, as far as telling alternatives apart goes: the normalized text's
# digits are 0-9 (full-width ones are folded), and no rule opens with a digit of another script.
_DIGITS = frozenset(range(ord("0"), ord("9") + 1))


def _branch(alts: list[Cost]) -> Cost:
    """Alternatives tried in turn at one place. Only those that can open with the character
    found there go further than their first step: the ways and the work are those of the
    character that lets the most through (alternatives that may open with any character,
    or with nothing, always count in full)."""
    always = [a for a in alts if a.first is None or a.empty]
    sets = [a for a in alts if a.first is not None and not a.empty]
    base_ways = sum(a.ways for a in always)
    base_steps = sum(a.steps for a in always)
    # per character: the ways and steps of the alternatives it lets through, and how many
    ways_at: dict[int, int] = {}
    steps_at: dict[int, int] = {}
    count_at: dict[int, int] = {}
    for a in sets:
        for ch in a.first or ():
            ways_at[ch] = ways_at.get(ch, 0) + a.ways
            steps_at[ch] = steps_at.get(ch, 0) + a.steps
            count_at[ch] = count_at.get(ch, 0) + 1
    ways = max(ways_at.values(), default=0)
    # each alternative a character does not let through costs it one step
    steps = max((steps_at[ch] + len(sets) - count_at[ch] for ch in steps_at), default=0)
    steps = max(steps, len(sets))
    first: frozenset[int] | None = frozenset()
    for a in alts:
        first = None if first is None or a.first is None else first | a.first
    return Cost(
        min(_CAP, base_ways + ways),
        min(_CAP, base_steps + steps),
        first,
        any(a.empty for a in alts),
    )


__all__ = ["STEP_SECONDS", "Cost", "fragment_costs", "pattern_cost", "rule_steps", "unwatched", "word_cost"]
