"""The statistics pages in Chromium: the unit's fits a 375 px phone; the period selects show only what the chosen
period uses, on the unit's page and the editor's."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_csp_browser import log_in


def check_period_selects(page):
    month, quarter = page.locator("label[data-period-for=month]"), page.locator("label[data-period-for=quarter]")
    expect(month).to_be_hidden()
    expect(quarter).to_be_hidden()  # a year uses neither
    page.select_option("select[name=period]", "month")
    expect(month).to_be_visible()
    expect(quarter).to_be_hidden()
    page.select_option("select[name=period]", "quarter")
    expect(quarter).to_be_visible()
    expect(month).to_be_hidden()
    page.select_option("select[name=quarter]", "2")
    page.locator(".stats-form [type=submit]").click()
    page.wait_for_load_state("load")
    assert "quarter=2" in page.url and "month=" not in page.url  # the hidden select is not sent
    expect(page.locator("label[data-period-for=quarter]")).to_be_visible()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [375, 1440])
def test_the_units_statistics_page_works_on_a_phone(csp, submitter, width, tmp_path_factory):
    page = csp.page
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, submitter)
    csp.visit("/submit/stats/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.getbasetemp())
    page.screenshot(path=str(folder / f"stats-{width}.png"))
    check_period_selects(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    csp.assert_clean()


@pytest.mark.django_db(transaction=True)
def test_the_editors_statistics_page_shows_only_the_periods_selects(csp, editor):
    csp.visit("/admin/login/")
    log_in(csp.page, editor, admin=True)
    csp.visit("/admin/reports/report/stats/")
    check_period_selects(csp.page)
    csp.assert_clean()
