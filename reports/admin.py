import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_ckeditor_5.widgets import CKEditor5Widget
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from issues import similar
from issues.models import PIECE_TEXT_OF_REPORT, Issue, Section
from issues.services import DeskError, brief_default, place_report
from reports import chain, wording
from reports.models import (
    Contributor,
    Leader,
    OfficialName,
    Profile,
    Report,
    TransitionError,
    UnitRole,
    WordingRule,
    display_name,
    is_editor,
)
from reports.sanitize import clean_html


class DeskAdminMixin:
    """The desk's pages are for the 研究室 only, whatever Django permissions a staff account was given."""

    def has_module_permission(self, request):
        return is_editor(request.user)

    def has_view_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_add_permission(self, request, *args):
        return is_editor(request.user)

    def has_change_permission(self, request, obj=None):
        return is_editor(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_editor(request.user)


class ChineseHistoryHelper(HistoricalRecordContextHelper):
    """A history's changes as the editor reads them: a choice's label (已采用, not `accepted`), 空 for nothing."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return "（空）"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return super().prepare_delta_change_value(change, value)


class ReadOnlyHistoryMixin:
    """History is for reading, and only of what the admin's own pages show.

    django-simple-history's history form still saves a POST (a revert) even with SIMPLE_HISTORY_REVERT_DISABLED,
    which would bypass the workflow, numbering and corrections. Its views also fall back to history rows for an
    object `get_queryset` leaves out, and pass the URL's ids to the database unchecked: here an id that is not a
    number, an object the user may not see, and a history row the user may not read are all a 404.
    """

    def visible_history(self, request, records):
        """The history rows this user may read, of those given; an admin narrows it where rows are private."""
        return records

    def _history_pk_or_404(self, request, object_id):
        pk = _pk_or_404(self.model, unquote(object_id))
        if not self.get_queryset(request).filter(pk=pk).exists():
            # Not on the admin's pages: hidden from this user, or deleted (then only its readable history shows).
            if self.model._default_manager.filter(pk=pk).exists():
                raise Http404
            if not self.visible_history(
                request, self.model.history.filter(**{self.model._meta.pk.attname: pk})
            ).exists():
                raise Http404
        return pk

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return self.visible_history(request, super().get_history_queryset(request, history_manager, pk_name, object_id))

    def history_view(self, request, object_id, extra_context=None):
        self._history_pk_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        pk = self._history_pk_or_404(request, object_id)
        history_id = _pk_or_404(self.model.history.model, version_id)
        record = self.model.history.filter(**{self.model._meta.pk.attname: pk, "history_id": history_id})
        if not self.visible_history(request, record).exists():
            raise Http404
        return super().history_form_view(request, str(pk), str(history_id), extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryHelper(self.model, historical_record)


def _pk_or_404(model, value):
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        raise Http404 from None


class RichBodyAdminMixin:
    """Bodies are edited in the same CKEditor build as the portal's; the field sanitises what it sends on save."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = CKEditor5Widget(config_name="default")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class UnitRoleInline(admin.TabularInline):
    """Who reviews (审核) and who signs off (签发) inside a unit; one person may hold both."""

    model = UnitRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Contributor)
class ContributorAdmin(DeskAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "district", "position", "is_active", "review_required", "sign_off_required"]
    list_editable = ["position", "is_active", "review_required", "sign_off_required"]
    list_filter = ["district", "is_active", "review_required", "sign_off_required"]
    inlines = [UnitRoleInline]
    search_fields = ["name", "short_name"]

    def get_readonly_fields(self, request, obj=None):
        """A unit's name is printed in its pieces' attributions: once in print it stays (add a new unit instead)."""
        if obj is not None and obj.is_in_print():
            return ["name"]
        return []


class StatusFilter(admin.SimpleListFilter):
    """Status with its count; the inbox opens on the reports waiting for a decision."""

    title = "状态"
    parameter_name = "status"
    default = Report.Status.SUBMITTED
    ALL = "all"

    def lookups(self, request, model_admin):
        counts = dict(Report.objects.exclude(status__in=Report.UNIT_SIDE).values_list("status").annotate(Count("id")))
        statuses = [s for s in Report.Status if s not in Report.UNIT_SIDE]
        return [(s.value, f"{s.label}（{counts.get(s.value, 0)}）") for s in statuses] + [
            (self.ALL, f"全部（{sum(counts.values())}）")
        ]

    def choices(self, changelist):
        current = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        return queryset if value == self.ALL else queryset.filter(status=value)


class PlacementFilter(admin.SimpleListFilter):
    title = "编入情况"
    parameter_name = "placement"

    def lookups(self, request, model_admin):
        return [("unplaced", "未编入"), ("placed", "已编入")]

    def queryset(self, request, queryset):
        if self.value() == "unplaced":
            return queryset.filter(Report.UNPLACED)
        if self.value() == "placed":
            return queryset.exclude(Report.UNPLACED)
        return queryset


class ReportTextForm(forms.ModelForm):
    """The text for print, edited between acceptance and placement: checked under the report's row lock (the admin's
    change view runs in one transaction), so a decision or placement made meanwhile is kept, not overwritten."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            try:
                self.instance.lock_for_text_edit()
            except TransitionError as exc:
                raise ValidationError(f"{exc}您填写的内容仍在下方，可复制留存。") from None
        return cleaned


class DecisionForm(forms.Form):
    DECISIONS = {"accept": Report.Status.ACCEPTED, "return": Report.Status.RETURNED, "decline": Report.Status.DECLINED}
    BUTTONS = {"accept": "采用", "return": "退回修改", "decline": "不予采用"}
    COMMENT_MAX = 2000
    decision = forms.ChoiceField(
        choices=[(k, v.label) for k, v in DECISIONS.items()], error_messages={"required": "请选择一个处理决定。"}
    )
    comment = forms.CharField(required=False)
    #: The status the editor saw: a decision on a report that moved since is refused (Report.transition).
    seen_status = forms.ChoiceField(
        choices=Report.Status.choices, error_messages={"required": "页面已过期，请刷新后再处理。"}
    )
    #: What the editor read (Report.content_signature): a report returned and sent again is back in the same
    #: status with another text, which the editor has not read.
    seen_content = forms.CharField(max_length=64, error_messages={"required": "页面已过期，请刷新后再处理。"})

    def clean_comment(self):
        comment = self.cleaned_data["comment"]
        if len(comment) > self.COMMENT_MAX:
            raise ValidationError(
                f"说明最多 {self.COMMENT_MAX} 字，现有 {len(comment)} 字，请精简后再提交（本次未作处理）。"
            )
        return comment

    def first_error(self) -> str:
        for name in ("decision", "seen_status", "seen_content", "comment"):
            if name in self.errors:
                return self.errors[name][0]
        return "请选择一个处理决定。"


class PlacementForm(forms.Form):
    issue = forms.ModelChoiceField(queryset=None, label="编入刊期", empty_label=None)
    placed_as = forms.ChoiceField(
        label="刊用方式", choices=[("article", "文章"), ("brief", "信息摘登")], widget=forms.RadioSelect
    )
    section = forms.ModelChoiceField(queryset=None, label="栏目", required=False, help_text="作为文章时必选")
    title = forms.CharField(label="标题", max_length=200, required=False, help_text="作为文章时使用，可修改")
    lead = forms.CharField(
        label="加粗开头",
        max_length=100,
        required=False,
        help_text="作为信息摘登时使用：开头加粗的主体，默认为本区人大常委会或正文开头所写的机构",
    )
    brief_text = forms.CharField(
        label="摘登文字",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="作为信息摘登时使用：一段文字，接在加粗开头之后（其中的加粗可写作 <strong>…</strong>）",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = Issue.objects.drafts()
        self.fields["section"].queryset = Section.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("placed_as") == "article" and not data.get("section"):
            self.add_error("section", "作为文章编入时请选择栏目。")
        return data


def _piece_url(piece) -> str:
    if piece is None:
        return ""
    return reverse(f"admin:issues_{piece.kind}_change", args=[piece.pk])  # the admin's Article / Brief pages


def version_diff(report: Report) -> str:
    """A side-by-side table: the text as the unit last sent it, and the text as printed (or being edited)."""
    sent = report.versions.order_by("number").last()
    if sent is None:
        return ""
    piece = report.piece
    printed_title = (piece.title if piece.is_article else None) if piece else report.title
    printed_body = piece.printed_body if piece else report.body
    before = [f"标题：{sent.title}", *wording.text_lines(sent.body)]
    after = ([f"标题：{printed_title}"] if printed_title is not None else []) + wording.text_lines(printed_body)
    where = f"刊用稿（{piece.issue}）" if piece else "当前编辑稿"
    if before == after:
        return f"编辑未改动报送稿：{where}与第 {sent.number} 版报送稿一致。"
    table = difflib.HtmlDiff(wrapcolumn=36).make_table(before, after, f"报送稿（第 {sent.number} 版）", where)
    return mark_safe(table)  # difflib escapes the text it puts in the table


def _version_link(version) -> str:
    return format_html(
        '<a href="{}" target="_blank">第 {} 版</a>',
        reverse("reports:version", args=[version.report_id, version.number]),
        version.number,
    )


def resubmission_diff(report: Report) -> str:
    """What the unit changed when it sent the report again after a return: the version returned against the
    version resubmitted (each a link to its full text), not only the latest against print."""
    versions = list(report.versions.order_by("-number")[:2])
    if len(versions) < 2:
        return ""
    resubmitted, returned = versions
    before = [f"标题：{returned.title}", *wording.text_lines(returned.body)]
    after = [f"标题：{resubmitted.title}", *wording.text_lines(resubmitted.body)]
    links = format_html("退回的{} → 重新报送的{}", _version_link(returned), _version_link(resubmitted))
    if before == after:
        return format_html("{}：正文未作修改。", links)
    table = difflib.HtmlDiff(wrapcolumn=36).make_table(
        before, after, f"退回的第 {returned.number} 版", f"重新报送的第 {resubmitted.number} 版"
    )
    return format_html("<p>{}</p>{}", links, mark_safe(table))  # difflib escapes the text it puts in the table


@admin.register(Report)
class ReportAdmin(DeskAdminMixin, RichBodyAdminMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """The inbox: reports waiting for a decision, oldest first, with the decision and placement panels."""

    list_display = [
        "title",
        "unit",
        "district",
        "status",
        "suggested_section",
        "waiting_since",
        "waiting_days",
        "placement",
    ]
    list_filter = [
        StatusFilter,
        PlacementFilter,
        "unit__district",
        ("unit", admin.RelatedOnlyFieldListFilter),
        "submitted_at",
        "suggested_section",
    ]
    search_fields = ["title", "body", "authors", "unit__name"]
    list_select_related = ["unit", "suggested_section", "printed_piece__issue"]  # get_queryset's too
    list_per_page = 50
    empty_value_display = "未指定"
    actions = ["accept_selected"]
    form = ReportTextForm
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "收件箱：报送信息"} | (extra_context or {}))

    fieldsets = [
        ("刊用稿（采用后可编辑）", {"fields": ["title", "body", "authors", "suggested_section"]}),
        (
            "报送情况",
            {
                "fields": [
                    "unit",
                    "phone",
                    "status",
                    "submitted_at",
                    "created_by",
                    "unit_review",
                    "secrecy",
                    "timeline",
                    "versions",
                ]
            },
        ),
        ("与报送稿对比", {"fields": ["resubmission", "diff"]}),
    ]

    def visible_history(self, request, records):
        """While a report is with its unit (a draft, in its own review chain, or returned for revision), its text
        is the unit's work in progress, as private as a draft: the desk reads what was sent, in the rows from
        submission on."""
        return records.exclude(status__in=[*Report.UNIT_SIDE, Report.Status.RETURNED])

    def get_queryset(self, request):
        # Not super(): its ordering would come before the annotation it orders by. What is still inside the unit
        # (drafts, its own review chain) stays private to it.
        return (
            Report.objects.exclude(status__in=Report.UNIT_SIDE)
            .select_related(*self.list_select_related)
            .defer(*PIECE_TEXT_OF_REPORT)
            .annotate(last_submitted_at=Max("versions__created_at"))
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["last_submitted_at", "id"]

    def get_readonly_fields(self, request, obj=None):
        return [
            "unit",
            "phone",
            "status",
            "submitted_at",
            "created_by",
            "unit_review",
            "secrecy",
            "timeline",
            "versions",
            "resubmission",
            "diff",
            "body_html",
        ]

    def get_fieldsets(self, request, obj=None):
        """The text is editable for publication only once accepted; before that it is shown as the unit sent it."""
        if obj is not None and self.has_change_permission(request, obj):
            return self.fieldsets
        text = ("报送稿", {"fields": ["title", "body_html", "authors", "suggested_section"]})
        return [text, *self.fieldsets[1:]]

    def has_change_permission(self, request, obj=None):
        """The text is edited here between acceptance and placement; once placed, the piece is what gets edited."""
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (obj.status == Report.Status.ACCEPTED and obj.piece is None)

    def has_add_permission(self, request, *args):
        return False  # reports come from the units; the 研究室 writes its own pieces directly in an issue

    def has_delete_permission(self, request, obj=None):
        return False  # nothing submitted is ever deleted; a declined report stays on record

    def save_model(self, request, obj, form, change):
        """Only the text fields the editor changed: status, placement and the unit's columns are not this form's."""
        obj.save(update_fields=[*form.changed_data, "updated_at"])

    @admin.display(description="区县", ordering="unit__district")
    def district(self, obj):
        return obj.unit.get_district_display()

    @admin.display(description="报送时间", ordering="last_submitted_at")
    def waiting_since(self, obj):
        return timezone.localtime(obj.last_submitted_at).strftime("%Y-%m-%d %H:%M") if obj.last_submitted_at else "—"

    @admin.display(description="等待")
    def waiting_days(self, obj):
        if obj.status != Report.Status.SUBMITTED or obj.last_submitted_at is None:
            return "—"  # not waiting for the 研究室 (an empty value would read as empty_value_display, 未指定)
        return f"{(timezone.now() - obj.last_submitted_at).days} 天"

    @admin.display(description="编入")
    def placement(self, obj):
        if piece := obj.piece:
            return f"{piece.issue.name} · {piece.get_kind_display()}"
        if obj.status == Report.Status.ACCEPTED:
            return format_html('<a href="{}">编入…</a>', reverse("admin:reports_report_place", args=[obj.pk]))
        return "—"  # not accepted: nothing to place yet

    @admin.display(description="处理记录")
    def timeline(self, obj):
        events = obj.events.select_related("actor__profile")
        return format_html_join(
            "",
            "<div>{} · {} · {} → {}{}</div>",
            (
                (
                    timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M"),
                    display_name(e.actor),
                    e.get_from_status_display(),
                    e.get_to_status_display(),
                    f"：{e.comment}" if e.comment else "",
                )
                for e in events
            ),
        )

    def _chain_record(self, obj):
        if not hasattr(obj, "_chain_record"):
            obj._chain_record = chain.record(obj.events.select_related("actor"))
        return obj._chain_record

    @admin.display(description="单位审核签发")
    def unit_review(self, obj):
        """`审核：张三 11月3日 / 签发：李四 11月3日`, from the latest pass through the unit's chain."""
        return chain.record_line(self._chain_record(obj)) or "本单位未设审核签发流程"

    @admin.display(description="保密审查")
    def secrecy(self, obj):
        for step in self._chain_record(obj):
            if step.label == "保密声明":
                return f"{step.text}（{step.by} {timezone.localtime(step.at):%Y-%m-%d %H:%M} 声明，含附件）"
        return "无保密声明记录"

    @admin.display(description="报送版本")
    def versions(self, obj):
        return format_html_join(
            "",
            "<div>{} · {} · {}</div>",
            (
                (_version_link(v), timezone.localtime(v.created_at).strftime("%Y-%m-%d %H:%M"), v.title)
                for v in obj.versions.all()
            ),
        )

    @admin.display(description="重新报送的修改")
    def resubmission(self, obj):
        return resubmission_diff(obj) or "（只报送过一次）"

    @admin.display(description="正文")
    def body_html(self, obj):
        return mark_safe(clean_html(obj.body))  # sanitised again: units' HTML is shown inside the admin

    @admin.display(description="编辑的改动")
    def diff(self, obj):
        return version_diff(obj)

    @admin.action(description="采用所选信息")
    def accept_selected(self, request, queryset):
        done, refused = 0, []
        for report in queryset:
            try:
                report.transition(Report.Status.ACCEPTED, by=request.user)
                done += 1
            except TransitionError as exc:
                refused.append(f"《{report.title}》：{exc}")
        if done:
            self.message_user(request, f"已采用 {done} 篇信息。", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/decide/", wrap(self.decide_view), name="reports_report_decide"),
            path("<int:object_id>/place/", wrap(self.place_view), name="reports_report_place"),
            path("stats/", wrap(self.stats_view), name="reports_report_stats"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The decision and placement panel, from the report the change view has already loaded."""
        if obj is not None:
            context |= {
                "decisions": [
                    (key, DecisionForm.BUTTONS[key])
                    for key, status in DecisionForm.DECISIONS.items()
                    if (Report.Status(obj.status), status) in Report.EDITOR_MOVES
                ],
                "content_signature": obj.content_signature(),
                "piece": obj.piece,
                "piece_url": _piece_url(obj.piece),
                "wording_hits": wording.check_text(obj.title, obj.body, timezone.localdate()),
                "similar": similar.similar_to_report(obj),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _report_or_404(self, request, object_id) -> Report:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def decide_view(self, request, object_id):
        """Accept, return with a comment or decline with a reason, through the report's own transition."""
        report = self._report_or_404(request, object_id)
        change_url = reverse("admin:reports_report_change", args=[report.pk])
        if request.method != "POST":
            return redirect(change_url)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.first_error())
            return redirect(change_url)
        to = DecisionForm.DECISIONS[form.cleaned_data["decision"]]
        try:
            report.transition(
                to,
                by=request.user,
                comment=form.cleaned_data["comment"],
                expected=form.cleaned_data["seen_status"],
                expected_content=form.cleaned_data["seen_content"],
            )
        except TransitionError as exc:
            messages.error(request, str(exc))
            return redirect(change_url)
        messages.success(request, f"《{report.title}》：{to.label}。")
        if to == Report.Status.ACCEPTED:
            return redirect(change_url)
        return redirect(reverse("admin:reports_report_changelist"))

    def place_view(self, request, object_id):
        """Put an accepted report into a draft issue as an article in a section, or as a brief."""
        report = self._report_or_404(request, object_id)
        change_url = reverse("admin:reports_report_change", args=[report.pk])
        piece = report.piece
        if piece is not None:
            messages.info(request, f"这篇信息已编入 {piece.issue}。")
            return redirect(change_url)
        if request.method == "POST":
            form = PlacementForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    piece = place_report(
                        report,
                        data["issue"],
                        as_brief=data["placed_as"] == "brief",
                        section=data["section"],
                        title=data["title"],
                        lead=data["lead"],
                        brief_text=data["brief_text"],
                    )
                except DeskError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, f"已编入 {piece.issue}。")
                    return HttpResponseRedirect(reverse("admin:issues_issue_change", args=[piece.issue.pk]))
        else:
            lead, text = brief_default(report)
            form = PlacementForm(
                initial={
                    "issue": Issue.objects.drafts().first(),
                    "placed_as": "article",
                    "section": report.suggested_section,
                    "title": report.title,
                    "lead": lead,
                    "brief_text": text,
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"编入刊期：{report.title}",
            "report": report,
            "form": form,
            "change_url": change_url,
            "has_drafts": form.fields["issue"].queryset.exists(),
        }
        return TemplateResponse(request, "admin/reports/report/place.html", context)

    def stats_view(self, request):
        """信息采用情况 for the 研究室: per district and unit, with a chart and CSV/XLSX export."""
        from reports import stats

        if not self.has_view_permission(request):
            raise PermissionDenied
        context, export = stats.editor_context(request)
        if export is not None:
            return export
        context |= {**self.admin_site.each_context(request), "opts": self.opts, "title": "信息采用情况"}
        return TemplateResponse(request, "admin/reports/stats.html", context)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]


class UserUnitRoleInline(admin.TabularInline):
    model = UnitRole
    extra = 0
    autocomplete_fields = ["unit"]


admin.site.unregister(User)
admin.site.unregister(Group)  # roles live in Profile; groups and per-user permissions are not used


class PasswordStateWidget(ReadOnlyPasswordHashWidget):
    template_name = "reports/widgets/password_state.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["usable_password"] = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        return context


class RendaUserChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget = PasswordStateWidget()
        self.fields["password"].help_text = ""


@admin.register(User)
class RendaUserAdmin(UserAdmin):
    form = RendaUserChangeForm
    inlines = [ProfileInline, UserUnitRoleInline]
    list_display = ["username", "last_name", "first_name", "role", "unit", "staff", "active"]
    list_filter = ["profile__role", "is_staff", "is_active"]
    # What a person may do comes from their role (the profile below), not Django's groups and permissions.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["last_name", "first_name", "email"]}),
        ("权限", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("重要日期", {"fields": ["last_login", "date_joined"]}),
    ]

    @admin.display(description="角色", ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    @admin.display(description="所属单位", ordering="profile__unit__name")
    def unit(self, user):
        profile = getattr(user, "profile", None)
        return profile.unit if profile and profile.unit else "—"

    @admin.display(description="可登录后台", ordering="is_staff")
    def staff(self, user):
        return "是" if user.is_staff else "否"

    @admin.display(description="有效", ordering="is_active")
    def active(self, user):
        return "是" if user.is_active else "否"

    list_select_related = ["profile__unit"]

    def save_related(self, request, form, formsets, change):
        """The role rows first, then the profile: a unit changed here ends the roles held in the old one (Profile.save),
        rows edited in the same save included, which would otherwise be written back after it. The page says which."""
        form.save_m2m()
        for formset in sorted(formsets, key=lambda formset: formset.model is Profile):
            self.save_formset(request, form, formset, change=change)
            for saved in formset.forms if formset.model is Profile else []:
                if removed := getattr(saved.instance, "removed_roles", None):
                    messages.warning(request, f"所属单位已改，已取消其在原单位的角色：{'、'.join(removed)}。")

    def get_inline_instances(self, request, obj=None):
        """Roles in a unit's chain once the user and their unit are saved: UnitRole.clean checks membership against
        the saved profile, which a new user does not have yet."""
        inlines = super().get_inline_instances(request, obj)
        return inlines if obj is not None else [i for i in inlines if not isinstance(i, UserUnitRoleInline)]


class WordingCsvForm(forms.Form):
    csv_file = forms.FileField(label="CSV 文件", help_text="列：" + "，".join(wording.CSV_HEADER))


class WordingDictionaryAdmin(DeskAdminMixin, admin.ModelAdmin):
    """The three parts of the wording dictionary share one CSV (import adds or updates, export writes all)."""

    change_list_template = "admin/reports/wording_change_list.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("export-csv/", wrap(self.export_view), name=f"{prefix}_export"),
            path("import-csv/", wrap(self.import_view), name=f"{prefix}_import"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        from django.http import HttpResponse

        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''wording-dictionary.csv"
        response.write("\ufeff")
        wording.export_csv(response)
        return response

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = WordingCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                counts = wording.import_csv(wording.decode_csv(form.cleaned_data["csv_file"].read()))
            except wording.ImportError_ as exc:
                form.add_error("csv_file", f"{exc}本次导入未作任何改动。")
            else:
                done = "，".join(f"{kind} {n} 条" for kind, n in counts.items())
                messages.success(request, f"已导入：{done}。")
                return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "导入用词词典（CSV）",
            "form": form,
            "help": (
                "一个 CSV 文件包含全部三类词条（与“导出 CSV”的格式相同）：类别为“机构名称”“领导职务”“错误写法”或"
                "“敏感用语”。已有的词条按名称（领导按姓名、职务和任职起）更新，其余新增；任何一行有误则整个文件不导入。"
            ),
        }
        return TemplateResponse(request, "admin/csv_import.html", context)


@admin.register(OfficialName)
class OfficialNameAdmin(WordingDictionaryAdmin):
    list_display = ["name", "wrong_forms", "note", "updated_at"]
    search_fields = ["name", "wrong_forms"]


@admin.register(Leader)
class LeaderAdmin(WordingDictionaryAdmin):
    list_display = ["name", "title", "start_date", "end_date", "note"]
    search_fields = ["name", "title"]
    list_filter = [("end_date", admin.EmptyFieldListFilter)]


@admin.register(WordingRule)
class WordingRuleAdmin(WordingDictionaryAdmin):
    list_display = ["phrase", "correction", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["phrase", "correction"]
