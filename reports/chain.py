"""A unit's own review chain (审核签发): 信息员 drafts → 审核人 reviews → 签发人 signs off → the 研究室.

Each step is optional per unit (Contributor.review_required, .sign_off_required); with neither, the clerk
submits directly, as before. `check_move` is called by Report.transition for every move made on the unit's side,
whatever path it comes from (portal, admin, command), so no configured step can be skipped.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from reports.models import (
    SECRECY_DECLARATION,
    Contributor,
    Notification,
    Report,
    ReportEvent,
    TransitionError,
    UnitRole,
    display_name,
)

Status = Report.Status

#: The order of the steps a report goes through inside its unit; SUBMITTED (to the 研究室) is always the last.
STEP_ORDER = [Status.IN_REVIEW, Status.IN_SIGN_OFF, Status.SUBMITTED]
#: Who acts on a report waiting at a step.
STEP_ROLE = {Status.IN_REVIEW: UnitRole.Role.REVIEWER, Status.IN_SIGN_OFF: UnitRole.Role.UNIT_APPROVER}
#: Where a (new) pass through the chain starts.
STARTS = {Status.DRAFT, Status.RETURNED, Status.UNIT_RETURNED}


def steps(unit: Contributor) -> list[Status]:
    """The unit's configured steps, ending with the submission to the 研究室."""
    configured = {Status.IN_REVIEW: unit.review_required, Status.IN_SIGN_OFF: unit.sign_off_required}
    return [step for step in STEP_ORDER if configured.get(step, True)]


def next_step(unit: Contributor, current: str) -> Status | None:
    """Where a report at `current` goes next (None: it has left the unit). A step the unit has since dropped is passed
    over, never repeated."""
    if current in STARTS:
        return steps(unit)[0]
    if current not in STEP_ORDER:
        return None
    position = STEP_ORDER.index(Status(current))
    return next((step for step in steps(unit) if STEP_ORDER.index(step) > position), None)


def has_role(user, unit: Contributor, role: str) -> bool:
    return user is not None and UnitRole.objects.filter(user=user, unit=unit, role=role, user__is_active=True).exists()


def roles_of(user) -> list[UnitRole]:
    if user is None or not user.is_authenticated:
        return []
    return list(UnitRole.objects.filter(user=user).select_related("unit"))


def check_move(report: Report, current: Status, to: Status, *, by, secrecy_declared: bool) -> None:
    """Refuse a unit-side move the unit's chain does not allow, or one made by someone without the step's role."""
    unit = report.unit
    if current in STEP_ROLE:
        role = STEP_ROLE[current]
        if not has_role(by, unit, role):
            raise TransitionError(f"只有本单位的{UnitRole.Role(role).label}才能处理“{current.label}”的信息。")
    if to == Status.UNIT_RETURNED:
        if current not in STEP_ROLE:
            raise TransitionError("只有待审核、待签发的信息才能在本单位内退回。")
        return
    expected = next_step(unit, current)
    if to != expected:
        chain = " → ".join(step.label for step in steps(unit))
        raise TransitionError(f"本单位的报送流程为：{chain}，这篇信息下一步应为“{expected.label}”。")
    if to == Status.SUBMITTED and not secrecy_declared:
        raise TransitionError(f"报送研究室前须确认保密声明：“{SECRECY_DECLARATION}”。")


def waiting_for(report: Report):
    """The people a report waits on at its step: the step's role holders, or the drafter after an in-unit return."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if report.status in STEP_ROLE:
        return User.objects.filter(
            is_active=True, unit_roles__unit=report.unit_id, unit_roles__role=STEP_ROLE[report.status]
        ).distinct()
    if report.status == Status.UNIT_RETURNED and report.created_by_id:
        return User.objects.filter(pk=report.created_by_id, is_active=True)
    return User.objects.none()


def notify_waiting(report: Report, event: ReportEvent) -> None:
    """Tell each person the report now waits on, in the portal and by e-mail."""
    verbs = {Status.IN_REVIEW: "待您审核", Status.IN_SIGN_OFF: "待您签发", Status.UNIT_RETURNED: "已被退回，待您修改"}
    if report.status not in verbs:
        return
    message = f"“{report.title}”{verbs[report.status]}（{display_name(event.actor)}）"
    if event.comment:
        message += f"：{event.comment}"
    for person in waiting_for(report):
        Notification.notify(report, message=message, event=event, recipient=person)


def waiting_on(user):
    """Reports waiting at a step this user acts on, oldest first: what their portal list puts at the top."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for role in roles_of(user):
        status = {UnitRole.Role.REVIEWER: Status.IN_REVIEW, UnitRole.Role.UNIT_APPROVER: Status.IN_SIGN_OFF}
        condition |= Q(unit=role.unit_id, status=status[role.role])
    if user is not None and user.is_authenticated:
        condition |= Q(status=Status.UNIT_RETURNED, created_by=user)
    return Report.objects.filter(condition).select_related("unit").order_by("updated_at", "id")


@dataclass
class Step:
    label: str  # 审核 / 签发 / 保密声明
    by: str
    at: datetime
    text: str = ""

    @property
    def short(self) -> str:
        """`审核：张三 11月3日`, as the 研究室 reads it."""
        at = timezone.localtime(self.at)
        return f"{self.label}：{self.by} {at.month}月{at.day}日"


def record(events) -> list[Step]:
    """Who reviewed, signed off and made the 保密 declaration on the latest pass through the unit (events in order)."""
    steps_done: dict[str, Step] = {}
    for event in events:
        if event.from_status in STARTS and event.to_status in STEP_ORDER:
            steps_done = {}  # a new pass through the chain
        if event.from_status == Status.IN_REVIEW and event.to_status in (Status.IN_SIGN_OFF, Status.SUBMITTED):
            steps_done["审核"] = Step("审核", display_name(event.actor), event.at)
        if event.from_status == Status.IN_SIGN_OFF and event.to_status == Status.SUBMITTED:
            steps_done["签发"] = Step("签发", display_name(event.actor), event.at)
        if event.to_status == Status.SUBMITTED and event.declaration:
            steps_done["保密"] = Step("保密声明", display_name(event.actor), event.at, event.declaration)
    return [steps_done[key] for key in ("审核", "签发", "保密") if key in steps_done]


def record_line(steps_done: list[Step]) -> str:
    """`审核：张三 11月3日 / 签发：李四 11月3日`, from a `record` (the 保密 declaration is shown on its own line)."""
    return " / ".join(step.short for step in steps_done if step.label != "保密声明")
