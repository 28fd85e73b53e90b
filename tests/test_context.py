"""Region and year: constructed pages with several articles, leads, series and bylines."""

from __future__ import annotations

import pytest

from govextract.engine import Extractor


@pytest.fixture(scope="module")
def run():
    extractor = Extractor()

    def _run(text: str) -> list:
        return extractor.run(text, "-").records

    return _run


def _by_text(records, fragment: str):
    hits = [r for r in records if fragment in r.text]
    assert hits, f"no record with {fragment!r} in {[r.text for r in records]}"
    return hits[0]


def test_bylines_split_a_page_into_articles(run):
    page = (
        "努力打造公平正义之城\n\n"
        "张三 黑龙江省鸡西市委书记\n\n"
        "近年来，鸡西市聚焦诉源治理。全市立案办理公益诉讼案件432件，结案率达99.57%。\n\n"
        "李四 广东省惠州市委常委、政法委书记\n\n"
        "惠州市坚持系统治理。全市建成综治中心156个，矛盾纠纷化解率95.3%。\n"
    )
    records = run(page)
    assert _by_text(records, "432件").region == "鸡西市"
    assert _by_text(records, "99.57%").region == "鸡西市"
    assert _by_text(records, "156个").region == "惠州市"
    assert _by_text(records, "95.3%").region == "惠州市"


def test_the_clause_names_a_more_specific_place(run):
    page = (
        "漳州市政法工作综述\n\n"
        "去年以来，漳州市各级政法机关共办理法律援助案件6238件。东山县获评平安中国建设示范县，"
        "全市调解成功率达98.8%。\n"
    )
    records = run(page)
    assert _by_text(records, "6238件").region == "漳州市"
    assert _by_text(records, "平安中国建设示范县").region == "东山县"
    assert _by_text(records, "98.8%").region == "漳州市"


def test_a_province_does_not_override_its_city(run):
    page = "三明市坚持系统治理，在福建省督导会议上作典型发言，全市化解矛盾纠纷8000余起，三明市成效明显。"
    assert _by_text(run(page), "8000余起").region == "三明市"


def test_lead_lines_switch_between_districts_of_one_page(run):
    page = (
        "平安厦门 系列报道\n\n"
        "2022年,思明区社会大局总体安全稳定\n\n"
        "全区刑事警情同比下降11.08%，抓获犯罪嫌疑人126人。\n\n"
        "2022年,湖里区平安建设再上新台阶\n\n"
        "全区排查化解矛盾纠纷7704起，执结案件15748件。\n"
    )
    records = run(page)
    assert _by_text(records, "11.08%").region == "思明区"
    assert _by_text(records, "126人").region == "思明区"
    assert _by_text(records, "7704起").region == "湖里区"
    assert _by_text(records, "15748件").region == "湖里区"


def test_a_lettered_series_that_names_another_district_belongs_to_it(run):
    page = (
        "2022年,湖里区平安建设再上新台阶\n\n"
        "B 当好社会和谐稳定器\n\n"
        "过去的一年，思明区委政法委聚焦突出问题，抓获犯罪嫌疑人126人。\n\n"
        "1 三位一体 做好必答题\n\n"
        "过去的一年，全区利用雪亮工程抓获犯罪嫌疑人446人。\n\n"
        "C 铸就压舱石\n\n"
        "过去的一年，全区审执结金融案件1.6万件。\n"
    )
    records = run(page)
    assert _by_text(records, "126人").region == "思明区"
    assert _by_text(records, "1.6万件").region == "思明区"  # C continues the lettered series
    assert _by_text(records, "446人").region == "湖里区"  # the numbered section stays with its lead


def test_a_bulleted_item_names_its_own_place_only(run):
    page = (
        "漳州市政法机关工作成效显著。漳州市全年受理案件200件。\n\n"
        "■市委政法委获评全国平安建设先进集体\n\n"
        "■东山县获评平安中国建设示范县\n\n"
        "■教育整顿成果评价位列全省第二\n"
    )
    records = run(page)
    assert _by_text(records, "全国平安建设先进集体").region == "漳州市"
    assert _by_text(records, "平安中国建设示范县").region == "东山县"
    assert _by_text(records, "全省第二").region == "漳州市"


def test_a_national_report_has_no_region(run):
    page = (
        "过去一年，我国经济运行保持在合理区间。我国国内生产总值增长6.6%。"
        "我国支持香港、澳门融入国家发展大局，我国城镇新增就业1361万人。我国发展面临新的挑战。\n"
    )
    records = run(page)
    assert _by_text(records, "6.6%").region is None
    assert _by_text(records, "1361万人").region is None


def test_common_words_are_not_places(run):
    records = run(
        "漳州市坚持平安建设，公安机关侦破案件300起，资源整合成效明显，长安杯成绩斐然。漳州市成绩突出。"
    )
    assert _by_text(records, "300起").region == "漳州市"


def test_year_of_the_statement_and_of_the_report(run):
    page = (
        "2021年，全市政法机关坚持稳中求进。\n\n"
        "全市共受理违纪违法问题线索1137条。2022年以来抓获犯罪嫌疑人446人。\n\n"
        "在2020年、2021年连续两年综治考评成绩排名全市第一的基础上，2022年被评为全省平安建设示范区。\n"
    )
    records = run(page)
    assert _by_text(records, "1137条").year == 2021  # the year the report reviews
    assert _by_text(records, "446人").year == 2022  # the statement's own year
    ranking = _by_text(records, "全市第一")
    assert (ranking.year, ranking.streak) == (2021, 2)  # the last year of the streak
    assert _by_text(records, "全省平安建设示范区").year == 2022


def test_no_year_without_support(run):
    page = "自2017年7月公益诉讼法启动以来，全市立案办理公益诉讼案件432件。今年1月至8月累计查处333起。"
    records = run(page)
    assert _by_text(records, "432件").year is None  # a period that started in 2017
    assert _by_text(records, "333起").year is None  # 今年 with no year stated anywhere


def test_plans_give_no_review_year(run):
    page = "2023年，全市政法系统将全面贯彻会议精神。\n\n全市新建调解组织50个。\n"
    assert _by_text(run(page), "50个").year is None


def test_plans_give_no_record(run):
    page = "全市将新建调解组织50个，力争破案率达到95%。全年化解纠纷300起。\n"
    records = run(page)
    assert [r.text for r in records] == ["300起"]
