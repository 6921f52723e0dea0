"""The issue PDF when things fail: unwritable storage, a worker killed mid-render, two processes at once.

Real faults, not mocks: a read-only directory (a read-only bind mount when the tests run as root, whom file modes
do not stop), `manage.py db_worker` processes killed with SIGKILL, downloads from separate processes.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from issues import pdf as issue_pdf
from issues.models import Issue
from issues.tasks import render_issue_pdf as render_task
from tests.conftest import database_url

ROOT = Path(__file__).resolve().parent.parent
PDF_URL = "/issues/2024/regular/4/pdf/"


def pdf_tasks():
    """The PDF render tasks (the network's daily reminder run is queued too, after every migrate)."""
    return DBTaskResult.objects.filter(task_path="issues.tasks.render_issue_pdf")


def _writable(directory: Path) -> bool:
    probe = directory / ".probe"
    try:
        probe.write_bytes(b"x")
    except OSError:
        return False
    probe.unlink()
    return True


@pytest.fixture
def read_only_pdf_dir(settings):
    """MEDIA_ROOT/issues/pdf, made read-only for real; call `.release()` to make it writable again."""
    directory = Path(settings.MEDIA_ROOT) / "issues" / "pdf"
    directory.mkdir(parents=True, exist_ok=True)

    class ReadOnly:
        path = directory
        mounted = False

        def seal(self):
            if os.geteuid() == 0:
                subprocess.run(["mount", "--bind", "-o", "ro", str(directory), str(directory)], check=True)
                self.mounted = True
            else:
                directory.chmod(0o555)
            assert not _writable(directory), "could not make the directory read-only"

        def release(self):
            if self.mounted:
                subprocess.run(["umount", str(directory)], check=True)
                self.mounted = False
            directory.chmod(0o755)

    read_only = ReadOnly()
    yield read_only
    read_only.release()


def _env(settings, **extra) -> dict:
    return os.environ | {
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def _worker_batch(settings, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=_env(settings, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _pdf_files(settings) -> list[str]:
    directory = Path(settings.MEDIA_ROOT) / "issues" / "pdf"
    return sorted(p.name for p in directory.iterdir() if p.suffix == ".pdf") if directory.exists() else []


# --- Unwritable storage ---


def test_unwritable_storage_without_a_worker_still_gives_the_reader_the_pdf_and_the_editor_the_error(
    client, editor, published_issue, read_only_pdf_dir, django_capture_on_commit_callbacks
):
    read_only_pdf_dir.seal()
    response = client.get(PDF_URL)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.FAILED  # not 生成中 for ever
    assert "无法保存 PDF 文件" in published_issue.pdf_error and not published_issue.pdf
    client.force_login(editor)
    desk = client.get(f"/admin/issues/issue/{published_issue.pk}/change/").text
    assert "存档 PDF：生成失败" in desk and "无法保存 PDF 文件" in desk
    assert "生成失败" in client.get("/admin/issues/issue/").text
    # Retryable: once the storage is fixed, the editor's 重新生成 renders and stores it.
    read_only_pdf_dir.release()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/issues/issue/{published_issue.pk}/render-pdf/")
    task = pdf_tasks().get()
    assert render_task.call(*task.args_kwargs["args"]) == "done"
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.DONE and published_issue.pdf_error == ""


def test_unwritable_storage_keeps_serving_the_older_file(client, published_issue, read_only_pdf_dir):
    assert render_task.call(published_issue.pk, 1) == "done"
    published_issue.refresh_from_db()
    good = published_issue.pdf.read()
    published_issue.mark_changed()  # a correction: version 2 to render
    read_only_pdf_dir.seal()
    with pytest.raises(OSError):
        render_task.call(published_issue.pk, 2)
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.FAILED and published_issue.pdf_version == 1
    response = client.get(PDF_URL)
    assert response.status_code == 200 and b"".join(response.streaming_content) == good


@pytest.mark.django_db(transaction=True)
def test_a_worker_with_unwritable_storage_records_the_task_and_the_issue_as_failed(
    settings, published_issue, read_only_pdf_dir
):
    assert pdf_tasks().filter(status="READY").count() == 1  # queued on import, as on publication
    read_only_pdf_dir.seal()
    _worker_batch(settings)
    task = pdf_tasks().get()
    assert task.status == "FAILED"  # was SUCCESSFUL, with the issue left 生成中
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.FAILED and "无法保存" in published_issue.pdf_error


def test_with_no_file_and_a_failing_render_the_reader_gets_a_chinese_page(client, published_issue, monkeypatch):
    def broken(issue):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(issue_pdf, "render_issue_pdf", broken)
    response = client.get(PDF_URL)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "PDF 暂时无法下载" in page and "生成时出错" in page and "在网页上阅读本期" in page
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.FAILED and "字体缺失" in published_issue.pdf_error


# --- Renders that died ---


def test_a_render_abandoned_long_ago_is_taken_as_failed_when_a_reader_asks(
    client, published_issue, settings, django_capture_on_commit_callbacks
):
    started = timezone.now() - timedelta(seconds=settings.ISSUE_PDF_RENDER_TIMEOUT + 60)
    Issue.objects.filter(pk=published_issue.pk).update(
        pdf_status=Issue.PdfStatus.RENDERING, pdf_render_started_at=started
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(PDF_URL)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.DONE and published_issue.has_current_pdf
    assert pdf_tasks().filter(status="READY").count() == 1  # and a render was queued again


def test_a_render_in_progress_is_left_alone_and_the_reader_told_to_wait(client, published_issue, settings):
    settings.ISSUE_PDF_WAIT_SECONDS = 0.5
    Issue.objects.filter(pk=published_issue.pk).update(
        pdf_status=Issue.PdfStatus.RENDERING, pdf_render_started_at=timezone.now()
    )
    response = client.get(PDF_URL)
    assert response.status_code == 503 and "正在生成" in response.content.decode()
    assert Issue.objects.get(pk=published_issue.pk).pdf_status == Issue.PdfStatus.RENDERING


def _make_heavy(issue):
    """Long enough to render that a test can catch the worker in the middle of it."""
    for article in issue.piece_set.articles():
        article.body = article.body * 12
        article.save()


def _wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_is_recovered_and_the_pdf_rendered(client, editor, settings, published_issue):
    _make_heavy(published_issue)
    assert pdf_tasks().filter(status="READY").count() == 1  # queued on import, as on publication
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(
            lambda: Issue.objects.filter(pk=published_issue.pk, pdf_status=Issue.PdfStatus.RENDERING).exists()
        ), "the worker never started rendering"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    killed = pdf_tasks().get()
    assert killed.status == "RUNNING" and not _pdf_files(settings)

    # Far longer than any render takes (1 s here): the worker, before its next task, takes it as failed.
    settings.ISSUE_PDF_RENDER_TIMEOUT = 1
    time.sleep(1.5)
    client.force_login(editor)
    client.post(f"/admin/issues/issue/{published_issue.pk}/render-pdf/")  # any next task, here the retry
    _worker_batch(settings, ISSUE_PDF_RENDER_TIMEOUT_SECONDS="1")
    killed.refresh_from_db()
    assert killed.status == "FAILED" and "TimeoutError" in killed.exception_class_path
    published_issue.refresh_from_db()
    assert published_issue.pdf_status == Issue.PdfStatus.DONE and published_issue.has_current_pdf
    assert len(_pdf_files(settings)) == 1
    assert not pdf_tasks().filter(status__in=["READY", "RUNNING"]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_desk_no_longer_shows_a_dead_render_as_in_progress(client, editor, settings, published_issue):
    settings.ISSUE_PDF_RENDER_TIMEOUT = 1
    Issue.objects.filter(pk=published_issue.pk).update(
        pdf_status=Issue.PdfStatus.RENDERING, pdf_render_started_at=timezone.now() - timedelta(seconds=5)
    )
    client.force_login(editor)
    listing = client.get("/admin/issues/issue/").text
    assert "生成中" not in listing and "排队中" in listing
    page = client.get(f"/admin/issues/issue/{published_issue.pk}/change/").text
    assert "上次生成失败：PDF 生成超过 1 分钟仍未完成" in page


# --- One render per version, and no public leftovers ---


DOWNLOAD = """
import sys, hashlib, django
django.setup()
import weasyprint  # loaded before the start, as in a warm web process
from django.test import Client
print("ready", flush=True)
sys.stdin.readline()
response = Client().get(sys.argv[1])
body = b"".join(response.streaming_content) if response.streaming else response.content
print(response.status_code, hashlib.sha256(body).hexdigest(), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_two_first_downloads_in_two_processes_render_once(settings, published_issue):
    env = _env(settings, DJANGO_SETTINGS_MODULE="renda.settings", ALLOWED_HOSTS="testserver")
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", DOWNLOAD, PDF_URL],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for reader in readers:
        assert reader.stdout.readline().strip() == "ready"
    for reader in readers:
        reader.stdin.write("go\n")
        reader.stdin.flush()
    results = [reader.communicate(timeout=120)[0].split() for reader in readers]
    assert [r[0] for r in results] == ["200", "200"]
    assert results[0][1] == results[1][1]  # the same file
    assert len(_pdf_files(settings)) == 1  # rendered and stored once: no orphan


def test_two_first_downloads_at_once_render_once(settings, published_issue, monkeypatch):
    """The same from two threads, each with its own database connection; the renders are counted."""
    renders, real_render = [], issue_pdf.render_issue_pdf
    monkeypatch.setattr(issue_pdf, "render_issue_pdf", lambda issue: renders.append(1) or real_render(issue))
    barrier, codes = threading.Barrier(2), []

    def download():
        try:
            barrier.wait()
            codes.append(Client().get(PDF_URL).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200, 200] and len(renders) == 1


test_two_first_downloads_at_once_render_once = pytest.mark.django_db(transaction=True)(
    test_two_first_downloads_at_once_render_once
)


def test_a_superseded_pdf_is_not_left_at_a_guessable_address(settings, published_issue):
    assert render_task.call(published_issue.pk, 1) == "done"
    published_issue.refresh_from_db()
    first = Path(published_issue.pdf.path)
    assert first.name != f"2024-regular-4-{published_issue.pk}-v1.pdf"  # a random part in the name
    # A leftover of an earlier crash, at the old guessable name:
    stray = first.with_name(f"2024-regular-4-{published_issue.pk}-v1.pdf")
    stray.write_bytes(b"%PDF-pre-correction")
    published_issue.mark_changed()
    assert render_task.call(published_issue.pk, 2) == "done"
    published_issue.refresh_from_db()
    assert _pdf_files(settings) == [Path(published_issue.pdf.name).name]
    assert not first.exists() and not stray.exists()
