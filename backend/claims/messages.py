"""What claims says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Flags", "Notices", "Problems"]


class Problems(Catalogue):
    """Titles of the errors claims raises, by code."""

    trip_cap = Message(
        "本月往返交通已达上限（{max} 次）",
        "The month's round trips are at the limit ({max})",
    )
    has_flags = Message(
        "有核查提示，须逐件审核，不能批量通过",
        "It has verification flags: review it on its own, not in bulk",
    )
    same_reviewer = Message(
        "乡镇审核人不能再做县级审核",
        "The township's reviewer cannot also give the county's approval",
    )
    already_corrected = Message("该申请已有一份更正申请", "This claim already has a correction")


class Notices(Catalogue):
    """The inbox notices claims sends."""

    incident_forwarded = Message(
        "{day} 事故报告已转保险公司", "Accident report of {day} forwarded"
    )


class Flags(Catalogue):
    """The details of a travel claim's verification flags (``rules.travel_flags``)."""

    distance_unchecked = Message(
        "派出单位或村没有坐标，无法核对里程",
        "The unit or the village has no coordinates: the distance is unchecked",
    )
    road_distance_high = Message(
        "申报里程 {road_km} 公里，超过直线距离 {geodesic_km} 公里的 {k} 倍",
        "Stated {road_km} km is above {k} × the straight-line {geodesic_km} km",
    )
