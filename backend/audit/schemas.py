"""What crosses the wire for audit."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

__all__ = ["AuditEventOut", "VerifyOut"]


class AuditEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    action: str
    object_kind: str
    object_id: str
    before: str | None
    after: str | None
    reason: str | None
    request_id: str | None


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    broken_row: int | None
    reason: str | None
