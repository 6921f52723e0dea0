"""/search/ latency (p50, p95) on PostgreSQL with 100,000 synthetic articles: `python bench/search_bench.py [N]`.

Works on a throwaway database. Articles are made of frequent words from jieba's dictionary; their search text is
built like `index_text` (character pairs, then words) from the known words, and loaded with COPY, so the data
is ready in a few minutes without running jieba 100,000 times.
"""

import random
import statistics
import sys
import time
from pathlib import Path

from _setup import throwaway_database

QUERIES = ["代表", "监督", "燃气", "人大代表", "营商环境", "数字贸易", "师事", "民生 实事", "杭州"]


def vocabulary(size=6000):
    import jieba

    rows = []
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        word, freq, *_ = line.split(" ")
        if 2 <= len(word) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
            rows.append((int(freq), word))
    rows.sort(reverse=True)
    words = [w for _, w in rows[:size]] + ["代表", "监督", "人大", "燃气", "营商", "环境"]
    return words, [f for f, _ in rows[:size]] + [5000] * 6


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    throwaway_database("search")
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from issues.models import Issue, Section
    from reports.models import Contributor

    random.seed(1)
    words, weights = vocabulary()
    unit = Contributor.objects.get_or_create_by_name("上城区人大常委会办公室")
    section = Section.objects.first()
    started = time.perf_counter()
    per_issue = 20
    issues = Issue.objects.bulk_create(
        Issue(
            kind="regular",
            year=2000 + n // 40,
            number=n % 40 + 1,
            total_number=n + 1,
            date=f"{2000 + n // 40}-01-01",
            status="published",
            published_at=timezone.now(),
        )
        for n in range(count // per_issue)
    )
    now = timezone.now()
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY issues_piece (kind, lead, issue_id, section_id, unit_id, authors, position, title, body,"
            " search_text, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for n in range(count):
            title_words = random.choices(words, weights, k=5)
            body_words = random.choices(words, weights, k=120)
            title = "".join(title_words)
            sentences = ["".join(body_words[i : i + 8]) for i in range(0, len(body_words), 8)]
            body = "<p>" + "，".join(sentences) + "。</p>"
            pairs = [run[i : i + 2] for run in [title, *sentences] for i in range(len(run) - 1)]
            search_text = " ".join(pairs) + " , " + " ".join(title_words + body_words)
            copy.write_row(
                (
                    "article",
                    "",
                    issues[n // per_issue].pk,
                    section.pk,
                    unit.pk,
                    "",
                    n % per_issue,
                    title,
                    body,
                    search_text,
                    now,
                    now,
                )
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('piece_search'))")
        index_size = cursor.fetchone()[0]
    print(f"{count} articles loaded and indexed in {time.perf_counter() - started:.0f} s; GIN index {index_size}")

    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'query':<10} {'hits':>7} {'p50 ms':>7} {'p95 ms':>7}   (rendered, not the readers' cached copy)")
    all_times = []
    for query in QUERIES:
        client.get("/search/", {"q": query})
        times = []
        for n in range(30):
            started = time.perf_counter()
            # A parameter the view does not read is never cached: the page is rendered, not the readers' copy.
            response = client.get("/search/", {"q": query, "bench": n})
            times.append((time.perf_counter() - started) * 1000)
        hits = response.content.decode().split("共 ")[1].split(" 条")[0]
        times.sort()
        all_times += times
        print(f"{query:<10} {hits:>7} {statistics.median(times):>7.1f} {times[int(len(times) * 0.95) - 1]:>7.1f}")
    all_times.sort()
    print(f"{'all':<10} {'':>7} {statistics.median(all_times):>7.1f} {all_times[int(len(all_times) * 0.95) - 1]:>7.1f}")


if __name__ == "__main__":
    main()
