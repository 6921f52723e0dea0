"""The inbox's edit of an accepted report's text for print, against a decision made meanwhile (two connections)."""

import threading

import pytest
from django.urls import reverse

from reports.admin import ReportAdmin
from reports.models import Report
from tests.portal import make_report
from tests.test_portal_races import client_for, in_thread

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_of_the_text_does_not_undo_a_return_made_meanwhile(editor, submitter, monkeypatch):
    report = make_report(submitter, status="accepted")
    loaded, decided = threading.Event(), threading.Event()
    real_get_object = ReportAdmin.get_object

    def get_object_then_wait(self, request, object_id, from_field=None):
        obj = real_get_object(self, request, object_id, from_field)
        if request.method == "POST":  # the copy this save would write back has been read
            loaded.set()
            decided.wait(20)
        return obj

    monkeypatch.setattr(ReportAdmin, "get_object", get_object_then_wait)
    url = reverse("admin:reports_report_change", args=[report.pk])
    data = {"title": "编辑改过的标题", "body": "<p>编辑改过的正文</p>", "authors": "蔡静", "suggested_section": ""}
    thread, result = in_thread(client_for(editor).post, url, data)
    assert loaded.wait(20)
    Report.objects.get(pk=report.pk).transition(
        Report.Status.RETURNED, by=editor, comment="请补充数据", expected=Report.Status.ACCEPTED
    )
    decided.set()
    thread.join(30)

    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED  # the return stands
    assert report.title != "编辑改过的标题"
    page = result["value"].content.decode()
    assert "这篇信息已改为“退回修改”，本次修改未保存。" in page and "编辑改过的标题" in page  # told, input kept


def test_the_text_edit_saves_only_the_fields_it_changed(editor, submitter):
    report = make_report(submitter, status="accepted")
    client = client_for(editor)
    data = {"title": "编辑改过的标题", "body": report.body, "authors": report.authors, "suggested_section": ""}
    response = client.post(reverse("admin:reports_report_change", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "编辑改过的标题" and report.status == Report.Status.ACCEPTED
