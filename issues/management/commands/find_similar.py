"""List what the desk would list as similar to a report with this text: `find_similar TEXTFILE [--format json]`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.html import escape

from issues import similar
from renda.oserrors import reason


class Command(BaseCommand):
    help = (
        "Similar reports of the last 12 months and published pieces for the text in TEXTFILE (plain text, one "
        "paragraph a line; the first line is taken as the title), best first, above the desk's threshold."
    )

    def add_arguments(self, parser):
        parser.add_argument("textfile")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, textfile, format, **options):
        try:
            lines = [line.strip() for line in Path(textfile).read_text(encoding="utf-8-sig").splitlines()]
        except OSError as exc:
            raise CommandError(f"无法读取 {textfile}：{reason(exc)}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{textfile} 不是 UTF-8 编码的文本文件，请另存为 UTF-8 后再试。") from None
        lines = [line for line in lines if line]
        title, paragraphs = (lines[0], lines[1:]) if lines else ("", [])
        body = "".join(f"<p>{escape(line)}</p>" for line in paragraphs)
        found = similar.find_similar(title, body)
        if format == "json":
            self.stdout.write(json.dumps([item.as_dict() for item in found], ensure_ascii=False, indent=2))
            return
        if not found:
            self.stdout.write(f"没有相似的稿件（相似度阈值 {similar.THRESHOLD:.2f}）。")
        for item in found:
            kind = item.kind_label.ljust(4, "\u3000")  # 文章 / 信息摘登 / 报送信息, aligned in full-width spaces
            self.stdout.write(f"{item.similarity:.2f}  {kind} {item.id:>6}  {item.title}（{item.where}）")
