"""Word import in Chromium: over a typed title it asks first (a page of ours, no script needed), then replaces."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.portal import docx_bytes
from tests.test_csp_browser import log_in

TITLE = "上城区：小营街道“民生议事堂”解民忧"


@pytest.mark.django_db(transaction=True)
def test_import_over_typed_text_asks_then_replaces(csp, submitter, tmp_path_factory):
    page = csp.page
    width = 375
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, submitter)
    csp.visit("/submit/new/")
    page.fill("#id_title", "我先写的标题")
    document = docx_bytes(TITLE, ["小营街道人大工委……", "（上城区人大常委会办公室 蔡静）"])
    page.set_input_files("#id_docx", {"name": "原稿.docx", "mimeType": "application/octet-stream", "buffer": document})
    page.locator("button[value=import]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".docx-confirm")).to_contain_text("替换已填写的内容？")
    assert page.locator("#id_title").input_value() == "我先写的标题"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator(".docx-confirm").scroll_into_view_if_needed()
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.getbasetemp())
    page.screenshot(path=str(folder / f"docx-confirm-{width}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(folder / "docx-confirm-1440.png"))
    page.locator("button[value=import_replace]").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_title").input_value() == TITLE
    assert page.locator("#id_authors").input_value() == "蔡静"
    page.locator("button[value=submit]").scroll_into_view_if_needed()
    page.screenshot(path=str(folder / "report-form-1440.png"))
    page.check("#id_secrecy_declared")  # without it the form says so instead of asking
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.locator("button[value=submit]").click()
    page.wait_for_url("**/submit/*/")
    assert "附件：1 个" in questions[0]  # the Word file goes with the report
    csp.assert_clean()
