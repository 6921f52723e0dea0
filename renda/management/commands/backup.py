from pathlib import Path

from django.core.management.base import BaseCommand

from renda.backup import write_backup


class Command(BaseCommand):
    help = "Write one .tar.gz archive of the database (Django data), MEDIA_ROOT and PRIVATE_MEDIA_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("output", help="the archive to write, e.g. /var/backups/renda/renda-2025-01-31.tar.gz")

    def handle(self, *args, output, **options):
        manifest = write_backup(Path(output))
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已备份到 {output}：{rows} 行数据（{len(manifest['rows'])} 张表）及媒体文件、报送附件。")
