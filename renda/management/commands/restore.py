from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from renda.backup import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into an empty install (run `migrate` first). "
        "Refuses a database or file directory that holds data, unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--replace", action="store_true", help="delete everything in this install and restore the archive"
        )

    def handle(self, *args, archive, replace, **options):
        if not Path(archive).is_file():
            raise CommandError(f"找不到备份文件：{archive}")
        manifest = restore_backup(Path(archive), replace=replace)
        self.stdout.write(
            f"已恢复 {archive}（{manifest['created_at']} 备份，{sum(manifest['rows'].values())} 行数据）。"
        )
