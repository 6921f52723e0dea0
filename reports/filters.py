import django_filters

from reports.models import Report


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report.Status.choices, label="状态", empty_label="全部状态")
    year = django_filters.ChoiceFilter(
        field_name="created_at", lookup_expr="year", label="年份", empty_label="全部年份"
    )

    class Meta:
        model = Report
        fields = ["status", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({d.year for d in self.queryset.dates("created_at", "year")}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(y), f"{y}年") for y in years]
