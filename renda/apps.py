from axes import apps as _axes_apps
from django.apps import AppConfig
from django_tasks_db import apps as _tasks_apps


class RendaConfig(AppConfig):
    """Site-wide operations: request and task logs, /health/, backup and restore, the shared cache's table."""

    name = "renda"
    verbose_name = "运行维护"
    default = True  # the app's own config; the two below rename third-party apps (INSTALLED_APPS names them)

    def ready(self):
        from django.db.models.signals import post_migrate
        from django.tasks.signals import task_finished, task_started

        from renda import tasklog

        task_started.connect(tasklog.task_started, dispatch_uid="renda.tasklog.started")
        task_finished.connect(tasklog.task_finished, dispatch_uid="renda.tasklog.finished")
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="renda.create_cache_table")


def create_cache_table(using="default", **kwargs):
    """With CACHE_URL=db://table, `migrate` creates the table (createcachetable skips a table that exists)."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("db.DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class AxesConfig(_axes_apps.AppConfig):
    """django-axes (login lock-outs) under a Chinese name in the admin."""

    verbose_name = "登录保护"


class TasksConfig(_tasks_apps.TasksAppConfig):
    """The background tasks' results (django-tasks-db) under a Chinese name in the admin."""

    verbose_name = "后台任务"
