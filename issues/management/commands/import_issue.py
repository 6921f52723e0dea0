import datetime as dt
import json
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from issues.importing import ImportConflict, store_issue
from issues.management.commands.publish_issue import issue_line
from issues.models import Issue
from issues.parser import ParseError, parse_issue
from renda.oserrors import reason


def read_text(path: Path) -> str:
    """The file's text; a file that is not UTF-8 text is refused with the line where it goes wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}：无法读取文件（{reason(exc)}）") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CommandError(f"{path}: 第 {line} 行：不是 UTF-8 文本，可能是二进制文件或其他编码") from None


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date 应为 YYYY-MM-DD 格式的日期，收到 {value!r}") from None


class Command(BaseCommand):
    help = "Import one issue of 《杭州人大信息》 from the plain text extracted from its PDF."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="parse and print, store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--kind", choices=["regular", "special"])
        parser.add_argument("--year", type=int)
        parser.add_argument("--number", type=int)
        parser.add_argument("--total", type=int, dest="total_number")
        parser.add_argument("--date", type=iso_date)
        parser.add_argument("--draft", action="store_true", help="import as a draft instead of published")
        parser.add_argument("--replace", action="store_true", help="overwrite an issue with the same numbers")
        parser.add_argument("--by", metavar="USERNAME", help="who corrects a published issue when replacing it")

    def handle(self, *args, path, dry_run, format, draft, replace, by, **options):
        overrides = {key: options[key] for key in ("kind", "year", "number", "total_number", "date")}
        try:
            parsed = parse_issue(read_text(path), **overrides)
        except ParseError as exc:
            raise CommandError(f"{path}: {exc}") from None

        if dry_run:
            if format == "json":
                self.stdout.write(json.dumps(parsed.as_dict(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(self.summary(parsed))
            return

        user = None
        if by:
            user = User.objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"--by：没有用户 {by}")
        try:
            issue = store_issue(parsed, draft=draft, replace=replace, by=user)
        except ImportConflict as exc:
            raise CommandError(f"{path}: {exc}") from None
        if draft:
            self.stdout.write(f"已导入为草稿 id={issue.id}")
        else:
            self.stdout.write(
                f"已导入 {issue_line(issue)}"
                f"（文章 {len(parsed.articles)} 篇，信息摘登 {len(parsed.briefs)} 则，id={issue.id}）"
            )

    @staticmethod
    def summary(parsed) -> str:
        total = f"(总第 {parsed.total_number} 期)" if parsed.total_number else ""
        lines = [f"{parsed.year} 年{Issue.Kind(parsed.kind).label}第 {parsed.number} 期{total} {parsed.date}"]
        for section in parsed.sections:
            lines.append(f"[{section.name or '—'}]")
            for a in section.articles:
                lines.append(f"  {a.title} ({' '.join([a.unit, *a.authors])}) {len(a.paragraphs)} 段")
        lines.append(f"[信息摘登] {len(parsed.briefs)} 则")
        lines += [f"  ({' '.join([b.unit, *b.authors])})" for b in parsed.briefs]
        return "\n".join(lines)
