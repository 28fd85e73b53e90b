"""Region and year of a statement (filled in by the context rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .normalize import NormText
    from .ruleset import RuleSet


class Context:
    def __init__(self, norm: NormText, ruleset: RuleSet):
        self.norm = norm
        self.ruleset = ruleset

    def region(self, pos: int) -> str | None:
        return None

    def year(self, pos: int) -> int | None:
        return None
