"""`make test`'s helpers: the server pg_isready asks about, the hint when PostgreSQL wants a password, and the URL
the tests give the processes they start (with the password, if the run has one)."""

import dj_database_url
import psycopg
import pytest
from django.db import connection

from renda import ensure_database
from tests.conftest import database_url


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("postgres://postgres@127.0.0.1:5432/renda", ("127.0.0.1", 5432)),
        ("postgres://renda:p%40ss@db.intranet:6543/renda", ("db.intranet", 6543)),
        ("postgres://postgres@localhost/renda", ("localhost", 5432)),
        ("postgres:///renda", ("/var/run/postgresql", 5432)),
    ],
)
def test_make_test_asks_pg_isready_about_the_server_the_url_names(url, server):
    assert ensure_database.server(url) == server


def test_a_refused_password_says_how_to_give_one(monkeypatch):
    def refuse(**kwargs):
        raise psycopg.OperationalError('connection failed: FATAL:  password authentication failed for user "postgres"')

    monkeypatch.setattr(psycopg, "connect", refuse)
    with pytest.raises(SystemExit) as refused:
        ensure_database.ensure_database("postgres://postgres@127.0.0.1:5432/renda")
    assert "TEST_DATABASE_URL" in str(refused.value) and "trust" in str(refused.value)


def test_the_processes_tests_start_get_the_password(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "p@ss/wo:rd")
    parsed = dj_database_url.parse(database_url("other"))
    assert (parsed["PASSWORD"], parsed["NAME"]) == ("p@ss/wo:rd", "other")
    assert parsed["USER"] == connection.settings_dict["USER"]
