"""What readers see: corrections after publication, briefs named by their words, the phone layout, the favicon,
the feed's name, a 目录 that never leaves one character alone on a line."""

import re


def test_pages_link_a_favicon_and_favicon_ico_leads_to_it(client, db):
    page = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', page)
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")


def test_a_correction_after_publication_shows_on_the_piece_the_issue_page_and_the_feed(client, published_issue, editor):
    from django.utils import timezone

    from issues import services
    from issues.models import Piece

    client.get(published_issue.get_absolute_url())  # a cached copy exists before the correction
    before = client.get("/feed/").content.decode()
    article = Piece.objects.articles().filter(issue=published_issue).first()
    services.edit_piece(article, by=editor, note="第二段“三项”应为“四项”。", title=article.title + "（修订）")
    today = timezone.localdate()
    notice = f"更正：第二段“三项”应为“四项”（{today.year}年{today.month}月{today.day}日）"
    assert notice in client.get(article.get_absolute_url()).content.decode()
    issue_page = client.get(published_issue.get_absolute_url()).content.decode()
    assert notice in issue_page and article.get_absolute_url() in issue_page.split(notice)[1][:200]
    other = Piece.objects.filter(issue=published_issue).exclude(pk=article.pk).first()
    assert "更正：" not in client.get(other.get_absolute_url()).content.decode()
    feed = client.get("/feed/").content.decode()
    assert notice in feed
    entry = lambda xml: re.search(r"<entry>.*?</entry>", xml, re.S).group(0)  # noqa: E731
    updated = lambda xml: re.search(r"<updated>(.*?)</updated>", entry(xml)).group(1)  # noqa: E731
    assert updated(feed) > updated(before)


def test_lists_and_search_name_a_brief_by_its_opening_words(client, published_issue):
    from issues.models import Piece

    brief = Piece.objects.briefs().filter(issue=published_issue).first()
    page = client.get("/articles/?section=briefs").content.decode()
    assert "信息摘登 · " not in page
    opening = brief.heading
    assert opening and opening[:12] in page
    word = brief.lead[:4] if brief.lead else opening[:4]
    assert "信息摘登 · " not in client.get("/search/", {"q": word}).content.decode()
    assert f"<title>{opening}" in client.get(brief.get_absolute_url()).content.decode()
