"""Turn a unit's Word file into a title and a sanitised body for the form, images included.

Mammoth keeps the structure (paragraphs, headings, lists, tables, bold); its output goes through the project's
one sanitiser. The first short paragraph or top heading is taken as the title, as reports are written.
"""

import re
from dataclasses import dataclass, field

import mammoth
from django.conf import settings
from django.core.exceptions import ValidationError

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


def import_docx(upload) -> Imported:
    """Read a checked .docx upload; ValidationError if mammoth cannot read it."""
    warnings: list[str] = []

    def convert_image(image):
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
    return Imported(title=title, body=body, warnings=warnings)
