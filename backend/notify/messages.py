"""What notifications (Web Push) says, in Chinese and English.

Plugged in by the manifest (``capability.py``); the core looks messages up by code.
"""

from __future__ import annotations

from backend.core.messages import Catalogue, Message

__all__ = ["Problems"]


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
