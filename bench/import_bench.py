"""Import 700 synthetic issues built from the sample issues and print the rate.

Usage: make bench-import, or DATABASE_URL=postgres://… .venv/bin/python bench/import_bench.py [N]
Runs against a throwaway database next to DATABASE_URL's (see bench/_setup.py).
Goal (issue #2): 700 issues in under 60 s on PostgreSQL on a 2-core machine.
"""

import datetime as dt
import os
import sys
import time

from _setup import ROOT, throwaway_database

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/renda")


def main(count: int) -> None:
    name = throwaway_database("import")
    from issues.importing import store_issue
    from issues.models import Issue, Piece
    from issues.parser import parse_issue

    seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "sample").glob("*.txt"))]
    jobs = []
    for i in range(count):
        text = seeds[i % len(seeds)]
        year, number = 1990 + i // 24, i % 24 + 1
        jobs.append((text, {"year": year, "number": number, "date": dt.date(year, 1, 1) + dt.timedelta(days=i % 360)}))

    parse_time = store_time = 0.0
    started = time.perf_counter()
    for i, (text, overrides) in enumerate(jobs):
        t0 = time.perf_counter()
        parsed = parse_issue(text, **overrides)
        if parsed.kind == "regular":
            parsed.total_number = i + 1
        t1 = time.perf_counter()
        store_issue(parsed)
        t2 = time.perf_counter()
        parse_time += t1 - t0
        store_time += t2 - t1
    elapsed = time.perf_counter() - started

    print(f"database:        {name} (PostgreSQL)")
    print(f"issues imported: {Issue.objects.count()} ({Piece.objects.articles().count()} articles)")
    print(f"total time:      {elapsed:.2f} s   (goal: {count} issues < 60 s)")
    print(f"  parsing:       {parse_time:.2f} s ({parse_time / count * 1000:.1f} ms/issue)")
    print(f"  storing:       {store_time:.2f} s ({store_time / count * 1000:.1f} ms/issue)")
    print(f"rate:            {count / elapsed:.1f} issues/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 700)
