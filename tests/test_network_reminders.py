"""催报: the daily run reminds exactly the units that are due, once per reason and day, logged and mailed."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connections
from django.utils import timezone

from network import services
from network.models import Quota, Reminder
from reports.models import Contributor
from tests.network import answer, at_local, deliver_reminder_mail, make_call

R = Reminder.Reason


@pytest.fixture
def scenario(submitter, other_submitter, editor):
    """A call due tomorrow to three units (one has answered); 上城 has no report this month, 西湖 is at its quota."""
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    binjiang = Contributor.objects.get(name="滨江区人大常委会")
    today = timezone.localdate()
    call = make_call(deadline=today + datetime.timedelta(days=1), units=[shangcheng, xihu, binjiang])
    answer(call, other_submitter)
    Quota.objects.create(period="month", scope=Quota.Scope.UNIT, unit=shangcheng, target=1, remind_day=1)
    Quota.objects.create(period="month", scope=Quota.Scope.UNIT, unit=xihu, target=1, remind_day=1)
    return {"call": call, "shangcheng": shangcheng, "xihu": xihu, "binjiang": binjiang, "today": today}


def sent_set():
    return {(r.unit.name, r.reason) for r in Reminder.objects.select_related("unit")}


def test_a_run_sends_exactly_the_expected_reminders_once_and_logs_them(scenario):
    sent = services.run_reminders()
    expected = {
        ("上城区人大常委会办公室", R.ZERO_SUBMISSION),
        ("上城区人大常委会办公室", R.CALL_DEADLINE),
        ("滨江区人大常委会", R.CALL_DEADLINE),
    }
    assert {(p.unit.name, p.reason) for p in sent} == expected
    assert sent_set() == expected
    assert sent[0].reason == R.ZERO_SUBMISSION  # zero submitters first
    log = Reminder.objects.get(unit=scenario["shangcheng"], reason=R.CALL_DEADLINE)
    assert log.day == scenario["today"] and log.sent_by is None and log.call == scenario["call"]
    assert "明天" not in log.message and "截止" in log.message and scenario["call"].topic in log.message
    zero = Reminder.objects.get(reason=R.ZERO_SUBMISSION)
    assert "零报送" in zero.message and zero.reason_key.startswith("quota:")

    assert services.run_reminders() == []
    assert Reminder.objects.count() == 3


def test_the_command_prints_one_line_per_reminder_and_dry_run_sends_nothing(scenario, capsys):
    call_command("send_reminders", "--dry-run")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and not Reminder.objects.exists()
    assert lines[0].startswith("上城区人大常委会办公室\t零报送提醒：")
    call_command("send_reminders")
    assert capsys.readouterr().out.splitlines() == lines
    assert Reminder.objects.count() == 3
    call_command("send_reminders")
    assert capsys.readouterr().out == ""


def test_a_unit_at_its_quota_and_one_that_answered_get_nothing(scenario):
    services.run_reminders()
    assert not Reminder.objects.filter(unit=scenario["xihu"]).exists()


def test_call_reminders_are_daily_in_the_window_quota_reminders_once_a_period(submitter, other_submitter):
    shangcheng = submitter.profile.unit
    make_call(deadline=datetime.date(2026, 3, 12), units=[shangcheng], remind_days_before=2)
    Quota.objects.create(period="month", scope=Quota.Scope.UNIT, unit=shangcheng, target=2, remind_day=10)
    answer(make_call(topic="其他约稿", units=[shangcheng]), submitter, submitted_at=at_local(datetime.date(2026, 3, 2)))

    def run(day):
        return sorted(p.reason for p in services.run_reminders(datetime.date(2026, 3, day)))

    assert run(9) == []  # before the window and before the quota's 催报日
    assert run(10) == [R.BELOW_QUOTA, R.CALL_DEADLINE]  # 1 of 2 this month
    assert run(11) == [R.CALL_DEADLINE]
    assert run(12) == [R.CALL_DEADLINE]  # the deadline day itself
    assert run(13) == []  # past the deadline
    assert Reminder.objects.get(reason=R.BELOW_QUOTA).message.startswith(
        "2026年3月贵单位报送任务为 2 篇，目前已报送 1 篇"
    )
    assert "今天截止" in Reminder.objects.get(day=datetime.date(2026, 3, 12)).message


def test_a_units_own_quota_replaces_the_every_unit_one_and_district_quotas_count_together(
    submitter, other_submitter, editor
):
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    day = datetime.date(2026, 5, 20)
    Quota.objects.create(period="month", scope=Quota.Scope.EVERY_UNIT, target=1, remind_day=20)
    Quota.objects.create(period="month", scope=Quota.Scope.UNIT, unit=shangcheng, target=2, remind_day=20)
    Quota.objects.create(period="quarter", scope=Quota.Scope.DISTRICT, district="xihu", target=1, remind_day=1)
    answer(make_call(units=[shangcheng]), submitter, submitted_at=at_local(datetime.date(2026, 5, 3)))
    answer(make_call(units=[xihu]), other_submitter, submitted_at=at_local(datetime.date(2026, 4, 3)))
    sent = services.run_reminders(day)
    by_unit = {}
    for planned in sent:
        by_unit.setdefault(planned.unit.name, set()).add(planned.reason)
    assert by_unit["上城区人大常委会办公室"] == {R.BELOW_QUOTA}  # 1 of its own 2
    assert by_unit["西湖区人大常委会办公室"] == {R.ZERO_SUBMISSION}  # none in May; the district's quarter is met
    assert "研究室" not in by_unit  # the editors' own office is not a unit of the network
    network = {u.name for u in Contributor.objects.filter(is_active=True)} - {"研究室"}
    assert set(by_unit) == network
    zero_first = [p.reason for p in sent]
    assert zero_first.index(R.BELOW_QUOTA) > max(i for i, r in enumerate(zero_first) if r == R.ZERO_SUBMISSION)


def test_the_database_refuses_a_second_reminder_for_the_same_reason_the_same_day(submitter):
    unit = submitter.profile.unit
    fields = {
        "unit": unit,
        "reason": R.MANUAL,
        "reason_key": "manual:general",
        "message": "请报送",
        "day": timezone.localdate(),
    }
    Reminder.objects.create(**fields)
    with pytest.raises(IntegrityError):
        Reminder.objects.create(**fields)


def test_reminders_by_hand_are_logged_with_the_editor_and_not_repeated_the_same_day(scenario, editor):
    units = services.unanswered_units(scenario["call"])
    assert {u.name for u in units} == {"上城区人大常委会办公室", "滨江区人大常委会"}
    sent, skipped = services.remind_by_hand(units, by=editor, call=scenario["call"])
    assert len(sent) == 2 and skipped == []
    assert Reminder.objects.filter(reason=R.MANUAL, sent_by=editor).count() == 2
    sent, skipped = services.remind_by_hand(units, by=editor, call=scenario["call"])
    assert sent == [] and len(skipped) == 2
    # The daily run is another reason: it still goes out.
    assert {p.reason for p in services.run_reminders()} == {R.ZERO_SUBMISSION, R.CALL_DEADLINE}


def test_units_with_an_address_are_mailed_and_the_outcome_recorded(scenario, django_capture_on_commit_callbacks):
    unit = scenario["shangcheng"]
    unit.email = "bgs@shangcheng.example"
    unit.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.run_reminders()
    assert mail.outbox == []  # queued for the worker, not sent by whoever made the reminders
    assert deliver_reminder_mail() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bgs@shangcheng.example"] * 2
    assert any("零报送" in m.body for m in mail.outbox)
    assert all("/submit/reminders/" in m.body and "\n" not in m.subject for m in mail.outbox)
    assert set(Reminder.objects.filter(unit=unit).values_list("mail_status", flat=True)) == {Reminder.Mail.SENT}
    assert Reminder.objects.get(unit=scenario["binjiang"]).mail_status == Reminder.Mail.NONE


def test_a_failed_mail_is_recorded_and_retried_by_the_next_run(
    scenario, monkeypatch, django_capture_on_commit_callbacks
):
    unit = scenario["shangcheng"]
    unit.email = "bgs@shangcheng.example"
    unit.save()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_reminders()
    deliver_reminder_mail()
    failed = Reminder.objects.filter(unit=unit, mail_status=Reminder.Mail.FAILED)
    assert failed.count() == 2 and "SMTP server down" in failed.first().mail_error
    monkeypatch.undo()
    assert services.run_reminders() == []  # nothing new to send today...
    assert len(mail.outbox) == 2  # ...but the failed mails went out
    assert not Reminder.objects.filter(mail_status=Reminder.Mail.FAILED).exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(submitter, other_submitter, editor):
    shangcheng, xihu = submitter.profile.unit, other_submitter.profile.unit
    make_call(deadline=timezone.localdate() + datetime.timedelta(days=1), units=[shangcheng, xihu])
    Quota.objects.create(period="month", scope=Quota.Scope.UNIT, unit=shangcheng, target=1, remind_day=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(len(services.run_reminders()))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 3
    assert Reminder.objects.count() == 3


def test_a_mail_whose_sender_died_is_sent_by_the_next_run_and_a_live_claim_is_left_alone(scenario):
    unit = scenario["shangcheng"]
    unit.email = "bgs@shangcheng.example"
    unit.save()
    services.run_reminders()
    Reminder.objects.filter(mail_status=Reminder.Mail.PENDING).delete()
    earlier = timezone.now() - datetime.timedelta(hours=2)
    fields = {"unit": unit, "email": unit.email, "day": scenario["today"], "sent_at": earlier, "message": "催报"}
    lost = Reminder.objects.create(reason=R.MANUAL, reason_key="manual:general", mail_status="pending", **fields)
    died = Reminder.objects.create(
        reason=R.MANUAL, reason_key="manual:died", mail_status="sending", mail_claimed_at=earlier, **fields
    )
    alive = Reminder.objects.create(
        reason=R.MANUAL, reason_key="manual:alive", mail_status="sending", mail_claimed_at=timezone.now(), **fields
    )
    assert services.retry_failed_mail(scenario["today"], before=timezone.now()) == 2
    assert len(mail.outbox) == 2
    statuses = dict(Reminder.objects.filter(pk__in=[lost.pk, died.pk, alive.pk]).values_list("pk", "mail_status"))
    assert statuses == {lost.pk: "sent", died.pk: "sent", alive.pk: "sending"}
    assert services.mail(lost.pk) is False and len(mail.outbox) == 2  # sent: never twice


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_mail_a_failed_reminder_once(submitter, monkeypatch):
    unit = submitter.profile.unit
    unit.email = "bgs@shangcheng.example"
    unit.save()
    reminder = Reminder.objects.create(
        unit=unit,
        reason=R.MANUAL,
        reason_key="manual:general",
        message="请报送",
        day=timezone.localdate(),
        email=unit.email,
        mail_status=Reminder.Mail.FAILED,
    )
    barrier, sent, errors = threading.Barrier(2), [], []
    real_send_mail = services.send_mail

    def slow_send_mail(*args, **kwargs):
        sent.append(args)
        import time

        time.sleep(0.3)  # the other sender has long tried its claim by now
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", slow_send_mail)

    def sender():
        try:
            barrier.wait()
            services.mail(reminder.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sent) == 1
    reminder.refresh_from_db()
    assert reminder.mail_status == Reminder.Mail.SENT


def test_an_editors_reminder_is_mailed_by_the_worker_not_in_the_request(client, scenario, editor):
    unit = scenario["shangcheng"]
    unit.email = "bgs@shangcheng.example"
    unit.save()
    client.force_login(editor)
    response = client.post(f"/admin/network/call/{scenario['call'].pk}/remind/")
    assert response.status_code == 302
    assert mail.outbox == [] and Reminder.objects.get(unit=unit).mail_status == Reminder.Mail.PENDING
    assert deliver_reminder_mail() == 1
    assert [m.to[0] for m in mail.outbox] == ["bgs@shangcheng.example"]
    assert Reminder.objects.get(unit=unit).mail_status == Reminder.Mail.SENT
