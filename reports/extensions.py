"""Extension points of the portal and the desk: other apps add to reports' pages without reports knowing them.

The information network (`network/`) depends on reports, never the other way: it registers here, from its
AppConfig.ready(), what it shows in the portal's menu, on a report's page, in the report form and on the desk.
Each registry holds plain callables or objects; reports calls them and renders what they return.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class NavItem:
    """An entry of the portal's menu: its label, link and an optional count shown as a badge."""

    label: str
    url: str
    badge: int = 0


@dataclass(frozen=True)
class Fact:
    """One line of a report's particulars on its portal page (`<dt>term</dt><dd>text</dd>`, linked if `url`)."""

    term: str
    text: str
    url: str = ""


class ReportFormExtension:
    """Adds fields to the portal's report form and keeps their values when the report is saved.

    `contribute` runs at the end of ReportForm.__init__ (the form's instance has its unit); `save` runs in the
    same transaction as the report's own save, after it. `field_names` are carried over a Word import.
    """

    field_names: tuple[str, ...] = ()

    def contribute(self, form) -> None:
        raise NotImplementedError

    def save(self, form, report) -> None:
        raise NotImplementedError


#: Callables (request, access) -> list[NavItem], for the portal's menu.
portal_nav: list[Callable] = []
#: Callables (report) -> list[Fact], for a report's page in the portal.
report_facts: list[Callable] = []
#: ReportFormExtension instances, for the portal's report form.
report_form: list[ReportFormExtension] = []
#: Callables (request) -> (template name, context) or None, for panels on the desk's summary.
desk_panels: list[Callable] = []
#: Callables (period) -> {unit id: points}, for the 积分 column and rank of 信息采用情况 (reports/stats.py).
unit_points: list[Callable] = []


def nav_items(request, access) -> list[NavItem]:
    return [item for provider in portal_nav for item in provider(request, access)]


def facts_for(report) -> list[Fact]:
    return [fact for provider in report_facts for fact in provider(report)]


def report_form_field_names() -> tuple[str, ...]:
    return tuple(name for extension in report_form for name in extension.field_names)


def render_desk_panels(request) -> list[str]:
    panels = []
    for provider in desk_panels:
        if (panel := provider(request)) is not None:
            template, context = panel
            panels.append(render_to_string(template, context, request=request))
    return panels


def points_for(period) -> dict[int, float] | None:
    """Each unit's points in the period from the registered providers (summed), or None if none is registered."""
    if not unit_points:
        return None
    total: dict[int, float] = {}
    for provider in unit_points:
        for unit_id, points in provider(period).items():
            total[unit_id] = total.get(unit_id, 0.0) + float(points)
    return total
