"""Rebuild the fingerprints near-duplicate search uses (after an upgrade or a bulk load): `index_similar`."""

import time

from django.core.management.base import BaseCommand

from issues import similar


class Command(BaseCommand):
    help = "Fingerprint every printed piece and every report sent to the 研究室 again."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = similar.rebuild()
        self.stdout.write(f"已为 {count} 篇文本建立相似度索引，用时 {time.perf_counter() - started:.1f} 秒。")
