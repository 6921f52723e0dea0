"""Issue and article page latency and throughput under concurrent load, beside a trivial Django view, both
served by gunicorn on loopback: `python bench/page_bench.py`. Uses a throwaway database with the seed issues."""

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from _setup import ROOT, import_seeds, throwaway_database

PORT = int(os.environ.get("BENCH_PORT", "8109"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = 8
REQUESTS = 400

TRIVIAL_URLCONF = """
from django.http import HttpResponse
from django.urls import include, path
urlpatterns = [path("trivial/", lambda request: HttpResponse("ok")), path("", include("renda.urls"))]
"""


def load(url: str):
    def one(_):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            response.read()
            assert response.status == 200
        return (time.perf_counter() - started) * 1000

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(20)))
        started = time.perf_counter()
        times = sorted(pool.map(one, range(REQUESTS)))
    elapsed = time.perf_counter() - started
    return REQUESTS / elapsed, statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    name = throwaway_database("pages")
    issue = import_seeds()[0]
    article = issue.piece_set.articles().first()
    (ROOT / "bench" / "_bench_urls.py").write_text(TRIVIAL_URLCONF)
    (ROOT / "bench" / "_bench_settings.py").write_text(
        "from renda.settings import *  # noqa\nROOT_URLCONF = '_bench_urls'\n"
    )
    env = dict(os.environ, DATABASE_URL=os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name)
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'bench'}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "renda.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(WORKERS),
            "--log-level=warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=_bench_settings",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/trivial/")
                break
            except OSError:
                time.sleep(0.2)
        print(f"gunicorn, {WORKERS} workers, {CONCURRENCY} concurrent clients, {REQUESTS} requests each")
        print(f"{'page':<28} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7}")
        for label, path in [
            ("trivial view", "/trivial/"),
            ("issue page", issue.get_absolute_url()),
            ("article page", f"/articles/{article.pk}/"),
            ("home", "/"),
        ]:
            rate, p50, p95 = load(f"http://127.0.0.1:{PORT}{path}")
            print(f"{label:<28} {rate:>7.0f} {p50:>7.1f} {p95:>7.1f}")
    finally:
        server.terminate()
        server.wait()
        for leftover in ("_bench_urls.py", "_bench_settings.py"):
            (ROOT / "bench" / leftover).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
