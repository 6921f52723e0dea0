"""The bold lead of a brief (信息摘登) as printed: the body that acts, named at the start of the paragraph.

In print a brief opens with its actor in bold, usually the district's people's congress committee or the
sentence's own subject: `**拱墅区人大常委会**积极探索…`, `**上城区人大常委会清波街道工委**突出…`,
`**市人大常委会**充分发挥…`, `**上城区湖滨街道人大工委**…`. Its attribution still names the submitting office.
The pattern below is read from the printed issues in /work/shared/seeds and sample/.
"""

import re

from reports.models import Contributor, District

_HAN = "\u4e00-\u9fff"
_PLACES = "|".join(d.label for d in District if d is not District.CITY)
# A district (or the city), then either its standing committee with perhaps one of its working bodies, or a
# street's / town's own people's congress body.
# A body's own name holds no verbs or function words: `…人大常委会组织各工委` is not one body.
_NAME_CHAR = rf"(?![的了和与及对在把将向为以从由组召开展聚围坚深积充立探推加始紧])[{_HAN}]"
_BODY = re.compile(
    rf"^(?:杭州市)?(?:{_PLACES}|市)"
    rf"(?:人大常委会(?:{_NAME_CHAR}{{1,12}}?(?:街道工委|工委|办公室|委员会|研究室))?"
    rf"|{_NAME_CHAR}{{1,10}}?(?:街道|镇|乡)人大(?:街道工委|工委|主席团)?)"
)
_PUNCTUATION = "，,：:、 \u3000"


def committee_of(unit: Contributor) -> str:
    """The standing committee of the unit's district: `上城区人大常委会`; `市人大常委会` for the city's units."""
    district = District(unit.district)
    return "市人大常委会" if district is District.CITY else f"{district.label}人大常委会"


def body_named_at_start(text: str) -> str:
    """The name of the body a sentence starts with (`上城区湖滨街道人大工委开展…` → that name), or ``."""
    match = _BODY.match(text.lstrip(_PUNCTUATION))
    return match.group(0) if match else ""


_FIRST_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.DOTALL)


def first_paragraph(body_html: str) -> str:
    """The inner HTML of the first non-empty paragraph of a sanitised body (inline markup such as bold kept)."""
    from reports.sanitize import plain_text

    for match in _FIRST_PARAGRAPH.finditer(body_html or ""):
        if plain_text(match.group(1)):
            return match.group(1).strip()
    return ""


def without_lead(paragraph_html: str, lead: str) -> str:
    """The paragraph with `lead` taken off its start, bold or not; the rest of its markup is kept."""
    if not lead:
        return paragraph_html
    text = paragraph_html.lstrip(_PUNCTUATION)
    for opening in (lead, f"<strong>{lead}</strong>", f"<b>{lead}</b>"):
        if text.startswith(opening):
            return text[len(opening) :].lstrip(_PUNCTUATION)
    return paragraph_html


def split_lead(paragraph_html: str, default: str = "") -> tuple[str, str]:
    """(lead, text) for a paragraph: the body it starts with and the rest, or `default` and the whole paragraph."""
    from reports.sanitize import plain_text

    lead = body_named_at_start(plain_text(paragraph_html))
    if lead and (rest := without_lead(paragraph_html, lead)) != paragraph_html:
        return lead, rest
    return default, paragraph_html
