import html
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


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


def test_titles_reach_feed_readers_as_text_never_markup(client, published_issue):
    """A feed reader renders <summary type="html"> as HTML: a title must arrive there escaped."""
    payload = "<img src=x onerror=alert(1)>"
    article = published_issue.piece_set.articles().first()
    article.title = f"标题{payload}"
    article.save()
    entry = ET.fromstring(client.get("/feed/").content).find(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    shown = summary.text  # the HTML a reader renders, once the XML is parsed
    assert "<img" not in shown and html.escape(payload, quote=False) in shown
    assert html.unescape(shown).count(payload) == 1  # and the reader shows the characters the editor typed
    assert entry.find(f"{ATOM}title").get("type") in {None, "text"}  # Atom's default: plain text
