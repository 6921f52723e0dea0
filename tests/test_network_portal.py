"""The portal's 约稿 and 催报 pages, per role: a unit sees the calls addressed to it, its own answers and reminders,
never another unit's; it answers a call from the report form."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from network import services
from network.models import Answer, Call, Reminder
from reports.models import Report
from tests.network import answer, make_call
from tests.portal import docx_bytes, pdf_bytes, upload

ROLES = ["anonymous", "own", "other", "editor"]


@pytest.fixture
def world(submitter, other_submitter, editor):
    """A call to 上城 with the 报送要点 PDF and an answer from it; a call to 西湖 only; a draft call; reminders."""
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    own = make_call(topic="基层立法联系点建设经验", districts=["shangcheng"])
    own.document.save("a.pdf", ContentFile(pdf_bytes()), save=False)
    own.document_name, own.document_type = "报送要点.pdf", "application/pdf"
    own.save()
    others = make_call(topic="西湖区专属约稿", units=[xihu])
    draft = make_call(topic="尚未发出的约稿", status="draft")
    own_answer = answer(own, submitter, title="上城区：联系点收集意见 300 条")
    services.remind_by_hand([shangcheng], by=editor, call=own, message="上城请尽快报送")
    services.remind_by_hand([xihu], by=editor, call=others, message="西湖请尽快报送")
    users = {"anonymous": None, "own": submitter, "other": other_submitter, "editor": editor}
    return {"own": own, "others": others, "draft": draft, "answer": own_answer, "users": users}


def client_for(role, world):
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


MATRIX = {
    # page → expected status per role (302 for anonymous: to the login page)
    "calls": {"anonymous": 302, "own": 200, "other": 200, "editor": 200},
    "own_call": {"anonymous": 302, "own": 200, "other": 404, "editor": 200},
    "others_call": {"anonymous": 302, "own": 404, "other": 200, "editor": 200},
    "draft_call": {"anonymous": 302, "own": 404, "other": 404, "editor": 404},
    "document": {"anonymous": 302, "own": 200, "other": 404, "editor": 200},
    "reminders": {"anonymous": 302, "own": 200, "other": 200, "editor": 404},
}


def url_for(name, world):
    return {
        "calls": reverse("network:calls"),
        "own_call": reverse("network:call", args=[world["own"].pk]),
        "others_call": reverse("network:call", args=[world["others"].pk]),
        "draft_call": reverse("network:call", args=[world["draft"].pk]),
        "document": reverse("network:call_document", args=[world["own"].pk]),
        "reminders": reverse("network:reminders"),
    }[name]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_page_answers_each_role_as_expected(world, role, name):
    response = client_for(role, world).get(url_for(name, world))
    assert response.status_code == MATRIX[name][role]
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_a_unit_sees_only_the_calls_addressed_to_it(world):
    page = client_for("own", world).get(reverse("network:calls")).content.decode()
    assert "征集中的约稿" in page and "基层立法联系点建设经验" in page
    assert "西湖区专属约稿" not in page and "尚未发出的约稿" not in page
    assert f"?answers_call={world['own'].pk}" in page
    other = client_for("other", world).get(reverse("network:calls")).content.decode()
    assert "西湖区专属约稿" in other and "基层立法联系点建设经验" not in other


def test_another_units_answers_and_reminders_never_show(world, other_submitter):
    xihu_answer = answer(world["own"], other_submitter, title="西湖区：不应被上城看到的信息")  # not asked, but linked
    page = client_for("own", world).get(reverse("network:call", args=[world["own"].pk])).content.decode()
    assert "上城区：联系点收集意见 300 条" in page
    assert xihu_answer.title not in page
    reminders = client_for("own", world).get(reverse("network:reminders")).content.decode()
    assert "上城请尽快报送" in reminders and "西湖请尽快报送" not in reminders
    assert "催报通知" in reminders and "编辑催报" in reminders


def test_opening_the_reminders_marks_them_read_and_the_menu_counts_unread(world, submitter):
    client = client_for("own", world)
    page = client.get(reverse("reports:list")).content.decode()
    assert f'href="{reverse("network:reminders")}">催报<span class="badge" aria-label="1 条未读">' in page
    client.get(reverse("network:reminders"))
    assert not Reminder.objects.filter(unit=submitter.profile.unit, read_at=None).exists()
    assert 'aria-label="1 条未读"' not in client.get(reverse("reports:list")).content.decode()


def test_the_document_is_served_as_a_download_with_safe_headers(world):
    response = client_for("own", world).get(reverse("network:call_document", args=[world["own"].pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_a_report_written_for_a_call_answers_it(world, submitter):
    client = client_for("own", world)
    form = client.get(reverse("reports:new") + f"?answers_call={world['own'].pk}").content.decode()
    assert "响应约稿" in form and f'<option value="{world["own"].pk}" selected>' in form
    assert "西湖区专属约稿" not in form
    response = client.post(
        reverse("reports:new"),
        {
            "title": "上城区：联系点第二篇",
            "body": "<p>正文</p>",
            "answers_call": world["own"].pk,
            "action": "submit",
            "secrecy_declared": "on",
        },
    )
    report = Report.objects.get(title="上城区：联系点第二篇")
    assert response.status_code == 302 and report.status == Report.Status.SUBMITTED
    assert report.call_answer.call == world["own"]
    detail = client.get(report.get_absolute_url()).content.decode()
    assert "响应约稿" in detail and "基层立法联系点建设经验" in detail


def test_a_unit_cannot_answer_a_call_not_addressed_to_it(world):
    client = client_for("own", world)
    response = client.post(
        reverse("reports:new"),
        {"title": "上城区：越权响应", "body": "<p>正文</p>", "answers_call": world["others"].pk, "action": "draft"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Report.objects.filter(title="上城区：越权响应").exists()


def test_a_returned_report_keeps_its_call_after_the_call_closes(world, submitter):
    report = world["answer"]
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RETURNED)
    Call.objects.filter(pk=world["own"].pk).update(status=Call.Status.CLOSED)
    client = client_for("own", world)
    form = client.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert f'<option value="{world["own"].pk}" selected>' in form
    client.post(
        reverse("reports:edit", args=[report.pk]),
        {
            "title": report.title,
            "body": "<p>改好了</p>",
            "answers_call": world["own"].pk,
            "action": "draft",
            "seen_status": "returned",
        },
    )
    assert Answer.objects.get(report=report).call == world["own"]
    client.post(
        reverse("reports:edit", args=[report.pk]),
        {
            "title": report.title,
            "body": "<p>改好了</p>",
            "answers_call": "",
            "action": "draft",
            "seen_status": "returned",
        },
    )
    assert not Answer.objects.filter(report=report).exists()


def test_a_word_import_keeps_the_chosen_call(world):
    client = client_for("own", world)
    document = docx_bytes("上城区：导入的信息", ["正文一段。"])
    response = client.post(
        reverse("reports:new"),
        {"action": "import", "answers_call": world["own"].pk, "docx": upload("稿件.docx", document)},
    )
    page = response.content.decode()
    assert "已从 Word 文档导入" in page
    assert f'<option value="{world["own"].pk}" selected>' in page


def test_a_late_answer_is_marked_on_the_units_pages(world, submitter):
    Call.objects.filter(pk=world["own"].pk).update(
        closes_at=timezone.now() - datetime.timedelta(days=1),
        deadline=timezone.localdate() - datetime.timedelta(days=2),
    )
    client = client_for("own", world)
    assert "（迟报）" in client.get(world["answer"].get_absolute_url()).content.decode()
    page = client.get(reverse("network:call", args=[world["own"].pk])).content.decode()
    assert "迟报" in page and "已过截止日期" in page
