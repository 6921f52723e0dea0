"""The information network's inflow: 约稿 calls and their answers, quotas, and 催报 reminders.

The network depends on `reports` and `issues`, never the other way. A report answers a call through `Answer`
(one per report); whether it was sent, accepted, printed or late is read from the report itself.
"""

import datetime
import decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from reports.models import Contributor, District, Profile, Report, private_storage
from reports.stats import PERIOD_KINDS, Period, local_midnight


def network_units():
    """The units of the network: every active unit except the 研究室 itself (a unit with editors as members)."""
    editors = Profile.objects.filter(role__in=[Profile.Role.EDITOR, Profile.Role.APPROVER]).values("unit")
    return Contributor.objects.filter(is_active=True).exclude(pk__in=editors.filter(unit__isnull=False))


def current_period(kind: str, today: datetime.date) -> Period:
    index = {"month": today.month, "quarter": (today.month - 1) // 3 + 1, "year": 1}[kind]
    return Period(kind, today.year, index)


class CallQuerySet(models.QuerySet):
    def issued(self):
        return self.exclude(status=Call.Status.DRAFT)

    def open(self):
        return self.filter(status=Call.Status.OPEN)

    def addressed_to(self, unit: Contributor):
        """Calls whose audience takes in `unit`: all units, its district, or the unit by name."""
        return self.filter(
            Q(audience=Call.Audience.ALL)
            | Q(pk__in=CallDistrict.objects.filter(district=unit.district).values("call"))
            | Q(pk__in=Call.target_units.through.objects.filter(contributor=unit).values("call"))
        )


def call_document_path(call: "Call", filename: str) -> str:
    return f"network/calls/{filename}"


class Call(models.Model):
    """A call for reports (约稿 / 征稿): a topic, its guidance (报送要点), a deadline and the units asked."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿（未发出）"
        OPEN = "open", "征集中"
        CLOSED = "closed", "已结束"

    class Audience(models.TextChoices):
        ALL = "all", "全部报送单位"
        SELECTED = "selected", "指定区县或单位"

    class QuotaScope(models.TextChoices):
        UNIT = "unit", "每个单位"
        DISTRICT = "district", "每个区县"

    topic = models.CharField("约稿主题", max_length=200)
    guidance = models.TextField("报送要点", blank=True, help_text="写作方向、内容要求、字数等")
    deadline = models.DateField("截止日期", help_text="当天 24 时前报送为按时，之后报送记为迟报")
    closes_at = models.DateTimeField("截止时刻", editable=False, help_text="截止日期次日零时（北京时间）")
    section = models.ForeignKey(
        "issues.Section", on_delete=models.PROTECT, null=True, blank=True, verbose_name="拟用栏目"
    )
    audience = models.CharField("约稿对象", max_length=10, choices=Audience.choices, default=Audience.ALL)
    target_units = models.ManyToManyField(
        Contributor, blank=True, related_name="calls", verbose_name="指定单位", help_text="约稿对象为指定时使用"
    )
    quota_count = models.PositiveSmallIntegerField(
        "数量要求", null=True, blank=True, help_text="可选，如“每个区县至少 1 篇”填 1"
    )
    quota_scope = models.CharField("数量要求按", max_length=10, choices=QuotaScope.choices, default=QuotaScope.DISTRICT)
    remind_days_before = models.PositiveSmallIntegerField(
        "提前催报天数", default=2, help_text="截止前几天起每天提醒尚未报送的单位；0 表示不自动催报"
    )
    document = models.FileField(
        "报送要点文件", upload_to=call_document_path, storage=private_storage, max_length=200, blank=True
    )
    document_name = models.CharField("文件名", max_length=120, blank=True)
    document_type = models.CharField("文件类型", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    issued_at = models.DateTimeField("发出时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = "约稿"
        verbose_name_plural = "约稿"
        ordering = ["-deadline", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quota_count__isnull=True) | Q(quota_count__gt=0),
                name="call_quota_positive",
                violation_error_message="数量要求至少为 1，不要求时请留空。",
            ),
            models.CheckConstraint(
                condition=Q(remind_days_before__lte=30),
                name="call_remind_within_a_month",
                violation_error_message="提前催报天数不能超过 30 天。",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(issued_at__isnull=False),
                name="call_issued_has_time",
            ),
        ]

    def __str__(self):
        return self.topic

    def save(self, *args, **kwargs):
        self.closes_at = local_midnight(self.deadline + datetime.timedelta(days=1))
        if (fields := kwargs.get("update_fields")) is not None and "deadline" in fields:
            kwargs["update_fields"] = {*fields, "closes_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("network:call", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_past_deadline(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def district_codes(self) -> list[str]:
        return [d.district for d in self.districts.all()]

    def audience_label(self) -> str:
        if self.audience == self.Audience.ALL:
            return self.Audience.ALL.label
        parts = [District(code).label for code in sorted(self.district_codes(), key=lambda c: District(c).position)]
        parts += [unit.short_name or unit.name for unit in self.target_units.all()]
        return "、".join(parts) or "（未指定）"

    def quota_label(self) -> str:
        if not self.quota_count:
            return ""
        return f"{self.get_quota_scope_display()}至少 {self.quota_count} 篇"

    def addressed_units(self):
        """The units asked: for "all", every network unit; otherwise the chosen districts' units and named units."""
        units = network_units()
        if self.audience == self.Audience.ALL:
            return units
        return units.filter(Q(district__in=self.districts.values("district")) | Q(pk__in=self.target_units.all()))

    def is_addressed_to(self, unit: Contributor) -> bool:
        return Call.objects.filter(pk=self.pk).addressed_to(unit).exists()


class CallDistrict(models.Model):
    """A district a call is addressed to: every unit of it, including units added later."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="districts", verbose_name="约稿")
    district = models.CharField("区县", max_length=20, choices=District.choices)

    class Meta:
        verbose_name = "约稿区县"
        verbose_name_plural = "约稿区县"
        constraints = [models.UniqueConstraint(fields=["call", "district"], name="call_district_unique")]

    def __str__(self):
        return self.get_district_display()


class AnswerQuerySet(models.QuerySet):
    def sent(self):
        """Answers whose report has been submitted (a draft answers nothing yet)."""
        return self.filter(report__submitted_at__isnull=False)

    def on_time(self):
        return self.sent().filter(report__submitted_at__lt=F("call__closes_at"))

    def late(self):
        return self.sent().filter(report__submitted_at__gte=F("call__closes_at"))

    def accepted(self):
        return self.filter(report__status__in=[Report.Status.ACCEPTED, Report.Status.PUBLISHED])

    def used(self):
        return self.filter(report__status=Report.Status.PUBLISHED)


class Answer(models.Model):
    """A report written for a call. A report answers at most one call; its unit must be one the call asks."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="answers", verbose_name="约稿")
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="call_answer", verbose_name="报送信息")
    created_at = models.DateTimeField("关联时间", auto_now_add=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = "约稿响应"
        verbose_name_plural = "约稿响应"
        ordering = ["call", "created_at", "id"]

    def __str__(self):
        return f"{self.report} → {self.call}"

    @property
    def sent_at(self) -> datetime.datetime | None:
        return self.report.submitted_at

    @property
    def is_late(self) -> bool:
        return self.report.submitted_at is not None and self.report.submitted_at >= self.call.closes_at


class Quota(models.Model):
    """A target number of reports per period: for every unit, for one unit, or for a district's units together.

    A unit's own quota replaces the every-unit one of the same period kind; a district's is counted over all its
    units. Counted: reports first submitted within the period (as in 信息采用情况).
    """

    class Scope(models.TextChoices):
        EVERY_UNIT = "every_unit", "每个单位"
        UNIT = "unit", "指定单位"
        DISTRICT = "district", "区县合计"

    period = models.CharField("周期", max_length=10, choices=list(PERIOD_KINDS.items()))
    scope = models.CharField("适用范围", max_length=12, choices=Scope.choices, default=Scope.EVERY_UNIT)
    unit = models.ForeignKey(
        Contributor, on_delete=models.CASCADE, null=True, blank=True, related_name="quotas", verbose_name="单位"
    )
    district = models.CharField("区县", max_length=20, choices=District.choices, blank=True)
    target = models.PositiveSmallIntegerField("目标篇数")
    remind_day = models.PositiveSmallIntegerField(
        "催报日", default=20, help_text="本期第几天起提醒未完成的单位（月度填 20 即每月 20 日），每期一次"
    )
    is_active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "报送任务"
        verbose_name_plural = "报送任务"
        ordering = ["period", "scope", "district", "unit"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="every_unit", unit__isnull=True, district=""))
                | Q(scope="unit", unit__isnull=False, district="")
                | (Q(scope="district", unit__isnull=True) & ~Q(district="")),
                name="quota_scope_consistent",
                violation_error_message="“指定单位”须选单位，“区县合计”须选区县，“每个单位”两者都不选。",
            ),
            models.CheckConstraint(
                condition=Q(target__gt=0), name="quota_target_positive", violation_error_message="目标篇数至少为 1。"
            ),
            models.CheckConstraint(
                condition=Q(remind_day__gte=1, remind_day__lte=365),
                name="quota_remind_day_range",
                violation_error_message="催报日应在 1 到 365 之间。",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(scope="every_unit", is_active=True),
                name="quota_one_every_unit_per_period",
                violation_error_message="该周期已有“每个单位”的报送任务。",
            ),
            models.UniqueConstraint(
                fields=["period", "unit"],
                condition=Q(scope="unit", is_active=True),
                name="quota_one_per_unit_and_period",
                violation_error_message="该单位在这个周期已有报送任务。",
            ),
            models.UniqueConstraint(
                fields=["period", "district"],
                condition=Q(scope="district", is_active=True),
                name="quota_one_per_district_and_period",
                violation_error_message="该区县在这个周期已有报送任务。",
            ),
        ]

    def __str__(self):
        return f"{self.get_period_display()} · {self.whom()} · {self.target} 篇"

    def whom(self) -> str:
        if self.scope == self.Scope.UNIT and self.unit_id:
            return self.unit.name
        if self.scope == self.Scope.DISTRICT:
            return f"{self.get_district_display()}（合计）"
        return "每个单位"

    def remind_from(self, period: Period) -> datetime.date:
        """The day of `period` from which units below this quota are reminded (the period's last day at most)."""
        last = period.end - datetime.timedelta(days=1)
        return min(period.start + datetime.timedelta(days=self.remind_day - 1), last)


class ReminderQuerySet(models.QuerySet):
    def chasers(self):
        """The 催报 proper (asking the unit to send or to answer): every reason but a 通报's notice."""
        return self.exclude(reason=Reminder.Reason.CIRCULAR)

    def circular_notices(self):
        """The notices of a 通报 published (shown with the circulars, not among the 催报)."""
        return self.filter(reason=Reminder.Reason.CIRCULAR)


class Reminder(models.Model):
    """A message of the network to a unit: a 催报 reminder, or the notice of a 通报 published (reason `circular`).
    Shown in its portal (催报 under 催报, a 通报's notice under 通报), mailed where it has an address, kept as the log.

    The constraint, not only a check, makes sure no unit is reminded twice for the same reason on the same day.
    """

    class Reason(models.TextChoices):
        ZERO_SUBMISSION = "zero_submission", "零报送提醒"
        BELOW_QUOTA = "below_quota", "未完成报送任务提醒"
        CALL_DEADLINE = "call_deadline", "约稿截止提醒"
        MANUAL = "manual", "编辑催报"
        INSTRUCTION_FEEDBACK = "instruction_feedback", "批示落实反馈提醒"
        CIRCULAR = "circular", "通报发布"

    class Mail(models.TextChoices):
        NONE = "none", "无邮箱"
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    unit = models.ForeignKey(Contributor, on_delete=models.CASCADE, related_name="reminders", verbose_name="单位")
    reason = models.CharField("原因", max_length=20, choices=Reason.choices)
    reason_key = models.CharField("原因标识", max_length=100, help_text="如 call:12、quota:3:2026-12")
    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, null=True, blank=True, related_name="reminders", verbose_name="约稿"
    )
    quota = models.ForeignKey(
        Quota, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders", verbose_name="报送任务"
    )
    message = models.CharField("内容", max_length=500)
    day = models.DateField("日期")
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name="发送人",
        help_text="空表示系统自动发送",
    )
    email = models.CharField("邮件地址", max_length=254, blank=True)
    mail_status = models.CharField("邮件", max_length=10, choices=Mail.choices, default=Mail.NONE)
    mail_error = models.CharField("邮件错误", max_length=300, blank=True)
    mail_claimed_at = models.DateTimeField("邮件开始发送", null=True, blank=True, editable=False)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = "催报记录"
        verbose_name_plural = "催报记录"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "reason_key", "day"],
                name="reminder_once_per_unit_reason_day",
                violation_error_message="今天已就同一事由提醒过该单位。",
            )
        ]
        indexes = [models.Index(fields=["unit", "read_at"], name="reminder_unit_unread")]

    def __str__(self):
        return f"{self.unit} · {self.get_reason_display()} · {self.day}"

    def get_absolute_url(self) -> str:
        """Where the unit reads what the message is about: the circular, or its 催报 list."""
        if (pk := self.circular_pk) is not None:
            return reverse("network:circular", args=[pk])
        return reverse("network:reminders")

    @property
    def circular_pk(self) -> int | None:
        """The circular a 通报's notice is about (its key is `circular:<id>`), else None."""
        kind, _, pk = self.reason_key.partition(":")
        return int(pk) if self.reason == self.Reason.CIRCULAR and kind == "circular" and pk.isdigit() else None

    @property
    def sender_label(self) -> str:
        return "系统自动" if self.sent_by_id is None else "研究室"


# --- 积分 scoring rules -------------------------------------------------------------------------------------------


class RuleSet(models.Model):
    """The scoring rules of one year. Events dated in that year are scored by it, so next year's rules never
    change last year's scores."""

    class Combine(models.TextChoices):
        SUM = "sum", "累加（同一篇信息的各项得分相加）"
        HIGHEST = "highest", "取最高（同一篇信息只计最高一项）"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    combine = models.CharField("计分方式", max_length=10, choices=Combine.choices, default=Combine.SUM)
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="ruleset_year_range",
                violation_error_message="年度应在 2000 到 2100 之间。",
            )
        ]

    def __str__(self):
        return f"{self.year}年积分规则"

    def points_by_event(self) -> dict[str, "decimal.Decimal"]:
        return {rule.event: rule.points for rule in self.rules.all()}


class Rule(models.Model):
    """Points for one kind of event (negative for a deduction). An event with no rule scores 0."""

    class Event(models.TextChoices):
        ARTICLE = "article", "刊用文章"
        BRIEF = "brief", "刊用摘登"
        SPECIAL = "special", "专刊刊用"
        CALL_ANSWERED = "call_answered", "响应约稿"
        INSTRUCTION_PROVINCE = "instruction_province", "省级领导批示"
        INSTRUCTION_CITY = "instruction_city", "市级领导批示"
        INSTRUCTION_DISTRICT = "instruction_district", "区级领导批示"
        CALL_LATE = "call_late", "约稿迟报"
        ZERO_MONTH = "zero_month", "月度零报送"

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name="积分规则")
    event = models.CharField("计分事项", max_length=30, choices=Event.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, help_text="扣分填负数")

    class Meta:
        verbose_name = "计分项"
        verbose_name_plural = "计分项"
        ordering = ["rule_set", "event"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "event"],
                name="rule_one_per_event",
                violation_error_message="同一年度的规则中每个计分事项只能出现一次。",
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.points:+g}"


# --- 领导批示 register ------------------------------------------------------------------------------------------


def instruction_file_path(instance, filename: str) -> str:
    return f"network/instructions/{filename}"


class Instruction(models.Model):
    """A leader's written instruction (领导批示) on a published piece, and whether its unit must report back."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        DISTRICT = "district", "区级"

    piece = models.ForeignKey(
        "issues.Piece", on_delete=models.PROTECT, related_name="instructions", verbose_name="刊用稿件"
    )
    leader = models.CharField("批示领导", max_length=100, help_text="如：省人大常委会副主任 某某")
    level = models.CharField("批示级别", max_length=10, choices=Level.choices)
    date = models.DateField("批示日期")
    text = models.TextField("批示内容")
    scan = models.FileField(
        "批示扫描件", upload_to=instruction_file_path, storage=private_storage, max_length=200, blank=True
    )
    scan_name = models.CharField("扫描件文件名", max_length=120, blank=True)
    scan_type = models.CharField("扫描件类型", max_length=100, blank=True)
    feedback_required = models.BooleanField("需落实反馈", default=False)
    feedback_due = models.DateField("反馈期限", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_required=False) | Q(feedback_due__isnull=False),
                name="instruction_feedback_has_due_date",
                violation_error_message="需要落实反馈时，请填写反馈期限。",
            )
        ]

    def __str__(self):
        return f"{self.get_level_display()}批示 · {self.leader} · {self.date}"

    def get_absolute_url(self) -> str:
        return reverse("network:instruction", args=[self.pk])

    @property
    def event(self) -> str:
        return f"instruction_{self.level}"

    @property
    def unit(self) -> Contributor:
        return self.piece.unit

    def feedback_or_none(self) -> "InstructionFeedback | None":
        try:
            return self.feedback
        except models.ObjectDoesNotExist:
            return None

    def is_feedback_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.feedback_required
            and self.feedback_due is not None
            and self.feedback_due < today
            and self.feedback_or_none() is None
        )

    def feedback_state(self, today: datetime.date | None = None) -> str:
        if not self.feedback_required:
            return "无需反馈"
        if self.feedback_or_none() is not None:
            return "已反馈"
        return "逾期未反馈" if self.is_feedback_overdue(today) else "待反馈"


class InstructionFeedback(models.Model):
    """The unit's report back (落实反馈) on an instruction: one per instruction, with an optional file."""

    instruction = models.OneToOneField(
        Instruction, on_delete=models.CASCADE, related_name="feedback", verbose_name="领导批示"
    )
    text = models.TextField("落实情况", max_length=10000)
    file = models.FileField(
        "附件", upload_to=instruction_file_path, storage=private_storage, max_length=200, blank=True
    )
    file_name = models.CharField("附件文件名", max_length=120, blank=True)
    file_type = models.CharField("附件类型", max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, verbose_name="反馈人"
    )
    submitted_at = models.DateTimeField("反馈时间", default=timezone.now)

    class Meta:
        verbose_name = "落实反馈"
        verbose_name_plural = "落实反馈"

    def __str__(self):
        return f"{self.instruction} 的落实反馈"


# --- 通报 circular -----------------------------------------------------------------------------------------------


class Circular(models.Model):
    """The periodic adoption circular (信息报送采用情况通报): drafted from the figures, then published to the units.

    While a draft its table is computed from the current facts; publishing freezes the table (`table`) so that
    the circular the units received never changes afterwards.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    period_kind = models.CharField("周期", max_length=10, choices=list(PERIOD_KINDS.items()))
    year = models.PositiveSmallIntegerField("年度")
    period_index = models.PositiveSmallIntegerField("月份或季度", default=1, help_text="月度填月份，季度填 1–4")
    title = models.CharField("标题", max_length=200)
    text = models.TextField("正文", help_text="表格前的说明文字，可修改")
    signed_by = models.CharField("落款", max_length=100, default="杭州市人大常委会研究室")
    date = models.DateField("成文日期", default=timezone.localdate)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    table = models.JSONField("发布时的表格", null=True, blank=True, editable=False)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "采用情况通报"
        verbose_name_plural = "采用情况通报"
        ordering = ["-year", "-period_index", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "year", "period_index"],
                name="circular_one_per_period",
                violation_error_message="该期间已有通报。",
            ),
            models.CheckConstraint(
                condition=Q(period_kind="year", period_index=1)
                | Q(period_kind="quarter", period_index__gte=1, period_index__lte=4)
                | Q(period_kind="month", period_index__gte=1, period_index__lte=12),
                name="circular_period_index_range",
                violation_error_message="月份应为 1–12，季度应为 1–4。",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(table__isnull=False) & Q(published_at__isnull=False)),
                name="circular_published_is_frozen",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("network:circular", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.year, self.period_index)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
