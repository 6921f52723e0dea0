from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from issues.models import Issue
from issues.services import DeskError, WordingUnconfirmed, publish


def issue_line(issue: Issue) -> str:
    """`2024 年普刊第 4 期(总第 692 期) /issues/2024/regular/4/`; no 总第 part for a 专刊 (for commands' output)."""
    number = f"第 {issue.number} 期"
    if issue.kind == Issue.Kind.REGULAR:
        number += f"(总第 {issue.total_number} 期)"
    return f"{issue.year} 年{issue.get_kind_display()}{number} {issue.get_absolute_url()}"


class Command(BaseCommand):
    help = "Publish draft issues: fix their numbers, make them public and request their PDFs."

    def add_arguments(self, parser):
        parser.add_argument("issue_ids", nargs="+", type=int, metavar="ISSUE_ID")
        parser.add_argument("--by", metavar="USERNAME", help="the editor recorded as publishing")
        parser.add_argument(
            "--confirm-wording", action="store_true", help="publish although the wording check lists hits"
        )

    def handle(self, *args, issue_ids, by=None, confirm_wording=False, **options):
        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"没有用户 {by}")
        failed = 0
        for issue_id in issue_ids:
            issue = Issue.objects.filter(pk=issue_id).first()
            if issue is None:
                self.stderr.write(f"ID {issue_id}：没有这一期")
                failed += 1
                continue
            try:
                issue = publish(issue, by=user, confirm_wording=confirm_wording)
            except WordingUnconfirmed as exc:
                self.stderr.write(f"ID {issue_id}：{exc}（核对后加 --confirm-wording 发布）")
                for _, piece, hit in exc.hits:
                    self.stderr.write(f"  《{piece}》{hit.where}：{hit.found}：{hit.message}")
                failed += 1
                continue
            except DeskError as exc:
                self.stderr.write(f"ID {issue_id}：{exc}")
                failed += 1
                continue
            self.stdout.write("已发布 " + issue_line(issue))
        if failed:
            raise CommandError(f"{failed} 期未发布")
