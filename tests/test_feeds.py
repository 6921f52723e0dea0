def test_feed_lists_published_issues_only(client, published_issue, draft_issue):
    response = client.get("/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    text = response.content.decode()
    assert "/issues/2024/regular/4/" in text
    assert f"/issues/2024/regular/{draft_issue.number}/" not in text


def test_sitemap_lists_published_issues_and_articles(client, published_issue, draft_issue):
    text = client.get("/sitemap.xml").content.decode()
    assert "/issues/2024/regular/4/" in text
    assert f"/articles/{published_issue.piece_set.articles().first().pk}/" in text
    assert f"/articles/{draft_issue.piece_set.articles().first().pk}/" not in text


def test_robots_points_to_the_sitemap_and_hides_previews(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /preview/" in text
