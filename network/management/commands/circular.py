from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from network.circulars import content_for_period, period_not_over, render_docx, render_pdf
from network.management.commands.scores import period_from_options
from network.management.files import write_bytes


class Command(BaseCommand):
    help = (
        "Write the 通报 (adoption circular) of a year, quarter or month as DOCX or PDF: the period's circular as "
        "the desk has it (published: as published), or the default draft if there is none yet. Only for a period that "
        "has ended; the file's extension must be the format's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=int)
        group.add_argument("--quarter", type=int)
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, year, month=None, quarter=None, format, output, **options):
        period = period_from_options(year, month, quarter)
        if reason := period_not_over(period, verb="生成"):
            raise CommandError(reason)
        if Path(output).suffix.lower() != f".{format}":
            raise CommandError(f"--format {format} 应写入扩展名为 .{format} 的文件，而不是 {output}。")
        if not Path(output).parent.is_dir():  # before rendering, which takes a while
            raise CommandError(f"无法写入 {output}：所在目录不存在。")
        content = content_for_period(period)
        data = render_docx(content) if format == "docx" else render_pdf(content)
        write_bytes(output, data)
        self.stderr.write(f"{content.title}：{output}（{len(data)} 字节）")
