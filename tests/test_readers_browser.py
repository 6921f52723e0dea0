"""Readers' pages in a real Chromium at 375 and 1440 px: search on a phone, images, the 目录, corrections, the
subscription form. Screenshots go to $SCREENSHOT_DIR when set (else the test run's temporary folder)."""

import os
from pathlib import Path

import pytest

from issues import services
from issues.models import Piece

PNG_3000 = None


def shot(page, tmp_path_factory, name):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.getbasetemp())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 5_000


def wide_png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (3000, 600), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1440])
def test_search_results_come_first_on_a_phone_and_the_filters_fold_away(csp, all_seeds, width, tmp_path_factory):
    page = csp.page
    page.set_viewport_size({"width": width, "height": 800})
    csp.visit("/search/?q=代表")
    first = page.locator(".result").first.bounding_box()
    year = page.locator(".filters select").first
    if width == 375:
        assert first["y"] < 400  # the first result is in view at once, under one folded line of filters
        assert page.locator(".filters-panel").bounding_box()["height"] < 50
        assert not year.is_visible()
        page.locator(".filters-panel > summary").click()
        assert year.is_visible()
        page.locator(".filters-panel > summary").click()
    else:
        assert year.is_visible()  # beside the results
        assert year.bounding_box()["x"] > first["x"] + first["width"] - 5
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, tmp_path_factory, f"search-{width}")
    csp.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_a_word_image_never_runs_past_a_phone_screen(page, published_issue, settings):
    article = Piece.objects.articles().filter(issue=published_issue).first()
    src = f"{settings.MEDIA_URL}reports/images/wide.png"
    Piece.objects.filter(pk=article.pk).update(
        body=f'<p>图片：</p><figure class="image"><img src="{src}" width="3000" height="600"></figure>'
    )
    png = wide_png()
    page.route("**/media/**", lambda route: route.fulfill(body=png, content_type="image/png"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(article.get_absolute_url())
    page.wait_for_function("document.querySelector('.piece-body img').complete")
    assert page.locator(".piece-body img").bounding_box()["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


# For each 目录 entry: how many characters each of its rendered lines holds (characters grouped by their top).
TOC_LINE_LENGTHS = """
() => [...document.querySelectorAll('.toc-entry a')].map(a => {
  const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
  const tops = {};
  for (let node; (node = walker.nextNode());) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (rect && node.data[i].trim()) tops[Math.round(rect.top)] = (tops[Math.round(rect.top)] || 0) + 1;
    }
  }
  return [a.textContent, Object.values(tops)];
})
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1440])
def test_the_issue_page_shows_its_correction_and_a_toc_without_a_lone_character(
    csp, published_issue, editor, width, tmp_path_factory
):
    article = Piece.objects.articles().filter(issue=published_issue).first()
    services.edit_piece(article, by=editor, note="第二段“三项”应为“四项”。", body=article.body.replace("三", "四", 1))
    page = csp.page
    page.set_viewport_size({"width": width, "height": 900})
    csp.visit(published_issue.get_absolute_url())
    assert page.locator(".corrections .correction").first.inner_text().startswith("更正：第二段“三项”应为“四项”（")
    for text, lines in page.evaluate(TOC_LINE_LENGTHS):
        assert min(lines) > 1, f"{text}: {lines}"
        if len(lines) == 2 and width == 1440:
            assert abs(lines[0] - lines[1]) <= max(4, sum(lines) / 4), f"{text}: {lines}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, tmp_path_factory, f"issue-correction-{width}")
    csp.visit(article.get_absolute_url())
    assert page.locator(".piece-page .correction").is_visible()
    shot(page, tmp_path_factory, f"piece-correction-{width}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1440])
def test_the_subscription_form_works_in_the_browser(csp, width, tmp_path_factory):
    from django.core import mail

    page = csp.page
    page.set_viewport_size({"width": width, "height": 800})
    csp.visit("/")
    page.get_by_role("link", name="邮件订阅").click()
    page.wait_for_load_state("load")
    shot(page, tmp_path_factory, f"subscribe-{width}")
    page.get_by_label("电子邮箱").fill(f"reader{width}@example.cn")
    page.get_by_role("button", name="订阅").click()
    page.wait_for_load_state("load")
    assert "请查收确认邮件" in page.locator("h1").inner_text()
    from tests.test_distribution import deliver_confirmations

    assert deliver_confirmations() == 1  # the worker mails it, not the request
    assert [m.to for m in mail.outbox] == [[f"reader{width}@example.cn"]]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    csp.assert_clean()
