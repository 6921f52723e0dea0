"""Turn a unit's Word file into a title and a sanitised body for the form, images included.

Mammoth keeps the structure (paragraphs, headings, lists, tables, bold); its output goes through the project's
one sanitiser. The first short paragraph or top heading is taken as the title, as reports are written.
"""

import re
import secrets
import time
from dataclasses import dataclass, field

import mammoth
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File

from reports import uploads
from reports.sanitize import clean_html, plain_text

# Word's Chinese built-in style names, which mammoth does not know by default.
STYLE_MAP = """
p[style-name='标题'] => h1:fresh
p[style-name='标题 1'] => h1:fresh
p[style-name='标题 2'] => h2:fresh
p[style-name='标题 3'] => h3:fresh
p[style-name='Heading 1'] => h1:fresh
p[style-name='Heading 2'] => h2:fresh
p[style-name='Heading 3'] => h3:fresh
"""
TITLE_MAX = 80
_FIRST_BLOCK = re.compile(r"^\s*<(h1|h2|p)>(.*?)</\1>", re.S)


@dataclass
class Imported:
    title: str
    body: str
    warnings: list[str] = field(default_factory=list)
    authors: str = ""
    phone: str = ""


# The closing attribution as units write it, half- or full-width parentheses: `（上城区人大常委会办公室 蔡静 李兴军）`.
_ATTRIBUTION = re.compile(r"<p>\s*[（(]([^（）()<>]{2,120})[）)]\s*</p>\s*$")
_PHONE = re.compile(r"(?:(?:联系)?电话|手机)?\s*[:：]?\s*(?<!\d)(1[3-9]\d{9}|(?:0\d{2,3}[-－ ]?)?\d{7,8})(?!\d)")
_PHONE_LINE = re.compile(r"<p>\s*(?:联系人[:：]?[^<]{0,20})?(?:(?:联系)?电话|手机)\s*[:：]?\s*[^<]{7,40}</p>\s*$")


def read_closing(html: str, unit_name: str = "") -> tuple[str, str, str]:
    """Take the closing attribution and a phone line off the end of the body: (body, authors, phone).

    The attribution's first word is the unit (the report's own), the rest are the authors; a phone number in it
    or on a line of its own (`联系电话：0571-87000000`) fills the phone field.
    """
    authors = phone = ""
    for _ in range(2):  # the attribution and a phone line, in either order
        line = _PHONE_LINE.search(html)
        if line and (number := _PHONE.search(plain_text(line.group(0)))):
            phone = phone or number.group(1)
            html = html[: line.start()]
            continue
        if match := _ATTRIBUTION.search(html):
            inside = match.group(1)
            if number := _PHONE.search(inside):
                phone = phone or number.group(1)
                inside = inside[: number.start()] + inside[number.end() :]
            words = inside.replace("电话", " ").replace("：", " ").replace(":", " ").split()
            if (unit_name and words and unit_name.startswith(words[0][:4])) or (words and len(words[0]) > 4):
                words = words[1:]
            authors = authors or " ".join(words)
            html = html[: match.start()]
            continue
        break
    return html, authors, phone


def import_docx(upload, unit_name: str = "", *, store_images: bool = True) -> Imported:
    """Read a checked .docx upload; ValidationError if mammoth cannot read it.

    Images are stored (in public MEDIA_ROOT, see uploads.save_image) only with `store_images`; without it they are
    left out, for a reading that only asks whether the file's text would replace what was typed.
    """
    warnings: list[str] = []

    def convert_image(image):
        if not store_images:
            return {}
        with image.open() as stream:
            data = stream.read(settings.REPORT_IMAGE_MAX_BYTES + 1)
        if len(data) > settings.REPORT_IMAGE_MAX_BYTES:
            warnings.append("文档中有一张图片过大，未导入，请压缩后在编辑器中插入。")
            return {}
        try:
            return {"src": uploads.store_image(data, "文档图片"), "alt": image.alt_text or ""}
        except ValidationError as exc:
            if uploads.sniff(data[:16]) in uploads.IMAGES:  # an image, but unusable: say why
                warnings.append(f"{' '.join(exc.messages)}（该图片未导入，其余内容已导入。）")
            else:
                warnings.append(
                    "文档中有一张图片格式不支持（如 EMF/WMF），未导入，请另存为 JPG 或 PNG 后在编辑器中插入。"
                )
            return {}

    uploads.check_docx_work(upload)
    upload.seek(0)
    try:
        result = mammoth.convert_to_html(
            upload, style_map=STYLE_MAP, convert_image=mammoth.images.img_element(convert_image)
        )
    except Exception as exc:  # mammoth raises many kinds on damaged files
        raise ValidationError("无法读取该 Word 文档，请在 Word 中另存为 .docx 后再试。") from exc

    html = result.value
    title = ""
    match = _FIRST_BLOCK.match(html)
    if match:
        text = plain_text(match.group(2))
        if text and len(text) <= TITLE_MAX:
            title = text
            html = html[match.end() :]
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    body = clean_html(html)
    if not title and not plain_text(body):
        raise ValidationError("该 Word 文档中没有可导入的文字。")
    body, authors, phone = read_closing(body, unit_name)
    return Imported(title=title, body=body, warnings=warnings, authors=authors, phone=phone)


# --- The imported file, kept until the report is saved ------------------------------------------------------

_STASH_SALT = "reports.docx-import"
#: How long a stashed file waits for its form to be saved (its token's max_age); older ones are removed.
STASH_MAX_AGE = 2 * 24 * 3600


def _stash_dir():
    return settings.PRIVATE_MEDIA_ROOT / "docx-import"


def remove_expired_stashes(max_age: int = STASH_MAX_AGE) -> int:
    """Remove stashed files older than their tokens can be: forms left unsaved. How many were removed."""
    cutoff = time.time() - max_age
    removed = 0
    for path in _stash_dir().glob("*.docx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another request
            continue
    return removed


def stash(upload, user) -> str:
    """Keep an imported .docx until the form is saved (nothing is saved at import); a signed token naming it.
    Each new stash first clears those whose token has expired."""
    folder = _stash_dir()
    folder.mkdir(parents=True, exist_ok=True)
    remove_expired_stashes()
    name = f"{secrets.token_hex(16)}.docx"
    upload.seek(0)
    with open(folder / name, "wb") as f:
        for chunk in upload.chunks():
            f.write(chunk)
    return signing.dumps({"file": name, "name": uploads.safe_name(upload.name), "user": user.pk}, salt=_STASH_SALT)


def unstash(token: str, user, max_age: int = STASH_MAX_AGE):
    """The stashed upload a token names (the same user's, not too old), as a file Attachment.store accepts."""
    try:
        data = signing.loads(token, salt=_STASH_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    path = _stash_dir() / data["file"]
    if data.get("user") != user.pk or "/" in data["file"] or not path.is_file():
        return None
    upload = File(open(path, "rb"), name=data["name"])  # noqa: SIM115 (closed by the caller, `discard`)
    upload.checked_kind = uploads.DOCX
    upload.stash_path = path
    upload.size = path.stat().st_size
    return upload


def discard(upload) -> None:
    upload.close()
    upload.stash_path.unlink(missing_ok=True)
