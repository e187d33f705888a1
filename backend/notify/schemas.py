"""What crosses the wire for Web Push (the inbox itself travels through sync, kind ``inbox``)."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PushKeyOut", "SubscriptionIn", "SubscriptionKeys", "SubscriptionOut", "UnsubscribeIn"]


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
