"""What commendation says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Fields", "Notices", "Problems", "Reasons"]


class Problems(Catalogue):
    """Titles of the errors commendation raises, by code."""

    over_quota = Message("超过本单位名额（{seats} 名）", "More than the unit's seats ({seats})")


class Fields(Catalogue):
    """Messages of the field errors commendation reports, by code."""

    not_eligible = Message("不符合评选条件", "Not eligible")
    over_quota = Message("超过本单位名额", "More than the unit's seats")


class Notices(Catalogue):
    """The inbox notices commendation sends."""

    excellent_published = Message(
        "{year} 年优秀等次名额已公布：{unit} {seats} 名",
        "{year} excellent-grade quota published: {unit} {seats}",
    )
    commendation_published = Message(
        "{year} 年表彰名额已公布：{unit} {seats} 名",
        "{year} commendation seats published: {unit} {seats}",
    )


class Reasons(Catalogue):
    """Why a cadre is or is not eligible (``eligibility.judge``), kept as ``中文 / English``."""

    posted_too_short = Message(
        "驻村 {posted} 天，不足 {min_posted_days} 天",
        "posted {posted} days, under {min_posted_days}",
    )
    too_few_days = Message(
        "确认驻村 {confirmed} 天，少于应驻 {required} 天",
        "{confirmed} confirmed village days, under the {required} required",
    )
    absences = Message(
        "督查发现无故脱岗 {count} 次",
        "{count} unexcused absences found by inspection",
    )
    enough_days = Message(
        "确认驻村 {confirmed} 天，达到应驻 {required} 天",
        "{confirmed} confirmed village days, {required} required",
    )
