"""How long the portal's Word import (mammoth + nh3) takes as documents grow; prints one line per size.

Run: DATABASE_URL=... SECRET_KEY=bench .venv/bin/python bench/docx_import_bench.py
"""

import os
import tempfile
import time

os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="renda-bench-media-")

import _setup  # noqa: F401  (sys.path and settings, as for every bench)
import django

django.setup()

from reports import uploads  # noqa: E402
from reports.docx_import import import_docx  # noqa: E402
from tests.portal import docx_bytes, png_bytes, upload  # noqa: E402

PARAGRAPH = "拱墅区人大常委会组织区政府部门负责人进驻代表联络站，面对面听取代表和群众意见。" * 3

print(f"{'paragraphs':>10} {'images':>6} {'docx KB':>8} {'XML KB':>8} {'check s':>8} {'import s':>9}")
for paragraphs, with_image in [(10, True), (100, True), (2000, False), (20000, False)]:
    data = docx_bytes("拱墅区：标题", [PARAGRAPH] * paragraphs, image=png_bytes((1200, 800)) if with_image else None)
    start = time.perf_counter()
    uploads.check_upload(upload("a.docx", data), allowed=(uploads.DOCX,), max_bytes=50 * 1024 * 1024)
    checked = time.perf_counter()
    import_docx(upload("a.docx", data))
    done = time.perf_counter()
    xml_kb = (len(PARAGRAPH.encode()) + 60) * paragraphs // 1024
    print(
        f"{paragraphs:>10} {int(with_image):>6} {len(data) // 1024:>8} {xml_kb:>8} "
        f"{checked - start:>8.3f} {done - checked:>9.3f}"
    )
