"""An issue page in a real browser at phone and desktop widths: nothing overflows, the masthead is red."""

import pytest


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1440])
def test_issue_page_fits_the_screen(page, published_issue, width, tmp_path_factory):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(published_issue.get_absolute_url())
    assert page.locator("h1.masthead-title").inner_text() == "杭州人大信息"
    color = page.locator("h1.masthead-title").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(215, 0, 15)"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width
    body_size = page.locator(".piece-body p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert body_size >= 16
    out = tmp_path_factory.getbasetemp() / f"issue-{width}.png"
    page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 10_000
