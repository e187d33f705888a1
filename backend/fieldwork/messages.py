"""What field work (presence, leave) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Notices", "Problems"]


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


class Notices(Catalogue):
    """The inbox notices field work sends: a month's sheet decided, a leave decided."""

    sheet_confirmed = Message("{month} 驻村天数已确认", "Presence for {month} confirmed")
    sheet_confirmed_body = Message("确认驻村 {days} 天", "{days} village days")
    sheet_returned = Message("{month} 驻村天数报告单被退回", "Presence for {month} returned")
    sheet_returned_body = Message("退回原因：{reason}", "Reason: {reason}")
    leave_approved = Message("请假 {span} 已批准", "Leave {span} approved")
    leave_rejected = Message("请假 {span} 未批准", "Leave {span} rejected")
