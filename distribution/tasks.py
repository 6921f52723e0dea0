"""The distribution's background work, run by `manage.py db_worker`: each step books the next one."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def send_mailing(mailing_id: int) -> str:
    """One step of an issue's mailing (wait for the PDF, or send a batch); books the next step if any."""
    from distribution.services import run_mailing

    next_run = run_mailing(mailing_id)
    if next_run is None:
        return "done"
    send_mailing.using(run_after=next_run).enqueue(mailing_id)
    return f"next step at {next_run.isoformat()}"
