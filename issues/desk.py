"""The assembly desk (组版台): one admin page per draft issue, from accepted reports to a published issue.

Left, the accepted reports not yet placed, filterable, each placed in one click as an article in its section or as
a brief, several at once. Right, the issue as it will print, reordered by dragging (saved on drop) or with the
up/down buttons; pieces edited in a side panel, removed back to the unplaced reports; the colophon, numbers and
date; preview, 签发 and 发布. Every action is a plain form POST with CSRF that works without JavaScript
(static/js/desk.js only enhances it), and goes through `issues.services`.
"""

import datetime
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_ckeditor_5.widgets import CKEditor5Widget

from issues import services
from issues.models import COLOPHON_FIELDS, Issue, Piece, Section, prefetch_contents
from reports.models import Contributor, District, Report
from reports.sanitize import clean_html


class UnplacedFilter(forms.Form):
    """The left column's filters: district, unit, suggested section, submitted since."""

    district = forms.ChoiceField(label="区县", required=False, choices=[("", "全部区县"), *District.choices])
    unit = forms.ModelChoiceField(
        label="单位", required=False, queryset=Contributor.objects.all(), empty_label="全部单位"
    )
    section = forms.ModelChoiceField(
        label="建议栏目", required=False, queryset=Section.objects.filter(is_active=True), empty_label="全部栏目"
    )
    since = forms.DateField(label="报送不早于", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def apply(self, reports):
        if not self.is_valid():
            return reports
        data = self.cleaned_data
        if data["district"]:
            reports = reports.filter(unit__district=data["district"])
        if data["unit"]:
            reports = reports.filter(unit=data["unit"])
        if data["section"]:
            reports = reports.filter(suggested_section=data["section"])
        if data["since"]:
            since = timezone.make_aware(datetime.datetime.combine(data["since"], datetime.time()))
            reports = reports.filter(last_submitted_at__gte=since)
        return reports


class PieceEditForm(forms.Form):
    """Each field carries its value as shown (`initial-<name>`), so a save changes only what this editor changed
    and is refused where someone else changed the same field meanwhile."""

    title = forms.CharField(label="标题", max_length=200, required=False, show_hidden_initial=True)
    section = forms.ModelChoiceField(
        label="栏目",
        queryset=Section.objects.all(),
        required=False,
        empty_label="（无栏目）",
        show_hidden_initial=True,
    )
    lead = forms.CharField(label="加粗开头", max_length=100, required=False, show_hidden_initial=True)
    body = forms.CharField(
        label="正文", required=False, widget=CKEditor5Widget(config_name="default"), show_hidden_initial=True
    )
    note = forms.CharField(label="更正说明", required=False)

    def seen(self) -> dict[str, str]:
        """The values the form showed, for the fields whose shown value came back with the post."""
        return {
            name: self.data[self.add_initial_prefix(name)]
            for name in ("title", "section", "lead", "body")
            if self.add_initial_prefix(name) in self.data
        }


class IssueEditForm(forms.ModelForm):
    """Only the fields this editor changed are saved (each carries its shown value), not a stale copy of the rest."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.show_hidden_initial = True

    def seen(self) -> dict:
        """The changed fields' values as the form showed them (posted back beside each field), as stored."""
        shown = {}
        for name in self.changed_data:
            raw = self.data.get(self.add_initial_prefix(name))
            if raw is not None:
                try:
                    shown[name] = self.fields[name].to_python(raw)
                except forms.ValidationError:
                    continue
                if shown[name] is None and isinstance(self.fields[name], forms.CharField):
                    shown[name] = ""
        return shown

    class Meta:
        model = Issue
        fields = ["date", "number", "total_number", *COLOPHON_FIELDS]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }


def _with_plain_text(brief: Piece) -> Piece:
    """A brief as the desk shows it: its text as plain text to edit, or (formatted) its sanitised inline HTML."""
    brief.plain_text = services.brief_plain_text(brief.body)
    brief.inline_html = mark_safe(clean_html("<br>".join(services.brief_paragraphs(brief.body))))
    return brief


def _same_markup(a: str, b: str) -> bool:
    """Whether two bodies differ only in the white space between tags, which CKEditor drops from what it loads."""
    return re.sub(r">\s+<", "><", clean_html(a)).strip() == re.sub(r">\s+<", "><", clean_html(b)).strip()


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def unplaced_reports():
    return (
        Report.objects.filter(Report.UNPLACED, status=Report.Status.ACCEPTED)
        .select_related("unit", "suggested_section")
        .annotate(last_submitted_at=Max("versions__created_at"))
        .order_by("last_submitted_at", "id")
    )


class DeskViews:
    """Mixed into IssueAdmin: the desk page and its POST endpoints (URL names `issues_issue_desk*`)."""

    def desk_urls(self):
        from django.urls import path

        wrap = self.admin_site.admin_view
        return [
            path("desk/", wrap(self.desk_start_view), name="issues_issue_desk_start"),
            path("<int:object_id>/desk/", wrap(self.desk_view), name="issues_issue_desk"),
            path("<int:object_id>/desk/place/", wrap(self.desk_place_view), name="issues_issue_desk_place"),
            path("<int:object_id>/desk/arrange/", wrap(self.desk_arrange_view), name="issues_issue_desk_arrange"),
            path("<int:object_id>/desk/move/", wrap(self.desk_move_view), name="issues_issue_desk_move"),
            path("<int:object_id>/desk/briefs/", wrap(self.desk_briefs_view), name="issues_issue_desk_briefs"),
            path("<int:object_id>/desk/issue/", wrap(self.desk_issue_view), name="issues_issue_desk_issue"),
            path(
                "<int:object_id>/desk/piece/<int:piece_id>/",
                wrap(self.desk_piece_view),
                name="issues_issue_desk_piece",
            ),
            path(
                "<int:object_id>/desk/piece/<int:piece_id>/remove/",
                wrap(self.desk_remove_view),
                name="issues_issue_desk_remove",
            ),
        ]

    # --- helpers ---

    def _desk_issue(self, request, object_id, *, post=True) -> Issue:
        if not self.has_change_permission(request) or (post and request.method != "POST"):
            raise PermissionDenied
        return get_object_or_404(Issue, pk=object_id)

    def _back(self, issue: Issue, anchor: str = "", **query):
        url = reverse("admin:issues_issue_desk", args=[issue.pk])
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return redirect(url + (f"#{anchor}" if anchor else ""))

    # --- the page ---

    def desk_start_view(self, request):
        """From the inbox: the desk of the draft due first; with none, a button that makes the next 普刊."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            kind = request.POST.get("kind")
            kind = kind if kind in Issue.Kind.values else Issue.Kind.REGULAR
            issue, created = services.start_draft(kind, timezone.localdate())
            if created:
                messages.success(request, f"已新建 {issue}（期号为建议值）。")
            else:
                messages.info(request, f"已有草稿 {issue}，已为您打开，未再新建。")
            return self._back(issue)
        draft = Issue.objects.drafts().first()
        if draft is not None:
            return self._back(draft)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": "组版台"}
        return TemplateResponse(request, "admin/issues/issue/desk_start.html", context)

    def desk_view(self, request, object_id, *, edit_form=None, editing=None):
        issue = self._desk_issue(request, object_id, post=False)
        if issue.is_published:
            messages.info(request, f"{issue} 已发布，组版台只用于草稿；更正请在本页修改。")
            return redirect(reverse("admin:issues_issue_change", args=[issue.pk]))
        prefetch_contents([issue])
        filtering = any(request.GET.get(name) for name in UnplacedFilter.base_fields)
        filters = UnplacedFilter(request.GET if filtering else None)
        reports = list(filters.apply(unplaced_reports()))
        sections = list(Section.objects.filter(is_active=True))
        if editing is not None:  # a refused edit, shown again with what the editor typed
            editing = next((p for p in issue.pieces() if p.pk == editing.pk), None)
        elif (edit_id := request.GET.get("edit", "")).isdigit():
            editing = next((p for p in issue.pieces() if p.pk == int(edit_id)), None)
            if editing is not None:
                edit_form = PieceEditForm(
                    initial={
                        "title": editing.title,
                        "section": editing.section_id,
                        "lead": editing.lead,
                        "body": editing.body,
                    },
                    auto_id="edit_%s",
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"组版台：{issue}",
            "is_nav_sidebar_enabled": False,  # the desk needs the width
            "issue": issue,
            "original": issue,
            "groups": issue.sections_with_articles(),
            "briefs": [_with_plain_text(brief) for brief in issue.briefs()],
            "reports": reports,
            "filters": filters,
            "sections": sections,
            "editing": editing,
            "edit_form": edit_form,
            "issue_form": IssueEditForm(instance=issue, auto_id="issue_%s"),
            "sign_off_required": settings.SIGN_OFF_REQUIRED,
            "can_sign_off": services.can_sign_off(request.user),
            "other_drafts": Issue.objects.drafts().exclude(pk=issue.pk),
        }
        return TemplateResponse(request, "admin/issues/issue/desk.html", context)

    # --- placing ---

    def desk_place_view(self, request, object_id):
        """`one=<id>:article|brief` places one report (its section from `section-<id>`); `bulk=article|brief`
        places the ticked ones (`report`), each article in the section chosen on its row."""
        issue = self._desk_issue(request, object_id)
        post = request.POST
        if one := post.get("one"):
            report_id, _, kind = one.partition(":")
            ids = [report_id]
        else:
            kind, ids = post.get("bulk", ""), post.getlist("report")
        if kind not in Piece.Kind.values or not ids:
            messages.error(request, "请先勾选要编入的信息。")
            return self._back(issue)
        reports = {str(r.pk): r for r in Report.objects.filter(pk__in=[i for i in ids if i.isdigit()])}
        placed, refused = 0, []
        for report_id in ids:
            report = reports.get(report_id)
            if report is None:
                continue
            section = None
            if kind == Piece.Kind.ARTICLE:
                section_id = post.get(f"section-{report_id}", "")
                section = Section.objects.filter(pk=section_id).first() if section_id.isdigit() else None
            result = services.place_reports([report], issue, as_brief=kind == Piece.Kind.BRIEF, section=section)
            placed += len(result.pieces)
            refused += result.refused
        if placed:
            what = "信息摘登" if kind == Piece.Kind.BRIEF else "文章"
            messages.success(request, f"已编入 {placed} 篇，作为{what}。")
        for message in refused:
            messages.error(request, message)
        return self._back(issue, "issue-panel")

    # --- ordering ---

    def desk_arrange_view(self, request, object_id):
        """The order after a drop, as the page shows it: `group` = `<section id or 0>:<id>,<id>…` in 目录 order,
        `briefs` = `<id>,<id>…`. Answers JSON to the page's script (a form post without it is redirected)."""
        issue = self._desk_issue(request, object_id)
        try:
            groups = []
            for value in request.POST.getlist("group"):
                section, _, ids = value.partition(":")
                groups.append((int(section) or None, [int(i) for i in ids.split(",") if i]))
            briefs = [int(i) for i in request.POST.get("briefs", "").split(",") if i]
            moved = services.arrange(issue, groups, briefs)
        except (ValueError, services.DeskError) as exc:
            message = str(exc) if isinstance(exc, services.DeskError) else "排序数据有误，请刷新页面。"
            return JsonResponse({"ok": False, "error": f"未保存：{message}"}, status=409)
        return JsonResponse({"ok": True, "moved": moved, "message": "；".join(moved) or "顺序已保存。"})

    def desk_move_view(self, request, object_id):
        issue = self._desk_issue(request, object_id)
        piece_id = request.POST.get("piece", "")
        piece = get_object_or_404(
            Piece, pk=int(piece_id) if piece_id.isdecimal() and piece_id.isascii() else 0, issue=issue
        )
        try:
            services.move(piece, -1 if request.POST.get("step") == "up" else 1)
        except services.DeskError as exc:
            messages.error(request, str(exc))
        return self._back(issue, f"piece-{piece.pk}")

    # --- editing ---

    def desk_briefs_view(self, request, object_id):
        """All briefs' leads and texts in one form: `lead-<id>`, `text-<id>`."""
        issue = self._desk_issue(request, object_id)
        changed, conflicts = 0, False
        try:
            for brief in Piece.objects.briefs().filter(issue=issue):
                values, seen = {}, {}
                for name, field in (("lead", "lead"), ("text", "body")):
                    key = f"{name}-{brief.pk}"
                    if key not in request.POST:
                        continue  # a formatted brief has no text box
                    typed, shown = request.POST[key], request.POST.get(f"seen-{key}")
                    as_stored = services.brief_from_plain_text if field == "body" else str
                    if shown is not None:
                        if _same_text(shown, typed):
                            continue  # not touched by this editor: keep what is stored
                        seen[field] = as_stored(shown)
                    values[field] = as_stored(typed)
                if not values:
                    continue  # untouched: no lock taken, nothing read again
                before = (brief.lead, brief.body)
                try:
                    brief = services.edit_piece(brief, by=request.user, seen=seen, **values)
                except services.EditConflict as exc:
                    keys = (f"lead-{brief.pk}", f"text-{brief.pk}")
                    typed = "；".join(request.POST[key] for key in keys if request.POST.get(key))
                    messages.error(request, f"{exc}您填写的是：{typed}")
                    conflicts = True
                    continue
                changed += (brief.lead, brief.body) != before
        except services.DeskError as exc:
            messages.error(request, str(exc))
        else:
            if changed or not conflicts:
                messages.success(request, f"已保存 {changed} 则摘登。" if changed else "摘登没有改动。")
        return self._back(issue, "briefs-panel")

    def desk_piece_view(self, request, object_id, piece_id):
        issue = self._desk_issue(request, object_id)
        piece = get_object_or_404(Piece, pk=piece_id, issue=issue)
        form = PieceEditForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请检查填写的内容。")
            return self._back(issue, "edit-panel", edit=piece.pk)
        data = form.cleaned_data
        own = ["body", *(["title", "section"] if piece.is_article else ["lead"])]
        seen = form.seen()
        values = {name: data[name] for name in own if name not in seen or name in form.changed_data}
        if "body" in values and "body" in seen and _same_markup(seen["body"], data["body"]):
            del values["body"]  # the editor wrote the shown text back in its own layout: not an edit
        try:
            services.edit_piece(piece, by=request.user, note=data["note"], seen=seen, **values)
        except services.EditConflict as exc:
            messages.error(request, f"{exc}下方保留了您填写的内容，其中的原值已换成他人保存的值；核对后可再次保存。")
            return self.desk_view(request, object_id, edit_form=self._refreshed(form, piece), editing=piece)
        except services.DeskError as exc:
            messages.error(request, str(exc))
            return self._back(issue, "edit-panel", edit=piece.pk)
        messages.success(request, f"已保存《{Piece.objects.get(pk=piece.pk)}》。")
        return self._back(issue, f"piece-{piece.pk}")

    @staticmethod
    def _refreshed(form: PieceEditForm, piece: Piece) -> PieceEditForm:
        """The refused form again: the editor's input, with the shown values replaced by the stored ones."""
        piece.refresh_from_db()
        data = form.data.copy()
        stored = {"title": piece.title, "section": piece.section_id or "", "lead": piece.lead, "body": piece.body}
        for name, value in stored.items():
            data[form.add_initial_prefix(name)] = value
        return PieceEditForm(data, auto_id="edit_%s")

    def desk_remove_view(self, request, object_id, piece_id):
        issue = self._desk_issue(request, object_id)
        piece = get_object_or_404(Piece, pk=piece_id, issue=issue)
        title = str(piece)
        try:
            report = services.remove_piece(piece, by=request.user)
        except services.DeskError as exc:
            messages.error(request, str(exc))
        else:
            back = "，来源信息回到待编入列表" if report else ""
            messages.success(request, f"已从本期移出《{title}》{back}。")
        return self._back(issue)

    def desk_issue_view(self, request, object_id):
        issue = self._desk_issue(request, object_id)
        form = IssueEditForm(request.POST, instance=Issue.objects.get(pk=issue.pk))
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{'；'.join(errors)}" if label else "；".join(errors))
            return self._back(issue, "colophon-panel")
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if "date" in values:
            values["year"] = values["date"].year
        try:
            services.update_issue(issue, by=request.user, seen=form.seen(), **values)
        except services.EditConflict as exc:
            typed = "；".join(f"{form.fields[name].label}：{request.POST.get(name, '')}" for name in form.changed_data)
            messages.error(request, f"{exc}您填写的是：{typed}")
        except services.DeskError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "刊期信息已保存。" if values else "刊期信息没有改动。")
        return self._back(issue, "colophon-panel")
