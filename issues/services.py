"""Operations that span issues, pieces and reports: placing a report, signing off, publishing, correcting."""

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.html import escape

from issues.models import Article, Brief, Correction, Issue, IssueSequence, Section
from reports import wording
from reports.models import Profile, Report
from reports.sanitize import plain_text


class DeskError(Exception):
    """An editor's step that cannot be done; the message says why, in Chinese, for the user."""


class WordingUnconfirmed(DeskError):
    """Publishing stopped because the wording check found hits nobody confirmed; `hits` lists them."""

    def __init__(self, hits):
        self.hits = hits
        super().__init__(f"用词检查发现 {len(hits)} 处可能有误，请逐条核对；确认无误后再发布。")


def _issue_pieces(issue: Issue) -> list[tuple[str, Article | Brief]]:
    """Every piece of the issue in print order, as (kind, piece): the one place the wording check reads them."""
    return [
        *(("article", a) for a in issue.articles.select_related("section").order_by("position")),
        *(("brief", b) for b in issue.briefs.order_by("position")),
    ]


def wording_hits(issue: Issue) -> list[tuple[str, Article | Brief, wording.Hit]]:
    """Every wording hit in the issue, checked at the issue's date, each with the piece it is in."""
    found, compiled = [], wording.matcher()
    for kind, piece in _issue_pieces(issue):
        for hit in wording.check_text(getattr(piece, "title", ""), piece.body, issue.date, using=compiled):
            found.append((kind, piece, hit))
    return found


def brief_body(unit_name: str, text: str) -> str:
    """A brief's single paragraph, opening with the unit's name in bold as printed under 信息摘登."""
    text = text.strip().removeprefix(unit_name).strip()
    return f"<p><strong>{escape(unit_name)}</strong>{escape(text)}</p>"


def with_bold_unit(body: str, unit_name: str) -> str:
    """A brief written or edited at the desk, made to open with its unit's name in bold like every other brief."""
    if body.startswith(f"<p><strong>{escape(unit_name)}</strong>"):
        return body
    return brief_body(unit_name, plain_text(body))


def brief_text_from(report: Report) -> str:
    """A starting point for condensing a report into a brief: its text as one paragraph."""
    return plain_text(report.body)


def next_position(pieces) -> int:
    return (pieces.aggregate(last=Max("position"))["last"] or 0) + 1


def new_piece_position(piece: Article | Brief) -> int:
    """Where a new piece goes in its issue: an article with its section (see `article_position`), a brief last."""
    if isinstance(piece, Article):
        return article_position(piece.issue, piece.section)
    return next_position(piece.issue.briefs)


def article_position(issue: Issue, section: Section | None) -> int:
    """Make room for a new article so that sections stay together and follow the usual section order.

    After the last article of its section when the issue has one; otherwise before the first article of a section
    that usually comes later; otherwise at the end. The later articles move down one place (the position
    constraint is deferred to commit, so the shift cannot collide with itself).
    """
    articles = list(issue.articles.select_related("section").order_by("position"))
    same = [a.position for a in articles if section is not None and a.section_id == section.pk]
    if same:
        position = max(same) + 1
    else:
        later = [
            a.position
            for a in articles
            if section is not None
            and a.section is not None
            and (a.section.position, a.section.name)
            > (
                section.position,
                section.name,
            )
        ]
        position = min(later) if later else (articles[-1].position + 1 if articles else 1)
    issue.articles.filter(position__gte=position).update(position=F("position") + 1)
    return position


@transaction.atomic
def place_report(
    report: Report,
    issue: Issue,
    *,
    as_brief: bool,
    section: Section | None = None,
    title: str = "",
    brief_text: str = "",
) -> Article | Brief:
    """Put an accepted report into a draft issue, as an article in `section` or condensed into a brief."""
    report = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    if report.status != Report.Status.ACCEPTED:
        raise DeskError(f"只有“已采用”的信息才能编入刊期，这篇是“{report.get_status_display()}”。")
    if issue.is_published:
        raise DeskError(f"{issue} 已发布，只能编入草稿状态的刊期。")
    existing = report.piece
    if existing is not None:
        raise DeskError(f"这篇信息已编入 {existing.issue}，一篇信息只能刊用一次。")
    common = {"issue": issue, "unit": report.unit, "authors": report.authors, "report": report}
    withdraw_sign_off(issue)
    if as_brief:
        piece = Brief(**common, body=brief_body(report.unit.name, brief_text.strip() or brief_text_from(report)))
    else:
        piece = Article(**common, section=section, title=title.strip() or report.title, body=report.body)
    piece.position = new_piece_position(piece)
    piece.save()
    return piece


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
    if not (issue.articles.exists() or issue.briefs.exists()):
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
        pieces = [
            *issue.articles.select_related("report").order_by("position"),
            *issue.briefs.select_related("report").order_by("position"),
        ]
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
                where = "文章" if isinstance(piece, Article) else "信息摘登"
                piece.report.transition(
                    Report.Status.PUBLISHED,
                    by=by,
                    as_editor=True,
                    comment=f"刊用于《杭州人大信息》{issue}（{where}）",
                )
        issue.request_pdf()
    return issue


def record_correction(issue: Issue, *, by, note: str, changes: str = "") -> Correction:
    """Record a change made to a published issue, and ask for its PDF again."""
    if not note.strip():
        raise DeskError("修改已发布的刊物须填写更正说明。")
    correction = Correction.objects.create(issue=issue, made_by=by, note=note.strip(), changes=changes)
    issue.mark_changed()
    return correction
