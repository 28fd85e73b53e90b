"""Compiled rule patterns kept between runs.

The rules expand into a few hundred large patterns (lexicons spelled out as
alternations), and ``regex`` compiles a pattern in Python: about 2 s of every start.
What its compiler hands to the C engine (the opcode list and the group tables) is
plain data; it is kept in the user's cache directory, keyed by the ``regex`` and
Python versions, and put into ``regex``'s own pattern cache before the rules are
compiled, so each ``regex.compile`` of a known pattern returns at once. A pattern not
in the file (an edited rule, a user's rule file) is compiled as usual and added.

This reaches into ``regex`` internals (``_main._cache`` and ``_regex.compile``): any
mismatch, a missing attribute or an unreadable file, and the cache is not used, which
costs time and nothing else.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

import regex

_FORMAT = 2
_MAX_ENTRIES = 3000  # the rules expand into about 650 patterns
# regex keeps 500 patterns in its cache and, when full, drops some: the rules' own
# patterns would push each other out and compile again on every start. Its bound is
# raised to hold them all with room for the rest.
_CACHE_BOUND = 4000

_state: dict[str, Any] = {"warmed": False, "args": {}, "new": False}


def _main() -> Any:
    return regex._main  # type: ignore[attr-defined]


def _path() -> Path:
    from .segment import _cache_dir

    version = getattr(regex, "__version__", "x")
    py = "".join(str(v) for v in sys.version_info[:2])
    return _cache_dir() / f"regex-{version}-py{py}-v{_FORMAT}.marshal"


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


def warm() -> None:
    """Once per process, before the rules compile: load the kept patterns into regex's
    cache and start recording the new ones."""
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
    try:
        with _path().open("rb") as fh:
            entries = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        entries = []
    try:
        for flags, version, locale, args in entries:
            if version != default_version:
                continue
            pattern = args[0]
            args = (*args[:2], array("I", args[2]).tolist(), *args[3:])
            compiled = inner.compile(*args)
            cache[(pattern, str, flags, frozenset(), default_version, None)] = compiled
            named_args[(pattern, str, flags)] = frozenset()
            locale_sensitive[(str, pattern)] = locale
            _state["args"][id(compiled)] = (compiled, args)
    except Exception:
        cache.clear()
        named_args.clear()
        _state["args"].clear()
    if not isinstance(inner, _Recorder):
        main._regex = _Recorder(inner)
    atexit.register(save)


def save() -> None:
    """Write the patterns regex has cached (plain str patterns without named lists or a
    locale), when any is new since the file was read."""
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
        kept, args = known[id(compiled)]
        if kept is not compiled or locale_sensitive.get((str, pattern), True):
            continue
        # Flags are ints to marshal (regex hands them over as its enum).
        # The opcode list goes as an array's bytes: far quicker to read back.
        try:
            plain = tuple(int(a) if isinstance(a, int) else a for a in args)
            plain = (*plain[:2], array("I", plain[2]).tobytes(), *plain[3:])
        except (OverflowError, TypeError, ValueError):
            continue  # an opcode outside 32 bits: left to compile each time
        entries.append((len(args[2]), (int(flags), int(version), False, plain)))
    if not entries:
        return
    # The largest patterns cost the most to compile: those are kept.
    entries.sort(key=lambda e: -e[0])
    kept_entries = [e for _, e in entries[:_MAX_ENTRIES]]
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                marshal.dump(kept_entries, out)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        pass
