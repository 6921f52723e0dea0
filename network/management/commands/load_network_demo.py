import datetime

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from issues.models import Piece, Section
from network import circulars, scoring, services
from network.models import Answer, Call, CallDistrict, Circular, Instruction, Quota, RuleSet
from reports.models import District, Report
from reports.stats import Period


class Command(BaseCommand):
    help = (
        "Add sample 约稿 calls, quotas, 积分 rule sets (2024 and this year), a 领导批示 and a draft 通报 to the demo "
        "data, and book the daily reminder run (for `make run`)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        editor = User.objects.filter(username="editor").first()
        today = timezone.localdate()
        if not Call.objects.exists():
            self.create_calls(editor, today)
        if not Quota.objects.exists():
            Quota.objects.create(period="month", scope=Quota.Scope.EVERY_UNIT, target=2, remind_day=20)
            Quota.objects.create(period="quarter", scope=Quota.Scope.DISTRICT, district=District.XIHU, target=6)
            self.stdout.write("已建立示例报送任务")
            self.handle_reminders()
        self.create_scoring(editor, today)
        run_after = services.ensure_scheduled()
        self.stdout.write(f"每日催报已排定：{timezone.localtime(run_after):%Y-%m-%d %H:%M}")

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
        # The editor's 催报 goes where the completion page's button sends it: to the units that have not answered.
        sent, _ = services.remind_by_hand(services.unanswered_units(call), by=editor, call=call)
        self.stdout.write(f"已建立示例约稿，并向未回复的 {len(sent)} 个单位手动催报")

    def create_scoring(self, editor, today):
        rules = [
            {"event": "article", "points": 4},
            {"event": "brief", "points": 2},
            {"event": "special", "points": 6},
            {"event": "call_answered", "points": 1},
            {"event": "instruction_province", "points": 10},
            {"event": "instruction_city", "points": 6},
            {"event": "instruction_district", "points": 3},
            {"event": "call_late", "points": -1},
        ]  # no zero_month deduction in the demo: the demo's units send little
        for year in sorted({2024, today.year}):
            if not RuleSet.objects.filter(year=year).exists():
                scoring.import_rule_set({"year": year, "combine": "sum", "rules": rules})
                self.stdout.write(f"已建立 {year} 年积分规则")

        piece = Piece.objects.published().select_related("unit").order_by("-issue__date", "kind", "position").first()
        if piece is not None and not Instruction.objects.exists():
            Instruction.objects.create(
                piece=piece,
                leader="市人大常委会主任",
                level=Instruction.Level.CITY,
                date=today - datetime.timedelta(days=10),
                text="此经验做法很好，请研究室会同有关单位总结推广。",
                feedback_required=True,
                feedback_due=today - datetime.timedelta(days=1),
                created_by=editor,
            )
            self.stdout.write(f"已为{piece.unit.name}的一篇刊用稿建立示例领导批示")
        if not Circular.objects.exists():
            period = Period("quarter", 2024, 2)  # the quarter of the sample issues
            circulars.draft(period, by=editor)
            self.stdout.write(f"已建立通报草稿《{circulars.title_for(period)}》")

    def handle_reminders(self):
        sent = services.run_reminders()
        self.stdout.write(f"已发出今天到期的催报 {len(sent)} 条")
