"""Word import as a unit uses it: the file is kept as an attachment, the closing attribution and phone fill their
fields, and what the clerk typed is replaced only after asking. 报送 asks with what will be sent."""

import os
import re
import time
from pathlib import Path

from django.urls import reverse

from reports import docx_import
from reports.models import Report
from tests.portal import docx_bytes, make_report, png_bytes, upload

TITLE = "上城区：小营街道“民生议事堂”解民忧"
PARAGRAPHS = [
    "小营街道人大工委……",
    "一是畅通渠道。",
    "（上城区人大常委会办公室　蔡静 李兴军）",
    "联系电话：0571-87001234",
]


def empty_form(**overrides):
    data = {"title": "", "body": "", "authors": "", "phone": "", "suggested_section": "", "action": "import"}
    return {**data, **overrides}


def test_import_reads_the_attribution_and_phone_and_keeps_the_file_as_an_attachment(logged_in):
    response = logged_in.post(
        reverse("reports:new"), {**empty_form(), "docx": upload("原稿.docx", docx_bytes(TITLE, PARAGRAPHS))}
    )
    form = response.context["form"]
    assert form.initial["title"] == TITLE
    assert form.initial["authors"] == "蔡静 李兴军" and form.initial["phone"] == "0571-87001234"
    assert "蔡静" not in form.initial["body"] and "87001234" not in form.initial["body"]  # printed from the fields
    token = re.search(r'name="imported_docx" value="([^"]+)"', response.content.decode()).group(1)
    saved = {**form.initial, "suggested_section": "", "action": "draft", "imported_docx": token}
    logged_in.post(reverse("reports:new"), saved)
    report = Report.objects.get()
    assert report.authors == "蔡静 李兴军" and report.phone == "0571-87001234"
    assert [(a.original_name, a.kind) for a in report.attachments.all()] == [("原稿.docx", "word")]
    assert report.attachments.get().file.read().startswith(b"PK")


def test_half_width_parentheses_and_a_mobile_number_inside_the_attribution(logged_in):
    paragraphs = ["正文一段。", "(上城区人大常委会办公室 王五 电话：13800001111)"]
    response = logged_in.post(
        reverse("reports:new"), {**empty_form(), "docx": upload("稿.docx", docx_bytes("上城区：标题", paragraphs))}
    )
    assert response.context["form"].initial["authors"] == "王五"
    assert response.context["form"].initial["phone"] == "13800001111"


def test_import_asks_before_replacing_a_typed_title_and_text_and_can_keep_them(logged_in):
    typed = empty_form(title="我自己写的标题", body="<p>我已经写了一段。</p>", authors="蔡静")
    response = logged_in.post(
        reverse("reports:new"), {**typed, "docx": upload("稿.docx", docx_bytes(TITLE, PARAGRAPHS))}
    )
    page = response.content.decode()
    assert "替换已填写的内容？" in page and f"《{TITLE}》" in page.replace("&ldquo;", "“").replace("&rdquo;", "”")
    form = response.context["form"]
    assert form.initial["title"] == "我自己写的标题" and "我已经写了一段" in form.initial["body"]
    token = re.search(r'name="imported_docx" value="([^"]+)"', page).group(1)
    kept = logged_in.post(reverse("reports:new"), {**typed, "action": "import_keep", "imported_docx": token})
    assert kept.context["form"].initial["title"] == "我自己写的标题"
    replaced = logged_in.post(reverse("reports:new"), {**typed, "action": "import_replace", "imported_docx": token})
    form = replaced.context["form"]
    assert form.initial["title"] == TITLE and "小营街道人大工委" in form.initial["body"]
    assert form.initial["authors"] == "蔡静"  # typed: kept
    assert not Report.objects.exists()


def test_a_token_of_another_user_attaches_nothing(logged_in, client, other_submitter):
    response = logged_in.post(
        reverse("reports:new"), {**empty_form(), "docx": upload("原稿.docx", docx_bytes(TITLE, PARAGRAPHS))}
    )
    token = re.search(r'name="imported_docx" value="([^"]+)"', response.content.decode()).group(1)
    client.force_login(other_submitter)
    client.post(reverse("reports:new"), {**empty_form(title="西湖区：标题", action="draft"), "imported_docx": token})
    assert Report.objects.get().attachments.count() == 0


def test_the_submit_button_of_a_saved_report_asks_with_what_will_be_sent(logged_in, submitter):
    report = make_report(submitter, title="上城区：<b>标题</b>")
    Report.objects.filter(pk=report.pk).update(authors="蔡静 李兴军")
    page = logged_in.get(report.get_absolute_url()).content.decode()
    question = re.search(r'action="/submit/\d+/submit/" data-confirm="([^"]+)"', page).group(1)
    assert "标题：上城区：&lt;b&gt;标题&lt;/b&gt;" in question and "作者：蔡静 李兴军" in question
    assert "附件：0 个" in question


def test_notices_name_a_title_in_book_marks_so_quotes_never_nest(logged_in, submitter, editor):
    from reports.models import Notification
    from reports.text import titled

    report = make_report(submitter, title=TITLE, status="submitted")
    report.transition(Report.Status.ACCEPTED, by=editor, as_editor=True)
    logged_in.force_login(editor)
    logged_in.post(reverse("reports:detail", args=[report.pk]), {"body": "请补充照片。"})
    messages = list(Notification.objects.filter(report=report).values_list("message", flat=True))
    assert f"《{TITLE}》已被采用" in messages and f"研究室对《{TITLE}》留言：请补充照片。" in messages
    assert all(not re.search(r"“[^”]*“", message) for message in messages)
    assert titled("关于《条例》的“三项”做法") == "《关于〈条例〉的“三项”做法》"


def _body_images(settings) -> list:
    folder = Path(settings.MEDIA_ROOT) / "editor"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_no_image_is_stored_before_the_clerk_chooses_to_replace_typed_text(logged_in, settings):
    """Asking whether to replace typed text stores nothing in the public MEDIA_ROOT; keeping the typed text
    stores nothing either; replacing stores the file's images once."""
    typed = empty_form(title="我自己写的标题", body="<p>我已经写了一段。</p>")
    document = docx_bytes(TITLE, PARAGRAPHS, image=png_bytes())
    response = logged_in.post(reverse("reports:new"), {**typed, "docx": upload("稿.docx", document)})
    page = response.content.decode()
    assert "替换已填写的内容？" in page and _body_images(settings) == []
    token = re.search(r'name="imported_docx" value="([^"]+)"', page).group(1)
    logged_in.post(reverse("reports:new"), {**typed, "action": "import_keep", "imported_docx": token})
    assert _body_images(settings) == []
    replaced = logged_in.post(reverse("reports:new"), {**typed, "action": "import_replace", "imported_docx": token})
    [image] = _body_images(settings)
    assert (
        f'src="/media/editor/{image.relative_to(Path(settings.MEDIA_ROOT) / "editor")}"'
        in replaced.context["form"].initial["body"]
    )


def test_an_import_into_an_empty_form_stores_its_images_at_once(logged_in, settings):
    document = docx_bytes(TITLE, PARAGRAPHS, image=png_bytes())
    response = logged_in.post(reverse("reports:new"), {**empty_form(), "docx": upload("稿.docx", document)})
    assert len(_body_images(settings)) == 1 and "/media/editor/" in response.context["form"].initial["body"]


def test_stashed_word_files_older_than_their_token_are_removed_on_the_next_import(logged_in, settings):
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "docx-import"
    folder.mkdir(parents=True)
    old, recent = folder / "old.docx", folder / "recent.docx"
    for path in (old, recent):
        path.write_bytes(b"PK")
    expired = time.time() - docx_import.STASH_MAX_AGE - 60
    os.utime(old, (expired, expired))
    logged_in.post(reverse("reports:new"), {**empty_form(), "docx": upload("稿.docx", docx_bytes(TITLE, PARAGRAPHS))})
    assert not old.exists() and recent.exists()
    assert len(list(folder.glob("*.docx"))) == 2  # the recent one and this import's


def test_the_word_file_is_attached_before_the_report_is_sent(logged_in, monkeypatch, settings):
    """Saved and submitted in one transaction with the other attachments: the report that moves (and the 保密
    declaration made on it, which covers the attachments) already has the Word file."""
    response = logged_in.post(
        reverse("reports:new"), {**empty_form(), "docx": upload("原稿.docx", docx_bytes(TITLE, PARAGRAPHS))}
    )
    token = re.search(r'name="imported_docx" value="([^"]+)"', response.content.decode()).group(1)
    seen_at_move = []
    real_transition = Report.transition

    def transition(self, *args, **kwargs):
        seen_at_move.append(list(self.attachments.values_list("original_name", flat=True)))
        return real_transition(self, *args, **kwargs)

    monkeypatch.setattr(Report, "transition", transition)
    form = response.context["form"]
    data = {**form.initial, "suggested_section": "", "action": "submit", "secrecy_declared": "on"}
    logged_in.post(reverse("reports:new"), {**data, "imported_docx": token})
    report = Report.objects.get()
    assert report.status == Report.Status.SUBMITTED and seen_at_move == [["原稿.docx"]]
    assert not list((Path(settings.PRIVATE_MEDIA_ROOT) / "docx-import").glob("*.docx"))  # its stash has served
