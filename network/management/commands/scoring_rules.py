import json

from django.core.management.base import BaseCommand, CommandError

from network.management.files import json_error, os_error, write_text
from network.models import RuleSet
from network.scoring import RuleSetError, export_rule_set, import_rule_set


class Command(BaseCommand):
    help = (
        "Export or import a year's 积分 rule set as JSON: "
        '{"year": 2024, "combine": "sum"|"highest", "rules": [{"event": "article", "points": 4}, …]}. '
        "Import replaces that year's rules as a whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", help="the JSON file to write (export) or read (import); - for stdout/stdin")
        parser.add_argument("--year", type=int, help="export: the rule set's year (default: the latest)")

    def handle(self, *args, action, file, year=None, **options):
        if action == "export":
            rule_sets = RuleSet.objects.prefetch_related("rules")
            rule_set = rule_sets.filter(year=year).first() if year else rule_sets.order_by("-year").first()
            if rule_set is None:
                raise CommandError(f"没有{year}年的积分规则。" if year else "还没有积分规则。")
            text = json.dumps(export_rule_set(rule_set), ensure_ascii=False, indent=2) + "\n"
            if file == "-":
                self.stdout.write(text, ending="")
            else:
                write_text(file, text)
            return
        try:
            if file == "-":
                import sys

                data = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    data = json.load(handle)
        except OSError as exc:
            raise os_error(exc, file, writing=False) from None
        except ValueError as exc:  # not JSON (JSONDecodeError), or not UTF-8 (UnicodeDecodeError)
            raise json_error(exc, "标准输入" if file == "-" else file) from None
        try:
            rule_set = import_rule_set(data)
        except RuleSetError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"{rule_set.year}年积分规则已导入（{rule_set.rules.count()} 项，{rule_set.combine}）")
