"""Figures as the genre writes them, through the whole engine: each sentence (our own
words) gives the record with the exact value, in simplified script and converted to
traditional script; the sentences of NOT_METRICS give no record over their figure."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import pytest

from govextract import extract
from govextract.numerals import exact

D = Decimal


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    return _s2t().convert(text)


# (category, sentence, kind, anchor text, value, unit, approx)
CASES = [
    # Arabic digits with several scale words are read whole, never their tail.
    ("mixed", "排查隐患5万4千6百处。", "count", "5万4千6百处", 54600, "处", False),
    ("mixed", "受理咨询3万4000件。", "count", "3万4000件", 34000, "件", False),
    ("mixed", "覆盖群众2千零30万人。", "count", "2千零30万人", 20300000, "人", False),
    ("mixed", "化解纠纷1千零1起。", "count", "1千零1起", 1001, "起", False),
    ("mixed", "财政收入4.6亿元。", "money", "4.6亿元", 460000000, "元", False),
    # Chinese decimals before a scale word.
    ("decimal", "化解纠纷十二点五万起。", "count", "十二点五万起", 125000, "起", False),
    ("decimal", "投入资金二十三点四五亿元。", "money", "二十三点四五亿元", 2345000000, "元", False),
    ("decimal", "抽检样品二点五吨。", "count", "二点五吨", D("2.5"), "吨", False),
    ("decimal", "抽检样品零点五吨。", "count", "零点五吨", D("0.5"), "吨", False),
    ("decimal", "抽检样品.5吨。", "count", ".5吨", D("0.5"), "吨", False),
    # Financial numerals.
    ("financial", "受理来信拾六万零五百零六件。", "count", "拾六万零五百零六件", 160506, "件", False),
    ("financial", "调解纠纷叁万肆仟伍佰陆拾柒起。", "count", "叁万肆仟伍佰陆拾柒起", 34567, "起", False),
    ("financial", "发放补助肆佰陆拾元。", "money", "肆佰陆拾元", 460, "元", False),
    # 两, 〇/零, 廿卅卌, 兆, 万万.
    ("two", "培训网格员两千四百人。", "count", "两千四百人", 2400, "人", False),
    ("zero", "清理积案〇件。", "count", "〇件", 0, "件", False),
    ("zero", "建成学校二百零八所。", "count", "二百零八所", 208, "所", False),
    ("tens", "排查隐患廿处。", "count", "廿处", 20, "处", False),
    ("tens", "排查隐患卅三处。", "count", "卅三处", 33, "处", False),
    ("tens", "走访群众一万零卌户。", "count", "一万零卌户", 10040, "户", False),
    ("scale", "资产总额五兆六十二亿元。", "money", "五兆六十二亿元", 5006200000000, "元", False),
    ("scale", "覆盖人口四万万人。", "count", "四万万人", 400000000, "人", False),
    # Abbreviations.
    ("abbreviation", "培训干部一万三千人次，办理一万三件。", "count", "一万三件", 13000, "件", False),
    ("abbreviation", "调解百二万起纠纷。", "count", "百二万起", 1200000, "起", False),
    ("abbreviation", "发放手册千一本。", "count", "千一本", 1100, "本", False),
    # 几, 余, 多.
    ("approx", "新增网格员二十几万人。", "count", "二十几万人", 200000, "人", True),
    ("approx", "服务群众千余人次。", "count", "千余人次", 1000, "人次", True),
    ("approx", "财政收入二十五亿七千多万元。", "money", "二十五亿七千多万元", 2570000000, "元", True),
    ("approx", "减轻负担4万多亿元。", "money", "4万多亿元", 4000000000000, "元", True),
    # 半.
    ("half", "查获冻品一吨半。", "count", "一吨半", D("1.5"), "吨", False),
    ("half", "收缴毒品十五斤半。", "count", "十五斤半", D("15.5"), "斤", False),
    # Signs.
    ("sign", "企业利润率-22.2%。", "percent", "-22.2%", D("-22.2"), "%", False),
    ("sign", "企业负债率负3.9%。", "percent", "负3.9%", D("-3.9"), "%", False),
    ("sign", "工业增速为-3.9%。", "change", "增速为-3.9%", D("-3.9"), "%", False),
    ("sign", "浓度在5-20%之间。", "percent", "20%", 20, "%", False),
    # Currency words.
    ("currency", "募集善款人民币3.14亿元。", "money", "人民币3.14亿元", 314000000, "元", False),
    ("currency", "捐赠3.14人民币。", "money", "3.14人民币", D("3.14"), "元", False),
    ("currency", "罚款￥300。", "money", "￥300", 300, "元", False),
    ("currency", "吸引外资1200万美元。", "money", "1200万美元", 12000000, "美元", False),
    ("currency", "每股1.95港元。", "money", "1.95港元", D("1.95"), "港元", False),
    ("currency", "追缴赃款56万，", "money", "56万", 560000, "元", False),
    # Units that begin with a scale character.
    ("unit", "缴获毒品六十二点五千克。", "count", "六十二点五千克", D("62.5"), "千克", False),
    ("unit", "巡逻里程12千米。", "count", "12千米", 12, "千米", False),
    ("unit", "装机容量3.5万千瓦。", "count", "3.5万千瓦", 35000, "千瓦", False),
    ("unit", "新建电站10兆瓦。", "count", "10兆瓦", 10, "兆瓦", False),
    # Lone digits where the context measures.
    ("lone", "全年办理案件两件。", "count", "两件", 2, "件", False),
    ("lone", "抓获犯罪嫌疑人一名。", "count", "一名", 1, "名", False),
    ("lone", "先后打掉两个涉黑团伙。", "count", "两个", 2, "个", False),
    ("lone", "全年共发生命案一起。", "count", "一起", 1, "起", False),
    # Hotline codes only as names: with a unit they are figures.
    ("hotline", "执行到位率120%。", "percent", "120%", 120, "%", False),
    ("hotline", "执行到位率百分之110。", "percent", "百分之110", 110, "%", False),
    ("hotline", "改造道路110公里。", "count", "110公里", 110, "公里", False),
    ("hotline", "调运物资119吨。", "count", "119吨", 119, "吨", False),
    ("hotline", "每人补助120元。", "money", "120元", 120, "元", False),
    # A figure opening a wrapped line.
    ("wrapped", "全年受理案件\n2.3万件。", "count", "2.3万件", 23000, "件", False),
    # 成 and per mille.
    ("rate", "矛盾纠纷占九成。", "percent", "九成", 90, "%", False),
    ("rate", "群众满意度达7.2成。", "percent", "7.2成", 72, "%", False),
    ("rate", "七成以上的案件当月办结。", "percent", "七成以上", 70, "%", True),
    ("rate", "发案率为千分之2.4。", "percent", "千分之2.4", D("0.24"), "%", False),
    ("rate", "万人成讼率为万分之12.4。", "percent", "万分之12.4", D("0.124"), "%", False),
    # Changes.
    ("change", "刑事案件同比减少45起。", "change", "同比减少45起", -45, "起", False),
    ("change", "受理案件较上年增加3.5万件。", "change", "较上年增加3.5万件", 35000, "件", False),
    ("change", "奖励金同比翻了一番。", "change", "翻了一番", 100, "%", False),
    ("change", "电诈警情同比下降两成。", "change", "同比下降两成", -20, "%", False),
    ("change", "市场份额比上年提高2个多百分点。", "change", "提高2个多百分点", 2, "百分点", True),
]


def _find(text: str, kind: str, anchor: str):
    records = extract(text)
    return [r for r in records if r.kind == kind and r.text == anchor], records


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize(
    ("category", "text", "kind", "anchor", "value", "unit", "approx"),
    CASES,
    ids=[f"{c[0]}:{c[3]}" for c in CASES],
)
def test_figure_gives_its_exact_value(script, category, text, kind, anchor, value, unit, approx):
    if script == "traditional":
        text, anchor = traditional(text), traditional(anchor)
    hits, records = _find(text, kind, anchor)
    assert len(hits) == 1, [(r.kind, r.text, r.value, r.rule) for r in records]
    r = hits[0]
    assert r.value == exact(value)
    assert type(r.value) is type(exact(value))
    assert r.unit == unit
    assert r.approx is approx


# Texts with a figure-like word that is no metric (or not the one read).
NOT_METRICS = [
    ("一盘棋", "全县上下一盘棋，共同推进平安建设。"),
    ("一把手", "压实一把手责任，落实领导包案。"),
    ("一站式", "打造一站式矛盾纠纷调处中心。"),
    ("两个确立", "坚定拥护两个确立，坚决做到两个维护。"),
    ("一起", "组织干部和群众一起参加义务劳动。"),
    ("一批", "重组整合一批，清理退出一批。"),
    ("一个", "摧毁一个跨境赌博集团。"),
    ("一次", "表彰活动每三年举办一次。"),
    ("110", "拨打110报警，12345热线全天接听。"),
    ("10万人", "每10万人口刑事案件立案数下降。"),
    ("万一", "万一发生险情，千万不要慌张。"),
    ("两三", "辖区两三个村发生过类似纠纷。"),
    ("一成不变", "工作方法一成不变。"),
    ("翻一番", "力争到2030年比2020年翻一番。"),
    ("收拾", "保洁员每天收拾房间，拾起落叶。"),
    ("五百分之二", "误差不超过五百分之二。"),
]


@pytest.mark.parametrize("script", ["simplified", "traditional"])
@pytest.mark.parametrize(("word", "text"), NOT_METRICS, ids=[w for w, _ in NOT_METRICS])
def test_not_a_metric(script, word, text):
    if script == "traditional":
        text, word = traditional(text), traditional(word)
    start = text.index(word)
    end = start + len(word)
    over = [r for r in extract(text) if r.start < end and start < r.end]
    assert over == [], [(r.kind, r.text, r.value, r.rule) for r in over]


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_a_rate_per_population_never_counts_its_base(script):
    text = "每万人发案8.2起，每10万人口立案3.5起。"
    text = traditional(text) if script == "traditional" else text
    assert [(r.value, r.unit) for r in extract(text)] == [(D("8.2"), "起"), (D("3.5"), "起")]


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_fu_inside_a_word_is_no_sign(script):
    text = "减少企业税负5700多亿元，群众减负3亿元。"
    text = traditional(text) if script == "traditional" else text
    assert [r.value for r in extract(text)] == [570000000000, 300000000]


@pytest.mark.parametrize("script", ["simp", "trad"])
def test_lists_and_bounds_seen_on_unseen_pages(script):
    """Round figures as bounds, durations cut, scores, and changes listed after 分别
    whose unit is written once, left out, or joined by an ASCII comma."""
    import opencc

    from govextract.engine import extract

    page = (
        "全院收结案超千件。审理天数同比缩短3.5天。该县测评中获得95.6分。"
        "收案、结案同比分别上升2.5%,3.25%。两项满意度较上年分别上升了0.52、0.31个百分点。"
        "三项指标分别为96.1%、82%、44.5%，分别比上年提高0.5、-1.2、0.8。"
    )
    if script == "trad":
        page = opencc.OpenCC("s2t").convert(page)
    got = [(r.kind, float(r.value), r.unit) for r in extract(page)]
    assert got == [
        ("count", 1000, "件"),
        ("change", -3.5, "天"),
        ("count", 95.6, "分"),
        ("change", 2.5, "%"),
        ("change", 3.25, "%"),
        ("change", 0.52, "百分点"),
        ("change", 0.31, "百分点"),
        ("percent", 96.1, "%"),
        ("percent", 82, "%"),
        ("percent", 44.5, "%"),
        ("change", 0.5, "百分点"),
        ("change", -1.2, "百分点"),
        ("change", 0.8, "百分点"),
    ]
