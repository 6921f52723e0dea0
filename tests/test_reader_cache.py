"""Readers without a session get every public page from the cache while the published issues stay the same; a
publication or a correction shows at once; nobody with a session is served or stores a cached copy."""

from threading import Thread

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from issues import services
from issues.models import Piece
from issues.views import published_state
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, SEED_SPECIAL_9, import_seed


def public_pages(issue) -> list[str]:
    article, brief = issue.articles()[0], issue.briefs()[0]
    return [
        "/",
        "/archive/",
        f"/archive/{issue.year}/",
        issue.get_absolute_url(),
        article.get_absolute_url(),
        brief.get_absolute_url(),
        "/articles/",
        f"/articles/?year={issue.year}&kind=regular",
        "/search/?q=代表",
        "/feed/",
    ]


def test_every_public_page_is_served_from_the_cache_without_a_query(client, published_issue, django_assert_num_queries):
    for url in public_pages(published_issue):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content and again["Content-Type"] == first["Content-Type"], url


def test_a_publication_shows_at_once_on_every_list(client, published_issue, editor):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    for url in ["/archive/2024/", "/archive/", "/articles/", "/feed/"]:
        client.get(url)
    issue = services.publish(draft, by=editor)
    title = issue.articles()[0].title
    assert title in client.get("/articles/").content.decode()
    assert issue.get_absolute_url() in client.get("/archive/").content.decode()
    assert issue.get_absolute_url() in client.get("/feed/").content.decode()
    assert issue.get_absolute_url() in client.get("/archive/2024/").content.decode()


def test_a_correction_shows_at_once(client, published_issue, editor):
    article = published_issue.articles()[0]
    urls = [article.get_absolute_url(), published_issue.get_absolute_url(), "/articles/", "/"]
    for url in urls:
        client.get(url)
    services.edit_piece(article, by=editor, title="更正后的标题", note="标题错字")
    for url in urls:
        assert "更正后的标题" in client.get(url).content.decode(), url


def test_pages_seen_with_a_session_are_never_cached(client, published_issue, submitter):
    """A change that bypasses the published state (a raw update) shows whom the cache serves: a reader keeps the
    cached copy; someone logged in always gets a fresh page, and their visit stores nothing a reader then gets."""
    article = published_issue.articles()[0]
    url = article.get_absolute_url()
    client.get(url)
    Piece.objects.filter(pk=article.pk).update(title="未经发布流程的改动")
    assert "未经发布流程的改动" not in client.get(url).content.decode()  # the reader's cached copy

    client.force_login(submitter)
    assert "未经发布流程的改动" in client.get(url).content.decode()
    cache.clear()
    Piece.objects.filter(pk=article.pk).update(title="第二次改动")
    assert "第二次改动" in client.get("/articles/").content.decode()
    client.logout()
    client.cookies.clear()
    Piece.objects.filter(pk=article.pk).update(title="第三次改动")
    assert "第三次改动" in client.get("/articles/").content.decode()  # nothing was stored by the logged-in visit


def test_drafts_never_reach_a_readers_page_or_the_cache(client, published_issue, editor, submitter):
    draft = import_seed(SEED_SPECIAL_9, draft=True)
    client.force_login(editor)
    assert client.get(f"/preview/issues/{draft.pk}/").status_code == 200
    client.logout()
    client.cookies.clear()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert draft.articles()[0].title not in client.get("/articles/").content.decode()
    assert client.get(draft.articles()[0].get_absolute_url()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_publication_committed_after_a_reader_read_the_state_still_shows(client, editor):
    """The state key is dropped again when the publication commits: a reader's request between the save and the
    commit (which recomputes the state from before it, on its own connection) cannot keep the new issue hidden."""
    import_seed(SEED_REGULAR_4)
    draft = import_seed(SEED_REGULAR_2, draft=True)
    client.get("/archive/")

    def reader_in_between():
        try:
            published_state()
        finally:
            connection.close()

    with transaction.atomic():
        issue = services.publish(draft, by=editor)
        reader = Thread(target=reader_in_between)
        reader.start()
        reader.join()
    assert issue.get_absolute_url() in client.get("/archive/").content.decode()


def test_parameters_a_view_does_not_read_are_answered_afresh_and_not_kept(client, published_issue):
    """`?x=1`, `?x=2`, … would each keep a copy (their pages' links carry them) and push the real pages out of the
    cache; the parameters the view reads are kept as before."""
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from issues.middleware import _reader_key

    for url in ["/articles/?x=1", "/archive/?kind=regular&utm_source=mail", "/search/?q=代表&bench=3", "/?x=1"]:
        assert client.get(url).status_code == 200
        assert _reader_key(RequestFactory().get(url)) is None, url
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) > 0, url  # rendered again, not a kept copy
    every = "/articles/?unit=&district=&section=&kind=regular&year=2024&page=1&q="
    first = client.get(every)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(every).content == first.content
    assert len(queries) == 0
    assert _reader_key(RequestFactory().get("/archive/2024/?page=1&kind=regular")) is not None
