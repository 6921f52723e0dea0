"""The assembly desk in Chromium, clicked like an editor: the effort budget, and drops saved or put back.

The budget test counts every click, field filled, option chosen and dialog answered, from the inbox holding 12
submitted reports to a published issue of 8 articles in 3 sections and 4 briefs, and fails above 40 actions.
"""

import pytest
from playwright.sync_api import expect

from issues.models import Issue, Piece, Section
from reports.models import Report
from tests.conftest import SEED_REGULAR_4, import_seed
from tests.desk import make_report
from tests.test_desk_e2e import login

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 40

ARTICLES = [
    ("上城区：聚焦一老一小开展专题询问", "要闻速递"),
    ("西湖区：代表联络站服务群众见实效", "要闻速递"),
    ("上城区：预算联网监督实现全覆盖", "要闻速递"),
    ("西湖区：生态环境监督持续发力", "监督纵横"),
    ("上城区：专题询问助推老旧小区改造", "监督纵横"),
    ("西湖区：民生实事项目票决制落地", "监督纵横"),
    ("上城区：代表助力基层治理", "代表工作"),
    ("西湖区：代表走进选民之家", "代表工作"),
]
BRIEFS = [
    ("上城区：湖滨街道开展代表履职月", "<p>11月以来，上城区湖滨街道人大工委组织代表开展履职月活动。</p><p>一是……</p>"),
    ("上城区：清波街道民生实事", "<p>上城区湖滨街道人大工委聚焦民生实事，开展专项监督。</p>"),
    ("西湖区：古荡街道四式工作法", "<p>西湖区人大常委会古荡街道工委探索“四式”工作法。</p>"),
    ("西湖区：代表建议督办", "<p>今年以来，区人大常委会加强代表建议督办。</p>"),
]
BRIEF_TEXTS = [
    "11月以来，湖滨街道人大工委组织代表开展履职月活动，走访群众1200余人次。",
    "聚焦民生实事开展专项监督，推动12个项目按期完工。",
    "探索嵌入式走访、递进式调研等“四式”工作法。",
    "加强代表建议督办，办结率达100%。",
]


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, count=1):
        self.n += count


def make_inbox(submitter, other_submitter):
    sections = {s.name: s for s in Section.objects.all()}
    reports = {}
    for title, section in ARTICLES:
        user = submitter if title.startswith("上城区") else other_submitter
        reports[title] = make_report(user, title, suggested_section=sections[section])
    for title, body in BRIEFS:
        user = submitter if title.startswith("上城区") else other_submitter
        reports[title] = make_report(user, title, body=body)
    return reports


def test_an_issue_is_built_from_the_inbox_within_the_effort_budget(page, editor, submitter, other_submitter):
    import_seed(SEED_REGULAR_4)  # the last 普刊: its colophon is copied to the new issue
    reports = make_inbox(submitter, other_submitter)
    login(page, editor)
    page.goto("/admin/reports/report/")  # where the editor starts: the inbox
    act = Counter()

    # Accept the 12 reports at once.
    page.locator("#action-toggle").check()
    act()
    page.select_option("select[name=action]", "accept_selected")
    act()
    page.locator("button[name=index]").click()
    act()
    expect(page.locator(".messagelist")).to_contain_text("已采用 12 篇信息")

    # To the desk: no draft yet, so make the next 普刊 there.
    page.locator("#desk-link").click()
    act()
    page.locator("#new-regular").click()
    act()
    expect(page.locator("#unplaced .desk-report")).to_have_count(12)

    # The four briefs, ticked and placed together; then all the rest as articles in their suggested sections.
    for title, _ in BRIEFS:
        page.locator(".desk-report", has_text=title).locator("input[type=checkbox]").check()
        act()
    page.locator("#bulk-brief").click()
    act()
    expect(page.locator(".messagelist")).to_contain_text("已编入 4 篇")
    page.locator("#select-all").check()
    act()
    page.locator("#bulk-article").click()
    act()
    expect(page.locator(".messagelist")).to_contain_text("已编入 8 篇")
    expect(page.locator("#unplaced")).to_have_count(0)

    # The 目录 as it will print: three sections in their usual order, the briefs after.
    expect(page.locator("#desk-groups .desk-section")).to_have_text(["⠿ 要闻速递", "⠿ 监督纵横", "⠿ 代表工作"])
    brief_leads = page.locator(".brief-lead")
    expect(brief_leads).to_have_count(4)
    assert brief_leads.nth(0).input_value() == "上城区人大常委会"  # never the submitting office
    assert brief_leads.nth(1).input_value() == "上城区湖滨街道人大工委"  # the body the sentence starts with

    # Write the four brief texts, one field each, and save them together.
    for n, text in enumerate(BRIEF_TEXTS):
        page.locator(".brief-text").nth(n).fill(text)
        act()
    page.locator("#save-briefs").click()
    act()
    expect(page.locator(".messagelist")).to_contain_text("已保存 4 则摘登")

    # Drag the third article of 要闻速递 to the top of its section: saved on drop.
    run = page.locator(".desk-run").first
    run.locator(".desk-piece").nth(2).locator(".drag-handle").drag_to(run.locator(".desk-piece").nth(0))
    act()
    expect(page.locator("#desk-status")).to_contain_text("顺序已保存")

    # Check the colophon copied from the last 普刊.
    page.locator("#colophon-panel summary").click()
    act()
    expect(page.locator("#issue_send_to")).to_have_value("省人大常委会办公厅、研究室")

    # Preview the web page.
    with page.expect_popup() as popup:
        page.locator("#preview-web").click()
    act()
    preview = popup.value
    expect(preview.locator("main")).to_contain_text(ARTICLES[2][0])
    expect(preview.locator("main")).to_contain_text("上城区湖滨街道人大工委")
    preview.close()

    # Publish (the page asks first).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#publish-button").click()
    act(2)  # the click and the answer to the dialog
    expect(page.locator(".messagelist")).to_contain_text("已发布")

    print(f"desk actions: {act.n}")
    assert act.n <= BUDGET, f"desk actions: {act.n} > {BUDGET}"

    issue = Issue.objects.get(status=Issue.Status.PUBLISHED, responsible_editor__isnull=False, total_number=693)
    articles = issue.piece_set.articles().order_by("position").select_related("section")
    assert [a.section.name for a in articles] == ["要闻速递"] * 3 + ["监督纵横"] * 3 + ["代表工作"] * 2
    assert articles[0].title == ARTICLES[2][0]  # the drop was saved
    briefs = list(issue.piece_set.briefs().order_by("position"))
    assert len(briefs) == 4
    assert briefs[0].printed_body == f"<p><strong>上城区人大常委会</strong>{BRIEF_TEXTS[0]}</p>"
    assert briefs[0].attribution == "(上城区人大常委会办公室 张三 李四)"
    assert set(Report.objects.filter(pk__in=[r.pk for r in reports.values()]).values_list("status", flat=True)) == {
        Report.Status.PUBLISHED
    }


def test_a_drop_into_another_section_says_so_and_a_refused_drop_is_put_back(page, editor, submitter, other_submitter):
    from issues import services
    from tests.desk import make_draft

    draft = make_draft()
    news, supervision = Section.objects.get(name="要闻速递"), Section.objects.get(name="监督纵横")
    placed = []
    for title, section in [("甲文", news), ("乙文", news), ("丙文", supervision)]:
        report = make_report(submitter, title, status=Report.Status.ACCEPTED, editor=editor)
        placed.append(services.place_report(report, draft, as_brief=False, section=section))
    login(page, editor)
    page.goto(f"/admin/issues/issue/{draft.pk}/desk/")

    # 乙文 dropped into 监督纵横's run: it becomes a 监督纵横 article, and the editor is told.
    runs = page.locator(".desk-run")
    runs.nth(0).locator(".desk-piece").nth(1).locator(".drag-handle").drag_to(runs.nth(1).locator(".desk-piece").nth(0))
    expect(page.locator("#desk-status")).to_contain_text("《乙文》改入栏目“监督纵横”")
    assert Piece.objects.get(pk=placed[1].pk).section == supervision

    # Someone else adds a piece meanwhile: the next drop is refused, said so, and the rows go back.
    other = make_report(other_submitter, "丁文", status=Report.Status.ACCEPTED, editor=editor)
    services.place_report(other, draft, as_brief=False, section=news)
    before = runs.nth(1).locator(".piece-title").all_inner_texts()
    runs.nth(1).locator(".desk-piece").nth(1).locator(".drag-handle").drag_to(runs.nth(1).locator(".desk-piece").nth(0))
    expect(page.locator("#desk-status")).to_contain_text("未保存")
    expect(runs.nth(1).locator(".piece-title")).to_have_text(before)

    # Without dragging: the keyboard reaches ↑ and the order is saved by a plain form post.
    page.reload()
    page.locator(f"#piece-{placed[2].pk} button[value=down]").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#piece-{placed[2].pk}")).to_be_visible()
    rows = list(draft.piece_set.articles().order_by("position").values_list("title", flat=True))
    assert rows.index("丙文") > rows.index("乙文")


@pytest.mark.parametrize("width", [375, 1440])
def test_the_desk_fits_the_screen(page, editor, submitter, other_submitter, width, tmp_path_factory):
    from issues import services
    from tests.desk import make_draft

    import_seed(SEED_REGULAR_4)
    draft = make_draft()
    reports = make_inbox(submitter, other_submitter)
    for n, report in enumerate(reports.values()):
        report.transition(Report.Status.ACCEPTED, by=editor)
        if n < 5:
            services.place_report(report, draft, as_brief=False, section=report.suggested_section)
        elif n >= 9:
            services.place_report(report, draft, as_brief=True)
    login(page, editor)
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"/admin/issues/issue/{draft.pk}/desk/")
    expect(page.locator(".desk-piece")).to_have_count(8)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    out = tmp_path_factory.getbasetemp() / f"desk-{width}.png"
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000


def test_publishing_from_the_desk_asks_once_and_a_no_keeps_the_draft(page, editor, submitter):
    """The desk's 发布 asks through static/js/confirm.js, as every page does: one question, the answer obeyed."""
    from issues import services
    from tests.desk import make_draft

    draft = make_draft()
    report = make_report(submitter, "甲文", status=Report.Status.ACCEPTED, editor=editor)
    services.place_report(report, draft, as_brief=True)
    login(page, editor)
    page.goto(f"/admin/issues/issue/{draft.pk}/desk/")
    questions, answers = [], [False, True]

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#publish-button").click()
    page.wait_for_timeout(300)
    assert len(questions) == 1 and "确定发布" in questions[0]
    assert Issue.objects.get(pk=draft.pk).status == Issue.Status.DRAFT
    page.locator("#publish-button").click()
    expect(page.locator(".messagelist")).to_contain_text("已发布")
    assert len(questions) == 2
