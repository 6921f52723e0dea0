from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Max, Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from simple_history.models import HistoricalRecords

from issues.search import SearchIndex, SearchText, SegmentedTextField
from reports.models import Contributor, Report
from reports.sanitize import RichTextField, excerpt, plain_text

COLOPHON_FIELDS = ["send_to", "recipients", "responsible_editor", "phone", "submission_url"]


#: The columns search keeps on every piece: never needed to show one, so pages defer them and history skips them.
SEARCH_FIELDS = ("search_text", "search_vector")
# A report's pages join its printed piece only for where it appeared: the piece's text and index stay behind.
PIECE_TEXT_OF_REPORT = tuple(f"printed_piece__{field}" for field in ("body", *SEARCH_FIELDS))


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
    #: When the render in progress was claimed (issues/stored_pdf.py); a claim far older than a render takes died.
    pdf_render_started_at = models.DateTimeField("PDF 开始生成时间", null=True, blank=True, editable=False)
    # --- end stored PDF ---

    #: Cached public pages are keyed on the published issues' state, kept here for a few seconds.
    PUBLISHED_STATE_CACHE_KEY = "issues:published-state"

    objects = IssueQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["pdf", "pdf_version", "pdf_status", "pdf_error", "pdf_rendered_at", "pdf_render_started_at"]
    )

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
        # Readers' cached pages follow any change at once; again on commit, as a reader's request in between
        # would have read (and kept) the state from before this transaction.
        cache.delete(self.PUBLISHED_STATE_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(self.PUBLISHED_STATE_CACHE_KEY))

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

    def pieces(self) -> list["Piece"]:
        """The issue's pieces in print order: the articles, then the 信息摘登 (uses prefetched pieces)."""
        return sorted(self.piece_set.all(), key=lambda p: (p.kind, p.position))

    def articles(self) -> list["Piece"]:
        return [p for p in self.pieces() if p.is_article]

    def briefs(self) -> list["Piece"]:
        return [p for p in self.pieces() if p.is_brief]

    @property
    def has_toc(self) -> bool:
        """A 目录 is printed unless the issue is a single piece, as a 专刊 usually is (uses prefetched pieces)."""
        return len(self.piece_set.all()) > 1

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
        """Initial values for a new issue: proposed numbers, and the colophon (版记) of the last issue of the same
        kind (a 普刊's from the last 普刊, a 专刊's from the last 专刊), else of the last issue of any kind."""
        number, total_number = cls.next_numbers(kind, date.year)
        latest = cls.objects.order_by("-date", "-id")
        last = latest.filter(kind=kind).first() or latest.first()
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

    def store_pdf(self) -> bytes | None:
        """Render the current version's PDF and store it, unless another process is at it (then None).

        A failure is recorded on the issue and raised; the last good file stays. See issues/stored_pdf.py.
        """
        from issues.stored_pdf import render_and_store

        return render_and_store(self)

    def sections_with_articles(self) -> list[tuple["Section | None", list["Piece"]]]:
        """The issue's sections in 目录 order, each with its articles; a section's place is its first article's.

        Sections without articles in this issue are left out, as in print. Uses prefetched pieces when present.
        """
        groups: dict[int | None, tuple[Section | None, list[Piece]]] = {}
        for article in self.articles():
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


#: Kept by name so that saves through the admin's proxies (Article, Brief) are recorded too: simple-history listens
#: for the concrete model's signals only, and a proxy's save sends its own.
PIECE_HISTORY = HistoricalRecords(excluded_fields=list(SEARCH_FIELDS))


class PieceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(issue__status=Issue.Status.PUBLISHED)

    def articles(self):
        return self.filter(kind=Piece.Kind.ARTICLE)

    def briefs(self):
        return self.filter(kind=Piece.Kind.BRIEF)

    def in_print_order(self):
        """Articles first, then the 信息摘登, each by position (`article` sorts before `brief`)."""
        return self.order_by("issue", "kind", "position")


class Piece(models.Model):
    """A printed piece of an issue: an article (title, section, body) or a brief (信息摘登: bold lead, one paragraph).

    One table for both, so that whatever attaches to "a printed piece" (scores, leaders' instructions, the report
    it came from) has one relation and one query. The kind decides which fields apply; a check constraint keeps
    them apart.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "文章"
        BRIEF = "brief", "信息摘登"

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="piece_set", verbose_name="期")
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.ARTICLE)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, null=True, blank=True, related_name="pieces", verbose_name="栏目"
    )
    title = models.CharField("标题", max_length=200, blank=True, help_text="文章的标题；信息摘登没有标题")
    lead = models.CharField(
        "加粗开头", max_length=100, blank=True, help_text="信息摘登开头加粗的主体，如“上城区人大常委会”"
    )
    body = RichTextField("正文", help_text="HTML，保存时清洗；信息摘登为一段文字（不含加粗开头）")
    unit = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="pieces", verbose_name="单位")
    authors = models.CharField("作者", max_length=200, blank=True, help_text="多位作者以空格分隔")
    position = models.PositiveIntegerField("顺序", default=0)
    report = models.OneToOneField(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="printed_piece",
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

    objects = PieceQuerySet.as_manager()
    history = PIECE_HISTORY

    class Meta:
        verbose_name = "稿件"
        verbose_name_plural = "稿件"
        ordering = ["issue", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "kind", "position"],
                name="piece_unique_position_in_issue",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=(Q(kind="article") & ~Q(title="") & Q(lead=""))
                | (Q(kind="brief") & Q(section__isnull=True) & Q(title="")),
                name="piece_kind_fields",
                violation_error_message="文章须有标题、没有加粗开头；信息摘登没有栏目和标题。",
            ),
        ]
        indexes = [SearchIndex(fields=["search_vector"], name="piece_search")]  # search

    def __str__(self):
        return self.heading

    def get_absolute_url(self) -> str:
        return reverse("issues:article" if self.is_article else "issues:brief", args=[self.pk])

    @property
    def heading(self) -> str:
        """How lists and search results name the piece: an article by its title, a brief by its opening words."""
        return self.title if self.is_article else excerpt(self.printed_body, 30)

    @property
    def is_article(self) -> bool:
        return self.kind == self.Kind.ARTICLE

    @property
    def is_brief(self) -> bool:
        return self.kind == self.Kind.BRIEF

    @property
    def printed_body(self) -> str:
        """The body as printed: a brief's paragraph opens with its lead in bold (`<p><strong>lead</strong>text`)."""
        if not self.is_brief or not self.lead:
            return self.body
        lead = f"<strong>{escape(self.lead)}</strong>"
        if self.body.startswith("<p>"):
            return f"<p>{lead}{self.body[3:]}"
        return f"<p>{lead}</p>{self.body}" if self.body else f"<p>{lead}</p>"

    def search_document(self) -> str:
        """The text search finds this piece by: its title (articles), a brief's lead, and its body's plain text."""
        return " ".join(filter(None, [self.title, self.lead, plain_text(self.body)]))

    @property
    def author_list(self) -> list[str]:
        return self.authors.split()

    @property
    def attribution(self) -> str:
        """`(上城区人大常委会办公室 蔡静 李兴军)` as printed after the piece: the report's unit and authors."""
        return "(" + " ".join([self.unit.name, *self.author_list]) + ")"


class ArticleManager(models.Manager.from_queryset(PieceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Piece.Kind.ARTICLE)


class BriefManager(models.Manager.from_queryset(PieceQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Piece.Kind.BRIEF)


class KindProxyMixin:
    """For a proxy of the piece table of one kind: a piece built through it is of that kind."""

    kind_of_proxy = ""

    def __init__(self, *args, **kwargs):
        if not args:  # built by keyword (forms, create()); rows read from the database come positionally
            kwargs.setdefault("kind", self.kind_of_proxy)
        super().__init__(*args, **kwargs)


class Article(KindProxyMixin, Piece):
    """The admin's list and pages of articles: the pieces of kind article (a proxy: same table, same rows)."""

    objects = ArticleManager()
    kind_of_proxy = Piece.Kind.ARTICLE

    class Meta:
        proxy = True
        verbose_name = "文章"
        verbose_name_plural = "文章"


class Brief(KindProxyMixin, Piece):
    """The admin's list and pages of 信息摘登: the pieces of kind brief (a proxy: same table, same rows)."""

    objects = BriefManager()
    kind_of_proxy = Piece.Kind.BRIEF

    class Meta:
        proxy = True
        verbose_name = "信息摘登"
        verbose_name_plural = "信息摘登"


# django-simple-history's admin reads the history manager's name from the model's options: the proxies share Piece's,
# and their saves and deletes are recorded in Piece's history.
for _proxy in (Article, Brief):
    _proxy._meta.simple_history_manager_attribute = Piece._meta.simple_history_manager_attribute
    models.signals.post_save.connect(PIECE_HISTORY.post_save, sender=_proxy, weak=False)
    models.signals.post_delete.connect(PIECE_HISTORY.post_delete, sender=_proxy, weak=False)


def prefetch_contents(issues, *, bodies: bool = True):
    """Load the pieces of `issues` (with section and unit) in one query, in print order."""
    skipped = SEARCH_FIELDS if bodies else (*SEARCH_FIELDS, "body")
    prefetch_related_objects(
        list(issues),
        Prefetch(
            "piece_set",
            queryset=Piece.objects.select_related("section", "unit").defer(*skipped).order_by("kind", "position"),
        ),
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
    piece = models.ForeignKey(
        "Piece",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="稿件",
        help_text="更正所涉的文章或摘登；空：刊物本身（日期、版记等）",
    )
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

    @property
    def notice(self) -> str:
        """As readers see it: `更正：…（2024年5月8日）`."""
        made = timezone.localtime(self.made_at)
        return f"更正：{self.note.rstrip('。')}（{made.year}年{made.month}月{made.day}日）"


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
