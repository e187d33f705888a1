"""What the dashboard's export says, in Chinese and English: each header holds both."""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["ClaimStates", "Columns", "Words", "header"]


class Columns(Catalogue):
    """The exported columns of a village or township, by the attribute of its row, in order."""

    code = Message("区划代码", "code")
    name = Message("名称", "name")
    township_name = Message("乡镇", "township")
    tier_label = Message("帮扶类别", "tier")
    cadres = Message("驻村干部", "cadres")
    confirmed_days = Message("确认驻村天数", "confirmed days")
    minimum_days = Message("应驻天数", "minimum")
    logs = Message("工作日志", "logs")
    households_visited = Message("走访农户", "households visited")
    flagged_logs = Message("带提示日志", "flagged logs")
    sheets_submitted = Message("待确认", "submitted")
    sheets_confirmed = Message("已确认", "confirmed")
    insurance_gaps = Message("未覆盖保险", "insurance gaps")


class ClaimStates(Catalogue):
    """Claim states exported as "count / yuan" columns, in the order of their life."""

    submitted = Message("待审", "submitted")
    township_approved = Message("乡镇已审", "township approved")
    county_approved = Message("县已审", "county approved")
    paid = Message("已支付", "paid")


class Words(Catalogue):
    total = Message("合计", "Total")
    claims = Message("件", "claims")
    yuan = Message("元", "yuan")
    trend = Message("月度趋势", "trend")
    month = Message("月份", "month")
    trend_logs = Message("日志", "logs")
    trend_flagged = Message("带提示", "flagged")
    trend_confirmed_days = Message("确认天数", "confirmed days")


def header(message: Message) -> str:
    """A header in both languages, Chinese first: ``区划代码 code``."""
    return f"{message.zh} {message.en}"
