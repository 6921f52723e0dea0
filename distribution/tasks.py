"""The distribution's background work, run by `manage.py db_worker`: each step books the next one.

django-tasks-db does not retry a failed task, so a step books the next one even when it fails (an exception in a
batch, the database gone for a moment); a mailing whose worker died mid-step is put back in the queue by
`services.resume_stalled_mailings` (after `migrate`, and whenever the desk shows the mailings under way).
"""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def send_mailing(mailing_id: int) -> str:
    """One step of an issue's mailing (wait for the PDF, or send a batch); books the next step if any."""
    from distribution.services import retry_after_failure, run_mailing

    next_run = None
    try:
        next_run = run_mailing(mailing_id)
    except Exception:
        logger.exception("Mailing %s: a step failed; the next one is booked", mailing_id)
        next_run = retry_after_failure(mailing_id)
        raise
    finally:
        if next_run is not None:
            send_mailing.using(run_after=next_run).enqueue(mailing_id)
    if next_run is None:
        return "done"
    return f"next step at {next_run.isoformat()}"


@task
def send_confirmation(subscriber_id: int) -> str:
    """Mail a reader's subscription confirmation link; after a failure, book the next attempt."""
    from distribution.services import mail_confirmation

    retry_at = mail_confirmation(subscriber_id)
    if retry_at is None:
        return "done"
    send_confirmation.using(run_after=retry_at).enqueue(subscriber_id)
    return f"failed, next attempt at {retry_at.isoformat()}"
