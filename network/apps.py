from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = "信息网络"

    def ready(self):
        from network import hooks

        hooks.register()
        post_migrate.connect(_schedule_after_migrate, sender=self)


def _schedule_after_migrate(sender, using, **kwargs):
    """`migrate` (and so `make run`) leaves one daily reminder run booked in the worker's queue."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django_tasks_db.models import DBTaskResult

    from network.services import ensure_scheduled

    # Not while the queue's own table is missing (`migrate` of a single app on a new database).
    if using == DEFAULT_DB_ALIAS and DBTaskResult._meta.db_table in connections[using].introspection.table_names():
        ensure_scheduled()
