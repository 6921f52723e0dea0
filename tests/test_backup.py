"""backup → restore round trip on PostgreSQL: from the test database into a second, freshly migrated one."""

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from issues.models import Article, Issue
from issues.search import search
from renda.backup import EXCLUDED
from reports.models import Attachment, Report
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, database_url, import_seed
from tests.desk import make_report
from tests.portal import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent


def summary() -> dict:
    """Every row of every model the backup keeps (history models, the task queue, content types included) and every
    stored file's SHA-256."""
    rows = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy and model._meta.label not in EXCLUDED:
            values = model._base_manager.order_by("pk").values()
            rows[model._meta.label] = json.loads(json.dumps(list(values), default=str))
    files = {}
    for top, root in (("media", settings.MEDIA_ROOT), ("private", settings.PRIVATE_MEDIA_ROOT)):
        for path in sorted(Path(root).rglob("*")):
            if path.is_file():
                files[f"{top}/{path.relative_to(root)}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"rows": rows, "files": files}


@pytest.fixture
def empty_install(tmp_path):
    """A second database, migrated by `manage.py migrate` as on a new machine, with its own file directories."""
    name = connection.settings_dict["NAME"] + "_restore"
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": database_url(name),
        "SECRET_KEY": "restore-test",
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "restored-private"),
        "LOG_LEVEL": "WARNING",
    }
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    result = run("migrate", "--no-input")
    assert result.returncode == 0, result.stderr
    yield run
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_content(editor, submitter):
    """Issues (one with its stored PDF), reports through the workflow (history, versions), an attachment, and the
    daily reminder run that every install has queued."""
    from issues.pdf import render_issue_pdf
    from network.services import ensure_scheduled

    published = import_seed(SEED_REGULAR_4)
    import_seed(SEED_REGULAR_2, draft=True)
    published.pdf.save(f"issues/pdf/{published.pk}-v1.pdf", ContentFile(render_issue_pdf(published)), save=False)
    Issue.objects.filter(pk=published.pk).update(pdf=published.pdf.name, pdf_status=Issue.PdfStatus.DONE)
    accepted = make_report(submitter, "上城区：专题询问", status=Report.Status.ACCEPTED, editor=editor)
    make_report(submitter, "上城区：草稿", status=Report.Status.DRAFT)
    photo = Attachment(
        report=accepted,
        original_name="现场照片.jpg",
        kind=Attachment.Kind.IMAGE,
        content_type="image/jpeg",
        size=len(jpeg_bytes()),
        uploaded_by=submitter,
    )
    photo.file.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    photo.save()
    ensure_scheduled()
    return published


def test_backup_restores_into_an_empty_install_with_everything_equal(editor, submitter, empty_install, tmp_path):
    make_content(editor, submitter)
    archive = tmp_path / "renda.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert {"manifest.json", "data.exact_jsonl"} <= set(names)
    assert any(name.startswith("media/issues/pdf/") for name in names)
    assert any(name.startswith("private/") for name in names)

    result = empty_install("restore", str(archive))
    assert result.returncode == 0, result.stderr
    assert "已恢复" in result.stdout
    script = "import json, django; django.setup(); from tests.test_backup import summary; print(json.dumps(summary()))"
    restored = empty_install("shell", "--no-imports", "-c", script)
    assert restored.returncode == 0, restored.stderr
    restored = json.loads(restored.stdout)
    source = summary()

    compared = ("issues.Issue", "reports.Report", "reports.Attachment", "reports.HistoricalReport")
    for label in (*compared, "django_tasks_database.DBTaskResult"):
        assert source["rows"][label], label  # the comparison compares something
    for label, rows in source["rows"].items():
        for before, after in zip(rows, restored["rows"][label], strict=True):
            assert {k: v for k, v in after.items() if before.get(k) != v} == {}, label
    assert restored["rows"] == source["rows"]
    assert restored["files"] == source["files"]
    assert any(name.endswith(".pdf") for name in source["files"])

    # Search works on the restored copy: the generated search vectors were recomputed by the database.
    query = "from issues.models import Article; from issues.search import search; "
    query += "print(search(Article.objects.all(), '数字贸易').count())"
    found = empty_install("shell", "--no-imports", "-c", query)
    expected = search(Article.objects.all(), "数字贸易").count()
    assert expected > 0 and int(found.stdout) == expected

    # A second restore into the now-filled install is refused, naming why, and changes nothing.
    again = empty_install("restore", str(archive))
    assert again.returncode != 0
    assert "数据库不是空的" in again.stderr and "--replace" in again.stderr
    # With --replace it overwrites, and the result is the same again: files the install had and the archive has not
    # are gone, from both folders.
    for stray in ("restored-media/issues/pdf/1-v9.pdf", "restored-media/editor/外来.png", "restored-private/a/b.jpg"):
        (tmp_path / stray).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / stray).write_bytes(b"not in the archive")
    replaced = empty_install("restore", "--replace", str(archive))
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads(empty_install("shell", "--no-imports", "-c", script).stdout) == source


def test_restore_refuses_something_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        readme = tmp_path / "README"
        readme.write_text("x")
        tar.add(readme, arcname="README")
    with pytest.raises(Exception, match="不是 renda 的备份文件"):
        call_command("restore", str(bogus))


def test_restore_refuses_a_file_that_is_not_an_archive(tmp_path):
    not_an_archive = tmp_path / "会议纪要.tar.gz"
    not_an_archive.write_bytes(b"PK\x03\x04 not a gzip stream")
    with pytest.raises(CommandError, match="不是 renda 的备份文件"):
        call_command("restore", str(not_an_archive))


def test_backup_to_a_folder_that_does_not_exist_is_refused_before_reading_anything(tmp_path, monkeypatch):
    dumped = []
    monkeypatch.setattr("renda.backup.call_command", lambda *args, **options: dumped.append(args))
    with pytest.raises(CommandError, match=r"无法写入 .*没有这个目录：文件或目录不存在。未做备份"):
        call_command("backup", str(tmp_path / "没有这个目录" / "renda.tar.gz"))
    with pytest.raises(CommandError, match="是一个目录"):
        call_command("backup", str(tmp_path))
    assert dumped == [] and list(tmp_path.iterdir()) == []


def test_a_backup_that_fails_while_writing_leaves_no_file(tmp_path, monkeypatch):
    def disk_full(tar, tmp):
        raise OSError(28, "No space left on device", str(tmp_path / "renda.tar.gz.partial"))

    monkeypatch.setattr("renda.backup._write_contents", disk_full)
    with pytest.raises(CommandError, match=r"备份未完成.*磁盘空间不足.*没有留下备份文件"):
        call_command("backup", str(tmp_path / "renda.tar.gz"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kept", [0.1, 0.6, 0.99])
def test_restore_refuses_a_truncated_archive_and_changes_nothing(editor, submitter, tmp_path, kept):
    """Cut short in the manifest, in the files, or in the compressed stream's trailer: refused before the database
    is flushed or a file folder emptied, even with --replace."""
    make_content(editor, submitter)
    archive = tmp_path / "renda.tar.gz"
    call_command("backup", str(archive))
    data = archive.read_bytes()
    archive.write_bytes(data[: int(len(data) * kept)])
    before = summary()
    assert before["files"]
    with pytest.raises(CommandError, match=r"不完整或已损坏.*未做任何改动"):
        call_command("restore", str(archive), "--replace")
    assert summary() == before
