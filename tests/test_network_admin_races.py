"""The call admin's save against a change made meanwhile by another editor (each request its own connection)."""

import datetime
import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from network.admin import CallAdmin
from network.models import Call
from tests.network import make_call
from tests.test_portal_races import client_for, in_thread

pytestmark = pytest.mark.django_db(transaction=True)


def test_saving_a_calls_text_does_not_undo_its_issue_made_meanwhile(editor, monkeypatch):
    call = make_call(status="draft")
    loaded, issued = threading.Event(), threading.Event()
    real_get_object = CallAdmin.get_object

    def get_object_then_wait(self, request, object_id, from_field=None):
        obj = real_get_object(self, request, object_id, from_field)
        if request.method == "POST":  # the copy this save would write back has been read
            loaded.set()
            issued.wait(20)
        return obj

    monkeypatch.setattr(CallAdmin, "get_object", get_object_then_wait)
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
