"""govextract: metric records from Chinese government reports.

>>> from govextract import extract
>>> [r.value for r in extract("共办理法律援助 6238 件")]
[6238]
>>> [r.indicator for r in extract("共办理法律援助 6238 件")]
['法律援助案件数']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .fact import Fact
    from .record import Record
    from .tables import Table

__all__ = ["Record", "__version__", "extract", "extract_path", "facts", "table"]


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


def facts(records: Iterable[Record | Mapping[str, Any]]) -> list[Fact]:
    """The facts of records (of one or several reports): the mentions of one figure in one
    report (same kind, value, unit, subject, region and year) folded into one ``Fact``
    whose ``mentions`` keep each one's text, start, end and line."""
    from .fact import fold

    return fold(records)


def table(
    records: Iterable[Record | Mapping[str, Any]],
    by: Sequence[str] = ("region", "year"),
    indicators: Iterable[str] | None = None,
) -> Table:
    """The records' indicators side by side: one row per ``by`` key (region, year, doc),
    indicator, kind and unit, with value, approx, sources and conflicts
    (``govextract.tables.Table``: ``dicts()``, ``wide()``, ``write(out, fmt)``, ``html()``)."""
    from .tables import table as _table

    return _table(records, by, indicators)


def __getattr__(name: str) -> Any:
    if name == "Record":
        from .record import Record

        return Record
    raise AttributeError(name)
