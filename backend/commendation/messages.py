"""What commendation says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Fields", "Problems"]


class Problems(Catalogue):
    """Titles of the errors commendation raises, by code."""

    over_quota = Message("超过本单位名额（{seats} 名）", "More than the unit's seats ({seats})")


class Fields(Catalogue):
    """Messages of the field errors commendation reports, by code."""

    not_eligible = Message("不符合评选条件", "Not eligible")
    over_quota = Message("超过本单位名额", "More than the unit's seats")
