import json

from django.core.management.base import BaseCommand, CommandError

from network.scoring import unit_scores
from reports.stats import Period


def period_from_options(year, month=None, quarter=None) -> Period:
    if month and quarter:
        raise CommandError("--month 与 --quarter 只能选一个。")
    if month is not None and not 1 <= month <= 12:
        raise CommandError("--month 应为 1–12。")
    if quarter is not None and not 1 <= quarter <= 4:
        raise CommandError("--quarter 应为 1–4。")
    if month:
        return Period("month", year, month)
    if quarter:
        return Period("quarter", year, quarter)
    return Period("year", year)


class Command(BaseCommand):
    help = "Each unit's 积分 for a year, month or quarter, ranked, computed from the events (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=int)
        group.add_argument("--quarter", type=int)
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args, year, month=None, quarter=None, **options):
        period = period_from_options(year, month, quarter)
        rows = [score.as_json() for score in unit_scores(period)]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        if not rows:  # the JSON stays `[]`; the person at the terminal is told why, on stderr
            self.stderr.write(f"{period.label}无数据：没有单位有积分事项或报送。")
