"""Sending a published issue to the distribution list, and keeping the list (CSV import, double opt-in).

The worker runs `run_mailing` in steps (distribution/tasks.py): it waits while the issue's PDF is still rendering,
then sends the due deliveries in batches of DISTRIBUTION_BATCH_SIZE. A failed address is retried after
DISTRIBUTION_RETRY_DELAY_SECONDS × attempts, up to DISTRIBUTION_MAX_ATTEMPTS, then marked failed (shown on the
desk); the other addresses go on meanwhile.
"""

import csv
import datetime
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from distribution.models import Delivery, Mailing, Subscriber, SubscriberGroup
from issues.models import Issue, prefetch_contents

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


# --- Mailing ------------------------------------------------------------------------------------------


def start_mailing(issue: Issue) -> Mailing:
    """Create the issue's mailing (once) and queue its first step after the current transaction commits."""
    from distribution.tasks import send_mailing

    drop_unconfirmed()
    mailing, created = Mailing.objects.get_or_create(issue=issue)
    if created:
        transaction.on_commit(lambda: send_mailing.enqueue(mailing.pk))
    return mailing


def _add_deliveries(mailing: Mailing) -> None:
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    Delivery.objects.bulk_create(
        [Delivery(mailing=mailing, subscriber=s, email=s.email) for s in subscribers], ignore_conflicts=True
    )


#: How long a claimed batch is reserved for the worker sending it; a worker that died meanwhile leaves the rest of
#: its batch to be sent after this (at least once, never twice while the first worker is alive).
CLAIM_SECONDS = 600


def run_mailing(mailing_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """One step of a mailing. Returns when the next step should run, or None when the mailing is done.

    The batch is claimed under the mailing's row lock, then mailed outside any transaction, each outcome saved
    as soon as it is known: a slow mail server holds no lock, and a crash loses no record of what was sent.
    """
    now = now or timezone.now()
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().select_related("issue").get(pk=mailing_id)
        if mailing.status == Mailing.Status.DONE:
            return None
        issue = mailing.issue
        if mailing.status == Mailing.Status.WAITING_PDF:
            if not issue.has_current_pdf and mailing.pdf_waits < settings.DISTRIBUTION_PDF_MAX_WAITS:
                mailing.pdf_waits += 1
                mailing.save(update_fields=["pdf_waits"])
                return now + datetime.timedelta(seconds=settings.DISTRIBUTION_PDF_WAIT_SECONDS)
            mailing.status = Mailing.Status.SENDING
            mailing.started_at = now
            mailing.save(update_fields=["status", "started_at"])
            _add_deliveries(mailing)
        # A reader who unsubscribed (or was removed) since the mailing began gets no mail, nor any retry.
        Delivery.objects.filter(mailing=mailing, status=Delivery.Status.PENDING).exclude(
            subscriber__status=Subscriber.Status.ACTIVE
        ).update(status=Delivery.Status.SKIPPED, next_attempt_at=None)
        batch = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(mailing=mailing, status=Delivery.Status.PENDING)
            .exclude(next_attempt_at__gt=now)
            .select_related("subscriber")
            .order_by("next_attempt_at", "pk")[: settings.DISTRIBUTION_BATCH_SIZE]
        )
        claimed_until = now + datetime.timedelta(seconds=CLAIM_SECONDS)
        Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(next_attempt_at=claimed_until)
    if batch:
        _send_batch(mailing, batch, now)
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        pending = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.PENDING)
        if not pending.exists():
            if mailing.status != Mailing.Status.DONE:
                mailing.status = Mailing.Status.DONE
                mailing.finished_at = now
                mailing.save(update_fields=["status", "finished_at"])
                logger.info("Mailing of %s done", mailing.issue_id)
            return None
        if pending.exclude(next_attempt_at__gt=now).exists():
            return now
        return pending.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()


def retry_after_failure(mailing_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When to run a mailing's step again after one failed: DISTRIBUTION_RETRY_DELAY_SECONDS on, or None if the
    mailing is done or gone. What the failed step had claimed waits for its claim to expire (CLAIM_SECONDS)."""
    if not Mailing.objects.filter(pk=mailing_id).exclude(status=Mailing.Status.DONE).exists():
        return None
    return (now or timezone.now()) + datetime.timedelta(seconds=settings.DISTRIBUTION_RETRY_DELAY_SECONDS)


def resume_stalled_mailings(now: datetime.datetime | None = None) -> list[int]:
    """Queue a step for every unfinished mailing that has none waiting (its worker died, or booking the next step
    failed); the ids of those queued. A step running for less than CLAIM_SECONDS counts as alive.

    Idempotent and safe to call at once from two places: the mailings' row locks serialise the callers.
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from distribution.tasks import send_mailing

    now = now or timezone.now()
    steps = DBTaskResult.objects.filter(task_path=send_mailing.module_path)
    alive = steps.filter(status=TaskResultStatus.READY) | steps.filter(
        status=TaskResultStatus.RUNNING, started_at__gt=now - datetime.timedelta(seconds=CLAIM_SECONDS)
    )
    resumed = []
    with transaction.atomic():
        unfinished = Mailing.objects.select_for_update().exclude(status=Mailing.Status.DONE).order_by("pk")
        for mailing_id in unfinished.values_list("pk", flat=True):
            if not alive.filter(args_kwargs__args=[mailing_id]).exists():
                send_mailing.enqueue(mailing_id)
                resumed.append(mailing_id)
    for mailing_id in resumed:
        logger.warning("Mailing %s had no step waiting (a worker died?): queued one", mailing_id)
    return resumed


def _send_batch(mailing: Mailing, batch: list[Delivery], now: datetime.datetime) -> None:
    issue = Issue.objects.get(pk=mailing.issue_id)
    prefetch_contents([issue], bodies=False)
    pdf = _pdf_attachment(issue)
    if mailing.pdf_attached is None:
        Mailing.objects.filter(pk=mailing.pk, pdf_attached=None).update(pdf_attached=pdf is not None)
    connection = mailers.default
    try:
        connection.open()
    except Exception as exc:  # the server is down: every address of the batch waits for the next attempt
        for delivery in batch:
            _record_failure(delivery, exc, now)
        return
    try:
        for delivery in batch:
            try:
                connection.send_messages([issue_message(issue, delivery, pdf)])
            except Exception as exc:
                _record_failure(delivery, exc, now)
            else:
                delivery.status = Delivery.Status.SENT
                delivery.attempts += 1
                delivery.sent_at = now
                delivery.last_error = ""
                delivery.next_attempt_at = None
                delivery.save(update_fields=["status", "attempts", "sent_at", "last_error", "next_attempt_at"])
                logger.info("Issue %s mailed to %s", issue, delivery.email)
    finally:
        connection.close()


def _record_failure(delivery: Delivery, exc: Exception, now: datetime.datetime) -> None:
    delivery.attempts += 1
    delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    if delivery.attempts >= settings.DISTRIBUTION_MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.warning("Issue mailing to %s failed for good: %s", delivery.email, delivery.last_error)
    else:
        delay = settings.DISTRIBUTION_RETRY_DELAY_SECONDS * delivery.attempts
        delivery.next_attempt_at = now + datetime.timedelta(seconds=delay)
        logger.warning("Issue mailing to %s failed (attempt %s): %s", delivery.email, delivery.attempts, exc)
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])


def _pdf_attachment(issue: Issue) -> bytes | None:
    """The stored PDF's bytes when it exists and is within the attachment limit; else None (the mail links it)."""
    if not issue.has_current_pdf:
        return None
    try:
        if issue.pdf.size > settings.DISTRIBUTION_ATTACH_MAX_MB * 1024 * 1024:
            return None
        with issue.pdf.open("rb") as f:
            return f.read()
    except OSError:
        return None


def issue_message(issue: Issue, delivery: Delivery, pdf: bytes | None) -> EmailMultiAlternatives:
    """The issue's mail: its 目录 with links (plain text and HTML, every title escaped), the PDF attached or
    linked, and the one-click unsubscribe link (List-Unsubscribe header and in the text)."""
    token = delivery.subscriber.token if delivery.subscriber else ""
    unsubscribe = absolute(reverse("distribution:unsubscribe", args=[token])) if token else ""
    context = {
        "issue": issue,
        "issue_url": absolute(issue.get_absolute_url()),
        "pdf_url": absolute(reverse("issues:issue_pdf", args=[issue.year, issue.kind, issue.number])),
        "pdf_attached": pdf is not None,
        "sections": [
            (section, [(a.title, absolute(a.get_absolute_url())) for a in articles])
            for section, articles in issue.sections_with_articles()
        ],
        "briefs": [(b, absolute(b.get_absolute_url())) for b in issue.briefs()],
        "unsubscribe_url": unsubscribe,
        "name": delivery.subscriber.name if delivery.subscriber else "",
    }
    headers = {}
    if unsubscribe:
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = EmailMultiAlternatives(
        subject=f"《杭州人大信息》{issue.name}",
        body=render_to_string("distribution/issue_mail.txt", context),
        to=[delivery.email],
        headers=headers,
    )
    message.attach_alternative(render_to_string("distribution/issue_mail.html", context), "text/html")
    if pdf is not None:
        message.attach(issue.pdf_filename, pdf, "application/pdf")
    return message


# --- The list -----------------------------------------------------------------------------------------


def subscribe(email: str, name: str = "") -> Subscriber | None:
    """A reader's own subscription: a pending entry, and its confirmation mail queued for the worker (double
    opt-in; `mail_confirmation`). The request waits on no mail server.

    An address already on the list (subscribed, or kept by the editor) gets nothing new; one that unsubscribed
    before may subscribe again. Returns the subscriber whose mail was queued, or None.
    """
    email = email.strip().lower()
    drop_unconfirmed()
    with transaction.atomic():
        subscriber = Subscriber.objects.order_by().select_for_update().filter(email=email).first()
        if subscriber is not None and subscriber.status == Subscriber.Status.ACTIVE:
            return None
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email, name=name.strip(), source=Subscriber.Source.SELF, status=Subscriber.Status.PENDING
                    )
            except IntegrityError:
                return None  # the same address at the same moment (a double click): the other request mails it
        elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
            subscriber.save(update_fields=["status"])
        if not cache.add(f"distribution:confirm-mail:{email}", 1, 600):
            return None  # one confirmation mail per address per ten minutes: the form cannot be used to flood one
        _queue_confirmation(subscriber.pk)
    return subscriber


def drop_unconfirmed() -> int:
    """Remove readers' own subscriptions left unconfirmed for DISTRIBUTION_CONFIRM_DAYS: an address nobody confirmed
    is not kept. (One that was confirmed once, unsubscribed and asked again stays, waiting as before.) Run on each
    new subscription and each mailing, so no schedule is needed; returns how many went."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.DISTRIBUTION_CONFIRM_DAYS)
    pending = Subscriber.objects.filter(source=Subscriber.Source.SELF, status=Subscriber.Status.PENDING)
    stale = pending.filter(confirmed_at__isnull=True, created_at__lt=cutoff)
    return stale.delete()[1].get(Subscriber._meta.label, 0)


def _queue_confirmation(subscriber_id: int) -> None:
    """Book a fresh confirmation mail (its attempts counted from zero), in the caller's transaction."""
    from distribution.tasks import send_confirmation

    Subscriber.objects.filter(pk=subscriber_id).update(
        confirm_mail=Subscriber.ConfirmMail.PENDING,
        confirm_mail_attempts=0,
        confirm_mail_error="",
        confirm_mail_claimed_at=None,
    )
    send_confirmation.enqueue(subscriber_id)


def resend_confirmations(subscribers) -> int:
    """The editor's 重新发送确认邮件: queue the mail again for those still waiting for confirmation; how many."""
    pending = list(subscribers.filter(status=Subscriber.Status.PENDING).values_list("pk", flat=True))
    with transaction.atomic():
        for pk in pending:
            _queue_confirmation(pk)
    return len(pending)


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    link = absolute(reverse("distribution:confirm", args=[subscriber.token]))
    return EmailMultiAlternatives(
        subject="请确认订阅《杭州人大信息》",
        body=render_to_string("distribution/confirm_mail.txt", {"link": link}),
        to=[subscriber.email],
    )


def mail_confirmation(subscriber_id: int, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Mail a reader's confirmation link, if this caller claims it; when to try again after a failure, or None.

    The claim is one conditional UPDATE (to `sending`, of a mail waiting, failed, or claimed by a sender that died
    CLAIM_SECONDS ago, for an address still to be confirmed): two workers never both mail it. A failure is recorded
    on the subscriber (`confirm_mail_error`) and retried after DISTRIBUTION_RETRY_DELAY_SECONDS × attempts, up to
    DISTRIBUTION_MAX_ATTEMPTS; after that the editor can send it again from the subscriber list.
    """
    now = now or timezone.now()
    Mail = Subscriber.ConfirmMail
    claimable = Q(confirm_mail__in=[Mail.PENDING, Mail.FAILED]) | Q(
        confirm_mail=Mail.SENDING, confirm_mail_claimed_at__lt=now - datetime.timedelta(seconds=CLAIM_SECONDS)
    )
    claimed = Subscriber.objects.filter(claimable, pk=subscriber_id, status=Subscriber.Status.PENDING).update(
        confirm_mail=Mail.SENDING, confirm_mail_claimed_at=now
    )
    if claimed != 1:
        return None
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    attempts = subscriber.confirm_mail_attempts + 1
    try:
        confirmation_message(subscriber).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        Subscriber.objects.filter(pk=subscriber_id).update(
            confirm_mail=Mail.FAILED, confirm_mail_attempts=attempts, confirm_mail_error=error
        )
        logger.warning("Confirmation mail to %s failed (attempt %s): %s", subscriber.email, attempts, error)
        if attempts >= settings.DISTRIBUTION_MAX_ATTEMPTS:
            return None
        return now + datetime.timedelta(seconds=settings.DISTRIBUTION_RETRY_DELAY_SECONDS * attempts)
    Subscriber.objects.filter(pk=subscriber_id).update(
        confirm_mail=Mail.SENT, confirm_mail_attempts=attempts, confirm_mail_error=""
    )
    logger.info("Confirmation mail sent to %s", subscriber.email)
    return None


def confirm(token: str) -> Subscriber | None:
    with transaction.atomic():
        subscriber = Subscriber.objects.order_by().select_for_update().filter(token=token).first()
        if subscriber is None:
            return None
        if subscriber.status == Subscriber.Status.PENDING:
            subscriber.status = Subscriber.Status.ACTIVE
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["status", "confirmed_at"])
    return subscriber


def unsubscribe(token: str) -> Subscriber | None:
    with transaction.atomic():
        subscriber = Subscriber.objects.order_by().select_for_update().filter(token=token).first()
        if subscriber is None:
            return None
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = timezone.now()
            subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


HEADER_NAMES = {"姓名": "name", "name": "name", "邮箱": "email", "电子邮箱": "email", "email": "email"}
HEADER_NAMES |= {"分组": "group", "group": "group"}


@transaction.atomic
def import_csv(text: str, *, default_group: SubscriberGroup | None = None) -> ImportResult:
    """Add or update editor-kept subscribers from CSV rows `姓名,邮箱,分组` (a header row is optional; a new group
    name creates the group). A bad row is reported by its line number and skipped; the others are imported.

    An address that unsubscribed itself stays unsubscribed (its wish is kept); its name and group are updated.
    """
    result = ImportResult()
    rows = list(csv.reader(io.StringIO(text)))
    columns = ["name", "email", "group"]
    if rows and any(cell.strip().lower() in HEADER_NAMES for cell in rows[0]):
        columns = [HEADER_NAMES.get(cell.strip().lower(), "") for cell in rows[0]]
        rows = [None, *rows[1:]]  # keep line numbers
    groups = {g.name: g for g in SubscriberGroup.objects.all()}
    for line, row in enumerate(rows, start=1):
        if row is None or not any(cell.strip() for cell in row):
            continue
        values = {column: cell.strip() for column, cell in zip(columns, row, strict=False) if column}
        email = values.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(f"第 {line} 行：邮箱“{email or '（空）'}”无效，已跳过。")
            continue
        group = default_group
        if group_name := values.get("group"):
            if group_name not in groups:
                groups[group_name] = SubscriberGroup.objects.create(name=group_name[:50])
            group = groups[group_name]
        subscriber = Subscriber.objects.order_by().select_for_update().filter(email=email).first()
        if subscriber is None:
            Subscriber.objects.create(email=email, name=values.get("name", "")[:50], group=group)
            result.added += 1
            continue
        subscriber.name = values.get("name", "")[:50] or subscriber.name
        subscriber.group = group or subscriber.group
        if subscriber.status == Subscriber.Status.PENDING:
            subscriber.status = Subscriber.Status.ACTIVE
        subscriber.save(update_fields=["name", "group", "status"])
        result.updated += 1
    return result
