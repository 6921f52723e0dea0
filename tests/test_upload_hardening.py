"""Uploads whose names, sizes or contents lie: the kept name follows the content, and every refusal says why."""

import io
import struct
import zipfile
import zlib
from urllib.parse import unquote

import pytest
from django.urls import reverse
from PIL import Image, ImageFile

from reports.models import Attachment, Report
from tests.portal import _CONTENT_TYPES, _NS, _RELS, docx_bytes, jpeg_bytes, make_report, upload

FORM = {"title": "上城区：基层立法联系点", "body": "<p>正文内容</p>", "authors": "蔡静", "phone": "", "action": "draft"}


def post_report(client, files):
    return client.post(reverse("reports:new"), {**FORM, "attachments": files})


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes that claims `width` × `height` pixels (1-bit grey)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def noisy(fmt: str, size=(400, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def weasyprint_loaded(monkeypatch):
    """The web process once it has rendered a PDF: WeasyPrint turns Pillow's truncated-image leniency on."""
    import weasyprint  # noqa: F401

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)


def test_a_jpeg_named_html_is_kept_and_downloaded_as_jpg(logged_in):
    response = post_report(logged_in, [upload("会议纪要.html", jpeg_bytes(), content_type="text/html")])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "会议纪要.jpg" and attachment.content_type == "image/jpeg"
    download = logged_in.get(attachment.get_absolute_url())
    assert download["Content-Type"] == "image/jpeg"
    disposition = unquote(download["Content-Disposition"])
    assert disposition.endswith("会议纪要.jpg") and ".html" not in disposition


def test_a_file_kept_earlier_under_a_lying_name_downloads_with_its_contents_extension(logged_in, submitter):
    report = make_report(submitter)
    post = post_report(logged_in, [upload("现场.jpg", jpeg_bytes())])
    attachment = Attachment.objects.get()
    Attachment.objects.filter(pk=attachment.pk).update(original_name="会议纪要.html", report=report)
    assert post.status_code == 302
    download = logged_in.get(reverse("reports:attachment", args=[report.pk, attachment.pk]))
    assert unquote(download["Content-Disposition"]).endswith("''会议纪要.jpg")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF"])
def test_a_truncated_image_is_refused_even_with_weasyprint_loaded(logged_in, weasyprint_loaded, fmt):
    data = noisy(fmt)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    response = post_report(logged_in, [upload(f"照片.{fmt.lower()}", data[: len(data) * 2 // 3])])
    assert f"“照片.{fmt.lower()}”不完整（文件被截断）" in response.content.decode()
    assert not Attachment.objects.exists()
    # The whole file is fine.
    assert post_report(logged_in, [upload(f"照片.{fmt.lower()}", data)]).status_code == 302


def test_a_truncated_image_is_refused_in_the_editor_upload_too(logged_in, weasyprint_loaded):
    data = noisy("JPEG")
    response = logged_in.post(reverse("reports:upload_image"), {"upload": upload("图.jpg", data[:-500])})
    assert response.status_code == 400 and "不完整" in response.json()["error"]["message"]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (10_000, 10_000)])
def test_a_decompression_bomb_png_is_refused_as_too_large(logged_in, width, height):
    """30,000² pixels Pillow refuses to open; 10,000² (over our 60 million) it opens with a warning."""
    response = post_report(logged_in, [upload("大图.png", bomb_png(width, height))])
    content = response.content.decode()
    assert "“大图.png”的像素尺寸过大（超过 6000 万像素）" in content and "可能已损坏" not in content
    assert not Report.objects.exists()


def _multipart(filename_header: str, data: bytes, boundary="RendaBoundary") -> tuple[bytes, str]:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in FORM.items()]
    body = (
        "".join(parts).encode()
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; {filename_header}\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
    )
    return body + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    "header", ['filename="\x00"', "filename*=UTF-8''%00", 'filename="照片\x00.jpg"', 'filename="\x01\x02"']
)
def test_a_nul_in_a_file_name_is_refused_with_a_message_not_dropped_unseen(logged_in, header):
    body, content_type = _multipart(header, jpeg_bytes())
    response = logged_in.generic("POST", reverse("reports:new"), body, content_type=content_type)
    assert response.status_code == 200
    content = response.content.decode()
    assert "文件名含有无法识别的控制字符（如空字符）" in content and "其余内容已保留" in content
    assert response.context["form"]["title"].value() == FORM["title"]
    assert not Report.objects.exists()


def test_an_image_bomb_inside_a_docx_is_named_as_too_large(logged_in):
    document = docx_bytes("标题", ["正文"], image=bomb_png(30_000, 30_000))
    response = logged_in.post(reverse("reports:new"), {"action": "import", "docx": upload("稿件.docx", document)})
    content = response.content.decode()
    assert "像素尺寸过大" in content and "EMF/WMF" not in content
    assert "正文" in response.context["form"].initial["body"]


def _docx_with_body(body_xml: str) -> bytes:
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_NS}><w:body>{body_xml}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def test_a_small_docx_with_a_huge_document_is_refused_before_converting(logged_in):
    """The fault run's file: some 30 KB zipped, 9.8 MB of tiny paragraphs that kept a worker 22 s."""
    data = _docx_with_body("<w:p><w:r><w:t>字</w:t></w:r></w:p>" * 290_000)
    assert len(data) < 60_000
    response = logged_in.post(reverse("reports:new"), {**FORM, "action": "import", "docx": upload("炸弹.docx", data)})
    content = response.content.decode()
    assert "“炸弹.docx”的段落或格式过多" in content and "无法在线导入" in content
    assert response.context["form"].initial["title"] == FORM["title"]


def test_a_long_real_report_still_imports(logged_in):
    data = docx_bytes("上城区：长篇调研报告", [f"第{i}段，内容……" for i in range(2_000)])
    response = logged_in.post(reverse("reports:new"), {"action": "import", "docx": upload("调研.docx", data)})
    assert "第1999段" in response.context["form"].initial["body"]


def test_a_tab_in_a_file_name_is_only_stripped(logged_in):
    body, content_type = _multipart('filename="现场\t照片.jpg"', jpeg_bytes())
    response = logged_in.generic("POST", reverse("reports:new"), body, content_type=content_type)
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "现场照片.jpg"
