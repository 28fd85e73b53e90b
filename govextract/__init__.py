"""govextract: metric records from Chinese government reports.

>>> from govextract import extract
>>> [r.value for r in extract("共办理法律援助 6238 件")]
[6238]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .record import Record

__all__ = ["Record", "__version__", "extract", "extract_path"]


def extract(text: str, doc: str = "-") -> list[Record]:
    """All metric records of ``text`` (records are pydantic models; ``model_dump()`` gives their
    data, values exact: an int, or a Decimal when not integral)."""
    from .engine import extract as _extract

    return _extract(text, doc)


def extract_path(path: str, encoding: str | None = None) -> list[Record]:
    """All records of one report file, ``doc`` being ``path``: read by its suffix as the
    command line reads it (.txt in any supported encoding, .html/.htm, .pdf, .docx; other
    suffixes as text), offsets into the text ``govextract text`` prints. Raises ``OSError``
    or ``ValueError`` (``govextract.formats.FormatError``) with the reason."""
    from pathlib import Path

    from .documents import Input, read_text
    from .engine import extract as _extract

    return _extract(read_text(Input(str(path), Path(path)), encoding), str(path))


def __getattr__(name: str) -> Any:
    if name == "Record":
        from .record import Record

        return Record
    raise AttributeError(name)
