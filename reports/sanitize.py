"""The one HTML allowlist of the project: what the portal's CKEditor can produce, and nothing else.

Everything stored as rich text goes through `clean_html` on save: the submitter's CKEditor body, mammoth's
output from a Word file, and whatever the editors write for print. Pages, the PDF and the editor itself only ever
receive its output. Plain-text fields (titles, authors, comments, file names) are never HTML: templates escape them.
"""

import html as html_entities
import re

import nh3
from django.conf import settings
from django.db import models

TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u",
    "a", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    "figure", "figcaption", "img",
}  # fmt: skip

ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "figure": {"style"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "col": {"span"},
}

# CKEditor's own classes for images and tables; nothing that could restyle the page.
CLASSES = {"figure": {"image", "image_resized", "image-style-side", "image-style-block-align-left", "table"}}

# Tags dropped with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}

# ImageResize writes `width:NN%` on the figure: the only style kept, and only at a size that can be seen.
_WIDTH = re.compile(r"^\s*width\s*:\s*(\d{1,3}(?:\.\d+)?)%\s*;?\s*$")
_DIMENSION = re.compile(r"^\d{1,4}$")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "style":
        match = _WIDTH.match(value)
        return f"width:{match.group(1)}%" if match and 10 <= float(match.group(1)) <= 100 else None
    if element == "img" and attribute == "src":
        # Images are ours (uploaded through the portal): no foreign hosts, no data: or javascript: URLs.
        return value if value.startswith(settings.MEDIA_URL) and ".." not in value else None
    if element == "img" and attribute in {"width", "height"}:
        return value if _DIMENSION.match(value) and int(value) > 0 else None
    if attribute in {"colspan", "rowspan", "span", "start"}:
        return value if value.isdigit() and 0 < int(value) < 1000 else None
    return value


def clean_html(html: str) -> str:
    """Sanitised HTML: allowed tags and attributes only, links limited to http(s)/mailto and relative URLs."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        allowed_classes=CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


# A tag, quoted attribute values and all. Bodies are clean_html's output (or mammoth's), so a regular expression
# does what an HTML parser would, at a fraction of the cost on every save, search result and excerpt.
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")


def plain_text(html: str) -> str:
    """The words of an HTML body on one line: tags dropped, entities decoded, runs of space collapsed."""
    return " ".join(html_entities.unescape(_TAG.sub("", html)).split())


def body_has_content(html: str) -> bool:
    """Whether a body says anything: some text or an image."""
    return bool(plain_text(html)) or "<img" in html


def excerpt(html: str, length: int = 40) -> str:
    text = plain_text(html)
    return text[:length] + ("…" if len(text) > length else "")


class RichTextField(models.TextField):
    """Stored rich text: sanitised by `clean_html` on every save and bulk_create, whatever wrote it (a form, the
    desk, an import, a command), so that pages and the PDF may print it as it is stored.

    Migrations see a plain TextField: the sanitising is behaviour, not schema.
    """

    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
