"""What feedback says, in Chinese and English.

Plugged in by the manifest (``capability.py``), or used where it is said.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Notices"]


class Notices(Catalogue):
    """The inbox notices feedback sends."""

    answered = Message("您的投诉建议已答复", "Your feedback has an answer")
