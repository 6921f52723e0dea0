"""Builders for the portal tests: reports in any status, real image/Word/PDF bytes made on the fly."""

import io
import zipfile
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports.models import Report


def make_report(user, *, title="上城区：推进基层立法联系点建设", body="<p>上城区人大常委会推进……</p>", status="draft"):
    """A report of the user's unit, moved through the workflow to `status` (editor moves made by a superuser)."""
    from django.contrib.auth.models import User

    report = Report.objects.create(unit=user.profile.unit, title=title, body=body, authors="蔡静", created_by=user)
    desk = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("desk", password="x")
    path = {
        "draft": [],
        "submitted": ["submitted"],
        "returned": ["submitted", "returned"],
        "accepted": ["submitted", "accepted"],
        "declined": ["submitted", "declined"],
        "published": ["submitted", "accepted", "published"],
    }[status]
    for step in path:
        if step == "submitted":
            report.transition(step, by=user, as_editor=False, secrecy_declared=True)
        else:
            report.transition(
                step, by=desk, as_editor=True, comment="请补充具体数据" if step in ("returned", "declined") else ""
            )
    return report


def seen(report: Report) -> dict:
    """What a report's page sends back with a decision: the status and (for a review) the content it showed."""
    report = Report.objects.get(pk=report.pk)
    return {"seen_status": report.status, "seen_content": report.content_signature()}


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload(name: str, data: bytes, content_type="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Default Extension="png" ContentType="image/png"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="word/document.xml"/>
</Relationships>"""
_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rIdImg1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
 Target="media/image1.png"/>
</Relationships>"""
_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)
_IMAGE_RUN = """<w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="714375"/>
<wp:docPr id="1" name="图片 1" descr="现场照片"/>
<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>
<pic:nvPicPr><pic:cNvPr id="0" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:embed="rIdImg1"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic>
</wp:inline></w:drawing></w:r>"""


def docx_bytes(title: str, paragraphs: list[str], *, bold: str = "", image: bytes | None = None) -> bytes:
    """A minimal but genuine .docx: a title paragraph, body paragraphs (the first may start in bold), an image."""

    def run(text, strong=False):
        props = "<w:rPr><w:b/></w:rPr>" if strong else ""
        return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'

    body = [f"<w:p>{run(title)}</w:p>"]
    for index, text in enumerate(paragraphs):
        lead = run(bold, strong=True) if bold and index == 0 else ""
        body.append(f"<w:p>{lead}{run(text)}</w:p>")
    if image is not None:
        body.append(f"<w:p>{_IMAGE_RUN}</w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {_NS}><w:body>'
        + "".join(body)
        + "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
        if image is not None:
            archive.writestr("word/_rels/document.xml.rels", _DOC_RELS)
            archive.writestr("word/media/image1.png", image)
    return buffer.getvalue()
