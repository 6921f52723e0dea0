"""The desk's side of the network: calls with their completion matrix, quotas, the reminder log; and the
extensions of reports' own admin pages (the inbox's call column and filter, a unit's reminders)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from network import circulars, scoring, services
from network.forms import CallAdminForm, CircularAdminForm, InstructionAdminForm
from network.models import Call, CallDistrict, Circular, Instruction, Quota, Reminder, Rule, RuleSet
from reports import uploads
from reports.admin import DeskAdminMixin
from reports.models import Contributor, Report, display_name
from reports.stats import Period, period_choices
from reports.text import titled


class ChangedFieldsAdminMixin:
    """A change saves only the columns its form changed (and those `save_model` set), never the whole row read at
    the start of the request: a call issued or closed by another editor meanwhile stays issued or closed."""

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        columns = {field.name for field in obj._meta.concrete_fields}
        stamps = {field.name for field in obj._meta.concrete_fields if getattr(field, "auto_now", False)}
        obj.save(update_fields={*(set(form.changed_data) & columns), *stamps, *self.columns_set_on_save(form)})

    def columns_set_on_save(self, form) -> set[str]:
        return set()


class CheckedFileAdminMixin:
    """An admin whose model keeps its creator and one checked private file, `file_field` (with `<field>_name` and
    `<field>_type`), uploaded through the form's `<field>_upload` and dropped by its `remove_<field>`: the new file
    gets a random name, and the one it replaces is deleted once the change is committed."""

    file_field = ""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        field = self.file_field
        upload, remove = form.cleaned_data.get(f"{field}_upload"), form.cleaned_data.get(f"remove_{field}")
        old = getattr(obj, field).name if change and (upload or remove) else ""
        if upload:
            kind = upload.checked_kind
            getattr(obj, field).save(uploads.random_name(kind), upload, save=False)
            setattr(obj, f"{field}_name", uploads.safe_name(upload.name, kind))
            setattr(obj, f"{field}_type", kind.content_type)
        elif remove:
            for name in (field, f"{field}_name", f"{field}_type"):
                setattr(obj, name, "")
        super().save_model(request, obj, form, change)
        if old:
            storage = getattr(obj, field).storage
            transaction.on_commit(lambda: storage.delete(old))

    def columns_set_on_save(self, form) -> set[str]:
        field = self.file_field
        changed = form.cleaned_data.get(f"{field}_upload") or form.cleaned_data.get(f"remove_{field}")
        return {field, f"{field}_name", f"{field}_type", *super().columns_set_on_save(form)} if changed else set()


@admin.register(Call)
class CallAdmin(CheckedFileAdminMixin, ChangedFieldsAdminMixin, DeskAdminMixin, admin.ModelAdmin):
    file_field = "document"
    form = CallAdminForm
    list_display = ["topic", "status", "deadline", "audience_summary", "section", "completion_link"]
    list_filter = ["status", "section"]
    search_fields = ["topic", "guidance"]
    date_hierarchy = "deadline"
    autocomplete_fields = ["target_units"]
    actions = ["issue_selected", "close_selected", "remind_unanswered"]
    change_form_template = "admin/network/call/change_form.html"
    fieldsets = [
        (None, {"fields": ["topic", "guidance", "deadline", "section"]}),
        ("约稿对象", {"fields": ["audience", "districts", "target_units"]}),
        ("数量与催报", {"fields": ["quota_count", "quota_scope", "remind_days_before"]}),
        ("报送要点文件", {"fields": ["current_document", "document_upload", "remove_document"]}),
        ("状态", {"fields": ["status", "issued_at", "created_by"]}),
    ]
    readonly_fields = ["current_document", "status", "issued_at", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section").prefetch_related("districts", "target_units")

    @admin.display(description="约稿对象")
    def audience_summary(self, obj):
        return obj.audience_label()

    @admin.display(description="完成情况")
    def completion_link(self, obj):
        if obj.status == Call.Status.DRAFT:
            return "未发出"
        return format_html('<a href="{}">查看</a>', reverse("admin:network_call_completion", args=[obj.pk]))

    @admin.display(description="当前文件")
    def current_document(self, obj):
        if not obj.document:
            return "无"
        return format_html('<a href="{}">{}</a>', reverse("network:call_document", args=[obj.pk]), obj.document_name)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        call = form.instance
        wanted = set(form.cleaned_data.get("districts") or [])
        call.districts.exclude(district__in=wanted).delete()
        existing = set(call.district_codes())
        CallDistrict.objects.bulk_create(CallDistrict(call=call, district=code) for code in wanted - existing)

    def has_delete_permission(self, request, obj=None):
        """A call that was sent out stays on record (its answers and reminders refer to it)."""
        if obj is not None and obj.status != Call.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="发出所选约稿（报送单位可见）")
    def issue_selected(self, request, queryset):
        count = queryset.filter(status=Call.Status.DRAFT).update(status=Call.Status.OPEN, issued_at=timezone.now())
        self.message_user(request, f"已发出 {count} 个约稿。", messages.SUCCESS)

    @admin.action(description="结束所选约稿的征集")
    def close_selected(self, request, queryset):
        count = queryset.filter(status=Call.Status.OPEN).update(status=Call.Status.CLOSED)
        self.message_user(request, f"已结束 {count} 个约稿的征集。", messages.SUCCESS)

    @admin.action(description="催报：提醒所选约稿中尚未报送的单位")
    def remind_unanswered(self, request, queryset):
        for call in queryset.filter(status=Call.Status.OPEN):
            self._remind(request, call)

    def _remind(self, request, call):
        sent, skipped = services.remind_by_hand(services.unanswered_units(call), by=request.user, call=call)
        self.message_user(request, f"{titled(call.topic)}：已催报 {len(sent)} 个单位。", messages.SUCCESS)
        if skipped:
            names = "、".join(unit.name for unit in skipped)
            self.message_user(request, f"今天已催报过，未重复发送：{names}", messages.WARNING)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/completion/", wrap(self.completion_view), name="network_call_completion"),
            path("<int:object_id>/remind/", wrap(self.remind_view), name="network_call_remind"),
            *super().get_urls(),
        ]

    def _call_or_404(self, request, object_id) -> Call:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def completion_view(self, request, object_id):
        """The completion matrix (unit × sent, accepted, used, late), as a page or as an Excel file."""
        call = self._call_or_404(request, object_id)
        result = services.completion(call)
        if request.GET.get("export") == "xlsx":
            response = HttpResponse(
                services.completion_xlsx(result),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="call-{call.pk}-completion.xlsx"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"约稿完成情况：{call.topic}",
            "call": call,
            "result": result,
            "reminders": call.reminders.select_related("unit", "sent_by")[:50],
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/network/call/completion.html", context)

    def remind_view(self, request, object_id):
        call = self._call_or_404(request, object_id)
        if request.method == "POST" and call.is_open:
            self._remind(request, call)
        elif request.method == "POST":
            messages.error(request, "该约稿不在征集中，不能催报。")
        return redirect("admin:network_call_completion", object_id=call.pk)


class RuleInline(DeskAdminMixin, admin.TabularInline):
    model = Rule
    extra = 0
    min_num = 0


@admin.register(RuleSet)
class RuleSetAdmin(DeskAdminMixin, admin.ModelAdmin):
    """积分规则 by year: events and points; the scores page ranks the units and lists each unit's events."""

    list_display = ["year", "combine", "rule_summary", "scores_link"]
    inlines = [RuleInline]
    change_list_template = "admin/network/ruleset/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rules")

    @admin.display(description="计分项")
    def rule_summary(self, obj):
        return "；".join(f"{rule.get_event_display()} {rule.points:+g}" for rule in obj.rules.all()) or "（无）"

    @admin.display(description="积分排名")
    def scores_link(self, obj):
        return format_html('<a href="{}?period=year&amp;year={}">查看</a>', reverse("admin:network_scores"), obj.year)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("scores/", wrap(self.scores_view), name="network_scores"),
            path("scores/<int:unit_id>/", wrap(self.unit_scores_view), name="network_unit_scores"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period, problem = Period.from_query(request.GET)
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "period": period,
            "problem": problem,
            **period_choices(),
            **extra,
        }

    def scores_view(self, request):
        context = self._context(request, title="积分排名")
        context["scores"] = scoring.unit_scores(context["period"])
        context["rule_set"] = RuleSet.objects.filter(year=context["period"].year).first()
        return TemplateResponse(request, "admin/network/ruleset/scores.html", context)

    def unit_scores_view(self, request, unit_id):
        unit = get_object_or_404(Contributor, pk=unit_id)
        context = self._context(request, title=f"积分明细：{unit.name}")
        context["score"] = scoring.unit_score(unit, context["period"])
        return TemplateResponse(request, "admin/network/ruleset/unit_scores.html", context)


class OverdueFilter(admin.SimpleListFilter):
    title = "落实反馈"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("1", "逾期未反馈"), ("pending", "待反馈"), ("done", "已反馈")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        waiting = queryset.filter(feedback_required=True, feedback__isnull=True)
        if self.value() == "1":
            return waiting.filter(feedback_due__lt=today)
        if self.value() == "pending":
            return waiting.filter(feedback_due__gte=today)
        if self.value() == "done":
            return queryset.filter(feedback__isnull=False)
        return queryset


@admin.register(Instruction)
class InstructionAdmin(CheckedFileAdminMixin, ChangedFieldsAdminMixin, DeskAdminMixin, admin.ModelAdmin):
    file_field = "scan"
    """领导批示 on published pieces: recorded by the editor; the unit's 落实反馈 shown read-only."""

    form = InstructionAdminForm
    list_display = ["date", "level", "leader", "piece_summary", "unit_name", "feedback_summary"]
    list_filter = ["level", OverdueFilter]
    search_fields = ["leader", "text", "piece__title", "piece__unit__name"]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["piece", "leader", "level", "date", "text"]}),
        ("批示扫描件", {"fields": ["current_scan", "scan_upload", "remove_scan"]}),
        ("落实反馈", {"fields": ["feedback_required", "feedback_due", "feedback_view"]}),
    ]
    readonly_fields = ["current_scan", "feedback_view"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("piece__issue", "piece__unit", "feedback")
            .defer("piece__body", "piece__search_text")
        )

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("date", timezone.localdate())
        return initial

    @admin.display(description="刊用稿件")
    def piece_summary(self, obj):
        piece = obj.piece
        return f"{piece.issue.name}《{(piece.title or piece.lead or '信息摘登')[:30]}》"

    @admin.display(description="单位", ordering="piece__unit__name")
    def unit_name(self, obj):
        return obj.piece.unit.name

    @admin.display(description="落实反馈")
    def feedback_summary(self, obj):
        state = obj.feedback_state()
        if state == "逾期未反馈":
            return format_html('<strong class="overdue">{}</strong>', state)
        return state

    @admin.display(description="当前扫描件")
    def current_scan(self, obj):
        if not obj or not obj.scan:
            return "无"
        return format_html('<a href="{}">{}</a>', reverse("network:instruction_scan", args=[obj.pk]), obj.scan_name)

    @admin.display(description="单位的落实反馈")
    def feedback_view(self, obj):
        feedback = obj.feedback_or_none() if obj and obj.pk else None
        if feedback is None:
            return obj.feedback_state() if obj and obj.pk else "—"
        link = ""
        if feedback.file:
            link = format_html(
                '<br>附件：<a href="{}">{}</a>', reverse("network:feedback_file", args=[obj.pk]), feedback.file_name
            )
        when = timezone.localtime(feedback.submitted_at).strftime("%Y-%m-%d %H:%M")
        return format_html("{}（{} 报送）{}", feedback.text, when, link)


@admin.register(Circular)
class CircularAdmin(DeskAdminMixin, admin.ModelAdmin):
    """通报: a draft per period (title and text prefilled, the table computed), downloaded as DOCX or PDF,
    then published to the units' portal with a notice; a published circular no longer changes."""

    form = CircularAdminForm
    list_display = ["title", "status", "date", "published_at", "downloads"]
    list_filter = ["status", "period_kind", "year"]
    change_form_template = "admin/network/circular/change_form.html"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["period_kind", "year", "period_index", "title", "text", "date"]
        return ["period_label", "title", "text", "signed_by", "date", "status", "published_at", "table_preview"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.is_published:
            return ["period_label", "title", "text", "signed_by", "date", "status", "published_at", "table_preview"]
        return ["period_label", "status", "published_at", "table_preview"]

    @admin.display(description="期间")
    def period_label(self, obj):
        return circulars.period_words(obj.period)

    @admin.display(description="下载")
    def downloads(self, obj):
        return format_html(
            '<a href="{}">DOCX</a> · <a href="{}">PDF</a>',
            reverse("admin:network_circular_file", args=[obj.pk, "docx"]),
            reverse("admin:network_circular_file", args=[obj.pk, "pdf"]),
        )

    @admin.display(description="排名表")
    def table_preview(self, obj):
        content = circulars.content_for(obj)
        head = format_html_join("", "<th>{}</th>", ((name,) for name in circulars.COLUMNS))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((value,) for value in cells)),) for cells in content.table_cells),
        )
        return format_html(
            '<p>{}</p><table class="circular-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table><p>{}</p>',
            content.totals_text,
            head,
            body,
            content.no_submission_text,
        )

    def save_model(self, request, obj, form, change):
        if change:
            # Only the columns changed, and only while still a draft: a publication meanwhile is not undone.
            circulars.save_draft(obj, form.changed_data)
            return
        obj.created_by = request.user
        obj.title = obj.title or circulars.title_for(obj.period)
        obj.text = obj.text or circulars.default_text(obj.period)
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except circulars.EditError as exc:  # raised inside the admin's transaction: nothing of the change is kept
            messages.error(request, str(exc))
            return redirect("admin:network_circular_change", object_id=object_id)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/file/<str:fmt>/", wrap(self.file_view), name="network_circular_file"),
            path("<int:object_id>/publish/", wrap(self.publish_view), name="network_circular_publish"),
            *super().get_urls(),
        ]

    def file_view(self, request, object_id, fmt):
        if not self.has_view_permission(request):
            raise PermissionDenied
        circular = get_object_or_404(Circular, pk=object_id)
        return circulars.file_response(circular, fmt)

    def publish_view(self, request, object_id):
        if not self.has_change_permission(request):
            raise PermissionDenied
        circular = get_object_or_404(Circular, pk=object_id)
        if request.method == "POST":
            try:
                circulars.publish(circular, by=request.user)
            except circulars.PublishError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"《{circular.title}》已发布，已通知各报送单位。")
        return redirect("admin:network_circular_change", object_id=circular.pk)


@admin.register(Quota)
class QuotaAdmin(ChangedFieldsAdminMixin, DeskAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "period", "scope", "target", "remind_day", "is_active"]
    list_editable = ["target", "remind_day", "is_active"]
    list_select_related = ["unit"]
    list_filter = ["period", "scope", "is_active"]
    autocomplete_fields = ["unit"]
    fields = ["period", "scope", "unit", "district", "target", "remind_day", "is_active"]


@admin.register(Reminder)
class ReminderAdmin(DeskAdminMixin, admin.ModelAdmin):
    """The reminder log: read only; reminders are sent by the daily run or by hand from a call or a unit."""

    list_display = ["sent_at", "unit", "reason", "message", "sender", "mail_status", "read_at"]
    list_filter = ["reason", "day", "mail_status", "unit__district", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["unit__name", "message"]
    list_select_related = ["unit", "sent_by"]
    date_hierarchy = "day"

    exclude = ["reason_key"]  # the de-duplication key (call:12), not for reading

    @admin.display(description="发送人")
    def sender(self, obj):
        return display_name(obj.sent_by) if obj.sent_by else "系统自动"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- reports' admin pages, extended from here (reports knows nothing of the network) ---------------------------


class CallFilter(admin.SimpleListFilter):
    title = "约稿"
    parameter_name = "call"

    def lookups(self, request, model_admin):
        calls = Call.objects.issued().order_by("-deadline", "-id")[:50]
        return [("none", "未响应约稿"), *((str(call.pk), call.topic) for call in calls)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(call_answer__isnull=True)
        if self.value():
            return queryset.filter(call_answer__call_id=self.value())
        return queryset


BaseReportAdmin = type(admin.site._registry[Report])


class NetworkReportAdmin(BaseReportAdmin):
    """The inbox, plus the call each report answers (迟报 marked) and a filter by call."""

    list_display = [*BaseReportAdmin.list_display, "answered_call"]
    list_filter = [*BaseReportAdmin.list_filter, CallFilter]
    list_select_related = [*BaseReportAdmin.list_select_related, "call_answer__call"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "answered_call"]

    def get_fieldsets(self, request, obj=None):
        """The call answered, on the report's page too, among the facts of its submission (报送情况)."""
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = list(options.get("fields", []))
            if name == "报送情况" and "answered_call" not in fields:
                fields.insert(fields.index("status") if "status" in fields else len(fields), "answered_call")
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    @admin.display(description="响应约稿", empty_value="—")
    def answered_call(self, obj):
        try:
            answer = obj.call_answer
        except Report.call_answer.RelatedObjectDoesNotExist:
            return ""
        late = "（迟报）" if answer.is_late else ""
        url = reverse("admin:network_call_completion", args=[answer.call_id])
        return format_html('<a href="{}">{}</a>{}', url, answer.call.topic, late)


admin.site.unregister(Report)
admin.site.register(Report, NetworkReportAdmin)

BaseContributorAdmin = type(admin.site._registry[Contributor])


class NetworkContributorAdmin(BaseContributorAdmin):
    """A unit's page, plus its reminder log (to whom, why, when) and a hand-sent 催报."""

    actions = [*(BaseContributorAdmin.actions or []), "remind_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "reminder_log"]

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "reminder_log"]
        return [*fields, "reminder_log"] if obj is not None else fields

    @admin.display(description="催报记录（最近 30 条）")
    def reminder_log(self, obj):
        reminders = obj.reminders.select_related("sent_by")[:30]
        if not reminders:
            return "暂无催报记录。"
        rows = format_html_join(
            "",
            "<div>{} · {} · {} · {}</div>",
            (
                (
                    timezone.localtime(r.sent_at).strftime("%Y-%m-%d %H:%M"),
                    r.get_reason_display(),
                    r.message,
                    r.sent_by or "系统自动",
                )
                for r in reminders
            ),
        )
        link = reverse("admin:network_reminder_changelist") + f"?unit__id__exact={obj.pk}"
        return format_html('{}<p><a href="{}">全部催报记录</a></p>', rows, link)

    @admin.action(description="催报：给所选单位发送催报通知")
    def remind_selected(self, request, queryset):
        sent, skipped = services.remind_by_hand(list(queryset), by=request.user)
        self.message_user(request, f"已催报 {len(sent)} 个单位。", messages.SUCCESS)
        if skipped:
            names = "、".join(unit.name for unit in skipped)
            self.message_user(request, f"今天已催报过，未重复发送：{names}", messages.WARNING)


admin.site.unregister(Contributor)
admin.site.register(Contributor, NetworkContributorAdmin)
