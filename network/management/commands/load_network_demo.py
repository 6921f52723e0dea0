import datetime

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from issues.models import Section
from network import services
from network.models import Answer, Call, CallDistrict, Quota
from reports.models import Contributor, District, Report


class Command(BaseCommand):
    help = "Add sample 约稿 calls and quotas to the demo data, and book the daily reminder run (for `make run`)."

    @transaction.atomic
    def handle(self, *args, **options):
        editor = User.objects.filter(username="editor").first()
        today = timezone.localdate()
        if not Call.objects.exists():
            self.create_calls(editor, today)
        if not Quota.objects.exists():
            Quota.objects.create(period="month", scope=Quota.Scope.EVERY_UNIT, target=2, remind_day=20)
            Quota.objects.create(period="quarter", scope=Quota.Scope.DISTRICT, district=District.XIHU, target=6)
            self.stdout.write("created demo quotas")
            self.handle_reminders()
        run_after = services.ensure_scheduled()
        self.stdout.write(f"daily reminders booked for {timezone.localtime(run_after):%Y-%m-%d %H:%M}")

    def create_calls(self, editor, today):
        now = timezone.now()
        section = Section.objects.filter(name="代表工作").first()
        call = Call.objects.create(
            topic="“人大代表在身边”履职故事征集",
            guidance=(
                "围绕代表联络站常态化运行、代表助力民生实事等，报送具体做法和成效。\n"
                "每篇 1500 字以内，附现场照片 1—2 张。"
            ),
            deadline=today + datetime.timedelta(days=5),
            section=section,
            audience=Call.Audience.ALL,
            quota_count=1,
            quota_scope=Call.QuotaScope.DISTRICT,
            status=Call.Status.OPEN,
            issued_at=now,
            created_by=editor,
        )
        supervision = Call.objects.create(
            topic="预算联网监督工作经验",
            guidance="介绍预算联网监督系统建设和运用情况，突出问题发现和整改成效。",
            deadline=today + datetime.timedelta(days=1),
            section=Section.objects.filter(name="监督纵横").first(),
            audience=Call.Audience.SELECTED,
            status=Call.Status.OPEN,
            issued_at=now,
            created_by=editor,
        )
        for district in (District.SHANGCHENG, District.XIHU, District.BINJIANG):
            CallDistrict.objects.create(call=supervision, district=district)
        Call.objects.create(
            topic="年度代表工作总结（草稿）",
            deadline=today + datetime.timedelta(days=30),
            created_by=editor,
        )
        # The demo's reports about representatives and budgets answer the calls.
        for report in Report.objects.exclude(submitted_at=None).select_related("unit"):
            target = call if "代表" in report.title else supervision if "预算" in report.title else None
            if target is not None and target.is_addressed_to(report.unit):
                Answer.objects.get_or_create(report=report, defaults={"call": target})
        units = Contributor.objects.filter(name__in=["上城区人大常委会办公室", "西湖区人大常委会办公室"])
        services.remind_by_hand(units, by=editor, call=call)
        self.stdout.write("created demo calls")

    def handle_reminders(self):
        sent = services.run_reminders()
        self.stdout.write(f"sent {len(sent)} reminders due today")
