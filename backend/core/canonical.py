"""Canonical JSON text and its hash: the same value gives the same bytes on every engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

__all__ = ["canonical_json", "content_hash", "loads", "wire"]


def canonical_json(value: Any) -> str | None:
    """JSON with sorted keys and no spaces; dates, UUIDs and the like as their text."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(value: Any) -> str:
    return hashlib.sha256((canonical_json(value) or "null").encode("utf-8")).hexdigest()


def loads(value: Any) -> Any:
    """JSON columns come back as text on SQLite and parsed on PostgreSQL: parse either."""
    return json.loads(value) if isinstance(value, str) else value


def wire(value: Any) -> Any:
    """A JSON-able form of a value read from either engine (dates as ISO text, UUIDs as text)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
