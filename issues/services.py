"""The desk's rules: placing reports, editing, ordering and removing pieces, signing off, publishing, correcting.

Every write path goes through these calls: the desk page, the admin forms, the management commands. Each takes
the rows it changes under a lock and checks what it needs itself, so no caller can skip a rule.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from issues import leads
from issues.models import Correction, Issue, IssueSequence, Piece, Section
from issues.signals import issue_published
from reports import wording
from reports.models import Profile, Report
from reports.sanitize import clean_html, plain_text


class DeskError(Exception):
    """An editor's step that cannot be done; the message says why, in Chinese, for the user."""


class EditConflict(DeskError):
    """An edit made on a copy someone else has changed since: refused, the form's input kept for the user."""


class WordingUnconfirmed(DeskError):
    """Publishing stopped because the wording check found hits nobody confirmed; `hits` lists them."""

    def __init__(self, hits):
        self.hits = hits
        super().__init__(f"用词检查发现 {len(hits)} 处可能有误，请逐条核对；确认无误后再发布。")


def wording_hits(issue: Issue) -> list[tuple[str, Piece, wording.Hit]]:
    """Every wording hit in the issue, checked at the issue's date, each with the piece (in print order) it is in."""
    found, compiled = [], wording.matcher()
    for piece in issue.pieces():
        for hit in wording.check_text(piece.title, piece.printed_body, issue.date, using=compiled):
            found.append((piece.kind, piece, hit))
    return found


# --- Briefs ---------------------------------------------------------------------------------------------


def brief_paragraph(text: str) -> str:
    """A brief's text as stored: one sanitised paragraph, inline markup (bold, italics, links) kept.

    Plain text and HTML are both accepted; several paragraphs are joined into one, as a brief is one paragraph.
    """
    html = clean_html(text.strip())
    if not html:
        return ""
    inner = html
    for tag in ("p", "h2", "h3", "h4", "li", "blockquote"):
        inner = inner.replace(f"<{tag}>", "").replace(f"</{tag}>", "")
    inner = " ".join(part.strip() for part in inner.splitlines() if part.strip())
    return clean_html(f"<p>{inner}</p>")


def brief_paragraphs(body: str) -> list[str]:
    """The inner HTML of each of a brief's paragraphs (a brief is printed as one run of text after its lead)."""
    return re.split(r"</p>\s*<p>", body.strip().removeprefix("<p>").removesuffix("</p>"))


def brief_plain_text(body: str) -> str | None:
    """A brief's stored text as plain text, for the desk's text box (a paragraph a line); None when it has inline
    formatting (bold, links), which plain text would lose: such a brief is edited on its own page, with the rich
    text editor."""
    paragraphs = brief_paragraphs(body)
    if any("<" in paragraph for paragraph in paragraphs):
        return None
    return "\n".join(html.unescape(paragraph) for paragraph in paragraphs)


def brief_from_plain_text(text: str) -> str:
    """What the desk's text box holds, as a brief's text: what was typed, `<` and `&` included, is text."""
    return html.escape(text, quote=False)


def brief_default(report: Report) -> tuple[str, str]:
    """The lead and text a report condenses to by default.

    The lead is the body the report's first paragraph starts with (`上城区湖滨街道人大工委…`), else the standing
    committee of the unit's district (`上城区人大常委会`); the text is the first paragraph, the lead not repeated.
    """
    paragraph = leads.first_paragraph(report.body) or report.title
    return leads.split_lead(paragraph, default=leads.committee_of(report.unit))


# --- Positions ------------------------------------------------------------------------------------------


def next_position(pieces) -> int:
    return (pieces.aggregate(last=Max("position"))["last"] or 0) + 1


def new_piece_position(piece: Piece) -> int:
    """Where a new piece goes in its issue: an article with its section (see `article_position`), a brief last."""
    if piece.is_article:
        return article_position(piece.issue, piece.section)
    return next_position(Piece.objects.filter(issue=piece.issue, kind=Piece.Kind.BRIEF))


def article_position(issue: Issue, section: Section | None, *, exclude: int | None = None) -> int:
    """Make room for an article so that sections stay together and follow the usual section order.

    After the last article of its section when the issue has one; otherwise before the first article of a section
    that usually comes later; otherwise at the end. The later articles move down one place (the position
    constraint is deferred to commit, so the shift cannot collide with itself).
    """
    articles = list(
        Piece.objects.articles().filter(issue=issue).exclude(pk=exclude).select_related("section").order_by("position")
    )
    same = [a.position for a in articles if section is not None and a.section_id == section.pk]
    if same:
        position = max(same) + 1
    else:
        key = (section.position, section.name) if section is not None else None
        later = [
            a.position
            for a in articles
            if key is not None and a.section is not None and (a.section.position, a.section.name) > key
        ]
        position = min(later) if later else (articles[-1].position + 1 if articles else 1)
    Piece.objects.articles().filter(issue=issue, position__gte=position).exclude(pk=exclude).update(
        position=F("position") + 1
    )
    return position


# --- Placing reports ------------------------------------------------------------------------------------


def start_draft(kind: str, date) -> tuple[Issue, bool]:
    """The next draft of `kind` from the desk's start page, and whether it is new. The page is offered when there
    is no draft: one made since (a second click on 新建, another editor) is opened rather than doubled. The kind's
    numbering lock makes two requests at once take turns."""
    with transaction.atomic():
        IssueSequence.lock(kind)
        if (draft := Issue.objects.drafts().filter(kind=kind).first()) is not None:
            return draft, False
        return Issue.objects.create(**Issue.proposal(kind, date)), True


def _draft_for_update(issue: Issue) -> Issue:
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise DeskError(f"{issue} 已发布，只能编入草稿状态的刊期。")
    return issue


@transaction.atomic
def place_report(
    report: Report,
    issue: Issue,
    *,
    as_brief: bool,
    section: Section | None = None,
    title: str = "",
    lead: str | None = None,
    brief_text: str = "",
) -> Piece:
    """Put an accepted report into a draft issue, as an article in `section` or condensed into a brief.

    A brief's lead and text default to `brief_default`; the attribution is the report's unit and authors.
    """
    issue = _draft_for_update(issue)  # the issue first, then its reports: the order publish and remove_piece take
    report = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if report.status != Report.Status.ACCEPTED:
        raise DeskError(f"只有“已采用”的信息才能编入刊期，这篇是“{report.get_status_display()}”。")
    existing = report.piece
    if existing is not None:
        raise DeskError(f"这篇信息已编入 {existing.issue}，一篇信息只能刊用一次。")
    common = {"issue": issue, "unit": report.unit, "authors": report.authors, "report": report}
    if as_brief:
        default_lead, default_text = brief_default(report)
        piece = Piece(
            **common,
            kind=Piece.Kind.BRIEF,
            lead=(lead or "").strip() or default_lead,
            body=brief_paragraph(brief_text) or brief_paragraph(default_text),
        )
    else:
        piece = Piece(
            **common, kind=Piece.Kind.ARTICLE, section=section, title=title.strip() or report.title, body=report.body
        )
    piece.position = new_piece_position(piece)
    piece.save()
    withdraw_sign_off(issue)
    return piece


@dataclass
class Placement:
    """What placing several reports at once did: the pieces made, and why each refused report was refused."""

    pieces: list[Piece]
    refused: list[str]


def place_reports(reports, issue: Issue, *, as_brief: bool, section: Section | None = None) -> Placement:
    """Place several reports with their defaults (an article in `section`, else in its suggested section)."""
    placed, refused = [], []
    for report in reports:
        try:
            with transaction.atomic():
                placed.append(
                    place_report(
                        report,
                        issue,
                        as_brief=as_brief,
                        section=None if as_brief else section or report.suggested_section,
                    )
                )
        except DeskError as exc:
            refused.append(f"《{report.title}》：{exc}")
    return Placement(placed, refused)


# --- Editing, ordering, removing ------------------------------------------------------------------------


EDITABLE_FIELDS = {"title", "section", "lead", "body", "unit", "authors"}


def _record_change(piece_or_issue, *, by, note: str, changes: list[str]) -> None:
    """An edit of a published issue is a correction (note required); of a draft, it withdraws the sign-off."""
    issue = piece_or_issue if isinstance(piece_or_issue, Issue) else piece_or_issue.issue
    if issue.is_published:
        piece = None if isinstance(piece_or_issue, Issue) else piece_or_issue
        record_correction(issue, by=by, note=note, changes="；".join(changes), piece=piece)
    elif changes:
        withdraw_sign_off(issue)


def check_can_change(issue: Issue, *, note: str = "") -> None:
    """Refuse, before anything is written, an edit of a published issue without the correction's reason."""
    if issue.is_published and not note.strip():
        raise DeskError("修改已发布的刊物须填写更正说明。")


@transaction.atomic
def save_piece(piece: Piece, *, by, note: str = "", changes: list[str] | None = None) -> Piece:
    """Save a piece written or edited in a form (the admin's pages): the one path a piece is saved by.

    A new piece takes its place in the issue (an article with its section, a brief last); a piece of a published
    issue cannot be added, and its edit is a correction; an edit of a signed-off draft withdraws the 签发.
    `changes` names the fields changed (None: not known, taken as a change); an empty list saves nothing.
    """
    issue = Issue.objects.select_for_update().get(pk=piece.issue_id)
    piece.issue = issue
    is_new = piece.pk is None
    if not is_new and changes == []:  # a form saved as it was: no correction, no withdrawn 签发
        return piece
    if is_new and issue.is_published:
        raise DeskError("已发布的刊物不能再加入文章或摘登，请选择草稿状态的期。")
    check_can_change(issue, note=note)
    if piece.is_brief:
        piece.section, piece.title = None, ""
        piece.body = brief_paragraph(piece.body)
        if is_new and not piece.lead:
            piece.lead = leads.committee_of(piece.unit)
    else:
        piece.lead = ""
    if is_new:
        piece.position = new_piece_position(piece)
    else:
        stored = Piece.objects.select_for_update().get(pk=piece.pk)
        if stored.issue_id != piece.issue_id:
            raise DeskError("稿件不能直接改到另一期：请在组版台移出后再编入。")
        if piece.is_article and stored.section_id != piece.section_id:
            piece.position = article_position(issue, piece.section, exclude=piece.pk)
    piece.save()
    label = f"{piece.get_kind_display()}《{piece}》："
    _record_change(piece, by=by, note=note, changes=[label + "、".join(changes or ["新增"])])
    return piece


def _as_stored(piece: Piece, name: str, value):
    """A field's value as `edit_piece` would store it (text stripped, a body sanitised)."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
    if name == "body":
        value = brief_paragraph(value) if piece.is_brief else clean_html(value)
    return value


def _unchanged_since_seen(piece: Piece, name: str, seen: str) -> bool:
    current = getattr(piece, "section_id" if name == "section" else name)
    if name == "section":
        return str(current or "") == (seen or "").strip()
    if name == "body" and piece.is_brief:  # the desk shows a brief's text as plain text: compared as such
        return plain_text(seen) == plain_text(current)
    return _as_stored(piece, name, seen) in {current, _as_stored(piece, name, current)}


@transaction.atomic
def edit_piece(piece: Piece, *, by, note: str = "", seen: dict[str, str] | None = None, **values) -> Piece:
    """Change some of a piece's fields (title, section, lead, body, unit, authors) and save it by `save_piece`.

    `seen` holds the values of the changed fields as the form showed them: if someone saved another value of one
    of them since, the edit is refused (DeskError) instead of silently overwriting theirs.
    """
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    # The issue first, then the piece: the order every desk step takes its locks in (see `arrange`).
    Issue.objects.select_for_update().filter(pk__in=Piece.objects.filter(pk=piece.pk).values("issue")).first()
    piece = Piece.objects.select_for_update(of=("self",)).select_related("issue", "unit", "section").get(pk=piece.pk)
    stale = [
        str(Piece._meta.get_field(name).verbose_name)
        for name in values
        if seen and name in seen and not _unchanged_since_seen(piece, name, seen[name])
    ]
    if stale:
        raise EditConflict(f"《{piece}》的{'、'.join(stale)}在您打开后已被他人修改，本次修改未保存。")
    if piece.is_article and "title" in values and not values["title"].strip():
        raise DeskError("文章须有标题。")
    changed = []
    for name, value in values.items():
        value = _as_stored(piece, name, value)
        if getattr(piece, name) != value:
            setattr(piece, name, value)
            changed.append(str(Piece._meta.get_field(name).verbose_name))
    if not changed:
        return piece
    return save_piece(piece, by=by, note=note, changes=changed)


@transaction.atomic
def remove_piece(piece: Piece, *, by=None) -> Report | None:
    """Take a piece out of its draft issue (the desk's 移出, the admin's delete). A piece made from a report gives the
    report back to the unplaced ones (an article's edited title and text go back to the report's working copy);
    nothing the unit sent is deleted."""
    Issue.objects.select_for_update().filter(pk__in=Piece.objects.filter(pk=piece.pk).values("issue")).first()
    piece = Piece.objects.select_for_update(of=("self",)).select_related("report").get(pk=piece.pk)
    issue = _draft_for_update(piece.issue)
    report = piece.report
    if report is not None and piece.is_article:
        report.title, report.body = piece.title, piece.body
        report.save(update_fields=["title", "body", "updated_at"])
    piece.delete()
    withdraw_sign_off(issue)
    return report


@transaction.atomic
def arrange(issue: Issue, groups: list[tuple[int | None, list[int]]], briefs: list[int] | None = None) -> list[str]:
    """Set the printed order from the desk: `groups` are (section id, article ids) in 目录 order, `briefs` the
    brief ids in order. An article listed under another section is moved to it, which the result reports, so
    the 目录 shows exactly what prints. Every article and brief of the issue must be listed once."""
    issue = _draft_for_update(issue)
    pieces = {p.pk: p for p in Piece.objects.select_for_update(of=("self",)).filter(issue=issue)}
    for piece in pieces.values():
        piece.issue = issue  # what the save signals read (the preview's receiver needs no query per piece)
    article_ids = [pk for _, ids in groups for pk in ids]
    expected_articles = {pk for pk, p in pieces.items() if p.is_article}
    expected_briefs = {pk for pk, p in pieces.items() if p.is_brief}
    if sorted(article_ids) != sorted(expected_articles) or (
        briefs is not None and sorted(briefs) != sorted(expected_briefs)
    ):
        raise DeskError("本期内容已被他人改动，请刷新页面后再排序。")
    sections = {s.pk: s for s in Section.objects.filter(pk__in=[sid for sid, _ in groups if sid is not None])}
    seen_sections, moved, changed = set(), [], False
    position = 1
    for section_id, ids in groups:
        if section_id is not None and section_id not in sections:
            raise DeskError("栏目不存在，请刷新页面。")
        if section_id in seen_sections:
            raise DeskError("同一栏目的文章须排在一起。")
        seen_sections.add(section_id)
        for pk in ids:
            piece = pieces[pk]
            resectioned = piece.section_id != section_id
            if resectioned:
                moved.append(f"《{piece.title}》改入栏目“{sections[section_id].name if section_id else '无栏目'}”")
                piece.section_id = section_id
            if resectioned or piece.position != position:
                piece.position = position
                piece.save(update_fields=["section", "position", "updated_at"])
                changed = True
            position += 1
    for position, pk in enumerate(briefs or [], start=1):
        if pieces[pk].position != position:
            pieces[pk].position = position
            pieces[pk].save(update_fields=["position", "updated_at"])
            changed = True
    if changed:
        withdraw_sign_off(issue)
    return moved


@transaction.atomic
def move(piece: Piece, step: int) -> None:
    """Move a piece one place up (-1) or down (+1) among its kind; an article stays within its section's run,
    a section's first article going up (or last going down) moves the whole section past the neighbouring one."""
    piece = Piece.objects.select_related("issue").get(pk=piece.pk)
    issue = _draft_for_update(piece.issue)  # before reading the order, so a move made meanwhile is not undone
    if piece.is_brief:
        ids = list(Piece.objects.briefs().filter(issue=issue).order_by("position").values_list("pk", flat=True))
        i = ids.index(piece.pk)
        j = i + step
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        arrange(issue, _groups(issue), ids)
        return
    groups = _groups(issue)
    g = next(n for n, (_, ids) in enumerate(groups) if piece.pk in ids)
    ids = groups[g][1]
    i = ids.index(piece.pk)
    if 0 <= i + step < len(ids):
        ids[i], ids[i + step] = ids[i + step], ids[i]
    elif 0 <= g + step < len(groups):
        groups[g], groups[g + step] = groups[g + step], groups[g]
    arrange(issue, groups)


def _groups(issue: Issue) -> list[tuple[int | None, list[int]]]:
    groups: dict[int | None, list[int]] = {}
    for pk, section_id in (
        Piece.objects.articles().filter(issue=issue).order_by("position").values_list("pk", "section_id")
    ):
        groups.setdefault(section_id, []).append(pk)
    return list(groups.items())


# --- The issue ------------------------------------------------------------------------------------------


def record_issue_edit(issue: Issue, *, by, note: str = "", changes: list[str]) -> None:
    """After an issue's own fields (numbers, date, colophon) were saved: a correction, or a withdrawn 签发.

    Nothing changed, nothing is recorded: a published issue saved as it was gets no correction and no new PDF."""
    if changes:
        _record_change(issue, by=by, note=note, changes=changes)


@transaction.atomic
def update_issue(issue: Issue, *, by, note: str = "", seen: dict | None = None, **values) -> Issue:
    """Change an issue's date, numbers or colophon from the desk (numbers only while a draft).

    `seen` holds the changed fields' values as the form showed them: one someone else saved since is refused
    (EditConflict), not overwritten."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    seen = seen or {}
    stale = [
        str(Issue._meta.get_field(name).verbose_name)
        for name in values
        if name in seen and getattr(issue, name) != seen[name]
    ]
    if stale:
        raise EditConflict(f"{'、'.join(stale)}在您打开后已被他人修改，本次修改未保存。")
    check_can_change(issue, note=note)
    allowed = {"date", "send_to", "recipients", "responsible_editor", "phone", "submission_url"}
    if not issue.is_published:
        allowed |= {"number", "total_number", "year"}
    changed = []
    for name, value in values.items():
        if name not in allowed:
            raise DeskError(f"已发布的刊物不能修改“{Issue._meta.get_field(name).verbose_name}”。")
        if getattr(issue, name) != value:
            setattr(issue, name, value)
            changed.append(str(Issue._meta.get_field(name).verbose_name))
    if not changed:
        return issue
    if issue.date.year != issue.year:
        raise DeskError("年份与出刊日期不一致。")
    issue.save()
    record_issue_edit(issue, by=by, note=note, changes=changed)
    return issue


def can_sign_off(user) -> bool:
    profile = getattr(user, "profile", None)
    return profile is not None and profile.role == Profile.Role.APPROVER


@transaction.atomic
def sign_off(issue: Issue, *, by) -> Issue:
    """Record the approver's 签发 of an assembled draft issue."""
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if not can_sign_off(by):
        raise DeskError("只有签发人可以签发。")
    if issue.is_published:
        raise DeskError(f"{issue} 已发布，无需签发。")
    if not issue.piece_set.exists():
        raise DeskError("本期还没有文章或信息摘登，不能签发。")
    issue.approved_by = by
    issue.approved_at = timezone.now()
    issue.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return issue


def withdraw_sign_off(issue: Issue) -> None:
    """A draft changed after its 签发 needs a new one."""
    if issue.approved_at is not None and not issue.is_published:
        issue.approved_by = None
        issue.approved_at = None
        issue.save(update_fields=["approved_by", "approved_at", "updated_at"])


def publish(issue: Issue, *, by=None, confirm_wording: bool = False) -> Issue:
    """Fix the issue's numbers, make it public, mark its reports published and ask for its PDF.

    Wording hits in the issue stop it (WordingUnconfirmed) unless `confirm_wording` says the editor has seen them.

    The numbers are the last published ones plus one, read and written while holding the kind's
    IssueSequence row lock, so two editors publishing at once get distinct, gap-free numbers.
    """
    with transaction.atomic():
        IssueSequence.lock(issue.kind)
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.is_published:
            raise DeskError(f"{issue} 已经发布。")
        if settings.SIGN_OFF_REQUIRED and issue.approved_at is None:
            raise DeskError("本期尚未签发，签发后才能发布。")
        pieces = list(issue.piece_set.select_related("report").in_print_order())
        if not pieces:
            raise DeskError("本期还没有文章或信息摘登，不能发布。")
        if not confirm_wording and (hits := wording_hits(issue)):
            raise WordingUnconfirmed(hits)
        not_ready = [p.report.title for p in pieces if p.report and p.report.status != Report.Status.ACCEPTED]
        if not_ready:
            raise DeskError("以下来源信息已不是“已采用”状态，请先从本期移出：" + "；".join(not_ready))
        issue.number, issue.total_number = Issue.next_numbers(
            issue.kind, issue.year, first_number=issue.number, first_total=issue.total_number
        )
        issue.status = Issue.Status.PUBLISHED
        issue.published_at = timezone.now()
        issue.save()
        for piece in pieces:
            if piece.report is not None:
                piece.report.transition(
                    Report.Status.PUBLISHED,
                    by=by,
                    as_editor=True,
                    comment=f"刊用于《杭州人大信息》{issue}（{piece.get_kind_display()}）",
                )
        issue.request_pdf()
        issue_published.send(sender=Issue, issue=issue)
    return issue


def record_correction(issue: Issue, *, by, note: str, changes: str = "", piece: Piece | None = None) -> Correction:
    """Record a change made to a published issue (of one of its pieces, if `piece`), and ask for its PDF again.

    Readers see the note: on the issue page, on the piece's page and in the feed entry, which is updated.
    """
    if not note.strip():
        raise DeskError("修改已发布的刊物须填写更正说明。")
    correction = Correction.objects.create(issue=issue, piece=piece, made_by=by, note=note.strip(), changes=changes)
    issue.mark_changed()
    return correction
