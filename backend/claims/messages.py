"""What claims says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Flags", "Kinds", "Notices", "Problems", "Verdicts"]


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
    subsidy_drafted = Message(
        "{month_zh}生活补贴待提交", "Living subsidy for {month_en} ready to submit"
    )
    subsidy_drafted_body = Message(
        "确认驻村 {days} 天，金额 {amount}", "{days} days confirmed, {amount}"
    )
    subsidy_drafted_body_one_day = Message(
        "确认驻村 {days} 天，金额 {amount}", "{days} day confirmed, {amount}"
    )
    #: A review step: the kind, the month or day, and the verdict (``Kinds``, ``Verdicts``).
    reviewed = Message("{kind_zh} {what_zh} {verdict_zh}", "{kind_en} {what_en} {verdict_en}")
    reason = Message("原因：{reason}", "Reason: {reason}")
    paid_amount = Message("金额 {amount}，支付凭证号 {ref}", "{amount}, payment reference {ref}")
    amount = Message("金额 {amount}", "{amount}")


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


class Kinds(Catalogue):
    """A claim's kind, as a notice names it."""

    subsidy = Message("生活补贴", "Living subsidy")
    travel = Message("往返交通费", "Travel")


class Verdicts(Catalogue):
    """A review step, as the claim's owner hears of it (by the state it leads to)."""

    township_approved = Message("乡镇已审核", "approved by the township")
    county_approved = Message("县已审核", "approved by the county")
    returned = Message("被退回", "returned")
    rejected = Message("不予受理", "rejected")
    paid = Message("已支付", "paid")
