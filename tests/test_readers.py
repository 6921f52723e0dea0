"""What readers see: corrections after publication, briefs named by their words, the phone layout, the favicon,
the feed's name, a 目录 that never leaves one character alone on a line."""

import itertools
import re

import pytest


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


def _toc_lines(issue, tmp_path) -> list[str]:
    """The 目录's entry lines as printed (dot leaders and page numbers dropped), read back from the PDF."""
    from issues.pdf import render_issue_pdf
    from tests import pdftools

    path = tmp_path / "issue.pdf"
    path.write_bytes(render_issue_pdf(issue))
    found, inside = [], False
    for line in pdftools.lines(path):
        if line.text == "目":
            inside = True
        elif inside and line.size > 26:  # the first article's title: the 目录 is over
            break
        elif inside and line.x_min > 150 and line.size < 25 and line.text != "录":
            found.append(re.sub(r"\.{2,}\d+$", "", line.text))
    return found


@pytest.mark.parametrize("seed", ["SEED_REGULAR_4", "SEED_REGULAR_2"])
def test_the_printed_toc_never_leaves_a_character_alone_and_breaks_long_entries_evenly(db, seed, tmp_path):
    from issues.models import prefetch_contents
    from issues.templatetags.issue_text import text_width
    from tests import conftest

    issue = conftest.import_seed(getattr(conftest, seed))
    prefetch_contents([issue])
    lines = _toc_lines(issue, tmp_path)
    assert len(lines) > 5
    assert [line for line in lines if len(line) == 1] == []
    if seed == "SEED_REGULAR_4":
        at = lines.index("市人大常委会出台全国首部")
        assert lines[at + 1] == "数字贸易领域地方性法规"
    titles = {a.title for a in issue.articles()}
    for first, second in itertools.pairwise(lines):
        if first + second in titles:  # an entry on two lines: of about the same width (a quote kept whole)
            total = text_width(first + second)
            assert abs(text_width(first) - text_width(second)) <= max(4, total / 4), (first, second)


def test_a_long_title_splits_at_a_word_boundary_and_stays_one_line_when_short():
    from issues.templatetags.issue_text import balanced_lines, toc_title

    assert balanced_lines("市人大常委会出台全国首部数字贸易领域地方性法规") == [
        "市人大常委会出台全国首部",
        "数字贸易领域地方性法规",
    ]
    assert balanced_lines("短标题") == ["短标题"]
    assert str(toc_title("<b>“民生”</b>")) == "&lt;b&gt;“民生”&lt;/b&gt;"
    spaced = str(toc_title("滨江区深化代表联络站点建设 着力打造“e滨达”基层单元品牌"))
    assert spaced.count('<span class="toc-line">') == 2 and "建设</span> <span" in spaced  # the title's space stays
    assert "<wbr>" in str(toc_title("市人大常委会出台全国首部数字贸易领域地方性法规"))  # no space: a break opportunity
    parts = balanced_lines("上城区：小营街道“民生议事堂”推动解决群众急难愁盼问题的做法与成效")
    assert all(not part.startswith(tuple("”，、》）")) and not part.endswith(tuple("“《（")) for part in parts)
