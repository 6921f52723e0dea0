"""The public archive: issues, pieces, search, the issue PDF; and the editors' preview of drafts."""

import functools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, Sum, Value
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from issues.filters import IssueFilter, PieceFilter
from issues.models import SEARCH_FIELDS, Issue, Piece, prefetch_contents
from issues.search import WINDOW, search, snippet
from issues.stored_pdf import PdfNotStored, recover_stale_renders
from reports.models import is_editor

logger = logging.getLogger(__name__)

PER_PAGE = 20
#: Changes that bypass `Issue.save()` (which clears the state key at once) reach readers after this, or when their
#: cached copy expires (issues.middleware.READER_PAGE_SECONDS); with a local-memory cache, other processes too.
PUBLISHED_STATE_SECONDS = 10


def _published_issue(year: int, kind: str, number: int) -> Issue:
    """The published issue with these numbers; 404 for drafts and anything else."""
    return get_object_or_404(Issue.objects.published(), year=year, kind=kind, number=number)


def _previewable_issue(request, pk: int) -> Issue:
    """Any issue, for the 研究室's editors; 404 for everyone else, so drafts stay unknown to the public."""
    if not is_editor(request.user):
        raise Http404
    return get_object_or_404(Issue, pk=pk)


def _published_piece(kind: str, pk: int) -> Piece:
    """A piece of a published issue; an article's id under /briefs/ (or a brief's under /articles/) is a 404."""
    return get_object_or_404(
        Piece.objects.published().select_related("issue", "unit", "section").defer(*SEARCH_FIELDS), pk=pk, kind=kind
    )


def _neighbours(issue: Issue) -> tuple[Issue | None, Issue | None]:
    published = Issue.objects.published()
    earlier = Q(date__lt=issue.date) | Q(date=issue.date, pk__lt=issue.pk)
    later = Q(date__gt=issue.date) | Q(date=issue.date, pk__gt=issue.pk)
    previous = published.filter(earlier).order_by("-date", "-pk").first()
    following = published.filter(later).order_by("date", "pk").first()
    return previous, following


def published_state() -> str:
    """A token that changes when any published issue is added, removed or changed; re-read every few seconds."""
    state = cache.get(Issue.PUBLISHED_STATE_CACHE_KEY)
    if state is None:
        changed = Issue.objects.published().aggregate(
            last=Max("updated_at"), count=Count("id"), versions=Sum("content_version")
        )
        last = changed["last"].timestamp() if changed["last"] else 0
        state = f"{last}:{changed['count']}:{changed['versions']}"
        cache.set(Issue.PUBLISHED_STATE_CACHE_KEY, state, PUBLISHED_STATE_SECONDS)
    return state


def cached_for_readers(view=None, *, params=()):
    """Marks the view's answers as the same for every reader without a session while the published issues stay
    the same: issues.middleware.ReaderPageCacheMiddleware keeps and serves copies of them (before the session,
    authentication and CSRF middleware run).

    `params` are the query parameters the view reads. A request with any other is answered afresh and not kept:
    made-up parameters (`?x=1`, `?x=2`, …) would otherwise each store a copy and push real pages out of the cache
    (and the page's links carry them, so one copy cannot serve all). `@cached_for_readers(params=[...])`."""
    if view is None:
        return functools.partial(cached_for_readers, params=params)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapper.reader_cacheable = True
    wrapper.reader_params = frozenset(params)
    return wrapper


@cached_for_readers
@require_GET
def home(request):
    latest = Issue.objects.published().order_by("-date", "-pk").first()
    if latest:
        prefetch_contents([latest], bodies=False)  # the 目录 only
    recent = (
        Piece.objects.published()
        .articles()
        .select_related("issue", "section", "unit")
        .defer(*SEARCH_FIELDS)
        .order_by("-issue__date", "position")[:8]
    )
    return render(request, "issues/home.html", {"latest": latest, "recent": recent})


@cached_for_readers(params=["page", *IssueFilter.base_filters])
@require_GET
def archive(request, year: int | None = None):
    issues = Issue.objects.published().order_by("-date", "-number")
    years = Issue.objects.published().values("year").annotate(count=Count("id")).order_by("-year")
    if year is not None:
        issues = issues.filter(year=year)
        if not issues.exists():
            raise Http404
    issue_filter = IssueFilter(request.GET, queryset=issues)
    articles = Count("piece_set", filter=Q(piece_set__kind=Piece.Kind.ARTICLE))
    page = Paginator(issue_filter.qs.annotate(article_count=articles), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "issues/archive.html",
        {"year": year, "years": years, "filter": issue_filter, "page": page},
    )


def _render_issue(request, issue: Issue, *, preview: bool):
    prefetch_contents([issue])
    previous, following = (None, None) if preview else _neighbours(issue)
    corrections = [] if preview else list(issue.corrections.order_by("made_at"))
    return render(
        request,
        "issues/issue.html",
        {
            "issue": issue,
            "previous": previous,
            "following": following,
            "preview": preview,
            "corrections": corrections,
        },
    )


@cached_for_readers
@require_GET
def issue_detail(request, year: int, kind: str, number: int):
    return _render_issue(request, _published_issue(year, kind, number), preview=False)


def _pdf_response(issue: Issue, data: bytes | None = None, *, inline: bool = False):
    """The stored PDF, or `data` just rendered, under the issue's Chinese file name."""
    content = issue.pdf.open("rb") if data is None else ContentFile(data)
    return FileResponse(content, as_attachment=not inline, filename=issue.pdf_filename, content_type="application/pdf")


def _stored_pdf(issue: Issue):
    """A response with the stored file, whatever its version; None if there is none to serve."""
    if not issue.pdf:
        return None
    try:
        return _pdf_response(issue)
    except FileNotFoundError:  # gone from storage: forget it, so that it is rendered again
        Issue.objects.filter(pk=issue.pk, pdf=issue.pdf.name).update(pdf="", pdf_version=None)
    except OSError:
        logger.exception("Stored PDF of issue %s cannot be read", issue.pk)
    return None


def _pdf_unavailable(request, issue: Issue, *, failed: bool):
    response = render(request, "issues/pdf_unavailable.html", {"issue": issue, "failed": failed}, status=503)
    response["Retry-After"] = "30"
    return response


@require_GET
def issue_pdf(request, year: int, kind: str, number: int):
    """The stored PDF: the current version's, or the last good one while a newer one renders or after it failed.

    Only an issue with no file yet is rendered in the request (no worker has run yet), by whichever process
    claims it; a request arriving while another process renders waits a little for that file rather than
    rendering its own. A reader never gets a 500: a file that could not be stored is still sent, and with no
    file at all a Chinese page says to try again later.
    """
    issue = _published_issue(year, kind, number)
    if recover_stale_renders([issue.pk]):
        issue.refresh_from_db()
    deadline = time.monotonic() + settings.ISSUE_PDF_WAIT_SECONDS
    while (response := _stored_pdf(issue)) is None:
        try:
            data = issue.store_pdf()
        except PdfNotStored as exc:  # recorded on the issue for the editor; the reader still gets the PDF
            return _pdf_response(issue, exc.data)
        except Exception:
            logger.exception("PDF of issue %s could not be rendered for a reader", issue.pk)
            return _pdf_unavailable(request, issue, failed=True)
        if data is not None:
            return _pdf_response(issue, data)
        if time.monotonic() > deadline:  # another process is still rendering it
            return _pdf_unavailable(request, issue, failed=False)
        time.sleep(0.25)
        issue.refresh_from_db()
    return response


@never_cache
@require_GET
def preview_issue(request, pk: int):
    return _render_issue(request, _previewable_issue(request, pk), preview=True)


@never_cache
@require_GET
def preview_issue_pdf(request, pk: int):
    """The draft as it is now: the preview the worker rendered for this content, else a render kept for the next
    click (issues/previews.py); never the issue's own stored PDF, which is the published one's."""
    from issues import previews

    issue = _previewable_issue(request, pk)
    html = previews.issue_html(issue)
    data = previews.stored(issue, html)
    if data is None:
        from issues.pdf import render_issue_pdf

        data = render_issue_pdf(issue, html=html)
        if not issue.is_published:
            previews.store(issue, html, data)
    return _pdf_response(issue, data, inline=True)


def _siblings(piece):
    """The URLs of the previous and next piece in the issue's printed order: articles, then briefs."""
    pieces = [
        Piece(pk=pk, kind=kind).get_absolute_url()
        for pk, kind in Piece.objects.filter(issue=piece.issue).in_print_order().values_list("pk", "kind")
    ]
    here = pieces.index(piece.get_absolute_url())
    return (pieces[here - 1] if here > 0 else None), (pieces[here + 1] if here + 1 < len(pieces) else None)


def _render_piece(request, piece):
    previous, following = _siblings(piece)
    corrections = piece.corrections.order_by("made_at")
    return render(
        request,
        "issues/piece.html",
        {"piece": piece, "previous": previous, "following": following, "corrections": corrections},
    )


@cached_for_readers
@require_GET
def article_detail(request, pk: int):
    return _render_piece(request, _published_piece(Piece.Kind.ARTICLE, pk))


@cached_for_readers
@require_GET
def brief_detail(request, pk: int):
    return _render_piece(request, _published_piece(Piece.Kind.BRIEF, pk))


@cached_for_readers(params=["q", "page", *PieceFilter.base_filters])
@require_GET
def pieces(request):
    """Articles and briefs of published issues, filtered; with `q`, searched and ranked by relevance."""
    q = " ".join(request.GET.get("q", "").split())[:100]
    piece_filter = PieceFilter(request.GET, queryset=Piece.objects.published())
    # A choice that does not exist (an old link): nothing matches, the form says why.
    pieces = piece_filter.qs if piece_filter.is_valid() else Piece.objects.none()
    pieces = search(pieces, q) if q else pieces.annotate(rank=Value(0.0))
    pieces = (
        pieces.select_related("issue", "section", "unit")
        .defer(*SEARCH_FIELDS)
        .order_by("-rank", "-issue__date", "kind", "position")
    )
    if q:
        # At most a window, ranked in one light query of ids (instead of a count and a page); then only the page's
        # pieces are read whole: 20 rows with their bodies for the snippets, not the window's 100.
        page = Paginator(list(pieces.values_list("pk", flat=True)), PER_PAGE).get_page(request.GET.get("page"))
        shown = Piece.objects.select_related("issue", "section", "unit").defer(*SEARCH_FIELDS).in_bulk(page.object_list)
        page.object_list = [shown[pk] for pk in page.object_list]
    else:
        page = Paginator(pieces, PER_PAGE).get_page(request.GET.get("page"))
    results = [
        {"piece": piece, "model": piece.kind, "snippet": snippet(piece.printed_body, q) if q else None}
        for piece in page.object_list
    ]
    return render(
        request,
        "issues/pieces.html",
        {
            "q": q,
            "filter": piece_filter,
            "page": page,
            "results": results,
            "capped": bool(q) and page.paginator.count >= WINDOW,
            "active_filters": sum(1 for name in piece_filter.form.fields if request.GET.get(name)),
        },
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        f"Sitemap: {request.build_absolute_uri(reverse('issues:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
