"""Builders for the network tests: calls sent out to chosen units, reports answering them, reminders."""

import datetime

from django.utils import timezone

from network.models import Answer, Call, CallDistrict
from tests.portal import make_report


def make_call(*, topic="“人大代表在身边”履职故事征集", deadline=None, units=(), districts=(), status="open", **fields):
    """A call sent out (open) to all units, or to the given units and districts when any are given."""
    deadline = deadline or timezone.localdate() + datetime.timedelta(days=7)
    audience = Call.Audience.SELECTED if units or districts else Call.Audience.ALL
    call = Call.objects.create(
        topic=topic,
        guidance="围绕代表联络站常态化运行报送具体做法。",
        deadline=deadline,
        audience=audience,
        status=status,
        issued_at=timezone.now() if status != "draft" else None,
        **fields,
    )
    call.target_units.set(units)
    for district in districts:
        CallDistrict.objects.create(call=call, district=district)
    return call


def answer(call, user, *, status="submitted", title=None, submitted_at=None):
    """A report of the user's unit answering `call`, moved to `status`; `submitted_at` rewrites when it was sent."""
    report = make_report(user, title=title or f"{user.profile.unit.short_name}：{call.topic}", status="draft")
    Answer.objects.create(call=call, report=report)
    if status != "draft":
        _move(report, user, status)
    if submitted_at is not None:
        type(report).objects.filter(pk=report.pk).update(submitted_at=submitted_at)
        report.refresh_from_db()
    return report


def _move(report, user, status):
    from django.contrib.auth.models import User

    desk = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("desk", password="x")
    path = {
        "submitted": ["submitted"],
        "returned": ["submitted", "returned"],
        "accepted": ["submitted", "accepted"],
        "declined": ["submitted", "declined"],
        "published": ["submitted", "accepted", "published"],
    }[status]
    for step in path:
        if step == "submitted":
            report.transition(step, by=user, as_editor=False, secrecy_declared=True)
        else:
            report.transition(
                step, by=desk, as_editor=True, comment="请补充" if step in ("returned", "declined") else ""
            )


def at_local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def deliver_reminder_mail() -> int:
    """Run the reminder mails queued for the worker (`network.tasks.mail_reminder`), as db_worker would; how many."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from network.tasks import mail_reminder

    queued = DBTaskResult.objects.filter(task_path=mail_reminder.module_path, status=TaskResultStatus.READY)
    results = list(queued)
    for result in results:
        mail_reminder.call(*result.args_kwargs["args"])
    queued.filter(pk__in=[r.pk for r in results]).delete()
    return len(results)
