"""字数 under every CKEditor: Chinese characters are counted (a run of Latin letters or digits as one), not words."""

import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests.desk import make_report
from tests.test_csp_browser import log_in

TEXT = "上城区人大常委会开展 2024 年代表活动。"  # 16 CJK characters and punctuation marks, and 2024
EXPECTED = "字数：17"


@pytest.mark.django_db(transaction=True)
def test_the_portal_editor_counts_chinese_characters(csp, submitter):
    log_in(csp.page, submitter)
    csp.visit("/submit/new/")
    editable = csp.page.locator(".ck-editor__editable")
    expect(csp.page.locator(".ck-character-count")).to_have_text("字数：0")
    editable.click()
    csp.page.keyboard.type(TEXT)
    expect(csp.page.locator(".ck-character-count")).to_have_text(EXPECTED)
    assert "Words" not in csp.page.locator(".field-body").inner_text()
    csp.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_the_desk_editor_counts_chinese_characters_too(csp, editor, submitter):
    report = make_report(submitter, "上城区：代表联络站", status="accepted", editor=editor)
    Report.objects.filter(pk=report.pk).update(body=f"<p>{TEXT}</p>")
    csp.visit("/admin/login/")
    log_in(csp.page, editor, admin=True)
    csp.visit(f"/admin/reports/report/{report.pk}/change/")
    expect(csp.page.locator(".ck-character-count").first).to_have_text(EXPECTED)
    csp.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_the_desk_panel_edits_an_article_in_the_rich_text_editor(csp, editor, submitter):
    from issues import services
    from tests.desk import make_draft

    draft = make_draft()
    report = make_report(submitter, "上城区：代表联络站", status="accepted", editor=editor)
    piece = services.place_report(report, draft, as_brief=False)
    csp.visit("/admin/login/")
    log_in(csp.page, editor, admin=True)
    csp.visit(f"/admin/issues/issue/{draft.pk}/desk/?edit={piece.pk}")
    panel = csp.page.locator("#edit-panel")
    editable = panel.locator(".ck-editor__editable")
    expect(panel.locator(".ck-toolbar")).to_be_visible()  # bold, headings …: no HTML to type
    editable.click()
    csp.page.keyboard.press("Control+A")
    csp.page.keyboard.type(TEXT)
    expect(panel.locator(".ck-character-count")).to_have_text(EXPECTED)
    panel.get_by_role("button", name="保存").click()
    expect(csp.page.locator(".messagelist")).to_contain_text("已保存")
    piece.refresh_from_db()
    assert piece.body == f"<p>{TEXT}</p>"
    csp.assert_clean()
