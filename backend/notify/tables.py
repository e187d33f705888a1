"""What notify stores: one inbox row per person per event."""

from __future__ import annotations

from piccolo.columns import Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = ["InboxItem"]


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
