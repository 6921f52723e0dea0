"""Operations of the network that span models: a call's completion, quota shortfalls, and sending reminders."""

import datetime
import io
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from network.models import (
    Answer,
    Call,
    Instruction,
    InstructionFeedback,
    Quota,
    Reminder,
    current_period,
    network_units,
)
from reports.models import Contributor, District, Report
from reports.stats import Period, submitted_in
from reports.text import titled

logger = logging.getLogger(__name__)


# --- answering a call -------------------------------------------------------------------------------------------


class AnswerError(Exception):
    """A report cannot answer that call; the message says why, in Chinese."""


def calls_open_to(unit: Contributor):
    return Call.objects.open().addressed_to(unit).order_by("deadline", "id")


def link_answer(report: Report, call: Call | None, *, check: bool = True) -> Answer | None:
    """Make `report` answer `call` (or no call). Only the call's own units, and only while the call is open —
    except that a report keeps the call it already answers (a returned report stays linked). `check=False` when
    the caller has just checked, as the report form does through its choices."""
    current = Answer.objects.filter(report=report).select_related("call").first()
    if call is None:
        if current is not None:
            current.delete()
        return None
    if current is not None and current.call_id == call.pk:
        return current
    if check and not call.is_open:
        raise AnswerError(f"约稿{titled(call.topic)}已结束征集。")
    if check and not call.is_addressed_to(report.unit):
        raise AnswerError(f"约稿{titled(call.topic)}不是发给{report.unit.name}的。")
    if current is not None:
        current.call = call
        current.save(update_fields=["call"])
        return current
    return Answer.objects.create(report=report, call=call)


# --- completion of a call ---------------------------------------------------------------------------------------


@dataclass
class CompletionRow:
    """One unit's answers to a call: reports sent, accepted, used (printed), and how many came after the deadline."""

    unit: Contributor
    addressed: bool = True
    reports: list[Report] = field(default_factory=list)
    late_ids: set[int] = field(default_factory=set)

    @property
    def sent(self) -> int:
        return len(self.reports)

    @property
    def accepted(self) -> int:
        return sum(r.status in (Report.Status.ACCEPTED, Report.Status.PUBLISHED) for r in self.reports)

    @property
    def used(self) -> int:
        return sum(r.status == Report.Status.PUBLISHED for r in self.reports)

    @property
    def late(self) -> int:
        return len(self.late_ids)

    @property
    def on_time(self) -> int:
        return self.sent - self.late

    @property
    def first_sent_at(self) -> datetime.datetime | None:
        return min((r.submitted_at for r in self.reports), default=None)

    @property
    def state(self) -> str:
        if not self.sent:
            return "未报送"
        return "迟报" if self.on_time == 0 else "已报送"


@dataclass
class DistrictCompletion:
    district: str
    sent: int = 0
    units: int = 0

    @property
    def label(self) -> str:
        return District(self.district).label


@dataclass
class Completion:
    call: Call
    rows: list[CompletionRow]
    districts: list[DistrictCompletion]

    @property
    def addressed(self) -> int:
        return sum(row.addressed for row in self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.addressed and row.sent)

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(row, name) for row in self.rows) for name in ("sent", "accepted", "used", "late")}

    @property
    def below_quota(self) -> list[str]:
        """Names of the units or districts short of the call's quota (none if it has none)."""
        quota = self.call.quota_count
        if not quota:
            return []
        if self.call.quota_scope == Call.QuotaScope.UNIT:
            return [row.unit.name for row in self.rows if row.addressed and row.sent < quota]
        return [d.label for d in self.districts if d.district != District.CITY and d.sent < quota]


def completion(call: Call) -> Completion:
    """The completion matrix of a call: every unit asked (answered or not) × reports sent, accepted, used, late.

    Two queries whatever the number of units and answers. A unit no longer asked that answered keeps its row.
    """
    rows = {unit.pk: CompletionRow(unit) for unit in call.addressed_units()}
    answers = call.answers.sent().select_related("report__unit").order_by("report__submitted_at", "id")
    for answer in answers:
        report = answer.report
        row = rows.setdefault(report.unit_id, CompletionRow(report.unit, addressed=False))
        row.reports.append(report)
        if report.submitted_at >= call.closes_at:
            row.late_ids.add(report.pk)
    ordered = sorted(rows.values(), key=lambda r: (not r.addressed, r.unit.position, r.unit.name))
    districts: dict[str, DistrictCompletion] = {}
    for row in ordered:
        if row.addressed:
            entry = districts.setdefault(row.unit.district, DistrictCompletion(row.unit.district))
            entry.units += 1
            entry.sent += row.sent
    return Completion(call, ordered, sorted(districts.values(), key=lambda d: District(d.district).position))


XLSX_HEADER = ["单位", "所属区县", "报送", "采用", "刊用", "迟报", "首次报送时间", "情况"]


def completion_xlsx(result: Completion) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    call = result.call
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "约稿完成情况"
    sheet.append([f"约稿完成情况：{call.topic}"])
    sheet.append([f"截止日期 {call.deadline:%Y-%m-%d}", f"约稿对象 {call.audience_label()}", call.quota_label()])
    sheet.append(XLSX_HEADER)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    late_fill = PatternFill("solid", fgColor="FFF2CC")
    for row in result.rows:
        first = timezone.localtime(row.first_sent_at).strftime("%Y-%m-%d %H:%M") if row.first_sent_at else ""
        name = row.unit.name if row.addressed else f"{row.unit.name}（非约稿对象）"
        sheet.append(
            [name, row.unit.get_district_display(), row.sent, row.accepted, row.used, row.late, first, row.state]
        )
        if row.late:
            for cell in sheet[sheet.max_row]:
                cell.fill = late_fill
    totals = result.totals
    sheet.append(["合计", "", totals["sent"], totals["accepted"], totals["used"], totals["late"], "", ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for cells in sheet.iter_rows():
        for cell in cells:
            if cell.data_type == "f":  # text typed as "=…" stays text: no formula runs from a topic or a name
                cell.data_type = "s"
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["G"].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- quotas -----------------------------------------------------------------------------------------------------


def submitted_counts(period: Period) -> dict[int, int]:
    """Reports first submitted within the period, per unit (the 报送 of 信息采用情况)."""
    rows = submitted_in(period).values("unit").annotate(n=Count("id"))
    return {row["unit"]: row["n"] for row in rows}


@dataclass
class Shortfall:
    """A quota not (yet) met this period: by one unit, or by a district's units together."""

    quota: Quota
    period: Period
    count: int
    units: list[Contributor]  # who is reminded
    counts: dict[int, int]  # each unit's own number of reports
    district: str = ""

    @property
    def is_zero(self) -> bool:
        return self.count == 0

    @property
    def name(self) -> str:
        return District(self.district).label if self.district else self.units[0].name

    def sort_key(self):
        return (not self.is_zero, self.count - self.quota.target, self.name)


def quota_shortfalls(today: datetime.date | None = None) -> list[Shortfall]:
    """Every active quota's shortfall in the period containing `today`, zero submitters (零报送) first."""
    today = today or timezone.localdate()
    quotas = list(Quota.objects.filter(is_active=True).select_related("unit"))
    if not quotas:
        return []
    units = list(network_units())
    shortfalls = []
    for kind in sorted({q.period for q in quotas}):
        period = current_period(kind, today)
        counts = submitted_counts(period)
        of_kind = [q for q in quotas if q.period == kind]
        every = next((q for q in of_kind if q.scope == Quota.Scope.EVERY_UNIT), None)
        own = {q.unit_id: q for q in of_kind if q.scope == Quota.Scope.UNIT}
        for unit in units:
            quota = own.get(unit.pk, every)
            if quota is not None and counts.get(unit.pk, 0) < quota.target:
                shortfalls.append(Shortfall(quota, period, counts.get(unit.pk, 0), [unit], counts))
        for quota in (q for q in of_kind if q.scope == Quota.Scope.DISTRICT):
            members = [unit for unit in units if unit.district == quota.district]
            total = sum(counts.get(unit.pk, 0) for unit in members)
            if members and total < quota.target:
                shortfalls.append(Shortfall(quota, period, total, members, counts, district=quota.district))
    return sorted(shortfalls, key=Shortfall.sort_key)


# --- reminders --------------------------------------------------------------------------------------------------

REASON_ORDER = [
    Reminder.Reason.ZERO_SUBMISSION,
    Reminder.Reason.BELOW_QUOTA,
    Reminder.Reason.CALL_DEADLINE,
    Reminder.Reason.INSTRUCTION_FEEDBACK,
]


@dataclass
class PlannedReminder:
    unit: Contributor
    reason: str
    reason_key: str
    message: str
    call: Call | None = None
    quota: Quota | None = None

    def line(self) -> str:
        """One line of `send_reminders` output: the unit, then the reason."""
        return f"{self.unit.name}\t{Reminder.Reason(self.reason).label}：{self.message}"


def _quota_message(shortfall: Shortfall, unit: Contributor) -> tuple[str, str]:
    own = shortfall.counts.get(unit.pk, 0)
    label, target = shortfall.period.label, shortfall.quota.target
    if shortfall.district:
        scope = (
            f"{label}{District(shortfall.district).label}合计报送任务为 {target} 篇，目前已报送 {shortfall.count} 篇"
        )
    else:
        scope = f"{label}贵单位报送任务为 {target} 篇，目前已报送 {own} 篇"
    if own == 0:
        return Reminder.Reason.ZERO_SUBMISSION, f"{scope}，贵单位本期尚未报送信息（零报送），请抓紧报送。"
    return Reminder.Reason.BELOW_QUOTA, f"{scope}，尚未完成，请抓紧报送。"


def _call_message(call: Call, today: datetime.date) -> str:
    when = "今天" if call.deadline == today else f"{call.deadline.month}月{call.deadline.day}日"
    return f"约稿{titled(call.topic)}{when}截止，贵单位尚未报送，请抓紧报送。"


def due_reminders(today: datetime.date | None = None) -> list[PlannedReminder]:
    """The reminders the daily run sends today, zero submitters first; none already sent for the same reason.

    Quotas: each unit below its quota is reminded once a period, on the quota's 催报日 or the first run after.
    Calls: each unit asked and not yet answered is reminded daily from `remind_days_before` days before the
    deadline until the deadline day. 领导批示: a unit whose 落实反馈 is overdue is reminded daily until it answers.
    """
    today = today or timezone.localdate()
    planned: list[PlannedReminder] = []
    for shortfall in quota_shortfalls(today):
        if today < shortfall.quota.remind_from(shortfall.period):
            continue
        key = f"quota:{shortfall.quota.pk}:{shortfall.period.slug}"
        for unit in shortfall.units:
            reason, message = _quota_message(shortfall, unit)
            planned.append(PlannedReminder(unit, reason, key, message, quota=shortfall.quota))
    quota_keys = {p.reason_key for p in planned}
    already = set(Reminder.objects.filter(reason_key__in=quota_keys).values_list("unit_id", "reason_key"))
    planned = [p for p in planned if (p.unit.pk, p.reason_key) not in already]

    calls = Call.objects.open().filter(
        remind_days_before__gt=0, deadline__gte=today, deadline__lte=today + datetime.timedelta(days=30)
    )
    for call in calls:
        if today < call.deadline - datetime.timedelta(days=call.remind_days_before):
            continue
        answered = set(call.answers.sent().values_list("report__unit", flat=True))
        for unit in call.addressed_units():
            if unit.pk not in answered:
                planned.append(
                    PlannedReminder(
                        unit, Reminder.Reason.CALL_DEADLINE, f"call:{call.pk}", _call_message(call, today), call=call
                    )
                )
    for instruction in overdue_instructions(today):
        planned.append(
            PlannedReminder(
                instruction.piece.unit,
                Reminder.Reason.INSTRUCTION_FEEDBACK,
                f"instruction:{instruction.pk}",
                _instruction_message(instruction),
            )
        )
    sent_today = set(Reminder.objects.filter(day=today).values_list("unit_id", "reason_key"))
    planned = [p for p in planned if (p.unit.pk, p.reason_key) not in sent_today]
    planned.sort(key=lambda p: REASON_ORDER.index(p.reason) if p.reason in REASON_ORDER else len(REASON_ORDER))
    return planned


def send(planned: PlannedReminder, *, today: datetime.date | None = None, by=None) -> Reminder | None:
    """Record and deliver one reminder; None if the unit already had one for the same reason today.

    The unique constraint decides, so two runs at once (two workers, cron and the worker) cannot both send it.
    The e-mail is queued for the worker in the same transaction (`mail_reminder`): it goes once the reminder is
    committed, and never from the request (an editor's 催报 or a 通报 to every unit waits on no mail server).
    """
    from network.tasks import mail_reminder

    today = today or timezone.localdate()
    address = planned.unit.email
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                unit=planned.unit,
                reason=planned.reason,
                reason_key=planned.reason_key,
                message=planned.message[:500],
                call=planned.call,
                quota=planned.quota,
                day=today,
                sent_by=by,
                email=address,
                mail_status=Reminder.Mail.PENDING if address else Reminder.Mail.NONE,
            )
            if address:
                mail_reminder.enqueue(reminder.pk)
    except IntegrityError:
        return None
    return reminder


#: A mail claimed longer ago than this without an outcome is taken as lost (its sender died) and may be sent again.
MAIL_CLAIM_SECONDS = 600


def mail(reminder_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Mail a reminder to its unit's address, if this caller claims it; whether it went out from this call.

    The claim is one conditional UPDATE (to `sending`, of a reminder waiting, failed, or claimed by a sender that
    died): of two senders at once (the worker's task and a retry run, two runs) one mails, the other does nothing.
    The outcome (sent, or the error) is stored on the reminder.
    """
    now = now or timezone.now()
    Mail = Reminder.Mail
    claimable = Q(mail_status__in=[Mail.PENDING, Mail.FAILED]) | Q(
        mail_status=Mail.SENDING, mail_claimed_at__lt=now - datetime.timedelta(seconds=MAIL_CLAIM_SECONDS)
    )
    claimed = Reminder.objects.filter(claimable, pk=reminder_id).update(mail_status=Mail.SENDING, mail_claimed_at=now)
    if claimed != 1:
        return False
    reminder = Reminder.objects.select_related("unit").get(pk=reminder_id)
    link = settings.PORTAL_BASE_URL.rstrip("/") + reminder.get_absolute_url()
    subject = " ".join(f"【杭州人大信息】{reminder.get_reason_display()}：{reminder.message}".split())[:80]
    where = "查看通报" if reminder.circular_pk is not None else "查看催报通知"
    body = (
        f"{reminder.unit.name}：\n\n{reminder.message}\n\n{where}：{link}\n\n"
        "（本邮件由信息报送系统自动发送，请勿直接回复）"
    )
    try:
        send_mail(subject, body, None, [reminder.email])
    except Exception as exc:
        logger.exception("Could not mail reminder %s to %s", reminder.pk, reminder.email)
        Reminder.objects.filter(pk=reminder.pk).update(mail_status=Mail.FAILED, mail_error=str(exc)[:300])
        return False
    Reminder.objects.filter(pk=reminder.pk).update(mail_status=Mail.SENT, mail_error="")
    return True


def retry_failed_mail(today: datetime.date, before: datetime.datetime) -> int:
    """Mail again the reminders of the last week, made before `before`, whose mail failed or never went (still
    waiting, or claimed by a sender that died); how many went through. Each is claimed first (`mail`)."""
    Mail = Reminder.Mail
    unsent = Reminder.objects.filter(
        mail_status__in=[Mail.FAILED, Mail.PENDING, Mail.SENDING],
        day__gte=today - datetime.timedelta(days=7),
        sent_at__lt=before,
    )
    return sum(mail(pk) for pk in unsent.values_list("pk", flat=True))


def run_reminders(today: datetime.date | None = None, *, dry_run: bool = False) -> list[PlannedReminder]:
    """The daily step (worker task and `send_reminders`): send what is due today; what was sent (or would be)."""
    today = today or timezone.localdate()
    started = timezone.now()
    planned = due_reminders(today)
    if dry_run:
        return planned
    sent = [p for p in planned if send(p, today=today) is not None]
    retry_failed_mail(today, before=started)  # earlier mails that failed or were lost; this run's are queued
    return sent


def remind_by_hand(units, *, by, call: Call | None = None, message: str = "", today=None) -> tuple[list, list]:
    """The editor's own 催报: to the given units, about a call or in general. (sent, skipped as already today)."""
    today = today or timezone.localdate()
    if call is not None:
        key, text = f"manual:call:{call.pk}", message or f"约稿{titled(call.topic)}，请抓紧报送。"
    else:
        key, text = "manual:general", message or "请按要求及时报送信息。"
    sent, skipped = [], []
    for unit in units:
        planned = PlannedReminder(unit, Reminder.Reason.MANUAL, key, text, call=call)
        (sent if send(planned, today=today, by=by) is not None else skipped).append(unit)
    return sent, skipped


def unanswered_units(call: Call) -> list[Contributor]:
    answered = set(call.answers.sent().values_list("report__unit", flat=True))
    return [unit for unit in call.addressed_units() if unit.pk not in answered]


# --- 领导批示 and their 落实反馈 ------------------------------------------------------------------------------


def overdue_instructions(today: datetime.date | None = None):
    """Instructions whose unit had to report back by a day now past and has not (oldest due first)."""
    today = today or timezone.localdate()
    return (
        Instruction.objects.filter(feedback_required=True, feedback_due__lt=today, feedback__isnull=True)
        .select_related("piece__unit", "piece__issue")
        .defer("piece__body", "piece__search_text")
        .order_by("feedback_due", "id")
    )


def _instruction_message(instruction: Instruction) -> str:
    due = instruction.feedback_due
    piece = instruction.piece
    title = piece.title or piece.lead or "信息摘登"
    return (
        f"{instruction.get_level_display()}领导{instruction.leader}对{piece.issue.name}《{title}》的批示，"
        f"落实反馈期限为{due.year}年{due.month}月{due.day}日，贵单位尚未反馈，请尽快报送落实情况。"
    )


class FeedbackError(Exception):
    """The feedback cannot be taken; the message says why, in Chinese."""


def give_feedback(instruction: Instruction, *, text: str, upload=None, by) -> InstructionFeedback:
    """Record the unit's 落实反馈: once per instruction (the one-to-one decides, even for two posts at once)."""
    from reports import uploads

    if not instruction.feedback_required:
        raise FeedbackError("该批示不需要落实反馈。")
    feedback = InstructionFeedback(instruction=instruction, text=text, submitted_by=by)
    stored = ""
    if upload is not None:
        kind = upload.checked_kind
        feedback.file.save(uploads.random_name(kind), upload, save=False)
        feedback.file_name, feedback.file_type = uploads.safe_name(upload.name, kind), kind.content_type
        stored = feedback.file.name
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        if stored:
            feedback.file.storage.delete(stored)
        raise FeedbackError("该批示已经反馈过了。") from None
    return feedback


# --- the schedule in the background worker ---------------------------------------------------------------------


def next_run_at(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next daily run: today at NETWORK_REMINDER_TIME (Asia/Shanghai) if still ahead, else tomorrow."""
    now = timezone.localtime(now or timezone.now())
    hour, minute = settings.NETWORK_REMINDER_TIME
    run = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return run if run > now else run + datetime.timedelta(days=1)


def scheduled_run():
    """When the worker will next send reminders, or None if no run is booked (shown on the desk)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from network.tasks import daily_reminders

    waiting = DBTaskResult.objects.filter(task_path=daily_reminders.module_path, status=TaskResultStatus.READY)
    return waiting.order_by("run_after").values_list("run_after", flat=True).first()


def ensure_scheduled(now: datetime.datetime | None = None):
    """Make sure exactly one daily reminder run waits in the worker's queue; returns its run time.

    Called when the worker's task finishes, after `migrate` and by the demo loader: idempotent, and serialised
    by an advisory lock on PostgreSQL so that two callers at once do not both enqueue one.
    """
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from network.tasks import daily_reminders

    path = daily_reminders.module_path
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [path])
        # A run still waiting counts even if overdue (the worker was down): it runs as soon as a worker is up.
        existing = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).order_by("run_after")
        existing = existing.first()
        if existing is not None:
            return existing.run_after
        run_after = next_run_at(now)
        daily_reminders.using(run_after=run_after).enqueue()
        return run_after
