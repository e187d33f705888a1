"""What crosses the wire for Web Push (the inbox itself travels through sync, kind ``inbox``)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Bilingual",
    "InboxWire",
    "PushKeyOut",
    "ReadData",
    "SubscriptionIn",
    "SubscriptionKeys",
    "SubscriptionOut",
    "UnsubscribeIn",
]


class PushKeyOut(BaseModel):
    #: The VAPID application server key (base64url), for ``pushManager.subscribe``.
    public_key: str


class SubscriptionKeys(BaseModel):
    model_config = ConfigDict(extra="ignore")

    #: The browser's P-256 public key, base64url of the 65-byte uncompressed point.
    p256dh: str = Field(min_length=1, max_length=100)
    #: The 16-byte auth secret, base64url.
    auth: str = Field(min_length=1, max_length=40)


class SubscriptionIn(BaseModel):
    """The browser's ``PushSubscription.toJSON()`` as it is: endpoint and keys."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str = Field(min_length=1, max_length=2048)
    keys: SubscriptionKeys
    #: Sent by browsers (usually null); not used.
    expiration_time: float | None = Field(default=None, alias="expirationTime")


class UnsubscribeIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    endpoint: str = Field(min_length=1, max_length=2048)


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    endpoint: str
    created_at: dt.datetime

class ReadData(BaseModel):
    """Pushed ``inbox`` (an item may only be marked read, never created):
    ``{"read": true, "read_at": "2026-12-03T08:00:00Z"}``; ``read_at`` defaults to now."""

    model_config = ConfigDict(extra="ignore")

    read: bool
    read_at: dt.datetime | None = None


class Bilingual(BaseModel):
    zh: str
    en: str


class InboxWire(BaseModel):
    """Pulled ``inbox``: a notice for the user, in both languages, and when it was read."""

    model_config = ConfigDict(extra="allow")

    event: str
    title: Bilingual
    body: Bilingual
    link: str | None
    object_kind: str | None
    object_id: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
