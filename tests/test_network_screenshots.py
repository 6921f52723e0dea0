"""The editor's call page and the portal's open calls in a real browser, at phone and desktop widths."""

import datetime

import pytest
from django.utils import timezone

from network import services
from tests.network import answer, make_call

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.click("button:has-text('登录')")
    page.wait_for_url("**/submit/")


@pytest.fixture
def calls(submitter, other_submitter, editor):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    call = make_call(topic="“人大代表在身边”履职故事征集", quota_count=1, quota_scope="district")
    make_call(topic="预算联网监督工作经验", deadline=tomorrow, districts=["shangcheng", "xihu"])
    answer(call, submitter, status="accepted", title="上城区：“民呼我为”代表联络站接待日常态化运行")
    answer(call, other_submitter, title="西湖区：代表助力“一老一小”服务提质")
    services.run_reminders()
    return call


@pytest.mark.parametrize("width", [1440, 375])
def test_the_editors_call_page_fits_the_screen(page, editor, calls, width, tmp_path_factory):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor)
    page.goto(f"/admin/network/call/{calls.pk}/completion/")
    assert "约稿完成情况" in page.locator("h1").inner_text()
    assert page.locator("#completion-matrix tbody tr").count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    out = tmp_path_factory.getbasetemp() / f"network-call-{width}.png"
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("width", [1440, 375])
def test_the_portals_open_calls_fit_the_screen(page, submitter, calls, width, tmp_path_factory):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, submitter)
    page.get_by_role("link", name="约稿", exact=True).click()
    page.wait_for_url("**/submit/calls/")
    cards = page.locator(".call-card")
    assert cards.count() == 2
    assert "为此约稿写信息" in cards.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    out = tmp_path_factory.getbasetemp() / f"network-portal-calls-{width}.png"
    page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 10_000
    # From a call to the report form with the call chosen.
    cards.first.locator("text=为此约稿写信息").click()
    page.wait_for_url("**/submit/new/?answers_call=*")
    assert page.locator("#id_answers_call option:checked").inner_text().startswith("预算联网监督工作经验")
