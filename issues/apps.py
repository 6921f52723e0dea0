from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = "刊物"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from issues import previews, similar
        from issues.models import Issue

        post_save.connect(previews.issue_saved, sender=Issue, dispatch_uid="issues.previews.issue_saved")
        for name, signal in (("saved", post_save), ("deleted", post_delete)):  # any sender: Article, Brief are proxies
            signal.connect(previews.piece_changed, dispatch_uid=f"issues.previews.piece_{name}")

        similar.connect()  # fingerprints for near-duplicate search follow every saved or deleted text
