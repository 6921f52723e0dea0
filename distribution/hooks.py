"""What the distribution adds to other apps: a mailing when an issue is published (issues' signal), and the
failed addresses on the desk's summary (reports.extensions). Neither issues nor reports import this app."""

import datetime

from django.utils import timezone

from issues.signals import issue_published
from reports import extensions
from reports.models import is_editor


def on_published(sender, issue, **kwargs):
    from distribution.services import start_mailing

    start_mailing(issue)


def desk_panel(request):
    from distribution.models import Delivery, Mailing

    if not is_editor(request.user):
        return None
    recent = timezone.now() - datetime.timedelta(days=60)  # older failures stay in each mailing's log
    failed = list(
        Delivery.objects.filter(status=Delivery.Status.FAILED, mailing__created_at__gte=recent)
        .select_related("mailing__issue")
        .order_by("-mailing__created_at", "email")[:50]
    )
    mailings = list(Mailing.objects.select_related("issue").exclude(status=Mailing.Status.DONE)[:5])
    if mailings:
        from distribution.services import resume_stalled_mailings

        resume_stalled_mailings()  # one whose worker died goes on rather than showing 发送中 for ever
    if not failed and not mailings:
        return None
    return "distribution/_desk_panel.html", {"failed": failed, "mailings": mailings}


def register():
    if desk_panel not in extensions.desk_panels:
        issue_published.connect(on_published, dispatch_uid="distribution.on_published")
        extensions.desk_panels.append(desk_panel)
