"""Store a parsed issue: one transaction, no duplicates, units and sections created as they first appear."""

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from issues import leads, similar
from issues.models import Issue, Piece, Section
from issues.parser import ParsedIssue, body_html, parse_issue
from issues.services import record_correction
from reports.models import Contributor


class ImportConflict(Exception):
    """The issue, or its total number, is already in the database."""


def find_existing(parsed: ParsedIssue) -> Issue | None:
    """The stored issue with these numbers: the published one if any (a draft's numbers are only proposals)."""
    same = Issue.objects.filter(kind=parsed.kind, year=parsed.year, number=parsed.number)
    return same.filter(status=Issue.Status.PUBLISHED).first() or same.first()


@transaction.atomic
def store_issue(parsed: ParsedIssue, *, draft: bool = False, replace: bool = False, by=None) -> Issue:
    """Create the issue (published unless `draft`), or with `replace` overwrite the one with its numbers.

    Overwriting a published issue is a correction: it needs the user `by`, is recorded, and renders a new PDF.
    """
    issue = find_existing(parsed)
    if issue is not None and not replace:
        raise ImportConflict(f"{issue} 已经导入过（id={issue.id}），未做任何改动；如需覆盖请加 --replace")
    if issue is not None and issue.is_published:
        if draft:
            raise ImportConflict(f"{issue} 已发布，不能用草稿覆盖")
        if by is None:
            raise ImportConflict(f"{issue} 已发布，覆盖即更正：请用 --by 用户名 指明更正人")
        if issue.piece_set.filter(report__isnull=False).exists():
            raise ImportConflict(f"{issue} 有来自报送信息的稿件，不能整期覆盖；请在编辑台逐篇更正")
    if parsed.total_number is not None:
        clash = Issue.objects.filter(total_number=parsed.total_number).exclude(pk=getattr(issue, "pk", None))
        if clash.exists():
            raise ImportConflict(f"总第 {parsed.total_number} 期已被 {clash.first()} 使用")
    if parsed.kind == Issue.Kind.REGULAR and parsed.total_number is None and not draft:
        raise ImportConflict("普刊发布需要总期号：请用 --total M 指定，或用 --draft 作为草稿导入")

    footer = parsed.footer
    fields = {
        "kind": parsed.kind,
        "year": parsed.year,
        "number": parsed.number,
        "total_number": parsed.total_number,
        "date": parsed.date,
        "status": Issue.Status.DRAFT if draft else Issue.Status.PUBLISHED,
        "published_at": None if draft else timezone.now(),
        "send_to": footer.send_to if footer else "",
        "recipients": "\n".join(footer.recipients) if footer else "",
        "responsible_editor": footer.responsible_editor if footer else "",
        "phone": footer.phone if footer else "",
        "submission_url": (footer.submission_url or "") if footer else "",
    }
    replaced = issue is not None
    if issue is None:
        issue = Issue.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                issue.piece_set.all().delete()
        except ProtectedError:
            # Another app's records (a 领导批示, say) point at these pieces: replacing would orphan them.
            raise ImportConflict(
                f"{issue.name}的稿件已被其他记录引用（如领导批示），不能整期替换；请在编辑台逐篇更正。"
            ) from None
        for name, value in fields.items():
            setattr(issue, name, value)
        issue.save()

    units = _Lookup(lambda name: Contributor.objects.get_or_create_by_name(name))
    sections = _Lookup(_section_named)
    articles = [
        Piece(
            issue=issue,
            kind=Piece.Kind.ARTICLE,
            section=sections[section.name] if section.name else None,
            position=position,
            title=article.title,
            body=body_html(article.paragraphs),
            unit=units[article.unit],
            authors=" ".join(article.authors),
        )
        for position, (section, article) in enumerate(((s, a) for s in parsed.sections for a in s.articles), start=1)
    ]
    briefs = [
        Piece(
            issue=issue,
            kind=Piece.Kind.BRIEF,
            position=position,
            lead=lead,
            body=body,
            unit=units[brief.unit],
            authors=" ".join(brief.authors),
        )
        for position, brief in enumerate(parsed.briefs, start=1)
        for lead, body in [_printed_lead(brief.text)]
    ]
    Piece.objects.bulk_create(articles + briefs)
    similar.index_new_pieces(articles + briefs)  # bulk_create sends no signals
    if replaced and not draft:
        record_correction(issue, by=by, note="整期按印刷版重新导入")  # a new version and PDF
    elif not draft:
        issue.request_pdf()
    return issue


def _printed_lead(text: str) -> tuple[str, str]:
    """A printed brief's bold lead and its body: the body its text starts with (the bold is lost in the extracted
    text, the name is not) and the rest. A brief whose bold sits elsewhere keeps its text whole, bold and all."""
    first, *more = text.split("\n")
    lead, first = leads.split_lead(first)
    return lead, body_html([first, *more])


def _section_named(name: str) -> Section:
    section = Section.objects.filter(name=name).first()
    if section is None:
        last = Section.objects.aggregate(last=Max("position"))["last"] or 0
        section = Section.objects.create(name=name, position=last + 10)
    return section


class _Lookup(dict):
    """A per-import cache, so a unit or section named ten times costs one query."""

    def __init__(self, load):
        super().__init__()
        self.load = load

    def __missing__(self, key):
        value = self[key] = self.load(key)
        return value


def import_samples() -> list[Issue]:
    """Store the sample issues of `sample/` that are not stored yet (demo data, benchmarks)."""
    from django.conf import settings

    stored = []
    for path in sorted((settings.BASE_DIR / "sample").glob("*.txt")):
        parsed = parse_issue(path.read_text(encoding="utf-8"))
        if find_existing(parsed) is None:
            stored.append(store_issue(parsed))
    return stored
