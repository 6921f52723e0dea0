import hashlib
import logging
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.mail import send_mail
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reports import uploads
from reports.sanitize import RichTextField, body_has_content
from reports.text import titled

logger = logging.getLogger(__name__)


class District(models.TextChoices):
    """The 13 districts of Hangzhou in their customary order, and the city level."""

    CITY = "city", "市级"
    SHANGCHENG = "shangcheng", "上城区"
    GONGSHU = "gongshu", "拱墅区"
    XIHU = "xihu", "西湖区"
    BINJIANG = "binjiang", "滨江区"
    XIAOSHAN = "xiaoshan", "萧山区"
    YUHANG = "yuhang", "余杭区"
    LINPING = "linping", "临平区"
    QIANTANG = "qiantang", "钱塘区"
    FUYANG = "fuyang", "富阳区"
    LINAN = "linan", "临安区"
    TONGLU = "tonglu", "桐庐县"
    CHUNAN = "chunan", "淳安县"
    JIANDE = "jiande", "建德市"

    @classmethod
    def for_unit_name(cls, name: str) -> "District":
        """The district a unit belongs to, read from the start of its printed name."""
        name = name.removeprefix("杭州市")
        for district in cls:
            if district is not cls.CITY and name.startswith(district.label):
                return district
        return cls.CITY

    @property
    def position(self) -> int:
        return list(District).index(self)


class ContributorQuerySet(models.QuerySet):
    def close_to(self, name: str, n: int = 5) -> list[str]:
        """Names of units that look like `name` (a typo, a short form), closest first: only those of the district
        `name` starts with (or of the city level) if any of them look like it."""
        import difflib

        name = name.strip()
        district = District.for_unit_name(name)
        scored = []
        for other, other_district in self.values_list("name", "district"):
            ratio = difflib.SequenceMatcher(None, name, other).ratio()
            if ratio >= 0.6 or (name and (name in other or other in name)):
                scored.append((other_district != district, -ratio, other))
        scored.sort()
        if scored and not scored[0][0]:
            scored = [item for item in scored if not item[0]]
        return [other for _, _, other in scored[:n]]

    def get_or_create_by_name(self, name: str) -> "Contributor":
        """The unit printed as `name`, created in the district its name starts with if it is new."""
        name = name.strip()
        unit = self.filter(name=name).first()
        if unit is None:
            district = District.for_unit_name(name)
            unit = self.create(
                name=name,
                district=district,
                short_name=Contributor.short_name_for(name, district),
                position=district.position * 100 + 50,
            )
        return unit


class Contributor(models.Model):
    """A unit that sends reports (报送单位): a district committee, one of its offices, or a city committee."""

    name = models.CharField(
        "单位名称", max_length=100, unique=True, help_text="与刊物署名一致，如“上城区人大常委会办公室”"
    )
    short_name = models.CharField("简称", max_length=40, blank=True)
    district = models.CharField("所属区县", max_length=20, choices=District.choices, default=District.CITY)
    position = models.PositiveIntegerField("排序", default=0, help_text="数字小的排在前面")
    is_active = models.BooleanField("在用", default=True)
    email = models.EmailField("通知邮箱", blank=True, help_text="报送状态变化时发送通知")
    # The unit's own review chain (审核签发) before a report reaches the 研究室; both off: the clerk submits directly.
    review_required = models.BooleanField("须经审核", default=False, help_text="信息员起草后，由本单位审核人审核")
    sign_off_required = models.BooleanField("须经签发", default=False, help_text="由本单位签发人签发后，才报送研究室")

    objects = ContributorQuerySet.as_manager()

    class Meta:
        verbose_name = "报送单位"
        verbose_name_plural = "报送单位"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def is_in_print(self) -> bool:
        """Whether a published issue carries this unit's name in an attribution."""
        return self.pieces.filter(issue__status="published").exists()

    @staticmethod
    def short_name_for(name: str, district: District) -> str:
        """`上城区人大常委会办公室` → `上城区办公室`; `滨江区人大常委会` → `滨江区`; city units keep their name."""
        if district is District.CITY:
            return name.removeprefix("杭州市人大常委会").removeprefix("市人大常委会") or name
        rest = name.removeprefix("杭州市").removeprefix(district.label)
        return district.label + rest.removeprefix("人大常委会")


#: The 保密 declaration a unit makes when a report leaves it; it covers the attachments too.
SECRECY_DECLARATION = "本信息不涉及国家秘密、工作秘密和敏感信息"


class TransitionError(Exception):
    """A status change the workflow does not allow; the message says why, in Chinese, for the user."""


class EmptyBody(TransitionError):
    """A report leaving its drafter (to review, sign-off or the 研究室) with nothing in its body."""

    def __init__(self, to):
        verb = {"in_review": "送审核", "in_sign_off": "送签发"}.get(to, "报送")
        super().__init__(f"{verb}前请填写正文。")


class ContentMoved(TransitionError):
    """The report's text or attachments changed after the user loaded the page they acted on."""

    def __init__(self):
        super().__init__(
            "这篇信息的内容在您打开页面后已有修改（可能经退回后重新送来），本次操作未执行。请查看最新内容后再决定。"
        )


class StatusMoved(TransitionError):
    """The report's status changed after the user loaded the page they acted on."""

    def __init__(self, current, seen):
        super().__init__(
            f"这篇信息的状态已由“{seen.label}”变为“{current.label}”（可能有人刚刚处理过），本次操作未执行。"
            "请查看最新状态后再决定。"
        )


class Report(models.Model):
    """A report (信息) sent by a unit, from draft to its decision and, perhaps, to print."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        IN_REVIEW = "in_review", "待审核"
        IN_SIGN_OFF = "in_sign_off", "待签发"
        UNIT_RETURNED = "unit_returned", "单位内退回"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "退回修改"
        ACCEPTED = "accepted", "已采用"
        DECLINED = "declined", "未采用"
        PUBLISHED = "published", "已刊用"

    # Who may make each move: the unit (submitter) or the 研究室 (editor). Publishing moves accepted → published.
    SUBMITTER_MOVES = {(Status.DRAFT, Status.SUBMITTED), (Status.RETURNED, Status.SUBMITTED)}
    EDITOR_MOVES = {
        (Status.SUBMITTED, Status.ACCEPTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.SUBMITTED, Status.DECLINED),
        (Status.ACCEPTED, Status.RETURNED),
        (Status.ACCEPTED, Status.DECLINED),
        (Status.ACCEPTED, Status.PUBLISHED),
    }
    # The unit's review chain (reports/chain.py decides which of these a unit's configuration allows, and who).
    UNIT_MOVES = {
        (Status.DRAFT, Status.IN_REVIEW),
        (Status.DRAFT, Status.IN_SIGN_OFF),
        (Status.RETURNED, Status.IN_REVIEW),
        (Status.RETURNED, Status.IN_SIGN_OFF),
        (Status.UNIT_RETURNED, Status.IN_REVIEW),
        (Status.UNIT_RETURNED, Status.IN_SIGN_OFF),
        (Status.UNIT_RETURNED, Status.SUBMITTED),
        (Status.IN_REVIEW, Status.IN_SIGN_OFF),
        (Status.IN_REVIEW, Status.SUBMITTED),
        (Status.IN_REVIEW, Status.UNIT_RETURNED),
        (Status.IN_SIGN_OFF, Status.SUBMITTED),
        (Status.IN_SIGN_OFF, Status.UNIT_RETURNED),
    }
    #: Still inside the unit: private to it, as a draft is.
    UNIT_SIDE = {Status.DRAFT, Status.IN_REVIEW, Status.IN_SIGN_OFF, Status.UNIT_RETURNED}
    NEEDS_COMMENT = {Status.RETURNED, Status.DECLINED, Status.UNIT_RETURNED}
    #: The unit may change the report: its draft, or one returned (by the 研究室 or inside the unit).
    EDITABLE = {Status.DRAFT, Status.RETURNED, Status.UNIT_RETURNED}
    #: Not (yet) made into an article or a brief.
    UNPLACED = models.Q(printed_piece__isnull=True)

    unit = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="reports", verbose_name="报送单位")
    title = models.CharField("标题", max_length=200)
    body = RichTextField("正文", blank=True, help_text="HTML，保存时已清洗")
    authors = models.CharField("作者", max_length=200, blank=True, help_text="多位作者以空格分隔")
    phone = models.CharField("联系电话", max_length=50, blank=True)
    suggested_section = models.ForeignKey(
        "issues.Section", on_delete=models.SET_NULL, null=True, blank=True, verbose_name="建议栏目"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("首次报送时间", null=True, blank=True)
    #: The one-time token of the form that created the report: sending that form again creates nothing.
    creation_token = models.UUIDField("创建令牌", null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords(excluded_fields=["creation_token"])

    class Meta:
        verbose_name = "报送信息"
        verbose_name_plural = "报送信息"
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def piece(self):
        """The article or brief made from this report, if any (select_related("printed_piece") avoids a query)."""
        try:
            return self.printed_piece
        except models.ObjectDoesNotExist:
            return None

    @property
    def used_in(self) -> tuple | None:
        """(issue, section name) of the published piece made from this report, or None."""
        piece = self.piece
        if piece is None or not piece.issue.is_published:
            return None
        if piece.is_article:
            return piece.issue, piece.section.name if piece.section else ""
        return piece.issue, "信息摘登"

    @property
    def is_editable(self) -> bool:
        """The unit may change a draft or a returned report; a submitted one is frozen until returned."""
        return self.status in self.EDITABLE

    def lock_for_text_edit(self) -> None:
        """Lock the row (inside a transaction) and refuse the editor's edit of the text for print unless the report
        is still accepted and not yet placed: a return, a decline or a placement made since the page was opened is
        not overwritten by the copy that page loaded."""
        status = Report.objects.select_for_update().values_list("status", flat=True).get(pk=self.pk)
        if status != self.Status.ACCEPTED:
            raise TransitionError(f"这篇信息已改为“{self.Status(status).label}”，本次修改未保存。")
        if Report.objects.filter(pk=self.pk).exclude(self.UNPLACED).exists():
            raise TransitionError("这篇信息已编入刊期，请在刊期中修改稿件；本次修改未保存。")

    @property
    def can_be_deleted(self) -> bool:
        """Only a draft that was never submitted; nothing submitted is ever deleted."""
        return self.status == self.Status.DRAFT and self.submitted_at is None

    def content_signature(self) -> str:
        """A digest of what a reviewer reads and vouches for: title, body, authors and the attached files."""
        files = self.attachments.order_by("pk").values_list("pk", flat=True) if self.pk else []
        parts = [self.title, self.body, self.authors, *map(str, files)]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]

    #: What `transition` reads under the row lock: the status it moves from and the text a submission keeps.
    LOCKED_FIELDS = ("status", "submitted_at", "title", "body", "authors")

    def transition(
        self,
        to: str,
        *,
        by,
        comment: str = "",
        as_editor: bool | None = None,
        expected: str | None = None,
        expected_content: str | None = None,
        secrecy_declared: bool = False,
    ) -> "ReportEvent":
        """Move to status `to`, record who did it and why, and keep the text as sent on each submission.

        `as_editor` says which side acts; by default it is read from the user's profile. `expected` is the status
        the user saw when deciding: if the report has moved since, the move is refused rather than applied to a
        report the user has not seen; `expected_content` (a `content_signature`) does the same for its text and
        files. Submitting to the 研究室 needs `secrecy_declared` (the person moving it makes SECRECY_DECLARATION)
        and the unit's review chain. Raises TransitionError for a move the workflow does not allow. Status and text
        are re-read under a row lock, so that two people acting at once cannot both move the report, and the version
        kept is the text stored when it moved, not this instance's copy (another window may have saved since).
        """
        with transaction.atomic():
            row = Report.objects.select_for_update().values(*self.LOCKED_FIELDS).get(pk=self.pk)
            for name, value in row.items():
                setattr(self, name, value)
            if expected is not None and self.status != expected:
                raise StatusMoved(self.Status(self.status), self.Status(expected))
            if expected_content is not None and self.content_signature() != expected_content:
                raise ContentMoved()
            return self._transition(
                self.Status(to), by=by, comment=comment, as_editor=as_editor, secrecy_declared=secrecy_declared
            )

    def _transition(
        self, to: "Report.Status", *, by, comment: str, as_editor: bool | None, secrecy_declared: bool = False
    ) -> "ReportEvent":
        from reports import chain

        current = self.Status(self.status)
        if as_editor is None:
            as_editor = is_editor(by)
        allowed = self.EDITOR_MOVES if as_editor else self.SUBMITTER_MOVES | self.UNIT_MOVES
        if (current, to) not in allowed:
            raise TransitionError(f"不能把“{current.label}”状态的信息改为“{to.label}”。")
        if not as_editor:
            chain.check_move(self, current, to, by=by, secrecy_declared=secrecy_declared)
        if current in chain.STARTS and not body_has_content(self.body):
            raise EmptyBody(to)
        if to in self.NEEDS_COMMENT and not comment.strip():
            raise TransitionError(f"{to.label}时请填写理由。")
        if to in self.NEEDS_COMMENT and (piece := self.piece) is not None:
            raise TransitionError(f"这篇信息已编入 {piece.issue}，请先从该期移出再退回或不予采用。")
        now = timezone.now()
        self.status = to
        if to == self.Status.SUBMITTED:
            self.submitted_at = self.submitted_at or now
        self.save(update_fields=["status", "submitted_at", "updated_at"])  # not a stale copy's other columns
        if to == self.Status.SUBMITTED:
            ReportVersion.objects.create(
                report=self,
                number=self.versions.count() + 1,
                title=self.title,
                body=self.body,
                authors=self.authors,
                created_by=by,
            )
        event = self.events.create(
            from_status=current,
            to_status=to,
            actor=by,
            comment=comment.strip(),
            at=now,
            declaration=SECRECY_DECLARATION if to == self.Status.SUBMITTED and not as_editor else "",
        )
        if not as_editor:
            chain.notify_waiting(self, event)
        if as_editor:
            message = f"{titled(self.title)}{event.describe()}"
            piece = self.piece if to == self.Status.PUBLISHED and not comment.strip() else None
            if piece is not None and piece.issue.number is not None:
                message += f"（{piece.issue.name}）"
            Notification.notify(self, event=event, message=message)
        return event


class ReportVersion(models.Model):
    """The text as the unit sent it, once per submission; kept whatever the editor later changes."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions", verbose_name="报送信息")
    number = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    authors = models.CharField("作者", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, verbose_name="报送人")
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送版本"
        verbose_name_plural = "报送版本"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number")]

    def __str__(self):
        return f"{self.report} · 第 {self.number} 版"


class ReportEvent(models.Model):
    """One step of a report's timeline: a status change with who, when and the comment given."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name="报送信息")
    from_status = models.CharField("原状态", max_length=20, choices=Report.Status.choices)
    to_status = models.CharField("新状态", max_length=20, choices=Report.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, verbose_name="操作人")
    comment = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间")
    declaration = models.CharField(
        "保密声明", max_length=100, blank=True, help_text="报送研究室时，操作人所作的保密声明（含附件）"
    )

    class Meta:
        verbose_name = "状态记录"
        verbose_name_plural = "状态记录"
        ordering = ["report", "at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @property
    def step_label(self) -> str:
        """The step as the unit's timeline names it: `送审核`, `审核通过，送签发`, `签发，报送研究室`, `重新报送`."""
        S = Report.Status
        labels = {
            (S.IN_REVIEW, S.IN_SIGN_OFF): "审核通过，送签发",
            (S.IN_REVIEW, S.SUBMITTED): "审核通过，报送研究室",
            (S.IN_SIGN_OFF, S.SUBMITTED): "签发，报送研究室",
            (S.RETURNED, S.SUBMITTED): "重新报送",
        }
        by_target = {S.IN_REVIEW: "送审核", S.IN_SIGN_OFF: "送签发", S.UNIT_RETURNED: "本单位退回修改"}
        return labels.get((self.from_status, self.to_status)) or by_target.get(
            self.to_status, self.get_to_status_display()
        )

    def describe(self) -> str:
        """What happened, as told to the unit: `已被退回修改：请补充数据`."""
        verbs = {
            Report.Status.SUBMITTED: "已报送",
            Report.Status.IN_REVIEW: "已送审核",
            Report.Status.IN_SIGN_OFF: "已送签发",
            Report.Status.UNIT_RETURNED: "已被本单位退回修改",
            Report.Status.ACCEPTED: "已被采用",
            Report.Status.RETURNED: "已被退回修改",
            Report.Status.DECLINED: "未被采用",
            Report.Status.PUBLISHED: "已刊用",
        }
        text = verbs.get(self.to_status, f"状态改为“{self.get_to_status_display()}”")
        return f"{text}：{self.comment}" if self.comment else text


class Profile(models.Model):
    """What a user does in the system, and for submitters the unit they send reports for."""

    class Role(models.TextChoices):
        SUBMITTER = "submitter", "报送员"
        EDITOR = "editor", "编辑"
        APPROVER = "approver", "签发人"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.SUBMITTER)
    unit = models.ForeignKey(
        Contributor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所属单位",
    )

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="submitter") | models.Q(unit__isnull=False),
                name="profile_submitter_has_unit",
                violation_error_message="报送员必须属于一个报送单位。",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        """A person's roles in a unit's review chain go with the unit: moved to another unit, or out of all, they
        no longer review or sign off its reports (UnitRole.clean lets only members take them)."""
        super().save(*args, **kwargs)
        elsewhere = UnitRole.objects.filter(user_id=self.user_id).exclude(unit_id=self.unit_id)
        self.removed_roles = [str(role) for role in elsewhere.select_related("user", "unit")]  # for the caller to say
        elsewhere.delete()

    @property
    def is_editor(self) -> bool:
        return self.role in {self.Role.EDITOR, self.Role.APPROVER}


def display_name(user) -> str:
    """How pages, records and messages name a person: the full name in Chinese order (姓名, no space), else the
    role; never the login name, which is an ASCII identifier nobody reads as a name. No user: 系统."""
    if user is None:
        return "系统"
    name = f"{user.last_name}{user.first_name}".strip()
    if name:
        return name
    try:
        return user.profile.get_role_display()
    except Profile.DoesNotExist:
        return "管理员" if user.is_superuser else "用户"


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, never under MEDIA_ROOT; read when used, so tests and deployments can move it."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    """Attachments live outside MEDIA_ROOT: they are only ever served through the portal's access checks."""
    return PrivateStorage()


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"reports/{attachment.report_id}/{filename}"


class Attachment(models.Model):
    """A file sent with a report (photo, Word or PDF), checked by content and stored under a random name."""

    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        WORD = "word", "Word 文档"
        PDF = "pdf", "PDF 文档"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments", verbose_name="报送信息")
    file = models.FileField("文件", upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=120)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["report", "uploaded_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty")]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("reports:attachment", args=[self.report_id, self.pk])

    @property
    def download_name(self) -> str:
        """The name it downloads under: the extension follows the checked content, also for files kept before."""
        return uploads.safe_name(self.original_name, uploads.BY_CONTENT_TYPE.get(self.content_type))

    @classmethod
    def store(cls, report: Report, upload, user) -> "Attachment":
        """Keep an upload that `uploads.check_upload` accepted (it sets `checked_kind`) as one of the report's
        files, under a random name in the private storage."""
        kind = upload.checked_kind
        attachment = cls(
            report=report,
            original_name=uploads.safe_name(upload.name, kind),
            kind={uploads.DOCX: cls.Kind.WORD, uploads.PDF: cls.Kind.PDF}.get(kind, cls.Kind.IMAGE),
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=user,
        )
        attachment.file.save(uploads.random_name(kind), upload, save=False)
        attachment.save()
        return attachment


class Comment(models.Model):
    """One message in the thread between the unit and the 研究室 about a report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments", verbose_name="报送信息")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="留言人")
    from_editor = models.BooleanField("编辑留言", default=False)
    body = models.TextField("内容", max_length=5000)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        ordering = ["report", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body=""), name="comment_not_empty", violation_error_message="请填写留言内容。"
            )
        ]

    def __str__(self):
        return self.body[:30]


class Notification(models.Model):
    """A message to a unit about one of its reports, shown in the portal and mailed where the unit has an address."""

    unit = models.ForeignKey(
        Contributor, on_delete=models.CASCADE, related_name="notifications", verbose_name="报送单位"
    )
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notifications", verbose_name="报送信息")
    event = models.ForeignKey(ReportEvent, on_delete=models.CASCADE, null=True, blank=True, verbose_name="状态记录")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_notifications",
        verbose_name="接收人",
        help_text="空：发给整个单位；否则只发给此人（如待其审核、签发）",
    )
    message = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "read_at"], name="notification_unit_unread")]

    def __str__(self):
        return self.message

    @classmethod
    def for_user(cls, user, unit):
        """What a member of `unit` reads: the unit's notifications and those addressed to this person."""
        return cls.objects.filter(unit=unit).filter(models.Q(recipient=None) | models.Q(recipient=user))

    @classmethod
    def notify(
        cls, report: Report, *, message: str, event: ReportEvent | None = None, recipient=None
    ) -> "Notification":
        """Tell the report's unit (or one person of it), in the site now and by e-mail once the transaction commits."""
        message = message[:500]
        notification = cls.objects.create(
            unit=report.unit, report=report, event=event, message=message, recipient=recipient
        )
        address = recipient.email if recipient is not None else report.unit.email
        if address:
            link = settings.PORTAL_BASE_URL.rstrip("/") + report.get_absolute_url()
            recipient_name = display_name(recipient) if recipient is not None else report.unit.name

            def mail():
                try:
                    send_mail(
                        f"【杭州人大信息】{message[:60]}",
                        f"{recipient_name}：\n\n{message}\n\n查看详情：{link}\n\n（本邮件由信息报送系统自动发送）",
                        None,
                        [address],
                    )
                except Exception:
                    logger.exception("Could not mail notification %s to %s", notification.pk, address)

            transaction.on_commit(mail)
        return notification


class UnitRole(models.Model):
    """A role a person holds in their unit's own review chain; one person may hold both."""

    class Role(models.TextChoices):
        REVIEWER = "reviewer", "审核人"
        UNIT_APPROVER = "unit_approver", "签发人（本单位）"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_roles", verbose_name="用户"
    )
    unit = models.ForeignKey(Contributor, on_delete=models.CASCADE, related_name="roles", verbose_name="报送单位")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "单位内角色"
        verbose_name_plural = "单位内角色"
        ordering = ["unit", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unit_role_unique")]

    def __str__(self):
        return f"{display_name(self.user)} · {self.unit} · {self.get_role_display()}"

    def clean(self):
        """A role in a unit's chain belongs to a member of that unit (whose profile is in it)."""
        if self.user_id is None or self.unit_id is None:  # a missing field, reported as such
            return
        if not Profile.objects.filter(user_id=self.user_id, unit_id=self.unit_id).exists():
            who = f"{display_name(self.user)}（{self.user.username}）"
            # Not keyed to a field: on a user's page the user is the inline's hidden key, and its error would not show.
            raise ValidationError(
                f"{who}不是“{self.unit}”的成员，不能担任该单位的{self.get_role_display()}。"
                "如刚修改了所属单位，请先保存，再添加角色。"
            )


def is_editor(user) -> bool:
    """Editors and approvers of the 研究室 (and superusers): the desk, every unit's reports, the editor's moves."""
    profile = getattr(user, "profile", None)
    return user.is_active and user.is_staff and (user.is_superuser or (profile is not None and profile.is_editor))


# --- Wording dictionary (错敏字): checked by reports/wording.py; edited in the admin, imported/exported as CSV. ---


class OfficialName(models.Model):
    """An institution's official name (机构名称) in its correct full form, with the wrong forms seen in reports."""

    name = models.CharField("规范全称", max_length=100, unique=True)
    wrong_forms = models.TextField("常见错误写法", blank=True, help_text="每行一个；出现时提示改为规范全称")
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "机构名称"
        verbose_name_plural = "用词检查：机构名称"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def wrong_form_list(self) -> list[str]:
        return [line.strip() for line in self.wrong_forms.splitlines() if line.strip()]


class Leader(models.Model):
    """A leader's title (职务) over a period of office; one row per title held. Checked at the text's date."""

    name = models.CharField("姓名", max_length=20, db_index=True)
    title = models.CharField("职务", max_length=60, help_text="如“市人大常委会主任”")
    start_date = models.DateField("任职起")
    end_date = models.DateField("任职止", null=True, blank=True, help_text="空：现任")
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "领导职务"
        verbose_name_plural = "用词检查：领导职务"
        ordering = ["name", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["name", "title", "start_date"], name="leader_unique_title_period"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="leader_period_in_order",
                violation_error_message="任职止不能早于任职起。",
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.title}"

    def holds_on(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class WordingRule(models.Model):
    """A wrong or sensitive phrase (错敏用语) and what to write instead (nothing: delete or rephrase)."""

    class Kind(models.TextChoices):
        WRONG = "wrong", "错误写法"
        SENSITIVE = "sensitive", "敏感用语"

    phrase = models.CharField("用语", max_length=100, unique=True)
    correction = models.CharField("正确写法", max_length=100, blank=True, help_text="敏感用语可留空：删除或改写")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.WRONG)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "错敏用语"
        verbose_name_plural = "用词检查：错敏用语"
        ordering = ["phrase"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(phrase=""), name="wording_rule_not_empty", violation_error_message="请填写用语。"
            )
        ]

    def __str__(self):
        return self.phrase
