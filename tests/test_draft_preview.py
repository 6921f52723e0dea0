"""The editor's 预览 PDF of a draft: the background worker renders it after each change, the click is answered with
that file; a change the worker has not caught up with is rendered in the request; previews stay private and go
when the issue is published."""

import pytest
from django.core.management import call_command

from issues import previews, services
from issues.models import Piece
from tests import pdftools
from tests.conftest import SEED_REGULAR_2, import_seed

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def preview_text(client, issue, tmp_path) -> str:
    response = client.get(f"/preview/issues/{issue.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    path = tmp_path / "preview.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    return "".join(pdftools.pdftotext(path).split())


def stored_previews(settings) -> list[str]:
    folder = settings.PRIVATE_MEDIA_ROOT / previews.FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_worker_renders_the_preview_after_a_change_and_the_click_serves_it(
    client, editor, settings, tmp_path, monkeypatch
):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    article = draft.articles()[0]
    services.edit_piece(article, by=editor, title="预览前改过的标题")
    run_worker()
    assert len(stored_previews(settings)) == 1
    assert not list((settings.MEDIA_ROOT).glob("**/*.pdf"))  # drafts never reach the public media folder

    def no_render(*args, **kwargs):
        raise AssertionError("the stored preview should have answered")

    import issues.pdf

    monkeypatch.setattr(issues.pdf, "render_issue_pdf", no_render)
    client.force_login(editor)
    assert "预览前改过的标题" in preview_text(client, draft, tmp_path)


def test_a_change_not_yet_rendered_is_rendered_in_the_request_never_an_old_preview(client, editor, settings, tmp_path):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    article = draft.articles()[0]
    services.edit_piece(article, by=editor, title="第一次的标题")
    run_worker()
    Piece.objects.filter(pk=article.pk).update(title="绕过保存的新标题")  # no signal: the worker knows nothing
    client.force_login(editor)
    text = preview_text(client, draft, tmp_path)
    assert "绕过保存的新标题" in text and "第一次的标题" not in text
    assert len(stored_previews(settings)) == 1  # the request's render replaced the old one


def test_publishing_removes_the_previews(client, editor, settings):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    services.edit_piece(draft.articles()[0], by=editor, title="改过的标题")
    run_worker()
    assert stored_previews(settings)
    services.publish(draft, by=editor)
    assert stored_previews(settings) == []


def test_others_cannot_fetch_a_preview(client, submitter, editor):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    services.edit_piece(draft.articles()[0], by=editor, title="改过的标题")
    run_worker()
    assert client.get(f"/preview/issues/{draft.pk}/pdf/").status_code == 404
    client.force_login(submitter)
    assert client.get(f"/preview/issues/{draft.pk}/pdf/").status_code == 404


def test_loading_data_queues_no_render(editor):
    """`loaddata` (a restore) saves raw rows: the archive brings the queued renders and the stored previews itself."""
    from django.core import serializers
    from django_tasks_db.models import DBTaskResult

    from issues.tasks import render_draft_preview

    draft = import_seed(SEED_REGULAR_2, draft=True)
    rows = serializers.serialize("json", [draft, *Piece.objects.filter(issue=draft)])
    DBTaskResult.objects.all().delete()
    for row in serializers.deserialize("json", rows):
        row.save()
    assert not DBTaskResult.objects.filter(task_path=render_draft_preview.module_path).exists()


def waiting_renders(issue) -> int:
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from issues.tasks import render_draft_preview

    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=render_draft_preview.module_path, args_kwargs__args__0=issue.pk
    ).count()


def test_one_render_waits_per_draft_and_a_change_after_the_worker_took_it_queues_another(editor):
    """What is waiting is read from the task table, which the web and worker processes share (a flag in the
    default cache is per process: the worker could not clear the web process's, and changes went unqueued)."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    draft = import_seed(SEED_REGULAR_2, draft=True)
    article = draft.articles()[0]
    services.edit_piece(article, by=editor, title="第一次的标题")
    services.edit_piece(article, by=editor, title="第二次的标题")
    assert waiting_renders(draft) == 1  # the waiting render will read the draft as it is when it runs
    # The worker, another process, takes the waiting render (its cache is not this process's).
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(status=TaskResultStatus.SUCCESSFUL)
    services.edit_piece(article, by=editor, title="第三次的标题")
    assert waiting_renders(draft) == 1


def test_a_drop_moving_many_pieces_queues_one_render_with_one_look_at_the_queue(editor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = import_seed(SEED_REGULAR_2, draft=True)
    run_worker()
    assert waiting_renders(draft) == 0
    groups = [(section_id, ids[::-1]) for section_id, ids in services._groups(draft)][::-1]
    with CaptureQueriesContext(connection) as queries:
        services.arrange(draft, groups)
    assert waiting_renders(draft) == 1
    assert len([q for q in queries.captured_queries if "django_tasks_database" in q["sql"]]) == 2  # look, queue
