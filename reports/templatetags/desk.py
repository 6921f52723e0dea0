from django import template
from django.db.models import Count, Q

register = template.Library()


@register.inclusion_tag("admin/desk_summary.html", takes_context=True)
def desk_summary(context):
    """The editor's desk at a glance on the admin index: what waits, what is ready to place, the draft issues."""
    from issues.models import Issue
    from reports import extensions
    from reports.models import Report, is_editor

    user = context["request"].user
    if not is_editor(user):
        return {"show": False}
    counts = Report.objects.aggregate(
        waiting=Count("id", filter=Q(status=Report.Status.SUBMITTED)),
        unplaced=Count("id", filter=Q(Report.UNPLACED, status=Report.Status.ACCEPTED)),
    )
    drafts = Issue.objects.drafts().annotate(
        article_count=Count("piece_set", filter=Q(piece_set__kind="article")),
        brief_count=Count("piece_set", filter=Q(piece_set__kind="brief")),
    )
    panels = extensions.render_desk_panels(context["request"])
    return {"show": True, **counts, "drafts": drafts, "panels": panels}
