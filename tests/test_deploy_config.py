"""Production configuration: deploy/env.example passes `check --deploy`, and CACHE_URL picks the shared cache."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from renda.settings import cache_from_url

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "env.example"


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_env_example_passes_the_deployment_checks_without_a_warning(db):
    from tests.conftest import database_url

    values = read_env_file(ENV_EXAMPLE)
    assert "CHANGE" in values["SECRET_KEY"]
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    # The database is the test run's own (it exists, whatever DATABASE_URL names): check --deploy connects to it.
    values["DATABASE_URL"] = database_url()
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}} | values
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr.upper(), result.stderr


def test_env_example_names_every_variable_the_settings_read():
    settings_source = (ROOT / "renda" / "settings.py").read_text(encoding="utf-8")
    import re

    read = set(re.findall(r'env(?:bool|int|list)?\("([A-Z_]+)"', settings_source))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', settings_source))
    # Development-only switches that production leaves at their defaults.
    read -= {"EMAIL_BACKEND"}
    assert read - set(read_env_file(ENV_EXAMPLE)) == set()


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("", "locmem.LocMemCache", "renda"),
        ("locmem://", "locmem.LocMemCache", "renda"),
        ("redis://127.0.0.1:6379/0", "redis.RedisCache", "redis://127.0.0.1:6379/0"),
        ("db://renda_cache", "db.DatabaseCache", "renda_cache"),
    ],
)
def test_cache_url_chooses_the_backend(url, backend, location):
    cache = cache_from_url(url)
    assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert cache["LOCATION"] == location


@pytest.mark.parametrize("url", ["memcached://127.0.0.1", "db://", "db://bad name"])
def test_a_bad_cache_url_stops_start_up_naming_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        cache_from_url(url)


@pytest.mark.django_db
def test_migrate_creates_the_database_cache_table(settings):
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {"default": cache_from_url("db://renda_cache_migrated")}
    assert "renda_cache_migrated" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)  # nothing to apply; its post_migrate signal creates the table
    assert "renda_cache_migrated" in connection.introspection.table_names()


def test_a_process_starts_without_loading_the_near_duplicate_search_libraries():
    """datasketch pulls in scipy (about 0.35 s and 60 MB per process): loaded by the first text fingerprinted only,
    not by every gunicorn worker or command that sets Django up."""
    script = (
        "import sys, django; django.setup(); import renda.wsgi, renda.urls; "
        "print(sorted({'datasketch', 'scipy', 'numpy'} & {name.split('.')[0] for name in sys.modules}))"
    )
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "DATABASE_URL"}}
    env |= {"SECRET_KEY": "test", "DJANGO_SETTINGS_MODULE": "renda.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_folders_nginx_serves_are_readable_by_it_and_the_private_one_is_not():
    """docs/deploy.md creates the folders; nginx (www-data, neither owner nor group) reads static/ and media/ itself,
    so they and /var/lib/renda are 0755; private/ (report attachments) is the renda user's alone."""
    import re

    modes = {}
    for line in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("install -d "):
            mode = int(re.search(r"-m (\d+)", line)[1], 8)
            modes |= {path: mode for path in line.split() if path.startswith("/")}
    env = read_env_file(ENV_EXAMPLE)
    nginx = (ROOT / "deploy" / "nginx-renda.conf").read_text(encoding="utf-8")
    served = [Path(alias) for alias in re.findall(r"^\s*alias (\S+);", nginx, re.MULTILINE)]
    assert sorted(served) == sorted(Path(env[name]) for name in ("STATIC_ROOT", "MEDIA_ROOT"))
    for folder in served:
        for path in (folder, *folder.parents):
            if str(path) in modes:
                assert modes[str(path)] & 0o005 == 0o005, f"{path}: {oct(modes[str(path)])}"
        assert str(folder) in modes and str(folder.parent) in modes
    assert modes[env["PRIVATE_MEDIA_ROOT"]] == 0o700
    for unit in ("renda-web.service", "renda-worker.service"):
        assert "\nUMask=0022\n" in (ROOT / "deploy" / unit).read_text(encoding="utf-8"), unit


def test_kept_database_connections_are_checked_before_reuse(settings):
    """CONN_MAX_AGE keeps connections across requests; after a database restart the first request on a dead one
    would fail without the health check."""
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_the_package_holds_every_app_and_what_production_runs():
    """A plain `pip install .` (no dev extras) gets every local app and the web server the systemd unit starts."""
    import fnmatch
    import tomllib

    from django.apps import apps

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    local = {app.name for app in apps.get_app_configs() if (ROOT / app.name.split(".")[0] / "apps.py").is_file()}
    assert {"issues", "reports", "network", "distribution", "renda"} <= local
    assert [name for name in local if not any(fnmatch.fnmatch(name, pattern) for pattern in included)] == []
    assert "/.venv/bin/gunicorn " in (ROOT / "deploy" / "renda-web.service").read_text(encoding="utf-8")
    assert any(dependency.startswith("gunicorn==") for dependency in project["project"]["dependencies"])
