"""The editor's side of the distribution: the list (groups, subscribers, CSV import) and each mailing's log."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from distribution import services
from distribution.forms import ImportForm
from distribution.models import Delivery, Mailing, Subscriber, SubscriberGroup
from renda.csvsafe import decode_upload
from reports.admin import DeskAdminMixin


@admin.register(SubscriberGroup)
class SubscriberGroupAdmin(DeskAdminMixin, admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Subscriber)
class SubscriberAdmin(DeskAdminMixin, admin.ModelAdmin):
    list_display = ["email", "name", "group", "status", "source", "confirm_mail", "created_at"]
    list_filter = ["status", "source", "confirm_mail", "group"]
    search_fields = ["email", "name"]
    readonly_fields = [
        "source",
        "created_at",
        "confirm_mail",
        "confirm_mail_attempts",
        "confirm_mail_error",
        "confirmed_at",
        "unsubscribed_at",
    ]
    fields = ["name", "email", "group", "status", *readonly_fields]
    actions = ["resend_confirmation"]
    change_list_template = "admin/distribution/subscriber/change_list.html"

    @admin.action(description="重新发送确认邮件（仅待确认的读者）")
    def resend_confirmation(self, request, queryset):
        count = services.resend_confirmations(queryset)
        skipped = queryset.count() - count
        text = f"已为 {count} 位待确认的读者重新安排发送确认邮件。"
        self.message_user(request, text + (f"其余 {skipped} 位不是待确认状态，未发送。" if skipped else ""))

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="distribution_subscriber_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = decode_upload(form.cleaned_data["file"].read())
            except ValueError as exc:
                form.add_error("file", str(exc))
            else:
                result = services.import_csv(text, default_group=form.cleaned_data["group"])
                self.message_user(request, f"导入完成：新增 {result.added} 人，更新 {result.updated} 人。")
                for error in result.errors:
                    self.message_user(request, error, messages.WARNING)
                return redirect(reverse("admin:distribution_subscriber_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "从 CSV 导入订阅者",
            "opts": self.opts,
            "help": (
                "示例：“张三,zhangsan@example.cn,市人大常委会组成人员”。"
                "已在名单中的邮箱更新姓名与分组；自行退订的读者保持退订。"
            ),
        }
        return TemplateResponse(request, "admin/csv_import.html", context)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["email", "status", "attempts", "sent_at", "next_attempt_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Mailing)
class MailingAdmin(DeskAdminMixin, admin.ModelAdmin):
    list_display = ["issue", "status", "created_at", "finished_at", "sent_count", "failed_count"]
    list_filter = ["status"]
    readonly_fields = ["issue", "status", "created_at", "started_at", "finished_at", "pdf_attached"]
    fields = readonly_fields
    inlines = [DeliveryInline]

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description="已发送")
    def sent_count(self, obj):
        return obj.deliveries.filter(status=Delivery.Status.SENT).count()

    @admin.display(description="失败")
    def failed_count(self, obj):
        return obj.deliveries.filter(status=Delivery.Status.FAILED).count()
