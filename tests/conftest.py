"""Shared fixtures: the people of the system (an editor, two units' submitters, a reader) and sample issues."""

import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from issues.importing import store_issue
from issues.parser import parse_issue
from reports.models import Contributor, Profile

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample"
SEED_REGULAR_4 = SAMPLE_DIR / "000_69c93178cbf30e2b.txt"
SEED_REGULAR_2 = SAMPLE_DIR / "001_a852ff003321dce0.txt"
SEED_SPECIAL_9 = SAMPLE_DIR / "004_89c6cba8bc04328b.txt"
SEEDS = [SEED_REGULAR_4, SEED_REGULAR_2, SEED_SPECIAL_9]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str, unit_name: str | None = None) -> User:
    user = User.objects.create_user(username, password="pw-" + username, is_staff=role != Profile.Role.SUBMITTER)
    unit = Contributor.objects.get_or_create_by_name(unit_name) if unit_name else None
    Profile.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def editor(db):
    user = make_user("editor", Profile.Role.EDITOR, "研究室")
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def submitter(db):
    return make_user("shangcheng", Profile.Role.SUBMITTER, "上城区人大常委会办公室")


@pytest.fixture
def logged_in(client, submitter):
    """A client logged in as the submitter of 上城区人大常委会办公室."""
    client.force_login(submitter)
    return client


@pytest.fixture
def other_submitter(db):
    return make_user("xihu", Profile.Role.SUBMITTER, "西湖区人大常委会办公室")


def database_url(name: str | None = None) -> str:
    """The test database's URL (or another database's on the same server) with the test run's credentials, password
    included: for the processes a test starts and the throwaway databases it creates."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    login = quote(db["USER"], safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def import_seed(path: Path, **options):
    return store_issue(parse_issue(path.read_text(encoding="utf-8")), **options)


@pytest.fixture
def published_issue(db):
    return import_seed(SEED_REGULAR_4)


@pytest.fixture
def all_seeds(db):
    return [import_seed(path) for path in SEEDS]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Stored files (issue PDFs, uploads, private attachments) go to fresh directories per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _rows_from_data_migrations(request):
    """The sections and units that data migrations create. A transactional test (browser, concurrency) ends by
    emptying every table, those rows included; the tests after it get them back, whatever the order."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.apps import apps

    from issues.models import Section

    if not Section.objects.exists():
        for module in ("issues.migrations.0003_seed_sections", "reports.migrations.0002_seed_contributors"):
            importlib.import_module(module).seed(apps, None)


@pytest.fixture
def draft_issue(db):
    return import_seed(SEED_REGULAR_2, draft=True)


# Browser tests: Debian's Chromium driven by Playwright; never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the session (pages that need JavaScript, screenshots)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the browser lives; Django's ORM calls from the
    # test are still sync. Only for the browser tests: they run last (pytest_collection_modifyitems), so every
    # other test keeps Django's check for ORM calls from async code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def approver(db):
    return make_user("approver", Profile.Role.APPROVER, "研究室")


# Content-Security-Policy in the browser: every page a test visits through `csp` must load without a violation.
_RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


class CSPWatch:
    """Watches a Playwright page for CSP violations: `securitypolicyviolation` events in each document (an init
    script, which the policy does not apply to) and the console's "Refused to …" messages.

    `visit(url)` opens a page, checks it carries the policy and that nothing was refused; `assert_clean()` checks
    what happened since the last check (after clicks, typing, saving). Add new pages to the lists in
    tests/test_csp_browser.py.
    """

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(_RECORD_CSP_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.console.append(f"{self.page.url}: {message.text}")

    def violations(self) -> list[str]:
        try:
            events = self.page.evaluate("window.__cspViolations || []")
        except Exception:  # the page is navigating; its events are gone with it
            events = []
        return [f"{self.page.url}: {event}" for event in events] + self.console

    def assert_clean(self):
        found = self.violations()
        self.console.clear()
        self.page.evaluate("window.__cspViolations = []")
        assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)

    def visit(self, url: str, *, status: int = 200):
        response = self.page.goto(url)
        assert response is not None and response.status == status, f"{url}: {response and response.status}"
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        self.page.wait_for_load_state("load")
        self.assert_clean()
        return response


@pytest.fixture
def csp(page):
    """The browser page, watched for Content-Security-Policy violations (none may be left at the end)."""
    watch = CSPWatch(page)
    yield watch
    if not page.is_closed():
        found = watch.violations()
        assert found == [], "Content-Security-Policy violations:\n" + "\n".join(found)


#: Modules whose tests start processes (workers, gunicorn, manage.py) or render whole PDFs: seconds each.
SLOW_MODULES = {
    "test_backup",
    "test_deploy_config",
    "test_draft_preview",
    "test_issue_pdf",
    "test_network_schedule",
    "test_pdf_faults",
    "test_shared_cache",
}
#: The same, one test in a module of otherwise quick ones (module::function).
SLOW_TESTS = {
    "test_accounts::test_a_bad_trusted_proxy_count_stops_the_start",
    "test_import_issue::test_exit_status_is_non_zero_on_bad_input",
    "test_network_circulars::test_the_pdf_holds_the_same_figures",
    "test_publishing::test_two_publish_commands_in_separate_processes_get_distinct_numbers",
    # Chromium tests of 5 s and more: they start the Chromium tests, so that no process is left with one at the end
    "test_portal_xss::test_no_payload_runs_in_chromium",
    "test_csp_browser::test_the_desk_works_under_the_policy",
    "test_desk_e2e::test_an_editor_assembles_and_publishes_an_issue",
    "test_accessibility::test_the_portal_pages_have_no_serious_violation",
    "test_accessibility::test_the_desk_has_no_serious_violation",
    "test_accessibility::test_the_public_pages_have_no_serious_violation",
    "test_network_desk_xss::test_no_payload_runs_in_chromium_on_the_desk_and_call_pages",
    "test_desk_page_e2e::test_an_issue_is_built_from_the_inbox_within_the_effort_budget",
}


def pytest_collection_modifyitems(config, items):
    """Mark what a fast loop can leave out (`make test-fast`): tests that drive Chromium, and the slow ones. The
    Chromium tests run last, once the others are done (see `browser`), the slow ones among them first (each of the
    suite's processes takes the next test as it finishes one); otherwise in pytest-django's order."""
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        module = item.module.__name__.rsplit(".", 1)[-1]
        if module in SLOW_MODULES or f"{module}::{getattr(item, 'originalname', item.name)}" in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)

    def order(item) -> tuple[bool, bool]:
        browser = item.get_closest_marker("browser") is not None
        return browser, browser and item.get_closest_marker("slow") is None

    items.sort(key=order)
