"""What audit stores: one row per event, each hashing the one before it."""

from __future__ import annotations

from piccolo.columns import UUID, BigSerial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AuditEvent"]


class AuditEvent(Table, tablename="audit_event"):
    """审计日志: who did what to which object, when, from which state to which, and why.

    ``hash`` = SHA-256 over ``prev_hash`` and the row's canonical fields, so altering or
    deleting a row breaks the chain at that row (``zhucun audit verify``).
    """

    id = BigSerial(primary_key=True)
    at = Timestamptz()
    actor_id = UUID(null=True, default=None)
    action = Varchar(length=60)
    object_kind = Varchar(length=40)
    object_id = Varchar(length=64)
    county_code = Varchar(length=6, null=True, default=None, index=True)
    #: Canonical JSON text (sorted keys) so the hash is stable on both engines.
    before = Text(null=True, default=None)
    after = Text(null=True, default=None)
    reason = Text(null=True, default=None)
    request_id = Varchar(length=64, null=True, default=None)
    ip = Varchar(length=45, null=True, default=None)
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)
