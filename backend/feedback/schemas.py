"""What crosses the wire for feedback."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnswerIn",
    "FeedbackData",
    "FeedbackOut",
    "FeedbackWire",
]


class FeedbackData(BaseModel):
    """Sync kind ``feedback``: text and optional photos, to the county admins."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=5000)
    evidence: list[str] = Field(default_factory=list, max_length=3)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: str = Field(min_length=1, max_length=5000)


class FeedbackOut(BaseModel):
    id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    county_code: str
    text: str
    evidence: list[str]
    state: Literal["open", "answered"]
    answer: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None

class FeedbackWire(BaseModel):
    """Pulled ``feedback``: the message and the county's answer."""

    model_config = ConfigDict(extra="allow")

    text: str
    evidence: list[str]
    state: str
    answer: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None
