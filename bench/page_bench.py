"""Throughput of every public page a reader without a session loads, beside a trivial Django view served by the
same gunicorn workers on loopback: `make bench-pages` (or `python bench/page_bench.py`).

wrk (Debian package `wrk`, C, two threads) drives the load with bench/load_bench.lua, one URL per run, so the load
generator takes little of the CPU the server needs (a Python client on the same cores measured itself). Runs on a
throwaway database with the seed issues; the server is set up as in production (DEBUG off, JSON logs to a file).
Prints requests/s, the ratio to the trivial view (goal: >= 0.5 for every page, >= 0.2 for search), p50 and p99.

BENCH_SECONDS (5), BENCH_CONNECTIONS (8), BENCH_WORKERS (2), BENCH_PORT (8109) and BENCH_CACHE_URL (locmem://, each
worker its own; e.g. redis://127.0.0.1:6379/15 for the shared cache of production) change the run.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from _setup import ROOT, import_seeds, throwaway_database
from load_bench import wait_until_up

PORT = int(os.environ.get("BENCH_PORT", "8109"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "locmem://")

TRIVIAL_URLCONF = """
from django.http import HttpResponse
from django.urls import include, path
urlpatterns = [path("trivial/", lambda request: HttpResponse("ok")), path("", include("renda.urls"))]
"""


def pages(issues) -> list[tuple[str, str]]:
    issue = issues[0]
    article, brief = issue.articles()[0], issue.briefs()[0]
    return [
        ("home", "/"),
        ("archive", "/archive/"),
        ("archive of a year", f"/archive/{issue.year}/"),
        ("issue page", issue.get_absolute_url()),
        ("article", article.get_absolute_url()),
        ("brief", brief.get_absolute_url()),
        ("pieces list", "/articles/"),
        ("pieces list, filtered", f"/articles/?year={issue.year}&kind={issue.kind}"),
        ("search 代表", "/search/?" + urllib.parse.urlencode({"q": "代表"})),
        ("feed", "/feed/"),
    ]


def wrk(base: str, path: str, workdir: Path) -> dict:
    paths = workdir / "paths.txt"
    paths.write_text(path + "\n", encoding="utf-8")
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "--latency"]
    result = subprocess.run(
        [*command, "-s", str(ROOT / "bench" / "load_bench.lua"), base, "--", str(paths)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    errors = sum(figures[key] for key in ("connect", "read", "write", "timeout", "status", "not_200"))
    return {
        "rate": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "errors": errors,
    }


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (it is in the Makefile's SYSTEM_PACKAGES)")
    name = throwaway_database("pages")
    issues = import_seeds()
    urls = pages(issues)
    workdir = Path(tempfile.mkdtemp(prefix="renda-pages-"))
    (workdir / "_bench_urls.py").write_text(TRIVIAL_URLCONF)
    (workdir / "_bench_settings.py").write_text("from renda.settings import *  # noqa\nROOT_URLCONF = '_bench_urls'\n")
    env = dict(
        os.environ,
        DATABASE_URL=os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name,
        PYTHONPATH=f"{ROOT}:{workdir}",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        CACHE_URL=CACHE_URL,
        LOG_FORMAT="json",
    )
    log = (workdir / "gunicorn.log").open("w")
    gunicorn = [sys.executable, "-m", "gunicorn", "renda.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(WORKERS)]
    server = subprocess.Popen(
        [*gunicorn, "--env", "DJANGO_SETTINGS_MODULE=_bench_settings"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{PORT}"
    failed = False
    try:
        wait_until_up(base, server)
        for _, path in urls:  # every page answers, and the readers' cache is warm
            with urllib.request.urlopen(base + path, timeout=60) as response:
                assert response.status == 200, path
        print(
            f"gunicorn, {WORKERS} sync workers, cache {CACHE_URL}; wrk, {CONNECTIONS} connections, {SECONDS} s a page"
        )
        print(f"{'page':<24} {'req/s':>7} {'× trivial':>9} {'p50 ms':>7} {'p99 ms':>7}")
        # The machine is shared: the trivial view is measured before and after the pages, and the mean is the unit.
        before = wrk(base, "/trivial/", workdir)
        results = [(label, path, wrk(base, path, workdir)) for label, path in urls]
        after = wrk(base, "/trivial/", workdir)
        unit = (before["rate"] + after["rate"]) / 2
        for label, figures in [("trivial view, before", before), ("trivial view, after", after)]:
            rate, p50, p99 = figures["rate"], figures["p50"], figures["p99"]
            print(f"{label:<24} {rate:>7.0f} {rate / unit:>9.2f} {p50:>7.1f} {p99:>7.1f}")
        for label, path, figures in results:
            ratio = figures["rate"] / unit
            goal = 0.2 if path.startswith("/search/") else 0.5
            mark = "" if ratio >= goal else f"  below {goal}×"
            if figures["errors"]:
                mark += f"  {figures['errors']} errors"
                failed = True
            rate, p50, p99 = figures["rate"], figures["p50"], figures["p99"]
            print(f"{label:<24} {rate:>7.0f} {ratio:>9.2f} {p50:>7.1f} {p99:>7.1f}{mark}")
    finally:
        server.terminate()
        server.wait()
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
