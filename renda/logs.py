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


def summary(value, limit: int = 200) -> str:
    """A short repr for a log line: arguments can be long (a document) or private (a password is never passed)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
