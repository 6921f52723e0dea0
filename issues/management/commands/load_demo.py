from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from issues.importing import import_samples
from issues.models import Section
from reports.models import Contributor, Profile, Report, UnitRole

DEMO_USERS = [
    # username, password, role, unit, where they log in, the person's name (shown in timelines and declarations)
    ("editor", "renda-editor", Profile.Role.EDITOR, "研究室", "/admin/", "陈立"),
    ("shangcheng", "renda-submitter", Profile.Role.SUBMITTER, "上城区人大常委会办公室", "/accounts/login/", "张明"),
    ("xihu", "renda-submitter", Profile.Role.SUBMITTER, "西湖区人大常委会办公室", "/accounts/login/", "王芳"),
    ("xihu-shenhe", "renda-reviewer", Profile.Role.SUBMITTER, "西湖区人大常委会办公室", "/accounts/login/", "刘洋"),
    ("xihu-qianfa", "renda-approver", Profile.Role.SUBMITTER, "西湖区人大常委会办公室", "/accounts/login/", "赵敏"),
]
# 西湖区 runs its own review chain in the demo: 王芳's reports go to 刘洋 (审核), then 赵敏 (签发), then the 研究室.
DEMO_ROLES = {"xihu-shenhe": UnitRole.Role.REVIEWER, "xihu-qianfa": UnitRole.Role.UNIT_APPROVER}
CHAIN_UNIT = "西湖区人大常委会办公室"
# (submitter, title, suggested section, status the editor left it in, editor's comment)
DEMO_REPORTS = [
    ("shangcheng", "上城区：“民呼我为”代表联络站接待日常态化运行", "代表工作", Report.Status.SUBMITTED, ""),
    ("shangcheng", "上城区：专题询问助推老旧小区改造提质", "监督纵横", Report.Status.RETURNED, "请补充整改数据。"),
    ("shangcheng", "上城区：预算联网监督实现区级部门全覆盖", "助力攻坚", Report.Status.ACCEPTED, ""),
    ("shangcheng", "上城区：街道居民议事会工作纪实（草稿）", None, Report.Status.DRAFT, ""),
    ("xihu", "西湖区：“两山”理念下的生态环境监督实践", "监督纵横", Report.Status.SUBMITTED, ""),
    ("xihu", "西湖区：代表助力“一老一小”服务提质", "代表工作", Report.Status.ACCEPTED, ""),
]
DEMO_BODY = (
    "<p>{unit}围绕中心工作，聚焦群众关切，组织代表深入一线开展调研监督，推动问题解决。</p>"
    "<p><strong>一是</strong>建立清单，明确责任。梳理重点问题 12 项，逐项明确牵头单位和完成时限。</p>"
    "<p><strong>二是</strong>跟踪督办，闭环管理。每月通报进展，邀请代表实地察看，确保件件有着落。</p>"
)


class Command(BaseCommand):
    help = "Load the sample issues, demo accounts and a few demo reports (for `make run`; safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        for issue in import_samples():
            self.stdout.write(f"已导入 {issue}")
        users = {}
        for username, password, role, unit_name, _, name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = name
            user.is_staff = role != Profile.Role.SUBMITTER
            user.set_password(password)
            user.save()
            unit = Contributor.objects.get_or_create_by_name(unit_name)
            Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
            users[username] = user
        if not Report.objects.exists():
            self.create_reports(users)
        for username, role in DEMO_ROLES.items():
            UnitRole.objects.get_or_create(user=users[username], unit=users[username].profile.unit, role=role)
        chain_unit = Contributor.objects.get_or_create_by_name(CHAIN_UNIT)
        chain_unit.review_required = chain_unit.sign_off_required = True  # after the demo reports were sent
        chain_unit.save(update_fields=["review_required", "sign_off_required"])

        self.stdout.write("\n演示账号（服务器在 http://127.0.0.1:8000 启动后）：")
        for username, password, role, unit_name, url, _ in DEMO_USERS:
            label = DEMO_ROLES[username].label if username in DEMO_ROLES else Profile.Role(role).label
            label = label.removesuffix("（本单位）")  # the unit follows
            self.stdout.write(f"  {label}（{unit_name}）：{username} / {password}  登录 http://127.0.0.1:8000{url}")

    def create_reports(self, users):
        editor = users["editor"]
        for username, title, section, status, comment in DEMO_REPORTS:
            user = users[username]
            report = Report.objects.create(
                unit=user.profile.unit,
                title=title,
                body=DEMO_BODY.format(unit=user.profile.unit.name.removesuffix("办公室")),
                authors="张明 李华" if username == "shangcheng" else "王芳",
                suggested_section=Section.objects.filter(name=section).first(),
                created_by=user,
            )
            if status == Report.Status.DRAFT:
                continue
            report.transition(Report.Status.SUBMITTED, by=user, secrecy_declared=True)
            if status != Report.Status.SUBMITTED:
                report.transition(status, by=editor, comment=comment)
        self.stdout.write(f"已创建 {len(DEMO_REPORTS)} 篇演示报送信息")
