"""The submission portal: a unit's reports, from draft to print. Every view starts with the access helper."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from issues import similar
from issues.models import PIECE_TEXT_OF_REPORT
from reports import chain, docx_import, extensions, stats, uploads, wording
from reports.docx_import import import_docx
from reports.filters import ReportFilter
from reports.forms import AlreadyCreated, CommentForm, DocxImportForm, ReportForm, ReviewForm
from reports.models import (
    SECRECY_DECLARATION,
    EmptyBody,
    Notification,
    Report,
    TransitionError,
    is_editor,
)
from reports.sanitize import body_has_content, clean_html, plain_text
from reports.text import titled

PORTAL_SELECT = ["unit", "suggested_section", "printed_piece__issue", "printed_piece__section"]


class Access:
    """Who is asking: an editor (sees every report) or a unit's member (sees the unit's own)."""

    def __init__(self, user):
        profile = getattr(user, "profile", None)
        self.user = user
        self.is_editor = is_editor(user)
        self.unit = profile.unit if profile and not self.is_editor else None

    @property
    def allowed(self) -> bool:
        return self.is_editor or self.unit is not None

    def reports(self):
        """Editors see every unit's reports except drafts, which stay private to the unit until submitted."""
        reports = Report.objects.select_related(*PORTAL_SELECT).defer(*PIECE_TEXT_OF_REPORT)
        if self.is_editor:
            return reports.exclude(status__in=Report.UNIT_SIDE)
        return reports.filter(unit=self.unit)

    def can_change(self, report: Report) -> bool:
        return self.unit is not None and report.unit_id == self.unit.pk


def _access(request) -> Access:
    access = Access(request.user)
    if not access.allowed:
        raise Http404("该账号未关联报送单位")
    return access


def _get_report(request, pk: int, *, change: bool = False) -> tuple[Access, Report]:
    """The report if this user may see it (and change it, with `change`); 404 otherwise, whatever the reason."""
    access = _access(request)
    report = get_object_or_404(access.reports(), pk=pk)
    if change and not access.can_change(report):
        raise Http404("只有报送单位可以修改")
    return access, report


def _render(request, access: Access, template: str, context: dict, status: int = 200):
    unread = Notification.for_user(request.user, access.unit).filter(read_at=None).count() if access.unit else 0
    return render(request, template, {"access": access, "unread_count": unread, **context}, status=status)


@login_required
def report_list(request):
    access = _access(request)
    filterset = ReportFilter(request.GET, queryset=access.reports().order_by("-created_at", "-id"))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    waiting = chain.waiting_on(request.user) if access.unit else []
    return _render(request, access, "reports/report_list.html", {"filter": filterset, "page": page, "waiting": waiting})


SUBMIT_MESSAGES = {
    Report.Status.SUBMITTED: "信息已报送，请等待研究室处理。",
    Report.Status.IN_REVIEW: "信息已送本单位审核。",
    Report.Status.IN_SIGN_OFF: "信息已送本单位签发。",
}


def _submit_label(report: Report) -> str:
    """What the unit's submit button does for this report: 报送 / 送审核 / 送签发."""
    step = chain.next_step(report.unit, report.status)
    if step in {Report.Status.SUBMITTED, None}:
        return "重新报送" if report.status == Report.Status.RETURNED else "报送"
    return {Report.Status.IN_REVIEW: "送审核", Report.Status.IN_SIGN_OFF: "送签发"}[step]


@login_required
def report_new(request):
    access = _access(request)
    if access.unit is None:
        raise Http404("只有报送单位可以新建信息")
    return _edit(request, access, Report(unit=access.unit, created_by=request.user))


@login_required
def report_edit(request, pk):
    access, report = _get_report(request, pk, change=True)
    if not report.is_editable and request.method != "POST":  # a POST is refused by the save, keeping the input
        messages.error(request, f"该信息当前为“{report.get_status_display()}”，退回修改后才能编辑。")
        return redirect(report)
    return _edit(request, access, report)


def _edit(request, access: Access, report: Report):
    """The form for a new or an editable report: save as draft, submit, or fill it from a Word file."""
    docx_form, status = DocxImportForm(), 200
    docx_token, docx_confirm = request.POST.get("imported_docx", ""), None
    if request.method != "POST":
        # A new report may be started from a link that fills an extension's field (e.g. the call it answers).
        linked = {k: v for k, v in request.GET.items() if k in extensions.report_form_field_names()}
        form = ReportForm(instance=report, initial=linked if report.pk is None else None)
    elif request.POST.get("action") in IMPORT_ACTIONS:
        form, docx_form, docx_token, docx_confirm = _import_docx(request, report)
    else:
        form = ReportForm(request.POST, request.FILES, instance=report)
        submitting = request.POST.get("action") == "submit"
        step = chain.next_step(report.unit, report.status) if report.is_editable else Report.Status.SUBMITTED
        needs_declaration = step == Report.Status.SUBMITTED
        if form.is_valid() and (not submitting or form.check_ready_to_submit(needs_declaration=needs_declaration)):
            hits = wording.check_text(form.cleaned_data["title"], form.cleaned_data["body"], timezone.localdate())
            # Wording hits warn, they don't refuse: the text is kept as a draft, shown with its hits, and submitting
            # again (the form then carries the hits' signature) confirms.
            held = submitting and hits and request.POST.get("wording_confirmed") != wording.signature(hits)
            word_file = docx_import.unstash(docx_token, request.user) if docx_token else None
            try:
                report = form.save_checked(
                    request.user,
                    move_to=step if submitting and not held else None,
                    secrecy_declared=form.cleaned_data["secrecy_declared"],
                    word_file=word_file,
                )
            except AlreadyCreated as exc:  # the same form sent twice: the first sending created it
                messages.info(request, "这篇信息已经保存过，重复提交已忽略。")
                return redirect(exc.report)
            except TransitionError as exc:  # changed meanwhile, e.g. submitted from another window or decided
                messages.error(request, f"{exc}本次修改未保存，您填写的内容仍在下方，可复制留存。")
                status = 409
            else:
                if word_file is not None:  # attached: its stash has served (kept while a refused save is retried)
                    docx_import.discard(word_file)
                if held:
                    messages.warning(
                        request,
                        f"已保存为草稿，尚未{_submit_label(report)}：用词检查发现 {len(hits)} 处可能有误，请核对修改；"
                        f"确认无误的，可再次点击“{_submit_label(report)}”。",
                    )
                    return redirect("reports:edit", pk=report.pk)
                messages.success(request, SUBMIT_MESSAGES[step] if submitting else "草稿已保存。")
                if submitting:
                    _tell_similar(request, report)
                return redirect(report)
            finally:
                if word_file is not None:
                    word_file.close()
        else:
            messages.error(request, "信息未保存，请按提示修改后再提交。已填写的内容均已保留。")
    return _render(
        request,
        access,
        "reports/report_form.html",
        {
            "form": form,
            "docx_form": docx_form,
            "docx_token": docx_token,
            "docx_confirm": docx_confirm,
            "report": report,
            "is_new": report.pk is None,
            "attachments": list(report.attachments.all()) if report.pk else [],
            "last_event": report.events.last() if report.status in RETURN_STATUSES else None,
            "submit_label": _submit_label(report),
            "needs_declaration": chain.next_step(report.unit, report.status) == Report.Status.SUBMITTED,
            **_wording_context(report),
        },
        status=status,
    )


RETURN_STATUSES = {Report.Status.RETURNED, Report.Status.UNIT_RETURNED}


def _wording_context(report: Report) -> dict:
    """The report's wording hits as stored now, and the signature a submit sends back to confirm having seen them."""
    if report.pk is None:
        return {"wording_hits": [], "wording_signature": ""}
    hits = wording.check_text(report.title, report.body, timezone.localdate())
    return {"wording_hits": hits, "wording_signature": wording.signature(hits)}


IMPORT_ACTIONS = ("import", "import_replace", "import_keep")


def _import_docx(request, report: Report):
    """Fill title and body from a .docx, keeping whatever else was typed; nothing is saved yet.

    The file is kept (a signed token in the form) and attached when the report is saved. A title or text the clerk
    already typed is replaced only after a confirmation (`import_replace`); `import_keep` keeps what was typed.
    The closing attribution and a phone number fill authors and phone when those are empty.
    """
    fields = (
        "title",
        "body",
        "authors",
        "phone",
        "suggested_section",
        "seen_status",
        "form_token",
        *extensions.report_form_field_names(),
    )
    typed = {name: request.POST[name] for name in fields if name in request.POST}
    typed |= {name: typed.get(name, "") for name in ("title", "body")}
    action = request.POST.get("action")
    token = request.POST.get("imported_docx", "")
    docx_form, upload, confirm = DocxImportForm(), None, None
    if action == "import":
        docx_form = DocxImportForm(request.POST, request.FILES)
        if docx_form.is_valid():
            upload = docx_form.cleaned_data["docx"]
    elif action == "import_replace" and token:
        upload = docx_import.unstash(token, request.user)
    if action == "import_keep":
        messages.info(request, "已保留您填写的标题和正文；Word 文件将在保存时作为附件一并保存。")
    if upload is not None:
        unit_name = report.unit.name if report.unit_id else ""
        typed_title = " ".join(typed["title"].split())
        # Where the file might replace typed text, the first reading stores no images: nothing is written to the
        # public MEDIA_ROOT before the clerk chooses (import_replace reads the file again, images included).
        asks = action == "import" and bool(typed_title or body_has_content(typed["body"]))
        try:
            imported = import_docx(upload, unit_name, store_images=not asks)
            replaces = (imported.title and typed_title and typed_title != imported.title) or (
                body_has_content(typed["body"]) and clean_html(typed["body"]) != imported.body
            )
            if asks and not replaces:  # the same text as typed after all: fill it in, images included
                imported = import_docx(upload, unit_name)
        except ValidationError as exc:
            if docx_form.is_bound:
                docx_form.add_error("docx", exc)
            else:
                messages.error(request, " ".join(exc.messages))
        else:
            if action == "import":
                token = docx_import.stash(upload, request.user)
                docx_form = DocxImportForm()
            if action == "import" and replaces:
                confirm = {"title": imported.title, "characters": len(plain_text(imported.body))}
            else:
                typed["title"] = imported.title or typed["title"]
                typed["body"] = imported.body
                typed["authors"] = typed.get("authors") or imported.authors
                typed["phone"] = typed.get("phone") or imported.phone
                for warning in imported.warnings:
                    messages.warning(request, warning)
                messages.success(
                    request, "已从 Word 文档导入标题和正文，请核对后保存或报送；Word 文件将在保存时作为附件一并保存。"
                )
        finally:
            if action == "import_replace":
                upload.close()
    return ReportForm(instance=report, initial=typed), docx_form, token, confirm


@login_required
def report_detail(request, pk):
    access, report = _get_report(request, pk)
    form = CommentForm()
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            comment = form.save(commit=False)
            comment.report, comment.author, comment.from_editor = report, request.user, access.is_editor
            with transaction.atomic():
                comment.save()
                if access.is_editor:
                    Notification.notify(report, message=f"研究室对{titled(report.title)}留言：{comment.body[:200]}")
            messages.success(request, "留言已发送。")
            return redirect(report)
        messages.error(request, "留言未发送，请填写内容后再试。")
    if access.unit:
        Notification.for_user(request.user, access.unit).filter(report=report, read_at=None).update(
            read_at=timezone.now()
        )
    events = list(report.events.select_related("actor"))
    step_role = chain.STEP_ROLE.get(report.status)
    can_review = bool(step_role) and access.unit is not None and chain.has_role(request.user, report.unit, step_role)
    next_step = chain.next_step(report.unit, report.status) if report.is_editable or can_review else None
    context = {
        "report": report,
        "events": events,
        "chain_record": chain.record(events),
        "can_review": can_review,
        "content_signature": report.content_signature() if can_review else "",
        "submit_label": _submit_label(report) if report.is_editable else "",
        "needs_declaration": next_step == Report.Status.SUBMITTED,
        "secrecy_declaration": SECRECY_DECLARATION,
        "unit_side": [s.value for s in Report.UNIT_SIDE],
        **(_wording_context(report) if access.unit else {}),
        "similar": similar.for_unit(report, similar.similar_to_report(report)) if access.unit else [],
        "versions": report.versions.select_related("created_by"),
        "attachments": report.attachments.all(),
        "comments": report.comments.select_related("author__profile__unit"),
        "comment_form": form,
        "can_change": access.can_change(report),
    }
    return _render(request, access, "reports/report_detail.html", context)


@login_required
@require_POST
def report_submit(request, pk):
    _, report = _get_report(request, pk, change=True)
    step = chain.next_step(report.unit, report.status) if report.is_editable else Report.Status.SUBMITTED
    seen = request.POST.get("seen_status", "")
    if seen not in Report.Status.values:
        messages.error(request, "页面已过期，请刷新后再报送。")
        return redirect(report)
    hits = wording.check_text(report.title, report.body, timezone.localdate())
    if hits and request.POST.get("wording_confirmed") != wording.signature(hits):
        messages.warning(
            request, f"用词检查发现 {len(hits)} 处可能有误，请核对；确认无误的，可再次点击“{_submit_label(report)}”。"
        )
        return redirect(report)
    try:
        report.transition(
            step,
            by=request.user,
            as_editor=False,
            secrecy_declared=request.POST.get("secrecy_declared") == "on",
            expected=seen,
        )
    except EmptyBody as exc:  # the form is where the body is written
        messages.error(request, str(exc))
        return redirect("reports:edit", pk=report.pk)
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, SUBMIT_MESSAGES[step])
        _tell_similar(request, report)
    return redirect(report)


def _tell_similar(request, report: Report) -> None:
    """On submission: the unit hears of similar published pieces and of its own similar reports (listed on the
    report's page); the 研究室 sees every unit's on the desk."""
    found = similar.for_unit(report, similar.similar_to_report(report))
    if found:
        messages.warning(request, f"发现 {len(found)} 篇相似稿件（见本页“相似稿件”），如属重复报送请说明。")


@login_required
@require_POST
def report_review(request, pk):
    """The unit's reviewer or 签发人 passes a report on to the next step, or returns it inside the unit."""
    _, report = _get_report(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(report)
    data = form.cleaned_data
    if report.status not in chain.STEP_ROLE:
        # Not waiting for review or sign-off: the drafter submits it from the form or the page, with their checks.
        messages.error(
            request, f"这篇信息当前为“{report.get_status_display()}”，不在待审核或待签发环节，不能审核签发。"
        )
        return redirect(report)
    to = Report.Status.UNIT_RETURNED if data["decision"] == "return" else chain.next_step(report.unit, report.status)
    try:
        report.transition(
            to,
            by=request.user,
            as_editor=False,
            comment=data["comment"],
            secrecy_declared=data["secrecy_declared"],
            expected=data["seen_status"],
            expected_content=data["seen_content"],
        )
    except TransitionError as exc:
        messages.error(request, str(exc))
    else:
        done = {Report.Status.UNIT_RETURNED: "已退回信息员修改。", Report.Status.IN_SIGN_OFF: "审核通过，已送签发。"}
        messages.success(request, done.get(to, "已签发并报送研究室。"))
    return redirect(report)


@login_required
@require_POST
def report_delete(request, pk):
    _, report = _get_report(request, pk, change=True)
    if not report.can_be_deleted:
        messages.error(request, "已报送过的信息不能删除。")
        return redirect(report)
    with transaction.atomic():
        for attachment in report.attachments.all():
            attachment.file.delete(save=False)
        report.delete()
    messages.success(request, f"草稿{titled(report.title)}已删除。")
    return redirect("reports:list")


@login_required
def version_detail(request, pk, number):
    access, report = _get_report(request, pk)
    version = get_object_or_404(report.versions.select_related("created_by"), number=number)
    return _render(request, access, "reports/version_detail.html", {"report": report, "version": version})


@login_required
def attachment_download(request, pk, attachment_pk):
    _, report = _get_report(request, pk)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在") from None
    return uploads.private_file_response(handle, attachment.download_name, attachment.content_type)


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    _, report = _get_report(request, pk, change=True)
    attachment = get_object_or_404(report.attachments, pk=attachment_pk)
    if not report.is_editable:
        messages.error(request, "已报送的信息不能删除附件，退回修改后才能更改。")
        return redirect(report)
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, f"附件“{attachment.original_name}”已删除。")
    return redirect("reports:edit", pk=report.pk)


@require_POST
def upload_image(request):
    """CKEditor's image upload: logged-in submitters and editors, images only, stored under a random name."""
    if not request.user.is_authenticated or not Access(request.user).allowed:
        return JsonResponse({"error": {"message": "请先登录报送系统再上传图片。"}}, status=403)
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.REPORT_IMAGE_MAX_BYTES + 64 * 1024:
        # Refused before Django reads the body to a temporary file.
        limit = settings.REPORT_IMAGE_MAX_BYTES // (1024 * 1024)
        return JsonResponse({"error": {"message": f"图片超过了 {limit} MB 的上限，请压缩后再上传。"}}, status=413)
    upload = request.FILES.get("upload")
    if upload is None:
        return JsonResponse({"error": {"message": "没有收到图片文件，请重新选择。"}}, status=400)
    try:
        kind = uploads.check_upload(upload, allowed=uploads.IMAGES, max_bytes=settings.REPORT_IMAGE_MAX_BYTES)
        url = uploads.save_image(upload.read(), kind)
    except ValidationError as exc:
        return JsonResponse({"error": {"message": " ".join(exc.messages)}}, status=400)
    return JsonResponse({"url": url})


@login_required
def notifications(request):
    access = _access(request)
    if access.unit is None:
        raise Http404("通知只发给报送单位")
    mine = Notification.for_user(request.user, access.unit)
    if request.method == "POST":
        mine.filter(read_at=None).update(read_at=timezone.now())
        messages.success(request, "已全部标为已读。")
        return redirect("reports:notifications")
    items = mine.select_related("report")[:100]
    return _render(request, access, "reports/notifications.html", {"notifications": items})


@login_required
def unit_stats(request):
    """The unit's own adoption figures (信息采用情况); the 研究室 sees every unit's at the desk."""
    access = _access(request)
    if access.unit is None:
        raise Http404("没有所属单位")
    period, problem = stats.Period.from_query(request.GET)
    own, ranked = stats.unit_figures(access.unit, period)
    context = {"unit": access.unit, "period": period, "problem": problem, "row": own, "ranked": ranked}
    return _render(request, access, "reports/stats.html", context | stats.period_choices())
