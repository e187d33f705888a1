"""What crosses the wire for audit."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

__all__ = ["AuditEventOut", "VerifyOut"]


class AuditEventOut(BaseModel):
    id: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    actor_name: str | None = None
    action: str
    object_kind: str
    object_id: str
    county_code: str | None = None
    before: str | None
    after: str | None
    reason: str | None
    request_id: str | None


class VerifyOut(BaseModel):
    ok: bool = Field(description="the whole chain verifies")
    checked: int = Field(description="events of the caller's county in the chain")
    broken_row: int | None = Field(
        description="the first broken row, when it is an event of the caller's county"
    )
    reason: str | None
