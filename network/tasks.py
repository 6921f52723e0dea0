"""The network's background work, run by `manage.py db_worker` (django-tasks-db has no cron: the task books its
own next run)."""

import logging

from django.tasks import task

logger = logging.getLogger(__name__)


@task
def daily_reminders() -> int:
    """Send today's due reminders (idempotent: a second run the same day sends none), then book tomorrow's run."""
    from network import services

    try:
        sent = services.run_reminders()
        logger.info("Daily reminders: %s sent", len(sent))
        return len(sent)
    finally:
        services.ensure_scheduled()


@task
def mail_reminder(reminder_id: int) -> str:
    """Mail one reminder (queued with it, so that no web request waits on the mail server)."""
    from network import services

    return "sent" if services.mail(reminder_id) else "not sent"
