"""/health/: 200 when the database and the task queue are fine, 503 naming what failed."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from issues.tasks import render_issue_pdf

pytestmark = pytest.mark.django_db


def test_healthy_site_answers_200(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "task_queue": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def test_a_task_waiting_a_moment_is_healthy(client, published_issue):
    render_issue_pdf.enqueue(published_issue.pk, published_issue.content_version)
    assert client.get("/health/").status_code == 200


def test_a_task_waiting_too_long_means_no_worker_runs(client, published_issue, settings):
    settings.HEALTH_TASK_MAX_WAIT_SECONDS = 600
    result = render_issue_pdf.enqueue(published_issue.pk, published_issue.content_version)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - timedelta(minutes=11))
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == "ok"
    assert "db_worker" in body["checks"]["task_queue"]
    # Once the worker has taken it, the site is healthy again.
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=timezone.now())
    assert client.get("/health/").status_code == 200


def test_a_task_queue_that_cannot_be_read_fails(client):
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {DBTaskResult._meta.db_table} RENAME TO moved_away")
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["task_queue"].startswith("task queue: ProgrammingError")
    assert "moved_away" not in response.text and DBTaskResult._meta.db_table not in response.text


def test_an_unreachable_database_fails(client, settings):
    from django.db import connections

    broken = {**connections["default"].settings_dict, "PORT": "1", "CONN_MAX_AGE": 0}
    original = connections["default"]
    try:
        connections["default"] = type(original)(broken, alias="default")
        response = client.get("/health/")
    finally:
        connections["default"].close()
        connections["default"] = original
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"].startswith("database: OperationalError")
    assert body["checks"]["task_queue"] == "skipped: no database"
    # anyone may ask: the answer names no server, port, user or database (that detail is in the log)
    for secret in (broken["HOST"] or "localhost", "port 1", broken["USER"], broken["NAME"]):
        assert secret and secret not in response.text, secret
