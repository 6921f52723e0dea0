"""The daily reminder run lives in the background worker's queue: booked once, runs, books the next."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from network import services
from network.models import Quota, Reminder
from network.tasks import daily_reminders

PATH = daily_reminders.module_path


def waiting():
    return DBTaskResult.objects.filter(task_path=PATH, status=TaskResultStatus.READY)


def test_ensure_scheduled_books_one_run_whatever_the_number_of_calls(db):
    DBTaskResult.objects.filter(task_path=PATH).delete()
    first = services.ensure_scheduled()
    assert services.ensure_scheduled() == first
    call_command("load_network_demo", stdout=io.StringIO())
    assert waiting().count() == 1
    assert timezone.localtime(first).strftime("%H:%M") == "08:30"
    assert first > timezone.now()


def test_the_next_run_is_today_at_the_set_time_if_still_ahead_else_tomorrow(settings):
    settings.NETWORK_REMINDER_TIME = (8, 30)
    tz = timezone.get_current_timezone()
    early = datetime.datetime(2026, 3, 10, 7, 0, tzinfo=tz)
    late = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=tz)
    assert services.next_run_at(early) == datetime.datetime(2026, 3, 10, 8, 30, tzinfo=tz)
    assert services.next_run_at(late) == datetime.datetime(2026, 3, 11, 8, 30, tzinfo=tz)


@pytest.mark.django_db(transaction=True)  # the worker checks its connection as it would in production
def test_the_worker_runs_the_task_which_sends_reminders_and_books_the_next_run(submitter):
    Quota.objects.create(period="month", scope="unit", unit=submitter.profile.unit, target=1, remind_day=1)
    DBTaskResult.objects.filter(task_path=PATH).delete()
    result = daily_reminders.enqueue()  # as if its time had come
    call_command("db_worker", "--batch", "--queue-name", "default", verbosity=0)
    db_result = DBTaskResult.objects.get(pk=result.id)
    assert db_result.status == TaskResultStatus.SUCCESSFUL and db_result.return_value == 1
    assert Reminder.objects.get().reason == Reminder.Reason.ZERO_SUBMISSION
    booked = waiting().get()
    assert booked.run_after > timezone.now()
    # The next run on the same day would send nothing more.
    assert daily_reminders.call() == 0
    assert waiting().count() == 1


@pytest.mark.django_db(transaction=True)
def test_migrate_books_the_daily_run(db):
    DBTaskResult.objects.filter(task_path=PATH).delete()
    call_command("migrate", verbosity=0)
    assert waiting().count() == 1


def test_the_demos_hand_sent_reminder_goes_only_to_units_that_have_not_answered(db):
    """load_demo's 上城 and 西湖 reports answer the demo call: the editor's 催报 in the demo skips them."""
    from network.models import Answer

    call_command("load_demo", stdout=io.StringIO())
    call_command("load_network_demo", stdout=io.StringIO())
    manual = Reminder.objects.filter(reason=Reminder.Reason.MANUAL).select_related("call")
    assert manual.exists()
    for reminder in manual:
        answered = Answer.objects.sent().filter(call=reminder.call, report__unit=reminder.unit)
        assert not answered.exists(), reminder.unit.name
    assert not manual.filter(unit__name__in=["上城区人大常委会办公室", "西湖区人大常委会办公室"]).exists()
