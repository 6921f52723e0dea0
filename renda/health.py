"""/health/ for a load balancer: 200 when this app server can serve, 503 naming what failed."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failure("database", exc)
    return None


def _failure(check: str, exc: Exception) -> str:
    """What the (unauthenticated) answer says of an error: its kind only. The message, which names the database
    server, port, user and tables, goes to the log."""
    logger.warning("health check %s: %s: %s", check, type(exc).__name__, exc)
    return f"{check}: {type(exc).__name__} (details in the server log)"


def check_task_queue() -> str | None:
    """The task table is readable and no task has waited to start longer than HEALTH_TASK_MAX_WAIT_SECONDS.

    django-tasks-db keeps no worker heartbeat; a task left waiting that long means no worker runs or it is far
    behind (a render takes seconds). Tasks stuck *running* are the renderer's business: it retries them.
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    limit = timezone.now() - timedelta(seconds=settings.HEALTH_TASK_MAX_WAIT_SECONDS)
    waiting = DBTaskResult.objects.ready().filter(enqueued_at__lt=limit)
    waiting = waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lt=limit))  # due that long ago
    try:
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as exc:
        return _failure("task queue", exc)
    if oldest is not None:
        waited = int((timezone.now() - oldest).total_seconds())
        return f"task queue: a task has waited {waited} s to start (is db_worker running?)"
    return None


@never_cache
@require_safe  # GET, and HEAD for the load balancers and monitors that ask with it
def health(request):
    checks = {"database": check_database()}
    checks["task_queue"] = check_task_queue() if checks["database"] is None else "skipped: no database"
    failed = {name: problem for name, problem in checks.items() if problem}
    if failed:
        logger.warning("health check failed: %s", "; ".join(failed.values()))
    body = {"status": "fail" if failed else "ok", "checks": {name: problem or "ok" for name, problem in checks.items()}}
    return JsonResponse(body, status=503 if failed else 200, json_dumps_params={"ensure_ascii": False})
