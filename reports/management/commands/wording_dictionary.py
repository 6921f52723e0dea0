"""Import or export the wording dictionary (错敏字: 机构名称, 领导职务, 错敏用语) as CSV."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from renda.oserrors import reason
from reports import wording


class Command(BaseCommand):
    help = (
        "export FILE|- writes the dictionary as CSV (UTF-8 with BOM, for Excel); import FILE (UTF-8 or GBK) adds or "
        "updates entries."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", help="CSV file, or - for standard output (export)")

    def handle(self, *args, action, file, **options):
        if action == "export":
            if file == "-":
                rows = wording.export_csv(self.stdout)
            else:
                try:
                    with Path(file).open("w", encoding="utf-8-sig", newline="") as out:
                        rows = wording.export_csv(out)
                except OSError as exc:
                    raise CommandError(f"无法写入 {file}：{reason(exc)}") from None
            # On standard error, so that `export -` leaves only the CSV on standard output.
            print(f"已导出 {rows} 条。", file=sys.stderr)
            return
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {file}：{reason(exc)}") from None
        try:
            counts = wording.import_csv(wording.decode_csv(data))  # UTF-8 or Excel's GBK, as in the admin
        except wording.ImportError_ as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("已导入：" + "，".join(f"{kind} {n} 条" for kind, n in counts.items()) + "。")
