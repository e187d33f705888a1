"""Canonical JSON text and its hash: the same value gives the same bytes on every engine."""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["canonical_json", "content_hash"]


def canonical_json(value: Any) -> str | None:
    """JSON with sorted keys and no spaces; dates, UUIDs and the like as their text."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(value: Any) -> str:
    return hashlib.sha256((canonical_json(value) or "null").encode("utf-8")).hexdigest()
