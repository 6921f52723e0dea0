"""通报: drafted for a period from the scores, DOCX (python-docx) and PDF (WeasyPrint) read back, published to the
units with a notice, frozen once published, escaped."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from issues.models import Article, Issue
from network import circulars, scoring
from network.models import Circular, Reminder
from reports.models import Contributor
from reports.stats import Period
from tests.conftest import SEEDS, import_seed
from tests.network import answer, at_local, make_call
from tests.pdftools import pdftotext

Q2 = Period("quarter", 2024, 2)


@pytest.fixture
def scored(submitter, other_submitter, editor):
    """The sample issues, a 2024 rule set, and 上城 and 西湖 (with accounts) sending reports in the quarter."""
    for path in SEEDS:
        import_seed(path)
    scoring.import_rule_set(
        {
            "year": 2024,
            "combine": "sum",
            "rules": [
                {"event": "article", "points": 4},
                {"event": "brief", "points": 2},
                {"event": "call_late", "points": -1},
            ],
        }
    )
    call = make_call(deadline=datetime.date(2024, 5, 10))
    answer(call, submitter, submitted_at=at_local(datetime.date(2024, 5, 8)))
    answer(call, other_submitter, submitted_at=at_local(datetime.date(2024, 5, 12)))  # late: -1
    return editor


def scores_json(*args):
    out = io.StringIO()
    call_command("scores", "--year", "2024", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def docx_rows(data: bytes) -> list[list[str]]:
    table = Document(io.BytesIO(data)).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_titles_name_the_period():
    assert circulars.title_for(Period("quarter", 2024, 2)) == "关于2024年第二季度信息报送采用情况的通报"
    assert circulars.title_for(Period("month", 2024, 5)) == "关于2024年5月信息报送采用情况的通报"
    assert circulars.title_for(Period("year", 2024)) == "关于2024年度信息报送采用情况的通报"


def test_the_docx_table_equals_the_scores_of_the_period(client, scored, tmp_path):
    client.force_login(scored)
    response = client.post(
        reverse("admin:network_circular_add"),
        {"period_kind": "quarter", "year": 2024, "period_index": 2, "title": "", "text": "", "date": "2024-07-05"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    circular = Circular.objects.get()
    assert circular.title == "关于2024年第二季度信息报送采用情况的通报" and circular.status == "draft"
    assert "共报送信息" not in circular.text  # the editor's wording only: the figures come from the table shown

    data = client.get(reverse("admin:network_circular_file", args=[circular.pk, "docx"])).content
    rows = docx_rows(data)
    assert rows[0] == ["排名", "单位", "所属区县", "报送", "刊用文章", "刊用摘登", "领导批示", "积分"]
    scores = scores_json("--quarter", "2")
    assert [(r[1], r[2], float(r[7])) for r in rows[1:]] == [(s["unit"], s["district"], s["points"]) for s in scores]
    by_unit = {r[1]: r for r in rows[1:]}
    # 报送 2: its report of the quarter, and its imported article (printed without a report).
    assert by_unit["上城区人大常委会办公室"] == ["1", "上城区人大常委会办公室", "上城区", "2", "1", "0", "0", "4"]
    assert by_unit["西湖区人大常委会办公室"][3:] == ["1", "0", "0", "0", "-1"]
    assert rows[-1][0] == str(len(rows) - 1)  # 西湖 is last, alone with negative points

    document = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "共报送信息16篇" in text and "刊用文章9篇、信息摘登5则" in text  # 2 reports + 14 imported pieces
    assert text.startswith("关于2024年第二季度\n信息报送采用情况的通报")
    assert "杭州市人大常委会研究室" in text and "2024年7月5日" in text
    assert "本期未报送信息的单位：" in text and "研究室、" not in text
    section = document.sections[0]
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m / Mm(1)) for m in margins] == [37, 35, 28, 26]
    assert round(section.page_width / Mm(1)) == 210 and round(section.page_height / Mm(1)) == 297
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title_run = document.paragraphs[0].runs[-1]
    assert title_run.font.name == "方正小标宋简体"
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"

    # The command writes the same document.
    out = tmp_path / "c.docx"
    call_command("circular", "--year", "2024", "--quarter", "2", "--format", "docx", "--output", str(out))
    assert docx_rows(out.read_bytes()) == rows
    assert [p.text for p in Document(str(out)).paragraphs] == [p.text for p in document.paragraphs]


def test_the_pdf_holds_the_same_figures(scored, tmp_path):
    out = tmp_path / "c.pdf"
    call_command("circular", "--year", "2024", "--quarter", "2", "--format", "pdf", "--output", str(out))
    text = pdftotext(out)
    flat = "".join(text.split())
    assert "关于2024年第二季度信息报送采用情况的通报" in flat
    for score in scores_json("--quarter", "2"):
        assert score["unit"] in flat
    lines = [" ".join(line.split()) for line in pdftotext(out, "-layout").splitlines()]
    assert any(line.startswith("1 上城区人大常委会办公室 上城区 2 1 0 0 4") for line in lines)
    assert any("西湖区人大常委会办公室 西湖区 1 0 0 0 -1" in line for line in lines)
    assert "杭州市人大常委会研究室" in flat and "本期未报送信息的单位" in flat


def test_publishing_freezes_the_table_and_notifies_the_units(client, scored, submitter, other_submitter):
    circular = circulars.draft(Q2, by=scored)
    client.force_login(submitter)
    assert client.get(circular.get_absolute_url()).status_code == 404  # a draft is the desk's
    assert client.get(reverse("network:circular_file", args=[circular.pk, "pdf"])).status_code == 404
    assert circular.title not in client.get(reverse("network:circulars")).content.decode()

    client.force_login(scored)
    assert client.post(reverse("admin:network_circular_publish", args=[circular.pk])).status_code == 302
    circular.refresh_from_db()
    assert circular.is_published and circular.published_at is not None
    notices = Reminder.objects.filter(reason=Reminder.Reason.CIRCULAR, reason_key=f"circular:{circular.pk}")
    assert {n.unit for n in notices} >= {submitter.profile.unit, other_submitter.profile.unit}
    assert not notices.filter(unit__name="研究室").exists()
    client.post(reverse("admin:network_circular_publish", args=[circular.pk]))  # twice: nothing more
    assert Reminder.objects.filter(reason=Reminder.Reason.CIRCULAR).count() == notices.count()

    frozen = circulars.content_for(circular).rows
    late_issue = Issue.objects.create(
        kind="regular", year=2024, number=30, total_number=730, date=datetime.date(2024, 6, 28), status="published"
    )
    Article.objects.create(issue=late_issue, title="后来刊用", body="<p>x</p>", unit=other_submitter.profile.unit)
    assert circulars.content_for(Circular.objects.get()).rows == frozen
    assert circulars.table_for(Q2)["rows"] != frozen

    client.force_login(submitter)
    listing = client.get(reverse("network:circulars")).content.decode()
    assert circular.title in listing
    page = client.get(circular.get_absolute_url()).content.decode()
    assert "上城区人大常委会办公室" in page and "杭州市人大常委会研究室" in page
    docx = client.get(reverse("network:circular_file", args=[circular.pk, "docx"]))
    assert docx.status_code == 200 and docx_rows(docx.content)[1:] == [
        circulars.CircularContent("", "", frozen, []).cells(row) for row in frozen
    ]
    assert circular.title in client.get(reverse("network:circulars")).content.decode()  # where its notice shows


def test_a_published_circular_reaches_the_units_as_a_notice_of_the_circular(client, editor, submitter, mailoutbox):
    """Not as a 催报: the notice shows under 通报 (the menu counts it, the list marks the circular 新发布), the mail
    links to the circular, and the 催报 page does not list it."""
    from tests.network import deliver_reminder_mail

    Contributor.objects.filter(pk=submitter.profile.unit.pk).update(email="sc@example.cn")
    circular = circulars.publish(circulars.draft(Q2, by=editor), by=editor)
    assert deliver_reminder_mail() >= 1
    mail = next(m for m in mailoutbox if m.to == ["sc@example.cn"])
    assert "催报" not in mail.subject + mail.body
    assert f"查看通报：http://127.0.0.1:8000{circular.get_absolute_url()}" in mail.body

    client.force_login(submitter)
    menu = client.get(reverse("reports:list")).content.decode()
    assert f'href="{reverse("network:circulars")}">通报<span class="badge" aria-label="1 条未读">' in menu
    assert f'href="{reverse("network:reminders")}">催报</a>' in menu  # no unread 催报
    assert "约稿/通知" not in menu and f'href="{reverse("network:calls")}">约稿</a>' in menu
    assert circular.title not in client.get(reverse("network:reminders")).content.decode()
    listing = client.get(reverse("network:circulars")).content.decode()
    assert "新发布" in listing
    menu = client.get(reverse("reports:list")).content.decode()
    assert f'href="{reverse("network:circulars")}">通报</a>' in menu
    assert "新发布" not in client.get(reverse("network:circulars")).content.decode()


def test_a_published_circular_cannot_be_edited(client, scored):
    circular = circulars.publish(circulars.draft(Q2, by=scored))
    client.force_login(scored)
    page = client.get(reverse("admin:network_circular_change", args=[circular.pk])).content.decode()
    assert 'name="text"' not in page
    client.post(reverse("admin:network_circular_change", args=[circular.pk]), {"title": "改过", "text": "改过"})
    assert Circular.objects.get().title == circular.title


def test_everything_emitted_is_escaped(client, editor, submitter):
    odd = Contributor.objects.create(name="<script>alert(1)</script>人大\x07", district="xihu")
    issue = Issue.objects.create(
        kind="regular", year=2024, number=1, total_number=1, date=datetime.date(2024, 5, 1), status="published"
    )
    Article.objects.create(issue=issue, title="x", body="<p>x</p>", unit=odd)
    circular = circulars.draft(Q2, by=editor)
    Circular.objects.filter(pk=circular.pk).update(text="<b>加粗</b> & 说明\x0b")
    circulars.publish(circular)
    client.force_login(submitter)
    page = client.get(circular.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>加粗</b>" not in page
    data = client.get(reverse("network:circular_file", args=[circular.pk, "docx"])).content
    document = Document(io.BytesIO(data))
    assert "<b>加粗</b> & 说明" in [p.text for p in document.paragraphs]
    assert any(row[1] == "<script>alert(1)</script>人大" for row in docx_rows(data))
    html = circulars.render_html(circulars.content_for(Circular.objects.get()))
    assert "<script>" not in html and "&lt;b&gt;加粗" in html


def test_the_figures_above_the_table_are_those_of_the_table_published(client, editor, submitter):
    """The draft is made before the quarter's last issue; what is published states that issue's figures too."""
    circular = circulars.draft(Q2, by=editor)
    issue = Issue.objects.create(
        kind="regular", year=2024, number=30, total_number=730, date=datetime.date(2024, 6, 28), status="published"
    )
    Article.objects.create(issue=issue, title="后来刊用", body="<p>x</p>", unit=submitter.profile.unit)
    published = circulars.publish(circular, by=editor)
    content = circulars.content_for(published)
    assert [(row["unit"], row["articles"]) for row in content.rows] == [("上城区人大常委会办公室", 1)]
    assert content.totals_text == "本期各单位共报送信息1篇，《杭州人大信息》刊用文章1篇、信息摘登0则。"
    document = Document(io.BytesIO(circulars.render_docx(content)))
    assert content.totals_text in [p.text for p in document.paragraphs]
    assert content.totals_text in circulars.render_html(content)
    client.force_login(submitter)
    assert content.totals_text in client.get(published.get_absolute_url()).content.decode()


def test_the_research_offices_own_pieces_are_neither_ranked_nor_counted(editor, submitter):
    issue = Issue.objects.create(
        kind="regular", year=2024, number=30, total_number=730, date=datetime.date(2024, 6, 28), status="published"
    )
    Article.objects.create(issue=issue, title="上城来稿", body="<p>x</p>", unit=submitter.profile.unit)
    for position in (1, 2):
        Article.objects.create(
            issue=issue, title=f"研究室自写{position}", body="<p>x</p>", unit=editor.profile.unit, position=position
        )
    content = circulars.content_for(circulars.draft(Q2, by=editor))
    assert [(row["rank"], row["unit"]) for row in content.rows] == [(1, "上城区人大常委会办公室")]
    assert "刊用文章1篇" in content.totals_text
    assert "研究室" not in content.no_submission


def test_the_figures_the_table_and_the_unsent_list_agree_on_imported_pieces_and_a_report_printed_later(
    editor, submitter, other_submitter
):
    """报送 = reports submitted in the period + pieces printed in it without a report (imported issues); a unit with
    a report submitted or a piece printed in the period is not 未报送. 上城 has only an imported article in Q2;
    西湖 sent a report in March, printed in April; 拱墅 sent nothing."""
    from tests.portal import make_report

    idle = Contributor.objects.create(name="拱墅区人大常委会办公室", district="gongshu")
    imported = Issue.objects.create(
        kind="regular", year=2024, number=8, total_number=708, date=datetime.date(2024, 5, 6), status="published"
    )
    Article.objects.create(issue=imported, title="往期导入", body="<p>x</p>", unit=submitter.profile.unit)
    march = make_report(other_submitter, title="西湖区：三月报送", status="accepted")
    type(march).objects.filter(pk=march.pk).update(submitted_at=at_local(datetime.date(2024, 3, 28)))
    april = Issue.objects.create(
        kind="regular", year=2024, number=9, total_number=709, date=datetime.date(2024, 4, 8), status="published"
    )
    unit = other_submitter.profile.unit
    Article.objects.create(issue=april, title="三月报送", body="<p>x</p>", unit=unit, report=march)

    q2 = circulars.content_for(circulars.draft(Q2, by=editor))
    rows = {row["unit"]: (row["sent"], row["articles"], row["briefs"]) for row in q2.rows}
    assert rows == {"上城区人大常委会办公室": (1, 1, 0), "西湖区人大常委会办公室": (0, 1, 0)}
    assert q2.totals_text == "本期各单位共报送信息1篇，《杭州人大信息》刊用文章2篇、信息摘登0则。"
    assert idle.name in q2.no_submission
    assert not set(rows) & set(q2.no_submission)  # no unit of the table is named as having sent nothing

    q1 = circulars.content_for_period(Period("quarter", 2024, 1))
    assert [(row["unit"], row["sent"], row["articles"]) for row in q1.rows] == [("西湖区人大常委会办公室", 1, 0)]
    assert "西湖区人大常委会办公室" not in q1.no_submission and submitter.profile.unit.name in q1.no_submission
    assert q1.totals_text.startswith("本期各单位共报送信息1篇")


def _race(*calls):
    """Run the callables at once, each in its own thread with its own PostgreSQL connection."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except Exception as exc:  # collected and asserted by the caller
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_one_circular_at_once_notify_each_unit_once(submitter, other_submitter, editor):
    circular = circulars.draft(Q2, by=editor)
    outcomes = _race(*[lambda: circulars.publish(Circular.objects.get(pk=circular.pk)) for _ in range(2)])
    assert sum(isinstance(o, circulars.PublishError) for o in outcomes) == 1
    assert sum(isinstance(o, Circular) for o in outcomes) == 1
    notices = Reminder.objects.filter(reason=Reminder.Reason.CIRCULAR)
    assert notices.filter(unit=submitter.profile.unit).count() == 1
    assert notices.count() == notices.values("unit").distinct().count()


@pytest.mark.django_db(transaction=True)
def test_two_feedback_posts_at_once_keep_one_feedback(submitter):
    from network.models import Instruction, InstructionFeedback
    from network.services import FeedbackError, give_feedback

    issue = Issue.objects.create(
        kind="regular", year=2026, number=3, total_number=698, date=datetime.date(2026, 4, 1), status="published"
    )
    piece = Article.objects.create(issue=issue, title="t", body="<p>x</p>", unit=submitter.profile.unit)
    instruction = Instruction.objects.create(
        piece=piece,
        leader="某某",
        level="district",
        date=datetime.date(2026, 4, 3),
        text="请落实",
        feedback_required=True,
        feedback_due=datetime.date(2026, 5, 1),
    )
    outcomes = _race(
        *[
            lambda text=text: give_feedback(Instruction.objects.get(pk=instruction.pk), text=text, by=submitter)
            for text in ("第一份", "第二份")
        ]
    )
    assert sum(isinstance(o, FeedbackError) for o in outcomes) == 1
    assert InstructionFeedback.objects.count() == 1


def test_a_circular_of_a_period_not_over_cannot_be_published(editor):
    """Its figures would still move: the rule is the service's, so the admin and any other path keep it."""
    from django.utils import timezone

    today = timezone.localdate()
    running = Period("quarter", today.year, (today.month - 1) // 3 + 1)
    circular = circulars.draft(running, by=editor)
    with pytest.raises(circulars.PublishError, match="尚未结束"):
        circulars.publish(circular, by=editor)
    assert Circular.objects.get(pk=circular.pk).status == Circular.Status.DRAFT
