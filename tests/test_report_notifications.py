"""The unit hears of every decision on its reports: in the portal, and by e-mail where it has an address."""

import pytest
from django.core import mail
from django.urls import reverse

from issues.models import Section
from issues.services import place_report, publish
from reports.models import Notification, Report
from tests.desk import make_draft
from tests.portal import make_report


@pytest.fixture
def submitted(submitter):
    return make_report(submitter, status="submitted")


def test_editor_decision_notifies_unit_in_site_and_by_mail(submitted, editor, django_capture_on_commit_callbacks):
    submitted.unit.email = "bgs@shangcheng.example"
    submitted.unit.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted.transition(Report.Status.RETURNED, by=editor, comment="请补充具体数据")
    notification = Notification.objects.get(unit=submitted.unit)
    assert "退回修改" in notification.message and "请补充具体数据" in notification.message
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bgs@shangcheng.example"]
    assert "请补充具体数据" in mail.outbox[0].body
    assert f"/submit/{submitted.pk}/" in mail.outbox[0].body


def test_no_mail_without_address_but_still_in_site(submitted, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted.transition(Report.Status.ACCEPTED, by=editor)
    assert Notification.objects.filter(unit=submitted.unit, message__contains="已被采用").exists()
    assert mail.outbox == []


def test_publication_notifies_through_transition_alone(submitter, editor):
    report = make_report(submitter, status="accepted")
    report.transition(Report.Status.PUBLISHED, by=editor)
    assert Notification.objects.filter(report=report, message__contains="已刊用").exists()


def test_publication_message_names_the_issue(submitter, editor, published_issue):
    report = make_report(submitter, status="accepted")
    article = published_issue.piece_set.articles().first()
    article.report = report
    article.save()
    report.transition(Report.Status.PUBLISHED, by=editor)
    message = Notification.objects.get(report=report, event__to_status="published").message
    assert message.endswith(f"已刊用（{published_issue.name}）")


def test_units_own_submission_is_not_notified_back(submitter):
    report = make_report(submitter)
    report.transition(Report.Status.SUBMITTED, by=submitter, secrecy_declared=True)
    assert not Notification.objects.exists()


def test_notification_page_lists_and_marks_read(client, submitted, editor, submitter, other_submitter):
    submitted.transition(Report.Status.DECLINED, by=editor, comment="与上期内容重复")
    client.force_login(submitter)
    page = client.get(reverse("reports:list")).content.decode()
    assert 'class="badge"' in page
    content = client.get(reverse("reports:notifications")).content.decode()
    assert "与上期内容重复" in content
    client.post(reverse("reports:notifications"))
    assert not Notification.objects.filter(read_at=None).exists()
    client.force_login(other_submitter)
    assert "与上期内容重复" not in client.get(reverse("reports:notifications")).content.decode()


def test_editor_comment_notifies_unit(client, submitted, editor):
    client.force_login(editor)
    response = client.post(reverse("reports:detail", args=[submitted.pk]), {"body": "数据来源是哪里？"})
    assert response.status_code == 302
    assert Notification.objects.filter(unit=submitted.unit, message__contains="数据来源是哪里").exists()
    assert submitted.comments.get().from_editor


def test_mail_failure_does_not_undo_the_decision(submitted, editor, settings, django_capture_on_commit_callbacks):
    submitted.unit.email = "bgs@shangcheng.example"
    submitted.unit.save()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        submitted.transition(Report.Status.ACCEPTED, by=editor)
    submitted.refresh_from_db()
    assert submitted.status == Report.Status.ACCEPTED
    assert Notification.objects.filter(report=submitted).exists()


def test_publishing_an_issue_tells_each_unit_where_its_report_appeared(
    published_issue, submitter, other_submitter, editor, django_capture_on_commit_callbacks
):
    """The desk's publish() moves accepted reports to published; the units hear of it with no extra call."""
    submitter.profile.unit.email = "bgs@shangcheng.example"
    submitter.profile.unit.save()
    ours = make_report(submitter, status="accepted")
    theirs = make_report(other_submitter, status="accepted")
    draft = make_draft()
    place_report(ours, draft, as_brief=False, section=Section.objects.get(name="要闻速递"))
    place_report(theirs, draft, as_brief=True)
    with django_capture_on_commit_callbacks(execute=True):
        issue = publish(draft, by=editor)
    for report, where in [(ours, "文章"), (theirs, "信息摘登")]:
        message = Notification.objects.get(report=report, event__to_status="published").message
        assert "已刊用" in message and issue.name in message and where in message
        assert message.count(issue.name) == 1
    assert [m.to for m in mail.outbox] == [["bgs@shangcheng.example"]]
