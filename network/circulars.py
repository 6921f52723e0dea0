"""通报: the periodic adoption circular, drafted from the scores, edited, published to the units; DOCX and PDF.

The table is the `scores` ranking of the period (network/scoring.py) with each unit's 报送, articles, briefs and
批示; the units of the network that sent nothing are named. One definition holds for the sentence, the table and the
list (network/scoring.py): 报送 is the reports first submitted in the period plus the pieces printed in it that came
from no report (imported issues); 未报送 is a unit with neither a report submitted nor a piece printed in the
period. A draft is computed from the facts each time; publishing freezes the table in the circular, so what the
units received never changes. The circular's text is the editor's wording only: the sentence of figures above the
table is summed from the table shown, so the two cannot disagree. Only the network's units are ranked (not the
研究室's own pieces). The admin's downloads and `manage.py circular` go through `content_for` and the same two
renderers: they give the same file.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from network.models import Circular, Reminder, network_units
from network.scoring import no_submission_units, rank, unit_scores
from reports.stats import QUARTER_NAMES, Period

SIGNED_BY = "杭州市人大常委会研究室"
COLUMNS = ["排名", "单位", "所属区县", "报送", "刊用文章", "刊用摘登", "领导批示", "积分"]


def period_words(period: Period) -> str:
    if period.kind == "month":
        return f"{period.year}年{period.index}月"
    if period.kind == "quarter":
        return f"{period.year}年{QUARTER_NAMES[period.index]}"
    return f"{period.year}年度"


def title_for(period: Period) -> str:
    """`关于2024年第二季度信息报送采用情况的通报` (month: `关于2024年5月…`, year: `关于2024年度…`)."""
    return f"关于{period_words(period)}信息报送采用情况的通报"


def table_for(period: Period) -> dict:
    """The ranking table of the network's units and those with no submission, as plain data (what publishing
    freezes). The 研究室's own pieces are not the network's: it is neither ranked nor counted in the totals."""
    units = set(network_units().values_list("pk", flat=True))
    scores = unit_scores(period)
    rows = [
        {
            "rank": score.rank,
            "unit": score.unit.name,
            "district": score.district_label,
            "sent": score.sent,
            "articles": score.articles,
            "briefs": score.briefs,
            "instructions": score.instructions,
            "points": float(score.points),
        }
        for score in rank([score for score in scores if score.unit.pk in units])
    ]
    return {"rows": rows, "no_submission": [unit.name for unit in no_submission_units(period, scores)]}


def default_text(period: Period) -> str:
    """The editor's wording before the table, prefilled; the figures are not in it (`CircularContent.totals_text`
    states them from the table shown, so text and table always agree)."""
    return (
        f"{period_words(period)}，各区、县（市）人大常委会和市人大各专门委员会、常委会各工作机构认真做好信息报送工作。"
        "现将各单位信息报送采用情况及积分排名通报如下，希望各单位进一步提高信息报送的数量和质量。"
    )


@dataclass
class CircularContent:
    title: str
    text: str
    rows: list[dict]
    no_submission: list[str]
    signed_by: str = SIGNED_BY
    date: datetime.date = field(default_factory=timezone.localdate)
    period_label: str = ""

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    @property
    def date_label(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def totals_text(self) -> str:
        """The period's figures, summed from the rows shown (or frozen): the sentence above the table."""
        sent, articles, briefs, instructions = (
            sum(row[name] for row in self.rows) for name in ("sent", "articles", "briefs", "instructions")
        )
        text = f"本期各单位共报送信息{sent}篇，《杭州人大信息》刊用文章{articles}篇、信息摘登{briefs}则"
        return text + (f"，获领导批示{instructions}件。" if instructions else "。")

    @property
    def no_submission_text(self) -> str:
        if not self.no_submission:
            return "本期各单位均有信息报送。"
        return f"本期未报送信息的单位：{'、'.join(self.no_submission)}。"

    @property
    def title_lines(self) -> list[str]:
        """A title too long for one line at 二号 breaks before 信息报送采用情况的通报, not inside a word."""
        tail = "信息报送采用情况的通报"
        if len(self.title) > 19 and self.title.endswith(tail) and len(self.title) > len(tail):
            return [self.title.removesuffix(tail), tail]
        return [self.title]

    @property
    def table_cells(self) -> list[list[str]]:
        return [self.cells(row) for row in self.rows]

    def cells(self, row: dict) -> list[str]:
        return [
            str(row["rank"]),
            row["unit"],
            row["district"],
            str(row["sent"]),
            str(row["articles"]),
            str(row["briefs"]),
            str(row["instructions"]),
            f"{row['points']:g}",
        ]


def draft(period: Period, *, by=None) -> Circular:
    """The circular of the period: the existing one, or a new draft with the default title and text."""
    existing = Circular.objects.filter(period_kind=period.kind, year=period.year, period_index=period.index).first()
    if existing is not None:
        return existing
    return Circular.objects.create(
        period_kind=period.kind,
        year=period.year,
        period_index=period.index,
        title=title_for(period),
        text=default_text(period),
        created_by=by,
    )


def content_for(circular: Circular) -> CircularContent:
    table = circular.table if circular.is_published else table_for(circular.period)
    return CircularContent(
        title=circular.title,
        text=circular.text,
        rows=table["rows"],
        no_submission=table["no_submission"],
        signed_by=circular.signed_by,
        date=circular.date,
        period_label=period_words(circular.period),
    )


def content_for_period(period: Period) -> CircularContent:
    """What `manage.py circular` prints: the period's circular if one exists, else the default draft (unsaved)."""
    existing = Circular.objects.filter(period_kind=period.kind, year=period.year, period_index=period.index).first()
    if existing is not None:
        return content_for(existing)
    table = table_for(period)
    return CircularContent(
        title=title_for(period),
        text=default_text(period),
        rows=table["rows"],
        no_submission=table["no_submission"],
        period_label=period_words(period),
    )


class PublishError(Exception):
    pass


def period_not_over(period, verb: str = "发布") -> str | None:
    """Why no 通报 can be published (or made) for `period` yet, its figures not final; None once it has ended."""
    today = timezone.localdate()
    if today < period.start:
        return f"{period.label}尚未开始，不能{verb}通报。"
    if today < period.end:
        last = period.end - datetime.timedelta(days=1)
        return f"{period.label}尚未结束（到{last.month}月{last.day}日），期满后才能{verb}通报。"
    return None


class EditError(Exception):
    """A change to a circular that cannot be saved; the message says why, in Chinese."""


#: What the editor may change on a draft.
EDITABLE = ("title", "text", "signed_by", "date")


def save_draft(circular: Circular, fields) -> None:
    """Save the editor's changes (`fields` of `circular`) to a draft, and only those columns; refused once the
    circular is published, even by another editor since this one opened it (one conditional UPDATE decides)."""
    fields = [name for name in EDITABLE if name in set(fields)]
    if not fields:
        return
    values = {name: getattr(circular, name) for name in fields}
    if not Circular.objects.filter(pk=circular.pk, status=Circular.Status.DRAFT).update(**values):
        raise EditError("该通报已经发布，不能再修改，本次修改未保存。")


def publish(circular: Circular, *, by=None) -> Circular:
    """Freeze the table, publish, and notify every network unit (a notice in its portal, mailed where it can)."""
    from network.services import PlannedReminder, send

    with transaction.atomic():
        locked = Circular.objects.select_for_update().get(pk=circular.pk)
        if locked.is_published:
            raise PublishError("该通报已经发布。")
        if reason := period_not_over(locked.period):
            raise PublishError(reason)
        locked.table = table_for(locked.period)
        locked.status = Circular.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["table", "status", "published_at"])
        message = f"研究室发布了《{locked.title}》，请在“通报”中查阅。"  # a 通报's notice, shown under 通报
        for unit in network_units():
            send(PlannedReminder(unit, Reminder.Reason.CIRCULAR, f"circular:{locked.pk}", message), by=by)
    return locked


# --- output -----------------------------------------------------------------------------------------------------

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """Text for the DOCX: python-docx escapes markup; characters XML cannot hold are dropped."""
    return _NOT_XML.sub("", value)


BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"


def _font(run, name: str, size_pt: float, *, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), name)
    fonts.set(qn("w:hAnsi"), name)


def render_docx(content: CircularContent) -> bytes:
    """The circular as a Word file after GB/T 9704: A4, margins 37/35/28/26 mm, 小标宋 title, 仿宋 三号 body."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    document.core_properties.title = _text(content.title)
    document.core_properties.author = SIGNED_BY

    def paragraph(text, *, font=BODY_FONT, size=16, align=None, indent=True, bold=False, after=0):
        p = document.add_paragraph()
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28 if size >= 16 else 20)
        fmt.space_after = Pt(after)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        if align is not None:
            p.alignment = align
        _font(p.add_run(_text(text)), font, size, bold=bold)
        return p

    title = paragraph("", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, after=16)
    title.paragraph_format.line_spacing = Pt(36)
    for number, line in enumerate(content.title_lines):
        run = title.add_run(_text(line))
        _font(run, TITLE_FONT, 22)
        if number < len(content.title_lines) - 1:
            run.add_break()
    for text in content.paragraphs:
        paragraph(text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph(f"一、{content.period_label}信息报送采用情况及积分排名", font=HEADING_FONT)
    paragraph(content.totals_text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
        _cell(cell, name, bold=True)
    for row in content.rows:
        for cell, value in zip(table.add_row().cells, content.cells(row), strict=True):
            _cell(cell, value)
    widths = [Mm(11), Mm(50), Mm(18), Mm(13), Mm(17), Mm(17), Mm(17), Mm(13)]  # 156 mm: the type area
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice and WPS follow
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width

    paragraph("二、未报送信息的单位", font=HEADING_FONT)
    paragraph(content.no_submission_text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    document.add_paragraph()
    paragraph(content.signed_by, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    paragraph(content.date_label, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell(cell, text: str, *, bold: bool = False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(_text(text)), HEADING_FONT if bold else BODY_FONT, 10.5)  # 五号


def render_html(content: CircularContent) -> str:
    return render_to_string("pdf/circular.html", {"circular": content, "columns": COLUMNS})


def render_pdf(content: CircularContent) -> bytes:
    """The circular as a PDF through the issue's WeasyPrint pipeline (URL fetcher, fonts, patches)."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    from issues import pdf

    pdf.patch_weasyprint()
    stylesheet = CSS(filename=str(Path(finders.find("css/circular-pdf.css"))), url_fetcher=pdf.app_url_fetcher())
    html = HTML(string=render_html(content), base_url=pdf.PDF_BASE_URL, url_fetcher=pdf.app_url_fetcher())
    document = html.render(font_config=pdf._font_config(), stylesheets=[stylesheet])
    return document.write_pdf()


def file_response(circular: Circular, fmt: str):
    """The circular as a download (admin and portal alike)."""
    from django.http import Http404, HttpResponse

    content = content_for(circular)
    if fmt == "docx":
        data, kind = (
            render_docx(content),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    elif fmt == "pdf":
        data, kind = render_pdf(content), "application/pdf"
    else:
        raise Http404("格式不支持")
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = _attachment(f"{circular.title}.{fmt}", f"circular-{circular.pk}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response


def _attachment(name: str, fallback: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
