"""Identifiers: UUID v7 (time-ordered) for rows the server creates; photos' SHA-256 names."""

from __future__ import annotations

import re
import uuid

from uuid6 import uuid7

__all__ = ["is_sha256", "new_id"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid7()))


def is_sha256(text: object) -> bool:
    """Whether ``text`` names a photo: a SHA-256 in lower-case hex, as the phone computes it."""
    return isinstance(text, str) and _SHA256.match(text) is not None
