"""Several app servers, one state: with CACHE_URL shared (Redis or the database), a publish made through one
gunicorn is served by another at once, though both had cached the pages that change."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings

from issues.models import Issue
from renda.settings import cache_from_url
from tests.conftest import SEED_REGULAR_2, SEED_REGULAR_4, database_url, import_seed

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (the suite runs in several processes, each of which may start servers)."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def start_server(port: int, cache_url: str, media: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "CACHE_URL": cache_url,
        "SECRET_KEY": "shared-cache-test",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(media),
        "PRIVATE_MEDIA_ROOT": str(media / "private"),
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [str(gunicorn), "renda.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )


def wait_until_up(port: int, process: subprocess.Popen):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn on {port} exited with {process.returncode}"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"gunicorn on {port} did not answer /health/")


def anonymous_get(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read().decode()


def publish_through(port: int, issue: Issue, username: str, password: str):
    """Log in to the desk of the server on `port` and press 发布 there, as an editor's browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    opener.open(f"{base}/admin/login/", timeout=30).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/admin/"}
    opener.open(f"{base}/admin/login/", urllib.parse.urlencode(form).encode(), timeout=30).read()
    assert any(cookie.name == "sessionid" for cookie in jar), "login failed"
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token}).encode()
    opener.open(f"{base}/admin/issues/issue/{issue.pk}/publish/", body, timeout=60).read()


@pytest.fixture(params=["redis", "db"])
def shared_cache_url(request):
    url = REDIS_URL if request.param == "redis" else "db://renda_cache_test"
    with override_settings(CACHES={"default": cache_from_url(url)}):
        if request.param == "db":
            call_command("createcachetable", verbosity=0)
        caches["default"].clear()
        yield url
        caches["default"].clear()


def test_a_publish_through_one_server_shows_on_the_other_at_once(shared_cache_url, editor, tmp_path):
    editor.password = PBKDF2PasswordHasher().encode("pw-shared", PBKDF2PasswordHasher().salt())  # the servers'
    editor.save(update_fields=["password"])
    published = import_seed(SEED_REGULAR_4)
    draft = import_seed(SEED_REGULAR_2, draft=True)
    ports = free_ports(2)
    servers = [start_server(port, shared_cache_url, tmp_path) for port in ports]
    try:
        for port, process in zip(ports, servers, strict=True):
            wait_until_up(port, process)
        # Both servers cache the published issue's page for readers (no session) and agree on it.
        before = [anonymous_get(port, published.get_absolute_url()) for port in ports]
        assert before[0] == before[1]
        assert anonymous_get(ports[1], published.get_absolute_url()) == before[1]  # served from the cache

        publish_through(ports[0], draft, "editor", "pw-shared")
        draft.refresh_from_db()
        assert draft.status == Issue.Status.PUBLISHED
        new_url = draft.get_absolute_url()
        assert new_url not in before[1]

        # The other server links the published issue to the new one straight away (its cached copy is dropped).
        assert new_url in anonymous_get(ports[1], published.get_absolute_url())
        assert new_url in anonymous_get(ports[1], "/archive/")
        assert anonymous_get(ports[1], new_url)
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=30)
