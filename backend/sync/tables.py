"""What sync stores: the change sequence, and the columns every synced record carries."""

from __future__ import annotations

from piccolo.columns import UUID, BigInt, Boolean, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ChangeCounter", "SyncedColumns"]


class ChangeCounter(Table, tablename="sync_change_counter"):
    """One row: the last change sequence number handed out, on SQLite.

    Writers take numbers with ``UPDATE … SET value = value + n`` inside their transaction
    (they are serialised by ``BEGIN IMMEDIATE`` anyway). PostgreSQL uses a sequence and
    transaction stamps instead: see ``backend/sync/cursor.py``.
    """

    id = Integer(primary_key=True)
    value = BigInt(default=0)


class SyncedColumns:
    """Mixin for tables whose rows travel through the sync protocol.

    ``id`` is the client's UUID; ``version`` counts the owner's accepted edits; ``seq`` is the
    change sequence number of the last change of any kind (a server-side flag update moves
    ``seq`` but not ``version``); ``content_hash`` recognises a resend of the same content.
    """

    id = UUID(primary_key=True)
    owner_id = UUID(index=True)
    village_code = Varchar(length=12, index=True)
    county_code = Varchar(length=6, index=True)
    version = Integer(default=1)
    seq = BigInt(default=0, index=True)
    content_hash = Varchar(length=64)
    deleted = Boolean(default=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()
