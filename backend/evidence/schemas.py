"""What crosses the wire for evidence."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

__all__ = ["PhotoOut"]


class PhotoOut(BaseModel):
    """A stored photo. Its position is not shown here: flags on the record say what matters."""

    sha256: str
    width: int
    height: int
    captured_at: dt.datetime | None
    has_location: bool
    thumb_url: str
    display_url: str
