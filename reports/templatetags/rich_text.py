from django import template
from django.utils.safestring import mark_safe

from reports.sanitize import clean_html

register = template.Library()


@register.filter
def sanitized(html: str) -> str:
    """Stored rich text, sanitised again at display: whatever wrote it (portal, admin, import), no script runs."""
    return mark_safe(clean_html(html or ""))
