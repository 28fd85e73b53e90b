"""The loaded rule set kept between runs.

Loading the rules (reading the TOML, validating every entry, expanding fragments,
compiling the taxonomy and the noise layer) costs about as much as a one-line run
itself. What it produces depends only on the rule files, the noise tables beside them
and the code, so the finished ``RuleSet`` is kept (``kept.py``) under a key made of the
bytes of the rule files, their paths, the modules of this package (name, size, time of
change) and the versions of pydantic and regex; the noise tables' bytes are checked after reading. Compiled
patterns are kept by their text and flags and taken from regex's cache, which
``rxcache.warm`` fills.

The kept file is a pickle read with only the classes of the rule set allowed: a file
naming anything else reads as missing, like a damaged one.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic
import regex

from . import kept, rxcache

if TYPE_CHECKING:
    from .ruleset import RuleSet

_FORMAT = "ruleset-1"
_PROTOCOL = 5
# The modules whose classes a rule set is made of, and the few other callables its
# pickle may name.
_MODULES = ("govextract.ruleset", "govextract.noise", "govextract.indicators")
_ALLOWED = {
    ("re", "_compile"),  # the noise layer's gates are stdlib patterns (small, quick to compile)
    ("decimal", "Decimal"),
    # TOML dates and times in a user's lexicon
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}


@lru_cache(maxsize=1)
def _code() -> str:
    """The modules of this package by name, size and time of change: a rule set kept by
    other code is never read (an installed version or a checkout changes them all)."""
    here = Path(__file__).resolve().parent
    stamps = []
    for p in sorted(here.glob("*.py")):
        st = p.stat()
        stamps.append(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}")
    return kept.digest(*stamps)


def key(paths: tuple[str, ...]) -> str | None:
    """The name of the rule set loaded from ``paths``; None if a file cannot be read."""
    parts: list[bytes | str] = [_FORMAT, _code(), pydantic.VERSION, getattr(regex, "__version__", "")]
    try:
        for path in paths:
            parts += [path, Path(path).read_bytes()]
    except (OSError, UnicodeEncodeError):
        return None
    return kept.digest(*parts)


def _side_files(ruleset: RuleSet) -> list[str]:
    """The files besides the rule files that the rule set was read from: unify tables."""
    from .noise import table_path

    return sorted({str(table_path(n.file, n.spec.table)) for n in ruleset.noise_rules if n.spec.table})


def _digest(path: str) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


class _Pickler(pickle.Pickler):
    def __init__(self, out: io.BytesIO):
        super().__init__(out, protocol=_PROTOCOL)
        self._names = rxcache.cached_keys()

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, regex.Pattern):
            # A pattern outside regex's cache keeps its effective flags: it compiles anew.
            return self._names.get(id(obj)) or (obj.pattern, int(obj.flags))
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        pattern, flags = pid
        return rxcache.lookup(pattern, flags)

    def find_class(self, module: str, name: str) -> Any:
        if module in _MODULES or (module, name) in _ALLOWED:
            found = super().find_class(module, name)
            if module not in _MODULES or isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a rule set")


def keep(name: str, ruleset: RuleSet) -> None:
    """Keep a freshly loaded rule set (before anything is cached on it)."""
    out = io.BytesIO()
    try:
        sides = [(path, _digest(path)) for path in _side_files(ruleset)]
        _Pickler(out).dump((sides, ruleset))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return  # something in a user's rule set that does not pickle: loaded each time
    kept.write("rules", name, out.getvalue())


def load(name: str) -> RuleSet | None:
    """The rule set kept under ``name``, or None."""
    blob = kept.read("rules", name)
    if blob is None:
        return None
    try:
        sides, ruleset = _Unpickler(io.BytesIO(blob)).load()
        if any(_digest(path) != digest for path, digest in sides):
            return None
    except Exception:  # a kept file that cannot be read in any way is only a miss
        return None
    from .ruleset import RuleSet

    return ruleset if isinstance(ruleset, RuleSet) else None
