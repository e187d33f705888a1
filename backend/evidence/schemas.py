"""What crosses the wire for evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "FlagWire",
    "PhotoOut",
]


class PhotoOut(BaseModel):
    """A stored photo. Its position is not shown here: flags on the record say what matters."""

    sha256: str
    width: int
    height: int
    captured_at: dt.datetime | None
    has_location: bool
    thumb_url: str
    display_url: str

class FlagWire(BaseModel):
    """A verification flag on a server copy: ``code``, bilingual ``detail``, its numbers."""

    model_config = ConfigDict(extra="allow")

    code: str
    detail: str
    params: dict[str, Any] = Field(default_factory=dict)
