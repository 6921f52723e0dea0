"""Create a portal account: a unit's submitter, an editor or an approver; and give roles in a unit's review chain."""

import secrets

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reports.models import Contributor, District, Profile, UnitRole

ROLES = [*Profile.Role.values, *UnitRole.Role.values]
LABELS = dict([*Profile.Role.choices, *UnitRole.Role.choices])
#: `submitter 报送员、editor 编辑…`: the value to type, and what it means.
ROLE_CHOICES = "、".join(f"{value} {LABELS[value]}" for value in ROLES)
PROFILE_ROLE_CHOICES = "、".join(f"{value} {LABELS[value]}" for value in Profile.Role.values)


def role_labels(roles) -> str:
    return "、".join(LABELS[role] for role in roles)


def known_unit(name: str) -> Contributor:
    """The unit printed as `name`; an unknown name is refused (a typo would make a unit of its own, listed in every
    call's matrix, the 通报's 未报送 units and the filters), naming the closest ones."""
    unit = Contributor.objects.filter(name=name.strip()).first()
    if unit is not None:
        return unit
    close = Contributor.objects.close_to(name)
    hint = f"相近的单位：{'、'.join(close)}。" if close else ""
    district = District.for_unit_name(name).label
    raise CommandError(
        f"没有名为“{name.strip()}”的报送单位。{hint}"
        f"如确是新单位，请加 --new-unit 创建（将归入{district}）；单位名称须与刊物署名一致。"
    )


class Command(BaseCommand):
    help = (
        "Create a user with a role (and a submitter's unit as printed); prints a password if none is given. "
        "--role may be repeated (or comma-separated): reviewer and unit_approver are roles in the unit's own review "
        "chain, held besides submitter; given for an existing user, they are added to that user."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unit", help="unit name as printed, e.g. 上城区人大常委会办公室 (an existing unit)")
        parser.add_argument(
            "--new-unit",
            action="store_true",
            help="create the --unit if no unit has that name (in the district its name starts with)",
        )
        parser.add_argument(
            "--role",
            action="append",
            help=f"one of {', '.join(ROLES)}; repeat for several (default: {Profile.Role.SUBMITTER})",
        )
        parser.add_argument("--password", help="without it a random password is generated and printed")
        parser.add_argument("--name", default="", help="the person's name, shown in the timeline")
        parser.add_argument("--email", default="")

    def handle(self, *args, username, unit, role, password, name, email, new_unit=False, **options):
        roles = [r.strip() for given in role or [] for r in given.split(",") if r.strip()]
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise CommandError(f"没有角色“{unknown[0]}”：可选 {ROLE_CHOICES}。")
        unit_roles = [r for r in dict.fromkeys(roles) if r in UnitRole.Role.values]
        profile_roles = [r for r in dict.fromkeys(roles) if r in Profile.Role.values]
        if len(profile_roles) > 1:
            raise CommandError(f"一个用户只能有 {PROFILE_ROLE_CHOICES} 中的一个。")
        if unit_roles and not unit:
            raise CommandError("审核人（reviewer）或本单位签发人（unit_approver）须用 --unit 指定单位（与署名一致）。")
        if unit and not new_unit:
            known_unit(unit)
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            if profile_roles or not unit_roles:
                raise CommandError(f"用户 {username} 已存在。")
            return self._add_unit_roles(existing, known_unit(unit), unit_roles)
        profile_role = profile_roles[0] if profile_roles else Profile.Role.SUBMITTER
        if profile_role == Profile.Role.SUBMITTER and not unit:
            raise CommandError("报送员（submitter）须用 --unit 指定单位（与刊物署名一致）。")
        generated = password is None
        password = password or secrets.token_urlsafe(12)
        user = User(username=username, first_name=name, email=email, is_staff=profile_role != Profile.Role.SUBMITTER)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "".join(exc.messages)) from None
        new = bool(unit) and not Contributor.objects.filter(name=unit.strip()).exists()
        with transaction.atomic():
            contributor = Contributor.objects.get_or_create_by_name(unit) if unit else None
            user.set_password(password)
            user.save()
            Profile.objects.create(user=user, role=profile_role, unit=contributor)
            self._give_unit_roles(user, contributor, unit_roles)
        if new:
            self.stdout.write(f"已新建报送单位 {contributor.name}（{contributor.get_district_display()}）。")
        where = f"，单位：{contributor.name}（{contributor.get_district_display()}）" if contributor else ""
        self.stdout.write(f"已创建用户 {username}，角色：{role_labels([profile_role, *unit_roles])}{where}。")
        if generated:
            self.stdout.write(f"密码：{password}")

    def _add_unit_roles(self, user, contributor, unit_roles):
        with transaction.atomic():
            self._give_unit_roles(user, contributor, unit_roles)
        self.stdout.write(f"已给予 {user.username} 在{contributor.name}的角色：{role_labels(unit_roles)}。")

    def _give_unit_roles(self, user, contributor, unit_roles):
        """Each role checked by UnitRole.clean (a member of the unit), as the admin checks it."""
        for unit_role in unit_roles:
            try:
                UnitRole(user=user, unit=contributor, role=unit_role).clean()
            except ValidationError:  # the one rule clean() checks: membership
                raise CommandError(
                    f"用户 {user.username} 不是“{contributor.name}”的成员，不能担任该单位的{LABELS[unit_role]}。"
                ) from None
            UnitRole.objects.get_or_create(user=user, unit=contributor, role=unit_role)
