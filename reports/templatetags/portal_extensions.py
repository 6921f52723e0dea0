"""Template side of reports.extensions: what other apps add to the portal's menu and a report's page."""

from django import template

from reports import extensions

register = template.Library()


@register.inclusion_tag("reports/_nav_extensions.html", takes_context=True)
def portal_nav(context):
    request = context.get("request")
    access = context.get("access")
    if request is None or access is None:
        return {"items": []}
    return {"items": extensions.nav_items(request, access)}


@register.inclusion_tag("reports/_report_facts.html")
def report_facts(report):
    return {"facts": extensions.facts_for(report)}
