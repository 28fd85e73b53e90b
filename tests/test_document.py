"""The Document model: articles, datelines, periods, places and subjects, on pages written
for these tests (each also in traditional script), plus floors on the seeds and, when
../shared/dev is beside the repository, on the development set and on a page joining it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import GOLD, ROOT, SEEDS

from govextract.document import Document
from govextract.engine import Extractor
from govextract.evaluate import load_gold, score
from govextract.normalize import normalize
from govextract.ruleset import load_rules

DEV = ROOT.parent / "shared" / "dev"


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


def _run(extractor: Extractor, text: str, script: str) -> list:
    return extractor.run(_traditional(text) if script == "trad" else text, "-").records


def _find(records, fragment: str, script: str):
    want = _traditional(fragment) if script == "trad" else fragment
    hits = [r for r in records if want in r.text]
    assert hits, f"no record with {want!r} in {[r.text for r in records]}"
    return hits[0]


SCRIPTS = pytest.mark.parametrize("script", ["simp", pytest.param("trad", marks=pytest.mark.slow)])


# -- articles ---------------------------------------------------------------------


@SCRIPTS
def test_a_page_of_two_reports_gives_each_its_place_and_date(extractor, script):
    page = (
        "鸡西市平安建设再上台阶\n\n"
        "15.03.2019  09:20\n\n"
        "本报讯 去年，鸡西市共化解矛盾纠纷3200起，群众安全感达到97.1%。\n\n"
        "责任编辑：某某\n\n"
        "武平县公安工作综述\n\n"
        "发布时间：2021-07-02 10:00\n\n"
        "今年上半年，武平县公安局破获刑事案件412起，同比上升6.5%。全县抓获犯罪嫌疑人230人。\n"
    )
    records = _run(extractor, page, script)
    a = _find(records, "3200起", script)
    assert (a.region, a.year) == ("鸡西市", 2018)
    assert _find(records, "97.1%", script).region == "鸡西市"
    b = _find(records, "412起", script)
    assert (b.region, b.year) == ("武平县", 2021)
    assert _find(records, "230人", script).region == "武平县"


@SCRIPTS
def test_a_report_without_headline_turns_the_page_to_its_place(extractor, script):
    page = (
        "大连市公安局通报，全市刑事警情同比下降12.4%。\n\n"
        "据了解，贵阳市公安机关全年破获毒品案件386起，缴获毒品95千克。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "12.4%", script).region == "大连市"
    assert _find(records, "386起", script).region == "贵阳市"


@SCRIPTS
def test_excerpts_cut_short_on_one_page_stay_apart(extractor, script):
    # Excerpts of other pages, each cut off mid-sentence, one after another: a footer, a
    # document title over its 一、, a headline over a text that opens in another province,
    # and a breadcrumb each begin another article; a paragraph cut short is no headline
    # and is not joined to the next across the blank line.
    page = (
        "大同区公安分局2019年工作综述\n\n"
        "2019年，全区共破获刑事案件640起，同比上升8.2%，治安形势持续向好，群众安全感进一步提升，"
        "为下一步工作打下了坚实基础。同时，在不断深化警务改革的基础上，全区各派出所还推行了"
        "社区民警专职化、警务室标准化、巡逻防控网格化、服务群众便利化、信息采集智能\n\n"
        "版权所有：某某融媒体中心\n\n"
        "兴山县人民法院审判执行工作情况\n"
        "一、审判工作\n"
        "本院上半年共受理各类案件1020件，审结968件，结案率94.9%。\n\n"
        "与此同时，全院还开展了诉源治理\n\n"
        "群众满意度居全省前列\n"
        "十多年来，盘州市的夜市一直灯火通明。全市刑事案件发案数逐年下降，今年已下降到1200起。\n\n"
        "当前位置：首页 > 政法动态\n\n"
        "禁毒工作新闻发布会召开\n\n"
        "梅州市禁毒委员会通报，全市全年查获吸毒人员520人。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "640起", script).region == "大同区"
    assert _find(records, "1020件", script).region == "兴山县"
    assert _find(records, "94.9%", script).region == "兴山县"
    assert _find(records, "1200起", script).region == "盘州市"
    assert _find(records, "520人", script).region == "梅州市"


@SCRIPTS
def test_places_listed_as_objects_do_not_turn_the_page(extractor, script):
    page = (
        "临沂市平安建设综述\n\n"
        "全市共化解矛盾纠纷5600件。\n\n"
        "我市主动服务大局，深度对接雄安新区、北京新机场建设，全市新建调解室120个。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "120个", script).region == "临沂市"


@SCRIPTS
def test_headline_and_dateline_periods(extractor, script):
    page = "2019年度平安建设工作总结\n\n全县共排查矛盾纠纷1520件，调处成功率98.2%。\n"
    records = _run(extractor, page, script)
    assert _find(records, "1520件", script).year == 2019
    dated = "某区新闻\n\n26.12.2014  16:29\n\n去年全区受理案件830件，今年以来受理案件912件。\n"
    records = _run(extractor, dated, script)
    assert _find(records, "830件", script).year == 2013
    assert _find(records, "912件", script).year == 2014


@SCRIPTS
def test_relative_years_after_an_annual_meeting(extractor, script):
    page = "记者在日前召开的2016年度综治工作表彰大会上获悉：去年该县共调处纠纷640件。\n"
    assert _find(_run(extractor, page, script), "640件", script).year == 2016


@SCRIPTS
def test_comparison_bases_and_period_starts_are_not_the_year(extractor, script):
    page = (
        "2023年，全省法院共审结案件86万件，较2021年增长12%，在2022年大幅下降的基础上再降3.1%。\n"
        "自2018年7月公益诉讼制度实施以来，共立案办理公益诉讼案件530件。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "增长12%", script).year == 2023
    assert _find(records, "3.1%", script).year == 2023
    assert _find(records, "530件", script).year == 2023  # the period ends in the year reported on


@SCRIPTS
def test_a_year_since_which_counts_is_that_year_without_a_later_one(extractor, script):
    page = "2020年以来，全市共打掉涉黑组织5个。\n"
    assert _find(_run(extractor, page, script), "5个", script).year == 2020


@SCRIPTS
def test_a_source_and_clock_line_dates_the_article(extractor, script):
    page = "某县新闻\n\n某城晚报 2021-04-09 07:45\n\n去年全县调处矛盾纠纷418起，目前已建成调解室27个。\n"
    records = _run(extractor, page, script)
    assert _find(records, "418起", script).year == 2020
    assert _find(records, "27个", script).year == 2021  # 目前 is the time of writing


@SCRIPTS
def test_a_base_figure_takes_the_base_year(extractor, script):
    page = (
        "某市报道\n\n2019年，全市盗窃警情比2015年的3600起下降了42%。"
        "群众满意率由2015年的81.5%上升到2019年的95.2%，矛盾纠纷化解率从87.4%提高到98.6%。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "3600起", script).year == 2015
    assert _find(records, "下降了42%", script).year == 2019
    assert _find(records, "81.5%", script).year == 2015
    assert _find(records, "95.2%", script).year == 2019
    # a change starting from a yearless figure lines up with the sentence's earlier base
    assert _find(records, "87.4%", script).year == 2015
    assert _find(records, "98.6%", script).year == 2019


@SCRIPTS
def test_a_list_of_years_pairs_with_a_respectively_list(extractor, script):
    page = "某县报道\n\n2017年、2018年、2019年，全县破获刑事案件分别为310起、342起、365起。\n"
    records = _run(extractor, page, script)
    assert [_find(records, v, script).year for v in ("310起", "342起", "365起")] == [2017, 2018, 2019]


@SCRIPTS
def test_the_same_year_and_a_period_length(extractor, script):
    page = "某县报道\n\n2016年，全县启动矛盾纠纷大排查。当年排查纠纷520件。\n"
    assert _find(_run(extractor, page, script), "520件", script).year == 2016
    page = "某区报道\n\n2018年以来，全区深化法院改革。四年来，共审结案件2.6万件。\n"
    assert _find(_run(extractor, page, script), "2.6万件", script).year == 2021


@SCRIPTS
def test_this_time_and_an_unanchored_this_year_take_no_year(extractor, script):
    page = (
        "某县新闻\n\n某县平安建设持续推进。\n\n"
        "2016年，该县首次获评“全省综治先进单位”。这次，该县又被评为“全国法治先进县”。\n"
    )
    assert _find(_run(extractor, page, script), "全国法治先进县", script).year is None
    page = "今年上半年全县电诈案件同比下降17%。\n"
    assert _find(_run(extractor, page, script), "下降17%", script).year is None


# -- places -----------------------------------------------------------------------


@SCRIPTS
def test_anaphora_resolve_at_their_level(extractor, script):
    page = "杭州市上城区报道\n\n我区全年受理案件120件。全市破获电诈案件96起。我省群众安全感达98.1%。\n"
    records = _run(extractor, page, script)
    assert _find(records, "120件", script).region == "上城区"
    assert _find(records, "96起", script).region == "杭州市"
    assert _find(records, "98.1%", script).region == "浙江省"


@SCRIPTS
def test_the_clause_names_a_more_specific_place_and_lists_join(extractor, script):
    page = (
        "滁州市报道\n\n"
        "全市群众满意度达96.6%，其中来安县、天长市满意度分别上升2.1个百分点和1.4个百分点，"
        "升幅位居全市前两位。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "96.6%", script).region == "滁州市"
    assert _find(records, "2.1个百分点", script).region == "来安县"
    assert _find(records, "1.4个百分点", script).region == "天长市"
    assert _find(records, "前两位", script).region == "来安县、天长市"


@SCRIPTS
def test_titles_and_venues_are_not_places(extractor, script):
    page = (
        "下城区第九次获得“省级平安区”称号。\n"
        "平安建设表彰大会在北京召开，下城区社区矫正对象重新犯罪率为零，全区刑事发案下降4.2%。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "省级平安区", script).region == "下城区"  # an old name, merged in 2021
    assert _find(records, "4.2%", script).region == "下城区"


@SCRIPTS
def test_units_named_after_a_division_and_national_statements(extractor, script):
    page = "汪清林区法院审判工作\n\n上半年全院收案数共152件。全国共评出示范县120个，其中吉林省5个。\n"
    records = _run(extractor, page, script)
    assert _find(records, "152件", script).region == "汪清林区"
    assert _find(records, "120个", script).region is None
    assert _find(records, "5个", script).region == "吉林省"


@SCRIPTS
def test_short_forms_and_organs_name_their_place(extractor, script):
    # an autonomous prefecture by its short name and 州; a county's short name before an organ
    page = "恩施州平安建设综述\n\n全州调处矛盾纠纷4200起。\n"
    assert _find(_run(extractor, page, script), "4200起", script).region == "恩施土家族苗族自治州"
    page = "岚皋法院全年审结案件612件，市公安局莲湖分局破获盗窃案件57起。\n"
    records = _run(extractor, page, script)
    assert _find(records, "612件", script).region == "岚皋县"
    assert _find(records, "57起", script).region == "莲湖区"
    # a unit's suffix alone before an organ is the unit the page names
    page = "欢迎访问某省汪清林区人民法院\n\n林区法院召开大会\n\n上半年林区法院新收案件96件。\n"
    assert _find(_run(extractor, page, script), "96件", script).region == "汪清林区"
    # far from the places a page names, a short name from another province is no place there
    filler = "各部门坚持问题导向，压实工作责任，推动平安建设工作取得新进展。" * 12
    page = f"南京市公安局年度总结\n\n{filler}\n\n城东分局全年破获案件57起。\n"
    assert _find(_run(extractor, page, script), "57起", script).region == "南京市"
    # an organ word after a common word names no place
    page = "各级法院全年审结案件5100件。\n"
    assert _find(_run(extractor, page, script), "5100件", script).region is None


@SCRIPTS
def test_destinations_visitors_and_places_in_passing_are_not_the_topic(extractor, script):
    # a section that names a place only in passing stays its article's
    page = (
        "嘉兴市公安局全年工作扎实推进。\n"
        "一、维护稳定\n"
        "组织12家成员单位开展演练30次，选派45名警力赴宁波市执行安保任务。\n"
        "二、打击犯罪\n"
        "全市破获刑事案件2100起，民警参加南京市举办的培训班。\n"
    )
    records = _run(extractor, page, script)
    for fragment in ("12家", "30次", "45名", "2100起"):
        assert _find(records, fragment, script).region == "嘉兴市"
    # a body visiting the writer's (到我院调研) is not the article's place; 我院 is the court it names
    page = (
        "3月5日，梅州市中院副院长一行到我院调研执行工作。\n"
        "院长在汇报中介绍，全年结案率达95.2%，执行到位率88.4%。\n"
        "梅州市中院领导认为，平远法院执行工作走在全市前列。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "95.2%", script).region == "平远县"
    assert _find(records, "88.4%", script).region == "平远县"


@SCRIPTS
def test_the_place_a_figure_names_around_it(extractor, script):
    page = (
        "绍兴市越城区司法局报告\n\n"
        "我区已建成4家省级规范化司法所（全市共有7家），调解成功率占全市总量的41.2%。"
        "去年全省100个县市区群众安全感测评中，我区位列全省第9位。"
        "今年群众安全感为97.6%，全市第2位、全省第11位。"
        "中央综治委授予我市“全国综治优秀市”称号，授予诸暨市“全国平安建设先进县”称号。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "4家", script).region == "越城区"
    assert _find(records, "7家", script).region == "绍兴市"  # a level word right before a figure
    assert _find(records, "41.2%", script).region == "越城区"  # the whole it is a share of
    assert _find(records, "100个", script).region == "浙江省"
    assert _find(records, "全省第11位", script).region == "越城区"  # a pool, not a place
    assert _find(records, "全国综治优秀市", script).region == "绍兴市"  # 授予我市
    assert _find(records, "全国平安建设先进县", script).region == "诸暨市"  # the recipient of 授予
    page = (
        "江西省报道\n\n"
        "测评显示，全省11个设区市中，新余市排名第一，吉安市、九江市分列第二、三位。"
        "另有9个设区市满意度在95%以上。"
        "在县级排名中，去年排名全省第一的井冈山市以99.1%的成绩继续排名第一。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "9个", script).region == "江西省"  # no one place of the sentence before
    assert _find(records, "全省第一", script).region == "井冈山市"  # the place the figure describes
    # a province's campaign opening the clause: its figures are the province's
    page = (
        "吴中区新闻\n\n日前，测评结果公布。2021年度“平安江苏”建设群众安全感、满意度分别为97.1%、"
        "95.2%，全市分别为97.5%、96.0%，吴中区分别为98.3%、97.0%。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "95.2%", script).region == "江苏省"
    assert _find(records, "96.0%", script).region == "苏州市"
    assert _find(records, "97.0%", script).region == "吴中区"


@SCRIPTS
def test_a_yearbook_entry_is_one_article_named_by_its_organs(extractor, script):
    # 【概况】 running into its text is a section heading, not a new article; 市委, 市司法局 are
    # the city the entry names (here only in the title of its own rules)
    page = (
        "·司法行政·\n\n"
        "【概况】 2020年，市司法局共办理法律援助案件1523件，同比上升4.2%；开展普法宣传\n"
        "活动320场次，受理群众咨询5600人次。\n"
        "【制度建设】 市委、市政府高度重视法律援助工作，推动出台《江门市法律援助\n"
        "条例实施办法》，全年培训人员410人次。\n\n"
        "2020年12月4日，《广东省法律援助条例》宣传活动（摄影）\n\n"
        "全年新增援助律师36名。\n"
    )
    records = _run(extractor, page, script)
    for fragment in ("1523件", "320场次", "410人次", "36名"):
        assert _find(records, fragment, script).region == "江门市"


@SCRIPTS
def test_a_count_of_divisions_belongs_to_the_place_holding_them(extractor, script):
    page = (
        "江西省报道\n\n"
        "新余市满意度达96.8%，排名全省第一。其中9个设区市满意度在95%以上，该市13个乡镇均达标。\n"
    )
    records = _run(extractor, page, script)
    assert _find(records, "96.8%", script).region == "新余市"
    assert _find(records, "9个", script).region == "江西省"  # prefectures are counted by a province
    assert _find(records, "13个", script).region == "新余市"
    # a division word qualifying something else (县级, 县直) counts no divisions
    page = "永新县报道\n\n永新县建成4个县级调解中心，组织11个县直单位开展联合接访。\n"
    records = _run(extractor, page, script)
    assert _find(records, "4个", script).region == "永新县"
    assert _find(records, "11个", script).region == "永新县"


# -- subjects ---------------------------------------------------------------------


@SCRIPTS
def test_list_subjects_map_in_order(extractor, script):
    page = "全区盗窃、诈骗案件同比分别下降12.5%、8.4%；全省交通、火灾事故分别下降3.3%和2.2%。\n"
    records = _run(extractor, page, script)
    assert _find(records, "12.5%", script).subject == "盗窃案件"
    assert _find(records, "8.4%", script).subject == "诈骗案件"
    assert _find(records, "3.3%", script).subject == "交通事故"
    assert _find(records, "2.2%", script).subject == "火灾事故"


@SCRIPTS
def test_pairs_of_cases_and_people(extractor, script):
    page = "上半年共受理审查起诉案件420件516人，同比分别下降3.1%、5.6%。\n"
    records = _run(extractor, page, script)
    assert _find(records, "420件", script).subject == "审查起诉案件"
    assert _find(records, "516人", script).subject == "审查起诉人数"
    assert _find(records, "3.1%", script).subject == "审查起诉案件"
    assert _find(records, "5.6%", script).subject == "审查起诉人数"


@SCRIPTS
def test_subjects_drop_the_agent_and_never_cross_a_headline(extractor, script):
    page = "平安建设综述\n\n漳州市公安局全年破获各类刑事案件1260起，同比下降4.4%。市法院审结案件3600件。\n"
    records = _run(extractor, page, script)
    assert _find(records, "1260起", script).subject == "刑事案件"
    assert _find(records, "4.4%", script).subject == "刑事案件"
    assert _find(records, "3600件", script).subject == "审结案件"


# -- the Document itself ---------------------------------------------------------


def test_document_lines_articles_and_roles():
    rules = load_rules()
    text = "某市报道\n\n01.05.2020  10:00\n\n本报讯 在北京召开的会议上，漳州市获评先进。\n\n责任编辑：某\n"
    doc = Document(normalize(text, rules), rules)
    kinds = [ln.kind for ln in doc.lines if ln.kind != "blank"]
    assert kinds[:2] == ["headline", "dateline"]
    assert "credit" in kinds
    assert doc.articles[0].dct == 2020
    roles = {doc.text[m.start : m.end]: m.role for m in doc.places}
    assert roles["北京"] == "venue"


# -- floors -----------------------------------------------------------------------


def _scores(gold_dir: Path, files: list[Path]) -> dict:
    extractor = Extractor()
    records = [
        r.model_dump() for f in files for r in extractor.run(f.read_text(encoding="utf-8"), str(f)).records
    ]
    return score(load_gold(gold_dir), records).as_dict()


def test_seed_region_and_year_floors():
    scores = _scores(GOLD, sorted(SEEDS.glob("*.txt")))
    assert scores["attributes"]["region"][0] >= 0.93
    assert scores["attributes"]["year"][0] >= 0.95
    assert scores["attributes"]["subject"][0] >= 0.85
    for kind in ("count", "percent", "change", "money", "ranking", "honour"):
        assert scores["kinds"][kind]["f1"] >= 0.95, kind


needs_dev = pytest.mark.skipif(not (DEV / "gold").is_dir(), reason="no ../shared/dev beside the repository")


@needs_dev
def test_dev_region_year_subject_floors():
    scores = _scores(DEV / "gold", sorted((DEV / "docs").glob("*.txt")))
    assert scores["attributes"]["region"][0] >= 0.92
    assert scores["attributes"]["year"][0] >= 0.95
    assert scores["attributes"]["subject"][0] >= 0.80


@needs_dev
def test_a_page_joining_the_dev_reports_keeps_their_places_and_years():
    """The dev reports joined by blank lines, as a saved page of several articles: region and
    year stay within 0.03 of the per-report figures."""
    files = sorted((DEV / "docs").glob("*.txt"))
    per_report = _scores(DEV / "gold", files)["attributes"]
    text, gold = "", []
    for f in files:
        offset = len(text)
        for line in (DEV / "gold" / f"{f.stem}.jsonl").read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            g["start"] += offset
            g["end"] += offset
            gold.append(g)
        text += f.read_text(encoding="utf-8") + "\n\n"
    records = [r.model_dump() for r in Extractor().run(text, "joined.txt").records]
    joined = score({"joined": gold}, records).as_dict()["attributes"]
    for name in ("region", "year"):
        assert joined[name][0] >= per_report[name][0] - 0.03, (name, joined[name], per_report[name])
