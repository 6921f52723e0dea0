"""200 concurrent readers for 60 s against gunicorn on loopback, over the public pages (home, archive, issue,
article, brief, list, search, PDF): prints requests/s, p50/p90/p99 and errors (0 expected).

`make bench-load` (or `python bench/load_bench.py`); wrk (Debian package `wrk`) drives the load with
bench/load_bench.lua. Runs on a throwaway database with the seed issues and their stored PDFs; the server is set up
as in production (DEBUG off, LOG_FORMAT=json to a file, the shared cache of CACHE_URL: BENCH_CACHE_URL, Redis db 11
by default). BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_WORKERS, BENCH_PORT change the run.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _setup import ROOT, import_seeds, throwaway_database

PORT = int(os.environ.get("BENCH_PORT", "8114"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "200"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "60"))
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/11")
SEARCHES = ["人大", "代表", "数字贸易", "监督", "立法 调研"]


def public_paths(issues) -> list[str]:
    from issues.models import Issue

    paths = ["/", "/archive/", "/articles/"]
    for issue in issues:
        paths += [f"/archive/{issue.year}/", issue.get_absolute_url(), f"{issue.get_absolute_url()}pdf/"]
        paths += [a.get_absolute_url() for a in issue.piece_set.articles().order_by("position")[:4]]
        paths += [b.get_absolute_url() for b in issue.piece_set.briefs().order_by("position")[:2]]
        paths.append(f"/articles/?year={issue.year}&kind={Issue.Kind.REGULAR}")
    paths += ["/search/?" + urllib.parse.urlencode({"q": q}) for q in SEARCHES]
    return paths


def wait_until_up(base: str, server: subprocess.Popen):
    for _ in range(150):
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer /health/")


def main():
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench-load installs it)")
    name = throwaway_database("load")
    issues = import_seeds()
    for issue in issues:  # readers download stored files, as once the worker has run
        issue.store_pdf()
    paths = public_paths(issues)
    workdir = Path(tempfile.mkdtemp(prefix="renda-load-"))
    (workdir / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
    from django.conf import settings

    env = dict(
        os.environ,
        DATABASE_URL=os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name,
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        CACHE_URL=CACHE_URL,
        LOG_FORMAT="json",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "renda.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(WORKERS)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        wait_until_up(base, server)
        for path in paths:  # every URL answers before the load starts, and the caches are warm
            with urllib.request.urlopen(base + path, timeout=60) as response:
                assert response.status == 200, path
        print(f"gunicorn, {WORKERS} sync workers; wrk, {CONNECTIONS} connections, {SECONDS} s, {len(paths)} URLs")
        wrk = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "30s", "--latency"]
        result = subprocess.run(
            [*wrk, "-s", str(ROOT / "bench" / "load_bench.lua"), base, "--", str(workdir / "paths.txt")],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait()
        log.close()
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in ("connect", "read", "write", "timeout", "status", "not_200"))
    logged = sum(1 for line in (workdir / "gunicorn.log").open() if '"event": "request"' in line)
    print(f"requests     {figures['requests']} in {seconds:.1f} s: {figures['requests'] / seconds:.0f} req/s")
    print(f"throughput   {figures['bytes'] / seconds / 1e6:.1f} MB/s")
    print(
        f"latency      p50 {figures['p50_us'] / 1000:.0f} ms, p90 {figures['p90_us'] / 1000:.0f} ms, "
        f"p99 {figures['p99_us'] / 1000:.0f} ms, max {figures['max_us'] / 1000:.0f} ms"
    )
    print(
        f"errors       {errors} (connect {figures['connect']}, read {figures['read']}, write {figures['write']}, "
        f"timeout {figures['timeout']}, non-200 {figures['not_200']})"
    )
    print(f"log lines    {logged} request lines written by the app (JSON)")
    shutil.rmtree(workdir, ignore_errors=True)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
