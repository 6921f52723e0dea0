"""Accessibility, checked by axe-core (the npm package pinned in package.json, read from node_modules; no CDN) in
headless Chromium: the public pages, the portal and the desk have no critical or serious violation (which covers
unlabelled form fields and AA contrast), and the issue page can be walked by its headings.

The axe script is injected into each page; the browser context bypasses the Content-Security-Policy for that only
(the policy itself is checked in tests/test_csp_browser.py)."""

from pathlib import Path

import pytest

from reports.models import Report
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, SEED_SPECIAL_9, import_seed
from tests.desk import make_report
from tests.network import make_call

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"critical", "serious"}


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def violations(page, url: str, *, width: int = 1440) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{url} @{width}px [{v['impact']}] {v['id']}: {v['help']} — {[n['target'] for n in v['nodes'][:4]]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def check(page, urls):
    found = []
    for url in urls:
        found += violations(page, url)
    found += violations(page, urls[0], width=375)
    assert found == [], "axe-core violations:\n" + "\n".join(found)


def log_in(page, user, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-" + user.username)
    page.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_the_axe_check_finds_an_unlabelled_field_and_poor_contrast(axe_page, live_server, db):
    import_seed(SEED_REGULAR_4)
    axe_page.goto("/")
    axe_page.evaluate(
        """() => {
        const input = document.createElement("input");
        input.type = "text";
        document.body.append(input);
        const faint = document.createElement("p");
        faint.textContent = "浅灰色的说明文字";
        faint.style.color = "#ddd";
        document.body.append(faint);
    }"""
    )
    axe_page.add_script_tag(path=str(AXE))
    result = axe_page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    ids = {v["id"] for v in result["violations"]}
    assert {"label", "color-contrast"} <= ids


def test_the_public_pages_have_no_serious_violation(axe_page):
    issue = import_seed(SEED_REGULAR_4)
    import_seed(SEED_SPECIAL_9)
    article, brief = issue.articles()[0], issue.briefs()[0]
    check(
        axe_page,
        [
            issue.get_absolute_url(),
            "/",
            "/archive/",
            f"/archive/{issue.year}/",
            article.get_absolute_url(),
            brief.get_absolute_url(),
            "/articles/",
            f"/articles/?year={issue.year}&kind=regular",
            "/search/?q=代表",
            "/search/?q=无此词语",
            "/accounts/login/",
        ],
    )


def test_the_issue_page_is_navigable_by_headings(axe_page):
    """One h1 (the issue), and every article and the 信息摘登 reachable as a heading below it, in print order."""
    issue = import_seed(SEED_REGULAR_4)
    axe_page.goto(issue.get_absolute_url())
    headings = axe_page.evaluate(
        "() => [...document.querySelectorAll('main h1, main h2, main h3')].map(h => [h.tagName, h.innerText.trim()])"
    )
    levels = [tag for tag, _ in headings]
    assert levels.count("H1") == 1 and levels[0] == "H1", headings
    texts = [" ".join(text.split()) for _, text in headings]
    wanted = [" ".join(a.title.split()) for a in issue.articles()]
    positions = [next(i for i, text in enumerate(texts) if title in text) for title in wanted]
    assert positions == sorted(positions)
    assert any("信息摘登" in text for text in texts)
    steps = [int(tag[1]) - int(prev[1]) for tag, prev in zip(levels[1:], levels[:-1], strict=True)]
    assert max(steps) <= 1  # no level skipped on the way down


def test_the_portal_pages_have_no_serious_violation(axe_page, submitter):
    draft = make_report(submitter, "上城区：审议报告", status=Report.Status.DRAFT)
    sent = make_report(submitter, "上城区：代表联络站")
    call = make_call(units=[submitter.profile.unit])
    log_in(axe_page, submitter)
    check(
        axe_page,
        [
            "/submit/",
            "/submit/new/",
            f"/submit/{draft.pk}/",
            f"/submit/{draft.pk}/edit/",
            f"/submit/{sent.pk}/",
            "/submit/notifications/",
            "/submit/stats/",
            "/submit/calls/",
            f"/submit/calls/{call.pk}/",
            "/submit/reminders/",
            "/accounts/password/",
        ],
    )


def test_the_desk_has_no_serious_violation(axe_page, editor, submitter):
    draft = import_seed(SEED_REGULAR_2, draft=True)
    make_report(submitter, "上城区：代表联络站", status=Report.Status.ACCEPTED, editor=editor)
    log_in(axe_page, editor, admin=True)
    piece = draft.articles()[0]
    check(
        axe_page,
        [
            f"/admin/issues/issue/{draft.pk}/desk/",
            f"/admin/issues/issue/{draft.pk}/desk/?edit={piece.pk}",
            "/admin/",
            "/admin/reports/report/",
        ],
    )
