"""The portal's edit form under concurrency: each request with its own PostgreSQL connection, as in production."""

import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.test import Client
from django.urls import reverse

from reports import uploads, wording
from reports.forms import ReportForm
from reports.models import Report
from tests.portal import jpeg_bytes, make_report, upload

pytestmark = pytest.mark.django_db(transaction=True)


def form_data(**overrides):
    data = {
        "title": "上城区：推进“民呼我为”代表联络站建设",
        "body": "<p>上城区人大常委会聚焦……</p>",
        "authors": "蔡静",
        "phone": "0571-87000000",
        "suggested_section": "",
        "action": "draft",
    }
    return {**data, **overrides}


def in_thread(target, *args):
    """Run `target` in a thread of its own (its own database connection); the thread and a dict for its result."""
    result = {}

    def run():
        try:
            result["value"] = target(*args)
        except Exception as exc:  # asserted by the test
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pause_admin_posts(monkeypatch, admin_class) -> tuple[threading.Event, threading.Event]:
    """Make the admin's change POSTs wait once they have read the object they would write back: returns the
    event set then (`loaded`) and the one that lets them go on (`resume`), for a change made meanwhile."""
    loaded, resume = threading.Event(), threading.Event()
    real_get_object = admin_class.get_object

    def get_object_then_wait(self, request, object_id, from_field=None):
        obj = real_get_object(self, request, object_id, from_field)
        if request.method == "POST":
            loaded.set()
            resume.wait(20)
        return obj

    monkeypatch.setattr(admin_class, "get_object", get_object_then_wait)
    return loaded, resume


def test_a_slow_save_does_not_undo_an_acceptance_made_meanwhile(submitter, editor, monkeypatch):
    """The unit saves a returned report with a large photo; while the photo is checked, it resubmits from another
    window and the editor accepts. The slow save must not write the old status back."""
    report = make_report(submitter, status="returned")
    checking, proceed = threading.Event(), threading.Event()
    real_check = uploads.check_upload

    def slow_check(*args, **kwargs):
        checking.set()
        assert proceed.wait(20)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(uploads, "check_upload", slow_check)
    client = client_for(submitter)
    data = {
        **form_data(title="慢慢保存的标题", seen_status="returned"),
        "attachments": [upload("大图.jpg", jpeg_bytes())],
    }
    thread, result = in_thread(client.post, reverse("reports:edit", args=[report.pk]), data)
    assert checking.wait(20)
    report.transition(Report.Status.SUBMITTED, by=submitter, as_editor=False, secrecy_declared=True)
    report.transition(Report.Status.ACCEPTED, by=editor)
    proceed.set()
    thread.join(30)

    response = result["value"]
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED
    assert report.title != "慢慢保存的标题" and not report.attachments.exists()
    assert response.status_code == 409
    page = response.content.decode()
    assert "状态已由“退回修改”变为“已采用”" in page and "本次修改未保存" in page
    assert "慢慢保存的标题" in page  # what the unit typed is still in the form


def test_the_edit_form_sent_twice_with_submit_makes_one_submission(submitter, monkeypatch):
    report = make_report(submitter)
    both_valid = threading.Barrier(2)
    real_ready = ReportForm.check_ready_to_submit

    def ready_together(self, **options):
        both_valid.wait(20)  # both requests have loaded the draft and validated before either saves
        return real_ready(self, **options)

    monkeypatch.setattr(ReportForm, "check_ready_to_submit", ready_together)
    url = reverse("reports:edit", args=[report.pk])
    data = form_data(action="submit", seen_status="draft", secrecy_declared="on")
    runs = [in_thread(client_for(submitter).post, url, data) for _ in range(2)]
    for thread, _ in runs:
        thread.join(30)

    codes = sorted(result["value"].status_code for _, result in runs)
    assert codes == [302, 409]
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.versions.count() == 1
    assert report.events.filter(to_status=Report.Status.SUBMITTED).count() == 1


def test_a_double_click_on_new_report_creates_one_report(submitter, monkeypatch):
    client = client_for(submitter)
    token = client.get(reverse("reports:new")).context["form"]["form_token"].value()
    assert token
    both_valid = threading.Barrier(2)
    real_clean = ReportForm.clean_title

    def clean_together(self):
        both_valid.wait(20)
        return real_clean(self)

    monkeypatch.setattr(ReportForm, "clean_title", clean_together)
    data = form_data(form_token=str(token))
    runs = [in_thread(client_for(submitter).post, reverse("reports:new"), data) for _ in range(2)]
    for thread, _ in runs:
        thread.join(30)
    assert all("value" in result for _, result in runs), [result.get("error") for _, result in runs]
    report = Report.objects.get()
    assert {result["value"]["Location"] for _, result in runs} == {reverse("reports:detail", args=[report.pk])}

    # The same form sent once more, later (a reload that re-posts): still one report, and the unit is told.
    monkeypatch.setattr(ReportForm, "clean_title", real_clean)
    response = client.post(reverse("reports:new"), data)
    assert Report.objects.count() == 1
    assert response["Location"] == reverse("reports:detail", args=[report.pk])
    assert "重复提交已忽略" in " ".join(m.message for m in get_messages(response.wsgi_request))
    # A fresh form is a fresh report.
    fresh = client.get(reverse("reports:new")).context["form"]["form_token"].value()
    client.post(reverse("reports:new"), form_data(form_token=str(fresh)))
    assert Report.objects.count() == 2


def test_a_save_posted_after_the_report_was_submitted_elsewhere_keeps_what_was_typed(submitter):
    """The form was loaded as a draft; the report was submitted from another window before this save arrived."""
    report = make_report(submitter)
    report.transition(Report.Status.SUBMITTED, by=submitter, as_editor=False, secrecy_declared=True)
    response = client_for(submitter).post(
        reverse("reports:edit", args=[report.pk]), form_data(title="另一个窗口里改的标题", seen_status="draft")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "状态已由“草稿”变为“已报送”" in page and "另一个窗口里改的标题" in page
    assert Report.objects.get(pk=report.pk).title != "另一个窗口里改的标题"


def _pause_in_thread(monkeypatch, owner, name, loaded, proceed):
    """Make `owner.name` wait, in a request thread only, once the request has loaded the report."""
    real = getattr(owner, name)

    def paused(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            loaded.set()
            assert proceed.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, paused)


def test_a_submission_keeps_the_text_stored_when_it_moves_not_the_copy_its_request_loaded(submitter, monkeypatch):
    """Connection A submits from the report's page; between A's load and A's move, connection B (another window)
    saves new text. The version kept as sent is B's text, the one the report holds when it is submitted."""
    report = make_report(submitter, title="上城区：旧标题", body="<p>旧的正文</p>")
    loaded, proceed = threading.Event(), threading.Event()
    _pause_in_thread(monkeypatch, wording, "check_text", loaded, proceed)  # report_submit's check, after its load
    submit = client_for(submitter)
    url = reverse("reports:submit", args=[report.pk])
    thread, result = in_thread(submit.post, url, {"seen_status": "draft", "secrecy_declared": "on"})
    assert loaded.wait(20)
    edit = client_for(submitter).post(
        reverse("reports:edit", args=[report.pk]),
        form_data(
            title="上城区：另一个窗口的新标题", body="<p>另一个窗口的新正文</p>", authors="李四", seen_status="draft"
        ),
    )
    assert edit.status_code == 302
    proceed.set()
    thread.join(30)

    assert result["value"].status_code == 302, result
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    version = report.versions.get()
    assert (version.title, version.body, version.authors) == (
        "上城区：另一个窗口的新标题",
        "<p>另一个窗口的新正文</p>",
        "李四",
    )


def test_a_reviewers_approval_is_refused_when_the_text_changed_since_their_page(submitter, monkeypatch):
    """Reviewer A opens the report waiting for review and approves; before A's approval takes the row lock, the
    report has been returned inside the unit, rewritten and sent for review again (connection B). It waits at the
    step A's page showed, but with text A has not read: A's approval is refused, not applied to the new text."""
    from reports.forms import ReviewForm
    from reports.models import UnitRole
    from tests.test_review_chain import configure, person

    configure(submitter.profile.unit, review=True, sign_off=True)
    reviewer = person("zhangsan", "张三", UnitRole.Role.REVIEWER)
    other = person("wangwu", "王五", UnitRole.Role.REVIEWER)
    report = make_report(submitter, body="<p>审核人读过的正文</p>")
    report.transition(Report.Status.IN_REVIEW, by=submitter, as_editor=False)
    reviewing = client_for(reviewer)
    page = reviewing.get(reverse("reports:detail", args=[report.pk])).text
    data = {
        "decision": "approve",
        "seen_status": "in_review",
        "seen_content": re.search(r'name="seen_content" value="(\w+)"', page).group(1),
    }
    loaded, proceed = threading.Event(), threading.Event()
    _pause_in_thread(monkeypatch, ReviewForm, "is_valid", loaded, proceed)  # report_review, after its load
    thread, result = in_thread(lambda: reviewing.post(reverse("reports:review", args=[report.pk]), data, follow=True))
    assert loaded.wait(20)
    Report.objects.get(pk=report.pk).transition(
        Report.Status.UNIT_RETURNED, by=other, as_editor=False, comment="请重写"
    )
    rewrite = client_for(submitter).post(
        reverse("reports:edit", args=[report.pk]),
        form_data(body="<p>审核人没读过的正文</p>", action="submit", seen_status="unit_returned"),
    )
    assert rewrite.status_code == 302
    assert Report.objects.get(pk=report.pk).status == Report.Status.IN_REVIEW  # the step A's page showed
    proceed.set()
    thread.join(30)

    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW
    assert not report.events.filter(from_status=Report.Status.IN_REVIEW, actor=reviewer).exists()
    assert "内容在您打开页面后已有修改" in result["value"].text
