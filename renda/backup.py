"""One archive for the whole install: the database as Django data (any backend), MEDIA_ROOT, PRIVATE_MEDIA_ROOT.

The archive (.tar.gz) holds `manifest.json`, `data.exact_jsonl` (`dumpdata` of every model with its primary keys, read
in one snapshot) and the two file trees under `media/` and `private/`. It restores with the same major version of
renda: `restore` empties the target (a fresh install has rows the migrations seeded: sections, units, content
types, permissions), loads the data with the source's keys, then runs `migrate` so anything the code adds since is
created. With `replace` the two file folders are emptied too, once the data is in. Generated columns (the search
vectors) are recomputed by the database on insert.
"""

import gzip
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from renda.oserrors import reason

FORMAT = "renda-backup/1"
#: JSON Lines with full-precision times (renda.exact_jsonl); the extension names the format for loaddata.
FORMAT_NAME = "exact_jsonl"
DATA = f"data.{FORMAT_NAME}"
MANIFEST = "manifest.json"
#: Transient state not worth keeping: logins and lock-out counters.
EXCLUDED = ["sessions.Session", "axes.AccessAttempt"]
#: Rows a fresh install has before anyone used it (data migrations, post_migrate: the network's next daily run is a
#: queued task); restore replaces them.
SEEDED = {
    "contenttypes.ContentType",
    "auth.Permission",
    "issues.Section",
    "reports.Contributor",
    "django_tasks_database.DBTaskResult",
    "distribution.SubscriberGroup",
}


serializers.register_serializer(FORMAT_NAME, "renda.exact_jsonl")


def file_roots() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def write_backup(output: Path) -> dict:
    """Write the archive to `output` (atomically: a partial file never has the final name); return the manifest.

    A place that cannot be written is refused before the database is read; a failure while writing leaves no
    partial file behind."""
    output = Path(output)
    if output.is_dir():
        raise CommandError(f"{output} 是一个目录：请给出备份文件的名称，如 {output / 'renda.tar.gz'}。未做备份。")
    partial = output.with_name(output.name + ".partial")
    try:
        tar = tarfile.open(partial, "w:gz")  # noqa: SIM115 (closed by the `with tar` below)
    except OSError as exc:
        raise CommandError(f"无法写入 {partial.parent}：{reason(exc)}。未做备份。") from None
    try:
        with tar, tempfile.TemporaryDirectory(prefix="renda-backup-") as tmp:
            manifest = _write_contents(tar, Path(tmp))
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        where = f"{exc.filename}：" if exc.filename else ""
        raise CommandError(f"备份未完成（{where}{reason(exc)}），没有留下备份文件。") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _write_contents(tar: tarfile.TarFile, tmp: Path) -> dict:
    """Dump the database into `tmp` and add it, the manifest and the two file trees to `tar`."""
    data = tmp / DATA
    with transaction.atomic():
        if connection.vendor == "postgresql":  # every table read as of one moment
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command(
            "dumpdata",
            exclude=EXCLUDED,
            format=FORMAT_NAME,
            use_base_manager=True,
            output=str(data),
            verbosity=0,
        )
        counts = {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.label not in EXCLUDED and model._meta.managed and not model._meta.proxy
        }
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "django": django.get_version(),
        "database": connection.vendor,
        "rows": {label: count for label, count in sorted(counts.items()) if count},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    tar.add(tmp / MANIFEST, arcname=MANIFEST)
    tar.add(data, arcname=DATA)
    for arcname, root in file_roots().items():
        if root.is_dir():
            tar.add(root, arcname=arcname)
    return manifest


def occupied_models() -> list[str]:
    """Models with rows that a fresh install would not have: what restore would overwrite."""
    return [
        model._meta.label
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label not in SEEDED | set(EXCLUDED)
        and model._base_manager.exists()
    ]


def empty_folder(root: Path) -> None:
    """Delete everything inside `root`, keeping the folder itself (its owner and mode, or a mount point)."""
    if not root.is_dir():
        return
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def check_whole(archive: Path) -> None:
    """Read the whole compressed stream (its CRC and length included): a truncated or damaged archive raises here,
    before restore changes anything, rather than halfway through the files once the database is replaced."""
    with gzip.open(archive) as stream:
        while stream.read(1 << 20):
            pass


def restore_backup(archive: Path, *, replace: bool = False) -> dict:
    """Restore `archive` into this install; refuse one that holds data (or files) unless `replace`."""
    not_a_backup = f"{archive} 不是 renda 的备份文件（无法作为 .tar.gz 打开），未做任何改动。"
    try:
        check_whole(archive)
    except OSError as exc:  # gzip.BadGzipFile is one, without an errno
        raise CommandError(
            f"无法读取 {archive}：{reason(exc)}。未做任何改动。" if exc.errno else not_a_backup
        ) from None
    except (EOFError, zlib.error):
        raise CommandError(f"{archive} 不完整或已损坏（可能没有复制完整），未做任何改动。") from None
    try:
        tar = tarfile.open(archive, "r:gz")  # noqa: SIM115 (closed by the `with tar` below)
    except (tarfile.TarError, OSError):
        raise CommandError(not_a_backup) from None
    with tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, json.JSONDecodeError, UnicodeDecodeError):
            raise CommandError(f"{archive} 不是 renda 的备份文件（缺少 {MANIFEST}），未做任何改动。") from None
        try:
            names = tar.getnames()  # every header read before anything is changed
        except tarfile.TarError:
            raise CommandError(not_a_backup) from None
        if DATA not in names:
            raise CommandError(f"{archive} 不是 renda 的备份文件（缺少 {DATA}），未做任何改动。")
        if manifest.get("format") != FORMAT:
            raise CommandError(f"备份格式 {manifest.get('format')!r} 无法识别（需要 {FORMAT}）")
        if not replace:
            occupied = occupied_models()
            if occupied:
                raise CommandError(
                    "数据库不是空的（已有：" + "、".join(occupied[:5]) + "），未做任何改动。"
                    "请恢复到新安装的空数据库（migrate 之后），或加 --replace 覆盖现有全部数据。"
                )
            filled = [str(root) for root in file_roots().values() if root.is_dir() and any(root.iterdir())]
            if filled:
                raise CommandError(f"文件目录不是空的：{'、'.join(filled)}，未做任何改动。如需覆盖请加 --replace")
        with tempfile.TemporaryDirectory(prefix="renda-restore-") as tmp:
            tar.extract(DATA, tmp, filter="data")
            with transaction.atomic():
                # Without post_migrate, which would put back rows the archive brings with its own keys: content
                # types, permissions, and the network's daily reminder run (a second one queued after loaddata).
                call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
                ContentType.objects.clear_cache()
                call_command("loaddata", str(Path(tmp) / DATA), verbosity=0)
        roots = file_roots()
        if replace:  # the database is the archive's now: so are the files, none of the install's own left over
            for root in roots.values():
                empty_folder(root)
        members = [m for m in tar.getmembers() if m.name.split("/", 1)[0] in roots and "/" in m.name]
        for member in members:
            top, rest = member.name.split("/", 1)
            member.name = rest
            tar.extract(member, roots[top], filter="data")
    ContentType.objects.clear_cache()
    call_command("migrate", interactive=False, verbosity=0)  # content types, permissions, cache table if new
    return manifest
