"""Identifiers: UUID v7 (time-ordered) for rows the server creates."""

from __future__ import annotations

import uuid

from uuid6 import uuid7

__all__ = ["new_id"]


def new_id() -> uuid.UUID:
    return uuid.UUID(str(uuid7()))
