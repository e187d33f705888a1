"""What notifications (Web Push) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Problems", "Reminders"]


class Problems(Catalogue):
    """Titles of the errors notify raises, by code."""

    push_not_configured = Message(
        "本服务器未开启网页推送，通知仍会送到收件箱",
        "Web Push is not configured on this server; notices still reach your inbox",
    )
    endpoint_not_https = Message("推送地址必须使用 https", "The push endpoint must use https")
    endpoint_not_allowed = Message(
        "推送地址不能指向本机或内部网络",
        "The push endpoint may not point to this machine or a private network",
    )
    push_key_invalid = Message("浏览器提供的推送密钥无效", "The browser's push keys are invalid")


class Reminders(Catalogue):
    """The scheduled reminders' notices (``reminders.py``)."""

    presence_title = Message(
        "{month} 驻村天数报告单尚未提交", "Presence sheet for {month} not yet submitted"
    )
    presence_body = Message(
        "月底前请核对本月驻村天数并提交报告单。",
        "Please check this month's days and submit the sheet before the month ends.",
    )
    insurance_title = Message("意外伤害保险即将到期", "Accident insurance about to lapse")
    insurance_body = Message(
        "您的驻村意外伤害保险将于 {expires_on} 到期，请及时续保。",
        "Your accident insurance expires on {expires_on}; please renew it.",
    )
    insurance_body_in_days = Message(
        "您的驻村意外伤害保险将于 {expires_on} 到期（还有 {days} 天），请及时续保。",
        "Your accident insurance expires on {expires_on} (in {days} days); please renew it.",
    )
