from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand

from issues.importing import find_existing, store_issue
from issues.management.commands.import_issue import read_text
from issues.parser import parse_issue
from reports.models import Contributor, Profile

SAMPLE_DIR = Path(settings.BASE_DIR) / "sample"
DEMO_USERS = [
    # username, password, role, unit
    ("editor", "renda-editor", Profile.Role.EDITOR, "研究室"),
    ("shangcheng", "renda-submitter", Profile.Role.SUBMITTER, "上城区人大常委会办公室"),
]


class Command(BaseCommand):
    help = "Load the sample issues and the demo accounts (for `make run`; safe to run again)."

    def handle(self, *args, **options):
        for path in sorted(SAMPLE_DIR.glob("*.txt")):
            parsed = parse_issue(read_text(path))
            if find_existing(parsed) is None:
                issue = store_issue(parsed)
                self.stdout.write(f"imported {issue}")
        for username, password, role, unit_name in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = role != Profile.Role.SUBMITTER
            user.is_superuser = role == Profile.Role.EDITOR
            user.set_password(password)
            user.save()
            unit = Contributor.objects.get_or_create_by_name(unit_name)
            Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/admin/):")
        for username, password, role, unit_name in DEMO_USERS:
            self.stdout.write(f"  {Profile.Role(role).label}  {username} / {password}  ({unit_name})")
