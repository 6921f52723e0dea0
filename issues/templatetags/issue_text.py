import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# `（一）…。` opening a paragraph: the second level of an article's headings, set in 楷体 (layout.md). The lead
# runs to the first sentence end, or is the whole paragraph when the paragraph is the heading alone.
_SUBHEAD = re.compile(r"<p>(（[一二三四五六七八九十]{1,3}）[^<。！？]{1,60}(?:[。！？]|(?=</p>)))")


@register.filter
def subheads(body: str) -> str:
    """Mark the `（一）` lead of a paragraph in an already sanitised body, for the web page and the PDF."""
    return mark_safe(_SUBHEAD.sub(r'<p><span class="subhead">\1</span>', body or ""))
