"""Rebuild the fingerprints near-duplicate search uses (after an upgrade or a bulk load): `index_similar`."""

import time

from django.core.management.base import BaseCommand

from issues import similar


class Command(BaseCommand):
    help = "Fingerprint every printed piece and every report sent to the 研究室 again."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = similar.rebuild()
        self.stdout.write(f"Indexed {count} texts in {time.perf_counter() - started:.1f} s.")
