"""The inbox's edit of an accepted report's text for print, against a decision made meanwhile (two connections)."""

import pytest
from django.urls import reverse

from reports.admin import ReportAdmin
from reports.models import Report
from tests.portal import make_report
from tests.test_portal_races import client_for, in_thread, pause_admin_posts

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_of_the_text_does_not_undo_a_return_made_meanwhile(editor, submitter, monkeypatch):
    report = make_report(submitter, status="accepted")
    loaded, decided = pause_admin_posts(monkeypatch, ReportAdmin)
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
