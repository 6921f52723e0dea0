"""Hostile uploads are refused with a message that says what to do, and nothing typed is lost."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from reports.models import Attachment, Report
from tests.portal import docx_bytes, jpeg_bytes, png_bytes, upload

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<html><script>alert(1)</script></html>"


def zip_bomb() -> bytes:
    """A .docx-shaped zip whose document expands to over 100 MB (about 100 KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(101):
                member.write(chunk)
    return buffer.getvalue()


def docx_too_long() -> bytes:
    """A genuine Word file whose text part is over 10 MB (a book, not a report)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:p>" + "字" * (4 * 1024 * 1024) + "</w:p>")
    return buffer.getvalue()


def zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", WINDOWS_EXE)
    return buffer.getvalue()


def post_report(client, files, **extra):
    data = {
        "title": "上城区：基层立法联系点",
        "body": "<p>正文内容</p>",
        "authors": "蔡静",
        "phone": "",
        "action": "draft",
    }
    return client.post(reverse("reports:new"), {**data, **extra, "attachments": files})


HOSTILE_ATTACHMENTS = [
    ("程序.jpg", ELF, "文件类型不支持"),
    ("setup.pdf", WINDOWS_EXE, "文件类型不支持"),
    ("图.svg", SVG, "文件类型不支持"),
    ("图.png", SVG, "文件类型不支持"),
    ("页面.html", HTML, "文件类型不支持"),
    ("稿件.docx", b"PK\x03\x04 this is not really a zip", "已损坏或不是 Word"),
    ("炸弹.docx", zip_bomb(), "解压后过大"),
    ("伪装.docx", zip_without_word(), "不是 Word（.docx）文档"),
    ("半张.jpg", jpeg_bytes()[:60], "无法作为图片打开"),
    ("空.pdf", b"", "空文件"),  # refused by the form field before the content check
]


@pytest.mark.parametrize(("name", "data", "message"), HOSTILE_ATTACHMENTS, ids=[h[0] for h in HOSTILE_ATTACHMENTS])
def test_hostile_attachment_is_refused_and_form_kept(logged_in, name, data, message):
    response = post_report(logged_in, [upload(name, data)])
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "其余内容已保留" in content
    assert response.context["form"]["title"].value() == "上城区：基层立法联系点"
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_oversized_attachment_is_refused_with_the_limit(logged_in, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 50 * 1024
    response = post_report(logged_in, [upload("大图.png", png_bytes(size=(800, 800)) + b"\x00" * 60 * 1024)])
    assert "超过了 50.0\xa0KB 的上限" in response.content.decode()
    assert not Attachment.objects.exists()


def test_name_with_path_is_stored_under_a_random_name(logged_in, settings):
    response = post_report(logged_in, [upload("../../../etc/cron.d/现场.png", png_bytes())])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "现场.png"
    stored = attachment.file.path
    assert stored.startswith(str(settings.PRIVATE_MEDIA_ROOT)) and "现场" not in stored
    assert str(settings.MEDIA_ROOT) not in stored  # never reachable as a public /media/ URL


def test_one_bad_file_among_good_ones_saves_nothing_and_names_the_bad_one(logged_in):
    response = post_report(logged_in, [upload("好.png", png_bytes()), upload("坏.jpg", ELF)])
    content = response.content.decode()
    assert "“坏.jpg”的文件类型不支持" in content and "“好.png”" not in content
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("稿件.docx", b"not a zip", "文件类型不支持"),
        ("稿件.docx", b"PK\x03\x04 broken", "已损坏"),
        ("炸弹.docx", zip_bomb(), "解压后过大"),
        ("长篇.docx", docx_too_long(), "正文过长"),
        ("图.docx", png_bytes(), "文件类型不支持"),
    ],
)
def test_hostile_docx_import_is_refused(logged_in, name, data, message):
    response = logged_in.post(
        reverse("reports:new"),
        {"title": "已输入的标题", "body": "<p>已输入的正文</p>", "action": "import", "docx": upload(name, data)},
    )
    assert message in response.content.decode()
    assert response.context["form"].initial["title"] == "已输入的标题"
    assert "已输入的正文" in response.context["form"].initial["body"]


def test_docx_import_with_a_script_link_is_sanitised(logged_in):
    document = docx_bytes("标题", ["<script>alert(1)</script>正文"])
    response = logged_in.post(reverse("reports:new"), {"action": "import", "docx": upload("a.docx", document)})
    body = response.context["form"].initial["body"]
    assert "<script>" not in body and "&lt;script&gt;" in body


# CKEditor's image endpoint


def ck_upload(client, name, data):
    response = client.post(reverse("reports:upload_image"), {"upload": upload(name, data)})
    return response.status_code, json.loads(response.content)


def test_editor_image_upload_stores_a_random_public_name(logged_in, settings):
    status, answer = ck_upload(logged_in, "../现场.png", png_bytes())
    assert status == 200
    assert answer["url"].startswith("/media/editor/") and answer["url"].endswith(".png")
    assert "现场" not in answer["url"]
    assert (settings.MEDIA_ROOT / answer["url"].removeprefix("/media/")).read_bytes() == png_bytes()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.jpg", ELF, "文件类型不支持"),
        ("x.svg", SVG, "文件类型不支持"),
        ("x.pdf", b"%PDF-1.4\n", "文件类型不支持"),
        ("x.png", png_bytes()[:30], "无法作为图片打开"),
    ],
)
def test_editor_image_upload_refuses_non_images(logged_in, name, data, message):
    status, answer = ck_upload(logged_in, name, data)
    assert status == 400 and message in answer["error"]["message"]


def test_editor_image_upload_size_limit(logged_in, settings):
    """Checked on the file itself, and refused from the request size alone when far too big."""
    settings.REPORT_IMAGE_MAX_BYTES = 1024
    status, answer = ck_upload(logged_in, "big.png", png_bytes(size=(300, 300), color=(1, 2, 3)) + b"\x00" * 2048)
    assert status == 400 and "上限" in answer["error"]["message"]
    status, answer = ck_upload(logged_in, "huge.png", png_bytes() + b"\x00" * 200 * 1024)
    assert status == 413 and "上限" in answer["error"]["message"]


def test_editor_image_upload_needs_login_and_csrf(client, submitter):
    status, answer = ck_upload(client, "a.png", png_bytes())
    assert status == 403 and "请先登录" in answer["error"]["message"]
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(submitter)
    assert strict.post(reverse("reports:upload_image"), {"upload": upload("a.png", png_bytes())}).status_code == 403
