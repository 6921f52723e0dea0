from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "邮件分发"

    def ready(self):
        from distribution import hooks

        hooks.register()
        post_migrate.connect(_resume_after_migrate, sender=self)


def _resume_after_migrate(sender, using, **kwargs):
    """`migrate` (every deploy) puts back in the queue a mailing left without a step by a dead worker."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django_tasks_db.models import DBTaskResult

    from distribution.services import resume_stalled_mailings

    # Not while the queue's own table is missing (`migrate` of a single app on a new database).
    if using == DEFAULT_DB_ALIAS and DBTaskResult._meta.db_table in connections[using].introspection.table_names():
        resume_stalled_mailings()
