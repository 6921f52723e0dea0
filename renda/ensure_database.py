"""Create the PostgreSQL database a URL names if it does not exist yet (used by `make test`).

Django's system checks for generated columns ask the server for its features, so even
`makemigrations --check` needs the database to exist, not only the server.
"""

import sys

import dj_database_url
import psycopg
from psycopg import sql


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
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


if __name__ == "__main__":
    ensure_database(sys.argv[1])
