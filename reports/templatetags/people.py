"""`{{ user|person }}`: a person's name as pages show it (see reports.models.display_name)."""

from django import template

from reports.models import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    return display_name(user) if user else ""
