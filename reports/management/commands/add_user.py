"""Create a portal account: a unit's submitter, an editor or an approver."""

import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import Contributor, Profile


class Command(BaseCommand):
    help = "Create a user with a role (and a submitter's unit as printed); prints a password if none is given."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", help="unit name as printed, e.g. 上城区人大常委会办公室 (created if new)")
        parser.add_argument("--role", choices=Profile.Role.values, default=Profile.Role.SUBMITTER)
        parser.add_argument("--password", help="without it a random password is generated and printed")
        parser.add_argument("--name", default="", help="the person's name, shown in the timeline")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, unit, role, password, name, email, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        if role == Profile.Role.SUBMITTER and not unit:
            raise CommandError("A submitter needs --unit (the unit's name as printed).")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        user = User(username=username, first_name=name, email=email, is_staff=role != Profile.Role.SUBMITTER)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            contributor = Contributor.objects.get_or_create_by_name(unit) if unit else None
            user.set_password(password)
            user.save()
            Profile.objects.create(user=user, role=role, unit=contributor)
        where = f" for {contributor.name} ({contributor.get_district_display()})" if contributor else ""
        self.stdout.write(f"Created {role} {username}{where}.")
        if generated:
            self.stdout.write(f"Password: {password}")
