from adminsortable2.admin import SortableAdminMixin
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from issues import services
from issues.desk import DeskViews
from issues.models import Article, Brief, Correction, Issue, Piece, Section, prefetch_contents
from issues.stored_pdf import recover_stale_renders
from reports.admin import DeskAdminMixin, ReadOnlyHistoryMixin, RichBodyAdminMixin
from reports.sanitize import excerpt


@admin.register(Section)
class SectionAdmin(DeskAdminMixin, SortableAdminMixin, admin.ModelAdmin):
    list_display = ["name", "is_active", "article_count"]
    list_editable = ["is_active"]
    search_fields = ["name"]
    ordering = ["position", "name"]

    def get_readonly_fields(self, request, obj=None):
        """A section printed in a published issue keeps its name there: retire it and add a new one instead."""
        if obj is not None and obj.pieces.filter(issue__status=Issue.Status.PUBLISHED).exists():
            return ["name"]
        return []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("pieces"))

    @admin.display(description="文章数", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class KindFormSet(forms.BaseInlineFormSet):
    """Articles and briefs are inlines of the same relation: each keeps its own prefix (`articles`, `briefs`)."""

    @classmethod
    def get_default_prefix(cls):
        return cls.prefix_name


class PieceInline(DeskAdminMixin, admin.TabularInline):
    """The issue's pieces in print order, for reading only: each title opens the piece's page, and the desk (组版台)
    places, orders and removes them. Both go through `services`, which keep a section's articles together, record
    a correction against its piece and give a removed piece's text back to its report."""

    extra = 0
    ordering = ["position"]
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "section")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _link(self, obj, text):
        return format_html('<a href="{}">{}</a>', reverse(f"admin:issues_{obj.kind}_change", args=[obj.pk]), text)

    @admin.display(description="单位")
    def signed(self, obj):
        return " ".join([obj.unit.name, *obj.author_list])

    @admin.display(description="来源")
    def source(self, obj):
        if obj.report_id is None:
            return "—"
        return format_html('<a href="{}">报送信息</a>', reverse("admin:reports_report_change", args=[obj.report_id]))


class ArticleInline(PieceInline):
    model = Article
    formset = type("ArticleFormSet", (KindFormSet,), {"prefix_name": "articles"})
    fields = readonly_fields = ["article", "section", "signed", "source"]

    @admin.display(description="标题")
    def article(self, obj):
        return self._link(obj, obj.title)


class BriefInline(PieceInline):
    model = Brief
    formset = type("BriefFormSet", (KindFormSet,), {"prefix_name": "briefs"})
    fields = readonly_fields = ["text", "signed", "source"]

    @admin.display(description="摘登")
    def text(self, obj):
        return self._link(obj, excerpt(obj.printed_body, 60))


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["made_at", "made_by", "note", "changes"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("made_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CorrectionNoteForm(forms.ModelForm):
    """The form for an object of a published issue: saving a change is a correction and needs its reason; saving
    it unchanged records nothing and needs none."""

    correction_note = forms.CharField(
        label="更正说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=(
            "本期已发布：保存的修改将记为更正（修改人、时间、内容），并重新生成 PDF。"
            "更正说明会以“更正：……（日期）”显示在本期和该篇的网页上，请写给读者看。"
        ),
    )

    def clean(self):
        data = super().clean()
        changed = [name for name in self.changed_data if name != "correction_note"]
        if changed and not data.get("correction_note", "").strip():
            self.add_error("correction_note", forms.ValidationError(forms.Field.default_error_messages["required"]))
        return data


class IssueForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        year = data.get("year") or self.instance.year  # read-only (absent from the form) once published
        if data.get("date") and year and data["date"].year != year:
            self.add_error("date" if "year" not in data else "year", "年份与出刊日期不一致。")
        return data


def _is_published(obj) -> bool:
    issue = obj if isinstance(obj, Issue) else getattr(obj, "issue", None)
    return bool(issue and issue.is_published)


class CorrectionMixin:
    """Shared by the issue and piece admins: an edit after publication is recorded as a correction."""

    correction_fieldset = ("更正", {"fields": ["correction_note"]})

    def get_form(self, request, obj=None, change=False, **kwargs):
        if _is_published(obj):
            kwargs["form"] = type("CorrectionForm", (CorrectionNoteForm, self.form), {"__module__": __name__})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        return [*fieldsets, self.correction_fieldset] if _is_published(obj) else fieldsets

    def changes_in(self, form) -> list[str]:
        return [str(form.fields[name].label) for name in form.changed_data if name != "correction_note"]


@admin.register(Issue)
class IssueAdmin(DeskAdminMixin, DeskViews, CorrectionMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """Issue assembly: proposed numbers, colophon from the last issue, drag-and-drop order, sign-off, publish."""

    list_display = [
        "__str__",
        "date",
        "status",
        "article_count",
        "brief_count",
        "approval",
        "pdf_state",
        "preview",
    ]
    list_filter = ["status", "kind", "year"]
    search_fields = ["piece_set__title", "responsible_editor"]
    date_hierarchy = "date"
    form = IssueForm
    inlines = [ArticleInline, BriefInline, CorrectionInline]
    change_form_template = "admin/issues/issue/change_form.html"
    change_list_template = "admin/issues/issue/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": ["kind", "year", "number", "total_number", "date"],
                "description": "期号为建议值，发布时按已发布的最后一期顺延确定。",
            },
        ),
        ("状态", {"fields": ["status", "published_at", "approved_by", "approved_at", "toc"]}),
        ("版记", {"fields": ["send_to", "recipients", "responsible_editor", "phone", "submission_url"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("approved_by")
            .annotate(
                article_count=Count("piece_set", filter=Q(piece_set__kind=Piece.Kind.ARTICLE)),
                brief_count=Count("piece_set", filter=Q(piece_set__kind=Piece.Kind.BRIEF)),
            )
        )

    def get_fieldsets(self, request, obj=None):
        """The numbers are a proposal only while a draft: the help saying so goes once the issue is published."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_published:
            (name, options), *rest = fieldsets
            fieldsets = [(name, {k: v for k, v in options.items() if k != "description"}), *rest]
        return fieldsets

    def view_on_site(self, obj):
        """在站点上查看: a published issue's page; a draft's preview (its public URL would be a 404)."""
        return obj.get_absolute_url() if obj.is_published else reverse("issues:preview", args=[obj.pk])

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None and obj.is_published else self.inlines[:2]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "published_at", "approved_by", "approved_at", "toc"]
        if obj is not None and obj.is_published:
            readonly += ["kind", "year", "number", "total_number"]
        return readonly

    def get_changeform_initial_data(self, request):
        kind = request.GET.get("kind")
        kind = kind if kind in Issue.Kind.values else Issue.Kind.REGULAR
        return Issue.proposal(kind, timezone.localdate())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        issue = form.instance
        was_signed_off = issue.approved_at is not None
        if change:
            services.record_issue_edit(
                issue,
                by=request.user,
                note=form.cleaned_data.get("correction_note", ""),
                changes=self.changes_in(form),
            )
        if was_signed_off and issue.approved_at is None:
            messages.warning(request, "本期内容已改动，需要重新签发。")

    @admin.display(description="文章", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="摘登", ordering="brief_count")
    def brief_count(self, obj):
        return obj.brief_count

    @admin.display(description="签发")
    def approval(self, obj):
        if obj.approved_at:
            return f"{obj.approved_by} {timezone.localtime(obj.approved_at):%m-%d %H:%M}"
        return "—"

    @admin.display(description="PDF")
    def pdf_state(self, obj):
        return obj.pdf_state_label if obj.is_published else "—"

    @admin.display(description="预览")
    def preview(self, obj):
        return format_html(
            '<a href="{}" target="_blank">网页</a> · <a href="{}" target="_blank">PDF</a>',
            reverse("issues:preview", args=[obj.pk]),
            reverse("issues:preview_pdf", args=[obj.pk]),
        )

    @admin.display(description="目录")
    def toc(self, obj):
        if obj.pk is None:
            return ""
        prefetch_contents([obj], bodies=False)
        lines = [
            format_html("<div><strong>{}</strong> {}</div>", section or "（无栏目）", "；".join(a.title for a in items))
            for section, items in obj.sections_with_articles()
        ]
        briefs = len(obj.briefs())
        if briefs:
            lines.append(format_html("<div><strong>信息摘登</strong> {} 则</div>", briefs))
        return format_html("".join(["{}"] * len(lines)), *lines) if lines else "（尚无内容）"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/publish/", wrap(self.publish_view), name="issues_issue_publish"),
            path("<int:object_id>/sign-off/", wrap(self.sign_off_view), name="issues_issue_sign_off"),
            path("<int:object_id>/render-pdf/", wrap(self.render_pdf_view), name="issues_issue_render_pdf"),
            *self.desk_urls(),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        recover_stale_renders()  # the PDF column shows no render as 生成中 for ever
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        recover_stale_renders()
        extra = {
            "sign_off_required": settings.SIGN_OFF_REQUIRED,
            "can_sign_off": services.can_sign_off(request.user),
        }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """Before publishing, every wording hit of the draft, each with a link to its piece."""
        if obj is not None and not obj.is_published:
            context["wording_hits"] = [
                (piece, hit, reverse(f"admin:issues_{kind}_change", args=[piece.pk]))
                for kind, piece, hit in services.wording_hits(obj)
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _issue_for_post(self, request, object_id) -> Issue:
        if not self.has_change_permission(request) or request.method != "POST":
            raise PermissionDenied
        return get_object_or_404(Issue, pk=object_id)

    def publish_view(self, request, object_id):
        issue = self._issue_for_post(request, object_id)
        try:
            issue = services.publish(issue, by=request.user, confirm_wording=request.POST.get("confirm_wording") == "1")
        except services.WordingUnconfirmed as exc:
            messages.warning(request, f"{exc}本页“用词检查”列出了每一处及其所在稿件。")
            return redirect(reverse("admin:issues_issue_change", args=[issue.pk]) + "#wording-check")
        except services.DeskError as exc:
            messages.error(request, str(exc))
            return redirect(self._after_post(request, issue))
        messages.success(request, f"已发布：{issue}。PDF 将在后台生成。")
        return redirect(reverse("admin:issues_issue_change", args=[issue.pk]))

    def _after_post(self, request, issue) -> str:
        """Back to the desk when the form was sent from it, else to the issue's page."""
        if request.POST.get("from") == "desk" and not issue.is_published:
            return reverse("admin:issues_issue_desk", args=[issue.pk])
        return reverse("admin:issues_issue_change", args=[issue.pk])

    def render_pdf_view(self, request, object_id):
        """Retry a failed (or stale) PDF: queue a new background render of the current version."""
        issue = self._issue_for_post(request, object_id)
        if not issue.is_published:
            messages.error(request, "草稿没有存档 PDF，请用“预览 PDF”查看。")
        else:
            issue.request_pdf()
            messages.success(request, "已重新排队生成 PDF，稍后刷新本页查看状态。")
        return redirect(reverse("admin:issues_issue_change", args=[issue.pk]))

    def sign_off_view(self, request, object_id):
        issue = self._issue_for_post(request, object_id)
        try:
            services.sign_off(issue, by=request.user)
        except services.DeskError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已签发。")
        return redirect(self._after_post(request, issue))


class PieceForm(forms.ModelForm):
    """Checks what `services.save_piece` would refuse, so the form shows it beside the field."""

    def clean_issue(self):  # only a new piece's form has the field (see `PieceAdmin.get_readonly_fields`)
        issue = self.cleaned_data["issue"]
        if issue.is_published:
            raise forms.ValidationError("已发布的刊物不能再加入文章或摘登，请选择草稿状态的期。")
        return issue


class PieceAdmin(DeskAdminMixin, RichBodyAdminMixin, CorrectionMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """What the article and brief pages share: who wrote it, where it appears, history, corrections."""

    list_filter = ["issue__kind", "issue__year", "unit__district", "issue__status"]
    search_fields = ["body", "unit__name", "authors"]
    list_select_related = ["issue", "unit"]
    form = PieceForm
    autocomplete_fields = ["unit"]
    raw_id_fields = ["issue"]
    readonly_fields = ["report"]

    def view_on_site(self, obj):
        """A piece of a draft is seen in its issue's preview; its public page exists once the issue is published."""
        if obj.issue.is_published:
            return obj.get_absolute_url()
        return reverse("issues:preview", args=[obj.issue_id]) + f"#{'article' if obj.is_article else 'brief'}-{obj.pk}"

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "issue" not in initial:
            initial["issue"] = Issue.objects.drafts().values_list("pk", flat=True).first()
        return initial

    def get_readonly_fields(self, request, obj=None):
        """A piece stays in its issue: moving it is 移出 then 编入 at the desk, which keep positions and 签发 right."""
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "issue"] if obj is not None else readonly

    def save_model(self, request, obj, form, change):
        """The rules (position, correction, sign-off) are the service's; the admin only passes the form's data."""
        services.save_piece(
            obj,
            by=request.user,
            note=form.cleaned_data.get("correction_note", ""),
            changes=self.changes_in(form) if change else None,
        )

    def delete_model(self, request, obj):
        services.remove_piece(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for piece in queryset:
            services.remove_piece(piece, by=request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _is_published(obj)

    @admin.display(description="摘要")
    def excerpt(self, obj):
        return excerpt(obj.printed_body)


@admin.register(Article)
class ArticleAdmin(PieceAdmin):
    list_display = ["title", "issue", "section", "unit", "authors", "position"]
    list_filter = ["section", *PieceAdmin.list_filter]
    search_fields = ["title", *PieceAdmin.search_fields]
    list_select_related = [*PieceAdmin.list_select_related, "section"]
    fields = ["issue", "section", "title", "body", "unit", "authors", "report"]


@admin.register(Brief)
class BriefAdmin(PieceAdmin):
    list_display = ["excerpt", "issue", "unit", "authors", "position"]
    fields = ["issue", "lead", "body", "unit", "authors", "report"]
    search_fields = ["lead", *PieceAdmin.search_fields]


@admin.register(Correction)
class CorrectionAdmin(DeskAdminMixin, admin.ModelAdmin):
    list_display = ["issue", "piece", "made_at", "made_by", "note"]
    list_select_related = ["issue", "made_by", "piece"]
    readonly_fields = ["issue", "piece", "made_by", "made_at", "note", "changes"]

    def has_add_permission(self, request, *args):
        return False  # recorded by saving a published issue or piece

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
