"""Near-duplicate search among N stored texts on PostgreSQL: `python bench/similar_bench.py [N] [--trgm]`.

Works on a throwaway database. The three sample issues are imported (their pieces are real and published), then
N synthetic pieces are fingerprinted and loaded with COPY: each is 8 to 16 sentences drawn from the sample
issues' sentences and from sentences of frequent jieba words, so unrelated texts share phrases as real ones do.
Times `similar.candidates` (the band lookup and the similarity of each candidate) and `similar.find_similar`
(the desk's whole list) for reworked sample articles (paragraphs reordered, a sentence changed) and for new texts.

With --trgm it also loads the same texts into a table with a pg_trgm GIN index and times
`similarity(text, query) >= 0.35` through the `%` operator, the alternative the method was chosen against.
"""

import random
import statistics
import sys
import time
from pathlib import Path

from _setup import import_seeds, throwaway_database


def sentence_pool(rng):
    import jieba

    from issues.models import Article, Brief
    from reports.wording import text_lines

    pool = []
    for piece in [*Article.objects.all(), *Brief.objects.all()]:
        for line in text_lines(piece.body):
            pool += [s + "。" for s in line.split("。") if len(s) > 8]
    words = []
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines()[:200_000]:
        word = line.split(" ")[0]
        if 2 <= len(word) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
            words.append(word)
    for _ in range(20_000):
        pool.append("".join(rng.choices(words, k=rng.randint(6, 14))) + "。")
    return pool


def synthetic(rng, pool):
    sentences = rng.sample(pool, rng.randint(8, 16))
    per = max(1, len(sentences) // 4)
    return ["".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]


def timed(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return result, statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 100_000
    with_trgm = "--trgm" in sys.argv
    throwaway_database("similar")
    from django.db import connection
    from django.utils import timezone
    from django.utils.html import escape

    from issues import similar
    from issues.models import Article

    rng = random.Random(13)
    import_seeds()
    pool = sentence_pool(rng)
    started = time.perf_counter()
    texts, now = [], timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM issues_textfingerprint")
        first_id = cursor.fetchone()[0] + 1
    with connection.cursor() as cursor:
        with cursor.copy("COPY issues_textfingerprint (id, kind, object_id, signature, at) FROM STDIN") as copy:
            band_rows = []
            for n in range(count):
                lines = synthetic(rng, pool)
                if with_trgm:
                    texts.append("\n".join(lines))
                values = similar.signature(lines)
                copy.write_row((first_id + n, "article", 10_000_000 + n, values.tobytes(), now))
                band_rows.append([first_id + n, similar.bands(values)])
        with cursor.copy("COPY issues_fingerprintband (fingerprint_id, band) FROM STDIN") as copy:
            for fingerprint_id, bands in band_rows:
                for band in bands:
                    copy.write_row((fingerprint_id, band))
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('issues_textfingerprint', 'id'), max(id)) FROM issues_textfingerprint"
        )
        cursor.execute("ANALYZE issues_textfingerprint")
        cursor.execute("ANALYZE issues_fingerprintband")
        cursor.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('issues_fingerprintband'))"
            " FROM issues_fingerprintband"
        )
        rows, size = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('issues_textfingerprint'))")
        size_fp = cursor.fetchone()[0]
    stored = count + Article.objects.count()
    print(
        f"{count:,} synthetic texts fingerprinted and loaded in {time.perf_counter() - started:.0f} s "
        f"({stored:,} stored texts); {rows:,} band rows ({size} with index), fingerprints {size_fp}"
    )

    from reports.wording import text_lines

    queries = []
    for article in Article.objects.order_by("pk")[:10]:
        lines = text_lines(article.body)
        rng.shuffle(lines)
        lines[0] = "会议强调，要进一步发挥人大代表作用。" + lines[0][lines[0].find("。") + 1 :]
        queries.append(("reworked sample", article.pk, article.title, "".join(f"<p>{escape(x)}</p>" for x in lines)))
    for _ in range(10):
        queries.append(("new text", None, "", "".join(f"<p>{x}</p>" for x in synthetic(rng, pool))))

    print(
        f"{'query':<16} {'candidates':>10} {'listed':>6} {'top':>5} {'cand. p50':>10} {'p95':>6}"
        f" {'list p50':>9} {'p95':>6}"
    )
    all_candidates, all_lists, right = [], [], 0
    for label, expected, title, body in queries:
        values = similar.signature(similar.document_lines(title, body))
        found, c50, c95 = timed(lambda v=values: similar.candidates(v), 20)
        listed, l50, l95 = timed(lambda t=title, b=body: similar.find_similar(t, b), 20)
        all_candidates.append(c50)
        all_lists.append(l50)
        top = f"{listed[0].similarity:.2f}" if listed else "—"
        if expected is not None and listed and listed[0].id == expected:
            right += 1
        print(
            f"{label:<16} {len(found):>10} {len(listed):>6} {top:>5} {c50:>8.1f}ms {c95:>6.1f}"
            f" {l50:>7.1f}ms {l95:>6.1f}"
        )
    print(f"reworked sample articles found first: {right}/10")
    print(
        f"finding candidates among {stored:,} stored texts: median {statistics.median(all_candidates):.1f} ms, "
        f"worst query {max(all_candidates):.1f} ms; the desk's whole list: "
        f"median {statistics.median(all_lists):.1f} ms, worst {max(all_lists):.1f} ms"
    )
    print(f"target < 100 ms: {'OK' if max(all_lists) < 100 else 'TOO SLOW'}")
    if with_trgm:
        trigram_comparison(texts, queries)


def trigram_comparison(texts, queries):
    """The same texts with pg_trgm: GIN index, `%` with similarity_threshold 0.35."""
    from django.db import connection

    from reports.wording import text_lines

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("SHOW lc_ctype")
        ctype = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE bench_trgm (id serial PRIMARY KEY, body text)")
        with cursor.copy("COPY bench_trgm (body) FROM STDIN") as copy:
            for text in texts:
                copy.write_row((text,))
        cursor.execute("CREATE INDEX bench_trgm_gin ON bench_trgm USING gin (body gin_trgm_ops)")
        cursor.execute("ANALYZE bench_trgm")
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('bench_trgm_gin'))")
        size = cursor.fetchone()[0]
        print(
            f"pg_trgm (lc_ctype {ctype}): {len(texts):,} texts loaded, GIN index {size}, "
            f"in {time.perf_counter() - started:.0f} s"
        )
        cursor.execute("SET pg_trgm.similarity_threshold = 0.35")
        times = []
        for _label, _expected, title, body in queries[:6]:
            text = "\n".join([title, *text_lines(body)]).strip()
            started = time.perf_counter()
            cursor.execute(
                "SELECT id, similarity(body, %s) FROM bench_trgm WHERE body %% %s ORDER BY 2 DESC LIMIT 20",
                [text, text],
            )
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
        print(f"pg_trgm query: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms")


if __name__ == "__main__":
    main()
