"""The portal's network pages: the calls addressed to the unit and its own answers (约稿), its reminders (催报),
the 通报 with their notices, the 领导批示 on its pieces and its 积分.

Every view starts from the access helper; whatever a unit may not see is a 404, never a 403 that confirms it exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from network.forms import FeedbackForm
from network.models import Answer, Call, Circular, Instruction, Reminder
from network.services import FeedbackError, completion, give_feedback
from reports import uploads
from reports.models import Notification
from reports.views import Access


def _access(request) -> Access:
    access = Access(request.user)
    if not access.allowed:
        raise Http404("该账号未关联报送单位")
    return access


def _calls(access: Access):
    """Editors see every call sent out; a unit only those addressed to it (and never drafts)."""
    calls = Call.objects.issued().select_related("section").prefetch_related("districts", "target_units")
    return calls if access.is_editor else calls.addressed_to(access.unit)


def _render(request, access: Access, template: str, context: dict):
    unread = Notification.objects.filter(unit=access.unit, read_at=None).count() if access.unit else 0
    return render(request, template, {"access": access, "unread_count": unread, **context})


@login_required
def call_list(request):
    access = _access(request)
    calls = list(_calls(access).order_by("-status", "deadline", "-id"))
    answered = {}
    if access.unit:
        answers = Answer.objects.filter(report__unit=access.unit, call__in=calls).select_related("report", "call")
        for answer in answers:
            answered.setdefault(answer.call_id, []).append(answer)
    rows = [{"call": call, "answers": answered.get(call.pk, [])} for call in calls]
    context = {
        "open_rows": [row for row in rows if row["call"].is_open],
        "closed_rows": [row for row in rows if not row["call"].is_open],
        "now": timezone.now(),
    }
    return _render(request, access, "network/call_list.html", context)


@login_required
def call_detail(request, pk):
    access = _access(request)
    call = get_object_or_404(_calls(access), pk=pk)
    context = {"call": call, "now": timezone.now()}
    if access.unit:
        context["answers"] = list(call.answers.filter(report__unit=access.unit).select_related("report"))
        context["can_answer"] = call.is_open
    else:
        context["result"] = completion(call)
    return _render(request, access, "network/call_detail.html", context)


@login_required
def call_document(request, pk):
    """The call's 报送要点 file, for the units it is addressed to and the 研究室 only."""
    access = _access(request)
    call = get_object_or_404(_calls(access) if not access.is_editor else Call.objects.all(), pk=pk)
    if not call.document:
        raise Http404("该约稿没有报送要点文件")
    try:
        handle = call.document.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploads.private_file_response(handle, call.document_name, call.document_type)


@login_required
def reminders(request):
    """The unit's reminders (催报通知), newest first; opening the page marks them read. A 通报's notice is not a
    催报: it shows with the circulars."""
    access = _access(request)
    if access.unit is None:
        raise Http404("催报通知只发给报送单位")
    items = list(access.unit.reminders.chasers().select_related("call")[:200])
    unread = [r.pk for r in items if r.read_at is None]
    if unread:
        Reminder.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return _render(request, access, "network/reminders.html", {"reminders": items, "unread_ids": set(unread)})


# --- 领导批示 ----------------------------------------------------------------------------------------------------


def _instructions(access: Access):
    """Editors see every instruction; a unit only those on its own printed pieces (others are a 404)."""
    instructions = Instruction.objects.select_related("piece__issue", "piece__unit", "piece__report", "feedback")
    instructions = instructions.defer("piece__body", "piece__search_text")
    return instructions if access.is_editor else instructions.filter(piece__unit=access.unit)


@login_required
def instruction_list(request):
    access = _access(request)
    items = list(_instructions(access)[:300])
    return _render(request, access, "network/instruction_list.html", {"instructions": items})


@login_required
def instruction_detail(request, pk):
    access = _access(request)
    instruction = get_object_or_404(_instructions(access), pk=pk)
    feedback = instruction.feedback_or_none()
    can_answer = access.unit is not None and instruction.feedback_required and feedback is None
    form = FeedbackForm()
    if request.method == "POST":
        if not can_answer:
            raise Http404("不能反馈")
        form = FeedbackForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                give_feedback(
                    instruction, text=form.cleaned_data["text"], upload=form.cleaned_data["file"], by=request.user
                )
            except FeedbackError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "落实反馈已报送研究室。")
            return redirect(instruction)
    context = {"instruction": instruction, "feedback": feedback, "form": form, "can_answer": can_answer}
    return _render(request, access, "network/instruction_detail.html", context)


@login_required
def instruction_scan(request, pk):
    access = _access(request)
    instruction = get_object_or_404(_instructions(access), pk=pk)
    if not instruction.scan:
        raise Http404("该批示没有扫描件")
    try:
        handle = instruction.scan.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploads.private_file_response(handle, instruction.scan_name, instruction.scan_type)


@login_required
def feedback_file(request, pk):
    access = _access(request)
    instruction = get_object_or_404(_instructions(access), pk=pk)
    feedback = instruction.feedback_or_none()
    if feedback is None or not feedback.file:
        raise Http404("没有反馈附件")
    try:
        handle = feedback.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    return uploads.private_file_response(handle, feedback.file_name, feedback.file_type)


# --- 通报 --------------------------------------------------------------------------------------------------------


def _circulars(access: Access):
    """Units see the published circulars; the 研究室 drafts too."""
    circulars = Circular.objects.all()
    return circulars if access.is_editor else circulars.filter(status=Circular.Status.PUBLISHED)


def _read_circular_notices(access: Access, circular: Circular | None = None) -> set[int]:
    """Mark the unit's notices of published circulars read (of one circular, or all); the circulars that had one
    unread (shown as 新)."""
    if access.unit is None:
        return set()
    notices = access.unit.reminders.circular_notices().filter(read_at=None)
    if circular is not None:
        notices = notices.filter(reason_key=f"circular:{circular.pk}")
    unread = {notice.pk: notice.circular_pk for notice in notices.only("pk", "reason", "reason_key")}
    if unread:
        Reminder.objects.filter(pk__in=list(unread)).update(read_at=timezone.now())
    return set(unread.values())


@login_required
def circular_list(request):
    """The published circulars (the 研究室: drafts too); opening the list reads the notices of new ones."""
    access = _access(request)
    items = list(_circulars(access).order_by("-published_at", "-year", "-period_index")[:100])
    context = {"circulars": items, "new_ids": _read_circular_notices(access)}
    return _render(request, access, "network/circular_list.html", context)


@login_required
def circular_detail(request, pk):
    from network.circulars import COLUMNS, content_for

    access = _access(request)
    circular = get_object_or_404(_circulars(access), pk=pk)
    _read_circular_notices(access, circular)
    context = {"circular": circular, "content": content_for(circular), "columns": COLUMNS}
    return _render(request, access, "network/circular_detail.html", context)


@login_required
def circular_file(request, pk, fmt):
    from network.circulars import file_response

    access = _access(request)
    return file_response(get_object_or_404(_circulars(access), pk=pk), fmt)


# --- 积分 ---------------------------------------------------------------------------------------------------------


@login_required
def own_scores(request):
    """The unit's points for a period, each with its event and rule (the 研究室 sees all units at the desk)."""
    from network.scoring import unit_score
    from reports.stats import Period, period_choices

    access = _access(request)
    if access.unit is None:
        raise Http404("积分明细按单位查看")
    period, problem = Period.from_query(request.GET)
    context = {"score": unit_score(access.unit, period), "period": period, "problem": problem, **period_choices()}
    return _render(request, access, "network/scores.html", context)
