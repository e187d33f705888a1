"""Logs as one JSON object a line, each carrying the id of the request it belongs to.

The request id is the one answered in ``X-Request-ID`` (kept from a sane incoming header, as
nginx sends it), so a log line, an audit event and a user's report of a failure meet.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

__all__ = ["REQUEST_ID", "JsonFormatter", "log_config"]

#: The id of the request being served in this task (None outside a request).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "zhucun_request_id", default=None
)


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", …}``; uvicorn's access lines
    also get ``client``, ``method``, ``path`` and ``status``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and \
                len(record.args) == 5:
            client, method, path, _version, status = record.args
            out.update(client=client, method=method, path=path, status=status)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_config(fmt: str) -> dict[str, Any]:
    """uvicorn's ``log_config``: its loggers and Zhucun's, in ``fmt`` (json or text)."""
    formatter = ({"()": "backend.core.logs.JsonFormatter"} if fmt == "json" else
                 {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"})
    handler = {"class": "logging.StreamHandler", "formatter": "main",
               "stream": "ext://sys.stderr"}
    loggers = {name: {"handlers": ["main"], "level": "INFO", "propagate": False}
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "zhucun")}
    return {"version": 1, "disable_existing_loggers": False, "formatters": {"main": formatter},
            "handlers": {"main": handler}, "loggers": loggers}
