"""Background work for issues, run by `manage.py db_worker` (django-tasks-db)."""

import gc
import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def render_issue_pdf(issue_id: int, version: int) -> str:
    """Render and store the PDF of `version` of the issue, unless it is stale, stored, or rendering elsewhere.

    Renders abandoned by a dead process are recovered first. A failure is recorded on the issue
    (`pdf_status=failed`, `pdf_error`) and raised, so that the task is recorded as failed too; the last good
    file stays served.
    """
    from issues.models import Issue
    from issues.stored_pdf import recover_stale_renders

    try:
        recover_stale_renders()
        issue = Issue.objects.get(pk=issue_id)
        if issue.content_version != version:
            return "stale"
        if issue.has_current_pdf:
            return "already stored"
        try:
            stored = issue.store_pdf()
        except Exception:
            logger.exception("PDF of issue %s version %s failed", issue_id, version)
            raise
        return "done" if stored is not None else "rendering elsewhere"
    except Issue.DoesNotExist:
        return "missing"
    finally:
        gc.collect()  # a render leaves ~70 MB of cyclic garbage in a long-running worker
