"""E-mail distribution: a published issue goes to the list (editor-kept and self-subscribed readers), in batches,
with its 目录, PDF and an unsubscribe link; failed addresses are retried, then shown on the desk."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from distribution import services
from distribution.models import Delivery, Mailing, Subscriber, SubscriberGroup
from distribution.tasks import send_mailing
from issues import services as desk
from issues.models import Piece
from tests import mail_backends

HOSTILE = '<script>alert("x")</script>监督 & 代表'


@pytest.fixture
def subscribers(db):
    group, _ = SubscriberGroup.objects.get_or_create(name="市人大常委会组成人员")
    return [
        Subscriber.objects.create(name="张三", email="zhang@example.cn", group=group),
        Subscriber.objects.create(name="李四", email="li@example.cn", group=group),
        Subscriber.objects.create(email="pending@example.cn", status=Subscriber.Status.PENDING),
        Subscriber.objects.create(email="gone@example.cn", status=Subscriber.Status.UNSUBSCRIBED),
    ]


@pytest.fixture
def published(draft_issue, editor, subscribers, django_capture_on_commit_callbacks):
    article = Piece.objects.articles().filter(issue=draft_issue).first()
    Piece.objects.filter(pk=article.pk).update(title=HOSTILE)
    with django_capture_on_commit_callbacks(execute=True):
        issue = desk.publish(draft_issue, by=editor)
    return issue


def deliver_confirmations() -> int:
    """Run the confirmation mails queued for the worker (`send_confirmation`), as db_worker would; how many ran."""
    from django.tasks import TaskResultStatus

    from distribution.tasks import send_confirmation

    queued = DBTaskResult.objects.filter(task_path=send_confirmation.module_path, status=TaskResultStatus.READY)
    results = list(queued)
    queued.filter(pk__in=[r.pk for r in results]).delete()
    for result in results:
        send_confirmation.call(*result.args_kwargs["args"])
    return len(results)


def run_all(mailing, now=None):
    """Run the mailing's steps as the worker would, the clock jumping to each booked step."""
    now = now or timezone.now()
    for _ in range(100):
        next_run = services.run_mailing(mailing.pk, now=now)
        if next_run is None:
            return now
        now = max(now, next_run)
    raise AssertionError("mailing never finished")


def test_publishing_queues_a_mailing_that_waits_for_the_pdf_then_sends_to_active_subscribers(published):
    mailing = Mailing.objects.get(issue=published)
    assert DBTaskResult.objects.filter(task_path=send_mailing.module_path, args_kwargs__args=[mailing.pk]).exists()
    now = timezone.now()
    next_run = services.run_mailing(mailing.pk, now=now)
    assert next_run > now and mail.outbox == []  # the PDF renders in the background: nothing sent yet
    published.refresh_from_db()
    published.store_pdf()
    run_all(mailing, now=next_run)
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.cn", "zhang@example.cn"]
    message = mail.outbox[0]
    assert message.subject == f"《杭州人大信息》{published.name}"
    html = message.alternatives[0].content
    assert "<script>" not in html and "&lt;script&gt;" in html and "监督 &amp; 代表" in html
    assert HOSTILE in message.body  # the plain-text part is text, not HTML
    assert re.search(r'href="http://[^"]+/articles/\d+/"', html)
    assert message.attachments[0].filename == published.pdf_filename
    assert message.attachments[0].content.startswith(b"%PDF")
    subscriber = Subscriber.objects.get(email=message.to[0])
    assert subscriber.token in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/subscribe/unsubscribe/{subscriber.token}/" in message.body and subscriber.token in html
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE and mailing.pdf_attached
    assert set(Delivery.objects.filter(mailing=mailing).values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_pdf_over_the_size_limit_is_linked_not_attached(published, settings):
    settings.DISTRIBUTION_ATTACH_MAX_MB = 0
    published.refresh_from_db()
    published.store_pdf()
    run_all(Mailing.objects.get(issue=published))
    message = mail.outbox[0]
    assert message.attachments == []
    assert f"/issues/{published.year}/{published.kind}/{published.number}/pdf/" in message.body


def test_mails_go_out_in_batches_and_the_task_books_its_next_step(published, settings):
    settings.DISTRIBUTION_BATCH_SIZE = 1
    settings.DISTRIBUTION_PDF_MAX_WAITS = 0  # no PDF: the mail links it
    mailing = Mailing.objects.get(issue=published)
    before = DBTaskResult.objects.filter(task_path=send_mailing.module_path).count()
    assert send_mailing.call(mailing.pk).startswith("next step")
    assert len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(task_path=send_mailing.module_path).count() == before + 1
    assert send_mailing.call(mailing.pk) == "done"
    assert len(mail.outbox) == 2
    assert send_mailing.call(mailing.pk) == "done" and len(mail.outbox) == 2  # a stray step sends nothing again


def test_a_refused_address_is_retried_later_then_reported_on_the_desk_without_holding_back_others(
    published, settings, client, editor
):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.RefusingBackend"}}
    settings.DISTRIBUTION_PDF_MAX_WAITS = 0
    settings.DISTRIBUTION_MAX_ATTEMPTS = 3
    settings.DISTRIBUTION_RETRY_DELAY_SECONDS = 60
    mail_backends.REFUSED.add("li@example.cn")
    try:
        mailing = Mailing.objects.get(issue=published)
        now = timezone.now()
        next_run = services.run_mailing(mailing.pk, now=now)
        assert [m.to[0] for m in mail.outbox] == ["zhang@example.cn"]
        failing = Delivery.objects.get(mailing=mailing, email="li@example.cn")
        assert failing.status == Delivery.Status.PENDING and failing.attempts == 1
        assert next_run == now + datetime.timedelta(seconds=60)
        assert services.run_mailing(mailing.pk, now=now + datetime.timedelta(seconds=30)) == next_run  # not yet
        finished = run_all(mailing, now=next_run)
        assert finished == now + datetime.timedelta(seconds=60 + 120)  # the n-th retry waits n × the delay
    finally:
        mail_backends.REFUSED.clear()
    failing.refresh_from_db()
    assert failing.status == Delivery.Status.FAILED and failing.attempts == 3
    assert "SMTPRecipientsRefused" in failing.last_error
    assert len(mail.outbox) == 1
    client.force_login(editor)
    page = client.get("/admin/").content.decode()
    assert "li@example.cn" in page and "多次发送失败" in page


def test_a_reader_subscribes_with_double_opt_in_and_unsubscribes_in_one_click(client, db):
    response = client.post("/subscribe/", {"email": "Reader@Example.cn", "name": "王五"})
    assert response.status_code == 200 and "确认邮件" in response.content.decode()
    subscriber = Subscriber.objects.get(email="reader@example.cn")
    assert subscriber.status == Subscriber.Status.PENDING and subscriber.source == Subscriber.Source.SELF
    assert deliver_confirmations() == 1  # mailed by the worker, not from the request
    link = re.search(r"http://\S+/subscribe/confirm/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1]
    assert "确认订阅</button>" in client.get(path).content.decode()  # a link scanner's GET confirms nothing
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    assert "订阅成功" in client.post(path).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE and subscriber.confirmed_at
    assert "订阅成功" in client.get(path).content.decode()
    # Asking again sends nothing new and says the same thing.
    client.post("/subscribe/", {"email": "reader@example.cn"})
    deliver_confirmations()
    assert len(mail.outbox) == 1
    # The link in a mail shows a button (a link scanner unsubscribes nobody); a mail client's one-click POST,
    # without any CSRF token, unsubscribes.
    url = f"/subscribe/unsubscribe/{subscriber.token}/"
    assert "确认退订" in client.get(url).content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.ACTIVE
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_a_bad_address_gets_a_chinese_message_and_unknown_tokens_404(client, db):
    response = client.post("/subscribe/", {"email": "not-an-address"})
    assert "请输入有效的电子邮箱地址" in response.content.decode() and not Subscriber.objects.exists()
    assert client.get("/subscribe/confirm/nope/").status_code == 404
    assert client.post("/subscribe/unsubscribe/nope/").status_code == 404


def test_the_footer_offers_the_mail_subscription_and_names_the_feed_for_readers(client, db):
    page = client.get("/").content.decode()
    assert 'href="/subscribe/">邮件订阅' in page and "RSS 订阅" in page and "Atom" not in page.split("<body")[1]


def test_the_editor_imports_subscribers_from_an_excel_csv(client, editor):
    Subscriber.objects.create(email="gone@example.cn", status=Subscriber.Status.UNSUBSCRIBED)
    csv_text = "姓名,邮箱,分组\n张三,zhang@example.cn,市人大常委会组成人员\n李四,bad-address,各区县人大常委会\n"
    csv_text += "赵六,GONE@example.cn,各区县人大常委会\n"
    client.force_login(editor)
    form = client.get("/admin/distribution/subscriber/import/").content.decode()
    assert '<a href="/admin/distribution/subscriber/">订阅者</a>' in form and "<li aria-current" in form
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("list.csv", csv_text.encode("gb18030"), content_type="text/csv")
    response = client.post("/admin/distribution/subscriber/import/", {"file": upload}, follow=True)
    page = response.content.decode()
    assert "新增 1 人，更新 1 人" in page and "第 3 行" in page
    zhang = Subscriber.objects.get(email="zhang@example.cn")
    assert zhang.name == "张三" and zhang.group.name == "市人大常委会组成人员"
    assert zhang.status == Subscriber.Status.ACTIVE and zhang.source == Subscriber.Source.EDITOR
    gone = Subscriber.objects.get(email="gone@example.cn")
    assert gone.status == Subscriber.Status.UNSUBSCRIBED and gone.name == "赵六"  # the reader's wish is kept


def test_issues_never_import_the_distribution():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        str(path)
        for app in ("issues", "reports")
        for path in (root / app).rglob("*.py")
        if re.search(r"^\s*(from|import) distribution", path.read_text(), re.M)
    ]
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_mail_each_address_once(draft_issue, editor, settings):
    import threading

    from django.db import connections

    settings.DISTRIBUTION_PDF_MAX_WAITS = 0
    settings.DISTRIBUTION_BATCH_SIZE = 3
    for n in range(12):
        Subscriber.objects.create(email=f"reader{n}@example.cn")
    desk.publish(draft_issue, by=editor)
    mailing = Mailing.objects.get(issue=draft_issue)
    barrier, errors = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            for _ in range(20):
                if services.run_mailing(mailing.pk) is None:
                    break
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"reader{n}@example.cn" for n in range(12))
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 12


def test_a_step_that_fails_books_the_next_one_and_the_mailing_recovers(published, settings, monkeypatch):
    settings.DISTRIBUTION_PDF_MAX_WAITS = 0
    settings.DISTRIBUTION_RETRY_DELAY_SECONDS = 60
    mailing = Mailing.objects.get(issue=published)
    real_send_batch = services._send_batch

    def blip(*args, **kwargs):
        raise RuntimeError("database gone for a moment")

    monkeypatch.setattr(services, "_send_batch", blip)
    steps = DBTaskResult.objects.filter(task_path=send_mailing.module_path, args_kwargs__args=[mailing.pk])
    before = steps.count()
    with pytest.raises(RuntimeError):
        send_mailing.call(mailing.pk)
    assert steps.count() == before + 1  # the failure did not end the mailing: a step is booked
    booked = steps.order_by("-enqueued_at").first().run_after
    assert booked > timezone.now() + datetime.timedelta(seconds=30)
    monkeypatch.setattr(services, "_send_batch", real_send_batch)
    later = timezone.now() + datetime.timedelta(seconds=services.CLAIM_SECONDS + 1)
    run_all(mailing, now=later)  # the failed step's claim expired: its addresses are sent
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.cn", "zhang@example.cn"]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE


def test_a_mailing_left_without_a_step_is_queued_again_once(published, settings, client, editor):
    from django.tasks import TaskResultStatus

    mailing = Mailing.objects.get(issue=published)
    steps = DBTaskResult.objects.filter(task_path=send_mailing.module_path, args_kwargs__args=[mailing.pk])
    assert services.resume_stalled_mailings() == []  # its first step waits: nothing to do
    # The worker died in the middle of a step: the step stays 'running' and books nothing.
    steps.update(status=TaskResultStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(editor)
    client.get("/admin/")  # the desk lists the mailing under way, and puts it back in the queue
    assert steps.filter(status=TaskResultStatus.READY).count() == 1
    assert services.resume_stalled_mailings() == []
    steps.filter(status=TaskResultStatus.READY).delete()
    assert services.resume_stalled_mailings() == [mailing.pk]
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.DONE)
    steps.delete()
    assert services.resume_stalled_mailings() == []


def test_a_reader_who_unsubscribes_before_a_retry_is_not_mailed_again(published, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.RefusingBackend"}}
    settings.DISTRIBUTION_PDF_MAX_WAITS = 0
    mail_backends.REFUSED.add("li@example.cn")
    mailing = Mailing.objects.get(issue=published)
    try:
        next_run = services.run_mailing(mailing.pk)
    finally:
        mail_backends.REFUSED.clear()
    services.unsubscribe(Subscriber.objects.get(email="li@example.cn").token)
    run_all(mailing, now=next_run)
    assert [m.to[0] for m in mail.outbox] == ["zhang@example.cn"]
    left = Delivery.objects.get(mailing=mailing, email="li@example.cn")
    assert left.status == Delivery.Status.SKIPPED and left.attempts == 1
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_subscribe_answers_twice_and_mails_once(monkeypatch):
    import threading

    from tests.test_portal_races import in_thread

    both_checked = threading.Barrier(2)
    real_save = Subscriber.save

    def save_when_both_checked(self, *args, **kwargs):
        if self.pk is None:  # each request found no subscriber with that address before either inserts
            both_checked.wait(10)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Subscriber, "save", save_when_both_checked)
    from django.test import Client

    data = {"email": "reader@example.cn", "name": "王五"}
    runs = [in_thread(Client().post, "/subscribe/", data) for _ in range(2)]
    for thread, _ in runs:
        thread.join(30)
    results = [result for _, result in runs]
    assert [r.get("error") for r in results] == [None, None]
    assert [r["value"].status_code for r in results] == [200, 200]
    assert all("确认邮件" in r["value"].content.decode() for r in results)
    assert Subscriber.objects.filter(email="reader@example.cn").count() == 1
    assert deliver_confirmations() == 1
    assert len(mail.outbox) == 1


def test_the_confirmation_mail_goes_from_the_worker_and_a_failure_is_recorded_and_retried(client, editor, settings):
    """The reader's request waits on no mail server: the mail is a task; a refused mail is recorded on the
    subscriber, booked again later, and sent when the server takes it."""
    from django.tasks import TaskResultStatus

    from distribution.tasks import send_confirmation

    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.RefusingBackend"}}
    settings.DISTRIBUTION_MAX_ATTEMPTS = 2
    mail_backends.REFUSED.add("reader@example.cn")
    try:
        response = client.post("/subscribe/", {"email": "reader@example.cn", "name": "王五"})
        assert response.status_code == 200 and "确认邮件" in response.content.decode()
        assert mail.outbox == []  # nothing sent in the request
        subscriber = Subscriber.objects.get(email="reader@example.cn")
        assert subscriber.confirm_mail == Subscriber.ConfirmMail.PENDING

        queued = DBTaskResult.objects.filter(task_path=send_confirmation.module_path, status=TaskResultStatus.READY)
        first = queued.get()
        first.delete()
        started = timezone.now()
        assert "next attempt" in send_confirmation.call(subscriber.pk)
        subscriber.refresh_from_db()
        assert subscriber.confirm_mail == Subscriber.ConfirmMail.FAILED and subscriber.confirm_mail_attempts == 1
        assert "SMTPRecipientsRefused" in subscriber.confirm_mail_error
        retry = queued.get()
        assert retry.run_after >= started + datetime.timedelta(seconds=settings.DISTRIBUTION_RETRY_DELAY_SECONDS)
        retry.delete()

        assert send_confirmation.call(subscriber.pk) == "done"  # the last attempt fails too: nothing more booked
        subscriber.refresh_from_db()
        assert subscriber.confirm_mail_attempts == 2 and not queued.exists()

        # The editor sends it again from the list, once the server takes the address.
        mail_backends.REFUSED.clear()
        client.force_login(editor)
        response = client.post(
            "/admin/distribution/subscriber/",
            {"action": "resend_confirmation", "_selected_action": [subscriber.pk]},
            follow=True,
        )
        assert "已为 1 位待确认的读者重新安排发送确认邮件" in response.content.decode()
        assert deliver_confirmations() == 1
        subscriber.refresh_from_db()
        assert subscriber.confirm_mail == Subscriber.ConfirmMail.SENT and subscriber.confirm_mail_error == ""
        assert [m.to for m in mail.outbox] == [["reader@example.cn"]]
        assert f"/subscribe/confirm/{subscriber.token}/" in mail.outbox[0].body
        assert send_confirmation.call(subscriber.pk) == "done" and len(mail.outbox) == 1  # a stray task: no resend
    finally:
        mail_backends.REFUSED.clear()


@pytest.mark.django_db
def test_a_subscription_nobody_confirms_is_removed_after_the_confirmation_days(settings):
    settings.DISTRIBUTION_CONFIRM_DAYS = 7
    old = timezone.now() - datetime.timedelta(days=8)
    forgotten = Subscriber.objects.create(email="a@example.com", source=Subscriber.Source.SELF, status="pending")
    recent = Subscriber.objects.create(email="b@example.com", source=Subscriber.Source.SELF, status="pending")
    asked_again = Subscriber.objects.create(
        email="c@example.com", source=Subscriber.Source.SELF, status="pending", confirmed_at=old
    )
    kept_by_editor = Subscriber.objects.create(email="d@example.com", source=Subscriber.Source.EDITOR, status="pending")
    Subscriber.objects.filter(pk__in=[forgotten.pk, asked_again.pk, kept_by_editor.pk]).update(created_at=old)
    services.subscribe("new@example.com")  # any new subscription (or mailing) clears the stale ones
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "b@example.com",
        "c@example.com",
        "d@example.com",
        "new@example.com",
    }
    assert recent.pk and services.drop_unconfirmed() == 0
