"""The parser against the three printed issues, with expectations written by hand from reading them."""

import re

import pytest

from issues.parser import ParseError, join_padded_names, parse_attribution, parse_issue
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, SEED_SPECIAL_9


def parse(path, **overrides):
    return parse_issue(path.read_text(encoding="utf-8"), **overrides)


def squeeze(text):
    return re.sub(r"\s", "", text)


def test_regular_issue_4_masthead_and_colophon():
    issue = parse(SEED_REGULAR_4)
    assert (issue.kind, issue.year, issue.number, issue.total_number) == ("regular", 2024, 4, 692)
    assert issue.date.isoformat() == "2024-04-12"
    assert issue.footer.send_to == "省人大常委会办公厅、研究室"
    assert issue.footer.recipients == ["市人大常委会组成人员，市人大机关各部门，各区、县（市）人大常委会"]
    assert issue.footer.responsible_editor == "杨青青"
    assert issue.footer.phone == "(0571)85250657"
    assert issue.footer.submission_url is None


def test_regular_issue_4_sections_follow_the_toc_without_briefs():
    issue = parse(SEED_REGULAR_4)
    assert [s.name for s in issue.sections] == ["要闻速递", "助力攻坚", "代表工作", "情况交流"]
    assert [len(s.articles) for s in issue.sections] == [1, 4, 1, 3]


def test_regular_issue_4_articles():
    articles = parse(SEED_REGULAR_4).articles
    expected = [
        # title (from the 目录), unit, authors, paragraphs
        ("市人大常委会出台全国首部数字贸易领域地方性法规", "预算工委", ["吴颖"], 4),
        ("上城区：清波街道突出“早、实、精”助推民生实项目办好办实", "上城区人大常委会办公室", ["曹珊珊"], 4),
        ("西湖区：古荡街道“四式”工作法助力未来社区建设", "西湖区人大常委会", ["李寄", "陆卫清"], 5),
        ("临安区：“三个聚”助推乡村医疗优质共享", "临安区人大常委会教科文卫民宗侨工委", ["潘忠华"], 4),
        ("建德市：四举措助力“幸福方桌”扩面提质", "建德市人大常委会办公室", ["段丹妮"], 5),
        ("临平区：“三多三聚”推动代表高质效履职", "临平区人大常委会办公室", ["郑丽芳"], 4),
        (
            "余杭区：闲林街道“站点融合”构建“立法+民意”双向互动新模式",
            "余杭区人大常委会办公室",
            ["王培栋"],
            4,
        ),
        ("钱塘区：“三聚焦”凝聚专家力量 提升依法履职实效", "钱塘区人大常委会办公室", ["尹仕豪"], 4),
        ("富阳区：用好“三步法”让审议意见落地有声", "富阳区人大常委会办公室", ["刘哲"], 4),
    ]
    assert [(a.title, a.unit, a.authors, len(a.paragraphs)) for a in articles] == expected


def test_page_break_inside_a_paragraph_is_joined():
    first = parse(SEED_REGULAR_4).articles[0]
    # "…重要部门的" / "职责作出具体明确…" was split by a page break in the extracted text.
    assert "数据资源等重要部门的职责作出具体明确" in first.paragraphs[2]
    assert first.paragraphs[2].startswith("二是培育“优生态”")


def test_regular_issue_4_briefs_have_no_heading_but_are_counted_in_the_toc():
    briefs = parse(SEED_REGULAR_4).briefs
    assert [(b.unit, b.authors) for b in briefs] == [
        ("拱墅区人大常委会办公室", ["宋玉凤"]),
        ("滨江区人大常委会监察和法制司法工委", ["陈洁茹"]),
        ("萧山区人大常委会办公室", ["邵羽晨", "郭彧杰"]),
        ("桐庐县人大常委会办公室", ["王丽芬"]),
        ("淳安县人大常委会农业农村工委", ["滕淑燕"]),
    ]
    assert briefs[0].text.startswith("拱墅区人大常委会积极探索")
    assert "\n" not in "".join(b.text for b in briefs)


def test_regular_issue_2():
    issue = parse(SEED_REGULAR_2)
    assert (issue.kind, issue.year, issue.number, issue.total_number) == ("regular", 2024, 2, 690)
    assert issue.date.isoformat() == "2024-03-15"
    assert [s.name for s in issue.sections] == ["要闻速递", "助力攻坚", "监督纵横", "代表工作", "情况交流"]
    titles = [a.title for a in issue.articles]
    assert titles[0] == "市人大常委会部署开展 2024 年代表主题活动"
    # A title printed on two lines is kept whole.
    assert squeeze(titles[3]) == "拱墅区：五年全周期监督助力邵逸夫医院大运河院区项目提前投用"
    assert [len(a.paragraphs) for a in issue.articles] == [5, 4, 4, 4, 4, 4, 4, 4]
    by_title = {a.title: a for a in issue.articles}
    assert by_title["上城区：“三向发力”助推营商环境优化提升"].authors == ["蔡静"]
    assert by_title["临安区：强化司法监督 维护司法公正"].authors == ["陈强", "吴一臻"]
    assert by_title["拱墅区：五年全周期监督 助力邵逸夫医院大运河院区项目提前投用"].authors == ["叶蓁"]
    assert issue.footer.submission_url == "http://172.18.13.193:8084/infosub"


def test_regular_issue_2_briefs_and_bold():
    briefs = parse(SEED_REGULAR_2).briefs
    assert len(briefs) == 3
    assert [(b.unit, b.authors) for b in briefs] == [
        ("滨江区人大常委会教科文卫和民宗侨工委", ["应明芮"]),
        ("临平区人大常委会", ["梁淑愫", "唐晨雨"]),
        ("余杭区人大常委会办公室", ["英颖"]),
    ]
    assert "<strong>余杭区人大常委会</strong>立足人大制度优势" in briefs[2].text
    assert "**" not in briefs[2].text
    # The 临平区 brief crossed a page: one paragraph.
    assert "聚焦公平竞" in briefs[1].text and briefs[1].text.endswith("力打造一流营商环境。")


def test_special_issue_without_toc_has_one_unnamed_section():
    issue = parse(SEED_SPECIAL_9)
    assert (issue.kind, issue.year, issue.number, issue.total_number) == ("special", 2024, 9, None)
    assert issue.date.isoformat() == "2024-07-18"
    assert [s.name for s in issue.sections] == [None]
    [article] = issue.articles
    assert article.title == "滨江区深化代表联络站点建设 着力打造“e滨达”基层单元品牌"
    assert (article.unit, article.authors) == ("滨江区人大常委会", [])
    assert article.paragraphs[1] == "一、主要做法"
    assert "二、主要成效" in article.paragraphs
    assert "<strong>推行代表建议转化机制。</strong>" in "".join(article.paragraphs)
    assert len(article.paragraphs) == 12
    assert issue.briefs == []
    assert len(issue.footer.recipients) == 3


def test_punctuation_widths_are_made_consistent():
    issue = parse(SEED_REGULAR_4)
    text = "".join(p for a in issue.articles for p in a.paragraphs)
    assert "优势，率先探索" in text  # printed "优势,率先探索" in the extracted text
    assert "（DEPA）" in text
    assert not re.search(r"[\u4e00-\u9fff][,:;]", text)


@pytest.mark.parametrize(
    ("text", "unit", "authors"),
    [
        ("(上城区人大常委会办公室 蔡 静)", "上城区人大常委会办公室", ["蔡静"]),
        ("（临安区人大常委会办公室　陈 强 吴一臻）", "临安区人大常委会办公室", ["陈强", "吴一臻"]),
        ("(滨江区人大常委会)", "滨江区人大常委会", []),
        ("（代表工委 张尚辉 李兴军）", "代表工委", ["张尚辉", "李兴军"]),
        ("(预算工委\u3000吴颖)", "预算工委", ["吴颖"]),
    ],
)
def test_attributions(text, unit, authors):
    from issues.parser import clean_line

    attribution = parse_attribution(clean_line(text))
    assert (attribution.unit, attribution.authors) == (unit, authors)


@pytest.mark.parametrize("text", ["(一)“一码两长三上”,推进代表联络站点全覆盖。", "(DEPA)", "(2022—2024 年)"])
def test_parenthesised_text_that_is_not_an_attribution(text):
    assert parse_attribution(text) is None


def test_padded_names():
    assert join_padded_names(["陈", "强", "吴一臻"]) == ["陈强", "吴一臻"]
    assert join_padded_names(["英", "颖"]) == ["英颖"]
    assert join_padded_names(["张尚辉", "李兴军"]) == ["张尚辉", "李兴军"]


# --- Other issues the office printed must import as well: variations built from the format ------------


def test_brief_heading_in_the_body_tells_briefs_from_articles():
    text = SEED_SPECIAL_9.read_text(encoding="utf-8")
    body_end = text.index("送：")
    extra = "信息摘登\n\n**西湖区人大常委会**聚焦民生实事，开展专项监督。\n\n(西湖区人大常委会办公室 李 寄)\n\n"
    issue = parse_issue(text[:body_end] + extra + text[body_end:])
    assert len(issue.articles) == 1
    [brief] = issue.briefs
    assert (brief.unit, brief.authors) == ("西湖区人大常委会办公室", ["李寄"])
    assert brief.text == "<strong>西湖区人大常委会</strong>聚焦民生实事，开展专项监督。"


def test_fragment_without_masthead_takes_numbers_from_flags():
    text = "上城区：标题一行\n\n上城区人大常委会做了一件事。\n\n一是这样。\n\n(上城区人大常委会办公室 蔡 静)\n"
    with pytest.raises(ParseError, match="--kind"):
        parse_issue(text)
    import datetime as dt

    issue = parse_issue(text, kind="regular", number=5, total_number=693, date=dt.date(2024, 5, 10))
    assert (issue.year, issue.number, issue.total_number) == (2024, 5, 693)
    assert issue.articles[0].title == "上城区：标题一行"
    assert issue.footer is None


def test_flags_override_the_masthead():
    import datetime as dt

    issue = parse(SEED_REGULAR_4, number=5, total_number=700, date=dt.date(2025, 1, 2), year=2025)
    assert (issue.year, issue.number, issue.total_number, issue.date) == (2025, 5, 700, dt.date(2025, 1, 2))


def test_toc_title_matches_body_whatever_spaces_and_widths():
    text = SEED_REGULAR_4.read_text(encoding="utf-8").replace(
        "钱塘区：“三聚焦”凝聚专家力量 提升 依法履职实效", "钱塘区:“三聚焦” 凝聚专家力量提升依法 履职实效"
    )
    titles = [a.title for a in parse_issue(text).articles]
    assert "钱塘区：“三聚焦”凝聚专家力量 提升依法履职实效" in titles


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "空"),
        ("   \n\n  \n", "空"),
        ("PK\x03\x04\x00\x00binary", "二进制"),
        ("Dear colleague,\n\nplease find attached.\n\nRegards", "没有署名"),
    ],
)
def test_bad_input_is_refused_with_a_reason(text, message):
    with pytest.raises(ParseError, match=message):
        parse_issue(text)


def test_missing_attribution_names_the_line():
    text = SEED_REGULAR_4.read_text(encoding="utf-8")
    lines = text.splitlines()
    attribution = lines.index("(西湖区人大常委会 李寄 陆卫清)")
    del lines[attribution]
    next_title = next(i for i, line in enumerate(lines) if line.startswith("临安区：“三个聚”")) + 1
    with pytest.raises(ParseError) as raised:
        parse_issue("\n".join(lines))
    assert raised.value.line == next_title
    assert "署名" in str(raised.value)


def test_missing_final_attribution_names_the_line():
    text = SEED_SPECIAL_9.read_text(encoding="utf-8").replace("(滨江区人大常委会)", "")
    with pytest.raises(ParseError) as raised:
        parse_issue(text)
    title_line = text.splitlines().index("滨江区深化代表联络站点建设 着力打造“e滨达”基层单元品牌") + 1
    assert raised.value.line == title_line
    assert f"第 {title_line} 行" in str(raised.value)


def test_wrong_brief_count_is_reported():
    text = SEED_REGULAR_4.read_text(encoding="utf-8").replace("信息摘登** 5 则", "信息摘登** 6 则")
    with pytest.raises(ParseError, match="6 则"):
        parse_issue(text)


# --- The same issue written with other extraction habits parses the same --------------------------------


def crlf_and_bom(text):
    return "\ufeff" + text.replace("\n", "\r\n")


def ideographic_indent(text):
    return "\n".join("\u3000\u3000" + line if len(line) > 30 else line for line in text.split("\n"))


def full_width_attributions(text):
    def widen(line):
        attribution = parse_attribution(line)
        if attribution is None:
            return line
        padded = [" ".join(name) if len(name) == 2 else name for name in attribution.authors]
        return "（" + "\u3000".join([attribution.unit, *padded]) + "）"

    return "\n".join(widen(line) for line in text.split("\n"))


def page_numbers(text):
    blocks = text.split("\n\n")
    start = next(i for i, block in enumerate(blocks) if block.startswith("送："))
    for page, i in enumerate(range(start - 3, 12, -7), start=2):
        blocks.insert(i, f"— {page} —")
    return "\n\n".join(blocks)


def bold_toc_sections(text):
    return re.sub(r"^- (\S+?)\*\* ", r"- **\1** ", text, flags=re.M)


@pytest.mark.parametrize("seed", [SEED_REGULAR_4, SEED_REGULAR_2, SEED_SPECIAL_9], ids=["r4", "r2", "s9"])
@pytest.mark.parametrize(
    "variant", [crlf_and_bom, ideographic_indent, full_width_attributions, page_numbers, bold_toc_sections]
)
def test_extraction_variants_parse_the_same(seed, variant):
    text = seed.read_text(encoding="utf-8")
    assert parse_issue(variant(text)).as_dict() == parse_issue(text).as_dict()


def test_text_without_any_blank_lines_parses_the_same():
    text = SEED_REGULAR_4.read_text(encoding="utf-8")
    packed = "\n".join(line for line in text.split("\n") if line.strip())
    assert parse_issue(packed).as_dict() == parse_issue(text).as_dict()
