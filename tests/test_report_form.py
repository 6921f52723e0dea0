"""Writing, saving, submitting, revising and deleting a report through the portal's forms."""

import os

from django.urls import reverse

from reports.models import Attachment, Report
from tests.portal import docx_bytes, jpeg_bytes, make_report, pdf_bytes, png_bytes, seen, upload


def form_data(**overrides):
    data = {
        "title": "上城区：推进“民呼我为”代表联络站建设",
        "body": "<p>上城区人大常委会<strong>聚焦</strong>……</p>",
        "authors": "蔡 静　李兴军",
        "phone": "0571-87000000",
        "suggested_section": "",
        "action": "draft",
    }
    return {**data, **overrides}


def test_save_draft_with_attachments(logged_in, submitter):
    files = [
        upload("现场.jpg", jpeg_bytes()),
        upload("材料.pdf", pdf_bytes()),
        upload("原稿.docx", docx_bytes("t", ["x"])),
    ]
    response = logged_in.post(reverse("reports:new"), {**form_data(), "attachments": files})
    report = Report.objects.get()
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.status == Report.Status.DRAFT and report.unit == submitter.profile.unit
    assert report.authors == "蔡 静 李兴军"
    assert sorted(report.attachments.values_list("kind", flat=True)) == ["image", "pdf", "word"]
    names = {a.original_name: a.file.name for a in report.attachments.all()}
    assert set(names) == {"现场.jpg", "材料.pdf", "原稿.docx"}
    assert all("现场" not in stored and stored.startswith(f"reports/{report.pk}/") for stored in names.values())


def test_submit_records_version_and_freezes_report(logged_in):
    logged_in.post(reverse("reports:new"), form_data(action="submit", secrecy_declared="on"))
    report = Report.objects.get()
    assert report.status == Report.Status.SUBMITTED
    assert report.versions.count() == 1
    response = logged_in.get(reverse("reports:edit", args=[report.pk]))
    assert response.status_code == 302
    response = logged_in.post(reverse("reports:edit", args=[report.pk]), form_data(title="偷偷改标题"))
    report.refresh_from_db()
    assert report.title != "偷偷改标题"


def test_submit_requires_a_body_and_keeps_what_was_typed(logged_in):
    response = logged_in.post(
        reverse("reports:new"), form_data(action="submit", secrecy_declared="on", body="<p> </p>")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "报送前请填写正文" in content
    assert "推进“民呼我为”代表联络站建设" in content and "0571-87000000" in content
    assert not Report.objects.exists()


def test_invalid_form_keeps_typed_text_and_explains_in_chinese(logged_in):
    response = logged_in.post(reverse("reports:new"), form_data(title=""))
    content = response.content.decode()
    assert "请填写标题" in content
    assert "上城区人大常委会" in content and "0571-87000000" in content
    assert "已填写的内容均已保留" in content


def test_returned_report_is_revised_and_resubmitted_keeping_versions(logged_in, submitter):
    report = make_report(submitter, status="returned")
    response = logged_in.post(
        reverse("reports:edit", args=[report.pk]),
        form_data(action="submit", secrecy_declared="on", body="<p>补充了数据：增长 12%。</p>", seen_status="returned"),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert [v.number for v in report.versions.all()] == [1, 2]
    first = logged_in.get(reverse("reports:version", args=[report.pk, 1])).content.decode()
    second = logged_in.get(reverse("reports:version", args=[report.pk, 2])).content.decode()
    assert "上城区人大常委会推进" in first and "增长 12%" in second
    detail = logged_in.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "请补充具体数据" in detail  # the editor's reason in the timeline
    assert detail.count("退回修改") >= 1 and "重新报送" in detail and "第 2 版" in detail


def test_draft_can_be_deleted_but_not_a_submitted_report(logged_in, submitter):
    draft = make_report(submitter)
    logged_in.post(reverse("reports:delete", args=[draft.pk]))
    assert not Report.objects.filter(pk=draft.pk).exists()
    returned = make_report(submitter, status="returned")
    response = logged_in.post(reverse("reports:delete", args=[returned.pk]), follow=True)
    assert Report.objects.filter(pk=returned.pk).exists()
    assert "已报送过的信息不能删除" in response.content.decode()


def test_submit_button_on_detail_page(logged_in, submitter):
    draft = make_report(submitter)
    logged_in.post(reverse("reports:submit", args=[draft.pk]), {"secrecy_declared": "on", **seen(draft)})
    draft.refresh_from_db()
    assert draft.status == Report.Status.SUBMITTED
    data = {"secrecy_declared": "on", **seen(draft)}  # a page loaded after the submission
    response = logged_in.post(reverse("reports:submit", args=[draft.pk]), data, follow=True)
    assert "不能把“已报送”状态的信息改为“已报送”" in response.content.decode()


def test_docx_import_fills_title_and_body_keeping_other_fields(logged_in):
    document = docx_bytes(
        "拱墅区：代表联络站开展“局长进站”活动",
        ["拱墅区人大常委会组织……", "一是畅通渠道。"],
        bold="拱墅区人大常委会",
        image=png_bytes(),
    )
    response = logged_in.post(
        reverse("reports:new"), {**form_data(action="import", title="", body=""), "docx": upload("稿件.docx", document)}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "拱墅区：代表联络站开展“局长进站”活动"
    assert "<strong>拱墅区人大常委会</strong>" in form.initial["body"]
    assert "一是畅通渠道" in form.initial["body"]
    assert '<img alt="现场照片" src="/media/editor/' in form.initial["body"]
    assert form.initial["phone"] == "0571-87000000"
    assert not Report.objects.exists()  # nothing saved until the submitter checks it


def test_docx_import_refuses_non_docx_and_keeps_typed_text(logged_in):
    response = logged_in.post(
        reverse("reports:new"), {**form_data(action="import"), "docx": upload("稿件.docx", b"not a zip at all")}
    )
    content = response.content.decode()
    assert "不支持" in content
    assert response.context["form"].initial["title"] == "上城区：推进“民呼我为”代表联络站建设"


def test_comment_thread_between_unit_and_editor(client, submitter, editor):
    report = make_report(submitter, status="submitted")
    client.force_login(submitter)
    client.post(reverse("reports:detail", args=[report.pk]), {"body": "附件里是照片原图。"})
    client.force_login(editor)
    client.post(reverse("reports:detail", args=[report.pk]), {"body": "收到，谢谢。"})
    response = client.post(reverse("reports:detail", args=[report.pk]), {"body": "   "})
    assert "请填写留言内容" in response.content.decode()
    content = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert content.index("附件里是照片原图") < content.index("收到，谢谢")


def test_attachment_is_downloaded_with_safe_headers(logged_in, submitter):
    logged_in.post(reverse("reports:new"), {**form_data(), "attachments": [upload("现场 照片.jpg", jpeg_bytes())]})
    attachment = Attachment.objects.get()
    response = logged_in.get(attachment.get_absolute_url())
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == jpeg_bytes()


def test_editor_loads_only_sanitised_html_even_if_stored_raw(logged_in, submitter):
    """A body written past the portal (admin, import) is cleaned before CKEditor sees it."""
    report = make_report(submitter)
    Report.objects.filter(pk=report.pk).update(
        body='<p>正文</p><img src=x onerror="alert(1)"><script>alert(2)</script>'
    )
    form = logged_in.get(reverse("reports:edit", args=[report.pk])).context["form"]
    assert form["body"].value() == "<p>正文</p><img>"


def test_pages_sanitise_a_body_stored_raw(logged_in, submitter):
    report = make_report(submitter, status="submitted")
    raw = '<p>正文</p><img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">x</a>'
    Report.objects.filter(pk=report.pk).update(body=raw)
    report.versions.update(body=raw)
    for url in (reverse("reports:detail", args=[report.pk]), reverse("reports:version", args=[report.pk, 1])):
        content = logged_in.get(url).content.decode()
        assert "<p>正文</p>" in content
        assert "onerror" not in content and "alert(2)" not in content and "javascript:" not in content


def test_submitting_an_empty_draft_from_its_page_sends_back_to_the_form(logged_in, submitter):
    draft = make_report(submitter, body="")
    data = {"secrecy_declared": "on", **seen(draft)}
    response = logged_in.post(reverse("reports:submit", args=[draft.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:edit", args=[draft.pk])
    assert "报送前请填写正文" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Report.Status.DRAFT


def test_attachment_removed_while_editable_only(logged_in, submitter):
    logged_in.post(reverse("reports:new"), {**form_data(), "attachments": [upload("a.pdf", pdf_bytes())]})
    attachment = Attachment.objects.get()
    path = attachment.file.path
    logged_in.post(reverse("reports:attachment_delete", args=[attachment.report_id, attachment.pk]))
    assert not Attachment.objects.exists()
    assert not os.path.exists(path)
    logged_in.post(
        reverse("reports:edit", args=[attachment.report_id]),
        {
            **form_data(action="submit", secrecy_declared="on", seen_status="draft"),
            "attachments": [upload("b.pdf", pdf_bytes())],
        },
    )
    kept = Attachment.objects.get()
    response = logged_in.post(reverse("reports:attachment_delete", args=[kept.report_id, kept.pk]), follow=True)
    assert Attachment.objects.filter(pk=kept.pk).exists()
    assert "已报送的信息不能删除附件" in response.content.decode()


def test_plain_text_reads_sanitised_html_as_a_parser_would():
    from reports.forms import body_has_content
    from reports.sanitize import clean_html, plain_text

    body = clean_html('<p>甲&amp;乙 <img src="/media/a.png" alt="a > b">丙</p><p>&nbsp;</p><p>丁</p>')
    assert plain_text(body) == "甲&乙 丙 丁"
    assert not body_has_content(clean_html("<p>&nbsp;</p><p> </p>"))
    assert body_has_content(clean_html("<p>正文</p>"))
