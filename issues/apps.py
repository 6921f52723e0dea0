from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "刊物"

    def ready(self):
        from issues import similar

        similar.connect()  # fingerprints for near-duplicate search follow every saved or deleted text
