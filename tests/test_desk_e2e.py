"""End to end in Chromium: from the inbox to a published issue with an article and a brief, reordered by drag at the
desk."""

import re

import pytest
from playwright.sync_api import expect

from issues.models import Issue
from reports.models import Report, display_name
from tests import pdftools
from tests.conftest import SEED_REGULAR_4, import_seed
from tests.desk import make_report

pytestmark = pytest.mark.django_db(transaction=True)


def login(page, user):
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(f"欢迎，{display_name(user)}")


def accept_and_place(page, title, *, section=None, brief_text=None):
    page.goto("/admin/reports/report/?status=all")
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name="采用", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"《{title}》：已采用")
    page.get_by_role("link", name="编入刊期…").click()
    if brief_text is None:
        page.select_option("#id_section", label=section)
    else:
        page.get_by_label("信息摘登").check()
        page.fill("#id_brief_text", brief_text)
    page.get_by_role("button", name="编入", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("已编入")


def test_an_editor_assembles_and_publishes_an_issue(page, editor, submitter, other_submitter, tmp_path):
    import_seed(SEED_REGULAR_4)  # the last published issue: 2024 第 4 期(总第 692 期)
    first = make_report(submitter, "上城区：聚焦一老一小开展专题询问")
    second = make_report(other_submitter, "西湖区：代表联络站服务群众见实效")
    third = make_report(submitter, "上城区：开展预算联网监督")
    login(page, editor)

    # The inbox lists the three waiting reports, oldest first.
    page.goto("/admin/reports/report/")
    titles = page.locator("#result_list tbody th a").all_inner_texts()
    assert titles == [first.title, second.title, third.title]

    # Create the next issue: its numbers are proposed from the last published one.
    page.goto("/admin/issues/issue/")
    page.get_by_role("link", name="新建下一期普刊").click()
    expect(page.locator("#id_total_number")).to_have_value("693")
    expect(page.locator("#id_send_to")).to_have_value("省人大常委会办公厅、研究室")
    page.locator("input[name=_save]").click()
    draft = Issue.objects.drafts().get()

    accept_and_place(page, first.title, section="要闻速递")
    accept_and_place(page, second.title, section="监督纵横")
    accept_and_place(page, third.title, brief_text="上城区人大常委会办公室开展预算联网监督，推动预算执行更透明。")

    # On the issue page: two articles and a brief, each a link to its own page; the order is the desk's.
    expect(page).to_have_url(re.compile(rf"/admin/issues/issue/{draft.pk}/change/"))
    rows = page.locator("#articles-group tbody tr.has_original")
    expect(rows).to_have_count(2)
    expect(page.locator("#briefs-group tbody tr.has_original")).to_have_count(1)
    expect(rows.nth(0).get_by_role("link", name=first.title)).to_be_visible()

    # At the desk: drag the second article's section above the first; saved on drop.
    page.locator("#desk-link").click()
    groups = page.locator("#desk-groups .desk-group")
    groups.nth(1).locator(".group-handle").drag_to(groups.nth(0).locator(".group-handle"))
    expect(page.locator("#desk-status")).to_contain_text("顺序已保存")
    expect(groups.nth(0)).to_contain_text("西湖区：代表联络站服务群众见实效")
    order = draft.piece_set.articles().order_by("position").values_list("title", flat=True)
    assert list(order) == [second.title, first.title]

    # Publish (the page asks for confirmation).
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("已发布")

    issue = Issue.objects.get(pk=draft.pk)
    assert issue.is_published and (issue.number, issue.total_number) == (1, 693)
    assert [a.report for a in issue.piece_set.articles().order_by("position")] == [second, first]
    brief = issue.piece_set.briefs().get()
    assert brief.report == third
    assert brief.printed_body.startswith("<p><strong>上城区人大常委会</strong>上城区人大常委会办公室开展")
    assert set(Report.objects.values_list("status", flat=True)) == {Report.Status.PUBLISHED}

    # Readers now see both pieces on the public issue page and in its PDF.
    page.goto(issue.get_absolute_url())
    expect(page.locator("main")).to_contain_text(first.title)
    expect(page.locator("main")).to_contain_text(second.title)
    expect(page.locator("main")).to_contain_text("开展预算联网监督，推动预算执行更透明")
    download = page.request.get(issue.get_absolute_url() + "pdf/")
    assert download.ok and download.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "issue.pdf"
    pdf_path.write_bytes(download.body())
    text = re.sub(r"\s", "", pdftools.pdftotext(pdf_path))
    assert re.sub(r"\s", "", first.title) in text and re.sub(r"\s", "", second.title) in text
    assert "开展预算联网监督" in text

    # The unit's portal shows where its report appeared.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", submitter.username)
    page.fill("#id_password", "pw-" + submitter.username)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.goto("/submit/")
    row = page.locator("tr, li, article").filter(has_text=first.title).first
    expect(row).to_contain_text("要闻速递")
    expect(row).to_contain_text(str(issue.total_number))
