"""Log lines a collector can read: with LOG_FORMAT=json, one JSON object per line."""

import json
import logging
from datetime import UTC, datetime

#: Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON object.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", …extra fields}`, plus `exception` with the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class LevelFloor(logging.Filter):
    """Drops records below a floor from the named loggers and their children (`{"django.tasks": "WARNING"}`).

    A logger's own level is not enough: a command may reset it, as django-tasks-db's `db_worker` sets django.tasks
    to INFO at the default verbosity (its start and finish lines, which renda.tasks already writes as one)."""

    def __init__(self, floors: dict[str, str]):
        super().__init__()
        self.floors = {name: logging.getLevelNamesMapping()[level] for name, level in floors.items()}

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        while name:
            if name in self.floors:
                return record.levelno >= self.floors[name]
            name = name.rpartition(".")[0]
        return True


def summary(value, limit: int = 200) -> str:
    """A short repr for a log line: arguments can be long (a document) or private (a password is never passed)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
