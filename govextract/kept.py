"""Tables derived from data files, kept in the user's cache directory between runs.

A kept file is named by a key the caller computes from everything the table is derived
from (the bytes of its sources, the format of what is kept), so a stale copy is never
found, only missed. Its payload is stored after its own SHA-1: a damaged or truncated
file reads as missing, and the caller derives the table anew and keeps it again. Any
trouble with the cache directory costs time, never correctness.
"""

from __future__ import annotations

import hashlib
import os
import sys
from contextlib import suppress
from pathlib import Path

# The Python version is part of every name: marshal and pickle formats follow it.
_PY = f"py{sys.version_info[0]}{sys.version_info[1]}"
_DIGEST = 20  # bytes of a SHA-1


def cache_dir() -> Path:
    """GOVEXTRACT_CACHE, else $XDG_CACHE_HOME/govextract, else ~/.cache/govextract."""
    env = os.environ.get("GOVEXTRACT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govextract"


def path(kind: str, key: str) -> Path:
    return cache_dir() / f"{kind}-{_PY}-{key}"


def read(kind: str, key: str) -> bytes | None:
    """The payload kept under ``key``, or None when there is none or it is damaged."""
    try:
        blob = path(kind, key).read_bytes()
    except OSError:
        return None
    payload = blob[_DIGEST:]
    if len(blob) < _DIGEST or hashlib.sha1(payload).digest() != blob[:_DIGEST]:
        return None
    return payload


def write(kind: str, key: str, payload: bytes, *, keep: int = 8) -> None:
    """Keep ``payload`` under ``key`` (written to a temporary file and renamed into place,
    so a reader never sees half a file); a failure only means it is derived again. Of
    the files of ``kind`` only the ``keep`` written last stay: each edit of the data or
    the code makes a new one, and the older ones would pile up."""
    target = path(kind, key)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(hashlib.sha1(payload).digest() + payload)
        os.replace(tmp, target)
    except OSError:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
        return
    _prune(kind, keep)


def _prune(kind: str, keep: int) -> None:
    found = []
    for p in cache_dir().glob(f"{kind}-{_PY}-*"):
        with suppress(OSError):
            if not p.name.endswith(".tmp"):
                found.append((p.stat().st_mtime_ns, p))
    found.sort(reverse=True)
    for _, p in found[keep:]:
        with suppress(OSError):
            p.unlink()


def digest(*parts: bytes | str) -> str:
    """A key from the parts a table is derived from (each length-prefixed: no two
    different lists of parts give the same key)."""
    h = hashlib.sha1()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()
