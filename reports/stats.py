"""Adoption statistics (信息采用情况): per period, per unit and per district, for the 研究室 and for each unit.

Definitions (also shown on the pages):
- 报送: reports first submitted within the period;
- 采用: of those, the ones accepted (including those since printed), so the rate never exceeds 100%;
- 刊用文章 / 刊用摘登: articles and briefs signed by the unit in issues published with a date in the period
  (imported back issues count too);
- 采用率: 采用 / 报送;
- 积分 / 积分排名: the points of the scoring rules, from the app that registers them in reports.extensions
  (the network); blank when none is registered.
Ranked by pieces printed (articles + briefs), then articles, then accepted reports.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone

from renda.csvsafe import safe_cell
from reports import extensions
from reports.models import Contributor, District, Report

PERIOD_KINDS = {"month": "月度", "quarter": "季度", "year": "年度"}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int = 1  # month (1–12) or quarter (1–4); unused for a year

    @classmethod
    def from_query(cls, query, today: datetime.date | None = None) -> tuple["Period", str]:
        """The period asked for in a GET query, or this year; with a message when the query was not understood."""
        today = today or timezone.localdate()
        default = cls("year", today.year)
        kind = query.get("period", "year")
        limits = {"month": 12, "quarter": 4, "year": 1}
        try:
            year = int(query.get("year", today.year))
            # The forms send every select; only the one of the chosen kind counts.
            index = int(query.get(kind, 1)) if kind in ("month", "quarter") else 1
        except ValueError:
            return default, "统计期间填写有误，已显示本年度。"
        if kind not in limits or not (2000 <= year <= 2100) or not (1 <= index <= limits[kind]):
            return default, "统计期间填写有误，已显示本年度。"
        return cls(kind, year, index), ""

    @property
    def start(self) -> datetime.date:
        month = {"month": self.index, "quarter": 3 * self.index - 2, "year": 1}[self.kind]
        return datetime.date(self.year, month, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        month = self.start.month + months
        return datetime.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年{QUARTER_NAMES[self.index]}"
        return f"{self.year}年"

    @property
    def slug(self) -> str:
        return {"month": f"{self.year}-{self.index:02d}", "quarter": f"{self.year}-Q{self.index}"}.get(
            self.kind, str(self.year)
        )

    def query(self) -> str:
        extra = {"month": f"&month={self.index}", "quarter": f"&quarter={self.index}"}.get(self.kind, "")
        return f"period={self.kind}&year={self.year}{extra}"


@dataclass
class Row:
    name: str
    district: str
    submitted: int = 0
    accepted: int = 0
    articles: int = 0
    briefs: int = 0
    order: int = 0
    rank: int = 0
    unit_id: int | None = None
    points: float | None = None
    points_rank: int = 0

    @property
    def used(self) -> int:
        return self.articles + self.briefs

    @property
    def rate(self) -> float | None:
        return self.accepted / self.submitted if self.submitted else None

    @property
    def rate_label(self) -> str:
        return "—" if self.rate is None else f"{self.rate:.1%}"

    @property
    def district_label(self) -> str:
        return District(self.district).label if self.district else ""

    def sort_key(self):
        return (-self.used, -self.articles, -self.accepted, -self.submitted, self.order, self.name)

    def add(self, other: "Row") -> "Row":
        """Add another row's figures to this one (a district's or the grand total)."""
        self.submitted += other.submitted
        self.accepted += other.accepted
        self.articles += other.articles
        self.briefs += other.briefs
        if other.points is not None:
            self.points = (self.points or 0.0) + other.points
        return self

    @property
    def points_label(self) -> str:
        return "—" if self.points is None else f"{self.points:g}"


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of `day` in the site's time zone: a period runs from local midnight to local midnight."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def submitted_in(period: Period):
    """The reports first submitted within the period: the 报送 of these statistics (and of the network's quotas)."""
    return Report.objects.filter(
        submitted_at__gte=local_midnight(period.start), submitted_at__lt=local_midnight(period.end)
    )


def _ranked(rows: list[Row]) -> list[Row]:
    """Sorted best first; equal figures share a rank (1, 2, 2, 4)."""
    rows.sort(key=Row.sort_key)
    previous = None
    for position, row in enumerate(rows, start=1):
        figures = row.sort_key()[:4]
        row.rank = previous[1] if previous and previous[0] == figures else position
        previous = (figures, row.rank)
    by_points = sorted((row for row in rows if row.points is not None), key=lambda row: -row.points)
    previous = None
    for position, row in enumerate(by_points, start=1):
        row.points_rank = previous[1] if previous and previous[0] == row.points else position
        previous = (row.points, row.points_rank)
    return rows


def unit_rows(period: Period) -> list[Row]:
    """One row per unit with any figure in the period, ranked. Four queries whatever the amount of data."""
    from issues.models import Issue, Piece

    counts: dict[int, dict[str, int]] = {}
    submitted = (
        submitted_in(period)
        .values("unit")
        .annotate(
            submitted=Count("id"),
            accepted=Count("id", filter=Q(status__in=[Report.Status.ACCEPTED, Report.Status.PUBLISHED])),
        )
    )
    for item in submitted:
        counts.setdefault(item["unit"], {}).update(submitted=item["submitted"], accepted=item["accepted"])
    in_period = {
        "issue__status": Issue.Status.PUBLISHED,
        "issue__date__gte": period.start,
        "issue__date__lt": period.end,
    }
    names = {Piece.Kind.ARTICLE: "articles", Piece.Kind.BRIEF: "briefs"}
    for item in Piece.objects.filter(**in_period).values("unit", "kind").annotate(n=Count("id")):
        counts.setdefault(item["unit"], {})[names[item["kind"]]] = item["n"]
    points = extensions.points_for(period)
    for pk in points or {}:
        counts.setdefault(pk, {})
    units = Contributor.objects.in_bulk(list(counts))
    rows = [
        Row(
            name=units[pk].name,
            district=units[pk].district,
            order=units[pk].position,
            unit_id=pk,
            points=None if points is None else points.get(pk, 0.0),
            **figures,
        )
        for pk, figures in counts.items()
    ]
    return _ranked(rows)


def district_rows(rows: list[Row]) -> list[Row]:
    """The unit rows summed per district (all 13 districts and the city level, even without figures), ranked."""
    scored = any(row.points is not None for row in rows)
    totals = {
        d.value: Row(name=d.label, district=d.value, order=d.position, points=0.0 if scored else None) for d in District
    }
    for row in rows:
        totals[row.district].add(row)
    return _ranked(list(totals.values()))


def totals(rows: list[Row]) -> Row:
    total = Row(name="合计", district="")
    for row in rows:
        total.add(row)
    return total


def unit_figures(unit: Contributor, period: Period) -> tuple[Row, int]:
    """What the unit's own portal page shows: its row (zeros if it had no activity) and the number of units ranked."""
    rows = unit_rows(period)
    own = next((row for row in rows if row.unit_id == unit.pk), None)
    if own is None:
        own = Row(name=unit.name, district=unit.district, unit_id=unit.pk)
    return own, len(rows)


def chart_rows(rows: list[Row]) -> list[dict]:
    """Bar widths (percent of the largest) for the server-rendered chart of articles and briefs."""
    largest = max((row.used for row in rows), default=0) or 1
    return [
        {"row": row, "articles": 100 * row.articles / largest, "briefs": 100 * row.briefs / largest} for row in rows
    ]


HEADER = ["排名", "名称", "所属区县", "报送", "采用", "刊用文章", "刊用摘登", "刊用合计", "采用率", "积分", "积分排名"]


def _cells(row: Row) -> list:
    return [
        row.rank,
        row.name,
        row.district_label,
        row.submitted,
        row.accepted,
        row.articles,
        row.briefs,
        row.used,
        "" if row.rate is None else round(row.rate, 4),
        "" if row.points is None else row.points,
        row.points_rank or "",
    ]


def export_csv(period: Period, units: list[Row], districts: list[Row]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="adoption-{period.slug}.csv"'
    response.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow([f"信息采用情况 {period.label}"])
    for title, rows in (("按区县", districts), ("按单位", units)):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(HEADER)
        writer.writerows([safe_cell(cell) for cell in _cells(row)] for row in rows)
    return response


def export_xlsx(period: Period, units: list[Row], districts: list[Row]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("按区县", districts), ("按单位", units)):
        sheet = workbook.create_sheet(title)
        sheet.append([f"信息采用情况 {period.label} {title}"])
        sheet.append(HEADER)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(cell) for cell in _cells(row)])
        for cell in sheet["I"][2:]:
            cell.number_format = "0.0%"
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # never a formula from a name
                    cell.data_type = "s"
        sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="adoption-{period.slug}.xlsx"'
    return response


def period_choices(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "kinds": PERIOD_KINDS,
        "years": list(range(today.year, today.year - 10, -1)),
        "months": list(range(1, 13)),
        "quarters": QUARTER_NAMES,
    }


def editor_context(request) -> tuple[dict, HttpResponse | None]:
    """The admin page's data, or the export file when one is asked for."""
    period, problem = Period.from_query(request.GET)
    units = unit_rows(period)
    districts = district_rows(units)
    export = request.GET.get("export")
    if export == "csv":
        return {}, export_csv(period, units, districts)
    if export == "xlsx":
        return {}, export_xlsx(period, units, districts)
    context = {
        "period": period,
        "problem": problem,
        "units": units,
        "districts": districts,
        "total": totals(units),
        "chart": chart_rows(districts),
        **period_choices(),
    }
    return context, None
