import re

from django import template
from django.utils.html import conditional_escape, format_html
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


# --- The 目录's long entries -------------------------------------------------------------------------------

#: How many em of a 目录 entry's title fit on a line of the printed page, the page number and a dot leader beside
#: it: the A4 text block (156 mm) less the section column (5.5 em) at 16 pt, less about 2 em for ` …12`.
TOC_LINE_EM = 20.0
_OPENING = "“‘《（(〈「『【"
_CLOSING = "”’》）)〉」』】，。、：；！？,.:;!?·…—"


def text_width(text: str) -> float:
    """Width in em: CJK characters and full-width punctuation 1, Latin letters, digits and spaces half."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "“”‘’…—·" else 1.0 for ch in text)


def balanced_lines(title: str, line_em: float = TOC_LINE_EM) -> list[str]:
    """Split a title too long for one line into as few lines as it needs, of even width, at word boundaries.

    A break goes between two words (jieba), never before closing or after opening punctuation, rather outside
    quotes and brackets than inside, and, at an equal balance, after a punctuation mark:
    `市人大常委会出台全国首部 / 数字贸易领域地方性法规`, never `…地方性法 / 规`.
    """
    total = text_width(title)
    if total <= line_em:
        return [title]
    from issues.search import _segmenter

    lines_needed = int(total // line_em) + 1
    cuts, offset = [], 0
    for word in _segmenter().cut(title, HMM=False):
        offset += len(word)
        if 0 < offset < len(title) and title[offset] not in _CLOSING and title[offset - 1] not in _OPENING:
            cuts.append(offset)
    if not cuts:
        return [title]
    lines, start = [], 0
    for n in range(1, lines_needed):
        target = total * n / lines_needed
        options = [c for c in cuts if c > start and text_width(title[start:c]) <= line_em]
        if not options:
            break

        def badness(cut, target=target):
            bonus = 0.75 if title[cut - 1] in _CLOSING else 0.0
            head = title[:cut]
            quoted = sum(head.count(o) - head.count(c) for o, c in ("“”", "《》", "（）", "()")) > 0
            return abs(text_width(head) - target) - bonus + (3.0 if quoted else 0.0)

        cut = min(options, key=badness)
        lines.append(title[start:cut])
        start = cut
    lines.append(title[start:])
    return lines


@register.filter
def toc_title(title: str) -> str:
    """A 目录 entry's title, a long one in balanced parts that each keep to a line (`.toc-line` spans joined by <wbr>):
    the line breaks between them, on the page and in the PDF, wherever the entry no longer fits on one line."""
    lines = balanced_lines(title)
    if len(lines) == 1:
        return conditional_escape(title)
    html = []
    for n, line in enumerate(lines):
        if n:  # a space the title has between two parts stays (it breaks too); else a break opportunity
            html.append(" " if lines[n - 1][-1:].isspace() or line[:1].isspace() else "<wbr>")
        html.append(format_html('<span class="toc-line">{}</span>', line.strip()))
    return mark_safe("".join(html))
