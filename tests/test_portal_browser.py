"""The portal in headless Chromium: a district submitter writes, illustrates, attaches and submits a report."""

import pytest

from reports.models import Report
from tests.portal import docx_bytes, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.goto("/submit/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/submit/")


def test_write_attach_submit_and_see_it_listed(page, submitter):
    log_in(page, submitter)
    page.click("text=新建信息 >> nth=0")
    page.wait_for_selector(".ck-editor__editable")
    page.fill("#id_title", "上城区：“代表夜聊”收集民意")
    editable = page.locator(".ck-editor__editable")
    editable.click()
    page.keyboard.type("上城区人大常委会开展“代表夜聊”活动，")
    page.keyboard.press("Control+b")
    page.keyboard.type("收集意见建议 126 条")
    page.keyboard.press("Control+b")
    page.keyboard.type("。")
    # An image into the body through CKEditor's own upload button (our endpoint, with its CSRF header).
    page.locator(".ck-file-dialog-button input[type=file], input[type=file][accept*='image']").first.set_input_files(
        {"name": "夜聊.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.wait_for_selector(".ck-editor__editable img[src^='/media/editor/']")
    page.fill("#id_authors", "蔡静 李兴军")
    page.set_input_files("#id_attachments", {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    page.check("#id_secrecy_declared")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button[value=submit]")  # 报送 asks first, with what will be sent; dismissed, nothing is sent
    assert "标题：上城区：“代表夜聊”收集民意" in questions[0] and "作者：蔡静 李兴军" in questions[0]
    assert "附件：1 个" in questions[0] and not Report.objects.exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=submit]")
    page.wait_for_url("**/submit/*/")
    assert "信息已报送" in page.content()

    report = Report.objects.get()
    assert report.status == Report.Status.SUBMITTED
    assert "<strong>收集意见建议 126 条</strong>" in report.body
    assert '<img src="/media/editor/' in report.body
    assert report.attachments.get().original_name == "现场照片.jpg"

    page.click("text=本单位信息")
    row = page.locator("table.reports tr", has_text="“代表夜聊”收集民意")
    assert row.locator(".status").inner_text() == "已报送"


def test_submitting_without_the_declaration_says_so_before_asking(page, submitter):
    """报送 with the 保密 box unticked: the server's message shows beside the box and no question is asked (asked
    first, the clerk would confirm and then be refused); ticked, the question comes and the report goes."""
    log_in(page, submitter)
    page.goto("/submit/new/")
    page.wait_for_selector(".ck-editor__editable")
    page.fill("#id_title", "上城区：保密声明")
    page.locator(".ck-editor__editable").click()
    page.keyboard.type("正文一段。")
    questions, accept = [], []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    page.click("button[value=submit]")
    message = page.locator(".field-secrecy .errors")
    assert message.inner_text() == "报送研究室前请勾选保密声明。" and questions == []
    assert page.evaluate("document.activeElement.id") == "id_secrecy_declared"
    assert not Report.objects.exists() and "/submit/new/" in page.url
    page.check("#id_secrecy_declared")
    assert message.count() == 0
    accept.append(True)
    page.click("button[value=submit]")
    page.wait_for_url("**/submit/*/")
    assert Report.objects.get().status == Report.Status.SUBMITTED and len(questions) == 1


def test_submitting_an_empty_body_says_so_before_asking(page, submitter):
    """报送 with nothing in the editor: the server's message shows under the editor, no question is asked and the
    cursor is in the editor; a picture alone is a body, as the server counts it."""
    log_in(page, submitter)
    page.goto("/submit/new/")
    editable = page.locator(".ck-editor__editable")
    editable.wait_for()
    page.fill("#id_title", "上城区：只有标题")
    page.check("#id_secrecy_declared")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button[value=submit]")
    message = page.locator(".field-body .errors")
    assert message.inner_text() == "报送前请填写正文。" and questions == []
    assert page.evaluate("document.activeElement.classList.contains('ck-editor__editable')")
    assert not Report.objects.exists() and "/submit/new/" in page.url
    page.locator(".ck-file-dialog-button input[type=file], input[type=file][accept*='image']").first.set_input_files(
        {"name": "夜聊.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.wait_for_selector(".ck-editor__editable img[src^='/media/editor/']")
    page.click("button[value=submit]")
    assert message.count() == 0 and len(questions) == 1 and "标题：上城区：只有标题" in questions[0]


def test_a_unit_with_its_own_review_asks_to_send_for_review_not_to_the_研究室(page, submitter):
    unit = submitter.profile.unit
    unit.review_required = True
    unit.save()
    log_in(page, submitter)
    page.goto("/submit/new/")
    page.locator(".ck-editor__editable").click()
    page.keyboard.type("正文一段。")
    page.fill("#id_title", "上城区：送审核")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click("button[value=submit]")
    page.wait_for_url("**/submit/*/")
    assert questions[0].startswith("确定送审核这篇信息吗？送审核后，审核人处理前不能再修改。")
    assert Report.objects.get().status == Report.Status.IN_REVIEW


def test_docx_upload_fills_the_editor(page, submitter):
    log_in(page, submitter)
    page.goto("/submit/new/")
    page.fill("#id_phone", "0571-85000000")
    document = docx_bytes(
        "拱墅区：人大代表联络站“局长进站”", ["拱墅区人大常委会组织局长进站接待代表。", "一是畅通渠道。"]
    )
    page.set_input_files("#id_docx", {"name": "稿件.docx", "mimeType": "application/octet-stream", "buffer": document})
    page.click("button[value=import]")
    page.wait_for_selector(".ck-editor__editable p")
    assert page.input_value("#id_title") == "拱墅区：人大代表联络站“局长进站”"
    assert "一是畅通渠道。" in page.locator(".ck-editor__editable").inner_text()
    assert page.input_value("#id_phone") == "0571-85000000"
    assert not Report.objects.exists()


def test_pages_load_a_fixed_ckeditor_without_raw_html_plugins(page, submitter):
    log_in(page, submitter)
    page.goto("/submit/new/")
    page.wait_for_selector(".ck-editor__editable")
    version = page.evaluate("window.CKEDITOR_VERSION")
    assert tuple(int(part) for part in version.split(".")[:3]) >= (48, 5, 1), version
    plugins = page.evaluate(
        "['GeneralHtmlSupport', 'SourceEditing', 'HtmlEmbed', 'Style', 'MediaEmbed']"
        ".filter(name => window.editors['id_body'].plugins.has(name))"
    )
    assert plugins == []
    assert page.locator(".ck-toolbar [data-cke-tooltip-text^='加粗']").count() == 1  # Chinese UI
