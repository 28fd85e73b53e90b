"""The subject of a figure: the phrase it counts or measures (SPEC: without the figure, the
agent that acted or direction words).

Works on the Document's normalized text around each chosen candidate, with word lists
from ``rules/subject.toml`` and the cues of ``rules/document.toml`` (places, organs,
anaphora). For a figure the phrase is, in order of preference:

* in a list (``A、B同比分别下降x%、y%``, ``分别达6975件、7001件``), the list item at the
  figure's place, a head shared by the items given to each (``刑事、治安案件`` ->
  ``刑事案件``, ``治安案件``), or the subjects of as many figures before it
  (``...6.3万件，标的额1585.7亿元，比上年分别上升39.6%、87.7%``);
* the second of a pair (``受理案件71件91人``): the first's subject, counting people
  (``受理案件`` -> ``受理人数``);
* for a count directly followed by a noun phrase (``打掉7个养老诈骗团伙``), that phrase;
* the clause before the figure (``化解率达94.6%`` -> ``化解率``), trimmed of markers, time
  phrases, lead words (全市, 共, 累计), the place and organ that acted (武平县公安局),
  trailing links (达, 为) and a leading verb; a bare verb (``调处452件``) takes the
  object of the figure before it (``调处一般民事纠纷``);
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
_MAX_LIST = 90  # a list of items before 分别 is longer than one phrase
_MAX_AFTER = 16
_MAX_SUBJECT = 18
_MAX_ENUMERATION = 24  # examples and their head (A、B等X) are one name, a longer one
_NOT_A_NAME = regex.compile(r"[\d〔〕()（）\[\]—…+]")
_QUOTED_END = regex.compile(rf"[{_QUOTES}]([^{_QUOTES}]{{2,}})[{_QUOTES}]$")
_NEXT_FIGURE = regex.compile(r"[\d.,万亿千百]+[个件项条名人起家类种]")
_LONG_PAREN = regex.compile(r"[(（][^()（）]{5,}[)）]")
_LIST_SEP = regex.compile(r"、|和|及|与|以及")
_HAN2 = regex.compile(r"\p{Han}{2}")
_HAN1 = regex.compile(r"\p{Han}")
_WRAPPED_LINE = 40  # a line this long that stops mid-word was wrapped, not ended
# 第一、二批: an item ending with a numeral is an ordinal list, not a list of things.
_ORDINAL_END = regex.compile(r"[\d一二三四五六七八九十]$")
# N%的群众认为...: who said what (the share of people who hold a view).
_SAID = regex.compile(r"^(?P<who>\p{Han}{1,6}?)(?P<verb>认为|表示|选择|希望|赞成|支持|反映)(?P<what>.+)$")
_BETWEEN_ITEMS = frozenset("、，,和及与 ")
# The part of a list's last item shared by the others: 食品药品安全、安全生产、信息网络安全领域公益诉讼案件.
_PEOPLE_UNITS = frozenset({"人", "名", "人次"})
_LEVELS = frozenset("省市县区州旗")
_CASE_UNITS = frozenset({"件", "起", "宗"})


def _words(ruleset: RuleSet, name: str) -> list[str]:
    return sorted(set(ruleset.lexicon(name) or []), key=lambda w: (-len(w), w))


def _alt(words: list[str]) -> str:
    return "|".join(regex.escape(w) for w in words) or "(?!)"


class SubjectFinder:
    def __init__(self, ruleset: RuleSet):
        lex = ruleset.lexicon
        # A subject never crosses a clause end, a bullet, or the marks the genre sets between
        # phrases (…, —, 】, [3], |).
        self.boundary = (
            ruleset.chars("CLAUSE_END") | ruleset.chars("BULLET") | frozenset(lex("subject_boundary") or "")
        )
        self.sentence_end = ruleset.chars("SENTENCE_END") or frozenset("。！？!?；;\n")
        time = ruleset.fragments.get("SUBJECT_TIME", "(?!)")
        lead = _alt(_words(ruleset, "subject_lead"))
        keep = _words(ruleset, "subject_keep")
        streak = ruleset.fragments.get("STREAK", "(?!)")
        rank_verb = ruleset.fragments.get("RANK_VERB", "(?!)")
        self._magnitudes = frozenset(ruleset.lexicon("magnitude") or ())
        self._noun_suffix = regex.compile(_alt(_words(ruleset, "subject_noun_suffix")))
        marker = ruleset.fragments.get("SUBJECT_MARKER", "(?!)")
        opener = ruleset.cue("opener").regex.pattern
        adverbial = ruleset.fragments.get("SUBJECT_ADVERBIAL", "(?!)")
        # a list of years leads too (2013年、2014年和2015年刑事发案...; 2011年至2016年...)
        joint = ruleset.fragments.get("YEAR_JOINT", "(?!)")
        years = rf"(?:{time})(?:{joint}(?:{time}))+"
        procedure = ruleset.fragments.get("SUBJECT_PROCEDURE", "(?!)")
        self._lead = regex.compile(
            rf"^(?:(?!{_alt(keep)})(?:{marker}|{years}|{time}|{streak}|{adverbial}|{procedure}|{lead}|{opener}))+"
        )
        compare = ruleset.fragments.get("SUBJECT_COMPARE", "(?!)")
        tail = _alt(_words(ruleset, "subject_tail"))
        self._compare = regex.compile(compare)
        self._tail = regex.compile(rf"(?:{compare}|(?:{tail}|{rank_verb}|{streak}|{time})+$)")
        self._attributes = frozenset(ruleset.lexicon("subject_attribute") or ())
        # 人民调解组织共排查...: an agent ends at 共 (not in 共建, 公共).
        self._agent_end = regex.compile(
            rf"(?:{_alt(keep)})|(?P<end>{_alt(_words(ruleset, 'subject_agent_end'))})"
        )
        verbs = _words(ruleset, "subject_verbs")
        self._verbs = regex.compile(_alt(verbs))
        # A verb with its complement: 排查出, 查处到.
        self._verb_start = regex.compile(rf"^(?:{_alt(verbs)})出?")
        self._verb_only = regex.compile(rf"^(?:已|已经|共|累计|均|并|又|再)?(?:{_alt(verbs)})+$")
        cut = _words(ruleset, "subject_cut") + verbs
        # Words that may contain a cut word but are nouns (被告人 holds 被).
        self._cut = regex.compile(rf"(?:{_alt(keep)})|(?P<cut>{_alt(cut)})")
        self._adverbial = regex.compile(_alt(_words(ruleset, "recipient_stop")) + r"|\d{4}年")
        open_end = _alt(_words(ruleset, "subject_open_end"))
        scope = _alt(_words(ruleset, "subject_scope"))
        self._ends_open = regex.compile(rf"(?:{open_end})(?:{scope})?$")
        # 各类刑事案件 -> 刑事案件, but 缴获各类毒品 keeps it: a generic noun needs its quantifier.
        self._any_quantifier = regex.compile(_alt(_words(ruleset, "subject_quantifier")))
        self._quantifiers = regex.compile(rf"(?:{self._any_quantifier.pattern})(?=\p{{Han}}{{3}})")
        self._domain = regex.compile(rf"^(?:{_alt(_words(ruleset, 'subject_enumeration_domain'))})")
        self._cut_keep = regex.compile(_alt(keep))
        self._generic = frozenset(ruleset.lexicon("subject_generic_head") or ())
        light = _alt(_words(ruleset, "subject_light_verb"))
        # after a person (书记作..., 院长讲...) or for someone (为干警讲...): not 工作, 合作
        self._light = regex.compile(
            rf"(?:(?<=[记长员人官师])|为\p{{Han}}{{1,4}}?)(?:{light})(?P<obj>\p{{Han}}{{2,8}})$"
        )
        adverbial = ruleset.fragments.get("SUBJECT_ADVERBIAL", "(?!)")
        self._list_heads = _words(ruleset, "subject_list_head")
        self._list_suffixes = _words(ruleset, "subject_list_suffix")
        self._list_bare = frozenset(ruleset.lexicon("subject_list_bare") or ())
        # The place and organ that acted, opening a phrase: 武平县公安局, 该市公安机关, 我院.
        self._agent = ruleset.cue("agent")
        self._anaphora = ruleset.cue("anaphora")
        # A level word ending a phrase before 为 (群众安全感全国为91.99%、全省为96.88%) names
        # whose figure it is, not what is measured.
        self._level = regex.compile(
            rf"(?:{self._anaphora.regex.pattern}|{ruleset.cue('national').regex.pattern})"
        )
        self._respectively = regex.compile(r"分别|依次|分(?=[列居获])")  # 分列 = 分别位列
        self._alias = regex.compile(ruleset.fragments.get("SUBJECT_ALIAS", "(?!)"))
        # A rank after a measure (满意度|继续排名第一): where the measure's phrase ends.
        self._rank_predicate = regex.compile(
            rf"(?:继续|再次|仍然|仍|又|{streak})*(?:{rank_verb})(?=全|第|前|首|榜|末)"
        )
        self._measure_end = regex.compile(rf"(?:{_alt(_words(ruleset, 'subject_measure_end'))})$")
        self._pool = regex.compile(ruleset.fragments.get("SUBJECT_POOL", "(?!)"))
        self._rank_word_end = regex.compile(r"(?:排名|排序|排位)$")
        self._part = regex.compile(r"含|包括|其中")
        self._news_lead = ruleset.cue("lead")
        self._fund = regex.compile(_alt(_words(ruleset, "subject_fund")))
        # Tried at a digit with match: the branch that never matches keeps regex from first
        # looking through the rest of the text for the 以 every match needs (on a text
        # without one, the whole text at every figure).
        self._qualifier = regex.compile("(?:" + ruleset.fragments.get("SUBJECT_QUALIFIER", "(?!)") + ")|(?!)")
        units = _words(ruleset, "subject_pool_member") + _words(ruleset, "subject_counted_unit")
        self._unit = regex.compile(rf"(?:{_alt(sorted(set(units), key=lambda w: (-len(w), w)))})")
        self._unit_predicate = regex.compile(ruleset.fragments.get("SUBJECT_UNIT_PREDICATE", "(?!)"))
        self._average = regex.compile(ruleset.fragments.get("SUBJECT_AVERAGE", "(?!)"))
        self._base = regex.compile(rf"(?:{ruleset.fragments.get('SUBJECT_BASE', '(?!)')})$")
        # Where the predicate of a noun phrase begins (刑事警情|连续四年两位数下降).
        self._predicate = regex.compile(rf"(?:{streak}|同比|环比|连年|逐年)")

    # -- phrases ---------------------------------------------------------------
    def _before(self, text: str, start: int, floor: int, lists: bool = False) -> str:
        """The phrase before ``start`` back to a clause boundary (a list's 、 kept when asked)."""
        i = start
        lo = max(floor, start - (_MAX_LIST if lists else _MAX_BEFORE))
        depth = 0  # inside brackets a clause does not end: 县(市、区)
        while i > lo:
            ch = text[i - 1]
            if ch in ")）":
                depth += 1
            elif ch in "(（":
                depth -= 1
            elif (
                ch in self.boundary
                and depth <= 0
                and not (lists and ch == "、")
                and not self._wrapped(text, i - 1)
            ):
                break
            i -= 1
        return text[i:start]

    def _wrapped(self, text: str, k: int) -> bool:
        """Whether the line break at ``k`` only wraps a long line (处理群众\n来信3210件): the
        line before is long and ends inside a word, the next goes on with it."""
        if text[k] != "\n" or k + 1 >= len(text) or not _HAN1.match(text, k + 1):
            return False
        if k == 0 or not _HAN1.match(text, k - 1):
            return False
        line_start = text.rfind("\n", 0, k) + 1
        return k - line_start >= _WRAPPED_LINE

    def _after(self, text: str, end: int, money: bool = False) -> str:
        """The noun phrase right after a figure (打掉7个养老诈骗团伙, 150万元司法所建设专项资金),
        up to a verb or function word that ends it (``money``: a verb inside the name of a fund
        stays)."""
        j = end
        n = len(text)
        if text[j : j + 1] in ("(", "（"):
            return ""  # 5727件(含旧存172件): a remark on the figure, not what it counts
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
            elif c == "、" and k > j and depth <= 0 and _HAN2.match(text, k + 1):
                k += 1  # 19个国家、地区: the things counted, up to a verb (cut below)
                continue
            elif c.isdigit() and (q := self._qualifier.match(text, k)):
                k = q.end()  # 财产损失30万元以上案件: a category qualifier inside the name
                continue
            elif (c in self.boundary and depth <= 0) or c.isdigit():
                break
            if c in _QUOTES:
                if quoted:
                    break
                k += 1
                continue
            k += 1
        phrase = _LONG_PAREN.sub("", text[j:k]).strip()
        lead = self._news_lead.search(phrase)
        if lead:
            phrase = phrase[: lead.start()]  # a headline's figure, then the article's 本报讯
        fund = self._fund.search(phrase) if money else None
        if not quoted:
            inside = [q.span() for q in self._qualifier.finditer(phrase)]
            for m in self._cut.finditer(phrase):
                if any(a <= m.start() < b for a, b in inside):
                    continue  # 以上 of 30万元以上案件 is the qualifier's, not where the name ends
                if fund and m.end() <= fund.start() and self._verbs.fullmatch(m.group()):
                    continue  # 司法所建设专项资金: a fund named after what it pays for
                if m.group("cut") and not self._noun_suffix.match(phrase, m.end()):
                    phrase = phrase[: m.start()]
                    break
        phrase = phrase.rstrip("、")
        return phrase if len(phrase) >= 2 else ""

    def _strip_agent(self, phrase: str, doc: Document, start: int) -> str:
        """Drop the place, anaphor and organ that open a phrase (武平县公安局全年立案...,
        公众对天津市社会治安安全感, 该县共有...): who acted is not what is counted."""
        cut = 0
        for m in doc.places_in(start, start + len(phrase)):
            rel = m.end - start
            if m.start - start <= 4 and rel < len(phrase) - 1:
                cut = max(cut, rel)
        am = self._anaphora.match(phrase, cut) if cut < len(phrase) else None
        if am is None:
            am = self._anaphora.match(phrase)
        if am is not None:
            cut = max(cut, am.end())
        if not cut and phrase[:1] in _LEVELS and self._agent.match(phrase, 1):
            cut = 1  # 市公安局, 县法院: the organ of the place spoken of
        if not cut:
            # 公安局破获刑事案件 (after 全县): the organ, then what it did.
            ag = self._agent.match(phrase)
            rest = phrase[ag.end() :] if ag is not None else ""
            if ag is not None and (self._verb_start.match(rest) or self._lead.match(rest)):
                cut = ag.end()
        if not cut:
            # 洛南法院受理案件: a place written short, its organ, then what the organ did.
            ag = self._agent.search(phrase, 2, 5)
            rest = phrase[ag.end() :] if ag is not None else ""
            acts = self._verb_start.match(rest) or self._lead.match(rest)  # 海淀警方去年拦截...
            if ag is not None and _HAN2.fullmatch(phrase, 0, 2) and acts:
                cut = ag.start()
        if cut:
            ag = self._agent.match(phrase, cut)
            while ag is not None and ag.end() < len(phrase) - 1:
                cut = ag.end()
                ag = self._agent.match(phrase, cut)
        return phrase[cut:] if cut and len(phrase) - cut >= 2 else phrase

    def _trim(self, phrase: str, doc: Document | None = None, start: int = 0, limit: bool = True) -> str:
        stripped = phrase.lstrip()
        # the close of a quotation that ended the sentence before (辛苦了!" 某某警方...)
        while stripped and (
            stripped[0] in "”’」』" or (stripped[0] in "\"'" and stripped.count(stripped[0]) % 2)
        ):
            stripped = stripped[1:].lstrip()
        start += len(phrase) - len(stripped)
        phrase = _LONG_PAREN.sub("", stripped.rstrip())
        m = _QUOTED_END.search(phrase)
        if m and m.start() > 6:
            # A quoted term right before the figure, after a long phrase, is its name: ...“五员”3070人
            # (after a short one it is part of it: 小案快打“快侦率”).
            return m.group(1)
        # An agent before 共, 累计 (人民调解组织共排查...) and the examples before 等
        # (故意伤害、强奸等严重暴力犯罪) are not what is counted.
        for m in self._agent_end.finditer(phrase):
            if m.group("end") and m.start() > 0 and len(phrase) - m.end() >= 2:
                start += m.start()
                phrase = phrase[m.start() :]
        k = phrase.rfind("等")
        if 0 < k < len(phrase) - 2 and ("、" in phrase[:k] or phrase[k - 1] in '”"」'):
            # The head after 等 is what is counted (交通、市政等工程建设领域职务犯罪); a head
            # too generic to stand alone (侵犯商标权、专利权等案件, ...等关键指标) or a domain
            # right after 等 (社会保障、征地拆迁等领域职务犯罪) keeps its examples.
            head = phrase[k + 1 :]
            bare = self._quantifiers.sub("", head)
            if len(bare) > 2 and bare not in self._generic and not self._domain.match(head):
                start += len(phrase) - len(head)
                phrase = head
        for _ in range(4):
            before = phrase
            stripped = self._lead.sub("", phrase)
            if doc is not None:
                offset = start + len(phrase) - len(stripped)
                agentless = self._strip_agent(stripped, doc, offset)
                start = offset + len(stripped) - len(agentless)
                stripped = agentless
            phrase = self._tail.sub("", stripped)
            level = self._level.search(phrase, 2)
            if level and level.end() == len(phrase):
                phrase = phrase[: level.start()]
            if phrase == before:
                break
        # A verb opening the phrase acts on what is counted: 办理法律援助 -> 法律援助 (a verb
        # inside a noun stays: 平安建设知晓率, 调解员协会).
        for turn in range(2):  # 立案办理食品安全案件: verb after verb
            v = self._verb_start.match(phrase)
            if not (
                v
                # 受理审查起诉案件: two verbs left after one is cut name a procedure
                and not (turn and self._verb_start.match(phrase[v.end() :]))
                and not self._noun_suffix.match(phrase, v.end())
                and len(phrase) - v.end() >= 4  # 打击战果, 发放执行款: a short head keeps its verb
                and phrase[v.end() :] not in self._attributes  # 涉及人数 is a noun
            ):
                break
            rest = self._lead.sub("", phrase[v.end() :])
            if len(rest) < 2 or _has_open_paren(phrase[: v.end()]):
                break
            phrase = rest
        phrase = self._quantifiers.sub("", phrase)
        pred = self._predicate.search(phrase, 2)
        if pred:
            phrase = phrase[: pred.start()]  # 刑事警情连续四年两位数下降: the noun phrase
        light = self._light.search(phrase)
        if light and len(phrase) > 6:
            phrase = light.group("obj")  # 纪委书记作廉政报告82场: what was given is counted
        phrase = phrase.strip(_QUOTES + " 、")
        if len(phrase) < 2:
            return ""
        longest = _MAX_ENUMERATION if self._enumeration(phrase) else _MAX_SUBJECT
        if limit and len(phrase) > longest:
            # Too long to be a name: its head after 的 (中央信访联席办交办的两批信访积案化解率),
            # else its end.
            k = phrase.rfind("的")
            phrase = phrase[k + 1 :] if 0 < k < len(phrase) - 3 else phrase[-longest:]
            phrase = phrase[-longest:]
        return phrase

    def _previous_clause(self, text: str, clause_start: int, floor: int, doc: Document | None = None) -> str:
        """The clause before, within the sentence, when it holds no figure of its own
        (全区刑事案件立案数连续5年下降，2022年降至1325起)."""
        end = clause_start - 1
        if end <= floor or end < 0 or text[end] in self.sentence_end:
            return ""
        raw = self._before(text, end, floor)
        return self._trim(raw, doc, end - len(raw))

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

    # -- lists -------------------------------------------------------------------
    def mark_lists(self, text: str, chosen: list[Candidate]) -> None:
        """Figures given as a list: a rule's continuations (、18%), or figures of one kind
        joined by 、 and 和 after 分别 (分别达6975件、7001件、1851件). Sets ``members`` and
        ``index`` of each (the region step maps places onto them too)."""
        groups: list[list[Candidate]] = []
        for c in chosen:
            if c.rule.kind == "honour":
                continue
            if c.head is not None and groups and (groups[-1][0] is c.head or c.head in groups[-1]):
                groups[-1].append(c)
                continue
            last = groups[-1][-1] if groups else None
            if (
                last is not None
                and last.rule.kind == c.rule.kind
                and last.mend <= c.mstart
                and text[last.mend : c.mstart]
                and all(ch in _BETWEEN_ITEMS for ch in text[last.mend : c.mstart])
                and self._respectively.search(
                    text, max(0, groups[-1][0].mstart - 6), groups[-1][0].mstart + 4
                )
            ):
                groups[-1].append(c)
                continue
            groups.append([c])
        for g in groups:
            if len(g) > 1:
                for i, c in enumerate(g):
                    c.members, c.index = g, i

    def _items(self, phrase: str) -> list[str]:
        """The items of a list phrase (A、B和C), with the head they share given to each:
        刑事、治安案件 -> 刑事案件、治安案件; 电诈警情、案件 -> 电诈警情、电诈案件;
        食品安全、安全生产领域公益诉讼案件 -> 食品安全领域公益诉讼案件、..."""
        # Items are split at 、 first; 和, 及 and 与 join items only where 、 gives none
        # (电诈及关联犯罪警情、案件 is two items, 公众安全感和执法满意度 two as well).
        items = (
            [p for p in phrase.split("、") if p]
            if "、" in phrase
            else [p for p in _LIST_SEP.split(phrase) if p]
        )
        if len(items) < 2:
            return items
        # Each item is a phrase of its own: 在2020年、2021年连续两年... keeps what the last says.
        bare = [self._tail.sub("", self._lead.sub("", it)) for it in items]
        if any(bare) and not all(bare):
            # 2013年、2014年、2015年刑事发案同比分别下降...: a list of periods, not of things; the
            # figures are all of the one thing named.
            items = [b for b in bare if b]
            if len(items) < 2:
                return items
        else:
            items = [b or it for b, it in zip(bare, items, strict=True)]
        last = items[-1]
        for head in self._list_heads:
            k = last.find(head)
            if k > 0:
                shared = last[k:]
                return [it if it.endswith(shared) else it + shared for it in items[:-1]] + [last]
        for suffix in self._list_suffixes:
            if last.endswith(suffix) and len(last) > len(suffix):
                # an item with a measure of its own keeps it (刑事案件发案数、治安案件受理数)
                return [
                    it if any(it.endswith(x) for x in self._list_suffixes) else it + suffix
                    for it in items[:-1]
                ] + [last]
        first = items[0]
        for suffix in self._list_suffixes:
            if first.endswith(suffix) and len(first) > len(suffix):
                stem = first[: -len(suffix)]
                return [first] + [stem + it if it in self._list_bare else it for it in items[1:]]
        return items

    def _enumeration(self, phrase: str) -> bool:
        """Whether a phrase is examples and their head, A、B…等X: one unit, not a list."""
        k = phrase.rfind("等")
        return 0 < phrase.find("、") < k < len(phrase) - 2 and not self._cut_keep.match(phrase, k)

    def _nouns_only(self, items: list[str]) -> bool:
        """Whether a list names things (反邪教信息员、联络员), not acts (建成县、乡...)."""
        return len(items) > 1 and all(
            2 <= len(it) <= 12 and not self._verb_start.match(it) and not _ORDINAL_END.search(it)
            for it in items
        )

    # -- assignment ------------------------------------------------------------
    def assign(self, doc: Document, chosen: list[Candidate]) -> None:
        """Set ``fields['subject']`` of every numeric or ranking candidate (in text order)."""
        text = doc.text
        self.mark_lists(text, chosen)
        list_items: dict[int, list[str]] = {}
        aliases = self._aliases(doc)
        unranked: list[Candidate] = []  # rankings that name no measure of their own
        # figures that go with the one before: a remark in brackets (81件(积案12件)), the people
        # of a pair (71件91人)
        asides: set[int] = set()
        prev: Candidate | None = None
        done: list[Candidate] = []  # figures of the current sentence, in order
        consumed = 0  # end of the noun phrase the previous figure took from after itself
        for c in chosen:
            kind = c.rule.kind
            if kind == "honour":
                c.fields.setdefault("subject", self._recipient(text, c))
                continue
            if prev is not None and any(ch in self.sentence_end for ch in text[prev.mend : c.mstart]):
                done = []
            if c.fields.get("subject"):
                prev = c
                done.append(c)
                continue
            floor = max(prev.mend if prev is not None else 0, consumed)
            same_sentence = prev is not None and bool(done)
            if c.members is not None:
                before_list = (
                    (prev.fields.get("subject") or "") if prev is not None and prev not in c.members else ""
                )
                subject = self._list_subject(
                    doc, c, c.members, c.index, done, floor, list_items, before_list, aliases
                )
                if subject is not None:
                    c.fields["subject"] = self._clean(subject) if subject else None
                    prev = c
                    done.append(c)
                    continue
            raw_before = self._before(text, c.mstart, floor, lists=True)
            if self._enumeration(raw_before):
                whole = ""  # 交通、市政、能源等工程建设领域职务犯罪: one phrase, its head after 等
            elif "、" in raw_before:
                items = self._items(self._trim(raw_before, doc, c.mstart - len(raw_before), limit=False))
                whole = "、".join(items) if self._nouns_only(items) else ""
                raw_before = self._before(text, c.mstart, floor)
            else:
                whole = ""
            before = self._trim(raw_before, doc, c.mstart - len(raw_before))
            if whole and len(whole) > len(before) and before and whole.endswith(before):
                before = whole  # 反邪教信息员、联络员1680人: the list is what is counted
            subject = ""
            base = self._base.search(raw_before)
            if base and not self._trim(raw_before[: base.start()]):
                # 比2012年的5453起, 较上年同期15060起: the base's value of what the sentence
                # measures (the figure before it, else the clause before).
                subject = (prev.fields.get("subject") or "") if same_sentence and prev is not None else ""
                if not subject:
                    subject = self._previous_clause(text, c.mstart - len(raw_before), floor, doc)
                before = ""
            pair = self._pair(text, c, prev) if not subject else None
            if pair is not None:
                subject = pair
                asides.add(id(c))
            if not subject and kind in ("percent", "money") and text[c.mend : c.mend + 1] == "的":
                # 92%的矛盾纠纷在一审程序中化解, 300万元的法律援助经费: what follows is measured.
                subject = self._of_phrase(text, c.mend + 1)
                k = raw_before.rfind("以")
                if (not subject or subject in self._attributes) and k >= 0:
                    # 以公众安全感满意度99.3%的成绩: the measure is named after 以.
                    subject = self._trim(raw_before[k + 1 :], doc, c.mstart - len(raw_before) + k + 1)
            if not subject and kind == "money":
                after = self._after(text, c.mend, money=True)
                if after and len(after) >= 3:
                    subject = after  # 75万元法律援助办案补助款
            if raw_before[:1] in "(（":
                asides.add(id(c))
            if not subject and raw_before[:1] in "(（" and done:
                # 81件(积案12件): a part of the figure before the parenthesis.
                obj = self._object(done[-1])
                inner = self._trim(raw_before[1:])
                part = self._part.match(inner)
                if part and len(inner) - part.end() >= 2:
                    # 5727件(含旧存172件), (含逃犯80多名): the part named after 含.
                    subject = inner[part.end() :]
                    if len(subject) <= 2 and obj.endswith("案件") and c.fields.get("unit") in _CASE_UNITS:
                        subject += "案件"
                elif obj and inner:
                    subject = obj + inner
            if not subject and kind == "count":
                after = self._after(text, c.mend)
                said = self._said_of_units(text, c.mend, after)
                if said:
                    subject, after = said, ""
                if after and (
                    len(before) <= 2 or self._verb_only.match(before) or self._ends_open.search(raw_before)
                ):
                    subject = after
                    consumed = text.find(after, c.mend) + len(after)
                elif after and len(after) >= 2 and not before:
                    subject = after
            if not subject and self._verb_only.match(before) and done:
                # 排查出一般民事纠纷452件，调处452件: the verb acts on the previous figure's object
                # (not on a remark in brackets: 受理案件3100件(含旧存240件)，审结2950件).
                main = [d for d in done if id(d) not in asides]
                obj = self._object(main[-1]) if main else ""
                if obj:
                    subject = before + obj
            if not subject and before in self._attributes:
                # 标的额1585.7亿元 after 审结金融纠纷案件6.3万件: that thing's 标的额; 成绩99.4%
                # after a clause naming the survey: the survey's 成绩.
                obj = self._object(done[-1]) if done else ""
                if not obj:
                    obj = self._previous_clause(text, c.mstart - len(raw_before), floor, doc)
                if obj:
                    subject = obj + before
            if not subject and before and self._agent.regex.fullmatch(before):
                # 满意度：公安局97.3%，法院98.7%: an organ under a heading measure is measured by it.
                measure = self._heading_measure(doc, c.mstart - len(raw_before))
                if measure:
                    subject = before + measure
            if not subject and prev is not None and self._only_place(doc, raw_before, c.mstart):
                # 全国共命名示范市60个，其中河南省2个; 其中天长市上升25.95个百分点: the same measure.
                subject = prev.fields.get("subject") or ""
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
            if (
                not subject
                and same_sentence
                and prev is not None
                and (not self._compare.search(raw_before) or not self._compare.sub("", raw_before).strip())
            ):
                # Nothing of its own before the figure (执结案件15748件，同比上升10.92%;
                # 化解率达94.6%，位居全省前列): it measures what the previous figure measured.
                subject = prev.fields.get("subject") or ""
                if subject and kind == "ranking" and prev.rule.kind == "change" and prev.fields.get("value"):
                    # The rank of a change is the rank of its size: 刑事警情降幅.
                    subject += "降幅" if prev.fields["value"] < 0 else "增幅"
            if not subject:
                subject = self._previous_clause(text, c.mstart - len(raw_before), floor, doc)
            if kind in ("count", "money") and subject:
                subject = self._averaged(raw_before, subject, before, prev if same_sentence else None)
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
            if kind == "ranking" and (
                not self._is_measure(subject) or self._only_place(doc, raw_before, c.mstart, named=True)
            ):
                # 在全省群众安全感调查中，我市位居第一; 4个县市区进入全省前10名: a rank is of a
                # measure, named by the ranking its sentence speaks of, else by a figure after it.
                pool = self._pool_measure(doc, c.mstart)
                if pool:
                    subject = pool
                elif not before:
                    unranked.append(c)
            c.fields["subject"] = self._clean(subject) if subject else None
            prev = c
            done.append(c)
        for c in unranked:
            # 排名全省第一的某市以公众安全感满意度99.3%的成绩...: the measure of the same sentence.
            _, se = doc.sentence(c.mstart)
            for d in chosen:
                if (
                    c.mend <= d.mstart < se
                    and d.rule.kind != "honour"
                    and self._is_measure(d.fields.get("subject") or "")
                ):
                    c.fields["subject"] = d.fields["subject"]
                    break

    def _said_of_units(self, text: str, end: int, after: str) -> str:
        """有10个设区市超过全省平均指数, 4个县市区进入全省前10名: units counted by what is said of
        them, named as that, then the unit (超过全省平均指数的设区市); "" when the figure just
        counts units."""
        j = end
        while j < len(text) and text[j] in _QUOTES:
            j += 1
        unit = self._unit.match(text, j)
        if unit is None or not after.startswith(unit.group()):
            return ""
        k = unit.end()
        if not (self._unit_predicate.match(text, k) or self._verb_start.match(text[k : k + 6])):
            return ""
        stop = k
        while stop < len(text) and stop - k < _MAX_SUBJECT and text[stop] not in self.boundary:
            stop += 1
        if stop < len(text) and text[stop] not in self.boundary:
            return ""  # too long to be a name
        said = text[k:stop].removeprefix("的").replace("了", "")
        said = said.strip(_QUOTES + " ")
        return f"{said}的{unit.group()}" if len(said) >= 2 else ""

    def _averaged(self, raw_before: str, subject: str, before: str, prev: Candidate | None) -> str:
        """A daily or monthly average names its figure (全年接警3.6万起，日均98起 -> 日均接警), and
        a short parallel clause after one is an average too (平均每天接警140起，处警30起)."""
        own = None
        for m in self._average.finditer(raw_before):
            own = m
        if own is not None:
            word = own.group()
            return subject if word in subject else word + subject
        last = (prev.fields.get("subject") or "") if prev is not None else ""
        m = self._average.match(last)
        if m and before and subject == before and len(before) <= 4 and not self._average.search(subject):
            return m.group() + subject
        return subject

    def _heading_measure(self, doc: Document, start: int) -> str:
        """The measure a colon heads in the same paragraph (政法机关满意度：公安局...；法院...),
        without the organ it names as a whole; "" when there is none."""
        text = doc.text
        lo = max(0, start - _MAX_LIST)
        k = max(text.rfind("：", lo, start), text.rfind(":", lo, start))
        if k < 0 or any(ch in "。！？!?\n" for ch in text[k:start]):
            return ""
        raw = self._before(text, k, lo)
        measure = self._trim(raw, doc, k - len(raw))
        organ = self._agent.match(measure)
        if organ is not None and len(measure) - organ.end() >= 2:
            measure = measure[organ.end() :]
        return measure if self._measure_end.search(measure) else ""

    def _is_measure(self, subject: str | None) -> bool:
        """Whether a phrase names a measure (安全感, 破案率, 立案数), not only what is measured."""
        return bool(subject) and self._measure_end.search(subject) is not None

    def _pool_measure(self, doc: Document, start: int) -> str:
        """The measure of the ranking a sentence speaks of before ``start`` (在全省群众安全感调查
        中, 全省100个县市区群众安全感和满意率排名中), without the pool and the rank word."""
        ss, _ = doc.sentence(start)
        found = None
        for m in self._pool.finditer(doc.text, ss, start):
            found = m
        if found is None:
            return ""
        measure = self._rank_word_end.sub("", found.group("measure"))
        return self._trim(measure) if len(measure) >= 2 else ""

    def _of_phrase(self, text: str, start: int) -> str:
        """The phrase after ``N%的`` to the clause end: 群众认为“治安好于去年” reads as
        认为治安好于去年的群众 (who said so is what is measured)."""
        end = start
        hi = min(len(text), start + 30)
        while end < hi and text[end] not in self.boundary:
            end += 1
        phrase = "".join(ch for ch in text[start:end] if ch not in _QUOTES)
        rank = self._rank_predicate.search(phrase)
        if rank:
            phrase = phrase[: rank.start()]  # 96.9%的满意度排名第一: the measure, not its rank
        m = _SAID.match(phrase)
        if m:
            phrase = m.group("verb") + m.group("what") + "的" + m.group("who")
        return phrase if len(phrase) >= 2 else ""

    def _only_place(self, doc: Document, raw: str, end: int, named: bool = False) -> bool:
        """Whether a phrase names only a place (其中河南省): it says whose share a figure is
        (``named``: it does name one, it is not only lead words)."""
        start = end - len(raw)
        rest = raw
        for m in doc.places_in(start, end):
            rest = rest.replace(doc.text[m.start : m.end], "")
        rest = self._level.sub("", rest)
        place = rest != raw
        rest = self._lead.sub("", rest)
        if place:
            rest = self._tail.sub("", rest)  # 全州为: the level word and its link
        rest = rest.strip(_QUOTES + " 、")
        return rest != raw and not rest and (place or not named)

    def _object(self, c: Candidate) -> str:
        """What a figure's subject counts, without the verb that opens it."""
        subject = c.fields.get("subject") or ""
        v = self._verb_start.match(subject)
        rest = subject[v.end() :] if v else subject
        return rest if len(rest) >= 2 else ""

    def _pair(self, text: str, c: Candidate, prev: Candidate | None) -> str | None:
        """受理案件71件91人: the second figure of a pair counts the people of the first's cases."""
        if (
            prev is None
            or c.rule.kind != "count"
            or prev.rule.kind != "count"
            or text[prev.mend : c.mstart].strip() not in ("", "、")
            or prev.fields.get("unit") not in _CASE_UNITS
            or c.fields.get("unit") not in _PEOPLE_UNITS
        ):
            return None
        first = prev.fields.get("subject") or ""
        if not first:
            return None
        for tail in ("案件", "案"):
            if first.endswith(tail) and len(first) > len(tail) + 1:
                return first[: -len(tail)] + "人数"
        return first

    def _list_subject(
        self,
        doc: Document,
        c: Candidate,
        group: list[Candidate],
        index: int,
        done: list[Candidate],
        floor: int,
        cache: dict[int, list[str]],
        before_list: str,
        aliases: dict[str, list[str]],
    ) -> str | None:
        """The subject of the ``index``-th figure of a list; None when the list gives none."""
        text = doc.text
        head = group[0]
        items = cache.get(id(head))
        if items is None:
            raw = self._before(text, head.mstart, floor if index == 0 else 0, lists=True)
            raw_start = head.mstart - len(raw)
            raw = self._respectively.sub("", raw)
            if self._only_place(doc, raw.replace("、", ""), head.mstart) or self._only_place(
                doc, raw, head.mstart
            ):
                # 其中天长市、定远县同比分别上升x、y: the places' share of what came before.
                cache[id(head)] = [before_list] * len(group)
                return before_list or None
            items = self._items(self._trim(raw, doc, head.mstart - len(raw), limit=False))
            items = [it[-_MAX_SUBJECT:] for it in items]
            if len(items) == 1 and aliases:
                # 全市“三率”分别为a、b、c: the names the short name stands for, in order.
                items = self._expand(doc, items[0], raw, raw_start, aliases) or items
            if len(items) <= 1 and not "".join(items).strip():
                # ...6.3万件，标的额1585.7亿元，比上年分别上升39.6%、87.7%: the figures before it.
                before = [d for d in done if d not in group]
                if len(before) >= len(group):
                    items = [d.fields.get("subject") or "" for d in before[len(before) - len(group) :]]
            cache[id(head)] = items
        if len(items) == len(group):
            return items[index]
        if items:
            return items[-1] if index > 0 else items[0] if len(items) == 1 else "、".join(items)
        return None

    def _aliases(self, doc: Document) -> dict[str, list[str]]:
        """Short names given to a list of measures (安全感满意率、知晓率、参与率(简称“三率”)):
        each short name with the names it stands for, in order."""
        out: dict[str, list[str]] = {}
        for m in self._alias.finditer(doc.text):
            raw = self._before(doc.text, m.start(), 0, lists=True)
            items = self._items(self._trim(raw, doc, m.start() - len(raw), limit=False))
            if len(items) >= 2:
                out[m.group("alias")] = [it[-_MAX_SUBJECT:] for it in items]
        return out

    def _expand(
        self, doc: Document, item: str, raw: str, start: int, aliases: dict[str, list[str]]
    ) -> list[str] | None:
        """The names a short name stands for, when an item is that name, maybe after the place
        whose figures they are (婺城区“三率”); ``raw`` is the text at ``start`` it came from."""
        bare = "".join(ch for ch in item if ch not in _QUOTES)
        for alias, names in aliases.items():
            k = raw.rfind(alias)
            if bare.endswith(alias) and k > 0 and self._only_place(doc, raw[:k], start + k):
                return names
            if bare == alias:
                return names
        return None


def _has_open_paren(s: str) -> bool:
    return s.count("(") + s.count("（") > s.count(")") + s.count("）")
