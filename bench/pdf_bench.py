"""PDF render time per issue and per page, file size, right-edge evenness: `python bench/pdf_bench.py`.

`first s` is an issue's first render in the process (the first row's is the process's first render: fonts,
patches and caches are set up then). `warm s` is the median of RUNS renders in a row once every issue has been
rendered, as in a worker that has been running for a while; garbage collection is left to run as it would.
"""

import statistics
import tempfile
import time
from pathlib import Path

from _setup import import_seeds, throwaway_database

RUNS = 7


def main():
    throwaway_database("pdf")
    from issues.pdf import render_issue_pdf
    from tests import pdftools

    print(f"{'issue':<32} {'pages':>5} {'first s':>7} {'warm s':>7} {'ms/page':>8} {'KB':>6} {'even':>6}")
    issues = import_seeds()
    first = {}
    for issue in issues:
        started = time.perf_counter()
        render_issue_pdf(issue)
        first[issue.pk] = time.perf_counter() - started
    for issue in issues:
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            data = render_issue_pdf(issue)
            times.append(time.perf_counter() - started)
        warm = statistics.median(times)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "issue.pdf"
            path.write_bytes(data)
            pages = pdftools.pdftotext(path).count("\f")
            share, _count = pdftools.right_edge_share(path)
        label = f"{issue.year} {issue.kind} {issue.number}"
        print(
            f"{label:<32} {pages:>5} {first[issue.pk]:>7.2f} {warm:>7.2f} {warm / pages * 1000:>8.1f} "
            f"{len(data) / 1024:>6.0f} {share:>6.1%}"
        )


if __name__ == "__main__":
    main()
