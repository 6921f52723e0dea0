"""领导批示: recorded by the editor on a published piece, seen and answered by its unit only, overdue feedback
shown on the desk and reminded once a day."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Article, Issue
from network import services
from network.models import Instruction, InstructionFeedback, Reminder
from tests.portal import make_report, pdf_bytes, png_bytes, upload

TODAY = datetime.date(2026, 6, 10)


@pytest.fixture
def piece(submitter):
    """An article of 上城 printed from its report in a published issue."""
    report = make_report(submitter, title="上城区：代表联络站建设")
    issue = Issue.objects.create(
        kind="regular", year=2026, number=5, total_number=700, date=datetime.date(2026, 5, 20), status="published"
    )
    return Article.objects.create(
        issue=issue, title="上城区推进代表联络站建设", body="<p>正文</p>", unit=submitter.profile.unit, report=report
    )


def record(piece, *, due=None, **fields):
    return Instruction.objects.create(
        piece=piece,
        leader=fields.pop("leader", "市人大常委会主任 某某"),
        level=fields.pop("level", "city"),
        date=datetime.date(2026, 5, 28),
        text="此做法很好，请总结推广。",
        feedback_required=due is not None,
        feedback_due=due,
        **fields,
    )


def test_the_editor_records_an_instruction_with_a_scan(client, editor, piece):
    client.force_login(editor)
    data = {
        "piece": piece.pk,
        "leader": "省人大常委会副主任 某某",
        "level": "province",
        "date": "2026-05-28",
        "text": "请认真总结，在全省推广。",
        "feedback_required": "on",
        "feedback_due": "2026-06-30",
        "scan_upload": upload("批示.pdf", pdf_bytes()),
    }
    response = client.post(reverse("admin:network_instruction_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    instruction = Instruction.objects.get()
    assert instruction.scan_name == "批示.pdf" and instruction.scan_type == "application/pdf"
    assert instruction.created_by == editor and instruction.event == "instruction_province"
    scan = client.get(reverse("network:instruction_scan", args=[instruction.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content).startswith(b"%PDF")


def test_a_file_keeps_the_extension_of_what_it_was_checked_to_be_not_the_senders(client, editor, submitter, piece):
    """A PDF sent as 批示.html is kept, and downloaded, as 批示.pdf: the name never says HTML to a browser."""
    client.force_login(editor)
    data = {"piece": piece.pk, "leader": "某某", "level": "city", "date": "2026-05-28", "text": "批示"}
    data |= {"feedback_required": "on", "feedback_due": "2026-06-30", "scan_upload": upload("批示.html", pdf_bytes())}
    assert client.post(reverse("admin:network_instruction_add"), data).status_code == 302
    instruction = Instruction.objects.get()
    assert instruction.scan_name == "批示.pdf"
    scan = client.get(reverse("network:instruction_scan", args=[instruction.pk]))
    assert "%E6%89%B9%E7%A4%BA.pdf" in scan["Content-Disposition"] and ".html" not in scan["Content-Disposition"]
    client.force_login(submitter)
    client.post(instruction.get_absolute_url(), {"text": "已落实。", "file": upload("落实.html", png_bytes())})
    assert InstructionFeedback.objects.get().file_name == "落实.png"
    # A name stored before (with the sender's extension) is downloaded under the checked kind's.
    InstructionFeedback.objects.update(file_name="落实.html")
    download = client.get(reverse("network:feedback_file", args=[instruction.pk]))
    assert download["Content-Disposition"].endswith(".png") and download["X-Content-Type-Options"] == "nosniff"


def test_a_scan_that_is_not_an_image_or_pdf_is_refused_in_chinese(client, editor, piece):
    client.force_login(editor)
    data = {
        "piece": piece.pk,
        "leader": "某某",
        "level": "city",
        "date": "2026-05-28",
        "text": "批示",
        "scan_upload": upload("批示.pdf", b"<html>not a pdf</html>"),
    }
    response = client.post(reverse("admin:network_instruction_add"), data)
    assert response.status_code == 200
    assert "文件类型不支持" in response.content.decode()
    assert not Instruction.objects.exists()


def test_feedback_required_needs_a_due_date(client, editor, piece):
    client.force_login(editor)
    data = {"piece": piece.pk, "leader": "某某", "level": "city", "date": "2026-05-28", "text": "批示"}
    response = client.post(reverse("admin:network_instruction_add"), data | {"feedback_required": "on"})
    assert "需要落实反馈时，请填写反馈期限。" in response.content.decode()
    assert not Instruction.objects.exists()


def test_the_unit_sees_the_instruction_on_its_report_and_answers(client, submitter, piece):
    instruction = record(piece, due=timezone.localdate() + datetime.timedelta(days=10))
    client.force_login(submitter)
    report_page = client.get(reverse("reports:detail", args=[piece.report.pk])).content.decode()
    assert "领导批示" in report_page and "市级 · 市人大常委会主任 某某" in report_page
    assert instruction.get_absolute_url() in report_page
    detail = client.get(instruction.get_absolute_url()).content.decode()
    assert "市级领导批示" in detail and "此做法很好，请总结推广。" in detail and "报送落实反馈" in detail
    listing = client.get(reverse("network:instructions")).content.decode()
    assert "待反馈" in listing
    response = client.post(
        instruction.get_absolute_url(),
        {"text": "已在全区推广，建成联络站 12 个。", "file": upload("落实.png", png_bytes())},
    )
    assert response.status_code == 302
    feedback = InstructionFeedback.objects.get(instruction=instruction)
    assert feedback.submitted_by == submitter and feedback.file_name == "落实.png"
    page = client.get(instruction.get_absolute_url()).content.decode()
    assert "已在全区推广" in page and "报送落实反馈</button>" not in page
    # A second post (a double click, a stale tab) adds nothing.
    assert client.post(instruction.get_absolute_url(), {"text": "再次"}).status_code == 404
    assert InstructionFeedback.objects.count() == 1
    assert client.get(reverse("network:feedback_file", args=[instruction.pk])).status_code == 200


def test_another_unit_never_sees_the_instruction_or_its_feedback(client, submitter, other_submitter, piece):
    instruction = record(piece, due=TODAY, scan="network/instructions/x.pdf", scan_name="x.pdf")
    InstructionFeedback.objects.create(instruction=instruction, text="上城的落实情况", submitted_by=submitter)
    client.force_login(other_submitter)
    for name in ("network:instruction", "network:instruction_scan", "network:feedback_file"):
        assert client.get(reverse(name, args=[instruction.pk])).status_code == 404
    assert client.post(instruction.get_absolute_url(), {"text": "冒名反馈"}).status_code == 404
    listing = client.get(reverse("network:instructions")).content.decode()
    assert "市人大常委会主任" not in listing and "暂无领导批示" in listing
    assert InstructionFeedback.objects.get().text == "上城的落实情况"


def test_a_logged_out_visitor_is_sent_to_the_login(client, piece):
    instruction = record(piece)
    response = client.get(instruction.get_absolute_url())
    assert response.status_code == 302 and "login" in response["Location"]


def test_feedback_cannot_be_given_where_none_is_required(client, submitter, piece):
    instruction = record(piece)
    client.force_login(submitter)
    assert "无需反馈" in client.get(instruction.get_absolute_url()).content.decode()
    assert client.post(instruction.get_absolute_url(), {"text": "x"}).status_code == 404


def test_overdue_feedback_is_on_the_desk_and_reminded_once_a_day(client, editor, submitter, piece):
    overdue = record(piece, due=TODAY - datetime.timedelta(days=1))
    record(piece, due=TODAY)  # due today: not overdue yet
    planned = [p for p in services.due_reminders(TODAY) if p.reason == Reminder.Reason.INSTRUCTION_FEEDBACK]
    assert [(p.unit, p.reason_key) for p in planned] == [(submitter.profile.unit, f"instruction:{overdue.pk}")]
    assert "落实反馈期限为2026年6月9日" in planned[0].message
    services.run_reminders(TODAY)
    services.run_reminders(TODAY)
    assert Reminder.objects.filter(reason=Reminder.Reason.INSTRUCTION_FEEDBACK).count() == 1
    services.run_reminders(TODAY + datetime.timedelta(days=1))
    assert Reminder.objects.filter(reason=Reminder.Reason.INSTRUCTION_FEEDBACK).count() == 3  # both now overdue
    InstructionFeedback.objects.create(instruction=overdue, text="已落实", submitted_by=submitter)
    keys = [p.reason_key for p in services.due_reminders(TODAY + datetime.timedelta(days=2))]
    assert f"instruction:{overdue.pk}" not in keys

    client.force_login(editor)
    desk = client.get(reverse("admin:index")).content.decode()
    assert "批示落实反馈逾期" in desk and "上城区人大常委会办公室（市级批示" in desk


def test_the_instruction_admin_filters_overdue(client, editor, piece):
    record(piece, due=datetime.date(2020, 1, 1), leader="逾期的领导")
    record(piece, due=datetime.date(2100, 1, 1), leader="未到期的领导")
    client.force_login(editor)
    page = client.get(reverse("admin:network_instruction_changelist") + "?overdue=1").content.decode()
    assert "逾期的领导" in page and "未到期的领导" not in page


def test_reimporting_an_issue_whose_piece_has_an_instruction_is_refused_and_keeps_it(editor):
    from django.core.management import CommandError, call_command

    from tests.conftest import SEED_REGULAR_4, import_seed

    issue = import_seed(SEED_REGULAR_4)
    instruction = record(issue.pieces()[0])
    with pytest.raises(CommandError, match="已被其他记录引用（如领导批示），不能整期替换"):
        call_command("import_issue", str(SEED_REGULAR_4), "--replace", "--by", "editor")
    instruction.refresh_from_db()
    assert instruction.piece.issue == issue and issue.piece_set.count() == 14
