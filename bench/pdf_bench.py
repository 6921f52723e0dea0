"""PDF render time per issue and per page, file size, right-edge evenness: `python bench/pdf_bench.py`.

`first s` is an issue's first render in the process (the first row's is the process's first render: fonts,
patches and caches are set up then). `warm s` is the median of ROUNDS × RUNS renders once every issue has been
rendered, as in a worker that has been running for a while; garbage collection is left to run as it would.
`chromium s` is the median of as many prints of the same HTML and stylesheet by Chromium (/usr/bin/chromium
through Playwright, already running, `page.set_content` then `page.pdf`), which leaves the 目录's page numbers
out: it does not implement target-counter(). The two take turns, ROUNDS times: WeasyPrint's renders with no
browser running, then Chromium's, so that a machine slowing down or speeding up meanwhile weighs on both.

Then the editor's 预览 PDF of the 18-page issue as a draft, through the view: the click once the background
worker has rendered the preview (the usual case), and a click on a change the worker has not rendered yet.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from _setup import import_seeds, throwaway_database

RUNS = 3
ROUNDS = 4  # medians of ROUNDS × RUNS renders each


CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
CHROMIUM_ARGS += ["--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_seconds(browser, issue) -> list[float]:
    """RUNS prints by Chromium of the issue's PDF HTML, its stylesheet inlined (after one not counted)."""
    from issues.previews import issue_html

    css = Path(finders_find("css/issue-pdf.css")).read_text(encoding="utf-8")
    html = issue_html(issue).replace("</head>", f"<style>{css}</style></head>", 1)
    page = browser.new_page()
    times = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        page.set_content(html)
        page.pdf(format="A4", prefer_css_page_size=True)
        times.append(time.perf_counter() - started)
    page.close()
    return times[1:]


def finders_find(path):
    from django.contrib.staticfiles import finders

    return finders.find(path)


def preview_clicks(issue) -> tuple[float, float]:
    """The 预览 PDF view's answer time: after the worker rendered the preview, and for an unrendered change."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from issues.models import Issue, Piece
    from reports.models import Profile

    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)
    issue.refresh_from_db()
    user = User.objects.create_user("bench-editor", is_staff=True, is_superuser=True)
    Profile.objects.create(user=user, role=Profile.Role.EDITOR)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/preview/issues/{issue.pk}/pdf/"

    def click() -> float:
        started = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content)
        return time.perf_counter() - started

    article = issue.piece_set.articles().first()
    stored, fresh = [], []
    for n in range(3):
        article.title = f"{article.title.rstrip('0123456789')}{n}"
        article.save()  # queues the worker's render
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        stored.append(click())
        Piece.objects.filter(pk=article.pk).update(title=f"{article.title}改")  # unseen by the worker
        fresh.append(click())
    return statistics.median(stored), statistics.median(fresh)


def main():
    throwaway_database("pdf")
    from playwright.sync_api import sync_playwright

    from issues.pdf import render_issue_pdf
    from tests import pdftools

    issues = import_seeds()
    first, weasyprint, chromium, outputs = {}, {}, {}, {}
    for issue in issues:
        started = time.perf_counter()
        outputs[issue.pk] = render_issue_pdf(issue)
        first[issue.pk] = time.perf_counter() - started
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    playwright = sync_playwright().start()
    for _ in range(ROUNDS):  # WeasyPrint with no browser running, then Chromium: in turns, so drift hits both
        for issue in issues:
            for _ in range(RUNS):
                started = time.perf_counter()
                render_issue_pdf(issue)
                weasyprint.setdefault(issue.pk, []).append(time.perf_counter() - started)
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        for issue in issues:
            chromium.setdefault(issue.pk, []).extend(chromium_seconds(browser, issue))
        browser.close()
    header = f"{'issue':<20} {'pages':>5} {'first s':>7} {'warm s':>7} {'chromium s':>10}"
    print(f"{header} {'ms/page':>8} {'KB':>6} {'even':>6}")
    for issue in issues:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "issue.pdf"
            path.write_bytes(outputs[issue.pk])
            pages = pdftools.pdftotext(path).count("\f")
            share, _count = pdftools.right_edge_share(path)
        warm, printed = statistics.median(weasyprint[issue.pk]), statistics.median(chromium[issue.pk])
        label = f"{issue.year} {issue.kind} {issue.number}"
        print(
            f"{label:<20} {pages:>5} {first[issue.pk]:>7.2f} {warm:>7.2f} {printed:>10.2f} "
            f"{warm / pages * 1000:>8.1f} {len(outputs[issue.pk]) / 1024:>6.0f} {share:>6.1%}"
        )
    from django.db import connections

    connections.close_all()  # opened under Playwright's event loop: its own connections, closed before it stops
    playwright.stop()
    stored, fresh = preview_clicks(issues[0])
    connections.close_all()  # the throwaway database is dropped at exit
    print(f"预览 PDF of {issues[0]} as a draft, through the view: {stored:.3f} s once the worker has rendered it,")
    print(f"{fresh:.2f} s for a change the worker has not rendered yet (rendered in the request)")


if __name__ == "__main__":
    main()
