"""PDF render time per issue and per page, file size, right-edge evenness: `python bench/pdf_bench.py`."""

import statistics
import tempfile
import time
from pathlib import Path

from _setup import import_seeds, throwaway_database

RUNS = 5


def main():
    throwaway_database("pdf")
    import gc

    from issues.pdf import render_issue_pdf
    from tests import pdftools

    print(f"{'issue':<32} {'pages':>5} {'cold s':>7} {'warm s':>7} {'ms/page':>8} {'KB':>6} {'even':>6}")
    for issue in import_seeds():
        started = time.perf_counter()
        data = render_issue_pdf(issue)
        cold = time.perf_counter() - started
        times = []
        for _ in range(RUNS):
            gc.collect()
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
            f"{label:<32} {pages:>5} {cold:>7.2f} {warm:>7.2f} {warm / pages * 1000:>8.1f} "
            f"{len(data) / 1024:>6.0f} {share:>6.1%}"
        )


if __name__ == "__main__":
    main()
