"""The call admin's save against a change made meanwhile by another editor (each request its own connection)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from network.admin import CallAdmin
from network.models import Call
from tests.network import make_call
from tests.test_portal_races import client_for, in_thread, pause_admin_posts

pytestmark = pytest.mark.django_db(transaction=True)


def test_saving_a_calls_text_does_not_undo_its_issue_made_meanwhile(editor, monkeypatch):
    call = make_call(status="draft")
    loaded, issued = pause_admin_posts(monkeypatch, CallAdmin)
    deadline = timezone.localdate() + datetime.timedelta(days=9)
    data = {
        "topic": "改过的约稿主题",
        "guidance": call.guidance,
        "deadline": deadline.isoformat(),
        "audience": "all",
        "quota_scope": "district",
        "remind_days_before": "2",
    }
    thread, result = in_thread(client_for(editor).post, reverse("admin:network_call_change", args=[call.pk]), data)
    assert loaded.wait(20)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.OPEN, issued_at=timezone.now())  # another editor
    issued.set()
    thread.join(30)

    assert result["value"].status_code == 302
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN and call.issued_at is not None  # the issue stands
    assert call.topic == "改过的约稿主题" and call.deadline == deadline  # and the edit is saved
    assert call.closes_at == timezone.make_aware(
        datetime.datetime.combine(deadline + datetime.timedelta(days=1), datetime.time())
    )


def test_editing_a_draft_circular_while_it_is_published_keeps_it_published(editor, monkeypatch):
    from network import circulars
    from network.admin import CircularAdmin
    from network.models import Circular
    from reports.stats import Period

    circular = circulars.draft(Period("quarter", 2024, 2), by=editor)
    loaded, published = pause_admin_posts(monkeypatch, CircularAdmin)
    data = {"title": circular.title, "text": "改过的正文", "signed_by": circular.signed_by, "date": "2024-07-05"}
    url = reverse("admin:network_circular_change", args=[circular.pk])
    desk = client_for(editor)
    thread, result = in_thread(desk.post, url, data)
    assert loaded.wait(20)
    circulars.publish(circular, by=editor)  # another editor, on another connection
    published.set()
    thread.join(30)

    circular.refresh_from_db()
    assert circular.status == Circular.Status.PUBLISHED and circular.published_at and circular.table is not None
    assert circular.text != "改过的正文" and circular.date != datetime.date(2024, 7, 5)
    response = result["value"]
    assert response.status_code == 302 and response.url == url  # back to the circular, with the reason
    page = desk.get(url).content.decode()
    assert "该通报已经发布，不能再修改，本次修改未保存。" in page
