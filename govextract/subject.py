"""The subject of a figure: the phrase it counts or measures.

Works on the normalized text around each chosen candidate, with word lists from
``rules/lexicon.toml`` (no segmentation on the hot path). For a figure the
phrase is, in order of preference:

* for a count directly followed by a noun phrase (``打掉7个养老诈骗团伙``), that phrase;
* the clause before the figure (``化解率达94.6%`` -> ``化解率``), trimmed of time
  phrases, lead words (全市, 共, 累计), trailing links (达, 为) and a leading verb;
* the subject of the previous figure of the same sentence (``执结案件15748件，同比上升10.92%``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from .document import Document
    from .engine import Candidate
    from .ruleset import RuleSet

_QUOTES = "“”\"‘’'「」『』《》"
_MAX_BEFORE = 40
_MAX_AFTER = 16
_MAX_SUBJECT = 18
_NOT_A_NAME = regex.compile(r"[\d〔〕()（）\[\]—…+]")
_QUOTED_END = regex.compile(rf"[{_QUOTES}]([^{_QUOTES}]{{2,}})[{_QUOTES}]$")
_NEXT_FIGURE = regex.compile(r"[\d.,万亿千百]+[个件项条名人起家类种]")
_LONG_PAREN = regex.compile(r"[(（][^()（）]{5,}[)）]")


def _words(ruleset: RuleSet, name: str) -> list[str]:
    return sorted(set(ruleset.lexicon(name) or []), key=lambda w: (-len(w), w))


def _alt(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in words) or "(?!)"


class SubjectFinder:
    def __init__(self, ruleset: RuleSet):
        lex = ruleset.lexicon
        self.boundary = frozenset(lex("subject_boundary") or "，。；：！？,;:!?、\n")
        self.sentence_end = frozenset("。！？!?；;\n")
        time = ruleset.fragments.get("SUBJECT_TIME", "(?!)")
        lead = _alt(_words(ruleset, "subject_lead"))
        keep = _words(ruleset, "subject_keep")
        streak = ruleset.fragments.get("STREAK", "(?!)")
        rank_verb = ruleset.fragments.get("RANK_VERB", "(?!)")
        self._magnitudes = frozenset(ruleset.lexicon("magnitude") or ())
        self._noun_suffix = regex.compile(_alt(_words(ruleset, "subject_noun_suffix")))
        marker = ruleset.fragments.get("SUBJECT_MARKER", "(?!)")
        self._lead = regex.compile(rf"^(?:(?!{_alt(keep)})(?:{marker}|{time}|{streak}|{lead}))+")
        compare = ruleset.fragments.get("SUBJECT_COMPARE", "(?!)")
        tail = _alt(_words(ruleset, "subject_tail"))
        self._compare = regex.compile(compare)
        self._tail = regex.compile(rf"(?:{compare}|(?:{tail}|{rank_verb}|{streak})+$)")
        verbs = _words(ruleset, "subject_verbs")
        self._verbs = regex.compile(_alt(verbs))
        self._verb_only = regex.compile(rf"^(?:{_alt(verbs)})+$")
        cut = _words(ruleset, "subject_cut") + verbs
        # Words that may contain a cut word but are nouns (被告人 holds 被).
        self._cut = regex.compile(rf"(?:{_alt(keep)})|(?P<cut>{_alt(cut)})")
        self._adverbial = regex.compile(_alt(_words(ruleset, "recipient_stop")) + r"|\d{4}年")
        open_end = _alt(_words(ruleset, "subject_open_end"))
        scope = _alt(_words(ruleset, "subject_scope"))
        self._ends_open = regex.compile(rf"(?:{open_end})(?:{scope})?$")

    # -- phrases ---------------------------------------------------------------
    def _before(self, text: str, start: int, floor: int) -> str:
        i = start
        lo = max(floor, start - _MAX_BEFORE)
        while i > lo and text[i - 1] not in self.boundary:
            i -= 1
        return text[i:start]

    def _after(self, text: str, end: int) -> str:
        j = end
        n = len(text)
        while j < n and text[j] in _QUOTES:
            j += 1
        k = j
        hi = min(n, j + _MAX_AFTER)
        quoted = j > end
        depth = 0
        while k < hi:
            c = text[k]
            if c in "(（":
                depth += 1
            elif c in ")）":
                depth -= 1
            elif (c in self.boundary and depth <= 0) or c.isdigit():
                break
            if c in _QUOTES:
                if quoted:
                    break
                k += 1
                continue
            k += 1
        phrase = _LONG_PAREN.sub("", text[j:k])
        if not quoted:
            for m in self._cut.finditer(phrase):
                if m.group("cut") and not self._noun_suffix.match(phrase, m.end()):
                    phrase = phrase[: m.start()]
                    break
        return phrase

    def _trim(self, phrase: str) -> str:
        phrase = _LONG_PAREN.sub("", phrase)
        m = _QUOTED_END.search(phrase)
        if m:
            # A quoted term right before the figure is its name: “五员”3070人.
            return m.group(1)
        for _ in range(3):
            before = phrase
            phrase = self._lead.sub("", phrase)
            phrase = self._tail.sub("", phrase)
            if phrase == before:
                break
        # What the last verb acts on is what is counted ("办理法律援助" -> "法律援助",
        # "专项行动抓获犯罪嫌疑人" -> "犯罪嫌疑人"), when a noun phrase remains.
        for m in reversed(list(self._verbs.finditer(phrase, overlapped=False))):
            if self._noun_suffix.match(phrase, m.end()):
                continue  # 调解员协会: the verb is part of a noun
            rest = self._lead.sub("", phrase[m.end() :])
            if len(rest) >= 3 and not _has_open_paren(phrase[: m.end()]):
                phrase = rest
                break
        phrase = phrase.strip(_QUOTES + " ")
        if len(phrase) < 2:
            return ""
        if len(phrase) > _MAX_SUBJECT:
            phrase = phrase[-_MAX_SUBJECT:]
        return phrase

    def _previous_clause(self, text: str, clause_start: int, floor: int) -> str:
        """The clause before, within the sentence, when it holds no figure of its own
        (全区刑事案件立案数连续5年下降，2022年降至1325起)."""
        end = clause_start - 1
        if end <= floor or end < 0 or text[end] in self.sentence_end:
            return ""
        return self._trim(self._before(text, end, floor))

    def _recipient(self, text: str, c: Candidate) -> str | None:
        """Who received an honour: the phrase before the verb, without adverbials."""
        start = c.mstart
        i = start
        while i > 0 and text[i - 1] not in self.boundary and start - i < _MAX_BEFORE:
            i -= 1
        phrase = self._lead.sub("", text[i:start])
        m = self._adverbial.search(phrase)
        if m:
            phrase = phrase[: m.start()]
        phrase = phrase.strip(_QUOTES + " ")
        if len(phrase) < 2 or _NOT_A_NAME.search(phrase):
            return None  # a fragment (2017—, 〔曾...), not who received it
        return self._clean(phrase)

    def _clean(self, phrase: str) -> str | None:
        from .normalize import to_simplified

        phrase = "".join(c for c in phrase if c not in _QUOTES and not c.isspace())
        return to_simplified(phrase) or None

    # -- assignment ------------------------------------------------------------
    def assign(self, doc: Document, chosen: list[Candidate]) -> None:
        """Set ``fields['subject']`` of every numeric or ranking candidate (in text order)."""
        text = doc.text
        prev: Candidate | None = None
        consumed = 0  # end of the noun phrase the previous figure took from after itself
        for c in chosen:
            kind = c.rule.kind
            if kind == "honour":
                c.fields.setdefault("subject", self._recipient(text, c))
                continue
            if c.fields.get("subject"):
                prev = c
                continue
            floor = max(prev.mend if prev is not None else 0, consumed)
            same_sentence = prev is not None and not any(
                ch in self.sentence_end for ch in text[prev.mend : c.mstart]
            )
            raw_before = self._before(text, c.mstart, floor)
            before = self._trim(raw_before)
            subject = ""
            if kind == "count":
                after = self._after(text, c.mend)
                if after and (
                    len(before) <= 2 or self._verb_only.match(before) or self._ends_open.search(raw_before)
                ):
                    subject = after
                    consumed = text.find(after, c.mend) + len(after)
                elif after and len(after) >= 2 and not before:
                    subject = after
            if not subject and not (kind == "count" and self._verb_only.match(before)):
                subject = before
            if not subject and kind == "count":
                # 13大类1075个问题清单: the noun after the next figure is shared.
                after = self._after(text, c.mend)
                if not after:
                    nxt = _NEXT_FIGURE.match(text, c.mend)
                    if nxt:
                        subject = self._after(text, nxt.end())
            if not subject and before:
                subject = before
            if not subject and same_sentence and prev is not None and not self._compare.search(raw_before):
                # Nothing of its own before the figure (执结案件15748件，同比上升10.92%;
                # 化解率达94.6%，位居全省前列): it measures what the previous figure measured.
                subject = prev.fields.get("subject") or ""
                if subject and kind == "ranking" and prev.rule.kind == "change" and prev.fields.get("value"):
                    # The rank of a change is the rank of its size: 刑事警情降幅.
                    subject += "降幅" if prev.fields["value"] < 0 else "增幅"
            if not subject:
                subject = self._previous_clause(text, c.mstart - len(raw_before), floor)
            if (
                kind == "ranking"
                and subject in self._magnitudes
                and same_sentence
                and prev is not None
                and prev.rule.kind == "change"
                and prev.fields.get("subject")
            ):
                # 刑事警情同比下降11.08%，降幅排全市第一: the 降幅 of that change.
                subject = prev.fields["subject"] + subject
            c.fields["subject"] = self._clean(subject) if subject else None
            prev = c


def _has_open_paren(s: str) -> bool:
    return s.count("(") + s.count("（") > s.count(")") + s.count("）")
