"""Checks every uploaded file by its content, never by its name, and says in Chinese what is wrong.

A file is accepted only as one of the kinds below; images must also open and decode in Pillow, Word files must
be sound zip archives of reasonable expanded size. Stored names are random; the original name is kept, made safe,
for display and downloads only.
"""

import io
import os
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import Image, UnidentifiedImageError


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    extension: str
    content_type: str


JPEG = Kind("jpeg", "JPEG 图片", "jpg", "image/jpeg")
PNG = Kind("png", "PNG 图片", "png", "image/png")
GIF = Kind("gif", "GIF 图片", "gif", "image/gif")
WEBP = Kind("webp", "WebP 图片", "webp", "image/webp")
PDF = Kind("pdf", "PDF 文档", "pdf", "application/pdf")
DOCX = Kind("docx", "Word 文档", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
IMAGES = (JPEG, PNG, GIF, WEBP)
ATTACHMENT_KINDS = (*IMAGES, DOCX, PDF)
PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "GIF": GIF, "WEBP": WEBP}
BY_CONTENT_TYPE = {kind.content_type: kind for kind in ATTACHMENT_KINDS}

# A Word file may not expand past this, nor hold more members than this (zip bombs); its text part is kept to
# what mammoth converts in a few seconds (measured: 8 MB of document.xml, 20,000 paragraphs, in 2.5 s).
DOCX_MAX_EXPANDED = 100 * 1024 * 1024
DOCX_MAX_MEMBERS = 2000
DOCX_MAX_DOCUMENT_XML = 10 * 1024 * 1024
# What mammoth's time follows is the number of XML elements, not bytes: 200,000 empty paragraphs (1.2 MB of
# XML, 3 KB zipped) take it 12 s. These bounds keep an import to about two seconds; a long real report (50
# pages) has some 2,000 paragraphs and 40,000 elements.
DOCX_MAX_PARAGRAPHS = 10_000
DOCX_MAX_XML_ELEMENTS = 100_000
MAX_IMAGE_PIXELS = 60_000_000
_UNSAFE = re.compile(r"[^\w\-. ()（）]+")
#: Put by UploadNameParser in front of a file name that held control characters (a NUL…), so that the check
#: refuses it with a message rather than the file being dropped unseen.
UNREADABLE_NAME = "\x00"


class UploadNameParser(MultiPartParser):
    """Django drops a file part whose name is only control characters, unseen, and strips them from others. A
    name with a NUL (a truncation attack: `会议纪要.jpg\0.html`) or one Django would drop is kept here, marked, so
    that `check_upload` refuses it with a message; other control characters (a tab) are stripped as before."""

    def sanitize_file_name(self, file_name):
        cleaned = super().sanitize_file_name(file_name)
        if file_name and ("\x00" in file_name or (cleaned is None and file_name.strip() not in {"", ".", ".."})):
            return UNREADABLE_NAME + (cleaned or "")
        return cleaned


class UploadNameMiddleware:
    """Parses multipart bodies with UploadNameParser; before the CSRF check, which reads the body first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.multipart_parser_class = UploadNameParser
        return self.get_response(request)


def sniff(head: bytes) -> Kind | None:
    """The kind a file's first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:6] in {b"GIF87a", b"GIF89a"}:
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX
    return None


def safe_name(name: str, kind: Kind | None = None) -> str:
    """The file's own name, without folders or characters a file system, a header or a page could misread.

    With `kind` (what the content was checked to be), the extension is that kind's: a JPEG sent as
    `会议纪要.html` is kept and downloaded as `会议纪要.jpg`.
    """
    base = os.path.basename((name or "").replace("\\", "/"))
    base = re.sub(r"\.{2,}", ".", _UNSAFE.sub("_", base)).strip(" ._")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    stem = stem[:80].strip(" ._") or "文件"
    if kind is not None:
        ext = kind.extension
    return f"{stem}.{ext[:10]}" if ext else stem


def private_file_response(handle, name: str, content_type: str) -> FileResponse:
    """A stored private file as a download: named with its checked kind's extension, never rendered by the
    browser (sandboxed, not sniffed), never cached."""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_name(name, BY_CONTENT_TYPE.get(content_type)),
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def random_name(kind: Kind) -> str:
    return f"{uuid.uuid4().hex}.{kind.extension}"


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


class _WatchedBytes(io.BytesIO):
    """Notes whether the decoder asked for more data than the file has: the image is truncated.

    Pillow reports truncation only while `ImageFile.LOAD_TRUNCATED_IMAGES` is off, and WeasyPrint turns it on for
    the whole process when imported; this check does not depend on that flag (nor flips it under other threads).
    """

    starved = False

    def read(self, size=-1):
        data = super().read(size)
        if size != 0 and not data:
            self.starved = True
        return data


def _too_large(name: str) -> ValidationError:
    return ValidationError(
        f"“{name}”的像素尺寸过大（超过 {MAX_IMAGE_PIXELS // 10_000} 万像素），无法处理，请缩小后再上传。"
    )


def _check_image(data: bytes, name: str) -> None:
    stream = _WatchedBytes(data)
    try:
        with Image.open(stream) as image:
            if image.format not in PILLOW_FORMATS:
                raise ValidationError(f"“{name}”不是可用的图片格式，请上传 JPG、PNG、GIF 或 WebP 图片。")
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _too_large(name)
            image.load()
            # WebP is decoded by libwebp in one call, which fails on a truncated file whatever the flag.
            truncated = stream.starved and image.format != "WEBP"
    except Image.DecompressionBombError as exc:  # larger still: Pillow refuses to open it
        raise _too_large(name) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"“{name}”无法作为图片打开，可能已损坏或并非图片，请换一个文件。") from exc
    if truncated:
        raise ValidationError(f"“{name}”不完整（文件被截断），请重新导出或重新拍摄后再上传。")


def _check_docx(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > DOCX_MAX_MEMBERS or sum(m.file_size for m in members) > DOCX_MAX_EXPANDED:
                raise ValidationError(f"“{name}”解压后过大，无法处理，请另存为普通 Word 文档后再上传。")
            sizes = {m.filename: m.file_size for m in members}
            if "word/document.xml" not in sizes or "[Content_Types].xml" not in sizes:
                raise ValidationError(f"“{name}”不是 Word（.docx）文档，请在 Word 中另存为 .docx 后再上传。")
            if sizes["word/document.xml"] > DOCX_MAX_DOCUMENT_XML:
                raise ValidationError(f"“{name}”的正文过长，请只保留这一篇信息的内容后再上传。")
    except zipfile.BadZipFile as exc:
        raise ValidationError(f"“{name}”已损坏或不是 Word（.docx）文档，请重新保存后再上传。") from exc


def check_docx_work(upload) -> None:
    """Refuse a Word file whose XML would keep the importer busy for long (many tiny elements zip to nothing)."""
    name = safe_name(upload.name)
    upload.seek(0)
    elements = paragraphs = 0
    with zipfile.ZipFile(upload) as archive:
        for member in archive.infolist():
            if not member.filename.endswith((".xml", ".rels")):
                continue
            with archive.open(member) as stream:
                while chunk := stream.read(1024 * 1024):
                    elements += chunk.count(b"<") - chunk.count(b"</")
                    paragraphs += chunk.count(b"<w:p>") + chunk.count(b"<w:p ") + chunk.count(b"<w:p/>")
                    if elements > DOCX_MAX_XML_ELEMENTS or paragraphs > DOCX_MAX_PARAGRAPHS:
                        upload.seek(0)
                        raise ValidationError(
                            f"“{name}”的段落或格式过多（超过 {DOCX_MAX_PARAGRAPHS:,} 段或 "
                            f"{DOCX_MAX_XML_ELEMENTS:,} 个格式元素），无法在线导入。"
                            "请只保留这一篇信息的正文，或在 Word 中复制正文到新文档后再导入。"
                        )
    upload.seek(0)


def check_upload(upload, *, allowed: tuple[Kind, ...], max_bytes: int) -> Kind:
    """The kind of `upload` if it is one of `allowed` and sound; ValidationError with a Chinese message if not."""
    name = safe_name(upload.name)
    if UNREADABLE_NAME in upload.name:
        raise ValidationError(
            f"文件“{name}”的文件名含有无法识别的控制字符（如空字符），未能接收。请把文件重命名后重新选择。"
        )
    if upload.size > max_bytes:
        raise ValidationError(f"“{name}”有 {filesizeformat(upload.size)}，超过了 {filesizeformat(max_bytes)} 的上限。")
    if upload.size == 0:
        raise ValidationError(f"“{name}”是空文件，请重新选择。")
    data = _read(upload)
    kind = sniff(data[:16])
    if kind not in allowed:
        accepted = "、".join(k.label for k in allowed)
        raise ValidationError(f"“{name}”的文件类型不支持（按文件内容判断，而非扩展名）。可上传：{accepted}。")
    if kind in IMAGES:
        _check_image(data, name)
    elif kind is DOCX:
        _check_docx(data, name)
    return kind


def store_image(data: bytes, name: str) -> str:
    """Check an image for the report body (from a Word file, say) and store it; its URL."""
    kind = sniff(data[:16])
    if kind not in IMAGES:
        raise ValidationError(f"“{safe_name(name)}”不是图片，正文中只能插入 JPG、PNG、GIF 或 WebP 图片。")
    _check_image(data, safe_name(name))
    return save_image(data, kind)


def save_image(data: bytes, kind: Kind) -> str:
    """Store a checked image for a report body under a random public name; its URL.

    Body images are public once a report is printed, so they go to MEDIA_ROOT (unguessable names); attachments
    stay private.
    """
    stored = default_storage.save(f"editor/{timezone.localdate():%Y/%m}/{random_name(kind)}", ContentFile(data))
    return default_storage.url(stored)
