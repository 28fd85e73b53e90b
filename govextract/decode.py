"""Bytes to text: strict UTF-8 first (with or without BOM), then UTF-16 by BOM,
then the encoding charset-normalizer finds most likely (GB18030, Big5, ...)."""

from __future__ import annotations

import codecs


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can tell."""


def decode(data: bytes, encoding: str | None = None) -> str:
    if encoding:
        try:
            return data.decode(encoding)
        except LookupError as exc:
            raise DecodeError(f"unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            raise DecodeError(f"not valid {encoding} at byte {exc.start}") from exc
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DecodeError(f"UTF-16 BOM but invalid UTF-16 at byte {exc.start}") from exc
    head = data[:4096]
    if head.count(b"\x00") > max(1, len(head) // 100):
        raise DecodeError("binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # A damaged UTF-8 file (cut inside a character, a few bytes overwritten) is still
    # UTF-8: decode it with U+FFFD for the broken bytes rather than refuse the rest.
    damaged = data.decode("utf-8", errors="replace")
    if damaged.count("\ufffd") <= max(2, len(damaged) // 50) and _mostly_cjk_or_ascii(damaged):
        return damaged
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "cp1252"]).best()
    if best is None:
        raise DecodeError("cannot tell the encoding (not UTF-8, GB18030, Big5 or UTF-16)")
    return str(best)


def _mostly_cjk_or_ascii(text: str) -> bool:
    """Whether a text decoded with replacements still reads as a Chinese (or ASCII) report."""
    sample = text[:20000]
    good = sum(1 for c in sample if c.isascii() or "\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef")
    return good >= 0.9 * len(sample)
