"""What field work (presence, leave) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Problems"]


class Problems(Catalogue):
    """Titles of the errors fieldwork raises, by code."""

    already_submitted = Message(
        "该月报告单已提交或已确认",
        "This month is already submitted or confirmed",
    )
    not_posted = Message("该月您没有驻村任职", "You have no posting in that month")
    county_decides = Message(
        "超过乡镇审批天数，须由县里审批",
        "Above the township's limit: the county decides",
    )
