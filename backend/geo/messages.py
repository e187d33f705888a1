"""What geography says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Fields", "Problems"]


class Problems(Catalogue):
    """Titles of the errors geo raises, by code."""

    unknown_division = Message("未知的行政区划代码：{code}", "Unknown division code: {code}")


class Fields(Catalogue):
    """Messages of the field errors geo reports, by code."""

    unknown_division = Message("未知的行政区划代码：{code}", "Unknown division code: {code}")
