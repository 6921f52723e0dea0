"""The Content-Security-Policy in Chromium: every main page of each role loads without a violation, and the parts
that run scripts (CKEditor 5, drag ordering, confirmations) still work under it.

To cover a new page, add its URL to the role's list below (a callable gets the test's objects)."""

import pytest
from playwright.sync_api import expect

from issues.models import Issue
from reports.models import Report
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, import_seed
from tests.desk import make_report

pytestmark = pytest.mark.django_db(transaction=True)


def public_pages(issue: Issue) -> list[str]:
    article, brief = issue.piece_set.articles().order_by("position").first(), issue.piece_set.briefs().first()
    return [
        "/",
        "/archive/",
        f"/archive/{issue.year}/",
        issue.get_absolute_url(),
        article.get_absolute_url(),
        *([brief.get_absolute_url()] if brief else []),
        "/articles/",
        f"/articles/?year={issue.year}",
        "/search/?q=人大",
        "/accounts/login/",
    ]


def submitter_pages(report: Report, sent: Report) -> list[str]:
    return [
        "/submit/",
        "/submit/new/",
        f"/submit/{report.pk}/",
        f"/submit/{report.pk}/edit/",
        f"/submit/{sent.pk}/",
        f"/submit/{sent.pk}/versions/1/",
        "/submit/notifications/",
        "/submit/stats/",
        "/submit/calls/",
        "/submit/reminders/",
        "/submit/scores/",
        "/submit/circulars/",
        "/submit/instructions/",
        "/accounts/password/",
    ]


def editor_pages(issue: Issue, draft: Issue, report: Report) -> list[str]:
    article = issue.piece_set.articles().order_by("position").first()
    return [
        "/admin/",
        "/admin/reports/report/",
        f"/admin/reports/report/{report.pk}/change/",
        f"/admin/reports/report/{report.pk}/history/",
        f"/admin/reports/report/{report.pk}/place/",
        "/admin/reports/report/stats/",
        "/admin/reports/contributor/",
        "/admin/issues/issue/",
        f"/admin/issues/issue/{draft.pk}/change/",
        f"/admin/issues/issue/{issue.pk}/change/",
        f"/admin/issues/article/{article.pk}/change/",
        f"/admin/issues/article/add/?issue={draft.pk}",
        f"/admin/issues/brief/add/?issue={draft.pk}",
        "/admin/issues/section/",
        f"/preview/issues/{draft.pk}/",
        f"/admin/issues/issue/{draft.pk}/desk/",
        "/admin/network/call/",
        "/admin/network/call/add/",
        "/admin/network/quota/",
        "/admin/network/reminder/",
        "/admin/auth/user/",
    ]


def log_in(page, user, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_the_watch_catches_inline_scripts_and_handlers(csp, published_issue):
    """The policy is in force and the watch sees a refusal: an injected inline script and handler do not run."""
    csp.visit("/")
    csp.page.evaluate(
        """() => {
        const script = document.createElement("script");
        script.textContent = "window.inlineRan = true";
        document.body.append(script);
        const button = document.createElement("button");
        button.setAttribute("onclick", "window.handlerRan = true");
        document.body.append(button);
        button.click();
    }"""
    )
    assert csp.page.evaluate("[window.inlineRan, window.handlerRan]") == [None, None]
    found = csp.violations()
    assert any("script-src" in v for v in found), found
    assert len(found) >= 2
    csp.console.clear()
    csp.page.evaluate("window.__cspViolations = []")


def test_the_public_site_loads_without_a_violation(csp, all_seeds):
    for url in public_pages(all_seeds[0]):
        csp.visit(url)
    csp.visit("/no-such-page/", status=404)


def test_a_submitter_writes_in_ckeditor_and_saves_under_the_policy(csp, submitter):
    report = make_report(submitter, "上城区：审议报告", status=Report.Status.DRAFT)
    sent = make_report(submitter, "上城区：已报送的信息")
    log_in(csp.page, submitter)
    for url in submitter_pages(report, sent):
        csp.visit(url)

    csp.visit("/submit/new/")
    editable = csp.page.locator(".ck-editor__editable")
    expect(editable).to_be_visible()
    csp.page.fill("#id_title", "上城区：开展专题询问")
    editable.click()
    csp.page.keyboard.type("上城区人大常委会开展专题询问。")
    csp.page.click("button[value=draft]")
    csp.page.wait_for_url("**/submit/*/")
    csp.assert_clean()
    saved = Report.objects.get(title="上城区：开展专题询问")
    assert "上城区人大常委会开展专题询问。" in saved.body

    # Deleting the draft asks first (a data-confirm form, no inline handler): dismissed, nothing is deleted.
    csp.visit(f"/submit/{saved.pk}/")
    csp.page.once("dialog", lambda dialog: dialog.dismiss())
    csp.page.get_by_role("button", name="删除草稿").click()
    csp.page.wait_for_timeout(300)
    assert Report.objects.filter(pk=saved.pk).exists()
    csp.page.once("dialog", lambda dialog: dialog.accept())
    csp.page.get_by_role("button", name="删除草稿").click()
    csp.page.wait_for_url("**/submit/")
    assert not Report.objects.filter(pk=saved.pk).exists()
    csp.assert_clean()


def test_the_desk_works_under_the_policy(csp, editor, submitter):
    issue = import_seed(SEED_REGULAR_4)
    draft = import_seed(SEED_REGULAR_2, draft=True)
    report = make_report(submitter, "上城区：代表联络站", status=Report.Status.ACCEPTED, editor=editor)
    csp.visit("/admin/login/")
    log_in(csp.page, editor, admin=True)
    for url in editor_pages(issue, draft, report):
        csp.visit(url)

    # CKEditor in the admin: the accepted report's text is edited for publication and saved.
    csp.visit(f"/admin/reports/report/{report.pk}/change/")
    editable = csp.page.locator(".ck-editor__editable").first
    expect(editable).to_be_visible()
    editable.click()
    csp.page.keyboard.press("Control+End")
    csp.page.keyboard.type("编辑部补充一句。")
    csp.page.locator("input[name=_continue]").click()
    expect(csp.page.locator(".messagelist")).to_be_visible()
    csp.assert_clean()
    assert "编辑部补充一句。" in Report.objects.get(pk=report.pk).body

    # Drag ordering (SortableJS) of the draft's articles at the desk, saved on drop.
    csp.visit(f"/admin/issues/issue/{draft.pk}/desk/")
    run = csp.page.locator(".desk-run").first
    rows = run.locator(".desk-piece .piece-title")
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    run.locator(".desk-piece").nth(1).locator(".drag-handle").drag_to(run.locator(".desk-piece").nth(0))
    expect(csp.page.locator("#desk-status")).to_contain_text("顺序已保存")
    expect(rows.nth(0)).to_have_text(second)
    expect(rows.nth(1)).to_have_text(first)
    csp.assert_clean()
    csp.visit(f"/admin/issues/issue/{draft.pk}/change/")

    # Publishing asks for confirmation: dismissed, the draft stays a draft.
    csp.page.once("dialog", lambda dialog: dialog.dismiss())
    csp.page.get_by_role("button", name="发布", exact=True).click()
    csp.page.wait_for_timeout(300)
    assert Issue.objects.get(pk=draft.pk).status == Issue.Status.DRAFT
    csp.assert_clean()
