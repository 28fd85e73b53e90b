"""The noise layer of normalization (rules/noise.toml), the list marker and line-end
fragments, line rejoining and line numbers, page furniture and HTML chrome as data."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from support import err, out, run_cli

from govextract import extract
from govextract.normalize import normalize
from govextract.record import Record, line_starts
from govextract.rulecheck import check_fragments, check_html, check_noise
from govextract.ruleset import builtin_rules_dir, load_rules

RULESET = load_rules()


@pytest.mark.parametrize("rule", RULESET.noise_rules, ids=[r.id for r in RULESET.noise_rules])
def test_noise_rule_passes_its_examples(rule):
    assert rule.spec.examples and rule.spec.negatives
    assert check_noise(RULESET, rule) == []


def test_noise_rules_cover_the_kinds_of_noise():
    ids = {r.id for r in RULESET.noise_rules}
    for kind in ("radical", "censored", "pinyin_gloss", "replacement_character", "footnote_bracket"):
        assert f"noise.{kind}" in ids


@pytest.mark.slow
def test_fragment_examples_pass():
    specs = RULESET.fragment_specs
    for name in ("LIST_MARKER", "LINE_GOES_ON", "LINE_GOES_ON_START"):
        assert specs[name].examples and specs[name].negatives, name
    assert len(specs["LIST_MARKER"].examples) >= 10
    assert check_fragments(RULESET) == []


def test_html_chrome_examples_pass():
    assert RULESET.html.examples and RULESET.html.chrome_names and RULESET.html.chrome_roles
    assert check_html(RULESET) == []


def test_broken_noise_rule_is_reported(tmp_path):
    (tmp_path / "noise.toml").write_text(
        "[[noise]]\nid = 'noise.user'\naction = 'mask'\npattern = '#+'\n"
        "[[noise.examples]]\ntext = '共##件'\nclean = '共件'\n",
        encoding="utf-8",
    )
    proc = run_cli("rules", "check", tmp_path)
    assert proc.returncode == 1  # rules check exits 1 on a broken rule file, as for [[rule]] entries
    assert "noise 'noise.user'" in err(proc)
    assert "mask" in err(proc) and "negatives" in err(proc)


@pytest.mark.slow
def test_user_noise_rule_is_used(tmp_path):
    (tmp_path / "noise.toml").write_text(
        "[[noise]]\nid = 'noise.user_stars'\naction = 'drop'\npattern = '#{2,}'\n"
        "negatives = ['第#1号']\n"
        "[[noise.examples]]\ntext = '共办理案件12##件'\nclean = '共办理案件12件'\n",
        encoding="utf-8",
    )
    proc = run_cli("rules", "check", tmp_path)
    assert proc.returncode == 0, err(proc)
    proc = run_cli("parse", "-", "--rules", tmp_path, "-q", "-f", "jsonl", input="共办理案件12##件。")
    assert '"text":"12##件"' in out(proc) and '"value":12' in out(proc)


# --- the radicals table is Unicode's --------------------------------------------------------


def test_radicals_table_is_the_unicode_data():
    table = {}
    path = builtin_rules_dir() / "unicode" / "radicals.tsv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(("#", "code\t")):
            continue
        code, char, unified = line.split("\t")
        assert int(code, 16) == ord(char)
        # the equivalent is a unified ideograph (BMP, extension A, or the supplementary planes)
        assert "\u4e00" <= unified <= "\u9fff" or "\u3400" <= unified <= "\u4dbf" or unified >= "\U00020000"
        table[char] = unified
    kangxi = [chr(c) for c in range(0x2F00, 0x2FD6)]
    # Every Kangxi radical is there, and agrees with Python's own NFKC.
    for c in kangxi:
        assert table[c] == unicodedata.normalize("NFKC", c), c
    assert table["⻑"] == "長" and table["⻢"] == "马"
    assert len(table) == 348


def test_radicals_and_compatibility_ideographs_are_unified_one_for_one():
    source = "同⽐下降⼀成，⻑效机制，\uf9d1百万元"
    norm = normalize(source)
    assert norm.text == "同比下降一成，长效机制，六百万元"
    assert len(norm.text) == len(source)


# --- what the rules see, what the records point at ---------------------------------------


def test_pinyin_inside_a_figure_stays_in_the_anchor():
    source = "偵破經濟犯罪案件同比提高40.6%、挽回經濟損失6649萬(wàn)元。"
    (money,) = [r for r in extract(source) if r.kind == "money"]
    assert money.text == "6649萬(wàn)元"
    assert money.value == 66490000 and money.unit == "元"
    assert source[money.start : money.end] == money.text


def test_pinyin_in_a_direction_word_keeps_the_change():
    (r,) = extract("群众安全感同比上(shàng)升5.1%。")
    assert (r.kind, r.value, r.unit, r.basis) == ("change", Decimal("5.1"), "%", "同比")
    assert r.text == "同比上(shàng)升5.1%"


def test_titles_and_subjects_are_clean():
    records = extract("全县連續(xù)三年獲評“平安建設(shè)示範單位”，刑事警情同比下(xià)降8%。")
    honour = next(r for r in records if r.kind == "honour")
    assert honour.title == "平安建设示范单位"
    change = next(r for r in records if r.kind == "change")
    assert change.subject == "刑事警情" and change.value == -8


def test_radicals_in_figures_and_bases():
    records = extract("全年共调处纠纷⼀百⼆⼗件，刑事警情同⽐下降5%。")
    assert [(r.kind, r.value) for r in records] == [("count", 120), ("change", -5)]
    assert records[1].basis == "同比"


def test_replacement_characters_and_footnotes_do_not_split_figures():
    records = extract("全县共调处纠纷86\ufffd起，调解成功率达98.5%[2]，工作机制2，位居全省第2。")
    assert [(r.kind, r.value) for r in records] == [("count", 86), ("percent", 98.5), ("ranking", 2)]
    assert records[0].text == "86\ufffd起"


def test_censored_names_are_no_numbers():
    records = extract("犯罪嫌疑人张××等3人被抓获，××县破获案件15起。")
    assert [(r.kind, r.value) for r in records] == [("count", 3), ("count", 15)]


def test_text_normalized_shows_what_the_rules_see(tmp_path):
    path = tmp_path / "r.txt"
    source = "挽回损失6649萬(wàn)元，同⽐上(shàng)升5.1%[3]。\n"
    path.write_text(source, encoding="utf-8")
    proc = run_cli("text", path)
    assert proc.returncode == 0 and out(proc) == source
    proc = run_cli("text", path, "--normalized")
    assert proc.returncode == 0, err(proc)
    assert out(proc).strip() == "挽回损失6649万元，同比上升5.1%。"


# --- line ends and line numbers ------------------------------------------------------------


@pytest.mark.parametrize("end", ["\n", "\r", "\r\n"])
def test_line_numbers_for_every_kind_of_line_end(end):
    source = end.join(["工作总结", "共办理案件12件。", "", "调处纠纷5起。", "抓获8人。"])
    records = extract(source)
    assert [(r.value, r.line) for r in records] == [(12, 2), (5, 4), (8, 5)]
    for r in records:
        assert source[r.start : r.end] == r.text


def test_mixed_line_ends():
    source = "第一行\r共办理案件12件。\r\n第三行调处纠纷5起。\n\r第五行抓获8人。"
    assert line_starts(source) == [0, 4, 15, 26, 27]
    assert [(r.value, r.line) for r in extract(source)] == [(12, 2), (5, 3), (8, 5)]
    data = extract(source)[2].model_dump()
    Record.model_validate(data, context={"source": source})  # the fallback line count agrees
    bad = {**data, "line": 4}
    with pytest.raises(ValueError, match="line 4 should be 5"):
        Record.model_validate(bad, context={"source": source})


# --- line rejoining -------------------------------------------------------------------------

# A report hard-wrapped at 24 characters: headlines, list items and page breaks between
# its paragraphs.
WRAPPED = "\n".join(
    [
        "某县政法工作报告",
        "",
        "编者按",
        "",
        "全县共调处矛盾纠纷86起，调解成功率达到",
        "98%，群众满意度逐年提高，平安建设扎实推",
        "进。",
        "一、主要成效",
        "全年破获刑事案件312起，抓获犯罪嫌疑人",
        "126人，挽回群众经济损失4.6亿元，刑事警",
        "",
        "情同比下降12.4%，降幅位居全市第一位。",
        "二、工作举措",
        "建成村级调解组织135个，培训调解员共计",
        "",
        "",
        "2400人次，新建视频监控点位1800个，治安",
        "案件发案数同比下降21%，成效明显提升。",
    ]
)


def test_lines_rejoin_within_paragraphs_only():
    text = normalize(WRAPPED).text
    lines = text.split("\n")
    assert lines[:4] == [
        "某县政法工作报告",
        "编者按",
        "全县共调处矛盾纠纷86起，调解成功率达到98%，群众满意度逐年提高，平安建设扎实推进。",
        "一、主要成效",
    ]
    # A blank line after a full line in mid-sentence is a column or box break: crossed.
    assert "挽回群众经济损失4.6亿元，刑事警情同比下降12.4%" in text
    assert "二、工作举措" in lines
    # Two blank lines (a PDF page break) are never crossed, even in mid-sentence.
    assert "培训调解员共计\n2400人次" in text
    records = extract(WRAPPED)
    first = next(r for r in records if r.value == 86)
    assert "编者按" not in first.subject
    assert next(r for r in records if r.value == Decimal("-12.4")).subject == "刑事警情"


def test_a_headline_is_not_joined_to_the_paragraph_after_it():
    source = WRAPPED.replace("编者按\n\n", "编者按\n")
    lines = normalize(source).text.split("\n")
    assert "编者按" in lines


def test_page_break_character_is_a_hard_break():
    source = WRAPPED.replace("共计\n\n\n2400", "共计\f2400")
    assert "培训调解员共计\n2400人次" in normalize(source).text


def test_a_wrapped_gloss_is_cut_and_the_lines_joined():
    source = WRAPPED.replace("调解成功率达到\n98%", "调解成功率达(d\ná)到98%")
    text = normalize(source).text
    assert "调解成功率达到98%，群众满意度" in text


def test_a_paragraph_cut_by_inline_markup_is_joined():
    """A page saved as text, a paragraph a line, whose inline elements became lines of
    their own: the pieces are joined, a headline and its byline are not."""
    source = (
        "全县平安建设取得新成效\n"
        "来源：县委政法委 2023-05-06\n\n"
        "今年以来，全县深入推进平安建设，各项工作取得明显成效，群众安全感和满意度持续提升，"
        "社会大局保持和谐稳定。广义货币M\n2\n余额增长8%。全县刑事警情同比\n\u200b\n下降12.4%，"
        "破获电信诈骗案件213起。\n\n"
        "下一步，全县将持续深化矛盾纠纷多元化解，加强基层基础建设，完善立体化社会治安防控体系，"
        "推动平安建设向更高水平迈进，为经济社会高质量发展营造安全稳定的社会环境，"
        "让人民群众的获得感、幸福感、安全感更加充实、更有保障、更可持续。\n\n"
        "会议强调，各级各部门要坚持以人民为中心的发展思想，坚持和发展新时代“枫桥经验”，"
        "把矛盾纠纷化解在基层、化解在萌芽状态，持续推进平安乡镇、平安村居、平安校园、平安医院创建，"
        "不断提升基层社会治理的法治化、智能化、专业化水平，切实维护社会大局持续和谐稳定。\n"
    )
    text = normalize(source).text
    assert text.startswith("全县平安建设取得新成效\n来源:县委政法委2023-05-06\n今年以来")
    assert "广义货币M2余额增长8%。全县刑事警情同比下降12.4%" in text
    changes = [(r.subject, r.value, r.text) for r in extract(source) if r.kind == "change"]
    assert changes == [
        ("广义货币M2余额", Decimal(8), "增长8%"),
        ("刑事警情", Decimal("-12.4"), "同比\n\u200b\n下降12.4%"),
    ]


def test_two_paragraphs_of_a_saved_page_stay_apart_though_the_first_is_cut_short():
    """Excerpts of saved pages run one after another, the first cut off in a list: the
    blank line between two long paragraphs is a break, not a wrap (no page wraps lines
    a paragraph long)."""
    first = (
        "今年以来，全区上下认真落实平安建设各项部署，持续深化矛盾纠纷排查化解，共化解各类纠纷1200件，"
        "群众安全感明显提升。在此基础上，全区创新工作方法，向社会化、法治化、智能"
    )
    second = (
        "某市公安局紧紧围绕警务模式转型升级的目标，深入推进公安改革，全年破获刑事案件800起，"
        "抓获犯罪嫌疑人960人，社会治安形势持续平稳向好，人民群众获得感、幸福感、安全感不断增强。"
    )
    text = normalize(f"某区平安建设综述\n\n{first}\n\n{second}\n").text
    assert f"{first}\n" in text
    assert text.endswith(f"\n{second}\n")


# --- page furniture -------------------------------------------------------------------------


def test_furniture_in_a_saved_page_gives_no_records():
    page = (
        "发布时间：2023-05-06 来源：县委政法委 浏览次数：5678次 阅读 2100人\n"
        "【字号：大 中 小】【打印】【关闭窗口】\n\n"
        "全县共调处矛盾纠纷86起，调解成功率达98%。\n\n"
        "上一篇：某区破获电信诈骗案件35起\n下一篇：某县获评全省平安建设先进集体\n\n"
        "相关新闻\n某镇调处纠纷64起\n全区刑事警情下降15%\n\n"
        "版权所有 闽ICP备12345678号-1 联系电话：0591-87654321 邮编：350001\n"
        "http://www.example.gov.cn/search?q=%E5%B9%B3%E5%AE%89&n=5%25\n"
    )
    assert [(r.kind, r.value) for r in extract(page)] == [("count", 86), ("percent", 98)]


def test_furniture_never_takes_a_figure_of_the_article():
    article = (
        "全年新媒体阅读量达120万人次，政务网站累计访问量12345次，同比增长8%。"
        "全年接听群众来电3000余次，12345热线受理诉求3560件。"
        "下一步，全县将继续深化平安建设。相关新闻报道引起关注，全县共调处纠纷86起。"
    )
    values = [r.value for r in extract(article)]
    assert values == [1200000, 12345, 8, 3000, 3560, 86]


def test_html_chrome_and_the_article(tmp_path):
    rules_dir = builtin_rules_dir()
    assert (rules_dir / "html.toml").is_file()
    page = (
        '<html><body><div class="main-nav-wrapper"><p>全县共调处矛盾纠纷86起，调解成功率达98%。</p>'
        '<div class="share-bar">分享 点赞 36</div></div></body></html>'
    )
    path = tmp_path / "p.html"
    path.write_text(page, encoding="utf-8")
    proc = run_cli("text", path)
    assert out(proc) == "全县共调处矛盾纠纷86起，调解成功率达98%。\n", err(proc)


def test_rules_data_files_exist():
    for name in ("noise.toml", "furniture.toml", "html.toml", "unicode/radicals.tsv", "unicode/SOURCE.md"):
        assert (Path(builtin_rules_dir()) / name).is_file(), name


@pytest.mark.slow
def test_user_rules_extend_the_html_chrome(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "chrome.toml").write_text(
        '[html]\nchrome_names = ["promo"]\n\n[[html.examples]]\n'
        "html = '<p>全县共调处纠纷86起。</p><div class=\"promo-box\">抽奖送出100份</div>'\n"
        'keep = ["全县共调处纠纷86起。"]\ndrop = ["抽奖"]\n',
        encoding="utf-8",
    )
    page = tmp_path / "p.html"
    page.write_text(
        '<html><body><p>全县共调处纠纷86起。</p><div class="promo-box">抽奖送出100份</div></body></html>',
        encoding="utf-8",
    )
    assert run_cli("rules", "check", tmp_path / "rules").returncode == 0
    plain = run_cli("parse", page, "-q", "-f", "jsonl")
    assert '"value":100' in out(plain)
    ruled = run_cli("parse", page, "--rules", tmp_path / "rules", "-q", "-f", "jsonl")
    assert '"value":100' not in out(ruled) and '"value":86' in out(ruled), err(ruled)


def test_a_full_width_comma_separates_thousands_only_between_full_width_digits():
    """Old reports write ２７，２０３，３１９ (one amount); 甲20，300乙 with half-width digits is two
    figures, a list in prose."""
    amounts = [(r.text, r.value) for r in extract("全年收入合计２７，２０３，３１９元。")]
    assert amounts == [("２７，２０３，３１９元", 27203319)]
    listed = [(r.text, r.value) for r in extract("两种报价分别为20，300美元。") if r.kind == "money"]
    assert listed == [("300美元", 300)]
