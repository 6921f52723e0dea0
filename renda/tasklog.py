"""One line per background task (django.tasks signals, sent by django-tasks-db's worker): name, arguments,
outcome, duration."""

import logging
import time

from renda.logs import summary

logger = logging.getLogger("renda.tasks")
_started: dict[str, float] = {}


def task_started(sender, task_result, **kwargs):
    _started[str(task_result.id)] = time.perf_counter()


def task_finished(sender, task_result, **kwargs):
    """Never lets a logging problem fail the task it reports on."""
    try:
        _log_finished(task_result)
    except Exception:
        logger.exception("could not log task %s", task_result.id)


def _log_finished(task_result):
    started = _started.pop(str(task_result.id), None)
    if started is not None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
    elif task_result.started_at and task_result.finished_at:
        duration_ms = round((task_result.finished_at - task_result.started_at).total_seconds() * 1000, 1)
    else:
        duration_ms = None
    outcome = str(task_result.status.value if hasattr(task_result.status, "value") else task_result.status)
    result = None
    if outcome == "SUCCESSFUL":
        try:
            result = summary(task_result.return_value, 100)
        except ValueError:
            result = None
    args = summary({"args": list(task_result.args), "kwargs": dict(task_result.kwargs)})
    fields = {
        "event": "task",
        "task": task_result.task.module_path,
        "task_id": str(task_result.id),
        "task_args": args,
        "outcome": outcome,
        "result": result,
        "duration_ms": duration_ms,
    }
    logger.log(
        logging.ERROR if outcome == "FAILED" else logging.INFO,
        "task %s %s %s result=%s %sms",
        task_result.task.module_path,
        args,
        outcome,
        result,
        duration_ms,
        extra=fields,
    )
