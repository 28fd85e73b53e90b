"""Subjects of figures (govextract/subject.py): the noun phrase a figure counts or measures,
on sentences written for these tests in the genre's language (each also in traditional script)."""

from __future__ import annotations

import pytest

from govextract.engine import Extractor


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _subjects(extractor: Extractor, text: str, script: str) -> dict[str, str | None]:
    """Each record's anchor text (in simplified script) with its subject."""
    from govextract.normalize import to_simplified

    source = _traditional(text) if script == "trad" else text
    return {to_simplified(r.text): r.subject for r in extractor.run(source, "-").records}


SCRIPTS = pytest.mark.parametrize("script", ["simp", "trad"])


@SCRIPTS
def test_particles_and_court_words_do_not_open_a_subject(extractor, script):
    page = (
        "某县法院工作\n\n"
        "今年，东平县的群众满意度为95.2%。全院受理民商事案件820件，执结610件。"
        "我院上半年发回重审案件6件。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["95.2%"] == "群众满意度"
    assert got["820件"] == "民商事案件"
    assert got["610件"] == "执结民商事案件"
    assert got["6件"] == "发回重审案件"


@SCRIPTS
def test_a_comparison_base_takes_what_the_sentence_measures(extractor, script):
    page = (
        "某区公安工作\n\n"
        "全区盗窃警情连续三年下降，比2018年的3120起下降了40.2%。"
        "全年共受理行政案件2200起，较上年同期2480起下降11.3%。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["3120起"] == "盗窃警情"
    assert got["下降了40.2%"] == "盗窃警情"
    assert got["2480起"] == "行政案件"
    assert got["下降11.3%"] == "行政案件"


@SCRIPTS
def test_level_words_before_a_figure_say_whose_figure_it_is(extractor, script):
    page = "某县平安建设\n\n2021年群众满意度全国为90.5%、全省为93.1%、全州为94.4%、东平县为95.6%。\n"
    got = _subjects(extractor, page, script)
    for figure in ("90.5%", "93.1%", "94.4%", "95.6%"):
        assert got[figure] == "群众满意度", figure


@SCRIPTS
def test_examples_before_deng_are_one_phrase_with_their_head(extractor, script):
    page = (
        "某市检察工作\n\n"
        "立案侦查水利、教育、医疗等民生领域职务犯罪42件51人。"
        "起诉侵犯著作权、商标权等案件18件25人。"
        "严肃查处土地出让、项目审批等环节受贿犯罪12件。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["42件"] == "民生领域职务犯罪"
    assert got["51人"] == "民生领域职务犯罪"
    assert got["18件"] == "侵犯著作权、商标权等案件"
    assert got["25人"] == "侵犯著作权、商标权等人数"
    assert got["12件"] == "土地出让、项目审批等环节受贿犯罪"


@SCRIPTS
def test_a_short_name_stands_for_the_measures_it_was_given_to(extractor, script):
    page = (
        "某市平安建设\n\n"
        "全省群众安全感、政法满意度、平安知晓率(以下简称“三项指标”)分别为97.1%、95.4%、88.2%，"
        "全市“三项指标”分别为97.5%、96.0%、89.3%，东平县“三项指标”分别为98.1%、96.6%、90.2%，"
        "分别位列全市第二、第三、第五。\n"
    )
    got = _subjects(extractor, page, script)
    for figures in (("97.5%", "96.0%", "89.3%"), ("98.1%", "96.6%", "90.2%"), ("全市第二", "第三", "第五")):
        assert [got[f] for f in figures] == ["群众安全感", "政法满意度", "平安知晓率"], figures


@SCRIPTS
def test_a_rank_is_of_the_measure_its_sentence_names(extractor, script):
    page = (
        "某省平安建设测评\n\n"
        "全省9个设区市中，北山市以97.12%的满意度排名第一。"
        "在县(市、区)排名中，上年度排名全省第二的东平县以群众安全感指数98.05%的成绩继续排名榜首。"
        "在全省85个县市区平安建设考评中，泰安市有3个县市区进入全省前10名，其中东平县、宁阳县分列全省第一、第四。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["97.12%"] == "满意度"
    assert got["第一"] == "满意度"
    assert got["全省第二"] == "群众安全感指数"
    assert got["98.05%"] == "群众安全感指数"
    assert got["前10名"] == "平安建设考评"
    assert got["全省第一"] == "平安建设考评"
    assert got["第四"] == "平安建设考评"


@SCRIPTS
def test_organs_procedures_and_remarks_are_not_what_is_counted(extractor, script):
    page = (
        "某县法院工作报告\n\n"
        "2021年，东平法院受理民事案件3100件(含旧存240件)，审结2950件。"
        "经审查后批准逮捕72件95人。全年缴获各类毒品12千克，抓获各类违法犯罪人员310人(含逃犯16名)。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["3100件"] == "民事案件"
    assert got["240件"] == "旧存案件"
    assert got["2950件"] == "审结民事案件"
    assert got["72件"] == "批准逮捕"
    assert got["12千克"] == "各类毒品"
    assert got["310人"] == "违法犯罪人员"
    assert got["16名"] == "逃犯"


@SCRIPTS
def test_money_names_a_fund_and_a_qualifier_stays_in_the_name(extractor, script):
    page = (
        "某县司法局工作\n\n"
        "全年投入180万元调解室建设专项资金。破获128起财产损失20万元以上案件。"
        "“大家辛苦了！”西岭警方去年拦截诈骗电话4200个。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["180万元"] == "调解室建设专项资金"
    assert got["128起"] == "财产损失20万元以上案件"
    assert "20万元" not in got
    assert got["4200个"] == "诈骗电话"


@SCRIPTS
def test_a_list_of_years_is_not_a_list_of_things(extractor, script):
    page = "某县平安建设\n\n2019年、2020年、2021年刑事发案同比分别下降12%、8.5%和3.2%。\n"
    got = _subjects(extractor, page, script)
    assert [got[f] for f in ("同比分别下降12%", "8.5%", "3.2%")] == ["刑事发案"] * 3


@SCRIPTS
def test_a_daily_average_names_its_figure_and_the_parallel_clause(extractor, script):
    page = (
        "某市110工作\n\n"
        "2020年，全市110共接报各类警情36000起，日均98起。"
        "全年接报警5万余起，处警1万余起，平均每天接报警140余起，处警30余起。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["98起"] == "日均接报各类警情"
    assert got["1万余起"] == "处警"
    assert got["140余起"] == "平均每天接报警"
    assert got["30余起"] == "平均每天处警"


@SCRIPTS
def test_organs_under_a_heading_measure_and_an_organ_that_acts(extractor, script):
    page = (
        "某县政法工作\n\n"
        "2020年，全县政法机关满意度为97.8%，全州第3位。"
        "政法机关满意度：公安局96.5%，全州第6位；法院98.1%，全州第2位。"
        "全县公安局破获刑事案件300起。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["97.8%"] == "政法机关满意度"
    assert got["96.5%"] == got["全州第6位"] == "公安局满意度"
    assert got["98.1%"] == got["全州第2位"] == "法院满意度"
    assert got["300起"] == "刑事案件"


@SCRIPTS
def test_units_counted_by_what_is_said_of_them(extractor, script):
    page = (
        "某省平安建设测评\n\n"
        "全省11个设区市中，有9个设区市的安全感在96%以上，其中7个设区市超过全省平均指数。"
        "南山市有3个县市区进入全省前10名。全国共有50个市县被授予“长安杯”。"
        "全县12个司法所建成了公共法律服务站。全市共有32个乡镇。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["9个"] == "安全感在96%以上的设区市"
    assert got["7个"] == "超过全省平均指数的设区市"
    assert got["3个"] == "进入全省前10名的县市区"
    assert got["50个"] == "被授予长安杯的市县"
    assert got["12个"] == "建成公共法律服务站的司法所"
    assert got["32个"] == "乡镇"


@SCRIPTS
def test_a_wrapped_line_does_not_end_a_phrase(extractor, script):
    page = (
        "某市信访工作\n\n"
        "【概况】 2015年，市信访局接待群众来访1500起9000人次，比上年分别下降12%和8%；处理群众\n"
        "来信2800件，上升20%；受理网上信访1900件。\n"
    )
    got = _subjects(extractor, page, script)
    assert got["2800件"] == "群众来信"
    assert got["1900件"] == "网上信访"
