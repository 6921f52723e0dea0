"""One log line per request and per background task; with LOG_FORMAT=json, lines a collector parses."""

import io
import json
import logging

import pytest
from django.core.management import call_command
from django.tasks import task

from renda.logs import JSONFormatter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def json_log():
    """The JSON lines the request and task loggers write, as the production handler would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    loggers = [logging.getLogger("renda.request"), logging.getLogger("renda.tasks")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def console():
    """What the configured console handler writes (journald's lines in production); the levels db_worker sets are
    put back afterwards."""
    handler = next(h for h in logging.getLogger("django").handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    levels = {name: logging.getLogger(name).level for name in ("django.tasks", "django_tasks_db")}
    yield lambda: stream.getvalue().splitlines()
    handler.setStream(previous)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def fail(reason: str) -> None:
    raise ValueError(reason)


def test_a_request_writes_one_json_line_with_the_user_and_duration(client, submitter, json_log):
    client.force_login(submitter)
    client.get("/submit/")
    client.get("/no-such-page/")
    (listed, missing) = json_log()
    assert listed["event"] == "request"
    fields = (listed["method"], listed["path"], listed["status"], listed["user"])
    assert fields == ("GET", "/submit/", 200, "shangcheng")
    assert isinstance(listed["duration_ms"], float) and listed["duration_ms"] > 0
    assert listed["logger"] == "renda.request" and listed["level"] == "INFO"
    assert listed["message"].startswith("GET /submit/ 200 user=shangcheng ")
    assert listed["time"].endswith("+00:00")
    assert (missing["path"], missing["status"]) == ("/no-such-page/", 404)


def test_an_anonymous_request_is_logged_without_a_user(client, json_log):
    client.get("/health/")
    (line,) = json_log()
    assert (line["path"], line["status"], line["user"]) == ("/health/", 200, "-")


def test_each_task_the_worker_runs_writes_one_json_line(json_log):
    add.enqueue(2, b=3)
    fail.enqueue("数据有误")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    lines = {line["task"]: line for line in json_log()}
    done, failed = lines["tests.test_logs.add"], lines["tests.test_logs.fail"]
    assert done["event"] == "task"
    assert (done["outcome"], done["result"], done["level"]) == ("SUCCESSFUL", "5", "INFO")
    assert done["task_args"] == "{'args': [2], 'kwargs': {'b': 3}}"
    assert isinstance(done["duration_ms"], float)
    assert (failed["outcome"], failed["level"], failed["result"]) == ("FAILED", "ERROR", None)
    assert "数据有误" in failed["task_args"]


def test_the_text_format_is_one_readable_line(client, submitter, caplog):
    client.force_login(submitter)
    with caplog.at_level(logging.INFO, logger="renda.request"):
        client.get("/submit/")
    (record,) = [r for r in caplog.records if r.name == "renda.request"]
    assert "\n" not in record.getMessage()
    assert record.getMessage().startswith("GET /submit/ 200 user=shangcheng ")


def test_the_worker_at_default_verbosity_writes_one_line_per_task(console):
    """db_worker sets django.tasks to INFO at verbosity 1: its start and finish lines stay out all the same."""
    add.enqueue(2, b=3)
    fail.enqueue("数据有误")
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=1)
    lines = console()
    (done,) = [line for line in lines if "tests.test_logs.add" in line]
    assert " INFO renda.tasks task tests.test_logs.add " in done and "SUCCESSFUL" in done
    # A failure keeps django.tasks' ERROR line, the one with the traceback.
    failed = [line for line in lines if "tests.test_logs.fail" in line]
    assert sorted(line.split()[2:4] for line in failed) == [["ERROR", "django.tasks"], ["ERROR", "renda.tasks"]]
    assert "ValueError: 数据有误" in lines
