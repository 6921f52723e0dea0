"""Create a portal account: a unit's submitter, an editor or an approver; and give roles in a unit's review chain."""

import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import Contributor, Profile, UnitRole

ROLES = [*Profile.Role.values, *UnitRole.Role.values]


class Command(BaseCommand):
    help = (
        "Create a user with a role (and a submitter's unit as printed); prints a password if none is given. "
        "--role may be repeated (or comma-separated): reviewer and unit_approver are roles in the unit's own review "
        "chain, held besides submitter; given for an existing user, they are added to that user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", help="unit name as printed, e.g. 上城区人大常委会办公室 (created if new)")
        parser.add_argument(
            "--role",
            action="append",
            help=f"one of {', '.join(ROLES)}; repeat for several (default: {Profile.Role.SUBMITTER})",
        )
        parser.add_argument("--password", help="without it a random password is generated and printed")
        parser.add_argument("--name", default="", help="the person's name, shown in the timeline")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, unit, role, password, name, email, **options):
        roles = [r.strip() for given in role or [] for r in given.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise CommandError(f"Unknown role {unknown[0]!r}: choose from {', '.join(ROLES)}.")
        unit_roles = [r for r in dict.fromkeys(roles) if r in UnitRole.Role.values]
        profile_roles = [r for r in dict.fromkeys(roles) if r in Profile.Role.values]
        if len(profile_roles) > 1:
            raise CommandError(f"Only one of {', '.join(Profile.Role.values)} per user.")
        if unit_roles and not unit:
            raise CommandError("A reviewer or unit_approver needs --unit (the unit's name as printed).")
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if profile_roles or not unit_roles:
                raise CommandError(f"User {username!r} already exists.")
            return self._add_unit_roles(existing, unit, unit_roles)
        profile_role = profile_roles[0] if profile_roles else Profile.Role.SUBMITTER
        if profile_role == Profile.Role.SUBMITTER and not unit:
            raise CommandError("A submitter needs --unit (the unit's name as printed).")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        user = User(username=username, first_name=name, email=email, is_staff=profile_role != Profile.Role.SUBMITTER)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password rejected: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            contributor = Contributor.objects.get_or_create_by_name(unit) if unit else None
            user.set_password(password)
            user.save()
            Profile.objects.create(user=user, role=profile_role, unit=contributor)
            self._give_unit_roles(user, contributor, unit_roles)
        where = f" for {contributor.name} ({contributor.get_district_display()})" if contributor else ""
        self.stdout.write(f"Created {'+'.join([profile_role, *unit_roles])} {username}{where}.")
        if generated:
            self.stdout.write(f"Password: {password}")

    def _add_unit_roles(self, user, unit_name, unit_roles):
        with transaction.atomic():
            contributor = Contributor.objects.get_or_create_by_name(unit_name)
            self._give_unit_roles(user, contributor, unit_roles)
        self.stdout.write(f"Gave {user.username} the roles {', '.join(unit_roles)} in {contributor.name}.")

    def _give_unit_roles(self, user, contributor, unit_roles):
        """Each role checked by UnitRole.clean (a member of the unit), as the admin checks it."""
        for unit_role in unit_roles:
            try:
                UnitRole(user=user, unit=contributor, role=unit_role).clean()
            except ValidationError as exc:
                raise CommandError(
                    f"User {user.username!r} is not a member of {contributor.name}: {' '.join(exc.messages)}"
                ) from None
            UnitRole.objects.get_or_create(user=user, unit=contributor, role=unit_role)
