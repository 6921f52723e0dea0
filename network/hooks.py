"""What the network adds to reports' pages, through reports.extensions (reports never imports the network).

- the portal's menu: 约稿 (the calls), 催报 (the unit's reminders, with the number unread), 积分, 通报 (with the number
  of circulars published since the unit last looked), 领导批示; each entry names one thing, and none is called 通知
  (reports' own entry: the notices about the unit's reports);
- the report form: the call a report answers (响应约稿), limited to the unit's open calls;
- a report's page: the call it answers, marked 迟报 if sent after the deadline; the 领导批示 on its piece;
- the desk's summary: open calls with their completion, units below quota this period, overdue 落实反馈;
- 信息采用情况: each unit's 积分 for the period (network/scoring.py).
The inbox admin (column and filter by call) and the unit admin (reminder log) are extended in network/admin.py.
"""

from django import forms
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from reports import extensions
from reports.models import is_editor

FIELD = "answers_call"


def nav(request, access):
    from network.models import Reminder

    if access.unit is None and not access.is_editor:
        return []
    items = [extensions.NavItem("约稿", reverse("network:calls"))]
    unread = {"chasers": 0, "circulars": 0}
    if access.unit is not None:
        unread = Reminder.objects.filter(unit=access.unit, read_at=None).aggregate(
            chasers=Count("pk", filter=~Q(reason=Reminder.Reason.CIRCULAR)),
            circulars=Count("pk", filter=Q(reason=Reminder.Reason.CIRCULAR)),
        )
        items.append(extensions.NavItem("催报", reverse("network:reminders"), unread["chasers"]))
        items.append(extensions.NavItem("积分", reverse("network:scores")))
    from network.models import Circular

    if access.is_editor or Circular.objects.filter(status=Circular.Status.PUBLISHED).exists():
        items.append(extensions.NavItem("通报", reverse("network:circulars"), unread["circulars"]))
    if access.is_editor:
        items.append(extensions.NavItem("领导批示", reverse("network:instructions")))
    else:
        from network.models import Instruction

        counts = Instruction.objects.filter(piece__unit=access.unit).aggregate(
            total=Count("pk"), pending=Count("pk", filter=Q(feedback_required=True, feedback__isnull=True))
        )
        if counts["total"]:
            items.append(extensions.NavItem("领导批示", reverse("network:instructions"), counts["pending"]))
    return items


def facts(report):
    from network.models import Answer, Instruction

    lines = []
    answer = Answer.objects.filter(report=report).select_related("call").first()
    if answer is not None:
        text = answer.call.topic + ("（迟报）" if answer.is_late else "")
        lines.append(extensions.Fact("响应约稿", text, answer.call.get_absolute_url()))
    instructions = Instruction.objects.filter(piece__report=report).select_related("feedback").order_by("date", "id")
    for instruction in instructions:
        text = f"{instruction.get_level_display()} · {instruction.leader} · {instruction.date:%Y-%m-%d}"
        if instruction.feedback_required:
            text += f" · 落实反馈：{instruction.feedback_state()}"
        lines.append(extensions.Fact("领导批示", text, instruction.get_absolute_url()))
    return lines


class CallChoiceExtension(extensions.ReportFormExtension):
    """响应约稿: a choice of the open calls addressed to the report's unit (and the call it already answers)."""

    field_names = (FIELD,)

    def contribute(self, form):
        from network.models import Answer, Call
        from network.services import calls_open_to

        report = form.instance
        current = Answer.objects.filter(report=report).values_list("call", flat=True).first() if report.pk else None
        calls = calls_open_to(report.unit) if report.unit_id else Call.objects.none()
        if current is not None:
            calls = Call.objects.filter(pk__in=[current, *calls.values_list("pk", flat=True)])
        field = forms.ModelChoiceField(
            queryset=calls.order_by("deadline", "id"),
            required=False,
            label="响应约稿",
            empty_label="（不响应约稿）",
            help_text="为研究室的约稿而写的信息，请选择对应的约稿；每篇信息只能响应一个约稿。",
        )
        field.label_from_instance = lambda call: f"{call.topic}（{call.deadline.month}月{call.deadline.day}日截止）"
        if current is not None:
            form.initial.setdefault(FIELD, current)
        # First in the form: the call frames what the unit writes.
        form.fields = {FIELD: field, **form.fields}

    def save(self, form, report):
        from network.services import link_answer

        if FIELD in form.cleaned_data:
            # The field's choices are the open calls addressed to the unit: checked when the form was cleaned.
            link_answer(report, form.cleaned_data[FIELD], check=False)


def desk_panel(request):
    from network.models import Call
    from network.services import completion, overdue_instructions, quota_shortfalls, scheduled_run

    if not is_editor(request.user):
        return None
    calls = Call.objects.open().order_by("deadline", "id").prefetch_related("districts", "target_units")
    return (
        "network/_desk_panel.html",
        {
            "calls": [completion(call) for call in calls],
            "shortfalls": quota_shortfalls(timezone.localdate()),
            "next_run": scheduled_run(),
            "overdue_instructions": list(overdue_instructions()[:20]),
        },
    )


def unit_points(period):
    from network.scoring import points_by_unit

    return points_by_unit(period)


def register():
    if nav not in extensions.portal_nav:
        extensions.portal_nav.append(nav)
        extensions.report_facts.append(facts)
        extensions.report_form.append(CallChoiceExtension())
        extensions.desk_panels.append(desk_panel)
        extensions.unit_points.append(unit_points)
