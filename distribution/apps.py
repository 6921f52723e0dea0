from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "邮件分发"

    def ready(self):
        from distribution import hooks

        hooks.register()
