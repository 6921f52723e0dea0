"""批示, 积分 and 通报 pages in Chromium: under the Content-Security-Policy, at desktop and phone widths, and the
unit answering a 批示 through the real form."""

import datetime

import pytest
from django.utils import timezone

from issues.models import Article, Issue
from network import circulars, scoring
from network.models import Instruction, InstructionFeedback
from reports.stats import Period
from tests.portal import make_report

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state("load")


@pytest.fixture
def outcome(submitter, other_submitter, editor):
    scoring.import_rule_set(
        {
            "year": 2024,
            "combine": "sum",
            "rules": [{"event": "article", "points": 4}, {"event": "instruction_city", "points": 6}],
        }
    )
    issue = Issue.objects.create(
        kind="regular", year=2024, number=4, total_number=692, date=datetime.date(2024, 4, 12), status="published"
    )
    report = make_report(submitter, title="上城区：代表联络站")
    piece = Article.objects.create(
        issue=issue, title="上城区推进代表联络站建设", body="<p>正文</p>", unit=submitter.profile.unit, report=report
    )
    Article.objects.create(
        issue=issue, title="西湖区的做法", body="<p>正文</p>", unit=other_submitter.profile.unit, position=2
    )
    instruction = Instruction.objects.create(
        piece=piece,
        leader="市人大常委会主任 某某",
        level="city",
        date=datetime.date(2024, 4, 20),
        text="做法很好，请总结推广。",
        feedback_required=True,
        feedback_due=timezone.localdate() + datetime.timedelta(days=5),
    )
    circular = circulars.publish(circulars.draft(Period("quarter", 2024, 2), by=editor))
    return instruction, circular


@pytest.mark.parametrize("width", [1440, 375])
def test_the_unit_pages_fit_and_obey_the_policy(csp, submitter, outcome, width, tmp_path_factory):
    instruction, circular = outcome
    page = csp.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, submitter)
    for name, url in [
        ("instruction", instruction.get_absolute_url()),
        ("circular", circular.get_absolute_url()),
        ("scores", "/submit/scores/?period=year&year=2024"),
        ("stats", "/submit/stats/?period=year&year=2024"),
    ]:
        csp.visit(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        out = tmp_path_factory.getbasetemp() / f"network-outcome-{name}-{width}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 10_000


def test_the_unit_answers_an_instruction_in_the_browser(csp, submitter, outcome):
    instruction, _ = outcome
    page = csp.page
    log_in(page, submitter)
    csp.visit(f"/submit/{instruction.piece.report.pk}/")
    page.click("text=市级 · 市人大常委会主任 某某")
    page.wait_for_url(f"**{instruction.get_absolute_url()}")
    page.fill("textarea[name=text]", "已在全区推广，建成联络站 12 个。")
    page.click("button:has-text('报送落实反馈')")
    page.wait_for_load_state("load")
    assert "落实反馈已报送研究室" in page.content()
    assert InstructionFeedback.objects.get(instruction=instruction).text == "已在全区推广，建成联络站 12 个。"


@pytest.mark.parametrize("width", [1440, 375])
def test_the_desk_pages_obey_the_policy(csp, editor, outcome, width, tmp_path_factory):
    instruction, circular = outcome
    page = csp.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor, admin=True)
    for name, url in [
        ("desk", "/admin/"),
        ("scores", "/admin/network/ruleset/scores/?period=year&year=2024"),
        ("rules", "/admin/network/ruleset/"),
        ("instruction", f"/admin/network/instruction/{instruction.pk}/change/"),
        ("circular", f"/admin/network/circular/{circular.pk}/change/"),
    ]:
        csp.visit(url)
        out = tmp_path_factory.getbasetemp() / f"network-desk-{name}-{width}.png"
        page.screenshot(path=str(out), full_page=True)
        assert out.stat().st_size > 10_000
