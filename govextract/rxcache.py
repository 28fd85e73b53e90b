"""Compiled rule patterns kept between runs.

The rules expand into a few hundred large patterns (lexicons spelled out as
alternations), and ``regex`` compiles a pattern in Python: about 2 s of every start.
What its compiler hands to the C engine (the opcode list and the group tables) is
plain data; it is kept in the user's cache directory (``kept.py``), keyed by the
``regex`` and Python versions. ``warm`` makes ``regex``'s own pattern cache hold the
kept patterns before the rules are compiled: each is handed to the C engine the first
time it is looked up, so a ``regex.compile`` of a known pattern costs only that, and a
kept pattern that no rule uses any more (an older version of the rules, a rule file
since edited) costs nothing. A pattern not in the file is compiled as usual and added.

This reaches into ``regex`` internals: ``_main._cache`` (replaced by a subclass that
compiles a kept pattern on first lookup), its bound ``_main._MAXCACHE`` (raised, so the
rules' patterns do not push each other out) and ``_regex.compile`` (wrapped, to record
the arguments of new patterns). Any mismatch, a missing attribute or an unreadable
file, and the cache is not used, which costs time and nothing else.
"""

from __future__ import annotations

import atexit
import marshal
import os
from array import array
from typing import Any

import regex

from . import kept

_FORMAT = 3
# The rules expand into about 650 patterns. Those this process used are kept first, then
# the kept ones it did not use (another rule set's), up to this many: stale patterns of
# edited rules cannot grow the file (read whole on every start) without bound.
_MAX_ENTRIES = 1500
# regex keeps 500 patterns in its cache and, when full, drops some: the rules' own
# patterns would push each other out and compile again on every start. Its bound is
# raised to hold them all with room for the rest.
_CACHE_BOUND = 4000

# "args": the arguments of each pattern compiled in this process, by the id of the
# compiled pattern; "new": whether any was compiled from its text (the file is rewritten).
_state: dict[str, Any] = {"warmed": False, "args": {}, "new": False}


def _main() -> Any:
    return regex._main  # type: ignore[attr-defined]


def _key() -> str:
    return f"{getattr(regex, '__version__', 'x')}-v{_FORMAT}"


class _Recorder:
    """Stands in for the ``_regex`` module while patterns compile: remembers the
    arguments of each compiled pattern, by the pattern object made of them."""

    def __init__(self, inner: Any):
        self._inner = inner

    def compile(self, *args: Any) -> Any:
        compiled = self._inner.compile(*args)
        _state["args"][id(compiled)] = (compiled, args)
        _state["new"] = True
        return compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Cache(dict):
    """regex's pattern cache, holding besides the compiled patterns the kept ones not yet
    handed to the C engine (``pending``, their arguments as kept): regex looks a pattern
    up as ``_cache[key]``, and a pending one is compiled then."""

    def __init__(self, compiled: dict[Any, Any], pending: dict[Any, tuple[Any, ...]], inner: Any):
        super().__init__(compiled)
        self.pending = pending
        self._inner = inner

    def __missing__(self, key: Any) -> Any:
        kept_args = self.pending.pop(key)  # KeyError: regex compiles the pattern itself
        try:
            args = (*kept_args[:2], array("I", kept_args[2]).tolist(), *kept_args[3:])
            compiled = self._inner.compile(*args)
        except Exception:
            raise KeyError(key) from None
        self[key] = compiled
        _state["args"][id(compiled)] = (compiled, args)
        return compiled

    def clear(self) -> None:  # regex.purge()
        self.pending.clear()
        super().clear()


def warm() -> None:
    """Once per process, before the rules compile: make the kept patterns known to
    regex's cache and start recording the new ones."""
    if _state["warmed"]:
        return
    _state["warmed"] = True
    if os.environ.get("GOVEXTRACT_NO_REGEX_CACHE"):
        return
    try:
        main = _main()
        cache, named_args, locale_sensitive = main._cache, main._named_args, main._locale_sensitive
        main._MAXCACHE = max(main._MAXCACHE, _CACHE_BOUND)
        inner = main._regex
        default_version = main.DEFAULT_VERSION
    except AttributeError:
        return
    if isinstance(inner, _Recorder):
        inner = inner._inner
    blob = kept.read("regex", _key())
    pending: dict[Any, tuple[Any, ...]] = {}
    try:
        for flags, version, locale, args in marshal.loads(blob) if blob is not None else ():
            if version != default_version:
                continue
            pattern = args[0]
            pending[(pattern, str, flags, frozenset(), default_version, None)] = tuple(args)
            named_args[(pattern, str, flags)] = frozenset()
            locale_sensitive[(str, pattern)] = locale
    except (EOFError, ValueError, TypeError):
        pending.clear()
    main._cache = _Cache(cache, pending, inner)
    main._regex = _Recorder(inner)
    atexit.register(save)


def save() -> None:
    """Write the patterns regex has cached (plain str patterns without named lists or a
    locale) and the kept ones not used in this process, when any is new since the file
    was read."""
    if not _state["new"]:
        return
    _state["new"] = False
    try:
        main = _main()
        cache, locale_sensitive = main._cache, main._locale_sensitive
    except AttributeError:
        return
    known = _state["args"]
    entries = []
    for key, compiled in list(cache.items()):
        pattern, kind, flags, named, version, locale = key
        if kind is not str or named or locale is not None or id(compiled) not in known:
            continue
        kept_compiled, args = known[id(compiled)]
        if kept_compiled is not compiled or locale_sensitive.get((str, pattern), True):
            continue
        # Flags are ints to marshal (regex hands them over as its enum).
        # The opcode list goes as an array's bytes: far quicker to read back.
        try:
            plain = tuple(int(a) if isinstance(a, int) else a for a in args)
            plain = (*plain[:2], array("I", plain[2]).tobytes(), *plain[3:])
        except (OverflowError, TypeError, ValueError):
            continue  # an opcode outside 32 bits: left to compile each time
        entries.append(((0, -len(args[2])), (int(flags), int(version), False, plain)))
    for key, args in list(getattr(cache, "pending", {}).items()):
        entries.append(((1, -(len(args[2]) // 4)), (int(key[2]), int(key[4]), False, args)))
    if not entries:
        return
    # Used ones first; among them, the largest cost the most to compile.
    entries.sort(key=lambda e: e[0])
    try:
        blob = marshal.dumps([e for _, e in entries[:_MAX_ENTRIES]])
    except ValueError:
        return
    kept.write("regex", _key(), blob)


def cached_keys() -> dict[int, tuple[str, int]]:
    """The pattern text and flags (as given to ``regex.compile``) of each pattern in
    regex's cache, by the id of the compiled pattern: how a kept rule set names the
    patterns it holds (see ``lookup``)."""
    try:
        main = _main()
        cache, default_version = main._cache, main.DEFAULT_VERSION
    except AttributeError:
        return {}
    out: dict[int, tuple[str, int]] = {}
    for key, compiled in list(cache.items()):
        pattern, kind, flags, named, version, locale = key
        if kind is str and not named and locale is None and version == default_version:
            out[id(compiled)] = (pattern, int(flags))
    return out


def lookup(pattern: str, flags: int) -> Any:
    """``regex.compile(pattern, flags)``, straight from regex's cache when it is there
    (put there by ``warm``): regex's own cache lookup costs more than the dict's."""
    try:
        main = _main()
        return main._cache[(pattern, str, flags, frozenset(), main.DEFAULT_VERSION, None)]
    except (AttributeError, KeyError):
        return regex.compile(pattern, flags)
