"""The stored PDF of a published issue: who renders it, where it is kept, and what happens when a render fails.

One render per version, whatever the number of web processes and workers: a process renders only after
claiming the issue with one conditional UPDATE (`claim`). A claim older than ISSUE_PDF_RENDER_TIMEOUT is taken
as a render that died with its process (a killed worker, say): the issue is marked failed, the dead task too,
and a new render is queued (`recover_stale_renders`, called by the worker before each task and by the pages
that show the PDF's state). A failure, of the render or of the storage, is recorded on the issue and raised.

Files carry a random part in their names and superseded ones are deleted: an older version's text is not left
at a guessable /media/ address.
"""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

logger = logging.getLogger(__name__)

PDF_DIR = "issues/pdf"
TASK_PATH = "issues.tasks.render_issue_pdf"


class PdfNotStored(OSError):
    """The PDF was rendered but could not be stored; `data` still holds it, so a waiting reader can have it."""

    def __init__(self, message: str, data: bytes):
        super().__init__(message)
        self.data = data


def _timeout() -> timedelta:
    return timedelta(seconds=settings.ISSUE_PDF_RENDER_TIMEOUT)


def _issues():
    from issues.models import Issue

    return Issue


def claim(issue) -> bool:
    """Take the render of the issue's current version for this process; False if another process is rendering
    it (and has not been at it for longer than any render takes) or it is stored already."""
    Issue = _issues()
    now = timezone.now()
    rendering = Q(pdf_status=Issue.PdfStatus.RENDERING, pdf_render_started_at__gte=now - _timeout())
    stored = Q(pdf_version=F("content_version")) & ~Q(pdf="")
    claimed = (
        Issue.objects.filter(pk=issue.pk)
        .exclude(rendering | stored)
        .update(pdf_status=Issue.PdfStatus.RENDERING, pdf_render_started_at=now)
    )
    return claimed == 1


def _file_prefix(issue) -> str:
    return f"{issue.year}-{issue.kind}-{issue.number}-{issue.pk}-v"


def render_and_store(issue) -> bytes | None:
    """Render and store the current version if this process can claim it; the PDF, or None if not claimed."""
    from issues.pdf import render_issue_pdf

    Issue = _issues()
    if not claim(issue):
        return None
    issue.refresh_from_db(fields=["content_version", "pdf", "pdf_version"])
    version = issue.content_version
    try:
        data = render_issue_pdf(issue)
    except Exception as exc:
        _fail(issue, f"生成 PDF 失败：{exc!r}")
        raise
    old_name = issue.pdf.name
    try:
        issue.pdf.save(f"{_file_prefix(issue)}{version}-{secrets.token_hex(8)}.pdf", ContentFile(data), save=False)
    except Exception as exc:
        issue.pdf.name = old_name
        _fail(issue, f"无法保存 PDF 文件（请检查存储目录是否可写）：{exc!r}")
        raise PdfNotStored(str(exc), data) from exc
    done = Issue.PdfStatus.DONE
    Issue.objects.filter(pk=issue.pk).update(
        pdf=issue.pdf.name,
        pdf_version=version,
        # Changed again while rendering: this file is served meanwhile, the newer version is queued below.
        pdf_status=Case(When(content_version=version, then=Value(done)), default=Value(Issue.PdfStatus.PENDING)),
        pdf_error="",
        pdf_rendered_at=timezone.now(),
        pdf_render_started_at=None,
    )
    issue.refresh_from_db(fields=["content_version", "pdf_status", "pdf_version", "pdf_error", "pdf_rendered_at"])
    _delete_superseded(issue, keep=issue.pdf.name)
    if issue.content_version != version:
        issue.request_pdf()
    return data


def _fail(issue, message: str) -> None:
    Issue = _issues()
    Issue.objects.filter(pk=issue.pk).update(
        pdf_status=Issue.PdfStatus.FAILED, pdf_error=message[:2000], pdf_render_started_at=None
    )
    issue.pdf_status, issue.pdf_error = Issue.PdfStatus.FAILED, message[:2000]


def _delete_superseded(issue, *, keep: str) -> None:
    """Every other file of this issue, including ones left by a render that died before it could tidy up."""
    storage = issue.pdf.storage
    prefix = _file_prefix(issue)
    try:
        _, files = storage.listdir(PDF_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{PDF_DIR}/{name}"
        if name.startswith(prefix) and path != keep:
            try:
                storage.delete(path)
            except OSError:
                logger.exception("Could not delete superseded PDF %s", path)


def recover_stale_renders(issue_ids=None) -> list[int]:
    """Renders claimed longer ago than any render takes died with their process: record them as failed (the
    task too, which would otherwise stay 'running' for ever) and queue a new render. The issues recovered."""
    from django_tasks_db.models import DBTaskResult

    Issue = _issues()
    cutoff = timezone.now() - _timeout()
    dead = Q(pdf_status=Issue.PdfStatus.RENDERING) & (
        Q(pdf_render_started_at__lt=cutoff) | Q(pdf_render_started_at__isnull=True)
    )
    candidates = Issue.objects.filter(dead)
    if issue_ids is not None:
        candidates = candidates.filter(pk__in=issue_ids)
    minutes = max(1, settings.ISSUE_PDF_RENDER_TIMEOUT // 60)
    message = f"PDF 生成超过 {minutes} 分钟仍未完成（后台进程可能已中断），已自动重新排队。"
    recovered = []
    for issue in candidates:
        # Conditional, so that of several processes noticing it at once only one records it and queues a render.
        if Issue.objects.filter(dead, pk=issue.pk).update(
            pdf_status=Issue.PdfStatus.FAILED, pdf_error=message, pdf_render_started_at=None
        ):
            logger.warning("PDF render of issue %s was abandoned; queued again", issue.pk)
            issue.request_pdf()
            recovered.append(issue.pk)
    # The dead process's task, whatever the issue's state became since (a retry queued meanwhile, say).
    tasks = DBTaskResult.objects.running().filter(task_path=TASK_PATH, started_at__lt=cutoff)
    if issue_ids is not None:
        tasks = tasks.filter(args_kwargs__args__0__in=list(issue_ids))
    for task in tasks:
        task.set_failed(TimeoutError(message))
    return recovered
