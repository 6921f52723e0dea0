"""Django set up for a bench script, on a throwaway copy of the database (`test_<name>`), removed at exit."""

import atexit
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renda.settings")
os.environ.setdefault("SECRET_KEY", "bench")


def throwaway_database(suffix: str = "") -> str:
    """Create and migrate a fresh database next to the configured one; return its name."""
    import django
    from django.db import connection

    django.setup()
    if suffix:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{connection.settings_dict['NAME']}_{suffix}"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    if os.environ.get("KEEP_DB") != "1":  # KEEP_DB=1 leaves it for a closer look (psql, profiling)
        atexit.register(lambda: connection.creation.destroy_test_db(name, verbosity=0))
    return name


def import_seeds():
    from issues.importing import import_samples

    return import_samples()
