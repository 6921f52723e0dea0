"""The editor's 预览 PDF of a draft: rendered by the background worker after each change to the draft and kept per
content (the hash of the HTML the PDF is made from), so a click on 预览 PDF is answered with a stored file.

A draft is private: its previews live in PRIVATE_MEDIA_ROOT/previews, never under MEDIA_ROOT, and only the
newest of each issue is kept. A preview whose content is not stored yet (the worker is behind, or something the
draft shows changed elsewhere, such as a unit's name) is rendered in the request and stored for the next click.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from issues.models import prefetch_contents
from reports.models import PrivateStorage

FOLDER = "previews"


def issue_html(issue) -> str:
    """The HTML the issue's PDF is made from (templates/pdf/issue.html)."""
    prefetch_contents([issue])
    return render_to_string("pdf/issue.html", {"issue": issue})


def _storage() -> PrivateStorage:
    return PrivateStorage()


def _name(issue, html: str) -> str:
    return f"{FOLDER}/issue-{issue.pk}-{hashlib.sha256(html.encode()).hexdigest()[:40]}.pdf"


def stored(issue, html: str) -> bytes | None:
    """The stored preview of exactly this content, if any."""
    storage, name = _storage(), _name(issue, html)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as file:
        return file.read()


def store(issue, html: str, data: bytes) -> None:
    """Keep `data` as the preview of this content; the issue's older previews go."""
    storage, name = _storage(), _name(issue, html)
    prefix = f"issue-{issue.pk}-"
    if storage.exists(FOLDER):
        for old in storage.listdir(FOLDER)[1]:
            if old.startswith(prefix) and f"{FOLDER}/{old}" != name:
                storage.delete(f"{FOLDER}/{old}")
    if not storage.exists(name):
        storage.save(name, ContentFile(data))


def discard(issue) -> None:
    """Remove the issue's previews (it was published, or deleted)."""
    storage = _storage()
    if storage.exists(FOLDER):
        for old in storage.listdir(FOLDER)[1]:
            if old.startswith(f"issue-{issue.pk}-"):
                storage.delete(f"{FOLDER}/{old}")


class _QueueRender:
    """After the commit: queue a render of the draft's preview unless one is waiting already.

    What waits is read from the task table, which the web processes and the worker share (a flag in the cache
    would be per process under the default locmem cache). A render already running may have read the draft before
    this change, so only a waiting one counts. Two commits at once may both queue one: the second finds its
    content stored and returns (`render_queued`).
    """

    def __init__(self, issue_id: int):
        self.issue_id = issue_id

    def __call__(self):
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from issues.tasks import render_draft_preview

        waiting = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY,
            task_path=render_draft_preview.module_path,
            args_kwargs__args__0=self.issue_id,
        )
        if not waiting.exists():
            render_draft_preview.enqueue(self.issue_id)


def request_render(issue_id: int) -> None:
    """Queue a render of the draft's preview once the surrounding transaction commits (once while one waits).

    One check per transaction: a desk drop saves many pieces of one issue."""
    pending = transaction.get_connection().run_on_commit  # (savepoints, callback, robust) until the commit
    if not any(isinstance(callback, _QueueRender) and callback.issue_id == issue_id for _, callback, _ in pending):
        transaction.on_commit(_QueueRender(issue_id))


def render_queued(issue_id: int) -> str:
    """The worker's side: render the draft's preview as it is now, unless it is stored already."""
    from issues.models import Issue
    from issues.pdf import render_issue_pdf

    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return "missing"
    if issue.is_published:
        discard(issue)
        return "published"
    html = issue_html(issue)
    if stored(issue, html) is not None:
        return "already stored"
    store(issue, html, render_issue_pdf(issue, html=html))
    return "done"


def issue_saved(sender, instance, raw=False, **kwargs):
    """A draft changed: its preview is rendered again; a published issue's previews go. Not for `loaddata` (a
    restore), which brings the queued renders and the stored previews with it."""
    if raw:
        return
    if instance.is_published:
        discard(instance)
    else:
        request_render(instance.pk)


def piece_changed(sender, instance, raw=False, **kwargs):
    """An article or brief of a draft was saved or removed: the draft's preview is rendered again (not for
    `loaddata`, as above)."""
    from issues.models import Issue, Piece

    if raw or not isinstance(instance, Piece) or instance.issue_id is None:
        return
    if Piece.issue.is_cached(instance):  # the services save pieces with their (locked) issue: no query per piece
        is_draft = instance.issue.status == Issue.Status.DRAFT
    else:
        is_draft = Issue.objects.filter(pk=instance.issue_id, status=Issue.Status.DRAFT).exists()
    if is_draft:
        request_render(instance.issue_id)
