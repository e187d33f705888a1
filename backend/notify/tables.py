"""What notify stores: the inbox (one row per person per event) and the Web Push outbox."""

from __future__ import annotations

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = ["DELIVERY_STATES", "InboxItem", "PushDelivery", "PushSubscription"]

#: pending (due at ``next_attempt_at``, leased while ``locked_until`` is ahead), sent, failed
#: (gave up: attempts spent or refused for good), dropped (subscription gone, already read,
#: or older than the push TTL).
DELIVERY_STATES = ("pending", "sent", "failed", "dropped")


class InboxItem(SyncedColumns, Table, tablename="notify_inbox"):
    """收件箱: an event a person should hear about, written in the transaction of the change.

    ``owner_id`` is the recipient; only they receive it on pull, and only they may mark it
    read (the one field a client may change).
    """

    event = Varchar(length=40)
    title_zh = Varchar(length=200)
    title_en = Varchar(length=200)
    body_zh = Text(default="")
    body_en = Text(default="")
    #: The PWA route that shows the subject, e.g. ``#/month/2026-03``.
    link = Varchar(length=200, default="")
    object_kind = Varchar(length=40, default="")
    object_id = Varchar(length=64, default="")
    read_at = Timestamptz(null=True, default=None)
    #: Makes a scheduled notice idempotent, e.g. ``presence.month_end:2026-03:<cadre id>``.
    #: Unique (a unique index by migration; NULL for ordinary notices).
    dedupe_key = Varchar(length=120, null=True, default=None)


class PushSubscription(Table, tablename="notify_push_subscription"):
    """A browser's Web Push subscription (the doorbell), registered by a logged-in user.

    ``endpoint`` is unique: when another user logs in on the same browser and subscribes, the
    subscription moves to them. Removed when the push service answers 404 or 410.
    """

    id = UUID(primary_key=True)
    owner_id = UUID(index=True)
    endpoint = Varchar(length=2048, unique=True)
    #: The browser's P-256 public key and auth secret (base64url), for aes128gcm.
    p256dh = Varchar(length=100)
    auth = Varchar(length=40)
    user_agent = Varchar(length=200, default="")
    created_at = Timestamptz()
    last_success_at = Timestamptz(null=True, default=None)
    #: Failed attempts since the last success.
    failures = Integer(default=0)


class PushDelivery(Table, tablename="notify_push_delivery"):
    """The push outbox: one row per inbox item per subscription of its recipient.

    Written by ``notify()`` in the transaction of the change, sent by ``zhucun dispatch``.
    A dispatcher leases a row by setting ``locked_until`` and ``lease``; a lease that expires
    (the dispatcher died) makes the row due again. Unique on (inbox, subscription_id).
    ``subscription_id`` is deliberately not a foreign key: dropped rows outlive their
    subscription, and an unsubscribe never fails the change that writes a delivery.
    """

    id = UUID(primary_key=True)
    inbox = ForeignKey(InboxItem, on_delete=OnDelete.cascade, index=True)
    subscription_id = UUID(index=True)
    state = Varchar(length=10, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    locked_until = Timestamptz(null=True, default=None)
    #: The claim that holds the lease; a late result of a lost lease is discarded.
    lease = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    last_error = Varchar(length=300, default="")
