from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import F, Max, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from issues.search import SearchIndex, SearchText, SegmentedTextField
from reports.models import Contributor, Report
from reports.sanitize import excerpt, plain_text

COLOPHON_FIELDS = ["send_to", "recipients", "responsible_editor", "phone", "submission_url"]


#: The columns search keeps on every piece: never needed to show one, so pages defer them and history skips them.
SEARCH_FIELDS = ("search_text", "search_vector")
# A report's pages join its printed piece only for where it appeared: the piece's text and index stay behind.
PIECE_TEXT_OF_REPORT = tuple(
    f"{piece}__{field}" for piece in ("article", "brief") for field in ("body", *SEARCH_FIELDS)
)


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Issue.Status.PUBLISHED)

    def drafts(self):
        """Draft issues, the one due first leading (where the desk places reports by default)."""
        return self.filter(status=Issue.Status.DRAFT).order_by("date", "id")


class Issue(models.Model):
    """One issue (期) of 《杭州人大信息》.

    A draft's numbers are a proposal; they are fixed, and must be unique, once the issue is published.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", "普刊"
        SPECIAL = "special", "专刊"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    year = models.PositiveSmallIntegerField("年份")
    number = models.PositiveIntegerField("期号", null=True, blank=True, help_text="当年第几期，普刊与专刊各自编号")
    total_number = models.PositiveIntegerField("总期号", null=True, blank=True, help_text="仅普刊，从不重新起算")
    date = models.DateField("出刊日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    send_to = models.CharField("送", max_length=200, blank=True, help_text="如“省人大常委会办公厅、研究室”")
    recipients = models.TextField("发送范围", blank=True, help_text="每行一项，按刊印顺序")
    responsible_editor = models.CharField("本期责任编辑", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=50, blank=True)
    submission_url = models.CharField("信息报送网址", max_length=200, blank=True)

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签发人",
    )
    approved_at = models.DateTimeField("签发时间", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # --- Stored PDF (issues/pdf.py, issues/tasks.py): one file per content version. ---
    class PdfStatus(models.TextChoices):
        NONE = "none", "未生成"
        PENDING = "pending", "排队中"
        RENDERING = "rendering", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "生成失败"

    content_version = models.PositiveIntegerField("内容版本", default=1, editable=False)
    pdf = models.FileField("PDF", upload_to="issues/pdf/", blank=True, editable=False)
    pdf_version = models.PositiveIntegerField("PDF 对应版本", null=True, blank=True, editable=False)
    pdf_status = models.CharField(
        "PDF 状态", max_length=10, choices=PdfStatus.choices, default=PdfStatus.NONE, editable=False
    )
    pdf_error = models.TextField("PDF 错误", blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField("PDF 生成时间", null=True, blank=True, editable=False)
    # --- end stored PDF ---

    #: Cached public pages are keyed on the published issues' state, kept here for a few seconds.
    PUBLISHED_STATE_CACHE_KEY = "issues:published-state"

    objects = IssueQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["pdf", "pdf_version", "pdf_status", "pdf_error", "pdf_rendered_at"])

    class Meta:
        verbose_name = "期"
        verbose_name_plural = "期"
        ordering = ["-date", "-year", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"],
                condition=Q(status="published"),
                name="issue_unique_published_number",
                violation_error_message="该年度已有同类别、同期号的已发布刊物。",
            ),
            models.UniqueConstraint(
                fields=["total_number"],
                condition=Q(status="published"),
                name="issue_unique_published_total_number",
                violation_error_message="该总期号已被使用。",
            ),
            models.CheckConstraint(
                condition=Q(kind="regular") | Q(total_number__isnull=True),
                name="issue_total_number_only_regular",
                violation_error_message="专刊没有总期号。",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(number__isnull=False) & (Q(kind="special") | Q(total_number__isnull=False))),
                name="issue_published_is_numbered",
                violation_error_message="已发布的刊物必须有期号（普刊还须有总期号）。",
            ),
        ]
        indexes = [models.Index(fields=["status", "year"], name="issue_status_year")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.PUBLISHED_STATE_CACHE_KEY)  # readers' cached pages follow any change at once

    def get_absolute_url(self) -> str:
        return reverse("issues:issue", args=[self.year, self.kind, self.number])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def name(self) -> str:
        """How the issue is named in lists and messages: `2024年第4期（总第692期）`, `2024年第9期（专刊）`."""
        if self.number is None:
            return f"{self.year}年{self.get_kind_display()}（未编号）"
        if self.kind == self.Kind.SPECIAL:
            return f"{self.year}年第{self.number}期（专刊）"
        total = f"（总第{self.total_number}期）" if self.total_number else ""
        return f"{self.year}年第{self.number}期{total}"

    @property
    def title(self) -> str:
        """The issue as a document is titled: the bulletin's name and the issue's (page title, PDF, feed)."""
        return f"杭州人大信息 {self.name}"

    @property
    def number_label(self) -> str:
        """The number line as printed: `第 4 期(总第 692 期)` or `2024年第9期`."""
        if self.number is None:
            return "（未编号）"
        if self.kind == self.Kind.SPECIAL:
            return f"{self.year}年第{self.number}期"
        if self.total_number is None:
            return f"第 {self.number} 期"
        return f"第 {self.number} 期(总第 {self.total_number} 期)"

    @property
    def kind_label(self) -> str:
        """The kind as printed under the masthead: `(普 刊)` or `(专刊)`."""
        return "(普 刊)" if self.kind == self.Kind.REGULAR else "(专刊)"

    @property
    def has_toc(self) -> bool:
        """A 目录 is printed unless the issue is a single piece, as a 专刊 usually is (uses prefetched pieces)."""
        return len(self.articles.all()) + len(self.briefs.all()) > 1

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    @classmethod
    def next_numbers(cls, kind: str, year: int, *, first_number=None, first_total=None) -> tuple[int, int | None]:
        """The numbers the next published issue of `kind` in `year` takes: the last published ones plus one.

        第 N 期 restarts at 1 each year. Only a kind with nothing published at all (a system started without its
        printed archive) takes the draft's own `first_*` numbers, else 1. Read inside the publishing lock.
        """
        published = cls.objects.published().filter(kind=kind)
        if not published.exists():
            number = first_number or 1
            return number, (None if kind == cls.Kind.SPECIAL else (first_total or 1))
        last_number = published.filter(year=year).aggregate(last=Max("number"))["last"]
        number = (last_number or 0) + 1
        if kind == cls.Kind.SPECIAL:
            return number, None
        return number, published.aggregate(last=Max("total_number"))["last"] + 1

    @classmethod
    def proposal(cls, kind: str, date) -> dict:
        """Initial values for a new issue: proposed numbers, and the colophon of the last issue."""
        number, total_number = cls.next_numbers(kind, date.year)
        last = cls.objects.order_by("-date", "-id").first()
        colophon = {name: getattr(last, name) for name in COLOPHON_FIELDS} if last else {}
        return {"kind": kind, "year": date.year, "date": date, "number": number, "total_number": total_number} | (
            colophon
        )

    @property
    def pdf_filename(self) -> str:
        """The download's name: `杭州人大信息2024年第4期.pdf`, `杭州人大信息（专刊）2024年第9期.pdf`."""
        kind = "（专刊）" if self.kind == self.Kind.SPECIAL else ""
        return f"杭州人大信息{kind}{self.year}年第{self.number}期.pdf"

    @property
    def has_current_pdf(self) -> bool:
        return bool(self.pdf) and self.pdf_version == self.content_version

    @property
    def pdf_state_label(self) -> str:
        """The stored PDF's state for the desk: its render status, or 待更新 when the file is of an older version."""
        if self.pdf_status == self.PdfStatus.DONE and not self.has_current_pdf:
            return "待更新"
        return self.get_pdf_status_display()

    def mark_changed(self):
        """Record that the content of the issue changed: a new version, whose PDF is rendered in the background."""
        self.content_version = F("content_version") + 1
        self.save(update_fields=["content_version", "updated_at"])
        self.refresh_from_db(fields=["content_version"])
        self.request_pdf()

    def request_pdf(self):
        """Queue a render of the current version's PDF once the surrounding transaction commits."""
        from issues.tasks import render_issue_pdf

        Issue.objects.filter(pk=self.pk).update(pdf_status=self.PdfStatus.PENDING)
        self.pdf_status = self.PdfStatus.PENDING
        issue_id, version = self.pk, self.content_version
        transaction.on_commit(lambda: render_issue_pdf.enqueue(issue_id, version))

    def store_pdf(self) -> bytes:
        """Render the current version's PDF and store it; on failure record why and keep the last good file."""
        from issues.pdf import render_issue_pdf

        version = self.content_version
        Issue.objects.filter(pk=self.pk).update(pdf_status=self.PdfStatus.RENDERING)
        try:
            data = render_issue_pdf(self)
        except Exception as exc:
            Issue.objects.filter(pk=self.pk).update(pdf_status=self.PdfStatus.FAILED, pdf_error=repr(exc)[:2000])
            self.pdf_status = self.PdfStatus.FAILED
            raise
        old_name = self.pdf.name
        self.pdf.save(f"{self.year}-{self.kind}-{self.number}-{self.pk}-v{version}.pdf", ContentFile(data), save=False)
        self.pdf_version = version
        self.pdf_status = self.PdfStatus.DONE
        self.pdf_error = ""
        self.pdf_rendered_at = timezone.now()
        Issue.objects.filter(pk=self.pk).update(
            pdf=self.pdf.name,
            pdf_version=version,
            pdf_status=self.pdf_status,
            pdf_error="",
            pdf_rendered_at=self.pdf_rendered_at,
        )
        if old_name and old_name != self.pdf.name:
            self.pdf.storage.delete(old_name)
        return data

    def sections_with_articles(self) -> list[tuple["Section | None", list["Article"]]]:
        """The issue's sections in 目录 order, each with its articles; a section's place is its first article's.

        Sections without articles in this issue are left out, as in print. Uses prefetched articles when present.
        """
        groups: dict[int | None, tuple[Section | None, list[Article]]] = {}
        for article in sorted(self.articles.all(), key=lambda a: a.position):
            key = article.section_id
            if key not in groups:
                groups[key] = (article.section, [])
            groups[key][1].append(article)
        return list(groups.values())


class Section(models.Model):
    """A column (栏目) of the bulletin. Reused across issues; a retired one stays on the issues that used it."""

    name = models.CharField("栏目名称", max_length=30, unique=True)
    position = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("在用", default=True, help_text="停用后不再用于新刊，旧刊保持不变")

    class Meta:
        verbose_name = "栏目"
        verbose_name_plural = "栏目"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Piece(models.Model):
    """What an article and a brief share: a body, the unit and authors it is signed by, its place, its source."""

    body = models.TextField("正文", help_text="HTML，经过清洗")
    unit = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="%(class)ss", verbose_name="单位")
    authors = models.CharField("作者", max_length=200, blank=True, help_text="多位作者以空格分隔")
    position = models.PositiveIntegerField("顺序", default=0)
    report = models.OneToOneField(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)s",
        verbose_name="来源报送",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # --- Search (issues/search.py): filled on save and bulk_create; generated vector. Exclude from history. ---
    search_text = SegmentedTextField("检索分词", blank=True, editable=False)
    search_vector = models.GeneratedField(
        expression=SearchText("search_text"), output_field=SearchVectorField(), db_persist=True, editable=False
    )
    # --- end search ---

    class Meta:
        abstract = True

    def search_document(self) -> str:
        """The text search finds this piece by: its title (articles) and the plain text of its body."""
        return " ".join(filter(None, [getattr(self, "title", ""), plain_text(self.body)]))

    @property
    def author_list(self) -> list[str]:
        return self.authors.split()

    @property
    def attribution(self) -> str:
        """`(上城区人大常委会办公室 蔡静 李兴军)` as printed after the piece."""
        return "(" + " ".join([self.unit.name, *self.author_list]) + ")"


class Article(Piece):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="articles", verbose_name="期")
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="articles", verbose_name="栏目"
    )
    title = models.CharField("标题", max_length=200)

    history = HistoricalRecords(excluded_fields=list(SEARCH_FIELDS))

    class Meta:
        verbose_name = "文章"
        verbose_name_plural = "文章"
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "position"],
                name="article_unique_position_in_issue",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]
        indexes = [SearchIndex(fields=["search_vector"], name="article_search")]  # search

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("issues:article", args=[self.pk])


class Brief(Piece):
    """A condensed item under 信息摘登: one paragraph, opening with the unit's name in bold."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="briefs", verbose_name="期")

    history = HistoricalRecords(excluded_fields=list(SEARCH_FIELDS))

    class Meta:
        verbose_name = "信息摘登"
        verbose_name_plural = "信息摘登"
        ordering = ["issue", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "position"],
                name="brief_unique_position_in_issue",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]
        indexes = [SearchIndex(fields=["search_vector"], name="brief_search")]  # search

    def __str__(self):
        return excerpt(self.body, 30)

    def get_absolute_url(self) -> str:
        return reverse("issues:brief", args=[self.pk])


def prefetch_contents(issues, *, bodies: bool = True):
    """Load the articles (with section and unit) and briefs (with unit) of `issues` in two queries."""
    skipped = SEARCH_FIELDS if bodies else (*SEARCH_FIELDS, "body")
    prefetch_related_objects(
        list(issues),
        Prefetch("articles", queryset=Article.objects.select_related("section", "unit").defer(*skipped)),
        Prefetch("briefs", queryset=Brief.objects.select_related("unit").defer(*skipped)),
    )


class IssueSequence(models.Model):
    """One row per kind of issue, locked while an issue of that kind is numbered and published.

    Publishing reads the last published numbers and writes the next ones; holding this row's lock for the length
    of that transaction makes two concurrent publishes take turns, so numbers stay unique and gap-free.
    """

    kind = models.CharField("类别", max_length=10, choices=Issue.Kind.choices, unique=True)

    class Meta:
        verbose_name = "期号序列"
        verbose_name_plural = "期号序列"

    def __str__(self):
        return self.get_kind_display()

    @classmethod
    def lock(cls, kind: str) -> "IssueSequence":
        """Take the row lock for `kind` until the end of the current transaction (creating the row if new)."""
        cls.objects.bulk_create([cls(kind=kind)], ignore_conflicts=True)
        return cls.objects.select_for_update().get(kind=kind)


class Correction(models.Model):
    """A change made to an issue after it was published: who made it, when, what and why."""

    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="corrections", verbose_name="期")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="更正人")
    made_at = models.DateTimeField("更正时间", auto_now_add=True)
    note = models.TextField("更正说明")
    changes = models.TextField("改动内容", blank=True)

    class Meta:
        verbose_name = "更正记录"
        verbose_name_plural = "更正记录"
        ordering = ["issue", "-made_at"]

    def __str__(self):
        return f"{self.issue} · {self.made_at:%Y-%m-%d %H:%M}"


class TextFingerprint(models.Model):
    """A MinHash signature of a text (a printed piece, or a report as sent), for near-duplicate search.

    Kept by issues/similar.py; `object_id` points at an article, a brief or a report according to `kind`.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "文章"
        BRIEF = "brief", "信息摘登"
        REPORT = "report", "报送信息"

    kind = models.CharField("类别", max_length=10, choices=Kind.choices)
    object_id = models.PositiveIntegerField("编号")
    signature = models.BinaryField("MinHash 签名")
    at = models.DateTimeField("时间", help_text="报送信息：报送时间；刊物稿件：索引时间", db_index=True)

    class Meta:
        verbose_name = "文本指纹"
        verbose_name_plural = "文本指纹"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="fingerprint_unique_object")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id}"


class FingerprintBand(models.Model):
    """One locality-sensitive band of a fingerprint: texts sharing a band are candidates for a closer look."""

    fingerprint = models.ForeignKey(TextFingerprint, on_delete=models.CASCADE, related_name="bands")
    band = models.BigIntegerField("分段哈希")

    class Meta:
        verbose_name = "指纹分段"
        verbose_name_plural = "指纹分段"
        indexes = [models.Index(fields=["band", "fingerprint"], name="fingerprint_band")]  # index-only scans

    def __str__(self):
        return str(self.band)
