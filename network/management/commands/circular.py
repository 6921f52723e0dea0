from django.core.management.base import BaseCommand

from network.circulars import content_for_period, render_docx, render_pdf
from network.management.commands.scores import period_from_options


class Command(BaseCommand):
    help = (
        "Write the 通报 (adoption circular) of a year, quarter or month as DOCX or PDF: the period's circular as "
        "the desk has it (published: as published), or the default draft if there is none yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=int)
        group.add_argument("--quarter", type=int)
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, year, month=None, quarter=None, format, output, **options):
        content = content_for_period(period_from_options(year, month, quarter))
        data = render_docx(content) if format == "docx" else render_pdf(content)
        with open(output, "wb") as handle:
            handle.write(data)
        self.stderr.write(f"{content.title}：{output}（{len(data)} 字节）")
