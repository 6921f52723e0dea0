"""Create the PostgreSQL database a URL names if it does not exist yet (used by `make test`).

Django's system checks for generated columns ask the server for its features, so even
`makemigrations --check` needs the database to exist, not only the server.

`python -m renda.ensure_database --server URL` prints the URL's host and port instead (what `make test` asks
pg_isready about); a URL without a host means the local socket, /var/run/postgresql on Debian.
"""

import sys

import dj_database_url
import psycopg
from psycopg import sql

SOCKET_DIRECTORY = "/var/run/postgresql"


def server(url: str) -> tuple[str, int]:
    config = dj_database_url.parse(url)
    return config["HOST"] or SOCKET_DIRECTORY, int(config["PORT"] or 5432)


def ensure_database(url: str) -> None:
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    params = {
        "host": config["HOST"] or None,
        "port": config["PORT"] or None,
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
    }
    try:
        conn = psycopg.connect(dbname="postgres", autocommit=True, **params)
    except psycopg.OperationalError as exc:
        if "password" in str(exc):  # Debian's pg_hba.conf asks for one on 127.0.0.1 (scram-sha-256)
            sys.exit(
                f"PostgreSQL refused the login: {str(exc).strip()}\n"
                "Put the password in TEST_DATABASE_URL (postgres://postgres:PASSWORD@127.0.0.1:5432/renda), "
                "or allow the test machine's local logins with `trust` in pg_hba.conf (see README, Quick start)."
            )
        raise
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


if __name__ == "__main__":
    if sys.argv[1] == "--server":
        print(*server(sys.argv[2]))
    else:
        ensure_database(sys.argv[1])
