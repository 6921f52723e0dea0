import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

# `（一）…。` opening a paragraph: the second level of an article's headings, set in 楷体 (layout.md). The lead
# runs to the first sentence end (and a closing quote after it), or is the whole paragraph when that is a short
# heading standing alone. Spaces before it and a <strong> around it (Word's habits) are kept.
_LEAD = (
    r"[（(][一二三四五六七八九十]{1,3}[）)]"
    r"(?:[^<。！？]{1,60}[。！？][”’」』]?|[^<。！？；]{1,40}(?=</strong>|</p>))"
)
_SUBHEAD = re.compile(rf"<p>(?P<space>[ \u3000]*)(?:<strong>(?P<strong>{_LEAD})</strong>|(?P<plain>{_LEAD}))")


def _mark(match: re.Match) -> str:
    lead = f"<strong>{match['strong']}</strong>" if match["strong"] else match["plain"]
    return f'<p>{match["space"]}<span class="subhead">{lead}</span>'


@register.filter
def subheads(body: str) -> str:
    """Mark the `（一）` lead of a paragraph in a stored body, for the web page and the PDF.

    Bodies are sanitised when saved (`reports.sanitize.RichTextField`, every write path), so the result is safe.
    """
    return mark_safe(_SUBHEAD.sub(_mark, body or ""))
