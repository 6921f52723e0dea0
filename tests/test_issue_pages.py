"""The public issue pages: home, archive, an issue, a piece; drafts stay private; query counts stay flat."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from issues.models import Article, Brief, Issue
from tests.conftest import SEED_REGULAR_2, SEED_SPECIAL_9, import_seed


def test_home_shows_the_latest_issue_and_recent_articles(client, all_seeds):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    latest = Issue.objects.published().order_by("-date").first()
    assert latest.get_absolute_url() in text
    assert latest.piece_set.articles().first().title in text


def test_home_without_issues_says_so(client, db):
    assert "尚无已发布的刊物" in client.get("/").content.decode()


def test_archive_lists_years_and_issues(client, all_seeds):
    text = client.get("/archive/").content.decode()
    assert "2024年（3）" in text
    for issue in all_seeds:
        assert issue.get_absolute_url() in text


def test_archive_filters_by_kind(client, all_seeds):
    text = client.get("/archive/?kind=special").content.decode()
    assert "/issues/2024/special/9/" in text
    assert "/issues/2024/regular/4/" not in text


def test_archive_year_404_for_a_year_without_issues(client, all_seeds):
    assert client.get("/archive/2024/").status_code == 200
    assert client.get("/archive/1990/").status_code == 404


def test_issue_page_is_laid_out_like_the_print(client, published_issue):
    response = client.get("/issues/2024/regular/4/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="zh-CN">' in text
    assert "杭州人大信息" in text and "(普 刊)" in text and "第 4 期(总第 692 期)" in text
    assert "杭州市人大常委会研究室编" in text and "2024 年 4 月 12 日" in text
    assert "目　录" in text and "5 则" in text
    for article in published_issue.piece_set.articles().all():
        assert f'href="#article-{article.pk}"' in text
        assert article.attribution in text
    assert "本期责任编辑：杨青青" in text and "送：" in text
    assert "/issues/2024/regular/4/pdf/" in text


def test_a_single_article_special_issue_has_no_toc_as_in_print(client, db):
    special = import_seed(SEED_SPECIAL_9)
    text = client.get(special.get_absolute_url()).content.decode()
    assert "(专刊)" in text and "2024年第9期" in text
    assert "目　录" not in text
    assert special.piece_set.articles().get().title in text


def test_subheads_are_marked_on_the_issue_and_article_pages(client, db):
    special = import_seed(SEED_SPECIAL_9)
    lead = '<span class="subhead">（一）“一码两长三上”，推进代表联络站点全覆盖。</span>'
    assert lead in client.get(special.get_absolute_url()).content.decode()
    assert lead in client.get(special.piece_set.articles().get().get_absolute_url()).content.decode()


def test_issue_page_links_previous_and_next(client, all_seeds):
    text = client.get("/issues/2024/regular/4/").content.decode()
    assert 'rel="prev" href="/issues/2024/regular/2/"' in text
    assert 'rel="next" href="/issues/2024/special/9/"' in text


def test_unknown_issue_is_404(client, published_issue):
    assert client.get("/issues/2024/regular/5/").status_code == 404
    assert client.get("/issues/2024/weekly/4/").status_code == 404


def test_piece_page_shows_issue_section_unit_authors_and_neighbours(client, published_issue):
    articles = list(published_issue.piece_set.articles().order_by("position"))
    second = articles[1]
    text = client.get(reverse("issues:article", args=[second.pk])).content.decode()
    assert second.title in text and second.unit.name in text and second.section.name in text
    for author in second.author_list:
        assert author in text
    assert published_issue.get_absolute_url() in text
    assert f'rel="prev" href="/articles/{articles[0].pk}/"' in text
    assert f'rel="next" href="/articles/{articles[2].pk}/"' in text


def test_last_article_leads_to_the_first_brief(client, published_issue):
    last = published_issue.piece_set.articles().order_by("position").last()
    first_brief = published_issue.piece_set.briefs().order_by("position").first()
    text = client.get(f"/articles/{last.pk}/").content.decode()
    assert f'rel="next" href="/briefs/{first_brief.pk}/"' in text
    brief_text = client.get(f"/briefs/{first_brief.pk}/").content.decode()
    assert first_brief.unit.name in brief_text and "信息摘登" in brief_text


def test_drafts_are_private(client, draft_issue):
    url = f"/issues/{draft_issue.year}/{draft_issue.kind}/{draft_issue.number}/"
    assert client.get(url).status_code == 404
    assert client.get(url + "pdf/").status_code == 404
    article = draft_issue.piece_set.articles().first()
    brief = draft_issue.piece_set.briefs().first()
    assert client.get(f"/articles/{article.pk}/").status_code == 404
    assert client.get(f"/briefs/{brief.pk}/").status_code == 404
    assert client.get(f"/preview/issues/{draft_issue.pk}/").status_code == 404
    assert article.title not in client.get("/").content.decode()
    assert article.title not in client.get("/articles/").content.decode()
    assert client.get("/archive/2024/").status_code == 404


def test_submitters_cannot_preview_drafts(client, draft_issue, submitter):
    client.force_login(submitter)
    assert client.get(f"/preview/issues/{draft_issue.pk}/").status_code == 404
    assert client.get(f"/preview/issues/{draft_issue.pk}/pdf/").status_code == 404


def test_staff_without_the_editor_role_cannot_preview_drafts(client, draft_issue):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("clerk", is_staff=True))
    assert client.get(f"/preview/issues/{draft_issue.pk}/").status_code == 404


def test_issues_of_the_same_date_link_to_each_other_in_order(client, published_issue):
    special = import_seed(SEED_SPECIAL_9, draft=False)
    Issue.objects.filter(pk=special.pk).update(date=published_issue.date)
    first, second = sorted([published_issue, special], key=lambda issue: issue.pk)
    first_page = client.get(first.get_absolute_url()).content.decode()
    second_page = client.get(second.get_absolute_url()).content.decode()
    assert f'rel="next" href="{second.get_absolute_url()}"' in first_page and 'rel="prev"' not in first_page
    assert f'rel="prev" href="{first.get_absolute_url()}"' in second_page and 'rel="next"' not in second_page


def test_a_filter_choice_that_does_not_exist_matches_nothing(client, all_seeds):
    unit = all_seeds[0].piece_set.articles().first().unit
    text = client.get(f"/articles/?unit={unit.pk}&year=1999").content.decode()
    for brief in Brief.objects.all():
        assert f"/briefs/{brief.pk}/" not in text


def test_logged_in_users_get_a_fresh_issue_page(client, published_issue, submitter):
    client.force_login(submitter)
    url = published_issue.get_absolute_url()
    client.get(url)
    Article.objects.filter(pk=published_issue.piece_set.articles().first().pk).update(title="刚改的标题")
    assert "刚改的标题" in client.get(url).content.decode()


def test_editors_preview_drafts_uncached(client, draft_issue, editor):
    client.force_login(editor)
    response = client.get(f"/preview/issues/{draft_issue.pk}/")
    assert response.status_code == 200
    assert "预览" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert draft_issue.piece_set.articles().first().title in response.content.decode()


def _add_articles(issue: Issue, count: int):
    template = issue.piece_set.articles().order_by("position").first()
    start = issue.piece_set.articles().count() + issue.piece_set.briefs().count() + 100
    Article.objects.bulk_create(
        Article(
            issue=issue,
            section=template.section,
            unit=template.unit,
            title=f"加测文章{n}",
            body="<p>人大代表依法履职。</p>",
            position=start + n,
        )
        for n in range(count)
    )
    Brief.objects.bulk_create(
        Brief(issue=issue, unit=template.unit, body="<p>加测摘登。</p>", position=start + n) for n in range(count)
    )


@pytest.mark.parametrize(
    "url",
    ["/", "/issues/2024/regular/4/", "/articles/", "/search/?q=代表", "/archive/", "/feed/", "/sitemap.xml"],
)
def test_query_count_does_not_grow_with_content(client, published_issue, django_assert_max_num_queries, url):
    import_seed(SEED_REGULAR_2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    _add_articles(published_issue, 30)
    cache.clear()
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_article_page_query_count_is_constant(client, published_issue, django_assert_num_queries):
    article = published_issue.piece_set.articles().first()
    client.get(f"/articles/{article.pk}/")
    _add_articles(published_issue, 20)
    cache.clear()  # readers' copy of the page, and the published state it is keyed on
    with django_assert_num_queries(
        4
    ):  # the published state; the piece; its issue's pieces in print order; its corrections
        client.get(f"/articles/{article.pk}/")


def test_readers_get_the_cached_issue_page_until_the_issue_changes(client, published_issue, django_assert_num_queries):
    url = published_issue.get_absolute_url()
    client.get(url)
    article = published_issue.piece_set.articles().order_by("position").first()
    Article.objects.filter(pk=article.pk).update(title="更正后的标题")
    with django_assert_num_queries(0):
        assert "更正后的标题" not in client.get(url).content.decode()
    published_issue.mark_changed()
    assert "更正后的标题" in client.get(url).content.decode()


def test_a_newly_published_issue_shows_up_as_next(client, published_issue):
    url = published_issue.get_absolute_url()
    assert 'rel="next"' not in client.get(url).content.decode()
    import_seed(SEED_SPECIAL_9)
    cache.delete(Issue.PUBLISHED_STATE_CACHE_KEY)  # as after PUBLISHED_STATE_SECONDS
    assert 'rel="next" href="/issues/2024/special/9/"' in client.get(url).content.decode()


def test_the_unit_filter_keeps_that_units_articles_and_briefs(client, all_seeds):
    unit = Brief.objects.select_related("unit").first().unit
    text = client.get(f"/articles/?unit={unit.pk}").content.decode()
    for piece in [*Article.objects.all(), *Brief.objects.all()]:
        assert (piece.get_absolute_url() in text) == (piece.unit_id == unit.pk), piece
