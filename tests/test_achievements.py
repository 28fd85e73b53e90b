"""Honours, rankings and what was achieved, not planned (issue 9): texts written for these
tests, in both scripts."""

from __future__ import annotations

import pytest

from govextract.engine import Extractor

SCRIPTS = pytest.mark.parametrize("script", ["simp", pytest.param("trad", marks=pytest.mark.slow)])


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _run(extractor: Extractor, text: str, script: str) -> list:
    if script == "trad":
        import opencc

        text = opencc.OpenCC("s2t").convert(text)
    return extractor.run(text, "-").records


def _kinds(records, kind: str) -> list:
    return [r for r in records if r.kind == kind]


# -- honours ----------------------------------------------------------------------


@SCRIPTS
def test_quoted_names_of_operations_cases_and_brands_are_not_titles(extractor, script):
    page = (
        "县公安局开展“昆仑”专项行动，侦破“3·15”专案，打掉“飓风”贩毒团伙，"
        "打造“枫桥式”工作品牌，企业重获“新生”。"
    )
    assert _kinds(_run(extractor, page, script), "honour") == []


@SCRIPTS
def test_titles_by_verb_and_shape(extractor, script):
    page = (
        "甲县被评为全国平安建设先进县，乙区荣获“全国文明单位”称号，丙所荣膺全国模范公安单位，"
        "丁市捧得平安中国建设最高奖“长安杯”，该案入选全省十大典型案例，某社区被命名为全国民主法治示范社区。"
    )
    titles = {r.title for r in _kinds(_run(extractor, page, script), "honour")}
    assert {
        "全国平安建设先进县",
        "全国文明单位",
        "全国模范公安单位",
        "长安杯",
        "全国民主法治示范社区",
    } <= titles


@SCRIPTS
def test_people_honoured_give_a_count_and_an_honour(extractor, script):
    records = _run(extractor, "3名辅警被中共中央、国务院授予“全国优秀人民警察”称号。", script)
    count = _kinds(records, "count")[0]
    honour = _kinds(records, "honour")[0]
    assert (count.value, count.unit) == (3, "名")
    assert honour.title == "全国优秀人民警察"
    assert honour.grantor == "中共中央、国务院"
    assert honour.scope == "全国"


@SCRIPTS
def test_titles_keep_their_year_and_lose_quotes_and_chenghao(extractor, script):
    records = _run(
        extractor,
        "市委政法委获评“2019年度全省平安建设优秀单位”称号，另一单位获评2019年度全省平安建设“优秀县区”。",
        script,
    )
    titles = [r.title for r in _kinds(records, "honour")]
    assert titles == ["2019年度全省平安建设优秀单位", "2019年度全省平安建设优秀县区"]
    assert all(r.year == 2019 for r in _kinds(records, "honour"))


@SCRIPTS
def test_scope_from_the_event_and_streaks(extractor, script):
    records = _run(
        extractor,
        "在全省平安建设表彰大会上，甲县被评为平安建设先进县。某区第五次蝉联“省级平安区”，某县蝉联“长安杯”。"
        "该市连续三年获评全省平安建设优秀市。",
        script,
    )
    by_title = {r.title: r for r in _kinds(records, "honour")}
    assert by_title["平安建设先进县"].scope == "全省"
    assert by_title["省级平安区"].streak == 5
    assert by_title["长安杯"].streak is None  # 蝉联 without a number
    assert by_title["全省平安建设优秀市"].streak == 3


@SCRIPTS
def test_goals_and_tallies_are_not_honours(extractor, script):
    page = "锚定再夺“长安杯”，力争进入全省前列，冲刺全国文明城市。大会共授予“长安杯”73个，其中本省3个。"
    records = _run(extractor, page, script)
    assert _kinds(records, "honour") == []
    assert _kinds(records, "ranking") == []
    assert [r.value for r in _kinds(records, "count")] == [73, 3]


# -- rankings ---------------------------------------------------------------------


@SCRIPTS
def test_pools_apart_unusual_and_with_members(extractor, script):
    page = (
        "在全省群众安全感调查中，我市位居第一。某市查处吸毒人员1900多人，居全国百城第23位。"
        "公众安全感连年位居自治区前列，发案率排在全省18个省辖市最末。"
    )
    rankings = _kinds(_run(extractor, page, script), "ranking")
    got = [(r.scope, r.rank, r.tier) for r in rankings]
    assert ("全省", 1, "exact") in got
    assert ("全国", 23, "exact") in got
    assert ("自治区", None, "leading") in got
    assert ("全省", None, "leading") in got


@SCRIPTS
def test_top_n_and_lists_of_places(extractor, script):
    page = "三县知晓率位居全市前三，两县升幅位居全市前两位，两项考核分居全省第二和第五，排名第二、第四。"
    rankings = _kinds(_run(extractor, page, script), "ranking")
    assert [(r.top, r.rank) for r in rankings] == [
        (3, None),
        (2, None),
        (None, 2),
        (None, 5),
        (None, 2),
        (None, 4),
    ]


@SCRIPTS
def test_peer_superlatives(extractor, script):
    page = "该市是全国打掉涉黑团伙最多的城市，万人发案率全市最低。"
    rankings = _kinds(_run(extractor, page, script), "ranking")
    assert [(r.scope, r.tier, r.rank) for r in rankings] == [
        ("全国", "leading", None),
        ("全市", "leading", None),
    ]


# -- what was achieved, not planned -----------------------------------------------


@SCRIPTS
def test_goals_plans_and_thresholds_give_no_record(extractor, script):
    page = (
        "今年的主要预期目标是：地区生产总值增长6%左右；新增就业岗位5万个以上。"
        "确保命案破案率保持在95%以上，全年将新建调解室50个，预计案件总量下降3%。"
        "把考核达标分从900分提高到910分。去年全市化解纠纷3200起，重要指标增长5%。"
    )
    records = _run(extractor, page, script)
    assert [r.text for r in records] == (["3200起", "增长5%"] if script == "simp" else ["3200起", "增長5%"])


@SCRIPTS
def test_a_section_of_tasks_gives_no_record(extractor, script):
    page = (
        "某县工作报告\n\n一、2022年工作回顾\n\n全年化解纠纷300件，破案率达92%。\n\n"
        "二、2023年工作打算\n\n全年新建调解室20个，破案率提高到95%。\n"
    )
    records = _run(extractor, page, script)
    assert [r.value for r in records] == [300, 92]


# -- detection round: honours, rankings and qualifiers seen on unseen pages --------


@SCRIPTS
def test_honours_by_less_common_verbs_lists_and_designations(extractor, script):
    page = (
        "某市捧回平安中国建设最高奖“平安杯”。某县先后获得全国平安建设先进县、全省法治宣传教育先进县、"
        "县公安局获得全国优秀公安基层单位等荣誉。该市连续三届12年保持全省社会治安综合治理优秀市。"
        "城南司法所被评为“全国模范司法所”。去年省委批复同意某县为第二批全省乡村治理示范县以来，成效明显。"
    )
    titles = [r.title for r in _kinds(_run(extractor, page, script), "honour")]
    assert titles == [
        "平安杯",
        "全国平安建设先进县",
        "全省法治宣传教育先进县",
        "全国优秀公安基层单位",
        "全省社会治安综合治理优秀市",
        "全国模范司法所",
        "第二批全省乡村治理示范县",
    ]


@SCRIPTS
def test_conditions_and_national_tallies_are_not_honours(extractor, script):
    page = (
        "参评的城市必须连续三届被评为“全省平安市”才能获此殊荣，只有连续12年保持“平安市”称号，"
        "才能获得“平安杯”。表彰大会上，有60个县被授予“平安杯”。某县连续5次荣获“全省平安县”称号。"
    )
    records = _run(extractor, page, script)
    honours = _kinds(records, "honour")
    assert [(r.title, r.streak) for r in honours] == [("全省平安县", 5)]
    # the tally is a count; the streak's 5 is no count
    assert [r.value for r in _kinds(records, "count")] == [60]


@SCRIPTS
def test_several_places_after_fenlie_and_the_pool_named_before(extractor, script):
    page = (
        "全省12个设区市中，甲市排名第一，乙市、丙市分列第二、三位。"
        "上年排名全省第一的丁县今年继续排名第一。四个区分列全市第一、第三、第五和第九位。"
        "调解组织数量居全省各县(市、区)第一。上级交办的第一、二批信访件已办结。"
    )
    rankings = _kinds(_run(extractor, page, script), "ranking")
    assert [(r.scope, r.rank) for r in rankings] == [
        ("全省", 1),
        ("全省", 2),
        ("全省", 3),
        ("全省", 1),
        ("全省", 1),
        ("全市", 1),
        ("全市", 3),
        ("全市", 5),
        ("全市", 9),
        ("全省", 1),
    ]


@SCRIPTS
def test_size_bands_bounds_and_streaks_are_no_figures(extractor, script):
    page = (
        "法官人均结案210件，其中结案500件以上 1人，300件以上 3人。"
        "全省有9个市的安全感在95%以上。连续6年未发生死亡3人的交通事故。"
        "村里推行十户联防，请在10个工作日内联系我们。"
    )
    records = _run(extractor, page, script)
    assert [(r.kind, r.value) for r in records] == [("count", 210), ("count", 1), ("count", 3), ("count", 9)]
