"""The background tasks' log in the admin, in Chinese: which task, its state, when (django-tasks-db's admin lists
code paths and queue names in English)."""

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

#: Every task of the project (tests/test_no_english.py checks that none is missing).
TASK_NAMES = {
    "issues.tasks.render_issue_pdf": "生成期刊 PDF",
    "issues.tasks.render_draft_preview": "生成草稿预览 PDF",
    "network.tasks.daily_reminders": "每日催报",
    "network.tasks.mail_reminder": "发送催报邮件",
    "distribution.tasks.send_mailing": "发送期刊邮件",
    "distribution.tasks.send_confirmation": "发送订阅确认邮件",
}

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ["task", "status", "enqueued_at", "started_at", "finished_at", "priority", "queue"]
    list_display_links = ["task"]
    list_filter = ["status", "priority"]

    @admin.display(description="任务", ordering="task_path")
    def task(self, result):
        return TASK_NAMES.get(result.task_path, result.task_path)

    @admin.display(description="队列", ordering="queue_name")
    def queue(self, result):
        return "默认" if result.queue_name == "default" else result.queue_name
