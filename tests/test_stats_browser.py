"""The unit's 信息采用情况 page in a real browser: on a phone its table stays inside the screen."""

import pytest

from reports.models import Report
from tests.desk import make_report

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/submit/")


@pytest.mark.parametrize("width", [1440, 375])
def test_the_units_figures_fit_the_screen(page, submitter, other_submitter, editor, width):
    # A rank (第 1 名（共 2 个单位）) is the widest cell: both units sent something this year.
    make_report(submitter, "上城区：一篇信息", status=Report.Status.ACCEPTED, editor=editor)
    make_report(other_submitter, "西湖区：一篇信息")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, submitter)
    page.goto("/submit/stats/")
    assert "第 1 名（共 2 个单位）" in page.locator(".stats-figures").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
