"""Filters for the public lists: issues by year and kind; pieces also by section, district and unit."""

import django_filters
from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from issues.models import Issue, Piece, Section
from reports.models import Contributor, District

BRIEFS = "briefs"


def _cached_choices(key: str, load) -> list[tuple[str, str]]:
    """Choices read from the database at most once a minute: they change a few times a year, not per search."""
    choices = cache.get(key)
    if choices is None:
        choices = load()
        cache.set(key, choices, 60)
    return choices


def _years():
    published = Issue.objects.published().order_by("-year").values_list("year", flat=True).distinct()
    return _cached_choices("issues:filter-years", lambda: [(str(year), f"{year}年") for year in published])


def _sections():
    sections = _cached_choices("issues:filter-sections", lambda: [(str(s.pk), s.name) for s in Section.objects.all()])
    return [*sections, (BRIEFS, "信息摘登")]


def _units():
    return _cached_choices("issues:filter-units", lambda: [(str(u.pk), u.name) for u in Contributor.objects.all()])


class QuickSelect(forms.Select):
    """Django's Select renders a template per option (tens of ms for the unit list on every search); this
    writes the same HTML directly."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) == chosen else ""}>{escape(label)}</option>'
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")


class IssueFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Issue.Kind.choices, label="类别", empty_label="全部类别", widget=QuickSelect
    )

    class Meta:
        model = Issue
        fields = ["kind"]


class PieceFilter(django_filters.FilterSet):
    """Filters pieces of either kind; a section other than 信息摘登 leaves no briefs, and 信息摘登 only briefs."""

    year = django_filters.ChoiceFilter(
        field_name="issue__year", choices=_years, label="年份", empty_label="全部年份", widget=QuickSelect
    )
    kind = django_filters.ChoiceFilter(
        field_name="issue__kind", choices=Issue.Kind.choices, label="类别", empty_label="全部类别", widget=QuickSelect
    )
    section = django_filters.ChoiceFilter(
        choices=_sections, method="filter_section", label="栏目", empty_label="全部栏目", widget=QuickSelect
    )
    district = django_filters.ChoiceFilter(
        field_name="unit__district", choices=District.choices, label="区县", empty_label="全部区县", widget=QuickSelect
    )
    unit = django_filters.ChoiceFilter(
        field_name="unit_id", choices=_units, label="单位", empty_label="全部单位", widget=QuickSelect
    )

    def filter_section(self, queryset, name, value):
        if value == BRIEFS:
            return queryset.filter(kind=Piece.Kind.BRIEF)
        return queryset.filter(kind=Piece.Kind.ARTICLE, section_id=value)
