from django.core.management.base import BaseCommand

from network import services


class Command(BaseCommand):
    help = (
        "Send today's due 催报 reminders (calls near their deadline, units below quota, zero submitters first); "
        "the same step as the worker's daily run, for cron-style deployments. One line per reminder: unit, reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")

    def handle(self, *args, dry_run=False, **options):
        reminders = services.run_reminders(dry_run=dry_run)
        for planned in reminders:
            self.stdout.write(planned.line())
        if options["verbosity"] > 1 or not reminders:
            if dry_run:
                self.stderr.write(f"试运行：今天应发送 {len(reminders)} 条催报，未发送。")
            else:
                self.stderr.write(f"已发送 {len(reminders)} 条催报。")
